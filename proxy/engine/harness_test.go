package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/postgres/pgtest"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// env is one engine on a fresh SQLite file with one account.
type env struct {
	t     testing.TB
	eng   *engine.Engine
	clock *clock
	b     canonical.Backend
	ctx   context.Context
}

func newEnv(t testing.TB) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "engine.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return envOn(t, st)
}

// envOn is an engine on st, with a test clock, and a new account in it.
func envOn(t testing.TB, st store.Store) *env {
	t.Helper()
	c := &clock{t: start}
	eng := engine.New(st, &engine.Options{Clock: c.Now})
	acct, err := eng.CreateAccount(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, eng: eng, clock: c, b: eng.Backend(acct.ID), ctx: context.Background()}
}

// testStores opens, per test, a fresh SQLite store, and the PostgreSQL
// test database when REFBRIDGE_TEST_POSTGRES_DSN is set.
func testStores() map[string]func(t *testing.T) store.Store {
	stores := map[string]func(t *testing.T) store.Store{
		"sqlite": func(t *testing.T) store.Store {
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "engine.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
	}
	if os.Getenv(pgtest.EnvDSN) != "" {
		stores["postgres"] = pgtest.Open
	}
	return stores
}

// campaign creates an active campaign.
func (e *env) campaign(c canonical.Campaign) canonical.Campaign {
	e.t.Helper()
	if c.Name == "" {
		c.Name = "spring"
	}
	if c.Status == "" {
		c.Status = canonical.CampaignActive
	}
	out, err := e.b.CreateCampaign(e.ctx, c)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// join adds a participant, referred by ref when it is not zero.
func (e *env) join(campaign, email string, ref canonical.ParticipantRef) canonical.Participant {
	e.t.Helper()
	in := canonical.NewParticipant{Referrer: ref}
	in.CampaignID, in.Email = campaign, email
	p, _, err := e.b.CreateParticipant(e.ctx, in)
	if err != nil {
		e.t.Fatalf("join %s: %v", email, err)
	}
	return p
}

func (e *env) get(campaign, id string) canonical.Participant {
	e.t.Helper()
	p, err := e.b.GetParticipant(e.ctx, campaign, canonical.ByID(id))
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) rewards(campaign, participant string) []canonical.EarnedReward {
	e.t.Helper()
	page, err := e.b.ListEarnedRewards(e.ctx, canonical.RewardQuery{CampaignID: campaign, ParticipantID: participant, ListOptions: canonical.ListOptions{Limit: 100}})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Items
}

func wantCode(t testing.TB, err error, code canonical.Code) {
	t.Helper()
	if got := canonical.CodeOf(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}
