package sqlstore

import (
	"context"
	"sort"

	"github.com/refbridge/refbridge/proxy/store"
)

func (t *tx) AddCounters(ctx context.Context, campaign, scope int64, deltas map[string]int64) error {
	names := make([]string, 0, len(deltas))
	for name, d := range deltas {
		if d != 0 {
			names = append(names, name)
		}
	}
	sort.Strings(names) // a fixed order keeps concurrent upserts from deadlocking
	rows := make([][]any, len(names))
	for i, name := range names {
		rows[i] = []any{campaign, scope, name, deltas[name]}
	}
	return t.execRows(ctx, `INSERT INTO counters (campaign_id, scope, name, n)`, 4,
		`ON CONFLICT (campaign_id, scope, name) DO UPDATE SET n = counters.n + excluded.n`, rows)
}

func (t *tx) AddCounterRows(ctx context.Context, campaign int64, rows []store.CounterRow) error {
	sorted := make([]store.CounterRow, 0, len(rows))
	for _, r := range rows {
		if r.Delta != 0 {
			sorted = append(sorted, r)
		}
	}
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Scope != sorted[j].Scope {
			return sorted[i].Scope < sorted[j].Scope
		}
		return sorted[i].Name < sorted[j].Name
	})
	vals := make([][]any, len(sorted))
	for i, r := range sorted {
		vals[i] = []any{campaign, r.Scope, r.Name, r.Delta}
	}
	return t.execRows(ctx, `INSERT INTO counters (campaign_id, scope, name, n)`, 4,
		`ON CONFLICT (campaign_id, scope, name) DO UPDATE SET n = counters.n + excluded.n`, vals)
}

func (t *tx) Counters(ctx context.Context, campaign, scope int64) (map[string]int64, error) {
	rows, err := t.query(ctx, `SELECT name, n FROM counters WHERE campaign_id = ? AND scope = ?`, campaign, scope)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var (
			name string
			n    int64
		)
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, rows.Err()
}

func (t *tx) DeleteCounters(ctx context.Context, campaign, scope int64) error {
	if _, err := t.exec(ctx, `DELETE FROM counters WHERE campaign_id = ? AND scope = ?`, campaign, scope); err != nil {
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM seen WHERE campaign_id = ? AND scope = ?`, campaign, scope)
	return err
}

func (t *tx) MarkSeen(ctx context.Context, campaign, scope int64, set, key string) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO seen (campaign_id, scope, set_name, key) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		campaign, scope, set, key)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
