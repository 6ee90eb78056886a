package referralrocket_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
)

// TestWebhooksFromTheEngine: a direct and a referred signup through the
// REST surface reach a Referral Rocket endpoint's queue in the engine and
// render as referrer_added and referee_added with the campaign id and
// codes the REST surface answered, participantIds that decode to the
// engine's participants, and the endpoint's signature.
func TestWebhooksFromTheEngine(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, referralrocket.New(), nil)
	cid := campaignID(t, env, env.Campaign)
	var lee, pat participant
	ep, rendered := env.QueuedWebhooks(t, []string{"referrer_added", "referee_added"}, func() {
		lee = add(t, env, cid, "lee@example.com", nil)
		pat = add(t, env, cid, "pat@example.com", map[string]string{"referredByCode": lee.ReferralCode})
	})
	if len(rendered) != 2 {
		t.Fatalf("%d deliveries queued, want the two signups", len(rendered))
	}
	schemas := surfacetest.WebhookSchemas(t, openapi.ReferralRocket)
	ids := referralrocket.NewIDs(env.Engine.IDSecret())
	for i, want := range []struct {
		event string
		p     participant
	}{{"referrer_added", lee}, {"referee_added", pat}} {
		r := rendered[i]
		var got struct {
			EventType string `json:"eventType"`
			Data      struct {
				ParticipantID  int64   `json:"participantId"`
				Email          string  `json:"email"`
				Code           string  `json:"code"`
				CampaignID     string  `json:"campaignId"`
				ReferredByCode *string `json:"referredByCode"`
				Score          string  `json:"score"`
				CreatedOn      string  `json:"createdOn"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.Request.Body, &got); err != nil {
			t.Fatal(err)
		}
		if err := surfacetest.ValidBody(schemas[want.event], r.Request.Body); err != nil || got.EventType != want.event {
			t.Errorf("delivery %d is %q, want %s: %v\n%s", i, got.EventType, want.event, err, r.Request.Body)
		}
		d := got.Data
		if d.Email != want.p.Email || d.Code != want.p.ReferralCode || d.CampaignID != want.p.CampaignID ||
			d.Score != want.p.FraudScore || d.CreatedOn != want.p.CreatedOn {
			t.Errorf("delivery %d says %+v; the REST surface said %+v", i, d, want.p)
		}
		if (d.ReferredByCode == nil) != (want.p.ReferredByCode == nil) || d.ReferredByCode != nil && *d.ReferredByCode != *want.p.ReferredByCode {
			t.Errorf("delivery %d: referredByCode %v, REST %v", i, d.ReferredByCode, want.p.ReferredByCode)
		}
		engineP, err := env.Backend.GetParticipant(context.Background(), env.Campaign.ID, canonical.ByEmail(want.p.Email))
		if err != nil {
			t.Fatal(err)
		}
		if id, ok := ids.DecodeParticipantID(strconv.FormatInt(d.ParticipantID, 10)); !ok || id != engineP.ID {
			t.Errorf("delivery %d: participantId %d decodes to %q, %v; want %s", i, d.ParticipantID, id, ok, engineP.ID)
		}
		if sig := r.Request.Header.Get(referralrocket.SignatureHeader); sig != referralrocket.Sign([]byte(ep.Secret), r.Request.Body) {
			t.Errorf("delivery %d: signature %q", i, sig)
		}
	}
}
