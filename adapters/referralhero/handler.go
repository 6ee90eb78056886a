// Package referralhero serves ReferralHero's REST API v2 inbound: the
// vendor's own paths, parameters, envelopes and error bodies, answered from
// any canonical.Backend, so that clients written for ReferralHero work
// against refbridge by changing only their base URL.
//
// The package holds both directions. Inbound, NewSurface returns the
// surface (a surface.Surface the proxy serves). Outbound, NewBackend
// returns a canonical.Backend over ReferralHero's real API at
// app.referralhero.com, through the generated client in
// client/referralhero; client.Open reaches it by the scheme that
// client/referralheroclient registers.
package referralhero

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/client/referralhero/referralheroserver"
	"github.com/refbridge/refbridge/openapi"
)

// basePath is the path of the vendor's server URL
// (https://app.referralhero.com/api/v2).
const basePath = "/api/v2"

// Host is the vendor's API host.
const Host = "app.referralhero.com"

// Limitations lists the operations of the spec this surface cannot serve
// over canonical.Backend, by operationId, with the reason. Every operation
// is served.
var Limitations = map[string]string{}

// windows are ReferralHero's documented rate limits, 5,000 calls per hour
// per account (limits), as the surface reports and enforces them.
var windows = surface.WindowsOf(limits)

// Surface is ReferralHero's inbound HTTP surface.
type Surface struct {
	// log is the logger of the latest handler, for WriteError.
	log atomic.Pointer[slog.Logger]
}

var _ surface.Surface = (*Surface)(nil)

// NewSurface returns the ReferralHero surface, the inbound
// direction (NewBackend is the outbound one).
func NewSurface() *Surface { return &Surface{} }

// Vendor implements surface.Surface.
func (s *Surface) Vendor() canonical.Vendor { return canonical.ReferralHero }

// Routes implements surface.Surface: the vendor's host, /referralhero,
// and /api/v2/ at the proxy root.
func (s *Surface) Routes() surface.Routes {
	return surface.Routes{Hosts: []string{Host}, Prefix: "/referralhero", Roots: []string{basePath + "/"}}
}

// WriteError implements surface.Surface.
func (s *Surface) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	log := s.log.Load()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	writeError(w, r, log, err)
}

// Handler implements surface.Surface.
func (s *Surface) Handler(cfg surface.Config) http.Handler {
	log := cfg.Log()
	s.log.Store(log)
	h := &handler{cfg: cfg, log: log, ids: NewIDs(cfg.IDSecret)}
	doc, err := openapi.Shared(openapi.ReferralHero)
	if err != nil {
		log.Error("referralhero: loading the spec", "err", err)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, r, log, canonical.Wrap(canonical.Internal, err, "spec"))
		})
	}
	v := surface.NewValidator(doc, basePath)
	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		surface.WriteJSON(w, http.StatusNotFound, errorBody{Status: "error", Message: msgNotFoundPath})
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		surface.WriteJSON(w, http.StatusMethodNotAllowed, errorBody{Status: "error", Message: msgMethod})
	})
	mws := []mux.MiddlewareFunc{h.authenticate, h.rateLimit, v.Middleware(h.fail)}
	r.Use(mws...)
	referralheroserver.HandlerWithOptions(&server{h: h}, referralheroserver.GorillaServerOptions{
		BaseRouter: r, BaseURL: basePath, ErrorHandlerFunc: h.fail,
	})
	return surface.Index(r, mws...)
}

// handler holds what every request of one surface handler shares.
type handler struct {
	cfg surface.Config
	log *slog.Logger
	ids *IDs
}

// fail renders err in the vendor's error envelope.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, h.log, err)
}

// token finds the API token: Authorization: Bearer, X-API-Key, the
// api_token query parameter, or api_token in the body.
func token(r *http.Request) string {
	if a := strings.TrimSpace(r.Header.Get("Authorization")); a != "" {
		if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
			return strings.TrimSpace(a[7:])
		}
		return a
	}
	if k := strings.TrimSpace(r.Header.Get("X-API-Key")); k != "" {
		return k
	}
	if q := strings.TrimSpace(r.URL.Query().Get("api_token")); q != "" {
		return q
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return strings.TrimSpace(bodyToken(r))
	}
	return ""
}

// authenticate resolves the API token to the caller's account.
func (h *handler) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret := token(r)
		if secret == "" {
			h.fail(w, r, fail(http.StatusUnauthorized, codeNoToken, msgNoToken))
			return
		}
		cred, err := h.cfg.Tenants.Authenticate(r.Context(), canonical.ReferralHero, canonical.APIKey, secret)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		caller := surface.Caller{Credential: cred, Backend: h.cfg.Tenants.Backend(cred.AccountID)}
		next.ServeHTTP(w, r.WithContext(surface.WithCaller(r.Context(), caller)))
	})
}

type callsLeftKey struct{}

// rateLimit counts the call against the account's hourly window and keeps
// the remainder for the envelope's calls_left; over the limit the call
// fails with too_many_calls only when limits are enforced.
func (h *handler) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.cfg.Limits == nil {
			next.ServeHTTP(w, r)
			return
		}
		caller, _ := surface.CallerFrom(r.Context())
		usage := h.cfg.Limits.Take(string(canonical.ReferralHero)+"|"+caller.Credential.AccountID, windows, h.cfg.Clock())
		if _, over := surface.FirstOver(usage); over && h.cfg.EnforceLimits {
			h.fail(w, r, canonical.Errorf(canonical.RateLimited, msgTooManyCalls))
			return
		}
		left := usage[0].Remaining
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callsLeftKey{}, left)))
	})
}

// callsLeft is the remainder the rate-limit middleware recorded, nil when
// calls are not counted.
func callsLeft(ctx context.Context) *int {
	if n, ok := ctx.Value(callsLeftKey{}).(int); ok {
		return &n
	}
	return nil
}

// server implements the generated ServerInterface.
type server struct {
	h *handler
}

var _ referralheroserver.ServerInterface = (*server)(nil)

// call is one request's state: its caller's backend and, for list
// operations, the list.
type call struct {
	h    *handler
	w    http.ResponseWriter
	r    *http.Request
	ctx  context.Context
	b    canonical.Backend
	camp canonical.Campaign
	view listView
	// people caches referrers and reward owners looked up while rendering.
	people map[string]*canonical.Participant
}

// begin starts a call that is not about one list.
func (s *server) begin(w http.ResponseWriter, r *http.Request) (*call, bool) {
	caller, ok := surface.CallerFrom(r.Context())
	if !ok {
		s.h.fail(w, r, canonical.Errorf(canonical.Unauthorized, "no caller"))
		return nil, false
	}
	return &call{h: s.h, w: w, r: r, ctx: r.Context(), b: caller.Backend, people: map[string]*canonical.Participant{}}, true
}

// list starts a call on list uuid; an unknown or deleted list fails with
// invalid_list.
func (s *server) list(w http.ResponseWriter, r *http.Request, uuid string) (*call, bool) {
	c, ok := s.begin(w, r)
	if !ok {
		return nil, false
	}
	if err := c.open(uuid); err != nil {
		c.fail(err)
		return nil, false
	}
	return c, true
}

// open loads list uuid into the call.
func (c *call) open(uuid string) error {
	// A list migrated from ReferralHero keeps answering its old uuid.
	id, ok := surface.Legacy(c.ctx, c.b, "campaign", canonical.ReferralHero, uuid)
	if !ok {
		if id, ok = c.h.ids.CampaignID(uuid); !ok {
			return errListNotFound
		}
	}
	camp, err := c.b.GetCampaign(c.ctx, id)
	if err == nil && camp.Status == canonical.CampaignDeleted {
		err = errListNotFound
	}
	if err != nil {
		return as(err, errListNotFound)
	}
	c.camp = camp
	c.view = listView{UUID: c.h.ids.ListUUID(camp.ID), SiteURL: camp.URL, Contest: camp.Kind == canonical.ContestProgram}
	return nil
}

// fail renders err.
func (c *call) fail(err error) { c.h.fail(c.w, c.r, err) }

// ok renders data in the success envelope.
func (c *call) ok(data any) {
	surface.WriteJSON(c.w, http.StatusOK, envelope{Status: "ok", Data: data, CallsLeft: callsLeft(c.ctx),
		Timestamp: c.h.cfg.Clock().Unix()})
}

// okEncoded is ok for data already encoded (by surface.EncodeJSON, as the
// read cache keeps it): the envelope is written around the bytes, the
// same bytes ok would write, without decoding and re-encoding data.
func (c *call) okEncoded(data []byte) {
	data = bytes.TrimRight(data, "\n")
	buf := make([]byte, 0, len(data)+80)
	buf = append(buf, `{"status":"ok","data":`...)
	buf = append(buf, data...)
	buf = append(buf, `,"calls_left":`...)
	if n := callsLeft(c.ctx); n != nil {
		buf = strconv.AppendInt(buf, int64(*n), 10)
	} else {
		buf = append(buf, "null"...)
	}
	buf = append(buf, `,"timestamp":`...)
	buf = strconv.AppendInt(buf, c.h.cfg.Clock().Unix(), 10)
	buf = append(buf, "}\n"...)
	surface.WriteBody(c.w, http.StatusOK, buf)
}

// fields reads the call's merged parameters.
func (c *call) fields() (fields, bool) {
	f, err := readFields(c.r)
	if err != nil {
		c.fail(err)
		return nil, false
	}
	return f, true
}

// person returns a participant of the list by ID, cached; nil when gone.
func (c *call) person(id string) (*canonical.Participant, error) {
	if id == "" {
		return nil, nil
	}
	if p, ok := c.people[id]; ok {
		return p, nil
	}
	p, err := c.b.GetParticipant(c.ctx, c.camp.ID, canonical.ByID(id))
	if canonical.IsCode(err, canonical.NotFound) {
		c.people[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c.people[id] = &p
	return &p, nil
}

// subscriber renders p with its referrer.
func (c *call) subscriber(p canonical.Participant, response string) (subscriberJSON, error) {
	ref, err := c.person(p.ReferrerID)
	if err != nil {
		return subscriberJSON{}, err
	}
	s := renderSubscriber(c.h.ids, p, c.view, ref)
	s.Response = response
	return s, nil
}

// subscribers renders a list of participants.
func (c *call) subscribers(ps []canonical.Participant) ([]subscriberJSON, error) {
	out := make([]subscriberJSON, 0, len(ps))
	for _, p := range ps {
		s, err := c.subscriber(p, "")
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// respond renders p merged with the action string.
func (c *call) respond(p canonical.Participant, response string) {
	s, err := c.subscriber(p, response)
	if err != nil {
		c.fail(err)
		return
	}
	c.ok(s)
}

// find returns the list's participant by ref; with gate set, a subscriber
// awaiting email confirmation is not found, as the vendor hides unverified
// subscribers from lookups.
func (c *call) find(ref canonical.ParticipantRef, gate bool) (canonical.Participant, error) {
	p, err := c.b.GetParticipant(c.ctx, c.camp.ID, ref)
	if err != nil {
		return p, as(err, errSubNotFound)
	}
	if gate && awaitingOptIn(p) {
		return p, errSubNotFound
	}
	return p, nil
}

// findID returns the list's participant by subscriber id.
func (c *call) findID(subscriberID string, gate bool) (canonical.Participant, error) {
	// A subscriber migrated from ReferralHero keeps answering its old id.
	id, ok := surface.Legacy(c.ctx, c.b, "participant", canonical.ReferralHero, subscriberID)
	if !ok {
		if id, ok = c.h.ids.ParticipantID(subscriberID); !ok {
			return canonical.Participant{}, errSubNotFound
		}
	}
	return c.find(canonical.ByID(id), gate)
}

// maxPage bounds page numbers so that offsets cannot overflow.
const maxPage = 1 << 30

// pageNumber reads the optional 1-based page.
func pageNumber(p *int) int {
	if p == nil || *p < 1 {
		return 1
	}
	return min(*p, maxPage)
}

// walk pages through a cursor-paged list and returns the items of 1-based
// page `page` of size per among those keep accepts (nil keeps all), with
// their total. With stop set it returns as soon as the page is full and
// the total is -1.
func walk[T any](fetch func(cursor string) (canonical.Page[T], error), keep func(T) bool, page, per int, stop bool) ([]T, int, error) {
	from := (page - 1) * per
	out := []T{}
	total, cursor := 0, ""
	for {
		pg, err := fetch(cursor)
		if err != nil {
			return nil, 0, err
		}
		for _, it := range pg.Items {
			if keep != nil && !keep(it) {
				continue
			}
			if total >= from && total < from+per {
				out = append(out, it)
			}
			total++
			if stop && total >= from+per {
				return out, -1, nil
			}
		}
		if pg.NextCursor == "" || pg.NextCursor == cursor {
			return out, total, nil
		}
		cursor = pg.NextCursor
	}
}

// window returns page `page` of size per of items.
func window[T any](items []T, page, per int) []T {
	from := (page - 1) * per
	if from >= len(items) {
		return []T{}
	}
	return items[from:min(from+per, len(items))]
}
