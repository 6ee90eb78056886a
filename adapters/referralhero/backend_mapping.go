package referralhero

import (
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// Outbound mapping: the inverse of mapping.go's renderers, from the
// vendor's JSON (as the generated models decode it) to canonical values,
// and from canonical input to the vendor's request bodies.

// setNative stores a non-empty vendor value under key.
func setNative(n *canonical.Native, key string, v *string) {
	if v != nil && *v != "" {
		n.Set(rh, key, *v)
	}
}

// campaignOf maps a List. Listed lists are active; type waitlist is a
// waitlist campaign, any other type a referral campaign, the word being
// kept in Native["referralhero"]["type"]; the subscriber count is kept as
// Native "subscribers".
func campaignOf(l api.List) canonical.Campaign {
	c := canonical.Campaign{ID: l.Uuid, Name: l.Name, Kind: canonical.ReferralProgram, Status: canonical.CampaignActive,
		CreatedAt: unixTime(l.CreatedAt)}
	if t := deref(l.Type); t != "" {
		c.Native.Set(rh, "type", t)
		if t == "waitlist" {
			c.Kind = canonical.WaitlistProgram
		}
	}
	if l.Subscribers != nil {
		c.Native.Set(rh, "subscribers", float64(*l.Subscribers))
	}
	return c
}

// ruleOf maps a Reward (bonus): category promoted_winners is a manual
// reward; a points or referral threshold above one a milestone; a
// threshold of one referral a single-sided reward; neither a leaderboard
// reward. Title falls back to the description on the vendor's side, so
// a title equal to the description may have been empty.
func ruleOf(r api.Reward, campaignID string) canonical.RewardRule {
	rule := canonical.RewardRule{ID: strconv.Itoa(r.Id), CampaignID: campaignID, Title: r.Title,
		Description: deref(r.Description), Visible: true}
	if img := deref(r.Image); img != missingImage {
		rule.ImageURL = img
	}
	setNative(&rule.Native, "header", r.Header)
	setNative(&rule.Native, "label", r.Label)
	setNative(&rule.Native, "signup_type", r.SignupType)
	cat := deref(r.Category)
	switch {
	case cat == promotedWinners:
		rule.Kind = canonical.ManualReward
	case r.Points != nil && *r.Points > 0:
		rule.Kind, rule.PointsThreshold = canonical.Milestone, *r.Points
	case r.Referrals != nil && *r.Referrals > 1:
		rule.Kind, rule.Threshold = canonical.Milestone, *r.Referrals
	case r.Referrals != nil && *r.Referrals == 1:
		rule.Kind, rule.Threshold = canonical.SingleSided, 1
	default:
		rule.Kind = canonical.LeaderboardReward
	}
	if cat != "" && cat != promotedWinners {
		rule.Native.Set(rh, "category", cat)
	}
	return rule
}

// referralState maps the vendor's referral_status.
func referralState(s *api.ReferralStatus) canonical.ReferralState {
	switch deref(s) {
	case api.ReferralStatusPending:
		return canonical.StatePending
	case api.ReferralStatusUnconfirmed:
		return canonical.StateUnconfirmed
	case api.ReferralStatusConfirmed:
		return canonical.StateCredited
	}
	return ""
}

// fraudOf maps risk_level: 1 medium, 2 (and above) high, else none.
func fraudOf(level *int) canonical.Fraud {
	switch n := deref(level); {
	case n == 1:
		return canonical.Fraud{Risk: canonical.RiskMedium}
	case n >= 2:
		return canonical.Fraud{Risk: canonical.RiskHigh}
	}
	return canonical.Fraud{}
}

// participantOf maps a Subscriber of list campaignID. Fields without a
// canonical counterpart travel in Native["referralhero"] under the
// vendor's names (extra_field…, option_field, crypto_wallet_provider,
// stripe_customer_id, tags, conversion_category, transaction_id,
// conversion_value, referral_link, universal_link, host, status,
// referral_status_at). Source direct_visit, the vendor's word for none,
// is "".
func participantOf(s api.Subscriber, campaignID string) canonical.Participant {
	p := canonical.Participant{
		ID: s.Id, CampaignID: campaignID,
		Email: deref(s.Email), Phone: deref(s.PhoneNumber), CryptoWallet: deref(s.CryptoWalletAddress),
		OtherIdentifier: deref(s.OtherIdentifierValue), ReferralCode: s.Code,
		ReferralState: referralState(s.ReferralStatus),
		Verified:      s.Verified, VerifiedAt: unixTimePtr(s.VerifiedAt),
		Promoted: s.Promoted, PromotedAt: unixTimePtr(s.PromotedAt),
		Points: int64(deref(s.Points)), Fraud: fraudOf(s.RiskLevel),
		Device: deref(s.Device), OS: deref(s.OsType), ScreenSize: deref(s.ScreenSize), IPAddress: deref(s.IpAddress),
		CreatedAt: unixTime(s.CreatedAt), UpdatedAt: unixTime(s.LastUpdatedAt),
		Stats: canonical.ParticipantStats{
			Referrals: s.PeopleReferred, PendingReferrals: deref(s.PendingReferrals),
			UnconfirmedReferrals: deref(s.UnconfirmedReferrals),
			Level2Referrals:      deref(s.Level2ConfirmedReferrals), Level3Referrals: deref(s.Level3ConfirmedReferrals),
			Rank: deref(s.Position), Visitors: deref(s.Visitors),
		},
	}
	p.FirstName, p.LastName = canonical.SplitName(deref(s.Name))
	if src := deref(s.Source); src != "direct_visit" {
		p.Source = src
	}
	if s.ReferredBy != nil {
		p.ReferrerID = deref(s.ReferredBy.Id)
	}
	if p.ReferrerID == "" && !s.Referred {
		p.ReferralState = ""
	}
	n := &p.Native
	for key, v := range map[string]*string{
		"extra_field": s.ExtraField, "extra_field_2": s.ExtraField2, "extra_field_3": s.ExtraField3,
		"extra_field_4": s.ExtraField4, "option_field": s.OptionField, "crypto_wallet_provider": s.CryptoWalletProvider,
		"stripe_customer_id": s.StripeCustomerId, "conversion_category": s.ReferralCategory,
		"transaction_id": s.TransactionId, "referral_link": s.ReferralLink, "universal_link": s.UniversalLink,
		"host": s.Host, "status": s.Status,
	} {
		setNative(n, key, v)
	}
	if s.Tags != nil && len(*s.Tags) > 0 {
		n.Set(rh, "tags", append([]string(nil), *s.Tags...))
	}
	switch {
	case s.ConversionAmount != nil:
		n.Set(rh, "conversion_value", *s.ConversionAmount)
	case s.ReferralValue != nil:
		n.Set(rh, "conversion_value", *s.ReferralValue)
	}
	if s.ReferralStatusAt != nil {
		n.Set(rh, "referral_status_at", float64(*s.ReferralStatusAt))
	}
	return p
}

// referralOf maps a referred Subscriber to the referral that brought it
// in; the referral's ID is the subscriber's.
func referralOf(s api.Subscriber, campaignID string) canonical.Referral {
	p := participantOf(s, campaignID)
	r := canonical.Referral{ID: p.ID, CampaignID: campaignID, ReferrerID: p.ReferrerID, ReferredID: p.ID,
		Email: p.Email, State: p.ReferralState, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if !p.CreatedAt.IsZero() {
		at := p.CreatedAt
		r.LeadAt = &at
	}
	if r.State == canonical.StateCredited {
		if at := unixTimePtr(s.ReferralStatusAt); at != nil {
			r.CreditedAt = at
		}
	}
	if v, ok := p.Native.Get(rh, "stripe_customer_id"); ok {
		r.StripeCustomerID, _ = v.(string)
	}
	return r
}

// earnedOf maps an UnlockedReward of list campaignID owned by
// participantID (when the response does not name the subscriber). The
// vendor's status word is kept in Native "status", the reward's name in
// Native "name"; the rule it was earned under is not in the payload.
func earnedOf(u api.UnlockedReward, campaignID, participantID string) canonical.EarnedReward {
	r := canonical.EarnedReward{ID: strconv.Itoa(u.Id), CampaignID: campaignID, ParticipantID: participantID,
		IsReferrer: true, CouponCode: deref(u.CouponCode), CreatedAt: unixTime(u.CreatedAt),
		ReferralsAtEarning: deref(u.Referrals), FulfilledAt: unixTimePtr(u.SentDate)}
	if id := deref(u.SubscriberId); id != "" {
		r.ParticipantID = id
	}
	word := string(u.Status)
	if st, ok := rewardStatusOf(word); ok {
		r.Status = st
	} else {
		r.Status = canonical.RewardPending
	}
	if word != "" {
		r.Native.Set(rh, "status", word)
	}
	if u.Name != "" {
		r.Native.Set(rh, "name", u.Name)
	}
	setNative(&r.Native, "coupon_group", u.CouponGroup)
	setNative(&r.Native, "signup_type", u.SignupType)
	setNative(&r.Native, "referrals_type", u.ReferralsType)
	setNative(&r.Native, "image_url", u.ImageUrl)
	setNative(&r.Native, "subscriber_email", u.SubscriberEmail)
	if u.RecurringCount != nil {
		r.Native.Set(rh, "recurring_count", float64(*u.RecurringCount))
	}
	if u.Value != nil {
		r.Value = canonical.Money{Amount: cents(*u.Value)}
	}
	return r
}

// couponGroupOf maps a CouponGroup; each coupon's email_id is kept in
// Native.
func couponGroupOf(g api.CouponGroup, campaignID string) canonical.CouponGroup {
	out := canonical.CouponGroup{ID: g.Id, CampaignID: campaignID, Name: g.Name, Active: g.Active,
		CreatedAt: unixTime(g.CreatedAt), Coupons: make([]canonical.Coupon, 0, len(g.Coupons))}
	for _, c := range g.Coupons {
		cp := canonical.Coupon{CampaignID: campaignID, GroupID: g.Id, Code: c.Code, Available: c.Available,
			SentAt: unixTimePtr(c.SentAt), CreatedAt: unixTime(c.CreatedAt)}
		setNative(&cp.Native, "email_id", c.EmailId)
		out.Coupons = append(out.Coupons, cp)
	}
	return out
}

// transactionOf maps a recorded Transaction of participantID.
func transactionOf(t api.Transaction, campaignID, participantID, currency string) canonical.Transaction {
	out := canonical.Transaction{ID: strconv.Itoa(t.Id), CampaignID: campaignID, ParticipantID: participantID,
		Kind: canonical.Sale, Amount: canonical.Money{Amount: cents(t.Amount), Currency: currency},
		OccurredAt: t.TransactionTime.UTC(), CreatedAt: t.TransactionTime.UTC()}
	if t.TransactionId != "" {
		out.ExternalIDs = map[string]string{"transaction_id": t.TransactionId}
	}
	setNative(&out.Native, "product_id", t.ProductId)
	return out
}

// identifierFields names a subscriber by the unique identifier v in the
// field its shape suggests: an email (has @), a crypto wallet address
// (0x…), a phone number (digits, spaces, dashes, parentheses, an optional
// leading +), or else the custom identifier.
func identifierFields(v string) (email, phone, wallet, other *string) {
	v = strings.TrimSpace(v)
	switch {
	case strings.Contains(v, "@"):
		return &v, nil, nil, nil
	case strings.HasPrefix(strings.ToLower(v), "0x"):
		return nil, nil, &v, nil
	case isPhone(v):
		return nil, &v, nil, nil
	}
	return nil, nil, nil, &v
}

// isPhone reports whether v looks like a phone number.
func isPhone(v string) bool {
	digits := 0
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')', r == '.':
		default:
			return false
		}
	}
	return digits >= 5
}

// identifierOfParticipant is the identifier that names p: its email, else
// its phone, wallet or custom identifier.
func identifierOfParticipant(p canonical.Participant) string {
	for _, v := range []string{p.Email, p.Phone, p.CryptoWallet, p.OtherIdentifier} {
		if v != "" {
			return v
		}
	}
	return ""
}

// createSubscriberBody maps NewParticipant to the add-subscriber body.
// The subscriber is added without double opt-in (verified at once) unless
// Native["referralhero"]["double_optin"] is true: a canonical Verified of
// false alone does not ask for a confirmation email.
func createSubscriberBody(in canonical.NewParticipant, referrer string) api.CreateSubscriberJSONRequestBody {
	p := in.Participant
	n := p.Native
	body := api.CreateSubscriberJSONRequestBody{
		Email: ptr(p.Email), PhoneNumber: ptr(p.Phone), CryptoWalletAddress: ptr(p.CryptoWallet),
		OtherIdentifierValue: ptr(p.OtherIdentifier), Name: ptr(p.Name()), Source: ptr(p.Source),
		Device: ptr(p.Device), OsType: ptr(p.OS), ScreenSize: ptr(p.ScreenSize), IpAddress: ptr(p.IPAddress),
		Referrer:   ptr(referrer),
		ExtraField: ptr(nativeString(n, "extra_field")), ExtraField2: ptr(nativeString(n, "extra_field_2")),
		ExtraField3: ptr(nativeString(n, "extra_field_3")), ExtraField4: ptr(nativeString(n, "extra_field_4")),
		OptionFieldValue:     ptr(nativeString(n, "option_field")),
		CryptoWalletProvider: ptr(nativeString(n, "crypto_wallet_provider")),
		StripeCustomerId:     ptr(nativeString(n, "stripe_customer_id")),
		Address:              ptr(nativeString(n, "address")), City: ptr(nativeString(n, "city")),
		Country:            ptr(nativeString(n, "country")),
		TransactionId:      ptr(nativeString(n, "transaction_id")),
		ConversionCategory: ptr(nativeString(n, "conversion_category")),
		LifetimeSpend:      ptr(nativeString(n, "lifetime_spend")),
		SubscribePageUrl:   ptr(nativeString(n, "subscribe_page_url")),
		LandingPageUrl:     ptr(nativeString(n, "landing_page_url")),
		Domain:             ptr(nativeString(n, "domain")),
	}
	optin := nativeBool(n, "double_optin")
	body.DoubleOptin = &optin
	if p.Points != 0 {
		pts := int(p.Points)
		body.Points = &pts
	}
	if v, ok := nativeFloat(n, "conversion_value"); ok {
		body.ConversionValue = &v
	}
	if tags := nativeStrings(n, "tags"); len(tags) > 0 {
		body.Tags = &tags
	}
	if nativeBool(n, "is_quick_add_referral") {
		t := true
		body.IsQuickAddReferral = &t
	}
	if in.InitialState == canonical.StatePending {
		st := api.CreateSubscriberRequestStatusCustomEventPending
		body.Status = &st
	}
	return body
}
