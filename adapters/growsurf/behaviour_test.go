package growsurf_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

// documented reads a payload of testdata/growsurf.
func documented(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "growsurf", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAuthFailures(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	want := documented(t, "listCampaigns.403.json")
	tests := []struct {
		name   string
		header string
	}{
		{"missing header", ""},
		{"unknown key", "Bearer not-a-key"},
		{"wrong scheme", "Basic " + h.key},
		{"empty bearer", "Bearer "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", h.env.URL+"/v2/campaigns", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp := h.env.Do(t, req)
			var got map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 403 || !reflect.DeepEqual(got, want) {
				t.Errorf("status %d body %v, want 403 %v", resp.StatusCode, got, want)
			}
		})
	}
}

func TestUnknownPathAndMethod(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	cid := h.campaignID("Spring launch")
	for _, tc := range []struct{ method, path string }{
		{"GET", "/nope"},
		{"GET", "/campaign/" + cid + "/nothing-here"},
		{"PUT", "/campaigns"},
		{"DELETE", "/campaign/" + cid},
	} {
		r := h.do(tc.method, tc.path, nil)
		if r.status != 404 || r.str("name") != "NotFoundError" || r.str("code") != "NOT_FOUND_ERROR" || r.get("status") != 404.0 ||
			r.str("supportUrl") == "" || r.str("message") == "" {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, r.status, r.raw)
		}
	}
}

func TestValidationErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	cid := h.campaignID("Spring launch")
	// The documented invalid-email body, exactly.
	r := must(t, h.do("POST", "/campaign/"+cid+"/participant", map[string]any{"email": "not-an-email"}), 400, "bad email")
	if want := documented(t, "addParticipant.400.json"); !reflect.DeepEqual(r.body, want) {
		t.Errorf("got %s, want %v", r.raw, want)
	}
	tests := []struct {
		name, method, path string
		body               any
		field, code        string
	}{
		{"limit over 100", "GET", "/campaign/" + cid + "/participants?limit=500", nil, "limit", "INVALID_LIMIT"},
		{"limit not a number", "GET", "/campaign/" + cid + "/participants?limit=ten", nil, "limit", "INVALID_LIMIT"},
		{"missing email", "POST", "/campaign/" + cid + "/participant", map[string]any{"firstName": "x"}, "email", "MISSING_EMAIL"},
		{"email not a string", "POST", "/campaign/" + cid + "/participant", map[string]any{"email": 5}, "email", "INVALID_EMAIL"},
		{"status not allowed", "PATCH", "/campaign/" + cid, map[string]any{"status": "DRAFT"}, "status", "INVALID_STATUS"},
		{"bad leaderboard type", "GET", "/campaign/" + cid + "/leaderboard?leaderboardType=SOMETHING", nil, "leaderboardType", "INVALID_LEADERBOARD_TYPE"},
	}
	for _, tc := range tests {
		r := must(t, h.do(tc.method, tc.path, tc.body), 400, tc.name)
		if r.str("name") != "BadRequestError" || r.str("code") != "BAD_REQUEST_ERROR" || r.str("message") != "Invalid request." ||
			r.str("errors", "0", "field") != tc.field || r.str("errors", "0", "code") != tc.code {
			t.Errorf("%s: %s", tc.name, r.raw)
		}
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	cid := h.campaignID("Spring launch")
	ana := must(t, h.do("POST", "/campaign/"+cid+"/participant", map[string]any{"email": "ana@example.com"}), 200, "add")
	other := h.env.NewTenant(t, "other", canonical.Campaign{Name: "Other program"})
	key := other.Secrets[canonical.APIKey]
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/campaign/" + cid, nil},
		{"GET", "/campaign/" + cid + "/participant/" + ana.str("id"), nil},
		{"GET", "/campaign/" + cid + "/participant/ana@example.com", nil},
		{"POST", "/campaign/" + cid + "/participant/" + ana.str("id"), map[string]any{"firstName": "Mallory"}},
		{"DELETE", "/campaign/" + cid + "/participant/" + ana.str("id"), nil},
		{"POST", "/campaign/" + cid + "/participant", map[string]any{"email": "x@example.com"}},
	} {
		r := h.doKey(key, tc.method, tc.path, tc.body)
		if r.status != 404 || r.str("code") != "NOT_FOUND_ERROR" {
			t.Errorf("%s %s with the other tenant's key: %d %s", tc.method, tc.path, r.status, r.raw)
		}
	}
	// The other tenant sees only its own program.
	r := must(t, h.doKey(key, "GET", "/campaigns", nil), 200, "other list")
	if list := r.get("campaigns").([]any); len(list) != 1 || list[0].(map[string]any)["name"] != "Other program" {
		t.Errorf("other tenant lists %s", r.raw)
	}
	// Ana is untouched.
	got := must(t, h.do("GET", "/campaign/"+cid+"/participant/"+ana.str("id"), nil), 200, "get")
	if got.get("firstName") != nil {
		t.Errorf("ana changed: %s", got.raw)
	}
}

func TestRateLimitHeaders(t *testing.T) {
	t.Parallel()
	h := newHarness(t, &surfacetest.Options{EnforceLimits: true})
	var last reply
	for i := 1; i <= 30; i++ {
		last = must(t, h.do("GET", "/campaigns", nil), 200, "call "+strconv.Itoa(i))
		for _, w := range []struct {
			name  string
			limit int
		}{{"Second", 30}, {"Minute", 200}, {"Hour", 10000}} {
			if got := last.header["Growsurf-Ratelimit-"+w.name+"-Limit"]; len(got) != 1 || got[0] != strconv.Itoa(w.limit) {
				t.Fatalf("call %d: %s limit header %v", i, w.name, got)
			}
			if got := last.header["Growsurf-Ratelimit-"+w.name+"-Remaining"]; len(got) != 1 || got[0] != strconv.Itoa(w.limit-i) {
				t.Fatalf("call %d: %s remaining header %v", i, w.name, got)
			}
		}
		if _, ok := last.header["Growsurf-Retry-After-Second-Milliseconds"]; ok {
			t.Fatalf("call %d: retry-after before the limit", i)
		}
	}
	r := must(t, h.do("GET", "/campaigns", nil), 429, "31st call")
	if r.str("name") != "RateLimit" || r.str("code") != "RATE_LIMIT" || r.str("policyName") != "SECOND" || r.get("status") != 429.0 ||
		r.str("level") != "error" || r.str("timestamp") != "2026-03-10T12:00:00.000Z" || r.str("message") != "You have reached your second limit." {
		t.Errorf("429 body %s", r.raw)
	}
	if got := r.header["Growsurf-Retry-After-Second-Milliseconds"]; len(got) != 1 || got[0] != "5000" {
		t.Errorf("retry-after header %v", got)
	}
	// The next window starts afresh.
	h.env.Clock.Advance(5e9)
	must(t, h.do("GET", "/campaigns", nil), 200, "next window")
}

func TestParticipantLifecycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	cid := h.campaignID("Spring launch")
	base := "/campaign/" + cid
	created := must(t, h.do("POST", base+"/participant", map[string]any{"email": "ana@example.com", "firstName": "Ana",
		"metadata": map[string]any{"plan": "pro", "seats": 5}}), 200, "create")
	id := created.str("id")
	if created.get("isNew") != true || len(id) != 6 {
		t.Fatalf("create: %s", created.raw)
	}
	again := must(t, h.do("POST", base+"/participant", map[string]any{"email": "ANA@example.com", "firstName": "Other"}), 200, "re-add")
	if again.str("id") != id || again.get("isNew") != false || again.str("firstName") != "Ana" {
		t.Errorf("re-add is not get-or-create: %s", again.raw)
	}
	for _, ref := range []string{id, "ana@example.com", "ana%40example.com"} {
		got := must(t, h.do("GET", base+"/participant/"+ref, nil), 200, "get "+ref)
		if got.str("id") != id || got.get("metadata", "seats") != 5.0 || got.str("metadata", "plan") != "pro" {
			t.Errorf("get %s: %s", ref, got.raw)
		}
	}
	upd := must(t, h.do("POST", base+"/participant/"+id, map[string]any{"lastName": "Lima", "unsubscribed": true,
		"email": "ana.lima@example.com"}), 200, "update")
	if upd.str("lastName") != "Lima" || upd.get("unsubscribed") != true || upd.str("email") != "ana.lima@example.com" {
		t.Errorf("update: %s", upd.raw)
	}
	// The engine sees the same participant.
	p, err := h.env.Backend.GetParticipant(context.Background(), h.env.Campaign.ID, canonical.ByEmail("ana.lima@example.com"))
	if err != nil || p.LastName != "Lima" || p.Metadata["seats"] != "5" {
		t.Errorf("engine view: %+v %v", p, err)
	}
	must(t, h.do("DELETE", base+"/participant/"+id, nil), 200, "delete")
	gone := must(t, h.do("GET", base+"/participant/"+id, nil), 404, "get deleted")
	if want := documented(t, "getParticipant.404.json"); !reflect.DeepEqual(gone.body, want) {
		t.Errorf("404 body %s, want %v", gone.raw, want)
	}
	must(t, h.do("DELETE", base+"/participant/"+id, nil), 404, "delete again")
}

func TestReferralAttribution(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	cid := h.campaignID("Spring launch")
	base := "/campaign/" + cid
	ana := must(t, h.do("POST", base+"/participant", map[string]any{"email": "ana@example.com"}), 200, "ana")
	ben := must(t, h.do("POST", base+"/participant", map[string]any{"email": "ben@example.com", "referredBy": ana.str("id")}), 200, "ben")
	cat := must(t, h.do("POST", base+"/participant", map[string]any{"email": "cat@example.com", "referredBy": "ana@example.com",
		"referralStatus": "CREDIT_PENDING"}), 200, "cat")
	nobody := must(t, h.do("POST", base+"/participant", map[string]any{"email": "dan@example.com", "referredBy": "ghost@example.com"}), 200, "dan")
	if ben.str("referredBy") != ana.str("id") || ben.str("referralStatus") != "CREDIT_AWARDED" || ben.str("referralSource") != "PARTICIPANT" ||
		ben.str("referrer", "id") != ana.str("id") {
		t.Errorf("ben: %s", ben.raw)
	}
	if cat.str("referralStatus") != "CREDIT_PENDING" {
		t.Errorf("cat: %s", cat.raw)
	}
	if nobody.get("referredBy") != nil || nobody.str("referralSource") != "DIRECT" {
		t.Errorf("unresolvable referrer attributed dan: %s", nobody.raw)
	}
	got := must(t, h.do("GET", base+"/participant/"+ana.str("id"), nil), 200, "ana again")
	if got.get("referralCount") != 1.0 || !reflect.DeepEqual(got.get("referrals"), []any{ben.str("id")}) {
		t.Errorf("ana after one credited referral: %s", got.raw)
	}
	// Crediting cat through the trigger counts her too.
	tr := must(t, h.do("POST", base+"/participant/"+cat.str("id")+"/ref", nil), 200, "trigger")
	if tr.get("success") != true {
		t.Errorf("trigger: %s", tr.raw)
	}
	again := must(t, h.do("POST", base+"/participant/"+cat.str("id")+"/ref", nil), 200, "trigger again")
	if again.get("success") != false {
		t.Errorf("second trigger: %s", again.raw)
	}
	got = must(t, h.do("GET", base+"/participant/"+ana.str("id"), nil), 200, "ana credited twice")
	if got.get("referralCount") != 2.0 || got.get("rank") != 1.0 {
		t.Errorf("ana: %s", got.raw)
	}
	refs := must(t, h.do("GET", base+"/participant/"+ana.str("id")+"/referrals", nil), 200, "ana's referrals")
	if rows := refs.get("referrals").([]any); len(rows) != 2 {
		t.Errorf("ana's referrals: %s", refs.raw)
	}
	board := must(t, h.do("GET", base+"/leaderboard", nil), 200, "leaderboard")
	if board.str("participants", "0", "id") != ana.str("id") {
		t.Errorf("leaderboard: %s", board.raw)
	}
}

func TestCrossSurfaceVisibility(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	ctx := context.Background()
	// A participant written straight into the engine (as any other vendor
	// surface would) is listed here.
	p, _, err := h.env.Backend.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
		CampaignID: h.env.Campaign.ID, Email: "zoe@example.com", FirstName: "Zoe", Metadata: map[string]string{"tier": "gold"}}})
	if err != nil {
		t.Fatal(err)
	}
	cid := h.campaignID("Spring launch")
	r := must(t, h.do("GET", "/campaign/"+cid+"/participants?metadata[tier]=gold", nil), 200, "list")
	list := r.get("participants").([]any)
	if len(list) != 1 || list[0].(map[string]any)["email"] != "zoe@example.com" {
		t.Fatalf("list: %s", r.raw)
	}
	if r.get("nextId") != nil {
		t.Errorf("single page has nextId: %s", r.raw)
	}
	_ = p
}

func TestPagination(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	cid := h.campaignID("Spring launch")
	for i := range 5 {
		must(t, h.do("POST", "/campaign/"+cid+"/participant", map[string]any{"email": "p" + strconv.Itoa(i) + "@example.com"}), 200, "add")
	}
	seen := map[string]bool{}
	next := ""
	for pages := 0; ; pages++ {
		path := "/campaign/" + cid + "/participants?limit=2"
		if next != "" {
			path += "&nextId=" + next
		}
		r := must(t, h.do("GET", path, nil), 200, "page")
		for _, p := range r.get("participants").([]any) {
			seen[p.(map[string]any)["id"].(string)] = true
		}
		if r.get("limit") != 2.0 || pages > 5 {
			t.Fatalf("page: %s", r.raw)
		}
		n, _ := r.get("nextId").(string)
		if n == "" {
			if _, isNull := r.body["nextId"]; !isNull {
				t.Fatalf("last page without nextId: %s", r.raw)
			}
			break
		}
		next = n
	}
	if len(seen) != 5 {
		t.Errorf("saw %d participants over the pages, want 5", len(seen))
	}
}

func TestAffiliateOnlyRoutes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	cid := h.campaignID("Spring launch")
	must(t, h.do("POST", "/campaign/"+cid+"/participant", map[string]any{"email": "ana@example.com"}), 200, "add")
	r := must(t, h.do("POST", "/campaign/"+cid+"/participant/ana@example.com/transaction",
		map[string]any{"currency": "USD", "grossAmount": 100, "orderId": "o1"}), 422, "sale on referral program")
	if want := documented(t, "recordTransaction.422.json"); !reflect.DeepEqual(r.body, want) {
		t.Errorf("got %s, want %v", r.raw, want)
	}
	must(t, h.do("GET", "/campaign/"+cid+"/commissions", nil), 422, "commissions on referral program")
}

func TestRewardStatesAndTypes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	cid := h.campaignID("Spring launch")
	base := "/campaign/" + cid
	// Referral programs refuse AFFILIATE rewards with 422.
	r := must(t, h.do("POST", base+"/reward-configs", map[string]any{"type": "AFFILIATE",
		"commissionStructure": map[string]any{"type": "PERCENT", "percent": 10}}), 422, "affiliate reward")
	if r.str("code") != "UNPROCESSABLE_ENTITY_ERROR" {
		t.Errorf("422 body: %s", r.raw)
	}
	rc := must(t, h.do("POST", base+"/reward-configs", map[string]any{"type": "SINGLE_SIDED", "limit": 2, "isUnlimited": false,
		"limitDuration": "PER_MONTH", "nextMilestonePrefix": "Only"}), 200, "reward")
	if rc.get("limit") != 2.0 || rc.get("isUnlimited") != false || rc.str("limitDuration") != "PER_MONTH" || rc.str("nextMilestonePrefix") != "Only" {
		t.Errorf("reward: %s", rc.raw)
	}
	upd := must(t, h.do("PATCH", base+"/reward-configs/"+rc.str("id"), map[string]any{"isUnlimited": true}), 200, "unlimited")
	if upd.get("limit") != -1.0 || upd.str("nextMilestonePrefix") != "Only" {
		t.Errorf("unlimited reward: %s", upd.raw)
	}
	lb := must(t, h.do("POST", base+"/reward-configs", map[string]any{"type": "LEADERBOARD", "isUnlimited": false,
		"numberOfWinners": 3}), 200, "leaderboard reward")
	if lb.get("isUnlimited") != false || lb.get("limit") != nil || lb.get("numberOfWinners") != 3.0 || lb.get("conversionsRequired") != nil {
		t.Errorf("leaderboard reward: %s", lb.raw)
	}
	// Auto-approved reward (no manual approval): approving again is 400.
	must(t, h.do("POST", base+"/participant", map[string]any{"email": "ana@example.com"}), 200, "ana")
	must(t, h.do("POST", base+"/participant", map[string]any{"email": "ben@example.com", "referredBy": "ana@example.com"}), 200, "ben")
	rw := must(t, h.do("GET", base+"/participant/ana@example.com/rewards", nil), 200, "rewards")
	id := rw.str("rewards", "0", "id")
	if rw.get("rewards", "0", "approved") != true || rw.str("rewards", "0", "rewardId") != rc.str("id") {
		t.Fatalf("rewards: %s", rw.raw)
	}
	bad := must(t, h.do("POST", base+"/reward/"+id+"/approve", nil), 400, "approve twice")
	if bad.str("code") != "BAD_REQUEST_ERROR" {
		t.Errorf("approve twice: %s", bad.raw)
	}
	must(t, h.do("DELETE", base+"/reward/"+id, nil), 400, "delete approved")
	must(t, h.do("POST", base+"/reward/"+id+"/fulfill", nil), 200, "fulfill")
	must(t, h.do("POST", base+"/reward/"+id+"/fulfill", nil), 400, "fulfill twice")
	after := must(t, h.do("GET", base+"/participant/ana@example.com", nil), 200, "ana")
	if after.str("rewards", "0", "status") != "FULFILLED" || after.get("rewards", "0", "isFulfilled") != true || after.get("isWinner") != true {
		t.Errorf("fulfilled: %s", after.raw)
	}
	// Another program's reward id is not found here.
	must(t, h.do("POST", base+"/reward/prw_zzzzzz/approve", nil), 404, "unknown reward")
}

func TestConfigMergeAndWebhookSignature(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	cid := h.campaignID("Spring launch")
	base := "/campaign/" + cid
	must(t, h.do("PATCH", base+"/design", map[string]any{"colors": map[string]any{"primary": "#111", "accent": "#222"}, "tags": []any{"a", "b"}}), 200, "design 1")
	got := must(t, h.do("PATCH", base+"/design", map[string]any{"colors": map[string]any{"accent": nil}, "tags": []any{"c"}}), 200, "design 2")
	want := map[string]any{"colors": map[string]any{"primary": "#111"}, "tags": []any{"c"}}
	if !reflect.DeepEqual(got.body, want) {
		t.Errorf("merged design %s, want %v", got.raw, want)
	}
	if g := must(t, h.do("GET", base+"/options", nil), 200, "options"); len(g.body) != 0 {
		t.Errorf("fresh options: %s", g.raw)
	}

	var sig, body string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sig = r.Header.Get("GrowSurf-Signature")
		b, _ := io.ReadAll(r.Body)
		body = string(b)
	}))
	t.Cleanup(hook.Close)
	wh := must(t, h.do("POST", base+"/webhooks", map[string]any{"payloadUrl": hook.URL, "events": []string{"NEW_PARTICIPANT_ADDED"},
		"secret": "whsec"}), 200, "create")
	if _, leaked := wh.body["secret"]; leaked {
		t.Errorf("secret returned: %s", wh.raw)
	}
	must(t, h.do("POST", base+"/webhooks/"+wh.str("id")+"/test", map[string]any{"event": "CAMPAIGN_ENDED"}), 200, "test")
	ts, v, _ := strings.Cut(strings.TrimPrefix(sig, "ts="), ",v=")
	mac := hmac.New(sha256.New, []byte("whsec"))
	mac.Write([]byte(ts + "." + body))
	if v != hex.EncodeToString(mac.Sum(nil)) || !strings.Contains(body, `"event":"CAMPAIGN_ENDED"`) {
		t.Errorf("signature %q over %s does not verify", sig, body)
	}
	list := must(t, h.do("GET", base+"/webhooks", nil), 200, "list")
	if hooks := list.get("webhooks").([]any); len(hooks) != 2 || list.str("webhooks", "0", "id") != "primary" {
		t.Errorf("webhooks: %s", list.raw)
	}
	must(t, h.do("DELETE", base+"/webhooks/"+wh.str("id"), nil), 200, "delete")
	must(t, h.do("DELETE", base+"/webhooks/"+wh.str("id"), nil), 404, "delete again")
}
