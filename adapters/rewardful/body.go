package rewardful

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// fields is a write request's body: Rewardful documents form-encoded
// bodies; JSON objects are accepted too.
type fields struct {
	json map[string]any
	form url.Values
}

// readFields reads r's body as JSON (Content-Type application/json, or an
// untyped body starting with "{") or as form data (anything else).
func readFields(r *http.Request) (fields, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return fields{}, badRequest("Bad request.")
	}
	if len(body) > maxBody {
		return fields{}, badRequest("Request body is too large.")
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(body)
	if ct == "application/json" || strings.HasSuffix(ct, "+json") || ct == "" && len(trimmed) > 0 && trimmed[0] == '{' {
		f := fields{json: map[string]any{}}
		if len(trimmed) == 0 {
			return f, nil
		}
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&f.json); err != nil || f.json == nil {
			return fields{}, badRequest("Bad request.")
		}
		return f, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return fields{}, badRequest("Bad request.")
	}
	return fields{form: form}, nil
}

// raw returns a field's value: a string for form fields, the decoded JSON
// value otherwise; absent fields and JSON nulls report false.
func (f fields) raw(key string) (any, bool) {
	if f.json != nil {
		v, ok := f.json[key]
		return v, ok && v != nil
	}
	vs, ok := f.form[key]
	if !ok || len(vs) == 0 {
		return nil, false
	}
	return vs[0], true
}

// has reports whether the field was sent (a JSON null counts as sent).
func (f fields) has(key string) bool {
	if f.json != nil {
		_, ok := f.json[key]
		return ok
	}
	_, ok := f.form[key]
	return ok
}

// str reads a string field; numbers are taken as their text.
func (f fields) str(key string) (*string, error) {
	v, ok := f.raw(key)
	if !ok {
		return nil, nil
	}
	switch x := v.(type) {
	case string:
		return &x, nil
	case json.Number:
		s := x.String()
		return &s, nil
	}
	return nil, invalid(humanize(key) + " is invalid")
}

// boolean reads a boolean field (true/false, 1/0 in forms).
func (f fields) boolean(key string) (*bool, error) {
	v, ok := f.raw(key)
	if !ok {
		return nil, nil
	}
	switch x := v.(type) {
	case bool:
		return &x, nil
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
			return &b, nil
		}
	}
	return nil, invalid(humanize(key) + " is invalid")
}

// integer reads an integer field.
func (f fields) integer(key string) (*int64, error) {
	v, ok := f.raw(key)
	if !ok {
		return nil, nil
	}
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	default:
		return nil, invalid(humanize(key) + " is invalid")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return &n, nil
	}
	if fl, err := strconv.ParseFloat(s, 64); err == nil && fl == float64(int64(fl)) {
		n := int64(fl)
		return &n, nil
	}
	return nil, invalid(humanize(key) + " is invalid")
}

// number reads a decimal number field.
func (f fields) number(key string) (*float64, error) {
	v, ok := f.raw(key)
	if !ok {
		return nil, nil
	}
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	default:
		return nil, invalid(humanize(key) + " is invalid")
	}
	fl, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, invalid(humanize(key) + " is invalid")
	}
	return &fl, nil
}
