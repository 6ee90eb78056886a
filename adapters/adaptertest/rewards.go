package adaptertest

import (
	"slices"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// rewardBehaviours cover earned rewards, promotion and manual grants.
var rewardBehaviours = []behaviour{
	{name: "EarnedRewardsRead", needs: ops("CreateParticipant", "ListEarnedRewards", "GetEarnedReward"), run: testEarnedRewardsRead},
	{name: "RewardApprovedAndFulfilled", needs: ops("CreateParticipant", "ListEarnedRewards", "ApproveReward", "FulfillReward", "GetEarnedReward"),
		run: testApproveFulfil},
	{name: "PendingRewardDeleted", needs: ops("CreateParticipant", "ListEarnedRewards", "ApproveReward", "DeleteReward", "GetEarnedReward"),
		run: testDeleteReward},
	{name: "RewardStatusSet", needs: ops("CreateParticipant", "ListEarnedRewards", "SetRewardStatus", "GetEarnedReward"),
		run: testSetRewardStatus},
	{name: "DoubleSidedRewardEarned", needs: ops("CreateParticipant", "ListEarnedRewards"), unless: hidesRule(canonical.DoubleSided),
		campaign: doubleSidedCampaign, run: testDoubleSided},
	{name: "PromotedWinnerGranted", needs: ops("CreateParticipant", "PromoteParticipant", "GrantReward", "ListRewardRules", "ListEarnedRewards"),
		run: testPromoteGrant},
}

// rewardsOf lists p's earned rewards, newest first.
func (s *suite) rewardsOf(t *testing.T, p canonical.Participant, statuses ...canonical.RewardStatus) []canonical.EarnedReward {
	t.Helper()
	return must[canonical.Page[canonical.EarnedReward]](t, "list rewards")(s.b.ListEarnedRewards(s.ctx,
		canonical.RewardQuery{CampaignID: s.camp, ParticipantID: p.ID, Statuses: statuses, ListOptions: canonical.ListOptions{Limit: 100}})).Items
}

// earnTwo makes a referrer with two credited referrals, each earning
// Friend bonus, and returns the referrer and the two rewards.
func (s *suite) earnTwo(t *testing.T) (canonical.Participant, []canonical.EarnedReward) {
	t.Helper()
	p := s.join(t, "earner")
	first := s.refer(t, "earned-a", p)
	s.h.Advance(time.Hour)
	second := s.refer(t, "earned-b", p)
	rs := s.rewardsOf(t, p)
	if len(rs) != 2 {
		t.Fatalf("rewards after two credited referrals: %+v, want two", rs)
	}
	// Newest first, told by the referral that earned each or by time.
	switch {
	case rs[0].ReferredID != "" && rs[1].ReferredID != "":
		if rs[0].ReferredID != second.ID || rs[1].ReferredID != first.ID {
			t.Fatalf("rewards earned by %s then %s listed %s, %s; want newest first", first.ID, second.ID, rs[0].ReferredID, rs[1].ReferredID)
		}
	case !rs[0].CreatedAt.IsZero() && !rs[1].CreatedAt.IsZero():
		if !rs[0].CreatedAt.After(rs[1].CreatedAt) {
			t.Fatalf("rewards listed created %v, %v; want newest first", rs[0].CreatedAt, rs[1].CreatedAt)
		}
	default:
		t.Fatalf("rewards carry neither the referral that earned them nor a time: %+v", rs)
	}
	return p, rs
}

// getReward reads a reward and checks its status.
func (s *suite) getReward(t *testing.T, id string, want canonical.RewardStatus) canonical.EarnedReward {
	t.Helper()
	r := must[canonical.EarnedReward](t, "get reward "+id)(s.b.GetEarnedReward(s.ctx, id))
	if r.ID != id || r.Status != want {
		t.Fatalf("reward %s read back as %s %s, want %s", id, r.ID, r.Status, want)
	}
	return r
}

func testEarnedRewardsRead(t *testing.T, s *suite) {
	p, rs := s.earnTwo(t)
	for _, r := range rs {
		if r.ID == "" || r.ParticipantID != p.ID || r.Status != canonical.RewardApproved || !s.lim.NoRewardSide && !r.IsReferrer {
			t.Errorf("reward %+v, want an approved referrer's reward of %s", r, p.ID)
		}
		if !s.lim.NoRewardValue && r.Value != usd(1000) {
			t.Errorf("reward %s is worth %v, want Friend bonus's %v", r.ID, r.Value, usd(1000))
		}
		got := s.getReward(t, r.ID, r.Status)
		if got.ParticipantID != p.ID || got.Value != r.Value || got.RuleID != r.RuleID {
			t.Errorf("reward %s read back as %+v, listed as %+v", r.ID, got, r)
		}
	}
	if rs[0].ID == rs[1].ID {
		t.Fatalf("two rewards with one ID %s", rs[0].ID)
	}
	walk(t, "rewards", func(o canonical.ListOptions) (canonical.Page[canonical.EarnedReward], error) {
		return s.b.ListEarnedRewards(s.ctx, canonical.RewardQuery{CampaignID: s.camp, ParticipantID: p.ID, ListOptions: o})
	}, func(r canonical.EarnedReward) string { return r.ID })
	all := must[canonical.Page[canonical.EarnedReward]](t, "list the campaign's rewards")(s.b.ListEarnedRewards(s.ctx,
		canonical.RewardQuery{CampaignID: s.camp, ListOptions: canonical.ListOptions{Limit: 100}}))
	for _, r := range rs {
		if !slices.ContainsFunc(all.Items, func(x canonical.EarnedReward) bool { return x.ID == r.ID }) {
			t.Errorf("reward %s missing from the campaign's rewards", r.ID)
		}
	}
	if got := s.rewardsOf(t, p, canonical.RewardPending); len(got) != 0 {
		t.Errorf("pending rewards of %s: %+v, want none", p.ID, got)
	}
	if got := s.rewardsOf(t, p, canonical.RewardApproved); len(got) != 2 {
		t.Errorf("approved rewards of %s: %d, want 2", p.ID, len(got))
	}
	_, err := s.b.GetEarnedReward(s.ctx, "999999999")
	code(t, "get an unknown reward", err, canonical.NotFound)
}

func testApproveFulfil(t *testing.T, s *suite) {
	s.configure(t, canonical.CampaignPatch{ManualApproval: ptr(true)})
	p, rs := s.earnTwo(t)
	for _, r := range rs {
		if r.Status != canonical.RewardPending {
			t.Fatalf("reward %s is %s under manual approval, want pending", r.ID, r.Status)
		}
	}
	r1, r2 := rs[0].ID, rs[1].ID
	a := must[canonical.EarnedReward](t, "approve")(s.b.ApproveReward(s.ctx, r1, false))
	if a.ID != r1 || a.Status != canonical.RewardApproved || a.ApprovedAt == nil {
		t.Fatalf("approve answered %+v, want %s approved with ApprovedAt", a, r1)
	}
	s.getReward(t, r1, canonical.RewardApproved)
	if got := s.rewardsOf(t, p, canonical.RewardApproved); len(got) != 1 || got[0].ID != r1 {
		t.Fatalf("approved rewards %+v, want only %s", got, r1)
	}
	if got := s.rewardsOf(t, p, canonical.RewardPending); len(got) != 1 || got[0].ID != r2 {
		t.Fatalf("pending rewards %+v, want only %s", got, r2)
	}
	_, err := s.b.ApproveReward(s.ctx, r1, false)
	code(t, "approve twice", err, canonical.Conflict)
	_, err = s.b.FulfillReward(s.ctx, r2)
	code(t, "fulfil a pending reward", err, canonical.Conflict)
	f := must[canonical.EarnedReward](t, "fulfil")(s.b.FulfillReward(s.ctx, r1))
	if f.ID != r1 || f.Status != canonical.RewardFulfilled || f.FulfilledAt == nil {
		t.Fatalf("fulfil answered %+v, want %s fulfilled with FulfilledAt", f, r1)
	}
	s.getReward(t, r1, canonical.RewardFulfilled)
	_, err = s.b.FulfillReward(s.ctx, r1)
	code(t, "fulfil twice", err, canonical.Conflict)
	af := must[canonical.EarnedReward](t, "approve and fulfil")(s.b.ApproveReward(s.ctx, r2, true))
	if af.Status != canonical.RewardFulfilled {
		t.Fatalf("approve with fulfil answered %s, want fulfilled", af.Status)
	}
	s.getReward(t, r2, canonical.RewardFulfilled)
}

func testDeleteReward(t *testing.T, s *suite) {
	s.configure(t, canonical.CampaignPatch{ManualApproval: ptr(true)})
	p, rs := s.earnTwo(t)
	kept, gone := rs[0].ID, rs[1].ID
	must[canonical.EarnedReward](t, "approve")(s.b.ApproveReward(s.ctx, kept, false))
	code(t, "delete an approved reward", s.b.DeleteReward(s.ctx, kept), canonical.Conflict)
	if err := s.b.DeleteReward(s.ctx, gone); err != nil {
		t.Fatalf("delete a pending reward: %v", err)
	}
	_, err := s.b.GetEarnedReward(s.ctx, gone)
	code(t, "get a deleted reward", err, canonical.NotFound)
	if left := s.rewardsOf(t, p); len(left) != 1 || left[0].ID != kept {
		t.Fatalf("rewards after deleting one: %+v, want only %s", left, kept)
	}
	code(t, "delete a reward twice", s.b.DeleteReward(s.ctx, gone), canonical.NotFound)
	_, err = s.b.ApproveReward(s.ctx, gone, false)
	code(t, "approve a deleted reward", err, canonical.NotFound)
	_, err = s.b.FulfillReward(s.ctx, gone)
	code(t, "fulfil a deleted reward", err, canonical.NotFound)
}

func testSetRewardStatus(t *testing.T, s *suite) {
	p := s.join(t, "set")
	s.refer(t, "set-a", p)
	rs := s.rewardsOf(t, p)
	if len(rs) != 1 {
		t.Fatalf("rewards after one credited referral: %+v, want one", rs)
	}
	id := rs[0].ID
	c := must[canonical.EarnedReward](t, "cancel")(s.b.SetRewardStatus(s.ctx, id, canonical.RewardCanceled, nil))
	if c.ID != id || c.Status != canonical.RewardCanceled {
		t.Fatalf("set canceled answered %s %s", c.ID, c.Status)
	}
	s.getReward(t, id, canonical.RewardCanceled)
	var native canonical.Native
	native.Set(canonical.ReferralHero, "status", "resent")
	f := must[canonical.EarnedReward](t, "resend")(s.b.SetRewardStatus(s.ctx, id, canonical.RewardFulfilled, native))
	if f.Status != canonical.RewardFulfilled || f.Native.String(canonical.ReferralHero, "status") != "resent" {
		t.Fatalf("set fulfilled with native status resent answered %s, native %v", f.Status, f.Native)
	}
	s.getReward(t, id, canonical.RewardFulfilled)
	_, err := s.b.SetRewardStatus(s.ctx, id, "bogus", nil)
	code(t, "set an unknown status", err, canonical.Invalid)
	_, err = s.b.SetRewardStatus(s.ctx, "999999999", canonical.RewardCanceled, nil)
	code(t, "set the status of an unknown reward", err, canonical.NotFound)
}

func testPromoteGrant(t *testing.T, s *suite) {
	rule := s.addRule(t, canonical.RewardRule{Kind: canonical.ManualReward, Title: "Promoted prize", Visible: true, ReferrerValue: usd(2500)})
	p := s.join(t, "win")
	_, err := s.b.GrantReward(s.ctx, s.camp, canonical.ByID(p.ID), rule.ID)
	code(t, "grant to a participant who is not promoted", err, canonical.Invalid)
	pp := must[canonical.Participant](t, "promote")(s.b.PromoteParticipant(s.ctx, s.camp, canonical.ByID(p.ID)))
	if pp.ID != p.ID || !pp.Promoted {
		t.Fatalf("promote answered %s promoted=%v", pp.ID, pp.Promoted)
	}
	_, err = s.b.PromoteParticipant(s.ctx, s.camp, canonical.ByID(p.ID))
	code(t, "promote twice", err, canonical.Conflict)
	r := must[canonical.EarnedReward](t, "grant")(s.b.GrantReward(s.ctx, s.camp, canonical.ByID(p.ID), rule.ID))
	if r.ID == "" || r.ParticipantID != p.ID || r.RuleID != rule.ID {
		t.Fatalf("grant answered %+v, want a reward of %s under %s", r, p.ID, rule.ID)
	}
	if got := s.rewardsOf(t, p); len(got) != 1 || got[0].ID != r.ID {
		t.Fatalf("rewards of the promoted winner: %+v, want the granted %s", got, r.ID)
	}
	rules := must[[]canonical.RewardRule](t, "list rules")(s.b.ListRewardRules(s.ctx, s.camp))
	bonus, ok := findRule(rules, Campaign().Rules[0])
	if !ok {
		t.Fatalf("rule %q not listed: %+v", friendBonus, rules)
	}
	_, err = s.b.GrantReward(s.ctx, s.camp, canonical.ByID(p.ID), bonus.ID)
	code(t, "grant under an automatic rule", err, canonical.Invalid)
}

// doubleSidedCampaign rewards both sides of each credited referral.
func doubleSidedCampaign() canonical.Campaign {
	c := Campaign()
	c.Rules = []canonical.RewardRule{{Kind: canonical.DoubleSided, Title: "Give and get", Threshold: 1, Unlimited: true, Visible: true,
		ReferrerValue: usd(1000), ReferredValue: usd(500)}}
	return c
}

func testDoubleSided(t *testing.T, s *suite) {
	p := s.join(t, "giver")
	q := s.refer(t, "getter", p)
	mine, theirs := s.rewardsOf(t, p), s.rewardsOf(t, q)
	if len(mine) != 1 || mine[0].ParticipantID != p.ID || !s.lim.NoRewardSide && !mine[0].IsReferrer {
		t.Fatalf("referrer's rewards %+v, want one as referrer", mine)
	}
	if len(theirs) != 1 || theirs[0].ParticipantID != q.ID || !s.lim.NoRewardSide && theirs[0].IsReferrer {
		t.Fatalf("referred friend's rewards %+v, want one as the referred side", theirs)
	}
	if !s.lim.NoRewardValue && (mine[0].Value != usd(1000) || theirs[0].Value != usd(500)) {
		t.Fatalf("rewards worth %v and %v, want %v for the referrer and %v for the friend", mine[0].Value, theirs[0].Value, usd(1000), usd(500))
	}
}
