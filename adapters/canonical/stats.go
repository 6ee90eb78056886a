package canonical

// CampaignStats are a campaign's counters, computed on read.
type CampaignStats struct {
	Participants int `json:",omitzero"`
	// SignupsToday counts participants created since midnight UTC.
	SignupsToday int `json:",omitzero"`
	// Referrals counts credited referrals; ReferredSignups every referred
	// participant whatever the state.
	Referrals        int `json:",omitzero"`
	ReferredSignups  int `json:",omitzero"`
	PendingReferrals int `json:",omitzero"`
	ExpiredReferrals int `json:",omitzero"`
	// ReferralsByChannel counts referred signups by share channel (iRefer
	// t/f/l/w/e as twitter, facebook, linkedin, whatsapp, email).
	ReferralsByChannel map[string]int `json:",omitzero"`
	Views              int            `json:",omitzero"`
	Impressions        int            `json:",omitzero"`
	UniqueImpressions  int            `json:",omitzero"`
	Invites            int            `json:",omitzero"`
	Shares             map[string]int `json:",omitzero"`
	// Winners counts participants with at least one approved reward.
	Winners     int `json:",omitzero"`
	Visitors    int `json:",omitzero"`
	Leads       int `json:",omitzero"`
	Conversions int `json:",omitzero"`
	// Revenue totals referred sales less refunds; Commissions totals
	// commissions that are not voided.
	Revenue     Money `json:",omitzero"`
	Commissions Money `json:",omitzero"`
}

// ConversionRate is signups per campaign view, 0 without views.
func (s CampaignStats) ConversionRate() float64 {
	if s.Views == 0 {
		return 0
	}
	return float64(s.Participants) / float64(s.Views)
}
