package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// referN makes n new participants referred by code.
func (e *env) referN(campaign, code string, n int, prefix string) []canonical.Participant {
	e.t.Helper()
	var out []canonical.Participant
	for i := range n {
		out = append(out, e.join(campaign, fmt.Sprintf("%s%d@example.com", prefix, i), canonical.ByCode(code)))
	}
	return out
}

func countBy(rs []canonical.EarnedReward, rule string) int {
	n := 0
	for _, r := range rs {
		if r.RuleID == rule {
			n++
		}
	}
	return n
}

func TestRewardRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	usd := func(n int64) canonical.Money { return canonical.Money{Amount: n, Currency: "USD"} }
	c := e.campaign(canonical.Campaign{Rules: []canonical.RewardRule{
		{Kind: canonical.SingleSided, Title: "each", ReferrerValue: usd(500)},
		{Kind: canonical.DoubleSided, Title: "both", Threshold: 2, ReferrerValue: usd(1000), ReferredValue: usd(700)},
		{Kind: canonical.Milestone, Title: "at 3", Threshold: 3},
		{Kind: canonical.Milestone, Title: "every 3", Threshold: 3, Repeat: true},
		{Kind: canonical.SingleSided, Title: "two a month", Limit: 2, LimitPeriod: canonical.LimitPerMonth},
	}})
	rule := map[string]string{}
	for _, r := range c.Rules {
		rule[r.Title] = r.ID
	}
	a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
	friends := e.referN(c.ID, a.ReferralCode, 6, "f")
	rs := e.rewards(c.ID, a.ID)
	for title, want := range map[string]int{"each": 6, "both": 3, "at 3": 1, "every 3": 2, "two a month": 2} {
		if got := countBy(rs, rule[title]); got != want {
			t.Errorf("rule %q earned %d times, want %d", title, got, want)
		}
	}
	for _, r := range rs {
		if r.Status != canonical.RewardApproved || !r.IsReferrer || r.ApprovedAt == nil {
			t.Errorf("referrer reward %+v: want approved (no manual approval)", r)
		}
	}
	// The friend whose referral was the 2nd, 4th and 6th earns the friend side.
	for i, f := range friends {
		want := 0
		if (i+1)%2 == 0 {
			want = 1
		}
		frs := e.rewards(c.ID, f.ID)
		if got := countBy(frs, rule["both"]); got != want {
			t.Errorf("friend %d earned %d friend-side rewards, want %d", i, got, want)
		}
		if want == 1 && (frs[0].IsReferrer || frs[0].Value.Amount != 700) {
			t.Errorf("friend reward = %+v", frs[0])
		}
	}
	got := e.get(c.ID, a.ID).Stats
	if got.ReferrerRewards.Amount != 6*500+3*1000 || got.RewardsEarned != 14 {
		t.Errorf("reward totals = %+v", got)
	}
	// The monthly limit resets next month.
	e.clock.Advance(31 * 24 * time.Hour)
	e.referN(c.ID, a.ReferralCode, 1, "g")
	if got := countBy(e.rewards(c.ID, a.ID), rule["two a month"]); got != 3 {
		t.Errorf("monthly-limited rule after a month = %d, want 3", got)
	}
}

func TestManualApprovalLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{ManualApproval: true, Rules: []canonical.RewardRule{{Kind: canonical.SingleSided}}})
	a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
	e.referN(c.ID, a.ReferralCode, 3, "f")
	rs := e.rewards(c.ID, a.ID)
	if len(rs) != 3 || rs[0].Status != canonical.RewardPending || rs[0].ApprovedAt != nil {
		t.Fatalf("rewards = %+v", rs)
	}
	_, err := e.b.FulfillReward(e.ctx, rs[0].ID)
	wantCode(t, err, canonical.Conflict) // not approved yet
	r, err := e.b.ApproveReward(e.ctx, rs[0].ID, false)
	if err != nil || r.Status != canonical.RewardApproved || r.ApprovedAt == nil {
		t.Fatalf("approve = %+v, %v", r, err)
	}
	_, err = e.b.ApproveReward(e.ctx, rs[0].ID, false)
	wantCode(t, err, canonical.Conflict)
	r, err = e.b.FulfillReward(e.ctx, rs[0].ID)
	if err != nil || r.Status != canonical.RewardFulfilled || r.FulfilledAt == nil {
		t.Fatalf("fulfill = %+v, %v", r, err)
	}
	r, err = e.b.ApproveReward(e.ctx, rs[1].ID, true)
	if err != nil || r.Status != canonical.RewardFulfilled {
		t.Fatalf("approve+fulfill = %+v, %v", r, err)
	}
	wantCode(t, e.b.DeleteReward(e.ctx, rs[0].ID), canonical.Conflict)
	if err := e.b.DeleteReward(e.ctx, rs[2].ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.b.GetEarnedReward(e.ctx, rs[2].ID)
	wantCode(t, err, canonical.NotFound)
	stats, err := e.b.CampaignStats(e.ctx, c.ID)
	if err != nil || stats.Winners != 1 {
		t.Errorf("winners = %d, %v", stats.Winners, err)
	}
	native := canonical.Native{}
	native.Set(canonical.ReferralHero, "status", "resent")
	r, err = e.b.SetRewardStatus(e.ctx, rs[1].ID, canonical.RewardFulfilled, native)
	if err != nil || r.Native.String(canonical.ReferralHero, "status") != "resent" {
		t.Errorf("set status = %+v, %v", r, err)
	}
	_, err = e.b.SetRewardStatus(e.ctx, rs[1].ID, "lost", nil)
	wantCode(t, err, canonical.Invalid)
}

func TestRefereeRewardAtSignupAndPoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{Qualification: canonical.QualifyOnEvent, Rules: []canonical.RewardRule{
		{Kind: canonical.DoubleSided, ReferredAtSignup: true, ReferrerValue: canonical.Money{Amount: 20}, ReferredValue: canonical.Money{Amount: 20}},
		{Kind: canonical.Milestone, Title: "100 points", PointsThreshold: 100},
	}})
	a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
	f := e.join(c.ID, "f@example.com", canonical.ByCode(a.ReferralCode))
	got := e.get(c.ID, f.ID).Stats
	if got.ReferredRewards.Amount != 20 || got.ReferredRewards.Currency != "USD" {
		t.Errorf("referee reward at signup = %+v", got.ReferredRewards)
	}
	if got := e.get(c.ID, a.ID).Stats.ReferrerRewards.Amount; got != 0 {
		t.Errorf("referrer rewarded before qualification: %d", got)
	}
	if _, err := e.b.QualifyReferral(e.ctx, c.ID, canonical.ByID(f.ID), canonical.Money{Amount: 250}); err != nil {
		t.Fatal(err)
	}
	if got := e.get(c.ID, a.ID).Stats.ReferrerRewards.Amount; got != 20 {
		t.Errorf("referrer reward after qualification = %d", got)
	}
	if got := len(e.rewards(c.ID, f.ID)); got != 1 {
		t.Errorf("friend rewards = %d, want 1 (no second friend side on credit)", got)
	}
	for range 3 {
		if _, err := e.b.AddPoints(e.ctx, c.ID, canonical.ByID(a.ID), 40); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(e.rewards(c.ID, a.ID)); got != 2 {
		t.Errorf("rewards after 120 points = %d, want 2", got)
	}
	p, err := e.b.AddPoints(e.ctx, c.ID, canonical.ByID(a.ID), -500)
	if err != nil || p.Points != 0 {
		t.Errorf("points floor = %d, %v", p.Points, err)
	}
}

func TestLeaderboardRewardOnCampaignEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{Rules: []canonical.RewardRule{{Kind: canonical.LeaderboardReward, Winners: 2}}})
	var ps []canonical.Participant
	for i, n := range []int{1, 3, 0, 2} {
		p := e.join(c.ID, fmt.Sprintf("p%d@example.com", i), canonical.ParticipantRef{})
		e.referN(c.ID, p.ReferralCode, n, fmt.Sprintf("r%d-", i))
		ps = append(ps, p)
	}
	ended := canonical.CampaignEnded
	if _, err := e.b.UpdateCampaign(e.ctx, c.ID, canonical.CampaignPatch{Status: &ended}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{0, 1, 0, 1} {
		if got := len(e.rewards(c.ID, ps[i].ID)); got != want {
			t.Errorf("participant %d rewards = %d, want %d", i, got, want)
		}
	}
}

func TestPromoteAndGrant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{Kind: canonical.ContestProgram, Rules: []canonical.RewardRule{
		{Kind: canonical.ManualReward, Title: "Winner Reward"}, {Kind: canonical.SingleSided, Title: "auto"},
	}})
	a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
	_, err := e.b.GrantReward(e.ctx, c.ID, canonical.ByID(a.ID), c.Rules[0].ID)
	wantCode(t, err, canonical.Invalid) // not promoted
	p, err := e.b.PromoteParticipant(e.ctx, c.ID, canonical.ByID(a.ID))
	if err != nil || !p.Promoted || p.PromotedAt == nil {
		t.Fatalf("promote = %+v, %v", p, err)
	}
	_, err = e.b.PromoteParticipant(e.ctx, c.ID, canonical.ByID(a.ID))
	wantCode(t, err, canonical.Conflict)
	_, err = e.b.GrantReward(e.ctx, c.ID, canonical.ByID(a.ID), c.Rules[1].ID)
	wantCode(t, err, canonical.Invalid) // not a manual rule
	r, err := e.b.GrantReward(e.ctx, c.ID, canonical.ByID(a.ID), c.Rules[0].ID)
	if err != nil || r.RuleID != c.Rules[0].ID || r.ParticipantID != a.ID {
		t.Errorf("grant = %+v, %v", r, err)
	}
}

func TestRewardRuleCRUDAndValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	for _, bad := range []canonical.RewardRule{
		{Kind: "bonus"},
		{Kind: canonical.CommissionReward},
		{Kind: canonical.CommissionReward, Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 120}},
		{Kind: canonical.SingleSided, Limit: -1},
	} {
		_, err := e.b.CreateRewardRule(e.ctx, c.ID, bad)
		wantCode(t, err, canonical.Invalid)
	}
	r, err := e.b.CreateRewardRule(e.ctx, c.ID, canonical.RewardRule{Kind: canonical.Milestone, Threshold: 5, Title: "five"})
	if err != nil {
		t.Fatal(err)
	}
	r, err = e.b.UpdateRewardRule(e.ctx, c.ID, r.ID, canonical.RewardRulePatch{Title: ptr("five!"), Repeat: ptr(true)})
	if err != nil || r.Title != "five!" || !r.Repeat || r.Threshold != 5 {
		t.Fatalf("update = %+v, %v", r, err)
	}
	rules, err := e.b.ListRewardRules(e.ctx, c.ID)
	if err != nil || len(rules) != 1 {
		t.Fatalf("rules = %+v, %v", rules, err)
	}
	if err := e.b.DeleteRewardRule(e.ctx, c.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.b.DeleteRewardRule(e.ctx, c.ID, r.ID), canonical.NotFound)
}
