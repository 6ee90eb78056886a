package sqlstore

import (
	"context"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

func setGroupID(g *canonical.CouponGroup, id string) { g.ID = id }
func setCouponID(c *canonical.Coupon, id string)     { c.ID = id }

func (t *tx) InsertCouponGroup(ctx context.Context, account int64, g *canonical.CouponGroup) error {
	cp := *g
	cp.ID, cp.Coupons = "", nil
	doc, err := encode(cp)
	if err != nil {
		return err
	}
	id, err := t.insertID(ctx, `INSERT INTO coupon_groups (account_id, campaign_id, created_at, doc) VALUES (?, ?, ?, ?)`,
		account, atoi(g.CampaignID), ms(g.CreatedAt), doc)
	if err != nil {
		return err
	}
	g.ID = itoa(id)
	return nil
}

func (t *tx) GetCouponGroup(ctx context.Context, account, id int64) (canonical.CouponGroup, error) {
	return getDoc(ctx, t, setGroupID, `SELECT id, doc FROM coupon_groups WHERE account_id = ? AND id = ?`, account, id)
}

func (t *tx) ListCouponGroups(ctx context.Context, account, campaign, before int64, limit int) ([]canonical.CouponGroup, error) {
	w := where{}
	w.add("account_id = ?", account)
	w.add("campaign_id = ?", campaign)
	if before > 0 {
		w.add("id < ?", before)
	}
	return listDocs(ctx, t, setGroupID, `SELECT id, doc FROM coupon_groups`+w.sql()+` ORDER BY id DESC LIMIT +?`,
		append(w.args, limitOf(limit))...)
}

func couponArgs(c *canonical.Coupon) ([]any, error) {
	cp := *c
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return nil, err
	}
	return []any{atoi(c.CampaignID), nullID(atoi(c.GroupID)), nullID(atoi(c.ParticipantID)), store.Key(c.Code), ms(c.CreatedAt), doc}, nil
}

func (t *tx) InsertCoupon(ctx context.Context, account int64, c *canonical.Coupon) error {
	args, err := couponArgs(c)
	if err != nil {
		return err
	}
	id, err := t.insertUnique(ctx, `INSERT INTO coupons (account_id, campaign_id, group_id, participant_id, code_key, created_at, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, append([]any{account}, args...)...)
	if err != nil {
		return err
	}
	c.ID = itoa(id)
	return nil
}

func (t *tx) GetCoupon(ctx context.Context, account, id int64) (canonical.Coupon, error) {
	return getDoc(ctx, t, setCouponID, `SELECT id, doc FROM coupons WHERE account_id = ? AND id = ?`, account, id)
}

func (t *tx) UpdateCoupon(ctx context.Context, account int64, c *canonical.Coupon) error {
	args, err := couponArgs(c)
	if err != nil {
		return err
	}
	return t.guard(ctx, false, func() error {
		return affected(t.exec(ctx, `UPDATE coupons SET campaign_id = ?, group_id = ?, participant_id = ?, code_key = ?, created_at = ?,
		doc = ? WHERE account_id = ? AND id = ?`, append(args, account, atoi(c.ID))...))
	})
}

func (t *tx) DeleteCoupon(ctx context.Context, account, id int64) error {
	return affected(t.exec(ctx, `DELETE FROM coupons WHERE account_id = ? AND id = ?`, account, id))
}

func (t *tx) ListCoupons(ctx context.Context, account int64, q store.CouponQuery) ([]canonical.Coupon, error) {
	w := where{}
	w.add("account_id = ?", account)
	if q.Campaign != 0 {
		w.add("campaign_id = ?", q.Campaign)
	}
	if q.Group != 0 {
		w.add("group_id = ?", q.Group)
	}
	if q.Participant != 0 {
		w.add("participant_id = ?", q.Participant)
	}
	if q.Owned {
		w.add("group_id IS NULL")
		w.add("participant_id IS NOT NULL")
	}
	order := " ORDER BY id DESC"
	if q.Group != 0 {
		order = " ORDER BY id ASC"
	}
	if q.Before > 0 {
		w.add("id < ?", q.Before)
	}
	return listDocs(ctx, t, setCouponID, `SELECT id, doc FROM coupons`+w.sql()+order+` LIMIT +?`,
		append(w.args, limitOf(q.Limit))...)
}
