package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/refbridge/refbridge/proxy/store"
)

// testSettings: a fresh store has no settings; InitSetting sets a value
// once and every later or concurrent call gets that value back, whoever
// wins; Wipe keeps settings.
func testSettings(t *testing.T, s store.Store) {
	ctx := context.Background()
	view(t, s, func(tx store.Tx) error {
		v, err := tx.Setting(ctx, "id_secret")
		if err == nil {
			t.Errorf("a fresh store has id_secret = %q", v)
		}
		wantErr(t, err, store.ErrNotFound)
		return nil
	})
	initSetting := func(name, value string) string {
		t.Helper()
		var got string
		update(t, s, func(tx store.Tx) (err error) {
			got, err = tx.InitSetting(ctx, name, value)
			return err
		})
		return got
	}
	if got := initSetting("a", "first"); got != "first" {
		t.Errorf("InitSetting(a, first) = %q on an unset name", got)
	}
	if got := initSetting("a", "second"); got != "first" {
		t.Errorf("InitSetting(a, second) = %q, want the value already set", got)
	}
	// Writers racing for one name (replicas starting together) all get
	// the one value that was stored.
	const racers = 8
	got := make([]string, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx store.Tx) (err error) {
				got[i], err = tx.InitSetting(ctx, "b", fmt.Sprint("racer-", i))
				return err
			})
		})
	}
	wg.Wait()
	f := newFixture(t, s)
	f.addParticipant(t, s, "ann@example.com", 0)
	update(t, s, func(tx store.Tx) error { return tx.Wipe(ctx) })
	view(t, s, func(tx store.Tx) error {
		stored, err := tx.Setting(ctx, "b")
		if err != nil {
			t.Fatalf("Setting(b) after the race and a Wipe: %v", err)
		}
		for i := range racers {
			if errs[i] != nil || got[i] != stored {
				t.Errorf("racer %d: InitSetting = %q, %v; stored %q", i, got[i], errs[i], stored)
			}
		}
		if v, err := tx.Setting(ctx, "a"); err != nil || v != "first" {
			t.Errorf("Setting(a) after Wipe = %q, %v; want first", v, err)
		}
		return nil
	})
}

// Upgrade checks store migration 004 on a database written before it: a
// database that holds an account is marked legacy (id_secret "legacy"),
// so it keeps the IDs it rendered with the fixed keys; one that holds
// none is left for the engine to give a secret. open opens, and migrates,
// the one database of the test (every call the same one); exec runs a
// statement on it while no store has it open.
func Upgrade(t *testing.T, open func(t *testing.T) store.Store, exec func(t *testing.T, q string)) {
	ctx := context.Background()
	secret := func() (string, error) {
		t.Helper()
		s := open(t)
		defer s.Close()
		var v string
		err := s.View(ctx, func(tx store.Tx) (err error) {
			v, err = tx.Setting(ctx, "id_secret")
			return err
		})
		return v, err
	}
	// downgrade takes the database back to the schema before 004.
	downgrade := func() {
		t.Helper()
		exec(t, `DROP TABLE settings`)
		exec(t, `DELETE FROM schema_migrations WHERE version = 4`)
	}
	if v, err := secret(); err == nil {
		t.Fatalf("a new database has id_secret = %q", v)
	}
	downgrade()
	if v, err := secret(); err == nil {
		t.Fatalf("a database without accounts was marked: id_secret = %q", v)
	}
	downgrade()
	exec(t, `INSERT INTO accounts (name, created_at) VALUES ('before 004', 0)`)
	if v, err := secret(); err != nil || v != "legacy" {
		t.Fatalf("a database with an account: id_secret = %q, %v; want legacy", v, err)
	}
}
