package pace

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"
)

// fakeClock advances only when slept on.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.now = c.now.Add(d)
	return nil
}

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// starts runs n back-to-back Waits and returns when each started, as
// offsets from epoch.
func starts(t *testing.T, n int, windows ...Window) []time.Duration {
	t.Helper()
	c := &fakeClock{now: epoch}
	l := NewWithClock(c, windows...)
	var out []time.Duration
	for range n {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		out = append(out, c.now.Sub(epoch))
	}
	return out
}

func TestBackToBackRequests(t *testing.T) {
	t.Parallel()
	s := time.Second
	tests := []struct {
		name    string
		windows []Window
		n       int
		want    []time.Duration
	}{
		{"no windows", nil, 4, []time.Duration{0, 0, 0, 0}},
		{"one window", []Window{{Requests: 3, Per: s}}, 7, []time.Duration{0, 0, 0, s, s, s, 2 * s}},
		{"two windows", []Window{{Requests: 2, Per: s}, {Requests: 3, Per: 10 * s}}, 6, []time.Duration{0, 0, s, 10 * s, 10 * s, 11 * s}},
		{"empty windows ignored", []Window{{Requests: 0, Per: s}, {Requests: 5, Per: 0}, {Requests: 1, Per: s}}, 3, []time.Duration{0, s, 2 * s}},
	}
	for _, tt := range tests {
		if got := starts(t, tt.n, tt.windows...); !slices.Equal(got, tt.want) {
			t.Errorf("%s: starts %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestNoWindowIsEverExceeded: with random gaps between requests, no
// interval of any window's length holds more than its requests.
func TestNoWindowIsEverExceeded(t *testing.T) {
	t.Parallel()
	windows := []Window{{Requests: 30, Per: 5 * time.Second}, {Requests: 200, Per: time.Minute}, {Requests: 1000, Per: time.Hour}}
	c := &fakeClock{now: epoch}
	l := NewWithClock(c, windows...)
	r := rand.New(rand.NewPCG(1, 2))
	var at []time.Time
	for range 3000 {
		c.now = c.now.Add(time.Duration(r.IntN(400)) * time.Millisecond)
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		at = append(at, c.now)
	}
	for _, w := range windows {
		for i := w.Requests; i < len(at); i++ {
			if at[i].Sub(at[i-w.Requests]) < w.Per {
				t.Fatalf("requests %d..%d started within %v, window %d per %v", i-w.Requests, i, at[i].Sub(at[i-w.Requests]), w.Requests, w.Per)
			}
		}
	}
	// The hour window binds: 3,000 requests need at least two hours.
	if span := at[len(at)-1].Sub(at[0]); span < 2*time.Hour {
		t.Fatalf("3000 requests in %v under 1000/hour", span)
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	c := &fakeClock{now: epoch}
	l := NewWithClock(c, Window{Requests: 1, Per: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on a cancelled context = %v", err)
	}
	var nilLimiter *Limiter
	if err := nilLimiter.Wait(context.Background()); err != nil || nilLimiter.Windows() != nil {
		t.Fatalf("nil limiter: %v, %v", err, nilLimiter.Windows())
	}
}

type countingDoer struct{ calls []time.Time }

func (d *countingDoer) Do(req *http.Request) (*http.Response, error) {
	d.calls = append(d.calls, req.Context().Value(clockKey{}).(*fakeClock).now)
	return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
}

type clockKey struct{}

func TestPacedDoer(t *testing.T) {
	t.Parallel()
	c := &fakeClock{now: epoch}
	next := &countingDoer{}
	d := Paced(next, NewWithClock(c, Window{Requests: 2, Per: time.Second}))
	ctx := context.WithValue(context.Background(), clockKey{}, c)
	for range 5 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1/", nil)
		if _, err := d.Do(req); err != nil {
			t.Fatal(err)
		}
	}
	want := []time.Time{epoch, epoch, epoch.Add(time.Second), epoch.Add(time.Second), epoch.Add(2 * time.Second)}
	if !slices.EqualFunc(next.calls, want, time.Time.Equal) {
		t.Fatalf("requests sent at %v, want %v", next.calls, want)
	}
	if got := Paced(next, nil); got != Doer(next) {
		t.Fatal("a nil limiter should not wrap")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	req, _ := http.NewRequestWithContext(cancelled, http.MethodGet, "http://127.0.0.1/", nil)
	if _, err := d.Do(req); !errors.Is(err, context.Canceled) || len(next.calls) != 5 {
		t.Fatalf("cancelled request: %v, %d sent", err, len(next.calls))
	}
}
