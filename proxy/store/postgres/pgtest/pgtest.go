// Package pgtest opens PostgreSQL stores for tests: each in a fresh schema
// of the database named by REFBRIDGE_TEST_POSTGRES_DSN, dropped when the
// test ends. Tests that need it are skipped when the variable is unset.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/postgres"
)

// EnvDSN names the environment variable that enables the PostgreSQL tests.
const EnvDSN = "REFBRIDGE_TEST_POSTGRES_DSN"

// Open returns a store in a fresh schema of the test database, dropped when
// the test ends, so leftovers of earlier runs never matter.
func Open(t *testing.T) store.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// DSN creates a fresh, empty schema of the test database, dropped when the
// test ends, and returns the DSN that opens it (for tests that open one
// database several times, or write to it with SQL).
func DSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		t.Skip(EnvDSN + " is not set")
	}
	ctx := context.Background()
	schema := "rbtest_" + strings.ToLower(rand.Text()[:12])
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	return searchPath(dsn, schema)
}

// searchPath returns dsn with its search_path set to schema.
func searchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return dsn
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return fmt.Sprintf("%s search_path=%s", dsn, schema)
}

// OpenShared opens a store in a fresh schema for use outside a single test
// (benchmarks sharing a seeded database); cleanup receives the function
// that closes it and drops the schema. It panics when the DSN is unset.
func OpenShared(cleanup func(func())) store.Store {
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		panic(EnvDSN + " is not set")
	}
	ctx := context.Background()
	schema := "rbbench_" + strings.ToLower(rand.Text()[:12])
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		panic(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		panic(err)
	}
	s, err := postgres.Open(ctx, searchPath(dsn, schema))
	if err != nil {
		panic(err)
	}
	cleanup(func() {
		s.Close()
		if c, err := pgx.Connect(context.Background(), dsn); err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	return s
}
