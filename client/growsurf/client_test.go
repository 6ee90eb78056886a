package growsurf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/refbridge/refbridge/client/growsurf"
)

const (
	// baseURL is the server URL of openapi/growsurf.yaml.
	baseURL = "https://api.growsurf.com/v2"
	apiKey  = "gs_test_0123456789"
)

// apiCase is one request/response exchange with GrowSurf.
type apiCase struct {
	name     string
	method   string
	path     string     // escaped path below baseURL
	query    url.Values // the exact query the client must send
	request  string     // testdata file the JSON body must equal; "" = no body
	response string     // testdata file answered by the mock
	status   int        // answered status; 0 = 200
	call     func(t *testing.T, c *growsurf.ClientWithResponses)
}

// bearer places the API key where GrowSurf expects it.
func bearer(_ context.Context, req *http.Request) error {
	req.Header.Set("Authorization", "Bearer "+apiKey)
	return nil
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "growsurf", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decodeJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

// runCases runs every case against its own mock transport.
func runCases(t *testing.T, cases []apiCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runCase(t, tc)
		})
	}
}

func runCase(t *testing.T, tc apiCase) {
	status := tc.status
	if status == 0 {
		status = http.StatusOK
	}
	respBody := readTestdata(t, tc.response)
	var wantBody any
	if tc.request != "" {
		wantBody = decodeJSON(t, readTestdata(t, tc.request))
	}
	wantQuery := tc.query
	if wantQuery == nil {
		wantQuery = url.Values{}
	}

	mock := httpmock.NewMockTransport()
	target := baseURL + tc.path
	mock.RegisterResponder(tc.method, target, func(req *http.Request) (*http.Response, error) {
		if got, want := req.Header.Get("Authorization"), "Bearer "+apiKey; got != want {
			t.Errorf("Authorization = %q, want %q", got, want)
		}
		if got, want := req.URL.EscapedPath(), "/v2"+tc.path; got != want {
			t.Errorf("path = %q, want %q", got, want)
		}
		if got := req.URL.Query(); !reflect.DeepEqual(got, wantQuery) {
			t.Errorf("query = %v, want %v", got, wantQuery)
		}
		var sent []byte
		if req.Body != nil {
			var err error
			if sent, err = io.ReadAll(req.Body); err != nil {
				t.Errorf("read body: %v", err)
			}
		}
		if tc.request == "" {
			if len(bytes.TrimSpace(sent)) != 0 {
				t.Errorf("unexpected request body %s", sent)
			}
		} else {
			if got := req.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			if got := decodeJSON(t, sent); !reflect.DeepEqual(got, wantBody) {
				t.Errorf("request body = %s\nwant the JSON of testdata/growsurf/%s.json", sent, tc.request)
			}
		}
		resp := httpmock.NewBytesResponse(status, respBody)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})

	c, err := growsurf.NewClientWithResponses(baseURL,
		growsurf.WithHTTPClient(&http.Client{Transport: mock}),
		growsurf.WithRequestEditorFn(bearer))
	if err != nil {
		t.Fatal(err)
	}
	tc.call(t, c)
	if n := mock.GetCallCountInfo()[tc.method+" "+target]; n != 1 {
		t.Errorf("%s %s called %d times, want 1 (calls: %v)", tc.method, target, n, mock.GetCallCountInfo())
	}
}

func ptr[T any](v T) *T { return &v }

// eq reports got != want.
func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// val dereferences p, failing the test when it is nil.
func val[T any](t *testing.T, what string, p *T) T {
	t.Helper()
	if p == nil {
		t.Fatalf("%s is nil", what)
	}
	return *p
}

// isNull reports a pointer that should be nil (JSON null or absent).
func isNull[T any](t *testing.T, what string, p *T) {
	t.Helper()
	if p != nil {
		t.Errorf("%s = %v, want null", what, *p)
	}
}

// must fails the test unless the call succeeded with the wanted status.
func must(t *testing.T, err error, status, want int) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if status != want {
		t.Fatalf("status = %d, want %d", status, want)
	}
}

// checkError asserts a decoded GrowSurf error body.
func checkError(t *testing.T, e *growsurf.Error, name, code, message string, status int) {
	t.Helper()
	if e == nil {
		t.Fatal("error body not decoded")
	}
	eq(t, "name", e.Name, name)
	eq(t, "code", e.Code, code)
	eq(t, "message", e.Message, message)
	eq(t, "status", e.Status, status)
}

// checkAna asserts the documented participant example (testdata getParticipant.json).
func checkAna(t *testing.T, p growsurf.Participant) {
	t.Helper()
	eq(t, "id", p.Id, "k3x9qz")
	eq(t, "email", p.Email, "ana@example.com")
	eq(t, "firstName", val(t, "firstName", p.FirstName), "Ana")
	isNull(t, "lastName", p.LastName)
	eq(t, "shareUrl", val(t, "shareUrl", p.ShareUrl), "https://example.com/?grsf=k3x9qz")
	eq(t, "createdAt", val(t, "createdAt", p.CreatedAt), int64(1717000000000))
	eq(t, "referralCount", p.ReferralCount, 2)
	eq(t, "monthlyReferralCount", p.MonthlyReferralCount, 1)
	eq(t, "prevMonthlyReferralCount", val(t, "prevMonthlyReferralCount", p.PrevMonthlyReferralCount), 1)
	eq(t, "rank", p.Rank, 4)
	eq(t, "monthlyRank", p.MonthlyRank, 2)
	refs := val(t, "referrals", p.Referrals)
	if len(refs) != 2 || refs[0] != "p1a2b3" || refs[1] != "p4c5d6" {
		t.Errorf("referrals = %v", refs)
	}
	eq(t, "monthlyReferrals[0]", val(t, "monthlyReferrals", p.MonthlyReferrals)[0], "p4c5d6")
	eq(t, "referralSource", val(t, "referralSource", p.ReferralSource), growsurf.ReferralSourceDIRECT)
	isNull(t, "referralStatus", p.ReferralStatus)
	isNull(t, "referrer", p.Referrer)
	eq(t, "fraudRiskLevel", val(t, "fraudRiskLevel", p.FraudRiskLevel), growsurf.FraudRiskLevelLOW)
	eq(t, "fraudReasonCode", val(t, "fraudReasonCode", p.FraudReasonCode), "UNIQUE_IDENTITY")
	eq(t, "isWinner", val(t, "isWinner", p.IsWinner), true)
	eq(t, "impressionCount", val(t, "impressionCount", p.ImpressionCount), 10)
	eq(t, "uniqueImpressionCount", val(t, "uniqueImpressionCount", p.UniqueImpressionCount), 7)
	eq(t, "inviteCount", val(t, "inviteCount", p.InviteCount), 0)
	shares := val(t, "shareCount", p.ShareCount)
	eq(t, "shareCount[email]", shares["email"], 1)
	if n, ok := shares["twitter"]; !ok || n != 0 {
		t.Errorf("shareCount[twitter] = %d, %v", n, ok)
	}
	eq(t, "metadata[plan]", val(t, "metadata", p.Metadata)["plan"], any("pro"))
	eq(t, "len(vanityKeys)", len(val(t, "vanityKeys", p.VanityKeys)), 0)
	eq(t, "unsubscribed", val(t, "unsubscribed", p.Unsubscribed), false)
	if actions := val(t, "payoutSettings", p.PayoutSettings).RequiredActions; actions == nil || len(actions) != 0 {
		t.Errorf("payoutSettings.requiredActions = %v, want []", actions)
	}
	if len(p.Rewards) != 1 {
		t.Fatalf("len(rewards) = %d, want 1", len(p.Rewards))
	}
	r := p.Rewards[0]
	eq(t, "rewards[0].id", r.Id, "prw_1")
	eq(t, "rewards[0].rewardId", r.RewardId, "crew_1")
	eq(t, "rewards[0].status", r.Status, growsurf.ParticipantRewardStatusPENDING)
	eq(t, "rewards[0].approved", val(t, "approved", r.Approved), true)
	eq(t, "rewards[0].approvedAt", val(t, "approvedAt", r.ApprovedAt), int64(1717100000000))
	eq(t, "rewards[0].isFulfilled", val(t, "isFulfilled", r.IsFulfilled), false)
	isNull(t, "rewards[0].fulfilledAt", r.FulfilledAt)
	eq(t, "rewards[0].isReferrer", val(t, "isReferrer", r.IsReferrer), true)
	eq(t, "rewards[0].isAvailable", val(t, "isAvailable", r.IsAvailable), true)
	eq(t, "rewards[0].referrerId", val(t, "referrerId", r.ReferrerId), "k3x9qz")
	eq(t, "rewards[0].referredId", val(t, "referredId", r.ReferredId), "p4c5d6")
	eq(t, "rewards[0].unread", val(t, "unread", r.Unread), true)
}

// checkBen asserts the referred participant of testdata addParticipant.json.
func checkBen(t *testing.T, p growsurf.Participant) {
	t.Helper()
	eq(t, "id", p.Id, "p4c5d6")
	eq(t, "email", p.Email, "ben@example.com")
	eq(t, "lastName", val(t, "lastName", p.LastName), "Okafor")
	eq(t, "rank", p.Rank, 9)
	eq(t, "referralSource", val(t, "referralSource", p.ReferralSource), growsurf.ReferralSourcePARTICIPANT)
	eq(t, "referralStatus", val(t, "referralStatus", p.ReferralStatus), growsurf.ReferralStatusCREDITPENDING)
	eq(t, "referredBy", val(t, "referredBy", p.ReferredBy), "k3x9qz")
	eq(t, "isNew", val(t, "isNew", p.IsNew), true)
	isNull(t, "notes", p.Notes)
	isNull(t, "fingerprint", p.Fingerprint)
	eq(t, "ipAddress", val(t, "ipAddress", p.IpAddress), "203.0.113.7")
	md := val(t, "metadata", p.Metadata)
	eq(t, "metadata[company]", md["company"], any("Okafor Ltd"))
	eq(t, "metadata[seats]", md["seats"], any(float64(5)))
	eq(t, "len(shareCount)", len(val(t, "shareCount", p.ShareCount)), 0)
	eq(t, "len(rewards)", len(p.Rewards), 0)
	ref := val(t, "referrer", p.Referrer)
	eq(t, "referrer.id", val(t, "referrer.id", ref.Id), "k3x9qz")
	eq(t, "referrer.email", val(t, "referrer.email", ref.Email), "ana@example.com")
	isNull(t, "referrer.lastName", ref.LastName)
	eq(t, "referrer.createdAt", val(t, "referrer.createdAt", ref.CreatedAt), int64(1717000000000))
	eq(t, "referrer.referralCount", val(t, "referrer.referralCount", ref.ReferralCount), 2)
	eq(t, "referrer.rank", val(t, "referrer.rank", ref.Rank), 4)
	eq(t, "referrer.fraudRiskLevel", val(t, "referrer.fraudRiskLevel", ref.FraudRiskLevel), growsurf.FraudRiskLevelLOW)
	eq(t, "referrer.shareCount[email]", val(t, "referrer.shareCount", ref.ShareCount)["email"], 1)
	eq(t, "referrer.metadata[plan]", val(t, "referrer.metadata", ref.Metadata)["plan"], any("pro"))
}

// checkDoubleSided asserts the campaign reward crew_xyz789 of the testdata.
func checkDoubleSided(t *testing.T, r growsurf.CampaignReward) {
	t.Helper()
	eq(t, "reward.id", r.Id, "crew_xyz789")
	eq(t, "reward.type", r.Type, growsurf.RewardTypeDOUBLESIDED)
	eq(t, "reward.title", val(t, "title", r.Title), "Give $10, get $10")
	eq(t, "reward.referralDescription", val(t, "referralDescription", r.ReferralDescription), "Get a $10 credit on sign-up")
	eq(t, "reward.isUnlimited", r.IsUnlimited, true)
	eq(t, "reward.isVisible", val(t, "isVisible", r.IsVisible), true)
	eq(t, "reward.limit", val(t, "limit", r.Limit), -1)
	eq(t, "reward.limitDuration", val(t, "limitDuration", r.LimitDuration), growsurf.LimitDurationINTOTAL)
	eq(t, "reward.conversionsRequired", val(t, "conversionsRequired", r.ConversionsRequired), 1)
	isNull(t, "reward.numberOfWinners", r.NumberOfWinners)
	isNull(t, "reward.order", r.Order)
	eq(t, "reward.couponCode", val(t, "couponCode", r.CouponCode), "THANKS10")
	eq(t, "reward.referralCouponCode", val(t, "referralCouponCode", r.ReferralCouponCode), "WELCOME10")
	isNull(t, "reward.nextMilestonePrefix", r.NextMilestonePrefix)
	eq(t, "reward.referredRewardUpfront", val(t, "referredRewardUpfront", r.ReferredRewardUpfront), false)
	eq(t, "reward.metadata[sku]", r.Metadata["sku"], "CREDIT-10")
	isNull(t, "reward.commissionStructure", r.CommissionStructure)
	v := val(t, "reward.value", r.Value)
	eq(t, "reward.value.isTaxReportable", val(t, "isTaxReportable", v.IsTaxReportable), true)
	eq(t, "reward.value.fairMarketValueUSD", val(t, "fairMarketValueUSD", v.FairMarketValueUSD), float64(10))
	isNull(t, "reward.referredValue", r.ReferredValue)
}

func TestPrograms(t *testing.T) {
	t.Parallel()
	runCases(t, []apiCase{
		{
			name: "listCampaigns", method: http.MethodGet, path: "/campaigns", response: "listCampaigns",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListCampaignsWithResponse(t.Context())
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200).Campaigns
				if len(got) != 2 {
					t.Fatalf("len(campaigns) = %d, want 2", len(got))
				}
				ref, aff := got[0], got[1]
				eq(t, "campaigns[0].id", ref.Id, "abc123")
				eq(t, "campaigns[0].type", ref.Type, growsurf.CampaignTypeREFERRAL)
				eq(t, "campaigns[0].status", ref.Status, growsurf.CampaignStatusINPROGRESS)
				eq(t, "campaigns[0].participantCount", ref.ParticipantCount, 40)
				eq(t, "campaigns[0].winnerCount", ref.WinnerCount, 3)
				eq(t, "campaigns[0].currencyISO", val(t, "currencyISO", ref.CurrencyISO), "USD")
				eq(t, "len(campaigns[0].rewards)", len(ref.Rewards), 2)
				checkDoubleSided(t, ref.Rewards[0])
				m := ref.Rewards[1]
				eq(t, "milestone.type", m.Type, growsurf.RewardTypeMILESTONE)
				eq(t, "milestone.order", val(t, "order", m.Order), 2)
				eq(t, "milestone.limitDuration", val(t, "limitDuration", m.LimitDuration), growsurf.LimitDurationPERMONTH)
				eq(t, "milestone.nextMilestonePrefix", val(t, "prefix", m.NextMilestonePrefix), "You are only")
				eq(t, "len(milestone.metadata)", len(m.Metadata), 0)

				eq(t, "campaigns[1].type", aff.Type, growsurf.CampaignTypeAFFILIATE)
				eq(t, "campaigns[1].status", aff.Status, growsurf.CampaignStatusDRAFT)
				cs := val(t, "commissionStructure", aff.Rewards[0].CommissionStructure)
				eq(t, "commissionStructure.type", val(t, "type", cs.Type), growsurf.CommissionStructureTypePERCENT)
				eq(t, "commissionStructure.percent", val(t, "percent", cs.Percent), float64(20))
				isNull(t, "commissionStructure.amount", cs.Amount)
				eq(t, "commissionStructure.event", val(t, "event", cs.Event), growsurf.CommissionStructureEventSALE)
				eq(t, "commissionStructure.maxAmount", val(t, "maxAmount", cs.MaxAmount), int64(50000))
				eq(t, "commissionStructure.holdDuration", val(t, "holdDuration", cs.HoldDuration), 30)
				eq(t, "commissionStructure.duration", val(t, "duration", cs.Duration), "FOREVER")
			},
		},
		{
			name: "listCampaigns.403", method: http.MethodGet, path: "/campaigns", response: "listCampaigns.403", status: 403,
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListCampaignsWithResponse(t.Context())
				must(t, err, resp.StatusCode(), 403)
				checkError(t, resp.JSON403, "NotAuthorizedError", "NOT_AUTHORIZED_ERROR", "You are not allowed to perform that action.", 403)
				eq(t, "supportUrl", val(t, "supportUrl", resp.JSON403.SupportUrl), "https://app.growsurf.com/settings#contact_support")
				if resp.JSON200 != nil {
					t.Error("JSON200 decoded on a 403")
				}
			},
		},
		{
			name: "getCampaign", method: http.MethodGet, path: "/campaign/abc123", response: "getCampaign",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.GetCampaignWithResponse(t.Context(), "abc123")
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "name", got.Name, "Spring referral program")
				eq(t, "referralCount", got.ReferralCount, 12)
				eq(t, "impressionCount", got.ImpressionCount, 310)
				eq(t, "inviteCount", got.InviteCount, 5)
				checkDoubleSided(t, got.Rewards[0])
			},
		},
		{
			name: "getCampaign.429", method: http.MethodGet, path: "/campaign/abc123", response: "getCampaign.429", status: 429,
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.GetCampaignWithResponse(t.Context(), "abc123")
				must(t, err, resp.StatusCode(), 429)
				checkError(t, resp.JSON429, "RateLimit", "RATE_LIMIT", "You have reached your minute limit.", 429)
				eq(t, "policyName", val(t, "policyName", resp.JSON429.PolicyName), growsurf.ErrorPolicyNameMINUTE)
				eq(t, "level", val(t, "level", resp.JSON429.Level), "error")
				eq(t, "timestamp", val(t, "timestamp", resp.JSON429.Timestamp).UnixMilli(), int64(1717243200000))
			},
		},
		{
			name: "createCampaign", method: http.MethodPost, path: "/campaigns",
			request: "createCampaign.request", response: "createCampaign",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.CreateCampaignWithResponse(t.Context(), growsurf.CreateCampaignRequest{
					Type:                growsurf.CampaignTypeAFFILIATE,
					Name:                ptr("Partner program"),
					CurrencyISO:         ptr("EUR"),
					CompanyName:         ptr("Acme"),
					CompanyLogoImageUrl: ptr("https://example.com/logo.png"),
					Goal:                ptr(growsurf.CampaignGoalB2BSAASSELFSERVICE),
					Rewards: &[]growsurf.CreateCampaignRewardRequest{{
						Type:  growsurf.RewardTypeAFFILIATE,
						Title: ptr("20% recurring"),
						CommissionStructure: &growsurf.CommissionStructure{
							Type:         ptr(growsurf.CommissionStructureTypePERCENT),
							Percent:      ptr(float64(20)),
							Event:        ptr(growsurf.CommissionStructureEventSALE),
							HoldDuration: ptr(30),
						},
					}},
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "id", got.Id, "aff789")
				eq(t, "type", got.Type, growsurf.CampaignTypeAFFILIATE)
				eq(t, "status", got.Status, growsurf.CampaignStatusDRAFT)
				eq(t, "currencyISO", val(t, "currencyISO", got.CurrencyISO), "EUR")
				eq(t, "rewards[0].id", got.Rewards[0].Id, "crew_aff01")
				eq(t, "rewards[0].type", got.Rewards[0].Type, growsurf.RewardTypeAFFILIATE)
				eq(t, "rewards[0].commissionStructure.approvalRequired",
					val(t, "approvalRequired", val(t, "commissionStructure", got.Rewards[0].CommissionStructure).ApprovalRequired), true)
			},
		},
		{
			name: "updateCampaign", method: http.MethodPatch, path: "/campaign/abc123",
			request: "updateCampaign.request", response: "updateCampaign",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.UpdateCampaignWithResponse(t.Context(), "abc123", growsurf.UpdateCampaignRequest{
					Name:   ptr("Spring referral program 2024"),
					Status: ptr(growsurf.UpdateCampaignRequestStatusCOMPLETE),
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "name", got.Name, "Spring referral program 2024")
				eq(t, "status", got.Status, growsurf.CampaignStatusCOMPLETE)
			},
		},
		{
			name: "updateCampaign.400", method: http.MethodPatch, path: "/campaign/abc123",
			request: "updateCampaign.request", response: "updateCampaign.400", status: 400,
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.UpdateCampaignWithResponse(t.Context(), "abc123", growsurf.UpdateCampaignRequest{
					Name:   ptr("Spring referral program 2024"),
					Status: ptr(growsurf.UpdateCampaignRequestStatusCOMPLETE),
				})
				must(t, err, resp.StatusCode(), 400)
				checkError(t, resp.JSON400, "BadRequestError", "BAD_REQUEST_ERROR", "Invalid request.", 400)
				details := val(t, "errors", resp.JSON400.Errors)
				eq(t, "errors[0].field", val(t, "field", details[0].Field), "status")
				eq(t, "errors[0].code", val(t, "code", details[0].Code), "INVALID_STATUS")
			},
		},
		{
			name: "cloneCampaign", method: http.MethodPost, path: "/campaign/abc123/clone", response: "cloneCampaign",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.CloneCampaignWithResponse(t.Context(), "abc123")
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "id", got.Id, "def456")
				eq(t, "status", got.Status, growsurf.CampaignStatusDRAFT)
				eq(t, "participantCount", got.ParticipantCount, 0)
				eq(t, "rewards[0].id", got.Rewards[0].Id, "crew_new001")
			},
		},
	})
}

func TestParticipants(t *testing.T) {
	t.Parallel()
	addBen := growsurf.AddParticipantRequest{
		Email:      "ben@example.com",
		FirstName:  ptr("Ben"),
		LastName:   ptr("Okafor"),
		ReferredBy: ptr("ana@example.com"),
		Metadata:   &growsurf.Metadata{"company": "Okafor Ltd", "seats": 5},
		IpAddress:  ptr("203.0.113.7"),
	}
	runCases(t, []apiCase{
		{
			name: "listParticipants", method: http.MethodGet, path: "/campaign/abc123/participants",
			query:    url.Values{"limit": {"2"}, "nextId": {"k3x9qz"}, "metadata[plan]": {"pro"}},
			response: "listParticipants",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListParticipantsWithResponse(t.Context(), "abc123", &growsurf.ListParticipantsParams{
					Limit:    ptr(2),
					NextId:   ptr("k3x9qz"),
					Metadata: &map[string]string{"plan": "pro"},
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "limit", got.Limit, 2)
				eq(t, "nextId", val(t, "nextId", got.NextId), "q7r8s9")
				eq(t, "len(participants)", len(got.Participants), 2)
				checkAna(t, got.Participants[0])
				eq(t, "participants[1].referrer.id", val(t, "id", val(t, "referrer", got.Participants[1].Referrer).Id), "k3x9qz")
			},
		},
		{
			name: "getParticipant", method: http.MethodGet, path: "/campaign/abc123/participant/k3x9qz", response: "getParticipant",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.GetParticipantWithResponse(t.Context(), "abc123", "k3x9qz")
				must(t, err, resp.StatusCode(), 200)
				checkAna(t, val(t, "JSON200", resp.JSON200))
			},
		},
		{
			name: "getParticipant by email", method: http.MethodGet,
			path: "/campaign/abc123/participant/ana+vip@example.com", response: "getParticipant",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.GetParticipantWithResponse(t.Context(), "abc123", "ana+vip@example.com")
				must(t, err, resp.StatusCode(), 200)
				eq(t, "id", val(t, "JSON200", resp.JSON200).Id, "k3x9qz")
			},
		},
		{
			name: "getParticipant.404", method: http.MethodGet, path: "/campaign/abc123/participant/nobody@example.com",
			response: "getParticipant.404", status: 404,
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.GetParticipantWithResponse(t.Context(), "abc123", "nobody@example.com")
				must(t, err, resp.StatusCode(), 404)
				checkError(t, resp.JSON404, "NotFoundError", "NOT_FOUND_ERROR", "Participant not found.", 404)
			},
		},
		{
			name: "addParticipant", method: http.MethodPost, path: "/campaign/abc123/participant",
			request: "addParticipant.request", response: "addParticipant",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.AddParticipantWithResponse(t.Context(), "abc123", addBen)
				must(t, err, resp.StatusCode(), 200)
				checkBen(t, val(t, "JSON200", resp.JSON200))
			},
		},
		{
			name: "addParticipant.400", method: http.MethodPost, path: "/campaign/abc123/participant",
			request: "addParticipant.request", response: "addParticipant.400", status: 400,
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.AddParticipantWithResponse(t.Context(), "abc123", addBen)
				must(t, err, resp.StatusCode(), 400)
				checkError(t, resp.JSON400, "BadRequestError", "BAD_REQUEST_ERROR", "Invalid request.", 400)
				d := val(t, "errors", resp.JSON400.Errors)[0]
				eq(t, "errors[0].field", val(t, "field", d.Field), "email")
				eq(t, "errors[0].code", val(t, "code", d.Code), "INVALID_EMAIL")
				eq(t, "errors[0].message", val(t, "message", d.Message), "Invalid email address.")
			},
		},
		{
			name: "addParticipant.422", method: http.MethodPost, path: "/campaign/abc123/participant",
			request: "addParticipant.request", response: "addParticipant.422", status: 422,
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.AddParticipantWithResponse(t.Context(), "abc123", addBen)
				must(t, err, resp.StatusCode(), 422)
				checkError(t, resp.JSON422, "UnprocessableEntityError", "UNPROCESSABLE_ENTITY_ERROR", "Participant Blocked", 422)
			},
		},
		{
			name: "createMobileParticipantToken", method: http.MethodPost, path: "/campaign/abc123/mobile-participant-token",
			request: "addParticipant.request", response: "createMobileParticipantToken",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.CreateMobileParticipantTokenWithResponse(t.Context(), "abc123", addBen)
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "participantToken", got.ParticipantToken, "gsp_tok_9f8e7d")
				eq(t, "expiresIn", got.ExpiresIn, 3600)
				eq(t, "isNew", got.IsNew, true)
				checkBen(t, got.Participant)
			},
		},
		{
			name: "updateParticipant", method: http.MethodPost, path: "/campaign/abc123/participant/ana@example.com",
			request: "updateParticipant.request", response: "updateParticipant",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.UpdateParticipantWithResponse(t.Context(), "abc123", "ana@example.com", growsurf.UpdateParticipantRequest{
					FirstName:      ptr("Ana"),
					LastName:       ptr("Silva"),
					Notes:          ptr("VIP customer"),
					Unsubscribed:   ptr(true),
					VanityKeys:     &[]string{"ana-silva"},
					Metadata:       &growsurf.Metadata{"plan": "enterprise"},
					ReferralStatus: ptr(growsurf.UpdateParticipantRequestReferralStatusCREDITAWARDED),
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "lastName", val(t, "lastName", got.LastName), "Silva")
				eq(t, "notes", val(t, "notes", got.Notes), "VIP customer")
				eq(t, "unsubscribed", val(t, "unsubscribed", got.Unsubscribed), true)
				eq(t, "vanityKeys[0]", val(t, "vanityKeys", got.VanityKeys)[0], "ana-silva")
				eq(t, "metadata[plan]", val(t, "metadata", got.Metadata)["plan"], any("enterprise"))
			},
		},
		{
			name: "deleteParticipant", method: http.MethodDelete, path: "/campaign/abc123/participant/k3x9qz", response: "deleteParticipant",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.DeleteParticipantWithResponse(t.Context(), "abc123", "k3x9qz")
				must(t, err, resp.StatusCode(), 200)
				eq(t, "success", val(t, "JSON200", resp.JSON200).Success, true)
			},
		},
		{
			name: "bulkDeleteParticipants", method: http.MethodPost, path: "/campaign/abc123/participants/bulk-delete",
			request: "bulkDeleteParticipants.request", response: "bulkDeleteParticipants",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.BulkDeleteParticipantsWithResponse(t.Context(), "abc123", growsurf.BulkDeleteParticipantsRequest{
					Participants: []string{"k3x9qz", "ben@example.com", "nobody@example.com", "k3x9qz"},
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				if len(got.Results) != 4 {
					t.Fatalf("len(results) = %d, want 4", len(got.Results))
				}
				eq(t, "results[1].index", got.Results[1].Index, 1)
				eq(t, "results[1].status", got.Results[1].Status, growsurf.BulkDeleteRowStatusDELETED)
				eq(t, "results[1].participantId", val(t, "participantId", got.Results[1].ParticipantId), "p4c5d6")
				eq(t, "results[1].email", val(t, "email", got.Results[1].Email), "ben@example.com")
				eq(t, "results[2].status", got.Results[2].Status, growsurf.BulkDeleteRowStatusNOTFOUND)
				eq(t, "results[2].identifier", got.Results[2].Identifier, "nobody@example.com")
				isNull(t, "results[2].participantId", got.Results[2].ParticipantId)
				eq(t, "results[3].status", got.Results[3].Status, growsurf.BulkDeleteRowStatusDUPLICATE)
				eq(t, "summary.total", got.Summary.Total, 4)
				eq(t, "summary.deletedCount", got.Summary.DeletedCount, 2)
				eq(t, "summary.notFoundCount", got.Summary.NotFoundCount, 1)
				eq(t, "summary.duplicateCount", got.Summary.DuplicateCount, 1)
				eq(t, "summary.errorCount", got.Summary.ErrorCount, 0)
			},
		},
		{
			name: "getLeaderboard", method: http.MethodGet, path: "/campaign/abc123/leaderboard",
			query:    url.Values{"leaderboardType": {"CURRENT_MONTH"}, "limit": {"1"}},
			response: "getLeaderboard",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.GetLeaderboardWithResponse(t.Context(), "abc123", &growsurf.GetLeaderboardParams{
					LeaderboardType: ptr(growsurf.LeaderboardTypeCURRENTMONTH),
					Limit:           ptr(1),
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "limit", got.Limit, 1)
				isNull(t, "nextId", got.NextId)
				eq(t, "participants[0].id", got.Participants[0].Id, "k3x9qz")
				eq(t, "participants[0].rank", got.Participants[0].Rank, 1)
				eq(t, "participants[0].monthlyRank", got.Participants[0].MonthlyRank, 1)
			},
		},
	})
}

func TestReferrals(t *testing.T) {
	t.Parallel()
	runCases(t, []apiCase{
		{
			name: "listReferrals", method: http.MethodGet, path: "/campaign/abc123/referrals",
			query: url.Values{
				"limit": {"2"}, "offset": {"0"}, "desc": {"true"}, "sortBy": {"createdAt"},
				"referralStatus": {"CREDIT_PENDING"}, "email": {"ben@example.com"},
			},
			response: "listReferrals",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListReferralsWithResponse(t.Context(), "abc123", &growsurf.ListReferralsParams{
					Limit:          ptr(2),
					Offset:         ptr(0),
					Desc:           ptr(true),
					SortBy:         ptr(growsurf.ReferralSortFieldCreatedAt),
					ReferralStatus: ptr(growsurf.ReferralStatusCREDITPENDING),
					Email:          ptr("ben@example.com"),
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "limit", got.Limit, 2)
				eq(t, "more", got.More, true)
				eq(t, "nextId", val(t, "nextId", got.NextId), "p1a2b3")
				isNull(t, "nextOffset", got.NextOffset)
				if len(got.Referrals) != 2 {
					t.Fatalf("len(referrals) = %d", len(got.Referrals))
				}
				r := got.Referrals[0]
				eq(t, "referrals[0].id", r.Id, "p4c5d6")
				eq(t, "referrals[0].email", r.Email, "ben@example.com")
				eq(t, "referrals[0].referralStatus", r.ReferralStatus, growsurf.ReferralStatusCREDITPENDING)
				eq(t, "referrals[0].referredBy", r.ReferredBy, "k3x9qz")
				eq(t, "referrals[0].createdAt", r.CreatedAt, int64(1717050000000))
				eq(t, "referrals[0].updatedAt", r.UpdatedAt, int64(1717060000000))
				eq(t, "referrals[0].firstName", val(t, "firstName", r.FirstName), "Ben")
				eq(t, "referrals[1].referralStatus", got.Referrals[1].ReferralStatus, growsurf.ReferralStatusINVITESENT)
				isNull(t, "referrals[1].firstName", got.Referrals[1].FirstName)
			},
		},
		{
			name: "listParticipantReferrals", method: http.MethodGet, path: "/campaign/abc123/participant/k3x9qz/referrals",
			query:    url.Values{"nextId": {"p9z8y7"}, "referralStatus": {"CREDIT_AWARDED"}},
			response: "listParticipantReferrals",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListParticipantReferralsWithResponse(t.Context(), "abc123", "k3x9qz", &growsurf.ListParticipantReferralsParams{
					NextId:         ptr("p9z8y7"),
					ReferralStatus: ptr(growsurf.ReferralStatusCREDITAWARDED),
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "more", got.More, false)
				isNull(t, "nextId", got.NextId)
				isNull(t, "nextOffset", got.NextOffset)
				eq(t, "referrals[0].id", got.Referrals[0].Id, "p1a2b3")
				eq(t, "referrals[0].referralStatus", got.Referrals[0].ReferralStatus, growsurf.ReferralStatusCREDITAWARDED)
				isNull(t, "referrals[0].lastName", got.Referrals[0].LastName)
			},
		},
		{
			name: "triggerReferral", method: http.MethodPost, path: "/campaign/abc123/participant/ben@example.com/ref",
			request: "triggerReferral.request", response: "triggerReferral",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.TriggerReferralWithResponse(t.Context(), "abc123", "ben@example.com",
					growsurf.TriggerReferralRequest{DelayInDays: ptr(14)})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "success", got.Success, true)
				eq(t, "message", val(t, "message", got.Message), "Referral will be triggered in 14 days.")
			},
		},
		{
			name: "cancelReferralTrigger", method: http.MethodDelete, path: "/campaign/abc123/participant/p4c5d6/ref",
			response: "cancelReferralTrigger",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.CancelReferralTriggerWithResponse(t.Context(), "abc123", "p4c5d6")
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "success", got.Success, false)
				eq(t, "message", val(t, "message", got.Message), "No pending referral trigger found.")
			},
		},
	})
}

func TestParticipantRewards(t *testing.T) {
	t.Parallel()
	runCases(t, []apiCase{
		{
			name: "listParticipantRewards", method: http.MethodGet, path: "/campaign/abc123/participant/k3x9qz/rewards",
			query: url.Values{"limit": {"2"}}, response: "listParticipantRewards",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListParticipantRewardsWithResponse(t.Context(), "abc123", "k3x9qz",
					&growsurf.ListParticipantRewardsParams{Limit: ptr(2)})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "limit", got.Limit, 2)
				eq(t, "nextId", val(t, "nextId", got.NextId), "prw_3")
				if len(got.Rewards) != 2 {
					t.Fatalf("len(rewards) = %d", len(got.Rewards))
				}
				eq(t, "rewards[0].status", got.Rewards[0].Status, growsurf.ParticipantRewardStatusPENDING)
				isNull(t, "rewards[0].fulfilledAt", got.Rewards[0].FulfilledAt)
				r := got.Rewards[1]
				eq(t, "rewards[1].id", r.Id, "prw_2")
				eq(t, "rewards[1].rewardId", r.RewardId, "crew_xyz789")
				eq(t, "rewards[1].status", r.Status, growsurf.ParticipantRewardStatusFULFILLED)
				eq(t, "rewards[1].isFulfilled", val(t, "isFulfilled", r.IsFulfilled), true)
				eq(t, "rewards[1].fulfilledAt", val(t, "fulfilledAt", r.FulfilledAt), int64(1716600000000))
				eq(t, "rewards[1].isReferrer", val(t, "isReferrer", r.IsReferrer), false)
				eq(t, "rewards[1].referredId", val(t, "referredId", r.ReferredId), "k3x9qz")
				isNull(t, "rewards[1].commissionStructure", r.CommissionStructure)
			},
		},
		{
			name: "approveParticipantReward", method: http.MethodPost, path: "/campaign/abc123/reward/prw_1/approve",
			request: "approveParticipantReward.request", response: "approveParticipantReward",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ApproveParticipantRewardWithResponse(t.Context(), "abc123", "prw_1",
					growsurf.ApproveParticipantRewardRequest{Fulfill: ptr(true)})
				must(t, err, resp.StatusCode(), 200)
				eq(t, "success", val(t, "JSON200", resp.JSON200).Success, true)
			},
		},
		{
			name: "fulfillParticipantReward", method: http.MethodPost, path: "/campaign/abc123/reward/prw_1/fulfill",
			response: "fulfillParticipantReward",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.FulfillParticipantRewardWithResponse(t.Context(), "abc123", "prw_1")
				must(t, err, resp.StatusCode(), 200)
				eq(t, "success", val(t, "JSON200", resp.JSON200).Success, true)
			},
		},
		{
			name: "deleteParticipantReward", method: http.MethodDelete, path: "/campaign/abc123/reward/prw_4",
			response: "deleteParticipantReward",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.DeleteParticipantRewardWithResponse(t.Context(), "abc123", "prw_4")
				must(t, err, resp.StatusCode(), 200)
				eq(t, "success", val(t, "JSON200", resp.JSON200).Success, true)
			},
		},
	})
}

func TestRewardConfigs(t *testing.T) {
	t.Parallel()
	leaderboard := growsurf.CreateCampaignRewardRequest{
		Type:            growsurf.RewardTypeLEADERBOARD,
		Title:           ptr("Top 3 of the month"),
		Description:     ptr("$100 gift card"),
		IsUnlimited:     ptr(false),
		LimitDuration:   ptr(growsurf.LimitDurationPERMONTH),
		NumberOfWinners: ptr(3),
		Metadata:        &growsurf.Metadata{"giftCard": "AMZ-100"},
		Value:           &growsurf.RewardTaxValuation{IsTaxReportable: ptr(true), FairMarketValueUSD: ptr(float64(100))},
	}
	runCases(t, []apiCase{
		{
			name: "listRewardConfigs", method: http.MethodGet, path: "/campaign/abc123/reward-configs", response: "listRewardConfigs",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListRewardConfigsWithResponse(t.Context(), "abc123")
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200).Rewards
				eq(t, "len(rewards)", len(got), 2)
				checkDoubleSided(t, got[0])
				eq(t, "rewards[1].conversionsRequired", val(t, "conversionsRequired", got[1].ConversionsRequired), 5)
			},
		},
		{
			name: "listRewardConfigsLegacy", method: http.MethodGet, path: "/campaign/abc123/rewards", response: "listRewardConfigsLegacy",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListRewardConfigsLegacyWithResponse(t.Context(), "abc123")
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200).Rewards
				eq(t, "len(rewards)", len(got), 1)
				checkDoubleSided(t, got[0])
			},
		},
		{
			name: "createRewardConfig", method: http.MethodPost, path: "/campaign/abc123/reward-configs",
			request: "createRewardConfig.request", response: "createRewardConfig",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.CreateRewardConfigWithResponse(t.Context(), "abc123", leaderboard)
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "id", got.Id, "crew_lb42")
				eq(t, "type", got.Type, growsurf.RewardTypeLEADERBOARD)
				eq(t, "isUnlimited", got.IsUnlimited, false)
				isNull(t, "limit", got.Limit)
				eq(t, "numberOfWinners", val(t, "numberOfWinners", got.NumberOfWinners), 3)
				eq(t, "metadata[giftCard]", got.Metadata["giftCard"], "AMZ-100")
				eq(t, "value.fairMarketValueUSD", val(t, "fmv", val(t, "value", got.Value).FairMarketValueUSD), float64(100))
			},
		},
		{
			name: "createRewardConfigLegacy", method: http.MethodPost, path: "/campaign/abc123/rewards",
			request: "createRewardConfig.request", response: "createRewardConfig",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.CreateRewardConfigLegacyWithResponse(t.Context(), "abc123", leaderboard)
				must(t, err, resp.StatusCode(), 200)
				eq(t, "id", val(t, "JSON200", resp.JSON200).Id, "crew_lb42")
			},
		},
		{
			name: "updateRewardConfig.409", method: http.MethodPatch, path: "/campaign/abc123/reward-configs/crew_xyz789",
			request: "updateRewardConfig.request", response: "updateRewardConfig.409", status: 409,
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.UpdateRewardConfigWithResponse(t.Context(), "abc123", "crew_xyz789",
					growsurf.UpdateCampaignRewardRequest{Metadata: &growsurf.Metadata{}})
				must(t, err, resp.StatusCode(), 409)
				checkError(t, resp.JSON409, "ConflictError", "CONFLICT_ERROR", `Metadata key "sku" is still used in program copy.`, 409)
			},
		},
		{
			name: "updateRewardConfigLegacy", method: http.MethodPatch, path: "/campaign/abc123/rewards/crew_lb42",
			request: "updateRewardConfigLegacy.request", response: "createRewardConfig",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				// The update body is the create body minus type.
				resp, err := c.UpdateRewardConfigLegacyWithResponse(t.Context(), "abc123", "crew_lb42",
					growsurf.UpdateCampaignRewardRequest{
						Title:           leaderboard.Title,
						Description:     leaderboard.Description,
						IsUnlimited:     leaderboard.IsUnlimited,
						LimitDuration:   leaderboard.LimitDuration,
						NumberOfWinners: leaderboard.NumberOfWinners,
						Metadata:        leaderboard.Metadata,
						Value:           leaderboard.Value,
					})
				must(t, err, resp.StatusCode(), 200)
				eq(t, "id", val(t, "JSON200", resp.JSON200).Id, "crew_lb42")
			},
		},
		{
			name: "deleteRewardConfig", method: http.MethodDelete, path: "/campaign/abc123/reward-configs/crew_xyz789",
			response: "deleteRewardConfig",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.DeleteRewardConfigWithResponse(t.Context(), "abc123", "crew_xyz789")
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "id", got.Id, "crew_xyz789")
				eq(t, "success", got.Success, true)
			},
		},
		{
			name: "deleteRewardConfigLegacy", method: http.MethodDelete, path: "/campaign/abc123/rewards/crew_xyz789",
			response: "deleteRewardConfig",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.DeleteRewardConfigLegacyWithResponse(t.Context(), "abc123", "crew_xyz789")
				must(t, err, resp.StatusCode(), 200)
				eq(t, "id", val(t, "JSON200", resp.JSON200).Id, "crew_xyz789")
			},
		},
	})
}

func TestTransactions(t *testing.T) {
	t.Parallel()
	sale := growsurf.TransactionRequest{
		Currency:        "EUR",
		GrossAmount:     4900,
		NetAmount:       ptr(int64(4000)),
		TaxAmount:       ptr(int64(900)),
		PaidAt:          ptr(int64(1717200000000)),
		Description:     ptr("Pro plan, June"),
		CustomerId:      ptr("cus_123"),
		SubscriptionId:  ptr("sub_456"),
		InvoiceId:       ptr("in_789"),
		ChargeId:        ptr("ch_321"),
		TotalTaxAmounts: &[]growsurf.TaxAmount{{"amount": 900, "inclusive": false}},
	}
	runCases(t, []apiCase{
		{
			name: "recordTransaction duplicate", method: http.MethodPost, path: "/campaign/aff789/participant/p4c5d6/transaction",
			request: "recordTransaction.request", response: "recordTransaction",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.RecordTransactionWithResponse(t.Context(), "aff789", "p4c5d6", sale)
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "success", got.Success, false)
				eq(t, "duplicate", got.Duplicate, true)
				isNull(t, "firstSale", got.FirstSale)
				fields := val(t, "duplicateFields", got.DuplicateFields)
				if len(fields) != 2 || fields[0] != "invoiceId" || fields[1] != "chargeId" {
					t.Errorf("duplicateFields = %v", fields)
				}
				eq(t, "matchingCommissionIds[0]", val(t, "matchingCommissionIds", got.MatchingCommissionIds)[0], "com_1")
				eq(t, "commissionsCreated", val(t, "commissionsCreated", got.CommissionsCreated), 0)
				eq(t, "message", got.Message, "Transaction already recorded.")
			},
		},
		{
			name: "recordTransaction.422", method: http.MethodPost, path: "/campaign/abc123/participant/p4c5d6/transaction",
			request: "recordTransaction.request", response: "recordTransaction.422", status: 422,
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.RecordTransactionWithResponse(t.Context(), "abc123", "p4c5d6", sale)
				must(t, err, resp.StatusCode(), 422)
				checkError(t, resp.JSON422, "UnprocessableEntityError", "UNPROCESSABLE_ENTITY_ERROR",
					"This endpoint is only available for affiliate programs.", 422)
			},
		},
		{
			name: "refundTransaction", method: http.MethodPost, path: "/campaign/aff789/participant/p4c5d6/transaction/refund",
			request: "refundTransaction.request", response: "refundTransaction",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.RefundTransactionWithResponse(t.Context(), "aff789", "p4c5d6", growsurf.RefundRequest{
					AmendmentType:  ptr(growsurf.RefundRequestAmendmentTypeREFUND),
					AmountRefunded: ptr(int64(2000)),
					RefundAmount:   ptr(int64(2000)),
					Amount:         ptr(int64(4900)),
					Currency:       ptr("EUR"),
					RefundId:       ptr("re_55"),
					InvoiceId:      ptr("in_789"),
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "success", got.Success, true)
				eq(t, "amendmentType", got.AmendmentType, growsurf.RefundResultAmendmentTypeREFUND)
				eq(t, "matched", got.Matched, 1)
				eq(t, "reversed", got.Reversed, 0)
				eq(t, "adjusted", got.Adjusted, 1)
				eq(t, "deleted", got.Deleted, 0)
				eq(t, "matchingCommissionIds[0]", got.MatchingCommissionIds[0], "com_1")
				eq(t, "message", got.Message, "Commission adjusted.")
				isNull(t, "notFound", got.NotFound)
			},
		},
	})
}

func TestCommissionsAndPayouts(t *testing.T) {
	t.Parallel()
	runCases(t, []apiCase{
		{
			name: "listCommissions", method: http.MethodGet, path: "/campaign/aff789/commissions",
			query: url.Values{"limit": {"2"}, "status": {"APPROVED"}}, response: "listCommissions",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListCommissionsWithResponse(t.Context(), "aff789", &growsurf.ListCommissionsParams{
					Limit:  ptr(2),
					Status: ptr(growsurf.CommissionStatusAPPROVED),
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "limit", got.Limit, 2)
				isNull(t, "nextId", got.NextId)
				if len(got.Commissions) != 2 {
					t.Fatalf("len(commissions) = %d", len(got.Commissions))
				}
				c0 := got.Commissions[0]
				eq(t, "commissions[0].id", c0.Id, "com_1")
				eq(t, "commissions[0].amount", val(t, "amount", c0.Amount), int64(980))
				eq(t, "commissions[0].saleAmount", val(t, "saleAmount", c0.SaleAmount), int64(4900))
				eq(t, "commissions[0].currencyISO", c0.CurrencyISO, "EUR")
				eq(t, "commissions[0].status", c0.Status, growsurf.CommissionStatusAPPROVED)
				eq(t, "commissions[0].event", val(t, "event", c0.Event), growsurf.CommissionEventSALE)
				eq(t, "commissions[0].exchangeRate", val(t, "exchangeRate", c0.ExchangeRate), float64(1))
				eq(t, "commissions[0].approvedAt", val(t, "approvedAt", c0.ApprovedAt), int64(1719800000000))
				eq(t, "commissions[0].holdDuration", val(t, "holdDuration", c0.HoldDuration), 30)
				isNull(t, "commissions[0].paidAt", c0.PaidAt)
				isNull(t, "commissions[0].fxError", c0.FxError)
				eq(t, "commissions[0].provider", val(t, "provider", c0.Provider), "STRIPE")
				c1 := got.Commissions[1]
				isNull(t, "commissions[1].amount", c1.Amount)
				isNull(t, "commissions[1].saleAmount", c1.SaleAmount)
				isNull(t, "commissions[1].event", c1.Event)
				eq(t, "commissions[1].status", c1.Status, growsurf.CommissionStatusPENDING)
			},
		},
		{
			name: "listParticipantCommissions", method: http.MethodGet, path: "/campaign/aff789/participant/k3x9qz/commissions",
			query: url.Values{"limit": {"1"}}, response: "listParticipantCommissions",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListParticipantCommissionsWithResponse(t.Context(), "aff789", "k3x9qz",
					&growsurf.ListParticipantCommissionsParams{Limit: ptr(1)})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "nextId", val(t, "nextId", got.NextId), "com_2")
				eq(t, "commissions[0].referrerId", got.Commissions[0].ReferrerId, "k3x9qz")
				eq(t, "commissions[0].referredId", got.Commissions[0].ReferredId, "p4c5d6")
			},
		},
		{
			name: "approveCommission", method: http.MethodPost, path: "/campaign/aff789/commission/com_2/approve",
			response: "approveCommission",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ApproveCommissionWithResponse(t.Context(), "aff789", "com_2")
				must(t, err, resp.StatusCode(), 200)
				eq(t, "success", val(t, "JSON200", resp.JSON200).Success, true)
			},
		},
		{
			name: "deleteCommission", method: http.MethodDelete, path: "/campaign/aff789/commission/com_2",
			response: "deleteCommission",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.DeleteCommissionWithResponse(t.Context(), "aff789", "com_2")
				must(t, err, resp.StatusCode(), 200)
				eq(t, "success", val(t, "JSON200", resp.JSON200).Success, true)
			},
		},
		{
			name: "listPayouts", method: http.MethodGet, path: "/campaign/aff789/payouts",
			query: url.Values{"status": {"ISSUED"}}, response: "listPayouts",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListPayoutsWithResponse(t.Context(), "aff789",
					&growsurf.ListPayoutsParams{Status: ptr(growsurf.PayoutStatusISSUED)})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "limit", got.Limit, 20)
				isNull(t, "nextId", got.NextId)
				p := got.Payouts[0]
				eq(t, "payouts[0].id", p.Id, "po_1")
				eq(t, "payouts[0].amount", p.Amount, int64(980))
				eq(t, "payouts[0].commissionIds[0]", p.CommissionIds[0], "com_1")
				eq(t, "payouts[0].participantId", p.ParticipantId, "k3x9qz")
				eq(t, "payouts[0].status", p.Status, growsurf.PayoutStatusISSUED)
				eq(t, "payouts[0].issuedAt", val(t, "issuedAt", p.IssuedAt), int64(1720000000000))
				isNull(t, "payouts[0].failedAt", p.FailedAt)
				isNull(t, "payouts[0].exchangeRate", p.ExchangeRate)
				eq(t, "payouts[0].provider", val(t, "provider", p.Provider), "PAYPAL")
			},
		},
		{
			name: "listParticipantPayouts", method: http.MethodGet, path: "/campaign/aff789/participant/k3x9qz/payouts",
			response: "listParticipantPayouts",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListParticipantPayoutsWithResponse(t.Context(), "aff789", "k3x9qz", nil)
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "nextId", val(t, "nextId", got.NextId), "po_3")
				eq(t, "payouts[0].status", got.Payouts[0].Status, growsurf.PayoutStatusUPCOMING)
				isNull(t, "payouts[0].issuedAt", got.Payouts[0].IssuedAt)
				isNull(t, "payouts[0].provider", got.Payouts[0].Provider)
			},
		},
	})
}

func TestInvitesAndEmail(t *testing.T) {
	t.Parallel()
	runCases(t, []apiCase{
		{
			name: "sendInvites", method: http.MethodPost, path: "/campaign/abc123/participant/k3x9qz/invites",
			request: "sendInvites.request", response: "sendInvites",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.SendInvitesWithResponse(t.Context(), "abc123", "k3x9qz", growsurf.SendInvitesRequest{
					EmailAddresses: []string{"cara@example.com", "dev@example.com"},
					SubjectText:    "Join me on Acme",
					MessageText:    "Hi! {{referrerFirstName}} invited you: {{referrerShareUrl}}",
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "success", got.Success, true)
				eq(t, "invitesSent", got.InvitesSent, 2)
				eq(t, "messageType", got.MessageType, "INVITE")
			},
		},
		{
			name: "sendParticipantEmail", method: http.MethodPost, path: "/campaign/abc123/participant/k3x9qz/email",
			request: "sendParticipantEmail.request", response: "sendParticipantEmail",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.SendParticipantEmailWithResponse(t.Context(), "abc123", "k3x9qz",
					growsurf.SendParticipantEmailRequest{EmailType: ptr(growsurf.ParticipantEmailTypeGoalAchieved)})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "success", got.Success, true)
				eq(t, "status", got.Status, growsurf.SendParticipantEmailResultStatusQueued)
			},
		},
		{
			name: "sendParticipantEmail.400", method: http.MethodPost, path: "/campaign/abc123/participant/k3x9qz/email",
			request: "sendParticipantEmail.request", response: "sendParticipantEmail.400", status: 400,
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.SendParticipantEmailWithResponse(t.Context(), "abc123", "k3x9qz",
					growsurf.SendParticipantEmailRequest{EmailType: ptr(growsurf.ParticipantEmailTypeGoalAchieved)})
				must(t, err, resp.StatusCode(), 400)
				checkError(t, resp.JSON400, "BadRequestError", "BAD_REQUEST_ERROR", "A verified custom email domain is required.", 400)
				isNull(t, "errors", resp.JSON400.Errors)
			},
		},
	})
}

func TestAnalytics(t *testing.T) {
	t.Parallel()
	runCases(t, []apiCase{
		{
			name: "getCampaignAnalytics", method: http.MethodGet, path: "/campaign/abc123/analytics",
			query: url.Values{
				"startDate": {"1714521600000"}, "endDate": {"1719791999999"}, "interval": {"month"},
				"include": {"previousPeriod,statusCounts,rates"},
			},
			response: "getCampaignAnalytics",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.GetCampaignAnalyticsWithResponse(t.Context(), "abc123", &growsurf.GetCampaignAnalyticsParams{
					StartDate: ptr(int64(1714521600000)),
					EndDate:   ptr(int64(1719791999999)),
					Interval:  ptr(growsurf.GetCampaignAnalyticsParamsIntervalMonth),
					Include: &[]growsurf.GetCampaignAnalyticsParamsInclude{
						growsurf.GetCampaignAnalyticsParamsIncludePreviousPeriod,
						growsurf.GetCampaignAnalyticsParamsIncludeStatusCounts,
						growsurf.GetCampaignAnalyticsParamsIncludeRates,
					},
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "startDate", got.StartDate, int64(1714521600000))
				eq(t, "endDate", got.EndDate, int64(1719791999999))
				a := got.Analytics
				eq(t, "analytics.emailShares", val(t, "emailShares", a.EmailShares), 4)
				eq(t, "analytics.linkedInShares", val(t, "linkedInShares", a.LinkedInShares), 3)
				eq(t, "analytics.copyRefLinkShares", val(t, "copyRefLinkShares", a.CopyRefLinkShares), 9)
				eq(t, "analytics.uniqueImpressions", val(t, "uniqueImpressions", a.UniqueImpressions), 200)
				eq(t, "analytics.referralCreditPendings", val(t, "referralCreditPendings", a.ReferralCreditPendings), 2)
				isNull(t, "analytics.totalRevenue", a.TotalRevenue)
				series := val(t, "series", got.Series)
				if len(series) != 2 {
					t.Fatalf("len(series) = %d", len(series))
				}
				eq(t, "series[1].periodStart", val(t, "periodStart", series[1].PeriodStart), int64(1717200000000))
				eq(t, "series[1].referrals", val(t, "referrals", series[1].Referrals), 7)
				prev := val(t, "previousPeriod", got.PreviousPeriod)
				eq(t, "previousPeriod.analytics.participants", val(t, "participants", val(t, "analytics", prev.Analytics).Participants), 15)
				eq(t, "previousPeriod.startDate", val(t, "startDate", prev.StartDate), int64(1709251200000))
				sc := val(t, "statusCounts", got.StatusCounts)
				eq(t, "statusCounts.currencyISO", val(t, "currencyISO", sc.CurrencyISO), "USD")
				eq(t, "statusCounts.rewardStatus.approved", val(t, "approved", val(t, "rewardStatus", sc.RewardStatus).Approved), 3)
				isNull(t, "statusCounts.commissionStatus", sc.CommissionStatus)
				rates := val(t, "rates", got.Rates)
				eq(t, "rates.participationRate", val(t, "participationRate", rates.ParticipationRate), float64(0.2))
				eq(t, "rates.sharesPerParticipant", val(t, "sharesPerParticipant", rates.SharesPerParticipant), float64(0.475))
			},
		},
		{
			name: "getParticipantAnalytics", method: http.MethodGet, path: "/campaign/aff789/participant/k3x9qz/analytics",
			query:    url.Values{"days": {"30"}, "include": {"series"}, "interval": {"week"}},
			response: "getParticipantAnalytics",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.GetParticipantAnalyticsWithResponse(t.Context(), "aff789", "k3x9qz", &growsurf.GetParticipantAnalyticsParams{
					Days:     ptr(30),
					Include:  &[]growsurf.GetParticipantAnalyticsParamsInclude{growsurf.GetParticipantAnalyticsParamsIncludeSeries},
					Interval: ptr(growsurf.GetParticipantAnalyticsParamsIntervalWeek),
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				a := got.Analytics
				eq(t, "analytics.currencyISO", val(t, "currencyISO", a.CurrencyISO), "EUR")
				eq(t, "analytics.leads", val(t, "leads", a.Leads), 3)
				eq(t, "analytics.referralRevenue", val(t, "referralRevenue", a.ReferralRevenue), int64(9800))
				eq(t, "analytics.totalPaidOut", val(t, "totalPaidOut", a.TotalPaidOut), int64(980))
				eq(t, "analytics.upcomingPayout", val(t, "upcomingPayout", a.UpcomingPayout), int64(980))
				eq(t, "ranks.rank", val(t, "rank", got.Ranks.Rank), 4)
				eq(t, "ranks.monthlyRank", val(t, "monthlyRank", got.Ranks.MonthlyRank), 2)
				isNull(t, "ranks.prevMonthlyRank", got.Ranks.PrevMonthlyRank)
				eq(t, "shareCount[email]", got.ShareCount["email"], 1)
				eq(t, "series[0].impressions", val(t, "impressions", val(t, "series", got.Series)[0].Impressions), 6)
				eq(t, "startDate", val(t, "startDate", got.StartDate), int64(1714521600000))
			},
		},
		{
			name: "listParticipantActivityLogs", method: http.MethodGet, path: "/campaign/abc123/participant/k3x9qz/activity-logs",
			query: url.Values{"limit": {"2"}, "offset": {"0"}}, response: "listParticipantActivityLogs",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListParticipantActivityLogsWithResponse(t.Context(), "abc123", "k3x9qz",
					&growsurf.ListParticipantActivityLogsParams{Limit: ptr(2), Offset: ptr(0)})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "limit", got.Limit, 2)
				eq(t, "offset", val(t, "offset", got.Offset), 2)
				eq(t, "len(activityLogs)", len(got.ActivityLogs), 2)
				eq(t, "activityLogs[0].createdAt", got.ActivityLogs[0].CreatedAt, int64(1717200000000))
				eq(t, "activityLogs[0].type", got.ActivityLogs[0].Type, "REFERRAL")
				eq(t, "activityLogs[1].text", got.ActivityLogs[1].Text, `Ana earned the reward "Five friends".`)
			},
		},
	})
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	runCases(t, []apiCase{
		{
			name: "listWebhooks", method: http.MethodGet, path: "/campaign/abc123/webhooks", response: "listWebhooks",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.ListWebhooksWithResponse(t.Context(), "abc123")
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200).Webhooks
				if len(got) != 2 {
					t.Fatalf("len(webhooks) = %d", len(got))
				}
				eq(t, "webhooks[0].id", got[0].Id, "primary")
				eq(t, "webhooks[0].payloadUrl", val(t, "payloadUrl", got[0].PayloadUrl), "https://hooks.example.com/growsurf")
				eq(t, "webhooks[0].events[0]", got[0].Events[0], growsurf.WebhookEventPARTICIPANTREACHEDAGOAL)
				eq(t, "webhooks[0].events[1]", got[0].Events[1], growsurf.WebhookEventNEWPARTICIPANTADDED)
				eq(t, "webhooks[0].isEnabled", got[0].IsEnabled, true)
				isNull(t, "webhooks[0].lastFailureAt", got[0].LastFailureAt)
				isNull(t, "webhooks[1].payloadUrl", got[1].PayloadUrl)
				eq(t, "webhooks[1].autoDisabledDueToFailures", val(t, "auto", got[1].AutoDisabledDueToFailures), true)
				eq(t, "webhooks[1].failureCount", val(t, "failureCount", got[1].FailureCount), 12)
				eq(t, "webhooks[1].lastFailureAt", val(t, "lastFailureAt", got[1].LastFailureAt), int64(1717000000000))
			},
		},
		{
			name: "createWebhook", method: http.MethodPost, path: "/campaign/aff789/webhooks",
			request: "createWebhook.request", response: "createWebhook",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.CreateWebhookWithResponse(t.Context(), "aff789", growsurf.CreateWebhookRequest{
					PayloadUrl: "https://hooks.example.com/commissions",
					Events:     &[]growsurf.WebhookEvent{growsurf.WebhookEventNEWCOMMISSIONADDED, growsurf.WebhookEventCOMMISSIONADJUSTED},
					IsEnabled:  ptr(true),
					Secret:     ptr("whsec_abc"),
				})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "id", got.Id, "wh_3")
				eq(t, "events[1]", got.Events[1], growsurf.WebhookEventCOMMISSIONADJUSTED)
				eq(t, "failureCount", val(t, "failureCount", got.FailureCount), 0)
			},
		},
		{
			name: "updateWebhook", method: http.MethodPatch, path: "/campaign/aff789/webhooks/wh_3",
			request: "createWebhook.request", response: "createWebhook",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.UpdateWebhookWithResponse(t.Context(), "aff789", "wh_3", growsurf.UpdateWebhookRequest{
					PayloadUrl: ptr("https://hooks.example.com/commissions"),
					Events:     &[]growsurf.WebhookEvent{growsurf.WebhookEventNEWCOMMISSIONADDED, growsurf.WebhookEventCOMMISSIONADJUSTED},
					IsEnabled:  ptr(true),
					Secret:     ptr("whsec_abc"),
				})
				must(t, err, resp.StatusCode(), 200)
				eq(t, "id", val(t, "JSON200", resp.JSON200).Id, "wh_3")
			},
		},
		{
			name: "deleteWebhook", method: http.MethodDelete, path: "/campaign/abc123/webhooks/wh_2", response: "deleteWebhook",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.DeleteWebhookWithResponse(t.Context(), "abc123", "wh_2")
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "id", got.Id, "wh_2")
				eq(t, "success", got.Success, true)
			},
		},
		{
			name: "testWebhook", method: http.MethodPost, path: "/campaign/abc123/webhooks/primary/test",
			request: "testWebhook.request", response: "testWebhook",
			call: func(t *testing.T, c *growsurf.ClientWithResponses) {
				resp, err := c.TestWebhookWithResponse(t.Context(), "abc123", "primary",
					growsurf.TestWebhookRequest{Event: ptr(growsurf.WebhookEventNEWPARTICIPANTADDED)})
				must(t, err, resp.StatusCode(), 200)
				got := val(t, "JSON200", resp.JSON200)
				eq(t, "success", got.Success, true)
				eq(t, "payload.event", val(t, "payload", got.Payload)["event"], any("NEW_PARTICIPANT_ADDED"))
				r := val(t, "response", got.Response)
				eq(t, "response.statusCode", val(t, "statusCode", r.StatusCode), 200)
				eq(t, "response.msg", val(t, "msg", r.Msg), "OK")
			},
		},
	})
}

// TestWebhookEnvelope decodes the documented webhook deliveries into the
// generated WebhookEnvelope type.
func TestWebhookEnvelope(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file      string
		event     growsurf.WebhookEvent
		createdAt int64
		dataKeys  []string
	}{
		{"webhooks/PARTICIPANT_REACHED_A_GOAL", growsurf.WebhookEventPARTICIPANTREACHEDAGOAL, 1717100000000, []string{"campaign", "participant", "reward"}},
		{"webhooks/NEW_PARTICIPANT_ADDED", growsurf.WebhookEventNEWPARTICIPANTADDED, 1717050000000, []string{"campaign", "participant", "referrer"}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			var env growsurf.WebhookEnvelope
			dec := json.NewDecoder(bytes.NewReader(readTestdata(t, tc.file)))
			if err := dec.Decode(&env); err != nil {
				t.Fatal(err)
			}
			eq(t, "event", env.Event, tc.event)
			eq(t, "createdAt", env.CreatedAt, tc.createdAt)
			for _, k := range tc.dataKeys {
				if _, ok := env.Data[k].(map[string]any); !ok {
					t.Errorf("data.%s missing or not an object: %v", k, env.Data[k])
				}
			}
			if tc.event == growsurf.WebhookEventPARTICIPANTREACHEDAGOAL {
				reward := env.Data["reward"].(map[string]any)
				eq(t, "data.reward.id", reward["id"], any("prw_1"))
				eq(t, "data.reward.rewardId", reward["rewardId"], any("crew_1"))
				participant := env.Data["participant"].(map[string]any)
				referee, _ := participant["referee"].(map[string]any)
				eq(t, "data.participant.referee.id", referee["id"], any("p4c5d6"))
			}
		})
	}
}
