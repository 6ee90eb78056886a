package engine_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/proxytest"
	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/postgres"
	"github.com/refbridge/refbridge/proxy/store/postgres/pgtest"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// openFile opens the SQLite store at path, closed when the test ends.
func openFile(t *testing.T, path string) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// idSecret opens an engine over st and returns its ID secret.
func idSecret(t *testing.T, st store.Store) []byte {
	t.Helper()
	eng, err := engine.Open(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	return eng.IDSecret()
}

// TestIDSecretPerInstallation: a new database gets a random 32-byte
// secret on its first start, every installation its own, and keeps it
// across restarts.
func TestIDSecretPerInstallation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	sa, sb := idSecret(t, openFile(t, a)), idSecret(t, openFile(t, b))
	if len(sa) != 32 || len(sb) != 32 {
		t.Fatalf("secrets of %d and %d bytes, want 32", len(sa), len(sb))
	}
	if bytes.Equal(sa, sb) {
		t.Fatalf("two installations share the ID secret %x", sa)
	}
	if again := idSecret(t, openFile(t, a)); !bytes.Equal(again, sa) {
		t.Fatalf("after a restart the secret is %x, was %x", again, sa)
	}
}

// TestIDSecretIsACopy: changing IDSecret's result does not change the
// engine's keys.
func TestIDSecretIsACopy(t *testing.T) {
	t.Parallel()
	eng, err := engine.Open(context.Background(), openFile(t, filepath.Join(t.TempDir(), "a.db")), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := eng.IDSecret()
	want := bytes.Clone(s)
	s[0] ^= 1
	if got := eng.IDSecret(); !bytes.Equal(got, want) {
		t.Fatalf("IDSecret = %x after a caller changed its copy, want %x", got, want)
	}
}

// TestIDSecretOfOldDatabase: a database written before installations had
// secrets keeps the fixed keys (no secret), on every start.
func TestIDSecretOfOldDatabase(t *testing.T) {
	t.Parallel()
	path := proxytest.Gunzip(t, "testdata/v2-ranks.db.gz")
	for range 2 {
		if s := idSecret(t, openFile(t, path)); s != nil {
			t.Fatalf("a database with IDs from the fixed keys got the secret %x", s)
		}
	}
}

// TestIDSecretReplicasAgree: engines opening one new database together
// (replicas starting at once) all end up with the same secret.
func TestIDSecretReplicasAgree(t *testing.T) {
	t.Parallel()
	stores := map[string]func(t *testing.T) []store.Store{
		"sqlite": func(t *testing.T) []store.Store {
			path := filepath.Join(t.TempDir(), "shared.db")
			st := openFile(t, path)
			return []store.Store{st, st, st, st}
		},
	}
	if os.Getenv(pgtest.EnvDSN) != "" {
		stores["postgres"] = func(t *testing.T) []store.Store {
			dsn := pgtest.DSN(t)
			var out []store.Store
			for range 4 {
				st, err := postgres.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				out = append(out, st)
			}
			return out
		}
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			replicas := open(t)
			secrets := make([][]byte, len(replicas))
			errs := make([]error, len(replicas))
			var wg sync.WaitGroup
			for i, st := range replicas {
				wg.Go(func() {
					var eng *engine.Engine
					if eng, errs[i] = engine.Open(context.Background(), st, nil); errs[i] == nil {
						secrets[i] = eng.IDSecret()
					}
				})
			}
			wg.Wait()
			for i := range replicas {
				if errs[i] != nil || len(secrets[i]) != 32 || !bytes.Equal(secrets[i], secrets[0]) {
					t.Errorf("replica %d: secret %x, %v; replica 0 has %x", i, secrets[i], errs[i], secrets[0])
				}
			}
		})
	}
}

// TestIDSecretMalformed: a stored secret that is not 32 hex bytes stops
// Open rather than rendering IDs under some other key.
func TestIDSecretMalformed(t *testing.T) {
	t.Parallel()
	st := openFile(t, filepath.Join(t.TempDir(), "bad.db"))
	ctx := context.Background()
	if err := st.Update(ctx, func(tx store.Tx) error {
		_, err := tx.InitSetting(ctx, "id_secret", "abcd")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := engine.Open(ctx, st, nil); err == nil {
		t.Fatal("Open accepted a 2-byte ID secret")
	}
}
