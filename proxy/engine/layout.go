package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/refbridge/refbridge/proxy/store"
)

// Open returns an engine over st after bringing the rank trees of every
// campaign to the current layout (see ranks.go), and reads the
// installation's ID secret, generating it on a store's first start (see
// IDSecret). Use it, not New, over a store that may hold data written by
// an earlier version, and wherever vendor IDs are rendered.
//
// Store migration 003 lists the campaigns whose member sets are still
// sparse Fenwick trees over ordinals; each is converted in one transaction
// that holds the campaign's write lock, so a conversion is all or
// nothing, and several processes opening the same store convert each
// campaign once. Processes of an earlier version must not write to the
// store once one of this version has opened it.
func Open(ctx context.Context, st store.Store, opts *Options) (*Engine, error) {
	e := New(st, opts)
	secret, err := loadIDSecret(ctx, st, e.rand)
	if err != nil {
		return nil, err
	}
	e.idSecret = secret
	var pending []store.CampaignRef
	if err := st.View(ctx, func(tx store.Tx) error {
		var err error
		pending, err = tx.RankLayoutPending(ctx)
		return err
	}); err != nil {
		return nil, fmt.Errorf("engine: list campaigns to convert: %w", err)
	}
	for _, c := range pending {
		if err := st.Update(ctx, func(tx store.Tx) error { return convertLayout(ctx, tx, c) }); err != nil {
			return nil, fmt.Errorf("engine: convert the rank trees of campaign %d: %w", c.Campaign, err)
		}
	}
	return e, nil
}

// convertLayout rewrites one campaign's old member sets as dense ones.
func convertLayout(ctx context.Context, tx store.Tx, c store.CampaignRef) error {
	if _, err := tx.LockCampaign(ctx, c.Account, c.Campaign); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if was, err := tx.ClearRankLayoutPending(ctx, c.Campaign); err != nil || !was {
		return err // converted by another process meanwhile, or failed
	}
	names, err := tx.RankTreeNames(ctx, c.Campaign)
	if err != nil {
		return err
	}
	// The old trees go last, in one statement per few hundred: deleting
	// millions of rows grows SQLite's savepoint journal, which every later
	// statement of the transaction would walk.
	var old []string
	for _, name := range names {
		if !oldMemberSet(name) {
			continue
		}
		old = append(old, name)
		nodes, err := tx.RankTree(ctx, c.Campaign, name)
		if err != nil {
			return err
		}
		ords, err := fenwickMembers(nodes)
		if err != nil {
			return fmt.Errorf("tree %s: %w", name, err)
		}
		trees := map[string]map[int64]int64{}
		memberSet(trees, name, ords)
		for tree, nodes := range trees {
			if err := tx.AddNodes(ctx, c.Campaign, tree, nodes); err != nil {
				return err
			}
		}
	}
	return tx.DeleteRankTrees(ctx, c.Campaign, old)
}

// oldMemberSet reports whether tree is a member set in the layout before
// the dense one: del, <board>:gone, <board>:pos or <board>:s:<score>.
func oldMemberSet(tree string) bool {
	if strings.Contains(tree, "#") {
		return false
	}
	return tree == "del" || strings.HasSuffix(tree, ":gone") || strings.HasSuffix(tree, ":pos") || strings.Contains(tree, ":s:")
}

// fenwickMembers recovers the members of a set kept as a sparse Fenwick
// tree of unit counts: the value at i is node i less the nodes of its
// children, i−1, i−2, i−4, … down to i−lowbit(i)/2. A member's node is never
// 0, so only present nodes can be members. Any value but 0 or 1 means the
// tree is not a member set, and nothing is converted.
func fenwickMembers(nodes map[int64]int64) ([]int64, error) {
	var ords []int64
	for i, v := range nodes {
		if i < 1 || i > fenwickSize {
			return nil, fmt.Errorf("node %d out of range", i)
		}
		for step := int64(1); step < i&-i; step <<= 1 {
			v -= nodes[i-step]
		}
		switch v {
		case 0:
		case 1:
			ords = append(ords, i)
		default:
			return nil, fmt.Errorf("ordinal %d counted %d times", i, v)
		}
	}
	return ords, nil
}
