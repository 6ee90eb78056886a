package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// endpoint stores a webhook endpoint of f's account.
func (f fixture) endpoint(t *testing.T, s store.Store, campaign int64, enabled bool, kinds ...canonical.ChangeKind) canonical.WebhookEndpoint {
	t.Helper()
	e := canonical.WebhookEndpoint{Vendor: canonical.GrowSurf, URL: "https://hooks.example.com/" + fmt.Sprint(len(kinds)),
		Kinds: kinds, Enabled: enabled, Secret: "s3cret", CreatedAt: t0}
	if campaign != 0 {
		e.CampaignID = fmt.Sprint(campaign)
	}
	update(t, s, func(tx store.Tx) error { return tx.InsertEndpoint(context.Background(), f.account, &e) })
	if e.ID == "" {
		t.Fatal("endpoint ID not set")
	}
	return e
}

// change appends a change of kind to f's campaign at t0+offset.
func (f fixture) change(t *testing.T, s store.Store, kind canonical.ChangeKind, offset time.Duration) canonical.Change {
	t.Helper()
	c := canonical.Change{Kind: kind, CampaignID: fmt.Sprint(f.campaign), At: t0.Add(offset),
		Participant: &canonical.Participant{Email: "ann@example.com"}}
	update(t, s, func(tx store.Tx) error { return tx.AppendEvent(context.Background(), f.account, &c) })
	if c.ID == "" {
		t.Fatal("change ID not set")
	}
	return c
}

func deliveriesOf(t *testing.T, s store.Store, account int64, q store.DeliveryQuery) []canonical.Delivery {
	t.Helper()
	var out []canonical.Delivery
	view(t, s, func(tx store.Tx) (err error) {
		out, err = tx.ListDeliveries(context.Background(), account, q)
		return err
	})
	return out
}

func testEventLog(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	a := f.change(t, s, canonical.ChangeParticipantAdded, 0)
	b := f.change(t, s, canonical.ChangeRewardEarned, time.Minute)
	f.change(t, s, canonical.ChangeParticipantAdded, 2*time.Minute)
	other.change(t, s, canonical.ChangeParticipantAdded, 0)
	// A change whose write fails is not there.
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx store.Tx) error {
		c := canonical.Change{Kind: canonical.ChangeParticipantAdded, CampaignID: fmt.Sprint(f.campaign), At: t0}
		if err := tx.AppendEvent(ctx, f.account, &c); err != nil {
			return err
		}
		return boom
	})
	wantErr(t, err, boom)

	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetEvent(ctx, f.account, id(a.ID))
		if err != nil || got.Kind != a.Kind || !got.At.Equal(a.At) || got.Participant == nil || got.Participant.Email != "ann@example.com" {
			t.Errorf("GetEvent = %+v, %v", got, err)
		}
		_, err = tx.GetEvent(ctx, other.account, id(a.ID))
		wantErr(t, err, store.ErrNotFound)
		all, err := tx.ListEvents(ctx, f.account, store.EventQuery{})
		if err != nil || len(all) != 3 || all[0].ID != a.ID || all[1].ID != b.ID {
			t.Errorf("ListEvents = %d events, %v; want 3, oldest first, no rolled-back one", len(all), err)
		}
		for _, tc := range []struct {
			q    store.EventQuery
			want int
		}{
			{store.EventQuery{AfterID: id(a.ID)}, 2},
			{store.EventQuery{Since: t0.Add(time.Minute)}, 2},
			{store.EventQuery{Kinds: []canonical.ChangeKind{canonical.ChangeRewardEarned}}, 1},
			{store.EventQuery{Campaign: other.campaign}, 0},
			{store.EventQuery{Limit: 1}, 1},
		} {
			got, err := tx.ListEvents(ctx, f.account, tc.q)
			if err != nil || len(got) != tc.want {
				t.Errorf("ListEvents(%+v) = %d, %v; want %d", tc.q, len(got), err, tc.want)
			}
		}
		return nil
	})
}

func testWebhookEndpoints(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	e := f.endpoint(t, s, f.campaign, true, canonical.ChangeParticipantAdded)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetEndpoint(ctx, f.account, id(e.ID))
		if err != nil || got.URL != e.URL || got.Secret != "s3cret" || !got.Enabled || got.CampaignID != e.CampaignID ||
			!slices.Equal(got.Kinds, e.Kinds) {
			t.Errorf("GetEndpoint = %+v, %v", got, err)
		}
		_, err = tx.GetEndpoint(ctx, other.account, id(e.ID))
		wantErr(t, err, store.ErrNotFound)
		return nil
	})
	// Updating replaces the kinds the fan-out uses.
	e.Kinds = []canonical.ChangeKind{canonical.ChangeRewardEarned}
	e.URL = "https://hooks.example.com/new"
	update(t, s, func(tx store.Tx) error { return tx.UpdateEndpoint(ctx, f.account, &e) })
	f.change(t, s, canonical.ChangeParticipantAdded, 0)
	f.change(t, s, canonical.ChangeRewardEarned, 0)
	if got := deliveriesOf(t, s, f.account, store.DeliveryQuery{Endpoint: id(e.ID)}); len(got) != 1 || got[0].Kind != canonical.ChangeRewardEarned {
		t.Errorf("deliveries after the kinds changed = %+v, want one reward.earned", got)
	}
	err := s.Update(ctx, func(tx store.Tx) error { return tx.UpdateEndpoint(ctx, other.account, &e) })
	wantErr(t, err, store.ErrNotFound)
	view(t, s, func(tx store.Tx) error {
		list, err := tx.ListEndpoints(ctx, f.account, store.EndpointQuery{Vendor: canonical.GrowSurf, Campaign: f.campaign})
		if err != nil || len(list) != 1 || list[0].URL != "https://hooks.example.com/new" {
			t.Errorf("ListEndpoints = %+v, %v", list, err)
		}
		list, err = tx.ListEndpoints(ctx, f.account, store.EndpointQuery{Vendor: canonical.Rewardful})
		if err != nil || len(list) != 0 {
			t.Errorf("ListEndpoints of another vendor = %+v, %v", list, err)
		}
		return nil
	})
	// Deleting takes its deliveries with it.
	update(t, s, func(tx store.Tx) error { return tx.DeleteEndpoint(ctx, f.account, id(e.ID)) })
	if got := deliveriesOf(t, s, f.account, store.DeliveryQuery{}); len(got) != 0 {
		t.Errorf("deliveries of a deleted endpoint = %+v", got)
	}
	err = s.Update(ctx, func(tx store.Tx) error { return tx.DeleteEndpoint(ctx, f.account, id(e.ID)) })
	wantErr(t, err, store.ErrNotFound)
}

// testFanOut: a change is queued for exactly the enabled endpoints of its
// account subscribed to its kind in its campaign or in every campaign.
func testFanOut(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	other := newFixture(t, s)
	var second int64
	update(t, s, func(tx store.Tx) error {
		c := canonical.Campaign{Name: "autumn", Status: canonical.CampaignActive, CreatedAt: t0}
		err := tx.InsertCampaign(context.Background(), f.account, &c)
		second = id(c.ID)
		return err
	})
	mine := f.endpoint(t, s, f.campaign, true, canonical.ChangeParticipantAdded, canonical.ChangeRewardEarned)
	everywhere := f.endpoint(t, s, 0, true, canonical.ChangeParticipantAdded)
	elsewhere := f.endpoint(t, s, second, true, canonical.ChangeParticipantAdded)
	disabled := f.endpoint(t, s, f.campaign, false, canonical.ChangeParticipantAdded)
	unsubscribed := f.endpoint(t, s, f.campaign, true, canonical.ChangeCommissionCreated)
	stranger := other.endpoint(t, s, 0, true, canonical.ChangeParticipantAdded)
	c := f.change(t, s, canonical.ChangeParticipantAdded, time.Minute)
	got := map[string]canonical.Delivery{}
	for _, d := range deliveriesOf(t, s, f.account, store.DeliveryQuery{Event: id(c.ID)}) {
		got[d.EndpointID] = d
	}
	for _, e := range []canonical.WebhookEndpoint{mine, everywhere} {
		d, ok := got[e.ID]
		if !ok || d.State != canonical.DeliveryPending || d.Kind != c.Kind || !d.NextAttemptAt.Equal(c.At) || d.Attempts != 0 || d.EventID != c.ID {
			t.Errorf("delivery to %s = %+v, %v; want pending, due at the change", e.URL, d, ok)
		}
	}
	for _, e := range []canonical.WebhookEndpoint{elsewhere, disabled, unsubscribed, stranger} {
		if _, ok := got[e.ID]; ok {
			t.Errorf("a delivery went to endpoint %s", e.ID)
		}
	}
	if len(got) != 2 {
		t.Errorf("%d deliveries, want 2", len(got))
	}
	if n := len(deliveriesOf(t, s, other.account, store.DeliveryQuery{})); n != 0 {
		t.Errorf("the other account has %d deliveries", n)
	}
}

// testBatchAppend: the changes of one AppendEvents, more than one
// statement's worth, get IDs growing in slice order, read back in that
// order, and queue each subscribed endpoint's deliveries in that order
// too; an unsubscribed kind queues none.
func testBatchAppend(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	ep := f.endpoint(t, s, f.campaign, true, canonical.ChangeParticipantAdded, canonical.ChangeRewardEarned)
	everywhere := f.endpoint(t, s, 0, true, canonical.ChangeRewardEarned)
	kinds := []canonical.ChangeKind{canonical.ChangeParticipantAdded, canonical.ChangeLinkCreated, canonical.ChangeRewardEarned}
	es := make([]canonical.Change, 40)
	for i := range es {
		es[i] = canonical.Change{Kind: kinds[i%len(kinds)], CampaignID: fmt.Sprint(f.campaign), At: t0.Add(time.Duration(i) * time.Second),
			Participant: &canonical.Participant{Email: fmt.Sprintf("p%d@example.com", i)}}
	}
	var queued []bool
	update(t, s, func(tx store.Tx) (err error) {
		queued, err = tx.AppendEvents(ctx, f.account, es)
		return err
	})
	var got []canonical.Change
	view(t, s, func(tx store.Tx) (err error) {
		got, err = tx.ListEvents(ctx, f.account, store.EventQuery{})
		return err
	})
	if len(got) != len(es) {
		t.Fatalf("read back %d changes, want %d", len(got), len(es))
	}
	for i, c := range got {
		if c.ID != es[i].ID || c.Kind != es[i].Kind || c.Participant == nil || c.Participant.Email != es[i].Participant.Email || !c.At.Equal(es[i].At) {
			t.Fatalf("change %d read back %+v, appended %+v", i, c, es[i])
		}
		if i > 0 && id(c.ID) <= id(got[i-1].ID) {
			t.Fatalf("change %d has ID %s after %s", i, c.ID, got[i-1].ID)
		}
	}
	for _, e := range []canonical.WebhookEndpoint{ep, everywhere} {
		ds := deliveriesOf(t, s, f.account, store.DeliveryQuery{Endpoint: id(e.ID)})
		slices.Reverse(ds) // newest first
		var want []string
		for _, c := range es {
			if e.Subscribes(c.Kind) {
				want = append(want, c.ID)
			}
		}
		var events []string
		for i, d := range ds {
			events = append(events, d.EventID)
			if i > 0 && id(d.ID) <= id(ds[i-1].ID) {
				t.Errorf("delivery %d has ID %s after %s", i, d.ID, ds[i-1].ID)
			}
			if d.State != canonical.DeliveryPending || !d.NextAttemptAt.Equal(es[slices.IndexFunc(es, func(c canonical.Change) bool { return c.ID == d.EventID })].At) {
				t.Errorf("delivery %+v: want pending, due at its change", d)
			}
		}
		if !slices.Equal(events, want) {
			t.Errorf("endpoint %s got deliveries of %v, want %v", e.ID, events, want)
		}
	}
	// Reported queued: exactly the changes some endpoint subscribes to.
	for i, c := range es {
		if want := ep.Subscribes(c.Kind) || everywhere.Subscribes(c.Kind); queued[i] != want {
			t.Errorf("change %d (%s): reported queued %v, want %v", i, c.Kind, queued[i], want)
		}
	}
	update(t, s, func(tx store.Tx) error {
		q, err := tx.AppendEvents(ctx, f.account, nil)
		if len(q) != 0 {
			t.Errorf("appending no events reported %v", q)
		}
		return err
	})
}

// testClaims: deliveries are claimed due, one per endpoint at a time in
// order, never twice while leased, and again once a lease ends.
func testClaims(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.endpoint(t, s, 0, true, canonical.ChangeParticipantAdded)
	b := f.endpoint(t, s, 0, true, canonical.ChangeParticipantAdded, canonical.ChangeRewardEarned)
	c1 := f.change(t, s, canonical.ChangeParticipantAdded, 0)
	c2 := f.change(t, s, canonical.ChangeParticipantAdded, time.Second)
	later := f.change(t, s, canonical.ChangeRewardEarned, time.Hour)
	now, lease := t0.Add(time.Minute), t0.Add(2*time.Minute)
	claim := func(now, lease time.Time) map[string]store.DeliveryJob {
		t.Helper()
		var jobs []store.DeliveryJob
		update(t, s, func(tx store.Tx) (err error) {
			jobs, err = tx.ClaimDeliveries(ctx, now, lease, 10)
			return err
		})
		out := map[string]store.DeliveryJob{}
		for _, j := range jobs {
			if j.Delivery.AccountID != fmt.Sprint(f.account) || j.Event.ID != j.Delivery.EventID || j.Endpoint.ID != j.Delivery.EndpointID ||
				j.Endpoint.Secret != "s3cret" || j.Event.Kind != j.Delivery.Kind {
				t.Errorf("claimed job does not hang together: %+v", j)
			}
			out[j.Endpoint.ID+":"+j.Event.ID] = j
		}
		return out
	}
	var next time.Time
	view(t, s, func(tx store.Tx) (err error) { next, err = tx.NextDue(ctx); return err })
	if !next.Equal(c1.At) {
		t.Errorf("NextDue = %v, want %v", next, c1.At)
	}
	first := claim(now, lease)
	if len(first) != 2 || first[a.ID+":"+c1.ID].Delivery.ID == "" || first[b.ID+":"+c1.ID].Delivery.ID == "" {
		t.Fatalf("first claim = %v, want the first change to each endpoint", first)
	}
	if again := claim(now, lease); len(again) != 0 {
		t.Errorf("claimed again while leased: %v", again)
	}
	view(t, s, func(tx store.Tx) (err error) { next, err = tx.NextDue(ctx); return err })
	if !next.Equal(lease) {
		t.Errorf("NextDue while leased = %v, want the lease's end %v", next, lease)
	}
	// The worker died: the lease ends and the same deliveries come back.
	if back := claim(lease, lease.Add(time.Minute)); len(back) != 2 {
		t.Errorf("after the lease ended, claimed %v, want the same two", back)
	}
	// A delivered head lets the next change to that endpoint through.
	d := first[a.ID+":"+c1.ID].Delivery
	at := lease.Add(time.Minute)
	d.State, d.Attempts, d.LastAttemptAt, d.DeliveredAt, d.LastStatus = canonical.DeliveryDelivered, 1, &at, &at, 200
	update(t, s, func(tx store.Tx) error { return tx.RecordAttempt(ctx, f.account, &d) })
	// A failed attempt with a retry later keeps b's queue blocked.
	r := first[b.ID+":"+c1.ID].Delivery
	r.Attempts, r.NextAttemptAt, r.LastStatus, r.LastError, r.LastAttemptAt = 1, at.Add(time.Hour), 500, "boom", &at
	update(t, s, func(tx store.Tx) error { return tx.RecordAttempt(ctx, f.account, &r) })
	got := claim(at, at.Add(time.Minute))
	if len(got) != 1 || got[a.ID+":"+c2.ID].Delivery.ID == "" {
		t.Errorf("after delivering a's head: claimed %v, want a's second change only", got)
	}
	stored := deliveriesOf(t, s, f.account, store.DeliveryQuery{Endpoint: id(b.ID), States: []canonical.DeliveryState{canonical.DeliveryPending}})
	if len(stored) != 3 || stored[2].LastError != "boom" || stored[2].LastStatus != 500 || stored[2].Attempts != 1 {
		t.Errorf("b's pending deliveries = %+v", stored)
	}
	done, err := func() (canonical.Delivery, error) {
		var got canonical.Delivery
		err := s.View(ctx, func(tx store.Tx) (err error) { got, err = tx.GetDelivery(ctx, f.account, id(d.ID)); return err })
		return got, err
	}()
	if err != nil || done.State != canonical.DeliveryDelivered || done.DeliveredAt == nil || done.LastStatus != 200 {
		t.Errorf("delivered = %+v, %v", done, err)
	}
	// A disabled endpoint's deliveries wait.
	b.Enabled = false
	update(t, s, func(tx store.Tx) error { return tx.UpdateEndpoint(ctx, f.account, &b) })
	if got := claim(later.At.Add(24*time.Hour), later.At.Add(25*time.Hour)); len(got) != 1 {
		t.Errorf("with b disabled, claimed %v, want a's second change again (its lease ended)", got)
	}
}

// testReplay: a replay queues new deliveries of the same changes.
func testReplay(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c1 := f.change(t, s, canonical.ChangeParticipantAdded, 0)
	f.change(t, s, canonical.ChangeRewardEarned, time.Hour)
	e := f.endpoint(t, s, 0, true, canonical.ChangeParticipantAdded)
	var n int
	update(t, s, func(tx store.Tx) (err error) {
		n, err = tx.QueueDeliveries(ctx, f.account, id(e.ID), store.EventQuery{Since: t0}, t0.Add(2*time.Hour))
		return err
	})
	got := deliveriesOf(t, s, f.account, store.DeliveryQuery{Endpoint: id(e.ID)})
	if n != 2 || len(got) != 2 || got[1].EventID != c1.ID || got[1].Kind != canonical.ChangeParticipantAdded ||
		got[1].State != canonical.DeliveryPending || !got[1].NextAttemptAt.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("replay queued %d: %+v", n, got)
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.QueueDeliveries(ctx, f.account, 1<<40, store.EventQuery{}, t0)
		return err
	})
	wantErr(t, err, store.ErrNotFound)
}

// testConcurrentClaims: claimers racing for the same due deliveries get
// each at most once (replicas sharing a PostgreSQL database).
func testConcurrentClaims(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	for range 8 {
		f.endpoint(t, s, 0, true, canonical.ChangeParticipantAdded)
	}
	for i := range 5 {
		f.change(t, s, canonical.ChangeParticipantAdded, time.Duration(i)*time.Second)
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	now := t0.Add(time.Minute)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var jobs []store.DeliveryJob
			err := s.Update(ctx, func(tx store.Tx) (err error) {
				jobs, err = tx.ClaimDeliveries(ctx, now, now.Add(time.Hour), 3)
				return err
			})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, j := range jobs {
				seen[j.Delivery.ID]++
			}
		}()
	}
	wg.Wait()
	for id, n := range seen {
		if n > 1 {
			t.Errorf("delivery %s claimed %d times", id, n)
		}
	}
	if len(seen) == 0 || len(seen) > 8 {
		t.Errorf("claimed %d deliveries; want some, and at most one per endpoint", len(seen))
	}
}
