package proxy_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/metrics"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// TestMetrics: requests are counted by surface, method, route template
// (never the raw path) and status; the metrics are served in the
// Prometheus text format behind the admin token, or without it when
// public.
func TestMetrics(t *testing.T) {
	t.Parallel()
	for _, public := range []bool{false, true} {
		t.Run(map[bool]string{false: "token", true: "public"}[public], func(t *testing.T) {
			t.Parallel()
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			eng := engine.New(st, nil)
			p := proxy.New(eng, []surface.Surface{growsurf.NewSurface()}, &proxy.Options{
				Metrics: metrics.New(),
				Admin:   &proxy.AdminOptions{Token: "tok", Accounts: eng, MetricsPublic: public},
			})
			srv := httptest.NewServer(p)
			t.Cleanup(srv.Close)
			call := func(method, path, token string) (int, string) {
				t.Helper()
				req, _ := http.NewRequest(method, srv.URL+path, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			for _, c := range []struct {
				method, path string
				status       int
			}{
				{"GET", "/v2/campaign/c1/participant/p1", 403},
				{"GET", "/v2/campaign/c2/participant/p2", 403},
				{"GET", "/v2/nope", 404},
				{"BREW", "/v2/campaigns", 404},
				{"GET", "/_refbridge/health", 200},
			} {
				if status, body := call(c.method, c.path, ""); status != c.status {
					t.Fatalf("%s %s: %d, want %d: %s", c.method, c.path, status, c.status, body)
				}
			}
			status, _ := call("GET", "/_refbridge/metrics", "")
			if want := map[bool]int{false: 401, true: 200}[public]; status != want {
				t.Fatalf("metrics without the token: %d, want %d", status, want)
			}
			status, body := call("GET", "/_refbridge/metrics", "tok")
			if status != 200 {
				t.Fatalf("metrics: %d: %s", status, body)
			}
			for _, want := range []string{
				`refbridge_http_requests_total{code="403",method="GET",route="/v2/campaign/{id}/participant/{participantIdOrEmail}",surface="growsurf"} 2`,
				`refbridge_http_requests_total{code="404",method="GET",route="unmatched",surface="growsurf"} 1`,
				`refbridge_http_requests_total{code="404",method="OTHER",route="unmatched",surface="growsurf"} 1`,
				`refbridge_http_requests_total{code="200",method="GET",route="/_refbridge/health",surface="admin"} 1`,
				`refbridge_http_request_duration_seconds_count{method="GET",route="/v2/campaign/{id}/participant/{participantIdOrEmail}",surface="growsurf"} 2`,
				`refbridge_http_requests_in_flight{surface="growsurf"} 0`,
				"go_goroutines ",
				"process_cpu_seconds_total ",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("metrics lack %s", want)
				}
			}
			for _, raw := range []string{"c1", "p1", "/v2/nope"} {
				if strings.Contains(body, `"`+raw) || strings.Contains(body, "/"+raw+`"`) {
					t.Errorf("metrics carry the raw path part %q", raw)
				}
			}
		})
	}
}
