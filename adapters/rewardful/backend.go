package rewardful

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/pace"
	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/rewardful"
)

// DefaultBaseURL is Rewardful's production API, the spec's server.
const DefaultBaseURL = "https://api.getrewardful.com/v1"

// BackendOptions configures NewBackend.
type BackendOptions struct {
	// BaseURL is the API root; empty means DefaultBaseURL. Point it at a
	// refbridge proxy (".../v1" or ".../rewardful/v1") to use one.
	BaseURL string
	// APISecret is the account's API secret, sent as the HTTP Basic user
	// name with an empty password. Required.
	APISecret string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Limiter, when set, paces every request, e.g.
	// pace.New(DocumentedLimits()...) to stay under the vendor's limits
	// (client.Open does that by default); nil sends at once.
	Limiter *pace.Limiter
}

// limits are Rewardful's documented per-account request limits: the one
// source of how the backend paces (DocumentedLimits) and of what the
// surface reports and enforces.
var limits = []pace.Window{{Name: "30s", Requests: 45, Per: 30 * time.Second}}

// DocumentedLimits is Rewardful's usual per-account request limit: 45
// requests per 30 seconds (Rewardful may lower it at any time; its 429
// answers say when to retry).
func DocumentedLimits() []pace.Window { return slices.Clone(limits) }

// Backend is a canonical.Backend over Rewardful's REST API v1 (the OUTBOUND
// direction): every method turns a canonical call into requests of the
// generated client and maps the answers back. IDs are Rewardful's UUIDs;
// participants are affiliates; lists page with opaque cursors over
// Rewardful's page numbers. Operations Rewardful's API cannot perform
// return NotImplemented without any request (see Capabilities).
type Backend struct {
	c       *api.ClientWithResponses
	limiter *pace.Limiter
}

// Limiter returns the limiter pacing the backend's requests, nil when
// none does.
func (b *Backend) Limiter() *pace.Limiter { return b.limiter }

var _ canonical.Backend = (*Backend)(nil)

// NewBackend returns the outbound Backend for the account whose API
// secret options carries (a nil options has none: Invalid).
func NewBackend(options *BackendOptions) (*Backend, error) {
	var opts BackendOptions
	if options != nil {
		opts = *options
	}
	if opts.APISecret == "" {
		return nil, canonical.Errorf(canonical.Invalid, "rewardful: an API secret is required")
	}
	base := opts.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	var doer api.HttpRequestDoer = http.DefaultClient
	if opts.HTTPClient != nil {
		doer = opts.HTTPClient
	}
	secret := opts.APISecret
	c, err := api.NewClientWithResponses(base, api.WithHTTPClient(pace.Paced(doer, opts.Limiter)),
		api.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.SetBasicAuth(secret, "")
			return nil
		}))
	if err != nil {
		return nil, canonical.Wrap(canonical.Invalid, err, "rewardful: invalid base URL")
	}
	return &Backend{c: c, limiter: opts.Limiter}, nil
}

// As is the escape hatch to Rewardful's own typed client for what the
// canonical contract does not cover (magic links, expansions, filters):
//
//	var c *api.ClientWithResponses // api = github.com/refbridge/refbridge/client/rewardful
//	if b.As(&c) {
//		resp, err := c.GetAffiliateSsoWithResponse(ctx, id)
//		...
//	}
//
// The client authenticates as the Backend does. As reports false for any
// other target type.
func (b *Backend) As(target any) bool {
	switch t := target.(type) {
	case **api.ClientWithResponses:
		*t = b.c
		return true
	case *api.ClientWithResponsesInterface:
		*t = b.c
		return true
	}
	return false
}

// capabilities are the operations Rewardful's REST API can perform.
var capabilities = []canonical.Operation{
	"ListCampaigns", "GetCampaign", "CreateCampaign", "UpdateCampaign",
	"ListRewardRules", "UpdateRewardRule",
	"CreateParticipant", "GetParticipant", "ListParticipants", "UpdateParticipant",
	"ListLinks", "CreateLink", "GetLink", "UpdateLink",
	"ListReferrals",
	"ListCommissions", "GetCommission", "UpdateCommission", "ApproveCommission", "DeleteCommission",
	"ListPayouts", "GetPayout", "PayPayout",
	"CreateCoupon", "GetCoupon", "ListCoupons",
	"CampaignStats",
}

// Capabilities implements canonical.Backend. Rewardful's API manages
// campaigns (whose one commission rule is the only reward rule),
// affiliates, their links and coupons, lists referrals, and manages
// commissions and payouts. It cannot delete affiliates, record visits,
// leads or sales (those come from its JavaScript tracker and Stripe),
// refer an affiliate, keep points, rewards or coupon pools.
func (b *Backend) Capabilities() canonical.Capabilities {
	return canonical.Capabilities{Backend: string(canonical.Rewardful), Operations: slices.Clone(capabilities)}
}

// notImplemented is the answer of every operation not in Capabilities.
func notImplemented(op string) error {
	return canonical.Errorf(canonical.NotImplemented, "rewardful: %s is not available over Rewardful's API", op)
}

// response is what every generated response type has.
type response interface {
	StatusCode() int
	GetBody() []byte
}

// check turns a transport error (coded by canonical.TransportCode) or a
// non-2xx answer (coded by outbound) into a canonical error.
func check(resp response, err error) error {
	if err != nil {
		return canonical.Transport(fmt.Errorf("rewardful: %w", err), "rewardful request failed")
	}
	if sc := resp.StatusCode(); sc < 200 || sc > 299 {
		ce := outbound(sc, resp.GetBody())
		var ae *APIError
		if sc == http.StatusTooManyRequests && errors.As(ce, &ae) {
			h := surface.ResponseHeader(resp)
			if n, err := strconv.Atoi(strings.TrimSpace(h.Get("RateLimit-Reset"))); err == nil && n > 0 {
				ae.Wait = time.Duration(n) * time.Second
			} else {
				ae.Wait = surface.RetryAfter(h)
			}
		}
		return ce
	}
	return nil
}

// decode checks an answer and returns its decoded 2xx body.
func decode[T any](resp response, err error, body func() *T) (T, error) {
	var zero T
	if err := check(resp, err); err != nil {
		return zero, err
	}
	v := body()
	if v == nil {
		return zero, canonical.Wrap(canonical.Internal,
			fmt.Errorf("rewardful: HTTP %d without a JSON body", resp.StatusCode()), "unexpected rewardful response")
	}
	return *v, nil
}

// parseID reads a Rewardful UUID; anything else names nothing.
func parseID(kind, id string) (uuid.UUID, error) {
	u, err := uuid.Parse(strings.TrimSpace(id))
	if err != nil || id == "" {
		return uuid.Nil, canonical.Errorf(canonical.NotFound, "%s not found: %s", kind, id)
	}
	return u, nil
}

// cursorPage reads a cursor: the 1-based number of a Rewardful page
// ("" is the first page).
func cursorPage(opts canonical.ListOptions) (page int, err error) {
	if opts.Cursor == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(opts.Cursor)
	if err != nil || n < 1 {
		return 0, canonical.Errorf(canonical.Invalid, "invalid cursor %q", opts.Cursor)
	}
	return n, nil
}

// pageQuery turns list options into Rewardful's page and limit.
func pageQuery(opts canonical.ListOptions) (page, limit *int, err error) {
	p, err := cursorPage(opts)
	if err != nil {
		return nil, nil, err
	}
	if p > 1 {
		page = &p
	}
	if opts.Limit > 0 {
		l := min(opts.Limit, maxLimit)
		limit = &l
	}
	if opts.Limit < 0 {
		return nil, nil, canonical.Errorf(canonical.Invalid, "negative limit")
	}
	return page, limit, nil
}

// nextCursor is the cursor of the page after p, "" on the last one.
func nextCursor(p api.Pagination) string {
	if p.NextPage != nil && *p.NextPage > p.CurrentPage {
		return strconv.Itoa(*p.NextPage)
	}
	return ""
}

// pageFrom builds a canonical page; filtered pages (items dropped here)
// have an unknown total.
func pageFrom[T any](items []T, p api.Pagination, filtered bool) canonical.Page[T] {
	if items == nil {
		items = []T{}
	}
	out := canonical.Page[T]{Items: items, NextCursor: nextCursor(p), Total: p.TotalCount}
	if filtered {
		out.Total = -1
	}
	return out
}

// localPage cuts a page out of a list held in full (the links nested in
// an affiliate).
func localPage[T any](all []T, opts canonical.ListOptions) (canonical.Page[T], error) {
	page, err := cursorPage(opts)
	if err != nil {
		return canonical.Page[T]{}, err
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	start := min((page-1)*limit, len(all))
	end := min(start+limit, len(all))
	out := canonical.Page[T]{Items: append([]T{}, all[start:end]...), Total: len(all)}
	if end < len(all) {
		out.NextCursor = strconv.Itoa(page + 1)
	}
	return out, nil
}

// emptyPage is the answer to a filter that matches nothing by
// construction.
func emptyPage[T any]() canonical.Page[T] { return canonical.Page[T]{Items: []T{}} }

// campaignOf resolves campaign ids of affiliates, caching them for one
// call (lists filtered by campaign where Rewardful has no such filter).
type campaignOf struct {
	b     *Backend
	cache map[string]string
}

func (b *Backend) campaignResolver() *campaignOf {
	return &campaignOf{b: b, cache: map[string]string{}}
}

// of returns the campaign of the affiliate with id ("" when it is gone).
func (c *campaignOf) of(ctx context.Context, affiliateID string) (string, error) {
	if affiliateID == "" {
		return "", nil
	}
	if id, ok := c.cache[affiliateID]; ok {
		return id, nil
	}
	a, err := c.b.getAffiliate(ctx, affiliateID)
	if canonical.IsCode(err, canonical.NotFound) {
		c.cache[affiliateID] = ""
		return "", nil
	}
	if err != nil {
		return "", err
	}
	id := ""
	if a.Campaign != nil {
		id = uuidString(a.Campaign.Id)
	}
	c.cache[affiliateID] = id
	return id, nil
}

// requireCampaign checks that a campaign exists (NotFound otherwise).
func (b *Backend) requireCampaign(ctx context.Context, id string) error {
	_, err := b.getCampaign(ctx, id)
	return err
}

// ---- campaigns ----

func (b *Backend) getCampaign(ctx context.Context, id string) (api.Campaign, error) {
	u, err := parseID("campaign", id)
	if err != nil {
		return api.Campaign{}, err
	}
	resp, err := b.c.GetCampaignWithResponse(ctx, u)
	return decode(resp, err, func() *api.Campaign { return resp.JSON200 })
}

// ListCampaigns implements canonical.Backend.
func (b *Backend) ListCampaigns(ctx context.Context, opts canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
	page, limit, err := pageQuery(opts)
	if err != nil {
		return canonical.Page[canonical.Campaign]{}, err
	}
	resp, err := b.c.ListCampaignsWithResponse(ctx, &api.ListCampaignsParams{Page: page, Limit: limit})
	list, err := decode(resp, err, func() *api.CampaignList { return resp.JSON200 })
	if err != nil {
		return canonical.Page[canonical.Campaign]{}, err
	}
	items := make([]canonical.Campaign, 0, len(list.Data))
	for _, c := range list.Data {
		items = append(items, campaignFromAPI(c))
	}
	return pageFrom(items, list.Pagination, false), nil
}

// GetCampaign implements canonical.Backend.
func (b *Backend) GetCampaign(ctx context.Context, id string) (canonical.Campaign, error) {
	c, err := b.getCampaign(ctx, id)
	if err != nil {
		return canonical.Campaign{}, err
	}
	return campaignFromAPI(c), nil
}

// commissionFields renders a commission rule as Rewardful's campaign
// fields.
func commissionFields(cr canonical.CommissionRule) (rt api.RewardType, pct *float64, cents *int, cur *string) {
	if cr.Type == canonical.FixedCommission {
		amount := int(cr.Amount.Amount)
		c := strings.ToUpper(cr.Amount.Currency)
		if c == "" {
			return api.RewardTypeAmount, nil, &amount, nil
		}
		return api.RewardTypeAmount, nil, &amount, &c
	}
	p := cr.Percent
	return api.RewardTypePercent, &p, nil, nil
}

// CreateCampaign implements canonical.Backend. Rewardful campaigns are
// always live affiliate programs paying one commission, so c must carry a
// commission rule; Status, Qualification, hold and expiry days are set in
// Rewardful's dashboard and are not sent. Native stripe_coupon_id is.
func (b *Backend) CreateCampaign(ctx context.Context, c canonical.Campaign) (canonical.Campaign, error) {
	if strings.TrimSpace(c.Name) == "" {
		return canonical.Campaign{}, canonical.Errorf(canonical.Invalid, "campaign name is required")
	}
	rule, ok := commissionRule(c)
	if !ok {
		return canonical.Campaign{}, canonical.Errorf(canonical.Invalid, "a rewardful campaign needs a commission rule")
	}
	rt, pct, cents, cur := commissionFields(*rule.Commission)
	if cur == nil && rt == api.RewardTypeAmount && c.Currency != "" {
		s := strings.ToUpper(c.Currency)
		cur = &s
	}
	body := api.CreateCampaignRequest{Name: c.Name, Url: c.URL, RewardType: rt, CommissionPercent: pct,
		CommissionAmountCents: cents, CommissionAmountCurrency: cur}
	if c.Private {
		body.Private = &c.Private
	}
	if c.MinimumPayout.Amount != 0 {
		m := int(c.MinimumPayout.Amount)
		body.MinimumPayoutCents = &m
	}
	if s := nativeString(c.Native, nativeStripeCouponID, ""); s != "" {
		body.StripeCouponId = &s
	}
	resp, err := b.c.CreateCampaignWithFormdataBodyWithResponse(ctx, body)
	out, err := decode(resp, err, func() *api.Campaign { return resp.JSON200 })
	if err != nil {
		return canonical.Campaign{}, err
	}
	return campaignFromAPI(out), nil
}

// UpdateCampaign implements canonical.Backend. Rewardful's API changes the
// name, URL, privacy, minimum payout and (Native) stripe_coupon_id; a
// patch of any other field is Invalid.
func (b *Backend) UpdateCampaign(ctx context.Context, id string, patch canonical.CampaignPatch) (canonical.Campaign, error) {
	var bad []string
	for name, set := range map[string]bool{
		"Status": patch.Status != nil, "Qualification": patch.Qualification != nil,
		"ManualApproval": patch.ManualApproval != nil, "PrivateTokens": patch.PrivateTokens != nil,
		"ReferralExpiryDays": patch.ReferralExpiryDays != nil, "CommissionHoldDays": patch.CommissionHoldDays != nil,
		"EndsAt": patch.EndsAt != nil,
	} {
		if set {
			bad = append(bad, name)
		}
	}
	var body api.UpdateCampaignRequest
	for v, m := range patch.Native {
		for k, val := range m {
			if v != canonical.Rewardful || k != nativeStripeCouponID {
				bad = append(bad, "Native["+string(v)+"]["+k+"]")
				continue
			}
			s, _ := val.(string)
			body.StripeCouponId = &s
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return canonical.Campaign{}, canonical.Errorf(canonical.Invalid, "rewardful cannot change %s", strings.Join(bad, ", "))
	}
	u, err := parseID("campaign", id)
	if err != nil {
		return canonical.Campaign{}, err
	}
	body.Name, body.Url, body.Private = patch.Name, patch.URL, patch.Private
	if patch.MinimumPayout != nil {
		m := int(patch.MinimumPayout.Amount)
		body.MinimumPayoutCents = &m
	}
	resp, err := b.c.UpdateCampaignWithFormdataBodyWithResponse(ctx, u, body)
	out, err := decode(resp, err, func() *api.Campaign { return resp.JSON200 })
	if err != nil {
		return canonical.Campaign{}, err
	}
	return campaignFromAPI(out), nil
}

// ListRewardRules implements canonical.Backend: a campaign's commission
// rule, whose ID is the campaign's.
func (b *Backend) ListRewardRules(ctx context.Context, campaignID string) ([]canonical.RewardRule, error) {
	c, err := b.GetCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if c.Rules == nil {
		return []canonical.RewardRule{}, nil
	}
	return c.Rules, nil
}

// CreateRewardRule implements canonical.Backend: not available (a
// Rewardful campaign has exactly one commission, set on the campaign).
func (b *Backend) CreateRewardRule(context.Context, string, canonical.RewardRule) (canonical.RewardRule, error) {
	return canonical.RewardRule{}, notImplemented("CreateRewardRule")
}

// UpdateRewardRule implements canonical.Backend for the commission rule
// (ruleID is the campaign ID): its type, percentage or amount change
// through the campaign. The commission period and cap, and every other
// rule field, are not changeable over the API (Invalid when the patch
// changes them).
func (b *Backend) UpdateRewardRule(ctx context.Context, campaignID, ruleID string, patch canonical.RewardRulePatch) (canonical.RewardRule, error) {
	var bad []string
	for name, set := range map[string]bool{
		"Title": patch.Title != nil, "Description": patch.Description != nil,
		"ReferredDescription": patch.ReferredDescription != nil, "Threshold": patch.Threshold != nil,
		"PointsThreshold": patch.PointsThreshold != nil, "Repeat": patch.Repeat != nil,
		"Unlimited": patch.Unlimited != nil, "Limit": patch.Limit != nil, "LimitPeriod": patch.LimitPeriod != nil,
		"Winners": patch.Winners != nil, "ReferrerValue": patch.ReferrerValue != nil,
		"ReferredValue": patch.ReferredValue != nil, "CouponCode": patch.CouponCode != nil,
		"ReferredCouponCode": patch.ReferredCouponCode != nil, "ReferredUpfront": patch.ReferredUpfront != nil,
		"ReferredAtSignup": patch.ReferredAtSignup != nil, "Visible": patch.Visible != nil,
		"Order": patch.Order != nil, "ImageURL": patch.ImageURL != nil, "Metadata": patch.Metadata != nil,
		"Native": len(patch.Native) > 0,
	} {
		if set {
			bad = append(bad, name)
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return canonical.RewardRule{}, canonical.Errorf(canonical.Invalid, "rewardful cannot change %s", strings.Join(bad, ", "))
	}
	if !strings.EqualFold(strings.TrimSpace(ruleID), strings.TrimSpace(campaignID)) {
		return canonical.RewardRule{}, canonical.Errorf(canonical.NotFound, "reward rule not found: %s", ruleID)
	}
	cur, err := b.GetCampaign(ctx, campaignID)
	if err != nil {
		return canonical.RewardRule{}, err
	}
	rule, ok := commissionRule(cur)
	if !ok {
		return canonical.RewardRule{}, canonical.Errorf(canonical.NotFound, "reward rule not found: %s", ruleID)
	}
	if patch.Commission == nil {
		return rule, nil
	}
	cr := *patch.Commission
	if cr.DurationMonths != rule.Commission.DurationMonths || cr.MaxCommissions != rule.Commission.MaxCommissions {
		return canonical.RewardRule{}, canonical.Errorf(canonical.Invalid, "rewardful cannot change the commission period or cap over its API")
	}
	rt, pct, cents, currency := commissionFields(cr)
	if currency == nil && rt == api.RewardTypeAmount && cur.Currency != "" {
		s := cur.Currency
		currency = &s
	}
	u, err := parseID("campaign", cur.ID)
	if err != nil {
		return canonical.RewardRule{}, err
	}
	body := api.UpdateCampaignRequest{RewardType: &rt, CommissionPercent: pct, CommissionAmountCents: cents, CommissionAmountCurrency: currency}
	resp, err := b.c.UpdateCampaignWithFormdataBodyWithResponse(ctx, u, body)
	out, err := decode(resp, err, func() *api.Campaign { return resp.JSON200 })
	if err != nil {
		return canonical.RewardRule{}, err
	}
	rule, ok = commissionRule(campaignFromAPI(out))
	if !ok {
		return canonical.RewardRule{}, canonical.Errorf(canonical.Internal, "rewardful campaign has no commission after the update")
	}
	return rule, nil
}

// DeleteRewardRule implements canonical.Backend: not available (a
// Rewardful campaign always pays its commission).
func (b *Backend) DeleteRewardRule(context.Context, string, string) error {
	return notImplemented("DeleteRewardRule")
}

// CampaignStats implements canonical.Backend from the campaign's
// roll-ups: affiliates, visitors, leads (also the credited referrals and
// referred signups) and conversions. Rewardful reports no other counters.
func (b *Backend) CampaignStats(ctx context.Context, campaignID string) (canonical.CampaignStats, error) {
	c, err := b.getCampaign(ctx, campaignID)
	if err != nil {
		return canonical.CampaignStats{}, err
	}
	return statsFromAPI(c), nil
}

// ---- participants (affiliates) ----

func (b *Backend) getAffiliate(ctx context.Context, id string) (api.Affiliate, error) {
	u, err := parseID("affiliate", id)
	if err != nil {
		return api.Affiliate{}, err
	}
	resp, err := b.c.GetAffiliateWithResponse(ctx, u)
	return decode(resp, err, func() *api.Affiliate { return resp.JSON200 })
}

// affiliateExpand is what affiliate lists expand: the campaign and the
// links (for the participant's campaign and referral code).
var affiliateExpand = []api.ListAffiliatesParamsExpand{api.ListAffiliatesParamsExpandCampaign, api.ListAffiliatesParamsExpandLinks}

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

// missingLastName is sent for a participant created without a last name
// (Rewardful requires one).
const missingLastName = "-"

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

// ---- links ----

// ListLinks implements canonical.Backend. One participant's links come
// from the affiliate (newest first); otherwise Rewardful's link list is
// paged, filtered here by the owners' campaign when CampaignID is set.
func (b *Backend) ListLinks(ctx context.Context, q canonical.LinkQuery) (canonical.Page[canonical.Link], error) {
	if q.ParticipantID != "" {
		a, err := b.resolve(ctx, q.CampaignID, canonical.ByID(q.ParticipantID))
		if err != nil {
			return canonical.Page[canonical.Link]{}, err
		}
		var all []canonical.Link
		if a.Links != nil {
			for i := len(*a.Links) - 1; i >= 0; i-- {
				l := linkFromAPI((*a.Links)[i], uuidString(a.Id))
				if a.Campaign != nil {
					l.CampaignID = uuidString(a.Campaign.Id)
				}
				all = append(all, l)
			}
		}
		return localPage(all, q.ListOptions)
	}
	page, limit, err := pageQuery(q.ListOptions)
	if err != nil {
		return canonical.Page[canonical.Link]{}, err
	}
	resp, err := b.c.ListAffiliateLinksWithResponse(ctx, &api.ListAffiliateLinksParams{Page: page, Limit: limit})
	list, err := decode(resp, err, func() *api.AffiliateLinkList { return resp.JSON200 })
	if err != nil {
		return canonical.Page[canonical.Link]{}, err
	}
	camps := b.campaignResolver()
	items := make([]canonical.Link, 0, len(list.Data))
	for _, l := range list.Data {
		link := linkFromAPI(l, "")
		if q.CampaignID != "" {
			cid, err := camps.of(ctx, link.ParticipantID)
			if err != nil {
				return canonical.Page[canonical.Link]{}, err
			}
			if !strings.EqualFold(cid, q.CampaignID) {
				continue
			}
			link.CampaignID = cid
		}
		items = append(items, link)
	}
	return pageFrom(items, list.Pagination, q.CampaignID != ""), nil
}

// CreateLink implements canonical.Backend; an empty token is generated by
// Rewardful.
func (b *Backend) CreateLink(ctx context.Context, campaignID string, owner canonical.ParticipantRef, token string) (canonical.Link, error) {
	id, err := b.resolveID(ctx, campaignID, owner)
	if err != nil {
		return canonical.Link{}, err
	}
	body := api.CreateAffiliateLinkRequest{AffiliateId: id}
	if token != "" {
		body.Token = &token
	}
	resp, err := b.c.CreateAffiliateLinkWithFormdataBodyWithResponse(ctx, body)
	out, err := decode(resp, err, func() *api.AffiliateLink { return resp.JSON200 })
	if err != nil {
		return canonical.Link{}, err
	}
	return linkFromAPI(out, id.String()), nil
}

// GetLink implements canonical.Backend.
func (b *Backend) GetLink(ctx context.Context, id string) (canonical.Link, error) {
	u, err := parseID("link", id)
	if err != nil {
		return canonical.Link{}, err
	}
	resp, err := b.c.GetAffiliateLinkWithResponse(ctx, u)
	out, err := decode(resp, err, func() *api.AffiliateLink { return resp.JSON200 })
	if err != nil {
		return canonical.Link{}, err
	}
	return linkFromAPI(out, ""), nil
}

// UpdateLink implements canonical.Backend.
func (b *Backend) UpdateLink(ctx context.Context, id, token string) (canonical.Link, error) {
	if token == "" {
		return canonical.Link{}, canonical.Errorf(canonical.Invalid, "a token is required")
	}
	u, err := parseID("link", id)
	if err != nil {
		return canonical.Link{}, err
	}
	resp, err := b.c.UpdateAffiliateLinkWithFormdataBodyWithResponse(ctx, u, api.UpdateAffiliateLinkRequest{Token: token})
	out, err := decode(resp, err, func() *api.AffiliateLink { return resp.JSON200 })
	if err != nil {
		return canonical.Link{}, err
	}
	return linkFromAPI(out, ""), nil
}
