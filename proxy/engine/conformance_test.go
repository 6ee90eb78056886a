package engine_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/adaptertest"
	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/postgres/pgtest"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// countingStore counts transactions, the engine's I/O.
type countingStore struct {
	store.Store
	n atomic.Int64
}

func (c *countingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	c.n.Add(1)
	return c.Store.Update(ctx, fn)
}

func (c *countingStore) View(ctx context.Context, fn func(store.Tx) error) error {
	c.n.Add(1)
	return c.Store.View(ctx, fn)
}

// engineHarness is the engine under test, on its own clock. It arranges
// through itself: the engine can do everything.
type engineHarness struct {
	st    *countingStore
	clock *clock
	b     canonical.Backend
	camp  string
}

func (h *engineHarness) Backend() canonical.Backend           { return h.b }
func (h *engineHarness) CampaignID() string                   { return h.camp }
func (h *engineHarness) Calls() int                           { return int(h.st.n.Load()) }
func (h *engineHarness) Arrange() (canonical.Backend, string) { return h.b, h.camp }
func (h *engineHarness) Advance(d time.Duration)              { h.clock.Advance(d) }
func (h *engineHarness) Limits() adaptertest.Limits           { return adaptertest.Limits{} }
func (h *engineHarness) Close()                               {}

func newEngineHarness(ctx context.Context, st store.Store, c canonical.Campaign) (adaptertest.Harness, error) {
	cs := &countingStore{Store: st}
	clk := &clock{t: start}
	eng := engine.New(cs, &engine.Options{Clock: clk.Now})
	acct, err := eng.CreateAccount(ctx, "conformance")
	if err != nil {
		return nil, err
	}
	b := eng.Backend(acct.ID)
	camp, err := b.CreateCampaign(ctx, c)
	if err != nil {
		return nil, err
	}
	return &engineHarness{st: cs, clock: clk, b: b, camp: camp.ID}, nil
}

func TestConformanceSQLite(t *testing.T) {
	t.Parallel()
	adaptertest.RunConformanceTests(t, func(ctx context.Context, t *testing.T, c canonical.Campaign) (adaptertest.Harness, error) {
		st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "conformance.db"), nil)
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { st.Close() })
		return newEngineHarness(ctx, st, c)
	})
}

func TestConformancePostgres(t *testing.T) {
	t.Parallel()
	adaptertest.RunConformanceTests(t, func(ctx context.Context, t *testing.T, c canonical.Campaign) (adaptertest.Harness, error) {
		return newEngineHarness(ctx, pgtest.Open(t), c)
	})
}
