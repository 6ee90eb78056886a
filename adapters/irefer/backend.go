package irefer

// This file is the OUTBOUND side: a canonical.Backend over iRefer's API
// v1.0 (the generated client in client/irefer), so a Go application can
// drive an iRefer campaign, or refbridge's iRefer surface, through the
// canonical contract.
//
// Every iRefer call is GET /v1.0/{license_key}.js/{method} with query
// parameters, scoped to one campaign: the license key is per campaign, so
// a Backend serves exactly the campaign of BackendOptions.CampaignID.
// Another campaign ID answers NotFound without any I/O.
//
// Identity on this backend:
//
//   - Campaign.ID is iRefer's decimal campaign id (BackendOptions.CampaignID).
//   - Participant.ID is iRefer's decimal participant id (referrers' id,
//     rewards' recipient_id). iRefer addresses participants by email in
//     its calls and returns ids only in the referrers list, so every
//     participant read fetches that list (iRefer has no paging: it is the
//     whole campaign) and finds the participant by id, email or code.
//   - Participant.ReferrerID is the referrer's id, found in the same list
//     from referrer_email.
//   - Referral.ID is the referred participant's id (one referral each).
//   - EarnedReward.ID is the trigger id, RuleID the tier's reward_id.
//   - Reward rules come from campaignStats' rewards_offered, which carry
//     no ids: RewardRule.ID is "".
//
// Errors: iRefer answers every failure with HTTP 200 and one error object;
// see outboundError.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/irefer"
)

// DefaultBaseURL is iRefer's production API server.
const DefaultBaseURL = "https://api.irefer.io"

// Native keys the backend fills beyond the inbound ones.
const (
	// On participants, from referrerStats.
	nativeConfirmed       = "confirmed"
	nativeReferralLink    = "referral_link"
	nativeRewardLast      = "reward_last"
	nativeRewardNext      = "reward_next"
	nativeRewardRemaining = "reward_next_referrals_remaining"
	// nativeReferrerEmail on a participant is referrer_email when it
	// matches no participant of the list.
	nativeReferrerEmail = "referrer_email"
	// On earned rewards, from rewards.
	nativeRewardHeading      = "reward_heading"
	nativeRewardDescription  = "reward_description"
	nativeRewardSignupsCount = "reward_signups_count"
)

// Paging of the outbound backend: iRefer's lists are unpaged, so pages
// are cut from the whole list.
const (
	backendDefaultLimit = 50
	backendMaxLimit     = 1000
)

// BackendOptions configures NewBackend.
type BackendOptions struct {
	// BaseURL is the API server; "" means DefaultBaseURL. Point it at a
	// refbridge proxy (its root or its /irefer prefix) to use the proxy's
	// iRefer surface.
	BaseURL string
	// LicenseKey is the campaign's license key (the path segment before
	// ".js"); required.
	LicenseKey string
	// APIKey is the website's api_key, sent as a query parameter; iRefer
	// requires it for server-side calls.
	APIKey string
	// CampaignID is iRefer's decimal campaign id (campaign_id), the one
	// campaign the license key serves; required.
	CampaignID string
	// HTTPClient makes the requests; nil means a client with a 30-second
	// timeout.
	HTTPClient *http.Client
}

// Backend is a canonical.Backend over iRefer's API v1.0 for one campaign.
// It performs the operations listed by Capabilities; every other method
// returns NotImplemented without any I/O. It is safe for concurrent use.
type Backend struct {
	canonical.Unsupported
	client   *api.ClientWithResponses
	license  string
	campaign string

	// memo is the roster a listing started with; its next pages (calls
	// with a cursor) page through it instead of fetching the whole,
	// unpaged referrers list again. Writes through this backend drop it.
	mu     sync.Mutex
	memo   *roster
	memoAt time.Time
}

// memoTTL bounds how long a listing's roster serves its later pages.
const memoTTL = time.Minute

// rosterFor returns the roster for a list call: a fresh one for a first
// page, the listing's own for the pages after it (snapshot paging), so
// paging through n participants costs one fetch, not n/limit.
func (b *Backend) rosterFor(ctx context.Context, cursor string) (*roster, error) {
	if cursor != "" {
		b.mu.Lock()
		r, at := b.memo, b.memoAt
		b.mu.Unlock()
		if r != nil && time.Since(at) < memoTTL {
			return r, nil
		}
	}
	r, err := b.fetchRoster(ctx)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.memo, b.memoAt = r, time.Now()
	b.mu.Unlock()
	return r, nil
}

// forget drops the listing roster after a write.
func (b *Backend) forget() {
	b.mu.Lock()
	b.memo = nil
	b.mu.Unlock()
}

var _ canonical.Backend = (*Backend)(nil)

// NewBackend returns the outbound Backend for options. LicenseKey and
// CampaignID are required (Invalid otherwise, and for nil options).
func NewBackend(options *BackendOptions) (*Backend, error) {
	var opts BackendOptions
	if options != nil {
		opts = *options
	}
	base := strings.TrimSpace(opts.BaseURL)
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err != nil || u.Scheme == "" || u.Host == "" {
		return nil, canonical.Errorf(canonical.Invalid, "irefer: invalid base URL %q", opts.BaseURL)
	}
	license, campaign := strings.TrimSpace(opts.LicenseKey), strings.TrimSpace(opts.CampaignID)
	if license == "" || campaign == "" {
		return nil, canonical.Errorf(canonical.Invalid, "irefer: a license key and a campaign id are required")
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	copts := []api.ClientOption{api.WithHTTPClient(hc)}
	if key := opts.APIKey; key != "" {
		copts = append(copts, api.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			q := req.URL.Query()
			q.Set("api_key", key)
			req.URL.RawQuery = q.Encode()
			return nil
		}))
	}
	c, err := api.NewClientWithResponses(base, copts...)
	if err != nil {
		return nil, canonical.Wrap(canonical.Invalid, err, "irefer: invalid client options")
	}
	return &Backend{Unsupported: canonical.Unsupported{Name: "iRefer"}, client: c, license: license, campaign: campaign}, nil
}

// backendOps are the operations iRefer's seven methods perform.
var backendOps = []canonical.Operation{
	"CampaignStats",        // campaignStats
	"CreateParticipant",    // referrers, newSignup, referrers
	"GetCampaign",          // campaignStats (name and tiers)
	"GetEarnedReward",      // rewards
	"GetParticipant",       // referrers, referrerStats
	"Leaderboard",          // referrers (all-time board)
	"ListEarnedRewards",    // rewards
	"ListParticipants",     // referrers
	"ListReferrals",        // referrers (participants with a referrer)
	"ListRewardRules",      // campaignStats rewards_offered
	"ListSpecificActions",  // specificActionSignups, referrers
	"RecordSpecificAction", // newSpecificAction
}

// Capabilities implements canonical.Backend: the operations iRefer's API
// can perform. Everything else (campaign writes and listing, rule writes,
// participant updates and deletes, points, links, visits and events,
// referral state changes, reward approval, money, coupons) has no method
// in iRefer's API.
func (b *Backend) Capabilities() canonical.Capabilities {
	return canonical.Capabilities{Backend: string(canonical.IRefer), Operations: slices.Clone(backendOps)}
}

// As is the escape hatch to the generated client, for what the canonical
// contract does not cover:
//
//	var c *api.ClientWithResponses // api "github.com/refbridge/refbridge/client/irefer"
//	if b.As(&c) { res, err := c.CampaignStatsV1WithResponse(ctx, licenseKey, &api.CampaignStatsV1Params{...}) }
//
// It also fills an *api.ClientWithResponsesInterface. The api_key editor
// configured in BackendOptions applies to calls made through it. It
// reports whether target was filled.
func (b *Backend) As(target any) bool {
	switch t := target.(type) {
	case **api.ClientWithResponses:
		*t = b.client
		return true
	case *api.ClientWithResponsesInterface:
		*t = b.client
		return true
	}
	return false
}

// checkCampaign accepts "" (the backend's campaign) and the backend's
// campaign id; any other campaign is NotFound, without I/O, since the
// license key serves one campaign.
func (b *Backend) checkCampaign(id string) error {
	if id = strings.TrimSpace(id); id == "" || id == b.campaign {
		return nil
	}
	return canonical.Errorf(canonical.NotFound, "iRefer campaign %s is not this license key's campaign", id)
}

// response is what every generated response type offers.
type response interface {
	StatusCode() int
	GetBody() []byte
}

// call checks one answer of the generated client and decodes its body
// into T: err is a transport failure; anything but a 200 carrying T goes
// through the outbound mapper.
func call[T any](method string, res response, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, transportError(method, err)
	}
	body := res.GetBody()
	if e := outboundError(method, res.StatusCode(), body); e != nil {
		return zero, e
	}
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		return zero, canonical.Wrap(canonical.Internal, &APIError{StatusCode: res.StatusCode(), Body: body, Method: method},
			"iRefer answered an undecodable "+method+" body")
	}
	return v, nil
}

// --- campaign ---

// fetchCampaignStats calls campaignStats.
func (b *Backend) fetchCampaignStats(ctx context.Context, id string) (api.CampaignStats, error) {
	if err := b.checkCampaign(id); err != nil {
		return api.CampaignStats{}, err
	}
	res, err := b.client.CampaignStatsWithResponse(ctx, b.license, &api.CampaignStatsParams{CampaignId: b.campaign})
	return call[api.CampaignStats]("campaignStats", res, err)
}

// GetCampaign implements canonical.Backend over campaignStats: the
// campaign's name and its tiers as milestone rules. iRefer reports nothing
// else about a campaign (status, URL, dates, qualification stay empty).
// NotFound.
func (b *Backend) GetCampaign(ctx context.Context, id string) (canonical.Campaign, error) {
	s, err := b.fetchCampaignStats(ctx, id)
	if err != nil {
		return canonical.Campaign{}, err
	}
	return canonical.Campaign{
		ID:    b.campaign,
		Name:  s.CampaignName,
		Kind:  canonical.ReferralProgram,
		Rules: b.rulesOf(s.RewardsOffered),
	}, nil
}

// ListRewardRules implements canonical.Backend: campaignStats'
// rewards_offered as milestone rules (without IDs). NotFound.
func (b *Backend) ListRewardRules(ctx context.Context, campaignID string) ([]canonical.RewardRule, error) {
	s, err := b.fetchCampaignStats(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	return b.rulesOf(s.RewardsOffered), nil
}

// rulesOf is the inverse of tiersOf.
func (b *Backend) rulesOf(tiers []api.Tier) []canonical.RewardRule {
	out := make([]canonical.RewardRule, 0, len(tiers))
	for i, t := range tiers {
		n, _ := strconv.Atoi(t.SignupsCount)
		out = append(out, canonical.RewardRule{
			CampaignID:  b.campaign,
			Kind:        canonical.Milestone,
			Title:       t.RewardHeading,
			Description: t.RewardDescription,
			Threshold:   n,
			Order:       i,
		})
	}
	return out
}

// CampaignStats implements canonical.Backend over campaignStats:
// Participants (signups_total), SignupsToday, ReferredSignups (referrals),
// ReferralsByChannel (the per-network counts that are not zero) and Views
// (total_views). iRefer reports no credited-referral count. NotFound.
func (b *Backend) CampaignStats(ctx context.Context, campaignID string) (canonical.CampaignStats, error) {
	s, err := b.fetchCampaignStats(ctx, campaignID)
	if err != nil {
		return canonical.CampaignStats{}, err
	}
	views, _ := strconv.Atoi(s.TotalViews)
	out := canonical.CampaignStats{
		Participants:    s.SignupsTotal,
		SignupsToday:    s.SignupsToday,
		ReferredSignups: s.Referrals,
		Views:           views,
	}
	for ch, n := range map[string]int{
		"facebook": s.FacebookReferrals, "whatsapp": s.WhatsappReferrals, "twitter": s.TwitterReferrals,
		"linkedin": s.LinkedinReferrals, "email": s.EmailReferrals,
	} {
		if n != 0 {
			if out.ReferralsByChannel == nil {
				out.ReferralsByChannel = map[string]int{}
			}
			out.ReferralsByChannel[ch] = n
		}
	}
	return out, nil
}

// --- participants ---

// roster is one fetch of the referrers list, indexed.
type roster struct {
	rows    []api.Referrer
	byID    map[string]int
	byEmail map[string]int // lower-case email
	byCode  map[string]int
	// rank is each participant's all-time position by credited
	// referrals, ties to the earlier participant.
	rank map[string]int
}

// fetchRoster calls referrers: every participant of the campaign.
func (b *Backend) fetchRoster(ctx context.Context) (*roster, error) {
	res, err := b.client.ReferrersWithResponse(ctx, b.license, &api.ReferrersParams{CampaignId: b.campaign})
	rows, err := call[[]api.Referrer]("referrers", res, err)
	if err != nil {
		return nil, err
	}
	r := &roster{rows: rows, byID: map[string]int{}, byEmail: map[string]int{}, byCode: map[string]int{}}
	for i, row := range rows {
		r.byID[row.Id] = i
		r.byEmail[strings.ToLower(row.Email)] = i
		if row.ReferralLink != "" {
			r.byCode[row.ReferralLink] = i
		}
	}
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		na, _ := strconv.Atoi(rows[a].ReferralsCount)
		nb, _ := strconv.Atoi(rows[b].ReferralsCount)
		if na != nb {
			return nb - na
		}
		if c := rows[a].CreatedAt.Compare(rows[b].CreatedAt); c != 0 {
			return c
		}
		return b - a // the list is newest first: a later row is earlier
	})
	r.rank = make(map[string]int, len(rows))
	for k, i := range order {
		r.rank[rows[i].Id] = k + 1
	}
	return r, nil
}

// find returns the index of the participant ref names, or NotFound.
func (r *roster) find(ref canonical.ParticipantRef) (int, error) {
	var (
		i  int
		ok bool
	)
	switch {
	case ref.ID != "":
		i, ok = r.byID[strings.TrimSpace(ref.ID)]
	case ref.Email != "":
		i, ok = r.byEmail[strings.ToLower(strings.TrimSpace(ref.Email))]
	case ref.Code != "":
		i, ok = r.byCode[strings.TrimSpace(ref.Code)]
	case ref.Identifier != "":
		i, ok = r.byEmail[strings.ToLower(strings.TrimSpace(ref.Identifier))]
	}
	if !ok {
		return 0, canonical.Errorf(canonical.NotFound, "no iRefer participant with %s", ref)
	}
	return i, nil
}

// participant converts row i: the inverse of referrerOf.
func (r *roster) participant(i int) canonical.Participant {
	row := r.rows[i]
	p := canonical.Participant{
		ID:           row.Id,
		CampaignID:   row.CampaignId,
		Email:        row.Email,
		ReferralCode: row.ReferralLink,
		IPAddress:    row.Ip,
		CreatedAt:    row.CreatedAt.UTC(),
		Source:       channelOf(row.SourceNetwork),
	}
	if row.Name != nil {
		p.FirstName, p.LastName = canonical.SplitName(*row.Name)
	}
	if row.ReferrerEmail != nil && *row.ReferrerEmail != "" {
		if j, ok := r.byEmail[strings.ToLower(*row.ReferrerEmail)]; ok {
			p.ReferrerID = r.rows[j].Id
		} else {
			p.Native.Set(canonical.IRefer, nativeReferrerEmail, *row.ReferrerEmail)
		}
	}
	if row.Phone != nil {
		p.Native.Set(canonical.IRefer, nativePhone, *row.Phone)
	}
	for k, v := range map[string]*string{infoKeys[0]: row.Info1, infoKeys[1]: row.Info2, infoKeys[2]: row.Info3, infoKeys[3]: row.Info4, infoKeys[4]: row.Info5} {
		if v != nil {
			p.Native.Set(canonical.IRefer, k, *v)
		}
	}
	p.Stats.Referrals, _ = strconv.Atoi(row.ReferralsCount)
	p.Stats.Rank = r.rank[row.Id]
	return p
}

// channelOf maps source_network to a canonical channel; an unknown value
// is kept as is.
func channelOf(letter string) string {
	if ch, ok := sourceChannels[api.Source(letter)]; ok {
		return ch
	}
	return letter
}

// all returns every participant in the vendor's order (newest first).
func (r *roster) all() []canonical.Participant {
	ps := make([]canonical.Participant, len(r.rows))
	for i := range r.rows {
		ps[i] = r.participant(i)
	}
	return ps
}

// ranked returns every participant in all-time rank order.
func (r *roster) ranked() []canonical.Participant {
	ps := r.all()
	slices.SortFunc(ps, func(a, b canonical.Participant) int { return a.Stats.Rank - b.Stats.Rank })
	return ps
}

// GetParticipant implements canonical.Backend: the participant from the
// referrers list (by ID, email, code or identifier-as-email), with
// Stats.Rank computed from that list and referrerStats' view of them
// (confirmed, referral_link, reward_last, reward_next and
// reward_next_referrals_remaining as Native values; referrals_made as
// Stats.Referrals). NotFound.
func (b *Backend) GetParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	if err := b.checkCampaign(campaignID); err != nil {
		return canonical.Participant{}, err
	}
	r, err := b.fetchRoster(ctx)
	if err != nil {
		return canonical.Participant{}, err
	}
	i, err := r.find(ref)
	if err != nil {
		return canonical.Participant{}, err
	}
	p := r.participant(i)
	res, err := b.client.ReferrerStatsWithResponse(ctx, b.license, &api.ReferrerStatsParams{CampaignId: b.campaign, Email: p.Email})
	st, err := call[api.ReferrerStats]("referrerStats", res, err)
	if err != nil {
		return canonical.Participant{}, err
	}
	p.Stats.Referrals = st.ReferralsMade
	p.Native.Set(canonical.IRefer, nativeConfirmed, string(st.Confirmed))
	p.Native.Set(canonical.IRefer, nativeReferralLink, st.ReferralLink)
	p.Native.Set(canonical.IRefer, nativeRewardLast, st.RewardLast)
	p.Native.Set(canonical.IRefer, nativeRewardNext, st.RewardNext)
	p.Native.Set(canonical.IRefer, nativeRewardRemaining, st.RewardNextReferralsRemaining)
	return p, nil
}

// CreateParticipant implements canonical.Backend over newSignup: email,
// name (FirstName and LastName joined), Source as iRefer's letter, the
// Native iRefer values phone (else Phone) and info_1..info_5, and
// referrer_code (a Code ref as is; an ID, Email or Identifier ref through
// the referrers list). Other fields are not sent. A requested
// ReferralCode, an InitialState or a VisitorID cannot be honoured and
// answer NotImplemented without I/O.
//
// newSignup answers no id, so the referrers list is read before (an email
// already in the campaign answers that participant, created=false, without
// a signup) and after the signup. Invalid, NotFound (campaign; the referrer
// when RequireReferrer is set).
func (b *Backend) CreateParticipant(ctx context.Context, in canonical.NewParticipant) (canonical.Participant, bool, error) {
	defer b.forget()
	switch {
	case in.ReferralCode != "":
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotImplemented, "iRefer generates referral codes: a requested code cannot be set")
	case in.InitialState != "":
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotImplemented, "iRefer cannot create a participant in a chosen referral state")
	case in.VisitorID != "":
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotImplemented, "iRefer has no visitors to attach")
	}
	email := strings.TrimSpace(in.Email)
	if email == "" {
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "iRefer identifies participants by email: an email is required")
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "invalid email address %q", email)
	}
	if e := refEmail(in.Referrer); e != "" && strings.EqualFold(e, email) {
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "a participant cannot refer themselves")
	}
	if err := b.checkCampaign(in.CampaignID); err != nil {
		return canonical.Participant{}, false, err
	}
	before, err := b.fetchRoster(ctx)
	if err != nil {
		return canonical.Participant{}, false, err
	}
	if i, err := before.find(canonical.ByEmail(email)); err == nil {
		return before.participant(i), false, nil
	}
	code := ""
	if !in.Referrer.IsZero() {
		j, err := before.find(in.Referrer)
		switch {
		case err == nil:
			code = before.rows[j].ReferralLink
		case in.RequireReferrer:
			return canonical.Participant{}, false, err
		case in.Referrer.Code != "":
			// Not in the list just read: let iRefer decide.
			code = strings.TrimSpace(in.Referrer.Code)
		}
	} else if in.RequireReferrer {
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotFound, "no referrer given")
	}
	params := &api.NewSignupParams{CampaignId: b.campaign, Email: email}
	if name := in.Name(); name != "" {
		params.Name = &name
	}
	if l := sourceLetter(in.Source); l != "" {
		s := api.Source(l)
		params.Source = &s
	}
	if ph := nativeString(in.Native, nativePhone); ph != nil {
		params.Phone = ph
	} else if in.Phone != "" {
		params.Phone = &in.Phone
	}
	for i, dst := range []**string{&params.Info1, &params.Info2, &params.Info3, &params.Info4, &params.Info5} {
		*dst = nativeString(in.Native, infoKeys[i])
	}
	if code != "" {
		params.ReferrerCode = &code
	}
	res, err := b.client.NewSignupWithResponse(ctx, b.license, params)
	if _, err := call[api.Signup]("newSignup", res, err); err != nil {
		return canonical.Participant{}, false, err
	}
	after, err := b.fetchRoster(ctx)
	if err != nil {
		return canonical.Participant{}, false, err
	}
	i, err := after.find(canonical.ByEmail(email))
	if err != nil {
		return canonical.Participant{}, false, canonical.Wrap(canonical.Internal, err, "iRefer did not list the participant it signed up")
	}
	return after.participant(i), true, nil
}

// refEmail is the email a ref names, "" for ID and code refs.
func refEmail(r canonical.ParticipantRef) string {
	switch {
	case r.Email != "":
		return strings.TrimSpace(r.Email)
	case r.Identifier != "":
		return strings.TrimSpace(r.Identifier)
	}
	return ""
}

// ListParticipants implements canonical.Backend over the referrers list,
// which holds the whole campaign: Email and ReferrerID filter it, Native
// (iRefer values, compared as strings) too, and every order but points is
// applied to it, so Total is exact. States, StripeCustomerID, Metadata,
// Affiliates and the points orders answer NotImplemented without I/O.
// Each participant carries Stats.Rank. NotFound.
func (b *Backend) ListParticipants(ctx context.Context, q canonical.ParticipantQuery) (canonical.Page[canonical.Participant], error) {
	var none canonical.Page[canonical.Participant]
	switch {
	case len(q.States) > 0, q.StripeCustomerID != "", len(q.Metadata) > 0, q.Affiliates,
		len(q.Native) > 0 && q.NativeOf != "" && q.NativeOf != canonical.IRefer:
		return none, canonical.Errorf(canonical.NotImplemented, "iRefer cannot filter participants by state, Stripe customer, metadata, affiliate status or another vendor's values")
	case q.Sort == canonical.SortPointsAsc || q.Sort == canonical.SortPointsDesc:
		return none, canonical.Errorf(canonical.NotImplemented, "iRefer has no points")
	}
	if err := checkCursor(q.ListOptions); err != nil {
		return none, err
	}
	if err := b.checkCampaign(q.CampaignID); err != nil {
		return none, err
	}
	r, err := b.rosterFor(ctx, q.Cursor)
	if err != nil {
		return none, err
	}
	ps := slices.DeleteFunc(r.all(), func(p canonical.Participant) bool {
		if q.Email != "" && !strings.EqualFold(p.Email, strings.TrimSpace(q.Email)) {
			return true
		}
		if q.ReferrerID != "" && p.ReferrerID != q.ReferrerID {
			return true
		}
		for k, v := range q.Native {
			got, ok := p.Native.Get(canonical.IRefer, k)
			if !ok || stringOf(got) != v {
				return true
			}
		}
		return false
	})
	sortParticipants(ps, q.Sort)
	return cut(ps, q.ListOptions, func(p canonical.Participant) string { return p.ID })
}

// stringOf renders a Native value as a string.
func stringOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// sortParticipants orders ps (given in the vendor's order, newest first)
// stably, ties keeping the vendor's order (oldest first for SortOldest).
func sortParticipants(ps []canonical.Participant, s canonical.ParticipantSort) {
	var cmp func(a, b canonical.Participant) int
	switch s {
	case canonical.SortNewest:
		cmp = func(a, b canonical.Participant) int { return b.CreatedAt.Compare(a.CreatedAt) }
	case canonical.SortOldest:
		// Reversed, the newest-first list is oldest first, ties included.
		slices.Reverse(ps)
		cmp = func(a, b canonical.Participant) int { return a.CreatedAt.Compare(b.CreatedAt) }
	case canonical.SortEmailAsc:
		cmp = func(a, b canonical.Participant) int {
			return strings.Compare(strings.ToLower(a.Email), strings.ToLower(b.Email))
		}
	case canonical.SortEmailDesc:
		cmp = func(a, b canonical.Participant) int {
			return strings.Compare(strings.ToLower(b.Email), strings.ToLower(a.Email))
		}
	case canonical.SortNameAsc:
		cmp = func(a, b canonical.Participant) int {
			return strings.Compare(strings.ToLower(a.Name()), strings.ToLower(b.Name()))
		}
	case canonical.SortNameDesc:
		cmp = func(a, b canonical.Participant) int {
			return strings.Compare(strings.ToLower(b.Name()), strings.ToLower(a.Name()))
		}
	case canonical.SortReferralsDesc:
		cmp = func(a, b canonical.Participant) int { return b.Stats.Referrals - a.Stats.Referrals }
	case canonical.SortReferralsAsc:
		cmp = func(a, b canonical.Participant) int { return a.Stats.Referrals - b.Stats.Referrals }
	default:
		return
	}
	slices.SortStableFunc(ps, cmp)
}

// Leaderboard implements canonical.Backend for the all-time board (the
// default): every participant by credited referrals (referrals_count),
// ties to the earlier participant, from the referrers list. The monthly
// and points boards answer NotImplemented, and a board the contract does
// not define Invalid, without I/O. NotFound.
func (b *Backend) Leaderboard(ctx context.Context, q canonical.LeaderboardQuery) (canonical.Page[canonical.Participant], error) {
	var none canonical.Page[canonical.Participant]
	switch q.Board {
	case "", canonical.AllTime:
	case canonical.CurrentMonth, canonical.PreviousMonth, canonical.PointsBoard:
		return none, canonical.Errorf(canonical.NotImplemented, "iRefer reports all-time referral counts only")
	default:
		return none, canonical.Errorf(canonical.Invalid, "unknown leaderboard %q", q.Board)
	}
	if err := checkCursor(q.ListOptions); err != nil {
		return none, err
	}
	if err := b.checkCampaign(q.CampaignID); err != nil {
		return none, err
	}
	r, err := b.rosterFor(ctx, q.Cursor)
	if err != nil {
		return none, err
	}
	return cut(r.ranked(), q.ListOptions, func(p canonical.Participant) string { return p.ID })
}

// --- referrals ---

// ListReferrals implements canonical.Backend over the referrers list: each
// participant with a referrer is one referral (ID and ReferredID are that
// participant's id, LeadAt and CreatedAt their signup, Channel their
// source). iRefer does not report referral states, so State is "";
// ReferrerID, ReferredID and Email filter, newest first unless Oldest.
// States, Converted, StripeCustomerID and the update-time filters answer
// NotImplemented without I/O.
func (b *Backend) ListReferrals(ctx context.Context, q canonical.ReferralQuery) (canonical.Page[canonical.Referral], error) {
	var none canonical.Page[canonical.Referral]
	if len(q.States) > 0 || q.Converted != nil || q.StripeCustomerID != "" || q.UpdatedSince != nil || q.UpdatedUntil != nil {
		return none, canonical.Errorf(canonical.NotImplemented, "iRefer cannot filter referrals by state, conversion, Stripe customer or update time")
	}
	if err := checkCursor(q.ListOptions); err != nil {
		return none, err
	}
	if err := b.checkCampaign(q.CampaignID); err != nil {
		return none, err
	}
	r, err := b.rosterFor(ctx, q.Cursor)
	if err != nil {
		return none, err
	}
	var out []canonical.Referral
	for i := range r.rows {
		p := r.participant(i)
		if p.ReferrerID == "" && p.Native.String(canonical.IRefer, nativeReferrerEmail) == "" {
			continue
		}
		if (q.ReferrerID != "" && p.ReferrerID != q.ReferrerID) || (q.ReferredID != "" && p.ID != q.ReferredID) ||
			(q.Email != "" && !strings.EqualFold(p.Email, strings.TrimSpace(q.Email))) {
			continue
		}
		at := p.CreatedAt
		ref := canonical.Referral{
			ID: p.ID, CampaignID: p.CampaignID, ReferrerID: p.ReferrerID, ReferredID: p.ID,
			Email: p.Email, Channel: p.Source, LeadAt: &at, CreatedAt: p.CreatedAt,
		}
		if e := p.Native.String(canonical.IRefer, nativeReferrerEmail); e != "" {
			ref.Native.Set(canonical.IRefer, nativeReferrerEmail, e)
		}
		out = append(out, ref)
	}
	if q.Oldest {
		slices.Reverse(out)
		slices.SortStableFunc(out, func(a, b canonical.Referral) int { return a.CreatedAt.Compare(b.CreatedAt) })
	} else {
		slices.SortStableFunc(out, func(a, b canonical.Referral) int { return b.CreatedAt.Compare(a.CreatedAt) })
	}
	return cut(out, q.ListOptions, func(r canonical.Referral) string { return r.ID })
}

// RecordSpecificAction implements canonical.Backend over
// newSpecificAction: a.ExternalID, a.Action and referrerCode are required
// (Invalid without them). newSpecificAction answers only the campaign name
// and the external id, so the result is a's fields with the campaign;
// ID, ReferrerID and CreatedAt are known from ListSpecificActions only.
// iRefer answers an unknown referrer code and an action other than the
// campaign's configured one alike; both are NotFound.
func (b *Backend) RecordSpecificAction(ctx context.Context, campaignID string, a canonical.SpecificAction, referrerCode string) (canonical.SpecificAction, error) {
	defer b.forget()
	ext, action, code := strings.TrimSpace(a.ExternalID), strings.TrimSpace(a.Action), strings.TrimSpace(referrerCode)
	if ext == "" || action == "" || code == "" {
		return canonical.SpecificAction{}, canonical.Errorf(canonical.Invalid, "external id, action and referrer code are required")
	}
	if err := b.checkCampaign(campaignID); err != nil {
		return canonical.SpecificAction{}, err
	}
	res, err := b.client.NewSpecificActionWithResponse(ctx, b.license, &api.NewSpecificActionParams{
		CampaignId: b.campaign, ExternalId: ext, Action: action, ReferrerCode: code})
	got, err := call[api.SpecificAction]("newSpecificAction", res, err)
	if err != nil {
		return canonical.SpecificAction{}, err
	}
	out := canonical.SpecificAction{CampaignID: b.campaign, ExternalID: got.ExternalId, Action: action, IP: a.IP}
	if out.ExternalID == "" {
		out.ExternalID = ext
	}
	return out, nil
}

// ListSpecificActions implements canonical.Backend over
// specificActionSignups, newest first; ReferrerID is resolved from
// referrer_email through the referrers list (one more call when the page
// has any action). NotFound.
func (b *Backend) ListSpecificActions(ctx context.Context, campaignID string, opts canonical.ListOptions) (canonical.Page[canonical.SpecificAction], error) {
	var none canonical.Page[canonical.SpecificAction]
	if err := checkCursor(opts); err != nil {
		return none, err
	}
	if err := b.checkCampaign(campaignID); err != nil {
		return none, err
	}
	res, err := b.client.SpecificActionSignupsWithResponse(ctx, b.license, &api.SpecificActionSignupsParams{CampaignId: b.campaign})
	rows, err := call[[]api.SpecificActionSignup]("specificActionSignups", res, err)
	if err != nil {
		return none, err
	}
	acts := make([]canonical.SpecificAction, 0, len(rows))
	for _, row := range rows {
		acts = append(acts, canonical.SpecificAction{
			ID: row.Id, CampaignID: row.CampaignId, ExternalID: row.ReferredPerson,
			Action: row.SpecificAction, IP: row.Ip, CreatedAt: row.CreatedAt.UTC(),
		})
	}
	page, err := cut(acts, opts, func(a canonical.SpecificAction) string { return a.ID })
	if err != nil || len(page.Items) == 0 {
		return page, err
	}
	r, err := b.fetchRoster(ctx)
	if err != nil {
		return none, err
	}
	emails := make(map[string]string, len(rows))
	for _, row := range rows {
		emails[row.Id] = row.ReferrerEmail
	}
	for i, a := range page.Items {
		if j, ok := r.byEmail[strings.ToLower(emails[a.ID])]; ok {
			page.Items[i].ReferrerID = r.rows[j].Id
		}
	}
	return page, nil
}

// --- rewards ---

// fetchRewards calls rewards and converts every trigger.
func (b *Backend) fetchRewards(ctx context.Context) ([]canonical.EarnedReward, error) {
	res, err := b.client.RewardsWithResponse(ctx, b.license, &api.RewardsParams{CampaignId: b.campaign})
	rows, err := call[[]api.RewardTriggered]("rewards", res, err)
	if err != nil {
		return nil, err
	}
	out := make([]canonical.EarnedReward, 0, len(rows))
	for _, row := range rows {
		out = append(out, rewardFrom(row))
	}
	return out, nil
}

// rewardFrom is the inverse of rewardOf. iRefer has no approval step: a
// triggered reward is earned and due, so it is reported approved (whether
// it was delivered is not in the API).
func rewardFrom(row api.RewardTriggered) canonical.EarnedReward {
	n, _ := strconv.Atoi(row.ReferralsMade)
	er := canonical.EarnedReward{
		ID:                 row.Id,
		CampaignID:         row.CampaignId,
		RuleID:             row.RewardId,
		ParticipantID:      row.RecipientId,
		IsReferrer:         row.RewardTo != "REFERRED",
		Status:             canonical.RewardApproved,
		ReferralsAtEarning: n,
		CreatedAt:          row.TriggeredAt.UTC(),
	}
	for k, v := range map[string]string{
		nativeRewardHeading:      row.RewardHeading,
		nativeRewardDescription:  row.RewardDescription,
		nativeRewardSignupsCount: row.RewardSignupsCount,
		nativeRewardQuantity:     row.RewardQuantity,
		nativeRewardDelivery:     row.RewardDelivery,
		nativeRewardGoalType:     row.RewardGoalType,
		nativeRewardTo:           row.RewardTo,
	} {
		er.Native.Set(canonical.IRefer, k, v)
	}
	return er
}

// ListEarnedRewards implements canonical.Backend over rewards, newest
// first, filtered by ParticipantID and Statuses (every trigger is
// approved). NotFound.
func (b *Backend) ListEarnedRewards(ctx context.Context, q canonical.RewardQuery) (canonical.Page[canonical.EarnedReward], error) {
	var none canonical.Page[canonical.EarnedReward]
	if err := checkCursor(q.ListOptions); err != nil {
		return none, err
	}
	if err := b.checkCampaign(q.CampaignID); err != nil {
		return none, err
	}
	all, err := b.fetchRewards(ctx)
	if err != nil {
		return none, err
	}
	all = slices.DeleteFunc(all, func(er canonical.EarnedReward) bool {
		return (q.ParticipantID != "" && er.ParticipantID != q.ParticipantID) ||
			(len(q.Statuses) > 0 && !slices.Contains(q.Statuses, er.Status))
	})
	return cut(all, q.ListOptions, func(er canonical.EarnedReward) string { return er.ID })
}

// GetEarnedReward implements canonical.Backend: the trigger with that id
// from rewards. NotFound.
func (b *Backend) GetEarnedReward(ctx context.Context, id string) (canonical.EarnedReward, error) {
	all, err := b.fetchRewards(ctx)
	if err != nil {
		return canonical.EarnedReward{}, err
	}
	for _, er := range all {
		if er.ID == id {
			return er, nil
		}
	}
	return canonical.EarnedReward{}, canonical.Errorf(canonical.NotFound, "no iRefer reward trigger %s", id)
}

// --- paging ---

// checkCursor validates a cursor before any I/O.
func checkCursor(o canonical.ListOptions) error {
	if o.Cursor == "" {
		return nil
	}
	if raw, err := base64.RawURLEncoding.DecodeString(o.Cursor); err != nil || len(raw) == 0 {
		return canonical.Errorf(canonical.Invalid, "invalid cursor %q", o.Cursor)
	}
	return nil
}

// cut returns one page of the whole list items. A cursor names the last
// item of the previous page by key, so items added to the list since (at
// its head, newest first) do not shift the pages. Total is exact.
func cut[T any](items []T, o canonical.ListOptions, key func(T) string) (canonical.Page[T], error) {
	limit := o.Limit
	if limit <= 0 {
		limit = backendDefaultLimit
	}
	limit = min(limit, backendMaxLimit)
	start := 0
	if o.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(o.Cursor)
		if err != nil {
			return canonical.Page[T]{}, canonical.Errorf(canonical.Invalid, "invalid cursor %q", o.Cursor)
		}
		last := string(raw)
		start = -1
		for i, it := range items {
			if key(it) == last {
				start = i + 1
				break
			}
		}
		if start < 0 {
			return canonical.Page[T]{}, canonical.Errorf(canonical.Invalid, "cursor %q no longer matches the list", o.Cursor)
		}
	}
	end := min(start+limit, len(items))
	page := canonical.Page[T]{Items: append([]T{}, items[start:end]...), Total: len(items)}
	if end < len(items) && end > start {
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1])))
	}
	return page, nil
}
