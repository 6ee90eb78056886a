package adaptertest

import (
	"slices"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// campaignBehaviours cover campaigns.
var campaignBehaviours = []behaviour{
	{name: "CampaignReadable", needs: ops("GetCampaign"), run: testCampaign},
	{name: "CampaignCreatedAndListed", needs: ops("CreateCampaign", "GetCampaign", "ListCampaigns"), run: testCreateCampaign},
	{name: "CampaignUpdated", needs: ops("UpdateCampaign", "GetCampaign"), run: testUpdateCampaign},
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
