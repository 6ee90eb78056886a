package proxy_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// TestIReferBrowserListsThroughTheAdminAPI: an operator opens iRefer's
// listing methods to browser calls with the admin API, by setting the
// campaign's Native iRefer "browser_lists", and closes them again.
func TestIReferBrowserListsThroughTheAdminAPI(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.IRefer}})
	tn := srv.NewTenant(t, "acme", canonical.Campaign{})
	if _, _, err := tn.Backend.CreateParticipant(t.Context(), canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: tn.Campaign.ID, Email: "ann@example.com"}}); err != nil {
		t.Fatal(err)
	}
	referrers := func() answer {
		q := url.Values{"campaign_id": {irefer.NewIDs(tn.IDSecret).EncodeID(irefer.KindCampaign, tn.Campaign.ID)}}
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1.0/"+tn.Secret(canonical.IRefer, canonical.LicenseKey)+".js/referrers?"+q.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", proxytest.SiteURL)
		return fetch(t, req)
	}
	setBrowserLists := func(v string) {
		body := `{"Native": {"irefer": {"browser_lists": ` + v + `}}}`
		req, err := http.NewRequest(http.MethodPatch, srv.URL+"/_refbridge/accounts/"+tn.Account.ID+"/campaigns/"+tn.Campaign.ID, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+proxytest.AdminToken)
		if a := fetch(t, req); a.status != http.StatusOK {
			t.Fatalf("PATCH browser_lists %s: %d %s", v, a.status, a.raw)
		}
	}
	refused := `{"error":"input missing or incorrect","error_code":"irefer_api_referrers_err_401"}`
	for _, step := range []struct {
		set  string // "" leaves the campaign as it is
		open bool
	}{{"", false}, {"true", true}, {"false", false}} {
		if step.set != "" {
			setBrowserLists(step.set)
		}
		a := referrers()
		listed := a.status == http.StatusOK && strings.Contains(string(a.raw), "ann@example.com")
		if step.open != listed || !step.open && strings.TrimSpace(string(a.raw)) != refused {
			t.Errorf("browser_lists %q: %d %s, want listed %v", step.set, a.status, a.raw, step.open)
		}
	}
}
