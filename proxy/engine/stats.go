package engine

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// view renders a stored participant with its stats and ranks.
func (w *work) view(p store.Participant) (canonical.Participant, error) {
	out := p.Participant
	s := &out.Stats
	s.Referrals = int(p.Referrals)
	c, err := w.tx.Counters(w.ctx, w.cid, num(p.ID))
	if err != nil {
		return out, err
	}
	s.PendingReferrals = int(c["ref:pending"])
	s.UnconfirmedReferrals = int(c["ref:unconfirmed"])
	s.ReferredSignups = int(c["ref:pending"] + c["ref:unconfirmed"] + c["ref:credited"] + c["ref:expired"])
	cur, start := monthKey(w.now), monthStart(w.now)
	prev := monthKey(start.AddDate(0, -1, 0))
	months, err := w.tx.MonthlyScores(w.ctx, w.cid, num(p.ID), cur, prev)
	if err != nil {
		return out, err
	}
	monthly, prevMonthly := months[0], months[1]
	s.MonthlyReferrals, s.PrevMonthReferrals = int(monthly), int(prevMonthly)
	qs := []rankQuery{{boardAll, p.Ord, p.Referrals}, {boardMonth(cur), p.Ord, monthly}, {boardPoints, p.Ord, p.Points}}
	if p.CreatedAt.Before(start) {
		qs = append(qs, rankQuery{boardMonth(prev), p.Ord, prevMonthly})
	}
	ranks, err := ranksOf(w.ctx, w.tx, w.cid, qs)
	if err != nil {
		return out, err
	}
	s.Rank, s.MonthlyRank, s.PointsRank = ranks[0], ranks[1], ranks[2]
	if len(ranks) > 3 {
		s.PrevMonthlyRank = ranks[3]
	}
	s.Impressions, s.UniqueImpressions, s.Invites = int(c["impressions"]), int(c["unique_impressions"]), int(c["invites"])
	s.Visitors, s.Leads, s.Conversions = int(c["visitors"]), int(c["leads"]), int(c["conversions"])
	s.Level2Referrals, s.Level3Referrals = int(c["level2"]), int(c["level3"])
	s.Shares = shares(c)
	if err := w.rewardTotals(p, s); err != nil {
		return out, err
	}
	if p.ReferrerID != "" {
		own, err := w.tx.FindReferralOf(w.ctx, w.acct(), num(p.ID))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return out, err
		}
		s.Qualified = err == nil && own.QualifyingAmount != nil
	}
	return out, nil
}

// newView renders a participant created in this transaction. Nobody can
// have referred through them, visited or shared yet, and with no score
// they rank after every other participant on every board; so the view
// needs one read (how many participants were deleted) plus a points rank
// when they joined with points. Rewards they earned by signing up are the
// ones this transaction created.
func (w *work) newView(p store.Participant) (canonical.Participant, error) {
	out := p.Participant
	s := &out.Stats
	sums, err := w.tx.SumNodeSets(w.ctx, w.cid, []store.NodeSet{{Tree: "del:n", Nodes: []int64{1}}})
	if err != nil {
		return out, err
	}
	alive := int(p.Ord - sums[0])
	s.Rank, s.MonthlyRank, s.PointsRank = alive, alive, alive
	if p.Points > 0 {
		if s.PointsRank, err = rankOf(w.ctx, w.tx, w.cid, boardPoints, p.Ord, p.Points); err != nil {
			return out, err
		}
	}
	s.Shares = map[string]int{}
	cur := w.camp.Currency
	s.ReferrerRewards, s.ReferrerRewardsRedeemed = canonical.Money{Currency: cur}, canonical.Money{Currency: cur}
	s.ReferredRewards, s.ReferredRewardsRedeemed = canonical.Money{Currency: cur}, canonical.Money{Currency: cur}
	for _, r := range w.earned {
		if r.ParticipantID == p.ID {
			addReward(s, r)
		}
	}
	return out, nil
}

// shares picks the per-channel share counters.
func shares(c map[string]int64) map[string]int {
	out := map[string]int{}
	for k, v := range c {
		if ch, ok := strings.CutPrefix(k, "share:"); ok && v != 0 {
			out[ch] = int(v)
		}
	}
	return out
}

// rewardTotals sums the values of a participant's earned rewards.
func (w *work) rewardTotals(p store.Participant, s *canonical.ParticipantStats) error {
	cur := w.camp.Currency
	s.ReferrerRewards, s.ReferrerRewardsRedeemed = canonical.Money{Currency: cur}, canonical.Money{Currency: cur}
	s.ReferredRewards, s.ReferredRewardsRedeemed = canonical.Money{Currency: cur}, canonical.Money{Currency: cur}
	before := int64(0)
	for {
		rs, err := w.tx.ListRewards(w.ctx, w.acct(), store.RewardQuery{Participant: num(p.ID), Before: before, Limit: 500})
		if err != nil {
			return err
		}
		for _, r := range rs {
			addReward(s, r)
		}
		if len(rs) < 500 {
			return nil
		}
		before = num(rs[len(rs)-1].ID)
	}
}

// CampaignStats implements canonical.Backend.
func (a *Account) CampaignStats(ctx context.Context, campaignID string) (canonical.CampaignStats, error) {
	var s canonical.CampaignStats
	err := a.read(ctx, campaignID, func(w *work) (err error) {
		if s.Participants, err = w.tx.CountParticipants(w.ctx, w.acct(), w.cid, time.Time{}); err != nil {
			return err
		}
		today := w.now.Truncate(24 * time.Hour) // midnight UTC
		if s.SignupsToday, err = w.tx.CountParticipants(w.ctx, w.acct(), w.cid, today); err != nil {
			return err
		}
		c, err := w.tx.Counters(w.ctx, w.cid, 0)
		if err != nil {
			return err
		}
		s.Referrals, s.PendingReferrals = int(c["ref:credited"]), int(c["ref:pending"]+c["ref:unconfirmed"])
		s.ExpiredReferrals = int(c["ref:expired"])
		s.ReferredSignups = s.Referrals + s.PendingReferrals + s.ExpiredReferrals
		s.ReferralsByChannel = map[string]int{}
		for k, v := range c {
			if ch, ok := strings.CutPrefix(k, "signup:"); ok && v != 0 {
				s.ReferralsByChannel[ch] = int(v)
			}
		}
		s.Views, s.Impressions, s.UniqueImpressions = int(c["views"]), int(c["impressions"]), int(c["unique_impressions"])
		s.Invites, s.Visitors, s.Leads, s.Conversions = int(c["invites"]), int(c["visitors"]), int(c["leads"]), int(c["conversions"])
		s.Shares = shares(c)
		s.Revenue = canonical.Money{Amount: c["revenue"], Currency: w.camp.Currency}
		s.Commissions = canonical.Money{Amount: c["commissions"], Currency: w.camp.Currency}
		s.Winners, err = w.tx.CountWinners(w.ctx, w.acct(), w.cid)
		return err
	})
	return s, err
}

// addReward counts an earned reward into a participant's totals.
func addReward(s *canonical.ParticipantStats, r canonical.EarnedReward) {
	if r.Status == canonical.RewardCanceled {
		return
	}
	s.RewardsEarned++
	total, redeemed := &s.ReferrerRewards, &s.ReferrerRewardsRedeemed
	if !r.IsReferrer {
		total, redeemed = &s.ReferredRewards, &s.ReferredRewardsRedeemed
	}
	total.Amount += r.Value.Amount
	if r.Status == canonical.RewardFulfilled {
		redeemed.Amount += r.Value.Amount
	}
}

// Rank returns a participant's 1-based position on a board without the
// rest of their stats: the engine's cheapest way to answer "where do I
// stand". NotFound; Invalid for an unknown board. A participant who was
// not in the campaign during the previous month ranks 0 on that board.
func (a *Account) Rank(ctx context.Context, campaignID, participantID string, board canonical.Board) (int, error) {
	rank := 0
	err := a.read(ctx, campaignID, func(w *work) error {
		p, err := w.resolve(canonical.ByID(participantID))
		if err != nil {
			return err
		}
		q := rankQuery{boardAll, p.Ord, p.Referrals}
		switch board {
		case canonical.AllTime, "":
		case canonical.PointsBoard:
			q = rankQuery{boardPoints, p.Ord, p.Points}
		case canonical.CurrentMonth, canonical.PreviousMonth:
			t := w.now
			if board == canonical.PreviousMonth {
				if !p.CreatedAt.Before(monthStart(w.now)) {
					return nil
				}
				t = monthStart(w.now).AddDate(0, -1, 0)
			}
			m, err := w.tx.MonthlyScores(w.ctx, w.cid, num(p.ID), monthKey(t))
			if err != nil {
				return err
			}
			q = rankQuery{boardMonth(monthKey(t)), p.Ord, m[0]}
		default:
			return canonical.Errorf(canonical.Invalid, "unknown leaderboard %q", board)
		}
		rank, err = rankOf(w.ctx, w.tx, w.cid, q.board, q.ord, q.score)
		return err
	})
	return rank, err
}
