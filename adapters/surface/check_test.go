package surface_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// nested returns a JSON object nested n levels deep.
func nested(n int) string {
	return strings.Repeat(`{"a":`, n-1) + `{"a":1}` + strings.Repeat("}", n-1)
}

func TestCheckJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		wantErr    string // "" for accepted
	}{
		{"plain object", `{"email":"zoë@example.com","tags":["a","b"],"n":1.5,"ok":true,"x":null}`, ""},
		{"at the depth limit", nested(canonical.MaxDepth), ""},
		{"past the depth limit", nested(canonical.MaxDepth + 1), `field "a" nests deeper than 32 levels`},
		{"9,999 deep", nested(9999), `field "a" nests deeper than 32 levels`},
		{"arrays past the depth limit", strings.Repeat("[", 40) + strings.Repeat("]", 40), "the request body nests deeper than 32 levels"},
		{"raw bytes not UTF-8", "{\"email\":\"\xff\xfe@x.com\"}", `field "email" is not valid UTF-8`},
		{"nested field not UTF-8", "{\"metadata\":{\"plan\":\"pro\",\"note\":\"a\xc3\"}}", `field "metadata.note" is not valid UTF-8`},
		{"array element not UTF-8", "{\"items\":[{\"e\":\"ok\"},{\"e\":\"\xff\"}]}", `field "items[1].e" is not valid UTF-8`},
		{"key not UTF-8", "{\"ok\":1,\"\xff\":2}", "the request body has a key that is not valid UTF-8"},
		{"lone surrogate escape", `{"name":"a\ud800b"}`, `field "name" is not valid UTF-8`},
		{"escaped U+FFFD", `{"name":"a\uFFFDb\ufffd"}`, ""},
		{"literal U+FFFD", "{\"name\":\"a\uFFFDb\"}", ""},
		{"surrogate pair escape", `{"name":"\ud83d\ude00"}`, ""},
		{"not JSON but UTF-8", `{"email":`, ""},
		{"not JSON and not UTF-8", "{\"email\":\xff", "the request body is not valid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkErr(t, surface.CheckJSON([]byte(tc.body)), tc.wantErr)
		})
	}
}

func TestCheckRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target, contentType, body string
		wantErr                         string
	}{
		{"clean query and JSON", "/things/7?email=zo%C3%AB%40x.com", "application/json", `{"email":"a@x.com"}`, ""},
		{"query parameter", "/things/7?email=%FF%FE%40x.com", "", "", `query parameter "email" is not valid UTF-8`},
		{"path variable", "/things/%FF", "", "", `path parameter "id" is not valid UTF-8`},
		{"JSON body", "/things/7", "application/json", "{\"email\":\"\xff\"}", `field "email" is not valid UTF-8`},
		{"untyped JSON body", "/things/7", "", nested(40), `field "a" nests deeper than 32 levels`},
		{"form value", "/things/7", "application/x-www-form-urlencoded", "email=%FF%FE%40x.com&name=x", `field "email" is not valid UTF-8`},
		{"untyped form value", "/things/7", "", "name=ok&email=%FF", `field "email" is not valid UTF-8`},
		{"raw form bytes", "/things/7", "text/plain", "email=\xff", "the request body is not valid UTF-8"},
		{"clean form", "/things/7", "application/x-www-form-urlencoded", "email=zo%C3%AB%40x.com", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got error
			var rest string
			r := mux.NewRouter()
			r.HandleFunc("/things/{id}", func(w http.ResponseWriter, req *http.Request) {
				got = surface.CheckRequest(req)
				b, _ := io.ReadAll(req.Body)
				rest = string(b)
			})
			req := httptest.NewRequest(http.MethodPost, tc.target, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			r.ServeHTTP(httptest.NewRecorder(), req)
			checkErr(t, got, tc.wantErr)
			if rest != tc.body {
				t.Errorf("the handler reads %q after the check, want the body as sent", rest)
			}
		})
	}
}

// checkErr fails unless err is nil (wantErr "") or an Invalid error whose
// message contains wantErr.
func checkErr(t *testing.T, err error, wantErr string) {
	t.Helper()
	switch {
	case wantErr == "" && err != nil:
		t.Fatalf("err = %v, want nil", err)
	case wantErr == "":
	case err == nil:
		t.Fatalf("err = nil, want invalid: %s", wantErr)
	case !canonical.IsCode(err, canonical.Invalid) || !strings.Contains(canonical.MessageOf(err), wantErr):
		t.Fatalf("err = %v, want invalid: …%s…", err, wantErr)
	}
}

// BenchmarkCheckJSON measures the check on a typical participant body.
func BenchmarkCheckJSON(b *testing.B) {
	body := []byte(`{"email":"ann@example.com","firstName":"Ann","lastName":"Lee","referredBy":"x7f3k2",` +
		`"ipAddress":"203.0.113.7","metadata":{"plan":"pro","source":"newsletter","signup":"2026-03-10"}}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := surface.CheckJSON(body); err != nil {
			b.Fatal(err)
		}
	}
}
