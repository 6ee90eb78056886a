// Package postgres is the store for deployments that outgrow one machine:
// store.Store on PostgreSQL through pgx v5 and its connection pool.
//
// Several refbridge replicas may share one database: the store keeps no
// state in the process, per-campaign writes are serialized with row locks
// (SELECT … FOR UPDATE), and migrations run under an advisory lock so
// replicas starting together apply each migration once.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key held while migrating.
const migrationLock = 0x7265666272696467 // "refbridg"

// Dialect is PostgreSQL's sqlstore dialect.
var Dialect = sqlstore.Dialect{
	Name:          "postgres",
	Numbered:      true,
	AbortsOnError: true,
	LockSuffix:    " FOR UPDATE",
	// An endpoint's lock must not hold up the signups that queue
	// deliveries to it (their foreign key takes FOR KEY SHARE on it).
	KeyKeptLockSuffix: " FOR NO KEY UPDATE",
	IntList: func(col string, vals []int64) (string, any) {
		return col + " = ANY(?::bigint[])", vals
	},
	PairList: func(col1, col2 string, texts []string, ints []int64) (string, []any) {
		return "(" + col1 + ", " + col2 + ") IN (SELECT * FROM unnest(?::text[], ?::bigint[]))", []any{texts, ints}
	},
	IsUnique: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
	IsRetryable: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && (e.Code == "40001" || e.Code == "40P01")
	},
}

// Open connects to the database at dsn (a postgres:// URL or key=value
// string), applies pending migrations and returns the store.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		pool.Close()
		return nil, err
	}
	return sqlstore.New(db, db, Dialect, func() error { pool.Close(); return nil }), nil
}

// migrate applies pending migrations while holding an advisory lock.
func migrate(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
		return fmt.Errorf("postgres: migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLock))
	return sqlstore.Migrate(ctx, db, Dialect, migrations, "migrations")
}
