// Package sqlite is the default, embedded store: store.Store on a SQLite
// file through modernc.org/sqlite (pure Go, no cgo).
//
// The database runs in WAL mode with foreign keys on and a busy timeout.
// Writes go through one connection whose transactions begin IMMEDIATE, so
// writers queue instead of failing; reads use a pool of their own and see a
// consistent snapshot. With the default synchronous=NORMAL a committed
// transaction survives a crash or kill of the process; Options.Synchronous
// "FULL" also makes it survive a power failure.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"

	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tunes Open; nil means defaults.
type Options struct {
	// Synchronous is SQLite's synchronous pragma: "NORMAL" (default) or
	// "FULL".
	Synchronous string
	// BusyTimeoutMillis is how long a connection waits for a lock
	// (default 10000).
	BusyTimeoutMillis int
	// CacheMiB is each connection's page cache (default 64).
	CacheMiB int
	// MmapMiB is how much of the file is read through memory mapping
	// (default 16384, address space only; 0 keeps the default, a negative
	// value turns it off).
	MmapMiB int
}

// Dialect is SQLite's sqlstore dialect.
var Dialect = sqlstore.Dialect{
	Name:            "sqlite",
	CacheStatements: true,
	// One process owns the file, so its commits are all the commits.
	CacheNodes:   true,
	NodesPerTree: true,
	GroupCommit:  true,
	IntList: func(col string, vals []int64) (string, any) {
		return col + " IN (SELECT value FROM json_each(?))", jsonInts(vals)
	},
	PairList: func(col1, col2 string, texts []string, ints []int64) (string, []any) {
		return "(" + col1 + ", " + col2 + ") IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))", []any{jsonPairs(texts, ints)}
	},
	IsUnique: isUnique,
	IsRetryable: func(err error) bool {
		var e *sqlite3.Error
		return errors.As(err, &e) && (e.Code()&0xff == sqlite3lib.SQLITE_BUSY || e.Code()&0xff == sqlite3lib.SQLITE_LOCKED)
	},
}

// jsonInts renders integers as a JSON array.
func jsonInts(vals []int64) string {
	b := make([]byte, 0, 12*len(vals)+2)
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, v, 10)
	}
	return string(append(b, ']'))
}

// jsonPairs renders [text, integer] pairs as a JSON array of arrays.
func jsonPairs(texts []string, ints []int64) string {
	b := make([]byte, 0, 24*len(ints)+2)
	b = append(b, '[')
	for i := range ints {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		q, _ := json.Marshal(texts[i]) // a string always marshals
		b = append(b, q...)
		b = append(b, ',')
		b = strconv.AppendInt(b, ints[i], 10)
		b = append(b, ']')
	}
	return string(append(b, ']'))
}

func isUnique(err error) bool {
	var e *sqlite3.Error
	return errors.As(err, &e) &&
		(e.Code() == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// Open opens (creating if needed) the database file at path and applies
// pending migrations.
func Open(ctx context.Context, path string, opts *Options) (store.Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	sync := opts.Synchronous
	if sync == "" {
		sync = "NORMAL"
	}
	if sync != "NORMAL" && sync != "FULL" {
		return nil, fmt.Errorf("sqlite: synchronous must be NORMAL or FULL, not %q", sync)
	}
	busy := opts.BusyTimeoutMillis
	if busy <= 0 {
		busy = 10000
	}
	cache := opts.CacheMiB
	if cache <= 0 {
		cache = 64
	}
	mmap := opts.MmapMiB
	switch {
	case mmap == 0:
		mmap = 16384
	case mmap < 0:
		mmap = 0
	}
	dsn := func(txlock string) string {
		q := url.Values{}
		for _, p := range []string{
			"journal_mode(WAL)", "foreign_keys(ON)", fmt.Sprintf("busy_timeout(%d)", busy),
			"synchronous(" + sync + ")", fmt.Sprintf("cache_size(%d)", -cache*1024),
			fmt.Sprintf("mmap_size(%d)", int64(mmap)<<20),
			// Each grouped write runs in a savepoint; its statement
			// journal stays in memory instead of spilling to a temp file.
			"temp_store(MEMORY)",
		} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", txlock)
		return "file:" + path + "?" + q.Encode()
	}
	writer, err := sql.Open("sqlite", dsn("immediate"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := sqlstore.Migrate(ctx, writer, Dialect, migrations, "migrations"); err != nil {
		writer.Close()
		return nil, err
	}
	reader, err := sql.Open("sqlite", dsn("deferred"))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Readers stay open: a connection closed when idle loses its pragmas
	// and prepared statements, and reopening costs more than it saves.
	readers := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	return sqlstore.New(writer, reader, Dialect), nil
}
