package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migrate applies, in order, every migration in dir of fsys that db has not
// applied yet. Migration files are named NNN_description.sql; each runs in
// its own transaction together with the record of its version in
// schema_migrations, so a migration is applied entirely or not at all.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, fsys fs.FS, dir string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("sqlstore: migrations table: %w", err)
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("sqlstore: read migrations: %w", err)
	}
	type migration struct {
		version int64
		name    string
	}
	var all []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			return fmt.Errorf("sqlstore: migration %q is not named NNN_description.sql", name)
		}
		all = append(all, migration{v, name})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].version < all[j].version })
	s := &DB{d: d} // only for rebind; New would start a group-commit writer
	for _, m := range all {
		var applied int
		if err := db.QueryRowContext(ctx, s.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.version).Scan(&applied); err != nil {
			return fmt.Errorf("sqlstore: check migration %s: %w", m.name, err)
		}
		if applied > 0 {
			continue
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, m.name))
		if err != nil {
			return err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("sqlstore: apply %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO schema_migrations (version, name) VALUES (?, ?)`), m.version, m.name); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("sqlstore: record %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqlstore: commit %s: %w", m.name, err)
		}
	}
	return nil
}
