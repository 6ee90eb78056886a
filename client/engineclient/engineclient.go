// Package engineclient registers the sqlite://, postgres:// and
// postgresql:// schemes with client.Open: refbridge's native engine
// in-process, on a SQLite file or a PostgreSQL database. Import it for
// its side effect:
//
//	import _ "github.com/refbridge/refbridge/client/engineclient"
//
//	c, err := client.Open(ctx, "sqlite:///var/lib/refbridge/refbridge.db")
//	defer c.Close()
//
// It links the engine and both SQL drivers (modernc.org/sqlite and pgx);
// a program that talks only to vendors does not need it. The account
// query parameter selects the tenant; without it the database's only
// account is used, or, on an empty database, an account named "default"
// is created.
package engineclient

import (
	"context"
	"io"
	"net/url"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/client"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/postgres"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// Schemes are the URL schemes this package registers.
var Schemes = []string{"sqlite", "postgres", "postgresql"}

func init() {
	for _, s := range Schemes {
		client.Register(s, Open)
	}
}

// Open opens the native engine in-process from a sqlite:// or
// postgres:// URL; the closer closes its database.
func Open(ctx context.Context, u *url.URL) (canonical.Backend, io.Closer, error) {
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
			return nil, nil, canonical.Errorf(canonical.Invalid, "sqlite URL without a file path: want sqlite:///path/to.db")
		}
		st, err = sqlite.Open(ctx, path, nil)
	} else {
		u2 := *u
		u2.RawQuery = q.Encode()
		st, err = postgres.Open(ctx, u2.String())
	}
	if err != nil {
		return nil, nil, canonical.Wrap(canonical.Internal, err, "open the engine's store")
	}
	eng, err := engine.Open(ctx, st, nil)
	if err != nil {
		st.Close()
		return nil, nil, canonical.Wrap(canonical.Internal, err, "open the engine")
	}
	if account == "" {
		if account, err = soleAccount(ctx, eng); err != nil {
			st.Close()
			return nil, nil, err
		}
	} else if _, err := eng.GetAccount(ctx, account); err != nil {
		st.Close()
		return nil, nil, err
	}
	return eng.Backend(account), st, nil
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
