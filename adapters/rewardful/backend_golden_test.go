package rewardful_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/rewardful"
)

// goldenSecret is the API secret the golden tests authenticate with.
const goldenSecret = "sk_golden_secret"

// exchange is one request the backend must send and the documented answer
// it gets.
type exchange struct {
	method string
	path   string // below /v1, e.g. "/affiliates/<id>"
	// query is the exact query the backend must send (nil: none).
	query url.Values
	// form is the exact form body the backend must send (nil: no body).
	form   url.Values
	status int
	file   string // testdata/rewardful file answered
	body   string // answered instead of file when set
}

func goldenFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "rewardful", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// goldenForm reads a documented request payload (a JSON object of form
// fields) as the url.Values the backend must send.
func goldenForm(t *testing.T, name string) url.Values {
	t.Helper()
	var fields map[string]any
	if err := json.Unmarshal(goldenFile(t, name), &fields); err != nil {
		t.Fatal(err)
	}
	v := url.Values{}
	for k, val := range fields {
		v.Set(k, fmt.Sprint(val))
	}
	return v
}

// mockBackend returns a backend on Rewardful's default base URL whose
// transport expects exactly the exchanges, in order, and answers them;
// the test fails on any other request or on an exchange left unused.
func mockBackend(t *testing.T, exchanges ...exchange) *rewardful.Backend {
	t.Helper()
	mock := httpmock.NewMockTransport()
	var (
		mu   sync.Mutex
		next int
	)
	mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		if next >= len(exchanges) {
			t.Errorf("unexpected request %s %s", req.Method, req.URL)
			return nil, fmt.Errorf("unexpected request")
		}
		ex := exchanges[next]
		next++
		if err := verify(req, ex); err != nil {
			t.Errorf("request %d (%s %s): %v", next, ex.method, ex.path, err)
			return nil, err
		}
		body := []byte(ex.body)
		if ex.body == "" {
			body = goldenFile(t, ex.file)
		}
		resp := httpmock.NewBytesResponse(ex.status, body)
		resp.Header.Set("Content-Type", "application/json; charset=utf-8")
		return resp, nil
	})
	t.Cleanup(func() {
		if next != len(exchanges) {
			t.Errorf("%d of %d expected requests were sent", next, len(exchanges))
		}
	})
	b, err := rewardful.NewBackend(&rewardful.BackendOptions{APISecret: goldenSecret, HTTPClient: &http.Client{Transport: mock}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// verify checks a request against an exchange: method, URL, credential,
// query and body.
func verify(req *http.Request, ex exchange) error {
	if req.Method != ex.method {
		return fmt.Errorf("method %s, want %s", req.Method, ex.method)
	}
	if req.URL.Scheme != "https" || req.URL.Host != "api.getrewardful.com" || req.URL.Path != "/v1"+ex.path {
		return fmt.Errorf("URL %s, want https://api.getrewardful.com/v1%s", req.URL, ex.path)
	}
	if user, pass, ok := req.BasicAuth(); !ok || user != goldenSecret || pass != "" {
		return fmt.Errorf("basic auth (%q, %q, %v), want the secret as user name and no password", user, pass, ok)
	}
	want := ex.query
	if want == nil {
		want = url.Values{}
	}
	if got := req.URL.Query(); !reflect.DeepEqual(got, want) {
		return fmt.Errorf("query %v, want %v", got, want)
	}
	var raw []byte
	if req.Body != nil {
		var err error
		if raw, err = io.ReadAll(req.Body); err != nil {
			return err
		}
	}
	if ex.form == nil {
		if len(raw) != 0 {
			return fmt.Errorf("unexpected body %q", raw)
		}
		return nil
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		return fmt.Errorf("content type %q, want form-encoded", ct)
	}
	got, err := url.ParseQuery(string(raw))
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(got, ex.form) {
		return fmt.Errorf("form %v, want %v", got, ex.form)
	}
	return nil
}

func ts(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

func tsp(t *testing.T, s string) *time.Time {
	t.Helper()
	v := ts(t, s)
	return &v
}

func same[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.MarshalIndent(got, "", "  ")
		wj, _ := json.MarshalIndent(want, "", "  ")
		t.Fatalf("%s:\n got %s\nwant %s", what, gj, wj)
	}
}

func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// The documented examples' ids.
const (
	gCampaign   = "ceaef6d9-767e-49aa-a6ab-46c02aa79604"
	gAffiliate  = "d0ed8392-8880-4f39-8715-60230f9eceab"
	gLink       = "f46a912b-08bc-4332-8771-c857e11ad9dd"
	gCoupon     = "75434e84-255b-4314-a278-820df5e76813"
	gCommission = "39e68c88-d84a-4510-b3b4-43c75016a080"
	gPayout     = "3b03791a-3fb5-4bd6-8ec3-614c9fd978ca"
)

func rw(kv ...any) canonical.Native {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return canonical.Native{canonical.Rewardful: m}
}

// The documented objects as canonical values.
func goldenCampaign(t *testing.T) canonical.Campaign {
	created := ts(t, "2021-11-24T06:31:06.672Z")
	return canonical.Campaign{
		ID: gCampaign, Name: "Best Friends of Rewardful", Kind: canonical.AffiliateProgram, Status: canonical.CampaignActive,
		Qualification: canonical.QualifyOnSignup, Currency: "USD", URL: "https://rewardful.com/",
		ReferralExpiryDays: 30, CommissionHoldDays: 30, MinimumPayout: canonical.Money{Currency: "USD"},
		Rules: []canonical.RewardRule{{ID: gCampaign, CampaignID: gCampaign, Kind: canonical.CommissionReward, Title: "Commission",
			Unlimited: true, Visible: true, CreatedAt: created,
			Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 30}}},
		CreatedAt: created, UpdatedAt: ts(t, "2022-02-22T23:17:55.119Z"),
		Native: rw("stripe_coupon_id", "jo45MTj3", "parameter_type", "query", "affiliate_dashboard_text", "",
			"custom_reward_description", "", "welcome_text", "", "customers_visible_to_affiliates", false,
			"sale_description_visible_to_affiliates", true, "default", false),
	}
}

func goldenAffiliate(t *testing.T) canonical.Participant {
	return canonical.Participant{
		ID: gAffiliate, CampaignID: "a638ebe4-291d-47cd-a1dc-1519f9331bbd", Email: "adam.jones@example.com",
		FirstName: "Adam", LastName: "Jones", ReferralCode: "adam",
		Affiliate: canonical.Affiliate{IsAffiliate: true, State: canonical.AffiliateActive,
			StripeCustomerID: "cus_ABCDEF123456", StripeAccountID: "acct_ABCDEF123456"},
		Stats:     canonical.ParticipantStats{Visitors: 100, Leads: 42, Conversions: 18, Referrals: 42, ReferredSignups: 42},
		CreatedAt: ts(t, "2019-05-09T16:18:59.920Z"), UpdatedAt: ts(t, "2019-05-09T16:25:42.614Z"),
		Native: rw("state", "active"),
	}
}

func goldenCreatedAffiliate(t *testing.T) canonical.Participant {
	return canonical.Participant{
		ID: "dc939584-a94a-4bdf-b8f4-8d255aae729c", CampaignID: "ae37c8ce-f82b-4e1b-9653-b802ae459a62",
		Email: "jb007@mi6.co.uk", FirstName: "James", LastName: "Bond", ReferralCode: "jb007",
		Verified: true, VerifiedAt: tsp(t, "2020-04-27T00:24:08.331Z"),
		Affiliate: canonical.Affiliate{IsAffiliate: true, State: canonical.AffiliateActive, StripeCustomerID: "cus_ABC123"},
		CreatedAt: ts(t, "2020-04-27T00:24:08.334Z"), UpdatedAt: ts(t, "2020-04-27T00:24:08.334Z"),
		Native: rw("state", "active", "sign_in_count", 0),
	}
}

func goldenCommission(t *testing.T) canonical.Commission {
	return canonical.Commission{
		ID: gCommission, CampaignID: "c3482343-8680-40c5-af9a-9efa119713b5", ReferrerID: "07d8acc5-c689-4b4a-bbab-f88a71ffc012",
		TransactionID: "74e37d3b-03c5-4bfc-841c-a79d5799551a", Amount: canonical.Money{Amount: 3000, Currency: "USD"},
		SaleAmount: canonical.Money{Amount: 10000, Currency: "USD"}, Status: canonical.CommissionDue,
		DueAt: tsp(t, "2020-09-18T16:28:25.000Z"), CreatedAt: ts(t, "2020-08-19T16:28:31.164Z"), UpdatedAt: ts(t, "2020-08-19T16:28:31.164Z"),
		Native: rw("stripe_account_id", "acct_ABC123", "stripe_charge_id", "ch_ABC123"),
	}
}

func goldenPayout(t *testing.T, paidAt, updatedAt, created string, status canonical.PayoutStatus, paidBy bool) canonical.Payout {
	p := canonical.Payout{
		ID: gPayout, ParticipantID: "5768bd90-7953-493f-ae6c-6562eb4d7e72", Amount: canonical.Money{Amount: 1470, Currency: "USD"},
		CommissionIDs: []string{"3a4a775c-b660-4d7f-a733-6f259a2646a7"}, Status: status, PaidAt: tsp(t, paidAt),
		CreatedAt: ts(t, created), UpdatedAt: ts(t, updatedAt),
	}
	if paidBy {
		p.Native = rw("paid_by_id", "3e5c04ae-af80-4964-b280-23df034690d4")
	}
	return p
}

func goldenLink() canonical.Link {
	return canonical.Link{ID: gLink, ParticipantID: "aaac9869-4242-4db9-afb1-f3518ef627c5", Token: "luke", Visitors: 10, Leads: 5, Conversions: 3}
}

func goldenCoupon() canonical.Coupon {
	return canonical.Coupon{ID: gCoupon, ParticipantID: "95d48f70-f1d4-42d9-b929-21996b6d9eb4", Code: "CODE", ExternalID: "promo_1a2b3c"}
}

func TestGoldenCampaigns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("ListCampaigns", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/campaigns", query: q("page", "3", "limit", "10"), status: 200, file: "listCampaigns.json"})
		page, err := b.ListCampaigns(ctx, canonical.ListOptions{Limit: 10, Cursor: "3"})
		if err != nil {
			t.Fatal(err)
		}
		same(t, "page", page, canonical.Page[canonical.Campaign]{Items: []canonical.Campaign{goldenCampaign(t)}, Total: 1})
	})
	t.Run("GetCampaign", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/campaigns/" + gCampaign, status: 200, file: "getCampaign.json"})
		same(t, "campaign", must[canonical.Campaign](t, "get")(b.GetCampaign(ctx, gCampaign)), goldenCampaign(t))
	})
	t.Run("CreateCampaign", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "POST", path: "/campaigns", status: 200, file: "getCampaign.json",
			form: q("name", "Best Friends of Rewardful", "url", "https://rewardful.com/", "reward_type", "percent",
				"commission_percent", "30", "stripe_coupon_id", "jo45MTj3")})
		c := goldenCampaign(t)
		c.ID, c.Rules[0].ID = "", ""
		same(t, "campaign", must[canonical.Campaign](t, "create")(b.CreateCampaign(ctx, c)), goldenCampaign(t))
	})
	t.Run("CreateFixedCampaign", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "POST", path: "/campaigns", status: 200, file: "getCampaign.json",
			form: q("name", "Fixed", "url", "https://x.example.com", "reward_type", "amount", "commission_amount_cents", "1500",
				"commission_amount_currency", "EUR", "private", "true", "minimum_payout_cents", "5000")})
		_, err := b.CreateCampaign(ctx, canonical.Campaign{Name: "Fixed", URL: "https://x.example.com", Private: true,
			MinimumPayout: canonical.Money{Amount: 5000, Currency: "EUR"},
			Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward, Commission: &canonical.CommissionRule{
				Type: canonical.FixedCommission, Amount: canonical.Money{Amount: 1500, Currency: "eur"}}}}})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("UpdateCampaign", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "PUT", path: "/campaigns/" + gCampaign, status: 200, file: "getCampaign.json",
			form: q("name", "New", "private", "false", "minimum_payout_cents", "100", "stripe_coupon_id", "")})
		name, private := "New", false
		got, err := b.UpdateCampaign(ctx, gCampaign, canonical.CampaignPatch{Name: &name, Private: &private,
			MinimumPayout: &canonical.Money{Amount: 100}, Native: canonical.Native{canonical.Rewardful: {"stripe_coupon_id": nil}}})
		if err != nil {
			t.Fatal(err)
		}
		same(t, "campaign", got, goldenCampaign(t))
	})
	t.Run("ListRewardRules", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/campaigns/" + gCampaign, status: 200, file: "getCampaign.json"})
		same(t, "rules", must[[]canonical.RewardRule](t, "rules")(b.ListRewardRules(ctx, gCampaign)), goldenCampaign(t).Rules)
	})
	t.Run("UpdateRewardRule", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t,
			exchange{method: "GET", path: "/campaigns/" + gCampaign, status: 200, file: "getCampaign.json"},
			exchange{method: "PUT", path: "/campaigns/" + gCampaign, status: 200, file: "getCampaign.json",
				form: q("reward_type", "amount", "commission_amount_cents", "700", "commission_amount_currency", "USD")})
		cr := canonical.CommissionRule{Type: canonical.FixedCommission, Amount: canonical.Money{Amount: 700, Currency: "USD"}}
		got, err := b.UpdateRewardRule(ctx, gCampaign, gCampaign, canonical.RewardRulePatch{Commission: &cr})
		if err != nil {
			t.Fatal(err)
		}
		same(t, "rule", got, goldenCampaign(t).Rules[0])
	})
	t.Run("CampaignStats", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/campaigns/" + gCampaign, status: 200, file: "getCampaign.json"})
		same(t, "stats", must[canonical.CampaignStats](t, "stats")(b.CampaignStats(ctx, gCampaign)),
			canonical.CampaignStats{Participants: 12, Visitors: 150, Leads: 39, Conversions: 7, Referrals: 39, ReferredSignups: 39})
	})
}

func TestGoldenParticipants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	expand := q("expand[]", "campaign", "expand[]", "links")
	t.Run("CreateParticipant", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "POST", path: "/affiliates", status: 200, file: "createAffiliate.json",
			form: goldenForm(t, "createAffiliate.request.json")})
		p, created, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
			Email: "jb007@mi6.co.uk", FirstName: "James", LastName: "Bond", ReferralCode: "jb007",
			Affiliate: canonical.Affiliate{StripeCustomerID: "cus_ABC123"}}})
		if err != nil || !created {
			t.Fatalf("created=%v, %v", created, err)
		}
		same(t, "participant", p, goldenCreatedAffiliate(t))
	})
	t.Run("CreateParticipantAllFields", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "POST", path: "/affiliates", status: 200, file: "createAffiliate.json",
			form: q("first_name", "jb", "last_name", "-", "email", "jb@mi6.co.uk", "campaign_id", gCampaign, "state", "disabled",
				"paypal_email", "p@x.com", "wise_email", "w@x.com", "receive_new_commission_notifications", "false")})
		_, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
			CampaignID: gCampaign, Email: "jb@mi6.co.uk",
			Affiliate: canonical.Affiliate{State: canonical.AffiliateBanned, PaypalEmail: "p@x.com", WiseEmail: "w@x.com", NoCommissionEmails: true}}})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("CreateParticipantRefused", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t,
			exchange{method: "POST", path: "/affiliates", status: 422, file: "createAffiliate.422.json",
				form: q("first_name", "A", "last_name", "B", "email", "a@b.co")},
			exchange{method: "GET", path: "/affiliates", query: q("email", "a@b.co", "expand[]", "campaign", "expand[]", "links"),
				status: 200, body: `{"pagination":{"previous_page":null,"current_page":1,"next_page":null,"count":0,"limit":25,"total_pages":1,"total_count":0},"data":[]}`})
		_, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{Email: "a@b.co", FirstName: "A", LastName: "B"}})
		wantCode(t, "422", err, canonical.Invalid)
		var apiErr *rewardful.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 422 || apiErr.Message != "Could not create affiliate." ||
			!reflect.DeepEqual(apiErr.Details, []string{"Email can't be blank"}) || canonical.MessageOf(err) != "Email can't be blank" {
			t.Fatalf("vendor error %#v", apiErr)
		}
	})
	t.Run("CreateParticipantExisting", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t,
			exchange{method: "POST", path: "/affiliates", status: 422,
				body: `{"error":"Could not create affiliate.","details":["Email has already been taken"]}`,
				form: q("first_name", "adam.jones", "last_name", "-", "email", "adam.jones@example.com")},
			exchange{method: "GET", path: "/affiliates", query: q("email", "adam.jones@example.com", "expand[]", "campaign", "expand[]", "links"),
				status: 200, file: "listAffiliates.json"})
		p, created, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{Email: "adam.jones@example.com"}})
		if err != nil || created {
			t.Fatalf("created=%v, %v", created, err)
		}
		same(t, "participant", p, goldenAffiliate(t))
	})
	t.Run("GetParticipantByID", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/affiliates/" + gAffiliate, status: 200, file: "getAffiliate.json"})
		same(t, "participant", must[canonical.Participant](t, "get")(b.GetParticipant(ctx, "", canonical.ByID(gAffiliate))), goldenAffiliate(t))
	})
	t.Run("GetParticipantByEmail", func(t *testing.T) {
		t.Parallel()
		cid := "a638ebe4-291d-47cd-a1dc-1519f9331bbd"
		b := mockBackend(t, exchange{method: "GET", path: "/affiliates", status: 200, file: "listAffiliates.json",
			query: q("campaign_id", cid, "email", "adam.jones@example.com", "expand[]", "campaign", "expand[]", "links")})
		same(t, "participant", must[canonical.Participant](t, "get")(b.GetParticipant(ctx, cid, canonical.ByEmail("adam.jones@example.com"))), goldenAffiliate(t))
	})
	t.Run("GetParticipantByCode", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t,
			exchange{method: "GET", path: "/affiliate_links", query: q("page", "1", "limit", "100"), status: 200, file: "listAffiliateLinks.json"},
			exchange{method: "GET", path: "/affiliates/aaac9869-4242-4db9-afb1-f3518ef627c5", status: 200, file: "getAffiliate.json"})
		same(t, "participant", must[canonical.Participant](t, "get")(b.GetParticipant(ctx, "", canonical.ByCode("luke"))), goldenAffiliate(t))
	})
	t.Run("GetParticipantWrongCampaign", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t,
			exchange{method: "GET", path: "/affiliates/" + gAffiliate, status: 200, file: "getAffiliate.json"},
			exchange{method: "GET", path: "/campaigns/" + gCampaign, status: 200, file: "getCampaign.json"})
		_, err := b.GetParticipant(ctx, gCampaign, canonical.ByID(gAffiliate))
		wantCode(t, "other campaign", err, canonical.NotFound)
	})
	t.Run("ListParticipants", func(t *testing.T) {
		t.Parallel()
		query := q("campaign_id", gCampaign, "limit", "1", "stripe_customer_id", "cus_ABCDEF123456")
		for k, v := range expand {
			query[k] = v
		}
		b := mockBackend(t, exchange{method: "GET", path: "/affiliates", status: 200, file: "listAffiliates.json", query: query})
		page, err := b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: gCampaign, StripeCustomerID: "cus_ABCDEF123456",
			ListOptions: canonical.ListOptions{Limit: 1}})
		if err != nil {
			t.Fatal(err)
		}
		same(t, "page", page, canonical.Page[canonical.Participant]{Items: []canonical.Participant{goldenAffiliate(t)}, NextCursor: "2", Total: 2})
	})
	t.Run("UpdateParticipant", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "PUT", path: "/affiliates/" + gAffiliate, status: 200, file: "getAffiliate.json",
			form: goldenForm(t, "updateAffiliate.request.json")})
		first, email := "Jamie", "james.bond@mi6.co.uk"
		got, err := b.UpdateParticipant(ctx, "", canonical.ByID(gAffiliate), canonical.ParticipantPatch{FirstName: &first, Email: &email})
		if err != nil {
			t.Fatal(err)
		}
		same(t, "participant", got, goldenAffiliate(t))
	})
	t.Run("UpdateParticipantAffiliate", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "PUT", path: "/affiliates/" + gAffiliate, status: 200, file: "getAffiliate.json",
			form: q("campaign_id", gCampaign, "state", "suspicious", "paypal_email", "p@x.com", "wise_email", "",
				"stripe_customer_id", "", "receive_new_commission_notifications", "true")})
		camp := gCampaign
		_, err := b.UpdateParticipant(ctx, "", canonical.ByID(gAffiliate), canonical.ParticipantPatch{CampaignID: &camp,
			Affiliate: &canonical.Affiliate{State: canonical.AffiliateSuspicious, PaypalEmail: "p@x.com"}})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestGoldenLinksAndCoupons(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("ListLinks", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/affiliate_links", query: q("limit", "5"), status: 200, file: "listAffiliateLinks.json"})
		page, err := b.ListLinks(ctx, canonical.LinkQuery{ListOptions: canonical.ListOptions{Limit: 5}})
		if err != nil {
			t.Fatal(err)
		}
		same(t, "page", page, canonical.Page[canonical.Link]{Items: []canonical.Link{goldenLink()}, Total: 1})
	})
	t.Run("ListParticipantLinks", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/affiliates/" + gAffiliate, status: 200, file: "getAffiliate.json"})
		page, err := b.ListLinks(ctx, canonical.LinkQuery{ParticipantID: gAffiliate})
		if err != nil {
			t.Fatal(err)
		}
		same(t, "page", page, canonical.Page[canonical.Link]{Items: []canonical.Link{{ID: "eb844960-6c42-4a3b-8009-f588a42d8506",
			CampaignID: "a638ebe4-291d-47cd-a1dc-1519f9331bbd", ParticipantID: gAffiliate, Token: "adam",
			Visitors: 100, Leads: 42, Conversions: 18}}, Total: 1})
	})
	t.Run("CreateLink", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "POST", path: "/affiliate_links", status: 200, file: "getAffiliateLink.json",
			form: q("affiliate_id", "aaac9869-4242-4db9-afb1-f3518ef627c5", "token", "luke")})
		got := must[canonical.Link](t, "create")(b.CreateLink(ctx, "", canonical.ByID("aaac9869-4242-4db9-afb1-f3518ef627c5"), "luke"))
		same(t, "link", got, goldenLink())
	})
	t.Run("CreateLinkTaken", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "POST", path: "/affiliate_links", status: 422, file: "createAffiliateLink.422.json",
			form: q("affiliate_id", gAffiliate, "token", "luke")})
		_, err := b.CreateLink(ctx, "", canonical.ByID(gAffiliate), "luke")
		wantCode(t, "taken", err, canonical.Conflict)
		if canonical.MessageOf(err) != "Token is already in use." {
			t.Fatalf("message %q", canonical.MessageOf(err))
		}
	})
	t.Run("GetLink", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/affiliate_links/" + gLink, status: 200, file: "getAffiliateLink.json"})
		same(t, "link", must[canonical.Link](t, "get")(b.GetLink(ctx, gLink)), goldenLink())
	})
	t.Run("UpdateLink", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "PUT", path: "/affiliate_links/" + gLink, status: 200, file: "getAffiliateLink.json",
			form: q("token", "luke")})
		same(t, "link", must[canonical.Link](t, "update")(b.UpdateLink(ctx, gLink, "luke")), goldenLink())
	})
	t.Run("UpdateLinkNotFound", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "PUT", path: "/affiliate_links/" + gLink, status: 404, file: "updateAffiliateLink.404.json",
			form: q("token", "luke")})
		_, err := b.UpdateLink(ctx, gLink, "luke")
		wantCode(t, "404", err, canonical.NotFound)
	})
	t.Run("CreateCoupon", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "POST", path: "/affiliate_coupons", status: 200, file: "getAffiliateCoupon.json",
			form: q("affiliate_id", "95d48f70-f1d4-42d9-b929-21996b6d9eb4", "token", "CODE")})
		same(t, "coupon", must[canonical.Coupon](t, "create")(b.CreateCoupon(ctx, "", canonical.ByID("95d48f70-f1d4-42d9-b929-21996b6d9eb4"), "CODE")), goldenCoupon())
	})
	t.Run("CreateCouponRefused", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "POST", path: "/affiliate_coupons", status: 422, file: "createAffiliateCoupon.422.json",
			form: q("affiliate_id", gAffiliate, "token", "X")})
		_, err := b.CreateCoupon(ctx, "", canonical.ByID(gAffiliate), "X")
		wantCode(t, "422", err, canonical.Invalid)
	})
	t.Run("GetCoupon", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/affiliate_coupons/" + gCoupon, status: 200, file: "getAffiliateCoupon.json"})
		same(t, "coupon", must[canonical.Coupon](t, "get")(b.GetCoupon(ctx, gCoupon)), goldenCoupon())
	})
	t.Run("ListCoupons", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/affiliate_coupons", status: 200, file: "listAffiliateCoupons.json",
			query: q("affiliate_id", "95d48f70-f1d4-42d9-b929-21996b6d9eb4")})
		page, err := b.ListCoupons(ctx, canonical.CouponQuery{ParticipantID: "95d48f70-f1d4-42d9-b929-21996b6d9eb4"})
		if err != nil {
			t.Fatal(err)
		}
		same(t, "page", page, canonical.Page[canonical.Coupon]{Items: []canonical.Coupon{goldenCoupon()}, Total: 1})
	})
}

func TestGoldenReferrals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := mockBackend(t, exchange{method: "GET", path: "/referrals", status: 200, file: "listReferrals.json",
		query: q("affiliate_id", "dc939584-a94a-4bdf-b8f4-8d255aae729c", "conversion_state[]", "conversion",
			"email", "fred@example.com", "stripe_customer_id", "cus_ABC123", "updated_since", "2020-01-01T00:00:00Z",
			"expand[]", "affiliate")})
	since := ts(t, "2020-01-01T00:00:00Z")
	page, err := b.ListReferrals(ctx, canonical.ReferralQuery{ReferrerID: "dc939584-a94a-4bdf-b8f4-8d255aae729c",
		States: []canonical.ReferralState{canonical.StateCredited}, Converted: new(true), Email: "fred@example.com",
		StripeCustomerID: "cus_ABC123", UpdatedSince: &since})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "page", page, canonical.Page[canonical.Referral]{Total: 1, Items: []canonical.Referral{{
		ID: "e523da29-6157-4aac-b4b5-05b3b7b14fb6", CampaignID: "ae37c8ce-f82b-4e1b-9653-b802ae459a62",
		ReferrerID: "dc939584-a94a-4bdf-b8f4-8d255aae729c", LinkID: "32a19d65-2b68-434d-a401-e72ca7f24d81",
		Email: "fred@example.com", State: canonical.StateCredited, Visits: 42, StripeCustomerID: "cus_ABC123",
		LeadAt: tsp(t, "2020-04-27T00:36:28.448Z"), ConvertedAt: tsp(t, "2020-04-27T00:38:28.448Z"),
		ExpiresAt: tsp(t, "2020-06-26T00:34:28.448Z"), CreatedAt: ts(t, "2020-04-27T00:34:28.448Z"),
		UpdatedAt: ts(t, "2020-04-27T00:38:28.448Z"),
		Native: rw("conversion_state", "conversion", "stripe_account_id", "acct_ABC123", "customer_id", "cus_ABC123",
			"customer_platform", "stripe", "customer_name", "Fred Durst"),
	}}})

	// States Rewardful never has match nothing, without a request.
	page, err = b.ListReferrals(ctx, canonical.ReferralQuery{States: []canonical.ReferralState{canonical.StatePending}})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("pending referrals: %+v, %v", page, err)
	}
}

func TestGoldenMoney(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("ListCommissions", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/commissions", status: 200, file: "listCommissions.json",
			query: q("affiliate_id", "07d8acc5-c689-4b4a-bbab-f88a71ffc012", "state[]", "due", "state[]", "pending",
				"expand[]", "sale", "expand[]", "campaign", "page", "2", "limit", "25")})
		page, err := b.ListCommissions(ctx, canonical.CommissionQuery{ReferrerID: "07d8acc5-c689-4b4a-bbab-f88a71ffc012",
			Statuses:    []canonical.CommissionStatus{canonical.CommissionDue, canonical.CommissionPending},
			ListOptions: canonical.ListOptions{Limit: 25, Cursor: "2"}})
		if err != nil {
			t.Fatal(err)
		}
		same(t, "page", page, canonical.Page[canonical.Commission]{Items: []canonical.Commission{goldenCommission(t)}, Total: 1})
	})
	t.Run("GetCommission", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/commissions/" + gCommission, status: 200, file: "getCommission.json"})
		same(t, "commission", must[canonical.Commission](t, "get")(b.GetCommission(ctx, gCommission)), goldenCommission(t))
	})
	t.Run("UpdateCommission", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "PUT", path: "/commissions/" + gCommission, status: 200, file: "getCommission.json",
			form: q("due_at", "2020-09-18T16:28:25.000Z", "paid_at", "")})
		var unpaid *time.Time
		got, err := b.UpdateCommission(ctx, gCommission, canonical.CommissionPatch{DueAt: tsp(t, "2020-09-18T16:28:25Z"), PaidAt: &unpaid})
		if err != nil {
			t.Fatal(err)
		}
		same(t, "commission", got, goldenCommission(t))
	})
	t.Run("ApproveCommission", func(t *testing.T) {
		t.Parallel()
		pending := strings.Replace(string(goldenFile(t, "getCommission.json")), `"state": "due"`, `"state": "pending"`, 1)
		b := mockBackend(t,
			exchange{method: "GET", path: "/commissions/" + gCommission, status: 200, body: pending},
			exchange{method: "PUT", path: "/commissions/" + gCommission, status: 200, file: "getCommission.json",
				form: q("due_at", "2020-08-19T16:28:31.164Z")})
		same(t, "commission", must[canonical.Commission](t, "approve")(b.ApproveCommission(ctx, gCommission)), goldenCommission(t))
	})
	t.Run("ApproveDueCommission", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/commissions/" + gCommission, status: 200, file: "getCommission.json"})
		_, err := b.ApproveCommission(ctx, gCommission)
		wantCode(t, "approve due", err, canonical.Conflict)
	})
	t.Run("DeleteCommission", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t,
			exchange{method: "GET", path: "/commissions/" + gCommission, status: 200, file: "getCommission.json"},
			exchange{method: "DELETE", path: "/commissions/" + gCommission, status: 200, file: "deleteCommission.json"})
		same(t, "commission", must[canonical.Commission](t, "delete")(b.DeleteCommission(ctx, gCommission)), goldenCommission(t))
	})
	t.Run("DeleteCommissionGone", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t,
			exchange{method: "GET", path: "/commissions/" + gCommission, status: 200, file: "getCommission.json"},
			exchange{method: "DELETE", path: "/commissions/" + gCommission, status: 404, file: "deleteCommission.404.json"})
		_, err := b.DeleteCommission(ctx, gCommission)
		wantCode(t, "404", err, canonical.NotFound)
	})
	t.Run("ListPayouts", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/payouts", status: 200, file: "listPayouts.json",
			query: q("affiliate_id", "5768bd90-7953-493f-ae6c-6562eb4d7e72", "state[]", "paid",
				"expand[]", "affiliate", "expand[]", "commissions")})
		page, err := b.ListPayouts(ctx, canonical.PayoutQuery{ParticipantID: "5768bd90-7953-493f-ae6c-6562eb4d7e72",
			Statuses: []canonical.PayoutStatus{canonical.PayoutPaid, canonical.PayoutFailed}})
		if err != nil {
			t.Fatal(err)
		}
		same(t, "page", page, canonical.Page[canonical.Payout]{Total: 1, Items: []canonical.Payout{
			goldenPayout(t, "2022-10-12T14:55:11.242Z", "2022-10-12T14:55:11.276Z", "2022-10-12T14:54:52.148Z", canonical.PayoutPaid, true)}})
	})
	t.Run("GetPayout", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "GET", path: "/payouts/" + gPayout, status: 200, file: "getPayout.json"})
		same(t, "payout", must[canonical.Payout](t, "get")(b.GetPayout(ctx, gPayout)),
			goldenPayout(t, "2022-10-12T14:55:11.242Z", "2022-10-12T14:55:11.276Z", "2022-10-12T14:54:52.148Z", canonical.PayoutPaid, true))
	})
	t.Run("PayPayout", func(t *testing.T) {
		t.Parallel()
		b := mockBackend(t, exchange{method: "PUT", path: "/payouts/" + gPayout + "/pay", status: 200, file: "payPayout.json"})
		same(t, "payout", must[canonical.Payout](t, "pay")(b.PayPayout(ctx, gPayout)),
			goldenPayout(t, "2022-11-08T09:13:05.954Z", "2022-11-21T11:48:51.067Z", "2022-10-12T14:42:48.800Z", canonical.PayoutProcessing, false))
	})
}

// TestGoldenErrors maps the documented error payloads.
func TestGoldenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		ex     exchange
		call   func(b *rewardful.Backend) error
		code   canonical.Code
		vendor string
	}{
		{"401", exchange{method: "GET", path: "/affiliates/" + gAffiliate, status: 401, file: "getAffiliate.401.json"},
			func(b *rewardful.Backend) error {
				_, err := b.GetParticipant(ctx, "", canonical.ByID(gAffiliate))
				return err
			},
			canonical.Unauthorized, "Invalid API Secret."},
		{"affiliate 404", exchange{method: "GET", path: "/affiliates/" + gAffiliate, status: 404, file: "getAffiliate.404.json"},
			func(b *rewardful.Backend) error {
				_, err := b.GetParticipant(ctx, "", canonical.ByID(gAffiliate))
				return err
			},
			canonical.NotFound, "Affiliate not found: "},
		{"campaign 404", exchange{method: "GET", path: "/campaigns/" + gCampaign, status: 404, file: "getCampaign.404.json"},
			func(b *rewardful.Backend) error { _, err := b.GetCampaign(ctx, gCampaign); return err },
			canonical.NotFound, "Campaign not found: " + gCampaign},
		{"commission 404", exchange{method: "GET", path: "/commissions/" + gCommission, status: 404, file: "getCommission.404.json"},
			func(b *rewardful.Backend) error { _, err := b.GetCommission(ctx, gCommission); return err },
			canonical.NotFound, "Commission not found: " + gCommission},
		{"payout 404", exchange{method: "GET", path: "/payouts/" + gPayout, status: 404, file: "getPayout.404.json"},
			func(b *rewardful.Backend) error { _, err := b.GetPayout(ctx, gPayout); return err },
			canonical.NotFound, "Payout not found: " + gPayout},
		{"429", exchange{method: "GET", path: "/campaigns", status: 429, body: `{"error":"Rate limit exceeded."}`},
			func(b *rewardful.Backend) error { _, err := b.ListCampaigns(ctx, canonical.ListOptions{}); return err },
			canonical.RateLimited, "Rate limit exceeded."},
		{"500", exchange{method: "GET", path: "/campaigns", status: 500, body: `{"error":"Internal server error."}`},
			func(b *rewardful.Backend) error { _, err := b.ListCampaigns(ctx, canonical.ListOptions{}); return err },
			canonical.Internal, "Internal server error."},
		{"400", exchange{method: "GET", path: "/campaigns", status: 400, body: `{"error":"Invalid value for limit."}`},
			func(b *rewardful.Backend) error { _, err := b.ListCampaigns(ctx, canonical.ListOptions{}); return err },
			canonical.Invalid, "Invalid value for limit."},
		{"403", exchange{method: "GET", path: "/campaigns", status: 403, body: `{"error":"Not on your plan."}`},
			func(b *rewardful.Backend) error { _, err := b.ListCampaigns(ctx, canonical.ListOptions{}); return err },
			canonical.Forbidden, "Not on your plan."},
		{"409", exchange{method: "GET", path: "/campaigns", status: 409, body: `{"error":"Conflict."}`},
			func(b *rewardful.Backend) error { _, err := b.ListCampaigns(ctx, canonical.ListOptions{}); return err },
			canonical.Conflict, "Conflict."},
		{"501", exchange{method: "GET", path: "/campaigns", status: 501, body: `{"error":"Not available."}`},
			func(b *rewardful.Backend) error { _, err := b.ListCampaigns(ctx, canonical.ListOptions{}); return err },
			canonical.NotImplemented, "Not available."},
		{"502 not JSON", exchange{method: "GET", path: "/campaigns", status: 502, body: `<html>bad gateway</html>`},
			func(b *rewardful.Backend) error { _, err := b.ListCampaigns(ctx, canonical.ListOptions{}); return err },
			canonical.Unavailable, ""},
		{"503", exchange{method: "GET", path: "/campaigns", status: 503, body: `{"error":"Down for maintenance."}`},
			func(b *rewardful.Backend) error { _, err := b.ListCampaigns(ctx, canonical.ListOptions{}); return err },
			canonical.Unavailable, "Down for maintenance."},
		{"504", exchange{method: "GET", path: "/campaigns", status: 504, body: `<html>gateway timeout</html>`},
			func(b *rewardful.Backend) error { _, err := b.ListCampaigns(ctx, canonical.ListOptions{}); return err },
			canonical.DeadlineExceeded, ""},
		{"pay not due", exchange{method: "PUT", path: "/payouts/" + gPayout + "/pay", status: 422, body: `{"error":"Could not pay payout.","details":["Payout is not due."]}`},
			func(b *rewardful.Backend) error { _, err := b.PayPayout(ctx, gPayout); return err },
			canonical.Conflict, "Could not pay payout."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call(mockBackend(t, tc.ex))
			wantCode(t, tc.name, err, tc.code)
			var apiErr *rewardful.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.ex.status || apiErr.Message != tc.vendor || len(apiErr.Body) == 0 {
				t.Fatalf("vendor error %#v", apiErr)
			}
		})
	}
	t.Run("transport", func(t *testing.T) {
		t.Parallel()
		mock := httpmock.NewMockTransport()
		mock.RegisterNoResponder(httpmock.NewErrorResponder(errors.New("connection refused")))
		b, err := rewardful.NewBackend(&rewardful.BackendOptions{APISecret: goldenSecret, HTTPClient: &http.Client{Transport: mock}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.ListCampaigns(ctx, canonical.ListOptions{})
		wantCode(t, "transport", err, canonical.Internal)
		if !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("cause lost: %v", err)
		}
	})
}
