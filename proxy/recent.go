package proxy

import (
	"net/http"
	"sync"
	"time"

	"github.com/refbridge/refbridge/proxy/metrics"
)

// recentPerSurface is how many of each surface's latest requests the
// console shows.
const recentPerSurface = 100

// recentRequest is one request a surface served, as the console shows
// it. Route is the path template the surface matched, never the raw
// path: iRefer's carries the license key, others participants' emails.
type recentRequest struct {
	At       time.Time
	Method   string
	Route    string
	Status   int
	Duration time.Duration
}

// requestRing keeps a surface's latest requests in a fixed array: adding
// one is a copy under an uncontended lock, no allocation.
type requestRing struct {
	mu  sync.Mutex
	n   uint64
	buf [recentPerSurface]recentRequest
}

func (r *requestRing) add(e recentRequest) {
	if e.Route == "" {
		e.Route = metrics.Unmatched
	}
	switch e.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
	default:
		e.Method = "OTHER" // a method is the client's text, of any length
	}
	r.mu.Lock()
	r.buf[r.n%recentPerSurface] = e
	r.n++
	r.mu.Unlock()
}

// list returns the requests kept, newest first.
func (r *requestRing) list() []recentRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := min(r.n, recentPerSurface)
	out := make([]recentRequest, 0, k)
	for i := range k {
		out = append(out, r.buf[(r.n-1-i)%recentPerSurface])
	}
	return out
}
