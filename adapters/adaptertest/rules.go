package adaptertest

import (
	"slices"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// ruleBehaviours cover reward rules.
var ruleBehaviours = []behaviour{
	{name: "RewardRulesListed", needs: ops("ListRewardRules"), unless: hidesRules(rulesCampaign().Rules), campaign: rulesCampaign,
		run: testRulesListed},
	{name: "RewardRuleLifecycle", needs: ops("CreateRewardRule", "ListRewardRules", "UpdateRewardRule", "DeleteRewardRule"),
		run: testRuleLifecycle},
	{name: "CommissionRuleListedAndUpdated", needs: ops("ListRewardRules", "UpdateRewardRule"), unless: hidesRule(canonical.CommissionReward),
		campaign: AffiliateCampaign, run: testCommissionRule},
	{name: "DeletedRuleKeepsRewards", needs: ops("CreateParticipant", "ListRewardRules", "DeleteRewardRule", "ListEarnedRewards"),
		run: testDeletedRuleKeepsRewards},
	{name: "LeaderboardRuleAwardedAtEnd", needs: ops("CreateRewardRule", "UpdateCampaign", "CreateParticipant", "ListEarnedRewards"),
		unless: noReferredCreate, run: testLeaderboardAward},
}

// hidesRule skips behaviours about rules of kind k on backends whose API
// does not show them.
func hidesRule(k canonical.RewardKind) func(Limits) string {
	return hidesRules([]canonical.RewardRule{{Kind: k}})
}

// hidesRules skips behaviours about rules on backends whose API shows
// none of their kinds.
func hidesRules(rules []canonical.RewardRule) func(Limits) string {
	return func(l Limits) string {
		for _, r := range rules {
			if l.showsRule(r.Kind) {
				return ""
			}
		}
		return "the API shows no rules of the kinds the behaviour needs"
	}
}

// rulesCampaign is Campaign with a milestone rule besides Friend bonus.
func rulesCampaign() canonical.Campaign {
	c := Campaign()
	c.Rules = append(c.Rules, canonical.RewardRule{Kind: canonical.Milestone, Title: "Five friends", Threshold: 5, Visible: true,
		ReferrerValue: usd(5000)})
	return c
}

// commissionRule is AffiliateCampaign's rule: 15% of each referred sale.
func commissionRule() canonical.RewardRule {
	return canonical.RewardRule{Kind: canonical.CommissionReward, Title: "Affiliate commission", Visible: true, Unlimited: true,
		Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 15}}
}

// addRule adds rule to the campaign, through the backend under test when
// it creates rules, else through the engine, and returns it as the
// backend lists it.
func (s *suite) addRule(t *testing.T, rule canonical.RewardRule) canonical.RewardRule {
	t.Helper()
	if s.supports("CreateRewardRule") {
		return must[canonical.RewardRule](t, "create rule "+rule.Title)(s.b.CreateRewardRule(s.ctx, s.camp, rule))
	}
	must[canonical.RewardRule](t, "arrange rule "+rule.Title)(s.arr.CreateRewardRule(s.ctx, s.arrCamp, rule))
	rules := must[[]canonical.RewardRule](t, "list rules")(s.b.ListRewardRules(s.ctx, s.camp))
	r, ok := findRule(rules, rule)
	if !ok {
		t.Fatalf("rule %q arranged through the engine is not listed: %+v", rule.Title, rules)
	}
	return r
}

// findRule finds want among rules by title, or, where titles do not
// survive, as the one rule of its kind.
func findRule(rules []canonical.RewardRule, want canonical.RewardRule) (canonical.RewardRule, bool) {
	if i := slices.IndexFunc(rules, func(r canonical.RewardRule) bool { return r.Title == want.Title }); i >= 0 {
		return rules[i], true
	}
	var kind []canonical.RewardRule
	for _, r := range rules {
		if r.Kind == want.Kind {
			kind = append(kind, r)
		}
	}
	if len(kind) == 1 {
		return kind[0], true
	}
	return canonical.RewardRule{}, false
}

func testRulesListed(t *testing.T, s *suite) {
	rules := must[[]canonical.RewardRule](t, "list rules")(s.b.ListRewardRules(s.ctx, s.camp))
	shown := 0
	for i, want := range rulesCampaign().Rules {
		if !s.lim.showsRule(want.Kind) || s.lim.FirstRuleOnly && i > 0 {
			continue
		}
		shown++
		r, ok := findRule(rules, want)
		switch {
		case !ok:
			t.Errorf("rule %q (%s) not listed: %+v", want.Title, want.Kind, rules)
		case r.Kind != want.Kind || r.Threshold != want.Threshold:
			t.Errorf("rule %q listed as a %s rule at threshold %d, want %s at %d", want.Title, r.Kind, r.Threshold, want.Kind, want.Threshold)
		case !s.lim.NoRuleValue && r.ReferrerValue != want.ReferrerValue:
			t.Errorf("rule %q listed worth %v, want %v", want.Title, r.ReferrerValue, want.ReferrerValue)
		}
	}
	if len(rules) != shown {
		t.Errorf("listed %d rules, want the campaign's %d: %+v", len(rules), shown, rules)
	}
	if _, err := s.b.ListRewardRules(s.ctx, "unknown-campaign-0"); !canonical.IsCode(err, canonical.NotFound) {
		t.Errorf("rules of an unknown campaign: %v, want NotFound", err)
	}
}

func testRuleLifecycle(t *testing.T, s *suite) {
	in := canonical.RewardRule{Kind: canonical.Milestone, Title: "Five friends", Threshold: 5, Visible: true, ReferrerValue: usd(5000)}
	r := must[canonical.RewardRule](t, "create rule")(s.b.CreateRewardRule(s.ctx, s.camp, in))
	if r.ID == "" || r.Kind != in.Kind || r.Title != in.Title || r.Threshold != 5 || r.ReferrerValue != in.ReferrerValue {
		t.Fatalf("created rule %+v, want %+v with an ID", r, in)
	}
	listed := func() map[string]canonical.RewardRule {
		t.Helper()
		out := map[string]canonical.RewardRule{}
		for _, r := range must[[]canonical.RewardRule](t, "list rules")(s.b.ListRewardRules(s.ctx, s.camp)) {
			out[r.ID] = r
		}
		return out
	}
	if got, ok := listed()[r.ID]; !ok || got.Title != in.Title || got.Threshold != 5 || got.Kind != in.Kind {
		t.Fatalf("created rule listed as %+v (found %v)", got, ok)
	}
	title, threshold := "Two friends", 2
	u := must[canonical.RewardRule](t, "update rule")(s.b.UpdateRewardRule(s.ctx, s.camp, r.ID,
		canonical.RewardRulePatch{Title: &title, Threshold: &threshold}))
	if u.ID != r.ID || u.Title != title || u.Threshold != threshold || u.Kind != in.Kind || u.ReferrerValue != in.ReferrerValue {
		t.Fatalf("updated rule %+v, want %q at %d, the rest unchanged", u, title, threshold)
	}
	if got := listed()[r.ID]; got.Title != title || got.Threshold != threshold {
		t.Fatalf("updated rule listed as %+v", got)
	}
	if s.supports("ListEarnedRewards") {
		// The updated milestone is the one that is earned: at the second
		// credited referral, next to Friend bonus's two.
		p := s.join(t, "mile")
		s.refer(t, "mile-a", p)
		s.refer(t, "mile-b", p)
		rs := must[canonical.Page[canonical.EarnedReward]](t, "list rewards")(s.b.ListEarnedRewards(s.ctx,
			canonical.RewardQuery{CampaignID: s.camp, ParticipantID: p.ID}))
		if n := countRule(rs.Items, r.ID); n != 1 || len(rs.Items) != 3 {
			t.Fatalf("after two referrals: %d rewards, %d under the milestone; want 3 and 1: %+v", len(rs.Items), n, rs.Items)
		}
	}
	_, err := s.b.UpdateRewardRule(s.ctx, s.camp, "999999999", canonical.RewardRulePatch{Title: &title})
	code(t, "update an unknown rule", err, canonical.NotFound)
	if err := s.b.DeleteRewardRule(s.ctx, s.camp, r.ID); err != nil {
		t.Fatalf("delete rule: %v", err)
	}
	if _, ok := listed()[r.ID]; ok {
		t.Fatal("deleted rule still listed")
	}
	code(t, "delete the rule twice", s.b.DeleteRewardRule(s.ctx, s.camp, r.ID), canonical.NotFound)
	_, err = s.b.CreateRewardRule(s.ctx, s.camp, canonical.RewardRule{Kind: "bogus", Title: "Bogus"})
	code(t, "create a rule of an unknown kind", err, canonical.Invalid)
}

// countRule counts the rewards earned under rule ruleID.
func countRule(rs []canonical.EarnedReward, ruleID string) int {
	n := 0
	for _, r := range rs {
		if r.RuleID == ruleID {
			n++
		}
	}
	return n
}

func testCommissionRule(t *testing.T, s *suite) {
	want := commissionRule()
	rules := must[[]canonical.RewardRule](t, "list rules")(s.b.ListRewardRules(s.ctx, s.camp))
	r, ok := findRule(rules, want)
	if !ok || r.ID == "" || r.Kind != want.Kind || r.Commission == nil || *r.Commission != *want.Commission {
		t.Fatalf("rules %+v, want the 15%% commission rule", rules)
	}
	cr := *r.Commission
	cr.Percent = 25
	u := must[canonical.RewardRule](t, "update the commission")(s.b.UpdateRewardRule(s.ctx, s.camp, r.ID, canonical.RewardRulePatch{Commission: &cr}))
	if u.ID != r.ID || u.Commission == nil || u.Commission.Percent != 25 || u.Commission.Type != canonical.PercentCommission {
		t.Fatalf("updated commission rule %+v, want 25%%", u)
	}
	rules = must[[]canonical.RewardRule](t, "list rules")(s.b.ListRewardRules(s.ctx, s.camp))
	i := slices.IndexFunc(rules, func(x canonical.RewardRule) bool { return x.ID == r.ID })
	if i < 0 || rules[i].Commission == nil || rules[i].Commission.Percent != 25 {
		t.Fatalf("updated commission rule listed as %+v", rules)
	}
	_, err := s.b.UpdateRewardRule(s.ctx, s.camp, "999999999", canonical.RewardRulePatch{Commission: &cr})
	code(t, "update an unknown rule", err, canonical.NotFound)
}

func testDeletedRuleKeepsRewards(t *testing.T, s *suite) {
	p := s.join(t, "kim")
	s.refer(t, "lou", p)
	rules := must[[]canonical.RewardRule](t, "list rules")(s.b.ListRewardRules(s.ctx, s.camp))
	bonus, ok := findRule(rules, Campaign().Rules[0])
	if !ok {
		t.Fatalf("rule %q not listed: %+v", friendBonus, rules)
	}
	earned := func() []canonical.EarnedReward {
		t.Helper()
		return must[canonical.Page[canonical.EarnedReward]](t, "list rewards")(s.b.ListEarnedRewards(s.ctx,
			canonical.RewardQuery{CampaignID: s.camp, ParticipantID: p.ID})).Items
	}
	before := earned()
	if len(before) != 1 {
		t.Fatalf("rewards after one referral: %+v, want one", before)
	}
	if err := s.b.DeleteRewardRule(s.ctx, s.camp, bonus.ID); err != nil {
		t.Fatalf("delete rule: %v", err)
	}
	s.refer(t, "max", p)
	after := earned()
	if len(after) != 1 || after[0].ID != before[0].ID {
		t.Fatalf("rewards after the rule was deleted and another referral: %+v, want the one earned before", after)
	}
}

func testLeaderboardAward(t *testing.T, s *suite) {
	rule := must[canonical.RewardRule](t, "create leaderboard rule")(s.b.CreateRewardRule(s.ctx, s.camp, canonical.RewardRule{
		Kind: canonical.LeaderboardReward, Title: "Top referrer", Winners: 1, Visible: true, ReferrerValue: usd(10000)}))
	top, second := s.join(t, "top"), s.join(t, "second")
	s.refer(t, "top-a", top)
	s.refer(t, "top-b", top)
	s.refer(t, "second-a", second)
	rewardsUnder := func(p canonical.Participant) int {
		t.Helper()
		rs := must[canonical.Page[canonical.EarnedReward]](t, "list rewards")(s.b.ListEarnedRewards(s.ctx,
			canonical.RewardQuery{CampaignID: s.camp, ParticipantID: p.ID}))
		return countRule(rs.Items, rule.ID)
	}
	if n := rewardsUnder(top); n != 0 {
		t.Fatalf("leaderboard reward earned before the campaign ended (%d)", n)
	}
	ended := canonical.CampaignEnded
	must[canonical.Campaign](t, "end the campaign")(s.b.UpdateCampaign(s.ctx, s.camp, canonical.CampaignPatch{Status: &ended}))
	if n, m := rewardsUnder(top), rewardsUnder(second); n != 1 || m != 0 {
		t.Fatalf("after the campaign ended: the top referrer has %d leaderboard rewards, the second %d; want 1 and 0", n, m)
	}
}
