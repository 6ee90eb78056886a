package sqlstore

import "context"

func (t *tx) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := t.queryRow(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	return v, notFound(err)
}

// InitSetting inserts unless the name is taken, then reads what is
// stored. On PostgreSQL a concurrent transaction inserting the same name
// makes the insert wait for its outcome; the read, a new statement under
// READ COMMITTED, then sees the row that won.
func (t *tx) InitSetting(ctx context.Context, name, value string) (string, error) {
	if _, err := t.exec(ctx, `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, value); err != nil {
		return "", err
	}
	return t.Setting(ctx, name)
}
