package growsurf_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
)

// endpoints lists the campaign's GrowSurf endpoints in the engine.
func endpoints(t *testing.T, h *harness) []canonical.WebhookEndpoint {
	t.Helper()
	wh, ok := h.env.Backend.(canonical.Webhooks)
	if !ok {
		t.Fatal("the engine backend keeps no webhook endpoints")
	}
	eps, err := wh.ListWebhookEndpoints(context.Background(), canonical.WebhookEndpointQuery{Vendor: canonical.GrowSurf, CampaignID: h.env.Campaign.ID})
	if err != nil {
		t.Fatal(err)
	}
	return eps
}

func TestWebhooksAreEngineEndpoints(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	base := "/campaign/" + h.campaignID("Spring launch")
	created := must(t, h.do("POST", base+"/webhooks", map[string]any{"payloadUrl": "https://hooks.example.com/a",
		"events": []string{"NEW_PARTICIPANT_ADDED", "PARTICIPANT_REACHED_A_GOAL"}, "secret": "s1"}), 200, "create")
	id := created.str("id")
	for _, bad := range []string{"hooks.example.com/a", "ftp://hooks.example.com/a", "https://"} {
		r := must(t, h.do("POST", base+"/webhooks", map[string]any{"payloadUrl": bad}), 400, "create with "+bad)
		if !strings.Contains(string(r.raw), "INVALID_PAYLOAD_URL") {
			t.Errorf("create with payloadUrl %q: %s", bad, r.raw)
		}
		r = must(t, h.do("PATCH", base+"/webhooks/"+id, map[string]any{"payloadUrl": bad}), 400, "update with "+bad)
		if !strings.Contains(string(r.raw), "INVALID_PAYLOAD_URL") {
			t.Errorf("update with payloadUrl %q: %s", bad, r.raw)
		}
	}
	if !strings.HasPrefix(id, "wh_") || created.get("failureCount") != 0.0 || created.get("autoDisabledDueToFailures") != false ||
		created.get("lastFailureAt") != nil || created.get("isEnabled") != true || created.get("secret") != nil {
		t.Fatalf("created %s", created.raw)
	}
	eps := endpoints(t, h)
	if len(eps) != 1 {
		t.Fatalf("engine endpoints %+v", eps)
	}
	ep := eps[0]
	want := []canonical.ChangeKind{canonical.ChangeRewardEarned, canonical.ChangeRewardApproved, canonical.ChangeParticipantAdded}
	if ep.URL != "https://hooks.example.com/a" || ep.Secret != "s1" || !ep.Enabled || ep.CampaignID != h.env.Campaign.ID ||
		ep.Vendor != canonical.GrowSurf || !slices.Equal(ep.Kinds, want) || len(ep.Events) != 2 {
		t.Errorf("engine endpoint %+v", ep)
	}

	// The workers switch it off after failures: GrowSurf shows it.
	failedAt := time.UnixMilli(1773144000000).UTC()
	h.env.FailEndpoint(t, ep.ID, 15, failedAt, true)
	list := must(t, h.do("GET", base+"/webhooks", nil), 200, "list")
	if list.str("webhooks", "0", "id") != "primary" || list.str("webhooks", "1", "id") != id ||
		list.get("webhooks", "1", "failureCount") != 15.0 || list.get("webhooks", "1", "autoDisabledDueToFailures") != true ||
		list.get("webhooks", "1", "lastFailureAt") != 1773144000000.0 || list.get("webhooks", "1", "isEnabled") != false {
		t.Fatalf("list after failures %s", list.raw)
	}

	// Switching it back on clears the failures, in the engine too.
	on := must(t, h.do("PATCH", base+"/webhooks/"+id, map[string]any{"isEnabled": true, "events": []string{"CAMPAIGN_ENDED"}}), 200, "enable")
	if on.get("isEnabled") != true || on.get("failureCount") != 0.0 || on.get("autoDisabledDueToFailures") != false ||
		on.get("events", "0") != "CAMPAIGN_ENDED" {
		t.Errorf("enabled %s", on.raw)
	}
	ep = endpoints(t, h)[0]
	if !ep.Enabled || ep.AutoDisabled || ep.FailureCount != 0 || !slices.Equal(ep.Kinds, []canonical.ChangeKind{canonical.ChangeCampaignEnded}) ||
		ep.Secret != "s1" {
		t.Errorf("engine endpoint after PATCH %+v", ep)
	}

	// The primary webhook becomes an endpoint once it has a URL, and
	// keeps its id.
	must(t, h.do("PATCH", base+"/webhooks/primary", map[string]any{"events": []string{"NEW_PARTICIPANT_ADDED"}}), 200, "primary events")
	if n := len(endpoints(t, h)); n != 1 {
		t.Errorf("a primary webhook without a URL is an endpoint: %d endpoints", n)
	}
	prim := must(t, h.do("PATCH", base+"/webhooks/primary", map[string]any{"payloadUrl": "https://hooks.example.com/p", "isEnabled": true}), 200, "primary url")
	if prim.str("id") != "primary" || prim.str("payloadUrl") != "https://hooks.example.com/p" || prim.get("events", "0") != "NEW_PARTICIPANT_ADDED" {
		t.Errorf("primary %s", prim.raw)
	}
	eps = endpoints(t, h)
	if len(eps) != 2 || !slices.ContainsFunc(eps, func(e canonical.WebhookEndpoint) bool {
		return e.URL == "https://hooks.example.com/p" && e.Enabled && slices.Equal(e.Kinds, []canonical.ChangeKind{canonical.ChangeParticipantAdded})
	}) {
		t.Errorf("engine endpoints %+v", eps)
	}
	list = must(t, h.do("GET", base+"/webhooks", nil), 200, "list")
	if list.str("webhooks", "0", "id") != "primary" || list.str("webhooks", "0", "payloadUrl") != "https://hooks.example.com/p" || len(list.get("webhooks").([]any)) != 2 {
		t.Errorf("list %s", list.raw)
	}

	// Deleting removes the endpoint; the primary webhook is reset.
	must(t, h.do("DELETE", base+"/webhooks/"+id, nil), 200, "delete")
	must(t, h.do("DELETE", base+"/webhooks/"+id, nil), 404, "delete again")
	must(t, h.do("DELETE", base+"/webhooks/primary", nil), 200, "delete primary")
	if eps := endpoints(t, h); len(eps) != 0 {
		t.Errorf("endpoints after delete %+v", eps)
	}
	list = must(t, h.do("GET", base+"/webhooks", nil), 200, "list")
	if len(list.get("webhooks").([]any)) != 1 || list.get("webhooks", "0", "payloadUrl") != nil {
		t.Errorf("list after delete %s", list.raw)
	}
}

// TestNativeWebhooksConvert: webhooks stored in a campaign's Native
// before endpoints existed become endpoints on first touch, with their
// ids, URLs, events and secrets.
func TestNativeWebhooksConvert(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	receiver, got := signedReceiver(t, "old-secret")
	var patch canonical.CampaignPatch
	patch.Native.Set(canonical.GrowSurf, "webhooks", []any{
		map[string]any{"id": "primary", "payloadUrl": receiver.URL, "events": []any{"CAMPAIGN_ENDED"}, "isEnabled": true, "secret": "old-secret",
			"failureCount": 0, "lastFailureAt": nil},
		map[string]any{"id": "wh_2", "payloadUrl": "https://hooks.example.com/two", "events": []any{"NEW_PARTICIPANT_ADDED"}, "isEnabled": false,
			"failureCount": 0, "lastFailureAt": nil},
	})
	patch.Native.Set(canonical.GrowSurf, "webhookSeq", 1.0)
	if _, err := h.env.Backend.UpdateCampaign(context.Background(), h.env.Campaign.ID, patch); err != nil {
		t.Fatal(err)
	}
	base := "/campaign/" + h.campaignID("Spring launch")
	for range 2 { // the second read finds them converted, not again
		list := must(t, h.do("GET", base+"/webhooks", nil), 200, "list")
		if list.str("webhooks", "0", "id") != "primary" || list.str("webhooks", "1", "id") != "wh_2" || len(list.get("webhooks").([]any)) != 2 ||
			list.get("webhooks", "1", "isEnabled") != false {
			t.Fatalf("list %s", list.raw)
		}
		if eps := endpoints(t, h); len(eps) != 2 {
			t.Fatalf("endpoints %+v", eps)
		}
	}
	camp, err := h.env.Backend.GetCampaign(context.Background(), h.env.Campaign.ID)
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := camp.Native.Get(canonical.GrowSurf, "webhooks"); raw != nil && len(raw.([]any)) != 0 {
		t.Errorf("Native still holds %v", raw)
	}
	// A concurrent first touch converted wh_2 too: the newer copy goes.
	var dup canonical.WebhookEndpoint
	dup.Vendor, dup.CampaignID, dup.URL, dup.Enabled = canonical.GrowSurf, h.env.Campaign.ID, "https://hooks.example.com/two", true
	dup.Native.Set(canonical.GrowSurf, "webhookId", "wh_2")
	if _, err := h.env.Backend.(canonical.Webhooks).CreateWebhookEndpoint(context.Background(), dup); err != nil {
		t.Fatal(err)
	}
	list := must(t, h.do("GET", base+"/webhooks", nil), 200, "list")
	if n := len(list.get("webhooks").([]any)); n != 2 || list.get("webhooks", "1", "isEnabled") != false {
		t.Errorf("list with a duplicate %s", list.raw)
	}
	if eps := endpoints(t, h); len(eps) != 2 {
		t.Errorf("duplicate kept: %+v", eps)
	}
	must(t, h.do("PATCH", base+"/webhooks/wh_2", map[string]any{"isEnabled": true}), 200, "patch converted")
	res := must(t, h.do("POST", base+"/webhooks/primary/test", nil), 200, "test")
	if res.get("success") != true {
		t.Fatalf("test %s", res.raw)
	}
	if sig := <-got; !sig {
		t.Error("the test delivery is not signed with the converted secret")
	}
	// A new webhook gets an id that cannot meet the converted ones.
	nw := must(t, h.do("POST", base+"/webhooks", map[string]any{"payloadUrl": "https://hooks.example.com/3"}), 200, "create")
	if id := nw.str("id"); id == "wh_2" || id == "wh_3" || !strings.HasPrefix(id, "wh_") {
		t.Errorf("new id %q", id)
	}
}

// signedReceiver accepts posts and reports whether each carried a valid
// GrowSurf-Signature for secret.
func signedReceiver(t *testing.T, secret string) (*httptest.Server, <-chan bool) {
	t.Helper()
	got := make(chan bool, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- verify(r.Header.Get("GrowSurf-Signature"), secret, body)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// verify checks a GrowSurf-Signature as GrowSurf documents it.
func verify(header, secret string, body []byte) bool {
	ts, v, ok := strings.Cut(header, ",")
	ts, ok1 := strings.CutPrefix(ts, "ts=")
	v, ok2 := strings.CutPrefix(v, "v=")
	if !ok || !ok1 || !ok2 {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	return hmac.Equal([]byte(v), []byte(hex.EncodeToString(mac.Sum(nil))))
}

// TestWebhookSubscribedViaREST: a participant added through the REST
// surface is queued for the webhook subscribed through it, and renders as
// NEW_PARTICIPANT_ADDED with the participant's REST id, signed.
func TestWebhookSubscribedViaREST(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	base := "/campaign/" + h.campaignID("Spring launch")
	must(t, h.do("POST", base+"/webhooks", map[string]any{"payloadUrl": "https://hooks.example.com/a",
		"events": []string{"NEW_PARTICIPANT_ADDED"}, "secret": "s1"}), 200, "subscribe")
	must(t, h.do("POST", base+"/webhooks", map[string]any{"payloadUrl": "https://hooks.example.com/b",
		"events": []string{"CAMPAIGN_ENDED"}}), 200, "other subscription")
	p := must(t, h.do("POST", base+"/participant", map[string]any{"email": "zoe@example.com", "firstName": "Zoe"}), 200, "add")

	ctx := context.Background()
	wh := h.env.Backend.(canonical.Webhooks)
	ep := endpoints(t, h)[0]
	ds, err := wh.ListDeliveries(ctx, canonical.DeliveryQuery{EndpointID: ep.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Items) != 1 || ds.Items[0].Kind != canonical.ChangeParticipantAdded || ds.Items[0].State != canonical.DeliveryPending {
		t.Fatalf("deliveries %+v", ds.Items)
	}
	other, err := wh.ListDeliveries(ctx, canonical.DeliveryQuery{EndpointID: endpoints(t, h)[1].ID})
	if err != nil || len(other.Items) != 0 {
		t.Errorf("CAMPAIGN_ENDED endpoint got %+v, %v", other.Items, err)
	}
	changes, err := wh.ListChanges(ctx, canonical.ChangeQuery{Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}})
	if err != nil || len(changes.Items) != 1 || changes.Items[0].ID != ds.Items[0].EventID {
		t.Fatalf("changes %+v, %v", changes.Items, err)
	}
	hooks := growsurf.NewSurface().Webhooks(surface.Config{IDSecret: h.env.Engine.IDSecret()})
	req, ok, err := hooks.Render(changes.Items[0], ep, ds.Items[0].ID, h.env.Clock.Now())
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	var body struct {
		Event string
		Data  struct {
			Participant struct{ ID, Email string }
			Campaign    struct{ ID string }
		}
	}
	if err := json.Unmarshal(req.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Event != "NEW_PARTICIPANT_ADDED" || body.Data.Participant.ID != p.str("id") || body.Data.Participant.Email != "zoe@example.com" ||
		body.Data.Campaign.ID != h.campaignID("Spring launch") {
		t.Errorf("rendered %s; REST participant %s", req.Body, p.str("id"))
	}
	if !verify(req.Header.Get("GrowSurf-Signature"), "s1", req.Body) {
		t.Errorf("signature %q does not verify", req.Header.Get("GrowSurf-Signature"))
	}
}

// plainTenants hands out the engine's backends as bare canonical.Backends,
// as an outbound backend over a real vendor is: no endpoint store.
type plainTenants struct{ surface.Tenants }

func (p plainTenants) Backend(accountID string) canonical.Backend {
	return struct{ canonical.Backend }{p.Tenants.Backend(accountID)}
}

// TestWebhooksWithoutEndpointStore: over a backend that keeps no webhook
// endpoints, webhooks live in the campaign's Native as they always did.
func TestWebhooksWithoutEndpointStore(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	srv := httptest.NewServer(growsurf.NewSurface().Handler(surface.Config{Tenants: plainTenants{h.env.Engine}, IDSecret: h.env.Engine.IDSecret(),
		Now: h.env.Clock.Now}))
	t.Cleanup(srv.Close)
	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+growsurf.PathPrefix+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+h.key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	base := "/campaign/" + h.campaignID("Spring launch")
	status, created := call("POST", base+"/webhooks", `{"payloadUrl":"https://hooks.example.com/n","events":["CAMPAIGN_ENDED"]}`)
	if status != 200 || created["id"] != "wh_2" {
		t.Fatalf("create %d %v", status, created)
	}
	if status, _ := call("PATCH", base+"/webhooks/wh_2", `{"isEnabled":false}`); status != 200 {
		t.Fatalf("patch %d", status)
	}
	status, list := call("GET", base+"/webhooks", "")
	hooks, _ := list["webhooks"].([]any)
	if status != 200 || len(hooks) != 2 || hooks[1].(map[string]any)["isEnabled"] != false {
		t.Fatalf("list %d %v", status, list)
	}
	if eps := endpoints(t, h); len(eps) != 0 {
		t.Errorf("engine endpoints %+v", eps)
	}
	camp, err := h.env.Backend.GetCampaign(context.Background(), h.env.Campaign.ID)
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := camp.Native.Get(canonical.GrowSurf, "webhooks"); raw == nil || len(raw.([]any)) != 2 {
		t.Errorf("Native webhooks %v", raw)
	}
	if status, _ := call("DELETE", base+"/webhooks/wh_2", ""); status != 200 {
		t.Errorf("delete %d", status)
	}
}

// TestGoalWebhookThroughEngine: a double-sided reward earned through the
// REST surface is queued for a PARTICIPANT_REACHED_A_GOAL webhook and
// renders once per side, with the ids GrowSurf's REST surface shows and a
// body its schema admits.
func TestGoalWebhookThroughEngine(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	base := "/campaign/" + h.campaignID("Spring launch")
	rc := must(t, h.do("POST", base+"/reward-configs", map[string]any{"type": "DOUBLE_SIDED", "conversionsRequired": 1, "isUnlimited": true,
		"description": "Give $10, get $10"}), 200, "reward config")
	must(t, h.do("POST", base+"/webhooks", map[string]any{"payloadUrl": "https://hooks.example.com/goal",
		"events": []string{"PARTICIPANT_REACHED_A_GOAL"}, "secret": "g"}), 200, "subscribe")
	ana := must(t, h.do("POST", base+"/participant", map[string]any{"email": "ana@example.com"}), 200, "ana")
	ben := must(t, h.do("POST", base+"/participant", map[string]any{"email": "ben@example.com", "referredBy": ana.str("id")}), 200, "ben")
	anaRewards := must(t, h.do("GET", base+"/participant/"+ana.str("id")+"/rewards", nil), 200, "ana's rewards")

	ctx := context.Background()
	wh := h.env.Backend.(canonical.Webhooks)
	ep := endpoints(t, h)[0]
	ds, err := wh.ListDeliveries(ctx, canonical.DeliveryQuery{EndpointID: ep.ID})
	if err != nil {
		t.Fatal(err)
	}
	changes, err := wh.ListChanges(ctx, canonical.ChangeQuery{Kinds: ep.Kinds})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Items) != len(changes.Items) || len(changes.Items) < 2 {
		t.Fatalf("%d deliveries of %d changes", len(ds.Items), len(changes.Items))
	}
	hooks := growsurf.NewSurface().Webhooks(surface.Config{IDSecret: h.env.Engine.IDSecret()})
	schema := surfacetest.WebhookSchemas(t, openapi.GrowSurf)["PARTICIPANT_REACHED_A_GOAL"]
	sides := map[bool]bool{}
	for _, c := range changes.Items {
		req, ok, err := hooks.Render(c, ep, "1", h.env.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			continue
		}
		surfacetest.CheckPayload(t, string(c.Kind), schema, req.Body)
		var body struct {
			Event string
			Data  struct {
				Participant struct {
					ID       string
					Referee  struct{ ID string }
					Referrer struct{ ID string }
				}
				Reward struct {
					ID, RewardID string
					IsReferrer   bool
				}
			}
		}
		if err := json.Unmarshal(req.Body, &body); err != nil {
			t.Fatal(err)
		}
		d := body.Data
		if body.Event != "PARTICIPANT_REACHED_A_GOAL" || d.Reward.RewardID != rc.str("id") {
			t.Errorf("rendered %s", req.Body)
		}
		sides[d.Reward.IsReferrer] = true
		if d.Reward.IsReferrer && (d.Participant.ID != ana.str("id") || d.Participant.Referee.ID != ben.str("id") ||
			d.Reward.ID != anaRewards.str("rewards", "0", "id")) {
			t.Errorf("referrer's reward: %s; REST rewards %s", req.Body, anaRewards.raw)
		}
		if !d.Reward.IsReferrer && (d.Participant.ID != ben.str("id") || d.Participant.Referrer.ID != ana.str("id")) {
			t.Errorf("friend's reward: %s", req.Body)
		}
		if !verify(req.Header.Get("GrowSurf-Signature"), "g", req.Body) {
			t.Error("signature does not verify")
		}
	}
	if !sides[true] || !sides[false] {
		t.Errorf("sides rendered %v, want the referrer's and the friend's", sides)
	}
}

// TestWebhookSecretClears: an update of an engine-backed webhook without
// a secret keeps its secret, one with a new secret replaces it, and one
// with "" or null removes it, so its deliveries (here its test event) go
// out unsigned.
func TestWebhookSecretClears(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		patch map[string]any
		want  string // the secret deliveries are signed with ("": none)
	}{
		{"absent keeps", map[string]any{"isEnabled": true}, "s1"},
		{"new replaces", map[string]any{"secret": "s2"}, "s2"},
		{"empty clears", map[string]any{"secret": ""}, ""},
		{"null clears", map[string]any{"secret": nil}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			signatures := make(chan string, 1)
			rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				sig := r.Header.Get("GrowSurf-Signature")
				if sig != "" && !verify(sig, tc.want, body) {
					sig = "bad: " + sig
				}
				signatures <- sig
			}))
			t.Cleanup(rc.Close)
			base := "/campaign/" + h.campaignID("Spring launch")
			id := must(t, h.do("POST", base+"/webhooks", map[string]any{"payloadUrl": rc.URL,
				"events": []string{"NEW_PARTICIPANT_ADDED"}, "secret": "s1"}), 200, "create").str("id")
			must(t, h.do("PATCH", base+"/webhooks/"+id, tc.patch), 200, "update")
			if eps := endpoints(t, h); len(eps) != 1 || eps[0].Secret != tc.want {
				t.Errorf("engine endpoints %+v, want secret %q", eps, tc.want)
			}
			res := must(t, h.do("POST", base+"/webhooks/"+id+"/test", nil), 200, "test")
			if res.get("success") != true {
				t.Fatalf("test %s", res.raw)
			}
			switch sig := <-signatures; {
			case tc.want == "" && sig != "":
				t.Errorf("signature %q, want none", sig)
			case tc.want != "" && (sig == "" || strings.HasPrefix(sig, "bad")):
				t.Errorf("signature %q, want one with %q", sig, tc.want)
			}
		})
	}
}
