package referralhero

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// maxBody bounds how much of a request body the surface reads.
const maxBody = 8 << 20

// fields are a call's parameters: the vendor reads every parameter from
// the query string or from a JSON or form-encoded body, the body winning
// when both carry one.
type fields map[string]any

// peekBody reads the request body and puts it back for the next reader.
func peekBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(data))
	if err != nil {
		return nil, canonical.Wrap(canonical.Invalid, err, "the request body could not be read")
	}
	if len(data) > maxBody {
		return nil, canonical.Errorf(canonical.Invalid, "the request body is too large")
	}
	return data, nil
}

// readFields merges the query string and the body of r.
func readFields(r *http.Request) (fields, error) {
	f := fields{}
	f.addValues(r.URL.Query())
	data, err := peekBody(r)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return f, err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(data))
		if err != nil {
			return f, canonical.Wrap(canonical.Invalid, err, "the form body is malformed")
		}
		f.addValues(vals)
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "" || mt == "text/plain":
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var body map[string]any
		if err := dec.Decode(&body); err != nil {
			return f, canonical.Wrap(canonical.Invalid, err, "the JSON body is malformed or not an object")
		}
		for k, v := range body {
			f[k] = v
		}
	default:
		return f, canonical.Errorf(canonical.Invalid, "unsupported content type %q", mt)
	}
	return f, nil
}

// addValues merges URL-encoded values: one value is a string, repeated
// keys and key[] or key[i] forms are lists.
func (f fields) addValues(vals url.Values) {
	indexed := map[string]map[int]string{}
	for k, vs := range vals {
		if len(vs) == 0 {
			continue
		}
		if base, ok := strings.CutSuffix(k, "[]"); ok {
			f[base] = append([]string(nil), vs...)
			continue
		}
		if open := strings.IndexByte(k, '['); open > 0 && strings.HasSuffix(k, "]") {
			if i, err := strconv.Atoi(k[open+1 : len(k)-1]); err == nil && i >= 0 {
				base := k[:open]
				if indexed[base] == nil {
					indexed[base] = map[int]string{}
				}
				indexed[base][i] = vs[len(vs)-1]
				continue
			}
		}
		if len(vs) == 1 {
			f[k] = vs[0]
		} else {
			f[k] = append([]string(nil), vs...)
		}
	}
	for base, m := range indexed {
		idx := make([]int, 0, len(m))
		for i := range m {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		list := make([]string, 0, len(idx))
		for _, i := range idx {
			list = append(list, m[i])
		}
		f[base] = list
	}
}

// str returns k as a string; numbers and booleans are rendered.
func (f fields) str(k string) (string, bool) {
	switch v := f[k].(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case []string:
		if len(v) > 0 {
			return v[len(v)-1], true
		}
	}
	return "", false
}

// int returns k as an integer; err is set when k is present but not one.
func (f fields) int(k string) (int64, bool, error) {
	v, ok := f[k]
	if !ok || v == nil {
		return 0, false, nil
	}
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, false, canonical.Errorf(canonical.Invalid, "%s must be an integer", k)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fl, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || fl != float64(int64(fl)) {
			return 0, false, canonical.Errorf(canonical.Invalid, "%s must be an integer", k)
		}
		n = int64(fl)
	}
	return n, true, nil
}

// float returns k as a number.
func (f fields) float(k string) (float64, bool) {
	s, ok := f.str(k)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return v, err == nil
}

// bool returns k as a boolean; err is set when k is present but not one.
func (f fields) bool(k string) (bool, bool, error) {
	switch v := f[k].(type) {
	case nil:
		return false, false, nil
	case bool:
		return v, true, nil
	}
	s, _ := f.str(k)
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return false, false, canonical.Errorf(canonical.Invalid, "%s must be true or false", k)
	}
	return b, true, nil
}

// strs returns k as a list of strings: a JSON array, repeated or indexed
// form fields, or the vendor's documented string form "['a', 'b']".
func (f fields) strs(k string) []string {
	switch v := f[k].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			switch s := x.(type) {
			case string:
				out = append(out, s)
			case json.Number:
				out = append(out, s.String())
			}
		}
		return out
	case string:
		return splitList(v)
	}
	return nil
}

// splitList reads "['a', 'b']", `["a","b"]` or "a,b".
func splitList(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.Trim(strings.TrimSpace(part), `"'`)
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}

// bodyToken finds api_token in a JSON or form body.
func bodyToken(r *http.Request) string {
	data, err := peekBody(r)
	if err != nil || len(data) == 0 {
		return ""
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/x-www-form-urlencoded" {
		vals, err := url.ParseQuery(string(data))
		if err != nil {
			return ""
		}
		return vals.Get("api_token")
	}
	var body struct {
		APIToken any `json:"api_token"`
	}
	if json.Unmarshal(data, &body) != nil {
		return ""
	}
	if s, ok := body.APIToken.(string); ok {
		return s
	}
	if body.APIToken != nil {
		return fmt.Sprint(body.APIToken)
	}
	return ""
}
