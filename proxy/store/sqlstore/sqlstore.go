// Package sqlstore implements store.Store over database/sql for any SQL
// database that speaks the common dialect of SQLite 3.35+ and PostgreSQL
// 12+ (ON CONFLICT upserts, RETURNING, partial indexes). The sqlite and
// postgres packages supply the connections, the migrations and a Dialect.
//
// Every entity is a row of projected columns, which queries and indexes
// use, plus a JSON document holding the whole canonical value, so vendor
// native values survive without schema changes.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/refbridge/refbridge/proxy/store"
)

// Dialect describes what differs between the databases.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Numbered rewrites ? placeholders to $1, $2, … .
	Numbered bool
	// LockSuffix is appended to a SELECT to lock its rows (" FOR UPDATE"),
	// or "" where transactions already hold a database-wide write lock.
	LockSuffix string
	// IsUnique reports whether err is a unique-constraint violation.
	IsUnique func(error) bool
	// AbortsOnError is set when a failed statement aborts the whole
	// transaction (PostgreSQL), so statements that may fail on a unique key
	// run inside a savepoint.
	AbortsOnError bool
	// IsRetryable reports whether a transaction failed only because of a
	// concurrent one (serialization failure, deadlock, busy) and may be
	// run again.
	IsRetryable func(error) bool
}

// DB is a store.Store over database/sql.
type DB struct {
	writer, reader *sql.DB
	d              Dialect
	queries        sync.Map // raw query → rebound query
	closers        []func() error
}

var _ store.Store = (*DB)(nil)

// New returns a store over writer (for Update) and reader (for View); they
// may be the same pool. closers run on Close after the pools are closed.
func New(writer, reader *sql.DB, d Dialect, closers ...func() error) *DB {
	return &DB{writer: writer, reader: reader, d: d, closers: closers}
}

// Update implements store.Store. A transaction that fails only because a
// concurrent one got in its way is run again, up to five times.
func (s *DB) Update(ctx context.Context, fn func(store.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = s.run(ctx, s.writer, false, fn)
		if err == nil || s.d.IsRetryable == nil || !s.d.IsRetryable(err) {
			return err
		}
	}
	return err
}

// View implements store.Store.
func (s *DB) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, s.reader, true, fn)
}

func (s *DB) run(ctx context.Context, db *sql.DB, readOnly bool, fn func(store.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: readOnly && s.d.Name == "postgres"}
	sqlTx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	t := &tx{tx: sqlTx, s: s}
	if err := fn(t); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// Close implements store.Store.
func (s *DB) Close() error {
	errs := []error{s.writer.Close()}
	if s.reader != s.writer {
		errs = append(errs, s.reader.Close())
	}
	for _, c := range s.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

// rebind turns ? placeholders into the dialect's form.
func (s *DB) rebind(q string) string {
	if !s.d.Numbered {
		return q
	}
	if v, ok := s.queries.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	out := b.String()
	s.queries.Store(q, out)
	return out
}

// tx implements store.Tx.
type tx struct {
	tx *sql.Tx
	s  *DB
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(ctx, t.s.rebind(q), args...)
	return res, t.classify(err)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := t.tx.QueryContext(ctx, t.s.rebind(q), args...)
	return rows, t.classify(err)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.s.rebind(q), args...)
}

// classify wraps unique violations as store.ErrConflict.
func (t *tx) classify(err error) error {
	if err == nil {
		return nil
	}
	if t.s.d.IsUnique != nil && t.s.d.IsUnique(err) {
		return fmt.Errorf("%w: %v", store.ErrConflict, err)
	}
	return err
}

// guard runs fn so that, if it fails, its partial effects are undone and
// the transaction stays usable: inside a savepoint where a failed statement
// would otherwise abort the transaction, or always when multi is set
// because fn runs several statements.
func (t *tx) guard(ctx context.Context, multi bool, fn func() error) error {
	if !multi && !t.s.d.AbortsOnError {
		return fn()
	}
	if _, err := t.exec(ctx, `SAVEPOINT guard`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rbErr := t.exec(ctx, `ROLLBACK TO SAVEPOINT guard`); rbErr != nil {
			return errors.Join(err, rbErr)
		}
		_, _ = t.exec(ctx, `RELEASE SAVEPOINT guard`)
		return err
	}
	_, err := t.exec(ctx, `RELEASE SAVEPOINT guard`)
	return err
}

// insertID runs an INSERT … RETURNING id.
func (t *tx) insertID(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	if err := t.queryRow(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
		return 0, t.classify(err)
	}
	return id, nil
}

// affected turns "no row changed" into store.ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// ms converts a time to the stored Unix milliseconds (0 for the zero time).
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// msp converts an optional time to Unix milliseconds or NULL.
func msp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// itoa renders an ID.
func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// atoi parses an ID; anything that is not a positive decimal is 0.
func atoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("sqlstore: encode: %w", err)
	}
	return string(b), nil
}

func decode(doc string, v any) error {
	if err := json.Unmarshal([]byte(doc), v); err != nil {
		return fmt.Errorf("sqlstore: decode: %w", err)
	}
	return nil
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// where accumulates AND-ed conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// in adds "col IN (…)" for a non-empty list of string-like values.
func in[T ~string](w *where, col string, vals []T) {
	if len(vals) == 0 {
		return
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = string(v)
	}
	w.add(col+" IN ("+placeholders(len(vals))+")", args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func limitOf(n int) int {
	if n <= 0 {
		return 1 << 30
	}
	return n
}
