package referralhero_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

// TestNumbersAsStrings: the seed documents points, reward_id and active
// as strings; clients following it must not get a 400.
func TestNumbersAsStrings(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, referralhero.NewSurface(), &surfacetest.Options{Campaign: canonical.Campaign{Kind: canonical.ContestProgram}})
	p, _, err := env.Backend.CreateParticipant(context.Background(), canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: env.Campaign.ID, Email: "bo@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	base := env.URL + "/api/v2/lists/" + codec(env).ListUUID(env.Campaign.ID)
	tests := []struct {
		name, path, body string
		status           int
	}{
		{"points as a numeric string", "/subscribers/add_points", `{"email":"bo@example.org","points":"10"}`, 200},
		{"points as a number", "/subscribers/add_points", `{"email":"bo@example.org","points":5}`, 200},
		{"points as words", "/subscribers/add_points", `{"email":"bo@example.org","points":"ten"}`, 400},
		{"active as the documented string", "/coupon_groups", `{"name":"Summer","active":"true","coupons":["SUMMER1"]}`, 200},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodPost, base+tt.path+"?api_token="+env.Secrets[canonical.APIKey], strings.NewReader(tt.body))
		req.Header.Set("Content-Type", "application/json")
		resp := env.Do(t, req)
		if resp.StatusCode != tt.status {
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			t.Errorf("%s: %d %v, want %d", tt.name, resp.StatusCode, body, tt.status)
		}
	}
	got, err := env.Backend.GetParticipant(context.Background(), env.Campaign.ID, canonical.ByID(p.ID))
	if err != nil || got.Points != 15 {
		t.Fatalf("points after adding \"10\" and 5: %d, %v", got.Points, err)
	}
}

// TestEncodedEnvelopeMatchesTheEncoder: the envelope written around the
// cached subscriber's bytes carries what the JSON encoder writes for the
// same subscriber (HTML characters unescaped in both).
func TestEncodedEnvelopeMatchesTheEncoder(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, referralhero.NewSurface(), nil)
	p, _, err := env.Backend.CreateParticipant(context.Background(), canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: env.Campaign.ID, Email: "bo@example.org", FirstName: "Bo <&>"}})
	if err != nil {
		t.Fatal(err)
	}
	base := env.URL + "/api/v2/lists/" + codec(env).ListUUID(env.Campaign.ID) + "/subscribers/"
	token := "api_token=" + env.Secrets[canonical.APIKey]
	get := func(path string) map[string]any {
		resp := env.Do(t, mustGet(t, base+path))
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, err)
		}
		delete(m, "calls_left")
		if d, ok := m["data"].(map[string]any); ok {
			delete(d, "response")
		}
		return m
	}
	byID := get(codec(env).SubscriberID(p.ID) + "?" + token)            // read cache, envelope written around the bytes
	byEmail := get("retrieve_by_email?email=bo%40example.org&" + token) // the JSON encoder
	if a, b := fmt.Sprint(byID), fmt.Sprint(byEmail); a != b || !strings.Contains(a, "Bo <&>") {
		t.Fatalf("by id:    %s\nby email: %s", a, b)
	}
}

func mustGet(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
