package referralhero

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// rh is the key of this vendor's values in canonical.Native.
const rh = canonical.ReferralHero

// Native keys of subscriber fields the canonical model has no field for.
// They are the vendor's own parameter names.
var subscriberNativeKeys = []string{
	"extra_field", "extra_field_2", "extra_field_3", "extra_field_4", "option_field",
	"crypto_wallet_provider", "stripe_customer_id", "address", "city", "country",
	"transaction_id", "conversion_category", "lifetime_spend", "subscribe_page_url",
	"landing_page_url", "domain",
}

// missingImage is the image path the vendor sends for rewards without one.
const missingImage = "/missing.png"

// universalBase is where the vendor hosts universal (mobile) links.
const universalBase = "https://app.referralhero.com/"

// unix renders t as Unix seconds.
func unix(t time.Time) int64 { return t.Unix() }

// unixPtr renders an optional time as Unix seconds or null.
func unixPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := t.Unix()
	return &v
}

// strOrNull renders "" as null.
func strOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nativeString returns the string native value key, "" when absent.
func nativeString(n canonical.Native, key string) string {
	switch v := n[rh][key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// nativeFloat returns the numeric native value key.
func nativeFloat(n canonical.Native, key string) (float64, bool) {
	switch v := n[rh][key].(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}

// nativeBool returns the boolean native value key.
func nativeBool(n canonical.Native, key string) bool {
	b, _ := n[rh][key].(bool)
	return b
}

// nativeStrings returns the string-list native value key.
func nativeStrings(n canonical.Native, key string) []string {
	switch v := n[rh][key].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// envelope is the vendor's success envelope.
type envelope struct {
	Status    string `json:"status"`
	Data      any    `json:"data"`
	CallsLeft *int   `json:"calls_left"`
	Timestamp int64  `json:"timestamp"`
}

// pagination is the vendor's page position.
type pagination struct {
	TotalPages   int `json:"total_pages"`
	CurrentPage  int `json:"current_page"`
	PerPage      int `json:"per_page"`
	TotalObjects int `json:"total_objects"`
}

// newPagination computes a page position; an empty collection has no
// pages.
func newPagination(page, perPage, total int) pagination {
	return pagination{TotalPages: (total + perPage - 1) / perPage, CurrentPage: page, PerPage: perPage, TotalObjects: total}
}

// listJSON is the vendor's List.
type listJSON struct {
	UUID        string  `json:"uuid"`
	Name        string  `json:"name"`
	Subscribers int     `json:"subscribers"`
	CreatedAt   int64   `json:"created_at"`
	Type        *string `json:"type"`
}

// renderList renders a campaign as a List with its subscriber count.
func renderList(x *IDs, c canonical.Campaign, subscribers int) listJSON {
	typ := nativeString(c.Native, "type")
	if typ == "" && c.Kind == canonical.WaitlistProgram {
		typ = "waitlist"
	}
	return listJSON{UUID: x.ListUUID(c.ID), Name: c.Name, Subscribers: subscribers, CreatedAt: unix(c.CreatedAt), Type: strOrNull(typ)}
}

// referrerJSON is the referred_by summary of a referred subscriber.
type referrerJSON struct {
	ID             string  `json:"id"`
	Name           *string `json:"name"`
	Email          *string `json:"email"`
	PhoneNumber    *string `json:"phone_number"`
	PeopleReferred int     `json:"people_referred"`
	Points         int64   `json:"points"`
}

// subscriberJSON is the vendor's Subscriber; Response is the action string
// merged into data by subscriber operations.
type subscriberJSON struct {
	Response                 string   `json:"response,omitempty"`
	ID                       string   `json:"id"`
	Name                     *string  `json:"name"`
	Email                    *string  `json:"email"`
	PhoneNumber              *string  `json:"phone_number"`
	CryptoWalletAddress      *string  `json:"crypto_wallet_address,omitempty"`
	CryptoWalletProvider     *string  `json:"crypto_wallet_provider,omitempty"`
	OtherIdentifierValue     *string  `json:"other_identifier_value,omitempty"`
	ExtraField               string   `json:"extra_field"`
	ExtraField2              string   `json:"extra_field_2"`
	ExtraField3              *string  `json:"extra_field_3,omitempty"`
	ExtraField4              *string  `json:"extra_field_4,omitempty"`
	OptionField              *string  `json:"option_field,omitempty"`
	Code                     string   `json:"code"`
	Position                 *int     `json:"position"`
	Referred                 bool     `json:"referred"`
	ReferredBy               any      `json:"referred_by"`
	ReferralStatus           *string  `json:"referral_status"`
	ReferralValue            *float64 `json:"referral_value,omitempty"`
	ConversionAmount         *float64 `json:"conversion_amount,omitempty"`
	ReferralCategory         *string  `json:"referral_category,omitempty"`
	TransactionID            *string  `json:"transaction_id,omitempty"`
	PeopleReferred           int      `json:"people_referred"`
	PendingReferrals         int      `json:"pending_referrals"`
	UnconfirmedReferrals     int      `json:"unconfirmed_referrals"`
	Level2ConfirmedReferrals int      `json:"level_2_confirmed_referrals"`
	Level3ConfirmedReferrals int      `json:"level_3_confirmed_referrals"`
	Promoted                 bool     `json:"promoted"`
	PromotedAt               *int64   `json:"promoted_at"`
	Verified                 bool     `json:"verified"`
	VerifiedAt               *int64   `json:"verified_at"`
	Points                   int64    `json:"points"`
	RiskLevel                int      `json:"risk_level"`
	Source                   string   `json:"source"`
	Device                   *string  `json:"device,omitempty"`
	OSType                   *string  `json:"os_type,omitempty"`
	ScreenSize               *string  `json:"screen_size,omitempty"`
	IPAddress                *string  `json:"ip_address,omitempty"`
	StripeCustomerID         *string  `json:"stripe_customer_id,omitempty"`
	Tags                     []string `json:"tags,omitempty"`
	ReferralLink             string   `json:"referral_link"`
	UniversalLink            string   `json:"universal_link"`
	CreatedAt                int64    `json:"created_at"`
	LastUpdatedAt            int64    `json:"last_updated_at"`
}

// listView is what rendering a subscriber needs to know about its list.
type listView struct {
	UUID string
	// SiteURL is the campaign's URL, the default base of referral links.
	SiteURL string
	// Contest lists rank by points.
	Contest bool
}

// referralStatusWord maps a canonical referral state to the vendor's
// referral_status; states the vendor has no word for are null.
func referralStatusWord(s canonical.ReferralState) *string {
	var w string
	switch s {
	case canonical.StatePending:
		w = "pending"
	case canonical.StateUnconfirmed:
		w = "unconfirmed"
	case canonical.StateCredited:
		w = "confirmed"
	default:
		return nil
	}
	return &w
}

// riskLevel maps the canonical fraud risk to the vendor's integer score:
// 0 for no signal (the engine's LOW, a unique identity), 1 medium, 2 high.
func riskLevel(r canonical.FraudRisk) int {
	switch r {
	case canonical.RiskMedium:
		return 1
	case canonical.RiskHigh:
		return 2
	}
	return 0
}

// referralLink builds a subscriber's referral link: the base URL with
// ?mwr=<code>.
func referralLink(base, code string) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "mwr=" + url.QueryEscape(code)
}

// position is a subscriber's rank: by points in contests, by confirmed
// referrals otherwise.
func position(p canonical.Participant, contest bool) *int {
	n := p.Stats.Rank
	if contest {
		n = p.Stats.PointsRank
	}
	if n <= 0 {
		return nil
	}
	return &n
}

// renderReferrer renders the referred_by summary of referrer.
func renderReferrer(x *IDs, p canonical.Participant) referrerJSON {
	return referrerJSON{ID: x.SubscriberID(p.ID), Name: strOrNull(p.Name()), Email: strOrNull(p.Email),
		PhoneNumber: strOrNull(p.Phone), PeopleReferred: p.Stats.Referrals, Points: p.Points}
}

// renderSubscriber renders a participant as a Subscriber. referrer is the
// participant who referred p, nil when p was not referred (or the
// referrer is gone).
func renderSubscriber(x *IDs, p canonical.Participant, l listView, referrer *canonical.Participant) subscriberJSON {
	n := p.Native
	s := subscriberJSON{
		ID: x.SubscriberID(p.ID), Name: strOrNull(p.Name()), Email: strOrNull(p.Email), PhoneNumber: strOrNull(p.Phone),
		CryptoWalletAddress: strOrNull(p.CryptoWallet), CryptoWalletProvider: strOrNull(nativeString(n, "crypto_wallet_provider")),
		OtherIdentifierValue: strOrNull(p.OtherIdentifier),
		ExtraField:           nativeString(n, "extra_field"), ExtraField2: nativeString(n, "extra_field_2"),
		ExtraField3: strOrNull(nativeString(n, "extra_field_3")), ExtraField4: strOrNull(nativeString(n, "extra_field_4")),
		OptionField: strOrNull(nativeString(n, "option_field")),
		Code:        p.ReferralCode, Position: position(p, l.Contest),
		Referred: p.ReferrerID != "", ReferredBy: struct{}{}, ReferralStatus: referralStatusWord(p.ReferralState),
		ReferralCategory: strOrNull(nativeString(n, "conversion_category")),
		TransactionID:    strOrNull(nativeString(n, "transaction_id")),
		PeopleReferred:   p.Stats.Referrals, PendingReferrals: p.Stats.PendingReferrals,
		UnconfirmedReferrals:     p.Stats.UnconfirmedReferrals,
		Level2ConfirmedReferrals: p.Stats.Level2Referrals, Level3ConfirmedReferrals: p.Stats.Level3Referrals,
		Promoted: p.Promoted, PromotedAt: unixPtr(p.PromotedAt), Verified: p.Verified, VerifiedAt: unixPtr(p.VerifiedAt),
		Points: p.Points, RiskLevel: riskLevel(p.Fraud.Risk), Source: p.Source,
		Device: strOrNull(p.Device), OSType: strOrNull(p.OS), ScreenSize: strOrNull(p.ScreenSize), IPAddress: strOrNull(p.IPAddress),
		StripeCustomerID: strOrNull(nativeString(n, "stripe_customer_id")), Tags: nativeStrings(n, "tags"),
		CreatedAt: unix(p.CreatedAt), LastUpdatedAt: unix(p.UpdatedAt),
	}
	if s.Source == "" {
		s.Source = "direct_visit"
	}
	if v, ok := nativeFloat(n, "conversion_value"); ok {
		s.ReferralValue, s.ConversionAmount = &v, &v
	}
	if referrer != nil {
		s.ReferredBy = renderReferrer(x, *referrer)
	}
	base := nativeString(n, "domain")
	if base == "" {
		base = l.SiteURL
	}
	s.ReferralLink = referralLink(base, p.ReferralCode)
	s.UniversalLink = referralLink(universalBase+l.UUID+"/universal_link", p.ReferralCode)
	return s
}

// rewardJSON is the vendor's Reward (a bonus: a reward definition).
type rewardJSON struct {
	ID          int     `json:"id"`
	Title       string  `json:"title"`
	Header      *string `json:"header"`
	Description string  `json:"description"`
	Referrals   *int    `json:"referrals"`
	Image       string  `json:"image"`
	Label       *string `json:"label"`
	Points      *int    `json:"points"`
	Category    *string `json:"category"`
}

// promotedWinners is the reward category of rewards for promoted
// subscribers.
const promotedWinners = "promoted_winners"

// renderReward renders a reward rule as a Reward.
func renderReward(x *IDs, r canonical.RewardRule) rewardJSON {
	out := rewardJSON{ID: x.RewardID(r.ID), Title: r.Title, Header: strOrNull(nativeString(r.Native, "header")),
		Description: r.Description, Image: r.ImageURL, Label: strOrNull(nativeString(r.Native, "label")),
		Category: strOrNull(nativeString(r.Native, "category"))}
	if out.Title == "" {
		out.Title = r.Description
	}
	if out.Image == "" {
		out.Image = missingImage
	}
	switch r.Kind {
	case canonical.SingleSided, canonical.DoubleSided, canonical.Milestone:
		if r.PointsThreshold > 0 {
			n := r.PointsThreshold
			out.Points = &n
		} else if r.Threshold > 0 {
			n := r.Threshold
			out.Referrals = &n
		}
	case canonical.ManualReward:
		c := promotedWinners
		out.Category = &c
	}
	return out
}

// unlockedJSON is the vendor's UnlockedReward (a reward a subscriber
// unlocked).
type unlockedJSON struct {
	ID              int     `json:"id"`
	Name            string  `json:"name"`
	Status          string  `json:"status"`
	Referrals       *int    `json:"referrals"`
	CreatedAt       int64   `json:"created_at"`
	SignupType      *string `json:"signup_type"`
	ReferralsType   *string `json:"referrals_type"`
	RecurringCount  *int    `json:"recurring_count"`
	CouponCode      *string `json:"coupon_code"`
	CouponGroup     *string `json:"coupon_group"`
	SubscriberID    string  `json:"subscriber_id,omitempty"`
	SubscriberEmail *string `json:"subscriber_email,omitempty"`
}

// rewardStatusWord is the vendor's status of an earned reward: the word
// stored when the status was set through this surface, else the canonical
// status's counterpart.
func rewardStatusWord(r canonical.EarnedReward) string {
	if w := nativeString(r.Native, "status"); w != "" {
		if st, ok := rewardStatusOf(w); ok && st == r.Status {
			return w
		}
	}
	switch r.Status {
	case canonical.RewardPending:
		return "pending"
	case canonical.RewardApproved:
		return "confirmed"
	case canonical.RewardFulfilled:
		return "sent"
	case canonical.RewardCanceled:
		return "canceled"
	case canonical.RewardFailed:
		return "failed"
	case canonical.RewardFlagged:
		return "flagged"
	}
	return string(r.Status)
}

// rewardStatusOf maps one of the vendor's reward statuses to the
// canonical one.
func rewardStatusOf(word string) (canonical.RewardStatus, bool) {
	switch word {
	case "pending":
		return canonical.RewardPending, true
	case "confirmed":
		return canonical.RewardApproved, true
	case "sent", "resent":
		return canonical.RewardFulfilled, true
	case "canceled":
		return canonical.RewardCanceled, true
	case "failed":
		return canonical.RewardFailed, true
	case "flagged":
		return canonical.RewardFlagged, true
	}
	return "", false
}

// signupType describes how the reward's owner joined.
func signupType(owner canonical.Participant) string {
	if owner.ReferrerID != "" {
		return "referred subscriber"
	}
	return "organic subscriber"
}

// renderUnlocked renders an earned reward with its rule (nil when the rule
// was deleted) and its owner.
func renderUnlocked(x *IDs, r canonical.EarnedReward, rule *canonical.RewardRule, owner canonical.Participant) unlockedJSON {
	out := unlockedJSON{ID: x.UnlockedRewardID(r.ID), Status: rewardStatusWord(r), CreatedAt: unix(r.CreatedAt),
		CouponCode: strOrNull(r.CouponCode), CouponGroup: strOrNull(nativeString(r.Native, "coupon_group"))}
	if rule != nil {
		out.Name = rule.Title
		if out.Name == "" {
			out.Name = rule.Description
		}
	}
	if out.Name == "" {
		out.Name = "Reward"
	}
	if r.ReferralsAtEarning > 0 {
		n := r.ReferralsAtEarning
		out.Referrals = &n
	}
	if owner.ID != "" {
		st := signupType(owner)
		out.SignupType = &st
	}
	return out
}

// transactionJSON is the vendor's Transaction with its action string.
type transactionJSON struct {
	ID              int     `json:"id"`
	TransactionID   string  `json:"transaction_id"`
	TransactionTime string  `json:"transaction_time"`
	Amount          float64 `json:"amount"`
	ProductID       *string `json:"product_id"`
	Response        string  `json:"response"`
}

// isoMillis is the layout of the vendor's one ISO timestamp.
const isoMillis = "2006-01-02T15:04:05.000Z"

// renderTransaction renders a recorded sale.
func renderTransaction(x *IDs, t canonical.Transaction) transactionJSON {
	return transactionJSON{ID: x.TransactionID(t.ID), TransactionID: t.ExternalIDs["transaction_id"],
		TransactionTime: t.OccurredAt.UTC().Format(isoMillis), Amount: float64(t.Amount.Amount) / 100,
		ProductID: strOrNull(nativeString(t.Native, "product_id")), Response: "transaction_added"}
}

// parseAmount reads the vendor's decimal amount (in currency units) as
// minor units.
func parseAmount(s string) (int64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 || f > 1e15 {
		return 0, false
	}
	return int64(math.Round(f * 100)), true
}

// couponJSON is the vendor's Coupon.
type couponJSON struct {
	Code      string  `json:"code"`
	Available bool    `json:"available"`
	SentAt    *int64  `json:"sent_at"`
	EmailID   *string `json:"email_id"`
	CreatedAt int64   `json:"created_at"`
}

// couponGroupJSON is the vendor's CouponGroup; Response is set only when
// the group was just created.
type couponGroupJSON struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	Active    bool         `json:"active"`
	CreatedAt int64        `json:"created_at"`
	Coupons   []couponJSON `json:"coupons"`
	Response  string       `json:"response,omitempty"`
}

// renderCouponGroup renders a coupon group with its coupons.
func renderCouponGroup(x *IDs, g canonical.CouponGroup) couponGroupJSON {
	out := couponGroupJSON{ID: x.CouponGroupID(g.ID), Name: g.Name, Active: g.Active, CreatedAt: unix(g.CreatedAt),
		Coupons: make([]couponJSON, 0, len(g.Coupons))}
	for _, c := range g.Coupons {
		out.Coupons = append(out.Coupons, couponJSON{Code: c.Code, Available: c.Available, SentAt: unixPtr(c.SentAt),
			EmailID: strOrNull(nativeString(c.Native, "email_id")), CreatedAt: unix(c.CreatedAt)})
	}
	return out
}

// sortOf maps the vendor's sort_by to a canonical participant order; the
// default is registration_desc. Position is rank by confirmed referrals
// (by points in contests).
func sortOf(s *api.SortBy, contest bool) canonical.ParticipantSort {
	if s == nil {
		return canonical.SortNewest
	}
	best, worst := canonical.SortReferralsDesc, canonical.SortReferralsAsc
	if contest {
		best, worst = canonical.SortPointsDesc, canonical.SortPointsAsc
	}
	switch *s {
	case api.SortByRegistrationAsc:
		return canonical.SortOldest
	case api.SortByEmailAsc:
		return canonical.SortEmailAsc
	case api.SortByEmailDesc:
		return canonical.SortEmailDesc
	case api.SortByNameAsc:
		return canonical.SortNameAsc
	case api.SortByNameDesc:
		return canonical.SortNameDesc
	case api.SortByPositionAsc:
		return best
	case api.SortByPositionDesc:
		return worst
	case api.SortByPeopleReferredAsc:
		return canonical.SortReferralsAsc
	case api.SortByPeopleReferredDesc:
		return canonical.SortReferralsDesc
	case api.SortByPointsAsc:
		return canonical.SortPointsAsc
	case api.SortByPointsDesc:
		return canonical.SortPointsDesc
	}
	return canonical.SortNewest
}

// compareParticipants orders two participants as sort does (ties by ID in
// the same direction), for lists the adapter assembles itself.
func compareParticipants(sort canonical.ParticipantSort, a, b canonical.Participant) int {
	id := func(p canonical.Participant) int64 { n, _ := strconv.ParseInt(p.ID, 10, 64); return n }
	cmpInt := func(x, y int64) int {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	var c int
	desc := false
	switch sort {
	case canonical.SortOldest:
	case canonical.SortEmailAsc, canonical.SortEmailDesc:
		c = strings.Compare(strings.ToLower(a.Email), strings.ToLower(b.Email))
		desc = sort == canonical.SortEmailDesc
	case canonical.SortNameAsc, canonical.SortNameDesc:
		c = strings.Compare(strings.ToLower(a.Name()), strings.ToLower(b.Name()))
		desc = sort == canonical.SortNameDesc
	case canonical.SortReferralsAsc, canonical.SortReferralsDesc:
		c = cmpInt(int64(a.Stats.Referrals), int64(b.Stats.Referrals))
		desc = sort == canonical.SortReferralsDesc
	case canonical.SortPointsAsc, canonical.SortPointsDesc:
		c = cmpInt(a.Points, b.Points)
		desc = sort == canonical.SortPointsDesc
	default: // newest first
		desc = true
	}
	if c == 0 {
		c = cmpInt(id(a), id(b))
	}
	if desc {
		c = -c
	}
	return c
}

// identifierOf returns the unique identifier a call names the subscriber
// by: email, phone number, crypto wallet address or other identifier,
// whichever is given first.
func identifierOf(f fields) string {
	for _, k := range []string{"email", "phone_number", "crypto_wallet_address", "other_identifier_value"} {
		if v, ok := f.str(k); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// referrerRef reads the vendor's referrer parameter: an email or a
// referral code.
func referrerRef(v string) canonical.ParticipantRef {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return canonical.ParticipantRef{}
	case strings.Contains(v, "@"):
		return canonical.ByEmail(v)
	}
	return canonical.ByCode(v)
}

// newParticipant maps an add-subscriber call to the canonical input.
// Points only count in contest lists. Subscribers added with double_optin
// true wait for their email confirmation (unverified); others are
// verified on creation.
func newParticipant(f fields, campaignID string, contest bool) canonical.NewParticipant {
	var in canonical.NewParticipant
	p := &in.Participant
	p.CampaignID = campaignID
	p.Email, _ = f.str("email")
	p.Email = strings.TrimSpace(p.Email)
	p.Phone, _ = f.str("phone_number")
	p.CryptoWallet, _ = f.str("crypto_wallet_address")
	p.OtherIdentifier, _ = f.str("other_identifier_value")
	if name, ok := f.str("name"); ok {
		p.FirstName, p.LastName = canonical.SplitName(name)
	}
	p.Source, _ = f.str("source")
	p.Device, _ = f.str("device")
	p.OS, _ = f.str("os_type")
	p.ScreenSize, _ = f.str("screen_size")
	p.IPAddress, _ = f.str("ip_address")
	if contest {
		if pts, ok, _ := f.int("points"); ok {
			p.Points = pts
		}
	}
	optin, _, _ := f.bool("double_optin")
	p.Verified = !optin
	if optin {
		p.Native.Set(rh, "double_optin", true)
	}
	for _, k := range subscriberNativeKeys {
		src := k
		if k == "option_field" {
			src = "option_field_value"
		}
		if v, ok := f.str(src); ok && v != "" {
			p.Native.Set(rh, k, v)
		}
	}
	if v, ok := f.float("conversion_value"); ok {
		p.Native.Set(rh, "conversion_value", v)
	}
	if tags := f.strs("tags"); len(tags) > 0 {
		p.Native.Set(rh, "tags", tags)
	}
	if q, ok, _ := f.bool("is_quick_add_referral"); ok && q {
		p.Native.Set(rh, "is_quick_add_referral", true)
	}
	if ref, ok := f.str("referrer"); ok {
		in.Referrer = referrerRef(ref)
	}
	if st, _ := f.str("status"); st == string(api.CreateSubscriberRequestStatusCustomEventPending) {
		in.InitialState = canonical.StatePending
	}
	return in
}

// awaitingOptIn reports a subscriber the vendor hides from lookups by id,
// email or code until they confirm their email: one added through this
// surface with double_optin true who has not verified yet.
func awaitingOptIn(p canonical.Participant) bool {
	return !p.Verified && nativeBool(p.Native, "double_optin")
}

// subscriberPatch maps an update-subscriber call to a patch. Points only
// count in contest lists.
func subscriberPatch(f fields, contest bool) (canonical.ParticipantPatch, error) {
	var patch canonical.ParticipantPatch
	if name, ok := f.str("name"); ok {
		first, last := canonical.SplitName(name)
		patch.FirstName, patch.LastName = &first, &last
	}
	if email, ok := f.str("email"); ok {
		email = strings.TrimSpace(email)
		patch.Email = &email
	}
	for _, k := range []string{"extra_field", "extra_field_2"} {
		if v, ok := f.str(k); ok {
			patch.Native.Set(rh, k, v)
		}
	}
	pts, ok, err := f.int("points")
	if err != nil {
		return patch, err
	}
	if ok && contest {
		patch.Points = &pts
	}
	return patch, nil
}
