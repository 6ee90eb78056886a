package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/refbridge/refbridge/proxy/store"
)

// testCancelledWrites holds Update to all-or-nothing when the caller's
// context is cancelled (a client hanging up mid-request): cancelled while
// the function runs, nothing of it is stored and Update reports the
// cancellation; cancelled after the function returned nil, the write
// commits and Update reports success. Either way Update's answer says
// what the database holds, and rank nodes agree with it.
func testCancelledWrites(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	// write inserts participants and a rank node, cancelling after the
	// k-th participant (k < 0: never), and fails at the next call if
	// cancelled before it.
	write := func(ctx context.Context, cancel func(), tag string, k int) func(store.Tx) error {
		return func(tx store.Tx) error {
			for i := range 3 {
				ord, err := tx.NextOrdinal(ctx, f.account, f.campaign)
				if err != nil {
					return err
				}
				p := store.Participant{Ord: ord}
				p.CampaignID, p.Email = fmt.Sprint(f.campaign), fmt.Sprintf("%s-%d@example.com", tag, i)
				if err := tx.InsertParticipant(ctx, f.account, &p); err != nil {
					return err
				}
				if err := tx.AddNodes(ctx, f.campaign, "cancel:"+tag, map[int64]int64{1: 1, 2: 1}); err != nil {
					return err
				}
				if i == k {
					cancel()
				}
			}
			return nil
		}
	}
	stored := func(tag string) (participants int, node int64) {
		view(t, s, func(tx store.Tx) error {
			ctx := context.Background()
			for i := range 3 {
				_, err := tx.FindParticipant(ctx, f.account, f.campaign, "email", fmt.Sprintf("%s-%d@example.com", tag, i))
				if err == nil {
					participants++
				} else if !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
			sums, err := tx.SumNodeSets(ctx, f.campaign, []store.NodeSet{{Tree: "cancel:" + tag, Nodes: []int64{1}}})
			node = sums[0]
			return err
		})
		return participants, node
	}
	for _, k := range []int{0, 1} {
		tag := fmt.Sprintf("mid%d", k)
		ctx, cancel := context.WithCancel(context.Background())
		err := s.Update(ctx, write(ctx, cancel, tag, k))
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after participant %d: Update = %v, want context.Canceled", k, err)
		}
		if n, node := stored(tag); n != 0 || node != 0 {
			t.Errorf("cancelled after participant %d: %d participants and rank node %d stored, want none", k, n, node)
		}
	}
	// Cancelled after the function returned: the write is whole.
	ctx, cancel := context.WithCancel(context.Background())
	err := s.Update(ctx, func(tx store.Tx) error {
		err := write(ctx, func() {}, "late", -1)(tx)
		cancel()
		return err
	})
	if err != nil {
		t.Errorf("cancelled after the function returned: Update = %v, want nil (the commit goes ahead)", err)
	}
	if n, node := stored("late"); n != 3 || node != 3 {
		t.Errorf("cancelled after the function returned: %d participants and rank node %d stored, want 3 and 3", n, node)
	}
	// A context cancelled before Update runs nothing.
	err = s.Update(ctx, write(ctx, func() {}, "before", -1))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: Update = %v, want context.Canceled", err)
	}
	if n, node := stored("before"); n != 0 || node != 0 {
		t.Errorf("cancelled before: %d participants and rank node %d stored, want none", n, node)
	}
	// Nothing is left half-open: the store goes on writing.
	f.addParticipant(t, s, "after@example.com", 0)
}
