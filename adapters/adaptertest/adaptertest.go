// Package adaptertest is the one conformance suite of the canonical
// Backend contract, in the style of go-cloud's drivertest: every
// implementation — the native engine, and each vendor's outbound backend
// pointed at refbridge's proxy serving that vendor — runs the same
// behaviours through RunConformanceTests.
//
// Each behaviour lists the operations it calls on the backend under test
// and is skipped, before it starts, exactly when the backend's
// Capabilities leave one of them out or when the harness declares a limit
// (Limits) that makes it inapplicable. For the operations a backend does
// not list, the suite checks that each answers NotImplemented without any
// I/O; for those it lists, it checks that some behaviour called each one
// (EveryListedOperationExercised), so an operation added to a backend's
// Capabilities without a conformance test fails the suite.
package adaptertest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// Harness is one backend under test.
type Harness interface {
	// Backend is the backend under test, acting for a fresh account that
	// has the one campaign the HarnessMaker was given.
	Backend() canonical.Backend
	// CampaignID is that campaign's ID as Backend knows it.
	CampaignID() string
	// Calls is how many requests (HTTP round trips, store transactions)
	// the backend has made so far.
	Calls() int
	// Arrange returns the engine acting for the same account (for a
	// vendor backend, the engine behind the proxy serving it) and the
	// campaign's ID there. Behaviours arrange through it only what the
	// backend under test cannot do itself — a sale on Rewardful, whose
	// sales come from Stripe; a campaign setting no vendor API changes —
	// and never assert on its answers.
	Arrange() (canonical.Backend, string)
	// Advance moves the clock the backend under test runs on (for a
	// vendor backend, the proxy's) forward by d.
	Advance(d time.Duration)
	// Limits declares what the backend's API cannot express beyond what
	// its Capabilities leave out.
	Limits() Limits
	// Close releases the harness.
	Close()
}

// Limits are a backend's documented differences from the contract that
// Capabilities cannot say: what the vendor's API cannot carry (the
// README's "what does not survive the vendor's API" table, and the
// backend's doc comments). A behaviour that depends on one is skipped for
// the backend, or leaves out the one assertion the limit names; the zero
// value, full fidelity, is the engine's.
type Limits struct {
	// NoReferredCreate: CreateParticipant with a Referrer answers
	// NotImplemented (Rewardful: affiliates have no referrer), so
	// referred participants are arranged through the engine.
	NoReferredCreate bool
	// NoFraudRisk: participants read back without a fraud risk;
	// NoFraudReason: without the reason for it.
	NoFraudRisk, NoFraudReason bool
	// NoPendingCount: participants read back without a count of their
	// pending referrals.
	NoPendingCount bool
	// NoReferralState: referrals and referred participants read back
	// without the referral's state.
	NoReferralState bool
	// NoNamesOnCreate: CreateParticipant cannot send names; NoMetadata:
	// participants carry no metadata.
	NoNamesOnCreate, NoMetadata bool
	// NoReferralPatch: UpdateParticipant cannot change who referred a
	// participant or their referral's state.
	NoReferralPatch bool
	// NoCampaignStatus, NoQualification and NoCampaignURL: campaigns
	// read back without their status, qualification or site URL.
	NoCampaignStatus, NoQualification, NoCampaignURL bool
	// RuleKinds are the kinds of reward rule the API shows; nil means
	// every kind.
	RuleKinds []canonical.RewardKind
	// FirstRuleOnly: the API shows a campaign's first reward rule only.
	FirstRuleOnly bool
	// NoRulesOnCreate: CreateCampaign cannot send the campaign's rules.
	NoRulesOnCreate bool
	// NoRuleValue: reward rules read back without their value.
	NoRuleValue bool
	// NoRewardValue: earned rewards read back without their value;
	// NoRewardSide: without which side of a referral they reward.
	NoRewardValue, NoRewardSide bool
	// NoSaleOutcome: CreateTransaction answers nothing of duplicates,
	// first sales or commissions; NoSaleCommissions: it answers no
	// commissions for a new sale.
	NoSaleOutcome, NoSaleCommissions bool
	// NoActionDetails: RecordSpecificAction answers the action without
	// its referrer (ListSpecificActions shows it).
	NoActionDetails bool
	// Boards are the leaderboards the API serves; nil means every board.
	Boards []canonical.Board
	// StatsCounters are the CampaignStats fields the API reports, by
	// name; nil means every field.
	StatsCounters []string
}

// showsRule reports whether rules of kind k survive the API.
func (l Limits) showsRule(k canonical.RewardKind) bool {
	return l.RuleKinds == nil || slices.Contains(l.RuleKinds, k)
}

// HarnessMaker makes a fresh harness for one behaviour: a fresh account
// whose one campaign is c (created through the engine, so every field
// of c applies whatever the backend's API can express).
type HarnessMaker func(ctx context.Context, t *testing.T, c canonical.Campaign) (Harness, error)

// Campaign is the campaign most behaviours run in: an active referral
// program crediting referrals at signup, with a single-sided reward rule
// earned at each credited referral.
func Campaign() canonical.Campaign {
	return canonical.Campaign{
		Name:          "Conformance",
		Status:        canonical.CampaignActive,
		Qualification: canonical.QualifyOnSignup,
		Currency:      "USD",
		URL:           "https://shop.example.com",
		Rules: []canonical.RewardRule{{
			Kind:          canonical.SingleSided,
			Title:         friendBonus,
			Threshold:     1,
			Unlimited:     true,
			Visible:       true,
			ReferrerValue: canonical.Money{Amount: 1000, Currency: "USD"},
		}},
	}
}

// friendBonus is the title of Campaign's reward rule.
const friendBonus = "Friend bonus"

// AffiliateCampaign is the campaign the money behaviours run in: an
// active affiliate program paying a 15% commission on every referred
// sale (GrowSurf accepts commission rules in affiliate programs only).
func AffiliateCampaign() canonical.Campaign {
	c := Campaign()
	c.Name, c.Kind, c.Rules = "Affiliate conformance", canonical.AffiliateProgram, []canonical.RewardRule{commissionRule()}
	return c
}

// behaviour is one conformance check.
type behaviour struct {
	name string
	// needs are the operations run calls on the backend under test.
	needs []canonical.Operation
	// unless, when set, names the declared limit that makes the
	// behaviour inapplicable to a backend, "" when it applies.
	unless func(Limits) string
	// campaign is the campaign the behaviour runs in; nil means
	// Campaign.
	campaign func() canonical.Campaign
	// probe marks a behaviour that only checks error answers: the
	// operations it calls do not count as exercised.
	probe bool
	run   func(t *testing.T, s *suite)
}

// suite is one behaviour's running state.
type suite struct {
	ctx context.Context
	h   Harness
	// b is the backend under test behind the recorder.
	b    canonical.Backend
	camp string
	// arr and arrCamp are Harness.Arrange's engine and campaign ID.
	arr     canonical.Backend
	arrCamp string
	lim     Limits
	seq     int
	mu      sync.Mutex
}

// email returns a fresh address for this behaviour.
func (s *suite) email(who string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("%s%d@conformance.example.com", who, s.seq)
}

// behaviours are the suite, grouped by area of the contract.
var behaviours = slices.Concat(
	participantBehaviours,
	campaignBehaviours,
	ruleBehaviours,
	rewardBehaviours,
	referralBehaviours,
	moneyBehaviours,
	couponBehaviours,
	linkBehaviours,
	statsBehaviours,
)

func ops(names ...string) []canonical.Operation {
	out := make([]canonical.Operation, len(names))
	for i, n := range names {
		out[i] = canonical.Operation(n)
	}
	return out
}

// RunConformanceTests runs every behaviour against fresh harnesses
// (TestX/Behaviours/<name>), then checks that the behaviours together
// called every operation the backend lists (TestX/EveryListedOperationExercised).
func RunConformanceTests(t *testing.T, newHarness HarnessMaker) {
	t.Helper()
	var (
		mu        sync.Mutex
		ran       = map[string]bool{}
		exercised = map[canonical.Operation]bool{}
		caps      canonical.Capabilities
	)
	t.Run("Behaviours", func(t *testing.T) {
		for _, bh := range behaviours {
			t.Run(bh.name, func(t *testing.T) {
				t.Parallel()
				mu.Lock()
				ran[bh.name] = true
				mu.Unlock()
				ctx := context.Background()
				camp := Campaign
				if bh.campaign != nil {
					camp = bh.campaign
				}
				h, err := newHarness(ctx, t, camp())
				if err != nil {
					t.Fatal(err)
				}
				defer h.Close()
				c := h.Backend().Capabilities()
				mu.Lock()
				caps = c
				mu.Unlock()
				for _, op := range bh.needs {
					if !c.Supports(op) {
						t.Skipf("%s does not support %s", c.Backend, op)
					}
				}
				if bh.unless != nil {
					if why := bh.unless(h.Limits()); why != "" {
						t.Skipf("%s: %s", c.Backend, why)
					}
				}
				rec := newRecorder(h.Backend())
				arr, arrCamp := h.Arrange()
				s := &suite{ctx: ctx, h: h, b: rec, camp: h.CampaignID(), arr: arr, arrCamp: arrCamp, lim: h.Limits()}
				defer func() {
					// Only a behaviour that ran to its end vouches for
					// the operations it called.
					if t.Skipped() || t.Failed() || bh.probe {
						return
					}
					mu.Lock()
					defer mu.Unlock()
					for _, op := range rec.operations() {
						exercised[op] = true
					}
				}()
				bh.run(t, s)
			})
		}
	})
	t.Run("EveryListedOperationExercised", func(t *testing.T) {
		mu.Lock()
		defer mu.Unlock()
		for _, bh := range behaviours {
			if !ran[bh.name] {
				t.Skipf("behaviour %s did not run (-run filter); the check needs the whole suite", bh.name)
			}
		}
		if caps.Backend == "" {
			t.Skip("no behaviour reported its backend")
		}
		var missing []string
		for _, op := range caps.Operations {
			if !exercised[op] {
				missing = append(missing, string(op))
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s lists %d operations no passing conformance behaviour exercised: %s",
				caps.Backend, len(missing), strings.Join(missing, ", "))
		}
		t.Logf("%s: %d of %d listed operations exercised", caps.Backend, len(caps.Operations)-len(missing), len(caps.Operations))
	})
}

// code fails t unless err carries the canonical code want.
func code(t *testing.T, what string, err error, want canonical.Code) {
	t.Helper()
	if got := canonical.CodeOf(err); got != want {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, want)
	}
}

// must fails t when err is not nil and returns v.
func must[T any](t *testing.T, what string) func(v T, err error) T {
	t.Helper()
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// create adds a participant through the backend under test, referred by
// referrer when it is not zero.
func (s *suite) create(t *testing.T, email string, referrer canonical.ParticipantRef) canonical.Participant {
	t.Helper()
	p, _, err := s.b.CreateParticipant(s.ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: s.camp, Email: email, FirstName: "Conf", LastName: "Ormance"},
		Referrer:    referrer,
	})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	if p.ID == "" || !strings.EqualFold(p.Email, email) {
		t.Fatalf("create %s: got ID %q, email %q", email, p.ID, p.Email)
	}
	return p
}

// join adds a direct participant through the backend under test.
func (s *suite) join(t *testing.T, who string) canonical.Participant {
	t.Helper()
	return s.create(t, s.email(who), canonical.ParticipantRef{})
}

// refer adds a participant referred by by: through the backend under
// test, or, when it cannot attribute referrals (Limits.NoReferredCreate),
// through the engine, reading the participant back by email.
func (s *suite) refer(t *testing.T, who string, by canonical.Participant) canonical.Participant {
	t.Helper()
	return s.referFrom(t, who, by, "")
}

// referFrom is refer for a participant who came from a share channel.
func (s *suite) referFrom(t *testing.T, who string, by canonical.Participant, channel string) canonical.Participant {
	t.Helper()
	in := canonical.NewParticipant{Participant: canonical.Participant{CampaignID: s.camp, Email: s.email(who),
		FirstName: "Conf", LastName: "Ormance", Source: channel}, Referrer: referrerRef(by)}
	if !s.lim.NoReferredCreate {
		p := must[canonical.Participant](t, "create "+in.Email)(first(s.b.CreateParticipant(s.ctx, in)))
		if p.ID == "" || !strings.EqualFold(p.Email, in.Email) {
			t.Fatalf("create %s: got ID %q, email %q", in.Email, p.ID, p.Email)
		}
		return p
	}
	in.CampaignID, in.Referrer = s.arrCamp, canonical.ByEmail(by.Email)
	must[canonical.Participant](t, "arrange referred "+in.Email)(first(s.arr.CreateParticipant(s.ctx, in)))
	return must[canonical.Participant](t, "read arranged "+in.Email)(s.b.GetParticipant(s.ctx, s.camp, canonical.ByEmail(in.Email)))
}

// first drops CreateParticipant's created flag.
func first(p canonical.Participant, _ bool, err error) (canonical.Participant, error) { return p, err }

// configure changes the campaign through the engine: settings the
// behaviour needs that vendor APIs cannot change.
func (s *suite) configure(t *testing.T, patch canonical.CampaignPatch) {
	t.Helper()
	must[canonical.Campaign](t, "arrange the campaign")(s.arr.UpdateCampaign(s.ctx, s.arrCamp, patch))
}

// state checks a referral state read back from the backend, unless
// the backend shows none (Limits.NoReferralState).
func (s *suite) state(t *testing.T, what string, got, want canonical.ReferralState) {
	t.Helper()
	if !s.lim.NoReferralState && got != want {
		t.Fatalf("%s: state %q, want %q", what, got, want)
	}
}

// supports reports whether the backend under test lists op.
func (s *suite) supports(op canonical.Operation) bool { return s.b.Capabilities().Supports(op) }

// referrerRef is how a new participant names p as referrer: by code
// when the backend shows one, else by ID.
func referrerRef(p canonical.Participant) canonical.ParticipantRef {
	if p.ReferralCode != "" {
		return canonical.ByCode(p.ReferralCode)
	}
	return canonical.ByID(p.ID)
}

// get reads a participant by ID through the backend under test.
func (s *suite) get(t *testing.T, p canonical.Participant) canonical.Participant {
	t.Helper()
	return must[canonical.Participant](t, "get "+p.Email)(s.b.GetParticipant(s.ctx, s.camp, canonical.ByID(p.ID)))
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// usd is an amount of US cents.
func usd(cents int64) canonical.Money { return canonical.Money{Amount: cents, Currency: "USD"} }

// walk pages through a list one item at a time by cursor and checks that
// the walk agrees with one page holding everything: the same items in
// the same order, pages of at most one item, a last page without a
// cursor, and a Total (when known) counting the whole list. It returns
// the items' IDs.
func walk[T any](t *testing.T, what string, list func(canonical.ListOptions) (canonical.Page[T], error), id func(T) string) []string {
	t.Helper()
	whole := must[canonical.Page[T]](t, what)(list(canonical.ListOptions{Limit: 100}))
	var want []string
	for _, it := range whole.Items {
		want = append(want, id(it))
	}
	var got []string
	o := canonical.ListOptions{Limit: 1}
	for pages := 0; ; pages++ {
		if pages > len(want)+1 {
			t.Fatalf("%s: more than %d pages of one for %d items", what, pages, len(want))
		}
		page := must[canonical.Page[T]](t, what)(list(o))
		if len(page.Items) > 1 {
			t.Fatalf("%s: a page of %d items with limit 1", what, len(page.Items))
		}
		if page.Total >= 0 && page.Total != len(want) {
			t.Fatalf("%s: Total = %d, want %d (or -1)", what, page.Total, len(want))
		}
		for _, it := range page.Items {
			got = append(got, id(it))
		}
		if o.Cursor = page.NextCursor; o.Cursor == "" {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: paging one at a time gave %v, one page %v", what, got, want)
	}
	return want
}
