package referralhero

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// The golden tests render canonical values that correspond to the vendor's
// documented payloads (testdata/referralhero, read-only) and compare the
// JSON: same keys, same JSON types, same values, null where the vendor
// sends null. IDs are chosen so that they render as the documented ones.

const docDir = "../../testdata/referralhero"

// fixedIDs renders IDs with the fixed keys (those of databases from before
// installations had secrets), under which the documented IDs decode.
var fixedIDs = NewIDs(nil)

// mustID decodes a documented ID with parse.
func mustID(t *testing.T, parse func(string) (string, bool), id string) string {
	t.Helper()
	got, ok := parse(id)
	if !ok {
		t.Fatalf("documented id %q does not decode", id)
	}
	return got
}

func at(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

func atp(sec int64) *time.Time { v := at(sec); return &v }

func intp(n int) *int { return &n }

// golden compares got, rendered as JSON, with the documented payload name.
// extras are keys the surface sends that the documented payload lacks.
func golden(t *testing.T, name string, got any, extras ...string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(docDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := surfacetest.CompareJSON(raw, got, surfacetest.JSONOptions{Extra: extras}); err != nil {
		t.Errorf("%s: %v", name, err)
	}
}

// fixture is the documented list with Bo and Ana.
type fixture struct {
	view listView
	camp canonical.Campaign
	bo   canonical.Participant
	ana  canonical.Participant
}

func newFixture(t *testing.T) fixture {
	var f fixture
	f.camp = canonical.Campaign{ID: mustID(t, fixedIDs.CampaignID, "MF078d000987"), Name: "Spring launch", URL: "https://example.org",
		CreatedAt: at(1487659010)}
	f.view = listView{UUID: "MF078d000987", SiteURL: "https://example.org"}
	f.bo = canonical.Participant{ID: mustID(t, fixedIDs.ParticipantID, "sub_9e8d7c6b5a41"), Email: "bo@example.org", FirstName: "Bo",
		ReferralCode: "bo-1f9e", Verified: true, VerifiedAt: atp(1716900000), Points: 4, Fraud: canonical.Fraud{Risk: canonical.RiskLow},
		CreatedAt: at(1716900000), UpdatedAt: at(1717000500),
		Stats:  canonical.ParticipantStats{Referrals: 4, PendingReferrals: 1, Level2Referrals: 2, Rank: 1},
		Native: canonical.Native{rh: {"extra_field": "team-a"}}}
	f.ana = canonical.Participant{ID: mustID(t, fixedIDs.ParticipantID, "sub_4f1c2a9b7d30"), Email: "ana@example.org", FirstName: "Ana",
		LastName: "Ruiz", ReferralCode: "ana-7c21", ReferrerID: f.bo.ID, ReferralState: canonical.StatePending, Verified: true,
		VerifiedAt: atp(1717000000), CreatedAt: at(1717000000), UpdatedAt: at(1717000500), Stats: canonical.ParticipantStats{Rank: 3}}
	return f
}

func (f fixture) sub(p canonical.Participant, response string) subscriberJSON {
	var ref *canonical.Participant
	if p.ReferrerID == f.bo.ID {
		ref = &f.bo
	}
	s := renderSubscriber(fixedIDs, p, f.view, ref)
	s.Response = response
	return s
}

func env(data any, callsLeft *int, ts int64) envelope {
	return envelope{Status: "ok", Data: data, CallsLeft: callsLeft, Timestamp: ts}
}

func TestGoldenSubscribers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	left := intp(1000)
	promoted := f.bo
	promoted.Promoted, promoted.PromotedAt = true, atp(1487661494)
	points := f.bo
	points.Points = 14
	updated := f.ana
	updated.FirstName, updated.LastName = canonical.SplitName("Ana María Ruiz")
	updated.Native = canonical.Native{rh: {"extra_field": "vip"}}
	confirmed := f.ana
	confirmed.ReferralState = canonical.StateCredited
	tests := []struct {
		name   string
		data   any
		ts     int64
		extras []string
	}{
		{"getSubscriber", f.sub(f.ana, actionRetrieved), 1487676070, []string{"universal_link"}},
		{"getSubscriberByEmail", f.sub(f.bo, actionRetrieved), 1487676070, nil},
		{"createSubscriber", f.sub(f.ana, actionCreated), 1487661494, []string{"universal_link"}},
		{"updateSubscriber", f.sub(updated, actionUpdated), 1487661494, []string{"universal_link"}},
		{"deleteSubscriber", f.sub(f.ana, actionDeleted), 1487661494, []string{"universal_link"}},
		{"promoteSubscriber", f.sub(promoted, actionPromoted), 1487661494, nil},
		{"addPoints", f.sub(points, actionPoints), 1487661494, nil},
		{"confirmSubscriber", f.sub(confirmed, actionConfirmed), 1487661494, []string{"universal_link"}},
		{"confirmSubscriberByIdentifier", f.sub(confirmed, actionConfirmed), 1487661494, []string{"universal_link"}},
		{"trackReferralConversionEvent", f.sub(confirmed, actionEvent), 1487661494, []string{"universal_link"}},
		{"listSubscribers", subscribersPage{Response: "subscribers_retrieved",
			Subscribers: []subscriberJSON{f.sub(f.bo, ""), f.sub(f.ana, "")}, Pagination: newPagination(1, 50, 14)}, 1487675505, []string{"universal_link"}},
		{"listReferredSubscribers", subscribersPage{Response: "subscribers_retrieved",
			Subscribers: []subscriberJSON{f.sub(f.ana, "")}, Pagination: newPagination(1, 50, 1)}, 1487675505, []string{"universal_link"}},
		{"getLeaderboard", leaderboard{Ranking: []subscriberJSON{f.sub(f.bo, ""), f.sub(f.ana, "")}}, 1487659347, []string{"universal_link"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			golden(t, tt.name, env(tt.data, left, tt.ts), tt.extras...)
		})
	}
}

func TestGoldenLists(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	beta := canonical.Campaign{ID: mustID(t, fixedIDs.CampaignID, "MF3c2b1a0f9e"), Name: "Beta waitlist", Kind: canonical.WaitlistProgram,
		CreatedAt: at(1480000000)}
	golden(t, "listLists", env(listsPage{Response: "lists_retrieved",
		Lists: []listJSON{renderList(fixedIDs, f.camp, 121), renderList(fixedIDs, beta, 14)}, Pagination: newPagination(1, 10, 67)}, intp(1000), 1487658324))
	golden(t, "createList", env(renderList(fixedIDs, f.camp, 0), intp(1000), 1487659010))
}

func TestGoldenRewards(t *testing.T) {
	t.Parallel()
	early := canonical.RewardRule{ID: mustID(t, fixedIDs.RuleID, "201"), Kind: canonical.Milestone, Title: "Early access",
		Description: "Refer 3 friends to get early access.", Threshold: 3, Native: canonical.Native{rh: {"header": "Skip the line"}}}
	winner := canonical.RewardRule{ID: mustID(t, fixedIDs.RuleID, "203"), Kind: canonical.ManualReward, Title: "Winner 2",
		Native: canonical.Native{rh: {"label": "Winner Reward"}}}
	golden(t, "listBonuses", env([]rewardJSON{renderReward(fixedIDs, early), renderReward(fixedIDs, winner)}, intp(1000), 1487659708))
	golden(t, "unlockPromotedReward", promotedUnlock{Response: "reward_unlocked", Reward: renderReward(fixedIDs, winner)})

	premium := canonical.RewardRule{ID: "9", Kind: canonical.SingleSided, Title: "A free Premium account for 1 year"}
	owner := canonical.Participant{ID: "5"}
	er := canonical.EarnedReward{ID: mustID(t, fixedIDs.EarnedRewardID, "1795"), RuleID: premium.ID, ParticipantID: owner.ID,
		Status: canonical.RewardApproved, CouponCode: "AD45RF", CreatedAt: at(1686397951),
		Native: canonical.Native{rh: {"coupon_group": "rh123"}}}
	golden(t, "listSubscriberRewards", env(unlockedPage{Response: "rewards_retrieved",
		Rewards: []unlockedJSON{renderUnlocked(fixedIDs, er, &premium, owner)}, Pagination: newPagination(1, 10, 1)}, nil, 1686561391))
	golden(t, "updateRewardStatus", env(renderUnlocked(fixedIDs, er, &premium, owner), nil, 1686561403), "coupon_code", "coupon_group")
}

func TestGoldenTransaction(t *testing.T) {
	t.Parallel()
	tx := canonical.Transaction{ID: mustID(t, fixedIDs.EngineTransactionID, "592"), Amount: canonical.Money{Amount: 5666500},
		ExternalIDs: map[string]string{"transaction_id": "MFa19e08789720240219142611"}, OccurredAt: at(1708352771),
		Native: canonical.Native{rh: {"product_id": "12345"}}}
	golden(t, "addTransactions", env(renderTransaction(fixedIDs, tx), nil, 1708352775))
}

func TestGoldenCoupons(t *testing.T) {
	t.Parallel()
	coupons := func(codes ...string) []canonical.Coupon {
		out := []canonical.Coupon{}
		for _, c := range codes {
			out = append(out, canonical.Coupon{Code: c, Available: true, CreatedAt: at(1686563246)})
		}
		return out
	}
	rh200 := canonical.CouponGroup{ID: mustID(t, fixedIDs.GroupID, "rh200"), Name: "RH200", Active: true, CreatedAt: at(1686563246)}
	rh400 := canonical.CouponGroup{ID: mustID(t, fixedIDs.GroupID, "rh400"), Name: "RH400", Active: true, CreatedAt: at(1686563261)}

	created := renderCouponGroup(fixedIDs, rh400)
	created.Response = "coupon_group_created"
	golden(t, "createCouponGroup", env(created, nil, 1686563261))
	golden(t, "getCouponGroup", env(renderCouponGroup(fixedIDs, rh200), nil, 1686563407))
	full := rh200
	full.Coupons = coupons("FCMPFI", "U3EHFD", "tvt4g45v", "RFGH677", "KMLFG767")
	golden(t, "createCoupons", env(renderCouponGroup(fixedIDs, full), nil, 1686676359))
	two := rh200
	two.Coupons = coupons("FCMPFI", "U3EHFD")
	golden(t, "listCouponGroups", env(couponGroupsPage{Response: "coupon_groups_retrieved",
		CouponGroups: []couponGroupJSON{renderCouponGroup(fixedIDs, two), renderCouponGroup(fixedIDs, rh400)}, Pagination: newPagination(1, 50, 2)}, nil, 1686563777))
}

func TestGoldenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		status int
	}{
		{"listSubscribers.401", fail(http.StatusUnauthorized, codeNoToken, msgNoToken), 401},
		{"listLists.403", canonical.Errorf(canonical.Forbidden, "inactive"), 403},
		{"listLists.429", canonical.Errorf(canonical.RateLimited, "slow down"), 429},
		{"getSubscriber.404", as(canonical.Errorf(canonical.NotFound, "participant not found"), errSubNotFound), 404},
		{"confirmSubscriber.404", errSubNotFound, 404},
		{"getCouponGroup.404", as(canonical.Errorf(canonical.NotFound, "campaign not found"), errListNotFound), 404},
		{"createSubscriber.400", errNoIdentifier, 400},
		{"addPoints.400", fail(http.StatusBadRequest, codeNoPoints, msgNoPoints), 400},
		{"promoteSubscriber.400", &vendorError{status: 400, code: codeAlreadyPromoted, message: msgAlreadyPromoted,
			cause: canonical.Errorf(canonical.Conflict, "already")}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body, internal := toVendor(tt.err)
			if status != tt.status || internal {
				t.Fatalf("status %d internal %v, want %d", status, internal, tt.status)
			}
			golden(t, tt.name, body)
		})
	}
}

func TestInternalErrorsStayInternal(t *testing.T) {
	t.Parallel()
	status, body, internal := toVendor(errors.New("database is on fire at /var/lib/x"))
	if status != 500 || !internal || body.Message != msgInternal || body.Code != "" {
		t.Fatalf("%d %+v %v", status, body, internal)
	}
	status, body, _ = toVendor(canonical.Wrap(canonical.Internal, errors.New("secret detail"), "secret message"))
	if status != 500 || body.Message != msgInternal {
		t.Fatalf("%d %+v", status, body)
	}
}

// TestCallFailures: a failure of the call itself is answered with a
// status of its kind and a fixed message, never the cause; it is logged
// unless the caller went away.
func TestCallFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err      error
		status   int
		message  string
		internal bool
	}{
		{canonical.Wrap(canonical.Unavailable, errors.New("dial tcp 10.0.0.7:5432"), "store down"), 503, msgUnavailable, true},
		{canonical.Wrap(canonical.DeadlineExceeded, errors.New("i/o timeout"), "slow"), 504, msgTimeout, true},
		{canonical.Wrap(canonical.Canceled, context.Canceled, "request canceled"), 499, msgCanceled, false},
		{fmt.Errorf("engine: %w", context.DeadlineExceeded), 504, msgTimeout, true},
	}
	for _, tt := range tests {
		status, body, internal := toVendor(tt.err)
		if status != tt.status || body.Status != "error" || body.Message != tt.message || body.Code != "" || internal != tt.internal {
			t.Errorf("%v: %d %+v internal=%v, want %d %q internal=%v", tt.err, status, body, internal, tt.status, tt.message, tt.internal)
		}
	}
}

func TestRewardStatusWords(t *testing.T) {
	t.Parallel()
	for _, w := range []string{"pending", "confirmed", "sent", "resent", "canceled", "failed", "flagged"} {
		st, ok := rewardStatusOf(w)
		if !ok {
			t.Fatalf("%s unknown", w)
		}
		r := canonical.EarnedReward{Status: st, Native: canonical.Native{rh: {"status": w}}}
		if got := rewardStatusWord(r); got != w {
			t.Errorf("%s renders as %s", w, got)
		}
	}
	// A status changed elsewhere wins over a stale native word.
	r := canonical.EarnedReward{Status: canonical.RewardCanceled, Native: canonical.Native{rh: {"status": "resent"}}}
	if got := rewardStatusWord(r); got != "canceled" {
		t.Errorf("stale word: %s", got)
	}
}
