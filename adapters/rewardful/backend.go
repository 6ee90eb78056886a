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

// affiliateExpand is what affiliate lists expand: the campaign and the
// links (for the participant's campaign and referral code).
var affiliateExpand = []api.ListAffiliatesParamsExpand{api.ListAffiliatesParamsExpandCampaign, api.ListAffiliatesParamsExpandLinks}

// missingLastName is sent for a participant created without a last name
// (Rewardful requires one).
const missingLastName = "-"
