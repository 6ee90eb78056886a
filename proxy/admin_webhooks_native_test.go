package proxy_test

import (
	"net/http"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// TestAdminWebhookNative: an endpoint's vendor options (Referral Rocket's
// secretEncoding) are set on create, kept by updates that leave them out,
// and replaced by updates that give them.
func TestAdminWebhookNative(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, &proxytest.Options{Webhooks: true, Vendors: []canonical.Vendor{canonical.GrowSurf},
		WebhookSurfaces: []surface.Surface{referralrocket.NewSurface()}})
	tn := srv.NewTenant(t, "acme", canonical.Campaign{})
	acct := "/accounts/" + tn.Account.ID
	var ep canonical.WebhookEndpoint
	if code := adminCall(t, srv, http.MethodPost, acct+"/webhooks", map[string]any{"Vendor": "referralrocket", "URL": "https://h.example.com",
		"Events": []string{"referrer_added"}, "Secret": "8f2a61c0", "Native": map[string]any{"referralrocket": map[string]any{"secretEncoding": "hex"}}},
		&ep); code != http.StatusCreated || ep.Native.String(canonical.ReferralRocket, "secretEncoding") != "hex" {
		t.Fatalf("create = %d %+v", code, ep)
	}
	var up canonical.WebhookEndpoint
	if code := adminCall(t, srv, http.MethodPatch, acct+"/webhooks/"+ep.ID, map[string]any{"URL": "https://h.example.com/2"}, &up); code != 200 ||
		up.Native.String(canonical.ReferralRocket, "secretEncoding") != "hex" {
		t.Fatalf("update without Native = %d %+v", code, up)
	}
	up = canonical.WebhookEndpoint{}
	if code := adminCall(t, srv, http.MethodPatch, acct+"/webhooks/"+ep.ID, map[string]any{"Native": map[string]any{}}, &up); code != 200 ||
		up.Native.String(canonical.ReferralRocket, "secretEncoding") != "" {
		t.Fatalf("update clearing Native = %d %+v", code, up)
	}
}
