package rewardful_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jarcoal/httpmock"

	"github.com/refbridge/refbridge/client/rewardful"
)

// serverURL is the vendor base URL from openapi/rewardful.yaml.
const serverURL = "https://api.getrewardful.com/v1"

// apiSecret is the credential the tests authenticate with.
const apiSecret = "sk_test_rewardful_secret"

// basicAuth places the API secret where Rewardful wants it: the HTTP Basic
// user name, with an empty password.
func basicAuth(_ context.Context, req *http.Request) error {
	req.SetBasicAuth(apiSecret, "")
	return nil
}

// opCase is one operation call against a mocked Rewardful API.
type opCase struct {
	name   string
	method string
	path   string // path below serverURL, e.g. "/affiliates/<id>"
	file   string // testdata/rewardful file answered by the mock
	status int
	// query is the exact query string the client must send (nil: none).
	query url.Values
	// form is the exact form body the client must send (nil: no body).
	form url.Values
	call func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error)
	// check asserts the decoded response field by field.
	check func(t *testing.T, resp any)
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "rewardful", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// requestForm reads a documented request payload (a JSON object of form
// fields) and returns it as the url.Values the client must send.
func requestForm(t *testing.T, name string) url.Values {
	t.Helper()
	var fields map[string]any
	if err := json.Unmarshal(testdata(t, name), &fields); err != nil {
		t.Fatal(err)
	}
	v := url.Values{}
	for k, val := range fields {
		v.Set(k, fmt.Sprint(val))
	}
	return v
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func eqTime(t *testing.T, what string, got *time.Time, want string) {
	t.Helper()
	if got == nil {
		t.Errorf("%s = nil, want %s", what, want)
		return
	}
	if w := mustTime(t, want); !got.Equal(w) {
		t.Errorf("%s = %v, want %v", what, got, w)
	}
}

func isNil[T any](t *testing.T, what string, got *T) {
	t.Helper()
	if got != nil {
		t.Errorf("%s = %v, want nil", what, *got)
	}
}

func deref[T any](t *testing.T, what string, p *T) T {
	t.Helper()
	if p == nil {
		t.Fatalf("%s is nil", what)
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// run builds a client over a fresh mock transport, registers a responder
// that verifies the request and answers with the testdata file, calls the
// operation and runs the checks.
func run(t *testing.T, tc opCase) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	body := testdata(t, tc.file)
	target := serverURL + tc.path
	mock.RegisterResponder(tc.method, target, func(req *http.Request) (*http.Response, error) {
		if req.Method != tc.method {
			return nil, fmt.Errorf("method = %s, want %s", req.Method, tc.method)
		}
		if want := "/v1" + tc.path; req.URL.Path != want {
			return nil, fmt.Errorf("path = %s, want %s", req.URL.Path, want)
		}
		user, pass, ok := req.BasicAuth()
		if !ok || user != apiSecret || pass != "" {
			return nil, fmt.Errorf("basic auth = (%q, %q, %v), want (%q, \"\", true)", user, pass, ok, apiSecret)
		}
		wantQuery := tc.query
		if wantQuery == nil {
			wantQuery = url.Values{}
		}
		if got := req.URL.Query(); !reflect.DeepEqual(got, wantQuery) {
			return nil, fmt.Errorf("query = %v, want %v", got, wantQuery)
		}
		var raw []byte
		if req.Body != nil {
			var err error
			if raw, err = io.ReadAll(req.Body); err != nil {
				return nil, err
			}
		}
		if tc.form == nil {
			if len(raw) != 0 {
				return nil, fmt.Errorf("unexpected request body %q", raw)
			}
		} else {
			if ct := req.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
				return nil, fmt.Errorf("content type = %q, want form-encoded", ct)
			}
			got, err := url.ParseQuery(string(raw))
			if err != nil {
				return nil, err
			}
			if !reflect.DeepEqual(got, tc.form) {
				return nil, fmt.Errorf("form = %v, want %v", got, tc.form)
			}
		}
		resp := httpmock.NewBytesResponse(tc.status, body)
		resp.Header.Set("Content-Type", "application/json; charset=utf-8")
		return resp, nil
	})

	c, err := rewardful.NewClientWithResponses(serverURL,
		rewardful.WithHTTPClient(&http.Client{Transport: mock}),
		rewardful.WithRequestEditorFn(basicAuth))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tc.call(context.Background(), c)
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	if got := mock.GetCallCountInfo()[tc.method+" "+target]; got != 1 {
		t.Fatalf("mock saw %d calls to %s %s, want 1 (all: %v)", got, tc.method, target, mock.GetCallCountInfo())
	}
	if got := reflect.ValueOf(resp).Elem().FieldByName("HTTPResponse").Interface().(*http.Response).StatusCode; got != tc.status {
		t.Fatalf("status = %d, want %d", got, tc.status)
	}
	tc.check(t, resp)
}

// Ids used by the vendor's documented examples.
var (
	campaignID   = uuid.MustParse("ceaef6d9-767e-49aa-a6ab-46c02aa79604")
	affiliateID  = uuid.MustParse("d0ed8392-8880-4f39-8715-60230f9eceab")
	linkID       = uuid.MustParse("f46a912b-08bc-4332-8771-c857e11ad9dd")
	couponID     = uuid.MustParse("75434e84-255b-4314-a278-820df5e76813")
	commissionID = uuid.MustParse("39e68c88-d84a-4510-b3b4-43c75016a080")
	payoutID     = uuid.MustParse("3b03791a-3fb5-4bd6-8ec3-614c9fd978ca")
	ssoID        = uuid.MustParse("5f0c3a8e-1b2c-4d5e-8f90-123456789abc")
)

func checkError(t *testing.T, e *rewardful.Error, wantMsg string, wantDetails ...string) {
	t.Helper()
	if e == nil {
		t.Fatal("error body not decoded")
	}
	eq(t, "error", e.Error, wantMsg)
	if len(wantDetails) == 0 {
		isNil(t, "details", e.Details)
		return
	}
	details := deref(t, "details", e.Details)
	if !reflect.DeepEqual(details, wantDetails) {
		t.Errorf("details = %q, want %q", details, wantDetails)
	}
}

func checkPageOne(t *testing.T, p rewardful.Pagination) {
	t.Helper()
	isNil(t, "previous_page", p.PreviousPage)
	eq(t, "current_page", p.CurrentPage, 1)
	isNil(t, "next_page", p.NextPage)
	eq(t, "count", p.Count, 1)
	eq(t, "limit", p.Limit, 25)
	eq(t, "total_pages", p.TotalPages, 1)
	eq(t, "total_count", p.TotalCount, 1)
}

func checkCampaign(t *testing.T, c rewardful.Campaign) {
	t.Helper()
	eq(t, "id", c.Id, campaignID)
	eqTime(t, "created_at", &c.CreatedAt, "2021-11-24T06:31:06.672Z")
	eqTime(t, "updated_at", &c.UpdatedAt, "2022-02-22T23:17:55.119Z")
	eq(t, "name", c.Name, "Best Friends of Rewardful")
	eq(t, "url", c.Url, "https://rewardful.com/")
	eq(t, "private", c.Private, false)
	eq(t, "private_tokens", c.PrivateTokens, false)
	eq(t, "reward_type", c.RewardType, rewardful.RewardTypePercent)
	eq(t, "commission_percent", deref(t, "commission_percent", c.CommissionPercent), 30.0)
	isNil(t, "commission_amount_cents", c.CommissionAmountCents)
	isNil(t, "commission_amount_currency", c.CommissionAmountCurrency)
	eq(t, "minimum_payout_cents", c.MinimumPayoutCents, 0)
	eq(t, "minimum_payout_currency", c.MinimumPayoutCurrency, "USD")
	isNil(t, "max_commission_period_months", c.MaxCommissionPeriodMonths)
	isNil(t, "max_commissions", c.MaxCommissions)
	eq(t, "days_before_referrals_expire", c.DaysBeforeReferralsExpire, 30)
	eq(t, "days_until_commissions_are_due", c.DaysUntilCommissionsAreDue, 30)
	eq(t, "affiliate_dashboard_text", c.AffiliateDashboardText, "")
	eq(t, "customers_visible_to_affiliates", c.CustomersVisibleToAffiliates, false)
	eq(t, "sale_description_visible_to_affiliates", c.SaleDescriptionVisibleToAffiliates, true)
	eq(t, "parameter_type", c.ParameterType, rewardful.ParameterTypeQuery)
	eq(t, "stripe_coupon_id", deref(t, "stripe_coupon_id", c.StripeCouponId), "jo45MTj3")
	eq(t, "default", c.Default, false)
	eq(t, "visitors", c.Visitors, 150)
	eq(t, "leads", c.Leads, 39)
	eq(t, "conversions", c.Conversions, 7)
	eq(t, "affiliates", c.Affiliates, 12)
}

// checkAdam asserts the documented affiliate object (Adam Jones).
func checkAdam(t *testing.T, a rewardful.Affiliate, withCoupon bool) {
	t.Helper()
	eq(t, "id", a.Id, affiliateID)
	eqTime(t, "created_at", &a.CreatedAt, "2019-05-09T16:18:59.920Z")
	eqTime(t, "updated_at", &a.UpdatedAt, "2019-05-09T16:25:42.614Z")
	eq(t, "first_name", a.FirstName, "Adam")
	eq(t, "last_name", a.LastName, "Jones")
	eq(t, "email", a.Email, "adam.jones@example.com")
	isNil(t, "paypal_email", a.PaypalEmail)
	eq(t, "state", deref(t, "state", a.State), rewardful.AffiliateStateActive)
	eq(t, "stripe_customer_id", deref(t, "stripe_customer_id", a.StripeCustomerId), "cus_ABCDEF123456")
	eq(t, "stripe_account_id", deref(t, "stripe_account_id", a.StripeAccountId), "acct_ABCDEF123456")
	eq(t, "visitors", deref(t, "visitors", a.Visitors), 100)
	eq(t, "leads", deref(t, "leads", a.Leads), 42)
	eq(t, "conversions", a.Conversions, 18)
	camp := deref(t, "campaign", a.Campaign)
	eq(t, "campaign.id", camp.Id, uuid.MustParse("a638ebe4-291d-47cd-a1dc-1519f9331bbd"))
	eq(t, "campaign.name", camp.Name, "Best Friends of Kyle")
	eqTime(t, "campaign.updated_at", &camp.UpdatedAt, "2019-05-05T20:58:24.200Z")
	links := deref(t, "links", a.Links)
	if len(links) != 1 {
		t.Fatalf("len(links) = %d, want 1", len(links))
	}
	eq(t, "links[0].id", links[0].Id, uuid.MustParse("eb844960-6c42-4a3b-8009-f588a42d8506"))
	eq(t, "links[0].url", links[0].Url, "http://www.example.com/?via=adam")
	eq(t, "links[0].token", links[0].Token, "adam")
	eq(t, "links[0].visitors", deref(t, "links[0].visitors", links[0].Visitors), 100)
	eq(t, "links[0].leads", deref(t, "links[0].leads", links[0].Leads), 42)
	eq(t, "links[0].conversions", links[0].Conversions, 18)
	isNil(t, "links[0].affiliate_id", links[0].AffiliateId)
	if !withCoupon {
		isNil(t, "coupon", a.Coupon)
		return
	}
	cp := deref(t, "coupon", a.Coupon)
	eq(t, "coupon.id", cp.Id, couponID)
	eq(t, "coupon.external_id", cp.ExternalId, "promo_1a2b3c")
	eq(t, "coupon.token", cp.Token, "CODE")
	eq(t, "coupon.leads", cp.Leads, 0)
	eq(t, "coupon.conversions", cp.Conversions, 0)
	eq(t, "coupon.affiliate_id", deref(t, "coupon.affiliate_id", cp.AffiliateId), uuid.MustParse("95d48f70-f1d4-42d9-b929-21996b6d9eb4"))
}

func checkLink(t *testing.T, l rewardful.AffiliateLink) {
	t.Helper()
	eq(t, "id", l.Id, linkID)
	eq(t, "url", l.Url, "https://www.demo.com:8081/?via=luke")
	eq(t, "token", l.Token, "luke")
	eq(t, "visitors", deref(t, "visitors", l.Visitors), 10)
	eq(t, "leads", deref(t, "leads", l.Leads), 5)
	eq(t, "conversions", l.Conversions, 3)
	eq(t, "affiliate_id", deref(t, "affiliate_id", l.AffiliateId), uuid.MustParse("aaac9869-4242-4db9-afb1-f3518ef627c5"))
}

func checkCoupon(t *testing.T, c rewardful.AffiliateCoupon) {
	t.Helper()
	eq(t, "id", c.Id, couponID)
	eq(t, "external_id", c.ExternalId, "promo_1a2b3c")
	eq(t, "token", c.Token, "CODE")
	eq(t, "leads", c.Leads, 0)
	eq(t, "conversions", c.Conversions, 0)
	eq(t, "affiliate_id", deref(t, "affiliate_id", c.AffiliateId), uuid.MustParse("95d48f70-f1d4-42d9-b929-21996b6d9eb4"))
	isNil(t, "archived", c.Archived)
	isNil(t, "archived_at", c.ArchivedAt)
}

func checkCommission(t *testing.T, c rewardful.Commission) {
	t.Helper()
	eq(t, "id", c.Id, commissionID)
	eqTime(t, "created_at", &c.CreatedAt, "2020-08-19T16:28:31.164Z")
	eq(t, "amount", c.Amount, 3000)
	eq(t, "currency", c.Currency, "USD")
	eq(t, "state", c.State, rewardful.CommissionStateDue)
	eqTime(t, "due_at", c.DueAt, "2020-09-18T16:28:25.000Z")
	isNil(t, "paid_at", c.PaidAt)
	isNil(t, "voided_at", c.VoidedAt)
	camp := deref(t, "campaign", c.Campaign)
	eq(t, "campaign.id", camp.Id, uuid.MustParse("c3482343-8680-40c5-af9a-9efa119713b5"))
	eq(t, "campaign.name", camp.Name, "Friends Of MI6")
	sale := deref(t, "sale", c.Sale)
	eq(t, "sale.id", sale.Id, uuid.MustParse("74e37d3b-03c5-4bfc-841c-a79d5799551a"))
	eqTime(t, "sale.charged_at", &sale.ChargedAt, "2020-08-19T16:28:25.000Z")
	eqTime(t, "sale.invoiced_at", sale.InvoicedAt, "2020-08-19T16:28:25.000Z")
	eq(t, "sale.stripe_charge_id", deref(t, "sale.stripe_charge_id", sale.StripeChargeId), "ch_ABC123")
	eq(t, "sale.charge_amount_cents", sale.ChargeAmountCents, 10000)
	eq(t, "sale.refund_amount_cents", sale.RefundAmountCents, 0)
	eq(t, "sale.tax_amount_cents", sale.TaxAmountCents, 0)
	eq(t, "sale.sale_amount_cents", sale.SaleAmountCents, 10000)
	ref := deref(t, "sale.referral", sale.Referral)
	eq(t, "referral.id", ref.Id, uuid.MustParse("d154e622-278a-4103-b191-5cbebae4047a"))
	eq(t, "referral.conversion_state", ref.ConversionState, rewardful.ConversionStateConversion)
	isNil(t, "referral.deactivated_at", ref.DeactivatedAt)
	eqTime(t, "referral.expires_at", ref.ExpiresAt, "2020-10-18T16:13:12.109Z")
	eq(t, "referral.visits", deref(t, "referral.visits", ref.Visits), 2)
	cust := deref(t, "referral.customer", ref.Customer)
	eq(t, "customer.id", cust.Id, "cus_ABC123")
	eq(t, "customer.name", deref(t, "customer.name", cust.Name), "Freddie Mercury")
	eq(t, "customer.platform", cust.Platform, "stripe")
	link := deref(t, "referral.link", ref.Link)
	eq(t, "link.token", link.Token, "james")
	eq(t, "link.conversions", link.Conversions, 156)
	aff := deref(t, "sale.affiliate", sale.Affiliate)
	eq(t, "affiliate.id", aff.Id, uuid.MustParse("07d8acc5-c689-4b4a-bbab-f88a71ffc012"))
	eq(t, "affiliate.last_name", aff.LastName, "Bond")
	isNil(t, "affiliate.state", aff.State)
	eq(t, "affiliate.receive_new_commission_notifications", deref(t, "rncn", aff.ReceiveNewCommissionNotifications), true)
}

func checkPayout(t *testing.T, p rewardful.Payout, paid bool) {
	t.Helper()
	eq(t, "id", p.Id, payoutID)
	eq(t, "currency", p.Currency, "USD")
	eq(t, "amount", p.Amount, 1470)
	if paid {
		eq(t, "state", p.State, rewardful.PayoutStatePaid)
		eqTime(t, "paid_at", p.PaidAt, "2022-10-12T14:55:11.242Z")
		eq(t, "paid_by_id", deref(t, "paid_by_id", p.PaidById), uuid.MustParse("3e5c04ae-af80-4964-b280-23df034690d4"))
	} else {
		eq(t, "state", p.State, rewardful.PayoutStateProcessing)
		eqTime(t, "paid_at", p.PaidAt, "2022-11-08T09:13:05.954Z")
		isNil(t, "paid_by_id", p.PaidById)
	}
	aff := deref(t, "affiliate", p.Affiliate)
	eq(t, "affiliate.id", aff.Id, uuid.MustParse("5768bd90-7953-493f-ae6c-6562eb4d7e72"))
	eq(t, "affiliate.state", deref(t, "affiliate.state", aff.State), rewardful.AffiliateStateActive)
	eq(t, "affiliate.first_name", aff.FirstName, "Joe")
	isNil(t, "affiliate.wise_email", aff.WiseEmail)
	eq(t, "affiliate.visitors", deref(t, "affiliate.visitors", aff.Visitors), 376)
	eq(t, "affiliate.receive_new_commission_notifications", deref(t, "rncn", aff.ReceiveNewCommissionNotifications), false)
	comms := deref(t, "commissions", p.Commissions)
	if len(comms) != 1 {
		t.Fatalf("len(commissions) = %d, want 1", len(comms))
	}
	eq(t, "commissions[0].id", comms[0].Id, uuid.MustParse("3a4a775c-b660-4d7f-a733-6f259a2646a7"))
	eq(t, "commissions[0].amount", comms[0].Amount, 1470)
	eq(t, "commissions[0].stripe_account_id", deref(t, "sai", comms[0].StripeAccountId), "acct_1GWIyRDLlKlZvFB2")
	eqTime(t, "commissions[0].due_at", comms[0].DueAt, "2022-07-31T15:55:19.000Z")
	if paid {
		eqTime(t, "commissions[0].paid_at", comms[0].PaidAt, "2022-10-12T14:55:11.242Z")
	} else {
		eqTime(t, "commissions[0].paid_at", comms[0].PaidAt, "2022-11-21T11:48:51.067Z")
	}
}

func TestOperations(t *testing.T) {
	t.Parallel()
	updatedSince := mustTime(t, "2020-04-01T00:00:00Z")
	var createAffBody rewardful.CreateAffiliateRequest
	if err := json.Unmarshal(testdata(t, "createAffiliate.request.json"), &createAffBody); err != nil {
		t.Fatal(err)
	}
	var updateAffBody rewardful.UpdateAffiliateRequest
	if err := json.Unmarshal(testdata(t, "updateAffiliate.request.json"), &updateAffBody); err != nil {
		t.Fatal(err)
	}
	cases := []opCase{
		{
			name: "listCampaigns", method: http.MethodGet, path: "/campaigns",
			file: "listCampaigns.json", status: 200,
			query: url.Values{"page": {"1"}, "limit": {"25"}},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.ListCampaignsWithResponse(ctx, &rewardful.ListCampaignsParams{Page: ptr(1), Limit: ptr(25)})
			},
			check: func(t *testing.T, resp any) {
				body := deref(t, "JSON200", resp.(*rewardful.ListCampaignsResponse).JSON200)
				checkPageOne(t, body.Pagination)
				if len(body.Data) != 1 {
					t.Fatalf("len(data) = %d, want 1", len(body.Data))
				}
				checkCampaign(t, body.Data[0])
			},
		},
		{
			name: "createCampaign", method: http.MethodPost, path: "/campaigns",
			file: "getCampaign.json", status: 200,
			form: url.Values{
				"name": {"Best Friends of Rewardful"}, "url": {"https://rewardful.com/"},
				"reward_type": {"percent"}, "commission_percent": {"30"},
				"private": {"false"}, "stripe_coupon_id": {"jo45MTj3"},
			},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.CreateCampaignWithFormdataBodyWithResponse(ctx, rewardful.CreateCampaignRequest{
					Name: "Best Friends of Rewardful", Url: "https://rewardful.com/",
					RewardType: rewardful.RewardTypePercent, CommissionPercent: ptr(30.0),
					Private: ptr(false), StripeCouponId: ptr("jo45MTj3"),
				})
			},
			check: func(t *testing.T, resp any) {
				checkCampaign(t, deref(t, "JSON200", resp.(*rewardful.CreateCampaignResponse).JSON200))
			},
		},
		{
			name: "getCampaign", method: http.MethodGet, path: "/campaigns/" + campaignID.String(),
			file: "getCampaign.json", status: 200,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.GetCampaignWithResponse(ctx, campaignID)
			},
			check: func(t *testing.T, resp any) {
				checkCampaign(t, deref(t, "JSON200", resp.(*rewardful.GetCampaignResponse).JSON200))
			},
		},
		{
			name: "getCampaign.404", method: http.MethodGet, path: "/campaigns/" + campaignID.String(),
			file: "getCampaign.404.json", status: 404,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.GetCampaignWithResponse(ctx, campaignID)
			},
			check: func(t *testing.T, resp any) {
				r := resp.(*rewardful.GetCampaignResponse)
				isNil(t, "JSON200", r.JSON200)
				checkError(t, r.JSON404, "Campaign not found: "+campaignID.String())
			},
		},
		{
			name: "listAffiliates", method: http.MethodGet, path: "/affiliates",
			file: "listAffiliates.json", status: 200,
			query: url.Values{
				"campaign_id": {"a638ebe4-291d-47cd-a1dc-1519f9331bbd"},
				"limit":       {"1"},
				"expand[]":    {"campaign", "links"},
			},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.ListAffiliatesWithResponse(ctx, &rewardful.ListAffiliatesParams{
					CampaignId: ptr(uuid.MustParse("a638ebe4-291d-47cd-a1dc-1519f9331bbd")),
					Limit:      ptr(1),
					Expand: &[]rewardful.ListAffiliatesParamsExpand{
						rewardful.ListAffiliatesParamsExpandCampaign,
						rewardful.ListAffiliatesParamsExpandLinks,
					},
				})
			},
			check: func(t *testing.T, resp any) {
				body := deref(t, "JSON200", resp.(*rewardful.ListAffiliatesResponse).JSON200)
				p := body.Pagination
				isNil(t, "previous_page", p.PreviousPage)
				eq(t, "next_page", deref(t, "next_page", p.NextPage), 2)
				eq(t, "limit", p.Limit, 1)
				eq(t, "total_pages", p.TotalPages, 2)
				eq(t, "total_count", p.TotalCount, 2)
				if len(body.Data) != 1 {
					t.Fatalf("len(data) = %d, want 1", len(body.Data))
				}
				checkAdam(t, body.Data[0], false)
			},
		},
		{
			name: "createAffiliate", method: http.MethodPost, path: "/affiliates",
			file: "createAffiliate.json", status: 200,
			form: requestForm(t, "createAffiliate.request.json"),
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.CreateAffiliateWithFormdataBodyWithResponse(ctx, createAffBody)
			},
			check: func(t *testing.T, resp any) {
				a := deref(t, "JSON200", resp.(*rewardful.CreateAffiliateResponse).JSON200)
				eq(t, "id", a.Id, uuid.MustParse("dc939584-a94a-4bdf-b8f4-8d255aae729c"))
				eq(t, "state", deref(t, "state", a.State), rewardful.AffiliateStateActive)
				eq(t, "first_name", a.FirstName, "James")
				eq(t, "email", a.Email, "jb007@mi6.co.uk")
				eqTime(t, "confirmed_at", a.ConfirmedAt, "2020-04-27T00:24:08.331Z")
				isNil(t, "wise_email", a.WiseEmail)
				isNil(t, "wise_email_confirmed_at", a.WiseEmailConfirmedAt)
				eq(t, "receive_new_commission_notifications", deref(t, "rncn", a.ReceiveNewCommissionNotifications), true)
				eq(t, "sign_in_count", deref(t, "sign_in_count", a.SignInCount), 0)
				eq(t, "stripe_customer_id", deref(t, "stripe_customer_id", a.StripeCustomerId), "cus_ABC123")
				isNil(t, "stripe_account_id", a.StripeAccountId)
				eq(t, "campaign.name", deref(t, "campaign", a.Campaign).Name, "Friends of MI6")
				links := deref(t, "links", a.Links)
				if len(links) != 1 {
					t.Fatalf("len(links) = %d, want 1", len(links))
				}
				eq(t, "links[0].token", links[0].Token, "jb007")
				eq(t, "links[0].url", links[0].Url, "http://www.example.com/?via=jb007")
				isNil(t, "coupon", a.Coupon)
			},
		},
		{
			name: "createAffiliate.422", method: http.MethodPost, path: "/affiliates",
			file: "createAffiliate.422.json", status: 422,
			form: url.Values{"first_name": {"James"}, "last_name": {"Bond"}, "email": {""}},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.CreateAffiliateWithFormdataBodyWithResponse(ctx, rewardful.CreateAffiliateRequest{FirstName: "James", LastName: "Bond"})
			},
			check: func(t *testing.T, resp any) {
				r := resp.(*rewardful.CreateAffiliateResponse)
				isNil(t, "JSON200", r.JSON200)
				checkError(t, r.JSON422, "Could not create affiliate.", "Email can't be blank")
			},
		},
		{
			name: "getAffiliate", method: http.MethodGet, path: "/affiliates/" + affiliateID.String(),
			file: "getAffiliate.json", status: 200,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.GetAffiliateWithResponse(ctx, affiliateID)
			},
			check: func(t *testing.T, resp any) {
				checkAdam(t, deref(t, "JSON200", resp.(*rewardful.GetAffiliateResponse).JSON200), true)
			},
		},
		{
			name: "getAffiliate.404", method: http.MethodGet, path: "/affiliates/" + affiliateID.String(),
			file: "getAffiliate.404.json", status: 404,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.GetAffiliateWithResponse(ctx, affiliateID)
			},
			check: func(t *testing.T, resp any) {
				r := resp.(*rewardful.GetAffiliateResponse)
				isNil(t, "JSON200", r.JSON200)
				checkError(t, r.JSON404, "Affiliate not found: ")
			},
		},
		{
			name: "getAffiliate.401", method: http.MethodGet, path: "/affiliates/" + affiliateID.String(),
			file: "getAffiliate.401.json", status: 401,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.GetAffiliateWithResponse(ctx, affiliateID)
			},
			check: func(t *testing.T, resp any) {
				r := resp.(*rewardful.GetAffiliateResponse)
				isNil(t, "JSON200", r.JSON200)
				checkError(t, r.JSON401, "Invalid API Secret.")
			},
		},
		{
			name: "updateAffiliate", method: http.MethodPut, path: "/affiliates/" + affiliateID.String(),
			file: "getAffiliate.json", status: 200,
			form: requestForm(t, "updateAffiliate.request.json"),
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.UpdateAffiliateWithFormdataBodyWithResponse(ctx, affiliateID, updateAffBody)
			},
			check: func(t *testing.T, resp any) {
				checkAdam(t, deref(t, "JSON200", resp.(*rewardful.UpdateAffiliateResponse).JSON200), true)
			},
		},
		{
			name: "getAffiliateSso", method: http.MethodGet, path: "/affiliates/" + ssoID.String() + "/sso",
			file: "getAffiliateSso.json", status: 200,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.GetAffiliateSsoWithResponse(ctx, ssoID)
			},
			check: func(t *testing.T, resp any) {
				body := deref(t, "JSON200", resp.(*rewardful.GetAffiliateSsoResponse).JSON200)
				eq(t, "sso.url", body.Sso.Url, "https://affiliates.example.com/sso?token=abc.def")
				eqTime(t, "sso.expires", &body.Sso.Expires, "2024-01-01T12:01:00.000Z")
				eq(t, "affiliate.id", body.Affiliate.Id, ssoID)
				eq(t, "affiliate.email", body.Affiliate.Email, "pat@example.com")
			},
		},
		{
			name: "listAffiliateLinks", method: http.MethodGet, path: "/affiliate_links",
			file: "listAffiliateLinks.json", status: 200,
			query: url.Values{"page": {"1"}},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.ListAffiliateLinksWithResponse(ctx, &rewardful.ListAffiliateLinksParams{Page: ptr(1)})
			},
			check: func(t *testing.T, resp any) {
				body := deref(t, "JSON200", resp.(*rewardful.ListAffiliateLinksResponse).JSON200)
				checkPageOne(t, body.Pagination)
				if len(body.Data) != 1 {
					t.Fatalf("len(data) = %d, want 1", len(body.Data))
				}
				checkLink(t, body.Data[0])
			},
		},
		{
			name: "createAffiliateLink.422", method: http.MethodPost, path: "/affiliate_links",
			file: "createAffiliateLink.422.json", status: 422,
			form: url.Values{"affiliate_id": {"aaac9869-4242-4db9-afb1-f3518ef627c5"}, "token": {"luke"}},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.CreateAffiliateLinkWithFormdataBodyWithResponse(ctx, rewardful.CreateAffiliateLinkRequest{
					AffiliateId: uuid.MustParse("aaac9869-4242-4db9-afb1-f3518ef627c5"), Token: ptr("luke"),
				})
			},
			check: func(t *testing.T, resp any) {
				r := resp.(*rewardful.CreateAffiliateLinkResponse)
				isNil(t, "JSON200", r.JSON200)
				checkError(t, r.JSON422, "Could not create affiliate link.", "Token is already in use.")
			},
		},
		{
			name: "getAffiliateLink", method: http.MethodGet, path: "/affiliate_links/" + linkID.String(),
			file: "getAffiliateLink.json", status: 200,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.GetAffiliateLinkWithResponse(ctx, linkID)
			},
			check: func(t *testing.T, resp any) {
				checkLink(t, deref(t, "JSON200", resp.(*rewardful.GetAffiliateLinkResponse).JSON200))
			},
		},
		{
			name: "updateAffiliateLink.404", method: http.MethodPut, path: "/affiliate_links/" + linkID.String(),
			file: "updateAffiliateLink.404.json", status: 404,
			form: url.Values{"token": {"luke-skywalker"}},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.UpdateAffiliateLinkWithFormdataBodyWithResponse(ctx, linkID, rewardful.UpdateAffiliateLinkRequest{Token: "luke-skywalker"})
			},
			check: func(t *testing.T, resp any) {
				r := resp.(*rewardful.UpdateAffiliateLinkResponse)
				isNil(t, "JSON200", r.JSON200)
				checkError(t, r.JSON404, "Affiliate link not found: ")
			},
		},
		{
			name: "listAffiliateCoupons", method: http.MethodGet, path: "/affiliate_coupons",
			file: "listAffiliateCoupons.json", status: 200,
			query: url.Values{"affiliate_id": {"95d48f70-f1d4-42d9-b929-21996b6d9eb4"}},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.ListAffiliateCouponsWithResponse(ctx, &rewardful.ListAffiliateCouponsParams{
					AffiliateId: ptr(uuid.MustParse("95d48f70-f1d4-42d9-b929-21996b6d9eb4")),
				})
			},
			check: func(t *testing.T, resp any) {
				body := deref(t, "JSON200", resp.(*rewardful.ListAffiliateCouponsResponse).JSON200)
				checkPageOne(t, body.Pagination)
				if len(body.Data) != 1 {
					t.Fatalf("len(data) = %d, want 1", len(body.Data))
				}
				checkCoupon(t, body.Data[0])
			},
		},
		{
			name: "createAffiliateCoupon.422", method: http.MethodPost, path: "/affiliate_coupons",
			file: "createAffiliateCoupon.422.json", status: 422,
			form: url.Values{"affiliate_id": {"95d48f70-f1d4-42d9-b929-21996b6d9eb4"}, "token": {""}},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.CreateAffiliateCouponWithFormdataBodyWithResponse(ctx, rewardful.CreateAffiliateCouponRequest{
					AffiliateId: uuid.MustParse("95d48f70-f1d4-42d9-b929-21996b6d9eb4"),
				})
			},
			check: func(t *testing.T, resp any) {
				r := resp.(*rewardful.CreateAffiliateCouponResponse)
				isNil(t, "JSON200", r.JSON200)
				checkError(t, r.JSON422, "Could not create affiliate coupon.", "Token can't be blank. ")
			},
		},
		{
			name: "getAffiliateCoupon", method: http.MethodGet, path: "/affiliate_coupons/" + couponID.String(),
			file: "getAffiliateCoupon.json", status: 200,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.GetAffiliateCouponWithResponse(ctx, couponID)
			},
			check: func(t *testing.T, resp any) {
				checkCoupon(t, deref(t, "JSON200", resp.(*rewardful.GetAffiliateCouponResponse).JSON200))
			},
		},
		{
			name: "listReferrals", method: http.MethodGet, path: "/referrals",
			file: "listReferrals.json", status: 200,
			query: url.Values{
				"conversion_state[]": {"lead", "conversion"},
				"updated_since":      {"2020-04-01T00:00:00Z"},
				"expand[]":           {"affiliate"},
			},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.ListReferralsWithResponse(ctx, &rewardful.ListReferralsParams{
					ConversionState: &[]rewardful.ConversionState{rewardful.ConversionStateLead, rewardful.ConversionStateConversion},
					UpdatedSince:    &updatedSince,
					Expand:          &[]rewardful.ListReferralsParamsExpand{rewardful.ListReferralsParamsExpandAffiliate},
				})
			},
			check: func(t *testing.T, resp any) {
				body := deref(t, "JSON200", resp.(*rewardful.ListReferralsResponse).JSON200)
				checkPageOne(t, body.Pagination)
				if len(body.Data) != 1 {
					t.Fatalf("len(data) = %d, want 1", len(body.Data))
				}
				r := body.Data[0]
				eq(t, "id", r.Id, uuid.MustParse("e523da29-6157-4aac-b4b5-05b3b7b14fb6"))
				eq(t, "visits", deref(t, "visits", r.Visits), 42)
				eq(t, "conversion_state", r.ConversionState, rewardful.ConversionStateConversion)
				eqTime(t, "became_lead_at", r.BecameLeadAt, "2020-04-27T00:36:28.448Z")
				eqTime(t, "became_conversion_at", r.BecameConversionAt, "2020-04-27T00:38:28.448Z")
				eqTime(t, "expires_at", r.ExpiresAt, "2020-06-26T00:34:28.448Z")
				isNil(t, "deactivated_at", r.DeactivatedAt)
				eq(t, "stripe_account_id", deref(t, "stripe_account_id", r.StripeAccountId), "acct_ABC123")
				eq(t, "stripe_customer_id", deref(t, "stripe_customer_id", r.StripeCustomerId), "cus_ABC123")
				link := deref(t, "link", r.Link)
				eq(t, "link.id", link.Id, uuid.MustParse("32a19d65-2b68-434d-a401-e72ca7f24d81"))
				eq(t, "link.token", link.Token, "jb007")
				eq(t, "link.visitors", deref(t, "link.visitors", link.Visitors), 7)
				isNil(t, "link.affiliate_id", link.AffiliateId)
				cust := deref(t, "customer", r.Customer)
				eq(t, "customer.id", cust.Id, "cus_ABC123")
				eq(t, "customer.name", deref(t, "customer.name", cust.Name), "Fred Durst")
				eq(t, "customer.email", deref(t, "customer.email", cust.Email), "fred@example.com")
				eq(t, "customer.platform", cust.Platform, "stripe")
				aff := deref(t, "affiliate", r.Affiliate)
				eq(t, "affiliate.id", aff.Id, uuid.MustParse("dc939584-a94a-4bdf-b8f4-8d255aae729c"))
				eq(t, "affiliate.email", aff.Email, "james.bond@mi6.co.uk")
				isNil(t, "affiliate.state", aff.State)
				isNil(t, "affiliate.paypal_email", aff.PaypalEmail)
				eq(t, "affiliate.sign_in_count", deref(t, "sign_in_count", aff.SignInCount), 0)
				eq(t, "affiliate.campaign.name", deref(t, "affiliate.campaign", aff.Campaign).Name, "Friends of MI6")
			},
		},
		{
			name: "listCommissions", method: http.MethodGet, path: "/commissions",
			file: "listCommissions.json", status: 200,
			query: url.Values{
				"affiliate_id": {"07d8acc5-c689-4b4a-bbab-f88a71ffc012"},
				"state[]":      {"due", "pending"},
				"expand[]":     {"sale", "campaign"},
			},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.ListCommissionsWithResponse(ctx, &rewardful.ListCommissionsParams{
					AffiliateId: ptr(uuid.MustParse("07d8acc5-c689-4b4a-bbab-f88a71ffc012")),
					State:       &[]rewardful.CommissionState{rewardful.CommissionStateDue, rewardful.CommissionStatePending},
					Expand: &[]rewardful.ListCommissionsParamsExpand{
						rewardful.ListCommissionsParamsExpandSale, rewardful.ListCommissionsParamsExpandCampaign,
					},
				})
			},
			check: func(t *testing.T, resp any) {
				body := deref(t, "JSON200", resp.(*rewardful.ListCommissionsResponse).JSON200)
				checkPageOne(t, body.Pagination)
				if len(body.Data) != 1 {
					t.Fatalf("len(data) = %d, want 1", len(body.Data))
				}
				checkCommission(t, body.Data[0])
			},
		},
		{
			name: "getCommission", method: http.MethodGet, path: "/commissions/" + commissionID.String(),
			file: "getCommission.json", status: 200,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.GetCommissionWithResponse(ctx, commissionID)
			},
			check: func(t *testing.T, resp any) {
				checkCommission(t, deref(t, "JSON200", resp.(*rewardful.GetCommissionResponse).JSON200))
			},
		},
		{
			name: "getCommission.404", method: http.MethodGet, path: "/commissions/" + commissionID.String(),
			file: "getCommission.404.json", status: 404,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.GetCommissionWithResponse(ctx, commissionID)
			},
			check: func(t *testing.T, resp any) {
				r := resp.(*rewardful.GetCommissionResponse)
				isNil(t, "JSON200", r.JSON200)
				checkError(t, r.JSON404, "Commission not found: "+commissionID.String())
			},
		},
		{
			name: "updateCommission", method: http.MethodPut, path: "/commissions/" + commissionID.String(),
			file: "getCommission.json", status: 200,
			form: url.Values{"paid_at": {""}, "due_at": {"2020-09-18T16:28:25.000Z"}},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.UpdateCommissionWithFormdataBodyWithResponse(ctx, commissionID, rewardful.UpdateCommissionRequest{
					PaidAt: ptr(""), DueAt: ptr("2020-09-18T16:28:25.000Z"),
				})
			},
			check: func(t *testing.T, resp any) {
				checkCommission(t, deref(t, "JSON200", resp.(*rewardful.UpdateCommissionResponse).JSON200))
			},
		},
		{
			name: "deleteCommission", method: http.MethodDelete, path: "/commissions/" + commissionID.String(),
			file: "deleteCommission.json", status: 200,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.DeleteCommissionWithResponse(ctx, commissionID)
			},
			check: func(t *testing.T, resp any) {
				body := deref(t, "JSON200", resp.(*rewardful.DeleteCommissionResponse).JSON200)
				eq(t, "object", body.Object, rewardful.DeletedCommissionObjectCommission)
				eq(t, "id", body.Id, commissionID)
				eq(t, "deleted", body.Deleted, true)
			},
		},
		{
			name: "deleteCommission.404", method: http.MethodDelete, path: "/commissions/" + commissionID.String(),
			file: "deleteCommission.404.json", status: 404,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.DeleteCommissionWithResponse(ctx, commissionID)
			},
			check: func(t *testing.T, resp any) {
				r := resp.(*rewardful.DeleteCommissionResponse)
				isNil(t, "JSON200", r.JSON200)
				checkError(t, r.JSON404, "Commission not found: "+commissionID.String())
			},
		},
		{
			name: "listPayouts", method: http.MethodGet, path: "/payouts",
			file: "listPayouts.json", status: 200,
			query: url.Values{"state[]": {"paid"}, "expand[]": {"affiliate", "commissions"}, "limit": {"25"}},
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.ListPayoutsWithResponse(ctx, &rewardful.ListPayoutsParams{
					State: &[]rewardful.PayoutState{rewardful.PayoutStatePaid},
					Limit: ptr(25),
					Expand: &[]rewardful.ListPayoutsParamsExpand{
						rewardful.ListPayoutsParamsExpandAffiliate, rewardful.ListPayoutsParamsExpandCommissions,
					},
				})
			},
			check: func(t *testing.T, resp any) {
				body := deref(t, "JSON200", resp.(*rewardful.ListPayoutsResponse).JSON200)
				checkPageOne(t, body.Pagination)
				if len(body.Data) != 1 {
					t.Fatalf("len(data) = %d, want 1", len(body.Data))
				}
				checkPayout(t, body.Data[0], true)
			},
		},
		{
			name: "getPayout", method: http.MethodGet, path: "/payouts/" + payoutID.String(),
			file: "getPayout.json", status: 200,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.GetPayoutWithResponse(ctx, payoutID)
			},
			check: func(t *testing.T, resp any) {
				checkPayout(t, deref(t, "JSON200", resp.(*rewardful.GetPayoutResponse).JSON200), true)
			},
		},
		{
			name: "getPayout.404", method: http.MethodGet, path: "/payouts/" + payoutID.String(),
			file: "getPayout.404.json", status: 404,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.GetPayoutWithResponse(ctx, payoutID)
			},
			check: func(t *testing.T, resp any) {
				r := resp.(*rewardful.GetPayoutResponse)
				isNil(t, "JSON200", r.JSON200)
				checkError(t, r.JSON404, "Payout not found: "+payoutID.String())
			},
		},
		{
			name: "payPayout", method: http.MethodPut, path: "/payouts/" + payoutID.String() + "/pay",
			file: "payPayout.json", status: 200,
			call: func(ctx context.Context, c *rewardful.ClientWithResponses) (any, error) {
				return c.PayPayoutWithResponse(ctx, payoutID)
			},
			check: func(t *testing.T, resp any) {
				checkPayout(t, deref(t, "JSON200", resp.(*rewardful.PayPayoutResponse).JSON200), false)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run(t, tc)
		})
	}
}

// TestJSONBodyAlternative checks the JSON encoding of a write operation,
// which third-party clients use instead of the documented form encoding.
func TestJSONBodyAlternative(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	target := serverURL + "/affiliates"
	want := map[string]any{}
	if err := json.Unmarshal(testdata(t, "createAffiliate.request.json"), &want); err != nil {
		t.Fatal(err)
	}
	mock.RegisterResponder(http.MethodPost, target, func(req *http.Request) (*http.Response, error) {
		if ct := req.Header.Get("Content-Type"); ct != "application/json" {
			return nil, fmt.Errorf("content type = %q, want application/json", ct)
		}
		if user, pass, ok := req.BasicAuth(); !ok || user != apiSecret || pass != "" {
			return nil, fmt.Errorf("basic auth = (%q, %q, %v)", user, pass, ok)
		}
		got := map[string]any{}
		if err := json.NewDecoder(req.Body).Decode(&got); err != nil {
			return nil, err
		}
		if !reflect.DeepEqual(got, want) {
			return nil, fmt.Errorf("body = %v, want %v", got, want)
		}
		resp := httpmock.NewBytesResponse(http.StatusOK, testdata(t, "createAffiliate.json"))
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	c, err := rewardful.NewClientWithResponses(serverURL,
		rewardful.WithHTTPClient(&http.Client{Transport: mock}),
		rewardful.WithRequestEditorFn(basicAuth))
	if err != nil {
		t.Fatal(err)
	}
	var body rewardful.CreateAffiliateRequest
	if err := json.Unmarshal(testdata(t, "createAffiliate.request.json"), &body); err != nil {
		t.Fatal(err)
	}
	resp, err := c.CreateAffiliateWithResponse(context.Background(), body)
	if err != nil {
		t.Fatal(err)
	}
	if got := mock.GetCallCountInfo()["POST "+target]; got != 1 {
		t.Fatalf("mock saw %d calls, want 1", got)
	}
	a := deref(t, "JSON200", resp.JSON200)
	eq(t, "id", a.Id, uuid.MustParse("dc939584-a94a-4bdf-b8f4-8d255aae729c"))
	eq(t, "token", deref(t, "links", a.Links)[0].Token, "jb007")
}
