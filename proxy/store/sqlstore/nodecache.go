package sqlstore

import "sync"

// nodeCache keeps rank-tree nodes in memory for a store that one process
// owns (SQLite): a rank lookup then reads the nodes every lookup shares
// from memory instead of from the B-tree. It is exact, never approximate:
//
//   - only read-only transactions use it; a write transaction must see its
//     own uncommitted changes, so it reads the table;
//   - seq counts commits and is odd while a commit is being applied. A
//     read transaction notes seq before its first statement; it uses the
//     cache only while seq has not moved, so no commit started or ended
//     since, and its snapshot is exactly the state the cache holds;
//   - a commit makes seq odd, commits, then adds its node deltas to the
//     entries present and makes seq even again; a read that fetched a node
//     from the table stores it only if seq is still where it started.
//
// A tree can be held whole (store.NodeSet.Whole): every node it has is in
// m, so a node of it that m lacks is 0 and a commit's delta to such a node
// creates it. A read loads such a tree with one statement and stores it
// only under the same rule as single nodes.
//
// A store shared by several processes (PostgreSQL replicas) must not use
// it: their commits never reach this cache.
type nodeCache struct {
	mu    sync.RWMutex
	seq   uint64
	m     map[nodeKey]int64
	whole map[treeKey]bool // trees held whole
	large map[treeKey]bool // trees found too large to hold whole
	max   int
}

type nodeKey struct {
	campaign int64
	tree     string
	node     int64
}

type nodeDelta struct {
	key nodeKey
	d   int64
}

// maxCachedNodes bounds the cache (about 100 bytes a node); it is emptied
// when full.
const maxCachedNodes = 1 << 20

// maxWholeTree bounds a tree held whole: a member set of 4 million
// ordinals.
const maxWholeTree = 1 << 16

func newNodeCache() *nodeCache {
	return &nodeCache{m: make(map[nodeKey]int64), whole: map[treeKey]bool{}, large: map[treeKey]bool{}, max: maxCachedNodes}
}

// loadable reports whether tree is worth loading whole: not held whole
// already and not found too large.
func (c *nodeCache) loadable(tree treeKey) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return !c.whole[tree] && !c.large[tree]
}

// tooLarge notes that tree has more than maxWholeTree nodes.
func (c *nodeCache) tooLarge(tree treeKey) {
	c.mu.Lock()
	c.large[tree] = true
	c.mu.Unlock()
}

// putWhole stores all the nodes of tree, read by a transaction that
// started at seq, if no commit happened since.
func (c *nodeCache) putWhole(seq uint64, tree treeKey, nodes map[int64]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seq != seq {
		return
	}
	if len(c.m)+len(nodes) > c.max {
		c.reset()
	}
	for n, v := range nodes {
		c.m[nodeKey{tree.campaign, tree.tree, n}] = v
	}
	c.whole[tree] = true
}

// reset empties the cache; c.mu is held.
func (c *nodeCache) reset() {
	clear(c.m)
	clear(c.whole)
}

// begin returns the sequence a read transaction starts at.
func (c *nodeCache) begin() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.seq
}

// get fills out with the cached nodes of keys, if the cache still holds
// the state of sequence seq, and returns the keys it lacks; ok is false
// when the cache cannot be used at all.
func (c *nodeCache) get(seq uint64, keys []nodeKey, out map[nodeKey]int64) (missing []nodeKey, ok bool) {
	if seq%2 == 1 {
		return keys, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.seq != seq {
		return keys, false
	}
	for _, k := range keys {
		if n, hit := c.m[k]; hit {
			out[k] = n
		} else if c.whole[treeKey{k.campaign, k.tree}] {
			out[k] = 0
		} else {
			missing = append(missing, k)
		}
	}
	return missing, true
}

// put stores nodes read from the table by a transaction that started at
// seq, if no commit happened since.
func (c *nodeCache) put(seq uint64, nodes map[nodeKey]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seq != seq {
		return
	}
	if len(c.m)+len(nodes) > c.max {
		c.reset()
	}
	for k, n := range nodes {
		c.m[k] = n
	}
}

// committing marks a commit in progress.
func (c *nodeCache) committing() {
	c.mu.Lock()
	c.seq++
	c.mu.Unlock()
}

// committed applies a commit's outcome: with ok, its node deltas (or,
// after a wipe, forgetting everything); either way the commit has ended.
func (c *nodeCache) committed(ok, wiped bool, deltas []nodeDelta) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok {
		if wiped {
			c.reset()
			clear(c.large)
		}
		for _, d := range deltas {
			if n, hit := c.m[d.key]; hit {
				c.m[d.key] = n + d.d
			} else if c.whole[treeKey{d.key.campaign, d.key.tree}] {
				c.m[d.key] = d.d
			}
		}
	}
	c.seq++
}
