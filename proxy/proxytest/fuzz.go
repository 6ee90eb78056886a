package proxytest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/openapi"
)

// FuzzTarget describes one vendor surface to FuzzSurface.
type FuzzTarget struct {
	// Vendor is the surface fuzzed.
	Vendor canonical.Vendor
	// Host is the vendor's API host: requests are dispatched by it, at
	// the path of the spec's server URL (api.growsurf.com, /v2/…).
	Host string
	// ErrorSchema names the spec's component schema every error body of
	// the vendor matches (GrowSurf's "Error").
	ErrorSchema string
	// Authorize adds a credential to a request the way the vendor's
	// clients send it; secret is the tenant's for kind.
	Authorize func(req *http.Request, secret func(canonical.CredentialKind) string)
	// Placeholders finds, through the surface itself, the vendor's
	// rendering of the tenant's entities: a value per placeholder name
	// ("campaign", "participant", …). Seeds and fuzzed inputs write
	// {{name}} where such a value belongs.
	Placeholders func(t testing.TB, tn Tenant, do func(method, target, body string) (int, []byte)) map[string]string
	// Params maps the spec's parameter names (path and query) to
	// placeholders, for the seeds built from the spec's operations.
	Params map[string]string
	// Ping is a request the surface always answers 200 (with the tenant's
	// credentials): the check that the server still answers.
	Ping string
	// Unserved lists operations that answer 501 by design (the surface's
	// Limitations say why); their 501 must still be in the error shape.
	Unserved []string
}

// Fuzz input modes for the credential.
const (
	authValid = iota
	authNone
	authOtherTenant
	authGarbage
	authModes
)

// FuzzSurface runs a fuzz target against ft's surface of a fresh proxy
// with two tenants. Each input is a method, a target (path and query under
// the spec's base path, with {{placeholders}}), header lines, a body and a
// credential mode; the seeds are every operation of the vendor's spec,
// with the bodies of testdata/<vendor>/<operation>.request.json. Every
// answer must be below 500 (a 501 the operation documents aside), never a
// redirect, and in the vendor's shape: what the spec documents for the
// operation and status, or else the vendor's error schema; and the surface
// must still answer afterwards. Nothing in it is random across runs but the
// fuzzer's inputs, so a failing input replays.
func FuzzSurface(f *testing.F, ft FuzzTarget) {
	srv := New(f, &Options{Vendors: []canonical.Vendor{ft.Vendor}})
	tenant := srv.NewTenant(f, "fuzz", canonical.Campaign{})
	other := srv.NewTenant(f, "fuzz-other", canonical.Campaign{})
	doc, err := openapi.Load(openapi.Vendor(ft.Vendor))
	if err != nil {
		f.Fatal(err)
	}
	server, err := url.Parse(doc.Servers[0].URL)
	if err != nil {
		f.Fatal(err)
	}
	base := strings.TrimSuffix(server.Path, "/")
	errSchema := doc.Components.Schemas[ft.ErrorSchema]
	if errSchema == nil {
		f.Fatalf("the %s spec has no schema %q", ft.Vendor, ft.ErrorSchema)
	}
	// The router resolves operations for requests to the vendor's host.
	rdoc, _ := openapi.Load(openapi.Vendor(ft.Vendor))
	rdoc.Servers = openapi3.Servers{{URL: "http://" + ft.Host + base}}
	router, err := gorillamux.NewRouter(rdoc)
	if err != nil {
		f.Fatal(err)
	}

	h := &fuzzHarness{srv: srv, ft: ft, base: base, router: router, errSchema: errSchema.Value,
		tenants: [2]Tenant{tenant, other}}
	h.values = ft.Placeholders(f, tenant, func(method, target, body string) (int, []byte) {
		rec := h.serve(method, target, "Content-Type: application/json", []byte(body), authValid)
		return rec.Code, rec.Body.Bytes()
	})
	for i, s := range specSeeds(f, doc, ft) {
		f.Add(s.method, s.target, "Content-Type: application/json", s.body, uint8(authValid))
		h := hostile[i%len(hostile)]
		f.Add(s.method, h.target(s.target), "Content-Type: application/json", h.body(s.body), uint8(authValid))
	}
	f.Fuzz(func(t *testing.T, method, target, header string, body []byte, auth uint8) {
		if !validMethod(method) || len(target) > 4096 || len(header) > 4096 || len(body) > 1<<16 {
			return
		}
		req := h.request(method, target, header, body, auth)
		if req == nil {
			return // not a request a client could send
		}
		rec := httptest.NewRecorder()
		srv.Proxy.ServeHTTP(rec, req)
		if why := h.check(req, rec); why != "" {
			t.Fatalf("%s %s (auth mode %d, headers %q, body %q): %s\nanswer %d %s", method, req.URL, auth%authModes, header, body, why, rec.Code, rec.Body.Bytes())
		}
		if code := h.serve(http.MethodGet, ft.Ping, "", nil, authValid).Code; code != http.StatusOK {
			t.Fatalf("after %s %s the surface answers %s with %d", method, req.URL, ft.Ping, code)
		}
	})
}

type fuzzHarness struct {
	srv       *Server
	ft        FuzzTarget
	base      string
	router    routers.Router
	errSchema *openapi3.Schema
	tenants   [2]Tenant
	values    map[string]string
}

// expand replaces {{name}} placeholders with the tenant's values.
func (h *fuzzHarness) expand(s string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	for k, v := range h.values {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	return s
}

// request builds the request an input describes, or nil when no client
// could send it (net/http's server refuses such request lines itself).
func (h *fuzzHarness) request(method, target, header string, body []byte, auth uint8) *http.Request {
	target = h.expand(target)
	if !strings.HasPrefix(target, "/") {
		target = "/" + target
	}
	u, err := url.ParseRequestURI(h.base + target)
	if err != nil || strings.ContainsAny(target, " \t\r\n") {
		return nil
	}
	req := httptest.NewRequest(method, "http://"+h.ft.Host+"/", strings.NewReader(h.expand(string(body))))
	req.URL, req.RequestURI = u, u.RequestURI()
	for line := range strings.SplitSeq(header, "\n") {
		k, v, ok := strings.Cut(line, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || !validMethod(k) || strings.ContainsAny(v, "\r\n\x00") {
			continue
		}
		req.Header.Add(k, h.expand(v))
	}
	switch auth % authModes {
	case authValid:
		h.ft.Authorize(req, func(k canonical.CredentialKind) string { return h.tenants[0].Secret(h.ft.Vendor, k) })
	case authOtherTenant:
		h.ft.Authorize(req, func(k canonical.CredentialKind) string { return h.tenants[1].Secret(h.ft.Vendor, k) })
	case authGarbage:
		h.ft.Authorize(req, func(canonical.CredentialKind) string { return "garbage-secret" })
	}
	return req
}

// serve runs one request through the proxy.
func (h *fuzzHarness) serve(method, target, header string, body []byte, auth uint8) *httptest.ResponseRecorder {
	req := h.request(method, target, header, body, auth)
	rec := httptest.NewRecorder()
	if req == nil {
		rec.Code = -1
		return rec
	}
	h.srv.Proxy.ServeHTTP(rec, req)
	return rec
}

// check says what is wrong with an answer ("" when nothing is).
func (h *fuzzHarness) check(req *http.Request, rec *httptest.ResponseRecorder) string {
	status, raw := rec.Code, rec.Body.Bytes()
	if status >= 300 && status < 400 {
		return "a redirect"
	}
	route, params, routeErr := h.router.FindRoute(req.Clone(context.Background()))
	documented := routeErr == nil && route.Operation.Responses.Status(status) != nil
	unserved := routeErr == nil && slices.Contains(h.ft.Unserved, route.Operation.OperationID)
	if status >= 500 && !(status == http.StatusNotImplemented && (documented || unserved)) {
		return "a server error"
	}
	if req.Method == http.MethodHead {
		return ""
	}
	if req.Method == http.MethodOptions && len(raw) == 0 && status < 300 {
		return "" // a CORS preflight's answer
	}
	if documented {
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req.Clone(context.Background()), PathParams: params, Route: route},
			Status:                 status,
			Header:                 rec.Header(),
			Options:                &openapi3filter.Options{IncludeResponseStatus: true},
		}
		in.SetBodyBytes(raw)
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			return "not what the spec documents: " + err.Error()
		}
		return ""
	}
	if status < 400 && h.ft.Vendor != canonical.IRefer {
		return fmt.Sprintf("status %d, which the spec does not document here", status)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "the body is not JSON"
	}
	if err := h.errSchema.VisitJSON(v); err != nil {
		return "not the vendor's error shape: " + err.Error()
	}
	return ""
}

// validMethod reports whether s is an HTTP token (a method or header name).
func validMethod(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// hostile are the ways an operation's seed is turned into input that
// once got a wrong answer from some surface: JSON nested past what the
// store can read back, text that is not UTF-8, malformed paging, and
// paths that once redirected out of the surface.
var hostile = []struct {
	target func(string) string
	body   func([]byte) []byte
}{
	{keep, func([]byte) []byte {
		return []byte(`{"email":"deep@example.com","design":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`)
	}},
	{keep, func([]byte) []byte { return []byte("{\"email\":\"\xff\xfe@x.com\",\"name\":\"\\ud800\"}") }},
	{func(t string) string {
		return withQuery(t, "nextId=abc&limit=99999999999999999999&page=-1&per_page=x&size=-3&offset=1e9")
	}, keepBody},
	{func(t string) string { return t + "/..%2F..%2F_refbridge%2Faccounts" }, keepBody},
	{func(t string) string { return "/./" + strings.TrimPrefix(t, "/") + "?email=%FF%FE%40x.com" }, keepBody},
}

func keep(t string) string     { return t }
func keepBody(b []byte) []byte { return b }
func withQuery(t, q string) string {
	if strings.Contains(t, "?") {
		return t + "&" + q
	}
	return t + "?" + q
}

type fuzzSeed struct {
	method, target string
	body           []byte
}

// specSeeds is a request per operation of the spec: path and required
// query parameters from the parameters' placeholders or examples, the body
// from testdata when it has one.
func specSeeds(t testing.TB, doc *openapi3.T, ft FuzzTarget) []fuzzSeed {
	var seeds []fuzzSeed
	paths := doc.Paths.InMatchingOrder()
	slices.Sort(paths)
	for _, p := range paths {
		item := doc.Paths.Value(p)
		for method, op := range item.Operations() {
			target := p
			q := url.Values{}
			params := append(slices.Clone(item.Parameters), op.Parameters...)
			for _, pr := range params {
				v := pr.Value
				if v == nil {
					continue
				}
				val := exampleOf(v)
				if name, ok := ft.Params[v.Name]; ok {
					val = "{{" + name + "}}"
				}
				switch v.In {
				case "path":
					target = strings.ReplaceAll(target, "{"+v.Name+"}", val)
				case "query":
					if v.Required || ft.Params[v.Name] != "" {
						q.Set(v.Name, val)
					}
				}
			}
			if len(q) > 0 {
				target += "?" + strings.ReplaceAll(strings.ReplaceAll(q.Encode(), "%7B", "{"), "%7D", "}")
			}
			seeds = append(seeds, fuzzSeed{method: method, target: target, body: seedBody(t, ft, method, op)})
		}
	}
	return seeds
}

// seedBody is an operation's request body: testdata's, else the spec's
// example, else an empty object for methods that carry one; top-level
// fields named like a parameter placeholder get the placeholder.
func seedBody(t testing.TB, ft FuzzTarget, method string, op *openapi3.Operation) []byte {
	var body []byte
	if op.OperationID != "" {
		body, _ = os.ReadFile(filepath.Join(testdataDir(t), string(ft.Vendor), op.OperationID+".request.json"))
	}
	if body == nil && op.RequestBody != nil && op.RequestBody.Value != nil {
		if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Example != nil {
			body, _ = json.Marshal(mt.Example)
		}
	}
	if body == nil {
		if method != http.MethodPost && method != http.MethodPut && method != http.MethodPatch {
			return nil
		}
		body = []byte("{}")
	}
	var fields map[string]any
	if json.Unmarshal(body, &fields) != nil {
		return body
	}
	for k := range fields {
		if name, ok := ft.Params[k]; ok {
			fields[k] = "{{" + name + "}}"
		}
	}
	out, err := json.Marshal(fields)
	if err != nil {
		return body
	}
	return out
}

// exampleOf is a parameter's example, or a plausible value of its type.
func exampleOf(p *openapi3.Parameter) string {
	if p.Example != nil {
		return fmt.Sprint(p.Example)
	}
	if p.Schema != nil && p.Schema.Value != nil {
		s := p.Schema.Value
		if s.Example != nil {
			return fmt.Sprint(s.Example)
		}
		if len(s.Enum) > 0 {
			return fmt.Sprint(s.Enum[0])
		}
		switch {
		case s.Type.Is("integer"), s.Type.Is("number"):
			return "1"
		case s.Type.Is("boolean"):
			return "true"
		}
	}
	return "x"
}

// testdataDir finds the repository's testdata folder from the test's
// working directory (a package folder).
func testdataDir(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
