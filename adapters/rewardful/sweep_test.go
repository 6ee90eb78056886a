package rewardful_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/rewardful"
	"github.com/refbridge/refbridge/openapi"
)

// sweep validates responses against the spec and records per-operation
// outcomes.
type sweep struct {
	t      *testing.T
	router routers.Router
	ok     map[string]int
	failed map[string]string
	all    []string
}

func newSweep(t *testing.T, baseURL string) *sweep {
	t.Helper()
	doc, err := openapi.Load(openapi.Rewardful)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: baseURL + "/v1"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	s := &sweep{t: t, router: router, ok: map[string]int{}, failed: map[string]string{}}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			s.all = append(s.all, op.OperationID)
		}
	}
	sort.Strings(s.all)
	return s
}

// check validates a reply against its operation's response schema and
// records it under the operation's id.
func (s *sweep) check(r reply) reply {
	s.t.Helper()
	route, params, err := s.router.FindRoute(r.req)
	if err != nil {
		s.t.Fatalf("%s %s: no spec route: %v", r.req.Method, r.req.URL.Path, err)
	}
	op := route.Operation.OperationID
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: r.req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status:  r.status,
		Header:  r.header,
		Body:    io.NopCloser(bytes.NewReader(r.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		s.failed[op] = err.Error()
		s.t.Logf("%s: status %d does not validate: %v\n%s", op, r.status, err, r.body)
		return r
	}
	if r.status/100 != 2 {
		s.failed[op] = "status " + http.StatusText(r.status)
		s.t.Logf("%s: status %d: %s", op, r.status, r.body)
		return r
	}
	s.ok[op]++
	return r
}

func TestSweepEveryOperation(t *testing.T) {
	t.Parallel()
	env, c := newEnv(t, nil)
	sw := newSweep(t, env.URL)
	ctx := context.Background()

	// Campaigns.
	camp := sw.check(c.do(t, "POST", "/v1/campaigns", form("name", "Friends of MI6", "url", "https://www.example.com/",
		"reward_type", "percent", "commission_percent", "30", "minimum_payout_cents", "0"))).must(t, 200).json(t)
	campID := str(camp, "id")
	sw.check(c.do(t, "GET", "/v1/campaigns", nil)).must(t, 200)
	sw.check(c.do(t, "GET", "/v1/campaigns/"+campID, nil)).must(t, 200)
	sw.check(c.do(t, "PUT", "/v1/campaigns/"+campID, map[string]any{"name": "Best Friends of MI6", "commission_percent": 25.5})).must(t, 200)

	// Affiliates.
	aff := sw.check(c.do(t, "POST", "/v1/affiliates", form("first_name", "James", "last_name", "Bond",
		"email", "jb007@mi6.co.uk", "token", "jb007", "campaign_id", campID, "stripe_customer_id", "cus_ABC123"))).must(t, 200).json(t)
	affID := str(aff, "id")
	sw.check(c.do(t, "GET", "/v1/affiliates?expand[]=campaign&expand[]=links&expand[]=commission_stats", nil)).must(t, 200)
	sw.check(c.do(t, "GET", "/v1/affiliates/"+affID, nil)).must(t, 200)
	sw.check(c.do(t, "PUT", "/v1/affiliates/"+affID, map[string]any{"first_name": "Jamie", "paypal_email": "jb@mi6.co.uk"})).must(t, 200)
	sw.check(c.do(t, "GET", "/v1/affiliates/"+affID+"/sso", nil))

	// Links.
	link := sw.check(c.do(t, "POST", "/v1/affiliate_links", form("affiliate_id", affID, "token", "luke"))).must(t, 200).json(t)
	linkID := str(link, "id")
	sw.check(c.do(t, "GET", "/v1/affiliate_links", nil)).must(t, 200)
	sw.check(c.do(t, "GET", "/v1/affiliate_links/"+linkID, nil)).must(t, 200)
	sw.check(c.do(t, "PUT", "/v1/affiliate_links/"+linkID, form("token", "luke-skywalker"))).must(t, 200)

	// Coupons.
	coupon := sw.check(c.do(t, "POST", "/v1/affiliate_coupons", form("affiliate_id", affID, "token", "CODE"))).must(t, 200).json(t)
	sw.check(c.do(t, "GET", "/v1/affiliate_coupons?affiliate_id="+affID, nil)).must(t, 200)
	sw.check(c.do(t, "GET", "/v1/affiliate_coupons/"+str(coupon, "id"), nil)).must(t, 200)

	// Referral activity and sales happen outside the REST API (rw.js and
	// Stripe); arrange them on the backend.
	b := env.Backend
	ec := engineCampaign(t, b, "Best Friends of MI6")
	if _, err := b.RecordVisit(ctx, ec.ID, canonical.Visit{Token: "luke-skywalker"}); err != nil {
		t.Fatal(err)
	}
	referred, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: ec.ID, Email: "freddie@example.com", FirstName: "Freddie", LastName: "Mercury"},
		Referrer:    canonical.ByCode("jb007"),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, order := range []string{"ch_1", "ch_2"} {
		if _, err := b.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: ec.ID, Participant: canonical.ByID(referred.ID),
			Amount: canonical.Money{Amount: 10000, Currency: "USD"}, ExternalIDs: map[string]string{"stripe_charge_id": order}}); err != nil {
			t.Fatal(err)
		}
	}
	sw.check(c.do(t, "GET", "/v1/referrals?expand[]=affiliate&affiliate_id="+affID, nil)).must(t, 200)

	// Commissions.
	comms := sw.check(c.do(t, "GET", "/v1/commissions?expand[]=sale&expand[]=campaign", nil)).must(t, 200).json(t)
	data, _ := comms["data"].([]any)
	if len(data) != 2 {
		t.Fatalf("commissions = %v", comms)
	}
	first, second := str(data[0].(map[string]any), "id"), str(data[1].(map[string]any), "id")
	sw.check(c.do(t, "GET", "/v1/commissions/"+first, nil)).must(t, 200)
	sw.check(c.do(t, "DELETE", "/v1/commissions/"+first, nil)).must(t, 200)
	sw.check(c.do(t, "PUT", "/v1/commissions/"+second, form("due_at", "2026-03-01T00:00:00.000Z"))).must(t, 200)

	// Payouts.
	payouts := sw.check(c.do(t, "GET", "/v1/payouts?expand[]=affiliate&expand[]=commissions", nil)).must(t, 200).json(t)
	pdata, _ := payouts["data"].([]any)
	if len(pdata) != 1 {
		t.Fatalf("payouts = %v", payouts)
	}
	payoutID := str(pdata[0].(map[string]any), "id")
	sw.check(c.do(t, "GET", "/v1/payouts/"+payoutID, nil)).must(t, 200)
	sw.check(c.do(t, "PUT", "/v1/payouts/"+payoutID+"/pay", nil)).must(t, 200)

	served := 0
	for _, op := range sw.all {
		switch n := sw.ok[op]; {
		case n > 0:
			served++
			t.Logf("%-22s ok (%d call(s))", op, n)
		case rewardful.Limitations[op] != "":
			t.Logf("%-22s limitation: %s", op, rewardful.Limitations[op])
		default:
			t.Errorf("%-22s neither served nor a limitation: %s", op, sw.failed[op])
		}
	}
	t.Logf("sweep: %d/%d operations served and valid, %d limitation(s)", served, len(sw.all), len(rewardful.Limitations))
}
