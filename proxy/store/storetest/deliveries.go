package storetest

import (
	"context"
	"sync"
	"testing"

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
