package growsurf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// The golden tests serve GrowSurf's documented payloads (testdata/growsurf)
// from a mock transport and check both directions: the request the
// backend sends (method, path, query, body, credential) and the canonical
// values it decodes.

const (
	goldenBase = "https://api.growsurf.com/v2"
	goldenKey  = "gs_test_0123456789"
)

// exchange is one documented request/response pair.
type exchange struct {
	method string
	path   string     // escaped, below goldenBase
	query  url.Values // exact query; nil = none
	// request names the testdata file the JSON body must equal; subset
	// names one whose fields must include every field sent, with equal
	// values (for bodies the canonical input cannot fill in completely).
	request, subset string
	response        string // testdata file answered
	status          int    // 0 = 200
}

type goldenBackendCase struct {
	name      string
	exchanges []exchange
	call      func(t *testing.T, b *growsurf.Backend)
}

func goldenFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "growsurf", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func goldenJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func msp(v int64) *time.Time {
	t := ms(v)
	return &t
}

// gEq fails unless got deeply equals want.
func gEq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func gNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func runGolden(t *testing.T, tc goldenBackendCase) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	for _, ex := range tc.exchanges {
		ex := ex
		status := ex.status
		if status == 0 {
			status = http.StatusOK
		}
		body := goldenFile(t, ex.response)
		mock.RegisterResponder(ex.method, goldenBase+ex.path, func(req *http.Request) (*http.Response, error) {
			if got, want := req.Header.Get("Authorization"), "Bearer "+goldenKey; got != want {
				t.Errorf("%s %s: Authorization = %q, want %q", ex.method, ex.path, got, want)
			}
			if got, want := req.URL.EscapedPath(), "/v2"+ex.path; got != want {
				t.Errorf("path = %q, want %q", got, want)
			}
			wantQuery := ex.query
			if wantQuery == nil {
				wantQuery = url.Values{}
			}
			if got := req.URL.Query(); !reflect.DeepEqual(got, wantQuery) {
				t.Errorf("%s %s: query = %v, want %v", ex.method, ex.path, got, wantQuery)
			}
			var sent []byte
			if req.Body != nil {
				sent, _ = io.ReadAll(req.Body)
			}
			switch {
			case ex.request != "":
				if err := surfacetest.CompareJSON(goldenFile(t, ex.request), sent, surfacetest.JSONOptions{}); err != nil {
					t.Errorf("%s %s: body %s, not testdata/growsurf/%s.json: %v", ex.method, ex.path, sent, ex.request, err)
				}
			case ex.subset != "":
				got, _ := goldenJSON(t, sent).(map[string]any)
				want, _ := goldenJSON(t, goldenFile(t, ex.subset)).(map[string]any)
				for k, v := range got {
					if !reflect.DeepEqual(want[k], v) {
						t.Errorf("%s %s: body field %s = %v, want %v (testdata/growsurf/%s.json)", ex.method, ex.path, k, v, want[k], ex.subset)
					}
				}
			case len(bytes.TrimSpace(sent)) > 0 && ex.method != http.MethodPost && ex.method != http.MethodPatch:
				t.Errorf("%s %s: unexpected body %s", ex.method, ex.path, sent)
			}
			resp := httpmock.NewBytesResponse(status, body)
			resp.Header.Set("Content-Type", "application/json")
			return resp, nil
		})
	}
	b, err := growsurf.NewBackend(&growsurf.BackendOptions{APIKey: goldenKey, HTTPClient: &http.Client{Transport: mock}})
	if err != nil {
		t.Fatal(err)
	}
	tc.call(t, b)
	info := mock.GetCallCountInfo()
	seen := map[string]bool{}
	for _, ex := range tc.exchanges {
		key := ex.method + " " + goldenBase + ex.path
		if seen[key] {
			continue
		}
		seen[key] = true
		if info[key] == 0 {
			t.Errorf("%s was never called (calls: %v)", key, info)
		}
	}
	if n := mock.GetTotalCallCount(); n > len(tc.exchanges) {
		t.Errorf("%d requests, want %d (calls: %v)", n, len(tc.exchanges), info)
	}
}

// checkAnaP asserts the documented participant k3x9qz.
func checkAnaP(t *testing.T, p canonical.Participant, camp string) {
	t.Helper()
	gEq(t, "id", p.ID, "k3x9qz")
	gEq(t, "campaign", p.CampaignID, camp)
	gEq(t, "email", p.Email, "ana@example.com")
	gEq(t, "first name", p.FirstName, "Ana")
	gEq(t, "last name", p.LastName, "")
	gEq(t, "created", p.CreatedAt, ms(1717000000000))
	gEq(t, "referrer", p.ReferrerID, "")
	gEq(t, "state", p.ReferralState, canonical.ReferralState(""))
	gEq(t, "metadata", p.Metadata, map[string]string{"plan": "pro"})
	gEq(t, "fraud", p.Fraud, canonical.Fraud{Risk: canonical.RiskLow, Reason: canonical.ReasonUniqueIdentity})
	gEq(t, "stats", p.Stats, canonical.ParticipantStats{Referrals: 2, MonthlyReferrals: 1, PrevMonthReferrals: 1, Rank: p.Stats.Rank,
		MonthlyRank: p.Stats.MonthlyRank, Impressions: 10, UniqueImpressions: 7, Shares: map[string]int{"email": 1, "twitter": 0}, RewardsEarned: 1})
	gEq(t, "native", p.Native, canonical.Native{canonical.GrowSurf: {"shareUrl": "https://example.com/?grsf=k3x9qz", "isWinner": true,
		"referralSource": "DIRECT"}})
}

// checkBen asserts the documented participant p4c5d6.
func checkBen(t *testing.T, p canonical.Participant, camp string) {
	t.Helper()
	gEq(t, "id", p.ID, "p4c5d6")
	gEq(t, "campaign", p.CampaignID, camp)
	gEq(t, "email", p.Email, "ben@example.com")
	gEq(t, "name", p.Name(), "Ben Okafor")
	gEq(t, "created", p.CreatedAt, ms(1717050000000))
	gEq(t, "referrer", p.ReferrerID, "k3x9qz")
	gEq(t, "state", p.ReferralState, canonical.StatePending)
	gEq(t, "metadata", p.Metadata, map[string]string{"company": "Okafor Ltd", "seats": "5"})
	gEq(t, "ip", p.IPAddress, "203.0.113.7")
	gEq(t, "stats", p.Stats, canonical.ParticipantStats{Rank: 9, MonthlyRank: 5})
	gEq(t, "native", p.Native, canonical.Native{canonical.GrowSurf: {"shareUrl": "https://example.com/?grsf=p4c5d6", "isWinner": false,
		"referralSource": "PARTICIPANT", "metadata": map[string]any{"company": "Okafor Ltd", "seats": float64(5)}}})
}

// checkSpring asserts the documented program abc123 with its two rewards.
func checkSpring(t *testing.T, c canonical.Campaign, name string, status canonical.CampaignStatus) {
	t.Helper()
	gEq(t, "id", c.ID, "abc123")
	gEq(t, "name", c.Name, name)
	gEq(t, "kind", c.Kind, canonical.ReferralProgram)
	gEq(t, "status", c.Status, status)
	gEq(t, "currency", c.Currency, "USD")
	if len(c.Rules) != 2 {
		t.Fatalf("rules %+v", c.Rules)
	}
	checkDoubleSided(t, c.Rules[0])
	checkMilestone(t, c.Rules[1])
}

func checkDoubleSided(t *testing.T, r canonical.RewardRule) {
	t.Helper()
	gEq(t, "double-sided", r, canonical.RewardRule{ID: "crew_xyz789", CampaignID: "abc123", Kind: canonical.DoubleSided,
		Title: "Give $10, get $10", Description: "Get a $10 credit", ReferredDescription: "Get a $10 credit on sign-up", Threshold: 1,
		Unlimited: true, LimitPeriod: canonical.LimitTotal, Visible: true, ImageURL: "https://example.com/reward.png", CouponCode: "THANKS10",
		ReferredCouponCode: "WELCOME10", Metadata: map[string]string{"sku": "CREDIT-10"},
		ReferrerValue: canonical.Money{Amount: 1000, Currency: "USD"},
		Native:        canonical.Native{canonical.GrowSurf: {"value": map[string]any{"isTaxReportable": true, "fairMarketValueUSD": float64(10)}}}})
}

func checkMilestone(t *testing.T, r canonical.RewardRule) {
	t.Helper()
	gEq(t, "milestone", r, canonical.RewardRule{ID: "crew_1", CampaignID: "abc123", Kind: canonical.Milestone, Title: "Five friends",
		Description: "Free month after 5 referrals", Threshold: 5, Limit: 1, LimitPeriod: canonical.LimitPerMonth, Visible: true, Order: 2,
		Native: canonical.Native{canonical.GrowSurf: {"order": float64(2), "nextMilestonePrefix": "You are only",
			"nextMilestoneSuffix": "referrals away from a free month!"}}})
}

func checkPartner(t *testing.T, c canonical.Campaign) {
	t.Helper()
	gEq(t, "id", c.ID, "aff789")
	gEq(t, "name", c.Name, "Partner program")
	gEq(t, "kind", c.Kind, canonical.AffiliateProgram)
	gEq(t, "status", c.Status, canonical.CampaignDraft)
	gEq(t, "currency", c.Currency, "EUR")
	if len(c.Rules) != 1 {
		t.Fatalf("rules %+v", c.Rules)
	}
	r := c.Rules[0]
	gEq(t, "rule kind", r.Kind, canonical.CommissionReward)
	gEq(t, "rule title", r.Title, "20% recurring")
	gEq(t, "rule unlimited/visible", []bool{r.Unlimited, r.Visible}, []bool{true, true})
	gEq(t, "commission", r.Commission, &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 20, Amount: canonical.Money{}})
	cs, _ := r.Native.Get(canonical.GrowSurf, "commissionStructure")
	m, _ := cs.(map[string]any)
	gEq(t, "native commission", []any{m["event"], m["holdDuration"], m["maxAmount"], m["duration"]}, []any{"SALE", float64(30), float64(50000), "FOREVER"})
}

func checkCom1(t *testing.T, c canonical.Commission, camp string) {
	t.Helper()
	gEq(t, "com_1", c, canonical.Commission{ID: camp + ":com_1", CampaignID: camp, ReferrerID: "k3x9qz", ReferredID: "p4c5d6",
		Amount: canonical.Money{Amount: 980, Currency: "EUR"}, SaleAmount: canonical.Money{Amount: 4900, Currency: "EUR"},
		Status: canonical.CommissionDue, DueAt: msp(1719800000000), ApprovedAt: msp(1719800000000), CreatedAt: ms(1717200000000),
		Native: canonical.Native{canonical.GrowSurf: {"holdDuration": float64(30), "event": "SALE", "provider": "STRIPE"}}})
}

func checkPrw1(t *testing.T, r canonical.EarnedReward, camp string) {
	t.Helper()
	gEq(t, "prw_1", r, canonical.EarnedReward{ID: camp + ":k3x9qz:prw_1", CampaignID: camp, RuleID: "crew_1", ParticipantID: "k3x9qz",
		ReferredID: "p4c5d6", IsReferrer: true, Status: canonical.RewardApproved, ApprovedAt: msp(1717100000000), Unread: true,
		Native: canonical.Native{canonical.GrowSurf: {"isAvailable": true, "referrerId": "k3x9qz"}}})
}

func goldenBackendCases() []goldenBackendCase {
	ctx := context.Background()
	const camp = "abc123"
	rewards := exchange{method: "GET", path: "/campaign/abc123/participant/k3x9qz/rewards", query: url.Values{"limit": {"100"}},
		response: "listParticipantRewards"}
	commissions := exchange{method: "GET", path: "/campaign/abc123/commissions", query: url.Values{"limit": {"100"}}, response: "listCommissions"}
	return []goldenBackendCase{
		{"ListCampaigns", []exchange{{method: "GET", path: "/campaigns", response: "listCampaigns"}}, func(t *testing.T, b *growsurf.Backend) {
			page, err := b.ListCampaigns(ctx, canonical.ListOptions{})
			gNoErr(t, err)
			if len(page.Items) != 2 {
				t.Fatalf("campaigns %+v", page.Items)
			}
			gEq(t, "total/next", []any{page.Total, page.NextCursor}, []any{2, ""})
			checkSpring(t, page.Items[0], "Spring referral program", canonical.CampaignActive)
			checkPartner(t, page.Items[1])
		}},
		{"GetCampaign", []exchange{{method: "GET", path: "/campaign/abc123", response: "getCampaign"}}, func(t *testing.T, b *growsurf.Backend) {
			c, err := b.GetCampaign(ctx, camp)
			gNoErr(t, err)
			checkSpring(t, c, "Spring referral program", canonical.CampaignActive)
		}},
		{"CreateCampaign", []exchange{{method: "POST", path: "/campaigns", request: "createCampaign.request", response: "createCampaign"}},
			func(t *testing.T, b *growsurf.Backend) {
				in := canonical.Campaign{Name: "Partner program", Kind: canonical.AffiliateProgram, Currency: "EUR",
					Native: canonical.Native{canonical.GrowSurf: {"companyName": "Acme", "companyLogoImageUrl": "https://example.com/logo.png",
						"goal": "B2B_SAAS_SELF_SERVICE"}},
					Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward, Title: "20% recurring", Unlimited: true, Visible: true,
						Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 20},
						Native:     canonical.Native{canonical.GrowSurf: {"commissionStructure": map[string]any{"event": "SALE", "holdDuration": 30}}}}}}
				c, err := b.CreateCampaign(ctx, in)
				gNoErr(t, err)
				checkPartner(t, c)
			}},
		{"UpdateCampaign", []exchange{{method: "PATCH", path: "/campaign/abc123", request: "updateCampaign.request", response: "updateCampaign"}},
			func(t *testing.T, b *growsurf.Backend) {
				name, st := "Spring referral program 2024", canonical.CampaignEnded
				c, err := b.UpdateCampaign(ctx, camp, canonical.CampaignPatch{Name: &name, Status: &st})
				gNoErr(t, err)
				checkSpring(t, c, name, canonical.CampaignEnded)
			}},
		{"ListRewardRules", []exchange{{method: "GET", path: "/campaign/abc123/reward-configs", response: "listRewardConfigs"}},
			func(t *testing.T, b *growsurf.Backend) {
				rules, err := b.ListRewardRules(ctx, camp)
				gNoErr(t, err)
				if len(rules) != 2 {
					t.Fatalf("rules %+v", rules)
				}
				checkDoubleSided(t, rules[0])
				checkMilestone(t, rules[1])
			}},
		{"CreateRewardRule", []exchange{{method: "POST", path: "/campaign/abc123/reward-configs", request: "createRewardConfig.request",
			response: "createRewardConfig"}}, func(t *testing.T, b *growsurf.Backend) {
			r, err := b.CreateRewardRule(ctx, camp, canonical.RewardRule{Kind: canonical.LeaderboardReward, Title: "Top 3 of the month",
				Description: "$100 gift card", LimitPeriod: canonical.LimitPerMonth, Winners: 3, Visible: true,
				Metadata: map[string]string{"giftCard": "AMZ-100"}, ReferrerValue: canonical.Money{Amount: 10000, Currency: "USD"},
				Native: canonical.Native{canonical.GrowSurf: {"value": map[string]any{"isTaxReportable": true, "fairMarketValueUSD": 100}}}})
			gNoErr(t, err)
			gEq(t, "rule", r, canonical.RewardRule{ID: "crew_lb42", CampaignID: camp, Kind: canonical.LeaderboardReward, Title: "Top 3 of the month",
				Description: "$100 gift card", LimitPeriod: canonical.LimitPerMonth, Winners: 3, Visible: true,
				Metadata: map[string]string{"giftCard": "AMZ-100"}, ReferrerValue: canonical.Money{Amount: 10000, Currency: "USD"},
				Native: canonical.Native{canonical.GrowSurf: {"value": map[string]any{"isTaxReportable": true, "fairMarketValueUSD": float64(100)}}}})
		}},
		{"UpdateRewardRuleConflict", []exchange{{method: "PATCH", path: "/campaign/abc123/reward-configs/crew_xyz789",
			request: "updateRewardConfig.request", response: "updateRewardConfig.409", status: 409}}, func(t *testing.T, b *growsurf.Backend) {
			_, err := b.UpdateRewardRule(ctx, camp, "crew_xyz789", canonical.RewardRulePatch{Metadata: map[string]string{}})
			checkAPIError(t, err, canonical.Conflict, 409, "CONFLICT_ERROR", `Metadata key "sku" is still used in program copy.`)
		}},
		{"UpdateRewardRule", []exchange{{method: "PATCH", path: "/campaign/abc123/reward-configs/crew_lb42",
			request: "updateRewardConfigLegacy.request", response: "createRewardConfig"}}, func(t *testing.T, b *growsurf.Backend) {
			title, desc, unl, winners, period := "Top 3 of the month", "$100 gift card", false, 3, canonical.LimitPerMonth
			value := canonical.Money{Amount: 10000, Currency: "USD"}
			r, err := b.UpdateRewardRule(ctx, camp, "crew_lb42", canonical.RewardRulePatch{Title: &title, Description: &desc, Unlimited: &unl,
				Winners: &winners, LimitPeriod: &period, Metadata: map[string]string{"giftCard": "AMZ-100"}, ReferrerValue: &value,
				Native: canonical.Native{canonical.GrowSurf: {"value": map[string]any{"isTaxReportable": true, "fairMarketValueUSD": 100}}}})
			gNoErr(t, err)
			gEq(t, "rule id/winners", []any{r.ID, r.Winners}, []any{"crew_lb42", 3})
		}},
		{"DeleteRewardRule", []exchange{{method: "DELETE", path: "/campaign/abc123/reward-configs/crew_xyz789", response: "deleteRewardConfig"}},
			func(t *testing.T, b *growsurf.Backend) {
				gNoErr(t, b.DeleteRewardRule(ctx, camp, "crew_xyz789"))
			}},
		{"CreateParticipant", []exchange{{method: "POST", path: "/campaign/abc123/participant", request: "addParticipant.request",
			response: "addParticipant"}}, func(t *testing.T, b *growsurf.Backend) {
			np := canonical.NewParticipant{Participant: canonical.Participant{CampaignID: camp, Email: "ben@example.com", FirstName: "Ben",
				LastName: "Okafor", IPAddress: "203.0.113.7", Metadata: map[string]string{"company": "Okafor Ltd", "seats": "5"},
				Native: canonical.Native{canonical.GrowSurf: {"metadata": map[string]any{"company": "Okafor Ltd", "seats": 5}}}},
				Referrer: canonical.ByEmail("ana@example.com")}
			p, created, err := b.CreateParticipant(ctx, np)
			gNoErr(t, err)
			gEq(t, "created", created, true)
			checkBen(t, p, camp)
		}},
		{"GetParticipant", []exchange{{method: "GET", path: "/campaign/abc123/participant/k3x9qz", response: "getParticipant"},
			{method: "GET", path: "/campaign/abc123/participant/ana@example.com", response: "getParticipant"}}, func(t *testing.T, b *growsurf.Backend) {
			p, err := b.GetParticipant(ctx, camp, canonical.ByID("k3x9qz"))
			gNoErr(t, err)
			checkAnaP(t, p, camp)
			gEq(t, "ranks", []int{p.Stats.Rank, p.Stats.MonthlyRank}, []int{4, 2})
			byEmail, err := b.GetParticipant(ctx, camp, canonical.ByEmail("ana@example.com"))
			gNoErr(t, err)
			gEq(t, "by email", byEmail.ID, "k3x9qz")
		}},
		{"GetParticipantNotFound", []exchange{{method: "GET", path: "/campaign/abc123/participant/zzzzzz", response: "getParticipant.404", status: 404}},
			func(t *testing.T, b *growsurf.Backend) {
				_, err := b.GetParticipant(ctx, camp, canonical.ByID("zzzzzz"))
				checkAPIError(t, err, canonical.NotFound, 404, "NOT_FOUND_ERROR", "Participant not found.")
			}},
		{"ListParticipants", []exchange{{method: "GET", path: "/campaign/abc123/participants",
			query: url.Values{"limit": {"2"}, "nextId": {"k3x9qz"}}, response: "listParticipants"}}, func(t *testing.T, b *growsurf.Backend) {
			page, err := b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: camp, ListOptions: canonical.ListOptions{Limit: 2, Cursor: "k3x9qz"}})
			gNoErr(t, err)
			if len(page.Items) != 2 {
				t.Fatalf("participants %+v", page.Items)
			}
			gEq(t, "next/total", []any{page.NextCursor, page.Total}, []any{"q7r8s9", -1})
			checkAnaP(t, page.Items[0], camp)
			checkBen(t, page.Items[1], camp)
		}},
		{"ListParticipantsByMetadata", []exchange{{method: "GET", path: "/campaign/abc123/participants",
			query: url.Values{"metadata[plan]": {"pro"}}, response: "listParticipants"}}, func(t *testing.T, b *growsurf.Backend) {
			page, err := b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: camp, Metadata: map[string]string{"plan": "pro"}})
			gNoErr(t, err)
			gEq(t, "matching", ids(page.Items, func(p canonical.Participant) string { return p.ID }), []string{"k3x9qz"})
		}},
		{"UpdateParticipant", []exchange{{method: "POST", path: "/campaign/abc123/participant/k3x9qz", request: "updateParticipant.request",
			response: "updateParticipant"}}, func(t *testing.T, b *growsurf.Backend) {
			first, last, notes, unsub, keys, st := "Ana", "Silva", "VIP customer", true, []string{"ana-silva"}, canonical.StateCredited
			p, err := b.UpdateParticipant(ctx, camp, canonical.ByID("k3x9qz"), canonical.ParticipantPatch{FirstName: &first, LastName: &last,
				Notes: &notes, Unsubscribed: &unsub, VanityKeys: &keys, Metadata: map[string]string{"plan": "enterprise"}, ReferralState: &st})
			gNoErr(t, err)
			gEq(t, "updated", []any{p.LastName, p.Notes, p.Unsubscribed, p.VanityKeys, p.Metadata},
				[]any{"Silva", "VIP customer", true, []string{"ana-silva"}, map[string]string{"plan": "enterprise"}})
		}},
		{"DeleteParticipant", []exchange{{method: "GET", path: "/campaign/abc123/participant/k3x9qz", response: "getParticipant"},
			{method: "DELETE", path: "/campaign/abc123/participant/k3x9qz", response: "deleteParticipant"}}, func(t *testing.T, b *growsurf.Backend) {
			p, err := b.DeleteParticipant(ctx, camp, canonical.ByID("k3x9qz"))
			gNoErr(t, err)
			checkAnaP(t, p, camp)
		}},
		{"Leaderboard", []exchange{{method: "GET", path: "/campaign/abc123/leaderboard",
			query: url.Values{"leaderboardType": {"CURRENT_MONTH"}, "limit": {"1"}}, response: "getLeaderboard"}}, func(t *testing.T, b *growsurf.Backend) {
			page, err := b.Leaderboard(ctx, canonical.LeaderboardQuery{CampaignID: camp, Board: canonical.CurrentMonth, ListOptions: canonical.ListOptions{Limit: 1}})
			gNoErr(t, err)
			if len(page.Items) != 1 || page.NextCursor != "" {
				t.Fatalf("leaderboard %+v", page)
			}
			checkAnaP(t, page.Items[0], camp)
			gEq(t, "ranks", []int{page.Items[0].Stats.Rank, page.Items[0].Stats.MonthlyRank}, []int{1, 1})
		}},
		{"ListReferrals", []exchange{{method: "GET", path: "/campaign/abc123/referrals", query: url.Values{"limit": {"2"}, "desc": {"true"}},
			response: "listReferrals"}}, func(t *testing.T, b *growsurf.Backend) {
			page, err := b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: camp, ListOptions: canonical.ListOptions{Limit: 2}})
			gNoErr(t, err)
			gEq(t, "next", page.NextCursor, "p1a2b3")
			if len(page.Items) != 2 {
				t.Fatalf("referrals %+v", page.Items)
			}
			gEq(t, "referred", page.Items[0], canonical.Referral{ID: "p4c5d6", CampaignID: camp, ReferrerID: "k3x9qz", ReferredID: "p4c5d6",
				Email: "ben@example.com", State: canonical.StatePending, LeadAt: msp(1717050000000), CreatedAt: ms(1717050000000),
				UpdatedAt: ms(1717060000000), Native: canonical.Native{canonical.GrowSurf: {"firstName": "Ben", "lastName": "Okafor"}}})
			gEq(t, "invite", page.Items[1], canonical.Referral{ID: "inv_77aa", CampaignID: camp, ReferrerID: "k3x9qz", Email: "cara@example.com",
				State: canonical.StateInvited, CreatedAt: ms(1717040000000), UpdatedAt: ms(1717040000000)})
		}},
		{"ListReferralsOfReferrer", []exchange{{method: "GET", path: "/campaign/abc123/participant/k3x9qz/referrals",
			query:    url.Values{"desc": {"false"}, "referralStatus": {"CREDIT_AWARDED"}, "email": {"dan@example.com"}},
			response: "listParticipantReferrals"}}, func(t *testing.T, b *growsurf.Backend) {
			page, err := b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: camp, ReferrerID: "k3x9qz", Oldest: true,
				States: []canonical.ReferralState{canonical.StateCredited}, Email: "dan@example.com"})
			gNoErr(t, err)
			if len(page.Items) != 1 || page.NextCursor != "" {
				t.Fatalf("referrals %+v", page)
			}
			gEq(t, "referral", []any{page.Items[0].ReferredID, page.Items[0].State, page.Items[0].Email},
				[]any{"p1a2b3", canonical.StateCredited, "dan@example.com"})
		}},
		{"TriggerReferral", []exchange{{method: "POST", path: "/campaign/abc123/participant/p4c5d6/ref", request: "triggerReferral.request",
			response: "triggerReferral"}}, func(t *testing.T, b *growsurf.Backend) {
			ok, err := b.TriggerReferral(ctx, camp, canonical.ByID("p4c5d6"), 14*24*time.Hour)
			gNoErr(t, err)
			gEq(t, "triggered", ok, true)
		}},
		{"CancelReferralTrigger", []exchange{{method: "DELETE", path: "/campaign/abc123/participant/p4c5d6/ref", response: "cancelReferralTrigger"}},
			func(t *testing.T, b *growsurf.Backend) {
				ok, err := b.CancelReferralTrigger(ctx, camp, canonical.ByID("p4c5d6"))
				gNoErr(t, err)
				gEq(t, "canceled", ok, false)
			}},
		{"ListEarnedRewards", []exchange{{method: "GET", path: "/campaign/abc123/participant/k3x9qz/rewards", query: url.Values{"limit": {"2"}},
			response: "listParticipantRewards"}}, func(t *testing.T, b *growsurf.Backend) {
			page, err := b.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: camp, ParticipantID: "k3x9qz", ListOptions: canonical.ListOptions{Limit: 2}})
			gNoErr(t, err)
			if len(page.Items) != 2 {
				t.Fatalf("rewards %+v", page.Items)
			}
			gEq(t, "next", page.NextCursor, "prw_3")
			checkPrw1(t, page.Items[0], camp)
			gEq(t, "prw_2", page.Items[1], canonical.EarnedReward{ID: camp + ":k3x9qz:prw_2", CampaignID: camp, RuleID: "crew_xyz789",
				ParticipantID: "k3x9qz", ReferredID: "k3x9qz", Status: canonical.RewardFulfilled, ApprovedAt: msp(1716500000000),
				FulfilledAt: msp(1716600000000), Native: canonical.Native{canonical.GrowSurf: {"isAvailable": false, "referrerId": "z9y8x7"}}})
		}},
		{"ListEarnedRewardsOfCampaign", []exchange{{method: "GET", path: "/campaign/abc123/participants", response: "listParticipants"}},
			func(t *testing.T, b *growsurf.Backend) {
				page, err := b.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: camp, Statuses: []canonical.RewardStatus{canonical.RewardApproved}})
				gNoErr(t, err)
				if len(page.Items) != 1 {
					t.Fatalf("rewards %+v", page.Items)
				}
				checkPrw1(t, page.Items[0], camp)
				gEq(t, "next", page.NextCursor, "q7r8s9")
			}},
		{"GetEarnedReward", []exchange{rewards}, func(t *testing.T, b *growsurf.Backend) {
			r, err := b.GetEarnedReward(ctx, camp+":k3x9qz:prw_1")
			gNoErr(t, err)
			checkPrw1(t, r, camp)
		}},
		{"ApproveReward", []exchange{{method: "POST", path: "/campaign/abc123/reward/prw_1/approve", request: "approveParticipantReward.request",
			response: "approveParticipantReward"}, rewards}, func(t *testing.T, b *growsurf.Backend) {
			r, err := b.ApproveReward(ctx, camp+":k3x9qz:prw_1", true)
			gNoErr(t, err)
			checkPrw1(t, r, camp)
		}},
		{"FulfillReward", []exchange{{method: "POST", path: "/campaign/abc123/reward/prw_1/fulfill", response: "fulfillParticipantReward"}, rewards},
			func(t *testing.T, b *growsurf.Backend) {
				r, err := b.FulfillReward(ctx, camp+":k3x9qz:prw_1")
				gNoErr(t, err)
				gEq(t, "id", r.ID, camp+":k3x9qz:prw_1")
			}},
		{"DeleteReward", []exchange{{method: "DELETE", path: "/campaign/abc123/reward/prw_1", response: "deleteParticipantReward"}},
			func(t *testing.T, b *growsurf.Backend) {
				gNoErr(t, b.DeleteReward(ctx, camp+":k3x9qz:prw_1"))
			}},
		{"CreateTransaction", []exchange{{method: "POST", path: "/campaign/abc123/participant/p4c5d6/transaction", request: "recordTransaction.request",
			response: "recordTransaction"}}, func(t *testing.T, b *growsurf.Backend) {
			res, err := b.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: camp, Participant: canonical.ByID("p4c5d6"),
				Amount: canonical.Money{Amount: 4900, Currency: "EUR"}, TaxAmount: 900, Description: "Pro plan, June", OccurredAt: msp(1717200000000),
				ExternalIDs: map[string]string{"invoiceId": "in_789", "chargeId": "ch_321"},
				Native: canonical.Native{canonical.GrowSurf: {"transaction": map[string]any{"netAmount": 4000, "customerId": "cus_123",
					"subscriptionId": "sub_456", "totalTaxAmounts": []any{map[string]any{"amount": 900, "inclusive": false}}}}}})
			gNoErr(t, err)
			gEq(t, "duplicate/first", []bool{res.Duplicate, res.FirstSale}, []bool{true, false})
			gEq(t, "commissions", res.Commissions, []canonical.Commission{{ID: camp + ":com_1", CampaignID: camp}})
			gEq(t, "transaction", []any{res.Transaction.Kind, res.Transaction.Amount, res.Transaction.ExternalIDs["invoiceId"]},
				[]any{canonical.Sale, canonical.Money{Amount: 4900, Currency: "EUR"}, "in_789"})
		}},
		{"RefundTransaction", []exchange{{method: "POST", path: "/campaign/abc123/participant/p4c5d6/transaction/refund",
			subset: "refundTransaction.request", response: "refundTransaction"}, commissions}, func(t *testing.T, b *growsurf.Backend) {
			res, err := b.RefundTransaction(ctx, canonical.NewRefund{CampaignID: camp, Participant: canonical.ByID("p4c5d6"),
				ExternalIDs: map[string]string{"invoiceId": "in_789"}, Amount: canonical.Money{Amount: 2000, Currency: "EUR"}})
			gNoErr(t, err)
			gEq(t, "matched", res.Matched, true)
			if len(res.Adjusted) != 1 || len(res.Voided)+len(res.Untouchable) != 0 {
				t.Fatalf("refund result %+v", res)
			}
			checkCom1(t, res.Adjusted[0], camp)
		}},
		{"ListCommissions", []exchange{{method: "GET", path: "/campaign/abc123/commissions", query: url.Values{"status": {"APPROVED"}},
			response: "listCommissions"}}, func(t *testing.T, b *growsurf.Backend) {
			page, err := b.ListCommissions(ctx, canonical.CommissionQuery{CampaignID: camp, Statuses: []canonical.CommissionStatus{canonical.CommissionDue}})
			gNoErr(t, err)
			if len(page.Items) != 1 || page.NextCursor != "" {
				t.Fatalf("commissions %+v", page)
			}
			checkCom1(t, page.Items[0], camp)
		}},
		{"ListCommissionsOfReferrer", []exchange{{method: "GET", path: "/campaign/abc123/participant/k3x9qz/commissions",
			query: url.Values{"limit": {"1"}}, response: "listParticipantCommissions"}}, func(t *testing.T, b *growsurf.Backend) {
			page, err := b.ListCommissions(ctx, canonical.CommissionQuery{CampaignID: camp, ReferrerID: "k3x9qz", ListOptions: canonical.ListOptions{Limit: 1}})
			gNoErr(t, err)
			if len(page.Items) != 1 {
				t.Fatalf("commissions %+v", page)
			}
			gEq(t, "next", page.NextCursor, "com_2")
			checkCom1(t, page.Items[0], camp)
		}},
		{"GetCommission", []exchange{commissions}, func(t *testing.T, b *growsurf.Backend) {
			c, err := b.GetCommission(ctx, camp+":com_2")
			gNoErr(t, err)
			gEq(t, "com_2", c, canonical.Commission{ID: camp + ":com_2", CampaignID: camp, ReferrerID: "k3x9qz", ReferredID: "p1a2b3",
				Status: canonical.CommissionPending, CreatedAt: ms(1717300000000)})
		}},
		{"ApproveCommission", []exchange{{method: "POST", path: "/campaign/abc123/commission/com_1/approve", response: "approveCommission"},
			commissions}, func(t *testing.T, b *growsurf.Backend) {
			c, err := b.ApproveCommission(ctx, camp+":com_1")
			gNoErr(t, err)
			checkCom1(t, c, camp)
		}},
		{"DeleteCommission", []exchange{commissions, {method: "DELETE", path: "/campaign/abc123/commission/com_1", response: "deleteCommission"}},
			func(t *testing.T, b *growsurf.Backend) {
				c, err := b.DeleteCommission(ctx, camp+":com_1")
				gNoErr(t, err)
				checkCom1(t, c, camp)
			}},
		{"ListPayouts", []exchange{{method: "GET", path: "/campaign/abc123/payouts", query: url.Values{"status": {"ISSUED"}}, response: "listPayouts"}},
			func(t *testing.T, b *growsurf.Backend) {
				page, err := b.ListPayouts(ctx, canonical.PayoutQuery{CampaignID: camp, Statuses: []canonical.PayoutStatus{canonical.PayoutPaid}})
				gNoErr(t, err)
				if len(page.Items) != 1 {
					t.Fatalf("payouts %+v", page)
				}
				gEq(t, "po_1", page.Items[0], canonical.Payout{ID: camp + ":po_1", CampaignID: camp, ParticipantID: "k3x9qz",
					Amount: canonical.Money{Amount: 980, Currency: "EUR"}, CommissionIDs: []string{camp + ":com_1"}, Status: canonical.PayoutPaid,
					PaidAt: msp(1720000000000), CreatedAt: ms(1719800000000), UpdatedAt: ms(1719900000000),
					Native: canonical.Native{canonical.GrowSurf: {"queuedAt": float64(1719900000000), "provider": "PAYPAL"}}})
			}},
		{"ListPayoutsOfParticipant", []exchange{{method: "GET", path: "/campaign/abc123/participant/k3x9qz/payouts", response: "listParticipantPayouts"}},
			func(t *testing.T, b *growsurf.Backend) {
				page, err := b.ListPayouts(ctx, canonical.PayoutQuery{CampaignID: camp, ParticipantID: "k3x9qz"})
				gNoErr(t, err)
				if len(page.Items) != 1 {
					t.Fatalf("payouts %+v", page)
				}
				gEq(t, "po_2", []any{page.Items[0].ID, page.Items[0].Status, page.NextCursor}, []any{camp + ":po_2", canonical.PayoutPending, "po_3"})
			}},
		{"GetPayout", []exchange{{method: "GET", path: "/campaign/abc123/payouts", query: url.Values{"limit": {"100"}}, response: "listPayouts"}},
			func(t *testing.T, b *growsurf.Backend) {
				p, err := b.GetPayout(ctx, camp+":po_1")
				gNoErr(t, err)
				gEq(t, "po_1", []any{p.ID, p.Status, p.ParticipantID}, []any{camp + ":po_1", canonical.PayoutPaid, "k3x9qz"})
			}},
		{"CampaignStats", []exchange{{method: "GET", path: "/campaign/abc123", response: "getCampaign"},
			{method: "GET", path: "/campaign/abc123/analytics", query: url.Values{"days": {"1825"}}, response: "getCampaignAnalytics"}},
			func(t *testing.T, b *growsurf.Backend) {
				st, err := b.CampaignStats(ctx, camp)
				gNoErr(t, err)
				gEq(t, "stats", st, canonical.CampaignStats{Participants: 40, Referrals: 12, PendingReferrals: 2, ExpiredReferrals: 1,
					Impressions: 310, UniqueImpressions: 200, Invites: 5, Winners: 3,
					Shares: map[string]int{"email": 4, "facebook": 2, "twitter": 1, "linkedin": 3, "copyreflink": 9}})
			}},
		{"RateLimited", []exchange{{method: "GET", path: "/campaign/abc123", response: "getCampaign.429", status: 429}},
			func(t *testing.T, b *growsurf.Backend) {
				_, err := b.GetCampaign(ctx, camp)
				checkAPIError(t, err, canonical.RateLimited, 429, "RATE_LIMIT", "You have reached your minute limit.")
			}},
		{"BadKey", []exchange{{method: "GET", path: "/campaigns", response: "listCampaigns.403", status: 403}},
			func(t *testing.T, b *growsurf.Backend) {
				_, err := b.ListCampaigns(ctx, canonical.ListOptions{})
				checkAPIError(t, err, canonical.Unauthorized, 403, "NOT_AUTHORIZED_ERROR", "You are not allowed to perform that action.")
			}},
		{"InvalidEmail", []exchange{{method: "POST", path: "/campaign/abc123/participant", response: "addParticipant.400", status: 400}},
			func(t *testing.T, b *growsurf.Backend) {
				_, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: camp, Email: "x@y"}})
				checkAPIError(t, err, canonical.Invalid, 400, "BAD_REQUEST_ERROR", "Invalid request.")
				var ae *growsurf.APIError
				errors.As(err, &ae)
				gEq(t, "fields", ae.Fields, []growsurf.APIFieldError{{Field: "email", Code: "INVALID_EMAIL", Message: "Invalid email address."}})
				gEq(t, "public message", canonical.MessageOf(err), "Invalid email address.")
			}},
		{"ParticipantBlocked", []exchange{{method: "POST", path: "/campaign/abc123/participant", response: "addParticipant.422", status: 422}},
			func(t *testing.T, b *growsurf.Backend) {
				_, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: camp, Email: "x@y.com"}})
				checkAPIError(t, err, canonical.Invalid, 422, "UNPROCESSABLE_ENTITY_ERROR", "Participant Blocked")
			}},
	}
}

// checkAPIError asserts a mapped vendor error.
func checkAPIError(t *testing.T, err error, code canonical.Code, status int, vendorCode, message string) {
	t.Helper()
	wantCode(t, "error", err, code)
	var ae *growsurf.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%v does not wrap an APIError", err)
	}
	gEq(t, "status", ae.StatusCode, status)
	gEq(t, "code", ae.Code, vendorCode)
	gEq(t, "message", ae.Message, message)
}

func TestBackendGolden(t *testing.T) {
	t.Parallel()
	cases := goldenBackendCases()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runGolden(t, tc)
		})
	}
	// Every operation in Capabilities has a golden case.
	b, err := growsurf.NewBackend(&growsurf.BackendOptions{APIKey: goldenKey})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range b.Capabilities().Operations {
		if !slices.ContainsFunc(cases, func(c goldenBackendCase) bool { return c.name == string(op) }) {
			t.Errorf("no golden case for %s", op)
		}
	}
}
