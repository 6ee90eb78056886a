package surfacetest

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/refbridge/refbridge/adapters/surface"
)

// CheckTextKept is the body readers' fuzz property: when the surface check
// (surface.CheckBody) admits a body, every text a reader took from it is
// valid UTF-8 and holds U+FFFD only where the body itself wrote one
// (raw, or as a \ufffd escape), so nothing the client sent was quietly
// replaced. texts are the strings the reader produced.
func CheckTextKept(t *testing.T, contentType string, body []byte, texts []string) {
	t.Helper()
	if surface.CheckBody(contentType, body) != nil {
		return
	}
	sentFFFD := bytes.ContainsRune(body, utf8.RuneError) || bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`)) ||
		bytes.Contains(bytes.ToUpper(body), []byte("%EF%BF%BD"))
	for _, s := range texts {
		if !utf8.ValidString(s) {
			t.Fatalf("the check admitted %q, but the reader produced text that is not UTF-8: %q", body, s)
		}
		if !sentFFFD && strings.ContainsRune(s, utf8.RuneError) {
			t.Fatalf("the check admitted %q, but the reader replaced text with U+FFFD: %q", body, s)
		}
	}
}

// CheckQuery reports whether the surface check admits query, a raw query
// string: every key and value it decodes to is valid UTF-8.
func CheckQuery(query string) bool {
	r := httptest.NewRequest("GET", "/", nil)
	r.URL.RawQuery = query
	return surface.CheckRequest(r) == nil
}
