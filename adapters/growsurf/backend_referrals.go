package growsurf

import (
	"context"
	"slices"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// ListReferrals implements canonical.Backend: GET
// /campaign/{id}/referrals, or /campaign/{id}/participant/{p}/referrals
// with a ReferrerID. One state (in GrowSurf's terms) is sent as
// referralStatus; other state sets, ReferredID and the update window are
// applied to each page, so pages may be shorter than the limit.
func (b *Backend) ListReferrals(ctx context.Context, q canonical.ReferralQuery) (canonical.Page[canonical.Referral], error) {
	page := canonical.Page[canonical.Referral]{Items: []canonical.Referral{}, Total: -1}
	if err := needCampaign(q.CampaignID); err != nil {
		return page, err
	}
	if q.Converted != nil || q.StripeCustomerID != "" {
		return page, canonical.Errorf(canonical.Invalid, "growsurf referrals have no sales or Stripe customers to filter on")
	}
	var status *api.ReferralStatus
	statuses := map[string]bool{}
	for _, s := range q.States {
		statuses[referralStatus(s)] = true
	}
	if len(statuses) == 1 {
		for s := range statuses {
			if s != "" {
				status = ptr(api.ReferralStatus(s))
			}
		}
	}
	limit, next := pageLimitOut(q.Limit), cursorOut(q.Cursor)
	desc := ptr(!q.Oldest)
	email := strOrNull(q.Email)
	var list *api.ReferralList
	var err error
	if q.ReferrerID != "" {
		list, err = result[api.ReferralList](b.c.ListParticipantReferralsWithResponse(ctx, q.CampaignID, q.ReferrerID,
			&api.ListParticipantReferralsParams{Limit: limit, NextId: next, Desc: desc, ReferralStatus: status, Email: email}))
	} else {
		list, err = result[api.ReferralList](b.c.ListReferralsWithResponse(ctx, q.CampaignID,
			&api.ListReferralsParams{Limit: limit, NextId: next, Desc: desc, ReferralStatus: status, Email: email}))
	}
	if err != nil {
		return page, err
	}
	for _, row := range list.Referrals {
		r := fromReferral(q.CampaignID, row)
		switch {
		case len(q.States) > 0 && !slices.Contains(q.States, r.State) &&
			!(r.State == canonical.StatePending && slices.Contains(q.States, canonical.StateUnconfirmed)):
			continue
		case q.ReferredID != "" && r.ReferredID != q.ReferredID:
			continue
		case q.UpdatedSince != nil && r.UpdatedAt.Before(*q.UpdatedSince):
			continue
		case q.UpdatedUntil != nil && r.UpdatedAt.After(*q.UpdatedUntil):
			continue
		}
		page.Items = append(page.Items, r)
	}
	if list.More || list.NextId != nil {
		page.NextCursor = str(list.NextId)
	}
	return page, nil
}

// TriggerReferral implements canonical.Backend: POST
// /campaign/{id}/participant/{p}/ref, with delayInDays for a delay
// (rounded up to whole days).
func (b *Backend) TriggerReferral(ctx context.Context, campaignID string, referred canonical.ParticipantRef, delay time.Duration) (bool, error) {
	if err := needCampaign(campaignID); err != nil {
		return false, err
	}
	key, err := participantKey(referred)
	if err != nil {
		return false, err
	}
	if delay < 0 {
		return false, canonical.Errorf(canonical.Invalid, "a trigger delay cannot be negative")
	}
	var in api.TriggerReferralRequest
	if delay > 0 {
		in.DelayInDays = ptr(roundDays(delay))
	}
	res, err := result[api.TriggerReferralResult](b.c.TriggerReferralWithResponse(ctx, campaignID, key, in))
	if err != nil {
		return false, err
	}
	return res.Success, nil
}

// CancelReferralTrigger implements canonical.Backend: DELETE
// /campaign/{id}/participant/{p}/ref.
func (b *Backend) CancelReferralTrigger(ctx context.Context, campaignID string, referred canonical.ParticipantRef) (bool, error) {
	if err := needCampaign(campaignID); err != nil {
		return false, err
	}
	key, err := participantKey(referred)
	if err != nil {
		return false, err
	}
	res, err := result[api.TriggerReferralResult](b.c.CancelReferralTriggerWithResponse(ctx, campaignID, key))
	if err != nil {
		return false, err
	}
	return res.Success, nil
}
