// Package pace keeps an outbound API client within a vendor's documented
// request limits, so a long run (a migration) slows down before the
// vendor answers 429 rather than after.
//
// A Limiter holds one sliding log of request times per window: a request
// may start once, in every window, fewer than Requests requests started
// in the Per before it. That never exceeds a vendor's fixed windows
// either, whatever their alignment. Requests are served in arrival order.
package pace

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Window is one documented limit: at most Requests requests per Per.
type Window struct {
	// Name is the vendor's name for the window (GrowSurf's "MINUTE"),
	// which its inbound surface reports; pacing ignores it.
	Name     string
	Requests int
	Per      time.Duration
}

// Clock is the time source of a Limiter; tests inject a fake one.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, returning ctx's error then.
	Sleep(ctx context.Context, d time.Duration) error
}

// Limiter paces requests to its windows. The zero value and a nil
// *Limiter do not pace. It is safe for concurrent use.
type Limiter struct {
	clock   Clock
	mu      sync.Mutex
	windows []Window
	// logs[i] is a ring of the start times of the last
	// windows[i].Requests requests; next[i] is its oldest slot.
	logs [][]time.Time
	next []int
	last time.Time
}

// New returns a Limiter for windows on the wall clock; windows with no
// requests or no period are ignored.
func New(windows ...Window) *Limiter { return NewWithClock(realClock{}, windows...) }

// NewWithClock is New on clock.
func NewWithClock(clock Clock, windows ...Window) *Limiter {
	l := &Limiter{clock: clock}
	for _, w := range windows {
		if w.Requests > 0 && w.Per > 0 {
			l.windows = append(l.windows, w)
			l.logs = append(l.logs, make([]time.Time, 0, w.Requests))
			l.next = append(l.next, 0)
		}
	}
	return l
}

// Windows returns the limits l paces to.
func (l *Limiter) Windows() []Window {
	if l == nil {
		return nil
	}
	return append([]Window(nil), l.windows...)
}

// Wait blocks until a request may start and counts it as started then.
// It returns ctx's error, without waiting, when ctx ends first; the slot
// stays taken, which only ever errs on the slow side.
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil || len(l.windows) == 0 {
		return ctx.Err()
	}
	now := l.clock.Now()
	at := l.reserve(now)
	if d := at.Sub(now); d > 0 {
		return l.clock.Sleep(ctx, d)
	}
	return ctx.Err()
}

// reserve picks the earliest start at or after now (and after the
// previous reservation) that every window allows, and logs it.
func (l *Limiter) reserve(now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	at := now
	if l.last.After(at) {
		at = l.last
	}
	for i, w := range l.windows {
		if len(l.logs[i]) == w.Requests {
			if free := l.logs[i][l.next[i]].Add(w.Per); free.After(at) {
				at = free
			}
		}
	}
	for i, w := range l.windows {
		if len(l.logs[i]) < w.Requests {
			l.logs[i] = append(l.logs[i], at)
			continue
		}
		l.logs[i][l.next[i]] = at
		l.next[i] = (l.next[i] + 1) % w.Requests
	}
	l.last = at
	return at
}

// Doer is the request interface of the generated clients.
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

// Paced wraps next so every request first waits on l.
func Paced(next Doer, l *Limiter) Doer {
	if l == nil || len(l.windows) == 0 {
		return next
	}
	return pacedDoer{next: next, l: l}
}

type pacedDoer struct {
	next Doer
	l    *Limiter
}

func (p pacedDoer) Do(req *http.Request) (*http.Response, error) {
	if err := p.l.Wait(req.Context()); err != nil {
		return nil, err
	}
	return p.next.Do(req)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
