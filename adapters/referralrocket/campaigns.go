package referralrocket

import (
	"net/http"

	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/referralrocket"
)

// GetCampaign implements GET /api/v1/getCampaign: the campaign with its
// main reward rule and participant count.
func (s *server) GetCampaign(w http.ResponseWriter, r *http.Request, params api.GetCampaignParams) {
	sc, err := s.campaign(r.Context(), params.Id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	stats, err := sc.b.CampaignStats(r.Context(), sc.campaign.ID)
	if err != nil {
		s.fail(w, r, notFoundAs(err, msgCampaignNotFound))
		return
	}
	surface.WriteJSON(w, http.StatusOK, toCampaign(sc.campaign, sc.ref.ID, stats.Participants))
}
