package proxy

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

const adminPrefix = "/_refbridge/"

// Accounts is what the admin API manages: accounts, their credentials
// and, through each account's backend, campaigns and reward rules. The
// native engine implements it.
type Accounts interface {
	CreateAccount(ctx context.Context, name string) (canonical.Account, error)
	Accounts(ctx context.Context) ([]canonical.Account, error)
	GetAccount(ctx context.Context, id string) (canonical.Account, error)
	IssueCredential(ctx context.Context, c canonical.Credential) (canonical.Credential, error)
	Credentials(ctx context.Context, accountID string) ([]canonical.Credential, error)
	RevokeCredential(ctx context.Context, accountID, credentialID string) error
	Backend(accountID string) canonical.Backend
}

// AdminOptions configures the admin API.
type AdminOptions struct {
	// Token is the admin secret, sent as "Authorization: Bearer <Token>".
	// Required: with an empty token every admin call but health is
	// refused.
	Token string
	// Accounts is what the API manages. Required.
	Accounts Accounts
	// Ready reports whether the server can serve (the store answers);
	// nil means always ready.
	Ready func(ctx context.Context) error
	// Test enables the test-mode endpoints; nil leaves them out.
	Test *TestHooks
	// MetricsPublic serves GET /_refbridge/metrics (Options.Metrics)
	// without the admin token, for a Prometheus server that holds none.
	// By default the token is required.
	MetricsPublic bool
}

// TestHooks are the test-mode operations: wiping all data and moving the
// engine's clock.
type TestHooks struct {
	// Reset deletes every account and everything in it.
	Reset func(ctx context.Context) error
	// Advance moves the clock forward by d and returns the new time.
	Advance func(d time.Duration) time.Time
}

// noteAdminRoute labels an admin request's metrics with the template of
// the route it matched.
func noteAdminRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if route := mux.CurrentRoute(r); route != nil {
			if tmpl, err := route.GetPathTemplate(); err == nil {
				surface.SetRoute(r, tmpl)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// admin serves /_refbridge/. Bodies and answers are canonical values in
// JSON; errors are {"error": {"code": …, "message": …}}.
type admin struct {
	p    *Proxy
	opts *AdminOptions
}

func newAdmin(p *Proxy, opts *AdminOptions) http.Handler {
	a := &admin{p: p, opts: opts}
	// SkipClean: an unclean path is an unknown endpoint (404), never
	// gorilla's 301 to the cleaned path, which may lie outside the API.
	r := mux.NewRouter().SkipClean(true).PathPrefix(strings.TrimSuffix(adminPrefix, "/")).Subrouter()
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.fail(w, canonical.Errorf(canonical.NotFound, "no admin endpoint %s %s", r.Method, r.URL.Path))
	})
	r.MethodNotAllowedHandler = r.NotFoundHandler
	r.Use(noteAdminRoute)
	r.HandleFunc("/health", a.health).Methods(http.MethodGet)
	r.HandleFunc("/ready", a.ready).Methods(http.MethodGet)
	a.specRoutes(r)
	a.docsRoutes(r)
	a.uiRoutes(r)
	if p.metrics != nil && opts.MetricsPublic {
		r.Handle("/metrics", p.metrics.Handler()).Methods(http.MethodGet)
	}

	s := r.NewRoute().Subrouter()
	s.Use(a.auth)
	if p.metrics != nil && !opts.MetricsPublic {
		s.Handle("/metrics", p.metrics.Handler()).Methods(http.MethodGet)
	}
	s.HandleFunc("/accounts", a.listAccounts).Methods(http.MethodGet)
	s.HandleFunc("/accounts", a.createAccount).Methods(http.MethodPost)
	s.HandleFunc("/accounts/{account}", a.getAccount).Methods(http.MethodGet)
	s.HandleFunc("/accounts/{account}/credentials", a.listCredentials).Methods(http.MethodGet)
	s.HandleFunc("/accounts/{account}/credentials", a.issueCredential).Methods(http.MethodPost)
	s.HandleFunc("/accounts/{account}/credentials/{credential}", a.revokeCredential).Methods(http.MethodDelete)
	s.HandleFunc("/accounts/{account}/campaigns", a.listCampaigns).Methods(http.MethodGet)
	s.HandleFunc("/accounts/{account}/campaigns", a.createCampaign).Methods(http.MethodPost)
	s.HandleFunc("/accounts/{account}/campaigns/{campaign}", a.getCampaign).Methods(http.MethodGet)
	s.HandleFunc("/accounts/{account}/campaigns/{campaign}", a.updateCampaign).Methods(http.MethodPatch)
	s.HandleFunc("/accounts/{account}/campaigns/{campaign}/rules", a.listRules).Methods(http.MethodGet)
	s.HandleFunc("/accounts/{account}/campaigns/{campaign}/rules", a.createRule).Methods(http.MethodPost)
	s.HandleFunc("/accounts/{account}/campaigns/{campaign}/rules/{rule}", a.updateRule).Methods(http.MethodPatch)
	s.HandleFunc("/accounts/{account}/campaigns/{campaign}/rules/{rule}", a.deleteRule).Methods(http.MethodDelete)
	a.webhookRoutes(s)
	a.debugRoutes(s)
	if opts.Test != nil {
		s.HandleFunc("/test/reset", a.reset).Methods(http.MethodPost)
		s.HandleFunc("/test/clock", a.advance).Methods(http.MethodPost)
	}
	return r
}

// auth admits requests bearing the admin token, compared in constant time.
func (a *admin) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.bearerOK(r) {
			a.fail(w, canonical.Errorf(canonical.Unauthorized, "admin token required (Authorization: Bearer <token>)"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearerOK reports whether r carries the admin token as a Bearer
// credential (never, when no token is set).
func (a *admin) bearerOK(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && a.opts.Token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(a.opts.Token)) == 1
}

func (a *admin) health(w http.ResponseWriter, _ *http.Request) {
	surface.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *admin) ready(w http.ResponseWriter, r *http.Request) {
	if a.opts.Ready != nil {
		if err := a.opts.Ready(r.Context()); err != nil {
			a.p.log.Error("readiness check failed", "err", err)
			surface.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
	}
	surface.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (a *admin) listAccounts(w http.ResponseWriter, r *http.Request) {
	out, err := a.opts.Accounts.Accounts(r.Context())
	a.answer(w, http.StatusOK, list(out), err)
}

func (a *admin) createAccount(w http.ResponseWriter, r *http.Request) {
	var in canonical.Account
	if !a.decode(w, r, &in) {
		return
	}
	if strings.TrimSpace(in.Name) == "" {
		a.fail(w, canonical.Errorf(canonical.Invalid, "Name is required"))
		return
	}
	out, err := a.opts.Accounts.CreateAccount(r.Context(), in.Name)
	a.answer(w, http.StatusCreated, out, err)
}

func (a *admin) getAccount(w http.ResponseWriter, r *http.Request) {
	out, err := a.opts.Accounts.GetAccount(r.Context(), mux.Vars(r)["account"])
	a.answer(w, http.StatusOK, out, err)
}

func (a *admin) listCredentials(w http.ResponseWriter, r *http.Request) {
	out, err := a.opts.Accounts.Credentials(r.Context(), mux.Vars(r)["account"])
	a.answer(w, http.StatusOK, list(out), err)
}

func (a *admin) issueCredential(w http.ResponseWriter, r *http.Request) {
	var in canonical.Credential
	if !a.decode(w, r, &in) {
		return
	}
	in.AccountID = mux.Vars(r)["account"]
	out, err := a.opts.Accounts.IssueCredential(r.Context(), in)
	a.answer(w, http.StatusCreated, out, err)
}

func (a *admin) revokeCredential(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	err := a.opts.Accounts.RevokeCredential(r.Context(), v["account"], v["credential"])
	if err == nil {
		a.p.Forget()
	}
	a.answer(w, http.StatusNoContent, nil, err)
}

// backend returns the account's backend after checking the account
// exists.
func (a *admin) backend(w http.ResponseWriter, r *http.Request) (canonical.Backend, bool) {
	id := mux.Vars(r)["account"]
	if _, err := a.opts.Accounts.GetAccount(r.Context(), id); err != nil {
		a.fail(w, err)
		return nil, false
	}
	return a.opts.Accounts.Backend(id), true
}

func (a *admin) listCampaigns(w http.ResponseWriter, r *http.Request) {
	b, ok := a.backend(w, r)
	if !ok {
		return
	}
	var out []canonical.Campaign
	opts := canonical.ListOptions{Limit: 100}
	for {
		page, err := b.ListCampaigns(r.Context(), opts)
		if err != nil {
			a.fail(w, err)
			return
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			break
		}
		opts.Cursor = page.NextCursor
	}
	a.answer(w, http.StatusOK, list(out), nil)
}

func (a *admin) createCampaign(w http.ResponseWriter, r *http.Request) {
	b, ok := a.backend(w, r)
	if !ok {
		return
	}
	var in canonical.Campaign
	if !a.decode(w, r, &in) {
		return
	}
	out, err := b.CreateCampaign(r.Context(), in)
	a.answer(w, http.StatusCreated, out, err)
}

func (a *admin) getCampaign(w http.ResponseWriter, r *http.Request) {
	b, ok := a.backend(w, r)
	if !ok {
		return
	}
	out, err := b.GetCampaign(r.Context(), mux.Vars(r)["campaign"])
	a.answer(w, http.StatusOK, out, err)
}

func (a *admin) updateCampaign(w http.ResponseWriter, r *http.Request) {
	b, ok := a.backend(w, r)
	if !ok {
		return
	}
	var in canonical.CampaignPatch
	if !a.decode(w, r, &in) {
		return
	}
	out, err := b.UpdateCampaign(r.Context(), mux.Vars(r)["campaign"], in)
	a.answer(w, http.StatusOK, out, err)
}

func (a *admin) listRules(w http.ResponseWriter, r *http.Request) {
	b, ok := a.backend(w, r)
	if !ok {
		return
	}
	out, err := b.ListRewardRules(r.Context(), mux.Vars(r)["campaign"])
	a.answer(w, http.StatusOK, list(out), err)
}

func (a *admin) createRule(w http.ResponseWriter, r *http.Request) {
	b, ok := a.backend(w, r)
	if !ok {
		return
	}
	var in canonical.RewardRule
	if !a.decode(w, r, &in) {
		return
	}
	out, err := b.CreateRewardRule(r.Context(), mux.Vars(r)["campaign"], in)
	a.answer(w, http.StatusCreated, out, err)
}

func (a *admin) updateRule(w http.ResponseWriter, r *http.Request) {
	b, ok := a.backend(w, r)
	if !ok {
		return
	}
	var in canonical.RewardRulePatch
	if !a.decode(w, r, &in) {
		return
	}
	v := mux.Vars(r)
	out, err := b.UpdateRewardRule(r.Context(), v["campaign"], v["rule"], in)
	a.answer(w, http.StatusOK, out, err)
}

func (a *admin) deleteRule(w http.ResponseWriter, r *http.Request) {
	b, ok := a.backend(w, r)
	if !ok {
		return
	}
	v := mux.Vars(r)
	a.answer(w, http.StatusNoContent, nil, b.DeleteRewardRule(r.Context(), v["campaign"], v["rule"]))
}

func (a *admin) reset(w http.ResponseWriter, r *http.Request) {
	err := a.opts.Test.Reset(r.Context())
	a.p.Forget()
	a.answer(w, http.StatusOK, map[string]string{"status": "reset"}, err)
}

// advance moves the clock: {"Advance": "36h"}.
func (a *admin) advance(w http.ResponseWriter, r *http.Request) {
	var in struct{ Advance string }
	if !a.decode(w, r, &in) {
		return
	}
	d, err := time.ParseDuration(in.Advance)
	if err != nil || d < 0 {
		a.fail(w, canonical.Errorf(canonical.Invalid, "Advance must be a non-negative Go duration such as \"36h\""))
		return
	}
	now := a.opts.Test.Advance(d)
	a.answer(w, http.StatusOK, map[string]time.Time{"Now": now}, nil)
}

// decode reads a JSON body into v, refusing unknown fields and what no
// surface takes either (surface.CheckJSON: text that is not UTF-8, nesting
// past canonical.MaxDepth).
func (a *admin) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		a.fail(w, canonical.Wrap(canonical.Invalid, err, "the request body could not be read"))
		return false
	}
	if err := surface.CheckJSON(body); err != nil {
		a.fail(w, err)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		a.fail(w, canonical.Wrap(canonical.Invalid, err, fmt.Sprintf("invalid JSON body: %v", err)))
		return false
	}
	return true
}

func (a *admin) answer(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		a.fail(w, err)
		return
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	surface.WriteJSON(w, status, v)
}

func (a *admin) fail(w http.ResponseWriter, err error) {
	code, msg := surface.Public(err)
	if surface.ServerFault(err) {
		a.p.log.Error("admin request failed", "err", err)
	}
	surface.WriteJSON(w, surface.Status(code), map[string]any{
		"error": map[string]string{"code": string(code), "message": msg},
	})
}

// list wraps a slice as {"items": […]}, never null.
func list[T any](items []T) map[string][]T {
	if items == nil {
		items = []T{}
	}
	return map[string][]T{"items": items}
}
