package referralrocket_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

// rewardCampaign is a qualify-on-purchase campaign paying $20 to each side,
// the referee's side at signup (Referral Rocket's double-sided program).
var rewardCampaign = canonical.Campaign{
	Qualification: canonical.QualifyOnEvent,
	Rules: []canonical.RewardRule{{
		Kind: canonical.DoubleSided, Title: "Refer a friend and win",
		ReferrerValue: canonical.Money{Amount: 2000}, ReferredValue: canonical.Money{Amount: 2000},
		ReferredAtSignup: true, Unlimited: true,
	}},
}

// startTime is surfacetest's clock in the vendor's format.
const startTime = "2026-03-10T12:00:00.000+00:00"

// errorBody decodes an ErrorDetail as a generic map.
func errorBody(t *testing.T, r result) map[string]any {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	return m
}

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, referralrocket.NewSurface(), nil)
	cid := campaignID(t, env, env.Campaign)
	tests := []struct {
		name   string
		c      call
		status int
		// body is the exact ErrorDetail, or nil to check only that
		// message contains msg.
		body map[string]any
		msg  string
	}{
		{"missing key", call{path: "/api/v1/getCampaign", query: url.Values{"id": {cid}}, key: ptr("")}, 401,
			map[string]any{"timestamp": startTime, "status": 401.0, "error": "Unauthorized", "message": "Missing X-API-Key header", "path": "/api/v1/getCampaign"}, ""},
		{"wrong key", call{path: "/api/v1/getCampaign", query: url.Values{"id": {cid}}, key: ptr("not-a-key")}, 401,
			map[string]any{"timestamp": startTime, "status": 401.0, "error": "Unauthorized", "message": "Invalid API key", "path": "/api/v1/getCampaign"}, ""},
		{"unknown path", call{path: "/api/v1/deleteParticipant"}, 404,
			map[string]any{"timestamp": startTime, "status": 404.0, "error": "Not Found", "message": "No endpoint GET /api/v1/deleteParticipant.", "path": "/api/v1/deleteParticipant"}, ""},
		{"wrong method", call{method: http.MethodDelete, path: "/api/v1/getCampaign"}, 405,
			map[string]any{"timestamp": startTime, "status": 405.0, "error": "Method Not Allowed", "message": "Request method 'DELETE' is not supported", "path": "/api/v1/getCampaign"}, ""},
		{"unknown campaign", call{path: "/api/v1/getCampaign", query: url.Values{"id": {"JCu82f30F1"}}}, 404,
			map[string]any{"timestamp": startTime, "status": 404.0, "error": "Not Found", "message": "Campaign not found", "path": "/api/v1/getCampaign"}, ""},
		{"junk campaign id", call{path: "/api/v1/getCampaign", query: url.Values{"id": {"1"}}}, 404, nil, "Campaign not found"},
		{"missing query parameter", call{path: "/api/v1/getCampaign"}, 400, nil, "id"},
		{"bad page", call{path: "/api/v1/getAllParticipants", query: url.Values{"id": {cid}, "page": {"-1"}}}, 400, nil, "page"},
		{"non-numeric size", call{path: "/api/v1/getAllParticipants", query: url.Values{"id": {cid}, "size": {"ten"}}}, 400, nil, "size"},
		{"unknown sort property", call{path: "/api/v1/getAllParticipants", query: url.Values{"id": {cid}, "sort": {"shoeSize,asc"}}}, 400, nil, "shoeSize"},
		{"missing body field", call{method: http.MethodPost, path: "/api/v1/addParticipant", body: map[string]string{"id": cid}}, 400, nil, "email"},
		{"wrong body type", call{method: http.MethodPost, path: "/api/v1/qualifyParticipant", body: map[string]any{"id": cid, "email": "a@example.com", "amount": "lots"}}, 400, nil, "amount"},
		{"malformed body", call{method: http.MethodPost, path: "/api/v1/addParticipant", body: "{"}, 400, nil, ""},
		{"invalid email", call{method: http.MethodPost, path: "/api/v1/addParticipant", body: map[string]string{"id": cid, "email": "not an email"}}, 400, nil, "email"},
		{"unknown participant", call{path: "/api/v1/getParticipant", query: url.Values{"id": {cid}, "email": {"nobody@example.com"}}}, 404, nil, "Participant not found"},
		{"unknown referrer", call{path: "/api/v1/getReferrals", query: url.Values{"id": {cid}, "email": {"nobody@example.com"}}}, 404, nil, "Participant not found"},
		{"validateCode unknown campaign", call{path: "/api/v1/validateCode", query: url.Values{"campaignId": {"PMf8BDZ1zb"}, "code": {"8Mnu09TD"}}}, 404, nil, "Campaign not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := do(t, env, tt.c)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			got := errorBody(t, res)
			if tt.body != nil {
				if !reflect.DeepEqual(got, tt.body) {
					t.Fatalf("body %v, want %v", got, tt.body)
				}
				return
			}
			for _, k := range []string{"timestamp", "status", "error", "message", "path"} {
				if _, ok := got[k]; !ok {
					t.Errorf("ErrorDetail lacks %q: %s", k, res.body)
				}
			}
			if got["status"] != float64(tt.status) || got["error"] != http.StatusText(tt.status) || got["path"] != tt.c.path {
				t.Errorf("ErrorDetail %s", res.body)
			}
			if msg, _ := got["message"].(string); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q does not mention %q", msg, tt.msg)
			}
		})
	}
}

func TestNoRateLimits(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, referralrocket.NewSurface(), &surfacetest.Options{EnforceLimits: true})
	cid := campaignID(t, env, env.Campaign)
	for i := range 30 {
		res := do(t, env, call{path: "/api/v1/getCampaign", query: url.Values{"id": {cid}}})
		if res.status != http.StatusOK {
			t.Fatalf("call %d: %d %s", i, res.status, res.body)
		}
		for k := range res.header {
			if strings.Contains(strings.ToLower(k), "ratelimit") || strings.Contains(strings.ToLower(k), "rate-limit") {
				t.Fatalf("undocumented rate-limit header %s", k)
			}
		}
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, referralrocket.NewSurface(), nil)
	cid := campaignID(t, env, env.Campaign)
	a := add(t, env, cid, "owner@example.com", nil)
	other := env.NewTenant(t, "other", canonical.Campaign{})
	key := other.Secrets[canonical.APIKey]
	calls := []call{
		{path: "/api/v1/getCampaign", query: url.Values{"id": {cid}}},
		{path: "/api/v1/getParticipant", query: url.Values{"id": {cid}, "email": {"owner@example.com"}}},
		{path: "/api/v1/getAllParticipants", query: url.Values{"id": {cid}}},
		{path: "/api/v1/getReferrals", query: url.Values{"id": {cid}, "email": {"owner@example.com"}}},
		{path: "/api/v1/validateCode", query: url.Values{"campaignId": {cid}, "code": {a.ReferralCode}}},
		{method: http.MethodPost, path: "/api/v1/addParticipant", body: map[string]string{"id": cid, "email": "intruder@example.com"}},
		{method: http.MethodPost, path: "/api/v1/qualifyParticipant", body: map[string]any{"id": cid, "email": "owner@example.com", "amount": 1}},
	}
	for _, c := range calls {
		c.key = &key
		res := do(t, env, c)
		if res.status != http.StatusNotFound || errorBody(t, res)["message"] != "Campaign not found" {
			t.Errorf("%s %s with another tenant's key: %d %s", c.method, c.path, res.status, res.body)
		}
	}
	// Nothing was written to the first tenant's campaign.
	page, err := env.Backend.ListParticipants(context.Background(), canonical.ParticipantQuery{CampaignID: env.Campaign.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("first tenant has %d participants, want 1", len(page.Items))
	}
	// The other tenant's own campaign works with its key, and is not
	// readable with the first tenant's.
	ocid := campaignID(t, env, other.Campaign)
	if res := do(t, env, call{path: "/api/v1/getCampaign", query: url.Values{"id": {ocid}}, key: &key}); res.status != http.StatusOK {
		t.Fatalf("own campaign: %d %s", res.status, res.body)
	}
	if res := do(t, env, call{path: "/api/v1/getCampaign", query: url.Values{"id": {ocid}}}); res.status != http.StatusNotFound {
		t.Fatalf("foreign campaign: %d %s", res.status, res.body)
	}
}

func TestParticipantLifecycle(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, referralrocket.NewSurface(), &surfacetest.Options{Campaign: rewardCampaign})
	cid := campaignID(t, env, env.Campaign)
	ctx := context.Background()

	// Create.
	lee := add(t, env, cid, "lee@example.com", nil)
	if len(lee.ReferralCode) != 8 || lee.ReferredByCode != nil || lee.CampaignID != cid || lee.CreatedOn != startTime {
		t.Fatalf("created %+v", lee)
	}
	if want := fmt.Sprintf("%s?id=%s&referralCode=%s", surfacetest.SiteURL, cid, lee.ReferralCode); lee.ShareLink != want {
		t.Fatalf("shareLink %q, want %q", lee.ShareLink, want)
	}
	if lee.FraudScore != "" {
		t.Fatalf("fraudScore %q for an API-created participant", lee.FraudScore)
	}
	// The raw body has every key, referredByCode as an explicit null.
	res := do(t, env, call{path: "/api/v1/getParticipant", query: url.Values{"id": {cid}, "email": {"LEE@example.com"}}})
	var raw map[string]any
	res.decode(t, &raw)
	if v, ok := raw["referredByCode"]; !ok || v != nil || len(raw) != 17 {
		t.Fatalf("getParticipant body %s", res.body)
	}
	// Adding the same email again answers the existing participant.
	if again := add(t, env, cid, "lee@example.com", nil); again.ReferralCode != lee.ReferralCode {
		t.Fatalf("re-add gave code %q, want %q", again.ReferralCode, lee.ReferralCode)
	}

	// Referred signups: by code and by email.
	pat := add(t, env, cid, "pat@example.com", map[string]string{"referredByCode": lee.ReferralCode})
	sam := add(t, env, cid, "sam@example.com", map[string]string{"referredByEmail": "lee@example.com"})
	for _, p := range []participant{pat, sam} {
		if p.ReferredByCode == nil || *p.ReferredByCode != lee.ReferralCode || p.RefereeReward != 20 || p.RewardEventCompleted {
			t.Fatalf("referred participant %+v", p)
		}
	}
	// An unknown referrer leaves the participant direct.
	if kim := add(t, env, cid, "kim@example.com", map[string]string{"referredByCode": "zzzzzzzz"}); kim.ReferredByCode != nil {
		t.Fatalf("unknown referrer attributed: %+v", kim)
	}

	// Read: the referrer's counts and referral list.
	var got participant
	do(t, env, call{path: "/api/v1/getParticipant", query: url.Values{"id": {cid}, "email": {"lee@example.com"}}}).decode(t, &got)
	if got.TotalReferrals != 2 || got.ReferralReward != 0 {
		t.Fatalf("referrer before qualification %+v", got)
	}
	var refs []participant
	do(t, env, call{path: "/api/v1/getReferrals", query: url.Values{"id": {cid}, "email": {"lee@example.com"}}}).decode(t, &refs)
	if len(refs) != 2 || refs[0].Email != "pat@example.com" || refs[1].Email != "sam@example.com" {
		t.Fatalf("getReferrals %+v", refs)
	}

	// Update: qualify the referred participant.
	res = do(t, env, call{method: http.MethodPost, path: "/api/v1/qualifyParticipant", body: map[string]any{"id": cid, "email": "pat@example.com", "amount": 250.5}})
	if res.status != http.StatusOK {
		t.Fatalf("qualify: %d %s", res.status, res.body)
	}
	res.decode(t, &got)
	if !got.RewardEventCompleted || got.Email != "pat@example.com" {
		t.Fatalf("qualified %+v", got)
	}
	do(t, env, call{path: "/api/v1/getParticipant", query: url.Values{"id": {cid}, "email": {"lee@example.com"}}}).decode(t, &got)
	if got.ReferralReward != 20 || got.ReferralRewardBalance != 20 || got.TotalReferrals != 2 {
		t.Fatalf("referrer after qualification %+v", got)
	}
	stats, err := env.Backend.CampaignStats(ctx, env.Campaign.ID)
	if err != nil || stats.Revenue.Amount != 25050 {
		t.Fatalf("revenue %+v, %v", stats.Revenue, err)
	}
	// Only referred participants qualify.
	res = do(t, env, call{method: http.MethodPost, path: "/api/v1/qualifyParticipant", body: map[string]any{"id": cid, "email": "lee@example.com", "amount": 10}})
	if res.status != http.StatusBadRequest || errorBody(t, res)["message"] != "Participant was not referred" {
		t.Fatalf("qualify direct participant: %d %s", res.status, res.body)
	}
	res = do(t, env, call{method: http.MethodPost, path: "/api/v1/qualifyParticipant", body: map[string]any{"id": cid, "email": "ghost@example.com"}})
	if res.status != http.StatusNotFound {
		t.Fatalf("qualify unknown participant: %d %s", res.status, res.body)
	}

	// validateCode.
	for code, want := range map[string]string{lee.ReferralCode: "true", "nope1234": "false"} {
		res := do(t, env, call{path: "/api/v1/validateCode", query: url.Values{"campaignId": {cid}, "code": {code}}})
		if res.status != http.StatusOK || strings.TrimSpace(string(res.body)) != want {
			t.Errorf("validateCode %s: %d %s, want %s", code, res.status, res.body, want)
		}
	}

	// Delete (no vendor endpoint; through the engine) and read again.
	if _, err := env.Backend.DeleteParticipant(ctx, env.Campaign.ID, canonical.ByEmail("sam@example.com")); err != nil {
		t.Fatal(err)
	}
	if res := do(t, env, call{path: "/api/v1/getParticipant", query: url.Values{"id": {cid}, "email": {"sam@example.com"}}}); res.status != http.StatusNotFound {
		t.Fatalf("deleted participant: %d %s", res.status, res.body)
	}
	do(t, env, call{path: "/api/v1/getParticipant", query: url.Values{"id": {cid}, "email": {"lee@example.com"}}}).decode(t, &got)
	if got.TotalReferrals != 1 {
		t.Fatalf("referrer after delete %+v", got)
	}
}

func TestGetCampaign(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, referralrocket.NewSurface(), &surfacetest.Options{Campaign: rewardCampaign})
	cid := campaignID(t, env, env.Campaign)
	add(t, env, cid, "one@example.com", nil)
	add(t, env, cid, "two@example.com", nil)
	res := do(t, env, call{path: "/api/v1/getCampaign", query: url.Values{"id": {cid}}})
	if res.status != http.StatusOK {
		t.Fatalf("%d %s", res.status, res.body)
	}
	var got map[string]any
	res.decode(t, &got)
	want := map[string]any{
		"campaignId": cid, "campaignName": "Spring launch", "status": "Active", "createdOn": startTime,
		"end": nil, "hostURL": surfacetest.SiteURL + "?id=" + cid, "paused": false, "ended": false,
		"rewardHeader": "Refer a friend and win", "rewardDescription": "", "shareWidgetHeader": "Refer a friend and win",
		"shareWidgetDescription": "", "referrerReward": 20.0, "refereeReward": 20.0, "rewardType": "Monetary",
		"totalParticipants": 2.0,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("getCampaign\n got %v\nwant %v", got, want)
	}
	// Pausing shows in status and paused.
	paused := canonical.CampaignPaused
	if _, err := env.Backend.UpdateCampaign(context.Background(), env.Campaign.ID, canonical.CampaignPatch{Status: &paused}); err != nil {
		t.Fatal(err)
	}
	do(t, env, call{path: "/api/v1/getCampaign", query: url.Values{"id": {cid}}}).decode(t, &got)
	if got["status"] != "Pause" || got["paused"] != true || got["ended"] != false {
		t.Fatalf("paused campaign %v", got)
	}
}

func TestPaging(t *testing.T) {
	t.Parallel()
	env := surfacetest.New(t, referralrocket.NewSurface(), nil)
	cid := campaignID(t, env, env.Campaign)
	ctx := context.Background()
	var emails []string
	for i := range 25 {
		e := fmt.Sprintf("p%02d@example.com", i)
		emails = append(emails, e)
		in := canonical.NewParticipant{}
		in.CampaignID, in.Email = env.Campaign.ID, e
		if _, _, err := env.Backend.CreateParticipant(ctx, in); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(time.Second)
	}
	rev := make([]string, len(emails))
	for i, e := range emails {
		rev[len(emails)-1-i] = e
	}
	tests := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"default page", url.Values{}, emails[:20]},
		{"second page", url.Values{"page": {"1"}}, emails[20:]},
		{"small pages", url.Values{"page": {"2"}, "size": {"10"}}, emails[20:]},
		{"past the end", url.Values{"page": {"9"}}, []string{}},
		{"newest first", url.Values{"sort": {"createdOn,desc"}, "size": {"3"}}, rev[:3]},
		{"email descending", url.Values{"sort": {"email,desc"}, "size": {"2"}, "page": {"1"}}, rev[2:4]},
		{"large page", url.Values{"size": {"500"}}, emails},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := url.Values{"id": {cid}}
			for k, v := range tt.query {
				q[k] = v
			}
			res := do(t, env, call{path: "/api/v1/getAllParticipants", query: q})
			if res.status != http.StatusOK {
				t.Fatalf("%d %s", res.status, res.body)
			}
			var ps []participant
			res.decode(t, &ps)
			got := []string{}
			for _, p := range ps {
				got = append(got, p.Email)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	// An empty page is [] rather than null.
	res := do(t, env, call{path: "/api/v1/getAllParticipants", query: url.Values{"id": {cid}, "page": {"99"}}})
	if strings.TrimSpace(string(res.body)) != "[]" {
		t.Fatalf("empty page body %s", res.body)
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	s := referralrocket.NewSurface()
	if s.Vendor() != canonical.ReferralRocket {
		t.Fatalf("vendor %q", s.Vendor())
	}
	r := s.Routes()
	if !reflect.DeepEqual(r.Hosts, []string{"app.referralrocket.io"}) || r.Prefix != "/referralrocket" || !reflect.DeepEqual(r.Roots, []string{"/api/v1/"}) {
		t.Fatalf("routes %+v", r)
	}
	if len(referralrocket.Limitations) != 0 {
		t.Fatalf("limitations %v", referralrocket.Limitations)
	}
	// WriteError renders outside the handler in the vendor's shape, with
	// internal details withheld.
	w := &recorder{header: http.Header{}}
	req, _ := http.NewRequest(http.MethodGet, "http://app.referralrocket.io/api/v1/getCampaign", nil)
	s.WriteError(w, req, fmt.Errorf("database on fire"))
	var body map[string]any
	if err := json.Unmarshal(w.body, &body); err != nil {
		t.Fatal(err)
	}
	if w.status != 500 || body["message"] != "Internal Server Error" || body["error"] != "Internal Server Error" || body["path"] != "/api/v1/getCampaign" {
		t.Fatalf("WriteError: %d %s", w.status, w.body)
	}
}

// recorder is a minimal http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	body   []byte
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int)   { r.status = s }
func (r *recorder) Write(b []byte) (int, error) {
	r.body = append(r.body, b...)
	return len(b), nil
}
