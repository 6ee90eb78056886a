package referralrocket

import (
	"context"
	"net/mail"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralrocket"
)

// CreateParticipant implements canonical.Backend over addParticipant.
// Referral Rocket's REST body carries only the email and the referrer
// (referredByCode for a Code ref, referredByEmail for an ID, Email or
// Identifier ref): every other field of in is not sent (first and last
// name included) and comes back as the vendor stores it. A requested
// ReferralCode, an InitialState or a VisitorID cannot be honoured and
// answer NotImplemented without I/O.
//
// created is decided by a getParticipant call before the add: an email
// already in the campaign answers the existing participant, created=false,
// without calling addParticipant. Two concurrent creates of one email may
// both report created=true; the vendor still keeps one participant.
// Invalid, NotFound (campaign; the referrer when RequireReferrer is set).
func (b *Backend) CreateParticipant(ctx context.Context, in canonical.NewParticipant) (canonical.Participant, bool, error) {
	switch {
	case in.ReferralCode != "":
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotImplemented, "Referral Rocket generates referral codes: a requested code cannot be set")
	case in.InitialState != "":
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotImplemented, "Referral Rocket cannot create a participant in a chosen referral state")
	case in.VisitorID != "":
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotImplemented, "Referral Rocket has no visitors to attach")
	}
	email := strings.TrimSpace(in.Email)
	if email == "" {
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "Referral Rocket identifies participants by email: an email is required")
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "invalid email address %q", email)
	}
	refCode, refEmail := "", ""
	switch r := in.Referrer; {
	case r.Code != "":
		refCode = strings.TrimSpace(r.Code)
	case r.ID != "":
		refEmail = strings.TrimSpace(r.ID)
	case r.Email != "":
		refEmail = strings.TrimSpace(r.Email)
	case r.Identifier != "":
		refEmail = strings.TrimSpace(r.Identifier)
	}
	if refEmail != "" && strings.EqualFold(refEmail, email) {
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "a participant cannot refer themselves")
	}
	campaign, err := b.campaignOr(in.CampaignID)
	if err != nil {
		return canonical.Participant{}, false, err
	}
	l := b.lookup(campaign)
	existing, err := b.fetchParticipant(ctx, campaign, email)
	switch {
	case err == nil:
		p, err := l.participant(ctx, existing)
		if err == nil {
			err = b.countCredited(ctx, campaign, &p)
		}
		return p, false, err
	case !canonical.IsCode(err, canonical.NotFound) || !isParticipantNotFound(err):
		return canonical.Participant{}, false, err
	}
	if in.RequireReferrer {
		switch {
		case refCode != "":
			if _, err := b.emailOfCode(ctx, campaign, refCode, true); err != nil {
				return canonical.Participant{}, false, err
			}
		case refEmail != "":
			if _, err := b.fetchParticipant(ctx, campaign, refEmail); err != nil {
				return canonical.Participant{}, false, err
			}
		default:
			return canonical.Participant{}, false, canonical.Errorf(canonical.NotFound, "no referrer given")
		}
	}
	body := api.AddParticipantRequest{Id: campaign, Email: email}
	if refCode != "" {
		body.ReferredByCode = &refCode
	}
	if refEmail != "" {
		body.ReferredByEmail = &refEmail
	}
	res, err := b.client.AddParticipantWithResponse(ctx, body)
	added, err := call("addParticipant", res, err, (*api.AddParticipantResponse).GetJSON200)
	if err != nil {
		return canonical.Participant{}, false, err
	}
	b.memo.remember(campaign, added)
	p, err := l.participant(ctx, added)
	return p, true, err
}

// isParticipantNotFound tells a missing participant from a missing
// campaign in a getParticipant 404: only the campaign is named in the
// vendor's campaign message.
func isParticipantNotFound(err error) bool {
	return !strings.Contains(strings.ToLower(canonical.MessageOf(err)), "campaign")
}

// GetParticipant implements canonical.Backend: getParticipant for an ID,
// Email or Identifier ref (all emails here); for a Code ref, validateCode
// and then the code's email from the memo or a getAllParticipants scan.
// Stats.Referrals (credited referrals) is counted from getReferrals for a
// participant with referred signups (see countCredited); the list
// operations leave it at 0. NotFound.
func (b *Backend) GetParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	campaign, err := b.campaignOr(campaignID)
	if err != nil {
		return canonical.Participant{}, err
	}
	email, err := b.emailOf(ctx, campaign, ref)
	if err != nil {
		return canonical.Participant{}, err
	}
	r, err := b.fetchParticipant(ctx, campaign, email)
	if err != nil {
		return canonical.Participant{}, err
	}
	p, err := b.lookup(campaign).participant(ctx, r)
	if err != nil {
		return canonical.Participant{}, err
	}
	return p, b.countCredited(ctx, campaign, &p)
}

// countCredited fills p.Stats.Referrals, the referrals credited to p, which
// Referral Rocket does not report: it pages through p's referees
// (getReferrals) and counts those whose qualifying event is complete
// (rewardEventCompleted, "qualified", the vendor's credited state). Only
// participants with referred signups cost a call.
func (b *Backend) countCredited(ctx context.Context, campaign string, p *canonical.Participant) error {
	if p.Stats.ReferredSignups == 0 {
		return nil
	}
	n := 0
	for page := 0; ; page++ {
		rs, err := b.fetchPage(ctx, campaign, p.Email, page, scanPageSize, "createdOn,asc")
		if err != nil {
			return err
		}
		for _, r := range rs {
			if deref(r.RewardEventCompleted) {
				n++
			}
		}
		if len(rs) < scanPageSize {
			break
		}
	}
	p.Stats.Referrals = n
	return nil
}

// emailOf turns a ref into the email the vendor addresses participants by.
func (b *Backend) emailOf(ctx context.Context, campaign string, ref canonical.ParticipantRef) (string, error) {
	switch {
	case ref.ID != "":
		return strings.TrimSpace(ref.ID), nil
	case ref.Email != "":
		return strings.TrimSpace(ref.Email), nil
	case ref.Identifier != "":
		return strings.TrimSpace(ref.Identifier), nil
	case ref.Code != "":
		return b.emailOfCode(ctx, campaign, strings.TrimSpace(ref.Code), true)
	}
	return "", canonical.Errorf(canonical.NotFound, "no participant given")
}

// fetchParticipant calls getParticipant.
func (b *Backend) fetchParticipant(ctx context.Context, campaign, email string) (api.ParticipantResponse, error) {
	if email == "" {
		return api.ParticipantResponse{}, canonical.Errorf(canonical.NotFound, msgParticipantNotFound)
	}
	res, err := b.client.GetParticipantWithResponse(ctx, &api.GetParticipantParams{Id: campaign, Email: email})
	p, err := call("getParticipant", res, err, (*api.GetParticipantResponse).GetJSON200)
	if err != nil {
		return api.ParticipantResponse{}, err
	}
	b.memo.remember(campaign, p)
	return p, nil
}

// sortParam maps a canonical participant order to Spring sort criteria.
func sortParam(s canonical.ParticipantSort) (string, bool) {
	switch s {
	case canonical.SortNewest:
		return "createdOn,desc", true
	case canonical.SortOldest:
		return "createdOn,asc", true
	case canonical.SortEmailAsc:
		return "email,asc", true
	case canonical.SortEmailDesc:
		return "email,desc", true
	case canonical.SortNameAsc:
		return "firstName,asc", true
	case canonical.SortNameDesc:
		return "firstName,desc", true
	}
	// Referral Rocket's totalReferrals counts every referred signup, not
	// credited referrals, and it has no points.
	return "", false
}

// ListParticipants implements canonical.Backend: getAllParticipants, or
// getReferrals for ReferrerID (an email), or getParticipant for Email.
// Sorts map to Spring's sort (createdOn, email, firstName); the filters the
// vendor cannot apply (States, StripeCustomerID, Metadata, Native,
// Affiliates) and the referral and points orders answer NotImplemented
// without I/O. Total is known (else -1) on the last page only.
// Stats.Referrals stays 0 here (counting it costs a call per referrer; use
// GetParticipant). NotFound.
func (b *Backend) ListParticipants(ctx context.Context, q canonical.ParticipantQuery) (canonical.Page[canonical.Participant], error) {
	var none canonical.Page[canonical.Participant]
	switch {
	case len(q.States) > 0, q.StripeCustomerID != "", len(q.Metadata) > 0, len(q.Native) > 0, q.Affiliates:
		return none, canonical.Errorf(canonical.NotImplemented, "Referral Rocket cannot filter participants by state, Stripe customer, metadata, native values or affiliate status")
	}
	sort, ok := sortParam(q.Sort)
	if !ok {
		return none, canonical.Errorf(canonical.NotImplemented, "Referral Rocket cannot order participants by %s", q.Sort)
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
	if q.Email != "" {
		r, err := b.fetchParticipant(ctx, campaign, strings.TrimSpace(q.Email))
		switch {
		case canonical.IsCode(err, canonical.NotFound) && isParticipantNotFound(err):
			return canonical.Page[canonical.Participant]{Items: []canonical.Participant{}, Total: 0}, nil
		case err != nil:
			return none, err
		}
		p, err := l.participant(ctx, r)
		if err != nil {
			return none, err
		}
		if q.ReferrerID != "" && !strings.EqualFold(p.ReferrerID, q.ReferrerID) {
			return canonical.Page[canonical.Participant]{Items: []canonical.Participant{}, Total: 0}, nil
		}
		return canonical.Page[canonical.Participant]{Items: []canonical.Participant{p}, Total: 1}, nil
	}
	rs, err := b.fetchPage(ctx, campaign, q.ReferrerID, page, size, sort)
	if err != nil {
		return none, err
	}
	l.referrer = strings.TrimSpace(q.ReferrerID)
	out := canonical.Page[canonical.Participant]{Items: make([]canonical.Participant, 0, len(rs))}
	for _, r := range rs {
		p, err := l.participant(ctx, r)
		if err != nil {
			return none, err
		}
		out.Items = append(out.Items, p)
	}
	out.NextCursor, out.Total = nextCursor(page, size, len(rs))
	return out, nil
}

// fetchPage calls getReferrals (referrer set) or getAllParticipants.
func (b *Backend) fetchPage(ctx context.Context, campaign, referrer string, page, size int, sort string) ([]api.ParticipantResponse, error) {
	p, n, sorts := int32(page), int32(size), []string{sort}
	var (
		list api.ParticipantList
		err  error
	)
	if referrer != "" {
		res, rerr := b.client.GetReferralsWithResponse(ctx, &api.GetReferralsParams{Id: campaign, Email: strings.TrimSpace(referrer), Page: &p, Size: &n, Sort: &sorts})
		list, err = call("getReferrals", res, rerr, (*api.GetReferralsResponse).GetJSON200)
	} else {
		res, rerr := b.client.GetAllParticipantsWithResponse(ctx, &api.GetAllParticipantsParams{Id: campaign, Page: &p, Size: &n, Sort: &sorts})
		list, err = call("getAllParticipants", res, rerr, (*api.GetAllParticipantsResponse).GetJSON200)
	}
	if err != nil {
		return nil, err
	}
	b.memo.remember(campaign, list...)
	return list, nil
}

// remember records the codes of rs.
func (m *codeMemo) remember(campaign string, rs ...api.ParticipantResponse) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.emails == nil || len(m.emails) >= maxMemo {
		m.emails = map[string]string{}
	}
	for _, r := range rs {
		code, email := deref(r.ReferralCode), deref(r.Email)
		if code == "" || email == "" {
			continue
		}
		m.emails[campaign+"\x00"+code] = email
	}
}

// emailOf returns the email remembered for code.
func (m *codeMemo) emailOf(campaign, code string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.emails[campaign+"\x00"+code]
	return e, ok
}

// emailOfCode resolves a referral code to its participant's email: from
// the memo, else (after validateCode when validate is set) by paging
// through getAllParticipants oldest first. NotFound for an unknown code.
func (b *Backend) emailOfCode(ctx context.Context, campaign, code string, validate bool) (string, error) {
	if code == "" {
		return "", canonical.Errorf(canonical.NotFound, msgParticipantNotFound)
	}
	if e, ok := b.memo.emailOf(campaign, code); ok {
		return e, nil
	}
	if validate {
		res, err := b.client.ValidateCodeWithResponse(ctx, &api.ValidateCodeParams{CampaignId: campaign, Code: code})
		valid, err := call("validateCode", res, err, (*api.ValidateCodeResponse).GetJSON200)
		if err != nil {
			return "", err
		}
		if !valid {
			return "", canonical.Errorf(canonical.NotFound, "No participant has referral code %s", code)
		}
	}
	for page := 0; ; page++ {
		rs, err := b.fetchPage(ctx, campaign, "", page, scanPageSize, "createdOn,asc")
		if err != nil {
			return "", err
		}
		for _, r := range rs {
			if deref(r.ReferralCode) == code {
				return deref(r.Email), nil
			}
		}
		if len(rs) < scanPageSize {
			return "", canonical.Errorf(canonical.NotFound, "No participant has referral code %s", code)
		}
	}
}

// fromParticipant is the inverse of toParticipant: a ParticipantResponse
// as a canonical participant, without the referrer (see lookup). campaign
// is the vendor campaign id asked for, used when the answer has none.
func (b *Backend) fromParticipant(r api.ParticipantResponse, campaign string) canonical.Participant {
	p := canonical.Participant{
		ID:           deref(r.Email),
		CampaignID:   deref(r.CampaignId),
		Email:        deref(r.Email),
		FirstName:    deref(r.FirstName),
		LastName:     deref(r.LastName),
		ReferralCode: deref(r.ReferralCode),
	}
	if p.CampaignID == "" {
		p.CampaignID = campaign
	}
	if r.CreatedOn != nil {
		p.CreatedAt = r.CreatedOn.UTC()
	}
	completed := deref(r.RewardEventCompleted)
	if code := deref(r.ReferredByCode); code != "" {
		// The canonical table: "not qualified" is pending, "qualified"
		// credited.
		p.ReferralState = canonical.StatePending
		if completed {
			p.ReferralState = canonical.StateCredited
		}
		p.Native.Set(canonical.ReferralRocket, nativeReferredByCode, code)
	}
	p.Stats = canonical.ParticipantStats{
		ReferredSignups:         deref(r.TotalReferrals),
		ReferrerRewards:         b.money(deref(r.ReferralReward)),
		ReferrerRewardsRedeemed: b.money(deref(r.ReferralRewardRedeemed)),
		ReferredRewards:         b.money(deref(r.RefereeReward)),
		ReferredRewardsRedeemed: b.money(deref(r.RefereeRewardRedeemed)),
		Qualified:               completed,
	}
	if r.FraudScore != nil {
		p.Native.Set(canonical.ReferralRocket, nativeFraudScore, *r.FraudScore)
		switch strings.ToLower(*r.FraudScore) {
		case "low":
			p.Fraud.Risk = canonical.RiskLow
		case "medium":
			p.Fraud.Risk = canonical.RiskMedium
		case "high":
			p.Fraud.Risk = canonical.RiskHigh
		}
	}
	if link := deref(r.ShareLink); link != "" {
		p.Native.Set(canonical.ReferralRocket, nativeShareLink, link)
	}
	return p
}
