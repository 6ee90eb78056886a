package surface

import (
	"net/http"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// WebhookSurface is a Surface whose vendor calls its customers back. The
// proxy's delivery workers render each queued change through the
// endpoint's vendor, so a change made through any surface reaches every
// subscribed endpoint in that endpoint's vendor's shape.
type WebhookSurface interface {
	Surface
	// Webhooks returns the surface's webhook renderer for an installation
	// (cfg carries the ID secret the payloads' IDs are rendered with).
	Webhooks(cfg Config) Webhooks
}

// Webhooks renders one vendor's webhooks.
type Webhooks interface {
	// Kinds maps the vendor's event names, as a subscription lists them,
	// to the canonical change kinds they cover; an unknown name is
	// canonical Invalid naming it.
	Kinds(events []string) ([]canonical.ChangeKind, error)
	// Render builds the request that delivers change to endpoint: the
	// vendor's payload and headers (signature included when the endpoint
	// has a secret), stamped at the attempt's time. ok is false when the
	// vendor announces nothing for this change (the delivery is then
	// done). deliveryID is the same on every attempt of one delivery.
	Render(change canonical.Change, endpoint canonical.WebhookEndpoint, deliveryID string, at time.Time) (req WebhookRequest, ok bool, err error)
	// Policy is the vendor's documented (or chosen, and documented)
	// retry schedule.
	Policy() WebhookPolicy
}

// WebhookRequest is one POST to a webhook endpoint.
type WebhookRequest struct {
	Body   []byte
	Header http.Header
}

// WebhookPolicy is how a vendor retries and gives up.
type WebhookPolicy struct {
	// Retries are the waits before each retry after a failed attempt:
	// len(Retries) retries, then the delivery fails (undeliverable).
	Retries []time.Duration
	// DisableAfter consecutive failed attempts turn the endpoint off
	// (AutoDisabled); 0 never does.
	DisableAfter int
	// Timeout bounds one attempt.
	Timeout time.Duration
	// Success reports whether a response status acknowledges the
	// delivery (nil: any 2xx).
	Success func(status int) bool
}
