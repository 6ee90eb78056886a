package adaptertest

import (
	"maps"
	"slices"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// campaignBehaviours cover campaigns.
var campaignBehaviours = []behaviour{
	{name: "CampaignReadable", needs: ops("GetCampaign"), run: testCampaign},
	{name: "CampaignCreatedAndListed", needs: ops("CreateCampaign", "GetCampaign", "ListCampaigns"), run: testCreateCampaign},
	{name: "CampaignUpdated", needs: ops("UpdateCampaign", "GetCampaign"), run: testUpdateCampaign},
	{name: "UnknownCampaignIsNotFound", needs: ops("CreateParticipant"), probe: true, run: testUnknownCampaign},
}

func testCampaign(t *testing.T, s *suite) {
	c, err := s.b.GetCampaign(s.ctx, s.camp)
	if err != nil {
		t.Fatalf("get campaign: %v", err)
	}
	want := Campaign()
	if c.ID != s.camp || c.Name != want.Name {
		t.Fatalf("campaign %+v, want ID %q named %q", c, s.camp, want.Name)
	}
	if !s.lim.NoCampaignStatus && c.Status != want.Status {
		t.Errorf("campaign status %q, want %q", c.Status, want.Status)
	}
	if !s.lim.NoQualification && c.Qualification != want.Qualification {
		t.Errorf("campaign qualification %q, want %q", c.Qualification, want.Qualification)
	}
	if !s.lim.NoCampaignURL && c.URL != want.URL {
		t.Errorf("campaign URL %q, want %q", c.URL, want.URL)
	}
	if s.lim.showsRule(canonical.SingleSided) && !slices.ContainsFunc(c.Rules, func(r canonical.RewardRule) bool { return r.Title == friendBonus }) {
		t.Errorf("campaign read without its rule %q: %+v", friendBonus, c.Rules)
	}
	_, err = s.b.GetCampaign(s.ctx, "unknown-campaign-0")
	code(t, "unknown campaign", err, canonical.NotFound)
}

// secondCampaign is the campaign CampaignCreatedAndListed creates: an
// affiliate program paying 20% (Rewardful campaigns must pay a
// commission).
func secondCampaign() canonical.Campaign {
	return canonical.Campaign{
		Name:     "Second conformance",
		Kind:     canonical.AffiliateProgram,
		Status:   canonical.CampaignActive,
		Currency: "USD",
		URL:      "https://second.example.com",
		Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward, Title: "Affiliate commission", Visible: true, Unlimited: true,
			Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 20}}},
	}
}

func testCreateCampaign(t *testing.T, s *suite) {
	want := secondCampaign()
	c, err := s.b.CreateCampaign(s.ctx, want)
	if err != nil {
		t.Fatalf("create campaign: %v", err)
	}
	if c.ID == "" || c.ID == s.camp || c.Name != want.Name {
		t.Fatalf("created campaign %+v, want a new ID named %q", c, want.Name)
	}
	got := must[canonical.Campaign](t, "get the new campaign")(s.b.GetCampaign(s.ctx, c.ID))
	if got.ID != c.ID || got.Name != want.Name {
		t.Fatalf("new campaign read back as %q %q", got.ID, got.Name)
	}
	if !s.lim.NoCampaignStatus && got.Status != want.Status {
		t.Errorf("new campaign read back with status %q, want %q", got.Status, want.Status)
	}
	if !s.lim.NoCampaignURL && got.URL != want.URL {
		t.Errorf("new campaign read back with URL %q, want %q", got.URL, want.URL)
	}
	if s.lim.showsRule(canonical.CommissionReward) && !s.lim.NoRulesOnCreate {
		i := slices.IndexFunc(got.Rules, func(r canonical.RewardRule) bool { return r.Kind == canonical.CommissionReward })
		if i < 0 || got.Rules[i].Commission == nil || got.Rules[i].Commission.Percent != 20 {
			t.Errorf("new campaign's rules %+v, want its 20%% commission rule", got.Rules)
		}
	}
	// Newest first: the new campaign, then the harness's.
	order := walk(t, "campaigns", func(o canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
		return s.b.ListCampaigns(s.ctx, o)
	}, func(x canonical.Campaign) string { return x.ID })
	if !slices.Equal(order, []string{c.ID, s.camp}) {
		t.Errorf("campaigns listed %v, want the new one then the first: %v", order, []string{c.ID, s.camp})
	}
	// Without a Status a campaign starts as a draft.
	draft := secondCampaign()
	draft.Name, draft.Status = "Draft conformance", ""
	d := must[canonical.Campaign](t, "create a draft")(s.b.CreateCampaign(s.ctx, draft))
	if got := must[canonical.Campaign](t, "get the draft")(s.b.GetCampaign(s.ctx, d.ID)); !s.lim.NoCampaignStatus && got.Status != canonical.CampaignDraft {
		t.Errorf("campaign created without a status reads back %q, want draft", got.Status)
	}
	// Deleted campaigns are not listed.
	s.configure(t, canonical.CampaignPatch{Status: ptr(canonical.CampaignDeleted)})
	page := must[canonical.Page[canonical.Campaign]](t, "list campaigns")(s.b.ListCampaigns(s.ctx, canonical.ListOptions{}))
	if slices.ContainsFunc(page.Items, func(x canonical.Campaign) bool { return x.ID == s.camp }) {
		t.Errorf("a deleted campaign is listed: %+v", page.Items)
	}
	_, err = s.b.CreateCampaign(s.ctx, canonical.Campaign{Name: " ", Rules: want.Rules})
	code(t, "create a campaign without a name", err, canonical.Invalid)
}

func testUpdateCampaign(t *testing.T, s *suite) {
	name := "Renamed conformance"
	c, err := s.b.UpdateCampaign(s.ctx, s.camp, canonical.CampaignPatch{Name: &name})
	if err != nil {
		t.Fatalf("rename: %v", err)
	}
	if c.ID != s.camp || c.Name != name {
		t.Fatalf("rename answered %q %q, want %q %q", c.ID, c.Name, s.camp, name)
	}
	if got := must[canonical.Campaign](t, "get")(s.b.GetCampaign(s.ctx, s.camp)); got.Name != name {
		t.Fatalf("renamed campaign read back named %q", got.Name)
	}
	url := "https://renamed.example.com"
	if !s.lim.NoCampaignURL {
		c = must[canonical.Campaign](t, "change the URL")(s.b.UpdateCampaign(s.ctx, s.camp, canonical.CampaignPatch{URL: &url}))
		if got := must[canonical.Campaign](t, "get")(s.b.GetCampaign(s.ctx, s.camp)); c.URL != url || got.URL != url || got.Name != name {
			t.Fatalf("after changing the URL: answered %q, read back %q named %q", c.URL, got.URL, got.Name)
		}
	}
	empty := ""
	_, err = s.b.UpdateCampaign(s.ctx, s.camp, canonical.CampaignPatch{Name: &empty})
	code(t, "rename to nothing", err, canonical.Invalid)
	_, err = s.b.UpdateCampaign(s.ctx, "unknown-campaign-0", canonical.CampaignPatch{Name: &name})
	code(t, "update an unknown campaign", err, canonical.NotFound)
}

// testUnknownCampaign calls every listed operation that takes a campaign
// ID with one the account does not have, and otherwise valid arguments:
// the contract answers NotFound.
func testUnknownCampaign(t *testing.T, s *suite) {
	const c = "unknown-campaign-0"
	p := s.join(t, "lost")
	me := canonical.ByEmail(p.Email)
	name := "Lost"
	calls := map[canonical.Operation]func() error{
		"GetCampaign":     func() error { _, err := s.b.GetCampaign(s.ctx, c); return err },
		"UpdateCampaign":  func() error { _, err := s.b.UpdateCampaign(s.ctx, c, canonical.CampaignPatch{Name: &name}); return err },
		"ListRewardRules": func() error { _, err := s.b.ListRewardRules(s.ctx, c); return err },
		"CreateRewardRule": func() error {
			_, err := s.b.CreateRewardRule(s.ctx, c, Campaign().Rules[0])
			return err
		},
		"UpdateRewardRule": func() error {
			_, err := s.b.UpdateRewardRule(s.ctx, c, "1", canonical.RewardRulePatch{Commission: commissionRule().Commission})
			return err
		},
		"DeleteRewardRule": func() error { return s.b.DeleteRewardRule(s.ctx, c, "1") },
		"CreateParticipant": func() error {
			_, _, err := s.b.CreateParticipant(s.ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: c, Email: s.email("lost")}})
			return err
		},
		"GetParticipant": func() error { _, err := s.b.GetParticipant(s.ctx, c, me); return err },
		"ListParticipants": func() error {
			_, err := s.b.ListParticipants(s.ctx, canonical.ParticipantQuery{CampaignID: c})
			return err
		},
		"UpdateParticipant": func() error {
			_, err := s.b.UpdateParticipant(s.ctx, c, me, canonical.ParticipantPatch{FirstName: &name})
			return err
		},
		"DeleteParticipant": func() error { _, err := s.b.DeleteParticipant(s.ctx, c, me); return err },
		"AddPoints":         func() error { _, err := s.b.AddPoints(s.ctx, c, me, 1); return err },
		"Leaderboard": func() error {
			_, err := s.b.Leaderboard(s.ctx, canonical.LeaderboardQuery{CampaignID: c})
			return err
		},
		"CreateLink":  func() error { _, err := s.b.CreateLink(s.ctx, c, me, "lost-link"); return err },
		"RecordVisit": func() error { _, err := s.b.RecordVisit(s.ctx, c, canonical.Visit{Token: p.ReferralCode}); return err },
		"RecordEvent": func() error {
			return s.b.RecordEvent(s.ctx, c, canonical.Event{Kind: canonical.EventCampaignView})
		},
		"TriggerReferral":       func() error { _, err := s.b.TriggerReferral(s.ctx, c, me, 0); return err },
		"CancelReferralTrigger": func() error { _, err := s.b.CancelReferralTrigger(s.ctx, c, me); return err },
		"TrackConversion": func() error {
			_, err := s.b.TrackConversion(s.ctx, c, canonical.ConversionEvent{Participant: me})
			return err
		},
		"ConfirmReferral": func() error { _, err := s.b.ConfirmReferral(s.ctx, c, me); return err },
		"QualifyReferral": func() error { _, err := s.b.QualifyReferral(s.ctx, c, me, usd(100)); return err },
		"RecordSpecificAction": func() error {
			_, err := s.b.RecordSpecificAction(s.ctx, c, canonical.SpecificAction{ExternalID: "x", Action: "purchase"}, p.ReferralCode)
			return err
		},
		"ListSpecificActions": func() error { _, err := s.b.ListSpecificActions(s.ctx, c, canonical.ListOptions{}); return err },
		"PromoteParticipant":  func() error { _, err := s.b.PromoteParticipant(s.ctx, c, me); return err },
		"GrantReward":         func() error { _, err := s.b.GrantReward(s.ctx, c, me, "1"); return err },
		"CreateTransaction": func() error {
			_, err := s.b.CreateTransaction(s.ctx, canonical.NewTransaction{CampaignID: c, Participant: me, Amount: usd(100),
				ExternalIDs: map[string]string{"orderId": "lost-1"}})
			return err
		},
		"RefundTransaction": func() error {
			_, err := s.b.RefundTransaction(s.ctx, canonical.NewRefund{CampaignID: c, Participant: me,
				ExternalIDs: map[string]string{"orderId": "lost-1"}})
			return err
		},
		"CreateCouponGroup": func() error {
			_, err := s.b.CreateCouponGroup(s.ctx, c, canonical.NewCouponGroup{Name: "Lost", Codes: []string{"LOST-1"}})
			return err
		},
		"AddCoupons":       func() error { _, err := s.b.AddCoupons(s.ctx, c, "1", []string{"LOST-2"}); return err },
		"ListCouponGroups": func() error { _, err := s.b.ListCouponGroups(s.ctx, c, canonical.ListOptions{}); return err },
		"GetCouponGroup":   func() error { _, err := s.b.GetCouponGroup(s.ctx, c, "1"); return err },
		"CreateCoupon":     func() error { _, err := s.b.CreateCoupon(s.ctx, c, me, "LOST10"); return err },
		"CampaignStats":    func() error { _, err := s.b.CampaignStats(s.ctx, c); return err },
	}
	for _, op := range slices.Sorted(maps.Keys(calls)) {
		if !s.supports(op) {
			continue
		}
		if err := calls[op](); !canonical.IsCode(err, canonical.NotFound) {
			t.Errorf("%s in an unknown campaign: %v, want NotFound", op, err)
		}
	}
}
