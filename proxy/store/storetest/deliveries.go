package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// testLockEndpoint: writers that lock an endpoint before a
// read-modify-write of its failure count are serialized, so no increment
// is lost (delivery workers of several replicas recording failures);
// locking an unknown or another account's endpoint is ErrNotFound.
func testLockEndpoint(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	ep := f.endpoint(t, s, 0, true, canonical.ChangeParticipantAdded)
	const writers = 12
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Update(ctx, func(tx store.Tx) error {
				e, err := tx.LockEndpoint(ctx, f.account, id(ep.ID))
				if err != nil {
					return err
				}
				e.FailureCount++
				return tx.UpdateEndpoint(ctx, f.account, &e)
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Update: %v", err)
		}
	}
	view(t, s, func(tx store.Tx) error {
		e, err := tx.GetEndpoint(ctx, f.account, id(ep.ID))
		if err != nil || e.FailureCount != writers || !e.Subscribes(canonical.ChangeParticipantAdded) {
			t.Errorf("endpoint = %+v, %v; want %d failures, kinds kept", e, err, writers)
		}
		return nil
	})
	err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.LockEndpoint(ctx, other.account, id(ep.ID))
		return err
	})
	wantErr(t, err, store.ErrNotFound)
	err = s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.LockEndpoint(ctx, f.account, 1<<40)
		return err
	})
	wantErr(t, err, store.ErrNotFound)
}

// serializesWrites reports whether s runs one write transaction at a
// time (SQLite): one write never runs while another is open.
func serializesWrites(s store.Store) bool {
	w, ok := s.(interface{ SerializesWrites() bool })
	return ok && w.SerializesWrites()
}

// testLockEndpointLetsDeliveriesIn: a transaction holding an endpoint's
// lock (a delivery worker recording a run) does not hold up another that
// queues a delivery to it (a signup): both commit, the signup first. On
// a store that runs one write at a time there is nothing to check.
func testLockEndpointLetsDeliveriesIn(t *testing.T, s store.Store) {
	if serializesWrites(s) {
		t.Skip("the store runs one write transaction at a time")
	}
	ctx := context.Background()
	f := newFixture(t, s)
	ep := f.endpoint(t, s, 0, true, canonical.ChangeParticipantAdded)
	locked, appended := make(chan struct{}), make(chan error, 1)
	go func() {
		<-locked
		// Bounds the wait of a signup held up by the lock, which would
		// otherwise last as long as the locking transaction: for ever.
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		c := canonical.Change{Kind: canonical.ChangeParticipantAdded, CampaignID: fmt.Sprint(f.campaign), At: t0,
			Participant: &canonical.Participant{Email: "ann@example.com"}}
		appended <- s.Update(actx, func(tx store.Tx) error { return tx.AppendEvent(actx, f.account, &c) })
	}()
	var (
		lock      = sync.OnceFunc(func() { close(locked) })
		appendErr error
		waited    bool
	)
	update(t, s, func(tx store.Tx) error {
		if _, err := tx.LockEndpoint(ctx, f.account, id(ep.ID)); err != nil {
			return err
		}
		lock()
		if !waited { // the function may run again, after a retryable error
			appendErr, waited = <-appended, true
		}
		return nil
	})
	if appendErr != nil {
		t.Fatalf("a signup while the endpoint was locked: %v; want it committed", appendErr)
	}
	if ds := deliveriesOf(t, s, f.account, store.DeliveryQuery{Endpoint: id(ep.ID)}); len(ds) != 1 {
		t.Fatalf("deliveries = %+v, want the signup's", ds)
	}
}

// testEventByID: an EventQuery with an ID selects that one event of the
// account, for listing and for a replay; another account's is none.
func testEventByID(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	ep := f.endpoint(t, s, 0, false, canonical.ChangeParticipantAdded)
	f.change(t, s, canonical.ChangeParticipantAdded, 0)
	b := f.change(t, s, canonical.ChangeParticipantAdded, time.Second)
	f.change(t, s, canonical.ChangeParticipantAdded, 2*time.Second)
	theirs := other.change(t, s, canonical.ChangeParticipantAdded, 0)
	update(t, s, func(tx store.Tx) error {
		got, err := tx.ListEvents(ctx, f.account, store.EventQuery{ID: id(b.ID)})
		if err != nil || len(got) != 1 || got[0].ID != b.ID {
			t.Errorf("ListEvents(ID %s) = %+v, %v", b.ID, got, err)
		}
		if got, err := tx.ListEvents(ctx, f.account, store.EventQuery{ID: id(theirs.ID)}); err != nil || len(got) != 0 {
			t.Errorf("another account's event listed: %+v, %v", got, err)
		}
		n, err := tx.QueueDeliveries(ctx, f.account, id(ep.ID), store.EventQuery{ID: id(b.ID)}, t0)
		if err != nil || n != 1 {
			t.Errorf("QueueDeliveries(ID) = %d, %v; want 1", n, err)
		}
		return nil
	})
}

// testLeaseRun: LeaseRun leases one endpoint's queue from its due head
// on, in order, up to the first leased or not yet due delivery; nothing
// of a disabled endpoint or of another account.
func testLeaseRun(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	a := f.endpoint(t, s, 0, true, canonical.ChangeParticipantAdded)
	off := f.endpoint(t, s, 0, false, canonical.ChangeParticipantAdded)
	var want []string
	for i := range 3 {
		want = append(want, f.change(t, s, canonical.ChangeParticipantAdded, time.Duration(i)*time.Second).ID)
	}
	now := t0.Add(time.Minute)
	run := func(account int64, endpoint string, at time.Time, limit int) []string {
		t.Helper()
		var run []canonical.Delivery
		update(t, s, func(tx store.Tx) (err error) {
			run, err = tx.LeaseRun(ctx, account, id(endpoint), at, at.Add(time.Hour), limit)
			return err
		})
		var events []string
		for _, d := range run {
			if d.EndpointID != endpoint || d.State != canonical.DeliveryPending {
				t.Errorf("leased %+v", d)
			}
			events = append(events, d.EventID)
		}
		return events
	}
	for _, tc := range []struct {
		name     string
		account  int64
		endpoint string
		at       time.Time
		limit    int
		want     []string
	}{
		{"head not due", f.account, a.ID, t0.Add(-time.Second), 5, nil},
		{"a run up to the first not due", f.account, a.ID, t0.Add(time.Second), 5, want[:2]},
		{"another account", other.account, a.ID, now, 5, nil},
		{"disabled", f.account, off.ID, now, 5, nil},
		{"limit", f.account, a.ID, now, 2, want[:2]},
		{"head leased", f.account, a.ID, now, 5, nil},
	} {
		if got := run(tc.account, tc.endpoint, tc.at, tc.limit); !slices.Equal(got, tc.want) {
			t.Errorf("%s: claimed %v, want %v", tc.name, got, tc.want)
		}
		if tc.name == "a run up to the first not due" {
			// The head and the second were due then, and are leased now:
			// give them back.
			ds := deliveriesOf(t, s, f.account, store.DeliveryQuery{Endpoint: id(a.ID)})
			for i := range ds {
				update(t, s, func(tx store.Tx) error { return tx.RecordAttempt(ctx, f.account, &ds[i]) })
			}
		}
	}
	ds := deliveriesOf(t, s, f.account, store.DeliveryQuery{Endpoint: id(a.ID)})
	slices.Reverse(ds)
	ds[0].State, ds[1].State = canonical.DeliveryDelivered, canonical.DeliveryPending
	for i := range 2 {
		update(t, s, func(tx store.Tx) error { return tx.RecordAttempt(ctx, f.account, &ds[i]) })
	}
	if got := run(f.account, a.ID, now, 5); !slices.Equal(got, want[1:]) {
		t.Errorf("after the head was delivered and the second given back: claimed %v, want %v", got, want[1:])
	}
}

// testRecordClaimed: a delivery's outcome is stored only while it is as
// claimed (pending, with the attempts the claim saw), so a worker whose
// lease ran out cannot overwrite another's record.
func testRecordClaimed(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	f.endpoint(t, s, 0, true, canonical.ChangeParticipantAdded)
	f.change(t, s, canonical.ChangeParticipantAdded, 0)
	now := t0.Add(time.Minute)
	var jobs []store.DeliveryJob
	update(t, s, func(tx store.Tx) (err error) {
		jobs, err = tx.ClaimDeliveries(ctx, now, now.Add(time.Hour), 5)
		return err
	})
	if len(jobs) != 1 {
		t.Fatalf("claimed %d", len(jobs))
	}
	record := func(d canonical.Delivery, attempts int) bool {
		var ok []bool
		update(t, s, func(tx store.Tx) (err error) {
			ok, err = tx.RecordClaimed(ctx, f.account, []store.Outcome{{Delivery: d, Claimed: attempts}})
			return err
		})
		if len(ok) != 1 {
			t.Fatalf("RecordClaimed of one outcome reported %d", len(ok))
		}
		return ok[0]
	}
	first := jobs[0].Delivery
	first.Attempts, first.LastStatus = 1, 500
	if !record(first, 0) {
		t.Fatal("the claimed delivery was not recorded")
	}
	late := jobs[0].Delivery
	late.State, late.Attempts = canonical.DeliveryDelivered, 1
	if record(late, 0) {
		t.Fatal("a record of a stale claim overwrote the first")
	}
	ds := deliveriesOf(t, s, f.account, store.DeliveryQuery{})
	if len(ds) != 1 || ds[0].State != canonical.DeliveryPending || ds[0].Attempts != 1 || ds[0].LastStatus != 500 {
		t.Fatalf("deliveries = %+v", ds)
	}
	ds[0].State = canonical.DeliveryDelivered
	if !record(ds[0], 1) {
		t.Fatal("a record as of the current attempts was refused")
	}
	if record(ds[0], 1) {
		t.Fatal("a delivered delivery was recorded again")
	}
}

// testRecordClaimedRun: a run's outcomes are recorded together, each only
// if its delivery is still as claimed, and RecordClaimed says which in the
// order given; outcomes that differ (a failure after deliveries, a
// delivery given back) keep their own state, attempts, times and errors.
func testRecordClaimedRun(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	ep := f.endpoint(t, s, 0, true, canonical.ChangeParticipantAdded)
	for i := range 5 {
		f.change(t, s, canonical.ChangeParticipantAdded, time.Duration(i)*time.Second)
	}
	now := t0.Add(time.Minute)
	var run []canonical.Delivery
	update(t, s, func(tx store.Tx) (err error) {
		run, err = tx.LeaseRun(ctx, f.account, id(ep.ID), now, now.Add(time.Hour), 10)
		return err
	})
	if len(run) != 5 {
		t.Fatalf("leased %d deliveries, want 5", len(run))
	}
	// Another worker recorded the third first.
	third := run[2]
	third.Attempts, third.State = 1, canonical.DeliveryDelivered
	update(t, s, func(tx store.Tx) error { return tx.RecordAttempt(ctx, f.account, &third) })

	delivered := func(d canonical.Delivery) canonical.Delivery {
		d.State, d.Attempts, d.LastStatus, d.LastAttemptAt, d.DeliveredAt = canonical.DeliveryDelivered, 1, 200, &now, &now
		return d
	}
	failed := run[3]
	retry := now.Add(time.Minute)
	failed.Attempts, failed.LastStatus, failed.LastError, failed.LastAttemptAt, failed.NextAttemptAt = 1, 503, "endpoint answered HTTP 503", &now, retry
	outcomes := []store.Outcome{
		{Delivery: delivered(run[0])},
		{Delivery: delivered(run[1])},
		{Delivery: delivered(run[2])},
		{Delivery: failed},
		{Delivery: run[4]}, // given back unattempted
	}
	var stored []bool
	update(t, s, func(tx store.Tx) (err error) {
		stored, err = tx.RecordClaimed(ctx, f.account, outcomes)
		return err
	})
	if want := []bool{true, true, false, true, true}; !slices.Equal(stored, want) {
		t.Fatalf("stored %v, want %v", stored, want)
	}
	ds := deliveriesOf(t, s, f.account, store.DeliveryQuery{Endpoint: id(ep.ID)})
	slices.Reverse(ds)
	for i, d := range ds {
		want := outcomes[i].Delivery
		if i == 2 {
			want = third
		}
		if d.ID != want.ID || d.State != want.State || d.Attempts != want.Attempts || d.LastStatus != want.LastStatus ||
			d.LastError != want.LastError || !d.NextAttemptAt.Equal(want.NextAttemptAt) ||
			(d.DeliveredAt == nil) != (want.DeliveredAt == nil) || (d.LastAttemptAt == nil) != (want.LastAttemptAt == nil) {
			t.Errorf("delivery %d = %+v, want %+v", i, d, want)
		}
	}
	// Both are pending again with their leases ended: once the failed
	// one's retry falls due, a run takes it and then the one given back.
	var again []canonical.Delivery
	update(t, s, func(tx store.Tx) (err error) {
		again, err = tx.LeaseRun(ctx, f.account, id(ep.ID), retry, retry.Add(time.Hour), 10)
		return err
	})
	if len(again) != 2 || again[0].ID != run[3].ID || again[1].ID != run[4].ID {
		t.Errorf("after the run, leased %+v; want the failed delivery, then the one given back", again)
	}
}
