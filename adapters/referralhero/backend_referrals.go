package referralhero

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// ListReferrals implements canonical.Backend. A referral is a referred
// subscriber: with ReferrerID, GET …/{id}/referred; with ReferredID, that
// subscriber; otherwise the list's subscribers with referred true. States,
// Email, StripeCustomerID and the UpdatedSince/Until window filter
// client-side; Converted cannot be answered (the vendor does not say
// whether a referral made a sale). Oldest sorts by registration.
func (b *Backend) ListReferrals(ctx context.Context, q canonical.ReferralQuery) (canonical.Page[canonical.Referral], error) {
	if q.Converted != nil {
		return canonical.Page[canonical.Referral]{}, unsupported("ListReferrals by conversion", "the API does not report sales per referral")
	}
	if err := needCampaign(q.CampaignID); err != nil {
		return canonical.Page[canonical.Referral]{}, err
	}
	keep := func(s api.Subscriber) bool {
		r := referralOf(s, q.CampaignID)
		switch {
		case !s.Referred && r.ReferrerID == "":
			return false
		case q.ReferrerID != "" && r.ReferrerID != "" && r.ReferrerID != q.ReferrerID:
			return false
		case len(q.States) > 0 && !slices.Contains(q.States, r.State):
			return false
		case q.Email != "" && !strings.EqualFold(r.Email, q.Email):
			return false
		case q.StripeCustomerID != "" && r.StripeCustomerID != q.StripeCustomerID:
			return false
		case q.UpdatedSince != nil && r.UpdatedAt.Before(*q.UpdatedSince):
			return false
		case q.UpdatedUntil != nil && r.UpdatedAt.After(*q.UpdatedUntil):
			return false
		}
		return true
	}
	sortBy := api.SortByRegistrationDesc
	if q.Oldest {
		sortBy = api.SortByRegistrationAsc
	}
	if q.ReferredID != "" {
		resp, err := b.c.GetSubscriberWithResponse(ctx, q.CampaignID, q.ReferredID)
		err = check(resp, err, "")
		out := canonical.Page[canonical.Referral]{Items: []canonical.Referral{}}
		if canonical.IsCode(err, canonical.NotFound) {
			return out, nil
		}
		if err != nil {
			return canonical.Page[canonical.Referral]{}, err
		}
		var s api.Subscriber
		if err := decodeData(resp.Body, &s); err != nil {
			return canonical.Page[canonical.Referral]{}, err
		}
		if keep(s) {
			out.Items = append(out.Items, referralOf(s, q.CampaignID))
		}
		out.Total = len(out.Items)
		return out, nil
	}
	fetch := func(page int) ([]api.Subscriber, api.Pagination, error) {
		return b.referredPage(ctx, q.CampaignID, q.ReferrerID, page, &sortBy, false)
	}
	filter := keep
	if q.ReferrerID == "" {
		fetch = func(page int) ([]api.Subscriber, api.Pagination, error) {
			resp, err := b.c.ListSubscribersWithResponse(ctx, q.CampaignID, &api.ListSubscribersParams{Page: &page, SortBy: &sortBy})
			if err := check(resp, err, ""); err != nil {
				return nil, api.Pagination{}, err
			}
			var data api.SubscribersPage
			if err := decodeData(resp.Body, &data); err != nil {
				return nil, api.Pagination{}, err
			}
			return data.Subscribers, data.Pagination, nil
		}
	} else if len(q.States) == 0 && q.Email == "" && q.StripeCustomerID == "" && q.UpdatedSince == nil && q.UpdatedUntil == nil {
		filter = nil // every referred subscriber is a referral: the vendor's total holds
	}
	pg, err := paged(q.ListOptions, subscribersPerPage, fetch, filter)
	if err != nil {
		return canonical.Page[canonical.Referral]{}, err
	}
	out := canonical.Page[canonical.Referral]{Items: make([]canonical.Referral, 0, len(pg.Items)), NextCursor: pg.NextCursor, Total: pg.Total}
	for _, s := range pg.Items {
		r := referralOf(s, q.CampaignID)
		if r.ReferrerID == "" {
			r.ReferrerID = q.ReferrerID
		}
		out.Items = append(out.Items, r)
	}
	return out, nil
}

// RecordVisit implements canonical.Backend: NotImplemented, visits are
// tracked by the vendor's JavaScript, not the REST API.
func (b *Backend) RecordVisit(context.Context, string, canonical.Visit) (canonical.Referral, error) {
	return canonical.Referral{}, unsupported("RecordVisit", "visits are tracked by the vendor's widget, not the REST API")
}

// RecordEvent implements canonical.Backend: NotImplemented, the API has
// no call for impressions, shares or invites.
func (b *Backend) RecordEvent(context.Context, string, canonical.Event) error {
	return unsupported("RecordEvent", "the API has no call for impressions, shares or invites")
}

// TriggerReferral implements canonical.Backend: NotImplemented, a
// GrowSurf operation (ReferralHero's counterpart is TrackConversion).
func (b *Backend) TriggerReferral(context.Context, string, canonical.ParticipantRef, time.Duration) (bool, error) {
	return false, unsupported("TriggerReferral", "use TrackConversion, ReferralHero's conversion event")
}

// CancelReferralTrigger implements canonical.Backend: NotImplemented,
// the vendor has no delayed credits.
func (b *Backend) CancelReferralTrigger(context.Context, string, canonical.ParticipantRef) (bool, error) {
	return false, unsupported("CancelReferralTrigger", "the API has no delayed credits")
}

// TrackConversion implements canonical.Backend: POST
// /lists/{uuid}/subscribers/track_referral_conversion_event with the
// subscriber's unique identifier and, when given, the referrer (code or
// email; an ID is looked up for its code). The endpoint takes no other
// subscriber fields, so NewParticipant only supplies the identifier when
// Participant is empty.
func (b *Backend) TrackConversion(ctx context.Context, campaignID string, e canonical.ConversionEvent) (canonical.Participant, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.Participant{}, err
	}
	ref := e.Participant
	if ref.IsZero() && e.NewParticipant != nil {
		ref = canonical.ByIdentifier(identifierOfParticipant(*e.NewParticipant))
	}
	if ref.IsZero() {
		return canonical.Participant{}, canonical.Errorf(canonical.Invalid, "the subscriber's identifier is required")
	}
	id, err := b.identifierOf(ctx, campaignID, ref)
	if err != nil {
		return canonical.Participant{}, err
	}
	body := api.TrackReferralConversionEventJSONRequestBody{Email: id.email, PhoneNumber: id.phone,
		CryptoWalletAddress: id.wallet, OtherIdentifierValue: id.other}
	if !e.Referrer.IsZero() {
		r, err := b.referrerParam(ctx, campaignID, e.Referrer)
		if err != nil {
			return canonical.Participant{}, err
		}
		body.Referrer = ptr(r)
	}
	resp, err := b.c.TrackReferralConversionEventWithResponse(ctx, campaignID, body)
	if err := check(resp, err, ""); err != nil {
		return canonical.Participant{}, err
	}
	return subscriberOf(resp.Body, campaignID)
}

// ConfirmReferral implements canonical.Backend: POST
// /lists/{uuid}/subscribers/{id}/confirm by ID, …/subscribers/confirm by
// unique identifier otherwise. A code-less 400 is a Conflict (the
// referral is not unconfirmed); a goal mismatch carries wrong_list_type
// (Invalid).
func (b *Backend) ConfirmReferral(ctx context.Context, campaignID string, referred canonical.ParticipantRef) (canonical.Participant, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.Participant{}, err
	}
	if referred.ID != "" {
		resp, err := b.c.ConfirmSubscriberWithResponse(ctx, campaignID, referred.ID)
		if err := check(resp, err, canonical.Conflict); err != nil {
			return canonical.Participant{}, err
		}
		return subscriberOf(resp.Body, campaignID)
	}
	id, err := b.identifierOf(ctx, campaignID, referred)
	if err != nil {
		return canonical.Participant{}, err
	}
	resp, err := b.c.ConfirmSubscriberByIdentifierWithResponse(ctx, campaignID, api.ConfirmSubscriberByIdentifierJSONRequestBody{
		Email: id.email, PhoneNumber: id.phone, CryptoWalletAddress: id.wallet, OtherIdentifierValue: id.other})
	if err := check(resp, err, canonical.Conflict); err != nil {
		return canonical.Participant{}, err
	}
	return subscriberOf(resp.Body, campaignID)
}

// QualifyReferral implements canonical.Backend: NotImplemented, a
// Referral Rocket operation (ReferralHero's counterpart is
// TrackConversion).
func (b *Backend) QualifyReferral(context.Context, string, canonical.ParticipantRef, canonical.Money) (canonical.Participant, error) {
	return canonical.Participant{}, unsupported("QualifyReferral", "use TrackConversion, ReferralHero's conversion event")
}

// RecordSpecificAction implements canonical.Backend: NotImplemented, an
// iRefer operation.
func (b *Backend) RecordSpecificAction(context.Context, string, canonical.SpecificAction, string) (canonical.SpecificAction, error) {
	return canonical.SpecificAction{}, unsupported("RecordSpecificAction", "the API has no specific actions")
}

// ListSpecificActions implements canonical.Backend: NotImplemented, an
// iRefer operation.
func (b *Backend) ListSpecificActions(context.Context, string, canonical.ListOptions) (canonical.Page[canonical.SpecificAction], error) {
	return canonical.Page[canonical.SpecificAction]{}, unsupported("ListSpecificActions", "the API has no specific actions")
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
