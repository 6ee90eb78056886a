package referralhero_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// hooks renders with the fixed ID keys, which the golden files pin.
var hooks = referralhero.NewSurface().Webhooks(surface.Config{})

// responseOf reads a payload's event name.
func responseOf(body []byte) string {
	var p struct {
		Response string `json:"response"`
	}
	_ = json.Unmarshal(body, &p)
	return p.Response
}

// TestWebhookSamples validates each documented payload in
// testdata/referralhero/webhooks/<event>.json against its event's schema.
func TestWebhookSamples(t *testing.T) {
	t.Parallel()
	schemas := surfacetest.WebhookSchemas(t, openapi.ReferralHero)
	samples := surfacetest.CheckWebhookSamples(t, "../../testdata/referralhero/webhooks", schemas, responseOf)
	// The schemas are strict: an undeclared field, or a reward on a
	// subscriber event, is rejected.
	body := string(samples["new_registration"])
	for _, bad := range []string{`"people_ahead": 2, "extra": 1`, `"people_ahead": 2, "reward": {"id": 1, "name": "x", "status": "pending"}`} {
		if mutated := strings.Replace(body, `"people_ahead": 2`, bad, 1); mutated == body {
			t.Fatalf("the sample has no people_ahead 2 to mutate")
		} else if surfacetest.ValidBody(schemas["new_registration"], []byte(mutated)) == nil {
			t.Errorf("new_registration with %s still matches its schema", bad)
		}
	}
}

// TestWebhooksMatchSpec renders every change kind for endpoints of each
// event, validates each body against the event's schema, and pins the
// bodies in golden files (-update rewrites them).
func TestWebhooksMatchSpec(t *testing.T) {
	t.Parallel()
	schemas := surfacetest.WebhookSchemas(t, openapi.ReferralHero)
	if got, want := slices.Sorted(func(yield func(string) bool) {
		for k := range schemas {
			if !yield(k) {
				return
			}
		}
	}), slices.Sorted(slices.Values(referralhero.EventNames())); !slices.Equal(got, want) {
		t.Errorf("the spec models webhooks %q; the surface renders %q", got, want)
	}
	for _, r := range surfacetest.CheckWebhooks(t, hooks, schemas, responseOf, surfacetest.Changes()) {
		file := r.Event + "." + string(r.Change.Kind) + ".golden.json"
		surfacetest.Golden(t, filepath.Join("testdata", "webhooks", file), r.Request.Body, *update)
	}
}

// TestWebhookKinds maps event names to kinds and rejects unknown names.
func TestWebhookKinds(t *testing.T) {
	t.Parallel()
	got, err := hooks.Kinds([]string{"reward_sent", "new_registration", "bonus_unlocked", "reward_unlocked"})
	want := []canonical.ChangeKind{canonical.ChangeParticipantAdded, canonical.ChangeRewardEarned, canonical.ChangeRewardFulfilled}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Kinds = %v, %v; want %v", got, err, want)
	}
	if _, err := hooks.Kinds([]string{"NEW_PARTICIPANT_ADDED"}); canonical.CodeOf(err) != canonical.Invalid {
		t.Errorf("a GrowSurf event name gives %v, want Invalid", err)
	}
}

// TestWebhookRender checks what the payload says for one change and
// endpoint: the endpoint's own spelling of the event, the referral
// summary, the event id header, and nothing for events the endpoint left
// out.
func TestWebhookRender(t *testing.T) {
	t.Parallel()
	changes := surfacetest.Changes()
	byKind := func(k canonical.ChangeKind) canonical.Change {
		i := slices.IndexFunc(changes, func(c canonical.Change) bool { return c.Kind == k })
		return changes[i]
	}
	added := byKind(canonical.ChangeParticipantAdded)
	earned := byKind(canonical.ChangeRewardEarned)
	orphan := added
	orphan.Referrer = nil
	direct := added
	p := *added.Participant
	p.ReferrerID, p.ReferralState = "", ""
	direct.Participant, direct.Referrer = &p, nil
	ep := func(events ...string) canonical.WebhookEndpoint {
		return canonical.WebhookEndpoint{Vendor: canonical.ReferralHero, URL: "https://h.example.com", Events: events}
	}
	for _, tc := range []struct {
		name     string
		change   canonical.Change
		endpoint canonical.WebhookEndpoint
		want     map[string]any // top-level fields; nil: not rendered
	}{
		{"referred signup", added, ep("new_registration"), map[string]any{"response": "new_registration", "referred": true,
			"referral":     map[string]any{"name": "Bo Lind", "email": "bo@example.org", "code": "bo1f9e2a", "people_referred": 4.0, "points": 4.0},
			"people_ahead": 2.0, "referral_link": surfacetest.SiteURL + "?mwr=ana7c21x", "name": "Ana Ruiz", "source": "twitter"}},
		{"referrer gone", orphan, ep(), map[string]any{"referred": true, "referral": "subscriber_deleted"}},
		{"direct signup", direct, ep(), map[string]any{"referred": false, "referral": ""}},
		{"older name", earned, ep("bonus_unlocked"), map[string]any{"response": "bonus_unlocked", "subscriber_id": referralhero.NewIDs(nil).SubscriberID("41")}},
		{"both names", earned, ep("bonus_unlocked", "reward_unlocked"), map[string]any{"response": "reward_unlocked"}},
		{"not subscribed", earned, ep("new_registration"), nil},
		{"not announced", byKind(canonical.ChangeCommissionCreated), ep(), nil},
	} {
		req, ok, err := hooks.Render(tc.change, tc.endpoint, "1", surfacetest.ChangeAt)
		if err != nil || ok != (tc.want != nil) {
			t.Errorf("%s: Render = %v, %v", tc.name, ok, err)
			continue
		}
		if !ok {
			continue
		}
		var body map[string]any
		if err := json.Unmarshal(req.Body, &body); err != nil {
			t.Fatal(err)
		}
		for k, v := range tc.want {
			if g, _ := json.Marshal(body[k]); string(g) != mustJSON(t, v) {
				t.Errorf("%s: %s = %s, want %s", tc.name, k, g, mustJSON(t, v))
			}
		}
		if id := req.Header.Get(surface.EventIDHeader); id != surface.NewEventIDs(nil).Encode(tc.change.ID) {
			t.Errorf("%s: event id header %q", tc.name, id)
		}
		if req.Header.Get(referralhero.SignatureHeader) != "" {
			t.Errorf("%s: an endpoint without a secret got a signature", tc.name)
		}
	}
	// A change that should carry a participant but does not is an error,
	// not a panic or an empty payload.
	broken := added
	broken.Participant = nil
	if _, _, err := hooks.Render(broken, ep(), "1", surfacetest.ChangeAt); err == nil {
		t.Error("a participant change without its participant rendered")
	}
	// An ID the vendor's format cannot hold is an error, not an empty id.
	for _, id := range []string{"0", "1152921504606846976", "x"} {
		bad := added
		bp := *added.Participant
		bp.ID = id
		bad.Participant = &bp
		if _, _, err := hooks.Render(bad, ep(), "1", surfacetest.ChangeAt); err == nil {
			t.Errorf("participant %q rendered", id)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestWebhookSignature checks X-ReferralHero-Signature against an
// independent HMAC-SHA256 of the raw body, Base64-encoded.
func TestWebhookSignature(t *testing.T) {
	t.Parallel()
	c := surfacetest.Changes()[0]
	for _, secret := range []string{"whsec_1", "ünïcode secret", strings.Repeat("k", 200)} {
		req, ok, err := hooks.Render(c, canonical.WebhookEndpoint{Secret: secret}, "1", surfacetest.ChangeAt)
		if err != nil || !ok {
			t.Fatalf("Render = %v, %v", ok, err)
		}
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(req.Body)
		want := base64.StdEncoding.EncodeToString(m.Sum(nil))
		if got := req.Header.Get("X-ReferralHero-Signature"); got != want {
			t.Errorf("secret %q: signature %q, want %q", secret, got, want)
		}
		if got := req.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type %q", got)
		}
	}
}

// TestWebhookPolicy pins the documented schedule: 3 retries within 5
// minutes, disabled after 10 consecutive failures, only 200 acknowledges.
func TestWebhookPolicy(t *testing.T) {
	t.Parallel()
	p := hooks.Policy()
	surfacetest.CheckPolicyDocumented(t, openapi.ReferralHero, p)
	var total time.Duration
	for _, d := range p.Retries {
		total += d
	}
	if len(p.Retries) != 3 || total != 5*time.Minute || p.DisableAfter != 10 || p.Timeout <= 0 {
		t.Errorf("policy = %+v", p)
	}
	if p.Success == nil || !p.Success(200) || p.Success(201) || p.Success(204) || p.Success(500) {
		t.Error("only a 200 acknowledges a ReferralHero webhook")
	}
}
