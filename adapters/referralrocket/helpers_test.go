package referralrocket_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

// call is one request to the surface.
type call struct {
	method string
	path   string
	query  url.Values
	body   any // JSON-encoded unless a string
	key    *string
}

// result is a response read whole.
type result struct {
	status int
	header http.Header
	body   []byte
}

// request builds the HTTP request of c against env with the tenant's key
// unless c.key overrides it (nil pointer to "" means no header).
func (c call) request(t testing.TB, env *surfacetest.Env) *http.Request {
	t.Helper()
	u := env.URL + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	var body io.Reader
	switch b := c.body.(type) {
	case nil:
	case string:
		body = bytes.NewBufferString(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(data)
	}
	method := c.method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	key := env.Secrets[canonical.APIKey]
	if c.key != nil {
		key = *c.key
	}
	if key != "" {
		req.Header.Set(referralrocket.APIKeyHeader, key)
	}
	return req
}

// do sends c and reads the response.
func do(t testing.TB, env *surfacetest.Env, c call) result {
	t.Helper()
	resp := env.Do(t, c.request(t, env))
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: data}
}

// decode unmarshals the body into v, failing the test on error.
func (r result) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// participant is the part of ParticipantResponse tests look at.
type participant struct {
	Email                 string  `json:"email"`
	ReferralCode          string  `json:"referralCode"`
	ReferredByCode        *string `json:"referredByCode"`
	CampaignID            string  `json:"campaignId"`
	ShareLink             string  `json:"shareLink"`
	TotalReferrals        int     `json:"totalReferrals"`
	ReferralReward        int     `json:"referralReward"`
	ReferralRewardBalance int     `json:"referralRewardBalance"`
	RefereeReward         int     `json:"refereeReward"`
	RewardEventCompleted  bool    `json:"rewardEventCompleted"`
	FraudScore            string  `json:"fraudScore"`
	CreatedOn             string  `json:"createdOn"`
}

// campaignID is the vendor id of a campaign of env.
func campaignID(t testing.TB, env *surfacetest.Env, c canonical.Campaign) string {
	t.Helper()
	id, ok := referralrocket.NewIDs(env.Engine.IDSecret()).EncodeCampaignID(c.ID)
	if !ok {
		t.Fatalf("campaign %q does not encode", c.ID)
	}
	return id
}

// add creates a participant through the API.
func add(t testing.TB, env *surfacetest.Env, campaign, email string, extra map[string]string) participant {
	t.Helper()
	body := map[string]string{"id": campaign, "email": email}
	for k, v := range extra {
		body[k] = v
	}
	res := do(t, env, call{method: http.MethodPost, path: "/api/v1/addParticipant", body: body})
	if res.status != http.StatusOK {
		t.Fatalf("addParticipant %s: %d %s", email, res.status, res.body)
	}
	var p participant
	res.decode(t, &p)
	return p
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
