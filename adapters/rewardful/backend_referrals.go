package rewardful

import (
	"context"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/rewardful"
)

// referralExpand expands the referrer, which carries the campaign.
var referralExpand = []api.ListReferralsParamsExpand{api.ListReferralsParamsExpandAffiliate}

// conversionStates turns canonical referral filters into Rewardful's
// conversion states: visitor (and invited) is visitor, a credited referral
// is a lead or a conversion; Converted picks conversions (or the others).
// ok is false when nothing can match.
func conversionStates(states []canonical.ReferralState, converted *bool) (out []api.ConversionState, ok bool) {
	set := map[api.ConversionState]bool{}
	if len(states) == 0 {
		set[api.ConversionStateVisitor], set[api.ConversionStateLead], set[api.ConversionStateConversion] = true, true, true
	}
	for _, s := range states {
		switch s {
		case canonical.StateVisitor, canonical.StateInvited:
			set[api.ConversionStateVisitor] = true
		case canonical.StateCredited:
			set[api.ConversionStateLead], set[api.ConversionStateConversion] = true, true
		}
	}
	if converted != nil {
		if *converted {
			set[api.ConversionStateVisitor], set[api.ConversionStateLead] = false, false
		} else {
			set[api.ConversionStateConversion] = false
		}
	}
	for _, s := range []api.ConversionState{api.ConversionStateVisitor, api.ConversionStateLead, api.ConversionStateConversion} {
		if set[s] {
			out = append(out, s)
		}
	}
	if len(out) == 3 {
		return nil, true
	}
	return out, len(out) > 0
}

// ListReferrals implements canonical.Backend, newest first. Rewardful
// filters by referrer, state, email, Stripe customer and update time; the
// campaign is filtered here (through the expanded referrer). ReferredID
// and Oldest are Invalid.
func (b *Backend) ListReferrals(ctx context.Context, q canonical.ReferralQuery) (canonical.Page[canonical.Referral], error) {
	switch {
	case q.ReferredID != "":
		return canonical.Page[canonical.Referral]{}, canonical.Errorf(canonical.Invalid, "rewardful cannot filter referrals by referred participant")
	case q.Oldest:
		return canonical.Page[canonical.Referral]{}, canonical.Errorf(canonical.Invalid, "rewardful lists referrals newest first only")
	}
	states, ok := conversionStates(q.States, q.Converted)
	if !ok {
		return emptyPage[canonical.Referral](), nil
	}
	page, limit, err := pageQuery(q.ListOptions)
	if err != nil {
		return canonical.Page[canonical.Referral]{}, err
	}
	params := &api.ListReferralsParams{Page: page, Limit: limit, Expand: &referralExpand,
		UpdatedSince: q.UpdatedSince, UpdatedUntil: q.UpdatedUntil}
	if len(states) > 0 {
		params.ConversionState = &states
	}
	if q.ReferrerID != "" {
		u, err := parseID("affiliate", q.ReferrerID)
		if err != nil {
			return emptyPage[canonical.Referral](), nil
		}
		params.AffiliateId = &u
	}
	if q.Email != "" {
		params.Email = &q.Email
	}
	if q.StripeCustomerID != "" {
		params.StripeCustomerId = &q.StripeCustomerID
	}
	if q.CampaignID != "" {
		if err := b.requireCampaign(ctx, q.CampaignID); err != nil {
			return canonical.Page[canonical.Referral]{}, err
		}
	}
	resp, err := b.c.ListReferralsWithResponse(ctx, params)
	list, err := decode(resp, err, func() *api.ReferralList { return resp.JSON200 })
	if err != nil {
		return canonical.Page[canonical.Referral]{}, err
	}
	items := make([]canonical.Referral, 0, len(list.Data))
	for _, r := range list.Data {
		ref := referralFromAPI(r)
		if q.CampaignID != "" && !strings.EqualFold(ref.CampaignID, q.CampaignID) {
			continue
		}
		items = append(items, ref)
	}
	return pageFrom(items, list.Pagination, q.CampaignID != ""), nil
}

// RecordVisit implements canonical.Backend: not available (visits are
// tracked by Rewardful's JavaScript, not its REST API).
func (b *Backend) RecordVisit(context.Context, string, canonical.Visit) (canonical.Referral, error) {
	return canonical.Referral{}, notImplemented("RecordVisit")
}

// RecordEvent implements canonical.Backend: not available.
func (b *Backend) RecordEvent(context.Context, string, canonical.Event) error {
	return notImplemented("RecordEvent")
}

// TriggerReferral implements canonical.Backend: not available.
func (b *Backend) TriggerReferral(context.Context, string, canonical.ParticipantRef, time.Duration) (bool, error) {
	return false, notImplemented("TriggerReferral")
}

// CancelReferralTrigger implements canonical.Backend: not available.
func (b *Backend) CancelReferralTrigger(context.Context, string, canonical.ParticipantRef) (bool, error) {
	return false, notImplemented("CancelReferralTrigger")
}

// TrackConversion implements canonical.Backend: not available.
func (b *Backend) TrackConversion(context.Context, string, canonical.ConversionEvent) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("TrackConversion")
}

// ConfirmReferral implements canonical.Backend: not available.
func (b *Backend) ConfirmReferral(context.Context, string, canonical.ParticipantRef) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("ConfirmReferral")
}

// QualifyReferral implements canonical.Backend: not available.
func (b *Backend) QualifyReferral(context.Context, string, canonical.ParticipantRef, canonical.Money) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("QualifyReferral")
}

// RecordSpecificAction implements canonical.Backend: not available.
func (b *Backend) RecordSpecificAction(context.Context, string, canonical.SpecificAction, string) (canonical.SpecificAction, error) {
	return canonical.SpecificAction{}, notImplemented("RecordSpecificAction")
}

// ListSpecificActions implements canonical.Backend: not available.
func (b *Backend) ListSpecificActions(context.Context, string, canonical.ListOptions) (canonical.Page[canonical.SpecificAction], error) {
	return canonical.Page[canonical.SpecificAction]{}, notImplemented("ListSpecificActions")
}
