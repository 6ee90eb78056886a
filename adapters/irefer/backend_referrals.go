package irefer

import (
	"context"
	"slices"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// ListReferrals implements canonical.Backend over the referrers list: each
// participant with a referrer is one referral (ID and ReferredID are that
// participant's id, LeadAt and CreatedAt their signup, Channel their
// source). iRefer does not report referral states, so State is "";
// ReferrerID, ReferredID and Email filter, newest first unless Oldest.
// States, Converted, StripeCustomerID and the update-time filters answer
// NotImplemented without I/O.
func (b *Backend) ListReferrals(ctx context.Context, q canonical.ReferralQuery) (canonical.Page[canonical.Referral], error) {
	var none canonical.Page[canonical.Referral]
	if len(q.States) > 0 || q.Converted != nil || q.StripeCustomerID != "" || q.UpdatedSince != nil || q.UpdatedUntil != nil {
		return none, canonical.Errorf(canonical.NotImplemented, "iRefer cannot filter referrals by state, conversion, Stripe customer or update time")
	}
	if err := checkCursor(q.ListOptions); err != nil {
		return none, err
	}
	if err := b.checkCampaign(q.CampaignID); err != nil {
		return none, err
	}
	r, err := b.rosterFor(ctx, q.Cursor)
	if err != nil {
		return none, err
	}
	var out []canonical.Referral
	for i := range r.rows {
		p := r.participant(i)
		if p.ReferrerID == "" && p.Native.String(canonical.IRefer, nativeReferrerEmail) == "" {
			continue
		}
		if (q.ReferrerID != "" && p.ReferrerID != q.ReferrerID) || (q.ReferredID != "" && p.ID != q.ReferredID) ||
			(q.Email != "" && !strings.EqualFold(p.Email, strings.TrimSpace(q.Email))) {
			continue
		}
		at := p.CreatedAt
		ref := canonical.Referral{
			ID: p.ID, CampaignID: p.CampaignID, ReferrerID: p.ReferrerID, ReferredID: p.ID,
			Email: p.Email, Channel: p.Source, LeadAt: &at, CreatedAt: p.CreatedAt,
		}
		if e := p.Native.String(canonical.IRefer, nativeReferrerEmail); e != "" {
			ref.Native.Set(canonical.IRefer, nativeReferrerEmail, e)
		}
		out = append(out, ref)
	}
	if q.Oldest {
		slices.Reverse(out)
		slices.SortStableFunc(out, func(a, b canonical.Referral) int { return a.CreatedAt.Compare(b.CreatedAt) })
	} else {
		slices.SortStableFunc(out, func(a, b canonical.Referral) int { return b.CreatedAt.Compare(a.CreatedAt) })
	}
	return cut(out, q.ListOptions, func(r canonical.Referral) string { return r.ID })
}
