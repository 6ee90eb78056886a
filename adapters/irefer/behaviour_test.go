package irefer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	env := newEnv(t, canonical.Campaign{})
	other := env.NewTenant(t, "other", canonical.Campaign{URL: "https://other.example.org"})
	otherCampaign := codec(env).EncodeID(irefer.KindCampaign, other.Campaign.ID)
	unknownKey := "W4qL" + strings.Repeat("x", 28)

	tests := []struct {
		name string
		c    call
		ok   bool
		cors bool // Access-Control-Allow-Origin expected
	}{
		{name: "api_key", c: call{apiKey: ptr("site")}, ok: true},
		{name: "origin", c: call{headers: map[string]string{"Origin": origin}}, ok: true, cors: true},
		{name: "origin with www", c: call{headers: map[string]string{"Origin": "https://www.shop.example.com"}}, ok: true, cors: true},
		{name: "origin other scheme and port", c: call{headers: map[string]string{"Origin": "http://SHOP.example.com:8080"}}, ok: true, cors: true},
		{name: "referer", c: call{headers: map[string]string{"Referer": origin + "/pricing?x=1"}}, ok: true},
		{name: "null origin, referer", c: call{headers: map[string]string{"Origin": "null", "Referer": origin + "/"}}, ok: true},
		{name: "/v1/ prefix", c: call{prefix: "/v1", apiKey: ptr("site")}, ok: true},

		{name: "unknown license key", c: call{key: unknownKey, apiKey: ptr("site")}},
		{name: "malformed license key", c: call{key: "nope", apiKey: ptr("site")}},
		{name: "site key as license key", c: call{key: env.Secrets[canonical.SiteKey], apiKey: ptr("site")}},
		{name: "missing campaign_id", c: call{campaign: ptr("-"), apiKey: ptr("site")}},
		{name: "junk campaign_id", c: call{campaign: ptr("abc"), apiKey: ptr("site")}},
		{name: "engine campaign id", c: call{campaign: ptr(env.Campaign.ID), apiKey: ptr("site")}},
		{name: "another account's campaign_id", c: call{campaign: ptr(otherCampaign), apiKey: ptr("site")}},
		{name: "wrong api_key", c: call{apiKey: ptr("wrong")}},
		{name: "empty api_key", c: call{apiKey: ptr("")}},
		{name: "license key as api_key", c: call{apiKey: ptr(env.Secrets[canonical.LicenseKey])}},
		{name: "another account's api_key", c: call{apiKey: ptr(other.Secrets[canonical.SiteKey])}},
		{name: "wrong api_key beats a good origin", c: call{apiKey: ptr("wrong"), headers: map[string]string{"Origin": origin}}},
		{name: "no api_key, no origin", c: call{}},
		{name: "foreign origin", c: call{headers: map[string]string{"Origin": "https://evil.example.net"}}},
		{name: "lookalike origin", c: call{headers: map[string]string{"Origin": "https://shop.example.com.evil.net"}}},
		{name: "subdomain origin", c: call{headers: map[string]string{"Origin": "https://a.shop.example.com"}}},
		{name: "foreign referer", c: call{headers: map[string]string{"Referer": "https://evil.example.net/shop.example.com"}}},
		{name: "foreign origin, good referer", c: call{headers: map[string]string{"Origin": "https://evil.example.net", "Referer": origin + "/"}}},
		{name: "other tenant's license key", c: call{key: other.Secrets[canonical.LicenseKey], apiKey: ptr("site")}},
	}
	for _, tt := range tests {
		tt.c.method = "campaignStats"
		res := do(t, env, tt.c)
		if tt.ok {
			wantOK(t, tt.name, res)
		} else {
			wantError(t, tt.name, res, "campaignStats")
		}
		acao := res.header.Get("Access-Control-Allow-Origin")
		if tt.cors && (acao != tt.c.headers["Origin"] || !strings.Contains(res.header.Get("Vary"), "Origin")) {
			t.Errorf("%s: CORS headers %q / Vary %q", tt.name, acao, res.header.Get("Vary"))
		}
		if !tt.cors && acao != "" {
			t.Errorf("%s: unexpected Access-Control-Allow-Origin %q", tt.name, acao)
		}
	}
}

func TestWWWCampaignSite(t *testing.T) {
	t.Parallel()
	env := newEnv(t, canonical.Campaign{URL: "https://www.brand.example/landing"})
	for _, o := range []string{"https://brand.example", "https://www.brand.example"} {
		res := do(t, env, call{method: "campaignStats", headers: map[string]string{"Origin": o}})
		wantOK(t, o, res)
	}
}

func TestBrowserErrorsCarryCORS(t *testing.T) {
	t.Parallel()
	env := newEnv(t, canonical.Campaign{})
	// Authenticated by host, then failing on input: the page must be able
	// to read the error object.
	res := do(t, env, browser("referrerStats", url.Values{"email": {"nobody@example.com"}}))
	wantError(t, "unknown participant", res, "referrerStats")
	if res.header.Get("Access-Control-Allow-Origin") != origin {
		t.Errorf("error without CORS: %v", res.header)
	}
}

func TestPreflight(t *testing.T) {
	t.Parallel()
	env := newEnv(t, canonical.Campaign{})
	preflight := func(o string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, call{method: "newSignup"}.url(env), nil)
		req.Header.Set("Origin", o)
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "x-requested-with")
		return env.Do(t, req)
	}
	resp := preflight(origin)
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != origin ||
		resp.Header.Get("Access-Control-Allow-Headers") != "x-requested-with" {
		t.Errorf("preflight from the site: %d %v", resp.StatusCode, resp.Header)
	}
	resp = preflight("https://evil.example.net")
	if resp.StatusCode == http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from a foreign origin: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestUnknownPathsAndMethods(t *testing.T) {
	t.Parallel()
	env := newEnv(t, canonical.Campaign{})
	key := env.Secrets[canonical.LicenseKey]
	tests := []struct {
		name, verb, path, method string
	}{
		{"unknown method", http.MethodGet, "/v1.0/" + key + ".js/deleteEverything", "deleteEverything"},
		{"typo of the overview", http.MethodGet, "/v1.0/" + key + ".js/referStats", "referStats"},
		{"wrong case", http.MethodGet, "/v1.0/" + key + ".js/ReferrerStats", "ReferrerStats"},
		{"no .js", http.MethodGet, "/v1.0/" + key + "/referrers", "referrers"},
		{"other version", http.MethodGet, "/v2/" + key + ".js/referrers", "referrers"},
		{"root", http.MethodGet, "/", "unknown"},
		{"POST", http.MethodPost, "/v1.0/" + key + ".js/newSignup", "newSignup"},
		{"DELETE", http.MethodDelete, "/v1/" + key + ".js/referrers", "referrers"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.verb, env.URL+tt.path+"?api_key="+env.Secrets[canonical.SiteKey]+"&campaign_id="+campaignID(env), nil)
		wantError(t, tt.name, send(t, env, req), tt.method)
	}
}

func TestValidationErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t, canonical.Campaign{Native: canonical.Native{canonical.IRefer: {"specific_action": "/dashboard"}}})
	_, code := signup(t, env, url.Values{"email": {"ref@example.com"}})
	tests := []struct {
		name   string
		method string
		q      url.Values
	}{
		{"signup without email", "newSignup", url.Values{"name": {"x"}}},
		{"signup with a malformed email", "newSignup", url.Values{"email": {"not-an-email"}}},
		{"signup with an unknown source", "newSignup", url.Values{"email": {"a@example.com"}, "source": {"x"}}},
		{"stats without email", "referrerStats", nil},
		{"stats of a non-participant", "referrerStats", url.Values{"email": {"nobody@example.com"}}},
		{"action without referrer_code", "newSpecificAction", url.Values{"external_id": {"a"}, "action": {"/dashboard"}}},
		{"action without external_id", "newSpecificAction", url.Values{"referrer_code": {code}, "action": {"/dashboard"}}},
		{"action with an unknown referrer", "newSpecificAction", url.Values{"external_id": {"a"}, "action": {"/dashboard"}, "referrer_code": {"nope1234"}}},
		{"action that is not the campaign's", "newSpecificAction", url.Values{"external_id": {"a"}, "action": {"/thanks/"}, "referrer_code": {code}}},
	}
	for _, tt := range tests {
		wantError(t, tt.name, do(t, env, server(tt.method, tt.q)), tt.method)
	}
	res := do(t, env, server("newSpecificAction", url.Values{"external_id": {"a"}, "action": {"/dashboard"}, "referrer_code": {code}}))
	wantOK(t, "the campaign's own action", res)
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	env := newEnv(t, canonical.Campaign{})
	other := env.NewTenant(t, "other", canonical.Campaign{URL: "https://other.example.org"})
	_, code := signup(t, env, url.Values{"email": {"secret@example.com"}})

	// The other tenant, with its own valid credentials on its own campaign.
	as := func(method string, q url.Values) call {
		return call{method: method, query: q, key: other.Secrets[canonical.LicenseKey],
			campaign: ptr(codec(env).EncodeID(irefer.KindCampaign, other.Campaign.ID)), apiKey: ptr(other.Secrets[canonical.SiteKey])}
	}
	wantError(t, "read the first tenant's participant", do(t, env, as("referrerStats", url.Values{"email": {"secret@example.com"}})), "referrerStats")
	list := do(t, env, as("referrers", nil))
	wantOK(t, "own list", list)
	if len(list.list()) != 0 {
		t.Errorf("other tenant sees %s", list.raw)
	}
	// Using the first tenant's code credits nobody there.
	res := do(t, env, as("newSignup", url.Values{"email": {"x@example.com"}, "referrer_code": {code}}))
	wantOK(t, "signup with a foreign code", res)
	if _, has := res.object()["referrer"]; has {
		t.Errorf("foreign code attributed: %s", res.raw)
	}
	wantError(t, "action with a foreign code", do(t, env, as("newSpecificAction",
		url.Values{"external_id": {"x@example.com"}, "action": {"/a"}, "referrer_code": {code}})), "newSpecificAction")

	// Mixing credentials across tenants fails.
	wantError(t, "other key on our campaign", do(t, env, call{method: "referrers", key: other.Secrets[canonical.LicenseKey], apiKey: ptr("site")}), "referrers")
	wantError(t, "our key with their site key", do(t, env, call{method: "referrers", apiKey: ptr(other.Secrets[canonical.SiteKey])}), "referrers")
	wantError(t, "their campaign with our key", do(t, env, call{method: "referrers", apiKey: ptr("site"),
		campaign: ptr(codec(env).EncodeID(irefer.KindCampaign, other.Campaign.ID))}), "referrers")
	wantError(t, "our origin on their key", do(t, env, call{method: "referrers", key: other.Secrets[canonical.LicenseKey],
		campaign: ptr(codec(env).EncodeID(irefer.KindCampaign, other.Campaign.ID)), headers: map[string]string{"Origin": origin}}), "referrers")

	// Nothing changed for the first tenant.
	own := do(t, env, server("referrers", nil))
	if len(own.list()) != 1 {
		t.Errorf("first tenant now has %s", own.raw)
	}
}

func TestNoRateLimits(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, irefer.NewSurface(), &surfacetest.Options{EnforceLimits: true})
	for i := range 50 {
		res := do(t, env, server("campaignStats", nil))
		wantOK(t, "call", res)
		for h := range res.header {
			if l := strings.ToLower(h); strings.Contains(l, "ratelimit") || strings.Contains(l, "rate-limit") || l == "retry-after" {
				t.Fatalf("call %d: rate-limit header %s sent", i, h)
			}
		}
	}
}

func TestParticipantLifecycle(t *testing.T) {
	t.Parallel()
	env := newEnv(t, canonical.Campaign{Native: canonical.Native{canonical.IRefer: {"confirmation_required": true}}})
	ctx := context.Background()

	// Create.
	res, code := signup(t, env, url.Values{"email": {"Kim@Example.net"}, "name": {"Kim Lee"}, "phone": {"+1 555 0100"},
		"info_1": {"plan=pro"}, "info_5": {"x"}})
	if o := res.object(); o["confirmed"] != "0" || o["reward_next"] != "Get a $10 Coupon!" || o["reward_next_referrals_required"] != 1.0 {
		t.Errorf("signup: %s", res.raw)
	}
	// Read.
	stats := do(t, env, server("referrerStats", url.Values{"email": {"kim@example.net"}}))
	wantOK(t, "stats", stats)
	if o := stats.object(); o["email"] != "Kim@Example.net" || o["referrals_made"] != 0.0 || o["reward_next"] != "None" ||
		o["reward_next_referrals_remaining"] != 1.0 || codeOf(t, o["referral_link"]) != code {
		t.Errorf("stats: %s", stats.raw)
	}
	list := do(t, env, server("referrers", nil))
	if l := list.list(); len(l) != 1 {
		t.Fatalf("referrers: %s", list.raw)
	}
	row := list.list()[0].(map[string]any)
	if row["name"] != "Kim Lee" || row["phone"] != "+1 555 0100" || row["info_1"] != "plan=pro" || row["info_2"] != nil ||
		row["info_5"] != "x" || row["referral_link"] != code || row["campaign_id"] != campaignID(env) || row["referrer_email"] != nil {
		t.Errorf("referrer row: %s", list.raw)
	}
	// The same participant through the engine, by the rendered ID.
	id, ok := codec(env).DecodeID(irefer.KindParticipant, row["id"].(string))
	if !ok {
		t.Fatalf("id %v does not decode", row["id"])
	}
	p, err := env.Backend.GetParticipant(ctx, env.Campaign.ID, canonical.ByID(id))
	if err != nil || p.Email != "Kim@Example.net" || p.Native.String(canonical.IRefer, "info_1") != "plan=pro" || p.Phone != "" {
		t.Fatalf("engine participant: %+v, %v", p, err)
	}

	// Update: signing up again changes nothing; confirming the email (on
	// another surface, here the engine) shows through.
	again, _ := signup(t, env, url.Values{"email": {"kim@example.net"}, "name": {"Someone Else"}})
	if codeOf(t, again.object()["referral_link"]) != code {
		t.Errorf("duplicate signup made a new participant: %s", again.raw)
	}
	verified := true
	if _, err := env.Backend.UpdateParticipant(ctx, env.Campaign.ID, canonical.ByID(id), canonical.ParticipantPatch{Verified: &verified}); err != nil {
		t.Fatal(err)
	}
	stats = do(t, env, server("referrerStats", url.Values{"email": {"kim@example.net"}}))
	if o := stats.object(); o["confirmed"] != "1" || o["reward_next"] != "Get a $10 Coupon!" {
		t.Errorf("after confirmation: %s", stats.raw)
	}
	list = do(t, env, server("referrers", nil))
	if row := list.list()[0].(map[string]any); row["name"] != "Kim Lee" {
		t.Errorf("duplicate signup changed the name: %s", list.raw)
	}

	// Delete.
	if _, err := env.Backend.DeleteParticipant(ctx, env.Campaign.ID, canonical.ByID(id)); err != nil {
		t.Fatal(err)
	}
	wantError(t, "stats after delete", do(t, env, server("referrerStats", url.Values{"email": {"kim@example.net"}})), "referrerStats")
	if list = do(t, env, server("referrers", nil)); len(list.list()) != 0 {
		t.Errorf("referrers after delete: %s", list.raw)
	}
}

func TestReferralAttribution(t *testing.T) {
	t.Parallel()
	env := newEnv(t, canonical.Campaign{})
	_, alice := signup(t, env, url.Values{"email": {"alice@example.com"}, "name": {"Alice"}})
	sources := []string{"w", "f", "t"}
	for i, src := range sources {
		email := string(rune('a'+i)) + "friend@example.com"
		// The browser path: the page's own call, without api_key.
		res := do(t, env, browser("newSignup", url.Values{"email": {email}, "referrer_code": {alice}, "source": {src}}))
		wantOK(t, "referred signup", res)
		if res.object()["referrer"] != "alice@example.com" {
			t.Errorf("signup %d: referrer %v", i, res.object()["referrer"])
		}
	}
	stats := do(t, env, server("referrerStats", url.Values{"email": {"alice@example.com"}}))
	o := stats.object()
	if o["referrals_made"] != 3.0 || o["reward_last"] != "Get a $50 Coupon!" || len(o["rewards_earned"].([]any)) != 2 ||
		o["reward_next"] != "Get a $50 Coupon!" || o["reward_next_referrals_remaining"] != 3.0 {
		t.Errorf("alice's stats: %s", stats.raw)
	}
	camp := do(t, env, browser("campaignStats", nil)).object()
	if camp["signups_total"] != 4.0 || camp["referrals"] != 3.0 || camp["whatsapp_referrals"] != 1.0 ||
		camp["facebook_referrals"] != 1.0 || camp["twitter_referrals"] != 1.0 || camp["email_referrals"] != 0.0 {
		t.Errorf("campaign stats: %v", camp)
	}
	list := do(t, env, server("referrers", nil)).list()
	if len(list) != 4 {
		t.Fatalf("referrers: %v", list)
	}
	newest := list[0].(map[string]any)
	if newest["referrer_email"] != "alice@example.com" || newest["source_network"] != "t" || newest["ip"] != "127.0.0.1" {
		t.Errorf("newest referrer row: %v", newest)
	}
	if oldest := list[3].(map[string]any); oldest["email"] != "alice@example.com" || oldest["referrals_count"] != "3" {
		t.Errorf("alice's row: %v", oldest)
	}
	rewards := do(t, env, server("rewards", nil)).list()
	if len(rewards) != 2 {
		t.Fatalf("rewards: %v", rewards)
	}
	latest := rewards[0].(map[string]any)
	if latest["recipient_email"] != "alice@example.com" || latest["referrals_made"] != "3" || latest["reward_signups_count"] != "3" ||
		latest["reward_delivery"] != "EACHTIME" || latest["recipient_referral_code"] != alice {
		t.Errorf("latest reward: %v", latest)
	}
	rid, ok := codec(env).DecodeID(irefer.KindEarnedReward, latest["id"].(string))
	if !ok {
		t.Fatalf("reward id %v does not decode", latest["id"])
	}
	if er, err := env.Backend.GetEarnedReward(context.Background(), rid); err != nil || er.ReferralsAtEarning != 3 {
		t.Errorf("engine reward %s: %+v, %v", rid, er, err)
	}
}

func TestSpecificActionCreditsReferral(t *testing.T) {
	t.Parallel()
	// A campaign whose referrals count only once the referred person does
	// the specific action.
	env := newEnv(t, canonical.Campaign{Qualification: canonical.QualifyOnEvent})
	_, alice := signup(t, env, url.Values{"email": {"alice@example.com"}})
	signup(t, env, url.Values{"email": {"bob@example.com"}, "referrer_code": {alice}, "source": {"e"}})
	made := func() any {
		return do(t, env, server("referrerStats", url.Values{"email": {"alice@example.com"}})).object()["referrals_made"]
	}
	if got := made(); got != 0.0 {
		t.Fatalf("before the action: referrals_made %v", got)
	}
	res := do(t, env, browser("newSpecificAction", url.Values{"external_id": {"bob@example.com"}, "action": {"/thanks/"}, "referrer_code": {alice}}))
	wantOK(t, "action", res)
	if o := res.object(); o["external_id"] != "bob@example.com" || o["campaign_name"] != "Spring launch" {
		t.Errorf("action answer: %s", res.raw)
	}
	if got := made(); got != 1.0 {
		t.Errorf("after the action: referrals_made %v", got)
	}
	list := do(t, env, server("specificActionSignups", nil)).list()
	if len(list) != 1 {
		t.Fatalf("specificActionSignups: %v", list)
	}
	row := list[0].(map[string]any)
	if row["referrer_email"] != "alice@example.com" || row["referred_person"] != "bob@example.com" ||
		row["specific_action"] != "/thanks/" || row["ip"] != "127.0.0.1" || row["created_at"] != "2026-03-10T12:00:00Z" {
		t.Errorf("action row: %v", row)
	}
}

func TestSignupsToday(t *testing.T) {
	t.Parallel()
	env := newEnv(t, canonical.Campaign{})
	signup(t, env, url.Values{"email": {"a@example.com"}})
	env.Clock.Advance(24 * 60 * 60 * 1e9)
	signup(t, env, url.Values{"email": {"b@example.com"}})
	camp := do(t, env, server("campaignStats", nil)).object()
	if camp["signups_total"] != 2.0 || camp["signups_today"] != 1.0 || camp["total_views"] != "0" || camp["conversion"] != "0.0%" {
		t.Errorf("campaign stats: %v", camp)
	}
}

func TestRoutesAndClaim(t *testing.T) {
	t.Parallel()
	s := irefer.NewSurface()
	rt := s.Routes()
	if s.Vendor() != canonical.IRefer || rt.Prefix != "/irefer" || len(rt.Hosts) != 1 || rt.Hosts[0] != "api.irefer.io" {
		t.Errorf("routes: %+v", rt)
	}
	claims := map[string]bool{
		"/v1.0/W4qL69dbdc0ed0520530bede3c1fc574.js/referrers": true,
		"/v1/W4qL69dbdc0ed0520530bede3c1fc574.js/newSignup":   true,
		"/v1/abc.js":         true,
		"/v1/referrals":      false,
		"/v1/affiliates/abc": false,
		"/v1/.js/referrers":  false,
		"/v1/":               false,
	}
	for path, want := range claims {
		if got := rt.Claim(path); got != want {
			t.Errorf("Claim(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestWriteError(t *testing.T) {
	t.Parallel()
	s := irefer.NewSurface()
	tests := []struct {
		err  error
		want string
	}{
		{canonical.Errorf(canonical.Invalid, "too large"), errorBody("newSignup")},
		{errors.New("panic: boom"), "null"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		s.WriteError(rec, httptest.NewRequest(http.MethodGet, "/v1.0/key.js/newSignup", nil), tt.err)
		if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != tt.want || !strings.Contains(rec.Header().Get("Content-Type"), "json") {
			t.Errorf("WriteError(%v) = %d %s", tt.err, rec.Code, rec.Body)
		}
	}
}

// TestListingMethodsNeedTheAPIKey: the license key is public (it sits in
// the customer's page) and Origin or Referer can be forged by anything
// but a browser, so referrers, rewards and specificActionSignups — every
// participant's email and name — need the api_key unless the campaign
// sets browser_lists. The methods of the guide's browser snippet still
// work without it.
func TestListingMethodsNeedTheAPIKey(t *testing.T) {
	t.Parallel()
	env := newEnv(t, canonical.Campaign{})
	_, alice := signup(t, env, url.Values{"email": {"alice@example.com"}, "name": {"Alice Smith"}})
	signup(t, env, url.Values{"email": {"bob@example.com"}, "name": {"Bob Jones"}, "referrer_code": {alice}})
	wantOK(t, "action", do(t, env, server("newSpecificAction", url.Values{"external_id": {"bob@example.com"},
		"action": {"/thanks/"}, "referrer_code": {alice}})))

	forged := []struct {
		name    string
		headers map[string]string
	}{
		{"forged Origin", map[string]string{"Origin": origin}},
		{"forged Referer", map[string]string{"Referer": origin + "/account"}},
		{"forged Origin with www", map[string]string{"Origin": "https://www.shop.example.com"}},
	}
	listing := []string{"referrers", "rewards", "specificActionSignups"}
	// lists checks every listing method on both prefixes: refused without
	// the api_key unless open, listed with it.
	lists := func(step string, open bool) {
		t.Helper()
		for _, method := range listing {
			for _, prefix := range []string{"/v1.0", "/v1"} {
				for _, f := range forged {
					what := step + ": " + f.name + " " + prefix + "/" + method
					res := do(t, env, call{prefix: prefix, method: method, headers: f.headers})
					if !open {
						wantError(t, what, res, method)
						if strings.Contains(string(res.raw), "alice@example.com") {
							t.Errorf("%s: leaked %s", what, res.raw)
						}
						continue
					}
					wantOK(t, what, res)
					if len(res.list()) == 0 || !strings.Contains(string(res.raw), "alice@example.com") {
						t.Errorf("%s: %s, want the campaign's %s", what, res.raw, method)
					}
				}
				withKey := do(t, env, call{prefix: prefix, method: method, apiKey: ptr("site")})
				wantOK(t, step+": api_key "+prefix+"/"+method, withKey)
				if len(withKey.list()) == 0 {
					t.Errorf("%s: api_key %s/%s listed nothing", step, prefix, method)
				}
			}
		}
	}
	lists("by default", false)

	// The guide's browser snippet needs no api_key.
	for _, c := range []call{
		browser("newSignup", url.Values{"email": {"carol@example.com"}, "referrer_code": {alice}}),
		browser("referrerStats", url.Values{"email": {"alice@example.com"}}),
		browser("newSpecificAction", url.Values{"external_id": {"carol@example.com"}, "action": {"/thanks/"}, "referrer_code": {alice}}),
		browser("campaignStats", nil),
	} {
		res := do(t, env, c)
		wantOK(t, "snippet "+c.method, res)
		if res.header.Get("Access-Control-Allow-Origin") != origin {
			t.Errorf("snippet %s: Access-Control-Allow-Origin %q", c.method, res.header.Get("Access-Control-Allow-Origin"))
		}
	}
	// referrerStats shows the given email's stats, nobody else's.
	stats := do(t, env, browser("referrerStats", url.Values{"email": {"alice@example.com"}})).object()
	if stats["email"] != "alice@example.com" || strings.Contains(fmt.Sprint(stats), "bob@example.com") {
		t.Errorf("referrerStats shows %v", stats)
	}

	// The campaign opts in; then out again. Each takes effect at once.
	for _, step := range []struct {
		name  string
		value any
		open  bool
	}{
		{"browser_lists true", true, true},
		{"browser_lists \"1\"", "1", true},
		{"browser_lists false", false, false},
	} {
		patch := canonical.CampaignPatch{Native: canonical.Native{canonical.IRefer: {"browser_lists": step.value}}}
		if _, err := env.Backend.UpdateCampaign(context.Background(), env.Campaign.ID, patch); err != nil {
			t.Fatal(err)
		}
		lists(step.name, step.open)
	}
}
