package proxy

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// The admin API's webhook endpoints: subscriptions for the vendors whose
// customers configure webhooks in a dashboard (Rewardful, ReferralHero,
// Referral Rocket; GrowSurf's are also reachable through its own REST
// API), their deliveries, replays and re-enabling.

// webhookRoutes adds the webhook endpoints to the authenticated router.
func (a *admin) webhookRoutes(s *mux.Router) {
	s.HandleFunc("/accounts/{account}/webhooks", a.listWebhooks).Methods(http.MethodGet)
	s.HandleFunc("/accounts/{account}/webhooks", a.createWebhook).Methods(http.MethodPost)
	s.HandleFunc("/accounts/{account}/webhooks/{webhook}", a.getWebhook).Methods(http.MethodGet)
	s.HandleFunc("/accounts/{account}/webhooks/{webhook}", a.updateWebhook).Methods(http.MethodPatch)
	s.HandleFunc("/accounts/{account}/webhooks/{webhook}", a.deleteWebhook).Methods(http.MethodDelete)
	s.HandleFunc("/accounts/{account}/webhooks/{webhook}/enable", a.enableWebhook).Methods(http.MethodPost)
	s.HandleFunc("/accounts/{account}/webhooks/{webhook}/replay", a.replayWebhook).Methods(http.MethodPost)
	s.HandleFunc("/accounts/{account}/deliveries", a.listDeliveries).Methods(http.MethodGet)
}

// webhookIn is an endpoint as the admin API takes it. Events are the
// vendor's own event names, mapped to change kinds by the vendor's
// surface. On create Vendor, URL and Events are required and Enabled
// defaults to true; on update what is left out is kept.
type webhookIn struct {
	Vendor     *canonical.Vendor
	CampaignID *string
	URL        *string
	Events     *[]string
	Secret     *string
	Enabled    *bool
	// Native holds vendor options of the endpoint (Referral Rocket's
	// secretEncoding "hex" keys signatures with the hex-decoded secret);
	// given, it replaces the stored options.
	Native *canonical.Native
}

// replayIn selects what a replay sends again: one event, or every event
// at or after Since.
type replayIn struct {
	EventID string
	Since   time.Time
}

// webhooks returns the account's webhook side after checking the account
// exists.
func (a *admin) webhooks(w http.ResponseWriter, r *http.Request) (canonical.Webhooks, bool) {
	b, ok := a.backend(w, r)
	if !ok {
		return nil, false
	}
	wh, ok := b.(canonical.Webhooks)
	if !ok {
		a.fail(w, canonical.Errorf(canonical.NotImplemented, "this backend keeps no webhooks"))
	}
	return wh, ok
}

// shown is an endpoint as the API answers it: its secret never leaves.
func shown(e canonical.WebhookEndpoint) canonical.WebhookEndpoint {
	e.Secret = ""
	return e
}

func (a *admin) listWebhooks(w http.ResponseWriter, r *http.Request) {
	wh, ok := a.webhooks(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	out, err := wh.ListWebhookEndpoints(r.Context(), canonical.WebhookEndpointQuery{
		Vendor: canonical.Vendor(q.Get("vendor")), CampaignID: q.Get("campaign")})
	for i := range out {
		out[i] = shown(out[i])
	}
	a.answer(w, http.StatusOK, list(out), err)
}

func (a *admin) getWebhook(w http.ResponseWriter, r *http.Request) {
	wh, ok := a.webhooks(w, r)
	if !ok {
		return
	}
	out, err := wh.GetWebhookEndpoint(r.Context(), mux.Vars(r)["webhook"])
	a.answer(w, http.StatusOK, shown(out), err)
}

func (a *admin) createWebhook(w http.ResponseWriter, r *http.Request) {
	wh, ok := a.webhooks(w, r)
	if !ok {
		return
	}
	var in webhookIn
	if !a.decode(w, r, &in) {
		return
	}
	if in.Vendor == nil || in.URL == nil || in.Events == nil || len(*in.Events) == 0 {
		a.fail(w, canonical.Errorf(canonical.Invalid, "a webhook needs Vendor, URL and Events (the vendor's event names)"))
		return
	}
	e := canonical.WebhookEndpoint{Enabled: true}
	if err := a.applyWebhook(&e, in); err != nil {
		a.fail(w, err)
		return
	}
	out, err := wh.CreateWebhookEndpoint(r.Context(), e)
	a.answer(w, http.StatusCreated, shown(out), err)
}

func (a *admin) updateWebhook(w http.ResponseWriter, r *http.Request) {
	var in webhookIn
	if !a.decode(w, r, &in) {
		return
	}
	a.changeWebhook(w, r, func(e *canonical.WebhookEndpoint) error { return a.applyWebhook(e, in) })
}

// changeWebhook applies change to the endpoint the path names and
// stores it.
func (a *admin) changeWebhook(w http.ResponseWriter, r *http.Request, change func(*canonical.WebhookEndpoint) error) {
	wh, ok := a.webhooks(w, r)
	if !ok {
		return
	}
	e, err := wh.GetWebhookEndpoint(r.Context(), mux.Vars(r)["webhook"])
	if err != nil {
		a.fail(w, err)
		return
	}
	// The engine keeps the stored secret when an update leaves it empty.
	e.Secret = ""
	if err := change(&e); err != nil {
		a.fail(w, err)
		return
	}
	out, err := wh.UpdateWebhookEndpoint(r.Context(), e)
	a.answer(w, http.StatusOK, shown(out), err)
}

// applyWebhook sets what in gives on e, mapping the events to kinds
// through the vendor's surface whenever the vendor or the events change.
func (a *admin) applyWebhook(e *canonical.WebhookEndpoint, in webhookIn) error {
	if in.Vendor != nil {
		e.Vendor = *in.Vendor
	}
	if in.CampaignID != nil {
		e.CampaignID = *in.CampaignID
	}
	if in.URL != nil {
		e.URL = *in.URL
	}
	if in.Secret != nil {
		e.Secret = *in.Secret
	}
	if in.Enabled != nil {
		e.Enabled = *in.Enabled
	}
	if in.Events != nil {
		e.Events = *in.Events
	}
	if in.Native != nil {
		e.Native = *in.Native
	}
	if in.Vendor == nil && in.Events == nil {
		return nil
	}
	hooks := a.p.hooks[e.Vendor]
	if hooks == nil {
		var have []string
		for v := range a.p.hooks {
			have = append(have, string(v))
		}
		slices.Sort(have)
		return canonical.Errorf(canonical.Invalid, "vendor %q has no webhooks; these do: %s", e.Vendor, strings.Join(have, ", "))
	}
	kinds, err := hooks.Kinds(e.Events)
	if err != nil {
		return err
	}
	e.Kinds = kinds
	return nil
}

func (a *admin) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	wh, ok := a.webhooks(w, r)
	if !ok {
		return
	}
	a.answer(w, http.StatusNoContent, nil, wh.DeleteWebhookEndpoint(r.Context(), mux.Vars(r)["webhook"]))
}

// enableWebhook turns an endpoint back on, clearing AutoDisabled and its
// failure count; its pending deliveries resume.
func (a *admin) enableWebhook(w http.ResponseWriter, r *http.Request) {
	a.changeWebhook(w, r, func(e *canonical.WebhookEndpoint) error {
		e.Enabled = true
		return nil
	})
}

// replayWebhook queues again, to one endpoint, one event or every event
// since a time (those the endpoint subscribes to): {"Queued": n}.
func (a *admin) replayWebhook(w http.ResponseWriter, r *http.Request) {
	wh, ok := a.webhooks(w, r)
	if !ok {
		return
	}
	var in replayIn
	if !a.decode(w, r, &in) {
		return
	}
	if (in.EventID == "") == in.Since.IsZero() {
		a.fail(w, canonical.Errorf(canonical.Invalid, "a replay takes EventID (one event) or Since (every event at or after a time), not both"))
		return
	}
	n, err := wh.ReplayDeliveries(r.Context(), mux.Vars(r)["webhook"], canonical.ChangeQuery{EventID: in.EventID, Since: in.Since})
	a.answer(w, http.StatusOK, map[string]int{"Queued": n}, err)
}

// listDeliveries pages the account's deliveries, newest first, by the
// query parameters webhook, event, state (comma-separated), cursor and
// limit: {"items": […], "next_cursor": "…"}.
func (a *admin) listDeliveries(w http.ResponseWriter, r *http.Request) {
	wh, ok := a.webhooks(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	dq := canonical.DeliveryQuery{EndpointID: q.Get("webhook"), EventID: q.Get("event")}
	dq.Cursor = q.Get("cursor")
	for _, s := range strings.Split(q.Get("state"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			dq.States = append(dq.States, canonical.DeliveryState(s))
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			a.fail(w, canonical.Errorf(canonical.Invalid, "limit must be a positive integer"))
			return
		}
		dq.Limit = n
	}
	page, err := wh.ListDeliveries(r.Context(), dq)
	if page.Items == nil {
		page.Items = []canonical.Delivery{}
	}
	a.answer(w, http.StatusOK, map[string]any{"items": page.Items, "next_cursor": page.NextCursor}, err)
}
