package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// hookReceiver records the event IDs it gets and answers status.
type hookReceiver struct {
	mu     sync.Mutex
	events []string
	status int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var p proxytest.HookPayload
	_ = json.NewDecoder(r.Body).Decode(&p)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, p.EventID)
	w.WriteHeader(h.status)
}

func (h *hookReceiver) set(status int) {
	h.mu.Lock()
	h.status = status
	h.mu.Unlock()
}

func (h *hookReceiver) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.events...)
}

// adminCall calls srv's admin API with the admin token and decodes the
// answer into out.
func adminCall(t *testing.T, srv *proxytest.Server, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, srv.URL+"/_refbridge"+path, rd)
	req.Header.Set("Authorization", "Bearer "+proxytest.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

type apiError struct {
	Error struct{ Code, Message string }
}

// TestAdminWebhooks drives subscriptions through the admin API with the
// workers running: create (events mapped through the vendor's surface,
// the secret never shown), deliveries with their state, attempts and
// last error, auto-disable and re-enable, replays of one event and since
// a time, update and delete.
func TestAdminWebhooks(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, &proxytest.Options{Webhooks: true, Vendors: []canonical.Vendor{canonical.GrowSurf},
		WebhookSurfaces: []surface.Surface{proxytest.HookSurface{Policy: surface.WebhookPolicy{Retries: []time.Duration{time.Minute}, DisableAfter: 2}}}})
	tn := srv.NewTenant(t, "acme", canonical.Campaign{})
	acct := "/accounts/" + tn.Account.ID
	rc := &hookReceiver{status: http.StatusOK}
	hs := httptest.NewServer(rc)
	t.Cleanup(hs.Close)
	ctx := context.Background()
	settle := func() {
		t.Helper()
		if err := srv.Deliveries.Settle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	join := func(email string) {
		t.Helper()
		in := canonical.NewParticipant{}
		in.CampaignID, in.Email = tn.Campaign.ID, email
		if _, _, err := tn.Backend.CreateParticipant(ctx, in); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		name string
		body any
		want string
	}{
		{"no events", map[string]any{"Vendor": proxytest.HookVendor, "URL": hs.URL}, "Events"},
		{"vendor without webhooks", map[string]any{"Vendor": "irefer", "URL": hs.URL, "Events": []string{"x"}}, "has no webhooks"},
		{"unknown field", map[string]any{"Vendor": proxytest.HookVendor, "URL": hs.URL, "Events": []string{"x"}, "Nope": 1}, "unknown field"},
		{"unknown campaign", map[string]any{"Vendor": proxytest.HookVendor, "URL": hs.URL, "Events": []string{"participant.added"}, "CampaignID": "999"}, ""},
	} {
		var e apiError
		if code := adminCall(t, srv, http.MethodPost, acct+"/webhooks", tc.body, &e); code/100 != 4 || !strings.Contains(e.Error.Message, tc.want) {
			t.Errorf("%s: %d %+v, want a 4xx saying %q", tc.name, code, e, tc.want)
		}
	}
	var ep canonical.WebhookEndpoint
	code := adminCall(t, srv, http.MethodPost, acct+"/webhooks", map[string]any{"Vendor": proxytest.HookVendor, "URL": hs.URL + "/in",
		"Events": []string{"participant.added"}, "Secret": "shh"}, &ep)
	if code != http.StatusCreated || ep.ID == "" || !ep.Enabled || ep.Secret != "" || len(ep.Kinds) != 1 || ep.Kinds[0] != canonical.ChangeParticipantAdded {
		t.Fatalf("create = %d %+v", code, ep)
	}
	var eps struct{ Items []canonical.WebhookEndpoint }
	if adminCall(t, srv, http.MethodGet, acct+"/webhooks?vendor=hooktest", nil, &eps); len(eps.Items) != 1 || eps.Items[0].Secret != "" {
		t.Fatalf("list = %+v", eps)
	}

	join("ann@example.com")
	settle()
	var ds struct {
		Items      []canonical.Delivery `json:"items"`
		NextCursor string               `json:"next_cursor"`
	}
	adminCall(t, srv, http.MethodGet, acct+"/deliveries?webhook="+ep.ID, nil, &ds)
	if len(rc.got()) != 1 || len(ds.Items) != 1 || ds.Items[0].State != canonical.DeliveryDelivered || ds.Items[0].Attempts != 1 || ds.Items[0].LastStatus != 200 {
		t.Fatalf("after a signup: received %v, deliveries %+v", rc.got(), ds)
	}
	first := ds.Items[0].EventID

	// The receiver fails twice in a row: the endpoint turns off.
	rc.set(http.StatusBadGateway)
	join("bo@example.com")
	settle()
	adminCall(t, srv, http.MethodPost, "/test/clock", map[string]string{"Advance": "1m"}, nil)
	settle()
	// Fresh values each time: false and zero fields are left out.
	ep = canonical.WebhookEndpoint{ID: ep.ID}
	adminCall(t, srv, http.MethodGet, acct+"/webhooks/"+ep.ID, nil, &ep)
	if ep.Enabled || !ep.AutoDisabled || ep.FailureCount != 2 || ep.LastFailureAt == nil {
		t.Fatalf("after 2 failures: %+v", ep)
	}
	ds.Items = nil
	adminCall(t, srv, http.MethodGet, acct+"/deliveries?state=failed&limit=5", nil, &ds)
	if len(ds.Items) != 1 || ds.Items[0].Attempts != 2 || ds.Items[0].LastStatus != 502 || !strings.Contains(ds.Items[0].LastError, "502") {
		t.Fatalf("failed deliveries = %+v", ds)
	}
	second := ds.Items[0].EventID

	rc.set(http.StatusOK)
	ep = canonical.WebhookEndpoint{ID: ep.ID}
	if code := adminCall(t, srv, http.MethodPost, acct+"/webhooks/"+ep.ID+"/enable", nil, &ep); code != 200 || !ep.Enabled || ep.AutoDisabled || ep.FailureCount != 0 {
		t.Fatalf("enable = %d %+v", code, ep)
	}
	var queued struct{ Queued int }
	for _, tc := range []struct {
		body any
		code int
		n    int
		want []string
	}{
		{map[string]any{}, 400, 0, nil},
		{map[string]any{"EventID": first, "Since": proxytest.Start}, 400, 0, nil},
		{map[string]any{"EventID": second}, 200, 1, []string{second}},
		{map[string]any{"Since": proxytest.Start}, 200, 2, []string{first, second}},
	} {
		before := len(rc.got())
		queued.Queued = 0
		if code := adminCall(t, srv, http.MethodPost, acct+"/webhooks/"+ep.ID+"/replay", tc.body, &queued); code != tc.code || queued.Queued != tc.n {
			t.Fatalf("replay %v = %d, %d queued; want %d, %d", tc.body, code, queued.Queued, tc.code, tc.n)
		}
		settle()
		if got := rc.got()[before:]; strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("replay %v delivered %v, want %v", tc.body, got, tc.want)
		}
	}

	var up canonical.WebhookEndpoint
	if code := adminCall(t, srv, http.MethodPatch, acct+"/webhooks/"+ep.ID, map[string]any{"Enabled": false, "URL": hs.URL + "/moved"}, &up); code != 200 ||
		up.Enabled || up.URL != hs.URL+"/moved" || len(up.Kinds) != 1 {
		t.Fatalf("update = %d %+v", code, up)
	}
	if code := adminCall(t, srv, http.MethodDelete, acct+"/webhooks/"+ep.ID, nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete = %d", code)
	}
	var e apiError
	if code := adminCall(t, srv, http.MethodGet, acct+"/webhooks/"+ep.ID, nil, &e); code != 404 || e.Error.Code != "not_found" {
		t.Fatalf("get deleted = %d %+v", code, e)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/_refbridge"+acct+"/webhooks", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without the token: %v, %v", resp, err)
	}
}
