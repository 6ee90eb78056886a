package growsurf

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/pace"
	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// DefaultBaseURL is GrowSurf's production API, the server URL of
// openapi/growsurf.yaml.
const DefaultBaseURL = "https://api.growsurf.com/v2"

// BackendOptions configures NewBackend.
type BackendOptions struct {
	// BaseURL is the API root including /v2; empty means DefaultBaseURL.
	// Against refbridge's proxy it is the proxy's URL + "/v2" (or + the
	// /growsurf/v2 prefix).
	BaseURL string
	// APIKey is the program owner's GrowSurf API key, sent as
	// "Authorization: Bearer <key>". Required.
	APIKey string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Limiter, when set, paces every request, e.g.
	// pace.New(DocumentedLimits()...) to stay under the vendor's limits
	// (client.Open does that by default); nil sends at once.
	Limiter *pace.Limiter
}

// limits are GrowSurf's documented per-API-key request limits, with its
// names for them: the one source of how the backend paces
// (DocumentedLimits) and of what the surface reports and enforces.
var limits = []pace.Window{
	{Name: "SECOND", Requests: 30, Per: 5 * time.Second},
	{Name: "MINUTE", Requests: 200, Per: time.Minute},
	{Name: "HOUR", Requests: 10_000, Per: time.Hour},
}

// DocumentedLimits are GrowSurf's per-API-key request limits: 30
// requests per 5 seconds, 200 per minute and 10,000 per hour. (GrowSurf
// also delays writes beyond 60 a minute and allows 3 concurrent
// connections per IP; neither fails a request paced to these.)
func DocumentedLimits() []pace.Window { return slices.Clone(limits) }

// Backend is the OUTBOUND GrowSurf backend: canonical.Backend implemented
// over GrowSurf's REST API through the generated client.
//
// IDs are GrowSurf's own: campaign IDs are program ids, participant IDs
// participant ids, reward rule IDs campaign reward ids and referral IDs the
// ids of GrowSurf's referral rows. GrowSurf addresses earned rewards,
// commissions and payouts only inside a program (and earned rewards are
// only listed per participant), while the canonical contract addresses
// them by ID alone, so their canonical IDs carry that context:
// "<programId>:<participantId>:<participantRewardId>" for earned rewards,
// "<programId>:<commissionId>" and "<programId>:<payoutId>" for
// commissions and payouts (the last part is GrowSurf's id).
//
// Operations GrowSurf's API cannot perform answer NotImplemented without
// any request; Capabilities lists the others. For anything the canonical
// contract does not cover use As to reach the generated typed client.
// A Backend keeps no state between calls and is safe for concurrent use.
type Backend struct {
	c       *api.ClientWithResponses
	limiter *pace.Limiter
}

// Limiter returns the limiter pacing the backend's requests, nil when
// none does.
func (b *Backend) Limiter() *pace.Limiter { return b.limiter }

var _ canonical.Backend = (*Backend)(nil)

// NewBackend returns the outbound Backend for one GrowSurf account, whose
// API key options carries (a nil options has none: Invalid).
func NewBackend(options *BackendOptions) (*Backend, error) {
	var opts BackendOptions
	if options != nil {
		opts = *options
	}
	if strings.TrimSpace(opts.APIKey) == "" {
		return nil, canonical.Errorf(canonical.Invalid, "growsurf: an API key is required")
	}
	base := opts.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	key := opts.APIKey
	c, err := api.NewClientWithResponses(base, api.WithHTTPClient(pace.Paced(hc, opts.Limiter)),
		api.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+key)
			return nil
		}))
	if err != nil {
		return nil, canonical.Wrap(canonical.Invalid, err, "growsurf: invalid base URL")
	}
	return &Backend{c: c, limiter: opts.Limiter}, nil
}

// As exposes the generated typed client, go-cloud style, for everything
// the canonical contract does not cover (webhooks, design, emails,
// analytics windows, bulk delete, invites, ...):
//
//	var c *api.ClientWithResponses // api "github.com/refbridge/refbridge/client/growsurf"
//	if b.As(&c) { resp, err := c.ListWebhooksWithResponse(ctx, programID) ... }
//
// It reports whether target was a **api.ClientWithResponses or a
// *api.ClientWithResponsesInterface and was set.
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

// supported are the operations GrowSurf's REST API can perform, sorted.
var supported = []canonical.Operation{
	"ApproveCommission",
	"ApproveReward",
	"CampaignStats",
	"CancelReferralTrigger",
	"CreateCampaign",
	"CreateParticipant",
	"CreateRewardRule",
	"CreateTransaction",
	"DeleteCommission",
	"DeleteParticipant",
	"DeleteReward",
	"DeleteRewardRule",
	"FulfillReward",
	"GetCampaign",
	"GetCommission",
	"GetEarnedReward",
	"GetParticipant",
	"GetPayout",
	"Leaderboard",
	"ListCampaigns",
	"ListCommissions",
	"ListEarnedRewards",
	"ListParticipants",
	"ListPayouts",
	"ListReferrals",
	"ListRewardRules",
	"RefundTransaction",
	"TriggerReferral",
	"UpdateCampaign",
	"UpdateParticipant",
	"UpdateRewardRule",
}

// Capabilities implements canonical.Backend: exactly the operations
// GrowSurf's API can perform.
func (b *Backend) Capabilities() canonical.Capabilities {
	return canonical.Capabilities{Backend: string(canonical.GrowSurf), Operations: append([]canonical.Operation(nil), supported...)}
}

// notImplemented is the answer of every operation GrowSurf cannot perform.
func notImplemented(op string, why string) error {
	return canonical.Errorf(canonical.NotImplemented, "growsurf: %s is not supported: %s", op, why)
}

// response is what every generated response type offers.
type response[T any] interface {
	StatusCode() int
	GetBody() []byte
	GetJSON200() *T
}

// result reads a generated client's answer: the decoded 200 body, or the
// mapped error.
func result[T any, R response[T]](resp R, err error) (*T, error) {
	if err != nil {
		return nil, transportError(err)
	}
	if st := resp.StatusCode(); st != http.StatusOK {
		ce := fromVendor(st, resp.GetBody())
		var ae *APIError
		if st == http.StatusTooManyRequests && errors.As(ce, &ae) {
			ae.Wait = surface.RetryAfter(surface.ResponseHeader(resp))
		}
		return nil, ce
	}
	v := resp.GetJSON200()
	if v == nil {
		return nil, canonical.Errorf(canonical.Internal, "growsurf: unexpected response")
	}
	return v, nil
}

// ------------------------------------------------------------------ IDs

// idSep joins the parts of composite IDs; GrowSurf ids never contain it.
const idSep = ":"

func joinID(parts ...string) string { return strings.Join(parts, idSep) }

// splitID splits a composite ID of n non-empty parts; a malformed ID is
// NotFound (no such entity can exist).
func splitID(id string, n int, what string) ([]string, error) {
	parts := strings.Split(id, idSep)
	if len(parts) != n {
		return nil, canonical.Errorf(canonical.NotFound, "%s %q not found", what, id)
	}
	for _, p := range parts {
		if p == "" {
			return nil, canonical.Errorf(canonical.NotFound, "%s %q not found", what, id)
		}
	}
	return parts, nil
}

// needCampaign refuses an empty campaign ID.
func needCampaign(id string) error {
	if strings.TrimSpace(id) == "" {
		return canonical.Errorf(canonical.NotFound, "campaign not found: growsurf needs a program id")
	}
	return nil
}

// participantKey is the {participantIdOrEmail} path segment of a ref:
// GrowSurf addresses participants by id or email only.
func participantKey(ref canonical.ParticipantRef) (string, error) {
	switch {
	case ref.ID != "":
		return ref.ID, nil
	case ref.Email != "":
		return strings.TrimSpace(ref.Email), nil
	case ref.Identifier != "" && strings.Contains(ref.Identifier, "@"):
		return strings.TrimSpace(ref.Identifier), nil
	case ref.Code != "", ref.Identifier != "":
		return "", canonical.Errorf(canonical.Invalid, "growsurf addresses participants by id or email only, not by %s", ref)
	}
	return "", canonical.Errorf(canonical.Invalid, "no participant given")
}

// pageLimitOut is the limit query parameter of a list: nil for the
// vendor's default, at most 100.
func pageLimitOut(n int) *int {
	if n <= 0 {
		return nil
	}
	return ptr(min(n, 100))
}

// cursorOut is the nextId query parameter of a cursor.
func cursorOut(c string) *string {
	if c == "" {
		return nil
	}
	return &c
}
