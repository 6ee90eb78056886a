package engine

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// sumsOf answers a plan from an in-memory picture of the trees.
func sumsOf(p *sumPlan, trees map[string]map[int64]int64) []int64 {
	out := make([]int64, len(p.sets))
	for i, set := range p.sets {
		for _, n := range set.Nodes {
			out[i] += trees[set.Tree][n]
		}
	}
	return out
}

// apply adds deltas to trees, as a store's AddNodes would.
func apply(trees map[string]map[int64]int64, d treeDeltas) {
	for tree, nodes := range d {
		if trees[tree] == nil {
			trees[tree] = map[int64]int64{}
		}
		for n, v := range nodes {
			trees[tree][n] += v
		}
	}
}

// TestMemberSets drives a member set through random joins and leaves
// (several per transaction, some undone within it), around block edges
// and bit 62, and checks every prefix count against the set itself, and
// that the bulk builder writes the same nodes as the changes did.
func TestMemberSets(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3, 4} {
		rng := rand.New(rand.NewPCG(seed, 5))
		const maxOrd = 700
		in := map[int64]bool{}
		trees := map[string]map[int64]int64{}
		for step := range 400 {
			d := treeDeltas{}
			for range 1 + rng.IntN(4) {
				o := int64(1 + rng.IntN(maxOrd))
				if step%5 == 0 { // the last ordinal of a block, or the first
					o = int64(blockBits*(1+rng.IntN(10)) + rng.IntN(2))
				}
				if in[o] {
					d.member("s", o, -1)
				} else {
					d.member("s", o, 1)
				}
				in[o] = !in[o]
				if rng.IntN(6) == 0 { // and back, in the same transaction
					d.member("s", o, map[bool]int64{true: -1, false: 1}[in[o]])
					in[o] = !in[o]
				}
			}
			apply(trees, d)
			var p sumPlan
			probes := []int64{0, 1, 62, 63, 64, 125, 126, 127, int64(rng.IntN(maxOrd + 50))}
			figs := make([]figure, len(probes))
			for i, upTo := range probes {
				figs[i] = p.members("s", upTo)
			}
			sums := sumsOf(&p, trees)
			for i, upTo := range probes {
				var want int64
				for o := range in {
					if in[o] && o <= upTo {
						want++
					}
				}
				if got := figs[i](sums); got != want {
					t.Fatalf("seed %d step %d: members up to %d = %d, want %d", seed, step, upTo, got, want)
				}
			}
		}
		var ords []int64
		for o, ok := range in {
			if ok {
				ords = append(ords, o)
			}
		}
		built := map[string]map[int64]int64{}
		memberSet(built, "s", ords)
		for _, tree := range []string{"s#c", "s#w"} {
			for n := range trees[tree] {
				if trees[tree][n] != built[tree][n] {
					t.Fatalf("seed %d: %s node %d: changes left %d, the builder wrote %d", seed, tree, n, trees[tree][n], built[tree][n])
				}
			}
			for n, v := range built[tree] {
				if v != trees[tree][n] {
					t.Fatalf("seed %d: %s node %d: the builder wrote %d, changes left %d", seed, tree, n, v, trees[tree][n])
				}
			}
		}
	}
}

// TestFenwickMembers recovers member sets from trees written the way the
// old layout wrote them (unit counts along each update path), and refuses
// a tree that is not a member set.
func TestFenwickMembers(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 9))
	tree := map[int64]int64{}
	in := map[int64]bool{}
	add := func(o, d int64) {
		for _, n := range upPath(o) {
			tree[n] += d
		}
	}
	for range 3000 {
		o := int64(1 + rng.IntN(5000))
		if in[o] {
			add(o, -1)
		} else {
			add(o, 1)
		}
		in[o] = !in[o]
	}
	got, err := fenwickMembers(tree)
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for o, ok := range in {
		if ok {
			want = append(want, o)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("recovered %d members, want %d", len(got), len(want))
	}
	add(int64(1+rng.IntN(5000)), 1) // someone counted twice, or a stray
	add(7, 1)
	add(7, 1)
	if _, err := fenwickMembers(tree); err == nil {
		t.Fatal("a tree counting an ordinal twice was taken for a member set")
	}
	if _, err := fenwickMembers(map[int64]int64{0: 1}); err == nil {
		t.Fatal("node 0 was accepted")
	}
}
