package referralrocket

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralrocket"
)

// ListReferrals implements canonical.Backend. A referral here is a
// referred participant (ID and ReferredID are their email): getReferrals
// for ReferrerID, getParticipant for ReferredID or Email, else
// getAllParticipants keeping the referred participants (such pages may
// hold fewer than Limit items and still have a NextCursor). States are
// filtered on each page the same way. Converted, StripeCustomerID and the
// update-time filters answer NotImplemented without I/O.
func (b *Backend) ListReferrals(ctx context.Context, q canonical.ReferralQuery) (canonical.Page[canonical.Referral], error) {
	var none canonical.Page[canonical.Referral]
	if q.Converted != nil || q.StripeCustomerID != "" || q.UpdatedSince != nil || q.UpdatedUntil != nil {
		return none, canonical.Errorf(canonical.NotImplemented, "Referral Rocket cannot filter referrals by conversion, Stripe customer or update time")
	}
	page, size, err := readCursor(q.ListOptions)
	if err != nil {
		return none, err
	}
	campaign, err := b.campaignOr(q.CampaignID)
	if err != nil {
		return none, err
	}
	l := b.lookup(campaign)
	keep := func(r canonical.Referral) bool {
		if len(q.States) == 0 {
			return true
		}
		for _, s := range q.States {
			if r.State == s {
				return true
			}
		}
		return false
	}
	referred := q.ReferredID
	if referred == "" {
		referred = q.Email
	}
	if referred != "" {
		out := canonical.Page[canonical.Referral]{Items: []canonical.Referral{}}
		r, err := b.fetchParticipant(ctx, campaign, strings.TrimSpace(referred))
		switch {
		case canonical.IsCode(err, canonical.NotFound) && isParticipantNotFound(err):
			return out, nil
		case err != nil:
			return none, err
		}
		ref, ok, err := l.referral(ctx, r)
		if err != nil {
			return none, err
		}
		if ok && keep(ref) && (q.ReferrerID == "" || strings.EqualFold(ref.ReferrerID, q.ReferrerID)) {
			out.Items = append(out.Items, ref)
		}
		out.Total = len(out.Items)
		return out, nil
	}
	sort := "createdOn,desc"
	if q.Oldest {
		sort = "createdOn,asc"
	}
	rs, err := b.fetchPage(ctx, campaign, q.ReferrerID, page, size, sort)
	if err != nil {
		return none, err
	}
	l.referrer = strings.TrimSpace(q.ReferrerID)
	out := canonical.Page[canonical.Referral]{Items: make([]canonical.Referral, 0, len(rs))}
	for _, r := range rs {
		ref, ok, err := l.referral(ctx, r)
		if err != nil {
			return none, err
		}
		if ok && keep(ref) {
			out.Items = append(out.Items, ref)
		}
	}
	out.NextCursor, out.Total = nextCursor(page, size, len(rs))
	if out.NextCursor == "" && (len(q.States) > 0 || q.ReferrerID == "") {
		out.Total = -1 // filtered pages: the whole count is not known
	}
	return out, nil
}

// QualifyReferral implements canonical.Backend over qualifyParticipant:
// the referred participant's purchase of amount (sent in currency units).
// Invalid when the participant was not referred; NotFound.
func (b *Backend) QualifyReferral(ctx context.Context, campaignID string, referred canonical.ParticipantRef, amount canonical.Money) (canonical.Participant, error) {
	if amount.Amount < 0 {
		return canonical.Participant{}, canonical.Errorf(canonical.Invalid, "amount must not be negative")
	}
	campaign, err := b.campaignOr(campaignID)
	if err != nil {
		return canonical.Participant{}, err
	}
	email, err := b.emailOf(ctx, campaign, referred)
	if err != nil {
		return canonical.Participant{}, err
	}
	body := qualifyBody{ID: campaign, Email: email}
	if amount.Amount != 0 {
		cur := amount.Currency
		if cur == "" {
			cur = b.currency
		}
		v := float64(amount.Amount) / float64(minorPerUnit(cur))
		body.Amount = &v
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return canonical.Participant{}, canonical.Wrap(canonical.Internal, err, "encode qualifyParticipant")
	}
	res, err := b.client.QualifyParticipantWithBodyWithResponse(ctx, "application/json", bytes.NewReader(raw))
	q, err := call("qualifyParticipant", res, err, (*api.QualifyParticipantResponse).GetJSON200)
	if err != nil {
		return canonical.Participant{}, err
	}
	b.memo.remember(campaign, q)
	return b.lookup(campaign).participant(ctx, q)
}

// lookup returns a converter for campaign.
func (b *Backend) lookup(campaign string) lookup { return lookup{b: b, campaign: campaign} }

// referrerOf returns the email of the participant with code, "" when the
// lookup is off or the code matches nobody.
func (l lookup) referrerOf(ctx context.Context, code string) (string, error) {
	if code == "" || l.b.noLookup {
		return "", nil
	}
	if l.referrer != "" {
		return l.referrer, nil
	}
	e, err := l.b.emailOfCode(ctx, l.campaign, code, false)
	if canonical.IsCode(err, canonical.NotFound) {
		return "", nil
	}
	return e, err
}

// participant converts a ParticipantResponse, resolving the referrer.
func (l lookup) participant(ctx context.Context, r api.ParticipantResponse) (canonical.Participant, error) {
	p := l.b.fromParticipant(r, l.campaign)
	ref, err := l.referrerOf(ctx, deref(r.ReferredByCode))
	if err != nil {
		return canonical.Participant{}, err
	}
	p.ReferrerID = ref
	return p, nil
}

// referral converts a referred participant to the referral that brought
// them in; ok is false for a direct participant.
func (l lookup) referral(ctx context.Context, r api.ParticipantResponse) (canonical.Referral, bool, error) {
	code := deref(r.ReferredByCode)
	if code == "" {
		return canonical.Referral{}, false, nil
	}
	p, err := l.participant(ctx, r)
	if err != nil {
		return canonical.Referral{}, false, err
	}
	ref := canonical.Referral{
		ID:         p.ID,
		CampaignID: p.CampaignID,
		ReferrerID: p.ReferrerID,
		ReferredID: p.ID,
		Email:      p.Email,
		State:      p.ReferralState,
		CreatedAt:  p.CreatedAt,
	}
	if !p.CreatedAt.IsZero() {
		at := p.CreatedAt
		ref.LeadAt = &at
	}
	ref.Native.Set(canonical.ReferralRocket, nativeReferredByCode, code)
	return ref, true, nil
}
