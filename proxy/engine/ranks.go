package engine

import (
	"context"
	"strconv"

	"github.com/refbridge/refbridge/proxy/store"
)

// Ranks are answered without scanning the campaign. For a board (all-time
// referrals, points, or one month's referrals) a participant with score s
// and ordinal o ranks
//
//	1 + #{score > s} + #{score = s, ordinal < o}
//
// and both counts come from sparse Fenwick trees kept in the store:
//
//	<board>:v       over score values: how many participants have each
//	                positive score;
//	<board>:s:<s>   over ordinals, one per positive score s;
//	<board>:n       one node (1): how many participants have a positive
//	                score;
//	<board>:gone    (all-time and points boards) over ordinals of
//	                participants with a positive score or deleted;
//	<board>:pos     (month boards) over ordinals of participants with a
//	                positive score;
//	del             over ordinals of deleted participants.
//
// Score 0 has no tree of its own: the participants with score 0 before o
// are those before o that are neither positive nor deleted. The boards
// that live for ever keep both in one tree, so a zero-score lookup reads
// one prefix path; a month board starts empty in its month and cannot
// know earlier deletions, so it subtracts del and pos separately.
// A lookup reads at most 31 nodes of each tree it uses, whatever the
// campaign's size; a score change writes at most 31 nodes of each tree it
// touches.

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
		d.add(scoreTree(board, from), ord, -1)
	}
	if to > 0 {
		d.add(board+":v", to, 1)
		d.add(scoreTree(board, to), ord, 1)
	}
	switch {
	case from <= 0 && to > 0:
		d.add(nonZeroTree(board), ord, 1)
		d.bump(board+":n", 1)
	case from > 0 && to <= 0:
		d.add(nonZeroTree(board), ord, -1)
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
	d.add("del", ord, 1)
	d.bump("del:n", 1)
	for _, b := range []string{boardAll, boardPoints} {
		d.add(b+":gone", ord, 1)
	}
}

// rankQuery is one board position to rank.
type rankQuery struct {
	board      string
	ord, score int64
}

// ranksOf computes the 1-based ranks of several board positions with one
// store round trip.
func ranksOf(ctx context.Context, tx store.Tx, campaign int64, qs []rankQuery) ([]int, error) {
	sets := make([]store.NodeSet, 0, 3*len(qs))
	first := make([]int, len(qs)) // index of each query's first set
	for i, q := range qs {
		first[i] = len(sets)
		sets = append(sets, store.NodeSet{Tree: q.board + ":n", Nodes: []int64{1}})
		switch {
		case q.score > 0:
			sets = append(sets,
				store.NodeSet{Tree: q.board + ":v", Nodes: downPath(q.score)},
				store.NodeSet{Tree: scoreTree(q.board, q.score), Nodes: downPath(q.ord - 1)})
		case permanent(q.board):
			sets = append(sets, store.NodeSet{Tree: q.board + ":gone", Nodes: downPath(q.ord - 1)})
		default:
			sets = append(sets,
				store.NodeSet{Tree: "del", Nodes: downPath(q.ord - 1)},
				store.NodeSet{Tree: q.board + ":pos", Nodes: downPath(q.ord - 1)})
		}
	}
	sums, err := tx.SumNodeSets(ctx, campaign, sets)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(qs))
	for i, q := range qs {
		k := first[i]
		positive := sums[k]
		switch {
		case q.score > 0:
			// positive scores ≤ score, and ties with a lower ordinal.
			atMost, tiedBefore := sums[k+1], sums[k+2]
			out[i] = int(1 + positive - atMost + tiedBefore)
		case permanent(q.board):
			// Zeros before are those before that are not gone.
			out[i] = int(1 + positive + (q.ord - 1) - sums[k+1])
		default:
			deleted, positiveBefore := sums[k+1], sums[k+2]
			out[i] = int(1 + positive + (q.ord - 1) - deleted - positiveBefore)
		}
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
