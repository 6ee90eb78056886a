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
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
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

// --- participants ---

// --- referrals ---

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

// --- vendor → canonical ---

// lookup converts one call's participants, resolving referrers' codes.
type lookup struct {
	b        *Backend
	campaign string
	// referrer, when set, is every converted participant's referrer (the
	// email a getReferrals call was made with).
	referrer string
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

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
