package engine_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/engine"
)

// notProduced lists the change kinds no engine operation makes, and why;
// every other kind must be emitted by some case of changeCases.
var notProduced = map[canonical.ChangeKind]string{
	canonical.ChangeCouponActivated:   "the engine has no operation that archives or reactivates a coupon",
	canonical.ChangeCouponDeactivated: "the engine has no operation that archives or reactivates a coupon",
	canonical.ChangePayoutFailed:      "the engine never fails a payout: paying one is marking it paid",
}

// changeCase is one write and the changes it must log: setup prepares a
// fresh campaign of a fresh account, op is the write; its changes must be
// exactly want, in order, each carrying the entities its kind names;
// check looks closer.
type changeCase struct {
	name     string
	campaign canonical.Campaign
	setup    func(e *env, c canonical.Campaign) ids
	op       func(e *env, c canonical.Campaign, s ids) error
	want     []canonical.ChangeKind
	check    func(t *testing.T, got []canonical.Change, s ids)
}

// ids are the names a case's setup gives its participants and entities.
type ids map[string]string

var (
	referralProgram = canonical.Campaign{Rules: []canonical.RewardRule{
		{Kind: canonical.DoubleSided, Title: "both", ReferrerValue: usd(1000), ReferredValue: usd(500)}}}
	onEvent      = canonical.Campaign{Qualification: canonical.QualifyOnEvent}
	onReview     = canonical.Campaign{Qualification: canonical.QualifyOnReview}
	manualReward = canonical.Campaign{ManualApproval: true, Rules: []canonical.RewardRule{
		{Kind: canonical.SingleSided, Title: "each", ReferrerValue: usd(1000)}}}
	payAtOnce = canonical.Campaign{Kind: canonical.AffiliateProgram, Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward,
		Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 30}}}}
)

// referredPair joins a and b, b referred by a.
func referredPair(e *env, c canonical.Campaign) ids {
	a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
	b := e.join(c.ID, "b@example.com", canonical.ByCode(a.ReferralCode))
	return ids{"a": a.ID, "aCode": a.ReferralCode, "b": b.ID}
}

// sales is affiliateSales, naming the affiliate, the customer and the
// commissions.
func sales(e *env, c canonical.Campaign) ids {
	aff := affiliateSales(e, c)
	cust, err := e.b.GetParticipant(e.ctx, c.ID, canonical.ByEmail("cust@example.com"))
	if err != nil {
		e.t.Fatal(err)
	}
	cs, err := e.b.ListCommissions(e.ctx, canonical.CommissionQuery{CampaignID: c.ID})
	if err != nil || len(cs.Items) != 2 {
		e.t.Fatalf("commissions = %+v, %v", cs.Items, err)
	}
	return ids{"aff": aff.ID, "cust": cust.ID, "commission": cs.Items[0].ID}
}

var changeCases = []changeCase{{
	name: "direct signup",
	op: func(e *env, c canonical.Campaign, _ ids) error {
		e.join(c.ID, "ann@example.com", canonical.ParticipantRef{})
		return nil
	},
	want: []canonical.ChangeKind{canonical.ChangeParticipantAdded, canonical.ChangeLinkCreated},
	check: func(t *testing.T, got []canonical.Change, _ ids) {
		p := got[0].Participant
		if p.Email != "ann@example.com" || got[0].Referrer != nil || got[0].Referral != nil || p.Stats.Rank != 1 {
			t.Errorf("added = %+v, referrer %v, referral %v", p, got[0].Referrer, got[0].Referral)
		}
		if l := got[1].Link; l.Token != p.ReferralCode || l.ParticipantID != p.ID || got[1].Participant.ID != p.ID {
			t.Errorf("link.created = %+v for %s", l, p.ID)
		}
	},
}, {
	name:     "referred signup credited at once, earning both sides",
	campaign: referralProgram,
	setup: func(e *env, c canonical.Campaign) ids {
		a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
		return ids{"a": a.ID, "aCode": a.ReferralCode}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		e.join(c.ID, "b@example.com", canonical.ByCode(s["aCode"]))
		return nil
	},
	want: []canonical.ChangeKind{canonical.ChangeParticipantAdded, canonical.ChangeLinkCreated, canonical.ChangeReferralCreated,
		canonical.ChangeReferralCredited, canonical.ChangeRewardEarned, canonical.ChangeRewardEarned},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		added := got[0]
		b := added.Participant
		if b.Email != "b@example.com" || b.ReferrerID != s["a"] || b.ReferralState != canonical.StateCredited ||
			added.Referrer.ID != s["a"] || added.Referrer.Stats.Referrals != 1 || added.Referral.State != canonical.StateCredited ||
			b.Stats.ReferredRewards.Amount != 500 {
			t.Errorf("added = %+v, referrer %+v, referral %+v", b, added.Referrer, added.Referral)
		}
		// Each change carries the referral as it was then.
		if r := got[2]; r.Referral.State != canonical.StatePending || r.Participant.ID != b.ID || r.Referrer.ID != s["a"] ||
			r.Referrer.Stats.Referrals != 0 {
			t.Errorf("referral.created = %+v, participant %+v, referrer %+v", r.Referral, r.Participant, r.Referrer)
		}
		if r := got[3]; r.Referral.State != canonical.StateCredited || r.Referral.ID != got[2].Referral.ID || r.Referrer.Stats.Referrals != 1 {
			t.Errorf("referral.credited = %+v, referrer %+v", r.Referral, r.Referrer)
		}
		mine, friends := got[4], got[5]
		if mine.Participant.ID != s["a"] || mine.Referred.ID != b.ID || mine.Referrer != nil || !mine.Reward.IsReferrer ||
			mine.Rule.Title != "both" || mine.Reward.Value.Amount != 1000 || mine.Participant.Stats.ReferrerRewards.Amount != 1000 {
			t.Errorf("referrer's reward.earned = %+v, participant %+v, referred %+v", mine.Reward, mine.Participant, mine.Referred)
		}
		if friends.Participant.ID != b.ID || friends.Referrer.ID != s["a"] || friends.Referred != nil || friends.Reward.IsReferrer ||
			friends.Reward.Value.Amount != 500 {
			t.Errorf("friend's reward.earned = %+v, participant %+v, referrer %+v", friends.Reward, friends.Participant, friends.Referrer)
		}
	},
}, {
	name:     "visit",
	campaign: onEvent,
	setup: func(e *env, c canonical.Campaign) ids {
		a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
		return ids{"a": a.ID, "aCode": a.ReferralCode}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.RecordVisit(e.ctx, c.ID, canonical.Visit{Token: s["aCode"]})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeReferralCreated},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		if r := got[0]; r.Referral.State != canonical.StateVisitor || r.Referrer.ID != s["a"] || r.Participant != nil {
			t.Errorf("referral.created = %+v, referrer %+v, participant %+v", r.Referral, r.Referrer, r.Participant)
		}
	},
}, {
	name:     "visitor signs up: a lead",
	campaign: onEvent,
	setup: func(e *env, c canonical.Campaign) ids {
		a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
		v, err := e.b.RecordVisit(e.ctx, c.ID, canonical.Visit{Token: a.ReferralCode})
		if err != nil {
			e.t.Fatal(err)
		}
		return ids{"a": a.ID, "visitor": v.ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		in := canonical.NewParticipant{VisitorID: s["visitor"]}
		in.CampaignID, in.Email = c.ID, "v@example.com"
		_, _, err := e.b.CreateParticipant(e.ctx, in)
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeParticipantAdded, canonical.ChangeLinkCreated, canonical.ChangeReferralLead},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		lead := got[2]
		if lead.Referral.ID != s["visitor"] || lead.Referral.State != canonical.StatePending || lead.Referral.LeadAt == nil ||
			lead.Participant.Email != "v@example.com" || lead.Referrer.ID != s["a"] {
			t.Errorf("referral.lead = %+v, participant %+v", lead.Referral, lead.Participant)
		}
		if got[0].Referral.ID != s["visitor"] || got[0].Referrer.ID != s["a"] {
			t.Errorf("added carries referral %+v, referrer %+v", got[0].Referral, got[0].Referrer)
		}
	},
}, {
	name: "invite",
	setup: func(e *env, c canonical.Campaign) ids {
		return ids{"a": e.join(c.ID, "a@example.com", canonical.ParticipantRef{}).ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		return e.b.RecordEvent(e.ctx, c.ID, canonical.Event{Kind: canonical.EventInvite, Participant: canonical.ByID(s["a"]), Email: "friend@example.com"})
	},
	want: []canonical.ChangeKind{canonical.ChangeReferralCreated},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		if r := got[0]; r.Referral.State != canonical.StateInvited || r.Referral.Email != "friend@example.com" || r.Referrer.ID != s["a"] {
			t.Errorf("referral.created = %+v, referrer %+v", r.Referral, r.Referrer)
		}
	},
}, {
	name:     "trigger credits a pending referral",
	campaign: onEvent,
	setup:    referredPair,
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.TriggerReferral(e.ctx, c.ID, canonical.ByID(s["b"]), 0)
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeReferralCredited},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		if r := got[0]; r.Participant.ID != s["b"] || r.Participant.ReferralState != canonical.StateCredited ||
			r.Referrer.ID != s["a"] || r.Referrer.Stats.Referrals != 1 {
			t.Errorf("referral.credited: participant %+v, referrer %+v", r.Participant, r.Referrer)
		}
	},
}, {
	name:     "a delayed credit falls due: the read that settles it logs it",
	campaign: onEvent,
	setup: func(e *env, c canonical.Campaign) ids {
		s := referredPair(e, c)
		if _, err := e.b.TriggerReferral(e.ctx, c.ID, canonical.ByID(s["b"]), time.Hour); err != nil {
			e.t.Fatal(err)
		}
		e.clock.Advance(2 * time.Hour)
		return s
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.GetParticipant(e.ctx, c.ID, canonical.ByID(s["a"]))
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeReferralCredited},
}, {
	name:     "conversion event creates a referred participant",
	campaign: onEvent,
	setup: func(e *env, c canonical.Campaign) ids {
		return ids{"a": e.join(c.ID, "a@example.com", canonical.ParticipantRef{}).ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.TrackConversion(e.ctx, c.ID, canonical.ConversionEvent{Participant: canonical.ByEmail("n@example.com"),
			Referrer: canonical.ByID(s["a"]), NewParticipant: &canonical.Participant{Email: "n@example.com"}})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeParticipantAdded, canonical.ChangeLinkCreated, canonical.ChangeReferralCreated,
		canonical.ChangeReferralCredited},
}, {
	name:     "review confirms a referral",
	campaign: onReview,
	setup: func(e *env, c canonical.Campaign) ids {
		s := referredPair(e, c)
		if _, err := e.b.TrackConversion(e.ctx, c.ID, canonical.ConversionEvent{Participant: canonical.ByID(s["b"])}); err != nil {
			e.t.Fatal(err)
		}
		return s
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.ConfirmReferral(e.ctx, c.ID, canonical.ByID(s["b"]))
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeReferralCredited},
}, {
	name: "a direct participant given a referrer",
	setup: func(e *env, c canonical.Campaign) ids {
		a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
		b := e.join(c.ID, "b@example.com", canonical.ParticipantRef{})
		return ids{"a": a.ID, "b": b.ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(s["b"]), canonical.ParticipantPatch{Referrer: ptr(canonical.ByID(s["a"]))})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeReferralCreated, canonical.ChangeReferralCredited, canonical.ChangeParticipantUpdated},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		if p := got[0].Participant; p.ReferrerID != s["a"] || p.ReferralState != canonical.StatePending {
			t.Errorf("referral.created carries %+v, not attributed yet", p)
		}
		if p := got[2].Participant; p.ReferrerID != s["a"] || p.ReferralState != canonical.StateCredited {
			t.Errorf("participant.updated carries %+v", p)
		}
	},
}, {
	name: "update",
	setup: func(e *env, c canonical.Campaign) ids {
		return ids{"a": e.join(c.ID, "a@example.com", canonical.ParticipantRef{}).ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(s["a"]), canonical.ParticipantPatch{FirstName: ptr("Ann")})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeParticipantUpdated},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		if p := got[0].Participant; p.ID != s["a"] || p.FirstName != "Ann" || p.Stats.Rank != 1 {
			t.Errorf("participant.updated carries %+v", p)
		}
	},
}, {
	name: "an update that changes nothing",
	setup: func(e *env, c canonical.Campaign) ids {
		return ids{"a": e.join(c.ID, "a@example.com", canonical.ParticipantRef{}).ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(s["a"]), canonical.ParticipantPatch{Email: ptr("a@example.com")})
		return err
	},
	want: nil,
}, {
	name: "email verified",
	setup: func(e *env, c canonical.Campaign) ids {
		return ids{"a": e.join(c.ID, "a@example.com", canonical.ParticipantRef{}).ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(s["a"]), canonical.ParticipantPatch{Verified: ptr(true)})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeParticipantUpdated, canonical.ChangeParticipantConfirmed},
	check: func(t *testing.T, got []canonical.Change, _ ids) {
		if p := got[1].Participant; !p.Verified || p.VerifiedAt == nil {
			t.Errorf("participant.confirmed carries %+v", p)
		}
	},
}, {
	name: "fraud assessment changed",
	setup: func(e *env, c canonical.Campaign) ids {
		return ids{"a": e.join(c.ID, "a@example.com", canonical.ParticipantRef{}).ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(s["a"]), canonical.ParticipantPatch{
			Fraud: &canonical.Fraud{Risk: canonical.RiskHigh, Reason: canonical.ReasonManualUpdate}})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeParticipantUpdated, canonical.ChangeParticipantFraudChanged},
	check: func(t *testing.T, got []canonical.Change, _ ids) {
		if p := got[1].Participant; p.Fraud.Risk != canonical.RiskHigh {
			t.Errorf("participant.fraud_changed carries %+v", p.Fraud)
		}
	},
}, {
	name: "points reach a milestone",
	campaign: canonical.Campaign{Rules: []canonical.RewardRule{
		{Kind: canonical.Milestone, Title: "ten points", PointsThreshold: 10, ReferrerValue: usd(100)}}},
	setup: func(e *env, c canonical.Campaign) ids {
		return ids{"a": e.join(c.ID, "a@example.com", canonical.ParticipantRef{}).ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.AddPoints(e.ctx, c.ID, canonical.ByID(s["a"]), 10)
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeRewardEarned, canonical.ChangeParticipantUpdated},
	check: func(t *testing.T, got []canonical.Change, _ ids) {
		if r := got[0]; r.Participant.Points != 10 || r.Rule.Title != "ten points" || r.Referrer != nil || r.Referred != nil {
			t.Errorf("reward.earned = %+v, participant %+v", r.Reward, r.Participant)
		}
	},
}, {
	name: "promote",
	setup: func(e *env, c canonical.Campaign) ids {
		return ids{"a": e.join(c.ID, "a@example.com", canonical.ParticipantRef{}).ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.PromoteParticipant(e.ctx, c.ID, canonical.ByID(s["a"]))
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeParticipantPromoted},
	check: func(t *testing.T, got []canonical.Change, _ ids) {
		if p := got[0].Participant; !p.Promoted || p.PromotedAt == nil {
			t.Errorf("participant.promoted carries %+v", p)
		}
	},
}, {
	name:     "a promoted participant granted a manual reward",
	campaign: canonical.Campaign{Rules: []canonical.RewardRule{{Kind: canonical.ManualReward, Title: "winner"}}},
	setup: func(e *env, c canonical.Campaign) ids {
		a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
		if _, err := e.b.PromoteParticipant(e.ctx, c.ID, canonical.ByID(a.ID)); err != nil {
			e.t.Fatal(err)
		}
		rules, err := e.b.ListRewardRules(e.ctx, c.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		return ids{"a": a.ID, "rule": rules[0].ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.GrantReward(e.ctx, c.ID, canonical.ByID(s["a"]), s["rule"])
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeRewardEarned},
}, {
	name: "delete a participant with their links and coupon",
	setup: func(e *env, c canonical.Campaign) ids {
		a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
		if _, err := e.b.CreateLink(e.ctx, c.ID, canonical.ByID(a.ID), "ann-extra"); err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.b.CreateCoupon(e.ctx, c.ID, canonical.ByID(a.ID), "ANN10"); err != nil {
			e.t.Fatal(err)
		}
		return ids{"a": a.ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.DeleteParticipant(e.ctx, c.ID, canonical.ByID(s["a"]))
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeParticipantDeleted, canonical.ChangeLinkDeleted, canonical.ChangeLinkDeleted,
		canonical.ChangeCouponDeleted},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		if p := got[0].Participant; p.ID != s["a"] || p.Email != "a@example.com" {
			t.Errorf("participant.deleted carries %+v", p)
		}
		if got[3].Coupon.Code != "ANN10" {
			t.Errorf("coupon.deleted carries %+v", got[3].Coupon)
		}
	},
}, {
	name: "create a link",
	setup: func(e *env, c canonical.Campaign) ids {
		return ids{"a": e.join(c.ID, "a@example.com", canonical.ParticipantRef{}).ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.CreateLink(e.ctx, c.ID, canonical.ByID(s["a"]), "ann-extra")
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeLinkCreated},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		if got[0].Link.Token != "ann-extra" || got[0].Participant.ID != s["a"] {
			t.Errorf("link.created = %+v, participant %+v", got[0].Link, got[0].Participant)
		}
	},
}, {
	name: "change a participant's main link",
	setup: func(e *env, c canonical.Campaign) ids {
		a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
		links, err := e.b.ListLinks(e.ctx, canonical.LinkQuery{ParticipantID: a.ID})
		if err != nil || len(links.Items) != 1 {
			e.t.Fatalf("links = %+v, %v", links.Items, err)
		}
		return ids{"a": a.ID, "link": links.Items[0].ID}
	},
	op: func(e *env, _ canonical.Campaign, s ids) error {
		_, err := e.b.UpdateLink(e.ctx, s["link"], "ann-new")
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeLinkUpdated},
	check: func(t *testing.T, got []canonical.Change, _ ids) {
		if got[0].Link.Token != "ann-new" || got[0].Participant.ReferralCode != "ann-new" {
			t.Errorf("link.updated = %+v, participant code %q", got[0].Link, got[0].Participant.ReferralCode)
		}
	},
}, {
	name: "a coupon group with two codes",
	op: func(e *env, c canonical.Campaign, _ ids) error {
		_, err := e.b.CreateCouponGroup(e.ctx, c.ID, canonical.NewCouponGroup{Name: "spring", Codes: []string{"A1", "A2"}})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeCouponCreated, canonical.ChangeCouponCreated},
	check: func(t *testing.T, got []canonical.Change, _ ids) {
		if got[0].Coupon.Code != "A1" || got[1].Coupon.Code != "A2" || got[0].Participant != nil {
			t.Errorf("coupon.created = %+v, %+v", got[0].Coupon, got[1].Coupon)
		}
	},
}, {
	name: "an affiliate's own coupon",
	setup: func(e *env, c canonical.Campaign) ids {
		return ids{"a": e.join(c.ID, "a@example.com", canonical.ParticipantRef{}).ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		_, err := e.b.CreateCoupon(e.ctx, c.ID, canonical.ByID(s["a"]), "ANN10")
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeCouponCreated},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		if got[0].Coupon.Code != "ANN10" || got[0].Participant.ID != s["a"] {
			t.Errorf("coupon.created = %+v, participant %+v", got[0].Coupon, got[0].Participant)
		}
	},
}, {
	name:     "a referred customer's first sale, its commission due at once",
	campaign: payAtOnce,
	setup: func(e *env, c canonical.Campaign) ids {
		aff := e.join(c.ID, "aff@example.com", canonical.ParticipantRef{})
		cust := e.join(c.ID, "cust@example.com", canonical.ByCode(aff.ReferralCode))
		return ids{"aff": aff.ID, "cust": cust.ID}
	},
	op: func(e *env, c canonical.Campaign, s ids) error {
		e.sale(c, canonical.Participant{ID: s["cust"]}, 10000, "in_1")
		return nil
	},
	want: []canonical.ChangeKind{canonical.ChangeSaleCreated, canonical.ChangeReferralConverted, canonical.ChangeCommissionCreated,
		canonical.ChangePayoutCreated},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		sale, conv, com, pay := got[0], got[1], got[2], got[3]
		if sale.Transaction.Amount.Amount != 10000 || sale.Participant.ID != s["cust"] || sale.Referrer.ID != s["aff"] {
			t.Errorf("sale.created = %+v, participant %+v, referrer %+v", sale.Transaction, sale.Participant, sale.Referrer)
		}
		if conv.Referral.ConvertedAt == nil || conv.Transaction.ID != sale.Transaction.ID || conv.Participant.ID != s["cust"] || conv.Referrer.ID != s["aff"] {
			t.Errorf("referral.converted = %+v", conv.Referral)
		}
		if com.Commission.Amount.Amount != 3000 || com.Commission.Status != canonical.CommissionDue || com.Participant.ID != s["aff"] ||
			com.Transaction.ID != sale.Transaction.ID {
			t.Errorf("commission.created = %+v, participant %+v", com.Commission, com.Participant)
		}
		if !slices.Equal(pay.Payout.CommissionIDs, []string{com.Commission.ID}) || pay.Participant.ID != s["aff"] {
			t.Errorf("payout.created = %+v", pay.Payout)
		}
	},
}, {
	name:     "commissions fall due: the read that settles them logs them",
	campaign: affiliateProgram,
	setup: func(e *env, c canonical.Campaign) ids {
		s := sales(e, c)
		e.clock.Advance(31 * 24 * time.Hour)
		return s
	},
	op: func(e *env, c canonical.Campaign, _ ids) error {
		_, err := e.b.ListPayouts(e.ctx, canonical.PayoutQuery{CampaignID: c.ID})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangePayoutCreated, canonical.ChangeCommissionAdjusted, canonical.ChangeCommissionAdjusted},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		for _, ch := range got[1:] {
			if ch.Commission.Status != canonical.CommissionDue || ch.Participant.ID != s["aff"] {
				t.Errorf("commission.adjusted = %+v", ch.Commission)
			}
		}
	},
}, {
	name:     "approve a commission",
	campaign: affiliateProgram,
	setup:    sales,
	op: func(e *env, _ canonical.Campaign, s ids) error {
		_, err := e.b.ApproveCommission(e.ctx, s["commission"])
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangePayoutCreated, canonical.ChangeCommissionAdjusted},
}, {
	name:     "mark a commission paid",
	campaign: affiliateProgram,
	setup:    sales,
	op: func(e *env, _ canonical.Campaign, s ids) error {
		paid := ptr(start)
		_, err := e.b.UpdateCommission(e.ctx, s["commission"], canonical.CommissionPatch{PaidAt: &paid})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeCommissionPaid},
}, {
	name:     "move a commission's due date",
	campaign: affiliateProgram,
	setup:    sales,
	op: func(e *env, _ canonical.Campaign, s ids) error {
		_, err := e.b.UpdateCommission(e.ctx, s["commission"], canonical.CommissionPatch{DueAt: ptr(start.Add(90 * 24 * time.Hour))})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeCommissionAdjusted},
}, {
	name:     "partial refund",
	campaign: affiliateProgram,
	setup:    sales,
	op: func(e *env, c canonical.Campaign, _ ids) error {
		_, err := e.b.RefundTransaction(e.ctx, canonical.NewRefund{CampaignID: c.ID,
			ExternalIDs: map[string]string{"invoiceId": "in_2"}, Amount: canonical.Money{Amount: 2500}})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeSaleRefunded, canonical.ChangeCommissionAdjusted},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		if r := got[0]; r.Transaction.Kind != canonical.Refund || r.Transaction.Amount.Amount != 2500 || r.Participant.ID != s["cust"] {
			t.Errorf("sale.refunded = %+v, participant %+v", r.Transaction, r.Participant)
		}
		if c := got[1].Commission; c.Amount.Amount != 2250 {
			t.Errorf("commission.adjusted = %+v, want 2250", c)
		}
	},
}, {
	name:     "full refund",
	campaign: affiliateProgram,
	setup:    sales,
	op: func(e *env, c canonical.Campaign, _ ids) error {
		_, err := e.b.RefundTransaction(e.ctx, canonical.NewRefund{CampaignID: c.ID, ExternalIDs: map[string]string{"invoiceId": "in_1"}})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeSaleRefunded, canonical.ChangeCommissionVoided},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		if c := got[1]; c.Commission.Status != canonical.CommissionVoided || c.Commission.VoidedAt == nil || c.Participant.ID != s["aff"] {
			t.Errorf("commission.voided = %+v", c.Commission)
		}
	},
}, {
	name:     "pay a payout",
	campaign: affiliateProgram,
	setup: func(e *env, c canonical.Campaign) ids {
		s := sales(e, c)
		e.clock.Advance(31 * 24 * time.Hour)
		page, err := e.b.ListPayouts(e.ctx, canonical.PayoutQuery{CampaignID: c.ID})
		if err != nil || len(page.Items) != 1 {
			e.t.Fatalf("payouts = %+v, %v", page.Items, err)
		}
		s["payout"] = page.Items[0].ID
		return s
	},
	op: func(e *env, _ canonical.Campaign, s ids) error {
		_, err := e.b.PayPayout(e.ctx, s["payout"])
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangePayoutPaid, canonical.ChangeCommissionPaid, canonical.ChangeCommissionPaid},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		for _, ch := range got {
			if ch.Payout.ID != s["payout"] || ch.Payout.Status != canonical.PayoutPaid || ch.Participant.ID != s["aff"] {
				t.Errorf("%s: payout %+v, participant %+v", ch.Kind, ch.Payout, ch.Participant)
			}
		}
		for _, ch := range got[1:] {
			if ch.Commission.Status != canonical.CommissionPaid || !slices.Contains(ch.Payout.CommissionIDs, ch.Commission.ID) {
				t.Errorf("commission.paid = %+v", ch.Commission)
			}
		}
	},
}, {
	name:     "manual approval: approve and fulfil at once",
	campaign: manualReward,
	setup: func(e *env, c canonical.Campaign) ids {
		s := referredPair(e, c)
		rs := e.rewards(c.ID, s["a"])
		if len(rs) != 1 || rs[0].Status != canonical.RewardPending {
			e.t.Fatalf("rewards = %+v", rs)
		}
		s["reward"] = rs[0].ID
		return s
	},
	op: func(e *env, _ canonical.Campaign, s ids) error {
		_, err := e.b.ApproveReward(e.ctx, s["reward"], true)
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeRewardApproved, canonical.ChangeRewardFulfilled},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		approved, fulfilled := got[0], got[1]
		if approved.Reward.Status != canonical.RewardApproved || approved.Reward.FulfilledAt != nil || approved.Reward.ApprovedAt == nil {
			t.Errorf("reward.approved carries %+v", approved.Reward)
		}
		if fulfilled.Reward.Status != canonical.RewardFulfilled || fulfilled.Reward.FulfilledAt == nil {
			t.Errorf("reward.fulfilled carries %+v", fulfilled.Reward)
		}
		for _, ch := range got {
			if ch.Participant.ID != s["a"] || ch.Referred.ID != s["b"] || ch.Rule.Title != "each" {
				t.Errorf("%s: participant %+v, referred %+v, rule %+v", ch.Kind, ch.Participant, ch.Referred, ch.Rule)
			}
		}
	},
}, {
	name:     "manual approval: set approved",
	campaign: manualReward,
	setup: func(e *env, c canonical.Campaign) ids {
		s := referredPair(e, c)
		s["reward"] = e.rewards(c.ID, s["a"])[0].ID
		return s
	},
	op: func(e *env, _ canonical.Campaign, s ids) error {
		_, err := e.b.SetRewardStatus(e.ctx, s["reward"], canonical.RewardApproved, nil)
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeRewardApproved},
}, {
	name:     "fulfil an approved reward",
	campaign: referralProgram,
	setup: func(e *env, c canonical.Campaign) ids {
		s := referredPair(e, c)
		s["reward"] = e.rewards(c.ID, s["b"])[0].ID
		return s
	},
	op: func(e *env, _ canonical.Campaign, s ids) error {
		_, err := e.b.FulfillReward(e.ctx, s["reward"])
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeRewardFulfilled},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		if ch := got[0]; ch.Participant.ID != s["b"] || ch.Referrer.ID != s["a"] || ch.Reward.IsReferrer {
			t.Errorf("friend's reward.fulfilled: participant %+v, referrer %+v", ch.Participant, ch.Referrer)
		}
	},
}, {
	name:     "end a campaign with a leaderboard reward",
	campaign: canonical.Campaign{Rules: []canonical.RewardRule{{Kind: canonical.LeaderboardReward, Title: "top", Winners: 1}}},
	setup:    referredPair,
	op: func(e *env, c canonical.Campaign, _ ids) error {
		_, err := e.b.UpdateCampaign(e.ctx, c.ID, canonical.CampaignPatch{Status: ptr(canonical.CampaignEnded)})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeCampaignEnded, canonical.ChangeRewardEarned},
	check: func(t *testing.T, got []canonical.Change, s ids) {
		if c := got[0].Campaign; c.Status != canonical.CampaignEnded || len(c.Rules) != 1 || c.Rules[0].Title != "top" {
			t.Errorf("campaign.ended carries %+v", c)
		}
		if r := got[1]; r.Participant.ID != s["a"] || r.Rule.Title != "top" {
			t.Errorf("reward.earned = %+v, participant %+v", r.Reward, r.Participant)
		}
	},
}, {
	name: "a campaign created ended",
	op: func(e *env, _ canonical.Campaign, _ ids) error {
		_, err := e.b.CreateCampaign(e.ctx, canonical.Campaign{Name: "over", Status: canonical.CampaignEnded})
		return err
	},
	want: []canonical.ChangeKind{canonical.ChangeCampaignEnded},
	check: func(t *testing.T, got []canonical.Change, _ ids) {
		if c := got[0].Campaign; c.Name != "over" || got[0].CampaignID != c.ID || c.ID == "" {
			t.Errorf("campaign.ended carries %+v in campaign %s", c, got[0].CampaignID)
		}
	},
}}

// needs are the entity fields each kind's changes carry (see the kinds'
// comments); the others may be set too where the comment says "when".
var needs = map[canonical.ChangeKind][]string{
	canonical.ChangeParticipantAdded: {"Participant"}, canonical.ChangeParticipantUpdated: {"Participant"},
	canonical.ChangeParticipantDeleted: {"Participant"}, canonical.ChangeParticipantConfirmed: {"Participant"},
	canonical.ChangeParticipantPromoted: {"Participant"}, canonical.ChangeParticipantFraudChanged: {"Participant"},
	canonical.ChangeReferralCreated: {"Referral", "Referrer"}, canonical.ChangeReferralLead: {"Referral", "Participant", "Referrer"},
	canonical.ChangeReferralConverted: {"Referral", "Participant", "Referrer", "Transaction"},
	canonical.ChangeReferralCredited:  {"Referral", "Participant", "Referrer"},
	canonical.ChangeRewardEarned:      {"Reward", "Rule", "Participant"}, canonical.ChangeRewardApproved: {"Reward", "Rule", "Participant"},
	canonical.ChangeRewardFulfilled: {"Reward", "Rule", "Participant"},
	canonical.ChangeSaleCreated:     {"Transaction", "Participant"}, canonical.ChangeSaleRefunded: {"Transaction", "Sale", "Participant"},
	canonical.ChangeCommissionCreated:  {"Commission", "Participant", "Transaction"},
	canonical.ChangeCommissionAdjusted: {"Commission", "Participant"}, canonical.ChangeCommissionVoided: {"Commission", "Participant"},
	canonical.ChangeCommissionPaid: {"Commission", "Participant"},
	canonical.ChangePayoutCreated:  {"Payout", "Participant"}, canonical.ChangePayoutPaid: {"Payout", "Participant"},
	canonical.ChangePayoutFailed:  {"Payout", "Participant"},
	canonical.ChangeCouponCreated: {"Coupon"}, canonical.ChangeCouponActivated: {"Coupon", "Participant"},
	canonical.ChangeCouponDeactivated: {"Coupon", "Participant"}, canonical.ChangeCouponDeleted: {"Coupon"},
	canonical.ChangeLinkCreated: {"Link", "Participant"}, canonical.ChangeLinkUpdated: {"Link", "Participant"},
	canonical.ChangeLinkDeleted:   {"Link"},
	canonical.ChangeCampaignEnded: {"Campaign"},
}

// carries reports whether c has the entity field name set.
func carries(c canonical.Change, name string) bool {
	switch name {
	case "Campaign":
		return c.Campaign != nil
	case "Participant":
		return c.Participant != nil && c.Participant.ID != ""
	case "Referrer":
		return c.Referrer != nil && c.Referrer.ID != ""
	case "Referral":
		return c.Referral != nil && c.Referral.ID != ""
	case "Rule":
		return c.Rule != nil && c.Rule.ID != ""
	case "Reward":
		return c.Reward != nil && c.Reward.ID != ""
	case "Transaction":
		return c.Transaction != nil && c.Transaction.ID != ""
	case "Sale":
		return c.Sale != nil && c.Sale.ID != "" && c.Transaction != nil && c.Transaction.RefundOf == c.Sale.ID
	case "Commission":
		return c.Commission != nil && c.Commission.ID != ""
	case "Payout":
		return c.Payout != nil && c.Payout.ID != ""
	case "Coupon":
		return c.Coupon != nil && c.Coupon.ID != ""
	case "Link":
		return c.Link != nil && c.Link.ID != ""
	}
	panic("unknown entity field " + name)
}

// TestEveryKindIsEmittedOrListed fails when a change kind is neither
// emitted by a case of changeCases nor listed in notProduced, so a new
// kind needs one or the other.
func TestEveryKindIsEmittedOrListed(t *testing.T) {
	t.Parallel()
	emitted := map[canonical.ChangeKind]bool{}
	for _, tc := range changeCases {
		for _, k := range tc.want {
			emitted[k] = true
		}
	}
	for _, k := range canonical.ChangeKinds() {
		_, listed := notProduced[k]
		switch {
		case emitted[k] && listed:
			t.Errorf("%s is emitted by a case and listed as never produced", k)
		case !emitted[k] && !listed:
			t.Errorf("%s is neither emitted by a case of changeCases nor listed in notProduced with the reason", k)
		}
		if _, ok := needs[k]; !ok {
			t.Errorf("%s has no entry in needs", k)
		}
	}
	for k := range notProduced {
		if !slices.Contains(canonical.ChangeKinds(), k) {
			t.Errorf("notProduced lists %s, which is no change kind", k)
		}
	}
}

// changesSince lists the account's changes after the one with ID after
// ("" for all).
func changesSince(t *testing.T, e *env, after string) []canonical.Change {
	t.Helper()
	page, err := e.b.(canonical.Webhooks).ListChanges(e.ctx, canonical.ChangeQuery{ListOptions: canonical.ListOptions{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	out := page.Items
	for i, c := range out {
		if c.ID == after {
			return out[i+1:]
		}
	}
	if after != "" {
		t.Fatalf("change %s is gone from the log", after)
	}
	return out
}

// TestWritesLogTheirChanges drives each write of changeCases through the
// engine's Backend, on SQLite and PostgreSQL, and reads back exactly the
// changes it logged, in order, each with the entities its kind carries,
// stamped with the account, its campaign and the engine's clock.
func TestWritesLogTheirChanges(t *testing.T) {
	t.Parallel()
	for name, open := range testStores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := open(t)
			for _, tc := range changeCases {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					e := envOn(t, st)
					c := e.campaign(tc.campaign)
					var s ids
					if tc.setup != nil {
						s = tc.setup(e, c)
					}
					// An endpoint subscribed to every kind: the engine
					// holds what it logs for the delivery workers.
					if _, err := e.b.(canonical.Webhooks).CreateWebhookEndpoint(e.ctx, canonical.WebhookEndpoint{
						Vendor: canonical.GrowSurf, URL: "https://hooks.example.com/all", Kinds: canonical.ChangeKinds(), Enabled: true}); err != nil {
						t.Fatal(err)
					}
					before := changesSince(t, e, "")
					last := ""
					if len(before) > 0 {
						last = before[len(before)-1].ID
					}
					if err := tc.op(e, c, s); err != nil {
						t.Fatalf("op: %v", err)
					}
					got := changesSince(t, e, last)
					kinds := make([]canonical.ChangeKind, len(got))
					for i, ch := range got {
						kinds[i] = ch.Kind
					}
					if !slices.Equal(kinds, tc.want) {
						t.Fatalf("logged %v, want %v", kinds, tc.want)
					}
					acct := e.b.(*engine.Account).ID()
					for i, ch := range got {
						if ch.ID == "" || ch.AccountID != acct || ch.CampaignID == "" || !ch.At.Equal(e.clock.Now()) {
							t.Errorf("change %d (%s): ID %q, account %q (want %s), campaign %q, at %s (want %s)",
								i, ch.Kind, ch.ID, ch.AccountID, acct, ch.CampaignID, ch.At, e.clock.Now())
						}
						if ch.Campaign == nil && ch.CampaignID != c.ID {
							t.Errorf("change %d (%s) in campaign %s, want %s", i, ch.Kind, ch.CampaignID, c.ID)
						}
						for _, field := range needs[ch.Kind] {
							if !carries(ch, field) {
								t.Errorf("change %d (%s) lacks its %s", i, ch.Kind, field)
							}
						}
					}
					// What the workers render from memory is what the log
					// holds.
					for i, ch := range got {
						held, ok := e.eng.RecentEvent(acct, ch.ID)
						if !ok {
							t.Errorf("change %d (%s) is not held for the workers", i, ch.Kind)
							continue
						}
						if diff := sameJSON(held, ch); diff != "" {
							t.Errorf("change %d (%s) held differs from the log: %s", i, ch.Kind, diff)
						}
					}
					if tc.check != nil && !t.Failed() {
						tc.check(t, got, s)
					}
				})
			}
		})
	}
}

// TestFailedWritesLogNothing: a write that logged changes and then failed
// rolls back with them: the event log is as before, on SQLite and
// PostgreSQL.
func TestFailedWritesLogNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		campaign canonical.Campaign
		op       func(e *env, c canonical.Campaign, a canonical.Participant) error
		code     canonical.Code
	}{{
		// The signup logs participant.added and link.created, then its
		// vanity key is taken.
		name: "signup with a taken vanity key",
		op: func(e *env, c canonical.Campaign, a canonical.Participant) error {
			in := canonical.NewParticipant{Referrer: canonical.ByID(a.ID)}
			in.CampaignID, in.Email, in.VanityKeys = c.ID, "b@example.com", []string{"ann-vanity"}
			_, _, err := e.b.CreateParticipant(e.ctx, in)
			return err
		},
		code: canonical.Conflict,
	}, {
		// The points earn a milestone reward (reward.earned), then the
		// vanity key is refused.
		name: "update whose vanity key is invalid after a reward",
		campaign: canonical.Campaign{Rules: []canonical.RewardRule{
			{Kind: canonical.Milestone, Title: "ten points", PointsThreshold: 10}}},
		op: func(e *env, c canonical.Campaign, a canonical.Participant) error {
			_, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(a.ID), canonical.ParticipantPatch{
				Points: ptr(int64(10)), VanityKeys: ptr([]string{"not valid!"})})
			return err
		},
		code: canonical.Invalid,
	}}
	for name, open := range testStores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := open(t)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					e := envOn(t, st)
					c := e.campaign(tc.campaign)
					in := canonical.NewParticipant{}
					in.CampaignID, in.Email, in.VanityKeys = c.ID, "a@example.com", []string{"ann-vanity"}
					a, _, err := e.b.CreateParticipant(e.ctx, in)
					if err != nil {
						t.Fatal(err)
					}
					before := changesSince(t, e, "")
					wantCode(t, tc.op(e, c, a), tc.code)
					if after := changesSince(t, e, ""); len(after) != len(before) {
						t.Errorf("a failed write left %d changes in the log", len(after)-len(before))
					}
					if rs := e.rewards(c.ID, a.ID); len(rs) != 0 {
						t.Errorf("a failed write left rewards %+v", rs)
					}
				})
			}
		})
	}
}

// sameJSON shows where the JSON of two changes differs ("" if nowhere).
func sameJSON(got, want canonical.Change) string {
	g, err := json.MarshalIndent(got, "", " ")
	if err != nil {
		return err.Error()
	}
	w, err := json.MarshalIndent(want, "", " ")
	if err != nil {
		return err.Error()
	}
	return diffJSON(string(w), string(g))
}
