package rewardful

import (
	"encoding/json"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// This file holds the pure mappings between Rewardful's JSON and the
// canonical model. Response types are the package's own structs so that
// explicit nulls (`"paypal_email": null`) and absent keys (un-expanded
// relations) come out exactly as Rewardful sends them.

// native keys kept in Native[canonical.Rewardful].
const (
	nativeStripeCouponID = "stripe_coupon_id"
	nativeParameterType  = "parameter_type"
	nativeDashboardText  = "affiliate_dashboard_text"
	nativeRewardDesc     = "custom_reward_description"
	nativeWelcomeText    = "welcome_text"
	nativeCustomersVis   = "customers_visible_to_affiliates"
	nativeSaleDescVis    = "sale_description_visible_to_affiliates"
	nativeSignInCount    = "sign_in_count"
	nativeStripeAccount  = "stripe_account_id"
	nativeStripeCharge   = "stripe_charge_id"
	nativeInvoicedAt     = "invoiced_at"
	nativePaidByID       = "paid_by_id"
)

// Campaign defaults for campaigns created through this surface; the
// vendor's examples show 30 days for both.
const (
	defaultReferralDays   = 30
	defaultCommissionDays = 30
)

// timeLayout is Rewardful's timestamp format: UTC with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func fmtTimePtr(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := fmtTime(*t)
	return &s
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// optional is a JSON value that is either absent (the zero value, with
// omitzero), null, or a value.
type optional[T any] struct {
	present bool
	value   *T
}

func some[T any](v T) optional[T] { return optional[T]{present: true, value: &v} }

func null[T any]() optional[T] { return optional[T]{present: true} }

// IsZero reports whether the value is absent (for omitzero).
func (o optional[T]) IsZero() bool { return !o.present }

// MarshalJSON renders null or the value.
func (o optional[T]) MarshalJSON() ([]byte, error) {
	if o.value == nil {
		return []byte("null"), nil
	}
	return json.Marshal(o.value)
}

// errorBody is Rewardful's error envelope.
type errorBody struct {
	Error   string   `json:"error"`
	Details []string `json:"details,omitempty"`
}

// pagination is the pagination object of list responses.
type pagination struct {
	PreviousPage *int `json:"previous_page"`
	CurrentPage  int  `json:"current_page"`
	NextPage     *int `json:"next_page"`
	Count        int  `json:"count"`
	Limit        int  `json:"limit"`
	TotalPages   int  `json:"total_pages"`
	TotalCount   int  `json:"total_count"`
}

// list is one page of a collection.
type list[T any] struct {
	Pagination pagination `json:"pagination"`
	Data       []T        `json:"data"`
}

// Page sizes: default 25, at most 100 (larger values are clamped).
const (
	defaultLimit = 25
	maxLimit     = 100
)

// renderPage cuts page (1-based) of limit items out of all, as pageOf
// does, and renders each.
func renderPage[T, J any](all []T, page, limit int, render func(T) (J, error)) (list[J], error) {
	return renderList(pageOf(all, page, limit), render)
}

// renderList renders each item of a cut page, keeping its pagination.
func renderList[T, J any](cut list[T], render func(T) (J, error)) (list[J], error) {
	out := list[J]{Pagination: cut.Pagination, Data: make([]J, 0, len(cut.Data))}
	for _, it := range cut.Data {
		j, err := render(it)
		if err != nil {
			return out, err
		}
		out.Data = append(out.Data, j)
	}
	return out, nil
}

// pageOf cuts page (1-based) of limit items out of all and describes it.
// total_pages is at least 1, so an empty collection is one empty page.
func pageOf[T any](all []T, page, limit int) list[T] {
	if page < 1 {
		page = 1
	}
	if limit < 1 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	total := len(all)
	start := min(pageStart(page, limit), total)
	end := min(start+limit, total)
	data := all[start:end]
	if data == nil {
		data = []T{}
	}
	return list[T]{Pagination: paginate(page, limit, total, len(data)), Data: data}
}

// pageStart is the offset of 1-based page `page` of limit items. A page
// so far out that the offset would overflow an int starts at math.MaxInt,
// past the end of any list, so it is empty like every page past the end
// instead of wrapping around to another page's items.
func pageStart(page, limit int) int {
	if page <= 1 || limit <= 0 {
		return 0
	}
	if page-1 > math.MaxInt/limit {
		return math.MaxInt
	}
	return (page - 1) * limit
}

// paginate describes page (1-based) of limit items holding count of a
// collection of total.
func paginate(page, limit, total, count int) pagination {
	pages := max(1, (total+limit-1)/limit)
	p := pagination{CurrentPage: page, Count: count, Limit: limit, TotalPages: pages, TotalCount: total}
	if page > 1 {
		prev := min(page-1, pages)
		p.PreviousPage = &prev
	}
	if page < pages {
		next := page + 1
		p.NextPage = &next
	}
	return p
}

// campaignJSON is the Campaign object.
type campaignJSON struct {
	ID                                 string   `json:"id"`
	CreatedAt                          string   `json:"created_at"`
	UpdatedAt                          string   `json:"updated_at"`
	Name                               string   `json:"name"`
	URL                                string   `json:"url"`
	Private                            bool     `json:"private"`
	PrivateTokens                      bool     `json:"private_tokens"`
	CommissionAmountCents              *int64   `json:"commission_amount_cents"`
	CommissionAmountCurrency           *string  `json:"commission_amount_currency"`
	MinimumPayoutCents                 int64    `json:"minimum_payout_cents"`
	MaxCommissionPeriodMonths          *int     `json:"max_commission_period_months"`
	MaxCommissions                     *int     `json:"max_commissions"`
	DaysBeforeReferralsExpire          int      `json:"days_before_referrals_expire"`
	DaysUntilCommissionsAreDue         int      `json:"days_until_commissions_are_due"`
	AffiliateDashboardText             string   `json:"affiliate_dashboard_text"`
	CustomRewardDescription            string   `json:"custom_reward_description"`
	WelcomeText                        string   `json:"welcome_text"`
	CustomersVisibleToAffiliates       bool     `json:"customers_visible_to_affiliates"`
	SaleDescriptionVisibleToAffiliates bool     `json:"sale_description_visible_to_affiliates"`
	ParameterType                      string   `json:"parameter_type"`
	StripeCouponID                     *string  `json:"stripe_coupon_id"`
	Default                            bool     `json:"default"`
	RewardType                         string   `json:"reward_type"`
	CommissionPercent                  *float64 `json:"commission_percent"`
	MinimumPayoutCurrency              string   `json:"minimum_payout_currency"`
	Visitors                           int      `json:"visitors"`
	Leads                              int      `json:"leads"`
	Conversions                        int      `json:"conversions"`
	Affiliates                         int      `json:"affiliates"`
}

// campaignSummaryJSON is the short campaign nested in other objects.
type campaignSummaryJSON struct {
	ID        string `json:"id"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Name      string `json:"name"`
}

// commissionRule returns the campaign's first commission rule, if any.
func commissionRule(c canonical.Campaign) (canonical.RewardRule, bool) {
	for _, r := range c.Rules {
		if r.Kind == canonical.CommissionReward && r.Commission != nil {
			return r, true
		}
	}
	return canonical.RewardRule{}, false
}

func nativeString(n canonical.Native, key, def string) string {
	if v, ok := n.Get(canonical.Rewardful, key); ok {
		if s, ok := v.(string); ok {
			return s
		}
	}
	return def
}

func nativeBool(n canonical.Native, key string, def bool) bool {
	if v, ok := n.Get(canonical.Rewardful, key); ok {
		if b, ok := v.(bool); ok {
			return b
		}
	}
	return def
}

func nativeInt(n canonical.Native, key string) int {
	if v, ok := n.Get(canonical.Rewardful, key); ok {
		switch x := v.(type) {
		case float64:
			return int(x)
		case int:
			return x
		case int64:
			return int(x)
		}
	}
	return 0
}

// parameterType is where link tokens go in the campaign's URLs.
func parameterType(c canonical.Campaign) string {
	switch t := nativeString(c.Native, nativeParameterType, "query"); t {
	case "hash", "path":
		return t
	}
	return "query"
}

// campaignOut renders a campaign with its counters; isDefault marks the
// account's default campaign.
func campaignOut(ids *idCodecs, c canonical.Campaign, stats canonical.CampaignStats, isDefault bool) campaignJSON {
	out := campaignJSON{
		ID:                                 ids.campaign.encode(c.ID),
		CreatedAt:                          fmtTime(c.CreatedAt),
		UpdatedAt:                          fmtTime(c.UpdatedAt),
		Name:                               c.Name,
		URL:                                c.URL,
		Private:                            c.Private,
		PrivateTokens:                      c.PrivateTokens,
		MinimumPayoutCents:                 c.MinimumPayout.Amount,
		DaysBeforeReferralsExpire:          c.ReferralExpiryDays,
		DaysUntilCommissionsAreDue:         c.CommissionHoldDays,
		AffiliateDashboardText:             nativeString(c.Native, nativeDashboardText, ""),
		CustomRewardDescription:            nativeString(c.Native, nativeRewardDesc, ""),
		WelcomeText:                        nativeString(c.Native, nativeWelcomeText, ""),
		CustomersVisibleToAffiliates:       nativeBool(c.Native, nativeCustomersVis, false),
		SaleDescriptionVisibleToAffiliates: nativeBool(c.Native, nativeSaleDescVis, true),
		ParameterType:                      parameterType(c),
		StripeCouponID:                     strPtr(nativeString(c.Native, nativeStripeCouponID, "")),
		Default:                            isDefault,
		RewardType:                         "percent",
		MinimumPayoutCurrency:              currencyOf(c.MinimumPayout.Currency, c.Currency),
		Visitors:                           stats.Visitors,
		Leads:                              stats.Leads,
		Conversions:                        stats.Conversions,
		Affiliates:                         stats.Participants,
	}
	if rule, ok := commissionRule(c); ok {
		cr := rule.Commission
		switch cr.Type {
		case canonical.FixedCommission:
			out.RewardType = "amount"
			amount, cur := cr.Amount.Amount, currencyOf(cr.Amount.Currency, c.Currency)
			out.CommissionAmountCents, out.CommissionAmountCurrency = &amount, &cur
		default:
			pct := cr.Percent
			out.CommissionPercent = &pct
		}
		if cr.DurationMonths > 0 {
			m := cr.DurationMonths
			out.MaxCommissionPeriodMonths = &m
		}
		if cr.MaxCommissions > 0 {
			m := cr.MaxCommissions
			out.MaxCommissions = &m
		}
	}
	return out
}

func currencyOf(cur, fallback string) string {
	switch {
	case cur != "":
		return strings.ToUpper(cur)
	case fallback != "":
		return strings.ToUpper(fallback)
	}
	return "USD"
}

func campaignSummaryOut(ids *idCodecs, c canonical.Campaign) campaignSummaryJSON {
	return campaignSummaryJSON{ID: ids.campaign.encode(c.ID), CreatedAt: fmtTime(c.CreatedAt), UpdatedAt: fmtTime(c.UpdatedAt), Name: c.Name}
}

// linkJSON is the AffiliateLink object.
type linkJSON struct {
	ID          string `json:"id"`
	URL         string `json:"url"`
	Token       string `json:"token"`
	Visitors    int    `json:"visitors"`
	Leads       int    `json:"leads"`
	Conversions int    `json:"conversions"`
	AffiliateID string `json:"affiliate_id,omitempty"`
}

// linkURL builds a tracking URL from the campaign URL and a token:
// ?via=token (query, the default), #via=token (hash) or /token (path).
func linkURL(c canonical.Campaign, token string) string {
	base := c.URL
	u, err := url.Parse(base)
	if err != nil || base == "" {
		return base + "?via=" + url.QueryEscape(token)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	switch parameterType(c) {
	case "hash":
		u.Fragment = "via=" + token
	case "path":
		u.Path = strings.TrimSuffix(u.Path, "/") + "/" + token
	default:
		q := u.Query()
		q.Set("via", token)
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// linkOut renders a link of campaign c; withOwner adds affiliate_id (top
// level links, not those nested in an affiliate or referral).
func linkOut(ids *idCodecs, l canonical.Link, c canonical.Campaign, withOwner bool) linkJSON {
	out := linkJSON{ID: ids.link.encode(l.ID), URL: linkURL(c, l.Token), Token: l.Token,
		Visitors: l.Visitors, Leads: l.Leads, Conversions: l.Conversions}
	if withOwner {
		out.AffiliateID = ids.affiliate.encode(l.ParticipantID)
	}
	return out
}

// couponJSON is the AffiliateCoupon object.
type couponJSON struct {
	ID          string  `json:"id"`
	ExternalID  string  `json:"external_id"`
	Token       string  `json:"token"`
	Leads       int     `json:"leads"`
	Conversions int     `json:"conversions"`
	AffiliateID string  `json:"affiliate_id"`
	Archived    bool    `json:"archived"`
	ArchivedAt  *string `json:"archived_at"`
}

func couponOut(ids *idCodecs, c canonical.Coupon) couponJSON {
	return couponJSON{ID: ids.coupon.encode(c.ID), ExternalID: c.ExternalID, Token: c.Code, Leads: c.Leads,
		Conversions: c.Conversions, AffiliateID: ids.affiliate.encode(c.ParticipantID), Archived: c.Archived,
		ArchivedAt: fmtTimePtr(c.ArchivedAt)}
}

// affiliateJSON is the Affiliate object. Relations are absent unless set.
type affiliateJSON struct {
	ID                                string                   `json:"id"`
	CreatedAt                         string                   `json:"created_at"`
	UpdatedAt                         string                   `json:"updated_at"`
	State                             string                   `json:"state"`
	FirstName                         string                   `json:"first_name"`
	LastName                          string                   `json:"last_name"`
	Email                             string                   `json:"email"`
	ConfirmedAt                       *string                  `json:"confirmed_at"`
	UnconfirmedEmail                  *string                  `json:"unconfirmed_email"`
	PaypalEmail                       *string                  `json:"paypal_email"`
	PaypalEmailConfirmedAt            *string                  `json:"paypal_email_confirmed_at"`
	WiseEmail                         *string                  `json:"wise_email"`
	WiseEmailConfirmedAt              *string                  `json:"wise_email_confirmed_at"`
	ReceiveNewCommissionNotifications bool                     `json:"receive_new_commission_notifications"`
	SignInCount                       int                      `json:"sign_in_count"`
	StripeCustomerID                  *string                  `json:"stripe_customer_id"`
	StripeAccountID                   *string                  `json:"stripe_account_id"`
	Visitors                          int                      `json:"visitors"`
	Leads                             int                      `json:"leads"`
	Conversions                       int                      `json:"conversions"`
	Campaign                          *campaignSummaryJSON     `json:"campaign,omitempty"`
	Links                             optional[[]linkJSON]     `json:"links,omitzero"`
	Coupon                            optional[couponJSON]     `json:"coupon,omitzero"`
	CommissionStats                   optional[map[string]any] `json:"commission_stats,omitzero"`
}

// affiliateState renders a canonical affiliate state; suspended and banned
// affiliates are Rewardful's disabled ones.
func affiliateState(s canonical.AffiliateState) string {
	switch s {
	case canonical.AffiliateSuspicious:
		return "suspicious"
	case canonical.AffiliateSuspended, canonical.AffiliateBanned:
		return "disabled"
	}
	return "active"
}

// stateIn maps Rewardful's affiliate state to the canonical one.
func stateIn(s string) (canonical.AffiliateState, bool) {
	switch s {
	case "active":
		return canonical.AffiliateActive, true
	case "disabled":
		return canonical.AffiliateSuspended, true
	case "suspicious":
		return canonical.AffiliateSuspicious, true
	}
	return "", false
}

// affiliateOut renders a participant as an affiliate, without relations.
func affiliateOut(ids *idCodecs, p canonical.Participant) affiliateJSON {
	a := p.Affiliate
	return affiliateJSON{
		ID:                                ids.affiliate.encode(p.ID),
		CreatedAt:                         fmtTime(p.CreatedAt),
		UpdatedAt:                         fmtTime(p.UpdatedAt),
		State:                             affiliateState(a.State),
		FirstName:                         p.FirstName,
		LastName:                          p.LastName,
		Email:                             p.Email,
		ConfirmedAt:                       fmtTimePtr(p.VerifiedAt),
		PaypalEmail:                       strPtr(a.PaypalEmail),
		WiseEmail:                         strPtr(a.WiseEmail),
		ReceiveNewCommissionNotifications: !a.NoCommissionEmails,
		SignInCount:                       nativeInt(p.Native, nativeSignInCount),
		StripeCustomerID:                  strPtr(a.StripeCustomerID),
		StripeAccountID:                   strPtr(a.StripeAccountID),
		Visitors:                          p.Stats.Visitors,
		Leads:                             p.Stats.Leads,
		Conversions:                       p.Stats.Conversions,
	}
}

// commissionStatsOut summarises an affiliate's commissions per currency:
// unpaid (pending and due), due, paid and total (not voided) in cents,
// and the gross revenue of the sales behind them.
func commissionStatsOut(cs []canonical.Commission) map[string]any {
	type sums struct{ unpaid, due, paid, total, gross int64 }
	per := map[string]*sums{}
	for _, c := range cs {
		if c.Status == canonical.CommissionVoided {
			continue
		}
		cur := currencyOf(c.Amount.Currency, "")
		s := per[cur]
		if s == nil {
			s = &sums{}
			per[cur] = s
		}
		switch c.Status {
		case canonical.CommissionPending:
			s.unpaid += c.Amount.Amount
		case canonical.CommissionDue:
			s.unpaid += c.Amount.Amount
			s.due += c.Amount.Amount
		case canonical.CommissionPaid:
			s.paid += c.Amount.Amount
		}
		s.total += c.Amount.Amount
		s.gross += c.SaleAmount.Amount
	}
	currencies := map[string]any{}
	for cur, s := range per {
		money := func(n int64) map[string]any { return map[string]any{"cents": n, "currency_iso": cur} }
		currencies[cur] = map[string]any{
			"unpaid": money(s.unpaid), "due": money(s.due), "paid": money(s.paid),
			"total": money(s.total), "gross_revenue": money(s.gross),
		}
	}
	return map[string]any{"currencies": currencies}
}

// customerJSON is the customer behind a referral.
type customerJSON struct {
	ID       string  `json:"id"`
	Name     *string `json:"name"`
	Email    *string `json:"email"`
	Platform string  `json:"platform"`
}

// customerOut renders a referred participant as the referral's customer:
// a Stripe customer when one is known, otherwise the participant itself
// (platform "manual", id the participant's affiliate UUID).
func customerOut(ids *idCodecs, p canonical.Participant, stripeID string) customerJSON {
	if stripeID == "" {
		stripeID = p.Affiliate.StripeCustomerID
	}
	c := customerJSON{ID: stripeID, Name: strPtr(p.Name()), Email: strPtr(p.Email), Platform: "stripe"}
	if stripeID == "" {
		c.ID, c.Platform = ids.affiliate.encode(p.ID), "manual"
	}
	return c
}

// referralJSON is the Referral object.
type referralJSON struct {
	ID                 string         `json:"id"`
	Link               *linkJSON      `json:"link"`
	Visits             int            `json:"visits"`
	Customer           *customerJSON  `json:"customer"`
	Affiliate          *affiliateJSON `json:"affiliate,omitempty"`
	ConversionState    string         `json:"conversion_state"`
	CreatedAt          string         `json:"created_at"`
	UpdatedAt          string         `json:"updated_at"`
	BecameLeadAt       *string        `json:"became_lead_at"`
	BecameConversionAt *string        `json:"became_conversion_at"`
	ExpiresAt          *string        `json:"expires_at"`
	DeactivatedAt      *string        `json:"deactivated_at"`
	StripeAccountID    *string        `json:"stripe_account_id"`
	StripeCustomerID   *string        `json:"stripe_customer_id"`
}

// conversionState is a referral's Rewardful funnel stage: a visitor until
// someone signs up (invites count as visitors), a conversion once a sale
// was recorded, a lead in between.
func conversionState(r canonical.Referral) string {
	switch {
	case r.ConvertedAt != nil:
		return "conversion"
	case r.State == canonical.StateVisitor || r.State == canonical.StateInvited:
		return "visitor"
	}
	return "lead"
}

// referralOut renders a referral; link and referred are the link it came
// through and the referred participant, when there are.
func referralOut(ids *idCodecs, r canonical.Referral, link *linkJSON, referred *canonical.Participant) referralJSON {
	out := referralJSON{
		ID:                 ids.referral.encode(r.ID),
		Link:               link,
		Visits:             r.Visits,
		ConversionState:    conversionState(r),
		CreatedAt:          fmtTime(r.CreatedAt),
		UpdatedAt:          fmtTime(r.UpdatedAt),
		BecameLeadAt:       fmtTimePtr(r.LeadAt),
		BecameConversionAt: fmtTimePtr(r.ConvertedAt),
		ExpiresAt:          fmtTimePtr(r.ExpiresAt),
		DeactivatedAt:      fmtTimePtr(r.DeactivatedAt),
		StripeAccountID:    strPtr(nativeString(r.Native, nativeStripeAccount, "")),
		StripeCustomerID:   strPtr(r.StripeCustomerID),
	}
	if referred != nil {
		c := customerOut(ids, *referred, r.StripeCustomerID)
		out.Customer = &c
		if out.StripeCustomerID == nil && c.Platform == "stripe" {
			out.StripeCustomerID = &c.ID
		}
	}
	return out
}

// saleJSON is the Sale object embedded in commissions.
type saleJSON struct {
	ID                string         `json:"id"`
	Currency          string         `json:"currency"`
	ChargedAt         string         `json:"charged_at"`
	StripeAccountID   *string        `json:"stripe_account_id"`
	StripeChargeID    *string        `json:"stripe_charge_id"`
	InvoicedAt        *string        `json:"invoiced_at"`
	CreatedAt         string         `json:"created_at"`
	UpdatedAt         string         `json:"updated_at"`
	ChargeAmountCents int64          `json:"charge_amount_cents"`
	RefundAmountCents int64          `json:"refund_amount_cents"`
	TaxAmountCents    int64          `json:"tax_amount_cents"`
	SaleAmountCents   int64          `json:"sale_amount_cents"`
	Referral          *referralJSON  `json:"referral,omitempty"`
	Affiliate         *affiliateJSON `json:"affiliate,omitempty"`
}

// stripeChargeID finds a Stripe charge id among a sale's identifiers.
func stripeChargeID(t canonical.Transaction) string {
	if s := nativeString(t.Native, nativeStripeCharge, ""); s != "" {
		return s
	}
	for _, k := range []string{"stripe_charge_id", "chargeId", "charge_id"} {
		if v := t.ExternalIDs[k]; v != "" {
			return v
		}
	}
	return ""
}

// saleOut renders a sale; refunds are its refund transactions. The charge
// is the gross amount, the sale amount the charge net of tax.
func saleOut(ids *idCodecs, t canonical.Transaction, refunds []canonical.Transaction) saleJSON {
	updated := t.CreatedAt
	var refunded int64
	for _, r := range refunds {
		refunded += r.Amount.Amount
		if r.CreatedAt.After(updated) {
			updated = r.CreatedAt
		}
	}
	var invoiced *string
	if s := nativeString(t.Native, nativeInvoicedAt, ""); s != "" {
		invoiced = &s
	}
	return saleJSON{
		ID:                ids.sale.encode(t.ID),
		Currency:          currencyOf(t.Amount.Currency, ""),
		ChargedAt:         fmtTime(t.OccurredAt),
		StripeAccountID:   strPtr(nativeString(t.Native, nativeStripeAccount, "")),
		StripeChargeID:    strPtr(stripeChargeID(t)),
		InvoicedAt:        invoiced,
		CreatedAt:         fmtTime(t.CreatedAt),
		UpdatedAt:         fmtTime(updated),
		ChargeAmountCents: t.Amount.Amount,
		RefundAmountCents: refunded,
		TaxAmountCents:    t.TaxAmount,
		SaleAmountCents:   t.Amount.Amount - t.TaxAmount,
	}
}

// commissionJSON is the Commission object.
type commissionJSON struct {
	ID        string               `json:"id"`
	CreatedAt string               `json:"created_at"`
	UpdatedAt string               `json:"updated_at"`
	Amount    int64                `json:"amount"`
	Currency  string               `json:"currency"`
	State     string               `json:"state"`
	DueAt     *string              `json:"due_at"`
	PaidAt    *string              `json:"paid_at"`
	VoidedAt  *string              `json:"voided_at"`
	Campaign  *campaignSummaryJSON `json:"campaign,omitempty"`
	Sale      *saleJSON            `json:"sale,omitempty"`
}

// commissionState renders a canonical commission status (the names are
// the same).
func commissionState(s canonical.CommissionStatus) string {
	switch s {
	case canonical.CommissionDue, canonical.CommissionPaid, canonical.CommissionVoided:
		return string(s)
	}
	return "pending"
}

func commissionOut(ids *idCodecs, c canonical.Commission) commissionJSON {
	return commissionJSON{
		ID:        ids.commission.encode(c.ID),
		CreatedAt: fmtTime(c.CreatedAt),
		UpdatedAt: fmtTime(c.UpdatedAt),
		Amount:    c.Amount.Amount,
		Currency:  currencyOf(c.Amount.Currency, ""),
		State:     commissionState(c.Status),
		DueAt:     fmtTimePtr(c.DueAt),
		PaidAt:    fmtTimePtr(c.PaidAt),
		VoidedAt:  fmtTimePtr(c.VoidedAt),
	}
}

// payoutCommissionJSON is the short commission inside a payout.
type payoutCommissionJSON struct {
	ID              string  `json:"id"`
	Currency        string  `json:"currency"`
	StripeAccountID *string `json:"stripe_account_id"`
	DueAt           *string `json:"due_at"`
	PaidAt          *string `json:"paid_at"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
	Amount          int64   `json:"amount"`
}

func payoutCommissionOut(ids *idCodecs, c canonical.Commission) payoutCommissionJSON {
	return payoutCommissionJSON{ID: ids.commission.encode(c.ID), Currency: currencyOf(c.Amount.Currency, ""),
		StripeAccountID: strPtr(nativeString(c.Native, nativeStripeAccount, "")), DueAt: fmtTimePtr(c.DueAt),
		PaidAt: fmtTimePtr(c.PaidAt), CreatedAt: fmtTime(c.CreatedAt), UpdatedAt: fmtTime(c.UpdatedAt), Amount: c.Amount.Amount}
}

// payoutJSON is the Payout object.
type payoutJSON struct {
	ID          string                  `json:"id"`
	Currency    string                  `json:"currency"`
	PaidAt      *string                 `json:"paid_at"`
	State       string                  `json:"state"`
	PaidByID    *string                 `json:"paid_by_id"`
	CreatedAt   string                  `json:"created_at"`
	UpdatedAt   string                  `json:"updated_at"`
	Amount      int64                   `json:"amount"`
	Affiliate   *affiliateJSON          `json:"affiliate,omitempty"`
	Commissions *[]payoutCommissionJSON `json:"commissions,omitempty"`
}

// payoutState renders a canonical payout status; a failed payout is due
// again (Rewardful documents only four states).
func payoutState(s canonical.PayoutStatus) string {
	switch s {
	case canonical.PayoutPending, canonical.PayoutDue, canonical.PayoutProcessing, canonical.PayoutPaid:
		return string(s)
	}
	return "due"
}

func payoutOut(ids *idCodecs, p canonical.Payout) payoutJSON {
	return payoutJSON{ID: ids.payout.encode(p.ID), Currency: currencyOf(p.Amount.Currency, ""), PaidAt: fmtTimePtr(p.PaidAt),
		State: payoutState(p.Status), PaidByID: strPtr(nativeString(p.Native, nativePaidByID, "")),
		CreatedAt: fmtTime(p.CreatedAt), UpdatedAt: fmtTime(p.UpdatedAt), Amount: p.Amount.Amount}
}

// deletedJSON confirms a deletion.
type deletedJSON struct {
	Object  string `json:"object"`
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// humanize turns a field name into Rails' attribute wording:
// "commission_percent" → "Commission percent", "affiliate_id" → "Affiliate".
func humanize(field string) string {
	field = strings.TrimSuffix(field, "_id")
	field = strings.ReplaceAll(field, "_", " ")
	if field == "" {
		return "Value"
	}
	return strings.ToUpper(field[:1]) + field[1:]
}

// campaignIn is the body of create and update campaign.
type campaignIn struct {
	Name, URL, RewardType, CommissionAmountCurrency, StripeCouponID *string
	Private                                                         *bool
	CommissionPercent                                               *float64
	CommissionAmountCents, MinimumPayoutCents                       *int64
}

// parseCampaignIn reads a campaign body.
func parseCampaignIn(f fields) (in campaignIn, err error) {
	for _, s := range []struct {
		key string
		dst **string
	}{{"name", &in.Name}, {"url", &in.URL}, {"reward_type", &in.RewardType},
		{"commission_amount_currency", &in.CommissionAmountCurrency}, {"stripe_coupon_id", &in.StripeCouponID}} {
		if *s.dst, err = f.str(s.key); err != nil {
			return in, err
		}
	}
	if in.Private, err = f.boolean("private"); err != nil {
		return in, err
	}
	if in.CommissionPercent, err = f.number("commission_percent"); err != nil {
		return in, err
	}
	if in.CommissionAmountCents, err = f.integer("commission_amount_cents"); err != nil {
		return in, err
	}
	if in.MinimumPayoutCents, err = f.integer("minimum_payout_cents"); err != nil {
		return in, err
	}
	return in, nil
}

// touchesCommission reports whether in changes the commission rule.
func (in campaignIn) touchesCommission() bool {
	return in.RewardType != nil || in.CommissionPercent != nil || in.CommissionAmountCents != nil || in.CommissionAmountCurrency != nil
}

// commissionFor applies in's commission fields over cur (nil for a new
// campaign) and checks the result: percent campaigns need a percentage,
// amount campaigns an amount and a currency.
func commissionFor(in campaignIn, cur *canonical.CommissionRule) (canonical.CommissionRule, error) {
	cr := canonical.CommissionRule{Type: canonical.PercentCommission}
	if cur != nil {
		cr = *cur
	}
	if in.RewardType != nil {
		switch *in.RewardType {
		case "percent":
			cr.Type = canonical.PercentCommission
		case "amount":
			cr.Type = canonical.FixedCommission
		case "":
			return cr, blank("reward_type")
		default:
			return cr, invalid("Reward type is invalid")
		}
	}
	if in.CommissionPercent != nil {
		cr.Percent = *in.CommissionPercent
	}
	if in.CommissionAmountCents != nil {
		cr.Amount.Amount = *in.CommissionAmountCents
	}
	if in.CommissionAmountCurrency != nil {
		cr.Amount.Currency = strings.ToUpper(strings.TrimSpace(*in.CommissionAmountCurrency))
	}
	switch cr.Type {
	case canonical.FixedCommission:
		switch {
		case cr.Amount.Amount == 0:
			return cr, blank("commission_amount_cents")
		case cr.Amount.Amount < 0:
			return cr, invalid("Commission amount cents must be greater than 0")
		case cr.Amount.Currency == "":
			return cr, blank("commission_amount_currency")
		case len(cr.Amount.Currency) != 3:
			return cr, invalid("Commission amount currency is invalid")
		}
	default:
		switch {
		case cr.Percent == 0:
			return cr, blank("commission_percent")
		case cr.Percent < 0 || cr.Percent > 100:
			return cr, invalid("Commission percent must be between 0 and 100")
		}
	}
	return cr, nil
}

// validSiteURL accepts absolute http(s) URLs.
func validSiteURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// newCampaign maps a create-campaign body to a canonical affiliate
// campaign (active, referrals credited at signup) with one commission
// rule.
func newCampaign(in campaignIn) (canonical.Campaign, error) {
	var c canonical.Campaign
	switch {
	case in.Name == nil || strings.TrimSpace(*in.Name) == "":
		return c, blank("name")
	case in.URL == nil || strings.TrimSpace(*in.URL) == "":
		return c, blank("url")
	case !validSiteURL(*in.URL):
		return c, invalid("Url is invalid")
	case in.RewardType == nil:
		return c, blank("reward_type")
	case in.MinimumPayoutCents != nil && *in.MinimumPayoutCents < 0:
		return c, invalid("Minimum payout cents must be greater than or equal to 0")
	}
	cr, err := commissionFor(in, nil)
	if err != nil {
		return c, err
	}
	c = canonical.Campaign{
		Name: strings.TrimSpace(*in.Name), Kind: canonical.AffiliateProgram, Status: canonical.CampaignActive,
		Qualification: canonical.QualifyOnSignup, Currency: "USD", URL: strings.TrimSpace(*in.URL),
		ReferralExpiryDays: defaultReferralDays, CommissionHoldDays: defaultCommissionDays,
		Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward, Title: "Commission", Commission: &cr,
			Unlimited: true, Visible: true}},
	}
	if cr.Type == canonical.FixedCommission {
		c.Currency = cr.Amount.Currency
	}
	if in.Private != nil {
		c.Private = *in.Private
	}
	if in.MinimumPayoutCents != nil {
		c.MinimumPayout = canonical.Money{Amount: *in.MinimumPayoutCents, Currency: c.Currency}
	}
	if in.StripeCouponID != nil && *in.StripeCouponID != "" {
		c.Native.Set(canonical.Rewardful, nativeStripeCouponID, *in.StripeCouponID)
	}
	return c, nil
}

// campaignPatch maps an update-campaign body to a patch of cur.
func campaignPatch(in campaignIn, cur canonical.Campaign) (canonical.CampaignPatch, error) {
	var p canonical.CampaignPatch
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" {
			return p, blank("name")
		}
		p.Name = &name
	}
	if in.URL != nil {
		u := strings.TrimSpace(*in.URL)
		if u == "" {
			return p, blank("url")
		}
		if !validSiteURL(u) {
			return p, invalid("Url is invalid")
		}
		p.URL = &u
	}
	p.Private = in.Private
	if in.MinimumPayoutCents != nil {
		if *in.MinimumPayoutCents < 0 {
			return p, invalid("Minimum payout cents must be greater than or equal to 0")
		}
		p.MinimumPayout = &canonical.Money{Amount: *in.MinimumPayoutCents, Currency: currencyOf(cur.MinimumPayout.Currency, cur.Currency)}
	}
	if in.StripeCouponID != nil {
		var v any
		if *in.StripeCouponID != "" {
			v = *in.StripeCouponID
		}
		p.Native = canonical.Native{canonical.Rewardful: {nativeStripeCouponID: v}}
	}
	return p, nil
}

// affiliateIn is the body of create and update affiliate.
type affiliateIn struct {
	FirstName, LastName, Email, State, Token, CampaignID *string
	StripeCustomerID, PaypalEmail, WiseEmail             *string
	ReceiveNotifications                                 *bool
}

// parseAffiliateIn reads an affiliate body.
func parseAffiliateIn(f fields) (in affiliateIn, err error) {
	for _, s := range []struct {
		key string
		dst **string
	}{{"first_name", &in.FirstName}, {"last_name", &in.LastName}, {"email", &in.Email}, {"state", &in.State},
		{"token", &in.Token}, {"campaign_id", &in.CampaignID}, {"stripe_customer_id", &in.StripeCustomerID},
		{"paypal_email", &in.PaypalEmail}, {"wise_email", &in.WiseEmail}} {
		if *s.dst, err = f.str(s.key); err != nil {
			return in, err
		}
	}
	in.ReceiveNotifications, err = f.boolean("receive_new_commission_notifications")
	return in, err
}

// validLinkToken accepts Rewardful link tokens: letters, digits, dashes.
func validLinkToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// applyAffiliate applies in's affiliate-program fields to a.
func applyAffiliate(in affiliateIn, a canonical.Affiliate) (canonical.Affiliate, error) {
	a.IsAffiliate = true
	if in.State != nil {
		st, ok := stateIn(*in.State)
		if !ok {
			return a, invalid("State is invalid")
		}
		a.State = st
	}
	if in.PaypalEmail != nil {
		a.PaypalEmail = strings.TrimSpace(*in.PaypalEmail)
	}
	if in.WiseEmail != nil {
		a.WiseEmail = strings.TrimSpace(*in.WiseEmail)
	}
	if in.StripeCustomerID != nil {
		a.StripeCustomerID = strings.TrimSpace(*in.StripeCustomerID)
	}
	if in.ReceiveNotifications != nil {
		a.NoCommissionEmails = !*in.ReceiveNotifications
	}
	return a, nil
}

// newAffiliate maps a create-affiliate body to a new participant of
// campaignID. API-created affiliates need no email confirmation, so they
// are confirmed at once.
func newAffiliate(in affiliateIn, campaignID string) (canonical.NewParticipant, error) {
	var np canonical.NewParticipant
	for _, f := range []struct {
		key string
		v   *string
	}{{"first_name", in.FirstName}, {"last_name", in.LastName}, {"email", in.Email}} {
		if f.v == nil || strings.TrimSpace(*f.v) == "" {
			return np, blank(f.key)
		}
	}
	if in.Token != nil && *in.Token != "" && !validLinkToken(*in.Token) {
		return np, invalid("Token is invalid")
	}
	a, err := applyAffiliate(in, canonical.Affiliate{State: canonical.AffiliateActive})
	if err != nil {
		return np, err
	}
	np.Participant = canonical.Participant{CampaignID: campaignID, Email: strings.TrimSpace(*in.Email),
		FirstName: strings.TrimSpace(*in.FirstName), LastName: strings.TrimSpace(*in.LastName), Verified: true, Affiliate: a}
	if in.Token != nil {
		np.ReferralCode = *in.Token
	}
	return np, nil
}

// affiliatePatch maps an update-affiliate body to a patch of cur (the
// campaign move and the token are handled by the caller).
func affiliatePatch(in affiliateIn, cur canonical.Participant) (canonical.ParticipantPatch, error) {
	var p canonical.ParticipantPatch
	for _, f := range []struct {
		key string
		v   *string
		dst **string
	}{{"first_name", in.FirstName, &p.FirstName}, {"last_name", in.LastName, &p.LastName}, {"email", in.Email, &p.Email}} {
		if f.v == nil {
			continue
		}
		v := strings.TrimSpace(*f.v)
		if v == "" {
			return p, blank(f.key)
		}
		*f.dst = &v
	}
	if in.Token != nil && !validLinkToken(*in.Token) {
		if *in.Token == "" {
			return p, blank("token")
		}
		return p, invalid("Token is invalid")
	}
	if in.State != nil || in.PaypalEmail != nil || in.WiseEmail != nil || in.StripeCustomerID != nil || in.ReceiveNotifications != nil {
		a, err := applyAffiliate(in, cur.Affiliate)
		if err != nil {
			return p, err
		}
		p.Affiliate = &a
	}
	return p, nil
}

// tokenCandidates are the name-based link tokens tried, in order, for an
// affiliate created without one ("james", "jamesbond", "james-bond").
func tokenCandidates(first, last string) []string {
	slug := func(s string) string {
		var b strings.Builder
		for _, r := range strings.ToLower(s) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	f, l := slug(first), slug(last)
	var out []string
	for _, c := range []string{f, f + l, f + "-" + l} {
		if c != "" && c != "-" && !strings.HasPrefix(c, "-") && !strings.HasSuffix(c, "-") && validLinkToken(c) {
			out = append(out, c)
		}
	}
	return out
}
