// Package rewardful is refbridge's inbound Rewardful REST API v1 surface:
// it answers Rewardful's paths, parameters, JSON shapes, errors,
// pagination and rate-limit headers from any canonical.Backend, so a
// client written for api.getrewardful.com keeps working when only its
// base URL changes.
//
// The package holds both directions. Inbound, NewSurface returns the
// surface (a surface.Surface the proxy serves). Outbound, NewBackend
// returns a canonical.Backend over Rewardful's real API at
// api.getrewardful.com, through the generated client in client/rewardful;
// client.Open reaches it by the scheme that client/rewardfulclient
// registers.
package rewardful

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/rewardful"
	"github.com/refbridge/refbridge/client/rewardful/rewardfulserver"
	"github.com/refbridge/refbridge/openapi"
)

// Limitations lists the operations of the spec that the canonical
// contract cannot serve for real, with the reason. They still answer in
// Rewardful's shapes.
var Limitations = map[string]string{
	"getAffiliateSso": "refbridge has no affiliate dashboard to sign in to, so no magic link can be issued; " +
		"the affiliate is looked up (404 when unknown) and the call then answers 501 {\"error\": ...}",
}

// Surface is the Rewardful surface.
type Surface struct{}

var _ surface.Surface = (*Surface)(nil)

// NewSurface returns the Rewardful surface, the inbound
// direction (NewBackend is the outbound one).
func NewSurface() *Surface { return &Surface{} }

// Vendor implements surface.Surface.
func (*Surface) Vendor() canonical.Vendor { return canonical.Rewardful }

// collections are the first path segments under /v1/ that are Rewardful's.
var collections = map[string]bool{
	"campaigns": true, "affiliates": true, "affiliate_links": true, "affiliate_coupons": true,
	"referrals": true, "commissions": true, "payouts": true,
}

// Routes implements surface.Surface. At the proxy root Rewardful shares
// /v1/ with iRefer; it claims the paths of its own collections.
func (*Surface) Routes() surface.Routes {
	return surface.Routes{
		Hosts:  []string{"api.getrewardful.com"},
		Prefix: "/rewardful",
		Roots:  []string{"/v1/"},
		Claim: func(path string) bool {
			seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/v1/"), "/")
			return collections[seg]
		},
		// Unknown paths under /v1/ that are not iRefer's get
		// Rewardful's 404.
		Fallback: true,
	}
}

// WriteError implements surface.Surface.
func (*Surface) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := inbound("", "", err)
	surface.WriteJSON(w, status, body)
}

// windows are Rewardful's documented limit, 45 requests per 30 seconds
// per account (limits), as the surface reports and enforces it.
var windows = surface.WindowsOf(limits)

// Handler implements surface.Surface.
func (s *Surface) Handler(cfg surface.Config) http.Handler {
	doc, err := openapi.Shared(openapi.Rewardful)
	if err != nil {
		cfg.Log().Error("rewardful: cannot load the spec", "error", err)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.WriteError(w, r, canonical.Wrap(canonical.Internal, err, "spec unavailable"))
		})
	}
	srv := &server{cfg: cfg, v: surface.NewValidator(doc, "/v1"), ids: newIDCodecs(cfg.IDSecret)}
	r := mux.NewRouter()
	unknown := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.fail(w, r, canonical.Errorf(canonical.NotFound, "no such path"))
	})
	// Rewardful's router answers an unknown path and a known path with
	// the wrong method alike: 404.
	r.NotFoundHandler = unknown
	r.MethodNotAllowedHandler = unknown
	mws := []mux.MiddlewareFunc{srv.auth, srv.rateLimit, srv.v.Middleware(func(w http.ResponseWriter, r *http.Request, err error) {
		srv.fail(w, r, fromValidation(err))
	})}
	r.Use(mws...)
	rewardfulserver.HandlerWithOptions(srv, rewardfulserver.GorillaServerOptions{
		BaseRouter: r,
		BaseURL:    "/v1",
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			srv.fail(w, r, fromBinding(err))
		},
	})
	// Panics are recovered by the proxy (proxy/wrap.go), which logs the
	// stack and answers in this surface's error shape; there is one
	// recovery, not one per surface.
	return surface.Index(r, mws...)
}

// server implements api.ServerInterface over the caller's backend.
type server struct {
	cfg surface.Config
	v   *surface.Validator
	ids *idCodecs
}

var _ rewardfulserver.ServerInterface = (*server)(nil)

// fail renders err in Rewardful's envelope; internal errors are logged.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	op := s.v.Operation(r)
	status, body := inbound(op, mux.Vars(r)["id"], err)
	if surface.ServerFault(err) {
		s.cfg.Log().Error("rewardful: internal error", "operation", op, "path", r.URL.Path, "error", err)
	}
	surface.WriteJSON(w, status, body)
}

// ok renders a 200 response.
func (s *server) ok(w http.ResponseWriter, v any) { surface.WriteJSON(w, http.StatusOK, v) }

// auth authenticates HTTP Basic with the API secret as the user name (the
// password is ignored; Rewardful's clients send it empty).
func (s *server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, _, ok := r.BasicAuth()
		if !ok || secret == "" {
			s.fail(w, r, canonical.Errorf(canonical.Unauthorized, "missing API secret"))
			return
		}
		cred, err := s.cfg.Tenants.Authenticate(r.Context(), canonical.Rewardful, canonical.APISecret, secret)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ctx := surface.WithCaller(r.Context(), surface.Caller{Credential: cred, Backend: s.cfg.Tenants.Backend(cred.AccountID)})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// rateLimit counts the call against the account's window and reports it in
// the RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers; an
// over-limit call fails with 429 only when limits are enforced.
func (s *server) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, ok := surface.CallerFrom(r.Context())
		if s.cfg.Limits == nil || !ok {
			next.ServeHTTP(w, r)
			return
		}
		now := s.cfg.Clock()
		u := s.cfg.Limits.Take("rewardful|"+caller.Credential.AccountID, windows, now)[0]
		h := w.Header()
		h.Set("RateLimit-Limit", fmt.Sprint(u.Limit))
		h.Set("RateLimit-Remaining", fmt.Sprint(u.Remaining))
		h.Set("RateLimit-Reset", fmt.Sprint(int64(math.Ceil(u.Reset.Sub(now).Seconds()))))
		if u.Over() && s.cfg.EnforceLimits {
			s.fail(w, r, canonical.Errorf(canonical.RateLimited, "rate limit exceeded"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// lookups returns a lookup cache over the caller's backend for one request.
func (s *server) lookups(r *http.Request) *lookups {
	c, _ := surface.CallerFrom(r.Context())
	return &lookups{ctx: r.Context(), b: c.Backend, ids: s.ids, camps: map[string]canonical.Campaign{},
		parts: map[string]canonical.Participant{}, links: map[string]canonical.Link{}}
}

// byPath resolves the id of one kind in a request path with get; an id
// that does not decode, or names nothing, is Rewardful's "<thing> not
// found: <id>".
func byPath[T any](thing string, kind idKind, id api.ID, get func(string) (T, error)) (T, error) {
	eid, ok := kind.decode(id.String())
	if !ok {
		var zero T
		return zero, notFound(thing, id.String())
	}
	v, err := get(eid)
	if canonical.IsCode(err, canonical.NotFound) {
		return v, notFound(thing, id.String())
	}
	return v, err
}

// lookups caches what one request reads more than once.
type lookups struct {
	ctx     context.Context
	b       canonical.Backend
	ids     *idCodecs
	camps   map[string]canonical.Campaign
	all     []canonical.Campaign
	allRead bool
	parts   map[string]canonical.Participant
	links   map[string]canonical.Link
}

// campaign returns a campaign by engine ID.
func (l *lookups) campaign(id string) (canonical.Campaign, error) {
	if c, ok := l.camps[id]; ok {
		return c, nil
	}
	c, err := l.b.GetCampaign(l.ctx, id)
	if err != nil {
		return c, err
	}
	l.camps[id] = c
	return c, nil
}

// campaigns returns every campaign of the account, newest first.
func (l *lookups) campaigns() ([]canonical.Campaign, error) {
	if l.allRead {
		return l.all, nil
	}
	all, err := walk(func(cursor string) (canonical.Page[canonical.Campaign], error) {
		return l.b.ListCampaigns(l.ctx, canonical.ListOptions{Limit: maxLimit, Cursor: cursor})
	})
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		l.camps[c.ID] = c
	}
	l.all, l.allRead = all, true
	return all, nil
}

// defaultCampaignID is the account's default campaign: its oldest one.
// "" when the account has none.
func (l *lookups) defaultCampaignID() (string, error) {
	all, err := l.campaigns()
	if err != nil || len(all) == 0 {
		return "", err
	}
	return all[len(all)-1].ID, nil
}

// participant returns a participant by engine ID.
func (l *lookups) participant(id string) (canonical.Participant, error) {
	if p, ok := l.parts[id]; ok {
		return p, nil
	}
	p, err := l.b.GetParticipant(l.ctx, "", canonical.ByID(id))
	if err != nil {
		return p, err
	}
	l.parts[id] = p
	return p, nil
}

// link returns a link by engine ID.
func (l *lookups) link(id string) (canonical.Link, error) {
	if k, ok := l.links[id]; ok {
		return k, nil
	}
	k, err := l.b.GetLink(l.ctx, id)
	if err != nil {
		return k, err
	}
	l.links[id] = k
	return k, nil
}

// maxPages bounds a walk through a backend list (100 items a page).
const maxPages = 100000

// walk collects every item of a cursor-paged backend list.
func walk[T any](fetch func(cursor string) (canonical.Page[T], error)) ([]T, error) {
	var all []T
	cursor := ""
	for range maxPages {
		page, err := fetch(cursor)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" || page.NextCursor == cursor {
			break
		}
		cursor = page.NextCursor
	}
	return all, nil
}

// listPage answers page (1-based) of limit items of a backend list. When
// the backend seeks op, that costs the page and a count; otherwise the
// whole list is read and cut.
func listPage[T, J any](l *lookups, op canonical.Operation, page, limit int,
	fetch func(canonical.ListOptions) (canonical.Page[T], error), render func(T) (J, error)) (list[J], error) {
	if l.b.Capabilities().Seeks(op) {
		got, err := fetch(canonical.ListOptions{Limit: limit, Offset: pageStart(page, limit), WithTotal: true})
		if err != nil {
			return list[J]{}, err
		}
		if got.Total >= 0 {
			return renderList(list[T]{Pagination: paginate(page, limit, got.Total, len(got.Items)), Data: got.Items}, render)
		}
	}
	all, err := walk(func(cursor string) (canonical.Page[T], error) {
		return fetch(canonical.ListOptions{Limit: maxLimit, Cursor: cursor})
	})
	if err != nil {
		return list[J]{}, err
	}
	return renderPage(all, page, limit, render)
}

// pageParams reads page and limit with their defaults.
func pageParams(page, limit *int) (int, int) {
	p, n := 1, defaultLimit
	if page != nil && *page > 0 {
		p = *page
	}
	if limit != nil && *limit > 0 {
		n = min(*limit, maxLimit)
	}
	return p, n
}

// multi collects a list parameter given as name[]=a&name[]=b (already
// bound into bound) or as name=a (Rewardful accepts both).
func multi[T ~string](r *http.Request, bound *[]T, name string) []string {
	var out []string
	if bound != nil {
		for _, v := range *bound {
			out = append(out, string(v))
		}
	}
	for _, v := range r.URL.Query()[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// expansions collects expand[] (checked against the operation's enum by
// the spec validator) and Rewardful's single expand=<value> form, which the
// spec cannot describe; its values are checked here against the same enum,
// so an unknown one gets the 400 an unknown expand[] gets.
func expansions[T ~string](v *surface.Validator, r *http.Request, bound *[]T) ([]string, error) {
	values := multi(r, bound, "expand")
	var allowed []string
	if rt := v.Route(r); rt != nil {
		if p := rt.Operation.Parameters.GetByInAndName("query", "expand[]"); p != nil && p.Schema != nil &&
			p.Schema.Value != nil && p.Schema.Value.Items != nil && p.Schema.Value.Items.Value != nil {
			for _, e := range p.Schema.Value.Items.Value.Enum {
				allowed = append(allowed, fmt.Sprint(e))
			}
		}
	}
	for _, x := range values {
		if !has(allowed, x) {
			return nil, badRequest("Invalid value for expand[].")
		}
	}
	return values, nil
}

func has(values []string, v string) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

// decodeRef decodes an optional filter id of a kind; ok is false when it
// was given but names nothing.
func decodeRef(k idKind, id *api.ID) (engineID string, given, ok bool) {
	if id == nil {
		return "", false, true
	}
	e, ok := k.decode(id.String())
	return e, true, ok
}
