package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/refbridge/refbridge/adapters/all"
	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy"
)

// fake is a surface that echoes what reached it.
type fake struct {
	vendor canonical.Vendor
	routes surface.Routes
}

func (f *fake) Vendor() canonical.Vendor { return f.vendor }
func (f *fake) Routes() surface.Routes   { return f.routes }
func (f *fake) Handler(cfg surface.Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/panic"):
			panic("boom")
		case strings.HasSuffix(r.URL.Path, "/auth"):
			_, err := cfg.Tenants.Authenticate(r.Context(), f.vendor, canonical.APIKey, r.Header.Get("X-Key"))
			if err != nil {
				f.WriteError(w, r, err)
				return
			}
		case strings.HasSuffix(r.URL.Path, "/echo"):
			if _, err := io.ReadAll(r.Body); err != nil {
				f.WriteError(w, r, err)
				return
			}
		}
		surface.WriteJSON(w, http.StatusOK, map[string]string{"vendor": string(f.vendor), "path": r.URL.Path})
	})
}
func (f *fake) WriteError(w http.ResponseWriter, _ *http.Request, err error) {
	code, msg := surface.Public(err)
	surface.WriteJSON(w, surface.Status(code), map[string]string{"vendor": string(f.vendor), "code": string(code), "message": msg})
}

// countingTenants counts Authenticate calls; "good" is the only secret.
type countingTenants struct{ calls atomic.Int64 }

func (c *countingTenants) Authenticate(_ context.Context, v canonical.Vendor, k canonical.CredentialKind, secret string) (canonical.Credential, error) {
	c.calls.Add(1)
	if secret != "good" {
		return canonical.Credential{}, canonical.Errorf(canonical.Unauthorized, "invalid credential")
	}
	return canonical.Credential{AccountID: "1", Vendor: v, Kind: k}, nil
}
func (c *countingTenants) Backend(string) canonical.Backend { return nil }

func surfaces() []surface.Surface {
	return []surface.Surface{
		&fake{vendor: canonical.GrowSurf, routes: surface.Routes{Hosts: []string{"api.growsurf.com"}, Prefix: "/growsurf", Roots: []string{"/v2/"}}},
		&fake{vendor: canonical.ReferralHero, routes: surface.Routes{Hosts: []string{"app.referralhero.com"}, Prefix: "/referralhero", Roots: []string{"/api/v2/"}}},
		&fake{vendor: canonical.ReferralRocket, routes: surface.Routes{Hosts: []string{"app.referralrocket.io"}, Prefix: "/referralrocket", Roots: []string{"/api/v1/"}}},
		&fake{vendor: canonical.IRefer, routes: surface.Routes{Hosts: []string{"api.irefer.io"}, Prefix: "/irefer", Roots: []string{"/v1.0/", "/v1/"}, SiteOrigins: true,
			Claim: func(p string) bool {
				seg := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 3)
				return len(seg) > 1 && strings.HasSuffix(seg[1], ".js")
			}}},
		&fake{vendor: canonical.Rewardful, routes: surface.Routes{Hosts: []string{"api.getrewardful.com"}, Prefix: "/rewardful", Roots: []string{"/v1/"},
			Claim: func(p string) bool { return strings.HasPrefix(p, "/v1/affiliates") }, Fallback: true}},
	}
}

func serve(t *testing.T, opts *proxy.Options) (*httptest.Server, *countingTenants) {
	t.Helper()
	tn := &countingTenants{}
	srv := httptest.NewServer(proxy.New(tn, surfaces(), opts))
	t.Cleanup(srv.Close)
	return srv, tn
}

func call(t *testing.T, req *http.Request) (int, http.Header, map[string]string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("%s %s: body: %v", req.Method, req.URL, err)
		}
	}
	return resp.StatusCode, resp.Header, body
}

func TestDispatch(t *testing.T) {
	t.Parallel()
	srv, _ := serve(t, &proxy.Options{Hosts: map[canonical.Vendor][]string{canonical.Rewardful: {"rewardful.internal"}}})
	tests := []struct {
		name, host, path string
		vendor, seen     string
	}{
		{"growsurf root", "", "/v2/campaigns", "growsurf", "/v2/campaigns"},
		{"referralhero root", "", "/api/v2/lists", "referralhero", "/api/v2/lists"},
		{"referralrocket root", "", "/api/v1/getCampaign", "referralrocket", "/api/v1/getCampaign"},
		{"irefer v1.0 root", "", "/v1.0/KEY.js/referrerStats", "irefer", "/v1.0/KEY.js/referrerStats"},
		{"irefer v1 root", "", "/v1/KEY.js/campaignStats", "irefer", "/v1/KEY.js/campaignStats"},
		{"rewardful shares /v1", "", "/v1/affiliates", "rewardful", "/v1/affiliates"},
		{"unclaimed root path falls back to the first surface there", "", "/v1/nope", "rewardful", "/v1/nope"},
		{"unclaimed root path of one surface alone goes to it", "", "/v1.0//KEY.js/x", "irefer", "/v1.0//KEY.js/x"},
		{"prefix strips", "", "/growsurf/v2/campaigns", "growsurf", "/v2/campaigns"},
		{"prefix irefer", "", "/irefer/v1.0/KEY.js/referrerStats", "irefer", "/v1.0/KEY.js/referrerStats"},
		{"host wins over root", "api.growsurf.com", "/api/v2/lists", "growsurf", "/api/v2/lists"},
		{"host with port", "API.irefer.io:443", "/v1/affiliates", "irefer", "/v1/affiliates"},
		{"host override", "rewardful.internal", "/v1/KEY.js/x", "rewardful", "/v1/KEY.js/x"},
		{"overridden host no longer default", "api.getrewardful.com", "/v2/x", "growsurf", "/v2/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			if tt.host != "" {
				req.Host = tt.host
			}
			code, _, body := call(t, req)
			if code != http.StatusOK || body["vendor"] != tt.vendor || body["path"] != tt.seen {
				t.Fatalf("got %d %v, want %s seeing %s", code, body, tt.vendor, tt.seen)
			}
		})
	}
	for _, path := range []string{"/", "/v3/x", "/api/v9/x", "/nothing"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if code, _, body := call(t, req); code != http.StatusNotFound || body["error"] == "" {
			t.Errorf("%s: got %d %v, want refbridge's 404", path, code, body)
		}
	}
}

func TestPanicBecomesVendorError(t *testing.T) {
	t.Parallel()
	srv, _ := serve(t, nil)
	for _, v := range []string{"growsurf", "rewardful", "referralhero"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/"+v+"/x/panic", nil)
		code, _, body := call(t, req)
		if code != http.StatusInternalServerError || body["vendor"] != v || body["code"] != "internal" || strings.Contains(body["message"], "boom") {
			t.Errorf("%s: got %d %v", v, code, body)
		}
	}
	// The server is still up.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v2/ok", nil)
	if code, _, _ := call(t, req); code != http.StatusOK {
		t.Fatalf("after panics: %d", code)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	srv, _ := serve(t, &proxy.Options{MaxBodyBytes: 16})
	tests := []struct {
		name    string
		body    io.Reader
		chunked bool
		status  int
	}{
		{"small", strings.NewReader(`{"a":1}`), false, 200},
		{"declared too large", strings.NewReader(strings.Repeat("x", 17)), false, 400},
		{"chunked too large", strings.NewReader(strings.Repeat("x", 100)), true, 400},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v2/echo", tt.body)
		if tt.chunked {
			req.ContentLength = -1
			req.Body = io.NopCloser(tt.body)
		}
		code, _, body := call(t, req)
		if code != tt.status {
			t.Errorf("%s: %d %v, want %d", tt.name, code, body, tt.status)
		}
		if tt.status != 200 && (body["vendor"] != "growsurf" || !strings.Contains(body["message"], "too large")) {
			t.Errorf("%s: body %v, want the vendor's shape naming the limit", tt.name, body)
		}
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	srv, _ := serve(t, &proxy.Options{AllowedOrigins: []string{"https://app.example.com"}})
	tests := []struct {
		name, method, path, origin string
		status                     int
		allow                      string
	}{
		{"preflight allowed", http.MethodOptions, "/v2/campaigns", "https://app.example.com", 204, "https://app.example.com"},
		{"preflight refused", http.MethodOptions, "/v2/campaigns", "https://evil.example", 204, ""},
		{"irefer preflight goes to the surface", http.MethodOptions, "/v1.0/KEY.js/referrerStats", "https://shop.example.com", 200, ""},
		{"irefer preflight from a global origin", http.MethodOptions, "/v1.0/KEY.js/referrerStats", "https://app.example.com", 204, "https://app.example.com"},
		{"simple request allowed", http.MethodGet, "/v2/campaigns", "https://app.example.com", 200, "https://app.example.com"},
		{"simple request refused", http.MethodGet, "/v2/campaigns", "https://evil.example", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			req.Header.Set("Origin", tt.origin)
			if tt.method == http.MethodOptions {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			code, h, _ := call(t, req)
			if code != tt.status || h.Get("Access-Control-Allow-Origin") != tt.allow {
				t.Fatalf("got %d allow-origin %q, want %d %q", code, h.Get("Access-Control-Allow-Origin"), tt.status, tt.allow)
			}
			if tt.method == http.MethodOptions && tt.allow != "" && h.Get("Access-Control-Allow-Headers") != "authorization, content-type" {
				t.Fatalf("allow-headers %q", h.Get("Access-Control-Allow-Headers"))
			}
		})
	}
}

func TestCredentialCache(t *testing.T) {
	t.Parallel()
	tn := &countingTenants{}
	p := proxy.New(tn, surfaces(), nil)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	get := func(key string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v2/auth", nil)
		req.Header.Set("X-Key", key)
		code, _, _ := call(t, req)
		return code
	}
	for range 3 {
		if code := get("good"); code != 200 {
			t.Fatalf("good key: %d", code)
		}
	}
	if n := tn.calls.Load(); n != 1 {
		t.Fatalf("3 calls with one key reached the tenants %d times, want 1", n)
	}
	for range 2 {
		if code := get("bad"); code != 401 {
			t.Fatalf("bad key: %d", code)
		}
	}
	if n := tn.calls.Load(); n != 3 {
		t.Fatalf("failures must not be cached: %d lookups, want 3", n)
	}
	p.Forget()
	get("good")
	if n := tn.calls.Load(); n != 4 {
		t.Fatalf("after Forget: %d lookups, want 4", n)
	}
}

// panicTenants accepts any credential and gives a backend whose every
// method panics (a nil embedded interface).
type panicTenants struct{}

func (panicTenants) Authenticate(context.Context, canonical.Vendor, canonical.CredentialKind, string) (canonical.Credential, error) {
	return canonical.Credential{AccountID: "1"}, nil
}

func (panicTenants) Backend(string) canonical.Backend { return panicBackend{} }

type panicBackend struct{ canonical.Backend }

// TestPanicInRealSurfaces: a panic in a real surface's request is the
// proxy's one recovery's: logged with its stack, answered as that
// vendor's 500 without the panic's text, and the server goes on. (iRefer
// and Referral Rocket are left out: they decode a campaign ID against the
// credential before any backend call, which these fake tenants cannot
// give; the recovery is the same code for every surface.)
func TestPanicInRealSurfaces(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	p := proxy.New(panicTenants{}, all.Surfaces(), &proxy.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	for _, c := range []struct {
		vendor, path string
		auth         func(*http.Request)
		want         string
	}{
		{"growsurf", "/v2/campaigns", func(r *http.Request) { r.Header.Set("Authorization", "Bearer key") }, `"INTERNAL_SERVER_ERROR"`},
		{"rewardful", "/v1/campaigns", func(r *http.Request) { r.SetBasicAuth("secret", "") }, `{"error":"Internal server error."}`},
		{"referralhero", "/api/v2/lists?api_token=key", func(*http.Request) {}, ""},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+c.path, nil)
		c.auth(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), c.want) ||
			strings.Contains(string(body), "nil pointer") {
			t.Errorf("%s: %d %s", c.vendor, resp.StatusCode, body)
		}
	}
	if got := logs.String(); strings.Count(got, "panic serving request") != 3 || !strings.Contains(got, "goroutine") {
		t.Errorf("logs lack the three panics with their stacks: %.500s", got)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
