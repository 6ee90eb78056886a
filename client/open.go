package client

import (
	"context"
	"net/url"
	"os"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/postgres"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// Open opens a client from a URL. The scheme picks the backend:
//
//	growsurf://[KEY@][HOST[:PORT][/PATH]]        GrowSurf; key from the URL or GROWSURF_API_KEY
//	referralhero://[TOKEN@][HOST…]               ReferralHero; REFERRALHERO_API_TOKEN
//	rewardful://[SECRET@][HOST…]                 Rewardful; REWARDFUL_API_SECRET
//	referralrocket://[KEY@][HOST…]               Referral Rocket; REFERRALROCKET_API_KEY (optional)
//	irefer://[LICENSE:SITEKEY@][HOST…]?campaign_id=N
//	                                             iRefer; IREFER_LICENSE_KEY, IREFER_API_KEY, IREFER_CAMPAIGN_ID
//	sqlite:///path/to.db[?account=ID]            the native engine in-process on a SQLite file
//	postgres://…[&account=ID]                    the native engine in-process on PostgreSQL
//
// For a vendor, HOST (and PATH) override the vendor's production API, so
// the same URL shape points at refbridge's proxy: growsurf://KEY@127.0.0.1:8080/v2?insecure=true
// (insecure=true speaks plain HTTP, for loopback). Without HOST the
// vendor's own API is used.
//
// Vendor clients pace their requests to the vendor's documented limits
// (GrowSurf, ReferralHero and Rewardful publish them), waiting before a
// request that would go over rather than collecting 429s; pace=off sends
// at once, for a proxy that does not enforce them.
//
// For the engine, account selects the tenant; without it the database's
// only account is used, or, on an empty database, an account named
// "default" is created.
func Open(ctx context.Context, rawURL string) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, canonical.Wrap(canonical.Invalid, err, "client URL is not a URL")
	}
	switch u.Scheme {
	case "sqlite", "postgres", "postgresql":
		return openEngine(ctx, u)
	}
	if open, ok := vendorOpeners[u.Scheme]; ok {
		b, err := open(u)
		if err != nil {
			return nil, err
		}
		return New(b), nil
	}
	return nil, canonical.Errorf(canonical.Invalid, "unknown client URL scheme %q (want growsurf, referralhero, rewardful, referralrocket, irefer, sqlite or postgres)", u.Scheme)
}

// openEngine opens the native engine in-process.
func openEngine(ctx context.Context, u *url.URL) (*Client, error) {
	q := u.Query()
	account := q.Get("account")
	q.Del("account")
	var st store.Store
	var err error
	if u.Scheme == "sqlite" {
		path := u.Path
		if u.Host != "" { // sqlite://relative/path
			path = u.Host + u.Path
		}
		if path == "" {
			return nil, canonical.Errorf(canonical.Invalid, "sqlite URL without a file path: want sqlite:///path/to.db")
		}
		st, err = sqlite.Open(ctx, path, nil)
	} else {
		u2 := *u
		u2.RawQuery = q.Encode()
		st, err = postgres.Open(ctx, u2.String())
	}
	if err != nil {
		return nil, canonical.Wrap(canonical.Internal, err, "open the engine's store")
	}
	eng, err := engine.Open(ctx, st, nil)
	if err != nil {
		st.Close()
		return nil, canonical.Wrap(canonical.Internal, err, "open the engine")
	}
	if account == "" {
		if account, err = soleAccount(ctx, eng); err != nil {
			st.Close()
			return nil, err
		}
	} else if _, err := eng.GetAccount(ctx, account); err != nil {
		st.Close()
		return nil, err
	}
	c := New(eng.Backend(account))
	c.closer = st
	return c, nil
}

// soleAccount returns the database's only account, creating "default" in
// an empty database.
func soleAccount(ctx context.Context, eng *engine.Engine) (string, error) {
	accounts, err := eng.Accounts(ctx)
	if err != nil {
		return "", err
	}
	switch len(accounts) {
	case 0:
		a, err := eng.CreateAccount(ctx, "default")
		return a.ID, err
	case 1:
		return accounts[0].ID, nil
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	return "", canonical.Errorf(canonical.Invalid, "the database has %d accounts (%s): choose one with ?account=ID", len(accounts), strings.Join(ids, ", "))
}

// vendorURL is the parts of a vendor URL every opener needs.
type vendorURL struct {
	// paced is false when the URL says pace=off.
	paced bool
	// base is the API base URL, "" for the vendor's default.
	base string
	// user and pass are the URL's credentials, if any.
	user, pass string
	query      url.Values
}

// parseVendor reads HOST/PATH, credentials and options from u.
func parseVendor(u *url.URL) vendorURL {
	v := vendorURL{query: u.Query()}
	if u.User != nil {
		v.user = u.User.Username()
		v.pass, _ = u.User.Password()
	}
	v.paced = v.query.Get("pace") != "off"
	if u.Host != "" {
		scheme := "https"
		if v.query.Get("insecure") == "true" {
			scheme = "http"
		}
		v.base = scheme + "://" + u.Host + strings.TrimSuffix(u.Path, "/")
	}
	return v
}

// secret returns the URL's value or the environment variable's.
func secret(fromURL, env string) string {
	if fromURL != "" {
		return fromURL
	}
	return os.Getenv(env)
}

// missing is the error for a credential found neither in the URL nor in
// the environment.
func missing(what, env string) error {
	return canonical.Errorf(canonical.Invalid, "%s is required: put it in the URL or set %s", what, env)
}
