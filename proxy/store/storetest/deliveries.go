package storetest

import (
	"context"
	"errors"
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

// testClaimNext: ClaimNext leases the due head of one endpoint's queue,
// nothing behind a leased or not yet due head, nothing of a disabled
// endpoint or of another account.
func testClaimNext(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	other := newFixture(t, s)
	a := f.endpoint(t, s, 0, true, canonical.ChangeParticipantAdded)
	off := f.endpoint(t, s, 0, false, canonical.ChangeParticipantAdded)
	first := f.change(t, s, canonical.ChangeParticipantAdded, 0)
	second := f.change(t, s, canonical.ChangeParticipantAdded, time.Second)
	now := t0.Add(time.Minute)
	claimNext := func(account int64, endpoint string, at time.Time) (store.DeliveryJob, error) {
		var job store.DeliveryJob
		err := s.Update(ctx, func(tx store.Tx) (err error) {
			job, err = tx.ClaimNext(ctx, account, id(endpoint), at, at.Add(time.Hour))
			return err
		})
		return job, err
	}
	if _, err := claimNext(f.account, a.ID, t0.Add(-time.Second)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claimed before due: %v", err)
	}
	if _, err := claimNext(other.account, a.ID, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claimed another account's endpoint: %v", err)
	}
	if _, err := claimNext(f.account, off.ID, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claimed for a disabled endpoint: %v", err)
	}
	job, err := claimNext(f.account, a.ID, now)
	if err != nil || job.Event.ID != first.ID || job.Endpoint.ID != a.ID {
		t.Fatalf("ClaimNext = %+v, %v; want the first event", job, err)
	}
	if _, err := claimNext(f.account, a.ID, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claimed behind a leased head: %v", err)
	}
	d := job.Delivery
	d.State, d.Attempts = canonical.DeliveryDelivered, 1
	update(t, s, func(tx store.Tx) error { return tx.RecordAttempt(ctx, f.account, &d) })
	if job, err = claimNext(f.account, a.ID, now); err != nil || job.Event.ID != second.ID {
		t.Fatalf("ClaimNext after the head was delivered = %+v, %v; want the second event", job, err)
	}
}
