package surface

import (
	"strconv"
	"time"

	"github.com/patrickmn/go-cache"
)

// Window is one of a vendor's rate-limit policies: Limit calls per Period.
type Window struct {
	// Name is the vendor's name for the window (GrowSurf's "MINUTE").
	Name   string
	Limit  int
	Period time.Duration
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
// its own share, so reported remainders are per replica.
type Limiter struct {
	counts *cache.Cache
}

// NewLimiter returns an empty limiter.
func NewLimiter() *Limiter {
	return &Limiter{counts: cache.New(time.Minute, 5*time.Minute)}
}

// Take counts one call by key against every window at time now and
// returns each window's usage, in the order given.
func (l *Limiter) Take(key string, windows []Window, now time.Time) []Usage {
	out := make([]Usage, len(windows))
	for i, w := range windows {
		start := now.Truncate(w.Period)
		reset := start.Add(w.Period)
		k := key + "|" + w.Name + "|" + strconv.FormatInt(start.UnixNano(), 36)
		n := l.incr(k, reset.Sub(now))
		out[i] = Usage{Window: w, Count: n, Remaining: max(w.Limit-n, 0), Reset: reset}
	}
	return out
}

// incr adds one to k's counter, creating it with the given lifetime.
func (l *Limiter) incr(k string, ttl time.Duration) int {
	for {
		// Add fails when the counter exists; either way it exists now,
		// unless it expired in between, in which case we go round again.
		_ = l.counts.Add(k, int64(0), ttl+time.Second)
		if n, err := l.counts.IncrementInt64(k, 1); err == nil {
			return int(n)
		}
	}
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
