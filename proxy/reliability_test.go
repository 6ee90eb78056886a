package proxy_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// deepJSON is a JSON object nested n levels deep ({"a":{"a":…1}}).
func deepJSON(n int) string {
	return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
}

// admin calls the admin API.
func (e *mxEnv) admin(t *testing.T, method, path string, body any) mxResp {
	t.Helper()
	return mxSend(t, method, e.url+"/_refbridge"+path, body, bearer(proxytest.AdminToken))
}

// mustAnswer fails unless every surface's campaign lists, GrowSurf's
// campaign and its design, and the admin API's campaign still answer, and
// the lists still show the tenant's campaign.
func (e *mxEnv) mustAnswer(t *testing.T, when string) {
	t.Helper()
	name := e.tn.Campaign.Name
	gs := e.gs(t, http.MethodGet, "/v2/campaigns", nil).must(t, http.StatusOK, when+": growsurf campaigns")
	rw := e.rw(t, http.MethodGet, "/v1/campaigns", nil).must(t, http.StatusOK, when+": rewardful campaigns")
	rh := e.rh(t, http.MethodGet, "/api/v2/lists", nil).must(t, http.StatusOK, when+": referralhero lists")
	ad := e.admin(t, http.MethodGet, "/accounts/"+e.tn.Account.ID+"/campaigns", nil).must(t, http.StatusOK, when+": admin campaigns")
	for _, l := range []struct {
		what  string
		items []any
	}{
		{"growsurf", jarr(gs.body, "campaigns")}, {"rewardful", jarr(rw.body, "data")},
		{"referralhero", jarr(rh.body, "data", "lists")}, {"admin", jarr(ad.body, "items")},
	} {
		found := false
		for _, c := range l.items {
			found = found || jstr(c, "name") == name || jstr(c, "Name") == name
		}
		if !found {
			t.Errorf("%s: the %s campaign list does not show %q: %v", when, l.what, name, l.items)
		}
	}
	e.gs(t, http.MethodGet, "/v2/campaign/"+e.gsCampaign, nil).must(t, http.StatusOK, when+": growsurf campaign")
	e.gs(t, http.MethodGet, "/v2/campaign/"+e.gsCampaign+"/design", nil).must(t, http.StatusOK, when+": growsurf design")
	e.admin(t, http.MethodGet, "/accounts/"+e.tn.Account.ID+"/campaigns/"+e.tn.Campaign.ID, nil).must(t, http.StatusOK, when+": admin campaign")
}

// TestDeepValueRefused: a free-form value nested 9,999 deep — once
// accepted by GrowSurf's configuration PATCHes, after which the campaign
// and every campaign list of the account answered 500 — is refused with
// the vendor's 400 naming the field, and everything keeps answering. The
// admin API refuses it too.
func TestDeepValueRefused(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, nil)
	e := newMxEnv(t, srv, srv.NewTenant(t, "deep", canonical.Campaign{}))
	for _, object := range []string{"design", "emails", "options", "installation"} {
		r := mxSendRaw(t, http.MethodPatch, e.url+"/v2/campaign/"+e.gsCampaign+"/"+object, "application/json",
			[]byte(deepJSON(9999)), e.auth(canonical.GrowSurf))
		r.must(t, http.StatusBadRequest, "growsurf: PATCH "+object+" nested 9,999 deep")
		if jstr(r.body, "code") != "BAD_REQUEST_ERROR" || !strings.Contains(jstr(r.body, "message"), `field "a" nests deeper than 32 levels`) {
			t.Errorf("growsurf: PATCH %s nested 9,999 deep: %s, want GrowSurf's BAD_REQUEST_ERROR naming the field", object, r.raw)
		}
	}
	e.mustAnswer(t, "after the deep PATCHes")

	patch := `{"Native":{"growsurf":{"design":` + deepJSON(canonical.MaxDepth+1) + `}}}`
	r := mxSendRaw(t, http.MethodPatch, e.url+"/_refbridge/accounts/"+e.tn.Account.ID+"/campaigns/"+e.tn.Campaign.ID,
		"application/json", []byte(patch), bearer(proxytest.AdminToken))
	r.must(t, http.StatusBadRequest, "admin: PATCH a native value nested 33 deep")
	if jstr(r.body, "error", "code") != "invalid" || !strings.Contains(jstr(r.body, "error", "message"), "nests deeper than 32 levels") {
		t.Errorf("admin: PATCH a native value nested 33 deep: %s", r.raw)
	}
	e.mustAnswer(t, "after the deep admin PATCH")
}

// TestFreeFormSizeLimit: a GrowSurf configuration object is merged with
// what is stored; once the merge would pass 64 KiB, the PATCH is refused
// with GrowSurf's 400 and the object stays as it was.
func TestFreeFormSizeLimit(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, nil)
	e := newMxEnv(t, srv, srv.NewTenant(t, "size", canonical.Campaign{}))
	path := "/v2/campaign/" + e.gsCampaign + "/design"
	e.gs(t, http.MethodPatch, path, map[string]string{"first": strings.Repeat("x", 40<<10)}).must(t, http.StatusOK, "growsurf: PATCH 40 KiB")
	r := e.gs(t, http.MethodPatch, path, map[string]string{"second": strings.Repeat("y", 40<<10)})
	r.must(t, http.StatusBadRequest, "growsurf: PATCH 40 KiB more")
	if jstr(r.body, "code") != "BAD_REQUEST_ERROR" || !strings.Contains(jstr(r.body, "message"), "larger than 65536 bytes") {
		t.Errorf("growsurf: PATCH past 64 KiB: %s, want GrowSurf's BAD_REQUEST_ERROR saying what is too large", r.raw)
	}
	got := e.gs(t, http.MethodGet, path, nil).must(t, http.StatusOK, "growsurf: GET design")
	if len(jstr(got.body, "first")) != 40<<10 || jget(got.body, "second") != nil {
		t.Errorf("design after the refused PATCH has keys %v, want only the first", keys(got.body))
	}
}

func keys(v any) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestPoisonedCampaignStillAnswers: a campaign stored before the limits
// held a native value nested 9,999 deep (written here straight into the
// database, as the old PATCH did). Every list, the campaign itself and
// the admin API answer, without that value; an admin PATCH stores the
// campaign clean.
func TestPoisonedCampaignStillAnswers(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, &proxytest.Options{NoReadCache: true})
	e := newMxEnv(t, srv, srv.NewTenant(t, "poisoned", canonical.Campaign{}))
	e.gs(t, http.MethodPatch, "/v2/campaign/"+e.gsCampaign+"/options", map[string]any{"allowDuplicates": true}).
		must(t, http.StatusOK, "growsurf: PATCH options")

	db, err := sql.Open("sqlite", "file:"+srv.DBPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var doc string
	if err := db.QueryRowContext(ctx, `SELECT doc FROM campaigns WHERE id = ?`, e.tn.Campaign.ID).Scan(&doc); err != nil {
		t.Fatal(err)
	}
	poisoned := strings.Replace(doc, `"growsurf":{`, `"growsurf":{"design":`+deepJSON(9999)+`,`, 1)
	if poisoned == doc {
		t.Fatalf("the stored campaign has no GrowSurf native values to poison: %s", doc)
	}
	if _, err := db.ExecContext(ctx, `UPDATE campaigns SET doc = ? WHERE id = ?`, poisoned, e.tn.Campaign.ID); err != nil {
		t.Fatal(err)
	}

	e.mustAnswer(t, "with the poisoned document stored")
	opts := e.gs(t, http.MethodGet, "/v2/campaign/"+e.gsCampaign+"/options", nil).must(t, http.StatusOK, "growsurf: GET options")
	if jget(opts.body, "allowDuplicates") != true {
		t.Errorf("growsurf options beside the poisoned design = %s, want them kept", opts.raw)
	}

	e.admin(t, http.MethodPatch, "/accounts/"+e.tn.Account.ID+"/campaigns/"+e.tn.Campaign.ID, map[string]any{"Name": "Repaired"}).
		must(t, http.StatusOK, "admin: PATCH the poisoned campaign")
	if err := db.QueryRowContext(ctx, `SELECT doc FROM campaigns WHERE id = ?`, e.tn.Campaign.ID).Scan(&doc); err != nil {
		t.Fatal(err)
	}
	var stored canonical.Campaign
	if err := json.Unmarshal([]byte(doc), &stored); err != nil || stored.Name != "Repaired" {
		t.Fatalf("stored after the admin PATCH: %v, %q; want a document that reads back, named Repaired", err, stored.Name)
	}
	if _, still := stored.Native.Get(canonical.GrowSurf, "design"); still {
		t.Error("the admin PATCH stored the poisoned design again")
	}
}

// TestInvalidUTF8Refused: text that is not UTF-8 — in a JSON string, a
// form field or a query parameter — is refused on every surface with that
// vendor's own error, and nothing is stored (encoding/json would have
// stored U+FFFD in its place).
func TestInvalidUTF8Refused(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, nil)
	tn := srv.NewTenant(t, "utf8", canonical.Campaign{})
	e := newMxEnv(t, srv, tn)
	ctx := context.Background()
	ann, _, err := tn.Backend.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
		CampaignID: tn.Campaign.ID, Email: "ann@example.com", FirstName: "Ann"}})
	if err != nil {
		t.Fatal(err)
	}
	rwAnn := rwID(t, e, ann.Email)
	const bad = "\xff\xfe"
	form := func(vals url.Values) []byte { return []byte(vals.Encode()) }
	gsCamp, rhList := "/v2/campaign/"+e.gsCampaign, "/api/v2/lists/"+e.rhList

	// Each vendor's error envelope for a refused input.
	growsurf := func(r mxResp) bool { return r.status == 400 && jstr(r.body, "code") == "BAD_REQUEST_ERROR" }
	rewardful := func(r mxResp) bool { return r.status == 400 && jstr(r.body, "error") != "" }
	referralhero := func(r mxResp) bool { return r.status == 400 && jstr(r.body, "status") == "error" }
	referralrocket := func(r mxResp) bool { return r.status == 400 && jstr(r.body, "message") != "" }
	irefer := func(r mxResp) bool {
		return r.status == 200 && jstr(r.body, "error_code") == "irefer_api_newSignup_err_401"
	}

	tests := []struct {
		name                     string
		vendor                   canonical.Vendor
		method, path, ctype, why string
		body                     []byte
		shape                    func(mxResp) bool
	}{
		{"growsurf JSON string", canonical.GrowSurf, http.MethodPost, gsCamp + "/participant", "application/json", "firstName",
			[]byte(`{"email":"bo@example.com","firstName":"Bo` + bad + `"}`), growsurf},
		{"growsurf query parameter", canonical.GrowSurf, http.MethodGet, gsCamp + "/participants?metadata%5Bplan%5D=%FF%FE", "", "metadata",
			nil, growsurf},
		{"rewardful JSON string (the reported PUT)", canonical.Rewardful, http.MethodPut, "/v1/affiliates/" + rwAnn, "application/json", "email",
			[]byte(`{"email":"` + bad + `@x.com"}`), rewardful},
		{"rewardful form field", canonical.Rewardful, http.MethodPut, "/v1/affiliates/" + rwAnn, "application/x-www-form-urlencoded", "first_name",
			form(url.Values{"first_name": {"Ann" + bad}}), rewardful},
		{"rewardful query parameter", canonical.Rewardful, http.MethodGet, "/v1/affiliates?email=%FF%FE%40x.com", "", "email",
			nil, rewardful},
		{"referralhero JSON string", canonical.ReferralHero, http.MethodPost, rhList + "/subscribers", "application/json", "name",
			[]byte(`{"email":"bo@example.com","name":"Bo` + bad + `"}`), referralhero},
		{"referralhero form field", canonical.ReferralHero, http.MethodPost, rhList + "/subscribers", "application/x-www-form-urlencoded", "name",
			form(url.Values{"email": {"bo@example.com"}, "name": {"Bo" + bad}}), referralhero},
		{"referralhero query parameter", canonical.ReferralHero, http.MethodPost, rhList + "/subscribers?email=bo%40example.com&name=Bo%FF", "", "name",
			nil, referralhero},
		{"referralrocket JSON string", canonical.ReferralRocket, http.MethodPost, "/api/v1/addParticipant", "application/json", "name",
			[]byte(`{"id":"` + e.rrCampaign + `","email":"bo@example.com","name":"Bo` + bad + `"}`), referralrocket},
		{"referralrocket query parameter", canonical.ReferralRocket, http.MethodGet,
			"/api/v1/getParticipant?id=" + e.rrCampaign + "&email=ann%FF%40example.com", "", "email", nil, referralrocket},
		{"irefer query parameter", canonical.IRefer, http.MethodGet, "/v1.0/" + tn.Secret(canonical.IRefer, canonical.LicenseKey) +
			".js/newSignup?" + url.Values{"campaign_id": {e.irCampaign}, "api_key": {tn.Secret(canonical.IRefer, canonical.SiteKey)},
			"email": {"bo@example.com"}, "name": {"Bo" + bad}}.Encode(), "", "name", nil, irefer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mxSendRaw(t, tc.method, e.url+tc.path, tc.ctype, tc.body, e.auth(tc.vendor))
			if !tc.shape(r) {
				t.Errorf("%s %s: %d %s, want %s's own error for invalid input", tc.method, tc.path, r.status, r.raw, tc.vendor)
			}
			if tc.vendor != canonical.IRefer && (!strings.Contains(string(r.raw), "UTF-8") || !strings.Contains(string(r.raw), tc.why)) {
				t.Errorf("%s %s: %s, want a message naming %s as not UTF-8", tc.method, tc.path, r.raw, tc.why)
			}
		})
	}
	// Nothing was stored: Bo was never created and Ann is unchanged.
	ps, err := tn.Backend.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: tn.Campaign.ID, ListOptions: canonical.ListOptions{Limit: 10}})
	if err != nil || len(ps.Items) != 1 || ps.Items[0].Email != "ann@example.com" || ps.Items[0].FirstName != "Ann" {
		t.Errorf("participants after the refused calls = %+v, %v; want Ann alone, unchanged", ps.Items, err)
	}
}

// TestUnreadableCampaignLeftOutOfLists: a campaign whose stored document
// is not JSON at all (damage from outside refbridge) is left out of every
// campaign list, whose pages still run past it; reading it by itself is
// an internal error that names it in the log.
func TestUnreadableCampaignLeftOutOfLists(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, &proxytest.Options{NoReadCache: true})
	tn := srv.NewTenant(t, "unreadable", canonical.Campaign{})
	ctx := context.Background()
	var made []canonical.Campaign
	for _, name := range []string{"Damaged", "Winter"} {
		c, err := tn.Backend.CreateCampaign(ctx, canonical.Campaign{Name: name, Status: canonical.CampaignActive, URL: proxytest.SiteURL})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, c)
	}
	e := newMxEnv(t, srv, tn)
	db, err := sql.Open("sqlite", "file:"+srv.DBPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `UPDATE campaigns SET doc = 'not JSON' WHERE id = ?`, made[0].ID); err != nil {
		t.Fatal(err)
	}

	e.mustAnswer(t, "with an unreadable campaign stored")
	var names []string
	opts := canonical.ListOptions{Limit: 1}
	for range 5 {
		page, err := tn.Backend.ListCampaigns(ctx, opts)
		if err != nil {
			t.Fatalf("ListCampaigns page by page: %v", err)
		}
		for _, c := range page.Items {
			names = append(names, c.Name)
		}
		if opts.Cursor = page.NextCursor; opts.Cursor == "" {
			break
		}
	}
	if got := strings.Join(names, ","); got != "Winter,"+tn.Campaign.Name {
		t.Errorf("ListCampaigns, one a page = %s, want Winter,%s (the unreadable one left out, paging past it)", got, tn.Campaign.Name)
	}
	_, err = tn.Backend.GetCampaign(ctx, made[0].ID)
	if !canonical.IsCode(err, canonical.Internal) || !strings.Contains(err.Error(), "stored document unreadable") {
		t.Errorf("GetCampaign of the unreadable campaign: %v, want an internal error saying its document is unreadable", err)
	}
}
