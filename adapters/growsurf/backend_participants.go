package growsurf

import (
	"context"
	"slices"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// getParticipant is GET /campaign/{id}/participant/{p}.
func (b *Backend) getParticipant(ctx context.Context, campaignID, key string) (canonical.Participant, error) {
	p, err := result[api.Participant](b.c.GetParticipantWithResponse(ctx, campaignID, key))
	if err != nil {
		return canonical.Participant{}, err
	}
	return fromParticipant(campaignID, *p), nil
}

// CreateParticipant implements canonical.Backend: POST
// /campaign/{id}/participant, GrowSurf's get-or-create by email; notes,
// vanity keys, unsubscription and a PayPal email, which the add body
// cannot carry, follow in POST /campaign/{id}/participant/{p} when the
// participant was created.
func (b *Backend) CreateParticipant(ctx context.Context, in canonical.NewParticipant) (canonical.Participant, bool, error) {
	if err := needCampaign(in.CampaignID); err != nil {
		return canonical.Participant{}, false, err
	}
	email := strings.TrimSpace(in.Email)
	if email == "" {
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "growsurf identifies participants by email: an email is required")
	}
	if in.VisitorID != "" {
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "growsurf has no anonymous visitors to attach")
	}
	body := api.AddParticipantRequest{Email: email, FirstName: strOrNull(in.FirstName), LastName: strOrNull(in.LastName),
		IpAddress: strOrNull(in.IPAddress), Fingerprint: strOrNull(in.Fingerprint), MobileInstanceId: strOrNull(in.MobileInstanceID),
		Metadata: metadataRequest(in.Metadata, in.Native)}
	if in.InitialState != "" {
		st, err := referralStatusOut(in.InitialState, false)
		if err != nil {
			return canonical.Participant{}, false, err
		}
		body.ReferralStatus = ptr(api.AddParticipantRequestReferralStatus(st))
	}
	if in.Affiliate.IsAffiliate {
		body.IsAffiliate = ptr(true)
	}
	if !in.Referrer.IsZero() {
		key, err := participantKey(in.Referrer)
		switch {
		case err != nil && in.RequireReferrer:
			return canonical.Participant{}, false, canonical.Errorf(canonical.NotFound, "referrer %s not found", in.Referrer)
		case err == nil && in.RequireReferrer:
			// GrowSurf ignores a referredBy that does not resolve.
			if _, err := b.getParticipant(ctx, in.CampaignID, key); err != nil {
				if canonical.IsCode(err, canonical.NotFound) {
					return canonical.Participant{}, false, canonical.Errorf(canonical.NotFound, "referrer %s not found", in.Referrer)
				}
				return canonical.Participant{}, false, err
			}
			body.ReferredBy = &key
		case err == nil:
			body.ReferredBy = &key
		}
	}
	p, err := result[api.Participant](b.c.AddParticipantWithResponse(ctx, in.CampaignID, body))
	if err != nil {
		return canonical.Participant{}, false, err
	}
	created := p.IsNew == nil || *p.IsNew
	out := fromParticipant(in.CampaignID, *p)
	if created && (in.Notes != "" || len(in.VanityKeys) > 0 || in.Unsubscribed || in.Affiliate.PaypalEmail != "") {
		upd := api.UpdateParticipantRequest{Notes: strOrNull(in.Notes), PaypalEmail: strOrNull(in.Affiliate.PaypalEmail)}
		if len(in.VanityKeys) > 0 {
			upd.VanityKeys = &in.VanityKeys
		}
		if in.Unsubscribed {
			upd.Unsubscribed = ptr(true)
		}
		up, err := result[api.Participant](b.c.UpdateParticipantWithResponse(ctx, in.CampaignID, p.Id, upd))
		if err != nil {
			return out, created, err
		}
		out = fromParticipant(in.CampaignID, *up)
	}
	return out, created, nil
}

// GetParticipant implements canonical.Backend: GET
// /campaign/{id}/participant/{idOrEmail}. Without a campaign ID every
// program of the account is tried in turn (GET /campaigns first).
func (b *Backend) GetParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	key, err := participantKey(ref)
	if err != nil {
		return canonical.Participant{}, err
	}
	if campaignID != "" {
		return b.getParticipant(ctx, campaignID, key)
	}
	list, err := result[api.CampaignList](b.c.ListCampaignsWithResponse(ctx))
	if err != nil {
		return canonical.Participant{}, err
	}
	for _, c := range list.Campaigns {
		if c.Status == "DELETED" {
			continue
		}
		p, err := b.getParticipant(ctx, c.Id, key)
		if !canonical.IsCode(err, canonical.NotFound) {
			return p, err
		}
	}
	return canonical.Participant{}, canonical.Errorf(canonical.NotFound, "participant %s not found", ref)
}

// ListParticipants implements canonical.Backend: GET
// /campaign/{id}/participants in GrowSurf's order (SortNewest and
// SortOldest both ask for it; other sorts are Invalid), with metadata
// filters sent as metadata[key]=value (up to three; more are checked on
// each page). An Email filter reads that participant, a ReferrerID filter
// walks the referrer's referrals. States, Affiliates and Native filters
// are applied to each page, so pages may be shorter than the limit.
func (b *Backend) ListParticipants(ctx context.Context, q canonical.ParticipantQuery) (canonical.Page[canonical.Participant], error) {
	page := canonical.Page[canonical.Participant]{Items: []canonical.Participant{}, Total: -1}
	if err := needCampaign(q.CampaignID); err != nil {
		return page, err
	}
	if q.Sort != canonical.SortNewest && q.Sort != canonical.SortOldest {
		return page, canonical.Errorf(canonical.Invalid, "growsurf lists participants in its own order only, not by %s", q.Sort)
	}
	if q.StripeCustomerID != "" {
		return page, canonical.Errorf(canonical.Invalid, "growsurf has no Stripe customer filter")
	}
	keep := func(p canonical.Participant) bool {
		if len(q.States) > 0 && !slices.Contains(q.States, p.ReferralState) {
			return false
		}
		if q.Affiliates && !p.Affiliate.IsAffiliate {
			return false
		}
		for k, v := range q.Metadata {
			if w, ok := p.Metadata[k]; !ok || w != v {
				return false
			}
		}
		if q.NativeOf == vendor || q.NativeOf == "" {
			for k, v := range q.Native {
				if val, ok := p.Native.Get(vendor, k); !ok || stringify(val) != v {
					return false
				}
			}
		} else if len(q.Native) > 0 {
			return false
		}
		return true
	}
	switch {
	case q.Email != "":
		p, err := b.getParticipant(ctx, q.CampaignID, strings.TrimSpace(q.Email))
		if canonical.IsCode(err, canonical.NotFound) {
			return page, nil
		}
		if err != nil {
			return page, err
		}
		if (q.ReferrerID == "" || p.ReferrerID == q.ReferrerID) && keep(p) {
			page.Items = append(page.Items, p)
		}
		return page, nil
	case q.ReferrerID != "":
		refs, err := b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: q.CampaignID, ReferrerID: q.ReferrerID,
			ListOptions: q.ListOptions})
		if err != nil {
			return page, err
		}
		for _, r := range refs.Items {
			if r.ReferredID == "" {
				continue
			}
			p, err := b.getParticipant(ctx, q.CampaignID, r.ReferredID)
			if canonical.IsCode(err, canonical.NotFound) {
				continue
			}
			if err != nil {
				return page, err
			}
			if keep(p) {
				page.Items = append(page.Items, p)
			}
		}
		page.NextCursor = refs.NextCursor
		return page, nil
	}
	params := &api.ListParticipantsParams{Limit: pageLimitOut(q.Limit), NextId: cursorOut(q.Cursor)}
	if len(q.Metadata) > 0 {
		keys := make([]string, 0, len(q.Metadata))
		for k := range q.Metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		md := map[string]string{}
		for _, k := range keys[:min(3, len(keys))] {
			md[k] = q.Metadata[k]
		}
		params.Metadata = &md
	}
	list, err := result[api.ParticipantList](b.c.ListParticipantsWithResponse(ctx, q.CampaignID, params))
	if err != nil {
		return page, err
	}
	for _, p := range list.Participants {
		if cp := fromParticipant(q.CampaignID, p); keep(cp) {
			page.Items = append(page.Items, cp)
		}
	}
	page.NextCursor = str(list.NextId)
	return page, nil
}

// UpdateParticipant implements canonical.Backend: POST
// /campaign/{id}/participant/{p}. Fields GrowSurf cannot change (phone,
// wallets, other identifiers, source, verification, points, fraud,
// campaign) answer Invalid.
func (b *Backend) UpdateParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef, patch canonical.ParticipantPatch) (canonical.Participant, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.Participant{}, err
	}
	key, err := participantKey(ref)
	if err != nil {
		return canonical.Participant{}, err
	}
	switch {
	case patch.Phone != nil, patch.CryptoWallet != nil, patch.OtherIdentifier != nil, patch.Source != nil, patch.Verified != nil,
		patch.Points != nil, patch.CampaignID != nil, patch.Fraud != nil:
		return canonical.Participant{}, canonical.Errorf(canonical.Invalid,
			"growsurf cannot change a participant's phone, wallet, other identifier, source, verification, points, fraud status or program")
	}
	for k := range patch.Native[vendor] {
		if k != nMetadata {
			return canonical.Participant{}, canonical.Errorf(canonical.Invalid, "growsurf cannot change %q of a participant", k)
		}
	}
	in := api.UpdateParticipantRequest{Email: patch.Email, FirstName: patch.FirstName, LastName: patch.LastName, Notes: patch.Notes,
		Unsubscribed: patch.Unsubscribed, VanityKeys: patch.VanityKeys}
	if patch.Metadata != nil || patch.Native[vendor][nMetadata] != nil {
		in.Metadata = metadataRequest(patch.Metadata, patch.Native)
	}
	if patch.ReferralState != nil {
		st, err := referralStatusOut(*patch.ReferralState, true)
		if err != nil {
			return canonical.Participant{}, err
		}
		in.ReferralStatus = ptr(api.UpdateParticipantRequestReferralStatus(st))
	}
	if patch.Referrer != nil {
		by := ""
		if !patch.Referrer.IsZero() {
			if by, err = participantKey(*patch.Referrer); err != nil {
				return canonical.Participant{}, err
			}
		}
		in.ReferredBy = &by
	}
	if a := patch.Affiliate; a != nil {
		in.PaypalEmail = &a.PaypalEmail
		in.AffiliateStatus = affiliateStatusOut(a.State)
	}
	p, err := result[api.Participant](b.c.UpdateParticipantWithResponse(ctx, campaignID, key, in))
	if err != nil {
		return canonical.Participant{}, err
	}
	return fromParticipant(campaignID, *p), nil
}

// DeleteParticipant implements canonical.Backend: GET then DELETE
// /campaign/{id}/participant/{p}; it returns the participant as read
// before the deletion.
func (b *Backend) DeleteParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.Participant{}, err
	}
	key, err := participantKey(ref)
	if err != nil {
		return canonical.Participant{}, err
	}
	p, err := b.getParticipant(ctx, campaignID, key)
	if err != nil {
		return canonical.Participant{}, err
	}
	if _, err := result[api.SuccessResult](b.c.DeleteParticipantWithResponse(ctx, campaignID, p.ID)); err != nil {
		return canonical.Participant{}, err
	}
	return p, nil
}

// leaderboardTypes are GrowSurf's leaderboard types of the canonical
// boards; GrowSurf ranks no points.
var leaderboardTypes = map[canonical.Board]api.LeaderboardType{
	"": "ALL_TIME", canonical.AllTime: "ALL_TIME", canonical.CurrentMonth: "CURRENT_MONTH", canonical.PreviousMonth: "PREV_MONTH",
}

// Leaderboard implements canonical.Backend: GET
// /campaign/{id}/leaderboard.
func (b *Backend) Leaderboard(ctx context.Context, q canonical.LeaderboardQuery) (canonical.Page[canonical.Participant], error) {
	page := canonical.Page[canonical.Participant]{Items: []canonical.Participant{}, Total: -1}
	if err := needCampaign(q.CampaignID); err != nil {
		return page, err
	}
	typ, ok := leaderboardTypes[q.Board]
	if !ok {
		return page, canonical.Errorf(canonical.Invalid, "growsurf has no %q leaderboard", q.Board)
	}
	list, err := result[api.ParticipantList](b.c.GetLeaderboardWithResponse(ctx, q.CampaignID,
		&api.GetLeaderboardParams{LeaderboardType: &typ, Limit: pageLimitOut(q.Limit), NextId: cursorOut(q.Cursor)}))
	if err != nil {
		return page, err
	}
	for _, p := range list.Participants {
		page.Items = append(page.Items, fromParticipant(q.CampaignID, p))
	}
	page.NextCursor = str(list.NextId)
	return page, nil
}
