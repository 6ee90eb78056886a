package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/postgres"
	"github.com/refbridge/refbridge/proxy/store/postgres/pgtest"
	"github.com/refbridge/refbridge/proxy/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, pgtest.Open)
}

func TestUpgradeMarksLegacyIDs(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	storetest.Upgrade(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, func(t *testing.T, q string) { execSQL(t, dsn, q) })
}

func TestDamagedDocuments(t *testing.T) {
	t.Parallel()
	storetest.RunDamaged(t, func(t *testing.T) (store.Store, storetest.Corrupt) {
		dsn := pgtest.DSN(t)
		s, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, func(t *testing.T, table string, id int64, doc string) {
			t.Helper()
			if n := execSQL(t, dsn, "UPDATE "+table+" SET doc = $1 WHERE id = $2", doc, id); n != 1 {
				t.Fatalf("corrupting %s %d: %d rows", table, id, n)
			}
		}
	})
}

// execSQL runs q on the database at dsn behind the store's back and
// returns how many rows it changed.
func execSQL(t *testing.T, dsn, q string, args ...any) int64 {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	tag, err := c.Exec(ctx, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return tag.RowsAffected()
}
