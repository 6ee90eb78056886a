package proxy

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// wrap puts the cross-cutting layers around a surface's handler, outermost
// first: logging, metrics and the console's recent requests, panic
// recovery, CORS, body limit.
func (p *Proxy) wrap(s surface.Surface, h http.Handler) http.Handler {
	vendor := string(s.Vendor())
	ring := p.recent[vendor]
	siteOrigins := s.Routes().SiteOrigins
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		if p.metrics != nil || ring != nil {
			var route *string
			r, route = surface.NoteRoute(r)
			m := p.metrics.Begin(vendor) // nil metrics: a no-op
			defer func() {
				m.End(r.Method, *route, rec.status())
				if ring != nil {
					ring.add(recentRequest{At: start, Method: r.Method, Route: *route, Status: rec.status(), Duration: time.Since(start)})
				}
			}()
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				p.log.Error("panic serving request", "vendor", vendor, "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !rec.wrote {
					s.WriteError(rec, r, canonical.Wrap(canonical.Internal, fmt.Errorf("panic: %v", v), ""))
				}
			}
			if p.log.Enabled(r.Context(), slog.LevelDebug) {
				p.log.Debug("request", "vendor", vendor, "method", r.Method, "path", r.URL.Path,
					"status", rec.status(), "duration", time.Since(start))
			}
		}()
		if p.cors(rec, r, siteOrigins) {
			return
		}
		if r.ContentLength > p.maxBody {
			s.WriteError(rec, r, canonical.Errorf(canonical.Invalid, "request body too large (limit %d bytes)", p.maxBody))
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &limitedBody{ReadCloser: http.MaxBytesReader(rec, r.Body, p.maxBody)}
		}
		h.ServeHTTP(rec, r)
	})
}

// limitedBody turns the error of a body read past the limit into a
// canonical Invalid error, so the surface renders it as bad input.
type limitedBody struct {
	io.ReadCloser
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return n, canonical.Wrap(canonical.Invalid, err, fmt.Sprintf("request body too large (limit %d bytes)", mb.Limit))
	}
	return n, err
}

// cors adds CORS headers for an allowed Origin and answers preflight
// requests; it reports whether the request was fully answered.
func (p *Proxy) cors(w http.ResponseWriter, r *http.Request, siteOrigins bool) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	allowed := p.anyOrig || p.origins[strings.TrimSuffix(strings.ToLower(origin), "/")]
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	h := w.Header()
	h.Add("Vary", "Origin")
	if allowed {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "*")
	}
	if !preflight || (!allowed && siteOrigins) {
		return false
	}
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	if allowed {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		}
		h.Set("Access-Control-Max-Age", "600")
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}

// statusRecorder remembers the status written, for logs and recovery.
type statusRecorder struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.code, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wrote {
		s.code, s.wrote = http.StatusOK, true
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) status() int {
	if !s.wrote {
		return http.StatusOK
	}
	return s.code
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
