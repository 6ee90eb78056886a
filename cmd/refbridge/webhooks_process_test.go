package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/store/postgres/pgtest"
)

// receipt is one webhook a hookLog received.
type receipt struct {
	run      int
	endpoint string
	event    string
	email    string
}

// hookLog is a GrowSurf webhook receiver for process tests: it records
// every NEW_PARTICIPANT_ADDED it gets, tagged with the current run, and
// from the holdAfter-th on (when set) holds each request unanswered
// until released or the sender is gone, so deliveries are in flight.
type hookLog struct {
	mu        sync.Mutex
	run       int
	got       []receipt
	holdAfter int
	held      chan struct{} // closed at the first held request
	release   chan struct{}
	changed   chan struct{}
}

func newHookLog() *hookLog {
	return &hookLog{run: 1, held: make(chan struct{}), release: make(chan struct{}), changed: make(chan struct{}, 1)}
}

func (h *hookLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Event string
		Data  struct{ Participant struct{ Email string } }
	}
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &body); err != nil || body.Event != "NEW_PARTICIPANT_ADDED" || r.Header.Get(surface.EventIDHeader) == "" {
		http.Error(w, "unexpected webhook "+string(raw), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.got = append(h.got, receipt{run: h.run, endpoint: r.URL.Path, event: r.Header.Get(surface.EventIDHeader), email: body.Data.Participant.Email})
	hold := h.holdAfter > 0 && len(h.got) >= h.holdAfter
	if hold && len(h.got) == h.holdAfter {
		close(h.held)
	}
	h.mu.Unlock()
	select {
	case h.changed <- struct{}{}:
	default:
	}
	if hold {
		select {
		case <-h.release:
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (h *hookLog) receipts() []receipt {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// waitFor waits until ok holds of the receipts, at most a minute.
func (h *hookLog) waitFor(t *testing.T, what string, ok func([]receipt) bool) {
	t.Helper()
	deadline := time.After(time.Minute)
	for !ok(h.receipts()) {
		select {
		case <-h.changed:
		case <-deadline:
			t.Fatalf("gave up waiting for %s; received %d webhooks", what, len(h.receipts()))
		}
	}
}

// endpoints are the receiver paths each test subscribes, so that several
// deliveries are in flight at once (one per endpoint).
var endpoints = []string{"/a", "/b", "/c"}

// subscribe subscribes a GrowSurf endpoint per path of endpoints to
// NEW_PARTICIPANT_ADDED in the served database's first account.
func subscribe(t *testing.T, c *driver, receiver string) {
	t.Helper()
	admin := func(method, path string, body any) response {
		req := c.req(method, "/_refbridge"+path, body)
		req.Header.Set("Authorization", "Bearer e2e-admin")
		return c.do(req)
	}
	var accts struct{ Items []struct{ ID string } }
	c.json(admin(http.MethodGet, "/accounts", nil), &accts)
	for _, p := range endpoints {
		r := admin(http.MethodPost, "/accounts/"+accts.Items[0].ID+"/webhooks",
			map[string]any{"Vendor": "growsurf", "URL": receiver + p, "Events": []string{"NEW_PARTICIPANT_ADDED"}})
		if r.status != http.StatusCreated {
			t.Fatalf("subscribe: %d %s", r.status, r.body)
		}
	}
}

// gsCampaign returns the demo's GrowSurf campaign ID.
func gsCampaign(c *driver) string {
	var camps struct{ Campaigns []struct{ ID string } }
	c.json(c.growsurf(http.MethodGet, "/v2/campaigns", nil), &camps)
	return camps.Campaigns[0].ID
}

// participants lists the emails of the campaign's participants.
func participants(c *driver, campaign string) map[string]bool {
	var list struct{ Participants []struct{ Email string } }
	c.json(c.growsurf(http.MethodGet, "/v2/campaign/"+campaign+"/participants?limit=100", nil), &list)
	out := map[string]bool{}
	for _, p := range list.Participants {
		out[p.Email] = true
	}
	return out
}

// allReceived reports whether every endpoint got every email.
func allReceived(emails map[string]bool) func([]receipt) bool {
	return func(rs []receipt) bool {
		got := map[string]bool{}
		for _, r := range rs {
			got[r.endpoint+" "+r.email] = true
		}
		for e := range emails {
			for _, p := range endpoints {
				if !got[p+" "+e] {
					return false
				}
			}
		}
		return true
	}
}

// checkReceipts checks what the endpoints got against the participants
// that exist: every one received by every endpoint, nothing else (no
// event of a write that did not commit), and no event twice on one
// endpoint within one run of the server; an event is received again in
// a later run only when the run that received it first died before
// recording the delivery.
func checkReceipts(t *testing.T, rs []receipt, emails map[string]bool) {
	t.Helper()
	if !allReceived(emails)(rs) {
		t.Errorf("not every participant reached every endpoint")
	}
	seen := map[string]int{} // endpoint, event -> run of first receipt
	for _, r := range rs {
		if !emails[r.email] {
			t.Errorf("received %s for %s, who is not a participant", r.event, r.email)
		}
		key := r.endpoint + " " + r.event
		first, dup := seen[key]
		switch {
		case dup && first == r.run:
			t.Errorf("%s received twice in run %d", key, r.run)
		case !dup:
			seen[key] = r.run
		}
	}
}

// signups adds n participants named prefix-i through GrowSurf from 4
// goroutines, plus one invalid signup per goroutine, and returns the
// emails whose signups were answered 200 (others may have been cut off).
func signups(c *driver, campaign, prefix string, n int) map[string]bool {
	var (
		mu sync.Mutex
		wg sync.WaitGroup
		ok = map[string]bool{}
	)
	// post signs email up and returns the status (0: no answer, the
	// server was killed).
	post := func(email string) int {
		req := c.req(http.MethodPost, "/v2/campaign/"+campaign+"/participant", map[string]any{"email": email})
		req.Header.Set("Authorization", "Bearer "+c.s["growsurf api_key"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Refused: no event may come of it.
			if status := post(fmt.Sprintf("not-an-email-%d", g)); status == http.StatusOK {
				c.t.Errorf("an invalid email was signed up")
			}
			for i := g; i < n; i += 4 {
				email := fmt.Sprintf("%s-%d@example.com", prefix, i)
				if post(email) == http.StatusOK {
					mu.Lock()
					ok[email] = true
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return ok
}

// TestWebhooksSurviveSIGKILL kills serve while deliveries are in flight
// (the receiver holds them) and signups are still coming, and restarts
// it: every participant that exists reaches every endpoint, none that
// does not, and no endpoint gets an event twice within one run.
func TestWebhooksSurviveSIGKILL(t *testing.T) {
	t.Parallel()
	bin := build(t)
	db := filepath.Join(t.TempDir(), "hooks.db")
	hooks := newHookLog()
	hooks.holdAfter = 12
	rc := httptest.NewServer(hooks)
	t.Cleanup(rc.Close)
	flags := []string{"--webhooks-allow-private", "--webhook-lease", "5s"}

	first := start(t, bin, db, flags...)
	c := &driver{t: t, base: first.base, s: first.secrets}
	subscribe(t, c, rc.URL)
	campaign := gsCampaign(c)
	done := make(chan map[string]bool)
	go func() { done <- signups(c, campaign, "run1", 60) }()
	<-hooks.held
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-first.exited
	answered := <-done
	hooks.mu.Lock()
	hooks.run, hooks.holdAfter = 2, 0
	close(hooks.release)
	hooks.mu.Unlock()

	second := start(t, bin, db, flags...)
	defer second.stop(t)
	c.base = second.base
	// The deliveries the first run had in flight are attempted again
	// when their leases end. (Moving the test clock past them instead
	// would also end the leases of attempts this run has in flight.)
	emails := participants(c, campaign)
	for e := range answered {
		if !emails[e] {
			t.Errorf("signup of %s was answered but it is not a participant after the restart", e)
		}
	}
	hooks.waitFor(t, "every participant at every endpoint", allReceived(emails))
	rs := hooks.receipts()
	checkReceipts(t, rs, emails)
	again := 0
	for _, r := range rs {
		if r.run == 2 {
			again++
		}
	}
	t.Logf("%d participants, %d signups answered before the kill, %d webhooks received (%d after the restart)", len(emails), len(answered), len(rs), again)
}

// TestWebhooksTwoReplicasOnePostgres runs two serve processes on one
// PostgreSQL database with signups through both: every event reaches
// every endpoint exactly once (their workers never attempt one delivery
// both).
func TestWebhooksTwoReplicasOnePostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	bin := build(t)
	hooks := newHookLog()
	rc := httptest.NewServer(hooks)
	t.Cleanup(rc.Close)
	flags := []string{"--webhooks-allow-private", "--webhook-lease", "30s"}
	a := start(t, bin, dsn, flags...)
	defer a.stop(t)
	b := start(t, bin, dsn, flags...)
	defer b.stop(t)
	ca := &driver{t: t, base: a.base, s: a.secrets}
	cb := &driver{t: t, base: b.base, s: a.secrets}
	subscribe(t, ca, rc.URL)
	campaign := gsCampaign(ca)
	var wg sync.WaitGroup
	for i, c := range []*driver{ca, cb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			signups(c, campaign, fmt.Sprintf("replica%d", i), 40)
		}()
	}
	wg.Wait()
	emails := participants(ca, campaign)
	if len(emails) != 80 {
		t.Fatalf("%d participants, want 80", len(emails))
	}
	hooks.waitFor(t, "every participant at every endpoint", allReceived(emails))
	rs := hooks.receipts()
	checkReceipts(t, rs, emails)
	if len(rs) != len(emails)*len(endpoints) {
		t.Errorf("received %d webhooks, want exactly %d", len(rs), len(emails)*len(endpoints))
	}
}
