package rewardful

import (
	"context"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/rewardful"
)

// CreateCouponGroup implements canonical.Backend: not available (no
// coupon pools).
func (b *Backend) CreateCouponGroup(context.Context, string, canonical.NewCouponGroup) (canonical.CouponGroup, error) {
	return canonical.CouponGroup{}, notImplemented("CreateCouponGroup")
}

// AddCoupons implements canonical.Backend: not available.
func (b *Backend) AddCoupons(context.Context, string, string, []string) (canonical.CouponGroup, error) {
	return canonical.CouponGroup{}, notImplemented("AddCoupons")
}

// ListCouponGroups implements canonical.Backend: not available.
func (b *Backend) ListCouponGroups(context.Context, string, canonical.ListOptions) (canonical.Page[canonical.CouponGroup], error) {
	return canonical.Page[canonical.CouponGroup]{}, notImplemented("ListCouponGroups")
}

// GetCouponGroup implements canonical.Backend: not available.
func (b *Backend) GetCouponGroup(context.Context, string, string) (canonical.CouponGroup, error) {
	return canonical.CouponGroup{}, notImplemented("GetCouponGroup")
}

// CreateCoupon implements canonical.Backend: an affiliate coupon (the
// code must be a Stripe coupon or promotion code on the real Rewardful).
func (b *Backend) CreateCoupon(ctx context.Context, campaignID string, owner canonical.ParticipantRef, code string) (canonical.Coupon, error) {
	if strings.TrimSpace(code) == "" {
		return canonical.Coupon{}, canonical.Errorf(canonical.Invalid, "a coupon code is required")
	}
	id, err := b.resolveID(ctx, campaignID, owner)
	if err != nil {
		return canonical.Coupon{}, err
	}
	resp, err := b.c.CreateAffiliateCouponWithFormdataBodyWithResponse(ctx, api.CreateAffiliateCouponRequest{AffiliateId: id, Token: code})
	out, err := decode(resp, err, func() *api.AffiliateCoupon { return resp.JSON200 })
	if err != nil {
		return canonical.Coupon{}, err
	}
	c := couponFromAPI(out)
	c.CampaignID = campaignID
	return c, nil
}

// GetCoupon implements canonical.Backend.
func (b *Backend) GetCoupon(ctx context.Context, id string) (canonical.Coupon, error) {
	u, err := parseID("coupon", id)
	if err != nil {
		return canonical.Coupon{}, err
	}
	resp, err := b.c.GetAffiliateCouponWithResponse(ctx, u)
	out, err := decode(resp, err, func() *api.AffiliateCoupon { return resp.JSON200 })
	if err != nil {
		return canonical.Coupon{}, err
	}
	return couponFromAPI(out), nil
}

// ListCoupons implements canonical.Backend, newest first; the campaign is
// filtered here through each owner's campaign.
func (b *Backend) ListCoupons(ctx context.Context, q canonical.CouponQuery) (canonical.Page[canonical.Coupon], error) {
	page, limit, err := pageQuery(q.ListOptions)
	if err != nil {
		return canonical.Page[canonical.Coupon]{}, err
	}
	params := &api.ListAffiliateCouponsParams{Page: page, Limit: limit}
	if q.ParticipantID != "" {
		u, err := parseID("affiliate", q.ParticipantID)
		if err != nil {
			return emptyPage[canonical.Coupon](), nil
		}
		params.AffiliateId = &u
	}
	if q.CampaignID != "" {
		if err := b.requireCampaign(ctx, q.CampaignID); err != nil {
			return canonical.Page[canonical.Coupon]{}, err
		}
	}
	resp, err := b.c.ListAffiliateCouponsWithResponse(ctx, params)
	list, err := decode(resp, err, func() *api.AffiliateCouponList { return resp.JSON200 })
	if err != nil {
		return canonical.Page[canonical.Coupon]{}, err
	}
	camps := b.campaignResolver()
	items := make([]canonical.Coupon, 0, len(list.Data))
	for _, c := range list.Data {
		cp := couponFromAPI(c)
		if q.CampaignID != "" {
			cid, err := camps.of(ctx, cp.ParticipantID)
			if err != nil {
				return canonical.Page[canonical.Coupon]{}, err
			}
			if !strings.EqualFold(cid, q.CampaignID) {
				continue
			}
			cp.CampaignID = cid
		}
		items = append(items, cp)
	}
	return pageFrom(items, list.Pagination, q.CampaignID != ""), nil
}
