package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// TestAdminWebhooksCommand manages a subscription with `refbridge admin
// webhooks …` against a running proxy whose workers deliver: create,
// list, deliveries, replay since a time, disable and enable, delete.
func TestAdminWebhooksCommand(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, &proxytest.Options{Webhooks: true, Vendors: []canonical.Vendor{canonical.GrowSurf},
		WebhookSurfaces: []surface.Surface{proxytest.HookSurface{Policy: surface.WebhookPolicy{Retries: []time.Duration{time.Minute}}}}})
	tn := srv.NewTenant(t, "acme", canonical.Campaign{})
	var hits atomic.Int32
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	t.Cleanup(rc.Close)
	ctx := context.Background()
	admin := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(ctx, append([]string{"admin", "-url", srv.URL, "-token", proxytest.AdminToken, "webhooks"}, args...), &out, &errOut); err != nil {
			t.Fatalf("webhooks %v: %v\n%s%s", args, err, out.String(), errOut.String())
		}
		return out.String()
	}
	settle := func() {
		t.Helper()
		if err := srv.Deliveries.Settle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var ep canonical.WebhookEndpoint
	created := admin("create", tn.Account.ID, `{"Vendor":"hooktest","URL":"`+rc.URL+`","Events":["participant.added"],"Secret":"shh"}`)
	if err := json.Unmarshal([]byte(created), &ep); err != nil || ep.ID == "" || strings.Contains(created, "shh") {
		t.Fatalf("create printed %s (%v)", created, err)
	}
	if out := admin("list", tn.Account.ID, "hooktest"); !strings.Contains(out, rc.URL) {
		t.Fatalf("list printed %s", out)
	}
	in := canonical.NewParticipant{}
	in.CampaignID, in.Email = tn.Campaign.ID, "ann@example.com"
	if _, _, err := tn.Backend.CreateParticipant(ctx, in); err != nil {
		t.Fatal(err)
	}
	settle()
	if out := admin("deliveries", tn.Account.ID, ep.ID, "delivered"); hits.Load() != 1 || !strings.Contains(out, `"Attempts": 1`) {
		t.Fatalf("deliveries printed %s after %d requests", out, hits.Load())
	}
	if out := admin("replay", tn.Account.ID, ep.ID, proxytest.Start.Format(time.RFC3339)); !strings.Contains(out, `"Queued": 1`) {
		t.Fatalf("replay printed %s", out)
	}
	settle()
	if hits.Load() != 2 {
		t.Fatalf("the replay made %d requests in all, want 2", hits.Load())
	}
	if out := admin("update", tn.Account.ID, ep.ID, `{"Enabled":false}`); strings.Contains(out, `"Enabled": true`) {
		t.Fatalf("update printed %s", out)
	}
	if out := admin("enable", tn.Account.ID, ep.ID); !strings.Contains(out, `"Enabled": true`) {
		t.Fatalf("enable printed %s", out)
	}
	admin("delete", tn.Account.ID, ep.ID)
	var out, errOut bytes.Buffer
	err := run(ctx, []string{"admin", "-url", srv.URL, "-token", proxytest.AdminToken, "webhooks", "get", tn.Account.ID, ep.ID}, &out, &errOut)
	if err == nil || !strings.Contains(out.String(), "not_found") {
		t.Fatalf("get after delete: %v, printed %s", err, out.String())
	}
}
