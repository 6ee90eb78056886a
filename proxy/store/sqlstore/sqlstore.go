// Package sqlstore implements store.Store over database/sql for any SQL
// database that speaks the common dialect of SQLite 3.35+ and PostgreSQL
// 12+ (ON CONFLICT upserts, RETURNING, partial indexes). The sqlite and
// postgres packages supply the connections, the migrations and a Dialect.
//
// Every entity is a row of projected columns, which queries and indexes
// use, plus a JSON document holding the whole canonical value, so vendor
// native values survive without schema changes.
//
// Bound row counts are written LIMIT +? and OFFSET +?, never LIMIT ?:
// SQLite plans a bare bound LIMIT with its value, so every new value
// expires the prepared statement and compiles it again (about three times
// the cost of running it); the unary plus keeps the plan independent of
// the value, and PostgreSQL reads it alike.
package sqlstore

import (
	"context"
	"database/sql"
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
	// KeyKeptLockSuffix is LockSuffix for rows the transaction may update
	// but neither deletes nor re-keys (" FOR NO KEY UPDATE"): unlike
	// LockSuffix it lets other transactions insert rows that refer to
	// them by foreign key meanwhile, which lock them FOR KEY SHARE.
	KeyKeptLockSuffix string
	// IsUnique reports whether err is a unique-constraint violation.
	IsUnique func(error) bool
	// AbortsOnError is set when a failed statement aborts the whole
	// transaction (PostgreSQL), so statements that may fail on a unique key
	// run inside a savepoint.
	AbortsOnError bool
	// GroupCommit funnels every Update through one writer goroutine that
	// runs the transactions queued at the same moment in one database
	// transaction, each inside a savepoint of its own, and commits them
	// together: callers still return only after their commit, but a busy
	// store pays for one commit per batch instead of one per write. It
	// suits databases with a single writer (SQLite).
	GroupCommit bool
	// IntList renders "col IN <list>" for a variable-length list of
	// integers passed as one argument, so the statement text does not
	// depend on the list's length.
	IntList func(col string, vals []int64) (string, any)
	// PairList renders "(col1, col2) IN <list>" for a variable-length list
	// of (text, integer) pairs passed as bound arguments whose number does
	// not depend on the list's length.
	PairList func(col1, col2 string, texts []string, ints []int64) (string, []any)
	// NodesPerTree reads missing rank nodes with one statement per tree
	// and a plain "node IN (?, …)" list (padded to a few sizes, so few
	// statements are prepared) instead of one statement over a PairList:
	// for an in-process database a statement costs less than decoding
	// the pair list, and each node is then one seek in the key's index.
	NodesPerTree bool
	// CacheNodes keeps rank-tree nodes in memory for read transactions
	// (see nodeCache). Only for a store one process owns: another
	// process's commits would never reach the cache.
	CacheNodes bool
	// CacheStatements keeps prepared statements per query text; drivers
	// that cache them themselves (pgx) leave it off.
	CacheStatements bool
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
	stmts          map[*sql.DB]*stmtCache
	campaigns      campaignCache
	nodes          *nodeCache // nil unless the dialect caches nodes
	closers        []func() error

	obs       store.Observer  // nil: none; set before use (Observe)
	queue     chan *commitReq // group commit: pending writes
	writerOut chan struct{}   // closed when the writer goroutine ends
	closeOnce sync.Once
}

// commitReq is one Update waiting for the group-commit writer.
type commitReq struct {
	ctx  context.Context
	fn   func(store.Tx) error
	done chan error
}

// maxBatch bounds how many writes share one commit.
const maxBatch = 256

// stmtCache holds one pool's prepared statements by query text. It stops
// growing at maxStatements; rarer queries are then prepared each time.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

const maxStatements = 512

var (
	_ store.Store      = (*DB)(nil)
	_ store.Observable = (*DB)(nil)
)

// SerializesWrites reports whether the store runs one write transaction at
// a time (its dialect has no row locks: SQLite), so a write that waits for
// another write's rows never runs while that one is open.
func (s *DB) SerializesWrites() bool { return s.d.LockSuffix == "" }

// New returns a store over writer (for Update) and reader (for View); they
// may be the same pool. closers run on Close after the pools are closed.
func New(writer, reader *sql.DB, d Dialect, closers ...func() error) *DB {
	if d.IntList == nil || d.PairList == nil {
		panic("sqlstore: dialect " + d.Name + " lacks IntList or PairList")
	}
	s := &DB{writer: writer, reader: reader, d: d, closers: closers, stmts: map[*sql.DB]*stmtCache{}}
	for _, db := range []*sql.DB{writer, reader} {
		s.stmts[db] = &stmtCache{stmts: map[string]*sql.Stmt{}}
	}
	if d.CacheNodes {
		s.nodes = newNodeCache()
	}
	if d.GroupCommit {
		s.queue = make(chan *commitReq, maxBatch)
		s.writerOut = make(chan struct{})
		go s.groupWriter()
	}
	return s
}

// groupWriter runs queued writes in batches until the queue is closed.
func (s *DB) groupWriter() {
	defer close(s.writerOut)
	for first := range s.queue {
		batch := []*commitReq{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.queue:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.runBatch(batch)
	}
}

// Observe implements store.Observable. Call it before the store is used:
// the grouped writer reads the observer without a lock, after receiving
// the first write (which Observe happened before).
func (s *DB) Observe(o store.Observer) { s.obs = o }

// runBatch runs a batch of writes in one transaction, each in its own
// savepoint so one write's failure undoes only that write.
func (s *DB) runBatch(batch []*commitReq) {
	errs := make([]error, len(batch))
	ctx := context.Background()
	sqlTx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("sqlstore: begin: %w", err)
		}
		return
	}
	t := &tx{tx: sqlTx, s: s, db: s.writer, grouped: true}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		errs[i] = t.savepoint(r.ctx, "batch", func() error { return runSafely(r.fn, t) })
	}
	if err := s.observedCommit(t, len(batch)); err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("sqlstore: commit: %w", err)
			}
		}
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
	if len(t.unprepared) > 0 {
		s.prepare(ctx, s.writer, t.unprepared)
	}
}

// runSafely calls fn, turning a panic into an error so one bad write
// cannot take the shared writer down.
func runSafely(fn func(store.Tx) error, t *tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("sqlstore: write panicked: %v", v)
		}
	}()
	return fn(t)
}

// cached returns db's prepared statement for q, or nil.
func (s *DB) cached(db *sql.DB, q string) *sql.Stmt {
	c := s.stmts[db]
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[q]
}

// prepare prepares the queries a transaction ran unprepared. It runs after
// the transaction ended: preparing on a pool needs a free connection, and
// the SQLite writer pool has only the one the transaction held.
func (s *DB) prepare(ctx context.Context, db *sql.DB, queries []string) {
	c := s.stmts[db]
	for _, q := range queries {
		c.mu.Lock()
		_, done := c.stmts[q]
		full := len(c.stmts) >= maxStatements
		c.mu.Unlock()
		if done || full {
			continue
		}
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue // the query ran unprepared; its own error was reported there
		}
		c.mu.Lock()
		if _, dup := c.stmts[q]; dup {
			st.Close()
		} else {
			c.stmts[q] = st
		}
		c.mu.Unlock()
	}
}

// observedCommit commits t, which carries writes Updates, and tells the
// observer.
func (s *DB) observedCommit(t *tx, writes int) error {
	if s.obs == nil {
		return t.commit()
	}
	start := time.Now()
	err := t.commit()
	s.obs.Commit(writes, time.Since(start), err)
	return err
}

// Update implements store.Store. A transaction that fails only because a
// concurrent one got in its way is run again, up to five times.
func (s *DB) Update(ctx context.Context, fn func(store.Tx) error) error {
	if s.obs == nil {
		return s.update(ctx, fn)
	}
	start := time.Now()
	err := s.update(ctx, fn)
	s.obs.Transaction(true, time.Since(start), err)
	return err
}

func (s *DB) update(ctx context.Context, fn func(store.Tx) error) error {
	if s.queue != nil {
		r := &commitReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
		select {
		case s.queue <- r:
		case <-ctx.Done():
			return ctx.Err()
		}
		// Once queued the write may run, so wait for its outcome.
		return <-r.done
	}
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
	if s.obs == nil {
		return s.run(ctx, s.reader, true, fn)
	}
	start := time.Now()
	err := s.run(ctx, s.reader, true, fn)
	s.obs.Transaction(false, time.Since(start), err)
	return err
}

func (s *DB) run(ctx context.Context, db *sql.DB, readOnly bool, fn func(store.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: readOnly && s.d.Name == "postgres"}
	var seq uint64
	if readOnly && s.nodes != nil {
		// Before the first statement, so the snapshot is no older.
		seq = s.nodes.begin()
	}
	txCtx := ctx
	if !readOnly {
		// A write's transaction outlives its caller's interest: once fn
		// has returned nil the commit goes ahead even if ctx is cancelled
		// meanwhile, so Update's answer always says what happened. A
		// cancellation while fn runs still stops it at its next statement
		// (statements get ctx) and the whole transaction is rolled back.
		if err := ctx.Err(); err != nil {
			return err
		}
		txCtx = context.WithoutCancel(ctx)
	}
	sqlTx, err := db.BeginTx(txCtx, opts)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	t := &tx{tx: sqlTx, s: s, db: db, readOnly: readOnly, seq: seq}
	defer func() {
		if len(t.unprepared) > 0 {
			s.prepare(context.WithoutCancel(ctx), db, t.unprepared)
		}
	}()
	if err := fn(t); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	commit := t.commit
	if !readOnly {
		commit = func() error { return s.observedCommit(t, 1) }
	}
	if err := commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// commit commits the transaction and tells the node cache what changed.
func (t *tx) commit() error {
	if t.s.nodes == nil || t.readOnly {
		return t.tx.Commit()
	}
	t.s.nodes.committing()
	err := t.tx.Commit()
	t.s.nodes.committed(err == nil, t.wiped, t.deltas)
	return err
}

// Close implements store.Store. Writes still queued finish first.
func (s *DB) Close() error {
	if s.queue != nil {
		s.closeOnce.Do(func() { close(s.queue) })
		<-s.writerOut
	}
	var errs []error
	for _, c := range s.stmts {
		for _, st := range c.stmts {
			errs = append(errs, st.Close())
		}
	}
	errs = append(errs, s.writer.Close())
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
	db *sql.DB // the pool the transaction came from
	// unprepared lists queries run without a cached statement, to be
	// prepared once the transaction ends.
	unprepared []string
	// readOnly is set for View transactions; seq is the node cache's
	// sequence when one began.
	readOnly bool
	seq      uint64
	// deltas and wiped are a write transaction's changes to rank nodes,
	// for the node cache once it commits.
	deltas []nodeDelta
	wiped  bool
	// grouped is set for the group writer's transactions: the only
	// writer, so the node cache holds the committed state it started
	// from, and it may read the trees it has not written (touched) there.
	grouped bool
	touched map[treeKey]bool
	// lastCtx is the context of the last statement, lastDriver and
	// lastHook what driverCtx derived from it.
	lastCtx, lastDriver context.Context
	lastHook            func(string)
}

// treeKey names one rank tree.
type treeKey struct {
	campaign int64
	tree     string
}

// statementHook is the context key of WithStatementHook.
type statementHook struct{}

// WithStatementHook returns ctx carrying hook, which every transaction
// calls with the statement's text before it runs a statement under ctx
// (or a context derived from it). It is a fault-injection point for tests:
// a hook that cancels the request's context at statement k shows what a
// client hanging up at that moment leaves behind.
func WithStatementHook(ctx context.Context, hook func(query string)) context.Context {
	return context.WithValue(ctx, statementHook{}, hook)
}

// driverCtx returns the context to run statement q under. In the group
// writer's shared transaction a statement must never be interrupted:
// SQLite answers an interrupted write by rolling back the whole
// transaction, other callers' writes with it. So the request's
// cancellation is honoured at statement boundaries only — a cancelled
// request runs no further statement and its savepoint is rolled back —
// and the driver gets a context that is never cancelled.
//
// A request runs its statements with one context, so what depends on the
// context alone (its hook, the driver's context) is kept from its last
// statement.
func (t *tx) driverCtx(ctx context.Context, q string) (context.Context, error) {
	if ctx != t.lastCtx {
		t.lastCtx, t.lastDriver = ctx, ctx
		t.lastHook, _ = ctx.Value(statementHook{}).(func(string))
		if t.grouped {
			t.lastDriver = context.WithoutCancel(ctx)
		}
	}
	if t.lastHook != nil {
		t.lastHook(q)
	}
	if t.grouped {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return t.lastDriver, nil
}

// stmt returns a transaction-bound prepared statement for q when the
// dialect caches statements and one is cached, or nil.
func (t *tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if !t.s.d.CacheStatements {
		return nil
	}
	st := t.s.cached(t.db, q)
	if st == nil {
		t.unprepared = append(t.unprepared, q)
		return nil
	}
	return t.tx.StmtContext(ctx, st)
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q = t.s.rebind(q)
	ctx, err := t.driverCtx(ctx, q)
	if err != nil {
		return nil, err
	}
	var res sql.Result
	if st := t.stmt(ctx, q); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = t.tx.ExecContext(ctx, q, args...)
	}
	return res, t.classify(err)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = t.s.rebind(q)
	ctx, err := t.driverCtx(ctx, q)
	if err != nil {
		return nil, err
	}
	var rows *sql.Rows
	if st := t.stmt(ctx, q); st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = t.tx.QueryContext(ctx, q, args...)
	}
	return rows, t.classify(err)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = t.s.rebind(q)
	if dctx, err := t.driverCtx(ctx, q); err == nil {
		ctx = dctx
	}
	// else ctx is cancelled: database/sql checks it before anything reaches
	// the driver, so the Row carries ctx's error and nothing runs.
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
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
	return t.savepoint(ctx, "guard", fn)
}

// savepoint runs fn inside a savepoint and undoes its effects if it fails.
// Undoing and releasing never depend on ctx: fn typically fails because
// ctx was cancelled, and a savepoint left open would let the enclosing
// commit keep fn's half-done work.
func (t *tx) savepoint(ctx context.Context, name string, fn func() error) error {
	if _, err := t.exec(ctx, `SAVEPOINT `+name); err != nil {
		return err
	}
	cleanup := context.WithoutCancel(ctx)
	mark, wiped := len(t.deltas), t.wiped
	if err := fn(); err != nil {
		t.deltas, t.wiped = t.deltas[:mark], wiped
		if _, rbErr := t.exec(cleanup, `ROLLBACK TO SAVEPOINT `+name); rbErr != nil {
			return errors.Join(err, rbErr)
		}
		_, _ = t.exec(cleanup, `RELEASE SAVEPOINT `+name)
		return err
	}
	_, err := t.exec(cleanup, `RELEASE SAVEPOINT `+name)
	return err
}

// batchRows is how many rows one multi-row statement carries. Fixed-size
// batches (and single rows for the remainder) keep statement texts few,
// so their prepared forms are reused.
const batchRows = 32

// execRows runs head + " VALUES (…), (…)" + tail for rows of width values
// each, batchRows rows a statement.
func (t *tx) execRows(ctx context.Context, head string, width int, tail string, rows [][]any) error {
	one := "(" + placeholders(width) + ")"
	full := head + " VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", batchRows), ", ") + " " + tail
	for len(rows) >= batchRows {
		args := make([]any, 0, width*batchRows)
		for _, r := range rows[:batchRows] {
			args = append(args, r...)
		}
		if _, err := t.exec(ctx, full, args...); err != nil {
			return err
		}
		rows = rows[batchRows:]
	}
	for _, r := range rows {
		if _, err := t.exec(ctx, head+" VALUES "+one+" "+tail, r...); err != nil {
			return err
		}
	}
	return nil
}

// insertUnique runs an INSERT … ON CONFLICT DO NOTHING RETURNING id and
// reports store.ErrConflict when a unique key was taken. Unlike a failed
// statement, a skipped insert does not abort a PostgreSQL transaction, so
// no savepoint is needed.
func (t *tx) insertUnique(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := t.queryRow(ctx, q+" ON CONFLICT DO NOTHING RETURNING id", args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, store.ErrConflict
	}
	return id, t.classify(err)
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

// count counts the rows of table that w selects.
func (t *tx) count(ctx context.Context, table string, w where) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM `+table+w.sql(), w.args...).Scan(&n)
	return n, err
}

func limitOf(n int) int {
	if n <= 0 {
		return 1 << 30
	}
	return n
}
