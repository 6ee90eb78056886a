package engine

import (
	"context"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// earnReferralRewards applies the campaign's rules after referral r of ref
// was credited (ref.Referrals already counts it).
func (w *work) earnReferralRewards(ref *store.Participant, r *canonical.Referral) error {
	rules, err := w.tx.ListRules(w.ctx, w.acct(), w.cid)
	if err != nil {
		return err
	}
	n := int(ref.Referrals)
	for _, rule := range rules {
		switch rule.Kind {
		case canonical.SingleSided, canonical.DoubleSided:
			if rule.Threshold <= 0 || n%rule.Threshold != 0 {
				continue
			}
			if _, _, err := w.earn(rule, *ref, true, r); err != nil {
				return err
			}
			if rule.Kind == canonical.DoubleSided && !rule.ReferredUpfront && !rule.ReferredAtSignup && r.ReferredID != "" {
				friend, err := w.tx.GetParticipant(w.ctx, w.acct(), num(r.ReferredID))
				if err != nil {
					return err
				}
				if _, _, err := w.earn(rule, friend, false, r); err != nil {
					return err
				}
			}
		case canonical.Milestone:
			if rule.Threshold <= 0 {
				continue
			}
			if rule.Repeat && n%rule.Threshold == 0 || !rule.Repeat && n == rule.Threshold {
				if _, _, err := w.earn(rule, *ref, true, r); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// earnSignupRewards gives the referred friend their side of double-sided
// rules that pay at signup.
func (w *work) earnSignupRewards(ref *store.Participant, friend *store.Participant, r *canonical.Referral) error {
	rules, err := w.tx.ListRules(w.ctx, w.acct(), w.cid)
	if err != nil {
		return err
	}
	for _, rule := range rules {
		if rule.Kind == canonical.DoubleSided && rule.ReferredAtSignup && !rule.ReferredUpfront {
			if _, _, err := w.earn(rule, *friend, false, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// earnPointRewards applies points milestones after p's points moved from
// from to p.Points.
func (w *work) earnPointRewards(p *store.Participant, from int64) error {
	if p.Points <= from {
		return nil
	}
	rules, err := w.tx.ListRules(w.ctx, w.acct(), w.cid)
	if err != nil {
		return err
	}
	for _, rule := range rules {
		if rule.Kind != canonical.Milestone || rule.PointsThreshold <= 0 {
			continue
		}
		t := int64(rule.PointsThreshold)
		times := int64(0)
		switch {
		case rule.Repeat:
			times = p.Points/t - from/t
		case from < t && p.Points >= t:
			times = 1
		}
		for range times {
			if _, _, err := w.earn(rule, *p, true, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// awardLeaderboards gives each leaderboard rule's reward to the campaign's
// top participants by credited referrals.
func (w *work) awardLeaderboards() error {
	rules, err := w.tx.ListRules(w.ctx, w.acct(), w.cid)
	if err != nil {
		return err
	}
	for _, rule := range rules {
		if rule.Kind != canonical.LeaderboardReward || rule.Winners <= 0 {
			continue
		}
		top, err := w.tx.Leaderboard(w.ctx, w.acct(), w.cid, store.BoardQuery{Board: "referrals", Limit: rule.Winners})
		if err != nil {
			return err
		}
		for _, s := range top {
			if s.Score <= 0 {
				break
			}
			if _, _, err := w.earn(rule, s.Participant, true, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// earn creates an earned reward under rule for p, unless the rule's limit
// is reached (or a one-time milestone was already earned); it reports
// whether it created one.
func (w *work) earn(rule canonical.RewardRule, p store.Participant, isReferrer bool, r *canonical.Referral) (canonical.EarnedReward, bool, error) {
	if limited, err := w.limitReached(rule, p); err != nil || limited {
		return canonical.EarnedReward{}, false, err
	}
	er := canonical.EarnedReward{CampaignID: w.camp.ID, RuleID: rule.ID, ParticipantID: p.ID, IsReferrer: isReferrer,
		Status: canonical.RewardApproved, ApprovedAt: &w.now, Value: rule.ReferrerValue, CouponCode: rule.CouponCode,
		ReferralsAtEarning: int(p.Referrals), Unread: true, CreatedAt: w.now, UpdatedAt: w.now}
	if !isReferrer {
		er.Value, er.CouponCode = rule.ReferredValue, rule.ReferredCouponCode
	}
	if er.Value.Currency == "" && er.Value.Amount != 0 {
		er.Value.Currency = w.camp.Currency
	}
	if w.camp.ManualApproval {
		er.Status, er.ApprovedAt = canonical.RewardPending, nil
	}
	if r != nil {
		er.ReferralID, er.ReferredID = r.ID, r.ReferredID
	}
	if err := w.tx.InsertReward(w.ctx, w.acct(), &er); err != nil {
		return er, false, err
	}
	w.earned = append(w.earned, er)
	c, err := w.rewardChange(er, &rule, p)
	if err != nil {
		return er, false, err
	}
	c.Kind = canonical.ChangeRewardEarned
	w.emit(c)
	return er, true, nil
}

// rewardChange builds a change of reward er (its Kind left to set),
// earned under rule (nil: the stored rule, if it still exists) by earner:
// with the earner as they are now and, when a referral earned it, the
// other side of that referral.
func (w *work) rewardChange(er canonical.EarnedReward, rule *canonical.RewardRule, earner store.Participant) (canonical.Change, error) {
	c := canonical.Change{Reward: cloneReward(er)}
	if rule == nil {
		r, err := w.tx.GetRule(w.ctx, w.acct(), num(er.RuleID))
		if err != nil && !isNotFound(err) {
			return c, err
		}
		if err == nil {
			rule = &r
		}
	}
	if rule != nil {
		c.Rule = cloneRule(*rule)
	}
	var err error
	if c.Participant, err = w.snap(earner); err != nil {
		return c, err
	}
	switch {
	case er.IsReferrer && er.ReferredID != "":
		c.Referred, err = w.briefID(er.ReferredID)
	case !er.IsReferrer:
		c.Referrer, err = w.briefID(earner.ReferrerID)
	}
	return c, err
}

func (w *work) limitReached(rule canonical.RewardRule, p store.Participant) (bool, error) {
	if rule.Kind == canonical.Milestone && !rule.Repeat {
		n, err := w.tx.CountRewards(w.ctx, w.acct(), num(p.ID), num(rule.ID), time.Time{})
		return n > 0, err
	}
	if rule.Unlimited || rule.Limit <= 0 {
		return false, nil
	}
	since := time.Time{}
	switch rule.LimitPeriod {
	case canonical.LimitPerMonth:
		since = monthStart(w.now)
	case canonical.LimitPerYear:
		since = time.Date(w.now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	n, err := w.tx.CountRewards(w.ctx, w.acct(), num(p.ID), num(rule.ID), since)
	return n >= rule.Limit, err
}

// ListEarnedRewards implements canonical.Backend.
func (a *Account) ListEarnedRewards(ctx context.Context, q canonical.RewardQuery) (canonical.Page[canonical.EarnedReward], error) {
	limit := clampLimit(q.Limit, 50, 100)
	before, err := idCursor(q.Cursor)
	if err != nil {
		return canonical.Page[canonical.EarnedReward]{}, err
	}
	var page canonical.Page[canonical.EarnedReward]
	sq := store.RewardQuery{Campaign: num(q.CampaignID), Participant: num(q.ParticipantID), Statuses: q.Statuses, Before: before, Limit: limit + 1}
	run := func(tx store.Tx) error {
		if (q.CampaignID != "" && sq.Campaign == 0) || (q.ParticipantID != "" && sq.Participant == 0) {
			page.Items, page.Total = []canonical.EarnedReward{}, -1
			return nil
		}
		rows, err := tx.ListRewards(ctx, a.id, sq)
		if err != nil {
			return err
		}
		page = pageOf(rows, limit, func(r canonical.EarnedReward) string { return r.ID })
		return nil
	}
	if sq.Campaign != 0 {
		return page, a.read(ctx, q.CampaignID, func(w *work) error { return run(w.tx) })
	}
	return page, storeErr(a.e.st.View(ctx, run), "reward")
}

// GetEarnedReward implements canonical.Backend.
func (a *Account) GetEarnedReward(ctx context.Context, id string) (canonical.EarnedReward, error) {
	n, err := parseID(id, "reward")
	if err != nil {
		return canonical.EarnedReward{}, err
	}
	var r canonical.EarnedReward
	err = a.e.st.View(ctx, func(tx store.Tx) (err error) {
		r, err = tx.GetReward(ctx, a.id, n)
		return err
	})
	return r, storeErr(err, "reward "+id)
}

// changeReward runs fn on a reward inside its campaign's write transaction
// and saves it.
func (a *Account) changeReward(ctx context.Context, id string, fn func(w *work, r *canonical.EarnedReward) error) (canonical.EarnedReward, error) {
	n, err := parseID(id, "reward")
	if err != nil {
		return canonical.EarnedReward{}, err
	}
	locate := func(tx store.Tx) (string, error) {
		r, err := tx.GetReward(context.Background(), a.id, n)
		return r.CampaignID, storeErr(err, "reward "+id)
	}
	var out canonical.EarnedReward
	err = a.writeAny(ctx, locate, func(w *work) error {
		r, err := w.tx.GetReward(w.ctx, w.acct(), n)
		if err != nil {
			return storeErr(err, "reward "+id)
		}
		was := r.Status
		if err := fn(w, &r); err != nil {
			return err
		}
		r.UpdatedAt = w.now
		out = r
		if err := w.tx.UpdateReward(w.ctx, w.acct(), &r); err != nil {
			return err
		}
		return w.rewardMoved(was, r)
	})
	return out, err
}

// rewardMoved emits reward.approved when reward r became approved (or
// fulfilled) from another status, and reward.fulfilled when it became
// fulfilled; a reward approved and fulfilled at once emits both, the
// first carrying it as it was approved.
func (w *work) rewardMoved(was canonical.RewardStatus, r canonical.EarnedReward) error {
	given := func(s canonical.RewardStatus) bool {
		return s == canonical.RewardApproved || s == canonical.RewardFulfilled
	}
	approved, fulfilled := given(r.Status) && !given(was), r.Status == canonical.RewardFulfilled && was != canonical.RewardFulfilled
	if !approved && !fulfilled {
		return nil
	}
	earner, err := w.tx.GetParticipant(w.ctx, w.acct(), num(r.ParticipantID))
	if err != nil {
		return err
	}
	c, err := w.rewardChange(r, nil, earner)
	if err != nil {
		return err
	}
	if approved {
		a := c
		a.Kind, a.Reward = canonical.ChangeRewardApproved, cloneReward(r)
		if r.Status == canonical.RewardFulfilled {
			a.Reward.Status, a.Reward.FulfilledAt = canonical.RewardApproved, nil
		}
		w.emit(a)
	}
	if fulfilled {
		c.Kind = canonical.ChangeRewardFulfilled
		w.emit(c)
	}
	return nil
}

// ApproveReward implements canonical.Backend.
func (a *Account) ApproveReward(ctx context.Context, id string, fulfill bool) (canonical.EarnedReward, error) {
	return a.changeReward(ctx, id, func(w *work, r *canonical.EarnedReward) error {
		if r.Status != canonical.RewardPending {
			return canonical.Errorf(canonical.Conflict, "reward %s is %s, not pending", id, r.Status)
		}
		r.Status, r.ApprovedAt = canonical.RewardApproved, &w.now
		if fulfill {
			r.Status, r.FulfilledAt = canonical.RewardFulfilled, &w.now
		}
		return nil
	})
}

// FulfillReward implements canonical.Backend.
func (a *Account) FulfillReward(ctx context.Context, id string) (canonical.EarnedReward, error) {
	return a.changeReward(ctx, id, func(w *work, r *canonical.EarnedReward) error {
		if r.Status != canonical.RewardApproved {
			return canonical.Errorf(canonical.Conflict, "reward %s is %s; only an approved reward can be fulfilled", id, r.Status)
		}
		r.Status, r.FulfilledAt = canonical.RewardFulfilled, &w.now
		return nil
	})
}

// SetRewardStatus implements canonical.Backend.
func (a *Account) SetRewardStatus(ctx context.Context, id string, status canonical.RewardStatus, native canonical.Native) (canonical.EarnedReward, error) {
	if err := canonical.CheckValue("native", native); err != nil {
		return canonical.EarnedReward{}, err
	}
	if !status.Valid() {
		return canonical.EarnedReward{}, canonical.Errorf(canonical.Invalid, "unknown reward status %q", status)
	}
	return a.changeReward(ctx, id, func(w *work, r *canonical.EarnedReward) error {
		r.Status = status
		if (status == canonical.RewardApproved || status == canonical.RewardFulfilled) && r.ApprovedAt == nil {
			r.ApprovedAt = &w.now
		}
		if status == canonical.RewardFulfilled {
			r.FulfilledAt = &w.now
		}
		r.Native.Merge(native)
		return nil
	})
}

// DeleteReward implements canonical.Backend.
func (a *Account) DeleteReward(ctx context.Context, id string) error {
	n, err := parseID(id, "reward")
	if err != nil {
		return err
	}
	locate := func(tx store.Tx) (string, error) {
		r, err := tx.GetReward(context.Background(), a.id, n)
		return r.CampaignID, storeErr(err, "reward "+id)
	}
	return a.writeAny(ctx, locate, func(w *work) error {
		r, err := w.tx.GetReward(w.ctx, w.acct(), n)
		if err != nil {
			return storeErr(err, "reward "+id)
		}
		if r.Status != canonical.RewardPending {
			return canonical.Errorf(canonical.Conflict, "reward %s is %s; only a pending reward can be deleted", id, r.Status)
		}
		return w.tx.DeleteReward(w.ctx, w.acct(), n)
	})
}

// PromoteParticipant implements canonical.Backend.
func (a *Account) PromoteParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	var out canonical.Participant
	err := a.write(ctx, campaignID, func(w *work) error {
		p, err := w.resolve(ref)
		if err != nil {
			return err
		}
		if p.Promoted {
			return canonical.Errorf(canonical.Conflict, "the participant is already promoted")
		}
		p.Promoted, p.PromotedAt, p.UpdatedAt = true, &w.now, w.now
		if err := w.tx.UpdateParticipant(w.ctx, w.acct(), &p); err != nil {
			return err
		}
		if out, err = w.view(p); err != nil {
			return err
		}
		w.emit(canonical.Change{Kind: canonical.ChangeParticipantPromoted, Participant: cloneParticipant(out)})
		return nil
	})
	return out, err
}

// GrantReward implements canonical.Backend.
func (a *Account) GrantReward(ctx context.Context, campaignID string, ref canonical.ParticipantRef, ruleID string) (canonical.EarnedReward, error) {
	var out canonical.EarnedReward
	err := a.write(ctx, campaignID, func(w *work) error {
		p, err := w.resolve(ref)
		if err != nil {
			return err
		}
		rule, err := w.rule(ruleID)
		if err != nil {
			return err
		}
		if rule.Kind != canonical.ManualReward {
			return canonical.Errorf(canonical.Invalid, "reward rule %s is not granted by hand", ruleID)
		}
		if !p.Promoted {
			return canonical.Errorf(canonical.Invalid, "the participant is not promoted")
		}
		er, created, err := w.earn(rule, p, true, nil)
		if err != nil {
			return err
		}
		if !created {
			return canonical.Errorf(canonical.Conflict, "the participant reached the reward rule's limit")
		}
		out = er
		return nil
	})
	return out, err
}
