package proxy_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/refbridge/refbridge/openapi"
)

// getDocs fetches path under /_refbridge without a token.
func getDocs(t *testing.T, base, path string) (*http.Response, string) {
	t.Helper()
	return consoleDo(t, http.MethodGet, base+"/_refbridge"+path, nil, nil)
}

// specOperations lists a spec's operations as the docs page names them:
// the operationId, or METHOD path without one.
func specOperations(t *testing.T, v openapi.Vendor) (*openapi3.T, []string) {
	t.Helper()
	doc, err := openapi.Load(v)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			id := op.OperationID
			if id == "" {
				id = method + " " + path
			}
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return doc, ids
}

// templateEscape is html/template's escaping of text in an element.
var templateEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;", "\x00", "\uFFFD")

// specTexts are the free texts of a spec the docs page shows.
func specTexts(doc *openapi3.T) []string {
	texts := []string{doc.Info.Description}
	for _, tag := range doc.Tags {
		texts = append(texts, tag.Description)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			texts = append(texts, op.Summary, op.Description)
			for _, p := range op.Parameters {
				texts = append(texts, p.Value.Description)
			}
			for _, r := range op.Responses.Map() {
				if r.Value.Description != nil {
					texts = append(texts, *r.Value.Description)
				}
			}
		}
	}
	for _, s := range doc.Components.SecuritySchemes {
		texts = append(texts, s.Value.Description)
	}
	for _, s := range doc.Components.Schemas {
		texts = append(texts, s.Value.Description)
		for _, p := range s.Value.Properties {
			texts = append(texts, p.Value.Description)
		}
	}
	return texts
}

// TestDocsPages: the index links every vendor's page; each page answers
// 200 without a token, lists every operation of the vendor's spec with
// its method and path, says how the credential is sent, and shows the
// spec's text HTML-escaped; unknown pages are the admin API's 404.
func TestDocsPages(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t, nil)

	resp, index := getDocs(t, e.url, "/docs")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("index: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, v := range openapi.Vendors() {
		if !strings.Contains(index, `href="/_refbridge/docs/`+string(v)+`"`) {
			t.Errorf("index does not link %s", v)
		}
	}

	schemeHint := map[openapi.Vendor]string{
		openapi.GrowSurf:       "Authorization: Bearer &lt;credential&gt;",
		openapi.Rewardful:      "Authorization: Basic",
		openapi.ReferralRocket: "header X-API-Key: &lt;credential&gt;",
		openapi.IRefer:         "query parameter api_key=&lt;credential&gt;",
		openapi.ReferralHero:   "query parameter api_token=&lt;credential&gt;",
	}
	for _, v := range openapi.Vendors() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			doc, ids := specOperations(t, v)
			resp, page := getDocs(t, e.url, "/docs/"+string(v))
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if got := strings.Count(page, `<article class="op"`); got != len(ids) {
				t.Errorf("%d operations on the page, the spec has %d", got, len(ids))
			}
			for path, item := range doc.Paths.Map() {
				for method, op := range item.Operations() {
					want := `data-operation-id="` + op.OperationID + `" data-method="` + method + `" data-path="` + path + `"`
					if !strings.Contains(page, want) {
						t.Errorf("%s %s (%s) is not on the page", method, path, op.OperationID)
					}
				}
			}
			for name := range doc.Components.Schemas {
				if !strings.Contains(page, `<article class="schema" id="schema-`+name+`"`) {
					t.Errorf("schema %s is not on the page", name)
				}
			}
			if n := strings.Count(page, `spellcheck="false"></textarea>`); n > 0 {
				t.Errorf("%d try-it bodies start empty: each starts from the spec's example or one built from its schema", n)
			}
			if !strings.Contains(page, schemeHint[v]) {
				t.Errorf("the page does not say %q", schemeHint[v])
			}
			for _, text := range specTexts(doc) {
				if !strings.ContainsAny(text, `<>&"'`) {
					continue
				}
				if !strings.Contains(page, templateEscape.Replace(text)) {
					t.Errorf("%.80q is not on the page, escaped", text)
				}
				if strings.ContainsAny(text, "<>") && strings.Contains(page, text) {
					t.Errorf("%.80q is on the page unescaped", text)
				}
			}
			for _, src := range []string{"http://", "https://"} {
				for _, attr := range []string{`src="` + src, `<link rel="stylesheet" href="` + src} {
					if strings.Contains(page, attr) {
						t.Errorf("the page loads something from elsewhere: %s", attr)
					}
				}
			}
		})
	}

	for _, path := range []string{"/docs/nope", "/docs/growsurf/extra", "/docs/assets/nope.js", "/docs/GrowSurf"} {
		if resp, body := getDocs(t, e.url, path); resp.StatusCode != 404 || !strings.Contains(body, `"error"`) || !strings.Contains(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %s, want the admin API's 404", path, resp.StatusCode, body)
		}
	}
}

// TestDocsAssets: the page's script and style are embedded and served
// with their content types, revalidated by ETag.
func TestDocsAssets(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t, nil)
	for _, tc := range []struct {
		path, ctype, contains string
	}{
		{"/docs/assets/docs.js", "text/javascript; charset=utf-8", "fetch("},
		{"/docs/assets/docs.css", "text/css; charset=utf-8", ".try-form"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			resp, body := getDocs(t, e.url, tc.path)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.ctype || !strings.Contains(body, tc.contains) {
				t.Fatalf("%d %q %.100s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			etag := resp.Header.Get("ETag")
			req, _ := http.NewRequest(http.MethodGet, e.url+"/_refbridge"+tc.path, nil)
			req.Header.Set("If-None-Match", etag)
			again, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			again.Body.Close()
			if etag == "" || again.StatusCode != http.StatusNotModified {
				t.Fatalf("ETag %q, revalidation %d", etag, again.StatusCode)
			}
		})
	}
}
