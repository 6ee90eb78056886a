package irefer_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/refbridge/refbridge/client/irefer"
	"github.com/refbridge/refbridge/client/irefer/ireferserver"
)

const (
	serverURL  = "https://api.irefer.io"
	licenseKey = "W4qL69dbdc0ed0520530bede3c1fc574"
	apiKey     = "ireferextapi"
	campaignID = "2605"
)

// methodPath is the escaped request path of method under prefix ("v1.0" or
// "v1").
func methodPath(prefix, method string) string {
	return "/" + prefix + "/" + licenseKey + ".js/" + method
}

// withAPIKey adds iRefer's api_key query parameter, as a server-side caller
// must; the generated client leaves credentials to the caller.
func withAPIKey(key string) irefer.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		q := req.URL.Query()
		q.Set("api_key", key)
		req.URL.RawQuery = q.Encode()
		return nil
	}
}

// newClient returns a generated client that sends api_key the way iRefer
// wants it (query parameter) through a per-test mock transport.
func newClient(t *testing.T) (*irefer.ClientWithResponses, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	c, err := irefer.NewClientWithResponses(serverURL,
		irefer.WithHTTPClient(&http.Client{Transport: mock}),
		irefer.WithRequestEditorFn(withAPIKey(apiKey)))
	if err != nil {
		t.Fatal(err)
	}
	return c, mock
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "irefer", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// specExample returns the named example of a response component of the
// embedded spec, re-encoded as JSON.
func specExample(t *testing.T, response, example string) []byte {
	t.Helper()
	doc, err := ireferserver.GetSwagger()
	if err != nil {
		t.Fatal(err)
	}
	resp := doc.Components.Responses[response]
	if resp == nil || resp.Value == nil {
		t.Fatalf("no response component %q", response)
	}
	ex := resp.Value.Content.Get("application/json").Examples[example]
	if ex == nil || ex.Value == nil {
		t.Fatalf("no example %q on %q", example, response)
	}
	b, err := json.Marshal(ex.Value.Value)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkedResponder verifies the request the generated client sent and
// answers with body as iRefer does: HTTP 200, JSON.
func checkedResponder(t *testing.T, wantPath string, wantQuery url.Values, body []byte) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		if req.Method != http.MethodGet {
			t.Errorf("method = %s, want GET", req.Method)
		}
		if got := req.URL.EscapedPath(); got != wantPath {
			t.Errorf("path = %s, want %s", got, wantPath)
		}
		q := req.URL.Query()
		if got := q["api_key"]; len(got) != 1 || got[0] != apiKey {
			t.Errorf("api_key = %v, want [%s]", got, apiKey)
		}
		q.Del("api_key")
		if !reflect.DeepEqual(q, wantQuery) {
			t.Errorf("query = %v, want %v", q, wantQuery)
		}
		resp := httpmock.NewBytesResponse(http.StatusOK, body)
		resp.Header.Set("Content-Type", "application/json; charset=UTF-8")
		return resp, nil
	}
}

// opCase is one call of one generated operation against one payload.
type opCase[T any] struct {
	name  string
	path  string     // expected escaped request path
	query url.Values // expected query parameters besides api_key
	file  string     // testdata file answered, or
	body  []byte     // literal body answered when file is empty
	call  func(context.Context, *irefer.ClientWithResponses) (int, *T, error)
	check func(*testing.T, T)
}

func runOpCases[T any](t *testing.T, cases []opCase[T]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := tc.body
			if tc.file != "" {
				body = readTestdata(t, tc.file)
			}
			client, mock := newClient(t)
			target := serverURL + tc.path
			mock.RegisterResponder(http.MethodGet, target, checkedResponder(t, tc.path, tc.query, body))
			status, got, err := tc.call(t.Context(), client)
			if err != nil {
				t.Fatal(err)
			}
			if n := mock.GetCallCountInfo()["GET "+target]; n != 1 {
				t.Fatalf("calls to GET %s = %d, want 1 (all: %v)", target, n, mock.GetCallCountInfo())
			}
			if status != http.StatusOK {
				t.Fatalf("status = %d, want 200", status)
			}
			if got == nil {
				t.Fatal("JSON200 is nil")
			}
			tc.check(t, *got)
		})
	}
}

// union is what every generated <Method>Result type offers.
type union interface {
	AsErrorResponse() (irefer.ErrorResponse, error)
	MarshalJSON() ([]byte, error)
}

func eq[V comparable](t *testing.T, field string, got, want V) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

func eqTime(t *testing.T, field string, got time.Time, want string) {
	t.Helper()
	w, err := time.Parse(time.RFC3339, want)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(w) {
		t.Errorf("%s = %v, want %v", field, got, w)
	}
}

func eqTier(t *testing.T, field string, got irefer.Tier, count, heading, desc string) {
	t.Helper()
	eq(t, field+".signups_count", got.SignupsCount, count)
	eq(t, field+".reward_heading", got.RewardHeading, heading)
	eq(t, field+".reward_description", got.RewardDescription, desc)
}

// checkError asserts that the body is iRefer's error object with wantCode.
func checkError[T union](wantCode string) func(*testing.T, T) {
	return func(t *testing.T, got T) {
		t.Helper()
		e, err := got.AsErrorResponse()
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "error", e.Error, "input missing or incorrect")
		eq(t, "error_code", e.ErrorCode, wantCode)
	}
}

// checkNull asserts that a literal null body survived decoding as null.
func checkNull[T union](t *testing.T, got T) {
	t.Helper()
	raw, err := got.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "raw body", string(raw), "null")
	e, err := got.AsErrorResponse()
	if err != nil || e.ErrorCode != "" {
		t.Errorf("null decodes as error %+v (%v)", e, err)
	}
}

// notError asserts that a success object is not mistaken for the error
// object (its error_code is empty).
func notError[T union](t *testing.T, got T) {
	t.Helper()
	if e, err := got.AsErrorResponse(); err != nil || e.ErrorCode != "" {
		t.Errorf("success body decodes as error %+v (%v)", e, err)
	}
}

// both runs two checks.
func both[T any](a, b func(*testing.T, T)) func(*testing.T, T) {
	return func(t *testing.T, got T) { t.Helper(); a(t, got); b(t, got) }
}

const (
	tier1Desc = "Refer 1 of your friends and we will send you a $10 coupon to redeem at our website."
	tier5Desc = "Refer 5 of your friends and we will send you a $50 coupon to redeem at our website."
)

func TestReferrerStats(t *testing.T) {
	t.Parallel()
	params := &irefer.ReferrerStatsParams{Email: "test@gmail.com", CampaignId: campaignID}
	query := url.Values{"email": {"test@gmail.com"}, "campaign_id": {campaignID}}
	v10 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.ReferrerStatsResult, error) {
		r, err := c.ReferrerStatsWithResponse(ctx, licenseKey, params)
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	v1 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.ReferrerStatsResult, error) {
		r, err := c.ReferrerStatsV1WithResponse(ctx, licenseKey, (*irefer.ReferrerStatsV1Params)(params))
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	success := func(t *testing.T, got irefer.ReferrerStatsResult) {
		notError(t, got)
		s, err := got.AsReferrerStats()
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "campaign_name", s.CampaignName, "My referral campaign")
		eq(t, "email", s.Email, "testingirefer@gmail.com")
		eq(t, "confirmed", s.Confirmed, irefer.ConfirmedYes)
		eq(t, "referral_link", s.ReferralLink, "http://getirefer.com/?iref=7XYu.oRD")
		eq(t, "referrals_made", s.ReferralsMade, 1)
		eq(t, "reward_last", s.RewardLast, "Get a $10 Coupon!")
		eq(t, "reward_last_description", s.RewardLastDescription, tier1Desc)
		eq(t, "reward_next", s.RewardNext, "Get a $50 Coupon!")
		eq(t, "reward_next_description", s.RewardNextDescription, tier5Desc)
		eq(t, "reward_next_referrals_remaining", s.RewardNextReferralsRemaining, 4)
		if len(s.RewardsEarned) != 1 || len(s.RewardsOffered) != 2 {
			t.Fatalf("rewards_earned/offered = %d/%d, want 1/2", len(s.RewardsEarned), len(s.RewardsOffered))
		}
		eqTier(t, "rewards_earned[0]", s.RewardsEarned[0], "1", "Get a $10 Coupon!", tier1Desc)
		eqTier(t, "rewards_offered[0]", s.RewardsOffered[0], "1", "Get a $10 Coupon!", tier1Desc)
		eqTier(t, "rewards_offered[1]", s.RewardsOffered[1], "5", "Get a $50 Coupon!", tier5Desc)
	}
	noRewards := func(t *testing.T, got irefer.ReferrerStatsResult) {
		notError(t, got)
		s, err := got.AsReferrerStats()
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "campaign_name", s.CampaignName, "API Double reward")
		eq(t, "confirmed", s.Confirmed, irefer.ConfirmedNo)
		eq(t, "referral_link", s.ReferralLink, "http://getirefer.com/srdt?iref=jZA3MbP0")
		eq(t, "referrals_made", s.ReferralsMade, 0)
		eq(t, "reward_last", s.RewardLast, "None")
		eq(t, "reward_last_description", s.RewardLastDescription, "")
		eq(t, "reward_next", s.RewardNext, "None")
		eq(t, "reward_next_referrals_remaining", s.RewardNextReferralsRemaining, 1)
		if s.RewardsEarned == nil || len(s.RewardsEarned) != 0 {
			t.Errorf("rewards_earned = %#v, want empty non-nil", s.RewardsEarned)
		}
		if len(s.RewardsOffered) != 1 {
			t.Fatalf("rewards_offered has %d tiers, want 1", len(s.RewardsOffered))
		}
		eqTier(t, "rewards_offered[0]", s.RewardsOffered[0], "1", "Get a $10 Coupon!",
			"Refer 5 of your friends and we'll send you a $10 coupon to redeem at our website.")
	}
	failure := checkError[irefer.ReferrerStatsResult]("irefer_api_referrerStats_err_401")
	runOpCases(t, []opCase[irefer.ReferrerStatsResult]{
		{name: "v1.0/success", path: methodPath("v1.0", "referrerStats"), query: query, file: "referrerStats.json", call: v10, check: success},
		{name: "v1/success", path: methodPath("v1", "referrerStats"), query: query, file: "referrerStats.json", call: v1, check: success},
		{name: "v1.0/no-rewards", path: methodPath("v1.0", "referrerStats"), query: query, body: specExample(t, "ReferrerStatsOK", "noRewards"), call: v10, check: noRewards},
		{name: "v1.0/error", path: methodPath("v1.0", "referrerStats"), query: query, file: "referrerStats.200.json", call: v10, check: failure},
		{name: "v1/error", path: methodPath("v1", "referrerStats"), query: query, file: "referrerStats.200.json", call: v1, check: failure},
		{name: "v1.0/null", path: methodPath("v1.0", "referrerStats"), query: query, body: []byte("null"), call: v10, check: checkNull[irefer.ReferrerStatsResult]},
	})
}

func TestCampaignStats(t *testing.T) {
	t.Parallel()
	params := &irefer.CampaignStatsParams{CampaignId: campaignID}
	query := url.Values{"campaign_id": {campaignID}}
	v10 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.CampaignStatsResult, error) {
		r, err := c.CampaignStatsWithResponse(ctx, licenseKey, params)
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	v1 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.CampaignStatsResult, error) {
		r, err := c.CampaignStatsV1WithResponse(ctx, licenseKey, (*irefer.CampaignStatsV1Params)(params))
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	success := func(t *testing.T, got irefer.CampaignStatsResult) {
		notError(t, got)
		s, err := got.AsCampaignStats()
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "campaign_name", s.CampaignName, "My referral campaign")
		eq(t, "total_views", s.TotalViews, "126")
		eq(t, "signups_total", s.SignupsTotal, 27)
		eq(t, "signups_today", s.SignupsToday, 0)
		eq(t, "conversion", s.Conversion, "21.4%")
		eq(t, "referrals", s.Referrals, 22)
		eq(t, "facebook_referrals", s.FacebookReferrals, 1)
		eq(t, "whatsapp_referrals", s.WhatsappReferrals, 1)
		eq(t, "twitter_referrals", s.TwitterReferrals, 1)
		eq(t, "linkedin_referrals", s.LinkedinReferrals, 0)
		eq(t, "email_referrals", s.EmailReferrals, 1)
		if len(s.RewardsOffered) != 2 {
			t.Fatalf("rewards_offered has %d tiers, want 2", len(s.RewardsOffered))
		}
		eqTier(t, "rewards_offered[0]", s.RewardsOffered[0], "1", "Get a $10 Coupon!", tier1Desc)
		eqTier(t, "rewards_offered[1]", s.RewardsOffered[1], "5", "Get a $50 Coupon!", tier5Desc)
	}
	milestones := func(t *testing.T, got irefer.CampaignStatsResult) {
		s, err := got.AsCampaignStats()
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "campaign_name", s.CampaignName, "Milestone Referral Example")
		eq(t, "total_views", s.TotalViews, "6977")
		eq(t, "signups_today", s.SignupsToday, 2)
		eq(t, "conversion", s.Conversion, "0.4%")
		if len(s.RewardsOffered) != 3 {
			t.Fatalf("rewards_offered has %d tiers, want 3", len(s.RewardsOffered))
		}
		eqTier(t, "rewards_offered[2]", s.RewardsOffered[2], "5", "Winston Shave Set",
			"Refer 5 friends and we'll send you the Winston Shave Set")
	}
	failure := checkError[irefer.CampaignStatsResult]("irefer_api_campaignStats_err_401")
	runOpCases(t, []opCase[irefer.CampaignStatsResult]{
		{name: "v1.0/success", path: methodPath("v1.0", "campaignStats"), query: query, file: "campaignStats.json", call: v10, check: success},
		{name: "v1/success", path: methodPath("v1", "campaignStats"), query: query, file: "campaignStats.json", call: v1, check: success},
		{name: "v1/milestones", path: methodPath("v1", "campaignStats"), query: query, body: specExample(t, "CampaignStatsOK", "milestones"), call: v1, check: milestones},
		{name: "v1.0/error", path: methodPath("v1.0", "campaignStats"), query: query, file: "campaignStats.200.json", call: v10, check: failure},
		{name: "v1/error", path: methodPath("v1", "campaignStats"), query: query, file: "campaignStats.200.json", call: v1, check: failure},
		{name: "v1/null", path: methodPath("v1", "campaignStats"), query: query, body: []byte("null"), call: v1, check: checkNull[irefer.CampaignStatsResult]},
	})
}

func ptr[V any](v V) *V { return &v }

func TestNewSignup(t *testing.T) {
	t.Parallel()
	params := &irefer.NewSignupParams{
		CampaignId:   campaignID,
		Email:        "new-participant@irefer.io",
		Name:         ptr("testuser"),
		Phone:        ptr("+1 555 0100"),
		Info1:        ptr("plan=pro"),
		Info5:        ptr("utm=spring"),
		Source:       ptr(irefer.SourceTwitter),
		ReferrerCode: ptr("z6VPk1s0"),
	}
	query := url.Values{
		"campaign_id":   {campaignID},
		"email":         {"new-participant@irefer.io"},
		"name":          {"testuser"},
		"phone":         {"+1 555 0100"},
		"info_1":        {"plan=pro"},
		"info_5":        {"utm=spring"},
		"source":        {"t"},
		"referrer_code": {"z6VPk1s0"},
	}
	v10 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.SignupResult, error) {
		r, err := c.NewSignupWithResponse(ctx, licenseKey, params)
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	v1 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.SignupResult, error) {
		r, err := c.NewSignupV1WithResponse(ctx, licenseKey, (*irefer.NewSignupV1Params)(params))
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	success := func(t *testing.T, got irefer.SignupResult) {
		notError(t, got)
		s, err := got.AsSignup()
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "campaign_name", s.CampaignName, "Test Campaign")
		eq(t, "email", s.Email, "participant5@email.address")
		eq(t, "confirmed", s.Confirmed, irefer.ConfirmedYes)
		eq(t, "referral_link", s.ReferralLink, "http://getirefer.com/?iref=z6VPk1s0")
		if s.Referrer == nil {
			t.Fatal("referrer is nil")
		}
		eq(t, "referrer", *s.Referrer, "participant2@email.address")
		eq(t, "reward_next", s.RewardNext, "Get a $10 Coupon!")
		eq(t, "reward_next_description", s.RewardNextDescription,
			"Refer 5 of your friends and we will send you a $10 coupon to redeem at our website.")
		eq(t, "reward_next_referrals_required", s.RewardNextReferralsRequired, 1)
		if len(s.RewardsOffered) != 2 {
			t.Fatalf("rewards_offered has %d tiers, want 2", len(s.RewardsOffered))
		}
		eqTier(t, "rewards_offered[0]", s.RewardsOffered[0], "1", "Get a $10 Coupon!", tier1Desc)
		eqTier(t, "rewards_offered[1]", s.RewardsOffered[1], "5", "Get a $50 Coupon!", tier5Desc)
	}
	failure := checkError[irefer.SignupResult]("irefer_api_newSignup_err_401")
	runOpCases(t, []opCase[irefer.SignupResult]{
		{name: "v1.0/success", path: methodPath("v1.0", "newSignup"), query: query, file: "newSignup.json", call: v10, check: success},
		{name: "v1/success", path: methodPath("v1", "newSignup"), query: query, file: "newSignup.json", call: v1, check: success},
		{name: "v1.0/error", path: methodPath("v1.0", "newSignup"), query: query, file: "newSignup.200.json", call: v10, check: failure},
		{name: "v1/error", path: methodPath("v1", "newSignup"), query: query, file: "newSignup.200.json", call: v1, check: failure},
		{name: "v1.0/null", path: methodPath("v1.0", "newSignup"), query: query, body: []byte("null"), call: v10, check: checkNull[irefer.SignupResult]},
	})
}

func TestNewSpecificAction(t *testing.T) {
	t.Parallel()
	params := &irefer.NewSpecificActionParams{
		CampaignId:   "2180",
		ExternalId:   "participant@email.address",
		Action:       "/dashboard",
		ReferrerCode: "uniquecode",
	}
	query := url.Values{
		"campaign_id":   {"2180"},
		"external_id":   {"participant@email.address"},
		"action":        {"/dashboard"},
		"referrer_code": {"uniquecode"},
	}
	v10 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.SpecificActionResult, error) {
		r, err := c.NewSpecificActionWithResponse(ctx, licenseKey, params)
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	v1 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.SpecificActionResult, error) {
		r, err := c.NewSpecificActionV1WithResponse(ctx, licenseKey, (*irefer.NewSpecificActionV1Params)(params))
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	success := func(t *testing.T, got irefer.SpecificActionResult) {
		notError(t, got)
		s, err := got.AsSpecificAction()
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "campaign_name", s.CampaignName, "Test Campaign")
		eq(t, "external_id", s.ExternalId, "participant@email.address")
	}
	failure := checkError[irefer.SpecificActionResult]("irefer_api_newSpecificAction_err_401")
	runOpCases(t, []opCase[irefer.SpecificActionResult]{
		{name: "v1.0/success", path: methodPath("v1.0", "newSpecificAction"), query: query, file: "newSpecificAction.json", call: v10, check: success},
		{name: "v1/success", path: methodPath("v1", "newSpecificAction"), query: query, file: "newSpecificAction.json", call: v1, check: success},
		{name: "v1.0/error", path: methodPath("v1.0", "newSpecificAction"), query: query, file: "newSpecificAction.200.json", call: v10, check: failure},
		{name: "v1/error", path: methodPath("v1", "newSpecificAction"), query: query, file: "newSpecificAction.200.json", call: v1, check: failure},
		{name: "v1.0/null", path: methodPath("v1.0", "newSpecificAction"), query: query, body: []byte("null"), call: v10, check: checkNull[irefer.SpecificActionResult]},
	})
}

func TestReferrers(t *testing.T) {
	t.Parallel()
	params := &irefer.ReferrersParams{CampaignId: campaignID}
	query := url.Values{"campaign_id": {campaignID}}
	v10 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.ReferrersResult, error) {
		r, err := c.ReferrersWithResponse(ctx, licenseKey, params)
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	v1 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.ReferrersResult, error) {
		r, err := c.ReferrersV1WithResponse(ctx, licenseKey, (*irefer.ReferrersV1Params)(params))
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	success := func(t *testing.T, got irefer.ReferrersResult) {
		if _, err := got.AsErrorResponse(); err == nil {
			t.Error("an array body decoded as the error object")
		}
		list, err := got.AsReferrerList()
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 {
			t.Fatalf("got %d referrers, want 3", len(list))
		}
		r := list[0]
		eq(t, "[0].id", r.Id, "271047")
		eq(t, "[0].campaign_id", r.CampaignId, "2145")
		eq(t, "[0].referral_link", r.ReferralLink, "aSbVGWuE")
		if r.ReferrerEmail != nil || r.Phone != nil {
			t.Errorf("[0].referrer_email/phone = %v/%v, want nil", r.ReferrerEmail, r.Phone)
		}
		for i, info := range []*string{r.Info1, r.Info2, r.Info3, r.Info4, r.Info5} {
			if info != nil {
				t.Errorf("[0].info_%d = %q, want nil", i+1, *info)
			}
		}
		if r.Name == nil {
			t.Fatal("[0].name is nil")
		}
		eq(t, "[0].name", *r.Name, "test1")
		eq(t, "[0].email", r.Email, "irefertest1@irefertestemail.com")
		eqTime(t, "[0].created_at", r.CreatedAt, "2018-06-04T02:57:24Z")
		eq(t, "[0].ip", r.Ip, "373.114.17.25")
		eq(t, "[0].source_network", r.SourceNetwork, "")
		eq(t, "[0].referrals_count", r.ReferralsCount, "0")
		eq(t, "[1].id", list[1].Id, "271046")
		eq(t, "[1].referral_link", list[1].ReferralLink, "ZsMj8uyJ")
		eq(t, "[1].referrals_count", list[1].ReferralsCount, "3")
		eqTime(t, "[1].created_at", list[1].CreatedAt, "2018-06-03T14:17:34Z")
		eq(t, "[2].email", list[2].Email, "irefertest3@irefertestemail.com")
		eq(t, "[2].ip", list[2].Ip, "173.114.19.109")
	}
	failure := both(checkError[irefer.ReferrersResult]("irefer_api_referrers_err_401"),
		func(t *testing.T, got irefer.ReferrersResult) {
			if _, err := got.AsReferrerList(); err == nil {
				t.Error("the error object decoded as a referrer list")
			}
		})
	runOpCases(t, []opCase[irefer.ReferrersResult]{
		{name: "v1.0/success", path: methodPath("v1.0", "referrers"), query: query, file: "referrers.json", call: v10, check: success},
		{name: "v1/success", path: methodPath("v1", "referrers"), query: query, file: "referrers.json", call: v1, check: success},
		{name: "v1.0/error", path: methodPath("v1.0", "referrers"), query: query, file: "referrers.200.json", call: v10, check: failure},
		{name: "v1/error", path: methodPath("v1", "referrers"), query: query, file: "referrers.200.json", call: v1, check: failure},
		{name: "v1.0/null", path: methodPath("v1.0", "referrers"), query: query, body: []byte("null"), call: v10, check: checkNull[irefer.ReferrersResult]},
	})
}

func TestRewards(t *testing.T) {
	t.Parallel()
	params := &irefer.RewardsParams{CampaignId: campaignID}
	query := url.Values{"campaign_id": {campaignID}}
	v10 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.RewardsResult, error) {
		r, err := c.RewardsWithResponse(ctx, licenseKey, params)
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	v1 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.RewardsResult, error) {
		r, err := c.RewardsV1WithResponse(ctx, licenseKey, (*irefer.RewardsV1Params)(params))
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	success := func(t *testing.T, got irefer.RewardsResult) {
		if _, err := got.AsErrorResponse(); err == nil {
			t.Error("an array body decoded as the error object")
		}
		list, err := got.AsRewardTriggeredList()
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Fatalf("got %d rewards, want 2", len(list))
		}
		r := list[0]
		eq(t, "[0].id", r.Id, "375")
		eq(t, "[0].campaign_id", r.CampaignId, "2205")
		eqTime(t, "[0].triggered_at", r.TriggeredAt, "2018-06-15T16:11:45Z")
		eq(t, "[0].recipient_id", r.RecipientId, "271139")
		eq(t, "[0].recipient_email", r.RecipientEmail, "joinirefer@irefer.io")
		eq(t, "[0].recipient_name", r.RecipientName, "pete")
		eq(t, "[0].recipient_referral_code", r.RecipientReferralCode, "eMxPNXQn")
		eq(t, "[0].referrals_made", r.ReferralsMade, "6")
		eq(t, "[0].reward_id", r.RewardId, "3371")
		eq(t, "[0].reward_heading", r.RewardHeading, "Get a $10 Coupon!")
		eq(t, "[0].reward_description", r.RewardDescription,
			"Refer 3 of your friends and we\u2019ll send you a $10 coupon to redeem at our website.")
		eq(t, "[0].reward_signups_count", r.RewardSignupsCount, "3")
		eq(t, "[0].reward_quantity", r.RewardQuantity, "SINGLE")
		eq(t, "[0].reward_delivery", r.RewardDelivery, "EACHTIME")
		eq(t, "[0].reward_goal_type", r.RewardGoalType, "STANDARD")
		eq(t, "[0].reward_to", r.RewardTo, "REFFERER")
		eq(t, "[1].id", list[1].Id, "374")
		eq(t, "[1].referrals_made", list[1].ReferralsMade, "3")
		eqTime(t, "[1].triggered_at", list[1].TriggeredAt, "2018-06-15T16:10:44Z")
	}
	failure := both(checkError[irefer.RewardsResult]("irefer_api_rewards_err_401"),
		func(t *testing.T, got irefer.RewardsResult) {
			if _, err := got.AsRewardTriggeredList(); err == nil {
				t.Error("the error object decoded as a reward list")
			}
		})
	runOpCases(t, []opCase[irefer.RewardsResult]{
		{name: "v1.0/success", path: methodPath("v1.0", "rewards"), query: query, file: "rewards.json", call: v10, check: success},
		{name: "v1/success", path: methodPath("v1", "rewards"), query: query, file: "rewards.json", call: v1, check: success},
		{name: "v1.0/error", path: methodPath("v1.0", "rewards"), query: query, file: "rewards.200.json", call: v10, check: failure},
		{name: "v1/error", path: methodPath("v1", "rewards"), query: query, file: "rewards.200.json", call: v1, check: failure},
		{name: "v1.0/null", path: methodPath("v1.0", "rewards"), query: query, body: []byte("null"), call: v10, check: checkNull[irefer.RewardsResult]},
	})
}

func TestSpecificActionSignups(t *testing.T) {
	t.Parallel()
	params := &irefer.SpecificActionSignupsParams{CampaignId: campaignID}
	query := url.Values{"campaign_id": {campaignID}}
	v10 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.SpecificActionSignupsResult, error) {
		r, err := c.SpecificActionSignupsWithResponse(ctx, licenseKey, params)
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	v1 := func(ctx context.Context, c *irefer.ClientWithResponses) (int, *irefer.SpecificActionSignupsResult, error) {
		r, err := c.SpecificActionSignupsV1WithResponse(ctx, licenseKey, (*irefer.SpecificActionSignupsV1Params)(params))
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode(), r.JSON200, nil
	}
	success := func(t *testing.T, got irefer.SpecificActionSignupsResult) {
		if _, err := got.AsErrorResponse(); err == nil {
			t.Error("an array body decoded as the error object")
		}
		list, err := got.AsSpecificActionSignupList()
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 {
			t.Fatalf("got %d signups, want 3", len(list))
		}
		s := list[0]
		eq(t, "[0].id", s.Id, "147598")
		eq(t, "[0].campaign_id", s.CampaignId, "2204")
		eq(t, "[0].referrer_email", s.ReferrerEmail, "joinirefer@gmail.com")
		eq(t, "[0].referred_person", s.ReferredPerson, "test3@irefer.io")
		eq(t, "[0].specific_action", s.SpecificAction, "/thanks/")
		eqTime(t, "[0].created_at", s.CreatedAt, "2018-06-15T15:10:57Z")
		eq(t, "[0].ip", s.Ip, "109.228.52.121")
		eq(t, "[1].ip", list[1].Ip, "73.114.17.89")
		eq(t, "[2].id", list[2].Id, "147596")
		eq(t, "[2].referred_person", list[2].ReferredPerson, "test1@irefer.io")
		eqTime(t, "[2].created_at", list[2].CreatedAt, "2018-06-15T15:03:19Z")
	}
	failure := both(checkError[irefer.SpecificActionSignupsResult]("irefer_api_specificActionSignups_err_401"),
		func(t *testing.T, got irefer.SpecificActionSignupsResult) {
			if _, err := got.AsSpecificActionSignupList(); err == nil {
				t.Error("the error object decoded as a signup list")
			}
		})
	runOpCases(t, []opCase[irefer.SpecificActionSignupsResult]{
		{name: "v1.0/success", path: methodPath("v1.0", "specificActionSignups"), query: query, file: "specificActionSignups.json", call: v10, check: success},
		{name: "v1/success", path: methodPath("v1", "specificActionSignups"), query: query, file: "specificActionSignups.json", call: v1, check: success},
		{name: "v1.0/error", path: methodPath("v1.0", "specificActionSignups"), query: query, file: "specificActionSignups.200.json", call: v10, check: failure},
		{name: "v1/error", path: methodPath("v1", "specificActionSignups"), query: query, file: "specificActionSignups.200.json", call: v1, check: failure},
		{name: "v1.0/null", path: methodPath("v1.0", "specificActionSignups"), query: query, body: []byte("null"), call: v10, check: checkNull[irefer.SpecificActionSignupsResult]},
	})
}

// received is what the fake server saw for one request.
type received struct {
	op         string
	licenseKey string
	params     any
}

// fakeServer is a minimal ServerInterface: every operation records its
// name and typed arguments and answers with a null body.
type fakeServer struct{ got *received }

var _ ireferserver.ServerInterface = fakeServer{}

func (s fakeServer) record(w http.ResponseWriter, op, key string, params any) {
	*s.got = received{op: op, licenseKey: key, params: params}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("null"))
}

func (s fakeServer) ReferrerStats(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.ReferrerStatsParams) {
	s.record(w, "referrerStats", k, p)
}

func (s fakeServer) ReferrerStatsV1(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.ReferrerStatsV1Params) {
	s.record(w, "referrerStatsV1", k, p)
}

func (s fakeServer) CampaignStats(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.CampaignStatsParams) {
	s.record(w, "campaignStats", k, p)
}

func (s fakeServer) CampaignStatsV1(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.CampaignStatsV1Params) {
	s.record(w, "campaignStatsV1", k, p)
}

func (s fakeServer) NewSignup(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.NewSignupParams) {
	s.record(w, "newSignup", k, p)
}

func (s fakeServer) NewSignupV1(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.NewSignupV1Params) {
	s.record(w, "newSignupV1", k, p)
}

func (s fakeServer) NewSpecificAction(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.NewSpecificActionParams) {
	s.record(w, "newSpecificAction", k, p)
}

func (s fakeServer) NewSpecificActionV1(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.NewSpecificActionV1Params) {
	s.record(w, "newSpecificActionV1", k, p)
}

func (s fakeServer) Referrers(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.ReferrersParams) {
	s.record(w, "referrers", k, p)
}

func (s fakeServer) ReferrersV1(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.ReferrersV1Params) {
	s.record(w, "referrersV1", k, p)
}

func (s fakeServer) Rewards(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.RewardsParams) {
	s.record(w, "rewards", k, p)
}

func (s fakeServer) RewardsV1(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.RewardsV1Params) {
	s.record(w, "rewardsV1", k, p)
}

func (s fakeServer) SpecificActionSignups(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.SpecificActionSignupsParams) {
	s.record(w, "specificActionSignups", k, p)
}

func (s fakeServer) SpecificActionSignupsV1(w http.ResponseWriter, _ *http.Request, k irefer.LicenseKey, p irefer.SpecificActionSignupsV1Params) {
	s.record(w, "specificActionSignupsV1", k, p)
}

// newHandler serves the generated gorilla routes over a fakeServer. Bad
// parameters are answered the iRefer way: HTTP 200 with the error object
// naming the method.
func newHandler(got *received) http.Handler {
	return ireferserver.HandlerWithOptions(fakeServer{got: got}, ireferserver.GorillaServerOptions{
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, _ error) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(irefer.ErrorResponse{
				Error:     "input missing or incorrect",
				ErrorCode: "irefer_api_" + path.Base(r.URL.Path) + "_err_401",
			})
		},
	})
}

// TestGorillaRoutes serves literal iRefer URLs through the generated
// gorilla handler and checks that the license key is cut out of the
// "{license_key}.js" segment and the query reaches the typed parameters.
func TestGorillaRoutes(t *testing.T) {
	t.Parallel()
	key := "/" + licenseKey + ".js/"
	tests := []struct {
		name       string
		method     string
		target     string
		wantStatus int
		wantOp     string
		wantParams any
		wantBody   string
	}{
		{
			name: "v1.0 referrerStats", target: "/v1.0" + key + "referrerStats?email=test%40gmail.com&campaign_id=2605&api_key=ireferextapi",
			wantStatus: 200, wantOp: "referrerStats", wantParams: irefer.ReferrerStatsParams{Email: "test@gmail.com", CampaignId: "2605"},
		},
		{
			name: "v1 referrerStats", target: "/v1" + key + "referrerStats?email=test@gmail.com&campaign_id=2605",
			wantStatus: 200, wantOp: "referrerStatsV1", wantParams: irefer.ReferrerStatsV1Params{Email: "test@gmail.com", CampaignId: "2605"},
		},
		{
			name: "v1.0 campaignStats", target: "/v1.0" + key + "campaignStats?campaign_id=2605",
			wantStatus: 200, wantOp: "campaignStats", wantParams: irefer.CampaignStatsParams{CampaignId: "2605"},
		},
		{
			name: "v1 campaignStats", target: "/v1" + key + "campaignStats?campaign_id=2605",
			wantStatus: 200, wantOp: "campaignStatsV1", wantParams: irefer.CampaignStatsV1Params{CampaignId: "2605"},
		},
		{
			name: "v1.0 newSignup", target: "/v1.0" + key + "newSignup?campaign_id=2605&email=new-participant@irefer.io&name=testuser",
			wantStatus: 200, wantOp: "newSignup",
			wantParams: irefer.NewSignupParams{CampaignId: "2605", Email: "new-participant@irefer.io", Name: ptr("testuser")},
		},
		{
			name: "v1 newSignup", target: "/v1" + key + "newSignup?campaign_id=2605&email=a%40b.c&info_3=x&source=w&referrer_code=z6VPk1s0",
			wantStatus: 200, wantOp: "newSignupV1",
			wantParams: irefer.NewSignupV1Params{CampaignId: "2605", Email: "a@b.c", Info3: ptr("x"), Source: ptr(irefer.SourceWhatsApp), ReferrerCode: ptr("z6VPk1s0")},
		},
		{
			name: "v1.0 newSpecificAction", target: "/v1.0" + key + "newSpecificAction?campaign_id=2180&external_id=participant@email.address&action=/dashboard&referrer_code=uniquecode",
			wantStatus: 200, wantOp: "newSpecificAction",
			wantParams: irefer.NewSpecificActionParams{CampaignId: "2180", ExternalId: "participant@email.address", Action: "/dashboard", ReferrerCode: "uniquecode"},
		},
		{
			name: "v1 newSpecificAction", target: "/v1" + key + "newSpecificAction?campaign_id=2180&external_id=x&action=%2Fthanks%2F&referrer_code=c",
			wantStatus: 200, wantOp: "newSpecificActionV1",
			wantParams: irefer.NewSpecificActionV1Params{CampaignId: "2180", ExternalId: "x", Action: "/thanks/", ReferrerCode: "c"},
		},
		{
			name: "v1.0 referrers", target: "/v1.0" + key + "referrers?campaign_id=2605",
			wantStatus: 200, wantOp: "referrers", wantParams: irefer.ReferrersParams{CampaignId: "2605"},
		},
		{
			name: "v1 referrers", target: "/v1" + key + "referrers?campaign_id=2605",
			wantStatus: 200, wantOp: "referrersV1", wantParams: irefer.ReferrersV1Params{CampaignId: "2605"},
		},
		{
			name: "v1.0 rewards", target: "/v1.0" + key + "rewards?campaign_id=2605",
			wantStatus: 200, wantOp: "rewards", wantParams: irefer.RewardsParams{CampaignId: "2605"},
		},
		{
			name: "v1 rewards", target: "/v1" + key + "rewards?campaign_id=2605",
			wantStatus: 200, wantOp: "rewardsV1", wantParams: irefer.RewardsV1Params{CampaignId: "2605"},
		},
		{
			name: "v1.0 specificActionSignups", target: "/v1.0" + key + "specificActionSignups?campaign_id=2605",
			wantStatus: 200, wantOp: "specificActionSignups", wantParams: irefer.SpecificActionSignupsParams{CampaignId: "2605"},
		},
		{
			name: "v1 specificActionSignups", target: "/v1" + key + "specificActionSignups?campaign_id=2605",
			wantStatus: 200, wantOp: "specificActionSignupsV1", wantParams: irefer.SpecificActionSignupsV1Params{CampaignId: "2605"},
		},
		{
			name: "missing email answers the iRefer error", target: "/v1.0" + key + "referrerStats?campaign_id=2605",
			wantStatus: 200,
			wantBody:   `{"error":"input missing or incorrect","error_code":"irefer_api_referrerStats_err_401"}` + "\n",
		},
		{name: "no .js suffix", target: "/v1.0/" + licenseKey + "/referrerStats?email=a&campaign_id=1", wantStatus: 404},
		{name: "empty license key", target: "/v1.0/.js/referrerStats?email=a&campaign_id=1", wantStatus: 404},
		{name: "unknown version", target: "/v2" + key + "referrerStats?email=a&campaign_id=1", wantStatus: 404},
		{name: "unknown method", target: "/v1.0" + key + "referStats?email=a&campaign_id=1", wantStatus: 404},
		{name: "POST is not routed", method: http.MethodPost, target: "/v1.0" + key + "campaignStats?campaign_id=1", wantStatus: 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got received
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			rec := httptest.NewRecorder()
			newHandler(&got).ServeHTTP(rec, httptest.NewRequest(method, "https://api.irefer.io"+tc.target, nil))
			eq(t, "status", rec.Code, tc.wantStatus)
			if tc.wantBody != "" {
				eq(t, "body", rec.Body.String(), tc.wantBody)
			}
			eq(t, "operation", got.op, tc.wantOp)
			if tc.wantOp == "" {
				return
			}
			eq(t, "license_key", got.licenseKey, licenseKey)
			if !reflect.DeepEqual(got.params, tc.wantParams) {
				t.Errorf("params = %+v, want %+v", got.params, tc.wantParams)
			}
			eq(t, "body", rec.Body.String(), "null")
		})
	}
}

// TestClientServerRoundTrip sends every operation from the generated client
// through the generated gorilla handler, so the URL the client builds must
// be the URL the server routes.
func TestClientServerRoundTrip(t *testing.T) {
	t.Parallel()
	type caller func(context.Context, *irefer.ClientWithResponses) (int, error)
	signup := irefer.NewSignupParams{CampaignId: "2605", Email: "a@b.c", Phone: ptr("+1 555"), Source: ptr(irefer.SourceEmail)}
	action := irefer.NewSpecificActionParams{CampaignId: "2180", ExternalId: "x@y.z", Action: "/dashboard", ReferrerCode: "uniquecode"}
	stats := irefer.ReferrerStatsParams{Email: "test@gmail.com", CampaignId: "2605"}
	tests := []struct {
		op         string
		call       caller
		wantParams any
	}{
		{"referrerStats", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.ReferrerStatsWithResponse(ctx, licenseKey, &stats)
			return statusOf(r, err)
		}, stats},
		{"referrerStatsV1", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.ReferrerStatsV1WithResponse(ctx, licenseKey, (*irefer.ReferrerStatsV1Params)(&stats))
			return statusOf(r, err)
		}, irefer.ReferrerStatsV1Params(stats)},
		{"campaignStats", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.CampaignStatsWithResponse(ctx, licenseKey, &irefer.CampaignStatsParams{CampaignId: "2605"})
			return statusOf(r, err)
		}, irefer.CampaignStatsParams{CampaignId: "2605"}},
		{"campaignStatsV1", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.CampaignStatsV1WithResponse(ctx, licenseKey, &irefer.CampaignStatsV1Params{CampaignId: "2605"})
			return statusOf(r, err)
		}, irefer.CampaignStatsV1Params{CampaignId: "2605"}},
		{"newSignup", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.NewSignupWithResponse(ctx, licenseKey, &signup)
			return statusOf(r, err)
		}, signup},
		{"newSignupV1", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.NewSignupV1WithResponse(ctx, licenseKey, (*irefer.NewSignupV1Params)(&signup))
			return statusOf(r, err)
		}, irefer.NewSignupV1Params(signup)},
		{"newSpecificAction", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.NewSpecificActionWithResponse(ctx, licenseKey, &action)
			return statusOf(r, err)
		}, action},
		{"newSpecificActionV1", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.NewSpecificActionV1WithResponse(ctx, licenseKey, (*irefer.NewSpecificActionV1Params)(&action))
			return statusOf(r, err)
		}, irefer.NewSpecificActionV1Params(action)},
		{"referrers", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.ReferrersWithResponse(ctx, licenseKey, &irefer.ReferrersParams{CampaignId: "2605"})
			return statusOf(r, err)
		}, irefer.ReferrersParams{CampaignId: "2605"}},
		{"referrersV1", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.ReferrersV1WithResponse(ctx, licenseKey, &irefer.ReferrersV1Params{CampaignId: "2605"})
			return statusOf(r, err)
		}, irefer.ReferrersV1Params{CampaignId: "2605"}},
		{"rewards", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.RewardsWithResponse(ctx, licenseKey, &irefer.RewardsParams{CampaignId: "2605"})
			return statusOf(r, err)
		}, irefer.RewardsParams{CampaignId: "2605"}},
		{"rewardsV1", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.RewardsV1WithResponse(ctx, licenseKey, &irefer.RewardsV1Params{CampaignId: "2605"})
			return statusOf(r, err)
		}, irefer.RewardsV1Params{CampaignId: "2605"}},
		{"specificActionSignups", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.SpecificActionSignupsWithResponse(ctx, licenseKey, &irefer.SpecificActionSignupsParams{CampaignId: "2605"})
			return statusOf(r, err)
		}, irefer.SpecificActionSignupsParams{CampaignId: "2605"}},
		{"specificActionSignupsV1", func(ctx context.Context, c *irefer.ClientWithResponses) (int, error) {
			r, err := c.SpecificActionSignupsV1WithResponse(ctx, licenseKey, &irefer.SpecificActionSignupsV1Params{CampaignId: "2605"})
			return statusOf(r, err)
		}, irefer.SpecificActionSignupsV1Params{CampaignId: "2605"}},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			t.Parallel()
			var got received
			handler := newHandler(&got)
			client, mock := newClient(t)
			mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
				if got := req.URL.Query().Get("api_key"); got != apiKey {
					t.Errorf("api_key = %q, want %q", got, apiKey)
				}
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				return rec.Result(), nil
			})
			status, err := tc.call(t.Context(), client)
			if err != nil {
				t.Fatal(err)
			}
			if n := mock.GetTotalCallCount(); n != 1 {
				t.Fatalf("mock saw %d calls, want 1", n)
			}
			eq(t, "status", status, http.StatusOK)
			eq(t, "operation", got.op, tc.op)
			eq(t, "license_key", got.licenseKey, licenseKey)
			if !reflect.DeepEqual(got.params, tc.wantParams) {
				t.Errorf("params = %+v, want %+v", got.params, tc.wantParams)
			}
		})
	}
}

// statusOf returns the HTTP status of any generated response type.
func statusOf[R interface{ StatusCode() int }](r R, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return r.StatusCode(), nil
}
