// Package referralrocket serves Referral Rocket's REST API v1 (the seven
// RPC-style operations under /api/v1/) over any canonical.Backend, so that
// a client written for Referral Rocket keeps working when pointed at
// refbridge: same paths, parameters, JSON shapes, status codes and error
// bodies.
//
// The package holds both directions. Inbound, NewSurface returns the
// surface (a surface.Surface the proxy serves). Outbound, NewBackend
// returns a canonical.Backend over Referral Rocket's real API at
// app.referralrocket.io, through the generated client in
// client/referralrocket; client.Open reaches it by the scheme that
// client/referralrocketclient registers.
//
// Authentication: the vendor documents none, and its calls are scoped by
// campaign id alone. refbridge must scope every call to one account, and a
// campaign id does not name one, so this surface requires the X-API-Key
// header (the optional key the spec models) on every call; a missing or
// unknown key answers 401 with the vendor's ErrorDetail body.
//
// Rate limits: the vendor documents none, so the surface counts nothing
// and sends no rate-limit headers.
package referralrocket

import (
	"context"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/client/referralrocket/referralrocketserver"
	"github.com/refbridge/refbridge/openapi"
)

// APIKeyHeader is the header carrying a refbridge Referral Rocket API key.
const APIKeyHeader = "X-API-Key"

// maxBody caps request bodies read by the surface.
const maxBody = 1 << 20

// Limitations lists the operations this surface cannot serve fully over
// canonical.Backend, keyed by operationId. Every documented operation is
// served, so it is empty.
var Limitations = map[string]string{}

// Surface is Referral Rocket's inbound HTTP surface.
type Surface struct{}

var _ surface.Surface = (*Surface)(nil)

// NewSurface returns the Referral Rocket surface, the inbound
// direction (NewBackend is the outbound one).
func NewSurface() *Surface {
	return &Surface{}
}

// Vendor implements surface.Surface.
func (s *Surface) Vendor() canonical.Vendor { return canonical.ReferralRocket }

// Routes implements surface.Surface: the vendor's API host, the
// /referralrocket prefix and the vendor's /api/v1/ root.
func (s *Surface) Routes() surface.Routes {
	return surface.Routes{
		Hosts:  []string{"app.referralrocket.io"},
		Prefix: "/referralrocket",
		Roots:  []string{"/api/v1/"},
	}
}

// WriteError implements surface.Surface: err in the vendor's ErrorDetail
// envelope and status.
func (s *Surface) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	(&server{}).fail(w, r, err)
}

// Handler implements surface.Surface.
func (s *Surface) Handler(cfg surface.Config) http.Handler {
	srv := &server{cfg: cfg, ids: NewIDs(cfg.IDSecret)}
	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(srv.notFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(srv.methodNotAllowed)
	doc, err := openapi.Shared(openapi.ReferralRocket)
	if err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			srv.fail(w, r, canonical.Wrap(canonical.Internal, err, "load the Referral Rocket spec"))
		})
	}
	v := surface.NewValidator(doc, "")
	mws := []mux.MiddlewareFunc{srv.authenticate, v.Middleware(srv.fail)}
	r.Use(mws...)
	referralrocketserver.HandlerWithOptions(srv, referralrocketserver.GorillaServerOptions{
		BaseRouter: r,
		BaseURL:    "",
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			srv.fail(w, r, bindingError(err))
		},
	})
	return surface.Index(r, mws...)
}

// server implements the generated ServerInterface.
type server struct {
	cfg surface.Config
	ids IDs
}

var _ referralrocketserver.ServerInterface = (*server)(nil)

// fail renders err in the vendor's error envelope; internal errors are
// logged with their details and answered with a generic message.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := inboundError(err, r.URL.Path, s.cfg.Clock())
	if status >= http.StatusInternalServerError {
		s.cfg.Log().ErrorContext(r.Context(), "referralrocket: request failed",
			"method", r.Method, "path", r.URL.Path, "err", err)
	}
	surface.WriteJSON(w, status, body)
}

// notFound answers paths the vendor does not have.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, canonical.Errorf(canonical.NotFound, "No endpoint %s %s.", r.Method, r.URL.Path))
}

// methodNotAllowed answers a known path called with the wrong method.
func (s *server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	allow := http.MethodGet
	if strings.HasSuffix(r.URL.Path, "/addParticipant") || strings.HasSuffix(r.URL.Path, "/qualifyParticipant") {
		allow = http.MethodPost
	}
	w.Header().Set("Allow", allow)
	status := http.StatusMethodNotAllowed
	surface.WriteJSON(w, status, newDetail(status, "Request method '"+r.Method+"' is not supported", r.URL.Path, s.cfg.Clock()))
}

// authenticate resolves the X-API-Key header to the caller's account.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimSpace(r.Header.Get(APIKeyHeader))
		if key == "" {
			s.fail(w, r, canonical.Errorf(canonical.Unauthorized, "Missing %s header", APIKeyHeader))
			return
		}
		if s.cfg.Tenants == nil {
			s.fail(w, r, canonical.Errorf(canonical.Internal, "no tenants configured"))
			return
		}
		cred, err := s.cfg.Tenants.Authenticate(r.Context(), canonical.ReferralRocket, canonical.APIKey, key)
		if err != nil {
			if canonical.IsCode(err, canonical.Unauthorized) {
				err = canonical.Wrap(canonical.Unauthorized, err, "Invalid API key")
			}
			s.fail(w, r, err)
			return
		}
		ctx := surface.WithCaller(r.Context(), surface.Caller{
			Credential: cred,
			Backend:    s.cfg.Tenants.Backend(cred.AccountID),
		})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// caller returns the request's authenticated caller.
func (s *server) caller(ctx context.Context) (surface.Caller, error) {
	c, ok := surface.CallerFrom(ctx)
	if !ok || c.Backend == nil {
		return c, canonical.Errorf(canonical.Unauthorized, "Missing %s header", APIKeyHeader)
	}
	return c, nil
}

// scope is one call's account and campaign.
type scope struct {
	b        canonical.Backend
	campaign canonical.Campaign
	ref      campaignRef
}

// campaign resolves a vendor campaign id for the caller. Ids that do not
// decode, campaigns of other accounts, deleted campaigns and campaigns
// outside a campaign-scoped credential are all "Campaign not found".
func (s *server) campaign(ctx context.Context, vendorID string) (scope, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return scope{}, err
	}
	// A campaign migrated from Referral Rocket keeps answering its old id.
	id, ok := surface.Legacy(ctx, c.Backend, "campaign", canonical.ReferralRocket, strings.TrimSpace(vendorID))
	if !ok {
		id, ok = s.ids.DecodeCampaignID(strings.TrimSpace(vendorID))
	}
	if !ok || (c.Credential.CampaignID != "" && c.Credential.CampaignID != id) {
		return scope{}, canonical.Errorf(canonical.NotFound, msgCampaignNotFound)
	}
	camp, err := c.Backend.GetCampaign(ctx, id)
	if err != nil {
		return scope{}, notFoundAs(err, msgCampaignNotFound)
	}
	if camp.Status == canonical.CampaignDeleted {
		return scope{}, canonical.Errorf(canonical.NotFound, msgCampaignNotFound)
	}
	rendered, ok := s.ids.EncodeCampaignID(camp.ID)
	if !ok {
		return scope{}, canonical.Errorf(canonical.Internal, "campaign ID %q cannot be encoded", camp.ID)
	}
	return scope{b: c.Backend, campaign: camp, ref: campaignRef{ID: rendered, URL: camp.URL}}, nil
}
