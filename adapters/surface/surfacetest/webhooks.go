package surfacetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/openapi"
)

// SiteURL is the website of the campaign the sample changes belong to.
const SiteURL = "https://shop.example.com"

// ChangeAt is the time of every change Changes builds.
var ChangeAt = time.Date(2026, 3, 10, 12, 30, 0, 0, time.UTC)

// Changes returns one representative change of every kind
// (canonical.ChangeKinds, in that order) in campaign 7 of account 3, each
// carrying the entities its kind's comment names, fully populated, as the
// engine logs them: a renderer test renders each and checks the body
// against the vendor's schema.
func Changes() []canonical.Change {
	at := ChangeAt
	created := at.Add(-48 * time.Hour)
	usd := func(cents int64) canonical.Money { return canonical.Money{Amount: cents, Currency: "USD"} }
	camp := canonical.Campaign{ID: "7", Name: "Spring launch", Kind: canonical.ReferralProgram, Status: canonical.CampaignActive,
		Currency: "USD", URL: SiteURL, CreatedAt: created, UpdatedAt: created}
	referrer := canonical.Participant{ID: "41", CampaignID: "7", Email: "bo@example.org", FirstName: "Bo", LastName: "Lind",
		ReferralCode: "bo1f9e2a", Source: "direct_visit", Verified: true, VerifiedAt: &created, Points: 4,
		Fraud: canonical.Fraud{Risk: canonical.RiskLow}, CreatedAt: created, UpdatedAt: at,
		Stats: canonical.ParticipantStats{Referrals: 4, ReferredSignups: 5, Rank: 1, PointsRank: 1,
			ReferrerRewards: usd(2000), Impressions: 12}}
	p := canonical.Participant{ID: "42", CampaignID: "7", Email: "ana@example.org", FirstName: "Ana", LastName: "Ruiz",
		ReferralCode: "ana7c21x", ReferrerID: "41", ReferralState: canonical.StateCredited, Source: "twitter",
		Verified: true, VerifiedAt: &at, Points: 1, Fraud: canonical.Fraud{Risk: canonical.RiskMedium}, CreatedAt: at, UpdatedAt: at,
		Stats: canonical.ParticipantStats{Rank: 3, PointsRank: 3, ReferredRewards: usd(1000), Impressions: 2}}
	ref := canonical.Referral{ID: "51", CampaignID: "7", ReferrerID: "41", ReferredID: "42", Email: p.Email,
		State: canonical.StateCredited, Channel: "twitter", LeadAt: &at, CreditedAt: &at, CreatedAt: at, UpdatedAt: at}
	rule := canonical.RewardRule{ID: "61", CampaignID: "7", Kind: canonical.DoubleSided, Title: "$20 credit",
		Description: "Give $10, get $20", Threshold: 1, ReferrerValue: usd(2000), ReferredValue: usd(1000)}
	reward := canonical.EarnedReward{ID: "71", CampaignID: "7", RuleID: "61", ParticipantID: "41", ReferralID: "51",
		ReferredID: "42", IsReferrer: true, Status: canonical.RewardApproved, Value: usd(2000), ReferralsAtEarning: 4,
		CouponCode: "THANKS20", CreatedAt: at, ApprovedAt: &at, UpdatedAt: at}
	fulfilled := reward
	fulfilled.Status, fulfilled.FulfilledAt = canonical.RewardFulfilled, &at
	sale := canonical.Transaction{ID: "81", CampaignID: "7", ParticipantID: "42", ReferralID: "51", ReferrerID: "41",
		Kind: canonical.Sale, Amount: usd(12500), ExternalIDs: map[string]string{"transaction_id": "ord_1001"},
		OccurredAt: at, CreatedAt: at}
	refund := sale
	refund.ID, refund.Kind, refund.Amount, refund.RefundOf = "82", canonical.Refund, usd(2500), "81"
	due := at.Add(30 * 24 * time.Hour)
	comm := canonical.Commission{ID: "91", CampaignID: "7", ReferrerID: "41", ReferredID: "42", TransactionID: "81",
		RuleID: "61", Amount: usd(2500), SaleAmount: usd(12500), Status: canonical.CommissionPending, DueAt: &due,
		CreatedAt: at, UpdatedAt: at}
	payout := canonical.Payout{ID: "101", CampaignID: "7", ParticipantID: "41", Amount: usd(2500), CommissionIDs: []string{"91"},
		Status: canonical.PayoutDue, CreatedAt: at, UpdatedAt: at}
	coupon := canonical.Coupon{ID: "111", CampaignID: "7", ParticipantID: "41", Code: "BO-10OFF", Available: true,
		CreatedAt: at, UpdatedAt: at}
	link := canonical.Link{ID: "121", CampaignID: "7", ParticipantID: "41", Token: "bo-spring", Visitors: 9, Leads: 5,
		Conversions: 1, CreatedAt: created, UpdatedAt: at}
	ended := camp
	ended.Status, ended.EndsAt = canonical.CampaignEnded, &at

	ptr := func(x canonical.Participant) *canonical.Participant { return &x }
	var out []canonical.Change
	for i, k := range canonical.ChangeKinds() {
		c := canonical.Change{ID: fmt.Sprint(1001 + i), Kind: k, AccountID: "3", CampaignID: "7", At: at, Campaign: &camp}
		switch k {
		case canonical.ChangeParticipantAdded, canonical.ChangeReferralCreated, canonical.ChangeReferralLead,
			canonical.ChangeReferralCredited:
			c.Participant, c.Referrer, c.Referral = ptr(p), ptr(referrer), &ref
		case canonical.ChangeReferralConverted:
			c.Participant, c.Referrer, c.Referral, c.Transaction = ptr(p), ptr(referrer), &ref, &sale
		case canonical.ChangeRewardEarned, canonical.ChangeRewardApproved:
			c.Participant, c.Referred, c.Rule, c.Reward = ptr(referrer), ptr(p), &rule, &reward
		case canonical.ChangeRewardFulfilled:
			c.Participant, c.Referred, c.Rule, c.Reward = ptr(referrer), ptr(p), &rule, &fulfilled
		case canonical.ChangeSaleCreated:
			c.Participant, c.Referrer, c.Transaction = ptr(p), ptr(referrer), &sale
		case canonical.ChangeSaleRefunded:
			c.Participant, c.Transaction, c.Sale = ptr(p), &refund, &sale
		case canonical.ChangeCommissionCreated:
			c.Participant, c.Commission, c.Transaction = ptr(referrer), &comm, &sale
		case canonical.ChangeCommissionAdjusted, canonical.ChangeCommissionVoided:
			cm := comm
			if k == canonical.ChangeCommissionVoided {
				cm.Status, cm.VoidedAt = canonical.CommissionVoided, &at
			}
			c.Participant, c.Commission = ptr(referrer), &cm
		case canonical.ChangeCommissionPaid:
			cm, po := comm, payout
			cm.Status, cm.PaidAt, cm.PayoutID = canonical.CommissionPaid, &at, "101"
			po.Status, po.PaidAt = canonical.PayoutPaid, &at
			c.Participant, c.Commission, c.Payout = ptr(referrer), &cm, &po
		case canonical.ChangePayoutCreated, canonical.ChangePayoutPaid, canonical.ChangePayoutFailed:
			po := payout
			switch k {
			case canonical.ChangePayoutPaid:
				po.Status, po.PaidAt = canonical.PayoutPaid, &at
			case canonical.ChangePayoutFailed:
				po.Status, po.FailedAt = canonical.PayoutFailed, &at
			}
			c.Participant, c.Payout = ptr(referrer), &po
		case canonical.ChangeCouponCreated, canonical.ChangeCouponActivated, canonical.ChangeCouponDeactivated,
			canonical.ChangeCouponDeleted:
			cp := coupon
			cp.Available = k != canonical.ChangeCouponDeactivated && k != canonical.ChangeCouponDeleted
			c.Coupon = &cp
			if k != canonical.ChangeCouponDeleted {
				c.Participant = ptr(referrer)
			}
		case canonical.ChangeLinkCreated, canonical.ChangeLinkUpdated, canonical.ChangeLinkDeleted:
			c.Link = &link
			if k != canonical.ChangeLinkDeleted {
				c.Participant = ptr(referrer)
			}
		case canonical.ChangeCampaignEnded:
			c.Campaign = &ended
		default: // participant changes
			c.Participant, c.Referrer = ptr(p), ptr(referrer)
		}
		out = append(out, c)
	}
	return out
}

// WebhookSchemas returns the schema of every webhook event vendor's spec
// models, by the vendor's event name. A spec lists its events in the
// top-level extension x-webhooks (OpenAPI 3.0 has no webhooks key): event
// name -> {schema: <name under components.schemas>, ...}.
func WebhookSchemas(t testing.TB, vendor openapi.Vendor) map[string]*openapi3.Schema {
	t.Helper()
	doc, err := openapi.Load(vendor)
	if err != nil {
		t.Fatal(err)
	}
	raw, ok := doc.Extensions["x-webhooks"]
	if !ok {
		t.Fatalf("the %s spec has no x-webhooks", vendor)
	}
	b, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	var events map[string]struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(b, &events); err != nil {
		t.Fatalf("the %s spec's x-webhooks: %v", vendor, err)
	}
	out := map[string]*openapi3.Schema{}
	for name, e := range events {
		ref, ok := doc.Components.Schemas[e.Schema]
		if !ok || ref.Value == nil {
			t.Fatalf("the %s spec's webhook %s names schema %q, which components.schemas lacks", vendor, name, e.Schema)
		}
		out[name] = ref.Value
	}
	if len(out) == 0 {
		t.Fatalf("the %s spec's x-webhooks lists no events", vendor)
	}
	return out
}

// ValidBody reports why body is not a JSON document that schema admits
// (nil when it is). Schemas of webhook payloads close their objects
// (additionalProperties: false), so a field the spec does not declare is
// an error too.
func ValidBody(schema *openapi3.Schema, body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return schema.VisitJSON(v, openapi3.MultiErrors())
}

// CheckWebhooks renders every change of changes (Changes, plus the
// variants a vendor tells apart by content) for endpoints subscribed to
// each of the vendor's event names in turn, and checks that:
//
//   - a rendered body is valid against the schema of the event it went
//     out as (eventOf reads the name from the body) and that event is the
//     endpoint's;
//   - the name's Kinds hold the kind of every change that renders;
//   - every event name of schemas renders from some change.
//
// It returns what rendered, for golden files.
func CheckWebhooks(t *testing.T, hooks surface.Webhooks, schemas map[string]*openapi3.Schema, eventOf func(body []byte) string, changes []canonical.Change) []Rendered {
	t.Helper()
	var out []Rendered
	count := map[string]int{}
	for name, schema := range schemas {
		kinds, err := hooks.Kinds([]string{name})
		if err != nil || len(kinds) == 0 {
			t.Errorf("Kinds(%q) = %v, %v", name, kinds, err)
			continue
		}
		ep := canonical.WebhookEndpoint{ID: "5", URL: "https://hooks.example.com/in", Events: []string{name},
			Kinds: kinds, Enabled: true, Secret: "whsec_test"}
		for _, c := range changes {
			req, ok, err := hooks.Render(c, ep, "9001", ChangeAt.Add(time.Minute))
			if err != nil {
				t.Errorf("%s: rendering %s: %v", name, c.Kind, err)
				continue
			}
			if !ok {
				continue
			}
			if !ep.Subscribes(c.Kind) {
				t.Errorf("%s: %s renders but is not among its kinds %v", name, c.Kind, kinds)
			}
			if got := eventOf(req.Body); got != name {
				t.Errorf("%s: %s renders as event %q", name, c.Kind, got)
			}
			if err := ValidBody(schema, req.Body); err != nil {
				t.Errorf("%s: %s renders a body its schema rejects: %v\n%s", name, c.Kind, err, req.Body)
			}
			out = append(out, Rendered{Event: name, Change: c, Request: req})
			count[name]++
		}
		if count[name] == 0 {
			t.Errorf("no change renders as %s", name)
		}
	}
	return out
}

// Rendered is one change rendered as one of a vendor's events.
type Rendered struct {
	Event   string
	Change  canonical.Change
	Request surface.WebhookRequest
}

// Golden compares got with the golden file path, or rewrites the file when
// update is set (each package's -update flag).
func Golden(t *testing.T, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the code renders:\n got %s\nwant %s", path, got, want)
	}
}

// CheckWebhookSamples validates each documented payload in
// testdata/<vendor>/webhooks/<event>.json (dir is that directory) against
// its event's schema, and checks that the payload names its event
// (eventOf). It returns the samples by event name.
func CheckWebhookSamples(t *testing.T, dir string, schemas map[string]*openapi3.Schema, eventOf func(body []byte) string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no documented webhook payloads in %s: %v", dir, err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		event := strings.TrimSuffix(filepath.Base(f), ".json")
		schema, ok := schemas[event]
		if !ok {
			t.Errorf("%s: the spec models no webhook %q", f, event)
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidBody(schema, body); err != nil {
			t.Errorf("%s does not match its schema: %v", f, err)
		}
		if got := eventOf(body); got != event {
			t.Errorf("%s names event %q", f, got)
		}
		out[event] = body
	}
	return out
}

// FuzzedChange builds a renderer fuzz target's change from its input: the
// change of Changes at index kind (modulo their number), its participant's
// texts replaced by text's NUL-separated parts (email, first name, last
// name, code, source, campaign URL, currency, extra field), its counters
// by n, its ID by id, and flags choosing: bit 0 referred, bit 1 referrer
// carried, bit 2 no campaign on the change, bit 3 no participant.
func FuzzedChange(kind uint8, text string, n int64, id uint64, flags uint8) canonical.Change {
	all := Changes()
	c := all[int(kind)%len(all)]
	part := func(i int) string {
		parts := strings.Split(text, "\x00")
		if i < len(parts) {
			return parts[i]
		}
		return ""
	}
	if c.Participant != nil {
		p := *c.Participant
		p.ID = fmt.Sprint(id)
		p.Email, p.FirstName, p.LastName, p.ReferralCode, p.Source = part(0), part(1), part(2), part(3), part(4)
		p.Native.Set(canonical.ReferralHero, "extra_field", part(7))
		p.Points = n
		p.Stats.Referrals, p.Stats.ReferredSignups, p.Stats.Rank, p.Stats.Impressions = int(n%1e6), int(n%1e5), int(n%1e4), int(n%1e3)
		p.Stats.ReferrerRewards = canonical.Money{Amount: n, Currency: part(6)}
		p.ReferrerID = ""
		if flags&1 != 0 {
			p.ReferrerID = "41"
		}
		c.Participant = &p
		if flags&2 == 0 {
			c.Referrer = nil
		}
	}
	if c.Campaign != nil {
		camp := *c.Campaign
		camp.URL, camp.Currency = part(5), part(6)
		c.Campaign = &camp
	}
	if flags&4 != 0 {
		c.Campaign = nil
	}
	if flags&8 != 0 {
		c.Participant = nil
	}
	return c
}

// CheckFuzzedRender is a renderer fuzz target's property: rendering c for
// ep never panics; when it renders, the body is JSON valid against the
// schema of the event it names (eventOf), one of ep's events when ep lists
// any.
func CheckFuzzedRender(t *testing.T, hooks surface.Webhooks, schemas map[string]*openapi3.Schema, eventOf func([]byte) string, c canonical.Change, ep canonical.WebhookEndpoint) {
	t.Helper()
	req, ok, err := hooks.Render(c, ep, "1", ChangeAt)
	if err != nil || !ok {
		return
	}
	name := eventOf(req.Body)
	schema, known := schemas[name]
	if !known {
		t.Fatalf("%s renders as event %q, which the spec does not model:\n%s", c.Kind, name, req.Body)
	}
	if len(ep.Events) > 0 && !slices.Contains(ep.Events, name) {
		t.Fatalf("%s renders as %s for an endpoint of %q", c.Kind, name, ep.Events)
	}
	if err := ValidBody(schema, req.Body); err != nil {
		t.Fatalf("%s renders a body its schema rejects: %v\n%s", c.Kind, err, req.Body)
	}
}

// FuzzWebhooks is a vendor's renderer fuzz target: fuzzed changes
// (FuzzedChange) for endpoints of fuzzed subsets of names (the vendor's
// event names, at most 8) with fuzzed secrets, each checked by
// CheckFuzzedRender against the vendor's spec.
func FuzzWebhooks(f *testing.F, vendor openapi.Vendor, hooks surface.Webhooks, names []string, eventOf func([]byte) string) {
	f.Add(uint8(0), "ana@example.org\x00Ana\x00Ruiz\x00ana7c21x\x00twitter\x00https://shop.example.com\x00USD\x00vip", int64(4), uint64(42), uint8(3), uint8(0), "whsec")
	f.Add(uint8(10), "\xff\x00<b>\x00\x00\x00\x00javascript:alert(1)?x=&y\x00\x00", int64(-1), uint64(1<<50), uint8(1), uint8(0x7f), "")
	f.Add(uint8(2), "", int64(0), uint64(0), uint8(12), uint8(4), "k")
	schemas := WebhookSchemas(f, vendor)
	f.Fuzz(func(t *testing.T, kind uint8, text string, n int64, id uint64, flags, events uint8, secret string) {
		ep := canonical.WebhookEndpoint{Vendor: canonical.Vendor(vendor), Secret: secret}
		for i, name := range names {
			if i < 8 && events&(1<<i) != 0 {
				ep.Events = append(ep.Events, name)
			}
		}
		CheckFuzzedRender(t, hooks, schemas, eventOf, FuzzedChange(kind, text, n, id, flags), ep)
	})
}

// CheckPolicyDocumented checks that the vendor's spec documents policy:
// its x-webhook-delivery lists the waits before each retry in seconds
// (retries) and the consecutive failures that disable an endpoint
// (disableAfter, absent for never).
func CheckPolicyDocumented(t *testing.T, vendor openapi.Vendor, policy surface.WebhookPolicy) {
	t.Helper()
	doc, err := openapi.Load(vendor)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc.Extensions["x-webhook-delivery"])
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Retries      []float64 `json:"retries"`
		DisableAfter int       `json:"disableAfter"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("the %s spec's x-webhook-delivery: %v", vendor, err)
	}
	var documented []time.Duration
	for _, s := range d.Retries {
		documented = append(documented, time.Duration(s*float64(time.Second)))
	}
	if !slices.Equal(documented, policy.Retries) || d.DisableAfter != policy.DisableAfter {
		t.Errorf("the %s spec documents retries after %v and disabling after %d failures; the policy is %v and %d",
			vendor, documented, d.DisableAfter, policy.Retries, policy.DisableAfter)
	}
}
