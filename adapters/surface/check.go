package surface

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// CheckRequest refuses, as a canonical Invalid error naming the part, what
// no surface takes, before the vendor's own validation sees the request:
// text that is not valid UTF-8 in a query parameter, a path variable or
// the body (JSON strings and keys, form fields), and a JSON body nested
// deeper than canonical.MaxDepth. Without it, encoding/json would quietly
// store U+FFFD in place of the bad bytes, and would store a document too
// deep for itself to read back. The body is read whole and put back for
// the handler.
func CheckRequest(r *http.Request) error {
	if err := checkForm("query parameter", r.URL.Query()); err != nil {
		return err
	}
	for k, v := range mux.Vars(r) {
		if !utf8.ValidString(v) {
			return canonical.Errorf(canonical.Invalid, "path parameter %q is not valid UTF-8", k)
		}
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		var ce *canonical.Error
		if errors.As(err, &ce) {
			return err // the proxy's body limit says what went wrong
		}
		return canonical.Wrap(canonical.Invalid, err, "the request body could not be read")
	}
	return CheckBody(r.Header.Get("Content-Type"), body)
}

// CheckBody checks a request body as CheckRequest does: as JSON when the
// content type says so or the body starts with "{" or "[" (surfaces read
// untyped bodies that way), and as form fields otherwise.
func CheckBody(contentType string, body []byte) error {
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") ||
		len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return CheckJSON(body)
	}
	if strings.HasPrefix(mt, "multipart/") {
		return nil // no surface takes multipart bodies; their validation refuses them
	}
	if !utf8.Valid(body) {
		return canonical.Errorf(canonical.Invalid, "the request body is not valid UTF-8")
	}
	form, _ := url.ParseQuery(string(body))
	return checkForm("field", form)
}

// checkForm refuses a URL-encoded key or value that decodes to text that
// is not UTF-8.
func checkForm(what string, vals url.Values) error {
	for k, vs := range vals {
		if !utf8.ValidString(k) {
			return canonical.Errorf(canonical.Invalid, "a %s name is not valid UTF-8", what)
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return canonical.Errorf(canonical.Invalid, "%s %q is not valid UTF-8", what, k)
			}
		}
	}
	return nil
}

// CheckJSON refuses a JSON text with a string or key that is not valid
// UTF-8 (raw bytes, or a \u escape of half a surrogate pair, which
// encoding/json also turns into U+FFFD) or that nests objects and arrays
// deeper than canonical.MaxDepth. A text that is not JSON is left for the
// caller's own parser to refuse in its words, unless its bytes are not
// UTF-8.
func CheckJSON(body []byte) error {
	if !suspect(body) {
		return nil
	}
	return walkJSON(body)
}

// suspect reports whether body may hold what CheckJSON refuses: bytes
// that are not UTF-8, a \u escape of a surrogate (paired or not), or
// brackets nested deeper than canonical.MaxDepth. It is a fast filter,
// one pass over the bytes; walkJSON, much slower, decides and names the
// field.
func suspect(body []byte) bool {
	if !utf8.Valid(body) {
		return true
	}
	depth, inString := 0, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		if inString {
			switch c {
			case '\\':
				if i+3 < len(body) && body[i+1] == 'u' && body[i+2]|0x20 == 'd' && strings.IndexByte("89abcdefABCDEF", body[i+3]) >= 0 {
					return true
				}
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			if depth++; depth > canonical.MaxDepth {
				return true
			}
		case '}', ']':
			depth--
		}
	}
	return false
}

// walkJSON is CheckJSON's exact check: it walks body's tokens, keeping
// the path to name what it refuses.
func walkJSON(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	// path holds, per open object or array, where the walk is in it:
	// ".key" once an object's key is read ("" before), "[i]" in an array.
	var path []string
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if !utf8.Valid(body) {
				return canonical.Errorf(canonical.Invalid, "the request body is not valid UTF-8")
			}
			return nil
		}
		expectKey := len(path) > 0 && path[len(path)-1] == ""
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				if len(path) >= canonical.MaxDepth {
					// Named by its top-level field (the full path is as
					// long as the nesting), or as the body when that is
					// an array.
					top := path[:1]
					if strings.HasPrefix(top[0], "[") {
						top = nil
					}
					return canonical.Errorf(canonical.Invalid, "%s nests deeper than %d levels", fieldName(top), canonical.MaxDepth)
				}
				if t == '{' {
					path = append(path, "")
				} else {
					path = append(path, "[0]")
				}
				continue
			}
			path = path[:len(path)-1]
		case string:
			if badText(t, body[start:dec.InputOffset()]) {
				if expectKey {
					return canonical.Errorf(canonical.Invalid, "%s has a key that is not valid UTF-8", fieldName(path))
				}
				return canonical.Errorf(canonical.Invalid, "%s is not valid UTF-8", fieldName(path))
			}
			if expectKey {
				path[len(path)-1] = "." + t
				continue
			}
		}
		// A value ended: an object waits for its next key, an array
		// moves to its next element.
		if n := len(path); n > 0 {
			if top := path[n-1]; strings.HasPrefix(top, "[") {
				i, _ := strconv.Atoi(top[1 : len(top)-1])
				path[n-1] = "[" + strconv.Itoa(i+1) + "]"
			} else {
				path[n-1] = ""
			}
		}
	}
}

// badText reports whether a decoded JSON string s came from raw text
// that is not UTF-8: encoding/json decodes both bad bytes and lone
// surrogate escapes to U+FFFD, so a U+FFFD in s that raw does not spell
// out is one of them.
func badText(s string, raw []byte) bool {
	if !utf8.Valid(raw) {
		return true
	}
	if !strings.ContainsRune(s, utf8.RuneError) {
		return false
	}
	lower := bytes.ToLower(raw)
	return bytes.Count(lower, []byte(`\ufffd`))+bytes.Count(raw, []byte("\uFFFD")) < strings.Count(s, "\uFFFD")
}

// fieldName renders a JSON path for a message (`field "metadata.plan"`,
// `field "items[2].email"`); the empty path is the whole body.
func fieldName(path []string) string {
	name := strings.TrimPrefix(strings.Join(path, ""), ".")
	if name == "" {
		return "the request body"
	}
	return "field " + strconv.Quote(name)
}
