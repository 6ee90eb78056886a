package growsurf

import (
	"encoding/json"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// vendor is the key of GrowSurf's values in canonical Native maps.
const vendor = canonical.GrowSurf

// Native keys this surface keeps on canonical entities.
const (
	nMetadata        = "metadata"    // participant metadata with its JSON types
	nCompanyName     = "companyName" // campaign
	nCompanyLogo     = "companyLogoImageUrl"
	nGoal            = "goal"
	nDesign          = "design" // campaign configuration objects
	nEmails          = "emails"
	nOptions         = "options"
	nInstallation    = "installation"
	nWebhooks        = "webhooks" // campaign webhook list
	nWebhookSeq      = "webhookSeq"
	nUnlimited       = "isUnlimited" // reward rule flag as sent
	nOrder           = "order"       // reward rule display order, once set
	nPrefix          = "nextMilestonePrefix"
	nSuffix          = "nextMilestoneSuffix"
	nValue           = "value" // reward rule tax valuations
	nReferredValue   = "referredValue"
	nCommission      = "commissionStructure" // the full structure as sent
	nTransactionData = "transaction"         // extra sale fields as sent
)

// ms renders a time as GrowSurf's epoch milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// msPtr renders an optional time; nil stays nil (JSON null).
func msPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := t.UnixMilli()
	return &v
}

// fromMS reads epoch milliseconds.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// strOrNull renders "" as JSON null.
func strOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ---------------------------------------------------------------- states

// referralStatus is the GrowSurf name of a canonical referral state.
func referralStatus(s canonical.ReferralState) string {
	switch s {
	case canonical.StateInvited:
		return "INVITE_SENT"
	case canonical.StatePending, canonical.StateUnconfirmed:
		return "CREDIT_PENDING"
	case canonical.StateCredited:
		return "CREDIT_AWARDED"
	case canonical.StateExpired:
		return "CREDIT_EXPIRED"
	}
	return ""
}

// referralStates is the canonical side of a GrowSurf referralStatus.
func referralStates(s string) []canonical.ReferralState {
	switch s {
	case "INVITE_SENT":
		return []canonical.ReferralState{canonical.StateInvited}
	case "CREDIT_PENDING":
		return []canonical.ReferralState{canonical.StatePending, canonical.StateUnconfirmed}
	case "CREDIT_AWARDED":
		return []canonical.ReferralState{canonical.StateCredited}
	case "CREDIT_EXPIRED":
		return []canonical.ReferralState{canonical.StateExpired}
	}
	// Everything GrowSurf lists: referred participants and invites, not
	// anonymous visitors.
	return []canonical.ReferralState{canonical.StateInvited, canonical.StatePending, canonical.StateUnconfirmed,
		canonical.StateCredited, canonical.StateExpired}
}

// referralStateIn is the canonical state a GrowSurf referralStatus sets.
func referralStateIn(s string) canonical.ReferralState {
	switch s {
	case "CREDIT_PENDING":
		return canonical.StatePending
	case "CREDIT_AWARDED":
		return canonical.StateCredited
	case "CREDIT_EXPIRED":
		return canonical.StateExpired
	}
	return ""
}

// campaignStatus is the GrowSurf status of a canonical campaign status.
func campaignStatus(s canonical.CampaignStatus) string {
	switch s {
	case canonical.CampaignActive:
		return "IN_PROGRESS"
	case canonical.CampaignPaused:
		return "PENDING"
	case canonical.CampaignEnded:
		return "COMPLETE"
	case canonical.CampaignDeleted:
		return "DELETED"
	}
	return "DRAFT"
}

// campaignType is REFERRAL or AFFILIATE.
func campaignType(k canonical.CampaignKind) string {
	if k == canonical.AffiliateProgram {
		return "AFFILIATE"
	}
	return "REFERRAL"
}

var rewardTypes = map[canonical.RewardKind]string{
	canonical.SingleSided:       "SINGLE_SIDED",
	canonical.DoubleSided:       "DOUBLE_SIDED",
	canonical.Milestone:         "MILESTONE",
	canonical.LeaderboardReward: "LEADERBOARD",
	canonical.CommissionReward:  "AFFILIATE",
}

// rewardKind is the canonical kind of a GrowSurf reward type.
func rewardKind(t api.RewardType) canonical.RewardKind {
	for k, v := range rewardTypes {
		if v == string(t) {
			return k
		}
	}
	return ""
}

var limitDurations = map[canonical.LimitPeriod]string{
	canonical.LimitTotal: "IN_TOTAL", canonical.LimitPerMonth: "PER_MONTH", canonical.LimitPerYear: "PER_YEAR",
}

func limitPeriod(d api.LimitDuration) canonical.LimitPeriod {
	for k, v := range limitDurations {
		if v == string(d) {
			return k
		}
	}
	return ""
}

// commissionStatus is the GrowSurf status of a commission.
func commissionStatus(s canonical.CommissionStatus) string {
	switch s {
	case canonical.CommissionDue:
		return "APPROVED"
	case canonical.CommissionPaid:
		return "PAID"
	case canonical.CommissionVoided:
		return "REVERSED"
	}
	return "PENDING"
}

// commissionStatuses is the canonical side of a status filter; ok is false
// for DELETED, which the engine never keeps.
func commissionStatuses(s api.CommissionStatus) ([]canonical.CommissionStatus, bool) {
	switch s {
	case "PENDING":
		return []canonical.CommissionStatus{canonical.CommissionPending}, true
	case "APPROVED":
		return []canonical.CommissionStatus{canonical.CommissionDue}, true
	case "PAID":
		return []canonical.CommissionStatus{canonical.CommissionPaid}, true
	case "REVERSED":
		return []canonical.CommissionStatus{canonical.CommissionVoided}, true
	}
	return nil, false
}

// payoutStatus is the GrowSurf status of a payout.
func payoutStatus(s canonical.PayoutStatus) string {
	switch s {
	case canonical.PayoutDue, canonical.PayoutProcessing:
		return "QUEUED"
	case canonical.PayoutPaid:
		return "ISSUED"
	case canonical.PayoutFailed:
		return "FAILED"
	}
	return "UPCOMING"
}

func payoutStatuses(s api.PayoutStatus) ([]canonical.PayoutStatus, bool) {
	switch s {
	case "UPCOMING":
		return []canonical.PayoutStatus{canonical.PayoutPending}, true
	case "QUEUED":
		return []canonical.PayoutStatus{canonical.PayoutDue, canonical.PayoutProcessing}, true
	case "ISSUED":
		return []canonical.PayoutStatus{canonical.PayoutPaid}, true
	case "FAILED":
		return []canonical.PayoutStatus{canonical.PayoutFailed}, true
	}
	return nil, false
}

// ------------------------------------------------------------- campaigns

// campaignOut is GrowSurf's Campaign.
type campaignOut struct {
	ID               string      `json:"id"`
	Name             string      `json:"name"`
	Type             string      `json:"type"`
	Status           string      `json:"status"`
	ReferralCount    int         `json:"referralCount"`
	ParticipantCount int         `json:"participantCount"`
	ImpressionCount  int         `json:"impressionCount"`
	InviteCount      int         `json:"inviteCount"`
	WinnerCount      int         `json:"winnerCount"`
	CurrencyISO      *string     `json:"currencyISO"`
	Rewards          []rewardOut `json:"rewards"`
}

// toCampaign renders a campaign with its counters.
func toCampaign(ids *idCodecs, c canonical.Campaign, s canonical.CampaignStats) campaignOut {
	out := campaignOut{ID: ids.campaign.encode(c.ID), Name: c.Name, Type: campaignType(c.Kind), Status: campaignStatus(c.Status),
		ReferralCount: s.Referrals, ParticipantCount: s.Participants, ImpressionCount: s.Impressions,
		InviteCount: s.Invites, WinnerCount: s.Winners, CurrencyISO: strOrNull(c.Currency), Rewards: []rewardOut{}}
	for _, r := range c.Rules {
		if rr, ok := toReward(ids, r); ok {
			out.Rewards = append(out.Rewards, rr)
		}
	}
	return out
}

// newCampaign is createCampaign's body as a canonical campaign.
func newCampaign(in api.CreateCampaignRequest) (canonical.Campaign, error) {
	c := canonical.Campaign{Kind: canonical.ReferralProgram, Status: canonical.CampaignDraft,
		Qualification: canonical.QualifyOnSignup, Currency: "USD"}
	if in.Type == "AFFILIATE" {
		c.Kind = canonical.AffiliateProgram
	}
	if in.CurrencyISO != nil {
		c.Currency = strings.ToUpper(*in.CurrencyISO)
	}
	c.Name = "Untitled program"
	if in.Name != nil && strings.TrimSpace(*in.Name) != "" {
		c.Name = *in.Name
	} else if in.CompanyName != nil && strings.TrimSpace(*in.CompanyName) != "" {
		c.Name = *in.CompanyName
	}
	setNative(&c.Native, nCompanyName, in.CompanyName)
	setNative(&c.Native, nCompanyLogo, in.CompanyLogoImageUrl)
	if in.Goal != nil {
		c.Native.Set(vendor, nGoal, string(*in.Goal))
	}
	if in.Rewards != nil {
		for i, r := range *in.Rewards {
			rule, err := newRule(r, c.Kind)
			if err != nil {
				return c, prefixField(err, "rewards."+strconv.Itoa(i))
			}
			c.Rules = append(c.Rules, rule)
		}
	}
	return c, nil
}

func setNative[T ~string](n *canonical.Native, key string, v *T) {
	if v != nil {
		n.Set(vendor, key, string(*v))
	}
}

// prefixField puts a path in front of a field-level error's field.
func prefixField(err error, prefix string) error {
	if ve, ok := err.(*vendorError); ok {
		for i := range ve.details {
			ve.details[i].Field = prefix + "." + ve.details[i].Field
		}
	}
	return err
}

// campaignPatch is updateCampaign's body as a canonical patch.
func campaignPatch(in api.UpdateCampaignRequest) canonical.CampaignPatch {
	var p canonical.CampaignPatch
	p.Name = in.Name
	if in.Status != nil {
		s := canonical.CampaignActive
		if *in.Status == "COMPLETE" {
			s = canonical.CampaignEnded
		}
		p.Status = &s
	}
	setNative(&p.Native, nCompanyName, in.CompanyName)
	setNative(&p.Native, nCompanyLogo, in.CompanyLogoImageUrl)
	return p
}

// --------------------------------------------------------------- rewards

// rewardOut is GrowSurf's CampaignReward, explicit nulls included.
type rewardOut struct {
	ID                    string            `json:"id"`
	Type                  string            `json:"type"`
	Title                 *string           `json:"title"`
	Description           *string           `json:"description"`
	ReferralDescription   *string           `json:"referralDescription"`
	IsUnlimited           bool              `json:"isUnlimited"`
	IsVisible             bool              `json:"isVisible"`
	Limit                 *int              `json:"limit"`
	LimitDuration         *string           `json:"limitDuration"`
	ConversionsRequired   *int              `json:"conversionsRequired"`
	NumberOfWinners       *int              `json:"numberOfWinners"`
	Order                 *int              `json:"order"`
	ImageURL              *string           `json:"imageUrl"`
	CouponCode            *string           `json:"couponCode"`
	ReferralCouponCode    *string           `json:"referralCouponCode"`
	NextMilestonePrefix   *string           `json:"nextMilestonePrefix"`
	NextMilestoneSuffix   *string           `json:"nextMilestoneSuffix"`
	ReferredRewardUpfront bool              `json:"referredRewardUpfront"`
	Metadata              map[string]string `json:"metadata"`
	CommissionStructure   map[string]any    `json:"commissionStructure"`
	Value                 map[string]any    `json:"value"`
	ReferredValue         map[string]any    `json:"referredValue"`
}

// toReward renders a reward rule; ok is false for rules GrowSurf has no
// type for (ReferralHero's manual rewards).
func toReward(ids *idCodecs, r canonical.RewardRule) (rewardOut, bool) {
	typ, ok := rewardTypes[r.Kind]
	if !ok {
		return rewardOut{}, false
	}
	out := rewardOut{ID: ids.rule.encode(r.ID), Type: typ, Title: strOrNull(r.Title), Description: strOrNull(r.Description),
		ReferralDescription: strOrNull(r.ReferredDescription), IsUnlimited: r.Unlimited, IsVisible: r.Visible,
		ImageURL: strOrNull(r.ImageURL), CouponCode: strOrNull(r.CouponCode), ReferralCouponCode: strOrNull(r.ReferredCouponCode),
		NextMilestonePrefix: strOrNull(r.Native.String(vendor, nPrefix)), NextMilestoneSuffix: strOrNull(r.Native.String(vendor, nSuffix)),
		ReferredRewardUpfront: r.ReferredUpfront, Metadata: map[string]string{}}
	maps.Copy(out.Metadata, r.Metadata)
	if v, ok := r.Native.Get(vendor, nUnlimited); ok && v == false && r.Unlimited && r.Limit == 0 {
		// Limited without a limit (a leaderboard's winners cap it): the
		// engine counts that as unlimited; GrowSurf shows it as sent.
		out.IsUnlimited = false
	}
	switch {
	case out.IsUnlimited:
		out.Limit = ptr(-1)
	case r.Limit > 0:
		out.Limit = ptr(r.Limit)
	}
	if d, ok := limitDurations[r.LimitPeriod]; ok {
		out.LimitDuration = &d
	}
	switch r.Kind {
	case canonical.SingleSided, canonical.DoubleSided, canonical.Milestone:
		if r.Threshold > 0 {
			out.ConversionsRequired = ptr(r.Threshold)
		}
	case canonical.LeaderboardReward:
		out.NumberOfWinners = ptr(r.Winners)
	}
	if v, ok := r.Native.Get(vendor, nOrder); ok {
		if f, ok := v.(float64); ok {
			out.Order = ptr(int(f))
		} else if n, ok := v.(int); ok {
			out.Order = ptr(n)
		}
	} else if r.Order != 0 {
		out.Order = ptr(r.Order)
	}
	if r.Kind == canonical.CommissionReward {
		out.CommissionStructure = commissionStructureOut(r)
	}
	out.Value = valuation(r.Native, nValue, r.ReferrerValue)
	out.ReferredValue = valuation(r.Native, nReferredValue, r.ReferredValue)
	return out, true
}

func ptr[T any](v T) *T { return &v }

// commissionStructureOut renders a commission rule: the structure as
// GrowSurf sent it, with the canonical fields laid over it.
func commissionStructureOut(r canonical.RewardRule) map[string]any {
	out := map[string]any{}
	if raw, ok := r.Native.Get(vendor, nCommission); ok {
		if m, ok := raw.(map[string]any); ok {
			maps.Copy(out, m)
		}
	}
	if cr := r.Commission; cr != nil {
		switch cr.Type {
		case canonical.PercentCommission:
			out["type"], out["percent"] = "PERCENT", cr.Percent
		case canonical.FixedCommission:
			out["type"], out["amount"] = "FIXED", cr.Amount.Amount
			if cr.Amount.Currency != "" {
				out["amountISO"] = cr.Amount.Currency
			}
		}
		if cr.DurationMonths > 0 {
			out["durationInMonths"] = cr.DurationMonths
		}
	}
	return out
}

// valuation renders a RewardTaxValuation: as GrowSurf sent it, else from
// the canonical value when it is in US dollars, else null.
func valuation(n canonical.Native, key string, m canonical.Money) map[string]any {
	if raw, ok := n.Get(vendor, key); ok {
		if v, ok := raw.(map[string]any); ok {
			return v
		}
	}
	if m.Amount != 0 && (m.Currency == "USD" || m.Currency == "") {
		return map[string]any{"isTaxReportable": nil, "fairMarketValueUSD": float64(m.Amount) / 100}
	}
	return nil
}

// newRule is a reward create body as a canonical rule for a program of
// the given kind.
func newRule(in api.CreateCampaignRewardRequest, kind canonical.CampaignKind) (canonical.RewardRule, error) {
	k := rewardKind(in.Type)
	if k == "" {
		return canonical.RewardRule{}, badField("type", "INVALID_TYPE", "Unknown reward type.")
	}
	if (kind == canonical.AffiliateProgram) != (k == canonical.CommissionReward) {
		if kind == canonical.AffiliateProgram {
			return canonical.RewardRule{}, unprocessable("Affiliate programs only accept AFFILIATE rewards.")
		}
		return canonical.RewardRule{}, unprocessable("AFFILIATE rewards are only available for affiliate programs.")
	}
	r := canonical.RewardRule{Kind: k, Unlimited: k != canonical.Milestone, Visible: true}
	var patch api.UpdateCampaignRewardRequest
	b, _ := json.Marshal(in)
	_ = json.Unmarshal(b, &patch)
	if err := applyRulePatch(&r, patch); err != nil {
		return r, err
	}
	return r, nil
}

// applyRulePatch applies an update body to a rule (create bodies go
// through it too).
func applyRulePatch(r *canonical.RewardRule, in api.UpdateCampaignRewardRequest) error {
	setStr(&r.Title, in.Title)
	setStr(&r.Description, in.Description)
	setStr(&r.ReferredDescription, in.ReferralDescription)
	if in.IsUnlimited != nil {
		r.Unlimited = *in.IsUnlimited
		r.Native.Set(vendor, nUnlimited, *in.IsUnlimited)
	}
	if in.IsVisible != nil {
		r.Visible = *in.IsVisible
	}
	if in.Limit != nil {
		if *in.Limit < 0 {
			r.Unlimited, r.Limit = true, 0
		} else {
			r.Limit = *in.Limit
		}
	}
	if in.LimitDuration != nil {
		r.LimitPeriod = limitPeriod(*in.LimitDuration)
	}
	if in.ConversionsRequired != nil {
		if *in.ConversionsRequired < 1 {
			return badField("conversionsRequired", "INVALID_CONVERSIONS_REQUIRED", "conversionsRequired must be at least 1.")
		}
		r.Threshold = *in.ConversionsRequired
	}
	if in.NumberOfWinners != nil {
		r.Winners = *in.NumberOfWinners
	}
	if in.Order != nil {
		r.Order = *in.Order
		r.Native.Set(vendor, nOrder, float64(*in.Order))
	}
	setStr(&r.ImageURL, in.ImageUrl)
	setStr(&r.CouponCode, in.CouponCode)
	setStr(&r.ReferredCouponCode, in.ReferralCouponCode)
	if in.ReferredRewardUpfront != nil {
		r.ReferredUpfront = *in.ReferredRewardUpfront
	}
	if in.Metadata != nil {
		r.Metadata = stringMap(*in.Metadata)
	}
	if in.NextMilestonePrefix != nil {
		r.Native.Set(vendor, nPrefix, *in.NextMilestonePrefix)
	}
	if in.NextMilestoneSuffix != nil {
		r.Native.Set(vendor, nSuffix, *in.NextMilestoneSuffix)
	}
	if in.Value != nil {
		r.Native.Set(vendor, nValue, jsonObject(in.Value))
		r.ReferrerValue = usd(in.Value)
	}
	if in.ReferredValue != nil {
		r.Native.Set(vendor, nReferredValue, jsonObject(in.ReferredValue))
		r.ReferredValue = usd(in.ReferredValue)
	}
	if cs := in.CommissionStructure; cs != nil {
		if r.Kind != canonical.CommissionReward {
			return badField("commissionStructure", "INVALID_COMMISSION_STRUCTURE", "Only AFFILIATE rewards have a commission structure.")
		}
		cr := canonical.CommissionRule{}
		if r.Commission != nil {
			cr = *r.Commission
		}
		if cs.Type != nil {
			cr.Type = canonical.PercentCommission
			if *cs.Type == "FIXED" {
				cr.Type = canonical.FixedCommission
			}
		}
		if cs.Percent != nil {
			cr.Percent = *cs.Percent
		}
		if cs.Amount != nil {
			cr.Amount.Amount = *cs.Amount
		}
		if cs.AmountISO != nil {
			cr.Amount.Currency = strings.ToUpper(*cs.AmountISO)
		}
		if cs.DurationInMonths != nil {
			cr.DurationMonths = *cs.DurationInMonths
		}
		r.Commission = &cr
		r.Native.Set(vendor, nCommission, jsonObject(cs))
	}
	return nil
}

// rulePatch turns a rule edited by applyRulePatch back into a canonical
// patch of every GrowSurf-writable field.
func rulePatch(r canonical.RewardRule) canonical.RewardRulePatch {
	return canonical.RewardRulePatch{Title: &r.Title, Description: &r.Description, ReferredDescription: &r.ReferredDescription,
		Threshold: &r.Threshold, Unlimited: &r.Unlimited, Limit: &r.Limit, LimitPeriod: &r.LimitPeriod, Winners: &r.Winners,
		ReferrerValue: &r.ReferrerValue, ReferredValue: &r.ReferredValue, Commission: r.Commission, CouponCode: &r.CouponCode,
		ReferredCouponCode: &r.ReferredCouponCode, ReferredUpfront: &r.ReferredUpfront, Visible: &r.Visible, Order: &r.Order,
		ImageURL: &r.ImageURL, Metadata: r.Metadata, Native: r.Native}
}

func setStr(dst *string, src *string) {
	if src != nil {
		*dst = *src
	}
}

// usd reads a tax valuation's dollar value as money.
func usd(v *api.RewardTaxValuation) canonical.Money {
	if v == nil || v.FairMarketValueUSD == nil {
		return canonical.Money{}
	}
	return canonical.Money{Amount: int64(math.Round(*v.FairMarketValueUSD * 100)), Currency: "USD"}
}

// jsonObject round-trips a value into a plain JSON object.
func jsonObject(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

// stringMap renders metadata values as strings (how GrowSurf matches and
// how the canonical model keeps them).
func stringMap(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = stringify(v)
	}
	return out
}

func stringify(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// ---------------------------------------------------------- participants

// participantOut is GrowSurf's Participant.
type participantOut struct {
	ID                       string                 `json:"id"`
	Email                    string                 `json:"email"`
	FirstName                *string                `json:"firstName"`
	LastName                 *string                `json:"lastName"`
	ShareURL                 string                 `json:"shareUrl,omitempty"`
	CreatedAt                int64                  `json:"createdAt"`
	ReferralCount            int                    `json:"referralCount"`
	MonthlyReferralCount     int                    `json:"monthlyReferralCount"`
	PrevMonthlyReferralCount int                    `json:"prevMonthlyReferralCount"`
	Rank                     int                    `json:"rank"`
	MonthlyRank              int                    `json:"monthlyRank"`
	PrevMonthlyRank          *int                   `json:"prevMonthlyRank,omitempty"`
	Referrals                []string               `json:"referrals"`
	MonthlyReferrals         []string               `json:"monthlyReferrals"`
	ReferralSource           string                 `json:"referralSource"`
	ReferralStatus           string                 `json:"referralStatus,omitempty"`
	ReferredBy               string                 `json:"referredBy,omitempty"`
	Referrer                 *referrerOut           `json:"referrer,omitempty"`
	FraudRiskLevel           string                 `json:"fraudRiskLevel,omitempty"`
	FraudReasonCode          string                 `json:"fraudReasonCode,omitempty"`
	IsWinner                 bool                   `json:"isWinner"`
	IsNew                    *bool                  `json:"isNew,omitempty"`
	ImpressionCount          int                    `json:"impressionCount"`
	UniqueImpressionCount    int                    `json:"uniqueImpressionCount"`
	InviteCount              int                    `json:"inviteCount"`
	ShareCount               map[string]int         `json:"shareCount"`
	Metadata                 map[string]any         `json:"metadata"`
	Notes                    *string                `json:"notes"`
	VanityKeys               []string               `json:"vanityKeys"`
	Unsubscribed             bool                   `json:"unsubscribed"`
	IPAddress                *string                `json:"ipAddress"`
	Fingerprint              *string                `json:"fingerprint"`
	MobileInstanceID         *string                `json:"mobileInstanceId,omitempty"`
	PaypalEmailAddress       string                 `json:"paypalEmailAddress,omitempty"`
	PayoutSettings           payoutSettingsOut      `json:"payoutSettings"`
	Rewards                  []participantRewardOut `json:"rewards"`
	IsAffiliate              *bool                  `json:"isAffiliate,omitempty"`
	AffiliateStatus          *string                `json:"affiliateStatus,omitempty"`
}

// payoutSettingsOut lists what an affiliate still has to provide.
type payoutSettingsOut struct {
	RequiredActions []string `json:"requiredActions"`
}

// referrerOut is the embedded summary of a participant's referrer.
type referrerOut struct {
	ID                   string         `json:"id"`
	Email                string         `json:"email"`
	FirstName            *string        `json:"firstName"`
	LastName             *string        `json:"lastName"`
	CreatedAt            int64          `json:"createdAt"`
	ShareURL             string         `json:"shareUrl,omitempty"`
	ReferralCount        int            `json:"referralCount"`
	MonthlyReferralCount int            `json:"monthlyReferralCount"`
	Rank                 int            `json:"rank"`
	MonthlyRank          int            `json:"monthlyRank"`
	ReferralSource       string         `json:"referralSource"`
	FraudRiskLevel       string         `json:"fraudRiskLevel,omitempty"`
	IsWinner             bool           `json:"isWinner"`
	ShareCount           map[string]int `json:"shareCount"`
	Metadata             map[string]any `json:"metadata"`
	Unsubscribed         bool           `json:"unsubscribed"`
}

// participantExtras is what a participant's rendering needs beyond the
// participant: their credited referrals (newest first), earned rewards
// and referrer.
type participantExtras struct {
	Credited []canonical.Referral
	Rewards  []canonical.EarnedReward
	Referrer *canonical.Participant
	// ReferrerWinner says whether the referrer has an approved reward.
	ReferrerWinner bool
	IsNew          *bool
}

// shareURL builds a participant's link the way GrowSurf does: the
// program's site with the participant's code in the grsf parameter.
func shareURL(site, code string) string {
	if site == "" || code == "" {
		return ""
	}
	sep := "?"
	if strings.Contains(site, "?") {
		sep = "&"
	}
	return site + sep + "grsf=" + url.QueryEscape(code)
}

// toParticipant renders a participant of campaign c at time now.
func toParticipant(ids *idCodecs, p canonical.Participant, c canonical.Campaign, x participantExtras, now time.Time) participantOut {
	s := p.Stats
	out := participantOut{ID: ids.participant.encode(p.ID), Email: p.Email, FirstName: strOrNull(p.FirstName), LastName: strOrNull(p.LastName),
		ShareURL: shareURL(c.URL, p.ReferralCode), CreatedAt: ms(p.CreatedAt), ReferralCount: s.Referrals,
		MonthlyReferralCount: s.MonthlyReferrals, PrevMonthlyReferralCount: s.PrevMonthReferrals, Rank: s.Rank, MonthlyRank: s.MonthlyRank,
		Referrals: []string{}, MonthlyReferrals: []string{}, ReferralSource: "DIRECT", FraudRiskLevel: string(p.Fraud.Risk),
		FraudReasonCode: p.Fraud.Reason, IsNew: x.IsNew, ImpressionCount: s.Impressions, UniqueImpressionCount: s.UniqueImpressions,
		InviteCount: s.Invites, ShareCount: map[string]int{}, Metadata: metadataOut(p), Notes: strOrNull(p.Notes),
		VanityKeys: []string{}, Unsubscribed: p.Unsubscribed, IPAddress: strOrNull(p.IPAddress), Fingerprint: strOrNull(p.Fingerprint),
		MobileInstanceID: strOrNull(p.MobileInstanceID), PaypalEmailAddress: p.Affiliate.PaypalEmail,
		PayoutSettings: payoutSettingsOut{RequiredActions: []string{}}, Rewards: []participantRewardOut{}}
	if s.PrevMonthlyRank > 0 {
		out.PrevMonthlyRank = ptr(s.PrevMonthlyRank)
	}
	maps.Copy(out.ShareCount, s.Shares)
	out.VanityKeys = append(out.VanityKeys, p.VanityKeys...)
	month := now.UTC().Format("2006-01")
	for _, r := range x.Credited {
		if r.ReferredID == "" {
			continue
		}
		id := ids.participant.encode(r.ReferredID)
		if len(out.Referrals) < 100 {
			out.Referrals = append(out.Referrals, id)
		}
		if r.CreditedAt != nil && r.CreditedAt.UTC().Format("2006-01") == month && len(out.MonthlyReferrals) < 100 {
			out.MonthlyReferrals = append(out.MonthlyReferrals, id)
		}
	}
	if p.ReferrerID != "" {
		out.ReferralSource = "PARTICIPANT"
		out.ReferralStatus = referralStatus(p.ReferralState)
		out.ReferredBy = ids.participant.encode(p.ReferrerID)
	}
	if x.Referrer != nil {
		out.Referrer = toReferrer(ids, *x.Referrer, c, x.ReferrerWinner)
	}
	for _, r := range x.Rewards {
		if rr, ok := toParticipantReward(ids, r, p); ok {
			out.Rewards = append(out.Rewards, rr)
			out.IsWinner = out.IsWinner || rr.Approved
		}
	}
	if c.Kind == canonical.AffiliateProgram {
		out.IsAffiliate = ptr(p.Affiliate.IsAffiliate)
		if st := affiliateStatus(p.Affiliate.State); st != "" && p.Affiliate.IsAffiliate {
			out.AffiliateStatus = &st
		}
		if p.Affiliate.IsAffiliate && p.Affiliate.PaypalEmail == "" {
			out.PayoutSettings.RequiredActions = append(out.PayoutSettings.RequiredActions, "PAYPAL_EMAIL")
		}
	}
	return out
}

// toReferrer renders the referrer summary.
func toReferrer(ids *idCodecs, p canonical.Participant, c canonical.Campaign, winner bool) *referrerOut {
	src := "DIRECT"
	if p.ReferrerID != "" {
		src = "PARTICIPANT"
	}
	out := &referrerOut{ID: ids.participant.encode(p.ID), Email: p.Email, FirstName: strOrNull(p.FirstName), LastName: strOrNull(p.LastName),
		CreatedAt: ms(p.CreatedAt), ShareURL: shareURL(c.URL, p.ReferralCode), ReferralCount: p.Stats.Referrals,
		MonthlyReferralCount: p.Stats.MonthlyReferrals, Rank: p.Stats.Rank, MonthlyRank: p.Stats.MonthlyRank, ReferralSource: src,
		FraudRiskLevel: string(p.Fraud.Risk), IsWinner: winner, ShareCount: map[string]int{}, Metadata: metadataOut(p),
		Unsubscribed: p.Unsubscribed}
	maps.Copy(out.ShareCount, p.Stats.Shares)
	return out
}

// affiliateStatus is the GrowSurf affiliate status of a canonical state.
func affiliateStatus(s canonical.AffiliateState) string {
	switch s {
	case canonical.AffiliateActive, canonical.AffiliateSuspicious:
		return "APPROVED"
	case canonical.AffiliateSuspended:
		return "SUSPENDED"
	case canonical.AffiliateBanned:
		return "BANNED"
	}
	return ""
}

func affiliateState(s api.AffiliateStatus) canonical.AffiliateState {
	switch s {
	case "SUSPENDED":
		return canonical.AffiliateSuspended
	case "BANNED":
		return canonical.AffiliateBanned
	}
	return canonical.AffiliateActive
}

// metadataOut renders metadata with the JSON types GrowSurf was given,
// unless another surface changed it since (then the canonical strings).
func metadataOut(p canonical.Participant) map[string]any {
	out := map[string]any{}
	if raw, ok := p.Native.Get(vendor, nMetadata); ok {
		if m, ok := raw.(map[string]any); ok && sameStrings(stringMap(m), p.Metadata) {
			maps.Copy(out, m)
			return out
		}
	}
	for k, v := range p.Metadata {
		out[k] = v
	}
	return out
}

func sameStrings(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// newParticipant is addParticipant's body (referrer resolved by the
// caller) as a canonical input.
func newParticipant(campaignID string, in api.AddParticipantRequest, kind canonical.CampaignKind) canonical.NewParticipant {
	np := canonical.NewParticipant{}
	np.CampaignID = campaignID
	np.Email = strings.TrimSpace(in.Email)
	setStr(&np.FirstName, in.FirstName)
	setStr(&np.LastName, in.LastName)
	setStr(&np.IPAddress, in.IpAddress)
	setStr(&np.Fingerprint, in.Fingerprint)
	setStr(&np.MobileInstanceID, in.MobileInstanceId)
	if in.Metadata != nil {
		np.Metadata = stringMap(*in.Metadata)
		np.Native.Set(vendor, nMetadata, map[string]any(*in.Metadata))
	}
	if in.ReferralStatus != nil {
		np.InitialState = referralStateIn(string(*in.ReferralStatus))
	}
	if kind == canonical.AffiliateProgram && in.IsAffiliate != nil && *in.IsAffiliate {
		np.Affiliate.IsAffiliate = true
	}
	return np
}

// ------------------------------------------------------ earned rewards

// participantRewardOut is GrowSurf's ParticipantReward.
type participantRewardOut struct {
	ID          string `json:"id"`
	RewardID    string `json:"rewardId"`
	Status      string `json:"status"`
	Approved    bool   `json:"approved"`
	ApprovedAt  *int64 `json:"approvedAt"`
	IsFulfilled bool   `json:"isFulfilled"`
	FulfilledAt *int64 `json:"fulfilledAt"`
	IsReferrer  bool   `json:"isReferrer"`
	IsAvailable bool   `json:"isAvailable"`
	ReferrerID  string `json:"referrerId,omitempty"`
	ReferredID  string `json:"referredId,omitempty"`
	Unread      bool   `json:"unread"`
	// CommissionStructure is null: earned rewards carry no structure of
	// their own in the canonical model.
	CommissionStructure map[string]any `json:"commissionStructure"`
}

// toParticipantReward renders a reward earned by p; canceled rewards are
// left out.
func toParticipantReward(ids *idCodecs, r canonical.EarnedReward, p canonical.Participant) (participantRewardOut, bool) {
	if r.Status == canonical.RewardCanceled {
		return participantRewardOut{}, false
	}
	approved := r.Status == canonical.RewardApproved || r.Status == canonical.RewardFulfilled
	fulfilled := r.Status == canonical.RewardFulfilled
	out := participantRewardOut{ID: ids.reward.encode(r.ID), RewardID: ids.rule.encode(r.RuleID), Status: "PENDING",
		Approved: approved, IsFulfilled: fulfilled, IsReferrer: r.IsReferrer, IsAvailable: approved && !fulfilled, Unread: r.Unread}
	if fulfilled {
		out.Status = "FULFILLED"
		out.FulfilledAt = msPtr(r.FulfilledAt)
	}
	if approved {
		out.ApprovedAt = msPtr(r.ApprovedAt)
	}
	if r.IsReferrer {
		out.ReferrerID, out.ReferredID = ids.participant.encode(p.ID), ids.participant.encode(r.ReferredID)
	} else {
		out.ReferrerID, out.ReferredID = ids.participant.encode(p.ReferrerID), ids.participant.encode(p.ID)
	}
	return out, true
}

// ------------------------------------------------------------- referrals

// referralOut is one row of GrowSurf's ReferralList.
type referralOut struct {
	ID             string  `json:"id"`
	Email          string  `json:"email"`
	FirstName      *string `json:"firstName"`
	LastName       *string `json:"lastName"`
	ReferralStatus string  `json:"referralStatus"`
	ReferredBy     string  `json:"referredBy"`
	CreatedAt      int64   `json:"createdAt"`
	UpdatedAt      int64   `json:"updatedAt"`
}

// toReferral renders a referral; referred is the referred participant
// (nil for invites).
func toReferral(ids *idCodecs, r canonical.Referral, referred *canonical.Participant) referralOut {
	out := referralOut{ID: ids.invite.encode(r.ID), Email: r.Email, ReferralStatus: referralStatus(r.State),
		ReferredBy: ids.participant.encode(r.ReferrerID), CreatedAt: ms(r.CreatedAt), UpdatedAt: ms(r.UpdatedAt)}
	if referred != nil {
		out.ID, out.Email = ids.participant.encode(referred.ID), referred.Email
		out.FirstName, out.LastName = strOrNull(referred.FirstName), strOrNull(referred.LastName)
	}
	return out
}

// ------------------------------------------------------------------ money

// commissionOut is GrowSurf's Commission.
type commissionOut struct {
	ID           string `json:"id"`
	Amount       *int64 `json:"amount"`
	CreatedAt    int64  `json:"createdAt"`
	CurrencyISO  string `json:"currencyISO"`
	ReferredID   string `json:"referredId"`
	ReferrerID   string `json:"referrerId"`
	SaleAmount   *int64 `json:"saleAmount"`
	Status       string `json:"status"`
	Event        string `json:"event"`
	ApprovedAt   *int64 `json:"approvedAt"`
	HoldDuration *int   `json:"holdDuration"`
	PaidAt       *int64 `json:"paidAt"`
	ReversedAt   *int64 `json:"reversedAt"`
}

// toCommission renders a commission of campaign c.
func toCommission(ids *idCodecs, cm canonical.Commission, c canonical.Campaign) commissionOut {
	out := commissionOut{ID: ids.commission.encode(cm.ID), Amount: ptr(cm.Amount.Amount), CreatedAt: ms(cm.CreatedAt),
		CurrencyISO: cm.Amount.Currency, ReferredID: ids.participant.encode(cm.ReferredID), ReferrerID: ids.participant.encode(cm.ReferrerID),
		SaleAmount: ptr(cm.SaleAmount.Amount), Status: commissionStatus(cm.Status), Event: "SALE", ApprovedAt: msPtr(cm.ApprovedAt),
		HoldDuration: ptr(c.CommissionHoldDays), PaidAt: msPtr(cm.PaidAt), ReversedAt: msPtr(cm.VoidedAt)}
	if out.CurrencyISO == "" {
		out.CurrencyISO = c.Currency
	}
	if cm.Status == canonical.CommissionDue && out.ApprovedAt == nil {
		out.ApprovedAt = msPtr(cm.DueAt)
	}
	return out
}

// payoutOut is GrowSurf's Payout.
type payoutOut struct {
	ID            string   `json:"id"`
	Amount        int64    `json:"amount"`
	CommissionIDs []string `json:"commissionIds"`
	CreatedAt     int64    `json:"createdAt"`
	CurrencyISO   string   `json:"currencyISO"`
	ParticipantID string   `json:"participantId"`
	Status        string   `json:"status"`
	QueuedAt      *int64   `json:"queuedAt"`
	IssuedAt      *int64   `json:"issuedAt"`
	FailedAt      *int64   `json:"failedAt"`
}

// toPayout renders a payout of campaign c.
func toPayout(ids *idCodecs, p canonical.Payout, c canonical.Campaign) payoutOut {
	out := payoutOut{ID: ids.payout.encode(p.ID), Amount: p.Amount.Amount, CommissionIDs: ids.commission.encodeAll(p.CommissionIDs),
		CreatedAt: ms(p.CreatedAt), CurrencyISO: p.Amount.Currency, ParticipantID: ids.participant.encode(p.ParticipantID),
		Status: payoutStatus(p.Status), IssuedAt: msPtr(p.PaidAt), FailedAt: msPtr(p.FailedAt)}
	if out.CurrencyISO == "" {
		out.CurrencyISO = c.Currency
	}
	if p.Status == canonical.PayoutDue || p.Status == canonical.PayoutProcessing {
		out.QueuedAt = ptr(ms(p.UpdatedAt))
	}
	return out
}

// saleIdentifiers are the transaction fields GrowSurf de-duplicates on, in
// the order they are reported.
var saleIdentifiers = []string{"externalId", "transactionId", "orderId", "paymentId", "invoiceId", "paymentIntentId", "chargeId"}

// identifiers collects the identifier fields of a sale or refund body.
func identifiers(fields map[string]*string) map[string]string {
	out := map[string]string{}
	for _, k := range saleIdentifiers {
		if v := fields[k]; v != nil && *v != "" {
			out[k] = *v
		}
	}
	return out
}

// newTransaction is recordTransaction's body as a canonical sale.
func newTransaction(campaignID string, ref canonical.ParticipantRef, in api.TransactionRequest) canonical.NewTransaction {
	t := canonical.NewTransaction{CampaignID: campaignID, Participant: ref,
		Amount: canonical.Money{Amount: in.GrossAmount, Currency: strings.ToUpper(in.Currency)},
		ExternalIDs: identifiers(map[string]*string{"externalId": in.ExternalId, "transactionId": in.TransactionId,
			"orderId": in.OrderId, "paymentId": in.PaymentId, "invoiceId": in.InvoiceId, "paymentIntentId": in.PaymentIntentId,
			"chargeId": in.ChargeId})}
	if in.TaxAmount != nil {
		t.TaxAmount = *in.TaxAmount
	}
	setStr(&t.Description, in.Description)
	if in.PaidAt != nil {
		at := fromMS(*in.PaidAt)
		t.OccurredAt = &at
	}
	extra := jsonObject(in)
	for _, k := range append(slices.Clone(saleIdentifiers), "currency", "grossAmount", "taxAmount", "description", "paidAt") {
		delete(extra, k)
	}
	if len(extra) > 0 {
		t.Native.Set(vendor, nTransactionData, extra)
	}
	return t
}

// transactionResultOut is GrowSurf's TransactionResult, shape by case.
type transactionResultOut struct {
	Success               bool     `json:"success"`
	Duplicate             bool     `json:"duplicate"`
	FirstSale             *bool    `json:"firstSale,omitempty"`
	DuplicateFields       []string `json:"duplicateFields,omitempty"`
	MatchingCommissionIDs []string `json:"matchingCommissionIds,omitempty"`
	CommissionsCreated    *int     `json:"commissionsCreated,omitempty"`
	Message               string   `json:"message"`
}

// toTransactionResult renders what recording a sale did; sent are the
// identifiers of the request.
func toTransactionResult(ids *idCodecs, res canonical.TransactionResult, sent map[string]string) transactionResultOut {
	if !res.Duplicate {
		return transactionResultOut{Success: true, FirstSale: ptr(res.FirstSale), Message: "Transaction recorded."}
	}
	out := transactionResultOut{Duplicate: true, DuplicateFields: []string{}, MatchingCommissionIDs: []string{},
		CommissionsCreated: ptr(0), Message: "Transaction already recorded."}
	for _, k := range saleIdentifiers {
		if v, ok := sent[k]; ok && res.Transaction.ExternalIDs[k] == v {
			out.DuplicateFields = append(out.DuplicateFields, k)
		}
	}
	for _, cm := range res.Commissions {
		out.MatchingCommissionIDs = append(out.MatchingCommissionIDs, ids.commission.encode(cm.ID))
	}
	return out
}

// refundResultOut is GrowSurf's RefundResult.
type refundResultOut struct {
	Success               bool     `json:"success"`
	AmendmentType         string   `json:"amendmentType"`
	Matched               int      `json:"matched"`
	Reversed              int      `json:"reversed"`
	Adjusted              int      `json:"adjusted"`
	Deleted               int      `json:"deleted"`
	MatchingCommissionIDs []string `json:"matchingCommissionIds"`
	Message               string   `json:"message"`
	NotFound              *bool    `json:"notFound,omitempty"`
}

// toRefundResult renders what a refund did.
func toRefundResult(ids *idCodecs, res canonical.RefundResult, chargeback bool) refundResultOut {
	out := refundResultOut{Success: true, AmendmentType: "REFUND", MatchingCommissionIDs: []string{}}
	if chargeback {
		out.AmendmentType = "CHARGEBACK"
	}
	if !res.Matched {
		out.Success, out.NotFound, out.Message = false, ptr(true), "No recorded transaction matched."
		return out
	}
	for _, group := range [][]canonical.Commission{res.Voided, res.Adjusted, res.Untouchable} {
		for _, cm := range group {
			out.MatchingCommissionIDs = append(out.MatchingCommissionIDs, ids.commission.encode(cm.ID))
		}
	}
	out.Matched, out.Reversed, out.Adjusted = len(out.MatchingCommissionIDs), len(res.Voided), len(res.Adjusted)
	switch {
	case out.Reversed > 0:
		out.Message = "Commission reversed."
	case out.Adjusted > 0:
		out.Message = "Commission adjusted."
	default:
		out.Message = "No commission changed."
	}
	return out
}
