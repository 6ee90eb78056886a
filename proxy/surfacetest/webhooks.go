package surfacetest

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	checks "github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/proxy/store"
)

// QueuedWebhooks subscribes an enabled endpoint of the surface's vendor
// (with a secret) to events through the engine, runs act, which changes
// things through the surface, and renders each delivery the engine
// queued for the endpoint, oldest first, with the surface's renderer of
// this installation, as a delivery worker would. Every queued delivery
// must render. It returns the endpoint and what rendered (Event unset:
// the body names it).
func (e *Env) QueuedWebhooks(t *testing.T, events []string, act func()) (canonical.WebhookEndpoint, []checks.Rendered) {
	t.Helper()
	ws, ok := e.Surface.(surface.WebhookSurface)
	if !ok {
		t.Fatalf("the %s surface renders no webhooks", e.Surface.Vendor())
	}
	hooks := ws.Webhooks(surface.Config{IDSecret: e.Engine.IDSecret()})
	kinds, err := hooks.Kinds(events)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	wh := e.Backend.(canonical.Webhooks)
	ep, err := wh.CreateWebhookEndpoint(ctx, canonical.WebhookEndpoint{Vendor: e.Surface.Vendor(), URL: "https://hooks.example.com/refbridge",
		Events: events, Kinds: kinds, Secret: "whsec_queued", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	act()
	ds, err := wh.ListDeliveries(ctx, canonical.DeliveryQuery{EndpointID: ep.ID, ListOptions: canonical.ListOptions{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	changes, err := wh.ListChanges(ctx, canonical.ChangeQuery{ListOptions: canonical.ListOptions{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]canonical.Change{}
	for _, c := range changes.Items {
		byID[c.ID] = c
	}
	var out []checks.Rendered
	for _, d := range slices.Backward(ds.Items) {
		c, found := byID[d.EventID]
		if !found || d.State != canonical.DeliveryPending {
			t.Fatalf("delivery %+v: its event is not logged, or it is not pending", d)
		}
		req, ok, err := hooks.Render(c, ep, d.ID, e.Clock.Now())
		if err != nil || !ok {
			t.Fatalf("the queued %s change %s does not render: %v, %v", c.Kind, c.ID, ok, err)
		}
		out = append(out, checks.Rendered{Change: c, Request: req})
	}
	return ep, out
}

// FailEndpoint records failures consecutive failed attempts, the last one
// at the given time, on webhook endpoint id of the env's first tenant, as
// the delivery workers do; with disable it also turns the endpoint off, as
// they do when the vendor's policy gives up on it.
func (e *Env) FailEndpoint(t testing.TB, id string, failures int, at time.Time, disable bool) {
	t.Helper()
	acct, _ := strconv.ParseInt(e.Account.ID, 10, 64)
	n, _ := strconv.ParseInt(id, 10, 64)
	err := e.Store.Update(context.Background(), func(tx store.Tx) error {
		ep, err := tx.GetEndpoint(context.Background(), acct, n)
		if err != nil {
			return err
		}
		ep.FailureCount, ep.LastFailureAt = failures, &at
		if disable {
			ep.Enabled, ep.AutoDisabled = false, true
		}
		return tx.UpdateEndpoint(context.Background(), acct, &ep)
	})
	if err != nil {
		t.Fatal(err)
	}
}
