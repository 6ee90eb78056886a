package growsurf

import (
	"encoding/json"
	"maps"
	"math"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// This file holds the outbound mapping: GrowSurf JSON → canonical values and
// canonical values → GrowSurf requests, the inverse of mapping.go.

// Native keys the outbound backend fills in on top of mapping.go's.
const (
	nShareURL       = "shareUrl"
	nIsWinner       = "isWinner"
	nReferralSource = "referralSource"
	nEnrollment     = "affiliateEnrollmentSource"
	nStatus         = "status"
	nEvent          = "event"
	nHoldDuration   = "holdDuration"
	nProvider       = "provider"
	nQueuedAt       = "queuedAt"
	nPayoutQueuedAt = "payoutQueuedAt"
	nReversedAt     = "reversedAt"
	nFirstName      = "firstName"
	nLastName       = "lastName"
)

func timePtr(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := fromMS(*v)
	return &t
}

func timeOf(v *int64) time.Time {
	if v == nil {
		return time.Time{}
	}
	return fromMS(*v)
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func boolOf(b *bool) bool { return b != nil && *b }

func intOf(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

// ------------------------------------------------------------- campaigns

// campaignStatusIn is the canonical status of a GrowSurf program status.
func campaignStatusIn(s api.CampaignStatus) canonical.CampaignStatus {
	switch s {
	case "IN_PROGRESS":
		return canonical.CampaignActive
	case "PENDING":
		return canonical.CampaignPaused
	case "COMPLETE", "CANCELLED":
		return canonical.CampaignEnded
	case "DELETED":
		return canonical.CampaignDeleted
	}
	return canonical.CampaignDraft
}

// fromCampaign is a GrowSurf program as a canonical campaign.
func fromCampaign(c api.Campaign) canonical.Campaign {
	out := canonical.Campaign{ID: c.Id, Name: c.Name, Kind: canonical.ReferralProgram, Status: campaignStatusIn(c.Status),
		Currency: strings.ToUpper(str(c.CurrencyISO))}
	if c.Type == "AFFILIATE" {
		out.Kind = canonical.AffiliateProgram
	}
	if s := string(c.Status); s == "CANCELLED" {
		out.Native.Set(vendor, nStatus, s)
	}
	for _, r := range c.Rewards {
		out.Rules = append(out.Rules, fromReward(c.Id, r))
	}
	return out
}

// fromReward is a GrowSurf campaign reward as a canonical rule.
func fromReward(campaignID string, r api.CampaignReward) canonical.RewardRule {
	out := canonical.RewardRule{ID: r.Id, CampaignID: campaignID, Kind: rewardKind(r.Type), Title: str(r.Title),
		Description: str(r.Description), ReferredDescription: str(r.ReferralDescription), Unlimited: r.IsUnlimited,
		Visible: r.IsVisible == nil || *r.IsVisible, ImageURL: str(r.ImageUrl), CouponCode: str(r.CouponCode),
		ReferredCouponCode: str(r.ReferralCouponCode), ReferredUpfront: boolOf(r.ReferredRewardUpfront)}
	if !r.IsUnlimited && r.Limit != nil && *r.Limit > 0 {
		out.Limit = *r.Limit
	}
	if r.LimitDuration != nil {
		out.LimitPeriod = limitPeriod(*r.LimitDuration)
	}
	switch out.Kind {
	case canonical.SingleSided, canonical.DoubleSided, canonical.Milestone:
		out.Threshold = intOf(r.ConversionsRequired)
	case canonical.LeaderboardReward:
		out.Winners = intOf(r.NumberOfWinners)
	}
	if r.Order != nil {
		out.Order = *r.Order
		out.Native.Set(vendor, nOrder, float64(*r.Order))
	}
	if len(r.Metadata) > 0 {
		out.Metadata = maps.Clone(map[string]string(r.Metadata))
	}
	if r.NextMilestonePrefix != nil {
		out.Native.Set(vendor, nPrefix, *r.NextMilestonePrefix)
	}
	if r.NextMilestoneSuffix != nil {
		out.Native.Set(vendor, nSuffix, *r.NextMilestoneSuffix)
	}
	if r.Value != nil {
		out.ReferrerValue = usd(r.Value)
		out.Native.Set(vendor, nValue, jsonObject(r.Value))
	}
	if r.ReferredValue != nil {
		out.ReferredValue = usd(r.ReferredValue)
		out.Native.Set(vendor, nReferredValue, jsonObject(r.ReferredValue))
	}
	if r.Event != nil {
		out.Native.Set(vendor, nEvent, string(*r.Event))
	}
	if cs := r.CommissionStructure; cs != nil {
		cr := canonical.CommissionRule{Type: canonical.PercentCommission}
		if cs.Type != nil && *cs.Type == "FIXED" {
			cr.Type = canonical.FixedCommission
		}
		if cs.Percent != nil {
			cr.Percent = *cs.Percent
		}
		if cs.Amount != nil {
			cr.Amount.Amount = *cs.Amount
		}
		cr.Amount.Currency = strings.ToUpper(str(cs.AmountISO))
		cr.DurationMonths = intOf(cs.DurationInMonths)
		out.Commission = &cr
		out.Native.Set(vendor, nCommission, jsonObject(cs))
	}
	return out
}

// valuationOut renders a canonical reward value as a RewardTaxValuation:
// the native one when the rule came from GrowSurf and kept its value, else
// from US dollars. Other currencies cannot be carried.
func valuationOut(n canonical.Native, key string, m canonical.Money) (*api.RewardTaxValuation, error) {
	if raw, ok := n.Get(vendor, key); ok {
		var v api.RewardTaxValuation
		if b, err := json.Marshal(raw); err == nil && json.Unmarshal(b, &v) == nil && (m.IsZero() || usd(&v) == m) {
			return &v, nil
		}
	}
	if m.IsZero() {
		return nil, nil
	}
	if m.Currency != "" && m.Currency != "USD" {
		return nil, canonical.Errorf(canonical.Invalid, "growsurf values rewards in US dollars only, not %s", m.Currency)
	}
	v := float64(m.Amount) / 100
	return &api.RewardTaxValuation{FairMarketValueUSD: &v}, nil
}

// commissionStructureOutAPI renders a commission rule as GrowSurf's
// CommissionStructure: the native structure with the canonical fields laid
// over it.
func commissionStructureOutAPI(n canonical.Native, cr *canonical.CommissionRule) *api.CommissionStructure {
	if cr == nil {
		return nil
	}
	m := commissionStructureOut(canonical.RewardRule{Native: n, Commission: cr})
	var cs api.CommissionStructure
	b, err := json.Marshal(m)
	if err != nil || json.Unmarshal(b, &cs) != nil {
		return nil
	}
	return &cs
}

// rewardRequest renders a canonical rule as the fields of a reward create
// body.
func rewardRequest(r canonical.RewardRule) (api.CreateCampaignRewardRequest, error) {
	typ, ok := rewardTypes[r.Kind]
	if !ok {
		return api.CreateCampaignRewardRequest{}, canonical.Errorf(canonical.Invalid, "growsurf has no %q rewards", r.Kind)
	}
	if r.PointsThreshold != 0 || r.Repeat || r.ReferredAtSignup {
		return api.CreateCampaignRewardRequest{}, canonical.Errorf(canonical.Invalid,
			"growsurf rewards have no points thresholds, repeating milestones or rewards at signup")
	}
	in := api.CreateCampaignRewardRequest{Type: api.RewardType(typ), Title: strOrNull(r.Title), Description: strOrNull(r.Description),
		ReferralDescription: strOrNull(r.ReferredDescription), ImageUrl: strOrNull(r.ImageURL), CouponCode: strOrNull(r.CouponCode),
		ReferralCouponCode: strOrNull(r.ReferredCouponCode)}
	// GrowSurf's defaults (unlimited except milestones, visible) are left
	// out of the body.
	if r.Unlimited != (r.Kind != canonical.Milestone) {
		in.IsUnlimited = ptr(r.Unlimited)
	}
	if !r.Visible {
		in.IsVisible = ptr(false)
	}
	if r.Limit > 0 {
		in.Limit = ptr(r.Limit)
	}
	if d, ok := limitDurations[r.LimitPeriod]; ok {
		in.LimitDuration = ptr(api.LimitDuration(d))
	}
	if r.Threshold > 0 {
		in.ConversionsRequired = ptr(r.Threshold)
	}
	if r.Winners > 0 {
		in.NumberOfWinners = ptr(r.Winners)
	}
	if r.Order != 0 {
		in.Order = ptr(r.Order)
	}
	if r.ReferredUpfront {
		in.ReferredRewardUpfront = ptr(true)
	}
	if len(r.Metadata) > 0 {
		md := api.Metadata{}
		for k, v := range r.Metadata {
			md[k] = v
		}
		in.Metadata = &md
	}
	if s := r.Native.String(vendor, nPrefix); s != "" {
		in.NextMilestonePrefix = &s
	}
	if s := r.Native.String(vendor, nSuffix); s != "" {
		in.NextMilestoneSuffix = &s
	}
	var err error
	if in.Value, err = valuationOut(r.Native, nValue, r.ReferrerValue); err != nil {
		return in, err
	}
	if in.ReferredValue, err = valuationOut(r.Native, nReferredValue, r.ReferredValue); err != nil {
		return in, err
	}
	in.CommissionStructure = commissionStructureOutAPI(r.Native, r.Commission)
	return in, nil
}

// rulePatchRequest renders a canonical rule patch as GrowSurf's reward
// update body.
func rulePatchRequest(p canonical.RewardRulePatch) (api.UpdateCampaignRewardRequest, error) {
	if p.PointsThreshold != nil || p.Repeat != nil || p.ReferredAtSignup != nil {
		return api.UpdateCampaignRewardRequest{}, canonical.Errorf(canonical.Invalid,
			"growsurf rewards have no points thresholds, repeating milestones or rewards at signup")
	}
	in := api.UpdateCampaignRewardRequest{Title: p.Title, Description: p.Description, ReferralDescription: p.ReferredDescription,
		ConversionsRequired: p.Threshold, IsUnlimited: p.Unlimited, Limit: p.Limit, NumberOfWinners: p.Winners,
		CouponCode: p.CouponCode, ReferralCouponCode: p.ReferredCouponCode, ReferredRewardUpfront: p.ReferredUpfront,
		IsVisible: p.Visible, Order: p.Order, ImageUrl: p.ImageURL}
	if p.LimitPeriod != nil {
		d, ok := limitDurations[*p.LimitPeriod]
		if !ok {
			return in, canonical.Errorf(canonical.Invalid, "growsurf has no limit period %q", *p.LimitPeriod)
		}
		in.LimitDuration = ptr(api.LimitDuration(d))
	}
	if p.Metadata != nil {
		md := api.Metadata{}
		for k, v := range p.Metadata {
			md[k] = v
		}
		in.Metadata = &md
	}
	if v, ok := p.Native[vendor][nPrefix].(string); ok {
		in.NextMilestonePrefix = &v
	}
	if v, ok := p.Native[vendor][nSuffix].(string); ok {
		in.NextMilestoneSuffix = &v
	}
	var err error
	if p.ReferrerValue != nil {
		if in.Value, err = valuationOut(p.Native, nValue, *p.ReferrerValue); err != nil {
			return in, err
		}
	}
	if p.ReferredValue != nil {
		if in.ReferredValue, err = valuationOut(p.Native, nReferredValue, *p.ReferredValue); err != nil {
			return in, err
		}
	}
	in.CommissionStructure = commissionStructureOutAPI(p.Native, p.Commission)
	return in, nil
}

// ---------------------------------------------------------- participants

// referralStateOf is the canonical state of a participant's GrowSurf
// referralStatus.
func referralStateOf(s *api.ReferralStatus) canonical.ReferralState {
	if s == nil {
		return ""
	}
	if *s == "INVITE_SENT" {
		return canonical.StateInvited
	}
	return referralStateIn(string(*s))
}

// fromParticipant is a GrowSurf participant of program campaignID as a
// canonical participant.
func fromParticipant(campaignID string, p api.Participant) canonical.Participant {
	out := canonical.Participant{ID: p.Id, CampaignID: campaignID, Email: p.Email, FirstName: str(p.FirstName), LastName: str(p.LastName),
		ReferrerID: str(p.ReferredBy), ReferralState: referralStateOf(p.ReferralStatus), Notes: str(p.Notes),
		Unsubscribed: boolOf(p.Unsubscribed), IPAddress: str(p.IpAddress), Fingerprint: str(p.Fingerprint),
		MobileInstanceID: str(p.MobileInstanceId), CreatedAt: timeOf(p.CreatedAt)}
	if out.ReferrerID == "" {
		out.ReferralState = ""
	}
	if p.Metadata != nil && len(*p.Metadata) > 0 {
		raw := map[string]any(*p.Metadata)
		out.Metadata = stringMap(raw)
		for _, v := range raw {
			if _, isStr := v.(string); !isStr {
				// Typed metadata: keep the JSON types GrowSurf holds.
				out.Native.Set(vendor, nMetadata, maps.Clone(raw))
				break
			}
		}
	}
	if p.VanityKeys != nil && len(*p.VanityKeys) > 0 {
		out.VanityKeys = append([]string(nil), *p.VanityKeys...)
	}
	if p.FraudRiskLevel != nil {
		out.Fraud.Risk = canonical.FraudRisk(*p.FraudRiskLevel)
	}
	out.Fraud.Reason = str(p.FraudReasonCode)
	out.Affiliate.IsAffiliate = boolOf(p.IsAffiliate)
	if p.AffiliateStatus != nil {
		out.Affiliate.State = affiliateState(*p.AffiliateStatus)
	}
	out.Affiliate.PaypalEmail = str(p.PaypalEmailAddress)
	s := &out.Stats
	s.Referrals, s.MonthlyReferrals, s.Rank, s.MonthlyRank = p.ReferralCount, p.MonthlyReferralCount, p.Rank, p.MonthlyRank
	s.PrevMonthReferrals, s.PrevMonthlyRank = intOf(p.PrevMonthlyReferralCount), intOf(p.PrevMonthlyRank)
	s.Impressions, s.UniqueImpressions, s.Invites = intOf(p.ImpressionCount), intOf(p.UniqueImpressionCount), intOf(p.InviteCount)
	if p.ShareCount != nil && len(*p.ShareCount) > 0 {
		s.Shares = maps.Clone(map[string]int(*p.ShareCount))
	}
	s.RewardsEarned = len(p.Rewards)
	if p.ShareUrl != nil && *p.ShareUrl != "" {
		out.Native.Set(vendor, nShareURL, *p.ShareUrl)
	}
	if p.IsWinner != nil {
		out.Native.Set(vendor, nIsWinner, *p.IsWinner)
	}
	if p.ReferralSource != nil {
		out.Native.Set(vendor, nReferralSource, string(*p.ReferralSource))
	}
	if p.AffiliateEnrollmentSource != nil {
		out.Native.Set(vendor, nEnrollment, string(*p.AffiliateEnrollmentSource))
	}
	return out
}

// metadataRequest renders canonical metadata for GrowSurf, with the JSON
// types of the native metadata when it still says the same.
func metadataRequest(md map[string]string, n canonical.Native) *api.Metadata {
	if raw, ok := n.Get(vendor, nMetadata); ok {
		if m, ok := raw.(map[string]any); ok && (md == nil || sameStrings(stringMap(m), md)) {
			out := api.Metadata(maps.Clone(m))
			return &out
		}
	}
	if md == nil {
		return nil
	}
	out := api.Metadata{}
	for k, v := range md {
		out[k] = v
	}
	return &out
}

// referralStatusOut is the GrowSurf referralStatus a canonical state can
// be set to.
func referralStatusOut(s canonical.ReferralState, allowExpired bool) (string, error) {
	switch s {
	case canonical.StatePending, canonical.StateUnconfirmed:
		return "CREDIT_PENDING", nil
	case canonical.StateCredited:
		return "CREDIT_AWARDED", nil
	case canonical.StateExpired:
		if allowExpired {
			return "CREDIT_EXPIRED", nil
		}
	}
	return "", canonical.Errorf(canonical.Invalid, "growsurf cannot set a referral to %q", s)
}

// affiliateStatusOut is the GrowSurf affiliate status of a canonical state.
func affiliateStatusOut(s canonical.AffiliateState) *api.AffiliateStatus {
	if v := affiliateStatus(s); v != "" {
		return ptr(api.AffiliateStatus(v))
	}
	return nil
}

// ------------------------------------------------------- earned rewards

// fromParticipantReward is a reward listed for participant owner of
// program campaignID.
func fromParticipantReward(campaignID, owner string, r api.ParticipantReward) canonical.EarnedReward {
	out := canonical.EarnedReward{ID: joinID(campaignID, owner, r.Id), CampaignID: campaignID, RuleID: r.RewardId, ParticipantID: owner,
		ReferredID: str(r.ReferredId), IsReferrer: boolOf(r.IsReferrer), Status: canonical.RewardPending,
		ApprovedAt: timePtr(r.ApprovedAt), FulfilledAt: timePtr(r.FulfilledAt), Unread: boolOf(r.Unread)}
	switch {
	case r.Status == "FULFILLED" || boolOf(r.IsFulfilled):
		out.Status = canonical.RewardFulfilled
	case boolOf(r.Approved):
		out.Status = canonical.RewardApproved
	}
	if r.IsAvailable != nil {
		out.Native.Set(vendor, "isAvailable", *r.IsAvailable)
	}
	if r.ReferrerId != nil {
		out.Native.Set(vendor, "referrerId", *r.ReferrerId)
	}
	if r.CommissionStructure != nil {
		out.Native.Set(vendor, nCommission, jsonObject(r.CommissionStructure))
	}
	return out
}

// ------------------------------------------------------------- referrals

// fromReferral is a row of GrowSurf's referral list.
func fromReferral(campaignID string, r api.Referral) canonical.Referral {
	out := canonical.Referral{ID: r.Id, CampaignID: campaignID, ReferrerID: r.ReferredBy, Email: r.Email,
		CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt)}
	if r.ReferralStatus == "INVITE_SENT" {
		out.State = canonical.StateInvited
	} else {
		out.State = referralStateIn(string(r.ReferralStatus))
		out.ReferredID = r.Id
		lead := fromMS(r.CreatedAt)
		out.LeadAt = &lead
	}
	if r.FirstName != nil {
		out.Native.Set(vendor, nFirstName, *r.FirstName)
	}
	if r.LastName != nil {
		out.Native.Set(vendor, nLastName, *r.LastName)
	}
	return out
}

// ------------------------------------------------------------------ money

// commissionStatusIn is the canonical status of a GrowSurf commission.
func commissionStatusIn(s api.CommissionStatus) canonical.CommissionStatus {
	switch s {
	case "APPROVED":
		return canonical.CommissionDue
	case "PAID":
		return canonical.CommissionPaid
	case "REVERSED", "DELETED":
		return canonical.CommissionVoided
	}
	return canonical.CommissionPending
}

// fromCommission is a GrowSurf commission of program campaignID.
func fromCommission(campaignID string, c api.Commission) canonical.Commission {
	cur := strings.ToUpper(c.CurrencyISO)
	out := canonical.Commission{ID: joinID(campaignID, c.Id), CampaignID: campaignID, ReferrerID: c.ReferrerId, ReferredID: c.ReferredId,
		Status: commissionStatusIn(c.Status), ApprovedAt: timePtr(c.ApprovedAt), PaidAt: timePtr(c.PaidAt),
		VoidedAt: timePtr(c.ReversedAt), CreatedAt: fromMS(c.CreatedAt)}
	if c.Amount != nil {
		out.Amount = canonical.Money{Amount: *c.Amount, Currency: cur}
	}
	if c.SaleAmount != nil {
		out.SaleAmount = canonical.Money{Amount: *c.SaleAmount, Currency: cur}
	}
	if c.HoldDuration != nil {
		out.Native.Set(vendor, nHoldDuration, float64(*c.HoldDuration))
		if out.Status == canonical.CommissionPending {
			due := out.CreatedAt.Add(time.Duration(*c.HoldDuration) * 24 * time.Hour)
			out.DueAt = &due
		}
	}
	if out.Status == canonical.CommissionDue && out.ApprovedAt != nil {
		due := *out.ApprovedAt
		out.DueAt = &due
	}
	if c.Status == "DELETED" {
		out.Native.Set(vendor, nStatus, "DELETED")
	}
	if c.Event != nil {
		out.Native.Set(vendor, nEvent, string(*c.Event))
	}
	if c.Provider != nil {
		out.Native.Set(vendor, nProvider, *c.Provider)
	}
	if c.PayoutQueuedAt != nil {
		out.Native.Set(vendor, nPayoutQueuedAt, float64(*c.PayoutQueuedAt))
	}
	return out
}

// payoutStatusIn is the canonical status of a GrowSurf payout.
func payoutStatusIn(s api.PayoutStatus) canonical.PayoutStatus {
	switch s {
	case "QUEUED":
		return canonical.PayoutDue
	case "ISSUED":
		return canonical.PayoutPaid
	case "FAILED", "REVERSED":
		return canonical.PayoutFailed
	}
	return canonical.PayoutPending
}

// fromPayout is a GrowSurf payout of program campaignID.
func fromPayout(campaignID string, p api.Payout) canonical.Payout {
	out := canonical.Payout{ID: joinID(campaignID, p.Id), CampaignID: campaignID, ParticipantID: p.ParticipantId,
		Amount: canonical.Money{Amount: p.Amount, Currency: strings.ToUpper(p.CurrencyISO)}, Status: payoutStatusIn(p.Status),
		PaidAt: timePtr(p.IssuedAt), FailedAt: timePtr(p.FailedAt), CreatedAt: fromMS(p.CreatedAt)}
	for _, id := range p.CommissionIds {
		out.CommissionIDs = append(out.CommissionIDs, joinID(campaignID, id))
	}
	out.UpdatedAt = out.CreatedAt
	if p.QueuedAt != nil {
		out.UpdatedAt = fromMS(*p.QueuedAt)
		out.Native.Set(vendor, nQueuedAt, float64(*p.QueuedAt))
	}
	if p.Status == "REVERSED" {
		out.Native.Set(vendor, nStatus, "REVERSED")
		if p.ReversedAt != nil {
			out.Native.Set(vendor, nReversedAt, float64(*p.ReversedAt))
		}
	}
	if p.Provider != nil {
		out.Native.Set(vendor, nProvider, *p.Provider)
	}
	return out
}

// ------------------------------------------------------------------ stats

// analyticsShares are the share counters of GrowSurf's analytics by
// canonical channel.
func analyticsShares(a api.Analytics) map[string]int {
	out := map[string]int{}
	for ch, n := range map[string]*int{"email": a.EmailShares, "facebook": a.FacebookShares, "twitter": a.TwitterShares,
		"linkedin": a.LinkedInShares, "pinterest": a.PinterestShares, "reddit": a.RedditShares, "messenger": a.MessengerShares,
		"whatsapp": a.WhatsAppShares, "telegram": a.TelegramShares, "wechat": a.WechatShares, "tumblr": a.TumblrShares,
		"threads": a.ThreadsShares, "bluesky": a.BlueskyShares, "sms": a.SmsShares, "qrcode": a.QrcodeShares,
		"copyreflink": a.CopyRefLinkShares, "iosnative": a.IosNativeShares, "androidnative": a.AndroidNativeShares} {
		if n != nil && *n > 0 {
			out[ch] = *n
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// roundDays turns a delay into whole days, rounding up.
func roundDays(d time.Duration) int {
	return int(math.Ceil(d.Hours() / 24))
}
