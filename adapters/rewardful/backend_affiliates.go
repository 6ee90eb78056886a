package rewardful

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/rewardful"
)

func (b *Backend) getAffiliate(ctx context.Context, id string) (api.Affiliate, error) {
	u, err := parseID("affiliate", id)
	if err != nil {
		return api.Affiliate{}, err
	}
	resp, err := b.c.GetAffiliateWithResponse(ctx, u)
	return decode(resp, err, func() *api.Affiliate { return resp.JSON200 })
}

// affiliateByEmail finds the affiliate with an email, in a campaign when
// campaignID is set.
func (b *Backend) affiliateByEmail(ctx context.Context, campaignID, email string) (api.Affiliate, error) {
	params := &api.ListAffiliatesParams{Email: &email, Expand: &affiliateExpand}
	if campaignID != "" {
		u, err := parseID("campaign", campaignID)
		if err != nil {
			return api.Affiliate{}, err
		}
		params.CampaignId = &u
	}
	resp, err := b.c.ListAffiliatesWithResponse(ctx, params)
	list, err := decode(resp, err, func() *api.AffiliateList { return resp.JSON200 })
	if err != nil {
		return api.Affiliate{}, err
	}
	for _, a := range list.Data {
		if strings.EqualFold(a.Email, email) {
			return a, nil
		}
	}
	if campaignID != "" {
		if err := b.requireCampaign(ctx, campaignID); err != nil {
			return api.Affiliate{}, err
		}
	}
	return api.Affiliate{}, canonical.Errorf(canonical.NotFound, "affiliate not found: email %s", email)
}

// affiliateByToken finds the owner of a link token by walking the links.
func (b *Backend) affiliateByToken(ctx context.Context, token string) (api.Affiliate, error) {
	limit := maxLimit
	for page := 1; ; page++ {
		p := page
		resp, err := b.c.ListAffiliateLinksWithResponse(ctx, &api.ListAffiliateLinksParams{Page: &p, Limit: &limit})
		list, err := decode(resp, err, func() *api.AffiliateLinkList { return resp.JSON200 })
		if err != nil {
			return api.Affiliate{}, err
		}
		for _, l := range list.Data {
			if strings.EqualFold(l.Token, token) && l.AffiliateId != nil {
				return b.getAffiliate(ctx, l.AffiliateId.String())
			}
		}
		if nextCursor(list.Pagination) == "" || len(list.Data) == 0 {
			return api.Affiliate{}, canonical.Errorf(canonical.NotFound, "affiliate not found: code %s", token)
		}
	}
}

// resolve finds the affiliate a ref names, in campaignID when set.
func (b *Backend) resolve(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (api.Affiliate, error) {
	var (
		a   api.Affiliate
		err error
	)
	switch {
	case ref.ID != "":
		a, err = b.getAffiliate(ctx, ref.ID)
	case ref.Email != "":
		return b.affiliateByEmail(ctx, campaignID, ref.Email)
	case ref.Identifier != "":
		return b.affiliateByEmail(ctx, campaignID, ref.Identifier)
	case ref.Code != "":
		a, err = b.affiliateByToken(ctx, ref.Code)
	default:
		return a, canonical.Errorf(canonical.Invalid, "no participant given")
	}
	if err != nil {
		if canonical.IsCode(err, canonical.NotFound) && campaignID != "" {
			if cerr := b.requireCampaign(ctx, campaignID); cerr != nil {
				return a, cerr
			}
		}
		return a, err
	}
	if campaignID != "" && (a.Campaign == nil || !strings.EqualFold(a.Campaign.Id.String(), campaignID)) {
		if err := b.requireCampaign(ctx, campaignID); err != nil {
			return a, err
		}
		return a, canonical.Errorf(canonical.NotFound, "participant %s not found in campaign %s", ref, campaignID)
	}
	return a, nil
}

// resolveID returns the affiliate UUID a ref names, without a request
// when the ref is an ID and no campaign needs checking.
func (b *Backend) resolveID(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (uuid.UUID, error) {
	if ref.ID != "" && campaignID == "" {
		return parseID("affiliate", ref.ID)
	}
	a, err := b.resolve(ctx, campaignID, ref)
	return a.Id, err
}

// CreateParticipant implements canonical.Backend: it creates an affiliate.
// Rewardful requires a first and a last name: a missing first name is
// sent as the email's local part and a missing last name as "-".
// Rewardful affiliates are never referred over its API, so a Referrer,
// RequireReferrer, a VisitorID or an InitialState answers NotImplemented
// without any request. When the create is refused (422) and the campaign
// already has an affiliate with the email, that one is returned with
// created=false.
func (b *Backend) CreateParticipant(ctx context.Context, in canonical.NewParticipant) (canonical.Participant, bool, error) {
	switch {
	case !in.Referrer.IsZero() || in.RequireReferrer:
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotImplemented,
			"rewardful: affiliates cannot be referred over Rewardful's API (referrals come from its tracker)")
	case in.VisitorID != "" || in.InitialState != "":
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotImplemented,
			"rewardful: affiliates have no referral of their own over Rewardful's API")
	case strings.TrimSpace(in.Email) == "":
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "an email is required")
	}
	first, last := in.FirstName, in.LastName
	if strings.TrimSpace(first) == "" {
		first, _, _ = strings.Cut(strings.TrimSpace(in.Email), "@")
	}
	if strings.TrimSpace(last) == "" {
		last = missingLastName
	}
	body := api.CreateAffiliateRequest{FirstName: first, LastName: last, Email: in.Email}
	if in.CampaignID != "" {
		u, err := parseID("campaign", in.CampaignID)
		if err != nil {
			return canonical.Participant{}, false, err
		}
		body.CampaignId = &u
	}
	if in.ReferralCode != "" {
		body.Token = &in.ReferralCode
	}
	a := in.Affiliate
	if a.State != "" {
		st := api.AffiliateState(affiliateState(a.State))
		body.State = &st
	}
	if a.PaypalEmail != "" {
		body.PaypalEmail = &a.PaypalEmail
	}
	if a.WiseEmail != "" {
		body.WiseEmail = &a.WiseEmail
	}
	if a.StripeCustomerID != "" {
		body.StripeCustomerId = &a.StripeCustomerID
	}
	if a.NoCommissionEmails {
		f := false
		body.ReceiveNewCommissionNotifications = &f
	}
	resp, err := b.c.CreateAffiliateWithFormdataBodyWithResponse(ctx, body)
	out, err := decode(resp, err, func() *api.Affiliate { return resp.JSON200 })
	if err == nil {
		return participantFromAPI(out), true, nil
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnprocessableEntity {
		existing, lerr := b.affiliateByEmail(ctx, in.CampaignID, in.Email)
		switch {
		case lerr == nil:
			return participantFromAPI(existing), false, nil
		case !canonical.IsCode(lerr, canonical.NotFound):
			return canonical.Participant{}, false, lerr
		}
	}
	return canonical.Participant{}, false, err
}

// GetParticipant implements canonical.Backend: by ID, email (or an
// identifier, matched as email) or link token. Stats are Rewardful's
// visitors, leads and conversions.
func (b *Backend) GetParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	a, err := b.resolve(ctx, campaignID, ref)
	if err != nil {
		return canonical.Participant{}, err
	}
	return participantFromAPI(a), nil
}

// ListParticipants implements canonical.Backend, newest first. Rewardful
// filters by campaign, email and Stripe customer; other filters and sort
// orders are Invalid (affiliates have no referrer, state or metadata).
func (b *Backend) ListParticipants(ctx context.Context, q canonical.ParticipantQuery) (canonical.Page[canonical.Participant], error) {
	switch {
	case q.ReferrerID != "" || len(q.States) > 0:
		return canonical.Page[canonical.Participant]{}, canonical.Errorf(canonical.Invalid, "rewardful affiliates are not referred")
	case len(q.Metadata) > 0 || len(q.Native) > 0:
		return canonical.Page[canonical.Participant]{}, canonical.Errorf(canonical.Invalid, "rewardful cannot filter affiliates by metadata")
	case q.Sort != canonical.SortNewest:
		return canonical.Page[canonical.Participant]{}, canonical.Errorf(canonical.Invalid, "rewardful lists affiliates newest first only")
	}
	page, limit, err := pageQuery(q.ListOptions)
	if err != nil {
		return canonical.Page[canonical.Participant]{}, err
	}
	params := &api.ListAffiliatesParams{Page: page, Limit: limit, Expand: &affiliateExpand}
	if q.CampaignID != "" {
		u, err := parseID("campaign", q.CampaignID)
		if err != nil {
			return canonical.Page[canonical.Participant]{}, err
		}
		params.CampaignId = &u
	}
	if q.Email != "" {
		params.Email = &q.Email
	}
	if q.StripeCustomerID != "" {
		params.StripeCustomerId = &q.StripeCustomerID
	}
	resp, err := b.c.ListAffiliatesWithResponse(ctx, params)
	list, err := decode(resp, err, func() *api.AffiliateList { return resp.JSON200 })
	if err != nil {
		return canonical.Page[canonical.Participant]{}, err
	}
	if len(list.Data) == 0 && q.CampaignID != "" {
		// Rewardful answers an unknown campaign with an empty list.
		if err := b.requireCampaign(ctx, q.CampaignID); err != nil {
			return canonical.Page[canonical.Participant]{}, err
		}
	}
	items := make([]canonical.Participant, 0, len(list.Data))
	for _, a := range list.Data {
		items = append(items, participantFromAPI(a))
	}
	return pageFrom(items, list.Pagination, false), nil
}

// UpdateParticipant implements canonical.Backend. Rewardful changes an
// affiliate's names, email, campaign and affiliate fields (state, PayPal
// and Wise emails, Stripe customer, notifications); a patch of any other
// field is Invalid.
func (b *Backend) UpdateParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef, patch canonical.ParticipantPatch) (canonical.Participant, error) {
	var bad []string
	for name, set := range map[string]bool{
		"Phone": patch.Phone != nil, "CryptoWallet": patch.CryptoWallet != nil,
		"OtherIdentifier": patch.OtherIdentifier != nil, "Source": patch.Source != nil,
		"Metadata": patch.Metadata != nil, "Notes": patch.Notes != nil, "VanityKeys": patch.VanityKeys != nil,
		"Unsubscribed": patch.Unsubscribed != nil, "Verified": patch.Verified != nil, "Points": patch.Points != nil,
		"ReferralState": patch.ReferralState != nil, "Referrer": patch.Referrer != nil, "Fraud": patch.Fraud != nil,
		"Native": len(patch.Native) > 0,
	} {
		if set {
			bad = append(bad, name)
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return canonical.Participant{}, canonical.Errorf(canonical.Invalid, "rewardful cannot change %s", strings.Join(bad, ", "))
	}
	body := api.UpdateAffiliateRequest{FirstName: patch.FirstName, LastName: patch.LastName, Email: patch.Email}
	if patch.CampaignID != nil {
		u, err := parseID("campaign", *patch.CampaignID)
		if err != nil {
			return canonical.Participant{}, err
		}
		body.CampaignId = &u
	}
	if a := patch.Affiliate; a != nil {
		if a.State != "" {
			st := api.AffiliateState(affiliateState(a.State))
			body.State = &st
		}
		body.PaypalEmail, body.WiseEmail, body.StripeCustomerId = &a.PaypalEmail, &a.WiseEmail, &a.StripeCustomerID
		notify := !a.NoCommissionEmails
		body.ReceiveNewCommissionNotifications = &notify
	}
	id, err := b.resolveID(ctx, campaignID, ref)
	if err != nil {
		return canonical.Participant{}, err
	}
	resp, err := b.c.UpdateAffiliateWithFormdataBodyWithResponse(ctx, id, body)
	out, err := decode(resp, err, func() *api.Affiliate { return resp.JSON200 })
	if err != nil {
		return canonical.Participant{}, err
	}
	return participantFromAPI(out), nil
}

// DeleteParticipant implements canonical.Backend: not available
// (Rewardful's API cannot delete affiliates).
func (b *Backend) DeleteParticipant(context.Context, string, canonical.ParticipantRef) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("DeleteParticipant")
}

// AddPoints implements canonical.Backend: not available (no points).
func (b *Backend) AddPoints(context.Context, string, canonical.ParticipantRef, int64) (canonical.Participant, error) {
	return canonical.Participant{}, notImplemented("AddPoints")
}

// Leaderboard implements canonical.Backend: not available (no rankings).
func (b *Backend) Leaderboard(context.Context, canonical.LeaderboardQuery) (canonical.Page[canonical.Participant], error) {
	return canonical.Page[canonical.Participant]{}, notImplemented("Leaderboard")
}
