package surface_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

func TestScramblerIsAPermutation(t *testing.T) {
	t.Parallel()
	for _, bits := range []uint{16, 40, 62} {
		s := surface.NewScrambler(bits, 42)
		seen := map[uint64]bool{}
		for _, n := range []uint64{0, 1, 2, 3, 1000, s.Limit() - 1} {
			f := s.Forward(n)
			if f >= s.Limit() {
				t.Fatalf("bits %d: Forward(%d) = %d, outside the domain", bits, n, f)
			}
			if seen[f] {
				t.Fatalf("bits %d: Forward(%d) = %d collides", bits, n, f)
			}
			seen[f] = true
			if b := s.Backward(f); b != n {
				t.Fatalf("bits %d: Backward(Forward(%d)) = %d", bits, n, b)
			}
		}
	}
	// Exhaustively on the smallest domain.
	s := surface.NewScrambler(16, 7)
	seen := make([]bool, s.Limit())
	for n := range s.Limit() {
		f := s.Forward(n)
		if seen[f] {
			t.Fatalf("Forward(%d) = %d collides", n, f)
		}
		seen[f] = true
	}
	if a, b := surface.NewScrambler(40, 1).Forward(5), surface.NewScrambler(40, 2).Forward(5); a == b {
		t.Fatalf("different keys gave the same image %d", a)
	}
}

func TestIDKey(t *testing.T) {
	t.Parallel()
	const fixed = 0x6a09e667f3bcc908
	a, b := []byte("installation a, 32 bytes of key!"), []byte("installation b, 32 bytes of key!")
	for _, legacy := range [][]byte{nil, {}} {
		if got := surface.IDKey(legacy, canonical.GrowSurf, "campaign", fixed); got != fixed {
			t.Errorf("IDKey without a secret = %#x, want the fixed key %#x", got, uint64(fixed))
		}
	}
	keys := map[uint64]string{fixed: "fixed"}
	for _, tc := range []struct {
		name   string
		secret []byte
		vendor canonical.Vendor
		kind   string
	}{
		{"a growsurf campaign", a, canonical.GrowSurf, "campaign"},
		{"b growsurf campaign", b, canonical.GrowSurf, "campaign"},
		{"a growsurf participant", a, canonical.GrowSurf, "participant"},
		{"a rewardful campaign", a, canonical.Rewardful, "campaign"},
	} {
		k := surface.IDKey(tc.secret, tc.vendor, tc.kind, fixed)
		if prev, dup := keys[k]; dup {
			t.Errorf("%s has the key of %s", tc.name, prev)
		}
		keys[k] = tc.name
		if again := surface.IDKey(tc.secret, tc.vendor, tc.kind, fixed); again != k {
			t.Errorf("%s: IDKey is not deterministic (%#x, %#x)", tc.name, k, again)
		}
	}
}

func TestAlphabet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a     surface.Alphabet
		n     uint64
		width int
		want  string
	}{
		{surface.Base36, 0, 0, "0"},
		{surface.Base36, 35, 0, "z"},
		{surface.Base36, 36, 4, "0010"},
		{surface.Hex, 255, 6, "0000ff"},
		{surface.Base62, 61, 2, "0z"},
		{surface.Base36, ^uint64(0), 0, "3w5e11264sgsf"},
	}
	for _, tt := range tests {
		got := tt.a.Encode(tt.n, tt.width)
		if got != tt.want {
			t.Errorf("Encode(%d, %d) = %q, want %q", tt.n, tt.width, got, tt.want)
		}
		back, ok := tt.a.Decode(got)
		if !ok || back != tt.n {
			t.Errorf("Decode(%q) = %d, %v", got, back, ok)
		}
	}
	for _, bad := range []string{"", "a-b", "3w5e11264sgsg", "zzzzzzzzzzzzzz"} {
		if n, ok := surface.Base36.Decode(bad); ok {
			t.Errorf("Decode(%q) = %d, want failure", bad, n)
		}
	}
}

func TestLimiterWindows(t *testing.T) {
	t.Parallel()
	l := surface.NewLimiter()
	windows := []surface.Window{{Name: "SECOND", Limit: 2, Period: 5 * time.Second}, {Name: "HOUR", Limit: 10, Period: time.Hour}}
	now := time.Date(2026, 1, 1, 10, 0, 1, 0, time.UTC)
	var last []surface.Usage
	for range 3 {
		last = l.Take("acct", windows, now)
	}
	if got := last[0]; got.Count != 3 || got.Remaining != 0 || !got.Over() || !got.Reset.Equal(now.Add(4*time.Second)) {
		t.Fatalf("second window after 3 calls = %+v", got)
	}
	if got := last[1]; got.Count != 3 || got.Remaining != 7 || got.Over() {
		t.Fatalf("hour window after 3 calls = %+v", got)
	}
	if u, ok := surface.FirstOver(last); !ok || u.Name != "SECOND" {
		t.Fatalf("FirstOver = %+v, %v", u, ok)
	}
	// A new second window starts fresh; other keys are separate.
	if got := l.Take("acct", windows, now.Add(5*time.Second)); got[0].Count != 1 || got[1].Count != 4 {
		t.Fatalf("next window = %+v", got)
	}
	if got := l.Take("other", windows, now); got[0].Count != 1 {
		t.Fatalf("other key = %+v", got)
	}
}

// TestLimiterCountsEveryConcurrentCall: calls from many goroutines at
// once are each counted once; a call stamped just before the current
// window began counts in it rather than reopening the old one.
func TestLimiterCountsEveryConcurrentCall(t *testing.T) {
	t.Parallel()
	l := surface.NewLimiter()
	windows := []surface.Window{{Name: "MINUTE", Limit: 1000, Period: time.Minute}}
	now := time.Date(2026, 1, 1, 10, 0, 30, 0, time.UTC)
	const goroutines, calls = 8, 250
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				l.Take("acct", windows, now)
			}
		}()
	}
	wg.Wait()
	if got := l.Take("acct", windows, now)[0]; got.Count != goroutines*calls+1 || !got.Over() {
		t.Fatalf("after %d calls, usage %+v", goroutines*calls+1, got)
	}
	next := now.Add(30 * time.Second) // 10:01:00, the next window
	if got := l.Take("acct", windows, next)[0]; got.Count != 1 || !got.Reset.Equal(next.Add(time.Minute)) {
		t.Fatalf("first call of the next window: %+v", got)
	}
	if got := l.Take("acct", windows, next.Add(-time.Millisecond))[0]; got.Count != 2 || !got.Reset.Equal(next.Add(time.Minute)) {
		t.Fatalf("a late call of the previous window: %+v, want it counted in the current one", got)
	}
}

const spec = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things/{id}:
    post:
      operationId: updateThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer, maximum: 100}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string}
      responses:
        "200": {description: ok}
`

func TestValidator(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	v := surface.NewValidator(doc, "/v2")
	var failed error
	r := mux.NewRouter()
	r.Use(v.Middleware(func(w http.ResponseWriter, _ *http.Request, err error) {
		failed = err
		w.WriteHeader(http.StatusBadRequest)
	}))
	var op string
	r.HandleFunc("/v2/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		op = v.Operation(r)
	}).Methods(http.MethodPost)

	tests := []struct {
		name, query, body string
		status            int
		message           string
	}{
		{"valid", "?limit=5", `{"name":"x"}`, 200, ""},
		{"bad query", "?limit=500", `{"name":"x"}`, 400, `parameter "limit"`},
		{"missing field", "", `{}`, 400, `property "name" is missing`},
		{"wrong type", "", `{"name":5}`, 400, "name"},
	}
	for _, tt := range tests {
		failed, op = nil, ""
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/v2/things/abc"+tt.query, strings.NewReader(tt.body))
		req.Header.Set("Content-Type", "application/json")
		r.ServeHTTP(rec, req)
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d (%v)", tt.name, rec.Code, tt.status, failed)
			continue
		}
		if tt.status == 200 {
			if op != "updateThing" {
				t.Errorf("%s: operation %q", tt.name, op)
			}
			continue
		}
		if canonical.CodeOf(failed) != canonical.Invalid || !strings.Contains(canonical.MessageOf(failed), tt.message) {
			t.Errorf("%s: error %v, want Invalid mentioning %q", tt.name, failed, tt.message)
		}
	}
}

func TestOutboundRefusesInternalAddresses(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	_, err := surface.Config{}.OutboundClient().Get(srv.URL)
	if !errors.Is(err, surface.ErrPrivateAddress) {
		t.Fatalf("delivery to %s: err %v, want ErrPrivateAddress", srv.URL, err)
	}
	// An explicitly configured client is used as is.
	resp, err := surface.Config{Outbound: srv.Client()}.OutboundClient().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// gens is a settable surface.Generations.
type gens map[string]uint64

func (g gens) Generation(a string) uint64 { return g[a] }

func TestReadCache(t *testing.T) {
	t.Parallel()
	g := gens{"1": 5, "2": 9}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := surface.NewReadCache(g, time.Second, func() time.Time { return now })
	fills := 0
	get := func(acct, key string) string {
		b, err := c.Do(acct, key, func() ([]byte, error) {
			fills++
			return []byte(acct + key + strconv.Itoa(fills)), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if a, b := get("1", "k"), get("1", "k"); a != b || fills != 1 {
		t.Fatalf("second read refilled: %q %q after %d fills", a, b, fills)
	}
	if get("2", "k"); fills != 2 {
		t.Fatalf("accounts share entries: %d fills", fills)
	}
	g["1"]++
	if get("1", "k"); fills != 3 {
		t.Fatalf("a new generation did not refill: %d fills", fills)
	}
	now = now.Add(time.Second)
	if get("1", "k"); fills != 4 {
		t.Fatalf("an entry outlived its TTL: %d fills", fills)
	}
	_, err := c.Do("1", "bad", func() ([]byte, error) { return nil, errors.New("boom") })
	if err == nil {
		t.Fatal("fill error lost")
	}
	if get("1", "bad"); fills != 5 {
		t.Fatalf("an error was cached: %d fills", fills)
	}
	// One hit (the second read); six misses (five fills and the error).
	if hits, misses, entries := c.Stats(); hits != 1 || misses != 6 || entries != 3 {
		t.Fatalf("stats: %d hits, %d misses, %d entries; want 1, 6, 3", hits, misses, entries)
	}
	var off *surface.ReadCache
	n := 0
	for range 2 {
		_, _ = off.Do("1", "k", func() ([]byte, error) { n++; return nil, nil })
	}
	if n != 2 {
		t.Fatalf("a nil cache cached: %d fills", n)
	}
}

// indexTestRouter builds a router like a surface's: a few routes, a
// middleware recording the matched template, 404 and 405 handlers.
func indexTestRouter(calls *[]string) (*mux.Router, mux.MiddlewareFunc) {
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tmpl, _ := mux.CurrentRoute(r).GetPathTemplate()
			w.Header().Set("X-Template", tmpl)
			next.ServeHTTP(w, r)
		})
	}
	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(404) })
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(405) })
	r.Use(mw)
	for _, rt := range []struct{ method, tmpl string }{
		{"GET", "/v2/lists/{uuid}/subscribers/retrieve_by_email"},
		{"GET", "/v2/lists/{uuid}/subscribers/{id}"},
		{"POST", "/v2/lists/{uuid}/subscribers/{id}"},
		{"DELETE", "/v2/lists/{uuid}/subscribers/{id}"},
		{"GET", "/v1.0/{key}.js/referrerStats"},
		{"GET", "/v2/lists"},
	} {
		tmpl := rt.tmpl
		r.HandleFunc(tmpl, func(w http.ResponseWriter, r *http.Request) {
			*calls = append(*calls, tmpl)
			_, _ = w.Write([]byte(fmt.Sprint(mux.Vars(r))))
		}).Methods(rt.method)
	}
	return r, mw
}

// TestIndexAnswersLikeTheRouter: the index must give every request in
// canonical form the answer the full gorilla router gives.
func TestIndexAnswersLikeTheRouter(t *testing.T) {
	t.Parallel()
	var calls []string
	full, _ := indexTestRouter(&calls)
	idx := surface.Index(indexTestRouter(&calls))
	for _, req := range []struct{ method, path string }{
		{"GET", "/v2/lists/MF1/subscribers/retrieve_by_email"},
		{"GET", "/v2/lists/MF1/subscribers/sub_2"},
		{"POST", "/v2/lists/MF1/subscribers/sub_2"},
		{"PATCH", "/v2/lists/MF1/subscribers/sub_2"},
		{"GET", "/v1.0/KEY.js/referrerStats"},
		{"GET", "/v1.0/KEY/referrerStats"},
		{"GET", "/v2/lists"},
		{"GET", "/v2/lists/"},
		{"GET", "/v2/nope"},
		{"POST", "/v2/lists"},
	} {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		full.ServeHTTP(want, httptest.NewRequest(req.method, req.path, nil))
		idx.ServeHTTP(got, httptest.NewRequest(req.method, req.path, nil))
		if got.Code != want.Code || got.Body.String() != want.Body.String() ||
			got.Header().Get("X-Template") != want.Header().Get("X-Template") || got.Header().Get("Location") != want.Header().Get("Location") {
			t.Errorf("%s %s: index %d %q %q, router %d %q %q", req.method, req.path,
				got.Code, got.Body, got.Header().Get("X-Template"), want.Code, want.Body, want.Header().Get("X-Template"))
		}
	}
	if len(calls) == 0 {
		t.Fatal("no handler ran")
	}
}

// TestIndexNeverRedirects: a path with an empty, "." or ".." segment,
// literal or percent-encoded, is the router's 404 — not gorilla's 301 to
// the cleaned path, and not a route that takes ".." for a variable.
func TestIndexNeverRedirects(t *testing.T) {
	t.Parallel()
	var calls []string
	idx := surface.Index(indexTestRouter(&calls))
	for _, target := range []string{
		"/v2//lists",
		"//v2/lists",
		"/v2/lists//",
		"/v2/./lists",
		"/v2/lists/.",
		"/v2/x/../lists",
		"/v2/lists/MF1/subscribers/..",
		"/v2/lists/MF1/subscribers/%2e%2e",
		"/v2/lists/MF1/subscribers/%2E.",
		"/v2/lists/..%2F..%2F_refbridge%2Faccounts",
		"/v2/lists/MF1/subscribers/..%2f..%2fsub_2",
		"/v1.0/KEY.js/..%2F..%2Fv2%2Flists",
		"/v1.0/%2e/referrerStats",
	} {
		rec := httptest.NewRecorder()
		idx.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusNotFound || rec.Header().Get("Location") != "" || rec.Header().Get("X-Template") != "" {
			t.Errorf("GET %s: %d Location %q template %q, want the router's 404", target, rec.Code,
				rec.Header().Get("Location"), rec.Header().Get("X-Template"))
		}
	}
	if len(calls) != 0 {
		t.Errorf("handlers ran for %v", calls)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{http.Header{"Growsurf-Retry-After-Second-Milliseconds": {"5000"}, "Growsurf-Retry-After-Minute-Milliseconds": {"60000"}}, time.Minute},
		{http.Header{"Retry-After": {"soon"}}, 0},
		{http.Header{}, 0},
	}
	for _, tt := range tests {
		if got := surface.RetryAfter(tt.h); got != tt.want {
			t.Errorf("RetryAfter(%v) = %v, want %v", tt.h, got, tt.want)
		}
	}
	type generated struct{ HTTPResponse *http.Response }
	h := http.Header{"X": {"y"}}
	if got := surface.ResponseHeader(&generated{HTTPResponse: &http.Response{Header: h}}); got.Get("X") != "y" {
		t.Errorf("ResponseHeader = %v", got)
	}
	if got := surface.ResponseHeader(&generated{}); got != nil {
		t.Errorf("ResponseHeader without a response = %v", got)
	}
	if got := surface.ResponseHeader(42); got != nil {
		t.Errorf("ResponseHeader(42) = %v", got)
	}
}

// TestCallFailureStatuses: the codes of a failed call map to their HTTP
// statuses and back, and only the serving side's own failures are
// logged.
func TestCallFailureStatuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		code   canonical.Code
		status int
		logged bool
	}{
		{canonical.Unavailable, http.StatusServiceUnavailable, true},
		{canonical.DeadlineExceeded, http.StatusGatewayTimeout, true},
		{canonical.Canceled, surface.StatusClientClosedRequest, false},
		{canonical.Internal, http.StatusInternalServerError, true},
		{canonical.NotFound, http.StatusNotFound, false},
	} {
		if got := surface.Status(tt.code); got != tt.status {
			t.Errorf("Status(%s) = %d, want %d", tt.code, got, tt.status)
		}
		if got := surface.ServerFault(canonical.Errorf(tt.code, "x")); got != tt.logged {
			t.Errorf("ServerFault(%s) = %v, want %v", tt.code, got, tt.logged)
		}
	}
	for status, want := range map[int]canonical.Code{
		http.StatusBadGateway: canonical.Unavailable, http.StatusServiceUnavailable: canonical.Unavailable,
		http.StatusGatewayTimeout: canonical.DeadlineExceeded, http.StatusInternalServerError: canonical.Internal,
		http.StatusHTTPVersionNotSupported: canonical.Internal, http.StatusTeapot: canonical.Internal,
	} {
		if got := surface.ServerErrorCode(status); got != want {
			t.Errorf("ServerErrorCode(%d) = %q, want %q", status, got, want)
		}
	}
}

// BenchmarkLimiterTake is one call counted against GrowSurf-like windows.
func BenchmarkLimiterTake(b *testing.B) {
	l := surface.NewLimiter()
	windows := []surface.Window{{Name: "SECOND", Limit: 10, Period: time.Second}, {Name: "MINUTE", Limit: 600, Period: time.Minute}}
	now := time.Date(2026, 1, 1, 10, 0, 30, 0, time.UTC)
	for b.Loop() {
		l.Take("1|growsurf", windows, now)
	}
}
