package sqlstore

import (
	"context"
	"sort"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

func setRewardID(r *canonical.EarnedReward, id string)     { r.ID = id }
func setTransactionID(x *canonical.Transaction, id string) { x.ID = id }
func setCommissionID(c *canonical.Commission, id string)   { c.ID = id }
func setPayoutID(p *canonical.Payout, id string)           { p.ID = id }

func rewardArgs(r *canonical.EarnedReward) ([]any, error) {
	cp := *r
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return nil, err
	}
	return []any{atoi(r.CampaignID), atoi(r.RuleID), atoi(r.ParticipantID), string(r.Status), ms(r.CreatedAt), doc}, nil
}

func (t *tx) InsertReward(ctx context.Context, account int64, r *canonical.EarnedReward) error {
	args, err := rewardArgs(r)
	if err != nil {
		return err
	}
	id, err := t.insertID(ctx, `INSERT INTO rewards (account_id, campaign_id, rule_id, participant_id, status, created_at, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, append([]any{account}, args...)...)
	if err != nil {
		return err
	}
	r.ID = itoa(id)
	return nil
}

func (t *tx) GetReward(ctx context.Context, account, id int64) (canonical.EarnedReward, error) {
	return getDoc(ctx, t, setRewardID, `SELECT id, doc FROM rewards WHERE account_id = ? AND id = ?`, account, id)
}

func (t *tx) UpdateReward(ctx context.Context, account int64, r *canonical.EarnedReward) error {
	args, err := rewardArgs(r)
	if err != nil {
		return err
	}
	return affected(t.exec(ctx, `UPDATE rewards SET campaign_id = ?, rule_id = ?, participant_id = ?, status = ?, created_at = ?, doc = ?
		WHERE account_id = ? AND id = ?`, append(args, account, atoi(r.ID))...))
}

func (t *tx) DeleteReward(ctx context.Context, account, id int64) error {
	return affected(t.exec(ctx, `DELETE FROM rewards WHERE account_id = ? AND id = ?`, account, id))
}

func (t *tx) ListRewards(ctx context.Context, account int64, q store.RewardQuery) ([]canonical.EarnedReward, error) {
	w := where{}
	w.add("account_id = ?", account)
	if q.Campaign != 0 {
		w.add("campaign_id = ?", q.Campaign)
	}
	if q.Participant != 0 {
		w.add("participant_id = ?", q.Participant)
	}
	in(&w, "status", q.Statuses)
	if q.Before > 0 {
		w.add("id < ?", q.Before)
	}
	return listDocs(ctx, t, setRewardID, `SELECT id, doc FROM rewards`+w.sql()+` ORDER BY id DESC LIMIT +?`,
		append(w.args, limitOf(q.Limit))...)
}

func (t *tx) CountRewards(ctx context.Context, account, participant, rule int64, since time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM rewards WHERE account_id = ? AND participant_id = ? AND rule_id = ?
		AND created_at >= ? AND status <> ?`, account, participant, rule, ms(since), string(canonical.RewardCanceled)).Scan(&n)
	return n, err
}

func (t *tx) CountWinners(ctx context.Context, account, campaign int64) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(DISTINCT participant_id) FROM rewards WHERE account_id = ? AND campaign_id = ? AND status IN (?, ?)`,
		account, campaign, string(canonical.RewardApproved), string(canonical.RewardFulfilled)).Scan(&n)
	return n, err
}

// transactionKeys lists the identifiers a sale claims, in a fixed order.
// Refunds claim none: several partial refunds may carry the sale's
// identifiers.
func transactionKeys(x *canonical.Transaction) [][2]string {
	if x.Kind != canonical.Sale {
		return nil
	}
	names := make([]string, 0, len(x.ExternalIDs))
	for name, v := range x.ExternalIDs {
		if v != "" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	out := make([][2]string, len(names))
	for i, name := range names {
		out[i] = [2]string{string(x.Kind) + ":" + name, x.ExternalIDs[name]}
	}
	return out
}

func (t *tx) InsertTransaction(ctx context.Context, account int64, x *canonical.Transaction) error {
	cp := *x
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return err
	}
	return t.guard(ctx, true, func() error {
		id, err := t.insertID(ctx, `INSERT INTO transactions (account_id, campaign_id, participant_id, kind, refund_of, created_at, doc)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, account, atoi(x.CampaignID), atoi(x.ParticipantID), string(x.Kind),
			nullID(atoi(x.RefundOf)), ms(x.CreatedAt), doc)
		if err != nil {
			return err
		}
		for _, k := range transactionKeys(x) {
			if _, err := t.exec(ctx, `INSERT INTO transaction_keys (campaign_id, name, value, transaction_id) VALUES (?, ?, ?, ?)`,
				atoi(x.CampaignID), k[0], k[1], id); err != nil {
				return err
			}
		}
		x.ID = itoa(id)
		return nil
	})
}

func (t *tx) GetTransaction(ctx context.Context, account, id int64) (canonical.Transaction, error) {
	return getDoc(ctx, t, setTransactionID, `SELECT id, doc FROM transactions WHERE account_id = ? AND id = ?`, account, id)
}

func (t *tx) FindTransaction(ctx context.Context, account, campaign int64, keys map[string]string) (canonical.Transaction, error) {
	probe := canonical.Transaction{Kind: canonical.Sale, ExternalIDs: keys}
	for _, k := range transactionKeys(&probe) {
		x, err := getDoc(ctx, t, setTransactionID, `SELECT t.id, t.doc FROM transaction_keys k JOIN transactions t ON t.id = k.transaction_id
			WHERE k.campaign_id = ? AND k.name = ? AND k.value = ? AND t.account_id = ?`, campaign, k[0], k[1], account)
		if err == nil || err != store.ErrNotFound {
			return x, err
		}
	}
	return canonical.Transaction{}, store.ErrNotFound
}

func (t *tx) ListTransactions(ctx context.Context, account int64, q store.TransactionQuery) ([]canonical.Transaction, error) {
	w := where{}
	w.add("account_id = ?", account)
	if q.Campaign != 0 {
		w.add("campaign_id = ?", q.Campaign)
	}
	if q.Participant != 0 {
		w.add("participant_id = ?", q.Participant)
	}
	if q.RefundOf != 0 {
		w.add("refund_of = ?", q.RefundOf)
	}
	if q.Before > 0 {
		w.add("id < ?", q.Before)
	}
	return listDocs(ctx, t, setTransactionID, `SELECT id, doc FROM transactions`+w.sql()+` ORDER BY id DESC LIMIT +?`,
		append(w.args, limitOf(q.Limit))...)
}

func commissionArgs(c *canonical.Commission) ([]any, error) {
	cp := *c
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return nil, err
	}
	return []any{atoi(c.CampaignID), atoi(c.ReferrerID), nullID(atoi(c.TransactionID)), nullID(atoi(c.PayoutID)),
		string(c.Status), msp(c.DueAt), ms(c.CreatedAt), doc}, nil
}

func (t *tx) InsertCommission(ctx context.Context, account int64, c *canonical.Commission) error {
	args, err := commissionArgs(c)
	if err != nil {
		return err
	}
	id, err := t.insertID(ctx, `INSERT INTO commissions (account_id, campaign_id, referrer_id, transaction_id, payout_id, status,
		due_at, created_at, doc) VALUES (?, `+placeholders(8)+`)`, append([]any{account}, args...)...)
	if err != nil {
		return err
	}
	c.ID = itoa(id)
	return nil
}

func (t *tx) GetCommission(ctx context.Context, account, id int64) (canonical.Commission, error) {
	return getDoc(ctx, t, setCommissionID, `SELECT id, doc FROM commissions WHERE account_id = ? AND id = ?`, account, id)
}

func (t *tx) UpdateCommission(ctx context.Context, account int64, c *canonical.Commission) error {
	args, err := commissionArgs(c)
	if err != nil {
		return err
	}
	return affected(t.exec(ctx, `UPDATE commissions SET campaign_id = ?, referrer_id = ?, transaction_id = ?, payout_id = ?,
		status = ?, due_at = ?, created_at = ?, doc = ? WHERE account_id = ? AND id = ?`, append(args, account, atoi(c.ID))...))
}

func (t *tx) DeleteCommission(ctx context.Context, account, id int64) error {
	return affected(t.exec(ctx, `DELETE FROM commissions WHERE account_id = ? AND id = ?`, account, id))
}

func (t *tx) ListCommissions(ctx context.Context, account int64, q store.CommissionQuery) ([]canonical.Commission, error) {
	w := commissionsWhere(account, q)
	if q.Before > 0 {
		w.add("id < ?", q.Before)
	}
	return listDocs(ctx, t, setCommissionID, `SELECT id, doc FROM commissions`+w.sql()+` ORDER BY id DESC LIMIT +? OFFSET +?`,
		append(w.args, limitOf(q.Limit), max(q.Offset, 0))...)
}

func (t *tx) CountCommissions(ctx context.Context, account int64, q store.CommissionQuery) (int, error) {
	return t.count(ctx, "commissions", commissionsWhere(account, q))
}

// commissionsWhere is the filter of a commission query, Before aside.
func commissionsWhere(account int64, q store.CommissionQuery) where {
	w := where{}
	w.add("account_id = ?", account)
	if q.Campaign != 0 {
		w.add("campaign_id = ?", q.Campaign)
	}
	if q.Referrer != 0 {
		w.add("referrer_id = ?", q.Referrer)
	}
	if q.Transaction != 0 {
		w.add("transaction_id = ?", q.Transaction)
	}
	if q.Payout != 0 {
		w.add("payout_id = ?", q.Payout)
	}
	in(&w, "status", q.Statuses)
	return w
}

func (t *tx) PendingDue(ctx context.Context, account, campaign int64, now time.Time) ([]canonical.Commission, error) {
	return listDocs(ctx, t, setCommissionID, `SELECT id, doc FROM commissions
		WHERE account_id = ? AND campaign_id = ? AND status = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id`,
		account, campaign, string(canonical.CommissionPending), now.UnixMilli())
}

func payoutArgs(p *canonical.Payout) ([]any, error) {
	cp := *p
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return nil, err
	}
	return []any{atoi(p.CampaignID), atoi(p.ParticipantID), string(p.Status), ms(p.CreatedAt), doc}, nil
}

func (t *tx) InsertPayout(ctx context.Context, account int64, p *canonical.Payout) error {
	args, err := payoutArgs(p)
	if err != nil {
		return err
	}
	id, err := t.insertID(ctx, `INSERT INTO payouts (account_id, campaign_id, participant_id, status, created_at, doc)
		VALUES (?, ?, ?, ?, ?, ?)`, append([]any{account}, args...)...)
	if err != nil {
		return err
	}
	p.ID = itoa(id)
	return nil
}

func (t *tx) GetPayout(ctx context.Context, account, id int64) (canonical.Payout, error) {
	return getDoc(ctx, t, setPayoutID, `SELECT id, doc FROM payouts WHERE account_id = ? AND id = ?`, account, id)
}

func (t *tx) UpdatePayout(ctx context.Context, account int64, p *canonical.Payout) error {
	args, err := payoutArgs(p)
	if err != nil {
		return err
	}
	return affected(t.exec(ctx, `UPDATE payouts SET campaign_id = ?, participant_id = ?, status = ?, created_at = ?, doc = ?
		WHERE account_id = ? AND id = ?`, append(args, account, atoi(p.ID))...))
}

func (t *tx) DeletePayout(ctx context.Context, account, id int64) error {
	return affected(t.exec(ctx, `DELETE FROM payouts WHERE account_id = ? AND id = ?`, account, id))
}

func (t *tx) ListPayouts(ctx context.Context, account int64, q store.PayoutQuery) ([]canonical.Payout, error) {
	w := payoutsWhere(account, q)
	if q.Before > 0 {
		w.add("id < ?", q.Before)
	}
	return listDocs(ctx, t, setPayoutID, `SELECT id, doc FROM payouts`+w.sql()+` ORDER BY id DESC LIMIT +? OFFSET +?`,
		append(w.args, limitOf(q.Limit), max(q.Offset, 0))...)
}

func (t *tx) CountPayouts(ctx context.Context, account int64, q store.PayoutQuery) (int, error) {
	return t.count(ctx, "payouts", payoutsWhere(account, q))
}

// payoutsWhere is the filter of a payout query, Before aside.
func payoutsWhere(account int64, q store.PayoutQuery) where {
	w := where{}
	w.add("account_id = ?", account)
	if q.Campaign != 0 {
		w.add("campaign_id = ?", q.Campaign)
	}
	if q.Participant != 0 {
		w.add("participant_id = ?", q.Participant)
	}
	in(&w, "status", q.Statuses)
	return w
}
