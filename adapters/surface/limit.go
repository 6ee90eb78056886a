package surface

import (
	"sync"
	"time"

	"github.com/refbridge/refbridge/adapters/pace"
)

// Window is one of a vendor's rate-limit policies: Limit calls per Period.
type Window struct {
	// Name is the vendor's name for the window (GrowSurf's "MINUTE").
	Name   string
	Limit  int
	Period time.Duration
}

// WindowsOf returns a vendor's documented limits (written once, as the
// pace windows its outbound backend paces to) as the windows its surface
// reports and enforces.
func WindowsOf(limits []pace.Window) []Window {
	out := make([]Window, len(limits))
	for i, l := range limits {
		out[i] = Window{Name: l.Name, Limit: l.Requests, Period: l.Per}
	}
	return out
}

// Usage is a window's state after a call was counted.
type Usage struct {
	Window
	// Count is the number of calls in the current window, this one
	// included.
	Count int
	// Remaining is Limit-Count, never below zero.
	Remaining int
	// Reset is when the current window ends.
	Reset time.Time
}

// Over reports whether the call that produced u went past the limit.
func (u Usage) Over() bool { return u.Count > u.Limit }

// Limiter counts calls in fixed windows, per key (account and surface).
// Counters live in this process: with several proxy replicas each counts
// its own share, so reported remainders are per replica. A key's counters
// are kept for the life of the process (one small record per account and
// surface), and a call takes one uncontended lock: no allocation, no
// expiry sweep.
type Limiter struct {
	keys sync.Map // key → *limitState
}

// limitState is one key's windows: the start of each one's current window
// (Unix nanoseconds) and the calls counted in it.
type limitState struct {
	mu     sync.Mutex
	starts []int64
	counts []int
}

// NewLimiter returns an empty limiter.
func NewLimiter() *Limiter {
	return &Limiter{}
}

// Take counts one call by key against every window at time now and
// returns each window's usage, in the order given.
func (l *Limiter) Take(key string, windows []Window, now time.Time) []Usage {
	v, ok := l.keys.Load(key)
	if !ok {
		v, _ = l.keys.LoadOrStore(key, &limitState{})
	}
	st := v.(*limitState)
	out := make([]Usage, len(windows))
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.starts) != len(windows) {
		st.starts, st.counts = make([]int64, len(windows)), make([]int, len(windows))
	}
	for i, w := range windows {
		start := now.Truncate(w.Period).UnixNano()
		// A call stamped before the current window (its goroutine read
		// the clock just before another crossed into the next) counts in
		// the current one.
		if start > st.starts[i] {
			st.starts[i], st.counts[i] = start, 0
		}
		st.counts[i]++
		n := st.counts[i]
		out[i] = Usage{Window: w, Count: n, Remaining: max(w.Limit-n, 0), Reset: time.Unix(0, st.starts[i]).UTC().Add(w.Period)}
	}
	return out
}

// FirstOver returns the first usage over its limit, if any.
func FirstOver(usage []Usage) (Usage, bool) {
	for _, u := range usage {
		if u.Over() {
			return u, true
		}
	}
	return Usage{}, false
}
