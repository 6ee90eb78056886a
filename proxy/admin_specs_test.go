package proxy_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/refbridge/refbridge/openapi"
)

// TestServedSpecs: every vendor's spec is served as YAML and JSON without
// a token, each a valid OpenAPI document with all of the vendor's
// operations and servers pointing at this refbridge under the vendor's
// own base path; anything else is the admin API's 404.
func TestServedSpecs(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t, nil)
	get := func(path string) (int, string, []byte) {
		t.Helper()
		resp, err := http.Get(e.url + "/_refbridge" + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == 200 && !strings.Contains(resp.Header.Get("Vary"), "Host") {
			t.Errorf("%s: Vary %q: a shared cache could give this host's servers to another", path, resp.Header.Get("Vary"))
		}
		return resp.StatusCode, resp.Header.Get("Content-Type"), b
	}
	wantPath := map[openapi.Vendor]string{
		openapi.GrowSurf: "/v2", openapi.ReferralHero: "/api/v2", openapi.Rewardful: "/v1",
		openapi.IRefer: "", openapi.ReferralRocket: "",
	}
	for _, v := range openapi.Vendors() {
		orig, err := openapi.Load(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"yaml", "json"} {
			t.Run(string(v)+"."+format, func(t *testing.T) {
				status, ctype, body := get("/openapi/" + string(v) + "." + format)
				if status != 200 || !strings.Contains(ctype, format) {
					t.Fatalf("status %d, type %q: %.200s", status, ctype, body)
				}
				doc, err := openapi3.NewLoader().LoadFromData(body)
				if err != nil {
					t.Fatalf("served spec does not load: %v", err)
				}
				if len(doc.Servers) != 1 || doc.Servers[0].URL != e.url+wantPath[v] {
					t.Fatalf("servers %+v, want %s", doc.Servers[0], e.url+wantPath[v])
				}
				if got, want := doc.Paths.Len(), orig.Paths.Len(); got != want {
					t.Fatalf("%d paths served, the spec has %d", got, want)
				}
				if doc.Info.Title != orig.Info.Title {
					t.Fatalf("title %q, want %q", doc.Info.Title, orig.Info.Title)
				}
			})
		}
	}
	for _, path := range []string{"/openapi/nope.yaml", "/openapi/growsurf.xml", "/openapi/growsurf"} {
		if status, _, body := get(path); status != 404 || !strings.Contains(string(body), `"error"`) {
			t.Errorf("%s: %d %s, want the admin API's 404", path, status, body)
		}
	}
}
