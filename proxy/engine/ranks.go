package engine

import (
	"context"
	"math/bits"
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/proxy/store"
)

// Ranks are answered without scanning the campaign. For a board (all-time
// referrals, points, or one month's referrals) a participant with score s
// and ordinal o ranks
//
//	1 + #{score > s} + #{score = s, ordinal < o}
//
// and both counts come from trees kept in the store:
//
//	<board>:v       a sparse Fenwick tree over score values: how many
//	                participants have each positive score;
//	<board>:s:<s>   a member set over ordinals, one per positive score s;
//	<board>:n       one node (1): how many participants have a positive
//	                score;
//	<board>:gone    (all-time and points boards) the set of ordinals of
//	                participants with a positive score or deleted;
//	<board>:pos     (month boards) the set of ordinals of participants
//	                with a positive score;
//	del             the set of ordinals of deleted participants.
//
// Score 0 has no set of its own: the participants with score 0 before o
// are those before o that are neither positive nor deleted. The boards
// that live for ever keep both in one set, so a zero-score lookup counts
// one prefix; a month board starts empty in its month and cannot know
// earlier deletions, so it subtracts del and pos separately.
//
// A member set is dense: ordinals are grouped in blocks of 63, and the set
// is two trees,
//
//	<set>#w   node b: block b's membership word, bit k for ordinal
//	          63(b−1)+k+1 (kept as sums of ±2^k deltas, which add up to
//	          exactly that word while every ordinal is in or out once);
//	<set>#c   a sparse Fenwick tree over blocks: members per block;
//
// so the members up to o are a prefix of #c (at most 31 nodes, about 14 for
// a million ordinals) plus the popcount of one word, and a set of a million
// ordinals is at most about 32,000 nodes, so a store can hold a board's
// trees whole in memory (a million-participant campaign's all-time board
// is about 122,000 nodes). A membership change writes one word and the #c
// path of its block.

// fenwickSize bounds scores and ordinals (2³¹−1 of each per campaign).
const fenwickSize = 1<<31 - 1

// upPath lists the nodes an update at i touches.
func upPath(i int64) []int64 {
	var out []int64
	for ; i > 0 && i <= fenwickSize; i += i & -i {
		out = append(out, i)
	}
	return out
}

// downPath lists the nodes whose sum is the prefix sum up to i.
func downPath(i int64) []int64 {
	if i > fenwickSize {
		i = fenwickSize
	}
	var out []int64
	for ; i > 0; i -= i & -i {
		out = append(out, i)
	}
	return out
}

// treeDeltas accumulates node deltas per tree so one score change writes
// each node once.
type treeDeltas map[string]map[int64]int64

func (d treeDeltas) add(tree string, i, delta int64) {
	if d[tree] == nil {
		d[tree] = map[int64]int64{}
	}
	for _, n := range upPath(i) {
		d[tree][n] += delta
	}
}

// blockBits is how many ordinals one membership word holds: 63, so a word
// is a non-negative int64.
const blockBits = 63

// blockOf places an ordinal (≥ 1) in its block (≥ 1) and bit.
func blockOf(ord int64) (block int64, bit uint) {
	return (ord-1)/blockBits + 1, uint((ord - 1) % blockBits)
}

// member adds delta (+1 in, −1 out) to ordinal ord's membership of set.
func (d treeDeltas) member(set string, ord, delta int64) {
	block, bit := blockOf(ord)
	d.add(set+"#c", block, delta)
	if d[set+"#w"] == nil {
		d[set+"#w"] = map[int64]int64{}
	}
	d[set+"#w"][block] += delta << bit
}

// bump changes node 1 of a single-node tree (a plain counter).
func (d treeDeltas) bump(tree string, delta int64) {
	if d[tree] == nil {
		d[tree] = map[int64]int64{}
	}
	d[tree][1] += delta
}

func (d treeDeltas) flush(ctx context.Context, tx store.Tx, campaign int64) error {
	for tree, nodes := range d {
		if err := tx.AddNodes(ctx, campaign, tree, nodes); err != nil {
			return err
		}
	}
	return nil
}

// Board names used in rank trees.
const (
	boardAll    = "all"
	boardPoints = "pts"
)

func boardMonth(month int) string { return "m" + strconv.Itoa(month) }

func scoreTree(board string, score int64) string {
	return board + ":s:" + strconv.FormatInt(score, 10)
}

// moveScore records that the participant with ordinal ord moved from score
// from to score to on board.
func moveScore(d treeDeltas, board string, ord, from, to int64) {
	if from == to {
		return
	}
	if from > 0 {
		d.add(board+":v", from, -1)
		d.member(scoreTree(board, from), ord, -1)
	}
	if to > 0 {
		d.add(board+":v", to, 1)
		d.member(scoreTree(board, to), ord, 1)
	}
	switch {
	case from <= 0 && to > 0:
		d.member(nonZeroTree(board), ord, 1)
		d.bump(board+":n", 1)
	case from > 0 && to <= 0:
		d.member(nonZeroTree(board), ord, -1)
		d.bump(board+":n", -1)
	}
}

// permanent reports whether a board lives for ever (and so keeps deleted
// participants in its :gone tree).
func permanent(board string) bool { return board == boardAll || board == boardPoints }

// nonZeroTree names the tree of ordinals that are not zeros on board.
func nonZeroTree(board string) string {
	if permanent(board) {
		return board + ":gone"
	}
	return board + ":pos"
}

// markDeleted records that the participant with ordinal ord was deleted,
// after their scores were moved to zero.
func markDeleted(d treeDeltas, ord int64) {
	d.member("del", ord, 1)
	d.bump("del:n", 1)
	for _, b := range []string{boardAll, boardPoints} {
		d.member(b+":gone", ord, 1)
	}
}

// rankQuery is one board position to rank.
type rankQuery struct {
	board      string
	ord, score int64
}

// sumPlan collects the node sets of several lookups for one SumNodeSets
// round trip; each lookup keeps a function that reads its figure from the
// sums.
type sumPlan struct{ sets []store.NodeSet }

type figure func(sums []int64) int64

// sum plans the sum of nodes of tree; a tree of a member set names its
// group (the board's trees, or del's), which a store may hold whole.
func (p *sumPlan) sum(tree, group string, nodes ...int64) figure {
	k := len(p.sets)
	p.sets = append(p.sets, store.NodeSet{Tree: tree, Nodes: nodes, Whole: group != "", Group: group})
	return func(sums []int64) int64 { return sums[k] }
}

// members plans the count of set's members with ordinals 1..upTo.
func (p *sumPlan) members(set string, upTo int64) figure {
	if upTo <= 0 {
		return func([]int64) int64 { return 0 }
	}
	block, bit := blockOf(upTo)
	group := set // del
	if i := strings.IndexByte(set, ':'); i >= 0 {
		group = set[:i+1] // the board's trees
	}
	before := p.sum(set+"#c", group, downPath(block-1)...)
	word := p.sum(set+"#w", group, block)
	mask := uint64(1)<<(bit+1) - 1
	return func(sums []int64) int64 {
		return before(sums) + int64(bits.OnesCount64(uint64(word(sums))&mask))
	}
}

// ranksOf computes the 1-based ranks of several board positions with one
// store round trip.
func ranksOf(ctx context.Context, tx store.Tx, campaign int64, qs []rankQuery) ([]int, error) {
	var p sumPlan
	rank := make([]figure, len(qs))
	for i, q := range qs {
		positive := p.sum(q.board+":n", "", 1)
		switch {
		case q.score > 0:
			// positive scores ≤ score, and ties with a lower ordinal.
			atMost := p.sum(q.board+":v", "", downPath(q.score)...)
			tiedBefore := p.members(scoreTree(q.board, q.score), q.ord-1)
			rank[i] = func(s []int64) int64 { return 1 + positive(s) - atMost(s) + tiedBefore(s) }
		case permanent(q.board):
			// Zeros before are those before that are not gone.
			gone := p.members(q.board+":gone", q.ord-1)
			rank[i] = func(s []int64) int64 { return 1 + positive(s) + (q.ord - 1) - gone(s) }
		default:
			deleted := p.members("del", q.ord-1)
			positiveBefore := p.members(q.board+":pos", q.ord-1)
			rank[i] = func(s []int64) int64 { return 1 + positive(s) + (q.ord - 1) - deleted(s) - positiveBefore(s) }
		}
	}
	sums, err := tx.SumNodeSets(ctx, campaign, p.sets)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(qs))
	for i := range qs {
		out[i] = int(rank[i](sums))
	}
	return out, nil
}

// rankOf computes the 1-based rank on board of the participant with ordinal
// ord and score score.
func rankOf(ctx context.Context, tx store.Tx, campaign int64, board string, ord, score int64) (int, error) {
	r, err := ranksOf(ctx, tx, campaign, []rankQuery{{board, ord, score}})
	if err != nil {
		return 0, err
	}
	return r[0], nil
}
