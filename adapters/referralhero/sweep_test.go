package referralhero_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/openapi"
)

// sweep calls operations and validates every response against the spec.
type sweep struct {
	t      *testing.T
	a      *api
	doc    *openapi3.T
	routes map[string]*routers.Route // by operationId
	seen   map[string][]int
	failed map[string]string
}

func newSweep(t *testing.T, a *api) *sweep {
	doc, err := openapi.Load(openapi.ReferralHero)
	if err != nil {
		t.Fatal(err)
	}
	s := &sweep{t: t, a: a, doc: doc, routes: map[string]*routers.Route{}, seen: map[string][]int{}, failed: map[string]string{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			s.routes[op.OperationID] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
		}
	}
	return s
}

// call performs operation op on path (relative to /api/v2) and validates
// the response; the operation counts as served when it answers 200.
func (s *sweep) call(op, path string, body any) reply {
	s.t.Helper()
	rt, ok := s.routes[op]
	if !ok {
		s.t.Fatalf("no operation %s in the spec", op)
	}
	r := s.a.do(rt.Method, "/api/v2"+path, body)
	s.seen[op] = append(s.seen[op], r.Status)
	if r.Status != http.StatusOK {
		s.failed[op] = fmt.Sprintf("status %d: %s", r.Status, r.Raw)
		return r
	}
	hr, _ := http.NewRequest(rt.Method, "https://app.referralhero.com/api/v2"+path, nil)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: hr, Route: rt,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status:  r.Status,
		Header:  r.Header,
		Body:    io.NopCloser(bytes.NewReader(r.Raw)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		s.failed[op] = "response does not match the spec: " + err.Error()
	}
	return r
}

// TestSweep calls every operation of the spec with valid input and checks
// each answer against the spec.
func TestSweep(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	a := newAPI(t, env)
	s := newSweep(t, a)
	ctx := context.Background()
	b := env.Backend
	main := env.Campaign.ID
	m := func(rest string) string { return "/lists/" + codec(env).ListUUID(main) + rest }

	// Reward rules of the main list: a reward at the first confirmed
	// referral, and a reward for promoted winners.
	if _, err := b.CreateRewardRule(ctx, main, canonical.RewardRule{Kind: canonical.Milestone, Title: "Early access",
		Description: "Refer a friend to get early access.", Threshold: 1}); err != nil {
		t.Fatal(err)
	}
	winner, err := b.CreateRewardRule(ctx, main, canonical.RewardRule{Kind: canonical.ManualReward, Title: "Winner 2"})
	if err != nil {
		t.Fatal(err)
	}

	// Lists.
	created := s.call("createList", "/lists", obj{"name": "Autumn launch", "website": "https://autumn.example.org"}).data()
	if uuid, _ := created["uuid"].(string); !strings.HasPrefix(uuid, "MF") || created["subscribers"] != float64(0) {
		t.Errorf("created list %v", created)
	}
	s.call("listLists", "/lists?page=1", nil)

	// Subscribers.
	bo := s.call("createSubscriber", m("/subscribers"), obj{"email": "bo@example.org", "name": "Bo", "extra_field": "team-a"}).data()
	ana := ok(t, a.post("/api/v2"+m("/subscribers"), obj{"email": "ana@example.org", "name": "Ana Ruiz",
		"referrer": bo["code"], "source": "newsletter", "conversion_value": 49.5})).data()
	cy := ok(t, a.post("/api/v2"+m("/subscribers"), obj{"email": "cy@example.org", "referrer": ana["code"]})).data()
	ok(t, a.post("/api/v2"+m("/subscribers"), obj{"email": "di@example.org", "referrer": cy["code"]}))
	boID, anaID := bo["id"].(string), ana["id"].(string)

	s.call("listSubscribers", m("/subscribers?sort_by=position_asc&page=1"), nil)
	s.call("getLeaderboard", m("/leaderboard?count=25"), nil)
	s.call("listBonuses", m("/bonuses"), nil)
	s.call("getSubscriber", m("/subscribers/"+anaID), nil)
	s.call("getSubscriberByEmail", m("/subscribers/retrieve_by_email?email=bo%40example.org"), nil)
	s.call("getSubscriberByCode", m("/subscribers/retrieve_by_mwr?mwr="+url.QueryEscape(ana["code"].(string))), nil)
	s.call("updateSubscriber", m("/subscribers/"+anaID), obj{"name": "Ana María Ruiz", "extra_field": "vip"})
	s.call("addPoints", m("/subscribers/add_points"), obj{"email": "bo@example.org", "points": 10})
	s.call("addTransactions", m("/subscribers/add_transactions"), obj{"email": "ana@example.org", "amount": "56665",
		"transaction_id": "MFa19e08789720240219142611", "product_id": "12345"})
	s.call("promoteSubscriber", m("/subscribers/"+boID+"/promote"), nil)
	s.call("unlockPromotedReward", m("/subscribers/"+boID+"/unlock_promoted_reward"),
		obj{"reward_id": fmt.Sprint(codec(env).RewardID(winner.ID))})
	s.call("listReferredSubscribers", m("/subscribers/"+boID+"/referred?sort_by=registration_asc"), nil)
	rewards := s.call("listSubscriberRewards", m("/subscribers/"+boID+"/rewards"), nil).data()
	var rewardID string
	if list, _ := rewards["rewards"].([]any); len(list) > 0 {
		rewardID = num(list[0].(obj)["id"])
	}
	s.call("updateRewardStatus", m("/subscribers/update_reward_status"), obj{"reward_id": rewardID, "status": "sent"})
	s.call("listRewards", m("/rewards?status=sent"), nil)
	s.call("listLevel1Referrals", m("/subscribers/"+boID+"/level_1_referrals"), nil)
	s.call("listLevel2Referrals", m("/subscribers/"+boID+"/level_2_referrals"), nil)
	s.call("listLevel3Referrals", m("/subscribers/"+boID+"/level_3_referrals"), nil)
	s.call("listLevel2AllReferrals", m("/subscribers/"+boID+"/level_2_all_referrals?sort_by=email_desc"), nil)
	s.call("listLevel3AllReferrals", m("/subscribers/"+boID+"/level_3_all_referrals"), nil)

	// A list whose goal has three conversion events: pending →
	// unconfirmed → confirmed.
	review, err := b.CreateCampaign(ctx, canonical.Campaign{Name: "Reviewed", Status: canonical.CampaignActive,
		Qualification: canonical.QualifyOnReview, URL: "https://review.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	rv := func(rest string) string { return "/lists/" + codec(env).ListUUID(review.ID) + rest }
	ref := ok(t, a.post("/api/v2"+rv("/subscribers"), obj{"email": "ref@example.org"})).data()
	carl := ok(t, a.post("/api/v2"+rv("/subscribers"), obj{"email": "carl@example.org", "referrer": ref["code"]})).data()
	s.call("trackReferralConversionEvent", rv("/subscribers/track_referral_conversion_event"),
		obj{"email": "carl@example.org", "referrer": ref["code"]})
	s.call("confirmSubscriber", rv("/subscribers/"+carl["id"].(string)+"/confirm"), nil)
	ok(t, a.post("/api/v2"+rv("/subscribers/track_referral_conversion_event"), obj{"email": "dan@example.org", "referrer": "ref@example.org"}))
	s.call("confirmSubscriberByIdentifier", rv("/subscribers/confirm"), obj{"email": "dan@example.org"})

	// Coupons.
	group := s.call("createCouponGroup", m("/coupon_groups"), obj{"name": "RH400", "coupons": []string{"ab23fg", "fghg45"}, "active": true}).data()
	gid, _ := group["id"].(string)
	s.call("createCoupons", m("/coupons"), obj{"coupon_group_id": gid, "coupons": []string{"tvt4g45v", "RFGH677"}})
	s.call("listCouponGroups", m("/coupon_groups"), nil)
	s.call("getCouponGroup", m("/coupon_groups/"+gid), nil)

	// Delete last.
	eve := ok(t, a.post("/api/v2"+m("/subscribers"), obj{"email": "eve@example.org"})).data()
	s.call("deleteSubscriber", m("/subscribers/"+eve["id"].(string)), nil)

	// Report.
	var ops []string
	for op := range s.routes {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	served := 0
	for _, op := range ops {
		statuses, called := s.seen[op]
		reason, failed := s.failed[op]
		_, limited := referralhero.Limitations[op]
		switch {
		case !called && !limited:
			t.Errorf("%s: not exercised", op)
		case failed && !limited:
			t.Errorf("%s: %s", op, reason)
		case failed:
			t.Logf("%-32s limited (%s): %s", op, referralhero.Limitations[op], reason)
		default:
			served++
			t.Logf("%-32s ok %v", op, statuses)
		}
	}
	t.Logf("sweep: %d/%d operations served, %d in Limitations", served, len(ops), len(referralhero.Limitations))
	if len(ops) != 31 {
		t.Errorf("the spec has %d operations, want 31", len(ops))
	}
}
