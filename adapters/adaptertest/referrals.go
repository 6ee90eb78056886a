package adaptertest

import (
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// referralBehaviours cover visits, events, and the calls that move a
// referral through its states.
var referralBehaviours = []behaviour{
	{name: "VisitsTracked", needs: ops("CreateParticipant", "RecordVisit", "ListReferrals", "GetParticipant"), run: testVisits},
	{name: "EventsCounted", needs: ops("CreateParticipant", "RecordEvent", "GetParticipant", "ListReferrals", "CampaignStats"), run: testEvents},
	{name: "ReferralTriggered", needs: ops("CreateParticipant", "TriggerReferral", "GetParticipant"), run: testTrigger},
	{name: "DelayedTriggerCancelled", needs: ops("CreateParticipant", "TriggerReferral", "CancelReferralTrigger", "GetParticipant"),
		run: testDelayedTrigger},
	{name: "ConversionTracked", needs: ops("CreateParticipant", "TrackConversion", "GetParticipant"), run: testTrackConversion},
	{name: "ReferralConfirmed", needs: ops("CreateParticipant", "TrackConversion", "ConfirmReferral", "GetParticipant"), run: testConfirm},
	{name: "ReferralQualified", needs: ops("CreateParticipant", "QualifyReferral", "GetParticipant"), run: testQualify},
	{name: "SpecificActionsRecorded", needs: ops("CreateParticipant", "RecordSpecificAction", "ListSpecificActions", "GetParticipant"),
		run: testSpecificActions},
}

// credited reads p's count of credited referrals.
func (s *suite) credited(t *testing.T, p canonical.Participant) int {
	t.Helper()
	return s.get(t, p).Stats.Referrals
}

// pendingReferral configures the campaign to credit referrals at an
// event and makes a referrer with one pending referral.
func (s *suite) pendingReferral(t *testing.T, q canonical.Qualification) (referrer, referred canonical.Participant) {
	t.Helper()
	s.configure(t, canonical.CampaignPatch{Qualification: &q})
	referrer = s.join(t, "waiting")
	referred = s.refer(t, "pending", referrer)
	s.state(t, "referred participant before the event", s.get(t, referred).ReferralState, canonical.StatePending)
	if st := s.get(t, referrer).Stats; st.Referrals != 0 || !s.lim.NoPendingCount && st.PendingReferrals != 1 {
		t.Fatalf("referrer has %d credited and %d pending referrals before the event, want 0 and 1", st.Referrals, st.PendingReferrals)
	}
	if s.supports("ListReferrals") && !s.lim.NoReferralState {
		rs := must[canonical.Page[canonical.Referral]](t, "list pending referrals")(s.b.ListReferrals(s.ctx, canonical.ReferralQuery{
			CampaignID: s.camp, ReferrerID: referrer.ID, States: []canonical.ReferralState{canonical.StatePending}}))
		if len(rs.Items) != 1 {
			t.Fatalf("pending referrals of the referrer: %+v, want one", rs.Items)
		}
	}
	return referrer, referred
}

func testVisits(t *testing.T, s *suite) {
	p := s.join(t, "vis")
	v := must[canonical.Referral](t, "visit")(s.b.RecordVisit(s.ctx, s.camp, canonical.Visit{Token: p.ReferralCode, Channel: "twitter"}))
	if v.ID == "" || v.ReferrerID != p.ID || v.Visits != 1 {
		t.Fatalf("first visit answered %+v, want a visitor of %s with one visit", v, p.ID)
	}
	s.state(t, "first visit", v.State, canonical.StateVisitor)
	again := must[canonical.Referral](t, "return")(s.b.RecordVisit(s.ctx, s.camp, canonical.Visit{Token: p.ReferralCode, VisitorID: v.ID}))
	if again.ID != v.ID || again.Visits != 2 {
		t.Fatalf("returning visitor answered %s with %d visits, want %s with 2", again.ID, again.Visits, v.ID)
	}
	if got := s.get(t, p).Stats.Visitors; got != 1 {
		t.Fatalf("referrer's Stats.Visitors = %d after one visitor came twice, want 1", got)
	}
	_, err := s.b.RecordVisit(s.ctx, s.camp, canonical.Visit{Token: "no-such-token"})
	code(t, "visit through an unknown token", err, canonical.NotFound)
	lead, _, err := s.b.CreateParticipant(s.ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: s.camp, Email: s.email("lead")},
		Referrer:    canonical.ByCode(p.ReferralCode), VisitorID: v.ID})
	if err != nil {
		t.Fatalf("sign the visitor up: %v", err)
	}
	rs := must[canonical.Page[canonical.Referral]](t, "list referrals")(s.b.ListReferrals(s.ctx,
		canonical.ReferralQuery{CampaignID: s.camp, ReferrerID: p.ID}))
	if len(rs.Items) != 1 || rs.Items[0].ID != v.ID || rs.Items[0].ReferredID != lead.ID {
		t.Fatalf("referrals after the visitor signed up: %+v, want visit %s turned into %s's referral", rs.Items, v.ID, lead.ID)
	}
	s.state(t, "the visitor's referral after signing up", rs.Items[0].State, canonical.StateCredited)
	if got := s.get(t, p).Stats; got.Leads != 1 || got.Referrals != 1 {
		t.Fatalf("referrer's stats after the visitor signed up: %d leads, %d referrals; want 1 and 1", got.Leads, got.Referrals)
	}
}

func testEvents(t *testing.T, s *suite) {
	p := s.join(t, "ev")
	event := func(e canonical.Event) {
		t.Helper()
		if err := s.b.RecordEvent(s.ctx, s.camp, e); err != nil {
			t.Fatalf("record %s: %v", e.Kind, err)
		}
	}
	me := canonical.ByID(p.ID)
	event(canonical.Event{Kind: canonical.EventImpression, Participant: me, VisitorKey: "203.0.113.1"})
	event(canonical.Event{Kind: canonical.EventImpression, Participant: me, VisitorKey: "203.0.113.1"})
	event(canonical.Event{Kind: canonical.EventImpression, Participant: me, VisitorKey: "203.0.113.2"})
	event(canonical.Event{Kind: canonical.EventShare, Participant: me, Channel: "twitter"})
	invitee := s.email("invitee")
	event(canonical.Event{Kind: canonical.EventInvite, Participant: me, Email: invitee})
	event(canonical.Event{Kind: canonical.EventCampaignView})
	st := s.get(t, p).Stats
	if st.Impressions != 3 || st.UniqueImpressions != 2 || st.Shares["twitter"] != 1 || st.Invites != 1 {
		t.Fatalf("participant stats %d impressions (%d unique), shares %v, %d invites; want 3 (2), twitter 1, 1",
			st.Impressions, st.UniqueImpressions, st.Shares, st.Invites)
	}
	rs := must[canonical.Page[canonical.Referral]](t, "list invites")(s.b.ListReferrals(s.ctx,
		canonical.ReferralQuery{CampaignID: s.camp, ReferrerID: p.ID, States: []canonical.ReferralState{canonical.StateInvited}}))
	if len(rs.Items) != 1 || rs.Items[0].Email != invitee {
		t.Fatalf("invited referrals %+v, want one for %s", rs.Items, invitee)
	}
	cs := must[canonical.CampaignStats](t, "campaign stats")(s.b.CampaignStats(s.ctx, s.camp))
	if cs.Views != 1 || cs.Impressions != 3 || cs.UniqueImpressions != 2 || cs.Invites != 1 || cs.Shares["twitter"] != 1 {
		t.Fatalf("campaign stats %+v, want 1 view, 3 impressions (2 unique), 1 invite, 1 twitter share", cs)
	}
	for _, bad := range []canonical.Event{
		{Kind: "bogus", Participant: me},
		{Kind: canonical.EventShare, Participant: me},
		{Kind: canonical.EventInvite, Participant: me, Email: "not-an-email"},
	} {
		code(t, "record "+string(bad.Kind), s.b.RecordEvent(s.ctx, s.camp, bad), canonical.Invalid)
	}
	code(t, "impression of an unknown participant", s.b.RecordEvent(s.ctx, s.camp, canonical.Event{Kind: canonical.EventImpression,
		Participant: canonical.ByEmail("nobody-ev@conformance.example.com")}), canonical.NotFound)
}

func testTrigger(t *testing.T, s *suite) {
	ref, q := s.pendingReferral(t, canonical.QualifyOnEvent)
	ok := must[bool](t, "trigger")(s.b.TriggerReferral(s.ctx, s.camp, canonical.ByID(q.ID), 0))
	if !ok {
		t.Fatal("trigger of a pending referral reported false")
	}
	if n := s.credited(t, ref); n != 1 {
		t.Fatalf("referrer has %d credited referrals after the trigger, want 1", n)
	}
	s.state(t, "referred participant after the trigger", s.get(t, q).ReferralState, canonical.StateCredited)
	if ok := must[bool](t, "trigger again")(s.b.TriggerReferral(s.ctx, s.camp, canonical.ByID(q.ID), 0)); ok {
		t.Fatal("a second trigger reported true with nothing pending")
	}
	if ok := must[bool](t, "trigger a direct participant")(s.b.TriggerReferral(s.ctx, s.camp, canonical.ByID(ref.ID), 0)); ok {
		t.Fatal("trigger of a participant nobody referred reported true")
	}
	if n := s.credited(t, ref); n != 1 {
		t.Fatalf("referrer has %d credited referrals after triggers with nothing pending, want 1", n)
	}
	_, err := s.b.TriggerReferral(s.ctx, s.camp, canonical.ByEmail("nobody-trig@conformance.example.com"), 0)
	code(t, "trigger an unknown participant", err, canonical.NotFound)
	// A referral past its expiry reports true but is not credited.
	s.configure(t, canonical.CampaignPatch{ReferralExpiryDays: ptr(1)})
	late := s.refer(t, "late", ref)
	s.h.Advance(48 * time.Hour)
	if ok := must[bool](t, "trigger an expired referral")(s.b.TriggerReferral(s.ctx, s.camp, canonical.ByID(late.ID), 0)); !ok {
		t.Fatal("trigger of an expired referral reported false")
	}
	if n := s.credited(t, ref); n != 1 {
		t.Fatalf("referrer has %d credited referrals after triggering an expired referral, want 1", n)
	}
	s.state(t, "expired referral after the trigger", s.get(t, late).ReferralState, canonical.StateExpired)
}

func testDelayedTrigger(t *testing.T, s *suite) {
	ref, q := s.pendingReferral(t, canonical.QualifyOnEvent)
	const delay = 48 * time.Hour
	if ok := must[bool](t, "delayed trigger")(s.b.TriggerReferral(s.ctx, s.camp, canonical.ByID(q.ID), delay)); !ok {
		t.Fatal("delayed trigger of a pending referral reported false")
	}
	if n := s.credited(t, ref); n != 0 {
		t.Fatalf("referrer has %d credited referrals before the delay passed, want 0", n)
	}
	if ok := must[bool](t, "cancel")(s.b.CancelReferralTrigger(s.ctx, s.camp, canonical.ByID(q.ID))); !ok {
		t.Fatal("cancel of a scheduled trigger reported false")
	}
	if ok := must[bool](t, "cancel again")(s.b.CancelReferralTrigger(s.ctx, s.camp, canonical.ByID(q.ID))); ok {
		t.Fatal("a second cancel reported true with nothing scheduled")
	}
	s.h.Advance(delay + 24*time.Hour)
	if n := s.credited(t, ref); n != 0 {
		t.Fatalf("a cancelled trigger credited the referral (%d credited)", n)
	}
	must[bool](t, "delayed trigger")(s.b.TriggerReferral(s.ctx, s.camp, canonical.ByID(q.ID), delay))
	s.h.Advance(delay - time.Hour)
	if n := s.credited(t, ref); n != 0 {
		t.Fatalf("referrer has %d credited referrals an hour before the delay passed, want 0", n)
	}
	s.h.Advance(2 * time.Hour)
	if n := s.credited(t, ref); n != 1 {
		t.Fatalf("referrer has %d credited referrals after the delay passed, want 1", n)
	}
	_, err := s.b.CancelReferralTrigger(s.ctx, s.camp, canonical.ByEmail("nobody-cancel@conformance.example.com"))
	code(t, "cancel for an unknown participant", err, canonical.NotFound)
}

func testTrackConversion(t *testing.T, s *suite) {
	early := s.join(t, "early")
	_, err := s.b.TrackConversion(s.ctx, s.camp, canonical.ConversionEvent{Participant: canonical.ByEmail(early.Email)})
	code(t, "conversion on a campaign crediting at signup", err, canonical.Invalid)
	ref, q := s.pendingReferral(t, canonical.QualifyOnEvent)
	got := must[canonical.Participant](t, "track")(s.b.TrackConversion(s.ctx, s.camp, canonical.ConversionEvent{Participant: canonical.ByEmail(q.Email)}))
	if got.ID != q.ID {
		t.Fatalf("conversion answered %s, want %s", got.ID, q.ID)
	}
	s.state(t, "conversion", got.ReferralState, canonical.StateCredited)
	if n := s.credited(t, ref); n != 1 {
		t.Fatalf("referrer has %d credited referrals after the conversion, want 1", n)
	}
	_, err = s.b.TrackConversion(s.ctx, s.camp, canonical.ConversionEvent{Participant: canonical.ByEmail(q.Email)})
	code(t, "track the same conversion twice", err, canonical.Conflict)
	direct := s.join(t, "direct")
	_, err = s.b.TrackConversion(s.ctx, s.camp, canonical.ConversionEvent{Participant: canonical.ByEmail(direct.Email)})
	code(t, "conversion of a participant without a referral or referrer", err, canonical.Invalid)
	got = must[canonical.Participant](t, "track with a referrer")(s.b.TrackConversion(s.ctx, s.camp, canonical.ConversionEvent{
		Participant: canonical.ByEmail(direct.Email), Referrer: referrerRef(ref)}))
	if got.ID != direct.ID || got.ReferrerID != ref.ID {
		t.Fatalf("conversion with a referrer answered %s referred by %q; want %s referred by %s", got.ID, got.ReferrerID, direct.ID, ref.ID)
	}
	s.state(t, "conversion with a referrer", got.ReferralState, canonical.StateCredited)
	if n := s.credited(t, ref); n != 2 {
		t.Fatalf("referrer has %d credited referrals after the second conversion, want 2", n)
	}
	// An event for someone not yet in the campaign signs them up,
	// referred and credited.
	email := s.email("newcomer")
	got = must[canonical.Participant](t, "track a newcomer")(s.b.TrackConversion(s.ctx, s.camp, canonical.ConversionEvent{
		Participant: canonical.ByEmail(email), Referrer: referrerRef(ref),
		NewParticipant: &canonical.Participant{CampaignID: s.camp, Email: email}}))
	if got.ID == "" || !strings.EqualFold(got.Email, email) || got.ReferrerID != ref.ID {
		t.Fatalf("conversion of a newcomer answered %s <%s> referred by %q; want %s referred by %s", got.ID, got.Email, got.ReferrerID, email, ref.ID)
	}
	if n := s.credited(t, ref); n != 3 {
		t.Fatalf("referrer has %d credited referrals after the newcomer's conversion, want 3", n)
	}
}

func testConfirm(t *testing.T, s *suite) {
	early := s.join(t, "early")
	_, err := s.b.ConfirmReferral(s.ctx, s.camp, canonical.ByEmail(early.Email))
	code(t, "confirm on a campaign that does not review referrals", err, canonical.Invalid)
	ref, q := s.pendingReferral(t, canonical.QualifyOnReview)
	_, err = s.b.ConfirmReferral(s.ctx, s.camp, canonical.ByEmail(q.Email))
	code(t, "confirm a pending referral", err, canonical.Conflict)
	got := must[canonical.Participant](t, "track")(s.b.TrackConversion(s.ctx, s.camp, canonical.ConversionEvent{Participant: canonical.ByEmail(q.Email)}))
	s.state(t, "conversion under review", got.ReferralState, canonical.StateUnconfirmed)
	if st := s.get(t, ref).Stats; st.Referrals != 0 || st.UnconfirmedReferrals != 1 {
		t.Fatalf("referrer's stats under review: %d credited, %d unconfirmed; want 0 and 1", st.Referrals, st.UnconfirmedReferrals)
	}
	c := must[canonical.Participant](t, "confirm")(s.b.ConfirmReferral(s.ctx, s.camp, canonical.ByEmail(q.Email)))
	if c.ID != q.ID {
		t.Fatalf("confirm answered %s, want %s", c.ID, q.ID)
	}
	s.state(t, "confirmed referral", c.ReferralState, canonical.StateCredited)
	if n := s.credited(t, ref); n != 1 {
		t.Fatalf("referrer has %d credited referrals after the confirmation, want 1", n)
	}
	_, err = s.b.ConfirmReferral(s.ctx, s.camp, canonical.ByEmail(q.Email))
	code(t, "confirm twice", err, canonical.Conflict)
}

func testQualify(t *testing.T, s *suite) {
	ref, q := s.pendingReferral(t, canonical.QualifyOnEvent)
	got := must[canonical.Participant](t, "qualify")(s.b.QualifyReferral(s.ctx, s.camp, canonical.ByID(q.ID), usd(4900)))
	if got.ID != q.ID || !got.Stats.Qualified {
		t.Fatalf("qualify answered %s qualified=%v, want %s qualified", got.ID, got.Stats.Qualified, q.ID)
	}
	s.state(t, "qualified referral", got.ReferralState, canonical.StateCredited)
	if !s.get(t, q).Stats.Qualified {
		t.Fatal("qualified participant read back unqualified")
	}
	if n := s.credited(t, ref); n != 1 {
		t.Fatalf("referrer has %d credited referrals after the qualifying purchase, want 1", n)
	}
	_, err := s.b.QualifyReferral(s.ctx, s.camp, canonical.ByID(ref.ID), usd(100))
	code(t, "qualify a participant nobody referred", err, canonical.Invalid)
	_, err = s.b.QualifyReferral(s.ctx, s.camp, canonical.ByEmail("nobody-qual@conformance.example.com"), usd(100))
	code(t, "qualify an unknown participant", err, canonical.NotFound)
}

func testSpecificActions(t *testing.T, s *suite) {
	ref, q := s.pendingReferral(t, canonical.QualifyOnEvent)
	a := must[canonical.SpecificAction](t, "record action")(s.b.RecordSpecificAction(s.ctx, s.camp,
		canonical.SpecificAction{ExternalID: q.Email, Action: "purchase"}, ref.ReferralCode))
	if a.Action != "purchase" || a.ExternalID != q.Email || !s.lim.NoActionDetails && a.ReferrerID != ref.ID {
		t.Fatalf("recorded action %+v, want purchase by %s for %s", a, q.Email, ref.ID)
	}
	if n := s.credited(t, ref); n != 1 {
		t.Fatalf("referrer has %d credited referrals after the referred person's action, want 1", n)
	}
	must[canonical.SpecificAction](t, "record another action")(s.b.RecordSpecificAction(s.ctx, s.camp,
		canonical.SpecificAction{ExternalID: "order-77", Action: "upgrade"}, ref.ReferralCode))
	walk(t, "actions", func(o canonical.ListOptions) (canonical.Page[canonical.SpecificAction], error) {
		return s.b.ListSpecificActions(s.ctx, s.camp, o)
	}, func(x canonical.SpecificAction) string { return x.ID })
	page := must[canonical.Page[canonical.SpecificAction]](t, "list actions")(s.b.ListSpecificActions(s.ctx, s.camp, canonical.ListOptions{}))
	var got []string
	for _, x := range page.Items {
		got = append(got, x.ExternalID+"/"+x.Action)
		if x.ReferrerID != ref.ID || x.ID == "" {
			t.Errorf("action listed as %+v, want an ID and referrer %s", x, ref.ID)
		}
	}
	if len(got) != 2 || got[0] != "order-77/upgrade" || got[1] != q.Email+"/purchase" {
		t.Fatalf("actions listed %v, want the upgrade, then the purchase (newest first)", got)
	}
	_, err := s.b.RecordSpecificAction(s.ctx, s.camp, canonical.SpecificAction{ExternalID: "x-1", Action: "purchase"}, "NOSUCHCODE")
	code(t, "action for an unknown referrer code", err, canonical.NotFound)
	_, err = s.b.RecordSpecificAction(s.ctx, s.camp, canonical.SpecificAction{ExternalID: "x-2"}, ref.ReferralCode)
	code(t, "action without an action", err, canonical.Invalid)
}
