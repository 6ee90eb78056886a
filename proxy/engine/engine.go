// Package engine is refbridge's native referral engine: a canonical.Backend
// per account over a store.Store. It implements the union of the five
// vendors' semantics (referral states and qualification rules, reward
// rules, commissions and payouts, counters and ranks), so every vendor
// surface of the proxy can run on it and see the same data.
//
// Time comes from an injectable clock: monthly ranks, hold periods, due
// dates and delayed triggers move only when the clock does. Work that
// becomes due with time (delayed referral credits, commissions whose hold
// period ended) is applied by the first call that touches the campaign
// afterwards.
package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// Options configures an Engine; nil means defaults.
type Options struct {
	// Clock returns the current time; the default is time.Now.
	Clock func() time.Time
	// Rand is the source of referral codes and secrets; the default is
	// crypto/rand.
	Rand io.Reader
}

// Engine owns the store and serves one Backend per account.
type Engine struct {
	st   store.Store
	now  func() time.Time
	rand io.Reader
	// gens counts committed writes per account (*atomic.Uint64 by store
	// account ID); epoch counts writes that touch every account.
	gens  sync.Map
	epoch atomic.Uint64
	// idSecret keys rendered IDs (see ids.go); set by Open, nil for a
	// legacy database.
	idSecret []byte
	// recent holds the changes last logged with deliveries queued, for
	// the delivery workers.
	recent recentEvents
	// watchers are the Notify channels, woken after every write.
	watchers struct {
		sync.RWMutex
		m map[chan struct{}]struct{}
	}
}

// Generation implements surface.Generations: a number that changes
// whenever a write through this engine commits in the account (or in
// every account, for Reset). It sees only this process's writes.
func (e *Engine) Generation(accountID string) uint64 {
	acct, err := strconv.ParseInt(accountID, 10, 64)
	if err != nil {
		return e.epoch.Load()
	}
	return e.epoch.Load() + e.counter(acct).Load()
}

func (e *Engine) counter(acct int64) *atomic.Uint64 {
	if v, ok := e.gens.Load(acct); ok {
		return v.(*atomic.Uint64)
	}
	v, _ := e.gens.LoadOrStore(acct, new(atomic.Uint64))
	return v.(*atomic.Uint64)
}

// wrote records that a write transaction in the account ended (committed
// or not: a spurious change only costs a cache miss, or a delivery
// worker's look for due deliveries) and wakes the Notify channels.
func (e *Engine) wrote(acct int64) {
	e.counter(acct).Add(1)
	e.notify()
}

// New returns an engine over st, which must be new or already opened by
// Open (which converts data an earlier version wrote).
func New(st store.Store, opts *Options) *Engine {
	e := &Engine{st: st, now: time.Now, rand: rand.Reader}
	if opts != nil && opts.Clock != nil {
		e.now = opts.Clock
	}
	if opts != nil && opts.Rand != nil {
		e.rand = opts.Rand
	}
	return e
}

// Now is the engine's current time, in UTC with millisecond precision (the
// precision the stores keep).
func (e *Engine) Now() time.Time { return e.now().UTC().Truncate(time.Millisecond) }

// Backend returns the canonical.Backend of one account. It does not check
// that the account exists; calls on an unknown account find nothing.
func (e *Engine) Backend(accountID string) canonical.Backend {
	id, _ := strconv.ParseInt(accountID, 10, 64)
	return &Account{e: e, id: id}
}

// CreateAccount creates a tenant.
func (e *Engine) CreateAccount(ctx context.Context, name string) (canonical.Account, error) {
	if err := canonical.CheckValue("name", name); err != nil {
		return canonical.Account{}, err
	}
	if strings.TrimSpace(name) == "" {
		return canonical.Account{}, canonical.Errorf(canonical.Invalid, "account name is required")
	}
	a := canonical.Account{Name: name, CreatedAt: e.Now()}
	err := e.st.Update(ctx, func(tx store.Tx) error { return tx.InsertAccount(ctx, &a) })
	return a, storeErr(err, "account")
}

// Accounts lists every account.
func (e *Engine) Accounts(ctx context.Context) ([]canonical.Account, error) {
	var out []canonical.Account
	err := e.st.View(ctx, func(tx store.Tx) (err error) {
		out, err = tx.ListAccounts(ctx)
		return err
	})
	return out, storeErr(err, "account")
}

// GetAccount returns one account.
func (e *Engine) GetAccount(ctx context.Context, id string) (canonical.Account, error) {
	n, err := parseID(id, "account")
	if err != nil {
		return canonical.Account{}, err
	}
	var a canonical.Account
	err = e.st.View(ctx, func(tx store.Tx) (err error) {
		a, err = tx.GetAccount(ctx, n)
		return err
	})
	return a, storeErr(err, "account "+id)
}

// IssueCredential creates a credential for an account. An empty
// c.Secret is generated in the vendor's format (an iRefer license key is
// "W4qL" and 28 letters and digits); the returned credential is the only
// place the secret appears, stores keep its hash. CampaignID is required
// for iRefer keys. Conflict when the secret is already in use.
func (e *Engine) IssueCredential(ctx context.Context, c canonical.Credential) (canonical.Credential, error) {
	if err := canonical.CheckValue("", c); err != nil {
		return canonical.Credential{}, err
	}
	if c.Vendor == "" || c.Kind == "" {
		return c, canonical.Errorf(canonical.Invalid, "credential vendor and kind are required")
	}
	acct, err := parseID(c.AccountID, "account")
	if err != nil {
		return c, err
	}
	if (c.Kind == canonical.LicenseKey || c.Kind == canonical.SiteKey) && c.CampaignID == "" {
		return c, canonical.Errorf(canonical.Invalid, "%s credentials belong to a campaign", c.Kind)
	}
	if c.Secret == "" {
		switch c.Kind {
		case canonical.LicenseKey:
			c.Secret = "W4qL" + e.token(28)
		default:
			c.Secret = e.token(32)
		}
	}
	c.CreatedAt = e.Now()
	err = e.st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.GetAccount(ctx, acct); err != nil {
			return err
		}
		if c.CampaignID != "" {
			camp, err := parseID(c.CampaignID, "campaign")
			if err != nil {
				return err
			}
			if _, err := tx.GetCampaign(ctx, acct, camp); err != nil {
				return err
			}
		}
		return tx.InsertCredential(ctx, &c, HashSecret(c.Secret))
	})
	return c, storeErr(err, "credential")
}

// Authenticate resolves a secret presented on a vendor surface to its
// credential (and so its account). Unauthorized when nothing matches.
func (e *Engine) Authenticate(ctx context.Context, vendor canonical.Vendor, kind canonical.CredentialKind, secret string) (canonical.Credential, error) {
	if secret == "" {
		return canonical.Credential{}, canonical.Errorf(canonical.Unauthorized, "missing credential")
	}
	hash := HashSecret(secret)
	var c canonical.Credential
	err := e.st.View(ctx, func(tx store.Tx) (err error) {
		c, err = tx.FindCredential(ctx, vendor, kind, hash)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return c, canonical.Errorf(canonical.Unauthorized, "invalid credential")
	}
	if err != nil {
		return c, storeErr(err, "credential")
	}
	// The lookup went by hash; compare once more in constant time so a
	// store that matched loosely can never let a wrong secret through.
	if subtle.ConstantTimeCompare([]byte(hash), []byte(HashSecret(secret))) != 1 {
		return canonical.Credential{}, canonical.Errorf(canonical.Unauthorized, "invalid credential")
	}
	return c, nil
}

// Credentials lists an account's credentials (without secrets).
func (e *Engine) Credentials(ctx context.Context, accountID string) ([]canonical.Credential, error) {
	acct, err := parseID(accountID, "account")
	if err != nil {
		return nil, err
	}
	var out []canonical.Credential
	err = e.st.View(ctx, func(tx store.Tx) (err error) {
		out, err = tx.ListCredentials(ctx, acct)
		return err
	})
	return out, storeErr(err, "credential")
}

// RevokeCredential deletes a credential. NotFound.
func (e *Engine) RevokeCredential(ctx context.Context, accountID, credentialID string) error {
	acct, err := parseID(accountID, "account")
	if err != nil {
		return err
	}
	id, err := parseID(credentialID, "credential")
	if err != nil {
		return err
	}
	defer e.wrote(acct)
	return storeErr(e.st.Update(ctx, func(tx store.Tx) error { return tx.DeleteCredential(ctx, acct, id) }), "credential "+credentialID)
}

// Reset deletes every account and everything in it. It exists for the
// proxy's test mode; nothing else calls it.
func (e *Engine) Reset(ctx context.Context) error {
	defer e.epoch.Add(1)
	return storeErr(e.st.Update(ctx, func(tx store.Tx) error { return tx.Wipe(ctx) }), "reset")
}

// HashSecret is how stores keep secrets: hex SHA-256. Secrets are random
// and long, so a fast hash is enough.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// token returns n random letters and digits.
func (e *Engine) token(n int) string {
	buf := make([]byte, n)
	if _, err := io.ReadFull(e.rand, buf); err != nil {
		// crypto/rand never fails on supported platforms; a custom
		// reader that runs dry falls back to it.
		_, _ = rand.Read(buf)
	}
	for i, b := range buf {
		buf[i] = alphabet[int(b)%len(alphabet)]
	}
	return string(buf)
}

// parseID turns a canonical ID into a store ID; an ID the engine cannot
// have issued is simply not found.
func parseID(id, what string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, canonical.Errorf(canonical.NotFound, "%s %q not found", what, id)
	}
	return n, nil
}

func idOf(n int64) string { return strconv.FormatInt(n, 10) }

// num parses an ID the engine stored itself (0 when empty).
func num(id string) int64 {
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}

// storeErr turns store errors into canonical ones; *canonical.Error values
// pass through.
func storeErr(err error, what string) error {
	if err == nil {
		return nil
	}
	var ce *canonical.Error
	if errors.As(err, &ce) {
		return err
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &canonical.Error{Code: canonical.NotFound, Message: what + " not found", Err: err}
	case errors.Is(err, store.ErrConflict):
		return &canonical.Error{Code: canonical.Conflict, Message: what + " already exists", Err: err}
	case errors.Is(err, store.ErrBadCursor):
		return &canonical.Error{Code: canonical.Invalid, Message: "malformed cursor", Err: err}
	case errors.Is(err, store.ErrTooDeep):
		return &canonical.Error{Code: canonical.Invalid, Message: what + " is nested too deeply to store", Err: err}
	case errors.Is(err, store.ErrUnreadable):
		// Internal: the damage is the store's, not the caller's; the
		// message, for the logs, says which record.
		return &canonical.Error{Code: canonical.Internal, Message: what + " cannot be read: its stored document is damaged", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The caller's context ended: Canceled or DeadlineExceeded.
		return &canonical.Error{Code: canonical.CodeOf(err), Message: canonical.MessageOf(err), Err: err}
	}
	return &canonical.Error{Code: canonical.Internal, Message: "internal error", Err: fmt.Errorf("engine: %s: %w", what, err)}
}

// monthKey is the YYYYMM key of t's month in UTC.
func monthKey(t time.Time) int {
	t = t.UTC()
	return t.Year()*100 + int(t.Month())
}

// monthStart is the first instant of t's month in UTC.
func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// RecordAlias remembers that vendor knows the account's entity of kind
// ("participant", "campaign", …) with engine ID id as external: the ID
// map of a migration into the engine, kept where the proxy runs. A later
// record for the same external ID replaces the earlier one. NotFound for
// an ID the engine cannot have issued.
func (a *Account) RecordAlias(ctx context.Context, kind string, vendor canonical.Vendor, external, id string) error {
	if err := canonical.CheckValue("external", external); err != nil {
		return err
	}
	n, err := parseID(id, kind)
	if err != nil {
		return err
	}
	if external == "" {
		return canonical.Errorf(canonical.Invalid, "an alias needs the vendor's ID")
	}
	defer a.e.wrote(a.id)
	return storeErr(a.e.st.Update(ctx, func(tx store.Tx) error {
		return tx.PutAlias(ctx, a.id, kind, vendor, external, n)
	}), "alias")
}

// RecordAliases is RecordAlias for many entities of one kind in one
// transaction: external ID → engine ID.
func (a *Account) RecordAliases(ctx context.Context, kind string, vendor canonical.Vendor, ids map[string]string) error {
	if err := canonical.CheckValue("ids", ids); err != nil {
		return err
	}
	nums := make(map[string]int64, len(ids))
	for external, id := range ids {
		n, err := parseID(id, kind)
		if err != nil {
			return err
		}
		if external == "" {
			return canonical.Errorf(canonical.Invalid, "an alias needs the vendor's ID")
		}
		nums[external] = n
	}
	defer a.e.wrote(a.id)
	return storeErr(a.e.st.Update(ctx, func(tx store.Tx) error {
		for external, n := range nums {
			if err := tx.PutAlias(ctx, a.id, kind, vendor, external, n); err != nil {
				return err
			}
		}
		return nil
	}), "alias")
}

// ResolveAlias returns the engine ID of the entity vendor knows as
// external. NotFound.
func (a *Account) ResolveAlias(ctx context.Context, kind string, vendor canonical.Vendor, external string) (string, error) {
	var n int64
	err := a.e.st.View(ctx, func(tx store.Tx) (err error) {
		n, err = tx.ResolveAlias(ctx, a.id, kind, vendor, external)
		return err
	})
	if err != nil {
		return "", storeErr(err, kind+" "+external+" of "+string(vendor))
	}
	return idOf(n), nil
}
