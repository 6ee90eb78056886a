package sqlstore

import (
	"context"
	"database/sql"
)

// getDoc runs a query returning one (id, doc) row and decodes it.
func getDoc[T any](ctx context.Context, t *tx, setID func(*T, string), q string, args ...any) (T, error) {
	var (
		v   T
		id  int64
		doc string
	)
	if err := t.queryRow(ctx, q, args...).Scan(&id, &doc); err != nil {
		return v, notFound(err)
	}
	if err := decode(id, doc, &v); err != nil {
		return v, err
	}
	setID(&v, itoa(id))
	return v, nil
}

// listDocs runs a query returning (id, doc) rows and decodes them; a row
// that cannot be read is listed by its ID alone (see decodeListed).
func listDocs[T any](ctx context.Context, t *tx, setID func(*T, string), q string, args ...any) ([]T, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanDocs(rows, setID)
}

func scanDocs[T any](rows *sql.Rows, setID func(*T, string)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var (
			v   T
			id  int64
			doc string
		)
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, err
		}
		decodeListed(id, doc, &v, setID)
		out = append(out, v)
	}
	return out, rows.Err()
}

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
