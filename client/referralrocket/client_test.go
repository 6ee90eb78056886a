package referralrocket_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	rr "github.com/refbridge/refbridge/client/referralrocket"
)

const server = "https://app.referralrocket.io"

// exchange describes one documented request/response pair: what the
// generated client must send and which documented payload answers it.
type exchange struct {
	method    string
	path      string
	query     url.Values // exact query the client must send; nil for none
	bodyFile  string     // documented request body the client must send; "" for none
	respFile  string
	status    int
	call      func(context.Context, *rr.ClientWithResponses) (any, error)
	checkResp func(*testing.T, any)
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "referralrocket", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// run serves x's documented payload through a per-test mock transport to the
// generated client and checks the request the client sent.
func run(t *testing.T, x exchange) any {
	t.Helper()
	mock := httpmock.NewMockTransport()
	respBody := fixture(t, x.respFile)
	var wantBody any
	if x.bodyFile != "" {
		if err := json.Unmarshal(fixture(t, x.bodyFile), &wantBody); err != nil {
			t.Fatal(err)
		}
	}
	mock.RegisterResponder(x.method, server+x.path, func(req *http.Request) (*http.Response, error) {
		if x.query != nil && !reflect.DeepEqual(req.URL.Query(), x.query) {
			t.Errorf("query = %v, want %v", req.URL.Query(), x.query)
		}
		if got := req.Header.Get("X-API-Key"); got != "rr-test-key" {
			t.Errorf("X-API-Key = %q, want rr-test-key", got)
		}
		if wantBody != nil {
			if ct := req.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			raw, _ := io.ReadAll(req.Body)
			var got any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Errorf("request body %q: %v", raw, err)
			} else if !reflect.DeepEqual(got, wantBody) {
				t.Errorf("request body = %v, want %v", got, wantBody)
			}
		}
		resp := httpmock.NewBytesResponse(x.status, respBody)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	c, err := rr.NewClientWithResponses(server,
		rr.WithHTTPClient(&http.Client{Transport: mock}),
		rr.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("X-API-Key", "rr-test-key")
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := x.call(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if n := mock.GetTotalCallCount(); n != 1 {
		t.Fatalf("mock saw %d calls, want 1 (info %v)", n, mock.GetCallCountInfo())
	}
	return resp
}

// checkSeedParticipant asserts the participant documented in the seed.
func checkSeedParticipant(t *testing.T, p *rr.ParticipantResponse) {
	t.Helper()
	if p == nil {
		t.Fatal("participant not decoded")
	}
	eq(t, "email", *p.Email, "johndoe@example.com")
	eq(t, "firstName", *p.FirstName, "john")
	eq(t, "lastName", *p.LastName, "doe")
	eq(t, "referralCode", *p.ReferralCode, "8Mnu09TD")
	eq(t, "referredByCode", *p.ReferredByCode, "7ZZp9eBG")
	eq(t, "createdOn", p.CreatedOn.UnixMilli(), mustTime(t, "2023-11-04T15:41:08.828Z").UnixMilli())
	eq(t, "campaignId", *p.CampaignId, "JCu82f30F1")
	eq(t, "shareLink", *p.ShareLink, "https://referralrocket.io/campaign?id=JCu82f30F1&referralCode=8Mnu09TD")
	eq(t, "totalReferrals", *p.TotalReferrals, 0)
	eq(t, "referralReward", *p.ReferralReward, 0)
	eq(t, "referralRewardRedeemed", *p.ReferralRewardRedeemed, 0)
	eq(t, "referralRewardBalance", *p.ReferralRewardBalance, 0)
	eq(t, "refereeReward", *p.RefereeReward, 20)
	eq(t, "refereeRewardRedeemed", *p.RefereeRewardRedeemed, 0)
	eq(t, "refereeRewardBalance", *p.RefereeRewardBalance, 0)
	eq(t, "rewardEventCompleted", *p.RewardEventCompleted, false)
	eq(t, "fraudScore", *p.FraudScore, "Low")
}

func eq[T comparable](t *testing.T, field string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

func TestDocumentedPayloads(t *testing.T) {
	t.Parallel()
	page, size := int32(1), int32(20)
	tests := map[string]exchange{
		"addParticipant": {
			method: http.MethodPost, path: "/api/v1/addParticipant",
			bodyFile: "addParticipant.request.json", respFile: "addParticipant.json", status: 200,
			call: func(ctx context.Context, c *rr.ClientWithResponses) (any, error) {
				code := "7ZZp9eBG"
				return c.AddParticipantWithResponse(ctx, rr.AddParticipantRequest{
					Id: "JCu82f30F1", Email: "pat@example.com", ReferredByCode: &code,
				})
			},
			checkResp: func(t *testing.T, r any) {
				p := r.(*rr.AddParticipantResponse).JSON200
				eq(t, "email", *p.Email, "pat@example.com")
				eq(t, "firstName", *p.FirstName, "")
				eq(t, "referralCode", *p.ReferralCode, "Qm4t7Rx2")
				eq(t, "referredByCode", *p.ReferredByCode, "7ZZp9eBG")
				eq(t, "createdOn", p.CreatedOn.Equal(mustTime(t, "2024-05-01T10:00:00Z")), true)
				eq(t, "refereeReward", *p.RefereeReward, 20)
				eq(t, "fraudScore", *p.FraudScore, "")
			},
		},
		"getCampaign": {
			method: http.MethodGet, path: "/api/v1/getCampaign",
			query: url.Values{"id": {"JCu82f30F1"}}, respFile: "getCampaign.json", status: 200,
			call: func(ctx context.Context, c *rr.ClientWithResponses) (any, error) {
				return c.GetCampaignWithResponse(ctx, &rr.GetCampaignParams{Id: "JCu82f30F1"})
			},
			checkResp: func(t *testing.T, r any) {
				cp := r.(*rr.GetCampaignResponse).JSON200
				eq(t, "campaignId", *cp.CampaignId, "JCu82f30F1")
				eq(t, "campaignName", *cp.CampaignName, "Q4 Growth Program")
				eq(t, "status", *cp.Status, rr.Active)
				eq(t, "createdOn", cp.CreatedOn.UnixMilli(), mustTime(t, "2023-10-11T00:36:27.753Z").UnixMilli())
				eq(t, "end", cp.End.UnixMilli(), mustTime(t, "2024-10-11T00:36:27.753Z").UnixMilli())
				eq(t, "hostURL", *cp.HostURL, "https://referralrocket.io/campaign?id=JCu82f30F1")
				eq(t, "paused", *cp.Paused, false)
				eq(t, "ended", *cp.Ended, false)
				eq(t, "rewardHeader", *cp.RewardHeader, "Refer a friend and win")
				eq(t, "shareWidgetHeader", *cp.ShareWidgetHeader, "Refer a friend and win")
				eq(t, "referrerReward", *cp.ReferrerReward, float32(20))
				eq(t, "refereeReward", *cp.RefereeReward, float32(20))
				eq(t, "rewardType", *cp.RewardType, "Monetary")
				eq(t, "totalParticipants", *cp.TotalParticipants, 8)
			},
		},
		"getCampaign 404": {
			method: http.MethodGet, path: "/api/v1/getCampaign",
			query: url.Values{"id": {"nope"}}, respFile: "getCampaign.404.json", status: 404,
			call: func(ctx context.Context, c *rr.ClientWithResponses) (any, error) {
				return c.GetCampaignWithResponse(ctx, &rr.GetCampaignParams{Id: "nope"})
			},
			checkResp: func(t *testing.T, r any) {
				resp := r.(*rr.GetCampaignResponse)
				if resp.JSON200 != nil {
					t.Error("JSON200 decoded on a 404")
				}
				e := resp.JSON404
				eq(t, "status", e.Status, 404)
				eq(t, "error", e.Error, "Not Found")
				eq(t, "message", *e.Message, "Campaign not found")
				eq(t, "path", e.Path, "/api/v1/getCampaign")
			},
		},
		"validateCode": {
			method: http.MethodGet, path: "/api/v1/validateCode",
			query:    url.Values{"campaignId": {"JCu82f30F1"}, "code": {"8Mnu09TD"}},
			respFile: "validateCode.json", status: 200,
			call: func(ctx context.Context, c *rr.ClientWithResponses) (any, error) {
				return c.ValidateCodeWithResponse(ctx, &rr.ValidateCodeParams{CampaignId: "JCu82f30F1", Code: "8Mnu09TD"})
			},
			checkResp: func(t *testing.T, r any) {
				eq(t, "valid", *r.(*rr.ValidateCodeResponse).JSON200, true)
			},
		},
		"getParticipant": {
			method: http.MethodGet, path: "/api/v1/getParticipant",
			query:    url.Values{"id": {"JCu82f30F1"}, "email": {"johndoe@example.com"}},
			respFile: "getParticipant.json", status: 200,
			call: func(ctx context.Context, c *rr.ClientWithResponses) (any, error) {
				return c.GetParticipantWithResponse(ctx, &rr.GetParticipantParams{Id: "JCu82f30F1", Email: "johndoe@example.com"})
			},
			checkResp: func(t *testing.T, r any) { checkSeedParticipant(t, r.(*rr.GetParticipantResponse).JSON200) },
		},
		"getAllParticipants": {
			method: http.MethodGet, path: "/api/v1/getAllParticipants",
			query:    url.Values{"id": {"JCu82f30F1"}, "page": {"1"}, "size": {"20"}, "sort": {"createdOn,desc"}},
			respFile: "getAllParticipants.json", status: 200,
			call: func(ctx context.Context, c *rr.ClientWithResponses) (any, error) {
				return c.GetAllParticipantsWithResponse(ctx, &rr.GetAllParticipantsParams{
					Id: "JCu82f30F1", Page: &page, Size: &size, Sort: &[]string{"createdOn,desc"},
				})
			},
			checkResp: func(t *testing.T, r any) {
				list := *r.(*rr.GetAllParticipantsResponse).JSON200
				eq(t, "len", len(list), 1)
				checkSeedParticipant(t, &list[0])
			},
		},
		"getReferrals": {
			method: http.MethodGet, path: "/api/v1/getReferrals",
			query:    url.Values{"id": {"JCu82f30F1"}, "email": {"johndoe@example.com"}},
			respFile: "getReferrals.json", status: 200,
			call: func(ctx context.Context, c *rr.ClientWithResponses) (any, error) {
				return c.GetReferralsWithResponse(ctx, &rr.GetReferralsParams{Id: "JCu82f30F1", Email: "johndoe@example.com"})
			},
			checkResp: func(t *testing.T, r any) {
				list := *r.(*rr.GetReferralsResponse).JSON200
				eq(t, "len", len(list), 1)
				eq(t, "email", *list[0].Email, "pat@example.com")
				eq(t, "referredByCode", *list[0].ReferredByCode, "8Mnu09TD")
				eq(t, "referralCode", *list[0].ReferralCode, "Qm4t7Rx2")
			},
		},
		"qualifyParticipant": {
			method: http.MethodPost, path: "/api/v1/qualifyParticipant",
			bodyFile: "qualifyParticipant.request.json", respFile: "qualifyParticipant.json", status: 200,
			call: func(ctx context.Context, c *rr.ClientWithResponses) (any, error) {
				amount := float32(250)
				return c.QualifyParticipantWithResponse(ctx, rr.QualifyParticipantRequest{
					Id: "JCu82f30F1", Email: "johndoe@example.com", Amount: &amount,
				})
			},
			checkResp: func(t *testing.T, r any) { checkSeedParticipant(t, r.(*rr.QualifyParticipantResponse).JSON200) },
		},
	}
	for name, x := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			x.checkResp(t, run(t, x))
		})
	}
}

// TestNullReferrer checks that a direct participant's null referredByCode
// decodes as absent rather than as an empty code.
func TestNullReferrer(t *testing.T) {
	t.Parallel()
	var p rr.ParticipantResponse
	if err := json.Unmarshal([]byte(`{"email":"lee@example.com","referredByCode":null}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.ReferredByCode != nil {
		t.Errorf("referredByCode = %q, want nil", *p.ReferredByCode)
	}
}
