package referralrocket

// This file is the OUTBOUND side: a canonical.Backend over Referral
// Rocket's REST API v1 (the generated client in client/referralrocket), so
// a Go application can drive a Referral Rocket campaign, or refbridge's
// Referral Rocket surface, through the canonical contract.
//
// Identity on this backend. Referral Rocket's REST API has no participant
// ids: a participant is addressed by campaign id and email (getParticipant,
// getReferrals, qualifyParticipant), and referrals point at their referrer
// by referral code (referredByCode). So:
//
//   - Campaign.ID is the vendor campaign id (JCu82f30F1).
//   - Participant.ID is the participant's email address exactly as the
//     vendor returns it; GetParticipant(ByID(p.ID)) is one getParticipant
//     call. ByEmail and ByIdentifier address the same email.
//   - Participant.ReferrerID is the referrer's email. The vendor only gives
//     the referrer's code, so the backend resolves code → email: from a
//     per-backend memo of every participant it has seen (codes and emails
//     never change on Referral Rocket, which has no update or delete call),
//     else by paging through getAllParticipants. BackendOptions.
//     NoReferrerLookup turns the resolution off (ReferrerID stays "" and
//     the code is in Native["referralrocket"]["referredByCode"]).
//   - ByCode refs are resolved the same way, after a validateCode call
//     answers whether the code exists at all.
//   - Referral.ID is the referred participant's email: a participant has
//     at most one referral, the one that brought them in.
//   - The reward rule a campaign describes has ID = the campaign id.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralrocket"
)

// DefaultBaseURL is Referral Rocket's production API server.
const DefaultBaseURL = "https://app.referralrocket.io"

// Native keys the backend fills on participants beyond the inbound ones.
const (
	// nativeShareLink is the participant's referral link.
	nativeShareLink = "shareLink"
	// nativeReferredByCode is the referrer's referral code, as the vendor
	// gives it, for referred participants.
	nativeReferredByCode = "referredByCode"
)

// Paging of the outbound backend.
const (
	// backendDefaultLimit is the page size when ListOptions.Limit is 0 (the
	// vendor's own default).
	backendDefaultLimit = 20
	// backendMaxLimit clamps ListOptions.Limit (Spring's default maximum).
	backendMaxLimit = 2000
	// scanPageSize is the page size of code → email scans.
	scanPageSize = 500
	// maxMemo bounds the code → email memo; it is cleared when full.
	maxMemo = 100_000
)

// BackendOptions configures NewBackend.
type BackendOptions struct {
	// BaseURL is the API server; "" means DefaultBaseURL. Point it at a
	// refbridge proxy (its root or its /referralrocket prefix) to use the
	// proxy's Referral Rocket surface.
	BaseURL string
	// APIKey is sent as the X-API-Key header when set. The real vendor
	// needs none (it scopes calls by campaign id alone); refbridge's
	// surface requires the account's key.
	APIKey string
	// CampaignID is the vendor campaign id used when a method is given an
	// empty campaign ID (GetParticipant by ID, for example); optional.
	CampaignID string
	// Currency is the ISO 4217 code of the campaign's rewards; Referral
	// Rocket's REST answers carry amounts without a currency. "" means
	// USD.
	Currency string
	// NoReferrerLookup leaves Participant.ReferrerID and
	// Referral.ReferrerID empty instead of resolving the referrer's code
	// to their email (which may page through the campaign once per unknown
	// code).
	NoReferrerLookup bool
	// HTTPClient makes the requests; nil means a client with a 30-second
	// timeout.
	HTTPClient *http.Client
}

// Backend is a canonical.Backend over Referral Rocket's REST API v1. It
// performs the operations listed by Capabilities; every other method
// returns NotImplemented without any I/O. It is safe for concurrent use.
type Backend struct {
	canonical.Unsupported
	client   *api.ClientWithResponses
	campaign string
	currency string
	noLookup bool
	memo     codeMemo
}

var _ canonical.Backend = (*Backend)(nil)

// NewBackend returns the outbound Backend for options; nil, like the zero
// BackendOptions, talks to the vendor's production server.
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
		return nil, canonical.Errorf(canonical.Invalid, "referralrocket: invalid base URL %q", opts.BaseURL)
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	copts := []api.ClientOption{api.WithHTTPClient(hc)}
	if key := opts.APIKey; key != "" {
		copts = append(copts, api.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set(APIKeyHeader, key)
			return nil
		}))
	}
	c, err := api.NewClientWithResponses(base, copts...)
	if err != nil {
		return nil, canonical.Wrap(canonical.Invalid, err, "referralrocket: invalid client options")
	}
	currency := strings.ToUpper(strings.TrimSpace(opts.Currency))
	if currency == "" {
		currency = "USD"
	}
	return &Backend{
		Unsupported: canonical.Unsupported{Name: "Referral Rocket"},
		client:      c,
		campaign:    strings.TrimSpace(opts.CampaignID),
		currency:    currency,
		noLookup:    opts.NoReferrerLookup,
	}, nil
}

// backendOps are the operations Referral Rocket's seven calls perform.
var backendOps = []canonical.Operation{
	"CampaignStats",     // getCampaign totalParticipants (Participants only)
	"CreateParticipant", // addParticipant
	"GetCampaign",       // getCampaign
	"GetParticipant",    // getParticipant (by email/ID); validateCode + scan (by code)
	"ListParticipants",  // getAllParticipants, getReferrals, getParticipant
	"ListReferrals",     // getReferrals, getAllParticipants, getParticipant
	"ListRewardRules",   // getCampaign's single reward configuration
	"QualifyReferral",   // qualifyParticipant
}

// Capabilities implements canonical.Backend: the operations Referral
// Rocket's API can perform. Everything else (campaign writes and listing,
// participant updates and deletes, links, events, rewards, money, coupons,
// leaderboards) has no call in the vendor's REST API.
func (b *Backend) Capabilities() canonical.Capabilities {
	return canonical.Capabilities{Backend: string(canonical.ReferralRocket), Operations: append([]canonical.Operation(nil), backendOps...)}
}

// As is the escape hatch to the generated client, for what the canonical
// contract does not cover:
//
//	var c *api.ClientWithResponses // api "github.com/refbridge/refbridge/client/referralrocket"
//	if b.As(&c) { ok, err := c.ValidateCodeWithResponse(ctx, &api.ValidateCodeParams{...}) }
//
// It also fills an *api.ClientWithResponsesInterface. It reports whether
// target was filled.
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

// campaignOr returns id, or the default campaign, or NotFound.
func (b *Backend) campaignOr(id string) (string, error) {
	if id = strings.TrimSpace(id); id != "" {
		return id, nil
	}
	if b.campaign != "" {
		return b.campaign, nil
	}
	return "", canonical.Errorf(canonical.NotFound, "Referral Rocket addresses everything within a campaign: no campaign ID given and no default campaign configured")
}

// call checks one answer of the generated client: err is a transport
// failure, a status other than 200 goes through the outbound mapper, and a
// 200 without a decodable body is Internal. json200 picks the decoded body.
func call[R response, T any](op string, res R, err error, json200 func(R) *T) (T, error) {
	var zero T
	if err != nil {
		return zero, transportError(op, err)
	}
	if st := res.StatusCode(); st != http.StatusOK {
		return zero, outboundError(st, res.GetBody())
	}
	v := json200(res)
	if v == nil {
		return zero, canonical.Wrap(canonical.Internal, &APIError{StatusCode: res.StatusCode(), Body: res.GetBody()},
			"Referral Rocket answered an undecodable "+op+" body")
	}
	return *v, nil
}

// response is what every generated response type offers.
type response interface {
	StatusCode() int
	GetBody() []byte
}

// --- campaigns ---

// fetchCampaign calls getCampaign.
func (b *Backend) fetchCampaign(ctx context.Context, id string) (api.CampaignResponse, error) {
	id, err := b.campaignOr(id)
	if err != nil {
		return api.CampaignResponse{}, err
	}
	res, err := b.client.GetCampaignWithResponse(ctx, &api.GetCampaignParams{Id: id})
	c, err := call("getCampaign", res, err, (*api.GetCampaignResponse).GetJSON200)
	if err != nil {
		return api.CampaignResponse{}, err
	}
	if c.CampaignId == nil || *c.CampaignId == "" {
		c.CampaignId = &id
	}
	return c, nil
}

// GetCampaign implements canonical.Backend over getCampaign. The vendor
// reports no qualification rule, so Qualification stays empty; Currency is
// BackendOptions.Currency. NotFound.
func (b *Backend) GetCampaign(ctx context.Context, id string) (canonical.Campaign, error) {
	c, err := b.fetchCampaign(ctx, id)
	if err != nil {
		return canonical.Campaign{}, err
	}
	return b.fromCampaign(c), nil
}

// ListRewardRules implements canonical.Backend: the one reward
// configuration getCampaign describes (referrer and referee reward), with
// the campaign id as its ID; none when the campaign describes no reward.
// NotFound.
func (b *Backend) ListRewardRules(ctx context.Context, campaignID string) ([]canonical.RewardRule, error) {
	c, err := b.fetchCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	return b.fromCampaign(c).Rules, nil
}

// CampaignStats implements canonical.Backend over getCampaign: only
// Participants (totalParticipants) is known to the vendor's API; every
// other counter is zero. NotFound.
func (b *Backend) CampaignStats(ctx context.Context, campaignID string) (canonical.CampaignStats, error) {
	c, err := b.fetchCampaign(ctx, campaignID)
	if err != nil {
		return canonical.CampaignStats{}, err
	}
	return canonical.CampaignStats{Participants: deref(c.TotalParticipants)}, nil
}

// --- participants ---

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

// --- referrals ---

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

// qualifyBody is qualifyParticipant's body as the backend sends it: the
// amount as a float64 (the generated model's float32 would round large
// amounts), left out when zero.
type qualifyBody struct {
	ID     string   `json:"id"`
	Email  string   `json:"email"`
	Amount *float64 `json:"amount,omitempty"`
}

// --- cursors ---

// readCursor turns ListOptions into a Spring page and size. A cursor keeps
// the size it was made with, so pages stay aligned when Limit changes.
func readCursor(o canonical.ListOptions) (page, size int, err error) {
	size = o.Limit
	if size <= 0 {
		size = backendDefaultLimit
	}
	size = min(size, backendMaxLimit)
	if o.Cursor == "" {
		return 0, size, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(o.Cursor)
	if err == nil {
		p, s, ok := strings.Cut(string(raw), ":")
		if ok {
			page, err1 := strconv.Atoi(p)
			sz, err2 := strconv.Atoi(s)
			if err1 == nil && err2 == nil && page >= 0 && sz > 0 && sz <= backendMaxLimit {
				return page, sz, nil
			}
		}
	}
	return 0, 0, canonical.Errorf(canonical.Invalid, "invalid cursor %q", o.Cursor)
}

// nextCursor is the cursor after page (of size) that held n items, and the
// list's total when this page shows it (a short page is the last one); a
// full page may be followed by an empty last page.
func nextCursor(page, size, n int) (string, int) {
	if n < size {
		return "", page*size + n
	}
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%d", page+1, size))), -1
}

// --- code → email ---

// codeMemo remembers the email of every referral code seen, per campaign.
// Referral Rocket has no update or delete call, so a code never changes
// hands.
type codeMemo struct {
	mu     sync.Mutex
	emails map[string]string // campaign \x00 code → email
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

// --- vendor → canonical ---

// lookup converts one call's participants, resolving referrers' codes.
type lookup struct {
	b        *Backend
	campaign string
	// referrer, when set, is every converted participant's referrer (the
	// email a getReferrals call was made with).
	referrer string
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

// money turns a whole-unit reward amount into the backend's currency.
func (b *Backend) money(units int) canonical.Money {
	if units == 0 {
		return canonical.Money{}
	}
	return canonical.Money{Amount: int64(units) * minorPerUnit(b.currency), Currency: b.currency}
}

// moneyOf turns a numeric reward value (currency units) into money.
func (b *Backend) moneyOf(v float32) canonical.Money {
	minor := int64(math.Round(float64(v) * float64(minorPerUnit(b.currency))))
	if minor == 0 {
		return canonical.Money{}
	}
	return canonical.Money{Amount: minor, Currency: b.currency}
}

// fromCampaign is the inverse of toCampaign.
func (b *Backend) fromCampaign(r api.CampaignResponse) canonical.Campaign {
	id := deref(r.CampaignId)
	c := canonical.Campaign{
		ID:       id,
		Name:     deref(r.CampaignName),
		Kind:     canonical.ReferralProgram,
		Currency: b.currency,
		URL:      campaignURL(deref(r.HostURL)),
	}
	switch {
	case r.Status != nil && *r.Status == api.Active:
		c.Status = canonical.CampaignActive
	case r.Status != nil && *r.Status == api.End, deref(r.Ended):
		c.Status = canonical.CampaignEnded
	case r.Status != nil && *r.Status == api.Pause, deref(r.Paused):
		c.Status = canonical.CampaignPaused
	}
	if r.CreatedOn != nil {
		c.CreatedAt = r.CreatedOn.UTC()
	}
	if r.End != nil {
		end := r.End.UTC()
		c.EndsAt = &end
	}
	for key, v := range map[string]*string{
		nativeShareWidgetHeader:      r.ShareWidgetHeader,
		nativeShareWidgetDescription: r.ShareWidgetDescription,
		nativeRewardType:             r.RewardType,
	} {
		if v != nil {
			c.Native.Set(canonical.ReferralRocket, key, *v)
		}
	}
	if r.ReferrerReward == nil && r.RefereeReward == nil && r.RewardHeader == nil && r.RewardDescription == nil {
		return c
	}
	rule := canonical.RewardRule{
		ID:            id,
		CampaignID:    id,
		Kind:          canonical.SingleSided,
		Title:         deref(r.RewardHeader),
		Description:   deref(r.RewardDescription),
		Threshold:     1,
		ReferrerValue: b.moneyOf(deref(r.ReferrerReward)),
		ReferredValue: b.moneyOf(deref(r.RefereeReward)),
		CreatedAt:     c.CreatedAt,
	}
	if !rule.ReferredValue.IsZero() {
		rule.Kind = canonical.DoubleSided
	}
	if rt := deref(r.RewardType); rt != "" {
		rule.Native.Set(canonical.ReferralRocket, nativeRewardType, rt)
		if strings.EqualFold(rt, "Percentage") {
			rule.Kind = canonical.CommissionReward
			rule.Commission = &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: float64(deref(r.ReferrerReward))}
			rule.ReferrerValue = canonical.Money{}
		}
	}
	c.Rules = []canonical.RewardRule{rule}
	return c
}

// campaignURL recovers a campaign's site from its hostURL (the site with
// the campaign id as the id query parameter).
func campaignURL(host string) string {
	if host == "" {
		return ""
	}
	u, err := url.Parse(host)
	if err != nil {
		return host
	}
	q := u.Query()
	q.Del("id")
	u.RawQuery = q.Encode()
	return u.String()
}

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
