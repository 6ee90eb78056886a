package referralhero

// This file is the OUTBOUND side of the package: a canonical.Backend that
// drives ReferralHero's REST API v2 (or refbridge's proxy serving it)
// through the generated client. Its mapping is the inverse of the inbound
// surface's (mapping.go): vendor JSON → canonical values, canonical input →
// vendor requests.
//
// IDs on this side are the vendor's own: campaign IDs are list uuids
// (MF…), participant IDs subscriber ids (sub_…), reward rule IDs bonus ids,
// earned reward IDs unlocked-reward ids, coupon group IDs rh… ids and
// transaction IDs transaction record ids. A referral is a subscriber with
// referred true, so a Referral's ID is the referred subscriber's id.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/pace"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// DefaultBaseURL is ReferralHero's production API, the server URL of the
// spec.
const DefaultBaseURL = "https://app.referralhero.com/api/v2"

// BackendOptions configures a Backend.
type BackendOptions struct {
	// BaseURL is the API's base URL, including /api/v2; empty means
	// DefaultBaseURL. Point it at refbridge's proxy (…/api/v2 or
	// …/referralhero/api/v2) to use the proxy as the vendor.
	BaseURL string
	// APIToken is the account's API token (Dashboard › Account › API). The
	// Backend sends it as `Authorization: Bearer <token>`, the form the
	// vendor documents as preferred (the spec's bearerAuth scheme); it
	// keeps the token out of URLs and access logs, unlike the original
	// api_token query parameter.
	APIToken string
	// HTTPClient performs the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Limiter, when set, paces every request, e.g.
	// pace.New(DocumentedLimits()...) to stay under the vendor's limits
	// (client.Open does that by default); nil sends at once.
	Limiter *pace.Limiter
}

// limits are ReferralHero's documented per-account request limits: the
// one source of how the backend paces (DocumentedLimits) and of what the
// surface reports and enforces.
var limits = []pace.Window{{Name: "hour", Requests: 5000, Per: time.Hour}}

// DocumentedLimits is ReferralHero's soft per-account request limit:
// 5,000 calls an hour.
func DocumentedLimits() []pace.Window { return slices.Clone(limits) }

// Backend is canonical.Backend over ReferralHero's REST API v2. Build it
// with NewBackend. It is safe for concurrent use.
type Backend struct {
	c       *api.ClientWithResponses
	limiter *pace.Limiter
}

// Limiter returns the limiter pacing the backend's requests, nil when
// none does.
func (b *Backend) Limiter() *pace.Limiter { return b.limiter }

var _ canonical.Backend = (*Backend)(nil)

// NewBackend returns the outbound Backend for the account whose API
// token options carries (a nil options has none: Invalid).
func NewBackend(options *BackendOptions) (*Backend, error) {
	var opts BackendOptions
	if options != nil {
		opts = *options
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	if strings.TrimSpace(opts.APIToken) == "" {
		return nil, canonical.Errorf(canonical.Invalid, "referralhero: an API token is required")
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	tok := strings.TrimSpace(opts.APIToken)
	c, err := api.NewClientWithResponses(base, api.WithHTTPClient(pace.Paced(hc, opts.Limiter)),
		api.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Accept", "application/json")
			return nil
		}))
	if err != nil {
		return nil, canonical.Wrap(canonical.Invalid, err, "referralhero: invalid base URL")
	}
	return &Backend{c: c, limiter: opts.Limiter}, nil
}

// As is the escape hatch for what the canonical contract does not cover,
// in go-cloud's style: it sets target to the generated typed client and
// reports true when target is a **api.ClientWithResponses (or an
// *api.ClientWithResponsesInterface / *api.ClientInterface), where api is
// github.com/refbridge/refbridge/client/referralhero:
//
//	var c *api.ClientWithResponses
//	if b.As(&c) {
//		resp, err := c.ListLevel2ReferralsWithResponse(ctx, uuid, subscriberID, nil)
//		…
//	}
//
// The client sends the Backend's credential and uses its HTTP client.
func (b *Backend) As(target any) bool {
	switch t := target.(type) {
	case **api.ClientWithResponses:
		*t = b.c
	case *api.ClientWithResponsesInterface:
		*t = b.c
	case *api.ClientInterface:
		*t = b.c.ClientInterface
	default:
		return false
	}
	return true
}

// supported lists the operations ReferralHero's API can perform.
var supported = []canonical.Operation{
	"ListCampaigns", "GetCampaign", "CreateCampaign", "ListRewardRules",
	"CreateParticipant", "GetParticipant", "ListParticipants", "UpdateParticipant", "DeleteParticipant",
	"AddPoints", "Leaderboard",
	"ListReferrals", "TrackConversion", "ConfirmReferral",
	"ListEarnedRewards", "GetEarnedReward", "SetRewardStatus", "PromoteParticipant", "GrantReward",
	"CreateTransaction",
	"CreateCouponGroup", "AddCoupons", "ListCouponGroups", "GetCouponGroup",
}

// Capabilities implements canonical.Backend: exactly the operations the
// vendor's API performs. Every other method answers NotImplemented without
// any request.
func (b *Backend) Capabilities() canonical.Capabilities {
	ops := make([]canonical.Operation, len(supported))
	copy(ops, supported)
	return canonical.Capabilities{Backend: string(canonical.ReferralHero), Operations: ops}
}

// unsupported is the answer of every operation the vendor's API lacks.
func unsupported(op, why string) error {
	return canonical.Errorf(canonical.NotImplemented, "referralhero: %s is not supported: %s", op, why)
}

// response is what every generated *…Response offers.
type response interface {
	StatusCode() int
	GetBody() []byte
}

// check turns a generated call's outcome into an error: a body that does
// not decode is Internal, a transport failure is coded by
// canonical.TransportCode (Unavailable, DeadlineExceeded, Canceled); a
// non-2xx status or a body whose status
// is "error" (the vendor sometimes answers errors with 200) goes through
// fromVendor with badRequest as the code of a code-less 400.
func check(resp response, err error, badRequest canonical.Code) error {
	if err != nil {
		var (
			syntax *json.SyntaxError
			typ    *json.UnmarshalTypeError
		)
		if errors.As(err, &syntax) || errors.As(err, &typ) {
			return canonical.Wrap(canonical.Internal, err, "referralhero: malformed response")
		}
		return canonical.Transport(err, "referralhero: request failed")
	}
	status, body := resp.StatusCode(), resp.GetBody()
	if status < 200 || status > 299 {
		return fromVendor(status, body, badRequest)
	}
	var head struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(body, &head) == nil && head.Status == string(api.StatusError) {
		return fromVendor(status, body, badRequest)
	}
	return nil
}

// decodeData decodes the envelope's data from body into out.
func decodeData(body []byte, out any) error {
	env := struct {
		Data any `json:"data"`
	}{Data: out}
	if err := json.Unmarshal(body, &env); err != nil {
		return canonical.Wrap(canonical.Internal, err, "referralhero: malformed response")
	}
	return nil
}

// jsonUnmarshal decodes a whole body (un-enveloped answers).
func jsonUnmarshal(body []byte, out any) error {
	if err := json.Unmarshal(body, out); err != nil {
		return canonical.Wrap(canonical.Internal, err, "referralhero: malformed response")
	}
	return nil
}

// subscriberOf decodes a subscriber envelope's data.
func subscriberOf(body []byte, campaignID string) (canonical.Participant, error) {
	var s api.Subscriber
	if err := decodeData(body, &s); err != nil {
		return canonical.Participant{}, err
	}
	if s.Id == "" {
		return canonical.Participant{}, canonical.Errorf(canonical.Internal, "referralhero: response without a subscriber")
	}
	return participantOf(s, campaignID), nil
}

// Cursors are opaque: base64url of "<vendor page>.<offset in page>".

// resumeAt is where a listing resumes: a 1-based vendor page and an
// offset into it.
type resumeAt struct{ page, off int }

func (p resumeAt) cursor() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(p.page) + "." + strconv.Itoa(p.off)))
}

// parseCursor decodes a cursor; "" is the start.
func parseCursor(c string) (resumeAt, error) {
	if c == "" {
		return resumeAt{page: 1}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		a, b, ok := strings.Cut(string(raw), ".")
		page, err1 := strconv.Atoi(a)
		off, err2 := strconv.Atoi(b)
		if ok && err1 == nil && err2 == nil && page >= 1 && off >= 0 && page <= 1<<30 {
			return resumeAt{page: page, off: off}, nil
		}
	}
	return resumeAt{}, canonical.Errorf(canonical.Invalid, "malformed cursor")
}

// maxLimit is the largest page a listing returns; vendor pages are
// gathered up to it.
const maxLimit = 100

// maxScan bounds how many vendor pages one listing reads.
const maxScan = 1000

// fetchFunc reads one vendor page.
type fetchFunc[T any] func(page int) ([]T, api.Pagination, error)

// paged turns the vendor's fixed-size numbered pages into a canonical page
// of opts.Limit items (default def): it resumes at the cursor's position,
// keeps the items keep accepts (nil keeps all), and gathers vendor pages
// until the page is full. Total is the vendor's total_objects when keep is
// nil, else -1.
func paged[T any](opts canonical.ListOptions, def int, fetch fetchFunc[T], keep func(T) bool) (canonical.Page[T], error) {
	pos, err := parseCursor(opts.Cursor)
	if err != nil {
		return canonical.Page[T]{}, err
	}
	limit := opts.Limit
	switch {
	case limit <= 0:
		limit = def
	case limit > maxLimit:
		limit = maxLimit
	}
	out := canonical.Page[T]{Items: []T{}, Total: -1}
	for range maxScan {
		items, pg, err := fetch(pos.page)
		if err != nil {
			return canonical.Page[T]{}, err
		}
		if keep == nil {
			out.Total = pg.TotalObjects
		}
		i := pos.off
		for ; i < len(items) && len(out.Items) < limit; i++ {
			if keep == nil || keep(items[i]) {
				out.Items = append(out.Items, items[i])
			}
		}
		if i < len(items) {
			out.NextCursor = resumeAt{page: pos.page, off: i}.cursor()
			return out, nil
		}
		if len(items) == 0 || pos.page >= pg.TotalPages {
			return out, nil
		}
		pos = resumeAt{page: pos.page + 1}
		if len(out.Items) >= limit {
			out.NextCursor = pos.cursor()
			return out, nil
		}
	}
	out.NextCursor = pos.cursor()
	return out, nil
}

// needCampaign refuses a call without the campaign the vendor's paths
// need.
func needCampaign(campaignID string) error {
	if campaignID == "" {
		return canonical.Errorf(canonical.Invalid, "referralhero needs the campaign (list uuid) for this call")
	}
	return nil
}

// unixTime converts the vendor's Unix seconds.
func unixTime(v *int64) time.Time {
	if v == nil || *v == 0 {
		return time.Time{}
	}
	return time.Unix(*v, 0).UTC()
}

// unixTimePtr converts optional Unix seconds.
func unixTimePtr(v *int64) *time.Time {
	if v == nil || *v == 0 {
		return nil
	}
	t := time.Unix(*v, 0).UTC()
	return &t
}

// deref returns *p or the zero value.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// ptr returns a pointer to v, nil for the zero value.
func ptr[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// cents converts a vendor amount in currency units to minor units.
func cents(v float64) int64 {
	if v >= 0 {
		return int64(v*100 + 0.5)
	}
	return int64(v*100 - 0.5)
}

// decimal renders minor units as a decimal amount in currency units.
func decimal(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100)
}
