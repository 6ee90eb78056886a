package rewardful

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/rewardful"
)

// This file holds the outbound mappings: Rewardful's JSON (the generated
// client's types) to canonical values, the inverse of mapping.go.

// Native keys the outbound side adds to those of mapping.go.
const (
	nativeDefault           = "default"
	nativeUnconfirmedEmail  = "unconfirmed_email"
	nativePaypalConfirmedAt = "paypal_email_confirmed_at"
	nativeWiseConfirmedAt   = "wise_email_confirmed_at"
	nativeConversionState   = "conversion_state"
	nativeCustomerID        = "customer_id"
	nativeCustomerName      = "customer_name"
	nativeCustomerPlatform  = "customer_platform"
	nativeAffiliateState    = "state"
)

// commissionTitle is the title of a campaign's commission rule, as the
// inbound side creates it.
const commissionTitle = "Commission"

// customerManual is the customer platform of a referred person who is no
// payment provider's customer; the customer id is then their affiliate id.
const customerManual = "manual"

func uuidString(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

func uuidPtrString(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return uuidString(*id)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// setNative stores a value under Rewardful's key when it is present.
func setNative[T any](n *canonical.Native, key string, v *T) {
	if v != nil {
		n.Set(canonical.Rewardful, key, *v)
	}
}

// setNativeTime stores a present timestamp in Rewardful's format.
func setNativeTime(n *canonical.Native, key string, t *time.Time) {
	if t != nil && !t.IsZero() {
		n.Set(canonical.Rewardful, key, fmtTime(*t))
	}
}

// campaignFromAPI maps a Rewardful campaign: an active affiliate program that
// credits referrals at signup, with one commission rule whose ID is the
// campaign's own (Rewardful rules have no ids of their own).
func campaignFromAPI(c api.Campaign) canonical.Campaign {
	id := uuidString(c.Id)
	out := canonical.Campaign{
		ID: id, Name: c.Name, Kind: canonical.AffiliateProgram, Status: canonical.CampaignActive,
		Qualification: canonical.QualifyOnSignup, URL: c.Url, Private: c.Private, PrivateTokens: c.PrivateTokens,
		ReferralExpiryDays: c.DaysBeforeReferralsExpire, CommissionHoldDays: c.DaysUntilCommissionsAreDue,
		Currency:      strings.ToUpper(c.MinimumPayoutCurrency),
		MinimumPayout: canonical.Money{Amount: int64(c.MinimumPayoutCents), Currency: strings.ToUpper(c.MinimumPayoutCurrency)},
		CreatedAt:     c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
	var cr *canonical.CommissionRule
	switch c.RewardType {
	case api.RewardTypeAmount:
		if c.CommissionAmountCents != nil {
			cur := strings.ToUpper(deref(c.CommissionAmountCurrency))
			cr = &canonical.CommissionRule{Type: canonical.FixedCommission,
				Amount: canonical.Money{Amount: int64(*c.CommissionAmountCents), Currency: cur}}
			if cur != "" {
				out.Currency = cur
			}
		}
	default:
		if c.CommissionPercent != nil {
			cr = &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: *c.CommissionPercent}
		}
	}
	if cr != nil {
		cr.DurationMonths = deref(c.MaxCommissionPeriodMonths)
		cr.MaxCommissions = deref(c.MaxCommissions)
		out.Rules = []canonical.RewardRule{{ID: id, CampaignID: id, Kind: canonical.CommissionReward,
			Title: commissionTitle, Commission: cr, Unlimited: true, Visible: true, CreatedAt: out.CreatedAt}}
	}
	n := &out.Native
	setNative(n, nativeStripeCouponID, c.StripeCouponId)
	if c.ParameterType != "" {
		n.Set(canonical.Rewardful, nativeParameterType, string(c.ParameterType))
	}
	n.Set(canonical.Rewardful, nativeDashboardText, c.AffiliateDashboardText)
	n.Set(canonical.Rewardful, nativeRewardDesc, c.CustomRewardDescription)
	n.Set(canonical.Rewardful, nativeWelcomeText, c.WelcomeText)
	n.Set(canonical.Rewardful, nativeCustomersVis, c.CustomersVisibleToAffiliates)
	n.Set(canonical.Rewardful, nativeSaleDescVis, c.SaleDescriptionVisibleToAffiliates)
	n.Set(canonical.Rewardful, nativeDefault, c.Default)
	return out
}

// statsFromAPI maps a campaign's roll-ups. Rewardful credits a referral
// when it becomes a lead, so leads are also the credited referrals and the
// referred signups.
func statsFromAPI(c api.Campaign) canonical.CampaignStats {
	return canonical.CampaignStats{Participants: c.Affiliates, Visitors: c.Visitors, Leads: c.Leads,
		Conversions: c.Conversions, Referrals: c.Leads, ReferredSignups: c.Leads}
}

// linkFromAPI maps an affiliate link; owner fills the affiliate of links
// nested in an affiliate (which carry no affiliate_id).
func linkFromAPI(l api.AffiliateLink, owner string) canonical.Link {
	if id := uuidPtrString(l.AffiliateId); id != "" {
		owner = id
	}
	return canonical.Link{ID: uuidString(l.Id), ParticipantID: owner, Token: l.Token,
		Visitors: deref(l.Visitors), Leads: leads(l.Leads, l.Referrals), Conversions: l.Conversions}
}

// leads reads a leads count, which older payloads give as referrals.
func leads(n, referrals *int) int {
	if n == nil {
		return deref(referrals)
	}
	return *n
}

// couponFromAPI maps an affiliate coupon.
func couponFromAPI(c api.AffiliateCoupon) canonical.Coupon {
	return canonical.Coupon{ID: uuidString(c.Id), ParticipantID: uuidPtrString(c.AffiliateId), Code: c.Token,
		ExternalID: c.ExternalId, Leads: c.Leads, Conversions: c.Conversions, Archived: deref(c.Archived),
		ArchivedAt: utcPtr(c.ArchivedAt)}
}

// participantFromAPI maps an affiliate. Its referral code is the token of
// its first (main) link; Rewardful counts a referral at the lead stage, so
// leads are its credited referrals.
func participantFromAPI(a api.Affiliate) canonical.Participant {
	id := uuidString(a.Id)
	p := canonical.Participant{
		ID: id, Email: a.Email, FirstName: a.FirstName, LastName: a.LastName,
		Verified: a.ConfirmedAt != nil, VerifiedAt: utcPtr(a.ConfirmedAt),
		Affiliate: canonical.Affiliate{IsAffiliate: true, State: canonical.AffiliateActive,
			PaypalEmail: deref(a.PaypalEmail), WiseEmail: deref(a.WiseEmail),
			StripeCustomerID: deref(a.StripeCustomerId), StripeAccountID: deref(a.StripeAccountId),
			NoCommissionEmails: a.ReceiveNewCommissionNotifications != nil && !*a.ReceiveNewCommissionNotifications},
		Stats: canonical.ParticipantStats{Visitors: deref(a.Visitors), Leads: leads(a.Leads, a.Referrals), Conversions: a.Conversions,
			Referrals: leads(a.Leads, a.Referrals), ReferredSignups: leads(a.Leads, a.Referrals)},
		CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
	}
	if a.Campaign != nil {
		p.CampaignID = uuidString(a.Campaign.Id)
	}
	if a.Links != nil && len(*a.Links) > 0 {
		p.ReferralCode = (*a.Links)[0].Token
	}
	n := &p.Native
	if a.State != nil {
		if st, ok := stateIn(string(*a.State)); ok {
			p.Affiliate.State = st
		}
		n.Set(canonical.Rewardful, nativeAffiliateState, string(*a.State))
	}
	setNative(n, nativeSignInCount, a.SignInCount)
	setNative(n, nativeUnconfirmedEmail, a.UnconfirmedEmail)
	setNativeTime(n, nativePaypalConfirmedAt, a.PaypalEmailConfirmedAt)
	setNativeTime(n, nativeWiseConfirmedAt, a.WiseEmailConfirmedAt)
	return p
}

// referralFromAPI maps a referral: a visitor stays a visitor, a lead or a
// conversion is a credited referral (ConvertedAt marks the conversion).
// The referrer is known when the affiliate is expanded; the referred
// participant when the customer is one of the account's affiliates
// (platform "manual").
func referralFromAPI(r api.Referral) canonical.Referral {
	out := canonical.Referral{
		ID: uuidString(r.Id), State: canonical.StateCredited, Visits: deref(r.Visits),
		StripeCustomerID: deref(r.StripeCustomerId), LeadAt: utcPtr(r.BecameLeadAt),
		ConvertedAt: utcPtr(r.BecameConversionAt), ExpiresAt: utcPtr(r.ExpiresAt),
		DeactivatedAt: utcPtr(r.DeactivatedAt), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.ConversionState == api.ConversionStateVisitor {
		out.State = canonical.StateVisitor
	}
	if r.Link != nil {
		out.LinkID = uuidString(r.Link.Id)
	}
	if r.Affiliate != nil {
		out.ReferrerID = uuidString(r.Affiliate.Id)
		if r.Affiliate.Campaign != nil {
			out.CampaignID = uuidString(r.Affiliate.Campaign.Id)
		}
	}
	n := &out.Native
	n.Set(canonical.Rewardful, nativeConversionState, string(r.ConversionState))
	setNative(n, nativeStripeAccount, r.StripeAccountId)
	if c := r.Customer; c != nil {
		out.Email = deref(c.Email)
		if c.Platform == customerManual {
			out.ReferredID = c.Id
		}
		n.Set(canonical.Rewardful, nativeCustomerID, c.Id)
		n.Set(canonical.Rewardful, nativeCustomerPlatform, c.Platform)
		setNative(n, nativeCustomerName, c.Name)
	}
	return out
}

// commissionFromAPI maps a commission. The sale, when present, gives the
// transaction, the sale amount (the gross charge), the referrer and the
// referred participant.
func commissionFromAPI(c api.Commission) canonical.Commission {
	cur := strings.ToUpper(c.Currency)
	out := canonical.Commission{
		ID: uuidString(c.Id), Amount: canonical.Money{Amount: int64(c.Amount), Currency: cur},
		Status: canonical.CommissionStatus(c.State), DueAt: utcPtr(c.DueAt), PaidAt: utcPtr(c.PaidAt),
		VoidedAt: utcPtr(c.VoidedAt), CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
	if c.Campaign != nil {
		out.CampaignID = uuidString(c.Campaign.Id)
	}
	n := &out.Native
	setNative(n, nativeStripeAccount, c.StripeAccountId)
	if s := c.Sale; s != nil {
		out.TransactionID = uuidString(s.Id)
		out.SaleAmount = canonical.Money{Amount: int64(s.ChargeAmountCents), Currency: strings.ToUpper(s.Currency)}
		if s.Affiliate != nil {
			out.ReferrerID = uuidString(s.Affiliate.Id)
		}
		if s.Referral != nil && s.Referral.Customer != nil && s.Referral.Customer.Platform == customerManual {
			out.ReferredID = s.Referral.Customer.Id
		}
		if c.StripeAccountId == nil {
			setNative(n, nativeStripeAccount, s.StripeAccountId)
		}
		setNative(n, nativeStripeCharge, s.StripeChargeId)
	}
	return out
}

// payoutFromAPI maps a payout; the affiliate and the commissions come
// with the payout when expanded (and always on retrieve).
func payoutFromAPI(p api.Payout) canonical.Payout {
	out := canonical.Payout{
		ID: uuidString(p.Id), Amount: canonical.Money{Amount: int64(p.Amount), Currency: strings.ToUpper(p.Currency)},
		Status: canonical.PayoutStatus(p.State), PaidAt: utcPtr(p.PaidAt), CreatedAt: p.CreatedAt.UTC(),
		UpdatedAt: p.UpdatedAt.UTC(),
	}
	if p.Affiliate != nil {
		out.ParticipantID = uuidString(p.Affiliate.Id)
	}
	if p.Commissions != nil {
		for _, c := range *p.Commissions {
			out.CommissionIDs = append(out.CommissionIDs, uuidString(c.Id))
		}
	}
	if p.PaidById != nil {
		out.Native.Set(canonical.Rewardful, nativePaidByID, p.PaidById.String())
	}
	return out
}
