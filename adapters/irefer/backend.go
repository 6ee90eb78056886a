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
	"net/url"
	"slices"
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

// --- referrals ---

// --- rewards ---

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
