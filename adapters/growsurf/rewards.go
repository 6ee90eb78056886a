package growsurf

import (
	"net/http"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// defaultRewardPage is the earned-reward page size when limit is omitted.
const defaultRewardPage = 20

// ListParticipantRewards implements api.ServerInterface.
func (s *server) ListParticipantRewards(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail, params api.ListParticipantRewardsParams) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := c.participant(pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	limit := pageLimit(params.Limit, defaultRewardPage)
	page, err := c.b.ListEarnedRewards(c.ctx, canonical.RewardQuery{CampaignID: c.camp.ID, ParticipantID: p.ID,
		ListOptions: canonical.ListOptions{Limit: limit, Cursor: cursor(params.NextId)}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Rewards []participantRewardOut `json:"rewards"`
		Limit   int                    `json:"limit"`
		NextID  *string                `json:"nextId"`
	}{Rewards: []participantRewardOut{}, Limit: limit, NextID: nextID(page.NextCursor)}
	for _, er := range page.Items {
		if v, ok := toParticipantReward(s.ids, er, p); ok {
			out.Rewards = append(out.Rewards, v)
		}
	}
	s.ok(w, out)
}

// earned finds {rewardId}, an earned reward of the program.
func (c *call) earned(rewardID string) (canonical.EarnedReward, error) {
	n, ok := c.ids.reward.decode(rewardID)
	if !ok {
		return canonical.EarnedReward{}, notFound("Reward not found.")
	}
	er, err := c.b.GetEarnedReward(c.ctx, n)
	if err != nil {
		return er, err
	}
	if er.CampaignID != c.camp.ID {
		return er, notFound("Reward not found.")
	}
	return er, nil
}

// wrongState renders a reward in the wrong state as GrowSurf's 400 (the
// status the spec assumes).
func wrongState(err error, msg string) error {
	if canonical.IsCode(err, canonical.Conflict) {
		return &vendorError{status: http.StatusBadRequest, message: msg, cause: err}
	}
	return err
}

// ApproveParticipantReward implements api.ServerInterface.
func (s *server) ApproveParticipantReward(w http.ResponseWriter, r *http.Request, id api.CampaignId, rewardID api.ParticipantRewardId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.ApproveParticipantRewardRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	er, err := c.earned(rewardID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fulfill := in.Fulfill != nil && *in.Fulfill
	if _, err := c.b.ApproveReward(c.ctx, er.ID, fulfill); err != nil {
		s.fail(w, r, wrongState(err, "The reward is already approved."))
		return
	}
	s.ok(w, api.SuccessResult{Success: true})
}

// FulfillParticipantReward implements api.ServerInterface.
func (s *server) FulfillParticipantReward(w http.ResponseWriter, r *http.Request, id api.CampaignId, rewardID api.ParticipantRewardId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	er, err := c.earned(rewardID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := c.b.FulfillReward(c.ctx, er.ID); err != nil {
		s.fail(w, r, wrongState(err, "Only an approved, unfulfilled reward can be fulfilled."))
		return
	}
	s.ok(w, api.SuccessResult{Success: true})
}

// DeleteParticipantReward implements api.ServerInterface.
func (s *server) DeleteParticipantReward(w http.ResponseWriter, r *http.Request, id api.CampaignId, rewardID api.ParticipantRewardId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	er, err := c.earned(rewardID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := c.b.DeleteReward(c.ctx, er.ID); err != nil {
		s.fail(w, r, wrongState(err, "Only an unapproved reward can be deleted."))
		return
	}
	s.ok(w, api.SuccessResult{Success: true})
}

// ------------------------------------------------------- reward configs

// ListRewardConfigs implements api.ServerInterface.
func (s *server) ListRewardConfigs(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Rewards []rewardOut `json:"rewards"`
	}{Rewards: toCampaign(s.ids, c.camp, canonical.CampaignStats{}).Rewards}
	s.ok(w, out)
}

// CreateRewardConfig implements api.ServerInterface.
func (s *server) CreateRewardConfig(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.CreateCampaignRewardRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	rule, err := newRule(in, c.camp.Kind)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	created, err := c.b.CreateRewardRule(c.ctx, c.camp.ID, rule)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, _ := toReward(s.ids, created)
	s.ok(w, out)
}

// rule finds {campaignRewardId} among the program's rules.
func (c *call) rule(ruleID string) (canonical.RewardRule, error) {
	n, ok := c.ids.rule.decode(ruleID)
	if ok {
		for _, r := range c.camp.Rules {
			if r.ID == n {
				if _, shown := rewardTypes[r.Kind]; shown {
					return r, nil
				}
			}
		}
	}
	return canonical.RewardRule{}, notFound("Reward not found.")
}

// UpdateRewardConfig implements api.ServerInterface.
func (s *server) UpdateRewardConfig(w http.ResponseWriter, r *http.Request, id api.CampaignId, ruleID api.CampaignRewardId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.UpdateCampaignRewardRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	rule, err := c.rule(ruleID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := applyRulePatch(&rule, in); err != nil {
		s.fail(w, r, err)
		return
	}
	updated, err := c.b.UpdateRewardRule(c.ctx, c.camp.ID, rule.ID, rulePatch(rule))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, _ := toReward(s.ids, updated)
	s.ok(w, out)
}

// DeleteRewardConfig implements api.ServerInterface.
func (s *server) DeleteRewardConfig(w http.ResponseWriter, r *http.Request, id api.CampaignId, ruleID api.CampaignRewardId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rule, err := c.rule(ruleID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := c.b.DeleteRewardRule(c.ctx, c.camp.ID, rule.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, api.DeleteResult{Id: ruleID, Success: true})
}

// ListRewardConfigsLegacy implements api.ServerInterface (old path).
func (s *server) ListRewardConfigsLegacy(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	s.ListRewardConfigs(w, r, id)
}

// CreateRewardConfigLegacy implements api.ServerInterface (old path).
func (s *server) CreateRewardConfigLegacy(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	s.CreateRewardConfig(w, r, id)
}

// UpdateRewardConfigLegacy implements api.ServerInterface (old path).
func (s *server) UpdateRewardConfigLegacy(w http.ResponseWriter, r *http.Request, id api.CampaignId, ruleID api.CampaignRewardId) {
	s.UpdateRewardConfig(w, r, id, ruleID)
}

// DeleteRewardConfigLegacy implements api.ServerInterface (old path).
func (s *server) DeleteRewardConfigLegacy(w http.ResponseWriter, r *http.Request, id api.CampaignId, ruleID api.CampaignRewardId) {
	s.DeleteRewardConfig(w, r, id, ruleID)
}
