package deliver_test

import (
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/deliver"
	"github.com/refbridge/refbridge/proxy/store"
)

// attempts counts the attempts an Observer is told of, by outcome.
type attempts struct {
	mu sync.Mutex
	n  map[string]int
}

func (a *attempts) Attempt(vendor, outcome string, d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if vendor == string(fakeVendor) && d > 0 {
		a.n[outcome]++
	}
}

// TestObserverSeesEveryAttempt: the observer is told of each attempt
// with its vendor and outcome, failed ones included.
func TestObserverSeesEveryAttempt(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		e := newEnv(t, open(t))
		e.subscribe(fakeVendor, "/a")
		e.rc.setStatus(500)
		obs := &attempts{n: map[string]int{}}
		opts := loopback
		opts.Observer = obs
		p, _ := e.run(surface.WebhookPolicy{Retries: []time.Duration{time.Minute}}, opts)
		e.join("one@example.com")
		e.settle(p)
		e.rc.setStatus(200)
		e.clock.Advance(time.Minute)
		e.settle(p)
		obs.mu.Lock()
		defer obs.mu.Unlock()
		if obs.n["failed"] != 1 || obs.n["delivered"] != 1 || len(obs.n) != 2 {
			t.Fatalf("observed %v, want one failed and one delivered attempt", obs.n)
		}
	})
}

var _ deliver.Observer = (*attempts)(nil)
