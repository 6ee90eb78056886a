package proxy_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// consoleClient follows no redirects, so the tests see them.
var consoleClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// consoleDo sends a request to the console and returns the answer with
// its body read.
func consoleDo(t *testing.T, method, target string, body url.Values, header map[string]string, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := consoleClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// consoleLogin logs in through the form and returns the session cookie.
func consoleLogin(t *testing.T, base string) *http.Cookie {
	t.Helper()
	resp, body := consoleDo(t, http.MethodPost, base+"/_refbridge/ui/login",
		url.Values{"token": {proxytest.AdminToken}, "next": {"/_refbridge/ui"}}, map[string]string{"Origin": base})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "refbridge_ui" {
			return c
		}
	}
	t.Fatalf("login set no session cookie: %v", resp.Header["Set-Cookie"])
	return nil
}

// consoleFixture is a tenant with a chain of referrals: Ada referred
// Bea, Bea referred Cy, Cy referred Dot; Eve came on her own.
type consoleFixture struct {
	srv *proxytest.Server
	tn  proxytest.Tenant
	ids map[string]string // first name to participant ID
}

func newConsoleFixture(t *testing.T, names ...[2]string) consoleFixture {
	t.Helper()
	srv := proxytest.New(t, nil)
	tn := srv.NewTenant(t, "acme", canonical.Campaign{Name: "Console launch", Qualification: canonical.QualifyOnSignup})
	ctx := context.Background()
	if _, err := tn.Backend.CreateRewardRule(ctx, tn.Campaign.ID, canonical.RewardRule{
		Kind: canonical.SingleSided, Title: "Free month", Description: "A month free per friend", Threshold: 1,
	}); err != nil {
		t.Fatal(err)
	}
	f := consoleFixture{srv: srv, tn: tn, ids: map[string]string{}}
	if names == nil {
		names = [][2]string{{"Ada", ""}, {"Bea", "Ada"}, {"Cy", "Bea"}, {"Dot", "Cy"}, {"Eve", ""}}
	}
	for _, n := range names {
		in := canonical.NewParticipant{Participant: canonical.Participant{
			CampaignID: tn.Campaign.ID, FirstName: n[0], LastName: "Test", Email: strings.ToLower(strings.Map(emailRune, n[0])) + "@example.com",
		}}
		if n[1] != "" {
			in.Referrer = canonical.ByID(f.ids[n[1]])
			in.RequireReferrer = true
		}
		p, _, err := tn.Backend.CreateParticipant(ctx, in)
		if err != nil {
			t.Fatalf("%s: %v", n[0], err)
		}
		f.ids[n[0]] = p.ID
	}
	return f
}

// emailRune keeps what may go in an email's local part.
func emailRune(r rune) rune {
	if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
		return r
	}
	return '-'
}

func (f consoleFixture) account() string { return "/_refbridge/ui/accounts/" + f.tn.Account.ID }
func (f consoleFixture) campaign() string {
	return f.account() + "/campaigns/" + f.tn.Campaign.ID
}
func (f consoleFixture) participant(name string) string {
	return f.campaign() + "/participants/" + f.ids[name]
}

func TestConsolePages(t *testing.T) {
	t.Parallel()
	f := newConsoleFixture(t)
	base := f.srv.URL
	session := consoleLogin(t, base)
	for _, tc := range []struct {
		name, path, want string
	}{
		{"accounts", "/_refbridge/ui", "acme"},
		{"accounts slash", "/_refbridge/ui/", "acme"},
		{"account", f.account(), "Free month"},
		{"participants", f.campaign(), "ada@example.com"},
		{"search", f.campaign() + "?q=bea", "bea@example.com"},
		{"leaderboard", f.campaign() + "/leaderboard", "Ada Test"},
		{"leaderboard month", f.campaign() + "/leaderboard?board=month&n=5", "Ada Test"},
		{"participant", f.participant("Bea"), "Cy Test"},
		{"deliveries", f.account() + "/deliveries", "No deliveries yet"},
		{"requests", "/_refbridge/ui/requests", "referralrocket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := consoleDo(t, http.MethodGet, base+tc.path, nil, nil, session)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, tc.want) {
				t.Fatalf("with a session: %d, want 200 showing %q\n%.2000s", resp.StatusCode, tc.want, body)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			resp, _ = consoleDo(t, http.MethodGet, base+tc.path, nil, map[string]string{"Authorization": "Bearer " + proxytest.AdminToken})
			if resp.StatusCode != http.StatusOK {
				t.Errorf("with the Bearer token: %d", resp.StatusCode)
			}
			resp, _ = consoleDo(t, http.MethodGet, base+tc.path, nil, nil)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/_refbridge/ui/login?next=") {
				t.Errorf("without a session: %d to %q, want 303 to the login page", resp.StatusCode, loc)
			}
			for _, bad := range []*http.Cookie{
				{Name: "refbridge_ui", Value: "9999999999.00"},
				{Name: "refbridge_ui", Value: proxytest.AdminToken},
				{Name: "refbridge_ui", Value: session.Value + "0"},
			} {
				if resp, _ := consoleDo(t, http.MethodGet, base+tc.path, nil, nil, bad); resp.StatusCode != http.StatusSeeOther {
					t.Errorf("with cookie %q: %d, want 303", bad.Value, resp.StatusCode)
				}
			}
			resp, _ = consoleDo(t, http.MethodGet, base+tc.path, nil, map[string]string{"Authorization": "Bearer wrong"})
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("with a wrong Bearer token: %d, want 303", resp.StatusCode)
			}
			resp, _ = consoleDo(t, http.MethodPost, base+tc.path, url.Values{}, map[string]string{"Origin": base})
			if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusNotFound {
				t.Errorf("POST without a session: %d, want 401 (or 404: no such form)", resp.StatusCode)
			}
		})
	}
}

func TestConsoleLogin(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, nil)
	base := srv.URL
	login := base + "/_refbridge/ui/login"
	for _, tc := range []struct {
		name   string
		token  string
		next   string
		header map[string]string
		status int
		to     string // where a successful login goes
	}{
		{"right token", proxytest.AdminToken, "/_refbridge/ui/accounts/x", map[string]string{"Origin": base}, http.StatusSeeOther, "/_refbridge/ui/accounts/x"},
		{"Referer without Origin", proxytest.AdminToken, "", map[string]string{"Referer": login}, http.StatusSeeOther, "/_refbridge/ui"},
		{"next elsewhere", proxytest.AdminToken, "//evil.example/_refbridge/ui", map[string]string{"Origin": base}, http.StatusSeeOther, "/_refbridge/ui"},
		{"next outside the console", proxytest.AdminToken, "/v2/campaigns", map[string]string{"Origin": base}, http.StatusSeeOther, "/_refbridge/ui"},
		{"wrong token", "guess", "", map[string]string{"Origin": base}, http.StatusUnauthorized, ""},
		{"empty token", "", "", map[string]string{"Origin": base}, http.StatusUnauthorized, ""},
		{"token prefix", proxytest.AdminToken[:5], "", map[string]string{"Origin": base}, http.StatusUnauthorized, ""},
		{"other origin", proxytest.AdminToken, "", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden, ""},
		{"other referer", proxytest.AdminToken, "", map[string]string{"Referer": "https://evil.example/x"}, http.StatusForbidden, ""},
		{"no origin or referer", proxytest.AdminToken, "", nil, http.StatusForbidden, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := consoleDo(t, http.MethodPost, login, url.Values{"token": {tc.token}, "next": {tc.next}}, tc.header)
			if resp.StatusCode != tc.status {
				t.Fatalf("%d, want %d\n%.1000s", resp.StatusCode, tc.status, body)
			}
			var session *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == "refbridge_ui" {
					session = c
				}
			}
			if tc.status != http.StatusSeeOther {
				if session != nil {
					t.Errorf("a failed login set a cookie: %v", session)
				}
				if tc.status == http.StatusUnauthorized && !strings.Contains(body, "not the admin token") {
					t.Errorf("the login page does not say the token is wrong:\n%.1000s", body)
				}
				return
			}
			if loc := resp.Header.Get("Location"); loc != tc.to {
				t.Errorf("goes to %q, want %q", loc, tc.to)
			}
			if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/_refbridge/ui" || session.Secure {
				t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Path /_refbridge/ui, not Secure over plain HTTP", session)
			}
			if strings.Contains(session.Value, proxytest.AdminToken) {
				t.Errorf("the cookie holds the token: %q", session.Value)
			}
			if resp, _ := consoleDo(t, http.MethodGet, base+"/_refbridge/ui", nil, nil, session); resp.StatusCode != http.StatusOK {
				t.Errorf("with the cookie: %d", resp.StatusCode)
			}
		})
	}

	t.Run("logout", func(t *testing.T) {
		t.Parallel()
		session := consoleLogin(t, base)
		resp, _ := consoleDo(t, http.MethodPost, base+"/_refbridge/ui/logout", url.Values{}, map[string]string{"Origin": "https://evil.example"}, session)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin logout: %d, want 403", resp.StatusCode)
		}
		resp, _ = consoleDo(t, http.MethodPost, base+"/_refbridge/ui/logout", url.Values{}, map[string]string{"Origin": base}, session)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/_refbridge/ui/login" {
			t.Fatalf("logout: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		cleared := false
		for _, c := range resp.Cookies() {
			cleared = cleared || c.Name == "refbridge_ui" && c.Value == "" && c.MaxAge < 0
		}
		if !cleared {
			t.Errorf("logout did not clear the cookie: %v", resp.Header["Set-Cookie"])
		}
	})

	t.Run("login page", func(t *testing.T) {
		t.Parallel()
		resp, body := consoleDo(t, http.MethodGet, login+"?next=/_refbridge/ui/accounts/a%22b", nil, nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="token"`) || !strings.Contains(body, `value="/_refbridge/ui/accounts/a&#34;b"`) {
			t.Fatalf("%d\n%s", resp.StatusCode, body)
		}
		if resp, _ := consoleDo(t, http.MethodGet, base+"/_refbridge/ui/assets/ui.css", nil, nil); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
			t.Errorf("stylesheet: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
}

func TestConsoleSearch(t *testing.T) {
	t.Parallel()
	var names [][2]string
	for i := range 30 {
		names = append(names, [2]string{fmt.Sprintf("Mira%02d", i), ""})
	}
	names = append(names, [2]string{"Zed", ""}, [2]string{"Quill", ""})
	f := newConsoleFixture(t, names...)
	session := consoleLogin(t, f.srv.URL)
	for _, tc := range []struct {
		name, query string
		want, not   []string
		next        bool
	}{
		{"name substring", "q=uil", []string{"Quill Test"}, []string{"Zed Test", "Mira00"}, false},
		{"email substring, any case", "q=ZED%40EXAMPLE", []string{"zed@example.com"}, []string{"Quill"}, false},
		{"no match", "q=nobody", []string{"No participant matches"}, []string{"Zed"}, false},
		{"first page", "q=mira", []string{"Mira29 Test", "Mira05 Test"}, []string{"Mira04 Test", "Zed"}, true},
		{"second page", "q=mira&page=1", []string{"Mira04 Test", "Mira00 Test"}, []string{"Mira05 Test"}, false},
		{"unsearched, newest first", "", []string{"Quill Test", "Mira08 Test"}, []string{"Mira06 Test"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := consoleDo(t, http.MethodGet, f.srv.URL+f.campaign()+"?"+tc.query, nil, nil, session)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%d", resp.StatusCode)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("shows %q", n)
				}
			}
			if got := strings.Contains(body, `rel="next"`); got != tc.next {
				t.Errorf("next page link: %v, want %v", got, tc.next)
			}
		})
	}
}

// treeDepth is how many lists enclose the first mention of text in a
// page (0: none).
func treeDepth(t *testing.T, body, text string) int {
	t.Helper()
	i := strings.Index(body, text)
	if i < 0 {
		t.Fatalf("%q is not on the page", text)
	}
	return strings.Count(body[:i], "<ul") - strings.Count(body[:i], "</ul>")
}

func TestConsoleReferralTree(t *testing.T) {
	t.Parallel()
	f := newConsoleFixture(t)
	session := consoleLogin(t, f.srv.URL)
	for _, tc := range []struct {
		page   string
		depths map[string]int // name to the nesting of its entry in the tree
		absent []string
	}{
		// Ada's tree: three levels below her.
		{"Ada", map[string]int{"Ada Test": 1, "Bea Test": 2, "Cy Test": 3, "Dot Test": 4}, []string{"Eve Test"}},
		// Bea's: her referrer above, two levels below.
		{"Bea", map[string]int{"Ada Test": 1, "Bea Test": 2, "Cy Test": 3, "Dot Test": 4}, []string{"Eve Test"}},
		// Dot's: the chain of three referrers above her.
		{"Dot", map[string]int{"Ada Test": 1, "Bea Test": 2, "Cy Test": 3, "Dot Test": 4}, nil},
		{"Eve", map[string]int{"Eve Test": 1}, []string{"Ada Test", "Bea Test"}},
	} {
		t.Run(tc.page, func(t *testing.T) {
			t.Parallel()
			resp, body := consoleDo(t, http.MethodGet, f.srv.URL+f.participant(tc.page), nil, nil, session)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%d", resp.StatusCode)
			}
			_, tree, ok := strings.Cut(body, `<div class="referrals">`)
			if !ok {
				t.Fatalf("no referral tree:\n%s", body)
			}
			for name, want := range tc.depths {
				if got := treeDepth(t, tree, name); got != want {
					t.Errorf("%s is %d lists deep, want %d\n%s", name, got, want, tree)
				}
			}
			for _, name := range tc.absent {
				if strings.Contains(tree, name) {
					t.Errorf("the tree shows %s", name)
				}
			}
			if !strings.Contains(tree, `class="self" data-id="`+f.ids[tc.page]+`"`) {
				t.Errorf("the participant is not marked in the tree")
			}
		})
	}
	if resp, _ := consoleDo(t, http.MethodGet, f.srv.URL+f.campaign()+"/participants/nobody", nil, nil, session); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown participant: %d, want 404", resp.StatusCode)
	}
}

func TestConsoleEscapes(t *testing.T) {
	t.Parallel()
	const evil = `<script>alert("x")</script>`
	f := newConsoleFixture(t, [2]string{evil, ""}, [2]string{"Kid", evil})
	ctx := context.Background()
	if _, err := f.srv.Engine.CreateAccount(ctx, evil+" corp"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tn.Backend.CreateRewardRule(ctx, f.tn.Campaign.ID, canonical.RewardRule{
		Kind: canonical.SingleSided, Title: evil, Description: evil, Threshold: 1,
	}); err != nil {
		t.Fatal(err)
	}
	session := consoleLogin(t, f.srv.URL)
	for _, path := range []string{
		"/_refbridge/ui",
		f.account(),
		f.campaign(),
		f.campaign() + "?q=" + url.QueryEscape(evil),
		f.campaign() + "/leaderboard",
		f.participant("Kid"),
		f.participant(evil),
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			resp, body := consoleDo(t, http.MethodGet, f.srv.URL+path, nil, nil, session)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%d", resp.StatusCode)
			}
			if strings.Contains(body, "<script") {
				t.Errorf("unescaped markup:\n%s", body)
			}
			if !strings.Contains(body, "&lt;script&gt;") {
				t.Errorf("the name is not shown escaped:\n%s", body)
			}
		})
	}
}

// TestConsoleRecentRequests: the requests page lists each surface's
// requests by route template, never the path as sent (iRefer's carries
// the license key) or the query.
func TestConsoleRecentRequests(t *testing.T) {
	t.Parallel()
	f := newConsoleFixture(t)
	base := f.srv.URL
	license := f.tn.Secret(canonical.IRefer, canonical.LicenseKey)
	siteKey := f.tn.Secret(canonical.IRefer, canonical.SiteKey)
	for _, req := range [][2]string{
		{http.MethodGet, "/v1.0/" + license + ".js/campaignStats?site_key=" + siteKey},
		{http.MethodGet, "/v2/campaigns/ada@example.com/nowhere"},
		{"BREW", "/v2/campaigns"},
	} {
		consoleDo(t, req[0], base+req[1], nil, nil)
	}
	session := consoleLogin(t, base)
	resp, body := consoleDo(t, http.MethodGet, base+"/_refbridge/ui/requests", nil, nil, session)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d", resp.StatusCode)
	}
	_, irefer, _ := strings.Cut(body, `id="surface-irefer"`)
	irefer, _, _ = strings.Cut(irefer, "</section>")
	if !strings.Contains(irefer, "{license_key}") || !strings.Contains(irefer, "GET") {
		t.Errorf("the iRefer request is not listed by its route:\n%s", irefer)
	}
	for _, secret := range []string{license, siteKey, "ada@example.com", "BREW"} {
		if strings.Contains(body, secret) {
			t.Errorf("the page shows %q", secret)
		}
	}
	if !strings.Contains(body, "OTHER") || !strings.Contains(body, "unmatched") {
		t.Errorf("the odd method and the unmatched path are not listed as OTHER and unmatched:\n%s", body)
	}
}

// TestConsoleDeliveries: the deliveries page lists a delivery made, with
// its endpoint's URL (escaped), state and status.
func TestConsoleDeliveries(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, &proxytest.Options{Webhooks: true, Vendors: []canonical.Vendor{canonical.GrowSurf},
		WebhookSurfaces: []surface.Surface{proxytest.HookSurface{}}})
	tn := srv.NewTenant(t, "acme", canonical.Campaign{})
	rc := &hookReceiver{status: http.StatusAccepted}
	hs := httptest.NewServer(rc)
	t.Cleanup(hs.Close)
	var ep canonical.WebhookEndpoint
	if code := adminCall(t, srv, http.MethodPost, "/accounts/"+tn.Account.ID+"/webhooks", map[string]any{
		"Vendor": proxytest.HookVendor, "URL": hs.URL + "/in?<b>", "Events": []string{"participant.added"},
	}, &ep); code != http.StatusCreated {
		t.Fatalf("creating the endpoint: %d", code)
	}
	ctx := context.Background()
	in := canonical.NewParticipant{}
	in.CampaignID, in.Email = tn.Campaign.ID, "ann@example.com"
	if _, _, err := tn.Backend.CreateParticipant(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := srv.Deliveries.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	resp, body := consoleDo(t, http.MethodGet, srv.URL+"/_refbridge/ui/accounts/"+tn.Account.ID+"/deliveries", nil, nil, consoleLogin(t, srv.URL))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d", resp.StatusCode)
	}
	_, table, _ := strings.Cut(body, `<table class="deliveries">`)
	for _, want := range []string{string(canonical.ChangeParticipantAdded), string(canonical.DeliveryDelivered), "<td>202</td>", hs.URL + "/in?&lt;b&gt;"} {
		if !strings.Contains(table, want) {
			t.Errorf("the deliveries page does not show %q:\n%s", want, table)
		}
	}
	if strings.Contains(body, "<b>") {
		t.Errorf("the endpoint URL is not escaped")
	}
}
