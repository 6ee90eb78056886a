package rewardful

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
)

// fixedHooks renders webhooks with the fixed ID keys the golden files pin.
var fixedHooks = &webhookRenderer{ids: fixedIDs, events: surface.NewEventIDs(nil)}

// webhookChanges are the shared fixtures (one change per kind) and the
// variants Rewardful renders differently: a direct signup, a referral
// through a link.
func webhookChanges() []canonical.Change {
	changes := surfacetest.Changes()
	var extra []canonical.Change
	for _, c := range changes {
		switch c.Kind {
		case canonical.ChangeParticipantAdded:
			c.ID, c.Referrer, c.Referral = "2001", nil, nil
			p := *c.Participant
			p.ReferrerID = ""
			c.Participant = &p
			extra = append(extra, c)
		case canonical.ChangeReferralConverted:
			ref := *c.Referral
			ref.LinkID = "121"
			c.ID, c.Referral = "2002", &ref
			c.Link = &canonical.Link{ID: "121", CampaignID: "7", ParticipantID: "41", Token: "bo-spring", Visitors: 9, Leads: 5, Conversions: 1}
			extra = append(extra, c)
		}
	}
	return append(changes, extra...)
}

// eventOf reads a Rewardful payload's event type.
func eventOf(body []byte) string {
	var p struct{ Event struct{ Type string } }
	_ = json.Unmarshal(body, &p)
	return p.Event.Type
}

// TestWebhookRender renders every change as each event type it goes out
// as: bodies match the event's schema with no undeclared field, each
// documented type refbridge sends renders from some change, and the
// renderings are pinned by golden files.
func TestWebhookRender(t *testing.T) {
	t.Parallel()
	schemas := surfacetest.WebhookSchemas(t, openapi.Rewardful)
	rendered := surfacetest.CheckWebhooks(t, fixedHooks, schemas, eventOf, webhookChanges())
	for _, r := range rendered {
		name := r.Event + "." + r.Change.ID
		surfacetest.CheckPayload(t, name, schemas[r.Event], r.Request.Body)
		var p struct {
			Event   webhookEvent
			Request webhookReq
		}
		if err := json.Unmarshal(r.Request.Body, &p); err != nil {
			t.Fatal(err)
		}
		if p.Event.ID != fixedIDs.event.encode(r.Change.ID) || p.Event.APIVersion != "v1" || p.Event.CreatedAt != fmtTime(r.Change.At) ||
			p.Request.ID != fixedIDs.request.encode("9001") {
			t.Errorf("%s: event %+v request %+v", name, p.Event, p.Request)
		}
		if r.Request.Header.Get(surface.EventIDHeader) != surface.NewEventIDs(nil).Encode(r.Change.ID) {
			t.Errorf("%s: %s = %q", name, surface.EventIDHeader, r.Request.Header.Get(surface.EventIDHeader))
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, r.Request.Body, "", "  "); err != nil {
			t.Fatal(err)
		}
		surfacetest.Golden(t, filepath.Join("testdata", "webhooks", r.Event+"."+string(r.Change.Kind)+"."+r.Change.ID+".golden.json"),
			pretty.Bytes(), *update)
	}
}

// TestWebhookSpecChanges checks the spec's x-webhooks against the event
// table, and the types it leaves out against the documented ones.
func TestWebhookSpecChanges(t *testing.T) {
	t.Parallel()
	changes := surfacetest.WebhookChanges(t, openapi.Rewardful)
	for name, want := range changes {
		got, err := fixedHooks.Kinds([]string{name})
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s covers %v (%v), spec says %v", name, got, err, want)
		}
	}
	for _, name := range WebhookEventTypes() {
		kinds, err := fixedHooks.Kinds([]string{name})
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if _, listed := changes[name]; listed != (len(kinds) > 0) {
			t.Errorf("%s: x-webhooks lists it %v, yet it announces %v", name, listed, kinds)
		}
	}
	if len(WebhookEventTypes()) != 31 {
		t.Errorf("%d event types, Rewardful documents 31", len(WebhookEventTypes()))
	}
	if _, err := fixedHooks.Kinds([]string{"affiliate.created", "customer.created"}); !canonical.IsCode(err, canonical.Invalid) ||
		!strings.Contains(err.Error(), "customer.created") {
		t.Errorf("unknown type: %v", err)
	}
}

// TestWebhookSamples validates Rewardful's documented payloads against
// their event's schema.
func TestWebhookSamples(t *testing.T) {
	t.Parallel()
	schemas := surfacetest.WebhookSchemas(t, openapi.Rewardful)
	for name, body := range surfacetest.WebhookSamples(t, filepath.Join("..", "..", "testdata", "rewardful", "webhooks")) {
		schema, ok := schemas[name]
		if !ok {
			t.Errorf("sample %s: no such event in x-webhooks", name)
			continue
		}
		surfacetest.CheckPayload(t, "sample "+name, schema, body)
		if eventOf(body) != name {
			t.Errorf("sample %s is a %s", name, eventOf(body))
		}
	}
}

// TestWebhookSignature checks X-Rewardful-Signature as Rewardful
// documents it (Ruby's OpenSSL::HMAC.hexdigest('sha256', secret, body)),
// with the standard library.
func TestWebhookSignature(t *testing.T) {
	t.Parallel()
	c := surfacetest.Changes()[0]
	ep := canonical.WebhookEndpoint{Secret: "rewardful-signing-secret"}
	req, ok, err := fixedHooks.Render(c, ep, "9001", time.Now())
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	mac := hmac.New(sha256.New, []byte("rewardful-signing-secret"))
	mac.Write(req.Body)
	if got, want := req.Header.Get("X-Rewardful-Signature"), hex.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("signature %q, want %q", got, want)
	}
	again, _, _ := fixedHooks.Render(c, ep, "9001", time.Now().Add(time.Hour))
	if !bytes.Equal(again.Body, req.Body) || again.Header.Get("X-Rewardful-Signature") != req.Header.Get("X-Rewardful-Signature") {
		t.Error("a retry of one delivery must be the same request")
	}
	if unsigned, _, _ := fixedHooks.Render(c, canonical.WebhookEndpoint{}, "9001", time.Now()); unsigned.Header.Get("X-Rewardful-Signature") != "" {
		t.Error("signed without a secret")
	}
}

func TestWebhookPolicy(t *testing.T) {
	t.Parallel()
	p := NewSurface().Webhooks(surface.Config{}).Policy()
	var total time.Duration
	for i, d := range p.Retries {
		if i > 0 && d < p.Retries[i-1] {
			t.Errorf("retry %d waits less than the one before", i)
		}
		total += d
	}
	if total > 72*time.Hour || total < 48*time.Hour || p.DisableAfter != 0 || p.Timeout <= 0 {
		t.Errorf("policy %+v over %v", p, total)
	}
	if p.Success(201) || !p.Success(200) {
		t.Error("only a 200 acknowledges")
	}
}

// TestWebhookSubscription: an endpoint subscribed to some types gets
// only those; one listing none gets every kind's primary type.
func TestWebhookSubscription(t *testing.T) {
	t.Parallel()
	changes := surfacetest.Changes()
	added := changes[slices.IndexFunc(changes, func(c canonical.Change) bool { return c.Kind == canonical.ChangeParticipantAdded })]
	if _, ok, _ := fixedHooks.Render(added, canonical.WebhookEndpoint{Events: []string{"commission.created"}}, "1", time.Now()); ok {
		t.Error("affiliate.created went to an endpoint subscribed to commission.created only")
	}
	req, ok, _ := fixedHooks.Render(added, canonical.WebhookEndpoint{}, "1", time.Now())
	if !ok || eventOf(req.Body) != "affiliate.created" {
		t.Errorf("unfiltered endpoint: %v %s", ok, req.Body)
	}
	credited := changes[slices.IndexFunc(changes, func(c canonical.Change) bool { return c.Kind == canonical.ChangeReferralCredited })]
	if _, ok, _ := fixedHooks.Render(credited, canonical.WebhookEndpoint{}, "1", time.Now()); ok {
		t.Error("Rewardful has no event for a credited referral")
	}
}

// TestWebhookIDsMatchREST: a webhook's object ids are the REST API's in
// the same installation.
func TestWebhookIDsMatchREST(t *testing.T) {
	t.Parallel()
	secret := []byte("installation secret")
	hooks := NewSurface().Webhooks(surface.Config{IDSecret: secret})
	ids := newIDCodecs(secret)
	c := surfacetest.Changes()[0]
	req, _, err := hooks.Render(c, canonical.WebhookEndpoint{}, "9001", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Object struct {
			ID       string
			Campaign struct{ ID string }
		}
	}
	if err := json.Unmarshal(req.Body, &p); err != nil {
		t.Fatal(err)
	}
	rest := affiliateOut(ids, *c.Participant)
	if p.Object.ID != rest.ID || p.Object.Campaign.ID != ids.campaign.encode(c.CampaignID) || rest.ID == fixedIDs.affiliate.encode(c.Participant.ID) {
		t.Errorf("webhook %+v, REST %s", p.Object, rest.ID)
	}
}

// FuzzWebhookRender renders the fixtures with fuzzed fields: Render never
// panics, and what it renders is JSON its event's schema admits.
func FuzzWebhookRender(f *testing.F) {
	schemas := surfacetest.WebhookSchemas(f, openapi.Rewardful)
	changes := webhookChanges()
	f.Add(uint8(0), "42", "ana@example.org", "Ana", int64(2500), "9001", int64(1773145800000), false, "s")
	f.Add(uint8(17), "x", "", "\x00", int64(-1), "", int64(-62135596800001), true, "")
	f.Fuzz(func(t *testing.T, pick uint8, id, email, name string, amount int64, delivery string, msec int64, bare bool, secret string) {
		c := changes[int(pick)%len(changes)]
		c.ID, c.At = id, time.UnixMilli(msec)
		if c.Participant != nil {
			p := *c.Participant
			p.ID, p.Email, p.FirstName = id, email, name
			c.Participant = &p
		}
		if c.Transaction != nil {
			tx := *c.Transaction
			tx.Amount.Amount, tx.ID = amount, id
			c.Transaction = &tx
		}
		if c.Commission != nil {
			cm := *c.Commission
			cm.Amount.Amount, cm.TransactionID = amount, id
			c.Commission = &cm
		}
		if c.Link != nil {
			l := *c.Link
			l.Token = name
			c.Link = &l
		}
		if bare {
			c.Campaign, c.Referrer, c.Referral = nil, nil, nil
		}
		req, ok, err := fixedHooks.Render(c, canonical.WebhookEndpoint{Secret: secret}, delivery, c.At)
		if err != nil || !ok {
			return
		}
		schema, found := schemas[eventOf(req.Body)]
		if !found {
			t.Fatalf("event %q is not in the spec: %s", eventOf(req.Body), req.Body)
		}
		// Ids the codecs cannot hold pass through unchanged, as on the REST
		// surface; everything else must match the schema.
		if err := schema.VisitJSON(decoded(t, req.Body)); err != nil && !strings.Contains(err.Error(), "uuid") &&
			!strings.Contains(err.Error(), "date-time") {
			t.Fatalf("%v\n%s", err, req.Body)
		}
		if (secret != "") != (req.Header.Get(SignatureHeader) != "") {
			t.Fatal("signed without a secret, or not signed with one")
		}
	})
}

func decoded(t *testing.T, b []byte) any {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}
