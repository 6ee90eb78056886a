package proxy_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/proxy/proxytest"
)

// TestConsoleInBrowser logs in to the console through its form in
// headless Chromium, opens the leaderboard and a participant's referral
// tree, and checks who they show; then logs out.
func TestConsoleInBrowser(t *testing.T) {
	t.Parallel()
	bin := chromium(t, "the console pages")
	f := newConsoleFixture(t)
	base := f.srv.URL
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := startBrowser(t, ctx, bin)
	page := b.newPage(t, ctx)

	// Without a session the console sends the browser to the login page.
	board := base + f.campaign() + "/leaderboard"
	page.openAt(t, ctx, board, base+"/_refbridge/ui/login?next="+url.QueryEscape(f.campaign()+"/leaderboard"))
	page.click(t, ctx, `input[name="token"]`)
	page.call(t, ctx, "Input.insertText", map[string]any{"text": "not the token"}, nil)
	page.click(t, ctx, `button[type=submit]`)
	page.waitFor(t, ctx, base+"/_refbridge/ui/login")
	var alert string
	page.eval(t, ctx, `document.querySelector(".error")?.textContent ?? ""`, &alert)
	if !strings.Contains(alert, "not the admin token") {
		t.Errorf("a wrong token shows %q", alert)
	}
	page.click(t, ctx, `input[name="token"]`)
	page.call(t, ctx, "Input.insertText", map[string]any{"text": proxytest.AdminToken}, nil)
	page.click(t, ctx, `button[type=submit]`)
	page.waitFor(t, ctx, board)

	var cookie string
	page.eval(t, ctx, `document.cookie`, &cookie)
	if strings.Contains(cookie, "refbridge_ui") {
		t.Errorf("the page's script can read the session cookie: %q", cookie)
	}
	var styled bool
	page.eval(t, ctx, `getComputedStyle(document.querySelector("nav.top")).display === "flex"`, &styled)
	if !styled {
		t.Errorf("the stylesheet did not apply")
	}
	var ranked []string
	page.eval(t, ctx, `[...document.querySelectorAll("table.leaderboard tbody a.p")].map(a => a.textContent)`, &ranked)
	if len(ranked) < 3 || !slices.Equal(ranked[:3], []string{"Ada Test", "Bea Test", "Cy Test"}) {
		t.Errorf("the leaderboard shows %v, want Ada, Bea and Cy first", ranked)
	}

	// Bea's page, reached by clicking her name: Ada above, Cy and Dot below.
	page.click(t, ctx, `table.leaderboard a.p[href$="/`+f.ids["Bea"]+`"]`)
	page.waitFor(t, ctx, base+f.participant("Bea"))
	var tree []string
	page.eval(t, ctx, `[...document.querySelectorAll(".referrals li")].map(li => {
		let depth = 0;
		for (let e = li; e && !e.classList.contains("referrals"); e = e.parentElement) if (e.tagName === "UL") depth++;
		return depth + " " + li.querySelector(":scope > a.p").textContent; })`, &tree)
	if want := []string{"1 Ada Test", "2 Bea Test", "3 Cy Test", "4 Dot Test"}; !slices.Equal(tree, want) {
		t.Errorf("the referral tree shows %v, want %v", tree, want)
	}
	var self string
	page.eval(t, ctx, `document.querySelector(".referrals li.self > a.p").textContent`, &self)
	if self != "Bea Test" {
		t.Errorf("the tree marks %q as the participant", self)
	}
	var fits bool
	page.eval(t, ctx, fitsWidth, &fits)
	if !fits {
		t.Errorf("the page is wider than the window")
	}
	var foreign []string
	page.eval(t, ctx, `performance.getEntriesByType("resource").map(e => e.name).filter(n => !n.startsWith(location.origin + "/"))`, &foreign)
	if len(foreign) > 0 {
		t.Errorf("the page loaded from elsewhere: %v", foreign)
	}

	// The nav leads to the surfaces' recent requests.
	page.click(t, ctx, `nav.top a[href="/_refbridge/ui/requests"]`)
	page.waitFor(t, ctx, base+"/_refbridge/ui/requests")
	var surfaces int
	page.eval(t, ctx, `document.querySelectorAll("section.surface").length`, &surfaces)
	if surfaces < 5 {
		t.Errorf("the requests page shows %d surfaces, want the five vendors", surfaces)
	}

	// Logging out ends the session.
	page.click(t, ctx, `form.logout button`)
	page.waitFor(t, ctx, base+"/_refbridge/ui/login")
	page.openAt(t, ctx, board, base+"/_refbridge/ui/login?next="+url.QueryEscape(f.campaign()+"/leaderboard"))

	if errs := b.errors(); len(errs) > 0 {
		t.Errorf("the pages raised errors:\n%s", strings.Join(errs, "\n"))
	}
}
