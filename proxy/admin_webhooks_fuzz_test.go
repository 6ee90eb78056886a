package proxy_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// FuzzAdminWebhooks sends arbitrary calls to the admin API's webhook
// endpoints: every answer is a success or a 4xx in the admin error shape,
// never a server fault.
func FuzzAdminWebhooks(f *testing.F) {
	for _, seed := range []struct{ method, path, body string }{
		{"POST", "webhooks", `{"Vendor":"hooktest","URL":"https://h.example.com","Events":["participant.added"],"Secret":"s"}`},
		{"POST", "webhooks", `{"Vendor":"growsurf","URL":"https://h.example.com","Events":["NEW_PARTICIPANT_ADDED"]}`},
		{"PATCH", "webhooks/1", `{"Enabled":false,"Events":["nope"]}`},
		{"POST", "webhooks/1/replay", `{"Since":"2026-03-10T12:00:00Z"}`},
		{"POST", "webhooks/1/replay", `{"EventID":"x"}`},
		{"POST", "webhooks/1/enable", ``},
		{"GET", "deliveries?state=failed,pending&limit=0&cursor=zz", ``},
		{"DELETE", "webhooks/99", ``},
	} {
		f.Add(seed.method, seed.path, seed.body)
	}
	srv := proxytest.New(f, &proxytest.Options{Vendors: []canonical.Vendor{canonical.GrowSurf},
		WebhookSurfaces: []surface.Surface{proxytest.HookSurface{}}})
	tn := srv.NewTenant(f, "acme", canonical.Campaign{})
	base := srv.URL + "/_refbridge/accounts/" + tn.Account.ID + "/"
	f.Fuzz(func(t *testing.T, method, path, body string) {
		switch method {
		case "GET", "POST", "PATCH", "DELETE":
		default:
			return
		}
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil || strings.ContainsFunc(req.URL.RequestURI(), func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			// Not an HTTP request at all: a space or control character
			// in the request line (the client sends a query unescaped) is
			// answered by net/http itself, before any handler.
			return
		}
		req.Header.Set("Authorization", "Bearer "+proxytest.AdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, resp.StatusCode, raw)
		}
		if resp.StatusCode >= 400 {
			var e apiError
			if err := json.Unmarshal(raw, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%s %s %q: %d not in the admin error shape: %s", method, path, body, resp.StatusCode, raw)
			}
		}
	})
}
