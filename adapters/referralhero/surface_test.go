package referralhero_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

func TestRoutes(t *testing.T) {
	t.Parallel()
	s := referralhero.NewSurface()
	if s.Vendor() != canonical.ReferralHero {
		t.Fatalf("vendor %q", s.Vendor())
	}
	r := s.Routes()
	if len(r.Hosts) != 1 || r.Hosts[0] != "app.referralhero.com" || r.Prefix != "/referralhero" ||
		len(r.Roots) != 1 || r.Roots[0] != "/api/v2/" {
		t.Fatalf("routes %+v", r)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	secret := env.Secrets[canonical.APIKey]
	lists := "/api/v2/lists"
	sub := listPath(env, env.Campaign.ID, "/subscribers")
	tests := []struct {
		name    string
		r       req
		status  int
		code    string
		message string
	}{
		{"bearer", req{method: "GET", path: lists}, 200, "", ""},
		{"x-api-key", req{method: "GET", path: lists, auth: "header"}, 200, "", ""},
		{"query", req{method: "GET", path: lists, auth: "query"}, 200, "", ""},
		{"json body", req{method: "POST", path: sub, body: obj{"email": "json@example.org"}, auth: "body"}, 200, "", ""},
		{"form body", req{method: "POST", path: sub, form: url.Values{"email": {"form@example.org"}}, auth: "body"}, 200, "", ""},
		{"missing", req{method: "GET", path: lists, auth: "none"}, 401, "no_token", "Missing API token"},
		{"blank query", req{method: "GET", path: lists + "?api_token=", auth: "none"}, 401, "no_token", "Missing API token"},
		{"wrong bearer", req{method: "GET", path: lists, token: "nope"}, 401, "invalid_token", "Invalid API token"},
		{"wrong query", req{method: "GET", path: lists, token: "nope", auth: "query"}, 401, "invalid_token", "Invalid API token"},
		{"wrong body", req{method: "POST", path: sub, body: obj{"email": "x@example.org"}, token: "nope", auth: "body"}, 401, "invalid_token", "Invalid API token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := send(t, env, secret, tt.r)
			if tt.status == 200 {
				ok(t, r)
				if r.Body["status"] != "ok" {
					t.Fatalf("status field %v", r.Body["status"])
				}
				return
			}
			errorIs(t, r, tt.status, tt.code, tt.message)
		})
	}
}

func TestUnknownPathAndMethod(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	errorIs(t, a.get("/api/v2/nothing/here"), http.StatusNotFound, "", "Not found")
	errorIs(t, a.do(http.MethodDelete, "/api/v2/lists", nil), http.StatusMethodNotAllowed, "", "Method not allowed")
	errorIs(t, a.get("/api/v2/lists/MFzzzzzzzzzz/bonuses"), http.StatusNotFound, "invalid_list", "List not found")
	errorIs(t, a.get("/api/v2/lists/MF0123456789/bonuses"), http.StatusNotFound, "invalid_list", "List not found")
	errorIs(t, a.get(listPath(env, env.Campaign.ID, "/subscribers/sub_000000000000")), http.StatusNotFound, "subscriber_not_found", "Subscriber not found")
	errorIs(t, a.get(listPath(env, env.Campaign.ID, "/subscribers/12")), http.StatusNotFound, "subscriber_not_found", "Subscriber not found")
}

func TestValidationErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	m := func(rest string) string { return listPath(env, env.Campaign.ID, rest) }
	ok(t, a.post(m("/subscribers"), obj{"email": "bo@example.org"}))
	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		code    string
		message string
	}{
		{"list without name", "POST", "/api/v2/lists", obj{"website": "https://x.example.org"}, "no_name", "Name is missing"},
		{"subscriber without identifier", "POST", m("/subscribers"), obj{"name": "Nobody"}, "no_email_address", "Email address is missing"},
		{"malformed email", "POST", m("/subscribers"), obj{"email": "not-an-email"}, "invalid_email_address", ""},
		{"email of the wrong type", "POST", m("/subscribers"), obj{"email": 5}, "invalid_email_address", ""},
		{"points missing", "POST", m("/subscribers/add_points"), obj{"email": "bo@example.org"}, "no_points", "Points are missing"},
		{"points missing in the query form", "POST", m("/subscribers/add_points?email=bo%40example.org"), nil, "no_points", "Points are missing"},
		{"email query missing", "GET", m("/subscribers/retrieve_by_email"), nil, "no_email_address", "Email address is missing"},
		{"page not a number", "GET", m("/subscribers?page=abc"), nil, "", ""},
		{"unknown sort", "GET", m("/subscribers?sort_by=shoe_size"), nil, "", ""},
		{"bad reward status", "POST", m("/subscribers/update_reward_status"), obj{"reward_id": "1", "status": "lost"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sa := &api{t: t, env: env, secret: a.secret}
			r := sa.do(tt.method, tt.path, tt.body)
			errorIs(t, r, http.StatusBadRequest, tt.code, tt.message)
			if msg, _ := r.Body["message"].(string); msg == "" {
				t.Fatal("empty message")
			}
		})
	}
	// A validation message names the field.
	r := a.get(m("/subscribers?page=abc"))
	if !strings.Contains(r.Body["message"].(string), "page") {
		t.Fatalf("message %q does not name the field", r.Body["message"])
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	m := func(rest string) string { return listPath(env, env.Campaign.ID, rest) }
	bo := ok(t, a.post(m("/subscribers"), obj{"email": "bo@example.org"})).data()
	boID := bo["id"].(string)

	other := env.NewTenant(t, "other", canonical.Campaign{})
	b := &api{t: t, env: env, secret: other.Secrets[canonical.APIKey]}
	om := func(rest string) string { return listPath(env, other.Campaign.ID, rest) }

	errorIs(t, b.get(m("/subscribers/"+boID)), http.StatusNotFound, "invalid_list", "List not found")
	errorIs(t, b.get(m("/subscribers")), http.StatusNotFound, "invalid_list", "List not found")
	errorIs(t, b.post(m("/subscribers/"+boID), obj{"name": "Mallory"}), http.StatusNotFound, "invalid_list", "List not found")
	errorIs(t, b.do(http.MethodDelete, m("/subscribers/"+boID), nil), http.StatusNotFound, "invalid_list", "List not found")
	// Through its own list the other tenant cannot reach the subscriber.
	errorIs(t, b.get(om("/subscribers/"+boID)), http.StatusNotFound, "subscriber_not_found", "Subscriber not found")
	errorIs(t, b.get(om("/subscribers/retrieve_by_email?email=bo%40example.org")), http.StatusNotFound, "subscriber_not_found", "Subscriber not found")
	errorIs(t, b.do(http.MethodDelete, om("/subscribers/"+boID), nil), http.StatusNotFound, "subscriber_not_found", "Subscriber not found")
	lists := ok(t, b.get("/api/v2/lists")).data()["lists"].([]any)
	if len(lists) != 1 || lists[0].(obj)["uuid"] != codec(env).ListUUID(other.Campaign.ID) {
		t.Fatalf("other tenant sees lists %v", lists)
	}
	// The first tenant's subscriber is untouched.
	got := ok(t, a.get(m("/subscribers/"+boID))).data()
	if got["name"] != nil {
		t.Fatalf("name changed to %v", got["name"])
	}
}

func TestCallsLeft(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	first := ok(t, a.get("/api/v2/lists")).Body["calls_left"]
	second := ok(t, a.get("/api/v2/lists")).Body["calls_left"]
	if first != float64(4999) || second != float64(4998) {
		t.Fatalf("calls_left %v then %v, want 4999 then 4998", first, second)
	}
	if ts := ok(t, a.get("/api/v2/lists")).Body["timestamp"]; ts != float64(surfacetest.Start.Unix()) {
		t.Fatalf("timestamp %v, want %d", ts, surfacetest.Start.Unix())
	}
	// A new hour starts a new window.
	env.Clock.Advance(time.Hour)
	if left := ok(t, a.get("/api/v2/lists")).Body["calls_left"]; left != float64(4999) {
		t.Fatalf("calls_left %v after an hour, want 4999", left)
	}
	// Another account has its own window.
	other := env.NewTenant(t, "other", canonical.Campaign{})
	b := &api{t: t, env: env, secret: other.Secrets[canonical.APIKey]}
	if left := ok(t, b.get("/api/v2/lists")).Body["calls_left"]; left != float64(4999) {
		t.Fatalf("other account's calls_left %v, want 4999", left)
	}
}

func TestRateLimitEnforced(t *testing.T) {
	t.Parallel()
	env := newEnv(t, &surfacetest.Options{EnforceLimits: true})
	secret := env.Secrets[canonical.APIKey]
	// Drive the handler in-process: 5,000 calls fit in the hour, the next
	// one fails.
	h := referralhero.NewSurface().Handler(surface.Config{Tenants: env.Engine, Now: env.Clock.Now, Limits: surface.NewLimiter(), EnforceLimits: true})
	call := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/api/v2/lists/MF0000000000/bonuses", nil)
		r.Header.Set("X-API-Key", secret)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for i := range 5000 {
		if w := call(); w.Code != http.StatusNotFound {
			t.Fatalf("call %d: status %d: %s", i+1, w.Code, w.Body)
		}
	}
	w := call()
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429: %s", w.Code, w.Body)
	}
	want := `{"status":"error","message":"Too many calls, please wait 60 minutes","code":"too_many_calls"}`
	if strings.TrimSpace(w.Body.String()) != want {
		t.Fatalf("body %s, want %s", w.Body, want)
	}
	env.Clock.Advance(time.Hour)
	if w := call(); w.Code != http.StatusNotFound {
		t.Fatalf("after an hour: status %d", w.Code)
	}
}

func TestSubscriberLifecycle(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	m := func(rest string) string { return listPath(env, env.Campaign.ID, rest) }

	created := ok(t, a.post(m("/subscribers"), obj{"email": "ana@example.org", "name": "Ana Ruiz", "extra_field": "x",
		"extra_field_2": "y", "source": "newsletter", "phone_number": "+34600000000"})).data()
	id := created["id"].(string)
	if created["response"] != "subscriber_created" || !strings.HasPrefix(id, "sub_") || len(id) != 16 {
		t.Fatalf("created %v", created)
	}
	if created["extra_field"] != "x" || created["extra_field_2"] != "y" || created["source"] != "newsletter" ||
		created["phone_number"] != "+34600000000" || created["verified"] != true {
		t.Fatalf("fields not kept: %v", created)
	}
	wantLink := surfacetest.SiteURL + "?mwr=" + created["code"].(string)
	if created["referral_link"] != wantLink {
		t.Fatalf("referral_link %v, want %s", created["referral_link"], wantLink)
	}

	// Adding the same email again returns the subscriber unchanged.
	again := ok(t, a.post(m("/subscribers"), obj{"email": "ana@example.org", "name": "Someone Else"})).data()
	if again["id"] != id || again["name"] != "Ana Ruiz" || again["response"] != "subscriber_created" {
		t.Fatalf("re-add %v", again)
	}

	got := ok(t, a.get(m("/subscribers/"+id))).data()
	if got["response"] != "subscriber_retrieved" || got["email"] != "ana@example.org" {
		t.Fatalf("get %v", got)
	}
	env.Clock.Advance(time.Minute)
	upd := ok(t, a.post(m("/subscribers/"+id), obj{"name": "Ana María Ruiz", "extra_field": "vip"})).data()
	if upd["response"] != "subscriber_updated" || upd["name"] != "Ana María Ruiz" || upd["extra_field"] != "vip" || upd["extra_field_2"] != "y" {
		t.Fatalf("update %v", upd)
	}
	if upd["last_updated_at"].(float64) <= upd["created_at"].(float64) {
		t.Fatalf("last_updated_at %v not after created_at %v", upd["last_updated_at"], upd["created_at"])
	}
	byEmail := ok(t, a.get(m("/subscribers/retrieve_by_email?email=ana%40example.org"))).data()
	byCode := ok(t, a.get(m("/subscribers/retrieve_by_mwr?mwr="+url.QueryEscape(got["code"].(string))))).data()
	if byEmail["id"] != id || byCode["id"] != id || byEmail["name"] != "Ana María Ruiz" {
		t.Fatalf("lookups %v %v", byEmail, byCode)
	}
	pts := ok(t, a.post(m("/subscribers/add_points"), obj{"email": "ana@example.org", "points": 7})).data()
	if pts["response"] != "points_added" || pts["points"] != float64(7) {
		t.Fatalf("points %v", pts)
	}
	del := ok(t, a.do(http.MethodDelete, m("/subscribers/"+id), nil)).data()
	if del["response"] != "subscriber_deleted" || del["id"] != id || del["name"] != "Ana María Ruiz" {
		t.Fatalf("delete %v", del)
	}
	errorIs(t, a.get(m("/subscribers/"+id)), http.StatusNotFound, "subscriber_not_found", "Subscriber not found")
	errorIs(t, a.do(http.MethodDelete, m("/subscribers/"+id), nil), http.StatusNotFound, "subscriber_not_found", "Subscriber not found")
}

func TestReferralAttribution(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	m := func(rest string) string { return listPath(env, env.Campaign.ID, rest) }
	bo := ok(t, a.post(m("/subscribers"), obj{"email": "bo@example.org", "name": "Bo"})).data()
	boID := bo["id"].(string)
	// By code, by email, and forced pending.
	ana := ok(t, a.post(m("/subscribers"), obj{"email": "ana@example.org", "referrer": bo["code"]})).data()
	cy := ok(t, a.post(m("/subscribers"), obj{"email": "cy@example.org", "referrer": "bo@example.org"})).data()
	di := ok(t, a.post(m("/subscribers"), obj{"email": "di@example.org", "referrer": bo["code"], "status": "custom_event_pending"})).data()
	// An unknown referrer makes an organic subscriber.
	ed := ok(t, a.post(m("/subscribers"), obj{"email": "ed@example.org", "referrer": "no-such-code"})).data()
	// A second-level referral.
	ok(t, a.post(m("/subscribers"), obj{"email": "fy@example.org", "referrer": ana["code"]}))

	for _, s := range []obj{ana, cy} {
		if s["referred"] != true || s["referral_status"] != "confirmed" || s["referred_by"].(obj)["id"] != boID {
			t.Fatalf("referral %v", s)
		}
	}
	if di["referral_status"] != "pending" || ed["referred"] != false || ed["referral_status"] != nil || len(ed["referred_by"].(obj)) != 0 {
		t.Fatalf("pending %v / organic %v", di, ed)
	}
	got := ok(t, a.get(m("/subscribers/"+boID))).data()
	if got["people_referred"] != float64(2) || got["pending_referrals"] != float64(1) ||
		got["level_2_confirmed_referrals"] != float64(1) || got["position"] != float64(1) {
		t.Fatalf("referrer counts %v", got)
	}
	referred := ok(t, a.get(m("/subscribers/"+boID+"/referred?sort_by=registration_asc"))).data()
	subs := referred["subscribers"].([]any)
	if len(subs) != 3 || subs[0].(obj)["email"] != "ana@example.org" || subs[2].(obj)["email"] != "di@example.org" {
		t.Fatalf("referred %v", subs)
	}
	if p := referred["pagination"].(obj); p["total_objects"] != float64(3) || p["per_page"] != float64(50) || p["total_pages"] != float64(1) {
		t.Fatalf("pagination %v", p)
	}
	level1 := ok(t, a.get(m("/subscribers/"+boID+"/level_1_referrals"))).data()["subscribers"].([]any)
	level2 := ok(t, a.get(m("/subscribers/"+boID+"/level_2_referrals"))).data()["subscribers"].([]any)
	if len(level1) != 2 || len(level2) != 1 || level2[0].(obj)["email"] != "fy@example.org" {
		t.Fatalf("levels %v / %v", level1, level2)
	}
	board := ok(t, a.get(m("/leaderboard"))).data()["ranking"].([]any)
	if len(board) == 0 || board[0].(obj)["id"] != boID {
		t.Fatalf("leaderboard %v", board)
	}
	// Position orders follow the ranks, ties going to the earlier
	// subscriber.
	asc := ok(t, a.get(m("/subscribers?sort_by=position_asc"))).data()["subscribers"].([]any)
	desc := ok(t, a.get(m("/subscribers?sort_by=position_desc"))).data()["subscribers"].([]any)
	if len(asc) != 6 || len(desc) != 6 {
		t.Fatalf("position lists of %d and %d", len(asc), len(desc))
	}
	for i := range asc {
		if asc[i].(obj)["position"] != float64(i+1) || desc[len(desc)-1-i].(obj)["id"] != asc[i].(obj)["id"] {
			t.Fatalf("position order %v / %v", asc, desc)
		}
	}
}

func TestReviewGoal(t *testing.T) {
	t.Parallel()
	env := newEnv(t, &surfacetest.Options{Campaign: canonical.Campaign{Qualification: canonical.QualifyOnReview}})
	a := newAPI(t, env)
	m := func(rest string) string { return listPath(env, env.Campaign.ID, rest) }
	bo := ok(t, a.post(m("/subscribers"), obj{"email": "bo@example.org"})).data()
	ana := ok(t, a.post(m("/subscribers"), obj{"email": "ana@example.org", "referrer": bo["code"]})).data()
	if ana["referral_status"] != "pending" {
		t.Fatalf("new referral %v", ana["referral_status"])
	}
	// Confirming before the event is refused.
	if r := a.post(m("/subscribers/"+ana["id"].(string)+"/confirm"), nil); r.Status != http.StatusBadRequest {
		t.Fatalf("early confirm: %d %s", r.Status, r.Raw)
	}
	ev := ok(t, a.post(m("/subscribers/track_referral_conversion_event"), obj{"email": "ana@example.org"})).data()
	if ev["response"] != "custom_event_completed" || ev["referral_status"] != "unconfirmed" {
		t.Fatalf("event %v", ev)
	}
	errorIs(t, a.post(m("/subscribers/track_referral_conversion_event"), obj{"email": "ana@example.org"}),
		http.StatusBadRequest, "", "custom event is already completed")
	if got := ok(t, a.get(m("/subscribers/"+bo["id"].(string)))).data(); got["unconfirmed_referrals"] != float64(1) || got["people_referred"] != float64(0) {
		t.Fatalf("referrer before confirm %v", got)
	}
	conf := ok(t, a.post(m("/subscribers/confirm"), obj{"email": "ana@example.org"})).data()
	if conf["response"] != "subscriber_confirmed" || conf["referral_status"] != "confirmed" {
		t.Fatalf("confirm %v", conf)
	}
	if got := ok(t, a.get(m("/subscribers/"+bo["id"].(string)))).data(); got["people_referred"] != float64(1) {
		t.Fatalf("referrer after confirm %v", got)
	}
	// An unknown subscriber with a valid referrer is created in the
	// event's status; without a referrer the event fails.
	cy := ok(t, a.post(m("/subscribers/track_referral_conversion_event"), obj{"email": "cy@example.org", "referrer": "bo@example.org"})).data()
	if cy["referral_status"] != "unconfirmed" || cy["referred_by"].(obj)["id"] != bo["id"] {
		t.Fatalf("created by event %v", cy)
	}
	errorIs(t, a.post(m("/subscribers/track_referral_conversion_event"), obj{"email": "dy@example.org"}),
		http.StatusBadRequest, "", "referrer is invalid or not present")
}

func TestGoalMismatch(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil) // one-event goal
	a := newAPI(t, env)
	m := func(rest string) string { return listPath(env, env.Campaign.ID, rest) }
	bo := ok(t, a.post(m("/subscribers"), obj{"email": "bo@example.org"})).data()
	r := a.post(m("/subscribers/track_referral_conversion_event"), obj{"email": "bo@example.org"})
	errorIs(t, r, http.StatusBadRequest, "wrong_list_type", "")
	errorIs(t, a.post(m("/subscribers/"+bo["id"].(string)+"/confirm"), nil), http.StatusBadRequest, "wrong_list_type", "")
	errorIs(t, a.post(m("/subscribers/confirm"), obj{"email": "bo@example.org"}), http.StatusBadRequest, "wrong_list_type", "")
}

func TestPromotionAndRewards(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	ctx := context.Background()
	m := func(rest string) string { return listPath(env, env.Campaign.ID, rest) }
	winner, err := env.Backend.CreateRewardRule(ctx, env.Campaign.ID, canonical.RewardRule{Kind: canonical.ManualReward, Title: "Winner 2"})
	if err != nil {
		t.Fatal(err)
	}
	early, err := env.Backend.CreateRewardRule(ctx, env.Campaign.ID, canonical.RewardRule{Kind: canonical.Milestone, Title: "Early access", Threshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	bonuses := ok(t, a.get(m("/bonuses"))).Body["data"].([]any)
	if len(bonuses) != 2 {
		t.Fatalf("bonuses %v", bonuses)
	}
	bo := ok(t, a.post(m("/subscribers"), obj{"email": "bo@example.org"})).data()
	boID := bo["id"].(string)
	winnerID := codec(env).RewardID(winner.ID)

	errorIs(t, a.post(m("/subscribers/"+boID+"/unlock_promoted_reward"), obj{"reward_id": itoa(winnerID)}),
		http.StatusBadRequest, "subscriber_not_promoted", "Subscriber was not promoted")
	pr := ok(t, a.post(m("/subscribers/"+boID+"/promote"), nil)).data()
	if pr["promoted"] != true || pr["promoted_at"] != float64(surfacetest.Start.Unix()) || pr["response"] != "subscriber_promoted" {
		t.Fatalf("promote %v", pr)
	}
	errorIs(t, a.post(m("/subscribers/"+boID+"/promote"), nil), http.StatusBadRequest, "subscriber_already_promoted", "Subscriber was already promoted")
	errorIs(t, a.post(m("/subscribers/"+boID+"/unlock_promoted_reward"), obj{"reward_id": itoa(codec(env).RewardID(early.ID))}),
		http.StatusBadRequest, "", "")
	un := ok(t, a.post(m("/subscribers/"+boID+"/unlock_promoted_reward"), obj{"reward_id": itoa(winnerID)}))
	if un.Body["response"] != "reward_unlocked" || un.Body["status"] != nil || un.Body["reward"].(obj)["category"] != "promoted_winners" {
		t.Fatalf("unlock %s", un.Raw)
	}
	// A referral unlocks the milestone.
	ok(t, a.post(m("/subscribers"), obj{"email": "ana@example.org", "referrer": bo["code"]}))
	rw := ok(t, a.get(m("/subscribers/"+boID+"/rewards"))).data()
	rewards := rw["rewards"].([]any)
	if len(rewards) != 2 || rw["pagination"].(obj)["per_page"] != float64(10) {
		t.Fatalf("rewards %v", rw)
	}
	var early0 obj
	for _, r := range rewards {
		if r.(obj)["name"] == "Early access" {
			early0 = r.(obj)
		}
	}
	if early0 == nil || early0["status"] != "confirmed" || early0["signup_type"] != "organic subscriber" {
		t.Fatalf("milestone reward %v", rewards)
	}
	upd := ok(t, a.post(m("/subscribers/update_reward_status"), obj{"reward_id": num(early0["id"]), "status": "resent"})).data()
	if upd["status"] != "resent" || upd["id"] != early0["id"] || upd["response"] != nil {
		t.Fatalf("update reward %v", upd)
	}
	sent := ok(t, a.get(m("/rewards?status=resent"))).data()["rewards"].([]any)
	if len(sent) != 1 || sent[0].(obj)["subscriber_id"] != boID {
		t.Fatalf("list rewards by status %v", sent)
	}
	if none := ok(t, a.get(m("/rewards?status=sent"))).data()["rewards"].([]any); len(none) != 0 {
		t.Fatalf("sent rewards %v", none)
	}
	// Another list's reward id is not found here.
	errorIs(t, a.post(m("/subscribers/update_reward_status"), obj{"reward_id": "999999", "status": "sent"}), http.StatusNotFound, "", "Reward not found")
}

func TestVerificationGate(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	m := func(rest string) string { return listPath(env, env.Campaign.ID, rest) }
	s := ok(t, a.post(m("/subscribers"), obj{"email": "wait@example.org", "double_optin": true})).data()
	if s["verified"] != false || s["verified_at"] != nil {
		t.Fatalf("double opt-in subscriber %v", s)
	}
	id := s["id"].(string)
	errorIs(t, a.get(m("/subscribers/"+id)), http.StatusNotFound, "subscriber_not_found", "Subscriber not found")
	errorIs(t, a.get(m("/subscribers/retrieve_by_email?email=wait%40example.org")), http.StatusNotFound, "subscriber_not_found", "Subscriber not found")
	errorIs(t, a.post(m("/subscribers/"+id+"/promote"), nil), http.StatusNotFound, "subscriber_not_found", "Subscriber not found")
	// It is still listed, and once verified it is found.
	if n := ok(t, a.get(m("/subscribers"))).data()["pagination"].(obj)["total_objects"]; n != float64(1) {
		t.Fatalf("listed %v", n)
	}
	yes := true
	pid, _ := codec(env).ParticipantID(id)
	if _, err := env.Backend.UpdateParticipant(context.Background(), env.Campaign.ID, canonical.ByID(pid), canonical.ParticipantPatch{Verified: &yes}); err != nil {
		t.Fatal(err)
	}
	ok(t, a.get(m("/subscribers/"+id)))
}

func TestCrossSurfaceVisibility(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	// A participant created natively (as any other surface would) is a
	// subscriber here.
	p, _, err := env.Backend.CreateParticipant(context.Background(), canonical.NewParticipant{Participant: canonical.Participant{
		CampaignID: env.Campaign.ID, Email: "native@example.org", FirstName: "Nat", LastName: "Ive"}})
	if err != nil {
		t.Fatal(err)
	}
	got := ok(t, a.get(listPath(env, env.Campaign.ID, "/subscribers/retrieve_by_email?email=native%40example.org"))).data()
	if got["id"] != codec(env).SubscriberID(p.ID) || got["name"] != "Nat Ive" || got["code"] != p.ReferralCode {
		t.Fatalf("native participant %v", got)
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	m := func(rest string) string { return listPath(env, env.Campaign.ID, rest) }
	for i := range 53 {
		ok(t, a.post(m("/subscribers"), obj{"email": "p" + itoa(i) + "@example.org", "extra_field": map[bool]string{true: "even", false: "odd"}[i%2 == 0]}))
	}
	p2 := ok(t, a.get(m("/subscribers?page=2&sort_by=registration_asc"))).data()
	subs := p2["subscribers"].([]any)
	pg := p2["pagination"].(obj)
	if len(subs) != 3 || subs[0].(obj)["email"] != "p50@example.org" || pg["total_pages"] != float64(2) ||
		pg["current_page"] != float64(2) || pg["total_objects"] != float64(53) {
		t.Fatalf("page 2: %d subscribers, pagination %v", len(subs), pg)
	}
	even := ok(t, a.get(m("/subscribers?extra_field=even"))).data()
	if n := even["pagination"].(obj)["total_objects"]; n != float64(27) {
		t.Fatalf("filtered total %v", n)
	}
	past := ok(t, a.get(m("/subscribers?page=9"))).data()
	if len(past["subscribers"].([]any)) != 0 {
		t.Fatalf("page past the end %v", past)
	}
}

func TestCoupons(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	m := func(rest string) string { return listPath(env, env.Campaign.ID, rest) }
	forms := []url.Values{
		{"name": {"Indexed"}, "coupons[0]": {"a1"}, "coupons[1]": {"a2"}, "active": {"false"}},
		{"name": {"Brackets"}, "coupons[]": {"b1", "b2"}},
		{"name": {"Stringy"}, "coupons": {"['c1', 'c2']"}},
	}
	var ids []string
	for _, f := range forms {
		g := ok(t, send(t, env, a.secret, req{method: "POST", path: m("/coupon_groups"), form: f})).data()
		if g["response"] != "coupon_group_created" || len(g["coupons"].([]any)) != 2 || !strings.HasPrefix(g["id"].(string), "rh") {
			t.Fatalf("group %v", g)
		}
		ids = append(ids, g["id"].(string))
	}
	added := ok(t, a.post(m("/coupons"), obj{"coupon_group_id": ids[0], "coupons": []string{"a3"}})).data()
	if added["response"] != nil || len(added["coupons"].([]any)) != 3 || added["active"] != false {
		t.Fatalf("added %v", added)
	}
	got := ok(t, a.get(m("/coupon_groups/"+ids[0]))).data()
	if len(got["coupons"].([]any)) != 3 || got["coupons"].([]any)[0].(obj)["sent_at"] != nil {
		t.Fatalf("group %v", got)
	}
	all := ok(t, a.get(m("/coupon_groups"))).data()
	if len(all["coupon_groups"].([]any)) != 3 || all["pagination"].(obj)["total_objects"] != float64(3) {
		t.Fatalf("groups %v", all)
	}
	errorIs(t, a.get(m("/coupon_groups/rh1")), http.StatusNotFound, "", "Coupon group not found")
	other := env.NewTenant(t, "other", canonical.Campaign{})
	b := &api{t: t, env: env, secret: other.Secrets[canonical.APIKey]}
	errorIs(t, b.get(listPath(env, other.Campaign.ID, "/coupon_groups/"+ids[0])), http.StatusNotFound, "", "Coupon group not found")
}

func TestTransactions(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	m := func(rest string) string { return listPath(env, env.Campaign.ID, rest) }
	ok(t, a.post(m("/subscribers"), obj{"email": "ana@example.org"}))
	tx := ok(t, a.post(m("/subscribers/add_transactions"), obj{"email": "ana@example.org", "amount": "56665",
		"transaction_id": "T-1", "product_id": "12345"})).data()
	if tx["amount"] != float64(56665) || tx["transaction_id"] != "T-1" || tx["product_id"] != "12345" ||
		tx["transaction_time"] != "2026-03-10T12:00:00.000Z" || tx["response"] != "transaction_added" {
		t.Fatalf("transaction %v", tx)
	}
	gen := ok(t, a.post(m("/subscribers/add_transactions"), obj{"email": "ana@example.org", "amount": "12.5"})).data()
	if gen["transaction_id"] != codec(env).ListUUID(env.Campaign.ID)+"20260310120000" || gen["amount"] != 12.5 || gen["product_id"] != nil {
		t.Fatalf("generated id %v", gen)
	}
	errorIs(t, a.post(m("/subscribers/add_transactions"), obj{"email": "nobody@example.org", "amount": "5"}),
		http.StatusNotFound, "subscriber_not_found", "Subscriber not found")
	errorIs(t, a.post(m("/subscribers/add_transactions"), obj{"email": "ana@example.org", "amount": "-5"}),
		http.StatusBadRequest, "", "Amount must be a positive number")
}

func itoa(n int) string { return strconv.Itoa(n) }
