package canonical

// CampaignStats are a campaign's counters, computed on read.
type CampaignStats struct {
	Participants int
	// SignupsToday counts participants created since midnight UTC.
	SignupsToday int
	// Referrals counts credited referrals; ReferredSignups every referred
	// participant whatever the state.
	Referrals        int
	ReferredSignups  int
	PendingReferrals int
	ExpiredReferrals int
	// ReferralsByChannel counts referred signups by share channel (iRefer
	// t/f/l/w/e as twitter, facebook, linkedin, whatsapp, email).
	ReferralsByChannel map[string]int
	Views              int
	Impressions        int
	UniqueImpressions  int
	Invites            int
	Shares             map[string]int
	// Winners counts participants with at least one approved reward.
	Winners     int
	Visitors    int
	Leads       int
	Conversions int
	// Revenue totals referred sales less refunds; Commissions totals
	// commissions that are not voided.
	Revenue     Money
	Commissions Money
}

// ConversionRate is signups per campaign view, 0 without views.
func (s CampaignStats) ConversionRate() float64 {
	if s.Views == 0 {
		return 0
	}
	return float64(s.Participants) / float64(s.Views)
}
