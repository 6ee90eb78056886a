package growsurf

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// shareKeys maps canonical share channels to GrowSurf's analytics keys.
var shareKeys = map[string]string{
	"email": "emailShares", "facebook": "facebookShares", "twitter": "twitterShares", "linkedin": "linkedInShares",
	"pinterest": "pinterestShares", "reddit": "redditShares", "messenger": "messengerShares", "whatsapp": "whatsAppShares",
	"telegram": "telegramShares", "wechat": "wechatShares", "tumblr": "tumblrShares", "threads": "threadsShares",
	"bluesky": "blueskyShares", "sms": "smsShares", "qrcode": "qrcodeShares", "copyreflink": "copyRefLinkShares",
	"iosnative": "iosNativeShares", "iosnativeshare": "iosNativeShares", "androidnative": "androidNativeShares",
	"androidnativeshare": "androidNativeShares",
}

// window reads days or startDate/endDate into a window ending now by
// default.
func window(now time.Time, days *int, start, end *int64) (int64, int64) {
	e := ms(now)
	if end != nil {
		e = *end
	}
	d := 365
	if days != nil {
		d = *days
	}
	s := e - int64(d)*24*int64(time.Hour/time.Millisecond)
	if start != nil {
		s = *start
	}
	return s, e
}

// toAnalytics renders campaign counters as GrowSurf's Analytics.
func toAnalytics(st canonical.CampaignStats, kind canonical.CampaignKind) map[string]any {
	out := map[string]any{"impressions": st.Impressions, "uniqueImpressions": st.UniqueImpressions, "invites": st.Invites,
		"participants": st.Participants, "referrals": st.Referrals, "referralCreditPendings": st.PendingReferrals,
		"referralCreditExpireds": st.ExpiredReferrals}
	for ch, n := range st.Shares {

		if k, ok := shareKeys[strings.ToLower(ch)]; ok {
			out[k] = out2int(out[k]) + n
		}
	}
	if kind == canonical.AffiliateProgram {
		out["totalCommissions"] = st.Commissions.Amount
		out["totalRevenue"] = st.Revenue.Amount
	}
	return out
}

func out2int(v any) int {
	n, _ := v.(int)
	return n
}

// GetCampaignAnalytics implements api.ServerInterface.
func (s *server) GetCampaignAnalytics(w http.ResponseWriter, r *http.Request, id api.CampaignId, params api.GetCampaignAnalyticsParams) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := c.b.CampaignStats(c.ctx, c.camp.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	start, end := window(c.now, params.Days, params.StartDate, params.EndDate)
	if start > end {
		s.fail(w, r, badField("startDate", "INVALID_START_DATE", "startDate must be before endDate."))
		return
	}
	analytics := toAnalytics(st, c.camp.Kind)
	out := map[string]any{"analytics": analytics, "startDate": start, "endDate": end}
	var include []string
	if params.Include != nil {
		for _, v := range *params.Include {
			include = append(include, string(v))
		}
	}
	if c.camp.Kind == canonical.AffiliateProgram {
		n, err := c.countCommissions(nil)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		analytics["totalCommissionCount"] = n
	}
	if slices.Contains(include, "statusCounts") {
		approved, err := c.countRewards(canonical.RewardApproved, canonical.RewardFulfilled)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		pending, err := c.countRewards(canonical.RewardPending)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out["statusCounts"] = map[string]any{"currencyISO": c.camp.Currency,
			"rewardStatus": map[string]any{"approved": approved, "pending": pending}}
	}
	if slices.Contains(include, "rates") {
		shares := 0
		for _, n := range st.Shares {
			shares += n
		}
		out["rates"] = map[string]any{"participationRate": ratio(st.Participants, st.UniqueImpressions),
			"referralConversionRate": ratio(st.Referrals, st.UniqueImpressions), "sharesPerParticipant": ratio(shares, st.Participants)}
	}
	s.ok(w, out)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// countRewards counts the program's earned rewards in the given states.
func (c *call) countRewards(states ...canonical.RewardStatus) (int, error) {
	n := 0
	q := canonical.RewardQuery{CampaignID: c.camp.ID, Statuses: states, ListOptions: canonical.ListOptions{Limit: 100}}
	for {
		page, err := c.b.ListEarnedRewards(c.ctx, q)
		if err != nil {
			return 0, err
		}
		n += len(page.Items)
		if page.NextCursor == "" {
			return n, nil
		}
		q.Cursor = page.NextCursor
	}
}

// countCommissions counts commissions (of one referrer when given) and
// returns them for totals.
func (c *call) countCommissions(referrer *canonical.Participant) (int, error) {
	all, err := c.allCommissions(referrer)
	return len(all), err
}

func (c *call) allCommissions(referrer *canonical.Participant) ([]canonical.Commission, error) {
	q := canonical.CommissionQuery{CampaignID: c.camp.ID, ListOptions: canonical.ListOptions{Limit: 100}}
	if referrer != nil {
		q.ReferrerID = referrer.ID
	}
	var out []canonical.Commission
	for {
		page, err := c.b.ListCommissions(c.ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out, nil
		}
		q.Cursor = page.NextCursor
	}
}

// GetParticipantAnalytics implements api.ServerInterface.
func (s *server) GetParticipantAnalytics(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail, params api.GetParticipantAnalyticsParams) {
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
	st := p.Stats
	rewards, err := c.b.ListEarnedRewards(c.ctx, canonical.RewardQuery{CampaignID: c.camp.ID, ParticipantID: p.ID,
		Statuses: []canonical.RewardStatus{canonical.RewardPending}, ListOptions: canonical.ListOptions{Limit: 100}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	expired := max(st.ReferredSignups-st.Referrals-st.PendingReferrals-st.UnconfirmedReferrals, 0)
	analytics := map[string]any{"currencyISO": c.camp.Currency, "impressions": st.Impressions, "uniqueImpressions": st.UniqueImpressions,
		"invitesSent": st.Invites, "leads": st.Leads, "referrals": st.Referrals, "monthlyReferrals": st.MonthlyReferrals,
		"expiredReferrals": expired, "pendingRewards": len(rewards.Items), "rewardsEarned": st.RewardsEarned}
	if c.camp.Kind == canonical.AffiliateProgram {
		all, err := c.allCommissions(&p)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var revenue, total, paid, upcoming int64
		for _, cm := range all {
			if cm.Status == canonical.CommissionVoided {
				continue
			}
			revenue += cm.SaleAmount.Amount
			total += cm.Amount.Amount
			switch cm.Status {
			case canonical.CommissionPaid:
				paid += cm.Amount.Amount
			case canonical.CommissionDue:
				upcoming += cm.Amount.Amount
			}
		}
		analytics["referralRevenue"], analytics["totalCommissions"] = revenue, total
		analytics["totalPaidOut"], analytics["upcomingPayout"] = paid, upcoming
	}
	ranks := map[string]any{"rank": nullIfZero(st.Rank), "monthlyRank": nullIfZero(st.MonthlyRank),
		"prevMonthlyRank": nullIfZero(st.PrevMonthlyRank)}
	shares := map[string]int{}
	for k, v := range st.Shares {
		shares[k] = v
	}
	s.ok(w, map[string]any{"analytics": analytics, "ranks": ranks, "shareCount": shares})
}

func nullIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}
