package growsurf

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

// webhookCase is one change and what GrowSurf announces for it.
type webhookCase struct {
	name   string // testdata/webhooks/<name>.golden.json
	change canonical.Change
	event  string // "" when GrowSurf announces nothing
}

// webhookCases cover every change kind GrowSurf has an event for, and
// changes it announces nothing for.
func webhookCases() []webhookCase {
	manual := campaign
	manual.ManualApproval = true
	pending := canonical.EarnedReward{ID: "301", RuleID: "12", ParticipantID: "101", ReferredID: "102", IsReferrer: true,
		Status: canonical.RewardPending, Unread: true, CreatedAt: at(1717100000000)}
	approved := pending
	approved.Status, approved.ApprovedAt = canonical.RewardApproved, atPtr(1717150000000)
	friend := canonical.EarnedReward{ID: "303", RuleID: "11", ParticipantID: "102", IsReferrer: false, Status: canonical.RewardApproved,
		ApprovedAt: atPtr(1717100000000), CreatedAt: at(1717100000000)}
	fraud := ben
	fraud.Fraud = canonical.Fraud{Risk: canonical.RiskHigh, Reason: "SAME_IP_ADDRESS"}
	ended := campaign
	ended.Status = canonical.CampaignEnded
	partner := ana
	partner.CampaignID = "2"
	partner.Affiliate = canonical.Affiliate{IsAffiliate: true, State: canonical.AffiliateActive, PaypalEmail: "ana@paypal.example"}
	com := canonical.Commission{ID: "501", CampaignID: "2", ReferrerID: "101", ReferredID: "102", Amount: canonical.Money{Amount: 980, Currency: "EUR"},
		SaleAmount: canonical.Money{Amount: 4900, Currency: "EUR"}, Status: canonical.CommissionPending, CreatedAt: at(1717200000000)}
	adjusted := com
	adjusted.Amount.Amount = 490
	voided := com
	voided.Status, voided.VoidedAt = canonical.CommissionVoided, atPtr(1717300000000)
	payout := canonical.Payout{ID: "601", CampaignID: "2", ParticipantID: "101", Amount: canonical.Money{Amount: 980, Currency: "EUR"},
		CommissionIDs: []string{"501"}, Status: canonical.PayoutPaid, PaidAt: atPtr(1720000000000), CreatedAt: at(1719800000000)}
	ch := func(id string, kind canonical.ChangeKind, c canonical.Campaign, msec int64) canonical.Change {
		c2 := c
		return canonical.Change{ID: id, Kind: kind, AccountID: "1", CampaignID: c.ID, At: at(msec), Campaign: &c2}
	}
	with := func(c canonical.Change, f func(*canonical.Change)) canonical.Change { f(&c); return c }
	return []webhookCase{
		{name: "participant.added", event: eventParticipant, change: with(ch("7", canonical.ChangeParticipantAdded, campaign, 1717050000000),
			func(c *canonical.Change) {
				c.Participant, c.Referrer = &ben, &ana
				c.Referral = &canonical.Referral{ID: "201", ReferrerID: "101", ReferredID: "102", State: canonical.StatePending}
			})},
		{name: "participant.added.direct", event: eventParticipant, change: with(ch("8", canonical.ChangeParticipantAdded, campaign, 1717000000000),
			func(c *canonical.Change) { c.Participant = &ana })},
		{name: "reward.earned", event: eventGoal, change: with(ch("9", canonical.ChangeRewardEarned, manual, 1717100000000),
			func(c *canonical.Change) {
				c.Participant, c.Referred, c.Reward, c.Rule = &ana, &ben, &pending, &ruleMilestone
			})},
		{name: "reward.approved", event: eventGoal, change: with(ch("10", canonical.ChangeRewardApproved, manual, 1717150000000),
			func(c *canonical.Change) {
				c.Participant, c.Referred, c.Reward, c.Rule = &ana, &ben, &approved, &ruleMilestone
			})},
		{name: "reward.earned.friend", event: eventGoal, change: with(ch("11", canonical.ChangeRewardEarned, campaign, 1717100000000),
			func(c *canonical.Change) { c.Participant, c.Referrer, c.Reward = &ben, &ana, &friend })},
		{name: "participant.fraud_changed", event: eventFraud, change: with(ch("12", canonical.ChangeParticipantFraudChanged, campaign, 1717060000000),
			func(c *canonical.Change) { c.Participant = &fraud })},
		{name: "campaign.ended", event: eventEnded, change: ch("13", canonical.ChangeCampaignEnded, ended, 1719000000000)},
		{name: "commission.created", event: eventCommission, change: with(ch("14", canonical.ChangeCommissionCreated, affiliate, 1717200000000),
			func(c *canonical.Change) { c.Commission, c.Participant = &com, &partner })},
		{name: "commission.adjusted", event: eventAdjusted, change: with(ch("15", canonical.ChangeCommissionAdjusted, affiliate, 1717250000000),
			func(c *canonical.Change) { c.Commission, c.Participant = &adjusted, &partner })},
		{name: "commission.voided", event: eventAdjusted, change: with(ch("16", canonical.ChangeCommissionVoided, affiliate, 1717300000000),
			func(c *canonical.Change) { c.Commission, c.Participant = &voided, &partner })},
		{name: "payout.paid", event: eventPayout, change: with(ch("17", canonical.ChangePayoutPaid, affiliate, 1720000000000),
			func(c *canonical.Change) { c.Payout, c.Participant = &payout, &partner })},
		// A change known only by its campaign id still renders.
		{name: "participant.added.bare", event: eventParticipant, change: canonical.Change{ID: "18", Kind: canonical.ChangeParticipantAdded,
			CampaignID: "1", At: at(1717000000000), Participant: &ana}},
		// GrowSurf announces nothing for these.
		{name: "participant.updated", change: with(ch("19", canonical.ChangeParticipantUpdated, campaign, 1717000000000),
			func(c *canonical.Change) { c.Participant = &ana })},
		{name: "reward.approved.automatic", change: with(ch("20", canonical.ChangeRewardApproved, campaign, 1717150000000),
			func(c *canonical.Change) { c.Participant, c.Reward = &ana, &approved })},
		{name: "reward.earned.affiliate", change: with(ch("21", canonical.ChangeRewardEarned, affiliate, 1717150000000),
			func(c *canonical.Change) { c.Participant, c.Reward = &partner, &approved })},
		{name: "commission.created.referral", change: with(ch("22", canonical.ChangeCommissionCreated, campaign, 1717200000000),
			func(c *canonical.Change) { c.Commission, c.Participant = &com, &ana })},
		{name: "payout.created", change: with(ch("23", canonical.ChangePayoutCreated, affiliate, 1720000000000),
			func(c *canonical.Change) { c.Payout, c.Participant = &payout, &partner })},
		{name: "participant.added.empty", change: ch("24", canonical.ChangeParticipantAdded, campaign, 1717000000000)},
	}
}

func TestWebhookRenderGolden(t *testing.T) {
	t.Parallel()
	specs := surfacetest.WebhookSchemas(t, openapi.GrowSurf)
	covered := map[canonical.ChangeKind]bool{}
	for _, tc := range webhookCases() {
		t.Run(tc.name, func(t *testing.T) {
			req, ok, err := fixedHooks.Render(tc.change, canonical.WebhookEndpoint{Vendor: canonical.GrowSurf}, "d1", tc.change.At)
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tc.event != "") {
				t.Fatalf("ok = %v, want an event %q", ok, tc.event)
			}
			if !ok {
				return
			}
			covered[tc.change.Kind] = true
			var env struct {
				Event     string `json:"event"`
				CreatedAt int64  `json:"createdAt"`
			}
			if err := json.Unmarshal(req.Body, &env); err != nil {
				t.Fatal(err)
			}
			if env.Event != tc.event || env.CreatedAt != tc.change.At.UnixMilli() {
				t.Errorf("event %q at %d, want %q at %d", env.Event, env.CreatedAt, tc.event, tc.change.At.UnixMilli())
			}
			surfacetest.CheckPayload(t, tc.name, specs[tc.event], req.Body)
			if got := req.Header.Get(surface.EventIDHeader); got != fixedHooks.events.Encode(tc.change.ID) || got == "" {
				t.Errorf("%s = %q", surface.EventIDHeader, got)
			}
			if req.Header.Get(signatureHeader) != "" {
				t.Error("signed without a secret")
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, req.Body, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			checkGolden(t, filepath.Join("testdata", "webhooks", tc.name+".golden.json"), pretty.Bytes())
		})
	}
	t.Cleanup(func() {
		for _, e := range webhookEvents {
			for _, kind := range e.Kinds {
				if !covered[kind] {
					t.Errorf("no golden case renders %s", kind)
				}
			}
		}
	})
}

// checkGolden compares got with the golden file at path (rewritten with
// -update).
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	surfacetest.Golden(t, path, got, *update)
}

// TestWebhookSamplesMatchSpec validates GrowSurf's documented samples
// against their events' schemas, and the rendering of the same facts
// against the samples' shape.
func TestWebhookSamplesMatchSpec(t *testing.T) {
	t.Parallel()
	specs := surfacetest.WebhookSchemas(t, openapi.GrowSurf)
	samples := surfacetest.WebhookSamples(t, filepath.Join("..", "..", "testdata", "growsurf", "webhooks"))
	for event, body := range samples {
		spec, ok := specs[event]
		if !ok {
			t.Errorf("sample %s: no such event in x-webhooks", event)
			continue
		}
		surfacetest.CheckPayload(t, "sample "+event, spec, body)
	}
	// The documented samples show the facts of the golden fixtures; the
	// renderings of those facts have the samples' shape (the counters of
	// the program excepted: events carry none).
	skip := map[string]bool{"referralCount": true, "participantCount": true, "impressionCount": true, "inviteCount": true,
		"winnerCount": true, "referrals": true, "monthlyReferrals": true, "isWinner": true, "status": true, "approved": true,
		"approvedAt": true, "isAvailable": true, "prevMonthlyReferralCount": true, "createdAt": true}
	for _, tc := range webhookCases() {
		body, ok := samples[tc.event]
		if !ok || (tc.name != "participant.added" && tc.name != "reward.approved") {
			continue
		}
		req, _, err := fixedHooks.Render(tc.change, canonical.WebhookEndpoint{}, "d1", tc.change.At)
		if err != nil {
			t.Fatal(err)
		}
		var doc, mine any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(req.Body, &mine); err != nil {
			t.Fatal(err)
		}
		for _, p := range compareShape("$", doc, mine, skip, false) {
			t.Errorf("%s against the sample: %s", tc.name, p)
		}
	}
}

// TestWebhookSpecKinds checks the spec's x-webhooks against the
// renderer: the same events, announcing the same changes, and every
// change kind of the canonical fixtures rendering valid payloads.
func TestWebhookSpecKinds(t *testing.T) {
	t.Parallel()
	changes := surfacetest.WebhookChanges(t, openapi.GrowSurf)
	if len(changes) != len(webhookEvents) {
		t.Errorf("spec has %d events, renderer %d", len(changes), len(webhookEvents))
	}
	for ev, want := range changes {
		got, err := fixedHooks.Kinds([]string{ev})
		if err != nil {
			t.Errorf("%s: %v", ev, err)
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s covers %v, spec says %v", ev, got, want)
		}
	}
	all, err := fixedHooks.Kinds([]string{eventGoal, eventParticipant, eventGoal})
	if err != nil || !slices.Equal(all, []canonical.ChangeKind{canonical.ChangeRewardEarned, canonical.ChangeRewardApproved, canonical.ChangeParticipantAdded}) {
		t.Errorf("Kinds = %v, %v", all, err)
	}
	if _, err := fixedHooks.Kinds([]string{"NEW_REFERRAL"}); !canonical.IsCode(err, canonical.Invalid) || !strings.Contains(err.Error(), "NEW_REFERRAL") {
		t.Errorf("unknown event: %v", err)
	}
	// The shared fixtures are a referral program's: the affiliate events
	// render from their affiliate-program twins.
	fixtures := surfacetest.Changes()
	for _, c := range surfacetest.Changes() {
		if c.Commission != nil || c.Payout != nil {
			camp := *c.Campaign
			camp.Kind = canonical.AffiliateProgram
			c.Campaign = &camp
			fixtures = append(fixtures, c)
		}
	}
	schemas := surfacetest.WebhookSchemas(t, openapi.GrowSurf)
	for _, r := range surfacetest.CheckWebhooks(t, fixedHooks, schemas, eventOf, fixtures) {
		surfacetest.CheckPayload(t, r.Event+" "+string(r.Change.Kind), schemas[r.Event], r.Request.Body)
	}
}

// eventOf reads a GrowSurf payload's event name.
func eventOf(body []byte) string {
	var env struct{ Event string }
	_ = json.Unmarshal(body, &env)
	return env.Event
}

// TestWebhookSignature checks GrowSurf-Signature with an implementation
// of GrowSurf's documented scheme written here: ts=<unix ms>,v=<hex of
// HMAC-SHA256(secret, ts "." body)>.
func TestWebhookSignature(t *testing.T) {
	t.Parallel()
	tc := webhookCases()[0]
	attempt := time.Date(2026, 3, 10, 12, 0, 0, 123e6, time.UTC)
	req, ok, err := fixedHooks.Render(tc.change, canonical.WebhookEndpoint{Secret: "whsec_test"}, "d1", attempt)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	header := req.Header.Get("GrowSurf-Signature")
	ts, v, found := strings.Cut(header, ",")
	if !found || ts != "ts=1773144000123" {
		t.Fatalf("GrowSurf-Signature = %q", header)
	}
	mac := hmac.New(sha256.New, []byte("whsec_test"))
	mac.Write([]byte("1773144000123." + string(req.Body)))
	if want := "v=" + hex.EncodeToString(mac.Sum(nil)); v != want {
		t.Errorf("signature %s, want %s", v, want)
	}
	// Another attempt of the same delivery: same body, its own timestamp.
	again, _, _ := fixedHooks.Render(tc.change, canonical.WebhookEndpoint{Secret: "whsec_test"}, "d1", attempt.Add(time.Minute))
	if !bytes.Equal(again.Body, req.Body) || again.Header.Get("GrowSurf-Signature") == header ||
		again.Header.Get(surface.EventIDHeader) != req.Header.Get(surface.EventIDHeader) {
		t.Error("a retry must carry the same body and event id, signed at its own time")
	}
	if req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type = %q", req.Header.Get("Content-Type"))
	}
}

func TestWebhookPolicy(t *testing.T) {
	t.Parallel()
	p := NewSurface().Webhooks(surface.Config{}).Policy()
	var total time.Duration
	for i, d := range p.Retries {
		if i > 0 && d < p.Retries[i-1] {
			t.Errorf("retry %d waits %v, less than the one before", i, d)
		}
		total += d
	}
	if len(p.Retries) == 0 || total < 24*time.Hour || p.DisableAfter <= len(p.Retries) || p.Timeout <= 0 {
		t.Errorf("policy %+v", p)
	}
}

// TestWebhookIDsMatchREST: a webhook's ids are the ones the REST surface
// renders in the same installation.
func TestWebhookIDsMatchREST(t *testing.T) {
	t.Parallel()
	secret := []byte("installation secret")
	hooks := NewSurface().Webhooks(surface.Config{IDSecret: secret})
	ids := newIDCodecs(secret)
	tc := webhookCases()[0]
	req, _, err := hooks.Render(tc.change, canonical.WebhookEndpoint{}, "d1", tc.change.At)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Data struct {
			Participant struct{ ID, ReferredBy string }
			Campaign    struct{ ID string }
		}
	}
	if err := json.Unmarshal(req.Body, &got); err != nil {
		t.Fatal(err)
	}
	rest := toParticipant(ids, ben, campaign, participantExtras{}, goldenNow)
	if got.Data.Participant.ID != rest.ID || got.Data.Participant.ReferredBy != rest.ReferredBy ||
		got.Data.Campaign.ID != ids.campaign.encode(campaign.ID) || rest.ID == fixedIDs.participant.encode(ben.ID) {
		t.Errorf("webhook ids %+v, REST %s / %s", got.Data, rest.ID, rest.ReferredBy)
	}
}

// FuzzWebhookRender renders the golden cases' changes with fuzzed fields:
// Render never panics, and whatever it renders is JSON that matches the
// event's schema.
func FuzzWebhookRender(f *testing.F) {
	specs := surfacetest.WebhookSchemas(f, openapi.GrowSurf)
	cases := webhookCases()
	f.Add(uint8(0), "102", "ben@example.com", "Ben", int64(980), uint8(0), int64(1717050000000), false, false, "s")
	f.Add(uint8(2), "x", "", "\u00e9\x00", int64(-1), uint8(3), int64(-62135596800001), true, true, "")
	f.Fuzz(func(t *testing.T, pick uint8, id, email, first string, amount int64, status uint8, msec int64, flip, bare bool, secret string) {
		ch := cases[int(pick)%len(cases)].change
		ch.ID, ch.At = id, time.UnixMilli(msec)
		if ch.Participant != nil {
			p := *ch.Participant
			p.ID, p.Email, p.FirstName, p.ReferrerID = id, email, first, id
			p.Fraud.Risk = []canonical.FraudRisk{"", canonical.RiskLow, canonical.RiskMedium, canonical.RiskHigh}[int(status)%4]
			ch.Participant = &p
		}
		if ch.Commission != nil {
			c := *ch.Commission
			c.Amount.Amount, c.Status = amount, []canonical.CommissionStatus{canonical.CommissionPending, canonical.CommissionDue,
				canonical.CommissionPaid, canonical.CommissionVoided}[int(status)%4]
			ch.Commission = &c
		}
		if ch.Reward != nil {
			r := *ch.Reward
			r.RuleID, r.Status = id, []canonical.RewardStatus{canonical.RewardPending, canonical.RewardApproved,
				canonical.RewardFulfilled, canonical.RewardCanceled}[int(status)%4]
			ch.Reward = &r
		}
		if ch.Campaign != nil && flip {
			c := *ch.Campaign
			c.Kind = map[bool]canonical.CampaignKind{true: canonical.ReferralProgram, false: canonical.AffiliateProgram}[c.Kind == canonical.AffiliateProgram]
			c.URL, c.Name = email, first
			ch.Campaign = &c
		}
		if bare {
			ch.Campaign, ch.Rule = nil, nil
		}
		req, ok, err := fixedHooks.Render(ch, canonical.WebhookEndpoint{Secret: secret}, id, ch.At)
		if err != nil || !ok {
			return
		}
		var env struct{ Event string }
		if err := json.Unmarshal(req.Body, &env); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		schema, found := specs[env.Event]
		if !found {
			t.Fatalf("event %q is not in the spec", env.Event)
		}
		if err := surfacetest.ValidBody(schema, req.Body); err != nil {
			t.Fatalf("%s: %v\n%s", env.Event, err, req.Body)
		}
		if (secret != "") != (req.Header.Get(signatureHeader) != "") {
			t.Fatalf("secret %q, signature %q", secret, req.Header.Get(signatureHeader))
		}
	})
}
