package sqlstore

import (
	"slices"
	"strings"
	"sync"
)

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
// Besides single nodes (m) it holds trees whole (store.NodeSet.Whole),
// alone or with every tree of their group (store.NodeSet.Group, a name
// prefix): such a tree has every node it has in trees, so a node it lacks
// is 0 and a commit's delta to it creates it; a tree of a held group that
// had no nodes when the group was read is held too, empty, from its first
// commit. A read loads a tree or a group with one statement and stores it
// under the same rule as single nodes.
//
// A store shared by several processes (PostgreSQL replicas) must not use
// it: their commits never reach this cache.
type nodeCache struct {
	mu     sync.RWMutex
	seq    uint64
	m      map[nodeKey]int64
	trees  map[treeKey]map[int64]int64 // trees held whole
	groups map[int64][]string          // per campaign, groups held whole
	held   int                         // nodes in trees
	large  map[treeKey]bool            // trees found too large to hold whole
	// largeGroups are groups found too large, keyed by prefix.
	largeGroups map[treeKey]bool
	max         int
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

// maxCachedNodes bounds the cache (about 100 bytes a single node, 40 a
// node of a tree held whole); it is emptied when full.
const maxCachedNodes = 1 << 20

// maxWholeTree bounds a tree held whole: a member set of 4 million
// ordinals.
const maxWholeTree = 1 << 16

// maxWholeGroup bounds a group held whole: the member sets of one board of
// a campaign of about 2 million participants.
const maxWholeGroup = 1 << 18

func newNodeCache() *nodeCache {
	return &nodeCache{m: map[nodeKey]int64{}, trees: map[treeKey]map[int64]int64{}, groups: map[int64][]string{},
		large: map[treeKey]bool{}, largeGroups: map[treeKey]bool{}, max: maxCachedNodes}
}

// tree returns the held tree and whether it is held (a held group's tree
// with no nodes yet is held, and nil); c.mu is held.
func (c *nodeCache) tree(k treeKey) (map[int64]int64, bool) {
	if t, ok := c.trees[k]; ok {
		return t, true
	}
	for _, g := range c.groups[k.campaign] {
		if strings.HasPrefix(k.tree, g) {
			return nil, true
		}
	}
	return nil, false
}

// loadable reports whether tree is worth loading whole: not held whole
// already and not found too large.
func (c *nodeCache) loadable(tree treeKey) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, held := c.tree(tree)
	return !held && !c.large[tree]
}

// tooLarge notes that tree has more than maxWholeTree nodes.
func (c *nodeCache) tooLarge(tree treeKey) {
	c.mu.Lock()
	c.large[tree] = true
	c.mu.Unlock()
}

// groupLoadable reports whether the group of trees named by prefix is
// worth loading whole: not held already and not found too large.
func (c *nodeCache) groupLoadable(campaign int64, prefix string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return !c.largeGroups[treeKey{campaign, prefix}] && !slices.Contains(c.groups[campaign], prefix)
}

// groupTooLarge notes that a group has more than maxWholeGroup nodes.
func (c *nodeCache) groupTooLarge(campaign int64, prefix string) {
	c.mu.Lock()
	c.largeGroups[treeKey{campaign, prefix}] = true
	c.mu.Unlock()
}

// putTrees stores trees read whole (and, with prefix, their whole group)
// by a transaction that started at seq, if no commit happened since; the
// cache keeps the maps.
func (c *nodeCache) putTrees(seq uint64, campaign int64, prefix string, trees map[string]map[int64]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seq != seq {
		return
	}
	n := 0
	for _, t := range trees {
		n += len(t)
	}
	if len(c.m)+c.held+n > c.max {
		c.reset()
	}
	for name, t := range trees {
		k := treeKey{campaign, name}
		c.held += len(t) - len(c.trees[k])
		c.trees[k] = t
	}
	if prefix != "" {
		c.groups[campaign] = append(c.groups[campaign], prefix)
	}
}

// reset empties the cache; c.mu is held.
func (c *nodeCache) reset() {
	clear(c.m)
	clear(c.trees)
	clear(c.groups)
	c.held = 0
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
		if t, held := c.tree(treeKey{k.campaign, k.tree}); held {
			out[k] = t[k.node]
		} else if n, hit := c.m[k]; hit {
			out[k] = n
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
	if len(c.m)+c.held+len(nodes) > c.max {
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
			clear(c.largeGroups)
		}
		for _, d := range deltas {
			tk := treeKey{d.key.campaign, d.key.tree}
			if t, held := c.tree(tk); held {
				if t == nil {
					t = map[int64]int64{}
					c.trees[tk] = t
				}
				if _, had := t[d.key.node]; !had {
					c.held++
				}
				t[d.key.node] += d.d
			} else if n, hit := c.m[d.key]; hit {
				c.m[d.key] = n + d.d
			}
		}
	}
	c.seq++
}
