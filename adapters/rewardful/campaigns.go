package rewardful

import (
	"net/http"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/rewardful"
)

// renderCampaign renders a campaign with its counters.
func (l *lookups) renderCampaign(c canonical.Campaign) (campaignJSON, error) {
	stats, err := l.b.CampaignStats(l.ctx, c.ID)
	if err != nil {
		return campaignJSON{}, err
	}
	def, err := l.defaultCampaignID()
	if err != nil {
		return campaignJSON{}, err
	}
	return campaignOut(l.ids, c, stats, c.ID == def), nil
}

// ListCampaigns implements api.ServerInterface.
func (s *server) ListCampaigns(w http.ResponseWriter, r *http.Request, params api.ListCampaignsParams) {
	l := s.lookups(r)
	all, err := l.campaigns()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, limit := pageParams(params.Page, params.Limit)
	out, err := renderPage(all, page, limit, l.renderCampaign)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// CreateCampaign implements api.ServerInterface.
func (s *server) CreateCampaign(w http.ResponseWriter, r *http.Request) {
	l := s.lookups(r)
	f, err := readFields(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := parseCampaignIn(f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := newCampaign(in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err = l.b.CreateCampaign(l.ctx, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l.allRead = false
	out, err := l.renderCampaign(c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// campaignByPath finds the campaign a path id names.
func (l *lookups) campaignByPath(id api.ID) (canonical.Campaign, error) {
	return l.campaignByID(id.String())
}

// GetCampaign implements api.ServerInterface.
func (s *server) GetCampaign(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	c, err := l.campaignByPath(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := l.renderCampaign(c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// UpdateCampaign implements api.ServerInterface. Campaign fields and the
// commission rule are changed by two backend calls.
func (s *server) UpdateCampaign(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	c, err := l.campaignByPath(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := readFields(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := parseCampaignIn(f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	patch, err := campaignPatch(in, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var (
		rule    canonical.RewardRule
		hasRule bool
		cr      canonical.CommissionRule
	)
	if in.touchesCommission() {
		rule, hasRule = commissionRule(c)
		var cur *canonical.CommissionRule
		if hasRule {
			cur = rule.Commission
		}
		if cr, err = commissionFor(in, cur); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	c, err = l.b.UpdateCampaign(l.ctx, c.ID, patch)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if in.touchesCommission() {
		if hasRule {
			_, err = l.b.UpdateRewardRule(l.ctx, c.ID, rule.ID, canonical.RewardRulePatch{Commission: &cr})
		} else {
			_, err = l.b.CreateRewardRule(l.ctx, c.ID, canonical.RewardRule{Kind: canonical.CommissionReward,
				Title: "Commission", Commission: &cr, Unlimited: true, Visible: true})
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if c, err = l.b.GetCampaign(l.ctx, c.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	l.camps[c.ID] = c
	out, err := l.renderCampaign(c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}
