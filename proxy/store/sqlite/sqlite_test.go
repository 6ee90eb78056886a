package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
	"github.com/refbridge/refbridge/proxy/store/storetest"
)

func open(t *testing.T) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "refbridge.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, open)
}

func TestUpgradeMarksLegacyIDs(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "refbridge.db")
	storetest.Upgrade(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, func(t *testing.T, q string) { execSQL(t, path, q) })
}

func TestDamagedDocuments(t *testing.T) {
	t.Parallel()
	storetest.RunDamaged(t, func(t *testing.T) (store.Store, storetest.Corrupt) {
		path := filepath.Join(t.TempDir(), "refbridge.db")
		s, err := sqlite.Open(context.Background(), path, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, func(t *testing.T, table string, id int64, doc string) {
			t.Helper()
			if n := execSQL(t, path, "UPDATE "+table+" SET doc = ? WHERE id = ?", doc, id); n != 1 {
				t.Fatalf("corrupting %s %d: %d rows", table, id, n)
			}
		}
	})
}

// execSQL runs q on the database file at path behind the store's back and
// returns how many rows it changed.
func execSQL(t *testing.T, path, q string, args ...any) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	n, _ := res.RowsAffected()
	return n
}
