package referralhero

import (
	"net/http"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// Failures about rewards the vendor documents no code for.
var (
	errRewardNotFound = fail(http.StatusNotFound, "", "Reward not found")
	errNoRewardID     = fail(http.StatusBadRequest, "", "Reward id is missing")
	errNotPromoted    = fail(http.StatusBadRequest, codeNotPromoted, msgNotPromoted)
)

// unlockedPage is the data of the unlocked-reward lists.
type unlockedPage struct {
	Response   string         `json:"response"`
	Rewards    []unlockedJSON `json:"rewards"`
	Pagination pagination     `json:"pagination"`
}

// rules indexes the list's reward rules by ID.
func (c *call) rules() (map[string]*canonical.RewardRule, error) {
	rules, err := c.b.ListRewardRules(c.ctx, c.camp.ID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*canonical.RewardRule, len(rules))
	for i := range rules {
		out[rules[i].ID] = &rules[i]
	}
	return out, nil
}

// unlocked renders earned rewards; withOwner adds the subscriber's id and
// email (for the list-wide endpoint).
func (c *call) unlocked(rs []canonical.EarnedReward, withOwner bool) ([]unlockedJSON, error) {
	rules, err := c.rules()
	if err != nil {
		return nil, err
	}
	out := make([]unlockedJSON, 0, len(rs))
	for _, r := range rs {
		owner, err := c.person(r.ParticipantID)
		if err != nil {
			return nil, err
		}
		var o canonical.Participant
		if owner != nil {
			o = *owner
		}
		u := renderUnlocked(c.h.ids, r, rules[r.RuleID], o)
		if withOwner && owner != nil {
			u.SubscriberID, u.SubscriberEmail = c.h.ids.SubscriberID(o.ID), strOrNull(o.Email)
		}
		out = append(out, u)
	}
	return out, nil
}

// rewardPage walks the list's earned rewards matching q and keep and
// renders one page.
func (c *call) rewardPage(q canonical.RewardQuery, keep func(canonical.EarnedReward) bool, page int, withOwner bool) {
	q.CampaignID, q.Limit = c.camp.ID, fetchCap
	rs, total, err := walk(func(cursor string) (canonical.Page[canonical.EarnedReward], error) {
		q.Cursor = cursor
		return c.b.ListEarnedRewards(c.ctx, q)
	}, keep, page, rewardsPerPage, false)
	if err != nil {
		c.fail(err)
		return
	}
	out, err := c.unlocked(rs, withOwner)
	if err != nil {
		c.fail(err)
		return
	}
	c.ok(unlockedPage{Response: "rewards_retrieved", Rewards: out, Pagination: newPagination(page, rewardsPerPage, total)})
}

// ListSubscriberRewards serves GET
// /lists/{uuid}/subscribers/{subscriber_id}/rewards, 10 per page.
func (s *server) ListSubscriberRewards(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId, params api.ListSubscriberRewardsParams) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	p, err := c.findID(subscriberID, false)
	if err != nil {
		c.fail(err)
		return
	}
	c.people[p.ID] = &p
	c.rewardPage(canonical.RewardQuery{ParticipantID: p.ID}, nil, pageNumber(params.Page), false)
}

// ListRewards serves GET /lists/{uuid}/rewards: every subscriber's
// unlocked rewards, optionally in one status, 10 per page.
func (s *server) ListRewards(w http.ResponseWriter, r *http.Request, uuid api.Uuid, params api.ListRewardsParams) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	var (
		q    canonical.RewardQuery
		keep func(canonical.EarnedReward) bool
	)
	if params.Status != nil {
		word := string(*params.Status)
		st, known := rewardStatusOf(word)
		if !known {
			c.fail(canonical.Errorf(canonical.Invalid, "unknown reward status %q", word))
			return
		}
		q.Statuses = []canonical.RewardStatus{st}
		keep = func(r canonical.EarnedReward) bool { return rewardStatusWord(r) == word }
	}
	c.rewardPage(q, keep, pageNumber(params.Page), true)
}

// UpdateRewardStatus serves POST
// /lists/{uuid}/subscribers/update_reward_status: sent and resent deliver
// the reward (fulfilled), canceled cancels it; the vendor's word is kept.
func (s *server) UpdateRewardStatus(w http.ResponseWriter, r *http.Request, uuid api.Uuid) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	f, ok := c.fields()
	if !ok {
		return
	}
	rid, _ := f.str("reward_id")
	if strings.TrimSpace(rid) == "" {
		c.fail(errNoRewardID)
		return
	}
	word, _ := f.str("status")
	st, known := rewardStatusOf(word)
	if !known || (word != "sent" && word != "resent" && word != "canceled") {
		c.fail(fail(http.StatusBadRequest, "", "Status must be sent, resent or canceled"))
		return
	}
	id, ok := c.h.ids.EarnedRewardID(rid)
	if !ok {
		c.fail(errRewardNotFound)
		return
	}
	er, err := c.b.GetEarnedReward(c.ctx, id)
	if err == nil && er.CampaignID != c.camp.ID {
		err = errRewardNotFound
	}
	if err != nil {
		c.fail(as(err, errRewardNotFound))
		return
	}
	var native canonical.Native
	native.Set(rh, "status", word)
	er, err = c.b.SetRewardStatus(c.ctx, id, st, native)
	if err != nil {
		c.fail(as(err, errRewardNotFound))
		return
	}
	out, err := c.unlocked([]canonical.EarnedReward{er}, false)
	if err != nil {
		c.fail(err)
		return
	}
	c.ok(out[0])
}

// promotedUnlock is the body of unlockPromotedReward, sent without the
// envelope.
type promotedUnlock struct {
	Response string     `json:"response"`
	Reward   rewardJSON `json:"reward"`
}

// UnlockPromotedReward serves POST
// /lists/{uuid}/subscribers/{subscriber_id}/unlock_promoted_reward: it
// grants one of the list's promoted-winners rewards (a manual rule) to a
// promoted subscriber.
func (s *server) UnlockPromotedReward(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	f, ok := c.fields()
	if !ok {
		return
	}
	p, err := c.findID(subscriberID, true)
	if err != nil {
		c.fail(err)
		return
	}
	rid, _ := f.str("reward_id")
	if strings.TrimSpace(rid) == "" {
		c.fail(errNoRewardID)
		return
	}
	ruleID, ok := c.h.ids.RuleID(rid)
	if !ok {
		c.fail(errRewardNotFound)
		return
	}
	rules, err := c.rules()
	if err != nil {
		c.fail(err)
		return
	}
	rule := rules[ruleID]
	switch {
	case rule == nil:
		c.fail(errRewardNotFound)
		return
	case rule.Kind != canonical.ManualReward:
		c.fail(fail(http.StatusBadRequest, "", "The reward is not a reward for promoted winners"))
		return
	case !p.Promoted:
		c.fail(errNotPromoted)
		return
	}
	if _, err := c.b.GrantReward(c.ctx, c.camp.ID, canonical.ByID(p.ID), ruleID); err != nil {
		c.fail(as(err, errSubNotFound))
		return
	}
	surface.WriteJSON(w, http.StatusOK, promotedUnlock{Response: "reward_unlocked", Reward: renderReward(c.h.ids, *rule)})
}
