package proxytest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// HookVendor is the vendor of HookSurface's endpoints.
const HookVendor canonical.Vendor = "hooktest"

// HookSurface is a vendor surface with webhooks only, for testing
// delivery apart from any vendor's payloads: it renders a change as a
// HookPayload with the event ID also in the X-Event-Id header, announces
// every change but those of participants whose email starts with
// "quiet", and retries by Policy. Its event names are the change kinds.
type HookSurface struct{ Policy surface.WebhookPolicy }

// HookPayload is the body HookSurface renders.
type HookPayload struct {
	EventID    string               `json:"id"`
	DeliveryID string               `json:"delivery"`
	Kind       canonical.ChangeKind `json:"kind"`
	At         time.Time            `json:"at"`
}

// Vendor implements surface.Surface.
func (HookSurface) Vendor() canonical.Vendor { return HookVendor }

// Routes implements surface.Surface: the surface serves no requests.
func (HookSurface) Routes() surface.Routes { return surface.Routes{} }

// Handler implements surface.Surface.
func (HookSurface) Handler(surface.Config) http.Handler { return http.NotFoundHandler() }

// WriteError implements surface.Surface.
func (HookSurface) WriteError(w http.ResponseWriter, _ *http.Request, err error) {
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

// Webhooks implements surface.WebhookSurface.
func (s HookSurface) Webhooks(surface.Config) surface.Webhooks { return hookRenderer{s.Policy} }

type hookRenderer struct{ policy surface.WebhookPolicy }

func (hookRenderer) Kinds(events []string) ([]canonical.ChangeKind, error) {
	out := make([]canonical.ChangeKind, len(events))
	for i, e := range events {
		out[i] = canonical.ChangeKind(e)
	}
	return out, nil
}

func (hookRenderer) Render(c canonical.Change, _ canonical.WebhookEndpoint, deliveryID string, at time.Time) (surface.WebhookRequest, bool, error) {
	if c.Participant != nil && strings.HasPrefix(c.Participant.Email, "quiet") {
		return surface.WebhookRequest{}, false, nil
	}
	body, err := json.Marshal(HookPayload{EventID: c.ID, DeliveryID: deliveryID, Kind: c.Kind, At: at})
	return surface.WebhookRequest{Body: body, Header: http.Header{"X-Event-Id": {c.ID}}}, true, err
}

func (h hookRenderer) Policy() surface.WebhookPolicy { return h.policy }
