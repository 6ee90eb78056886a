package referralhero

import (
	"context"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// CampaignStats implements canonical.Backend: NotImplemented, the API
// reports a list's subscriber count only (Native "subscribers" of
// GetCampaign), none of the referral or share counters.
func (b *Backend) CampaignStats(context.Context, string) (canonical.CampaignStats, error) {
	return canonical.CampaignStats{}, unsupported("CampaignStats", "the API reports only the subscriber count (see GetCampaign)")
}
