package deliver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/deliver"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/proxytest"
	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/postgres/pgtest"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

const fakeVendor = proxytest.HookVendor

// received is one request the receiver got.
type received struct {
	Path string
	proxytest.HookPayload
}

// receiver is an HTTP endpoint that records what it gets and answers
// with status (200 by default).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status int
	// hold, when set, is called before answering (a receiver that hangs).
	hold func(r *http.Request)
	// failOnce, when set, is an event the receiver fails the first time.
	failOnce string
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{status: http.StatusOK}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m received
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &m.HookPayload); err != nil || r.Header.Get("X-Event-Id") != m.EventID {
			t.Errorf("bad delivery %q, %v", body, err)
		}
		m.Path = r.URL.Path
		rc.mu.Lock()
		rc.got = append(rc.got, m)
		hold, status := rc.hold, rc.status
		if m.EventID == rc.failOnce {
			status, rc.failOnce = http.StatusServiceUnavailable, ""
		}
		rc.mu.Unlock()
		if hold != nil {
			hold(r)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) setStatus(s int) {
	rc.mu.Lock()
	rc.status = s
	rc.mu.Unlock()
}

// received returns what path got, in order.
func (rc *receiver) received(path string) []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []received
	for _, m := range rc.got {
		if m.Path == path {
			out = append(out, m)
		}
	}
	return out
}

var start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// env is an engine with one account and campaign, a receiver, and the
// test surface's policy.
type env struct {
	t     *testing.T
	ctx   context.Context
	eng   *engine.Engine
	clock *proxytest.Clock
	b     canonical.Backend
	wh    canonical.Webhooks
	camp  string
	rc    *receiver
}

// stores runs fn on SQLite and, when configured, PostgreSQL.
func stores(t *testing.T, fn func(t *testing.T, open func(t *testing.T) store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, func(t *testing.T) store.Store {
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "d.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, pgtest.Open)
	})
}

func newEnv(t *testing.T, st store.Store) *env {
	t.Helper()
	c := proxytest.NewClock(start)
	e := newEnvOn(t, st, c.Now)
	e.clock = c
	return e
}

// newEnvOn is newEnv with the engine on the clock now (e.clock is nil).
func newEnvOn(t *testing.T, st store.Store, now func() time.Time) *env {
	t.Helper()
	ctx := context.Background()
	eng, err := engine.Open(ctx, st, &engine.Options{Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := eng.CreateAccount(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	b := eng.Backend(acct.ID)
	camp, err := b.CreateCampaign(ctx, canonical.Campaign{Name: "spring", Status: canonical.CampaignActive})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, eng: eng, b: b, wh: b.(canonical.Webhooks), camp: camp.ID, rc: newReceiver(t)}
}

// subscribe adds an enabled endpoint of vendor at the receiver's path,
// taking participant.added.
func (e *env) subscribe(vendor canonical.Vendor, path string) canonical.WebhookEndpoint {
	e.t.Helper()
	ep, err := e.wh.CreateWebhookEndpoint(e.ctx, canonical.WebhookEndpoint{Vendor: vendor, URL: e.rc.URL + path,
		Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}, Enabled: true, Secret: "s"})
	if err != nil {
		e.t.Fatal(err)
	}
	return ep
}

// join signs a participant up and returns the event it logged.
func (e *env) join(email string) {
	e.t.Helper()
	in := canonical.NewParticipant{}
	in.CampaignID, in.Email = e.camp, email
	if _, _, err := e.b.CreateParticipant(e.ctx, in); err != nil {
		e.t.Fatal(err)
	}
}

// run starts a pool with opts (the test surface with policy, posting to
// loopback unless opts says otherwise) until the test ends or stop.
func (e *env) run(policy surface.WebhookPolicy, opts deliver.Options) (*deliver.Pool, func()) {
	opts.Surfaces = append(opts.Surfaces, proxytest.HookSurface{Policy: policy})
	p := deliver.New(e.eng, opts)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		p.Run(ctx)
	}()
	stop := sync.OnceFunc(func() {
		cancel()
		<-stopped
	})
	e.t.Cleanup(stop)
	return p, stop
}

// settle waits until p has attempted everything due.
func (e *env) settle(p *deliver.Pool) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	if err := p.Settle(ctx); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) deliveries(endpoint string) []canonical.Delivery {
	e.t.Helper()
	page, err := e.wh.ListDeliveries(e.ctx, canonical.DeliveryQuery{EndpointID: endpoint, ListOptions: canonical.ListOptions{Limit: 100}})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Items
}

func (e *env) endpoint(id string) canonical.WebhookEndpoint {
	e.t.Helper()
	ep, err := e.wh.GetWebhookEndpoint(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return ep
}

// eventIDs lists the event IDs of ms.
func eventIDs(ms []received) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.EventID
	}
	return out
}

var loopback = deliver.Options{AllowPrivate: true, Workers: 3}

// TestDeliversInOrderPerEndpoint: every event reaches every subscribed
// endpoint once, in the order of the log, stamped on the engine's clock;
// workers wake on the writes themselves.
func TestDeliversInOrderPerEndpoint(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		e := newEnv(t, open(t))
		a, b := e.subscribe(fakeVendor, "/a"), e.subscribe(fakeVendor, "/b")
		p, _ := e.run(surface.WebhookPolicy{}, loopback)
		for i := range 12 {
			e.join(strings.Repeat("x", i+1) + "@example.com")
		}
		e.settle(p)
		changes, err := e.wh.ListChanges(e.ctx, signups)
		if err != nil || len(changes.Items) != 12 {
			t.Fatalf("changes = %d, %v", len(changes.Items), err)
		}
		var want []string
		for _, c := range changes.Items {
			want = append(want, c.ID)
		}
		for _, ep := range []canonical.WebhookEndpoint{a, b} {
			path := strings.TrimPrefix(ep.URL, e.rc.URL)
			got := e.rc.received(path)
			if !slices.Equal(eventIDs(got), want) {
				t.Errorf("%s got events %v, want %v", path, eventIDs(got), want)
			}
			for _, m := range got {
				if !m.At.Equal(start) || m.Kind != canonical.ChangeParticipantAdded {
					t.Errorf("%s got %+v, want stamped at %v", path, m, start)
				}
			}
			for _, d := range e.deliveries(ep.ID) {
				if d.State != canonical.DeliveryDelivered || d.Attempts != 1 || d.LastStatus != 200 {
					t.Errorf("delivery %+v, want delivered on the first attempt", d)
				}
			}
		}
	})
}

// TestRetriesFollowScheduleThenFail: a receiver that keeps failing gets
// the first attempt and one per wait of the schedule, exactly when each
// falls due on the test clock, all with the same event and delivery ID;
// then the delivery fails.
func TestRetriesFollowScheduleThenFail(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		e := newEnv(t, open(t))
		ep := e.subscribe(fakeVendor, "/down")
		e.rc.setStatus(http.StatusServiceUnavailable)
		schedule := []time.Duration{time.Minute, 5 * time.Minute}
		p, _ := e.run(surface.WebhookPolicy{Retries: schedule}, loopback)
		e.join("ann@example.com")
		e.settle(p)
		want := 1
		for _, wait := range schedule {
			e.clock.Advance(wait - time.Millisecond)
			e.settle(p)
			if got := len(e.rc.received("/down")); got != want {
				t.Fatalf("%d attempts a millisecond before the retry, want %d", got, want)
			}
			e.clock.Advance(time.Millisecond)
			e.settle(p)
			want++
			if got := len(e.rc.received("/down")); got != want {
				t.Fatalf("%d attempts when the retry fell due, want %d", got, want)
			}
		}
		e.clock.Advance(24 * time.Hour)
		e.settle(p)
		got := e.rc.received("/down")
		if len(got) != 3 || got[0].EventID != got[2].EventID || got[0].DeliveryID != got[2].DeliveryID {
			t.Fatalf("attempts = %+v, want 3 of one delivery", got)
		}
		ds := e.deliveries(ep.ID)
		if len(ds) != 1 || ds[0].State != canonical.DeliveryFailed || ds[0].Attempts != 3 || ds[0].LastStatus != 503 ||
			!strings.Contains(ds[0].LastError, "503") {
			t.Fatalf("deliveries = %+v, want one failed after 3 attempts", ds)
		}
	})
}

// TestAutoDisableReenableAndReplay: DisableAfter consecutive failures
// turn the endpoint off, and what happens while it is off is not queued
// to it; re-enabling resumes the queue, and a replay since a time
// delivers what was missed.
func TestAutoDisableReenableAndReplay(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		e := newEnv(t, open(t))
		ep := e.subscribe(fakeVendor, "/flaky")
		e.rc.setStatus(http.StatusInternalServerError)
		p, _ := e.run(surface.WebhookPolicy{Retries: []time.Duration{time.Minute, time.Minute, time.Minute, time.Minute}, DisableAfter: 3}, loopback)
		e.join("ann@example.com")
		for range 3 {
			e.settle(p)
			e.clock.Advance(time.Minute)
		}
		e.settle(p)
		got := e.endpoint(ep.ID)
		if got.Enabled || !got.AutoDisabled || got.FailureCount != 3 || len(e.rc.received("/flaky")) != 3 {
			t.Fatalf("endpoint %+v after %d attempts, want auto-disabled after 3", got, len(e.rc.received("/flaky")))
		}
		missedAt := e.clock.Now()
		e.join("bo@example.com")
		e.clock.Advance(time.Hour)
		e.settle(p)
		if n := len(e.rc.received("/flaky")); n != 3 {
			t.Fatalf("a disabled endpoint got %d attempts, want 3", n)
		}
		e.rc.setStatus(http.StatusOK)
		got.Enabled = true
		if _, err := e.wh.UpdateWebhookEndpoint(e.ctx, got); err != nil {
			t.Fatal(err)
		}
		e.settle(p)
		if n := len(e.rc.received("/flaky")); n != 4 {
			t.Fatalf("re-enabling gave %d attempts, want the pending one (4)", n)
		}
		n, err := e.wh.ReplayDeliveries(e.ctx, ep.ID, canonical.ChangeQuery{Since: missedAt})
		if err != nil || n != 1 {
			t.Fatalf("replay queued %d, %v; want the missed signup", n, err)
		}
		e.settle(p)
		all := e.rc.received("/flaky")
		changes, _ := e.wh.ListChanges(e.ctx, signups)
		if len(all) != 5 || all[4].EventID != changes.Items[1].ID || all[3].EventID != changes.Items[0].ID {
			t.Fatalf("received %v, want the first event then the missed one", eventIDs(all))
		}
		if got := e.endpoint(ep.ID); got.FailureCount != 0 || !got.Enabled {
			t.Errorf("endpoint after deliveries = %+v, want no failures", got)
		}
	})
}

// TestCompletesWithoutPosting: an endpoint of a vendor without webhooks,
// and a change its vendor does not announce, are completed without a
// request, saying why.
func TestCompletesWithoutPosting(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		e := newEnv(t, open(t))
		ir := e.subscribe(canonical.IRefer, "/irefer")
		fake := e.subscribe(fakeVendor, "/fake")
		p, _ := e.run(surface.WebhookPolicy{}, loopback)
		e.join("quiet@example.com")
		e.join("ann@example.com")
		e.settle(p)
		if n := len(e.rc.received("/irefer")); n != 0 {
			t.Fatalf("iRefer endpoint got %d requests", n)
		}
		if got := e.rc.received("/fake"); len(got) != 1 {
			t.Fatalf("fake endpoint got %+v, want the announced signup only", got)
		}
		for _, tc := range []struct {
			endpoint string
			why      []string
		}{
			{ir.ID, []string{"no webhooks", "no webhooks"}},
			{fake.ID, []string{"", "announces no participant.added"}},
		} {
			ds := e.deliveries(tc.endpoint)
			if len(ds) != 2 {
				t.Fatalf("deliveries = %+v", ds)
			}
			for i, d := range ds {
				if d.State != canonical.DeliveryDelivered || !strings.Contains(d.LastError, tc.why[i]) {
					t.Errorf("delivery %+v, want delivered, last error %q", d, tc.why[i])
				}
			}
		}
	})
}

// TestRefusesPrivateTargets: without AllowPrivate a loopback URL is
// refused after resolution: the attempt fails saying so, nothing is sent.
func TestRefusesPrivateTargets(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		e := newEnv(t, open(t))
		ep := e.subscribe(fakeVendor, "/private")
		p, _ := e.run(surface.WebhookPolicy{Retries: []time.Duration{time.Minute}}, deliver.Options{})
		e.join("ann@example.com")
		e.settle(p)
		if n := len(e.rc.received("/private")); n != 0 {
			t.Fatalf("a loopback receiver got %d requests", n)
		}
		ds := e.deliveries(ep.ID)
		if len(ds) != 1 || ds[0].Attempts != 1 || ds[0].State != canonical.DeliveryPending ||
			!strings.Contains(ds[0].LastError, "refused") || !strings.Contains(ds[0].LastError, "--webhooks-allow-private") {
			t.Fatalf("deliveries = %+v, want a refused attempt", ds)
		}
	})
}

// TestAtLeastOnceWhenAWorkerDies: a pool stopped mid-attempt records
// nothing; when the lease runs out another pool claims the delivery and
// delivers it with the same event and delivery ID.
func TestAtLeastOnceWhenAWorkerDies(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		e := newEnv(t, open(t))
		ep := e.subscribe(fakeVendor, "/slow")
		inFlight := make(chan struct{})
		e.rc.hold = func(r *http.Request) {
			close(inFlight)
			<-r.Context().Done()
		}
		opts := loopback
		opts.Drain, opts.Lease = -1, time.Minute
		_, stop := e.run(surface.WebhookPolicy{}, opts)
		e.join("ann@example.com")
		<-inFlight
		stop()
		e.rc.mu.Lock()
		e.rc.hold = nil
		e.rc.mu.Unlock()
		if ds := e.deliveries(ep.ID); len(ds) != 1 || ds[0].Attempts != 0 || ds[0].State != canonical.DeliveryPending {
			t.Fatalf("after the worker died: %+v, want pending with no attempt recorded", ds)
		}
		p, _ := e.run(surface.WebhookPolicy{}, opts)
		e.settle(p)
		if n := len(e.rc.received("/slow")); n != 1 {
			t.Fatalf("claimed again within the lease: %d requests", n)
		}
		e.clock.Advance(time.Minute)
		e.settle(p)
		got := e.rc.received("/slow")
		if len(got) != 2 || got[0].EventID != got[1].EventID || got[0].DeliveryID != got[1].DeliveryID {
			t.Fatalf("received %+v, want the same delivery twice", got)
		}
		if ds := e.deliveries(ep.ID); len(ds) != 1 || ds[0].State != canonical.DeliveryDelivered || ds[0].Attempts != 1 {
			t.Fatalf("deliveries = %+v", ds)
		}
	})
}

// signups selects the changes the tests' endpoints subscribe to: a signup
// also logs its link, which they do not take.
var signups = canonical.ChangeQuery{Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}}

// TestOrderHoldsAcrossAFailure: when one event of a queue fails, the
// events behind it wait for its retry, which comes first.
func TestOrderHoldsAcrossAFailure(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		e := newEnv(t, open(t))
		ep := e.subscribe(fakeVendor, "/order")
		// Queued before the workers start, so they take them in runs.
		for i := range 6 {
			e.join(strings.Repeat("o", i+1) + "@example.com")
		}
		var want []string
		for _, d := range e.deliveries(ep.ID) {
			want = append([]string{d.EventID}, want...)
		}
		e.rc.mu.Lock()
		e.rc.failOnce = want[2]
		e.rc.mu.Unlock()
		p, _ := e.run(surface.WebhookPolicy{Retries: []time.Duration{time.Minute}}, loopback)
		e.settle(p)
		if got := eventIDs(e.rc.received("/order")); !slices.Equal(got, want[:3]) {
			t.Fatalf("before the retry: %v, want %v", got, want[:3])
		}
		e.clock.Advance(time.Minute)
		e.settle(p)
		if got := eventIDs(e.rc.received("/order")); !slices.Equal(got, append(slices.Clone(want[:3]), want[2:]...)) {
			t.Fatalf("received %v, want %v then %v", got, want[:3], want[2:])
		}
	})
}

// TestSlowEndpointShortLeaseSendsOnce: with a lease only a few times
// longer than the endpoint takes to answer, and the engine's clock
// running in real time, every run is recorded before its lease ends, so
// no delivery is claimed again and sent twice while its worker is still
// about to record it.
func TestSlowEndpointShortLeaseSendsOnce(t *testing.T) {
	t.Parallel()
	const (
		lease = 2 * time.Second
		// Each answer takes 40% of the lease: two attempts and the
		// pause before the record (30%) would outlast it.
		slow = lease * 4 / 10
	)
	stores(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		began := time.Now()
		e := newEnvOn(t, open(t), func() time.Time { return start.Add(time.Since(began)) })
		ep := e.subscribe(fakeVendor, "/slow")
		e.rc.hold = func(r *http.Request) {
			// The endpoint is slow: the time it takes is the test.
			select {
			case <-time.After(slow):
			case <-r.Context().Done():
			}
		}
		// Queued before the workers start, so they go out in runs.
		for i := range 3 {
			e.join(strings.Repeat("s", i+1) + "@example.com")
		}
		opts := loopback
		opts.Lease, opts.Coalesce = lease, lease*3/10
		p, _ := e.run(surface.WebhookPolicy{Retries: []time.Duration{time.Hour}}, opts)
		e.settle(p)
		got := eventIDs(e.rc.received("/slow"))
		if len(got) != 3 || len(slices.Compact(slices.Sorted(slices.Values(got)))) != 3 {
			t.Errorf("received %v, want 3 events once each", got)
		}
		for _, d := range e.deliveries(ep.ID) {
			if d.State != canonical.DeliveryDelivered || d.Attempts != 1 {
				t.Errorf("delivery %+v, want delivered on the first attempt", d)
			}
		}
	})
}
