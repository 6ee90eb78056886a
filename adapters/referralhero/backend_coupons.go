package referralhero

import (
	"context"
	"slices"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// couponGroupData decodes a coupon group envelope's data.
func couponGroupData(body []byte, campaignID string) (canonical.CouponGroup, error) {
	var g api.CouponGroup
	if err := decodeData(body, &g); err != nil {
		return canonical.CouponGroup{}, err
	}
	return couponGroupOf(g, campaignID), nil
}

// CreateCouponGroup implements canonical.Backend: POST
// /lists/{uuid}/coupon_groups with the name, the codes and active.
func (b *Backend) CreateCouponGroup(ctx context.Context, campaignID string, g canonical.NewCouponGroup) (canonical.CouponGroup, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.CouponGroup{}, err
	}
	active := g.Active
	body := api.CreateCouponGroupJSONRequestBody{Name: g.Name, Active: &active}
	if len(g.Codes) > 0 {
		codes := slices.Clone(g.Codes)
		body.Coupons = &codes
	}
	resp, err := b.c.CreateCouponGroupWithResponse(ctx, campaignID, body)
	if err := check(resp, err, ""); err != nil {
		return canonical.CouponGroup{}, err
	}
	return couponGroupData(resp.Body, campaignID)
}

// AddCoupons implements canonical.Backend: POST /lists/{uuid}/coupons.
func (b *Backend) AddCoupons(ctx context.Context, campaignID, groupID string, codes []string) (canonical.CouponGroup, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.CouponGroup{}, err
	}
	resp, err := b.c.CreateCouponsWithResponse(ctx, campaignID, api.CreateCouponsJSONRequestBody{CouponGroupId: groupID, Coupons: slices.Clone(codes)})
	if err := check(resp, err, ""); err != nil {
		return canonical.CouponGroup{}, err
	}
	return couponGroupData(resp.Body, campaignID)
}

// ListCouponGroups implements canonical.Backend: GET
// /lists/{uuid}/coupon_groups, 50 per vendor page.
func (b *Backend) ListCouponGroups(ctx context.Context, campaignID string, opts canonical.ListOptions) (canonical.Page[canonical.CouponGroup], error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.Page[canonical.CouponGroup]{}, err
	}
	pg, err := paged(opts, groupsPerPage, func(page int) ([]api.CouponGroup, api.Pagination, error) {
		resp, err := b.c.ListCouponGroupsWithResponse(ctx, campaignID, &api.ListCouponGroupsParams{Page: &page})
		if err := check(resp, err, ""); err != nil {
			return nil, api.Pagination{}, err
		}
		var data api.CouponGroupsPage
		if err := decodeData(resp.Body, &data); err != nil {
			return nil, api.Pagination{}, err
		}
		return data.CouponGroups, data.Pagination, nil
	}, nil)
	if err != nil {
		return canonical.Page[canonical.CouponGroup]{}, err
	}
	out := canonical.Page[canonical.CouponGroup]{Items: make([]canonical.CouponGroup, 0, len(pg.Items)), NextCursor: pg.NextCursor, Total: pg.Total}
	for _, g := range pg.Items {
		out.Items = append(out.Items, couponGroupOf(g, campaignID))
	}
	return out, nil
}

// GetCouponGroup implements canonical.Backend: GET
// /lists/{uuid}/coupon_groups/{id}.
func (b *Backend) GetCouponGroup(ctx context.Context, campaignID, groupID string) (canonical.CouponGroup, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.CouponGroup{}, err
	}
	resp, err := b.c.GetCouponGroupWithResponse(ctx, campaignID, groupID)
	if err := check(resp, err, ""); err != nil {
		return canonical.CouponGroup{}, err
	}
	return couponGroupData(resp.Body, campaignID)
}

// CreateCoupon implements canonical.Backend: NotImplemented, ReferralHero
// has no per-participant tracked coupons (a Rewardful feature).
func (b *Backend) CreateCoupon(context.Context, string, canonical.ParticipantRef, string) (canonical.Coupon, error) {
	return canonical.Coupon{}, unsupported("CreateCoupon", "ReferralHero has no per-participant tracked coupons")
}

// GetCoupon implements canonical.Backend: NotImplemented, ReferralHero
// has no per-participant tracked coupons.
func (b *Backend) GetCoupon(context.Context, string) (canonical.Coupon, error) {
	return canonical.Coupon{}, unsupported("GetCoupon", "ReferralHero has no per-participant tracked coupons")
}

// ListCoupons implements canonical.Backend: NotImplemented, ReferralHero
// has no per-participant tracked coupons.
func (b *Backend) ListCoupons(context.Context, canonical.CouponQuery) (canonical.Page[canonical.Coupon], error) {
	return canonical.Page[canonical.Coupon]{}, unsupported("ListCoupons", "ReferralHero has no per-participant tracked coupons")
}
