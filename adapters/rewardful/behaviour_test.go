package rewardful_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/rewardful"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

func TestAuthFailures(t *testing.T) {
	t.Parallel()
	env, good := newEnv(t, nil)
	tests := []struct {
		name  string
		setup func(*http.Request)
	}{
		{"no credentials", func(*http.Request) {}},
		{"wrong secret", func(r *http.Request) { r.SetBasicAuth("not-the-secret", "") }},
		{"secret as password", func(r *http.Request) { r.SetBasicAuth("", good.secret) }},
		{"bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+good.secret) }},
	}
	for _, tt := range tests {
		req, err := http.NewRequest("GET", env.URL+"/v1/affiliates", nil)
		if err != nil {
			t.Fatal(err)
		}
		tt.setup(req)
		resp := env.Do(t, req)
		body := readAll(t, resp)
		if resp.StatusCode != 401 || body != `{"error":"Invalid API Secret."}` {
			t.Errorf("%s: %d %s", tt.name, resp.StatusCode, body)
		}
	}
	// The secret with any password is accepted (curl -u SECRET:).
	req, _ := http.NewRequest("GET", env.URL+"/v1/affiliates", nil)
	req.SetBasicAuth(good.secret, "ignored")
	if resp := env.Do(t, req); resp.StatusCode != 200 {
		t.Errorf("secret with a password: %d", resp.StatusCode)
	}
}

func TestUnknownPathsAndMethods(t *testing.T) {
	t.Parallel()
	_, c := newEnv(t, nil)
	for _, tt := range []struct{ method, path string }{
		{"GET", "/v1/nope"}, {"GET", "/v2/affiliates"}, {"DELETE", "/v1/campaigns"}, {"POST", "/v1/referrals"},
	} {
		r := c.do(t, tt.method, tt.path, nil)
		if r.status != 404 || string(r.body) != `{"error":"Not found."}`+"\n" {
			t.Errorf("%s %s: %d %s", tt.method, tt.path, r.status, r.body)
		}
	}
}

func TestValidationErrors(t *testing.T) {
	t.Parallel()
	_, c := newEnv(t, nil)
	tests := []struct {
		name         string
		method, path string
		body         any
		status       int
		want         string
	}{
		{"missing fields (form)", "POST", "/v1/affiliates", form("first_name", "James"), 422,
			`{"error":"Could not create affiliate.","details":["Last name can't be blank","Email can't be blank"]}`},
		{"blank field (json)", "POST", "/v1/affiliates", map[string]any{"first_name": "James", "last_name": "Bond", "email": " "}, 422,
			`{"error":"Could not create affiliate.","details":["Email can't be blank"]}`},
		{"wrong type", "POST", "/v1/campaigns", map[string]any{"name": "x", "url": "https://x.example", "reward_type": "percent", "commission_percent": "lots"}, 422,
			`{"error":"Could not create campaign.","details":["Commission percent is invalid"]}`},
		{"percent missing", "POST", "/v1/campaigns", form("name", "x", "url", "https://x.example", "reward_type", "percent"), 422,
			`{"error":"Could not create campaign.","details":["Commission percent can't be blank"]}`},
		{"bad enum", "POST", "/v1/campaigns", form("name", "x", "url", "https://x.example", "reward_type", "points"), 422,
			`{"error":"Could not create campaign.","details":["Reward type is invalid"]}`},
		{"bad token", "POST", "/v1/affiliates", form("first_name", "A", "last_name", "B", "email", "a@b.example", "token", "no spaces"), 422,
			`{"error":"Could not create affiliate.","details":["Token is invalid"]}`},
		{"malformed json", "POST", "/v1/affiliates", `{"first_name":`, 400, `{"error":"Bad request."}`},
		{"bad limit", "GET", "/v1/affiliates?limit=abc", nil, 400, `{"error":"Invalid value for limit."}`},
		{"bad page", "GET", "/v1/commissions?page=0", nil, 400, `{"error":"Invalid value for page."}`},
		{"bad state", "GET", "/v1/commissions?state=lost", nil, 400, `{"error":"Invalid state: lost"}`},
		{"path id not a uuid", "GET", "/v1/affiliates/nope", nil, 404, `{"error":"Affiliate not found: nope"}`},
		{"unknown uuid", "GET", "/v1/payouts/3b03791a-3fb5-4bd6-8ec3-614c9fd978ca", nil, 404,
			`{"error":"Payout not found: 3b03791a-3fb5-4bd6-8ec3-614c9fd978ca"}`},
		{"unknown link", "PUT", "/v1/affiliate_links/f46a912b-08bc-4332-8771-c857e11ad9dd", form("token", "x"), 404,
			`{"error":"Affiliate link not found: f46a912b-08bc-4332-8771-c857e11ad9dd"}`},
		{"unknown campaign on create", "POST", "/v1/affiliates", form("first_name", "A", "last_name", "B", "email", "a@b.example",
			"campaign_id", "ceaef6d9-767e-49aa-a6ab-46c02aa79604"), 404, `{"error":"Campaign not found: ceaef6d9-767e-49aa-a6ab-46c02aa79604"}`},
	}
	for _, tt := range tests {
		r := c.do(t, tt.method, tt.path, tt.body)
		if got := strings.TrimSpace(string(r.body)); r.status != tt.status || got != tt.want {
			t.Errorf("%s: %d %s, want %d %s", tt.name, r.status, got, tt.status, tt.want)
		}
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	env, a := newEnv(t, nil)
	other := env.NewTenant(t, "other", canonical.Campaign{Name: "Other launch"})
	b := &client{env: env, secret: other.Secrets[canonical.APISecret]}

	aff := a.do(t, "POST", "/v1/affiliates", form("first_name", "Ann", "last_name", "A", "email", "ann@a.example")).must(t, 200).json(t)
	id := str(aff, "id")
	link := a.do(t, "POST", "/v1/affiliate_links", form("affiliate_id", id, "token", "ann-extra")).must(t, 200).json(t)
	campID := str(aff["campaign"].(map[string]any), "id")

	for _, tt := range []struct {
		method, path string
		body         any
		want         string
	}{
		{"GET", "/v1/affiliates/" + id, nil, "Affiliate not found: " + id},
		{"PUT", "/v1/affiliates/" + id, form("first_name", "Mallory"), "Affiliate not found: " + id},
		{"GET", "/v1/campaigns/" + campID, nil, "Campaign not found: " + campID},
		{"PUT", "/v1/affiliate_links/" + str(link, "id"), form("token", "stolen"), "Affiliate link not found: " + str(link, "id")},
		{"POST", "/v1/affiliate_links", form("affiliate_id", id), "Affiliate not found: " + id},
	} {
		r := b.do(t, tt.method, tt.path, tt.body)
		if r.status != 404 || str(r.json(t), "error") != tt.want {
			t.Errorf("other tenant %s %s: %d %s", tt.method, tt.path, r.status, r.body)
		}
	}
	for _, path := range []string{"/v1/affiliates", "/v1/affiliate_links", "/v1/campaigns"} {
		page := b.do(t, "GET", path, nil).must(t, 200).json(t)
		for _, item := range page["data"].([]any) {
			if m := item.(map[string]any); str(m, "id") == id || str(m, "id") == campID || str(m, "id") == str(link, "id") {
				t.Errorf("other tenant lists %s: %v", path, m)
			}
		}
	}
	// Nothing changed for the owner.
	if got := a.do(t, "GET", "/v1/affiliates/"+id, nil).must(t, 200).json(t); str(got, "first_name") != "Ann" {
		t.Errorf("owner sees %v", got)
	}
}

func TestRateLimitHeaders(t *testing.T) {
	t.Parallel()
	_, c := newEnv(t, nil)
	for i := 1; i <= 47; i++ {
		r := c.do(t, "GET", "/v1/campaigns", nil)
		if r.status != 200 {
			t.Fatalf("call %d: %d (limits are reported, not enforced)", i, r.status)
		}
		wantRemaining := max(45-i, 0)
		if r.header.Get("RateLimit-Limit") != "45" || r.header.Get("RateLimit-Remaining") != strconv.Itoa(wantRemaining) {
			t.Fatalf("call %d: headers %v", i, r.header)
		}
		if reset, err := strconv.Atoi(r.header.Get("RateLimit-Reset")); err != nil || reset < 1 || reset > 30 {
			t.Fatalf("call %d: RateLimit-Reset %q", i, r.header.Get("RateLimit-Reset"))
		}
	}
}

func TestRateLimitEnforced(t *testing.T) {
	t.Parallel()
	env, c := newEnv(t, &surfacetest.Options{EnforceLimits: true})
	other := env.NewTenant(t, "other", canonical.Campaign{})
	o := &client{env: env, secret: other.Secrets[canonical.APISecret]}
	for i := 1; i <= 45; i++ {
		c.do(t, "GET", "/v1/affiliates", nil).must(t, 200)
	}
	r := c.do(t, "GET", "/v1/affiliates", nil)
	if r.status != 429 || strings.TrimSpace(string(r.body)) != `{"error":"Rate limit exceeded."}` || r.header.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("46th call: %d %s %v", r.status, r.body, r.header)
	}
	// Windows are per account.
	o.do(t, "GET", "/v1/affiliates", nil).must(t, 200)
	env.Clock.Advance(30 * time.Second)
	if r := c.do(t, "GET", "/v1/affiliates", nil).must(t, 200); r.header.Get("RateLimit-Remaining") != "44" {
		t.Fatalf("next window: %v", r.header)
	}
}

func TestCampaignAndAffiliateLifecycle(t *testing.T) {
	t.Parallel()
	_, c := newEnv(t, nil)

	camp := c.do(t, "POST", "/v1/campaigns", map[string]any{"name": "Friends of MI6", "url": "https://www.example.com/",
		"reward_type": "percent", "commission_percent": 30.0, "private": true}).must(t, 200).json(t)
	campID := str(camp, "id")
	if camp["commission_percent"] != 30.0 || camp["private"] != true || camp["reward_type"] != "percent" || camp["commission_amount_cents"] != nil {
		t.Errorf("created campaign = %v", camp)
	}
	upd := c.do(t, "PUT", "/v1/campaigns/"+campID, form("reward_type", "amount", "commission_amount_cents", "1500",
		"commission_amount_currency", "usd", "minimum_payout_cents", "5000", "stripe_coupon_id", "jo45MTj3")).must(t, 200).json(t)
	if upd["reward_type"] != "amount" || upd["commission_amount_cents"] != 1500.0 || upd["commission_amount_currency"] != "USD" ||
		upd["commission_percent"] != nil || upd["minimum_payout_cents"] != 5000.0 || upd["stripe_coupon_id"] != "jo45MTj3" {
		t.Errorf("updated campaign = %v", upd)
	}
	got := c.do(t, "GET", "/v1/campaigns/"+strings.ToUpper(campID), nil).must(t, 200).json(t)
	if got["name"] != "Friends of MI6" || got["reward_type"] != "amount" || str(got, "id") != campID {
		t.Errorf("read campaign = %v", got)
	}

	aff := c.do(t, "POST", "/v1/affiliates", form("first_name", "James", "last_name", "Bond", "email", "jb007@mi6.co.uk",
		"campaign_id", campID, "receive_new_commission_notifications", "false")).must(t, 200).json(t)
	id := str(aff, "id")
	links := aff["links"].([]any)
	if len(links) != 1 || str(links[0].(map[string]any), "token") != "james" ||
		str(links[0].(map[string]any), "url") != "https://www.example.com/?via=james" || aff["coupon"] != nil ||
		aff["receive_new_commission_notifications"] != false || aff["state"] != "active" || aff["confirmed_at"] == nil {
		t.Errorf("created affiliate = %v", aff)
	}
	// The same email again is refused; a second James gets the next name-based token.
	r := c.do(t, "POST", "/v1/affiliates", form("first_name", "James", "last_name", "Bond", "email", "JB007@mi6.co.uk", "campaign_id", campID))
	if r.status != 422 || !contains(string(r.body), "Email has already been taken") {
		t.Errorf("duplicate email: %d %s", r.status, r.body)
	}
	second := c.do(t, "POST", "/v1/affiliates", form("first_name", "James", "last_name", "Moriarty", "email", "jm@example.com",
		"campaign_id", campID)).must(t, 200).json(t)
	if tok := str(second["links"].([]any)[0].(map[string]any), "token"); tok != "jamesmoriarty" {
		t.Errorf("second James token = %q", tok)
	}

	upd = c.do(t, "PUT", "/v1/affiliates/"+id, map[string]any{"email": "james.bond@mi6.co.uk", "state": "disabled",
		"token": "bond-james", "paypal_email": "pay@mi6.co.uk"}).must(t, 200).json(t)
	if upd["email"] != "james.bond@mi6.co.uk" || upd["state"] != "disabled" || upd["paypal_email"] != "pay@mi6.co.uk" ||
		str(upd["links"].([]any)[0].(map[string]any), "token") != "bond-james" {
		t.Errorf("updated affiliate = %v", upd)
	}
	got = c.do(t, "GET", "/v1/affiliates/"+id, nil).must(t, 200).json(t)
	if got["email"] != "james.bond@mi6.co.uk" || got["first_name"] != "James" {
		t.Errorf("read affiliate = %v", got)
	}
	found := c.do(t, "GET", "/v1/affiliates?email=james.bond@mi6.co.uk&expand=campaign", nil).must(t, 200).json(t)
	if data := found["data"].([]any); len(data) != 1 || str(data[0].(map[string]any), "id") != id || data[0].(map[string]any)["campaign"] == nil {
		t.Errorf("email filter = %v", found)
	}

	// Extra links and a taken token.
	link := c.do(t, "POST", "/v1/affiliate_links", form("affiliate_id", id, "token", "luke")).must(t, 200).json(t)
	r = c.do(t, "POST", "/v1/affiliate_links", form("affiliate_id", id, "token", "luke"))
	if r.status != 422 || strings.TrimSpace(string(r.body)) != `{"error":"Could not create affiliate link.","details":["Token is already in use."]}` {
		t.Errorf("taken token: %d %s", r.status, r.body)
	}
	moved := c.do(t, "PUT", "/v1/affiliate_links/"+str(link, "id"), form("token", "luke-skywalker")).must(t, 200).json(t)
	if moved["token"] != "luke-skywalker" || moved["affiliate_id"] != id || moved["url"] != "https://www.example.com/?via=luke-skywalker" {
		t.Errorf("updated link = %v", moved)
	}
	// Coupons.
	coupon := c.do(t, "POST", "/v1/affiliate_coupons", form("affiliate_id", id, "token", "CODE")).must(t, 200).json(t)
	if coupon["token"] != "CODE" || coupon["affiliate_id"] != id {
		t.Errorf("coupon = %v", coupon)
	}
	if got := c.do(t, "GET", "/v1/affiliates/"+id, nil).must(t, 200).json(t); got["coupon"] == nil {
		t.Errorf("affiliate without its coupon: %v", got)
	}
	r = c.do(t, "POST", "/v1/affiliate_coupons", form("affiliate_id", id, "token", ""))
	if r.status != 422 || !contains(string(r.body), `"Token can't be blank. "`) {
		t.Errorf("blank coupon: %d %s", r.status, r.body)
	}
	// Magic links are a limitation, but unknown affiliates are still 404.
	if r := c.do(t, "GET", "/v1/affiliates/"+id+"/sso", nil); r.status != 501 {
		t.Errorf("sso: %d %s", r.status, r.body)
	}
	if r := c.do(t, "GET", "/v1/affiliates/"+campID+"/sso", nil); r.status != 404 {
		t.Errorf("sso of a campaign id: %d %s", r.status, r.body)
	}
}

func TestPaginationOverHTTP(t *testing.T) {
	t.Parallel()
	_, c := newEnv(t, nil)
	var ids []string
	for i := range 5 {
		a := c.do(t, "POST", "/v1/affiliates", form("first_name", "P", "last_name", strconv.Itoa(i), "email", "p"+strconv.Itoa(i)+"@x.example")).must(t, 200).json(t)
		ids = append(ids, str(a, "id"))
	}
	var seen []string
	for page := 1; page <= 3; page++ {
		r := c.do(t, "GET", "/v1/affiliates?limit=2&page="+strconv.Itoa(page), nil).must(t, 200).json(t)
		p := r["pagination"].(map[string]any)
		if p["total_count"] != 5.0 || p["total_pages"] != 3.0 || p["current_page"] != float64(page) || p["limit"] != 2.0 {
			t.Fatalf("page %d: %v", page, p)
		}
		if (page == 3) != (p["next_page"] == nil) || (page == 1) != (p["previous_page"] == nil) {
			t.Fatalf("page %d links: %v", page, p)
		}
		for _, item := range r["data"].([]any) {
			seen = append(seen, str(item.(map[string]any), "id"))
		}
	}
	if len(seen) != 5 || seen[0] != ids[4] || seen[4] != ids[0] {
		t.Fatalf("newest first = %v, created %v", seen, ids)
	}
	if r := c.do(t, "GET", "/v1/affiliates?limit=2&page=9", nil).must(t, 200).json(t); len(r["data"].([]any)) != 0 ||
		r["pagination"].(map[string]any)["next_page"] != nil {
		t.Fatalf("past the end = %v", r)
	}
	if r := c.do(t, "GET", "/v1/affiliates?limit=500", nil).must(t, 200).json(t); r["pagination"].(map[string]any)["limit"] != 100.0 {
		t.Fatalf("limit clamp = %v", r["pagination"])
	}
}

func TestReferralAttributionAndMoney(t *testing.T) {
	t.Parallel()
	env, c := newEnv(t, nil)
	ctx := context.Background()
	camp := c.do(t, "POST", "/v1/campaigns", form("name", "Affiliates", "url", "https://shop.example.com/",
		"reward_type", "percent", "commission_percent", "20")).must(t, 200).json(t)
	aff := c.do(t, "POST", "/v1/affiliates", form("first_name", "Ann", "last_name", "Lee", "email", "ann@example.com",
		"token", "ann", "campaign_id", str(camp, "id"))).must(t, 200).json(t)
	id := str(aff, "id")

	// A visitor arrives through the link, a second one signs up (the
	// tracking script's job), and that lead pays.
	b := env.Backend
	ec := engineCampaign(t, b, "Affiliates")
	if _, err := b.RecordVisit(ctx, ec.ID, canonical.Visit{Token: "ann"}); err != nil {
		t.Fatal(err)
	}
	v, err := b.RecordVisit(ctx, ec.ID, canonical.Visit{Token: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	lead, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{VisitorID: v.ID,
		Participant: canonical.Participant{CampaignID: ec.ID, Email: "bob@example.com", FirstName: "Bob",
			Affiliate: canonical.Affiliate{StripeCustomerID: "cus_BOB"}}})
	if err != nil {
		t.Fatal(err)
	}
	got := c.do(t, "GET", "/v1/affiliates/"+id, nil).must(t, 200).json(t)
	if got["visitors"] != 2.0 || got["leads"] != 1.0 || got["conversions"] != 0.0 {
		t.Errorf("affiliate counts = %v", got)
	}
	refs := c.do(t, "GET", "/v1/referrals?affiliate_id="+id, nil).must(t, 200).json(t)
	if n := refs["pagination"].(map[string]any)["total_count"]; n != 2.0 {
		t.Fatalf("referrals = %v", refs)
	}
	leads := c.do(t, "GET", "/v1/referrals?conversion_state=lead&expand=affiliate", nil).must(t, 200).json(t)
	data := leads["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("leads = %v", leads)
	}
	ref := data[0].(map[string]any)
	customer, _ := ref["customer"].(map[string]any)
	if str(ref["affiliate"].(map[string]any), "id") != id || customer["email"] != "bob@example.com" || customer["id"] != "cus_BOB" ||
		ref["became_lead_at"] == nil || ref["became_conversion_at"] != nil || ref["link"] == nil {
		t.Errorf("lead referral = %v", ref)
	}

	if _, err := b.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: ec.ID, Participant: canonical.ByID(lead.ID),
		Amount: canonical.Money{Amount: 5000, Currency: "USD"}, ExternalIDs: map[string]string{"stripe_charge_id": "ch_1"}}); err != nil {
		t.Fatal(err)
	}
	conv := c.do(t, "GET", "/v1/referrals?conversion_state[]=conversion", nil).must(t, 200).json(t)
	if data := conv["data"].([]any); len(data) != 1 || data[0].(map[string]any)["became_conversion_at"] == nil {
		t.Fatalf("conversions = %v", conv)
	}
	comms := c.do(t, "GET", "/v1/commissions?affiliate_id="+id+"&state=pending&expand=sale", nil).must(t, 200).json(t)
	data = comms["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("commissions = %v", comms)
	}
	comm := data[0].(map[string]any)
	sale := comm["sale"].(map[string]any)
	if comm["amount"] != 1000.0 || comm["state"] != "pending" || sale["sale_amount_cents"] != 5000.0 ||
		sale["stripe_charge_id"] != "ch_1" || str(sale["affiliate"].(map[string]any), "id") != id {
		t.Errorf("commission = %v", comm)
	}
	// Paying by date, unpaying, then paying through the payout.
	cid := str(comm, "id")
	paid := c.do(t, "PUT", "/v1/commissions/"+cid, form("paid_at", "2026-03-11T00:00:00Z")).must(t, 200).json(t)
	if paid["state"] != "paid" || paid["paid_at"] != "2026-03-11T00:00:00.000Z" {
		t.Errorf("paid = %v", paid)
	}
	unpaid := c.do(t, "PUT", "/v1/commissions/"+cid, form("paid_at", "")).must(t, 200).json(t)
	if unpaid["state"] != "pending" || unpaid["paid_at"] != nil {
		t.Errorf("unpaid = %v", unpaid)
	}
	if r := c.do(t, "PUT", "/v1/commissions/"+cid, form("due_at", "")); r.status != 422 ||
		strings.TrimSpace(string(r.body)) != `{"error":"Could not update commission.","details":["Due at can't be blank"]}` {
		t.Errorf("blank due_at: %d %s", r.status, r.body)
	}
	if r := c.do(t, "GET", "/v1/payouts?state=due", nil).must(t, 200).json(t); len(r["data"].([]any)) != 0 {
		t.Errorf("payouts before the hold period = %v", r)
	}
	env.Clock.Advance(31 * 24 * time.Hour)
	payouts := c.do(t, "GET", "/v1/payouts?state[]=due&affiliate_id="+id, nil).must(t, 200).json(t)
	pdata := payouts["data"].([]any)
	if len(pdata) != 1 || pdata[0].(map[string]any)["amount"] != 1000.0 {
		t.Fatalf("due payouts = %v", payouts)
	}
	pid := str(pdata[0].(map[string]any), "id")
	payout := c.do(t, "PUT", "/v1/payouts/"+pid+"/pay", nil).must(t, 200).json(t)
	if payout["paid_at"] == nil || payout["paid_by_id"] != nil || payout["state"] != "paid" {
		t.Errorf("paid payout = %v", payout)
	}
	if r := c.do(t, "PUT", "/v1/payouts/"+pid+"/pay", nil); r.status != 422 || !contains(string(r.body), "Payout is not due.") {
		t.Errorf("paying twice: %d %s", r.status, r.body)
	}
	if got := c.do(t, "GET", "/v1/commissions/"+cid, nil).must(t, 200).json(t); got["state"] != "paid" {
		t.Errorf("commission after payout = %v", got)
	}
	if r := c.do(t, "DELETE", "/v1/commissions/"+cid, nil); r.status != 422 {
		t.Errorf("deleting a paid commission: %d %s", r.status, r.body)
	}
	stats := c.do(t, "GET", "/v1/affiliates?expand[]=commission_stats&campaign_id="+str(camp, "id"), nil).must(t, 200).json(t)
	st := stats["data"].([]any)
	if len(st) != 2 { // Ann and her referred customer Bob
		t.Fatalf("affiliates of the campaign = %v", stats)
	}
}

func TestDeleteCommission(t *testing.T) {
	t.Parallel()
	env, c := newEnv(t, nil)
	ctx := context.Background()
	b := env.Backend
	// Arranged entirely on the backend, as another surface would.
	camp, err := b.CreateCampaign(ctx, canonical.Campaign{Name: "Elsewhere", Kind: canonical.AffiliateProgram, Status: canonical.CampaignActive,
		URL: "https://other.example.com", Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward,
			Commission: &canonical.CommissionRule{Type: canonical.FixedCommission, Amount: canonical.Money{Amount: 700, Currency: "USD"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	ref, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: camp.ID, Email: "r@x.example"}})
	if err != nil {
		t.Fatal(err)
	}
	buyer, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: camp.ID, Email: "b@x.example"},
		Referrer: canonical.ByID(ref.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: camp.ID, Participant: canonical.ByID(buyer.ID),
		Amount: canonical.Money{Amount: 100}, ExternalIDs: map[string]string{"order": "1"}}); err != nil {
		t.Fatal(err)
	}
	list := c.do(t, "GET", "/v1/commissions?expand=campaign", nil).must(t, 200).json(t)
	data := list["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["amount"] != 700.0 || data[0].(map[string]any)["campaign"] == nil {
		t.Fatalf("commissions = %v", list)
	}
	id := str(data[0].(map[string]any), "id")
	del := c.do(t, "DELETE", "/v1/commissions/"+id, nil).must(t, 200)
	if strings.TrimSpace(string(del.body)) != `{"object":"commission","id":"`+id+`","deleted":true}` {
		t.Errorf("delete = %s", del.body)
	}
	r := c.do(t, "GET", "/v1/commissions/"+id, nil)
	if r.status != 404 || str(r.json(t), "error") != "Commission not found: "+id {
		t.Errorf("after delete: %d %s", r.status, r.body)
	}
	r = c.do(t, "DELETE", "/v1/commissions/"+id, nil)
	if r.status != 404 {
		t.Errorf("delete twice: %d %s", r.status, r.body)
	}
	// The campaign made elsewhere is a Rewardful campaign too.
	got := c.do(t, "GET", "/v1/campaigns", nil).must(t, 200).json(t)
	var names []string
	for _, item := range got["data"].([]any) {
		m := item.(map[string]any)
		names = append(names, str(m, "name"))
		if m["name"] == "Elsewhere" && (m["reward_type"] != "amount" || m["commission_amount_cents"] != 700.0 || m["default"] != false) {
			t.Errorf("campaign = %v", m)
		}
	}
	if len(names) != 2 || names[0] != "Elsewhere" {
		t.Errorf("campaigns newest first = %v", names)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return strings.TrimSpace(b.String())
}

func TestRoutesClaimRewardfulPaths(t *testing.T) {
	t.Parallel()
	routes := rewardful.NewSurface().Routes()
	if routes.Prefix != "/rewardful" || len(routes.Hosts) != 1 || routes.Hosts[0] != "api.getrewardful.com" {
		t.Errorf("routes = %+v", routes)
	}
	for path, want := range map[string]bool{
		"/v1/affiliates": true, "/v1/affiliates/x/sso": true, "/v1/payouts/x/pay": true, "/v1/affiliate_coupons": true,
		"/v1/W4qLabc.js/referrerStats": false, "/v1/": false, "/v1/unknown": false,
	} {
		if got := routes.Claim(path); got != want {
			t.Errorf("Claim(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestFormBodyWithCharset(t *testing.T) {
	t.Parallel()
	env, c := newEnv(t, nil)
	req, err := http.NewRequest("POST", env.URL+"/v1/affiliates",
		strings.NewReader("first_name=Zo%C3%AB&last_name=Smith&email=zoe%40example.com&state=suspicious"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.SetBasicAuth(c.secret, "")
	resp := env.Do(t, req)
	body := readAll(t, resp)
	if resp.StatusCode != 200 || !contains(body, `"first_name":"Zoë"`) || !contains(body, `"state":"suspicious"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

// brokenTenants authenticates everyone into a backend that fails (or,
// with panic set, into one whose every call panics).
type brokenTenants struct{}

func (b brokenTenants) Authenticate(_ context.Context, _ canonical.Vendor, _ canonical.CredentialKind, secret string) (canonical.Credential, error) {
	if secret == "down" {
		return canonical.Credential{}, canonical.Wrap(canonical.Internal, errors.New("credential store is down"), "internal error")
	}
	return canonical.Credential{AccountID: "1"}, nil
}

func (b brokenTenants) Backend(string) canonical.Backend { return failing{} }

// failing answers every listing with an internal error.
type failing struct{ canonical.Backend }

func (failing) ListCampaigns(context.Context, canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
	return canonical.Page[canonical.Campaign]{}, canonical.Wrap(canonical.Internal, errors.New("disk on fire at /var/db"), "internal error")
}

// unserved answers every listing with not_implemented, as a backend that
// cannot list does.
type unserved struct{ canonical.Backend }

func (unserved) ListCampaigns(context.Context, canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
	return canonical.Page[canonical.Campaign]{}, canonical.Errorf(canonical.NotImplemented, "campaigns cannot be listed")
}

type unservedTenants struct{ brokenTenants }

func (unservedTenants) Backend(string) canonical.Backend { return unserved{} }

// TestUnservedIsNotLoggedAsAFault: a 501 by design (not_implemented) is an
// answer, not an internal error; nothing is logged at error level.
func TestUnservedIsNotLoggedAsAFault(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := rewardful.NewSurface().Handler(surface.Config{Tenants: unservedTenants{}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	req := httptest.NewRequest("GET", "/v1/campaigns", nil)
	req.SetBasicAuth("ok", "")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 501 {
		t.Errorf("status %d %s, want 501", rec.Code, rec.Body)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a 501 by design was logged as an error: %s", logs.String())
	}
}

func TestInternalErrorsAreLoggedNotSent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		tenants brokenTenants
		secret  string
		logged  string
	}{
		{"auth store down", brokenTenants{}, "down", "credential store is down"},
		{"backend failure", brokenTenants{}, "ok", "disk on fire"},
		// A panic is recovered by the proxy, for every surface alike
		// (proxy.TestPanicInRealSurfaces).
	} {
		var logs bytes.Buffer
		h := rewardful.NewSurface().Handler(surface.Config{Tenants: tt.tenants, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		req := httptest.NewRequest("GET", "/v1/campaigns", nil)
		req.SetBasicAuth(tt.secret, "")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 500 || strings.TrimSpace(rec.Body.String()) != `{"error":"Internal server error."}` {
			t.Errorf("%s: %d %s", tt.name, rec.Code, rec.Body)
		}
		if !strings.Contains(logs.String(), tt.logged) {
			t.Errorf("%s: log %q lacks %q", tt.name, logs.String(), tt.logged)
		}
	}
}

func TestRefundShowsOnTheSale(t *testing.T) {
	t.Parallel()
	env, c := newEnv(t, nil)
	ctx := context.Background()
	c.do(t, "POST", "/v1/campaigns", form("name", "Refunds", "url", "https://r.example.com", "reward_type", "percent",
		"commission_percent", "10")).must(t, 200)
	b := env.Backend
	ec := engineCampaign(t, b, "Refunds")
	ref, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: ec.ID, Email: "a@r.example"}})
	if err != nil {
		t.Fatal(err)
	}
	buyer, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: ec.ID, Email: "b@r.example"},
		Referrer: canonical.ByID(ref.ID)})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{"stripe_charge_id": "ch_9"}
	if _, err := b.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: ec.ID, Participant: canonical.ByID(buyer.ID),
		Amount: canonical.Money{Amount: 10500}, TaxAmount: 500, ExternalIDs: ids}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Hour)
	if _, err := b.RefundTransaction(ctx, canonical.NewRefund{CampaignID: ec.ID, ExternalIDs: ids, Amount: canonical.Money{Amount: 5250}}); err != nil {
		t.Fatal(err)
	}
	list := c.do(t, "GET", "/v1/commissions?expand[]=sale", nil).must(t, 200).json(t)
	comm := list["data"].([]any)[0].(map[string]any)
	sale := comm["sale"].(map[string]any)
	if comm["amount"] != 525.0 || sale["refund_amount_cents"] != 5250.0 || sale["charge_amount_cents"] != 10500.0 ||
		sale["tax_amount_cents"] != 500.0 || sale["sale_amount_cents"] != 10000.0 || sale["updated_at"] == sale["created_at"] {
		t.Errorf("refunded commission = %v", comm)
	}
}
