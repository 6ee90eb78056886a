package engine_test

import (
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

func TestQualificationDecidesInitialState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q         canonical.Qualification
		state     canonical.ReferralState
		referrals int
		pending   int
	}{
		{canonical.QualifyOnSignup, canonical.StateCredited, 1, 0},
		{canonical.QualifyOnEvent, canonical.StatePending, 0, 1},
		{canonical.QualifyOnReview, canonical.StatePending, 0, 1},
	}
	for _, tc := range tests {
		t.Run(string(tc.q), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			c := e.campaign(canonical.Campaign{Qualification: tc.q})
			a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
			b := e.join(c.ID, "b@example.com", canonical.ByCode(a.ReferralCode))
			if b.ReferrerID != a.ID || b.ReferralState != tc.state {
				t.Errorf("b referrer %q state %q, want %q %q", b.ReferrerID, b.ReferralState, a.ID, tc.state)
			}
			got := e.get(c.ID, a.ID)
			if got.Stats.Referrals != tc.referrals || got.Stats.PendingReferrals != tc.pending || got.Stats.ReferredSignups != 1 {
				t.Errorf("a stats = %+v", got.Stats)
			}
		})
	}
}

func TestAttributionByEveryRef(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
	for i, ref := range []canonical.ParticipantRef{canonical.ByCode(a.ReferralCode), canonical.ByEmail("A@example.com"), canonical.ByID(a.ID)} {
		p := e.join(c.ID, string(rune('b'+i))+"@example.com", ref)
		if p.ReferrerID != a.ID {
			t.Errorf("referred by %s: referrer = %q", ref, p.ReferrerID)
		}
	}
	// An unknown referrer is ignored.
	if p := e.join(c.ID, "z@example.com", canonical.ByCode("unknown")); p.ReferrerID != "" {
		t.Errorf("unknown referrer attributed: %q", p.ReferrerID)
	}
	if got := e.get(c.ID, a.ID).Stats.Referrals; got != 3 {
		t.Errorf("a referrals = %d, want 3", got)
	}
}

func TestSelfReferralRefusedAndFlagged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	a := e.join(c.ID, "ana.lopez@gmail.com", canonical.ParticipantRef{})
	alias := e.join(c.ID, "AnaLopez+promo@gmail.com", canonical.ByCode(a.ReferralCode))
	if alias.ReferrerID != "" || alias.Fraud.Risk != canonical.RiskHigh || alias.Fraud.Reason != canonical.ReasonSelfReferral {
		t.Errorf("alias = referrer %q fraud %+v", alias.ReferrerID, alias.Fraud)
	}
	if got := e.get(c.ID, a.ID).Stats.Referrals; got != 0 {
		t.Errorf("self-referral credited: %d", got)
	}
}

func TestFraudSignals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	add := func(email, ip, fp string, ref canonical.ParticipantRef) canonical.Participant {
		in := canonical.NewParticipant{Referrer: ref}
		in.CampaignID, in.Email, in.IPAddress, in.Fingerprint = c.ID, email, ip, fp
		p, _, err := e.b.CreateParticipant(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := add("a@example.com", "10.1.1.1", "fp-a", canonical.ParticipantRef{})
	if a.Fraud != (canonical.Fraud{Risk: canonical.RiskLow, Reason: canonical.ReasonUniqueIdentity}) {
		t.Errorf("first participant fraud = %+v", a.Fraud)
	}
	if b := add("b@example.com", "10.9.9.9", "fp-a", canonical.ByID(a.ID)); b.Fraud.Risk != canonical.RiskHigh || b.Fraud.Reason != canonical.ReasonDuplicateIdentity {
		t.Errorf("same device as referrer = %+v", b.Fraud)
	}
	if c2 := add("c@example.com", "10.1.1.1", "fp-c", canonical.ParticipantRef{}); c2.Fraud.Risk != canonical.RiskMedium || c2.Fraud.Reason != canonical.ReasonSharedIP {
		t.Errorf("shared IP = %+v", c2.Fraud)
	}
}

func TestTrackConversionFollowsTheSeedRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	two := e.campaign(canonical.Campaign{Name: "goal 2", Qualification: canonical.QualifyOnEvent})
	three := e.campaign(canonical.Campaign{Name: "goal 3", Qualification: canonical.QualifyOnReview})
	one := e.campaign(canonical.Campaign{Name: "goal 1", Qualification: canonical.QualifyOnSignup})
	track := func(camp string, who, ref canonical.ParticipantRef, newP *canonical.Participant) (canonical.Participant, error) {
		return e.b.TrackConversion(e.ctx, camp, canonical.ConversionEvent{Participant: who, Referrer: ref, NewParticipant: newP})
	}

	// Rule 1: an existing pending referral moves on.
	r2 := e.join(two.ID, "r@example.com", canonical.ParticipantRef{})
	f2 := e.join(two.ID, "f@example.com", canonical.ByCode(r2.ReferralCode))
	got, err := track(two.ID, canonical.ByIdentifier("f@example.com"), canonical.ParticipantRef{}, nil)
	if err != nil || got.ReferralState != canonical.StateCredited {
		t.Fatalf("goal 2 rule 1 = %q, %v", got.ReferralState, err)
	}
	if e.get(two.ID, r2.ID).Stats.Referrals != 1 {
		t.Error("goal 2: credited referral not counted")
	}
	r3 := e.join(three.ID, "r@example.com", canonical.ParticipantRef{})
	e.join(three.ID, "f@example.com", canonical.ByCode(r3.ReferralCode))
	if got, err := track(three.ID, canonical.ByIdentifier("f@example.com"), canonical.ParticipantRef{}, nil); err != nil || got.ReferralState != canonical.StateUnconfirmed {
		t.Fatalf("goal 3 rule 1 = %q, %v", got.ReferralState, err)
	}
	if s := e.get(three.ID, r3.ID).Stats; s.Referrals != 0 || s.UnconfirmedReferrals != 1 {
		t.Errorf("goal 3 referrer stats = %+v", s)
	}
	// Rule 4: a second event is refused.
	_, err = track(two.ID, canonical.ByID(f2.ID), canonical.ParticipantRef{}, nil)
	wantCode(t, err, canonical.Conflict)
	_, err = track(three.ID, canonical.ByIdentifier("f@example.com"), canonical.ParticipantRef{}, nil)
	wantCode(t, err, canonical.Conflict)
	// Rule 2: no referral yet, valid referrer: created in the target state.
	lone := e.join(two.ID, "lone@example.com", canonical.ParticipantRef{})
	if got, err := track(two.ID, canonical.ByID(lone.ID), canonical.ByCode(r2.ReferralCode), nil); err != nil ||
		got.ReferralState != canonical.StateCredited || got.ReferrerID != r2.ID {
		t.Errorf("rule 2 (existing subscriber) = %+v, %v", got, err)
	}
	if got, err := track(three.ID, canonical.ByIdentifier("new@example.com"), canonical.ByCode(r3.ReferralCode),
		&canonical.Participant{Email: "new@example.com"}); err != nil || got.ReferralState != canonical.StateUnconfirmed {
		t.Errorf("rule 2 (new subscriber) = %+v, %v", got, err)
	}
	// Rule 3: no referral and no valid referrer.
	_, err = track(two.ID, canonical.ByIdentifier("ghost@example.com"), canonical.ByCode("nope"), &canonical.Participant{Email: "ghost@example.com"})
	wantCode(t, err, canonical.Invalid)
	solo := e.join(two.ID, "solo@example.com", canonical.ParticipantRef{})
	_, err = track(two.ID, canonical.ByID(solo.ID), canonical.ParticipantRef{}, nil)
	wantCode(t, err, canonical.Invalid)
	// Goal 1 takes no events.
	_, err = track(one.ID, canonical.ByID(solo.ID), canonical.ParticipantRef{}, nil)
	wantCode(t, err, canonical.Invalid)
}

func TestConfirmReferral(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{Qualification: canonical.QualifyOnReview})
	r := e.join(c.ID, "r@example.com", canonical.ParticipantRef{})
	f := e.join(c.ID, "f@example.com", canonical.ByCode(r.ReferralCode))
	_, err := e.b.ConfirmReferral(e.ctx, c.ID, canonical.ByID(f.ID))
	wantCode(t, err, canonical.Conflict) // still pending
	if _, err := e.b.TrackConversion(e.ctx, c.ID, canonical.ConversionEvent{Participant: canonical.ByID(f.ID)}); err != nil {
		t.Fatal(err)
	}
	got, err := e.b.ConfirmReferral(e.ctx, c.ID, canonical.ByEmail("f@example.com"))
	if err != nil || got.ReferralState != canonical.StateCredited {
		t.Fatalf("confirm = %q, %v", got.ReferralState, err)
	}
	if e.get(c.ID, r.ID).Stats.Referrals != 1 {
		t.Error("confirmed referral not counted")
	}
	plain := e.campaign(canonical.Campaign{Name: "plain", Qualification: canonical.QualifyOnEvent})
	_, err = e.b.ConfirmReferral(e.ctx, plain.ID, canonical.ByID(f.ID))
	wantCode(t, err, canonical.Invalid)
}

func TestTriggerReferralNowLaterAndCancelled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{Qualification: canonical.QualifyOnEvent, ReferralExpiryDays: 30})
	r := e.join(c.ID, "r@example.com", canonical.ParticipantRef{})
	now := e.join(c.ID, "now@example.com", canonical.ByCode(r.ReferralCode))
	later := e.join(c.ID, "later@example.com", canonical.ByCode(r.ReferralCode))
	never := e.join(c.ID, "never@example.com", canonical.ByCode(r.ReferralCode))
	direct := e.join(c.ID, "direct@example.com", canonical.ParticipantRef{})

	if ok, err := e.b.TriggerReferral(e.ctx, c.ID, canonical.ByID(now.ID), 0); err != nil || !ok {
		t.Fatalf("trigger now = %v, %v", ok, err)
	}
	if ok, err := e.b.TriggerReferral(e.ctx, c.ID, canonical.ByID(now.ID), 0); err != nil || ok {
		t.Errorf("second trigger = %v, %v; want false (nothing pending)", ok, err)
	}
	if ok, err := e.b.TriggerReferral(e.ctx, c.ID, canonical.ByID(direct.ID), 0); err != nil || ok {
		t.Errorf("trigger unreferred = %v, %v; want false", ok, err)
	}
	if ok, err := e.b.TriggerReferral(e.ctx, c.ID, canonical.ByEmail("later@example.com"), 3*24*time.Hour); err != nil || !ok {
		t.Fatalf("delayed trigger = %v, %v", ok, err)
	}
	if ok, err := e.b.TriggerReferral(e.ctx, c.ID, canonical.ByID(never.ID), 24*time.Hour); err != nil || !ok {
		t.Fatal(err)
	}
	if ok, err := e.b.CancelReferralTrigger(e.ctx, c.ID, canonical.ByID(never.ID)); err != nil || !ok {
		t.Errorf("cancel = %v, %v", ok, err)
	}
	if ok, err := e.b.CancelReferralTrigger(e.ctx, c.ID, canonical.ByID(never.ID)); err != nil || ok {
		t.Errorf("second cancel = %v, %v; want false", ok, err)
	}
	if got := e.get(c.ID, r.ID).Stats.Referrals; got != 1 {
		t.Errorf("before the delay: %d referrals, want 1", got)
	}
	e.clock.Advance(3*24*time.Hour + time.Second)
	if got := e.get(c.ID, r.ID).Stats.Referrals; got != 1+1 {
		t.Errorf("after the delay: %d referrals, want 2", got)
	}
	if got := e.get(c.ID, later.ID).ReferralState; got != canonical.StateCredited {
		t.Errorf("delayed referral state = %q", got)
	}
	// Past the credit window the call succeeds but credits nothing.
	e.clock.Advance(31 * 24 * time.Hour)
	if ok, err := e.b.TriggerReferral(e.ctx, c.ID, canonical.ByID(never.ID), 0); err != nil || !ok {
		t.Errorf("expired trigger = %v, %v; want true", ok, err)
	}
	if got := e.get(c.ID, never.ID).ReferralState; got != canonical.StateExpired {
		t.Errorf("expired referral state = %q", got)
	}
	if got := e.get(c.ID, r.ID).Stats.Referrals; got != 2 {
		t.Errorf("expired referral was credited: %d", got)
	}
}

func TestQualifyReferral(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{Qualification: canonical.QualifyOnEvent})
	r := e.join(c.ID, "r@example.com", canonical.ParticipantRef{})
	f := e.join(c.ID, "f@example.com", canonical.ByCode(r.ReferralCode))
	got, err := e.b.QualifyReferral(e.ctx, c.ID, canonical.ByEmail("f@example.com"), canonical.Money{Amount: 25000})
	if err != nil || got.ReferralState != canonical.StateCredited || !got.Stats.Qualified {
		t.Fatalf("qualify = %+v, %v", got, err)
	}
	if e.get(c.ID, r.ID).Stats.Referrals != 1 {
		t.Error("qualified referral not counted")
	}
	_, err = e.b.QualifyReferral(e.ctx, c.ID, canonical.ByID(r.ID), canonical.Money{Amount: 100})
	wantCode(t, err, canonical.Invalid) // r was not referred
	stats, err := e.b.CampaignStats(e.ctx, c.ID)
	if err != nil || stats.Revenue.Amount != 25000 || stats.Revenue.Currency != "USD" {
		t.Errorf("revenue = %+v, %v", stats.Revenue, err)
	}
	_ = f
}

func TestSpecificActionCreditsPendingReferral(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{Qualification: canonical.QualifyOnEvent})
	r := e.join(c.ID, "r@example.com", canonical.ParticipantRef{})
	e.join(c.ID, "f@example.com", canonical.ByCode(r.ReferralCode))
	act, err := e.b.RecordSpecificAction(e.ctx, c.ID, canonical.SpecificAction{ExternalID: "f@example.com", Action: "/thanks/", IP: "1.2.3.4"}, r.ReferralCode)
	if err != nil || act.ID == "" || act.ReferrerID != r.ID {
		t.Fatalf("action = %+v, %v", act, err)
	}
	if e.get(c.ID, r.ID).Stats.Referrals != 1 {
		t.Error("specific action did not credit the referral")
	}
	_, err = e.b.RecordSpecificAction(e.ctx, c.ID, canonical.SpecificAction{ExternalID: "x", Action: "/thanks/"}, "nope")
	wantCode(t, err, canonical.NotFound)
	_, err = e.b.RecordSpecificAction(e.ctx, c.ID, canonical.SpecificAction{ExternalID: "x"}, r.ReferralCode)
	wantCode(t, err, canonical.Invalid)
	page, err := e.b.ListSpecificActions(e.ctx, c.ID, canonical.ListOptions{})
	if err != nil || len(page.Items) != 1 || page.Items[0].Action != "/thanks/" {
		t.Errorf("actions = %+v, %v", page.Items, err)
	}
}

func TestVisitorBecomesLeadThenConversion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{Kind: canonical.AffiliateProgram, ReferralExpiryDays: 30})
	aff := e.join(c.ID, "aff@example.com", canonical.ParticipantRef{})
	link, err := e.b.CreateLink(e.ctx, c.ID, canonical.ByID(aff.ID), "pat-special")
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.b.RecordVisit(e.ctx, c.ID, canonical.Visit{Token: "PAT-SPECIAL"})
	if err != nil || v.State != canonical.StateVisitor || v.ReferrerID != aff.ID || v.ExpiresAt == nil {
		t.Fatalf("visit = %+v, %v", v, err)
	}
	again, err := e.b.RecordVisit(e.ctx, c.ID, canonical.Visit{Token: "pat-special", VisitorID: v.ID})
	if err != nil || again.ID != v.ID || again.Visits != 2 {
		t.Errorf("return visit = %+v, %v", again, err)
	}
	in := canonical.NewParticipant{VisitorID: v.ID}
	in.CampaignID, in.Email = c.ID, "customer@example.com"
	cust, _, err := e.b.CreateParticipant(e.ctx, in)
	if err != nil || cust.ReferrerID != aff.ID {
		t.Fatalf("lead = %+v, %v", cust, err)
	}
	refs, err := e.b.ListReferrals(e.ctx, canonical.ReferralQuery{CampaignID: c.ID, ReferrerID: aff.ID})
	if err != nil || len(refs.Items) != 1 || refs.Items[0].ID != v.ID || refs.Items[0].LeadAt == nil || refs.Items[0].Visits != 2 {
		t.Fatalf("referrals after the lead = %+v, %v", refs.Items, err)
	}
	res, err := e.b.CreateTransaction(e.ctx, canonical.NewTransaction{CampaignID: c.ID, Participant: canonical.ByID(cust.ID),
		Amount: canonical.Money{Amount: 5000}, ExternalIDs: map[string]string{"chargeId": "ch_1"}})
	if err != nil || !res.FirstSale {
		t.Fatalf("sale = %+v, %v", res, err)
	}
	conv := true
	refs, err = e.b.ListReferrals(e.ctx, canonical.ReferralQuery{CampaignID: c.ID, Converted: &conv})
	if err != nil || len(refs.Items) != 1 || refs.Items[0].ConvertedAt == nil {
		t.Errorf("converted referrals = %+v, %v", refs.Items, err)
	}
	l, err := e.b.GetLink(e.ctx, link.ID)
	if err != nil || l.Visitors != 1 || l.Leads != 1 || l.Conversions != 1 {
		t.Errorf("link counters = %+v, %v", l, err)
	}
	got := e.get(c.ID, aff.ID)
	if got.Stats.Visitors != 1 || got.Stats.Leads != 1 || got.Stats.Conversions != 1 {
		t.Errorf("affiliate funnel = %+v", got.Stats)
	}
	_, err = e.b.RecordVisit(e.ctx, c.ID, canonical.Visit{Token: "nope"})
	wantCode(t, err, canonical.NotFound)
}

func TestEventsMoveCounters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
	events := []canonical.Event{
		{Kind: canonical.EventImpression, Participant: canonical.ByID(a.ID), VisitorKey: "1.1.1.1"},
		{Kind: canonical.EventImpression, Participant: canonical.ByID(a.ID), VisitorKey: "1.1.1.1"},
		{Kind: canonical.EventImpression, Participant: canonical.ByID(a.ID), VisitorKey: "2.2.2.2"},
		{Kind: canonical.EventShare, Participant: canonical.ByID(a.ID), Channel: "t"},
		{Kind: canonical.EventShare, Participant: canonical.ByID(a.ID), Channel: "email"},
		{Kind: canonical.EventCampaignView},
		{Kind: canonical.EventCampaignView},
		{Kind: canonical.EventInvite, Participant: canonical.ByID(a.ID), Email: "friend@example.com"},
	}
	for _, ev := range events {
		if err := e.b.RecordEvent(e.ctx, c.ID, ev); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, e.b.RecordEvent(e.ctx, c.ID, canonical.Event{Kind: canonical.EventShare, Participant: canonical.ByID(a.ID)}), canonical.Invalid)
	got := e.get(c.ID, a.ID).Stats
	if got.Impressions != 3 || got.UniqueImpressions != 2 || got.Shares["twitter"] != 1 || got.Shares["email"] != 1 || got.Invites != 1 {
		t.Errorf("participant counters = %+v", got)
	}
	e.join(c.ID, "b@example.com", canonical.ByCode(a.ReferralCode))
	stats, err := e.b.CampaignStats(e.ctx, c.ID)
	if err != nil || stats.Views != 2 || stats.Participants != 2 || stats.SignupsToday != 2 || stats.Referrals != 1 ||
		stats.Impressions != 3 || stats.Invites != 1 || stats.ConversionRate() != 1 {
		t.Errorf("campaign stats = %+v, %v", stats, err)
	}
	invites, err := e.b.ListReferrals(e.ctx, canonical.ReferralQuery{CampaignID: c.ID, States: []canonical.ReferralState{canonical.StateInvited}})
	if err != nil || len(invites.Items) != 1 || invites.Items[0].Email != "friend@example.com" {
		t.Errorf("invites = %+v, %v", invites.Items, err)
	}
	e.clock.Advance(24 * time.Hour)
	if stats, _ := e.b.CampaignStats(e.ctx, c.ID); stats.SignupsToday != 0 {
		t.Errorf("signups today after midnight = %d", stats.SignupsToday)
	}
}

func TestReferralChannelsCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
	for i, src := range []string{"t", "f", "f", "w", ""} {
		in := canonical.NewParticipant{Referrer: canonical.ByCode(a.ReferralCode)}
		in.CampaignID, in.Email, in.Source = c.ID, string(rune('b'+i))+"@example.com", src
		if _, _, err := e.b.CreateParticipant(e.ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	stats, err := e.b.CampaignStats(e.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"twitter": 1, "facebook": 2, "whatsapp": 1}
	if len(stats.ReferralsByChannel) != len(want) {
		t.Errorf("channels = %v, want %v", stats.ReferralsByChannel, want)
	}
	for ch, n := range want {
		if stats.ReferralsByChannel[ch] != n {
			t.Errorf("channels = %v, want %v", stats.ReferralsByChannel, want)
		}
	}
}

// TestCampaignCountsLeads: a referred signup is a lead for its referrer
// and for the campaign, as Seed counts it.
func TestCampaignCountsLeads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	p := e.join(c.ID, "pat@example.com", canonical.ParticipantRef{})
	e.join(c.ID, "quinn@example.com", canonical.ByID(p.ID))
	e.join(c.ID, "rae@example.com", canonical.ByCode(p.ReferralCode))
	e.join(c.ID, "sam@example.com", canonical.ParticipantRef{})
	st, err := e.b.CampaignStats(e.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Leads != 2 {
		t.Fatalf("campaign leads = %d, want 2 (two referred signups)", st.Leads)
	}
	if got := e.get(c.ID, p.ID).Stats.Leads; got != 2 {
		t.Fatalf("referrer leads = %d, want 2", got)
	}
}
