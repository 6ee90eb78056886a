package proxy

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/patrickmn/go-cache"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// cachedTenants remembers credential lookups for a while, so a busy
// surface does not hit the store on every request. Keys are hashes of
// the secret, never the secret itself. Failed lookups are not cached: a
// credential issued a moment ago must work at once.
type cachedTenants struct {
	next  surface.Tenants
	creds *cache.Cache
}

func newCachedTenants(next surface.Tenants, ttl time.Duration) *cachedTenants {
	return &cachedTenants{next: next, creds: cache.New(ttl, 2*ttl)}
}

// Authenticate implements surface.Tenants.
func (c *cachedTenants) Authenticate(ctx context.Context, vendor canonical.Vendor, kind canonical.CredentialKind, secret string) (canonical.Credential, error) {
	sum := sha256.Sum256([]byte(string(vendor) + "\x00" + string(kind) + "\x00" + secret))
	key := string(sum[:])
	if v, ok := c.creds.Get(key); ok {
		return v.(canonical.Credential), nil
	}
	cred, err := c.next.Authenticate(ctx, vendor, kind, secret)
	if err != nil {
		return cred, err
	}
	c.creds.SetDefault(key, cred)
	return cred, nil
}

// Backend implements surface.Tenants.
func (c *cachedTenants) Backend(accountID string) canonical.Backend { return c.next.Backend(accountID) }

func (c *cachedTenants) forget() { c.creds.Flush() }
