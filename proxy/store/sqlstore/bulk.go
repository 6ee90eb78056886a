package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// insertMany inserts rows of width values each, batchRows rows a
// statement, and reports each new row's ID through set. keyCol is a
// column whose value (keys[i] for row i) identifies the row in the
// RETURNING list, whose order SQL does not promise.
func (t *tx) insertMany(ctx context.Context, head string, width int, rows [][]any, keyCol string, keys []any, set func(i int, id int64)) error {
	index := make(map[string]int, len(keys))
	for i, k := range keys {
		index[fmt.Sprint(k)] = i
	}
	one := "(" + placeholders(width) + ")"
	for len(rows) > 0 {
		n := 1
		if len(rows) >= batchRows {
			n = batchRows
		}
		args := make([]any, 0, width*n)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		q := head + " VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ") + " RETURNING id, " + keyCol
		res, err := t.query(ctx, q, args...)
		if err != nil {
			return err
		}
		got := 0
		for res.Next() {
			var (
				id  int64
				key string
			)
			if err := res.Scan(&id, &key); err != nil {
				res.Close()
				return err
			}
			i, ok := index[key]
			if !ok {
				res.Close()
				return fmt.Errorf("sqlstore: bulk insert returned unknown key %q", key)
			}
			set(i, id)
			got++
		}
		if err := res.Close(); err != nil {
			return err
		}
		if err := res.Err(); err != nil {
			return t.classify(err)
		}
		if got != n {
			return fmt.Errorf("sqlstore: bulk insert stored %d of %d rows", got, n)
		}
		rows = rows[n:]
	}
	return nil
}

func (t *tx) InsertParticipants(ctx context.Context, account int64, ps []*store.Participant) error {
	rows := make([][]any, len(ps))
	keys := make([]any, len(ps))
	for i, p := range ps {
		args, err := participantArgs(p)
		if err != nil {
			return err
		}
		rows[i], keys[i] = append([]any{account}, args...), fmt.Sprintf("%d\x1f%d", atoi(p.CampaignID), p.Ord)
	}
	return t.insertMany(ctx, `INSERT INTO participants (account_id, `+participantCols+`)`, 17, rows,
		t.concat("campaign_id", "ord"), keys, func(i int, id int64) { ps[i].ID = itoa(id) })
}

func (t *tx) InsertLinks(ctx context.Context, account int64, ls []*store.Link) error {
	rows := make([][]any, len(ls))
	keys := make([]any, len(ls))
	for i, l := range ls {
		args, err := linkArgs(l)
		if err != nil {
			return err
		}
		rows[i], keys[i] = append([]any{account}, args...), store.Key(l.Token)
	}
	return t.insertMany(ctx, `INSERT INTO links (account_id, campaign_id, participant_id, kind, token_key, created_at, doc)`, 7, rows,
		"token_key", keys, func(i int, id int64) { ls[i].ID = itoa(id) })
}

func (t *tx) InsertReferrals(ctx context.Context, account int64, rs []*canonical.Referral) error {
	rows := make([][]any, 0, len(rs))
	keys := make([]any, 0, len(rs))
	for _, r := range rs {
		if r.ReferredID == "" {
			return fmt.Errorf("sqlstore: bulk referrals need a referred participant")
		}
		args, err := referralArgs(r)
		if err != nil {
			return err
		}
		rows, keys = append(rows, append([]any{account}, args...)), append(keys, atoi(r.ReferredID))
	}
	return t.insertMany(ctx, `INSERT INTO referrals (account_id, campaign_id, referrer_id, referred_id, state, converted,
		email_key, channel, stripe_customer_id, trigger_at, created_at, updated_at, doc)`, 13, rows,
		"referred_id", keys, func(i int, id int64) { rs[i].ID = itoa(id) })
}

// concat renders a text key of two integer columns joined by \x1f.
func (t *tx) concat(a, b string) string {
	if t.s.d.Name == "postgres" {
		return "(" + a + "::text || chr(31) || " + b + "::text)"
	}
	return "(" + a + " || char(31) || " + b + ")"
}

func (t *tx) ReserveOrdinals(ctx context.Context, account, campaign int64, n int) (int64, error) {
	var last int64
	err := t.queryRow(ctx, `UPDATE campaigns SET next_ord = next_ord + ? WHERE account_id = ? AND id = ? RETURNING next_ord`,
		n, account, campaign).Scan(&last)
	return last - int64(n) + 1, notFound(err)
}

func (t *tx) SetMonthlyScores(ctx context.Context, campaign int64, month int, scores []store.MonthlyScore) error {
	rows := make([][]any, 0, len(scores))
	for _, s := range scores {
		if s.N == 0 {
			if err := t.SetMonthlyScore(ctx, campaign, month, s.Participant, s.Ord, 0); err != nil {
				return err
			}
			continue
		}
		rows = append(rows, []any{campaign, month, s.Participant, s.Ord, s.N})
	}
	return t.execRows(ctx, `INSERT INTO monthly_scores (campaign_id, month, participant_id, ord, n)`, 5,
		`ON CONFLICT (campaign_id, month, participant_id) DO UPDATE SET n = excluded.n, ord = excluded.ord`, rows)
}
