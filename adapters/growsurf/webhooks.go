package growsurf

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// primaryWebhook is the id of every program's primary webhook, which
// always exists (unset until configured).
const primaryWebhook = "primary"

// nWebhookID is the GrowSurf id an engine endpoint answers to when it is
// not its codec's (the primary webhook, webhooks converted from a
// campaign's Native).
const nWebhookID = "webhookId"

// webhook is one of a program's webhooks, wherever it is kept: an engine
// endpoint (endpoint set), or a campaign's Native list when the backend
// keeps no endpoints (and for the primary webhook until it has a URL).
// The secret is never shown.
type webhook struct {
	ID            string   `json:"id"`
	PayloadURL    *string  `json:"payloadUrl"`
	Events        []string `json:"events"`
	IsEnabled     bool     `json:"isEnabled"`
	Secret        string   `json:"secret,omitempty"`
	FailureCount  int      `json:"failureCount"`
	LastFailureAt *int64   `json:"lastFailureAt"`
	AutoDisabled  bool     `json:"autoDisabled,omitempty"`
	// endpoint is the engine endpoint behind the webhook, if any.
	endpoint *canonical.WebhookEndpoint
	// clearSecret is set by an update that removes the secret (Secret is
	// then ""), which the engine would otherwise keep.
	clearSecret bool
}

// webhookOut is GrowSurf's Webhook.
type webhookOut struct {
	ID                        string   `json:"id"`
	PayloadURL                *string  `json:"payloadUrl"`
	Events                    []string `json:"events"`
	IsEnabled                 bool     `json:"isEnabled"`
	AutoDisabledDueToFailures bool     `json:"autoDisabledDueToFailures"`
	FailureCount              int      `json:"failureCount"`
	LastFailureAt             *int64   `json:"lastFailureAt"`
}

func (h webhook) out() webhookOut {
	return webhookOut{ID: h.ID, PayloadURL: h.PayloadURL, Events: append([]string{}, h.Events...), IsEnabled: h.IsEnabled,
		AutoDisabledDueToFailures: h.AutoDisabled, FailureCount: h.FailureCount, LastFailureAt: h.LastFailureAt}
}

// fromEndpoint is the webhook an engine endpoint is.
func fromEndpoint(ids *idCodecs, e canonical.WebhookEndpoint) webhook {
	id := e.Native.String(vendor, nWebhookID)
	if id == "" {
		id = ids.webhook.encode(e.ID)
	}
	url := e.URL
	return webhook{ID: id, PayloadURL: &url, Events: append([]string{}, e.Events...), IsEnabled: e.Enabled, Secret: e.Secret,
		FailureCount: e.FailureCount, LastFailureAt: msPtr(e.LastFailureAt), AutoDisabled: e.AutoDisabled, endpoint: &e}
}

// endpoint is the engine endpoint h is (or becomes) in campaign c.
func (h webhook) toEndpoint(c canonical.Campaign, kinds []canonical.ChangeKind) canonical.WebhookEndpoint {
	e := canonical.WebhookEndpoint{Vendor: canonical.GrowSurf, CampaignID: c.ID, Events: append([]string{}, h.Events...), Kinds: kinds,
		Secret: h.Secret, ClearSecret: h.clearSecret && h.Secret == "", Enabled: h.IsEnabled}
	if h.PayloadURL != nil {
		e.URL = *h.PayloadURL
	}
	if h.endpoint != nil {
		e.ID, e.Native = h.endpoint.ID, h.endpoint.Native
	} else if h.ID != "" {
		// The primary webhook and the ids of webhooks kept in Native
		// before keep answering.
		e.Native.Set(vendor, nWebhookID, h.ID)
	}
	return e
}

// nativeWebhooks reads the webhooks kept in a campaign's Native.
func nativeWebhooks(c canonical.Campaign) []webhook {
	var hooks []webhook
	if raw, ok := c.Native.Get(vendor, nWebhooks); ok {
		b, _ := json.Marshal(raw)
		_ = json.Unmarshal(b, &hooks)
	}
	return hooks
}

// withPrimary puts the primary webhook first, unset when hooks lack it.
func withPrimary(hooks []webhook) []webhook {
	if i := slices.IndexFunc(hooks, func(h webhook) bool { return h.ID == primaryWebhook }); i > 0 {
		p := hooks[i]
		hooks = append([]webhook{p}, slices.Delete(hooks, i, i+1)...)
	} else if i < 0 {
		hooks = append([]webhook{{ID: primaryWebhook, Events: []string{}}}, hooks...)
	}
	return hooks
}

// saveNative stores a campaign's Native webhooks.
func saveNative(ctx context.Context, b canonical.Backend, c canonical.Campaign, hooks []webhook, seq *int) error {
	var patch canonical.CampaignPatch
	raw := make([]any, 0, len(hooks))
	for _, h := range hooks {
		raw = append(raw, jsonObject(h))
	}
	patch.Native.Set(vendor, nWebhooks, raw)
	if seq != nil {
		patch.Native.Set(vendor, nWebhookSeq, float64(*seq))
	}
	_, err := b.UpdateCampaign(ctx, c.ID, patch)
	return err
}

func eventStrings(evs *[]api.WebhookEvent) []string {
	out := []string{}
	if evs != nil {
		for _, e := range *evs {
			out = append(out, string(e))
		}
	}
	return out
}

// hookSet is a program's webhooks in one request.
type hookSet struct {
	c *call
	// wh is the backend's endpoint store; nil when it keeps none (a real
	// vendor behind an outbound backend): then webhooks live in the
	// campaign's Native, as they always did.
	wh    canonical.Webhooks
	ids   *idCodecs
	hooks []webhook
}

// webhooks loads the program's webhooks. Over a backend that keeps
// endpoints, webhooks that still live in the campaign's Native (stored
// before endpoints existed) become endpoints on this first touch, keeping
// their ids; a webhook without a URL (the primary one, unset) stays in
// Native until it gets one.
func (s *server) webhooks(c *call) (*hookSet, error) {
	set := &hookSet{c: c, ids: s.ids}
	native := nativeWebhooks(c.camp)
	wh, ok := c.b.(canonical.Webhooks)
	if !ok {
		set.hooks = withPrimary(native)
		return set, nil
	}
	set.wh = wh
	eps, err := wh.ListWebhookEndpoints(c.ctx, canonical.WebhookEndpointQuery{Vendor: canonical.GrowSurf, CampaignID: c.camp.ID})
	if err != nil {
		return nil, err
	}
	for _, e := range eps {
		h := fromEndpoint(s.ids, e)
		if set.has(h.ID) {
			// Two first touches converted the same Native webhook at once:
			// the older endpoint stays, so events are delivered once.
			if err := wh.DeleteWebhookEndpoint(c.ctx, e.ID); err != nil && !canonical.IsCode(err, canonical.NotFound) {
				return nil, err
			}
			continue
		}
		set.hooks = append(set.hooks, h)
	}
	var keep []webhook
	converted := false
	for _, h := range native {
		if h.PayloadURL == nil || canonical.CheckWebhookURL(*h.PayloadURL) != nil {
			// Without a URL it cannot be an endpoint yet; nor with one
			// an earlier version stored unchecked that is not one.
			if !set.has(h.ID) {
				keep = append(keep, h)
			}
			continue
		}
		converted = true
		if set.has(h.ID) {
			continue // converted already; Native was not cleared
		}
		e, err := set.create(h)
		if err != nil {
			return nil, err
		}
		set.hooks = append(set.hooks, e)
	}
	if converted {
		if err := saveNative(c.ctx, c.b, c.camp, keep, nil); err != nil {
			return nil, err
		}
	}
	set.hooks = withPrimary(append(keep, set.hooks...))
	return set, nil
}

// has reports whether the set holds webhook id.
func (set *hookSet) has(id string) bool {
	return slices.ContainsFunc(set.hooks, func(h webhook) bool { return h.ID == id })
}

// find locates {webhookId}.
func (set *hookSet) find(id string) (int, error) {
	i := slices.IndexFunc(set.hooks, func(h webhook) bool { return h.ID == id })
	if i < 0 {
		return -1, notFound("Webhook not found.")
	}
	return i, nil
}

// kinds are the changes h's events subscribe to.
func (set *hookSet) kinds(h webhook) ([]canonical.ChangeKind, error) {
	kinds, err := webhookEvents.Kinds(canonical.GrowSurf, h.Events)
	if err != nil {
		return nil, badField("events", "INVALID_EVENT", "Invalid webhook event.")
	}
	return kinds, nil
}

// create makes h an engine endpoint.
func (set *hookSet) create(h webhook) (webhook, error) {
	kinds, err := set.kinds(h)
	if err != nil {
		return webhook{}, err
	}
	e, err := set.wh.CreateWebhookEndpoint(set.c.ctx, h.toEndpoint(set.c.camp, kinds))
	if err != nil {
		return webhook{}, err
	}
	return fromEndpoint(set.ids, e), nil
}

// save stores webhook i after a change: as its endpoint, as a new
// endpoint when it just got a URL, or in Native.
func (set *hookSet) save(i int) error {
	h := set.hooks[i]
	hasURL := h.PayloadURL != nil && *h.PayloadURL != ""
	if hasURL && canonical.CheckWebhookURL(*h.PayloadURL) != nil {
		return badField("payloadUrl", "INVALID_PAYLOAD_URL", "Invalid payload URL.")
	}
	switch {
	case set.wh != nil && h.endpoint != nil:
		kinds, err := set.kinds(h)
		if err != nil {
			return err
		}
		if !hasURL {
			return badField("payloadUrl", "INVALID_PAYLOAD_URL", "Invalid payload URL.")
		}
		e, err := set.wh.UpdateWebhookEndpoint(set.c.ctx, h.toEndpoint(set.c.camp, kinds))
		if err != nil {
			return err
		}
		set.hooks[i] = fromEndpoint(set.ids, e)
	case set.wh != nil && hasURL:
		e, err := set.create(h)
		if err != nil {
			return err
		}
		set.hooks[i] = e
		// It left Native.
		return set.saveNative(nil)
	default:
		return set.saveNative(nil)
	}
	return nil
}

// saveNative stores the Native webhooks of the set.
func (set *hookSet) saveNative(seq *int) error {
	var hooks []webhook
	for _, h := range set.hooks {
		if h.endpoint == nil {
			hooks = append(hooks, h)
		}
	}
	return saveNative(set.c.ctx, set.c.b, set.c.camp, hooks, seq)
}

// ListWebhooks implements api.ServerInterface.
func (s *server) ListWebhooks(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	set, err := s.webhooks(c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Webhooks []webhookOut `json:"webhooks"`
	}{Webhooks: []webhookOut{}}
	for _, h := range set.hooks {
		out.Webhooks = append(out.Webhooks, h.out())
	}
	s.ok(w, out)
}

// CreateWebhook implements api.ServerInterface.
func (s *server) CreateWebhook(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.CreateWebhookRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	set, err := s.webhooks(c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := webhook{PayloadURL: &in.PayloadUrl, Events: eventStrings(in.Events), IsEnabled: true}
	if in.IsEnabled != nil {
		h.IsEnabled = *in.IsEnabled
	}
	if in.Secret != nil {
		h.Secret = *in.Secret
	}
	if set.wh != nil {
		if canonical.CheckWebhookURL(strings.TrimSpace(in.PayloadUrl)) != nil {
			s.fail(w, r, badField("payloadUrl", "INVALID_PAYLOAD_URL", "Invalid payload URL."))
			return
		}
		if h, err = set.create(h); err != nil {
			s.fail(w, r, err)
			return
		}
		s.ok(w, h.out())
		return
	}
	seq := 1
	if v, ok := c.camp.Native.Get(vendor, nWebhookSeq); ok {
		if f, ok := v.(float64); ok {
			seq = int(f) + 1
		}
	}
	h.ID = "wh_" + strconv.Itoa(seq+1)
	set.hooks = append(set.hooks, h)
	if err := set.saveNative(&seq); err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, h.out())
}

// UpdateWebhook implements api.ServerInterface.
func (s *server) UpdateWebhook(w http.ResponseWriter, r *http.Request, id api.CampaignId, webhookID api.WebhookId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		api.UpdateWebhookRequest
		// Secret tells an absent secret (kept) from a null one (removed,
		// as "" is); it hides the request's own field.
		Secret json.RawMessage `json:"secret"`
	}
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	var secret *string
	if len(in.Secret) > 0 {
		if err := json.Unmarshal(in.Secret, &secret); err != nil {
			s.fail(w, r, canonical.Wrap(canonical.Invalid, err, "invalid request body"))
			return
		}
		if secret == nil {
			secret = new(string)
		}
	}
	set, err := s.webhooks(c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i, err := set.find(webhookID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := &set.hooks[i]
	if in.PayloadUrl != nil {
		h.PayloadURL = in.PayloadUrl
	}
	if in.Events != nil {
		h.Events = eventStrings(in.Events)
	}
	if in.IsEnabled != nil {
		h.IsEnabled = *in.IsEnabled
		if h.IsEnabled && h.endpoint == nil {
			h.FailureCount = 0
		}
	}
	if secret != nil {
		// "" or null removes the secret; an absent one keeps it.
		h.Secret, h.clearSecret = *secret, *secret == ""
	}
	if err := set.save(i); err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, set.hooks[i].out())
}

// DeleteWebhook implements api.ServerInterface. Deleting the primary
// webhook resets it.
func (s *server) DeleteWebhook(w http.ResponseWriter, r *http.Request, id api.CampaignId, webhookID api.WebhookId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	set, err := s.webhooks(c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i, err := set.find(webhookID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if e := set.hooks[i].endpoint; e != nil {
		err = set.wh.DeleteWebhookEndpoint(c.ctx, e.ID)
	} else {
		if webhookID == primaryWebhook {
			set.hooks[i] = webhook{ID: primaryWebhook, Events: []string{}}
		} else {
			set.hooks = slices.Delete(set.hooks, i, i+1)
		}
		err = set.saveNative(nil)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, api.DeleteResult{Id: webhookID, Success: true})
}

// TestWebhook implements api.ServerInterface: it posts a sample event to
// the webhook URL, signed like GrowSurf's deliveries when a secret is set.
func (s *server) TestWebhook(w http.ResponseWriter, r *http.Request, id api.CampaignId, webhookID api.WebhookId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.TestWebhookRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	set, err := s.webhooks(c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i, err := set.find(webhookID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := set.hooks[i]
	if h.PayloadURL == nil || *h.PayloadURL == "" {
		s.fail(w, r, badField("payloadUrl", "MISSING_PAYLOAD_URL", "The webhook has no payload URL."))
		return
	}
	event := ""
	if in.Event != nil {
		event = string(*in.Event)
	} else if len(h.Events) > 0 {
		event = h.Events[0]
	}
	if event == "" {
		s.fail(w, r, badField("event", "MISSING_EVENT", "The webhook has no enabled event to test."))
		return
	}
	now := s.cfg.Clock()
	payload := map[string]any{"event": event, "createdAt": ms(now), "data": map[string]any{
		"campaign":    map[string]any{"id": s.ids.campaign.encode(c.camp.ID), "name": c.camp.Name},
		"participant": map[string]any{"id": "test", "email": "test@example.com"},
		"test":        true,
	}}
	body, _ := json.Marshal(payload)
	out := struct {
		Success  bool           `json:"success"`
		Payload  map[string]any `json:"payload"`
		Response map[string]any `json:"response"`
	}{Payload: payload, Response: map[string]any{}}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, *h.PayloadURL, bytes.NewReader(body))
	if err != nil {
		out.Response["msg"] = "invalid payload URL"
		s.ok(w, out)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	if h.Secret != "" {
		req.Header.Set(signatureHeader, sign(h.Secret, now, body))
	}
	resp, err := s.cfg.OutboundClient().Do(req)
	if err != nil {
		out.Response["msg"] = "delivery failed"
		s.ok(w, out)
		return
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	out.Success = resp.StatusCode >= 200 && resp.StatusCode < 300
	out.Response["statusCode"] = resp.StatusCode
	out.Response["msg"] = string(msg)
	s.ok(w, out)
}
