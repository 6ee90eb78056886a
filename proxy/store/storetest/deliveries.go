package storetest

import (
	"context"
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
