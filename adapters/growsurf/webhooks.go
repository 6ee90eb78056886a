package growsurf

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// primaryWebhook is the id of every program's primary webhook, which
// always exists (unset until configured).
const primaryWebhook = "primary"

// webhook is a stored webhook; the secret never leaves the store.
type webhook struct {
	ID            string   `json:"id"`
	PayloadURL    *string  `json:"payloadUrl"`
	Events        []string `json:"events"`
	IsEnabled     bool     `json:"isEnabled"`
	Secret        string   `json:"secret,omitempty"`
	FailureCount  int      `json:"failureCount"`
	LastFailureAt *int64   `json:"lastFailureAt"`
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
		FailureCount: h.FailureCount, LastFailureAt: h.LastFailureAt}
}

// webhooksOf reads a campaign's webhooks, the primary one first.
func webhooksOf(c canonical.Campaign) []webhook {
	var hooks []webhook
	if raw, ok := c.Native.Get(vendor, nWebhooks); ok {
		b, _ := json.Marshal(raw)
		_ = json.Unmarshal(b, &hooks)
	}
	if !slices.ContainsFunc(hooks, func(h webhook) bool { return h.ID == primaryWebhook }) {
		hooks = append([]webhook{{ID: primaryWebhook, Events: []string{}}}, hooks...)
	}
	return hooks
}

// saveWebhooks stores a campaign's webhooks.
func saveWebhooks(ctx context.Context, b canonical.Backend, c canonical.Campaign, hooks []webhook, seq *int) error {
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

// ListWebhooks implements api.ServerInterface.
func (s *server) ListWebhooks(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Webhooks []webhookOut `json:"webhooks"`
	}{Webhooks: []webhookOut{}}
	for _, h := range webhooksOf(c.camp) {
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
	seq := 1
	if v, ok := c.camp.Native.Get(vendor, nWebhookSeq); ok {
		if f, ok := v.(float64); ok {
			seq = int(f) + 1
		}
	}
	h := webhook{ID: "wh_" + strconv.Itoa(seq+1), PayloadURL: &in.PayloadUrl, Events: eventStrings(in.Events), IsEnabled: true}
	if in.IsEnabled != nil {
		h.IsEnabled = *in.IsEnabled
	}
	if in.Secret != nil {
		h.Secret = *in.Secret
	}
	hooks := append(webhooksOf(c.camp), h)
	if err := saveWebhooks(c.ctx, c.b, c.camp, hooks, &seq); err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, h.out())
}

// findWebhook locates {webhookId}.
func findWebhook(hooks []webhook, id string) (int, error) {
	i := slices.IndexFunc(hooks, func(h webhook) bool { return h.ID == id })
	if i < 0 {
		return -1, notFound("Webhook not found.")
	}
	return i, nil
}

// UpdateWebhook implements api.ServerInterface.
func (s *server) UpdateWebhook(w http.ResponseWriter, r *http.Request, id api.CampaignId, webhookID api.WebhookId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.UpdateWebhookRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	hooks := webhooksOf(c.camp)
	i, err := findWebhook(hooks, webhookID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := &hooks[i]
	if in.PayloadUrl != nil {
		h.PayloadURL = in.PayloadUrl
	}
	if in.Events != nil {
		h.Events = eventStrings(in.Events)
	}
	if in.IsEnabled != nil {
		h.IsEnabled = *in.IsEnabled
		if h.IsEnabled {
			h.FailureCount = 0
		}
	}
	if in.Secret != nil {
		h.Secret = *in.Secret
	}
	if err := saveWebhooks(c.ctx, c.b, c.camp, hooks, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, h.out())
}

// DeleteWebhook implements api.ServerInterface. Deleting the primary
// webhook resets it.
func (s *server) DeleteWebhook(w http.ResponseWriter, r *http.Request, id api.CampaignId, webhookID api.WebhookId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hooks := webhooksOf(c.camp)
	i, err := findWebhook(hooks, webhookID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if webhookID == primaryWebhook {
		hooks[i] = webhook{ID: primaryWebhook, Events: []string{}}
	} else {
		hooks = slices.Delete(hooks, i, i+1)
	}
	if err := saveWebhooks(c.ctx, c.b, c.camp, hooks, nil); err != nil {
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
	hooks := webhooksOf(c.camp)
	i, err := findWebhook(hooks, webhookID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := hooks[i]
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
