package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

func setGroupID(g *canonical.CouponGroup, id string)     { g.ID = id }
func setCouponID(c *canonical.Coupon, id string)         { c.ID = id }
func setActionID(a *canonical.SpecificAction, id string) { a.ID = id }

func (t *tx) InsertCouponGroup(ctx context.Context, account int64, g *canonical.CouponGroup) error {
	cp := *g
	cp.ID, cp.Coupons = "", nil
	doc, err := encode(cp)
	if err != nil {
		return err
	}
	id, err := t.insertID(ctx, `INSERT INTO coupon_groups (account_id, campaign_id, created_at, doc) VALUES (?, ?, ?, ?)`,
		account, atoi(g.CampaignID), ms(g.CreatedAt), doc)
	if err != nil {
		return err
	}
	g.ID = itoa(id)
	return nil
}

func (t *tx) GetCouponGroup(ctx context.Context, account, id int64) (canonical.CouponGroup, error) {
	return getDoc(ctx, t, setGroupID, `SELECT id, doc FROM coupon_groups WHERE account_id = ? AND id = ?`, account, id)
}

func (t *tx) ListCouponGroups(ctx context.Context, account, campaign, before int64, limit int) ([]canonical.CouponGroup, error) {
	w := where{}
	w.add("account_id = ?", account)
	w.add("campaign_id = ?", campaign)
	if before > 0 {
		w.add("id < ?", before)
	}
	return listDocs(ctx, t, setGroupID, `SELECT id, doc FROM coupon_groups`+w.sql()+` ORDER BY id DESC LIMIT +?`,
		append(w.args, limitOf(limit))...)
}

func couponArgs(c *canonical.Coupon) ([]any, error) {
	cp := *c
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return nil, err
	}
	return []any{atoi(c.CampaignID), nullID(atoi(c.GroupID)), nullID(atoi(c.ParticipantID)), store.Key(c.Code), ms(c.CreatedAt), doc}, nil
}

func (t *tx) InsertCoupon(ctx context.Context, account int64, c *canonical.Coupon) error {
	args, err := couponArgs(c)
	if err != nil {
		return err
	}
	id, err := t.insertUnique(ctx, `INSERT INTO coupons (account_id, campaign_id, group_id, participant_id, code_key, created_at, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, append([]any{account}, args...)...)
	if err != nil {
		return err
	}
	c.ID = itoa(id)
	return nil
}

func (t *tx) GetCoupon(ctx context.Context, account, id int64) (canonical.Coupon, error) {
	return getDoc(ctx, t, setCouponID, `SELECT id, doc FROM coupons WHERE account_id = ? AND id = ?`, account, id)
}

func (t *tx) UpdateCoupon(ctx context.Context, account int64, c *canonical.Coupon) error {
	args, err := couponArgs(c)
	if err != nil {
		return err
	}
	return t.guard(ctx, false, func() error {
		return affected(t.exec(ctx, `UPDATE coupons SET campaign_id = ?, group_id = ?, participant_id = ?, code_key = ?, created_at = ?,
		doc = ? WHERE account_id = ? AND id = ?`, append(args, account, atoi(c.ID))...))
	})
}

func (t *tx) DeleteCoupon(ctx context.Context, account, id int64) error {
	return affected(t.exec(ctx, `DELETE FROM coupons WHERE account_id = ? AND id = ?`, account, id))
}

func (t *tx) ListCoupons(ctx context.Context, account int64, q store.CouponQuery) ([]canonical.Coupon, error) {
	w := where{}
	w.add("account_id = ?", account)
	if q.Campaign != 0 {
		w.add("campaign_id = ?", q.Campaign)
	}
	if q.Group != 0 {
		w.add("group_id = ?", q.Group)
	}
	if q.Participant != 0 {
		w.add("participant_id = ?", q.Participant)
	}
	if q.Owned {
		w.add("group_id IS NULL")
		w.add("participant_id IS NOT NULL")
	}
	order := " ORDER BY id DESC"
	if q.Group != 0 {
		order = " ORDER BY id ASC"
	}
	if q.Before > 0 {
		w.add("id < ?", q.Before)
	}
	return listDocs(ctx, t, setCouponID, `SELECT id, doc FROM coupons`+w.sql()+order+` LIMIT +?`,
		append(w.args, limitOf(q.Limit))...)
}

func (t *tx) InsertSpecificAction(ctx context.Context, account int64, a *canonical.SpecificAction) error {
	cp := *a
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return err
	}
	id, err := t.insertID(ctx, `INSERT INTO specific_actions (account_id, campaign_id, referrer_id, created_at, doc) VALUES (?, ?, ?, ?, ?)`,
		account, atoi(a.CampaignID), atoi(a.ReferrerID), ms(a.CreatedAt), doc)
	if err != nil {
		return err
	}
	a.ID = itoa(id)
	return nil
}

func (t *tx) ListSpecificActions(ctx context.Context, account, campaign, before int64, limit int) ([]canonical.SpecificAction, error) {
	w := where{}
	w.add("account_id = ?", account)
	w.add("campaign_id = ?", campaign)
	if before > 0 {
		w.add("id < ?", before)
	}
	return listDocs(ctx, t, setActionID, `SELECT id, doc FROM specific_actions`+w.sql()+` ORDER BY id DESC LIMIT +?`,
		append(w.args, limitOf(limit))...)
}

func (t *tx) AddCounters(ctx context.Context, campaign, scope int64, deltas map[string]int64) error {
	names := make([]string, 0, len(deltas))
	for name, d := range deltas {
		if d != 0 {
			names = append(names, name)
		}
	}
	sort.Strings(names) // a fixed order keeps concurrent upserts from deadlocking
	rows := make([][]any, len(names))
	for i, name := range names {
		rows[i] = []any{campaign, scope, name, deltas[name]}
	}
	return t.execRows(ctx, `INSERT INTO counters (campaign_id, scope, name, n)`, 4,
		`ON CONFLICT (campaign_id, scope, name) DO UPDATE SET n = counters.n + excluded.n`, rows)
}

func (t *tx) AddCounterRows(ctx context.Context, campaign int64, rows []store.CounterRow) error {
	sorted := make([]store.CounterRow, 0, len(rows))
	for _, r := range rows {
		if r.Delta != 0 {
			sorted = append(sorted, r)
		}
	}
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Scope != sorted[j].Scope {
			return sorted[i].Scope < sorted[j].Scope
		}
		return sorted[i].Name < sorted[j].Name
	})
	vals := make([][]any, len(sorted))
	for i, r := range sorted {
		vals[i] = []any{campaign, r.Scope, r.Name, r.Delta}
	}
	return t.execRows(ctx, `INSERT INTO counters (campaign_id, scope, name, n)`, 4,
		`ON CONFLICT (campaign_id, scope, name) DO UPDATE SET n = counters.n + excluded.n`, vals)
}

func (t *tx) Counters(ctx context.Context, campaign, scope int64) (map[string]int64, error) {
	rows, err := t.query(ctx, `SELECT name, n FROM counters WHERE campaign_id = ? AND scope = ?`, campaign, scope)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var (
			name string
			n    int64
		)
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, rows.Err()
}

func (t *tx) DeleteCounters(ctx context.Context, campaign, scope int64) error {
	if _, err := t.exec(ctx, `DELETE FROM counters WHERE campaign_id = ? AND scope = ?`, campaign, scope); err != nil {
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM seen WHERE campaign_id = ? AND scope = ?`, campaign, scope)
	return err
}

func (t *tx) MarkSeen(ctx context.Context, campaign, scope int64, set, key string) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO seen (campaign_id, scope, set_name, key) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		campaign, scope, set, key)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

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

func (t *tx) RankLayoutConverted(ctx context.Context, campaign int64) (bool, error) {
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
