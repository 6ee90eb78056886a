package proxy_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/openapi"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// TestDocsInBrowser opens the docs in headless Chromium (Debian's
// chromium, driven over the DevTools protocol on its pipe, so no
// library): every vendor page loads with its own style and nothing from
// elsewhere, lists every operation of its spec, raises no script error,
// and "Try it" calls made by clicking and typing in the page return 200
// and show it: one per vendor, covering every way a credential is sent
// (Bearer, Basic, an X-API-Key header, api_token and api_key in the
// query), path and query parameters, and a prefilled JSON and form body.
func TestDocsInBrowser(t *testing.T) {
	t.Parallel()
	bin := chromium(t, "the docs")
	srv := proxytest.New(t, nil)
	tn := srv.NewTenant(t, "acme", canonical.Campaign{Name: "Browser launch"})

	// The GrowSurf id of the tenant's campaign, for a path parameter.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v2/campaigns", nil)
	req.Header.Set("Authorization", "Bearer "+tn.Secret(canonical.GrowSurf, canonical.APIKey))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var programs struct{ Campaigns []struct{ ID string } }
	err = json.NewDecoder(resp.Body).Decode(&programs)
	resp.Body.Close()
	if err != nil || len(programs.Campaigns) != 1 {
		t.Fatalf("GrowSurf programs: %v %+v", err, programs)
	}
	growsurfID := programs.Campaigns[0].ID
	rrCampaign, ok := referralrocket.NewIDs(tn.IDSecret).EncodeCampaignID(tn.Campaign.ID)
	if !ok {
		t.Fatalf("referralrocket: campaign %q does not encode", tn.Campaign.ID)
	}
	irCampaign := irefer.NewIDs(tn.IDSecret).EncodeID(irefer.KindCampaign, tn.Campaign.ID)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := startBrowser(t, ctx, bin)
	page := b.newPage(t, ctx)

	page.open(t, ctx, srv.URL+"/_refbridge/docs")
	var linked []string
	page.eval(t, ctx, `[...document.querySelectorAll("table.vendors a")].map(a => a.pathname).filter(p => p.startsWith("/_refbridge/docs/"))`, &linked)
	if len(linked) != len(openapi.Vendors()) {
		t.Errorf("the index links %v", linked)
	}
	for _, v := range openapi.Vendors() {
		_, want := specOperations(t, v)
		page.open(t, ctx, srv.URL+"/_refbridge/docs/"+string(v))
		var got []string
		page.eval(t, ctx, `[...document.querySelectorAll("article.op")].map(a => a.dataset.operationId)`, &got)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the page lists %d operations %v, the spec has %d %v", v, len(got), got, len(want), want)
		}
		var styled bool
		page.eval(t, ctx, `getComputedStyle(document.querySelector("nav.top")).display === "flex"`, &styled)
		if !styled {
			t.Errorf("%s: the stylesheet did not apply", v)
		}
		var fits bool
		page.eval(t, ctx, fitsWidth, &fits)
		if !fits {
			t.Errorf("%s: the page is wider than the window", v)
		}
		var foreign []string
		page.eval(t, ctx, `performance.getEntriesByType("resource").map(e => e.name).filter(n => !n.startsWith(location.origin + "/"))`, &foreign)
		if len(foreign) > 0 {
			t.Errorf("%s: the page loaded from elsewhere: %v", v, foreign)
		}
	}

	for _, tc := range []struct {
		vendor   openapi.Vendor
		op       string
		fields   map[string]string // input name to text typed
		scheme   string            // the credential scheme chosen, when the page offers several
		wantBody string
	}{
		{openapi.GrowSurf, "listCampaigns", map[string]string{"credential": tn.Secret(canonical.GrowSurf, canonical.APIKey)}, "", "Browser launch"},
		{openapi.Rewardful, "listCampaigns", map[string]string{"credential": tn.Secret(canonical.Rewardful, canonical.APISecret)}, "", "Browser launch"},
		{openapi.ReferralHero, "listLists", map[string]string{"credential": tn.Secret(canonical.ReferralHero, canonical.APIKey)}, "query", "Browser launch"},
		{openapi.ReferralRocket, "getCampaign", map[string]string{"id": rrCampaign, "credential": tn.Secret(canonical.ReferralRocket, canonical.APIKey)}, "", "Browser launch"},
		{openapi.IRefer, "campaignStats", map[string]string{
			"license_key": tn.Secret(canonical.IRefer, canonical.LicenseKey), "campaign_id": irCampaign,
			"credential": tn.Secret(canonical.IRefer, canonical.SiteKey),
		}, "query", "Browser launch"},
		{openapi.Rewardful, "createAffiliate", map[string]string{"credential": tn.Secret(canonical.Rewardful, canonical.APISecret)}, "", "jb007@mi6.co.uk"},
		// The body is the one built from the schema (the spec gives the
		// email property an example, not the body).
		{openapi.GrowSurf, "addParticipant", map[string]string{"id": growsurfID, "credential": tn.Secret(canonical.GrowSurf, canonical.APIKey)}, "", "ana@example.com"},
	} {
		t.Run(string(tc.vendor)+"/"+tc.op, func(t *testing.T) {
			page.open(t, ctx, srv.URL+"/_refbridge/docs/"+string(tc.vendor))
			op := "#op-" + tc.op
			page.click(t, ctx, op+" details.try > summary")
			for name, text := range tc.fields {
				page.click(t, ctx, op+` .try-form [name="`+name+`"]`)
				page.call(t, ctx, "Input.insertText", map[string]any{"text": text}, nil)
			}
			if tc.scheme != "" {
				page.eval(t, ctx, `(() => { const s = document.querySelector("`+op+` select.scheme"); s.value = "`+tc.scheme+`"; return s.value })()`, nil)
			}
			page.click(t, ctx, op+" .try-form button[type=submit]")
			var status, body string
			for deadline := time.Now().Add(10 * time.Second); ; {
				page.eval(t, ctx, `document.querySelector("`+op+` .result .status").textContent`, &status)
				if status != "" && !strings.HasPrefix(status, "Sending") || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			page.eval(t, ctx, `document.querySelector("`+op+` .result .body").textContent`, &body)
			if !strings.HasPrefix(status, "200 ") || !strings.Contains(body, tc.wantBody) {
				t.Fatalf("the page shows %q\n%s", status, body)
			}
			var fits bool
			page.eval(t, ctx, fitsWidth, &fits)
			if !fits {
				t.Errorf("with the answer shown, the page is wider than the window")
			}
		})
	}
	if errs := b.errors(); len(errs) > 0 {
		t.Errorf("the pages raised script errors:\n%s", strings.Join(errs, "\n"))
	}
}
