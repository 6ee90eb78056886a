package growsurf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/openapi"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

// harness sends GrowSurf requests to a surfacetest server and checks every
// response against the spec.
type harness struct {
	t      *testing.T
	env    *surfacetest.Env
	key    string
	router routers.Router
	// validated counts responses checked against the spec.
	validated int
}

func newHarness(t *testing.T, opts *surfacetest.Options) *harness {
	t.Helper()
	env := surfacetest.New(t, growsurf.NewSurface(), opts)
	doc, err := openapi.Load(openapi.GrowSurf)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: env.URL + growsurf.PathPrefix}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, env: env, key: env.Secrets[canonical.APIKey], router: router}
}

// reply is a decoded response.
type reply struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r reply) str(path ...string) string {
	v := r.get(path...)
	s, _ := v.(string)
	return s
}

func (r reply) get(path ...string) any {
	var cur any = r.body
	for _, p := range path {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			i := 0
			for _, ch := range p {
				i = i*10 + int(ch-'0')
			}
			if i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// do sends a request with the harness key and validates the response.
func (h *harness) do(method, path string, body any) reply {
	h.t.Helper()
	return h.doKey(h.key, method, path, body)
}

func (h *harness) doKey(key, method, path string, body any) reply {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.env.URL+growsurf.PathPrefix+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp := h.env.Do(h.t, req)
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	out := reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &out.body)
	h.validate(req, resp, raw)
	return out
}

// validate checks a response against the operation's documented responses.
func (h *harness) validate(req *http.Request, resp *http.Response, raw []byte) {
	h.t.Helper()
	vreq := req.Clone(context.Background())
	route, params, err := h.router.FindRoute(vreq)
	if err != nil {
		if strings.HasPrefix(req.URL.Path, growsurf.PathPrefix+"/campaign") && resp.StatusCode != http.StatusNotFound {
			h.t.Errorf("%s %s: no spec route: %v", req.Method, req.URL.Path, err)
		}
		return // unknown path: nothing to validate against
	}
	h.validated++
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(raw)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		h.t.Errorf("%s %s: response %d does not match the spec: %v\n%s", req.Method, req.URL.Path, resp.StatusCode, err, raw)
	}
}

func esc(s string) string { return url.PathEscape(s) }

func must(t *testing.T, r reply, status int, what string) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, strings.TrimSpace(string(r.raw)))
	}
	return r
}
