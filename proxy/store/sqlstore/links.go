package sqlstore

import (
	"time"

	"context"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

func setLinkID(l *store.Link, id string) { l.ID = id }

func linkArgs(l *store.Link) ([]any, error) {
	cp := *l
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return nil, err
	}
	return []any{atoi(l.CampaignID), atoi(l.ParticipantID), l.Kind, store.Key(l.Token), ms(l.CreatedAt), doc}, nil
}

func (t *tx) InsertLink(ctx context.Context, account int64, l *store.Link) error {
	args, err := linkArgs(l)
	if err != nil {
		return err
	}
	id, err := t.insertUnique(ctx, `INSERT INTO links (account_id, campaign_id, participant_id, kind, token_key, created_at, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, append([]any{account}, args...)...)
	if err != nil {
		return err
	}
	l.ID = itoa(id)
	return nil
}

func (t *tx) GetLink(ctx context.Context, account, id int64) (store.Link, error) {
	return getDoc(ctx, t, setLinkID, `SELECT id, doc FROM links WHERE account_id = ? AND id = ?`, account, id)
}

func (t *tx) FindLink(ctx context.Context, account int64, token string) (store.Link, error) {
	return getDoc(ctx, t, setLinkID, `SELECT id, doc FROM links WHERE account_id = ? AND token_key = ?`, account, store.Key(token))
}

func (t *tx) UpdateLink(ctx context.Context, account int64, l *store.Link) error {
	args, err := linkArgs(l)
	if err != nil {
		return err
	}
	return t.guard(ctx, false, func() error {
		return affected(t.exec(ctx, `UPDATE links SET campaign_id = ?, participant_id = ?, kind = ?, token_key = ?, created_at = ?, doc = ?
		WHERE account_id = ? AND id = ?`, append(args, account, atoi(l.ID))...))
	})
}

func (t *tx) DeleteLink(ctx context.Context, account, id int64) error {
	return affected(t.exec(ctx, `DELETE FROM links WHERE account_id = ? AND id = ?`, account, id))
}

func (t *tx) ListLinks(ctx context.Context, account int64, q store.LinkQuery) ([]store.Link, error) {
	w := where{}
	w.add("account_id = ?", account)
	if q.Campaign != 0 {
		w.add("campaign_id = ?", q.Campaign)
	}
	if q.Participant != 0 {
		w.add("participant_id = ?", q.Participant)
	}
	in(&w, "kind", q.Kinds)
	if q.Before > 0 {
		w.add("id < ?", q.Before)
	}
	return listDocs(ctx, t, setLinkID, `SELECT id, doc FROM links`+w.sql()+` ORDER BY id DESC LIMIT +?`,
		append(w.args, limitOf(q.Limit))...)
}

func setReferralID(r *canonical.Referral, id string) { r.ID = id }

func referralArgs(r *canonical.Referral) ([]any, error) {
	cp := *r
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return nil, err
	}
	return []any{atoi(r.CampaignID), atoi(r.ReferrerID), nullID(atoi(r.ReferredID)), string(r.State), r.ConvertedAt != nil,
		store.Key(r.Email), r.Channel, r.StripeCustomerID, msp(r.TriggerAt), ms(r.CreatedAt), ms(r.UpdatedAt), doc}, nil
}

func (t *tx) InsertReferral(ctx context.Context, account int64, r *canonical.Referral) error {
	args, err := referralArgs(r)
	if err != nil {
		return err
	}
	id, err := t.insertUnique(ctx, `INSERT INTO referrals (account_id, campaign_id, referrer_id, referred_id, state, converted,
		email_key, channel, stripe_customer_id, trigger_at, created_at, updated_at, doc)
		VALUES (?, `+placeholders(12)+`)`, append([]any{account}, args...)...)
	if err != nil {
		return err
	}
	r.ID = itoa(id)
	return nil
}

func (t *tx) GetReferral(ctx context.Context, account, id int64) (canonical.Referral, error) {
	return getDoc(ctx, t, setReferralID, `SELECT id, doc FROM referrals WHERE account_id = ? AND id = ?`, account, id)
}

func (t *tx) FindReferralOf(ctx context.Context, account, referred int64) (canonical.Referral, error) {
	return getDoc(ctx, t, setReferralID, `SELECT id, doc FROM referrals WHERE account_id = ? AND referred_id = ?`, account, referred)
}

func (t *tx) UpdateReferral(ctx context.Context, account int64, r *canonical.Referral) error {
	args, err := referralArgs(r)
	if err != nil {
		return err
	}
	return affected(t.exec(ctx, `UPDATE referrals SET campaign_id = ?, referrer_id = ?, referred_id = ?, state = ?, converted = ?,
		email_key = ?, channel = ?, stripe_customer_id = ?, trigger_at = ?, created_at = ?, updated_at = ?, doc = ?
		WHERE account_id = ? AND id = ?`, append(args, account, atoi(r.ID))...))
}

func (t *tx) DeleteReferral(ctx context.Context, account, id int64) error {
	return affected(t.exec(ctx, `DELETE FROM referrals WHERE account_id = ? AND id = ?`, account, id))
}

func (t *tx) ListReferrals(ctx context.Context, account int64, q store.ReferralQuery) ([]canonical.Referral, error) {
	w := referralsWhere(account, q)
	order := " ORDER BY id DESC"
	if q.Oldest {
		order = " ORDER BY id ASC"
		if q.Cursor > 0 {
			w.add("id > ?", q.Cursor)
		}
	} else if q.Cursor > 0 {
		w.add("id < ?", q.Cursor)
	}
	return listDocs(ctx, t, setReferralID, `SELECT id, doc FROM referrals`+w.sql()+order+` LIMIT +? OFFSET +?`,
		append(w.args, limitOf(q.Limit), max(q.Offset, 0))...)
}

func (t *tx) CountReferrals(ctx context.Context, account int64, q store.ReferralQuery) (int, error) {
	return t.count(ctx, "referrals", referralsWhere(account, q))
}

// referralsWhere is the filter of a referral query.
func referralsWhere(account int64, q store.ReferralQuery) where {
	w := where{}
	w.add("account_id = ?", account)
	if q.Campaign != 0 {
		w.add("campaign_id = ?", q.Campaign)
	}
	if q.Referrer != 0 {
		w.add("referrer_id = ?", q.Referrer)
	}
	if q.Referred != 0 {
		w.add("referred_id = ?", q.Referred)
	}
	in(&w, "state", q.States)
	if q.Converted != nil {
		w.add("converted = ?", *q.Converted)
	}
	if q.EmailKey != "" {
		w.add("email_key = ?", q.EmailKey)
	}
	if q.UpdatedSince != nil {
		w.add("updated_at >= ?", q.UpdatedSince.UnixMilli())
	}
	if q.UpdatedUntil != nil {
		w.add("updated_at <= ?", q.UpdatedUntil.UnixMilli())
	}
	return w
}

func (t *tx) HasDueWork(ctx context.Context, account, campaign int64, now time.Time) (bool, error) {
	var due bool
	err := t.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM referrals
			WHERE account_id = ? AND campaign_id = ? AND trigger_at IS NOT NULL AND trigger_at <= ?)
		OR EXISTS (SELECT 1 FROM commissions
			WHERE account_id = ? AND campaign_id = ? AND status = ? AND due_at IS NOT NULL AND due_at <= ?)`,
		account, campaign, now.UnixMilli(), account, campaign, string(canonical.CommissionPending), now.UnixMilli()).Scan(&due)
	return due, err
}

func (t *tx) DueTriggers(ctx context.Context, account, campaign int64, now time.Time) ([]canonical.Referral, error) {
	return listDocs(ctx, t, setReferralID, `SELECT id, doc FROM referrals
		WHERE account_id = ? AND campaign_id = ? AND trigger_at IS NOT NULL AND trigger_at <= ? ORDER BY trigger_at, id`,
		account, campaign, now.UnixMilli())
}
