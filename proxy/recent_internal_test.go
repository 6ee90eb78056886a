package proxy

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/metrics"
)

// benchSurface is a surface whose handler does nothing but name its
// route, so the benchmark measures the wrapping alone.
type benchSurface struct{}

func (benchSurface) Vendor() canonical.Vendor { return "bench" }
func (benchSurface) Routes() surface.Routes   { return surface.Routes{} }
func (benchSurface) Handler(surface.Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		surface.SetRoute(r, "/v2/campaign/{id}")
		w.WriteHeader(http.StatusOK)
	})
}
func (benchSurface) WriteError(w http.ResponseWriter, _ *http.Request, _ error) {
	w.WriteHeader(http.StatusInternalServerError)
}

// BenchmarkRecentRequests measures what keeping the console's recent
// requests adds to a request's wrapping, serially and from every core at
// once (the ring's lock is shared): "recent" against "without", with
// metrics on as serve runs and off.
func BenchmarkRecentRequests(b *testing.B) {
	for _, withMetrics := range []bool{true, false} {
		for _, keep := range []bool{false, true} {
			p := &Proxy{log: slog.New(slog.DiscardHandler), maxBody: 1 << 20, recent: map[string]*requestRing{}}
			name := "metrics"
			if withMetrics {
				p.metrics = metrics.New()
			} else {
				name = "nometrics"
			}
			if keep {
				p.recent["bench"] = new(requestRing)
				name += "/recent"
			} else {
				name += "/without"
			}
			s := benchSurface{}
			h := p.wrap(s, s.Handler(surface.Config{}))
			b.Run(name, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, "/v2/campaign/abc", nil)
				w := httptest.NewRecorder()
				b.ReportAllocs()
				for b.Loop() {
					h.ServeHTTP(w, req)
				}
			})
			b.Run(name+"/parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					req := httptest.NewRequest(http.MethodGet, "/v2/campaign/abc", nil)
					w := httptest.NewRecorder()
					for pb.Next() {
						h.ServeHTTP(w, req)
					}
				})
			})
		}
	}
}

// TestRequestRing: the ring keeps the latest requests, newest first, and
// names an unmatched route.
func TestRequestRing(t *testing.T) {
	t.Parallel()
	var r requestRing
	if got := r.list(); len(got) != 0 {
		t.Fatalf("empty ring lists %v", got)
	}
	for i := range recentPerSurface + 5 {
		r.add(recentRequest{Status: i, Route: "/x"})
	}
	r.add(recentRequest{Status: 999})
	got := r.list()
	if len(got) != recentPerSurface || got[0].Status != 999 || got[0].Route != "unmatched" || got[1].Status != recentPerSurface+4 || got[len(got)-1].Status != 6 {
		t.Fatalf("ring lists %d, first %+v, second %+v, last %+v", len(got), got[0], got[1], got[len(got)-1])
	}
}
