package engine

import (
	"context"
	"errors"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// CreateCouponGroup implements canonical.Backend.
func (a *Account) CreateCouponGroup(ctx context.Context, campaignID string, g canonical.NewCouponGroup) (canonical.CouponGroup, error) {
	if err := canonical.CheckValue("", g); err != nil {
		return canonical.CouponGroup{}, err
	}
	if strings.TrimSpace(g.Name) == "" {
		return canonical.CouponGroup{}, canonical.Errorf(canonical.Invalid, "a coupon group needs a name")
	}
	var out canonical.CouponGroup
	err := a.write(ctx, campaignID, func(w *work) error {
		out = canonical.CouponGroup{CampaignID: w.camp.ID, Name: g.Name, Active: g.Active, CreatedAt: w.now}
		if err := w.tx.InsertCouponGroup(w.ctx, w.acct(), &out); err != nil {
			return err
		}
		if err := w.addCodes(out.ID, "", g.Codes); err != nil {
			return err
		}
		return w.loadCoupons(&out)
	})
	return out, err
}

// addCodes stores codes in a group, or as a participant's own coupon,
// emitting coupon.created for each.
func (w *work) addCodes(groupID, participantID string, codes []string) error {
	for _, code := range codes {
		code = strings.TrimSpace(code)
		if code == "" {
			return canonical.Errorf(canonical.Invalid, "coupon codes cannot be empty")
		}
		c := canonical.Coupon{CampaignID: w.camp.ID, GroupID: groupID, ParticipantID: participantID, Code: code,
			Available: participantID == "", CreatedAt: w.now, UpdatedAt: w.now}
		if err := w.tx.InsertCoupon(w.ctx, w.acct(), &c); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return canonical.Errorf(canonical.Conflict, "coupon code %q is already in the campaign", code)
			}
			return err
		}
		w.emit(canonical.Change{Kind: canonical.ChangeCouponCreated, Coupon: cloneCoupon(c)})
	}
	return nil
}

func (w *work) loadCoupons(g *canonical.CouponGroup) error {
	cs, err := w.tx.ListCoupons(w.ctx, w.acct(), store.CouponQuery{Group: num(g.ID)})
	if cs == nil {
		cs = []canonical.Coupon{}
	}
	g.Coupons = cs
	return err
}

func (w *work) group(groupID string) (canonical.CouponGroup, error) {
	id, err := parseID(groupID, "coupon group")
	if err != nil {
		return canonical.CouponGroup{}, err
	}
	g, err := w.tx.GetCouponGroup(w.ctx, w.acct(), id)
	if err != nil || g.CampaignID != w.camp.ID {
		return g, notFound("coupon group %q not found", groupID)
	}
	return g, nil
}

// AddCoupons implements canonical.Backend.
func (a *Account) AddCoupons(ctx context.Context, campaignID, groupID string, codes []string) (canonical.CouponGroup, error) {
	if err := canonical.CheckValue("codes", codes); err != nil {
		return canonical.CouponGroup{}, err
	}
	var out canonical.CouponGroup
	err := a.write(ctx, campaignID, func(w *work) (err error) {
		if out, err = w.group(groupID); err != nil {
			return err
		}
		if err := w.addCodes(out.ID, "", codes); err != nil {
			return err
		}
		return w.loadCoupons(&out)
	})
	return out, err
}

// ListCouponGroups implements canonical.Backend.
func (a *Account) ListCouponGroups(ctx context.Context, campaignID string, opts canonical.ListOptions) (canonical.Page[canonical.CouponGroup], error) {
	limit := clampLimit(opts.Limit, 50, 100)
	before, err := idCursor(opts.Cursor)
	if err != nil {
		return canonical.Page[canonical.CouponGroup]{}, err
	}
	var page canonical.Page[canonical.CouponGroup]
	err = a.read(ctx, campaignID, func(w *work) error {
		rows, err := w.tx.ListCouponGroups(w.ctx, w.acct(), w.cid, before, limit+1)
		if err != nil {
			return err
		}
		page = pageOf(rows, limit, func(g canonical.CouponGroup) string { return g.ID })
		for i := range page.Items {
			if err := w.loadCoupons(&page.Items[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return page, err
}

// GetCouponGroup implements canonical.Backend.
func (a *Account) GetCouponGroup(ctx context.Context, campaignID, groupID string) (canonical.CouponGroup, error) {
	var out canonical.CouponGroup
	err := a.read(ctx, campaignID, func(w *work) (err error) {
		if out, err = w.group(groupID); err != nil {
			return err
		}
		return w.loadCoupons(&out)
	})
	return out, err
}

// CreateCoupon implements canonical.Backend.
func (a *Account) CreateCoupon(ctx context.Context, campaignID string, owner canonical.ParticipantRef, code string) (canonical.Coupon, error) {
	if err := canonical.CheckValue("code", code); err != nil {
		return canonical.Coupon{}, err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return canonical.Coupon{}, canonical.Errorf(canonical.Invalid, "a coupon needs a code")
	}
	var out canonical.Coupon
	fn := func(w *work) error {
		p, err := w.resolve(owner)
		if err != nil {
			return err
		}
		out = canonical.Coupon{CampaignID: w.camp.ID, ParticipantID: p.ID, Code: code, CreatedAt: w.now, UpdatedAt: w.now}
		if err := w.tx.InsertCoupon(w.ctx, w.acct(), &out); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return canonical.Errorf(canonical.Conflict, "coupon code %q is already in use", code)
			}
			return err
		}
		owner, err := w.snap(p)
		if err != nil {
			return err
		}
		w.emit(canonical.Change{Kind: canonical.ChangeCouponCreated, Coupon: cloneCoupon(out), Participant: owner})
		return nil
	}
	return out, a.onParticipant(ctx, campaignID, owner, a.write, fn)
}

// GetCoupon implements canonical.Backend.
func (a *Account) GetCoupon(ctx context.Context, id string) (canonical.Coupon, error) {
	n, err := parseID(id, "coupon")
	if err != nil {
		return canonical.Coupon{}, err
	}
	var c canonical.Coupon
	err = a.e.st.View(ctx, func(tx store.Tx) (err error) {
		c, err = tx.GetCoupon(ctx, a.id, n)
		return err
	})
	return c, storeErr(err, "coupon "+id)
}

// ListCoupons implements canonical.Backend.
func (a *Account) ListCoupons(ctx context.Context, q canonical.CouponQuery) (canonical.Page[canonical.Coupon], error) {
	limit := clampLimit(q.Limit, 25, 100)
	before, err := idCursor(q.Cursor)
	if err != nil {
		return canonical.Page[canonical.Coupon]{}, err
	}
	var page canonical.Page[canonical.Coupon]
	err = a.e.st.View(ctx, func(tx store.Tx) error {
		rows, err := tx.ListCoupons(ctx, a.id, store.CouponQuery{Campaign: num(q.CampaignID), Participant: num(q.ParticipantID),
			Owned: true, Before: before, Limit: limit + 1})
		page = pageOf(rows, limit, func(c canonical.Coupon) string { return c.ID })
		return err
	})
	return page, storeErr(err, "coupon")
}
