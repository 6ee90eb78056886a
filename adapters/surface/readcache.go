package surface

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/patrickmn/go-cache"
)

// Generations reports, per account, a number that changes whenever
// anything in the account changes. The native engine implements it.
type Generations interface {
	Generation(accountID string) uint64
}

// ReadCache keeps rendered answers to read-only calls, per account, for as
// long as nothing in the account has changed and at most TTL. Writes made
// through this process invalidate at once (the account's generation
// moves); TTL bounds what the generation cannot see: changes that only
// time makes (a delayed referral credit falling due, a month turning) and,
// with several replicas on one database, writes made by the others.
//
// A nil *ReadCache caches nothing.
type ReadCache struct {
	hits, misses atomic.Uint64
	items        *cache.Cache
	gens         Generations
	ttl          time.Duration
	now          func() time.Time
}

type cached struct {
	gen   uint64
	at    time.Time
	value any
}

// NewReadCache returns a cache over gens; now is the clock TTL is measured
// on (the engine's, so a test clock moving forward expires entries).
func NewReadCache(gens Generations, ttl time.Duration, now func() time.Time) *ReadCache {
	if now == nil {
		now = time.Now
	}
	// go-cache drops entries a while after they can no longer be used, so
	// memory stays bounded by the request rate times the TTL.
	return &ReadCache{items: cache.New(ttl+time.Second, 30*time.Second), gens: gens, ttl: ttl, now: now}
}

// Do returns the answer stored under key for the account, or computes it
// with fill and stores it. The generation is read before fill runs, so an
// answer computed while a write lands is never served as current.
// Answers are shared: callers must not modify the returned bytes.
func (c *ReadCache) Do(accountID, key string, fill func() ([]byte, error)) ([]byte, error) {
	return Cached(c, accountID, key, fill)
}

// Cached is Do for any value: it returns the value stored under key for
// the account while the account is unchanged, or computes and stores it.
// Values are shared between requests: callers must treat them (and any
// maps or slices inside) as read-only.
func Cached[T any](c *ReadCache, accountID, key string, fill func() (T, error)) (T, error) {
	if c == nil {
		return fill()
	}
	k := accountID + "\x00" + key
	gen := c.gens.Generation(accountID)
	now := c.now()
	if v, ok := c.items.Get(k); ok {
		e := v.(cached)
		if t, ok := e.value.(T); ok && e.gen == gen && now.Sub(e.at) < c.ttl && !now.Before(e.at) {
			c.hits.Add(1)
			return t, nil
		}
	}
	c.misses.Add(1)
	v, err := fill()
	if err != nil {
		return v, err
	}
	c.items.SetDefault(k, cached{gen: gen, at: now, value: v})
	return v, nil
}

// Stats returns how many reads the cache answered (hits) and computed
// (misses) so far, and how many answers it holds.
func (c *ReadCache) Stats() (hits, misses uint64, entries int) {
	if c == nil {
		return 0, 0, 0
	}
	return c.hits.Load(), c.misses.Load(), c.items.ItemCount()
}

// String describes the cache for logs.
func (c *ReadCache) String() string {
	if c == nil {
		return "off"
	}
	return "ttl " + c.ttl.String() + ", " + strconv.Itoa(c.items.ItemCount()) + " entries"
}
