package engine_test

import (
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/engine"
)

// TestWebhookEndpointsAndDeliveries: an endpoint subscribed to a kind gets
// a pending delivery of each change of that kind, in its campaign or in
// every campaign; disabling and re-enabling keeps the queue; a replay
// queues the same changes again.
func TestWebhookEndpointsAndDeliveries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wh := e.b.(canonical.Webhooks)
	c := e.campaign(canonical.Campaign{})
	_, err := wh.CreateWebhookEndpoint(e.ctx, canonical.WebhookEndpoint{Vendor: canonical.GrowSurf})
	wantCode(t, err, canonical.Invalid)
	_, err = wh.CreateWebhookEndpoint(e.ctx, canonical.WebhookEndpoint{Vendor: canonical.GrowSurf, URL: "hooks.example.com/in"})
	wantCode(t, err, canonical.Invalid)
	_, err = wh.CreateWebhookEndpoint(e.ctx, canonical.WebhookEndpoint{Vendor: canonical.GrowSurf, URL: "https://h.example.com", CampaignID: "999"})
	wantCode(t, err, canonical.NotFound)
	ep, err := wh.CreateWebhookEndpoint(e.ctx, canonical.WebhookEndpoint{Vendor: canonical.GrowSurf, URL: " https://h.example.com/in ",
		CampaignID: c.ID, Events: []string{"NEW_PARTICIPANT_ADDED"}, Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded},
		Secret: "shh", Enabled: true})
	if err != nil || ep.ID == "" || ep.URL != "https://h.example.com/in" || ep.AccountID != e.b.(*engine.Account).ID() {
		t.Fatalf("create = %+v, %v", ep, err)
	}
	ann := e.join(c.ID, "ann@example.com", canonical.ParticipantRef{})
	changes, err := wh.ListChanges(e.ctx, canonical.ChangeQuery{CampaignID: c.ID, Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}})
	if err != nil || len(changes.Items) != 1 || changes.Items[0].Kind != canonical.ChangeParticipantAdded ||
		changes.Items[0].Participant == nil || changes.Items[0].Participant.ID != ann.ID || !changes.Items[0].At.Equal(start) {
		t.Fatalf("changes = %+v, %v", changes.Items, err)
	}
	ds, err := wh.ListDeliveries(e.ctx, canonical.DeliveryQuery{EndpointID: ep.ID})
	if err != nil || len(ds.Items) != 1 || ds.Items[0].EventID != changes.Items[0].ID || ds.Items[0].State != canonical.DeliveryPending {
		t.Fatalf("deliveries = %+v, %v", ds.Items, err)
	}
	// The secret is kept when an update leaves it out; re-enabling clears
	// the failure state.
	ep.Enabled, ep.Secret = false, ""
	ep, err = wh.UpdateWebhookEndpoint(e.ctx, ep)
	if err != nil || ep.Secret != "shh" || ep.Enabled {
		t.Fatalf("update = %+v, %v", ep, err)
	}
	e.join(c.ID, "bo@example.com", canonical.ParticipantRef{})
	if ds, _ = wh.ListDeliveries(e.ctx, canonical.DeliveryQuery{EndpointID: ep.ID}); len(ds.Items) != 1 {
		t.Errorf("a disabled endpoint got %d deliveries, want the one from before", len(ds.Items))
	}
	n, err := wh.ReplayDeliveries(e.ctx, ep.ID, canonical.ChangeQuery{})
	if err != nil || n != 2 {
		t.Errorf("replay queued %d, %v; want both signups", n, err)
	}
	if err := wh.DeleteWebhookEndpoint(e.ctx, ep.ID); err != nil {
		t.Fatal(err)
	}
	_, err = wh.GetWebhookEndpoint(e.ctx, ep.ID)
	wantCode(t, err, canonical.NotFound)
}

// TestReplayKeepsToTheEndpointsCampaign: a replay to an endpoint of one
// campaign queues that campaign's events only, as fan-out does; asking
// for another campaign's is refused.
func TestReplayKeepsToTheEndpointsCampaign(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wh := e.b.(canonical.Webhooks)
	mine, other := e.campaign(canonical.Campaign{Name: "mine"}), e.campaign(canonical.Campaign{Name: "other"})
	ep, err := wh.CreateWebhookEndpoint(e.ctx, canonical.WebhookEndpoint{Vendor: canonical.GrowSurf, URL: "https://h.example.com/in",
		CampaignID: mine.ID, Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	e.join(mine.ID, "ann@example.com", canonical.ParticipantRef{})
	e.join(other.ID, "bo@example.com", canonical.ParticipantRef{})
	e.join(other.ID, "cy@example.com", canonical.ParticipantRef{})
	n, err := wh.ReplayDeliveries(e.ctx, ep.ID, canonical.ChangeQuery{})
	if err != nil || n != 1 {
		t.Errorf("replay queued %d, %v; want the one signup of the endpoint's campaign", n, err)
	}
	_, err = wh.ReplayDeliveries(e.ctx, ep.ID, canonical.ChangeQuery{CampaignID: other.ID})
	wantCode(t, err, canonical.Invalid)
	ds, err := wh.ListDeliveries(e.ctx, canonical.DeliveryQuery{EndpointID: ep.ID})
	if err != nil || len(ds.Items) != 2 {
		t.Fatalf("deliveries %+v, %v; want the signup and its replay", ds.Items, err)
	}
	for _, d := range ds.Items {
		c, err := wh.ListChanges(e.ctx, canonical.ChangeQuery{EventID: d.EventID})
		if err != nil || len(c.Items) != 1 || c.Items[0].CampaignID != mine.ID {
			t.Errorf("delivery of event %s: %+v, %v; want campaign %s's", d.EventID, c.Items, err, mine.ID)
		}
	}
}
