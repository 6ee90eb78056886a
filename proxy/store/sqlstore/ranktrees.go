package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/refbridge/refbridge/proxy/store"
)

func (t *tx) AddNodes(ctx context.Context, campaign int64, tree string, deltas map[int64]int64) error {
	nodes := make([]int64, 0, len(deltas))
	for node, d := range deltas {
		if d != 0 {
			nodes = append(nodes, node)
		}
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i] < nodes[j] })
	rows := make([][]any, len(nodes))
	for i, node := range nodes {
		rows[i] = []any{campaign, tree, node, deltas[node]}
	}
	err := t.execRows(ctx, `INSERT INTO rank_nodes (campaign_id, tree, node, n)`, 4,
		`ON CONFLICT (campaign_id, tree, node) DO UPDATE SET n = rank_nodes.n + excluded.n`, rows)
	if t.s.nodes != nil {
		// Marked even on failure: the statement may have changed some
		// rows before it failed, and a touched tree is only read from
		// the table.
		if t.touched == nil {
			t.touched = map[treeKey]bool{}
		}
		t.touched[treeKey{campaign, tree}] = true
	}
	if err == nil && t.s.nodes != nil {
		for _, node := range nodes {
			t.deltas = append(t.deltas, nodeDelta{nodeKey{campaign, tree, node}, deltas[node]})
		}
	}
	return err
}

func (t *tx) SumNodeSets(ctx context.Context, campaign int64, sets []store.NodeSet) ([]int64, error) {
	out := make([]int64, len(sets))
	// Every distinct node of every set is read once, from the node cache
	// where it can serve this transaction, else with one statement; the
	// sums are made here.
	var keys []nodeKey
	seen := map[nodeKey]bool{}
	for _, set := range sets {
		for _, n := range set.Nodes {
			k := nodeKey{campaign, set.Tree, n}
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	vals := make(map[nodeKey]int64, len(keys))
	missing, cacheable := keys, false
	seq := t.seq
	var own []nodeKey // nodes of trees this write transaction changed
	switch {
	case t.readOnly && t.s.nodes != nil:
		missing, cacheable = t.s.nodes.get(seq, keys, vals)
	case t.grouped && t.s.nodes != nil && !t.wiped:
		// The group writer: the cache holds the committed state this
		// transaction started from, right for every tree it has not
		// written.
		var clean []nodeKey
		for _, k := range keys {
			if t.touched[treeKey{k.campaign, k.tree}] {
				own = append(own, k)
			} else {
				clean = append(clean, k)
			}
		}
		seq = t.s.nodes.begin()
		missing, cacheable = t.s.nodes.get(seq, clean, vals)
	}
	if cacheable && len(missing) > 0 {
		var err error
		if missing, err = t.loadWhole(ctx, campaign, seq, sets, missing, vals); err != nil {
			return nil, err
		}
	}
	if len(missing)+len(own) > 0 {
		fetched, err := t.readNodes(ctx, campaign, append(missing, own...))
		if err != nil {
			return nil, err
		}
		for k, n := range fetched {
			vals[k] = n
		}
		if cacheable {
			for _, k := range own {
				delete(fetched, k)
			}
			t.s.nodes.put(seq, fetched)
		}
	}
	for i, set := range sets {
		for _, n := range set.Nodes {
			out[i] += vals[nodeKey{campaign, set.Tree, n}]
		}
	}
	return out, nil
}

func (t *tx) RankTreeNames(ctx context.Context, campaign int64) ([]string, error) {
	rows, err := t.query(ctx, `SELECT DISTINCT tree FROM rank_nodes WHERE campaign_id = ? ORDER BY tree`, campaign)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var tree string
		if err := rows.Scan(&tree); err != nil {
			return nil, err
		}
		out = append(out, tree)
	}
	return out, rows.Err()
}

func (t *tx) RankTree(ctx context.Context, campaign int64, tree string) (map[int64]int64, error) {
	return t.treeNodes(ctx, campaign, tree, -1)
}

// treeNodes reads the nodes of one tree, at most limit+1 of them when limit
// is not negative.
func (t *tx) treeNodes(ctx context.Context, campaign int64, tree string, limit int) (map[int64]int64, error) {
	q, args := `SELECT node, n FROM rank_nodes WHERE campaign_id = ? AND tree = ?`, []any{campaign, tree}
	if limit >= 0 {
		q, args = q+` LIMIT +?`, append(args, limit+1)
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	nodes := map[int64]int64{}
	for rows.Next() {
		var node, n int64
		if err := rows.Scan(&node, &n); err != nil {
			return nil, err
		}
		nodes[node] = n
	}
	return nodes, rows.Err()
}

// groupTrees reads the trees whose names start with prefix, stopping
// after limit+1 nodes; n is how many it read.
func (t *tx) groupTrees(ctx context.Context, campaign int64, prefix string, limit int) (trees map[string]map[int64]int64, n int, err error) {
	// The names with the prefix sort from the prefix itself up to, not
	// including, the prefix with its last byte raised by one.
	end := prefix[:len(prefix)-1] + string([]byte{prefix[len(prefix)-1] + 1})
	rows, err := t.query(ctx, `SELECT tree, node, n FROM rank_nodes WHERE campaign_id = ? AND tree >= ? AND tree < ? LIMIT +?`,
		campaign, prefix, end, limit+1)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	trees = map[string]map[int64]int64{}
	var (
		name    sql.RawBytes // valid until the next row
		curName string
		cur     map[int64]int64
	)
	for rows.Next() {
		var node, v int64
		if err := rows.Scan(&name, &node, &v); err != nil {
			return nil, 0, err
		}
		if cur == nil || string(name) != curName {
			// Rows come in key order, a tree's together; if not, the
			// tree's map is found again.
			curName = string(name)
			if cur = trees[curName]; cur == nil {
				cur = map[int64]int64{}
				trees[curName] = cur
			}
		}
		cur[node] = v
		n++
	}
	return trees, n, rows.Err()
}

func (t *tx) DeleteRankTrees(ctx context.Context, campaign int64, trees []string) error {
	if len(trees) == 0 {
		return nil
	}
	// Few statements: in a large transaction each statement's end costs
	// SQLite a walk of the savepoint journal.
	const chunk = 500
	for len(trees) > 0 {
		n := min(chunk, len(trees))
		args := []any{campaign}
		for _, tree := range trees[:n] {
			args = append(args, tree)
		}
		if _, err := t.exec(ctx, `DELETE FROM rank_nodes WHERE campaign_id = ? AND tree IN (`+placeholders(n)+`)`, args...); err != nil {
			return err
		}
		trees = trees[n:]
	}
	// Rare (layout conversions): the node cache forgets everything when
	// this commits, and this transaction reads nodes from the table.
	t.wiped = true
	return nil
}

func (t *tx) RankLayoutPending(ctx context.Context) ([]store.CampaignRef, error) {
	rows, err := t.query(ctx, `SELECT c.account_id, c.id FROM rank_layout_pending p JOIN campaigns c ON c.id = p.campaign_id ORDER BY c.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.CampaignRef
	for rows.Next() {
		var r store.CampaignRef
		if err := rows.Scan(&r.Account, &r.Campaign); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *tx) ClearRankLayoutPending(ctx context.Context, campaign int64) (bool, error) {
	res, err := t.exec(ctx, `DELETE FROM rank_layout_pending WHERE campaign_id = ?`, campaign)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// loadWhole reads whole each group, then each tree, that sets mark Whole
// and missing needs, unless it is too large, fills vals with the missing
// nodes it read, hands what it read to the node cache, and returns the
// nodes still missing.
func (t *tx) loadWhole(ctx context.Context, campaign int64, seq uint64, sets []store.NodeSet, missing []nodeKey, vals map[nodeKey]int64) ([]nodeKey, error) {
	for _, set := range sets {
		// A write transaction reads the trees it wrote from the table,
		// uncommitted: never hand those to the cache, which holds
		// committed state and adds the transaction's deltas on commit.
		if !set.Whole || set.Group == "" || set.Group[len(set.Group)-1] == 0xff || !strings.HasPrefix(set.Tree, set.Group) ||
			t.touchedIn(campaign, set.Group) || !t.s.nodes.groupLoadable(campaign, set.Group) ||
			!slices.ContainsFunc(missing, func(k nodeKey) bool { return strings.HasPrefix(k.tree, set.Group) }) {
			continue
		}
		trees, n, err := t.groupTrees(ctx, campaign, set.Group, maxWholeGroup)
		if err != nil {
			return nil, err
		}
		if n > maxWholeGroup {
			t.s.nodes.groupTooLarge(campaign, set.Group)
			continue
		}
		// Read before the cache takes the maps: commits change them there.
		rest := missing[:0:0]
		for _, k := range missing {
			if strings.HasPrefix(k.tree, set.Group) {
				vals[k] = trees[k.tree][k.node]
			} else {
				rest = append(rest, k)
			}
		}
		missing = rest
		t.s.nodes.putTrees(seq, campaign, set.Group, trees)
	}
	for _, set := range sets {
		tk := treeKey{campaign, set.Tree}
		if !set.Whole || t.touched[tk] || !slices.ContainsFunc(missing, func(k nodeKey) bool { return k.tree == set.Tree }) || !t.s.nodes.loadable(tk) {
			continue
		}
		nodes, err := t.treeNodes(ctx, campaign, set.Tree, maxWholeTree)
		if err != nil {
			return nil, err
		}
		if len(nodes) > maxWholeTree {
			t.s.nodes.tooLarge(tk)
			continue
		}
		rest := missing[:0:0]
		for _, k := range missing {
			if k.tree == set.Tree {
				vals[k] = nodes[k.node]
			} else {
				rest = append(rest, k)
			}
		}
		missing = rest
		t.s.nodes.putTrees(seq, campaign, "", map[string]map[int64]int64{set.Tree: nodes})
	}
	return missing, nil
}

// touchedIn reports whether the transaction wrote a tree of campaign
// whose name starts with prefix.
func (t *tx) touchedIn(campaign int64, prefix string) bool {
	for k := range t.touched {
		if k.campaign == campaign && strings.HasPrefix(k.tree, prefix) {
			return true
		}
	}
	return false
}

// readNodes reads nodes from the table; nodes without a row are 0.
func (t *tx) readNodes(ctx context.Context, campaign int64, keys []nodeKey) (map[nodeKey]int64, error) {
	if t.s.d.NodesPerTree {
		return t.readNodesPerTree(ctx, campaign, keys)
	}
	out := make(map[nodeKey]int64, len(keys))
	trees := make([]string, len(keys))
	nodes := make([]int64, len(keys))
	for i, k := range keys {
		trees[i], nodes[i] = k.tree, k.node
		out[k] = 0
	}
	cond, pairArgs := t.s.d.PairList("tree", "node", trees, nodes)
	rows, err := t.query(ctx, `SELECT tree, node, n FROM rank_nodes WHERE campaign_id = ? AND `+cond,
		append([]any{campaign}, pairArgs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		k := nodeKey{campaign: campaign}
		var n int64
		if err := rows.Scan(&k.tree, &k.node, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// nodeListSizes are the IN-list lengths readNodesPerTree prepares; a
// longer list is read in chunks of the largest.
var nodeListSizes = []int{4, 8, 16, 32}

// readNodesPerTree is readNodes with one statement per tree and chunk.
func (t *tx) readNodesPerTree(ctx context.Context, campaign int64, keys []nodeKey) (map[nodeKey]int64, error) {
	out := make(map[nodeKey]int64, len(keys))
	byTree := map[string][]int64{}
	var trees []string
	for _, k := range keys {
		out[k] = 0
		if _, ok := byTree[k.tree]; !ok {
			trees = append(trees, k.tree)
		}
		byTree[k.tree] = append(byTree[k.tree], k.node)
	}
	for _, tree := range trees {
		nodes := byTree[tree]
		for len(nodes) > 0 {
			size := nodeListSizes[len(nodeListSizes)-1]
			for _, sz := range nodeListSizes {
				if len(nodes) <= sz {
					size = sz
					break
				}
			}
			chunk := nodes[:min(size, len(nodes))]
			nodes = nodes[len(chunk):]
			args := make([]any, 0, 2+size)
			args = append(args, campaign, tree)
			for i := range size {
				// Padding repeats the last node: no extra rows, same text.
				args = append(args, chunk[min(i, len(chunk)-1)])
			}
			rows, err := t.query(ctx, `SELECT node, n FROM rank_nodes WHERE campaign_id = ? AND tree = ? AND node IN (?`+
				strings.Repeat(", ?", size-1)+`)`, args...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var node, n int64
				if err := rows.Scan(&node, &n); err != nil {
					rows.Close()
					return nil, err
				}
				out[nodeKey{campaign, tree, node}] = n
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
