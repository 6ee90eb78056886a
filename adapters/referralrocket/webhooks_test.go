package referralrocket_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// hooks renders with the fixed ID keys, which the golden files pin.
var hooks = referralrocket.NewSurface().Webhooks(surface.Config{})

// eventTypeOf reads a body's event name.
func eventTypeOf(body []byte) string {
	var p struct {
		EventType string `json:"eventType"`
	}
	_ = json.Unmarshal(body, &p)
	return p.EventType
}

// changes are the kit's changes plus a direct signup, which goes out as
// referrer_added (the kit's signup is referred: referee_added).
func changes() []canonical.Change {
	all := surfacetest.Changes()
	direct := all[0]
	p := *direct.Participant
	p.ID, p.ReferrerID, p.ReferralState, p.Email, p.ReferralCode = "43", "", "", "lee@example.com", "Ab3dE5fG"
	direct.ID, direct.Participant, direct.Referrer, direct.Referral = "2001", &p, nil, nil
	return append(all, direct)
}

// TestWebhookSamples validates each documented payload in
// testdata/referralrocket/webhooks/<event>.json against its event's
// schema.
func TestWebhookSamples(t *testing.T) {
	t.Parallel()
	schemas := surfacetest.WebhookSchemas(t, openapi.ReferralRocket)
	samples := surfacetest.CheckWebhookSamples(t, "../../testdata/referralrocket/webhooks", schemas, eventTypeOf)
	// The schemas are strict: an undeclared field, or a referrer on a
	// direct participant's event, is rejected.
	body := string(samples["referrer_added"])
	for _, tc := range []struct{ old, bad string }{
		{`"impressionCount": 0`, `"impressionCount": 0, "extra": 1`},
		{`"referredByCode": null`, `"referredByCode": "Qm4t7Rx2"`},
	} {
		if mutated := strings.Replace(body, tc.old, tc.bad, 1); mutated == body {
			t.Fatalf("the sample has no %s to mutate", tc.old)
		} else if surfacetest.ValidBody(schemas["referrer_added"], []byte(mutated)) == nil {
			t.Errorf("referrer_added with %s still matches its schema", tc.bad)
		}
	}
}

// TestWebhooksMatchSpec renders every change kind (and a direct signup)
// for endpoints of each event, validates each body against the event's
// schema, and pins the bodies in golden files (-update rewrites them).
func TestWebhooksMatchSpec(t *testing.T) {
	t.Parallel()
	schemas := surfacetest.WebhookSchemas(t, openapi.ReferralRocket)
	var names []string
	for k := range schemas {
		names = append(names, k)
	}
	if want := referralrocket.EventNames(); !slices.Equal(slices.Sorted(slices.Values(names)), slices.Sorted(slices.Values(want))) {
		t.Errorf("the spec models webhooks %q; the surface renders %q", names, want)
	}
	for _, r := range surfacetest.CheckWebhooks(t, hooks, schemas, eventTypeOf, changes()) {
		file := r.Event + "." + string(r.Change.Kind) + ".golden.json"
		surfacetest.Golden(t, filepath.Join("testdata", "webhooks", file), r.Request.Body, *update)
	}
}

// TestWebhookRender checks which event a change goes out as per endpoint
// and what its data says.
func TestWebhookRender(t *testing.T) {
	t.Parallel()
	all := changes()
	referred, direct := all[0], all[len(all)-1]
	earned := all[slices.IndexFunc(all, func(c canonical.Change) bool { return c.Kind == canonical.ChangeRewardEarned })]
	ep := func(events ...string) canonical.WebhookEndpoint {
		return canonical.WebhookEndpoint{Vendor: canonical.ReferralRocket, URL: "https://h.example.com", Events: events}
	}
	ids := referralrocket.NewIDs(nil)
	campaign, _ := ids.EncodeCampaignID("7")
	for _, tc := range []struct {
		name     string
		change   canonical.Change
		endpoint canonical.WebhookEndpoint
		event    string // "" when not rendered
		data     map[string]any
	}{
		{"direct", direct, ep(), "referrer_added", map[string]any{"participantId": ids.EncodeParticipantID("43"), "referredByCode": nil,
			"code": "Ab3dE5fG", "campaignId": campaign}},
		{"referred", referred, ep(), "referee_added", map[string]any{"participantId": ids.EncodeParticipantID("42"),
			"referredByCode": "bo1f9e2a", "refereeReward": 10, "refereeActionCompleted": true, "score": "Medium"}},
		{"referred, referrers only", referred, ep("referrer_added"), "", nil},
		{"direct, referees only", direct, ep("referee_added"), "", nil},
		{"reward", earned, ep("reward_unlocked"), "reward_unlocked", map[string]any{"participantId": ids.EncodeParticipantID("41"),
			"referralReward": 20, "rewardDue": 20, "totalReferred": 5, "totalCompletedReferred": 4, "impressionCount": 12}},
		{"not announced", all[slices.IndexFunc(all, func(c canonical.Change) bool { return c.Kind == canonical.ChangeCouponCreated })], ep(), "", nil},
	} {
		req, ok, err := hooks.Render(tc.change, tc.endpoint, "1", surfacetest.ChangeAt)
		if err != nil || ok != (tc.event != "") {
			t.Errorf("%s: Render = %v, %v", tc.name, ok, err)
			continue
		}
		if !ok {
			continue
		}
		var body struct {
			EventType string         `json:"eventType"`
			Data      map[string]any `json:"data"`
			CreatedAt int64          `json:"createdAt"`
			UpdatedAt int64          `json:"updatedAt"`
		}
		if err := json.Unmarshal(req.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.EventType != tc.event || body.CreatedAt != tc.change.At.UnixMilli() || body.UpdatedAt != body.CreatedAt {
			t.Errorf("%s: eventType %q, createdAt %d, updatedAt %d", tc.name, body.EventType, body.CreatedAt, body.UpdatedAt)
		}
		for k, v := range tc.data {
			g, _ := json.Marshal(body.Data[k])
			w, _ := json.Marshal(v)
			if string(g) != string(w) {
				t.Errorf("%s: data.%s = %s, want %s", tc.name, k, g, w)
			}
		}
		if id := req.Header.Get(surface.EventIDHeader); id == "" || id != surface.NewEventIDs(nil).Encode(tc.change.ID) {
			t.Errorf("%s: event id header %q", tc.name, id)
		}
	}
	broken := referred
	broken.Participant = nil
	if _, _, err := hooks.Render(broken, ep(), "1", surfacetest.ChangeAt); err == nil {
		t.Error("a signup without its participant rendered")
	}
	// An ID the vendor's format cannot hold is an error, not an empty id.
	for _, id := range []string{"0", "1152921504606846976", "x"} {
		bad := referred
		bp := *referred.Participant
		bp.ID = id
		bad.Participant = &bp
		if _, _, err := hooks.Render(bad, ep(), "1", surfacetest.ChangeAt); err == nil {
			t.Errorf("participant %q rendered", id)
		}
	}
}

// TestWebhookSignature checks X-RR-Signature against an independent
// lowercase-hex HMAC-SHA256 of the raw body: keyed with the secret's
// UTF-8 bytes by default, with the hex-decoded secret when the endpoint
// says secretEncoding hex.
func TestWebhookSignature(t *testing.T) {
	t.Parallel()
	c := changes()[0]
	sign := func(key, body []byte) string {
		m := hmac.New(sha256.New, key)
		m.Write(body)
		return hex.EncodeToString(m.Sum(nil))
	}
	hexSecret := "8f2a61c0d4e7b9a35c18e0f7a2b4d6c8"
	hexKey, _ := hex.DecodeString(hexSecret)
	var native canonical.Native
	native.Set(canonical.ReferralRocket, "secretEncoding", "hex")
	for _, tc := range []struct {
		name string
		ep   canonical.WebhookEndpoint
		key  []byte
	}{
		{"utf-8", canonical.WebhookEndpoint{Secret: "whsec_ünï"}, []byte("whsec_ünï")},
		{"utf-8 of a hex secret", canonical.WebhookEndpoint{Secret: hexSecret}, []byte(hexSecret)},
		{"hex", canonical.WebhookEndpoint{Secret: hexSecret, Native: native}, hexKey},
	} {
		req, ok, err := hooks.Render(c, tc.ep, "1", surfacetest.ChangeAt)
		if err != nil || !ok {
			t.Fatalf("%s: Render = %v, %v", tc.name, ok, err)
		}
		if got, want := req.Header.Get("X-RR-Signature"), sign(tc.key, req.Body); got != want {
			t.Errorf("%s: signature %q, want %q", tc.name, got, want)
		}
	}
	req, _, _ := hooks.Render(c, canonical.WebhookEndpoint{}, "1", surfacetest.ChangeAt)
	if req.Header.Get("X-RR-Signature") != "" {
		t.Error("an endpoint without a secret got a signature")
	}
}

// TestWebhookPolicy: exponential back-off over several days, then
// undeliverable; the endpoint is never turned off.
func TestWebhookPolicy(t *testing.T) {
	t.Parallel()
	p := hooks.Policy()
	surfacetest.CheckPolicyDocumented(t, openapi.ReferralRocket, p)
	var total time.Duration
	for i, d := range p.Retries {
		if i > 0 && d < p.Retries[i-1] {
			t.Errorf("retry %d waits %v, less than the one before", i, d)
		}
		total += d
	}
	if total < 3*24*time.Hour || total > 7*24*time.Hour || p.DisableAfter != 0 || p.Timeout <= 0 {
		t.Errorf("policy = %+v (retries over %v)", p, total)
	}
}
