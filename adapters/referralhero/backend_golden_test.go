package referralhero_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralhero"
)

// The golden tests serve the vendor's documented payloads
// (testdata/referralhero) with httpmock at the production base URL and
// check both directions: each request the Backend sends (method, path,
// query, JSON body, credential) and the canonical values it decodes.

const (
	goldenToken = "rh_test_token_0123"
	goldenList  = "MF078d000987"
	anaID       = "sub_4f1c2a9b7d30"
	boID        = "sub_9e8d7c6b5a41"
)

// exchange is one request the Backend must send and the answer it gets.
type exchange struct {
	method string
	path   string     // below the base URL
	query  url.Values // expected query; nil means none
	// body is the expected JSON body: a testdata file, or "" for none;
	// adjust edits the expected object where the Backend's rendering of
	// the same values legitimately differs from the documented example.
	body   string
	adjust func(want map[string]any)
	status int
	file   string // response fixture
}

// goldenCase drives the Backend through exchanges.
type goldenCase struct {
	name string
	ex   []exchange
	run  func(t *testing.T, ctx context.Context, b *referralhero.Backend)
}

func goldenFixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "referralhero", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func runGolden(t *testing.T, cases []goldenCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock := httpmock.NewMockTransport()
			for _, ex := range tc.ex {
				resp := goldenFixture(t, ex.file)
				mock.RegisterResponder(ex.method, referralhero.DefaultBaseURL+ex.path, func(req *http.Request) (*http.Response, error) {
					checkGoldenRequest(t, ex, req)
					r := httpmock.NewBytesResponse(ex.status, resp)
					r.Header.Set("Content-Type", "application/json; charset=utf-8")
					return r, nil
				})
			}
			b, err := referralhero.NewBackend(&referralhero.BackendOptions{APIToken: goldenToken, HTTPClient: &http.Client{Transport: mock}})
			if err != nil {
				t.Fatal(err)
			}
			tc.run(t, context.Background(), b)
			counts := mock.GetCallCountInfo()
			for _, ex := range tc.ex {
				if n := counts[ex.method+" "+referralhero.DefaultBaseURL+ex.path]; n != 1 {
					t.Errorf("%s %s called %d times, want 1", ex.method, ex.path, n)
				}
			}
			if n := mock.GetTotalCallCount(); n != len(tc.ex) {
				t.Errorf("%d requests, want %d (%v)", n, len(tc.ex), counts)
			}
		})
	}
}

func checkGoldenRequest(t *testing.T, ex exchange, req *http.Request) {
	t.Helper()
	if got := req.Header.Get("Authorization"); got != "Bearer "+goldenToken {
		t.Errorf("%s %s: Authorization = %q", ex.method, ex.path, got)
	}
	if req.URL.Query().Has("api_token") {
		t.Errorf("%s %s: the token travels in the query too", ex.method, ex.path)
	}
	want := ex.query
	if want == nil {
		want = url.Values{}
	}
	if got := req.URL.Query(); !reflect.DeepEqual(got, want) {
		t.Errorf("%s %s: query %v, want %v", ex.method, ex.path, got, want)
	}
	var raw []byte
	if req.Body != nil {
		raw, _ = io.ReadAll(req.Body)
	}
	if ex.body == "" {
		if len(raw) != 0 {
			t.Errorf("%s %s: unexpected body %s", ex.method, ex.path, raw)
		}
		return
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q", ex.method, ex.path, ct)
	}
	var got, wantBody map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%s %s: body %q: %v", ex.method, ex.path, raw, err)
	}
	if err := json.Unmarshal(goldenFixture(t, ex.body), &wantBody); err != nil {
		t.Fatal(err)
	}
	if ex.adjust != nil {
		ex.adjust(wantBody)
	}
	if !reflect.DeepEqual(got, wantBody) {
		t.Errorf("%s %s: body %s, want %v", ex.method, ex.path, raw, wantBody)
	}
}

// eqv fails t when got differs from want.
func eqv[T comparable](t *testing.T, field string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

// unixAt is a Unix-seconds time in UTC.
func unixAt(s int64) time.Time { return time.Unix(s, 0).UTC() }

func eqTime(t *testing.T, field string, got *time.Time, want int64) {
	t.Helper()
	if got == nil || !got.Equal(unixAt(want)) {
		t.Errorf("%s = %v, want %v", field, got, unixAt(want))
	}
}

// nativeEq checks the vendor-native values of n.
func nativeEq(t *testing.T, what string, n canonical.Native, want map[string]any) {
	t.Helper()
	got := n[canonical.ReferralHero]
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(map[string]any(got), want) {
		t.Errorf("%s Native = %#v, want %#v", what, got, want)
	}
}

// checkAna checks the documented subscriber Ana Ruiz (referred by Bo).
func checkAna(t *testing.T, p canonical.Participant, state canonical.ReferralState) {
	t.Helper()
	eqv(t, "ID", p.ID, anaID)
	eqv(t, "CampaignID", p.CampaignID, goldenList)
	eqv(t, "Email", p.Email, "ana@example.org")
	eqv(t, "FirstName", p.FirstName, "Ana")
	eqv(t, "LastName", p.LastName, "Ruiz")
	eqv(t, "Phone", p.Phone, "")
	eqv(t, "ReferralCode", p.ReferralCode, "ana-7c21")
	eqv(t, "ReferrerID", p.ReferrerID, boID)
	eqv(t, "ReferralState", p.ReferralState, state)
	eqv(t, "Source", p.Source, "")
	eqv(t, "Verified", p.Verified, true)
	eqTime(t, "VerifiedAt", p.VerifiedAt, 1717000000)
	eqv(t, "Promoted", p.Promoted, false)
	eqv(t, "PromotedAt", p.PromotedAt == nil, true)
	eqv(t, "Points", p.Points, 0)
	eqv(t, "Fraud", p.Fraud, canonical.Fraud{})
	eqv(t, "CreatedAt", p.CreatedAt, unixAt(1717000000))
	eqv(t, "UpdatedAt", p.UpdatedAt, unixAt(1717000500))
	eqv(t, "Stats.Rank", p.Stats.Rank, 3)
	eqv(t, "Stats.Referrals", p.Stats.Referrals, 0)
	nativeEq(t, "Ana", p.Native, map[string]any{"referral_link": "https://example.org?mwr=ana-7c21"})
}

// checkBo checks the documented subscriber Bo with points.
func checkBo(t *testing.T, p canonical.Participant, points int64) {
	t.Helper()
	eqv(t, "ID", p.ID, boID)
	eqv(t, "Email", p.Email, "bo@example.org")
	eqv(t, "FirstName", p.FirstName, "Bo")
	eqv(t, "LastName", p.LastName, "")
	eqv(t, "ReferralCode", p.ReferralCode, "bo-1f9e")
	eqv(t, "ReferrerID", p.ReferrerID, "")
	eqv(t, "ReferralState", p.ReferralState, "")
	eqv(t, "Points", p.Points, points)
	eqTime(t, "VerifiedAt", p.VerifiedAt, 1716900000)
	eqv(t, "CreatedAt", p.CreatedAt, unixAt(1716900000))
	eqv(t, "Stats", fmtStats(p.Stats), fmtStats(canonical.ParticipantStats{Referrals: 4, PendingReferrals: 1, Level2Referrals: 2, Rank: 1}))
	nativeEq(t, "Bo", p.Native, map[string]any{"extra_field": "team-a", "referral_link": "https://example.org?mwr=bo-1f9e",
		"universal_link": "https://app.referralhero.com/MF078d000987/universal_link?mwr=bo-1f9e"})
}

// fmtStats renders stats comparably.
func fmtStats(s canonical.ParticipantStats) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

func wantErr(t *testing.T, err error, code canonical.Code, vendorCode string, status int) {
	t.Helper()
	if got := canonical.CodeOf(err); got != code {
		t.Fatalf("error %v (code %q), want %q", err, got, code)
	}
	var apiErr *referralhero.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("%v does not wrap an APIError", err)
	}
	eqv(t, "APIError.Code", apiErr.Code, vendorCode)
	eqv(t, "APIError.StatusCode", apiErr.StatusCode, status)
	if canonical.MessageOf(err) == "" || apiErr.Message == "" {
		t.Errorf("no message in %v", err)
	}
}

var (
	page1      = url.Values{"page": {"1"}}
	page1Newer = url.Values{"page": {"1"}, "sort_by": {"registration_desc"}}
)

const (
	subPath = "/lists/" + goldenList + "/subscribers"
	anaPath = subPath + "/" + anaID
	boPath  = subPath + "/" + boID
)

func TestGoldenCampaigns(t *testing.T) {
	t.Parallel()
	checkLists := func(t *testing.T, cs []canonical.Campaign) {
		t.Helper()
		if len(cs) != 2 {
			t.Fatalf("%d campaigns", len(cs))
		}
		a, w := cs[0], cs[1]
		eqv(t, "ID", a.ID, goldenList)
		eqv(t, "Name", a.Name, "Spring launch")
		eqv(t, "Status", a.Status, canonical.CampaignActive)
		eqv(t, "Kind", a.Kind, canonical.ReferralProgram)
		eqv(t, "CreatedAt", a.CreatedAt, unixAt(1487659010))
		nativeEq(t, "list", a.Native, map[string]any{"subscribers": float64(121)})
		eqv(t, "ID", w.ID, "MF3c2b1a0f9e")
		eqv(t, "Kind", w.Kind, canonical.WaitlistProgram)
		nativeEq(t, "waitlist", w.Native, map[string]any{"subscribers": float64(14), "type": "waitlist"})
	}
	checkRules := func(t *testing.T, rules []canonical.RewardRule) {
		t.Helper()
		if len(rules) != 2 {
			t.Fatalf("%d rules", len(rules))
		}
		m, w := rules[0], rules[1]
		eqv(t, "ID", m.ID, "201")
		eqv(t, "CampaignID", m.CampaignID, goldenList)
		eqv(t, "Kind", m.Kind, canonical.Milestone)
		eqv(t, "Title", m.Title, "Early access")
		eqv(t, "Description", m.Description, "Refer 3 friends to get early access.")
		eqv(t, "Threshold", m.Threshold, 3)
		eqv(t, "ImageURL", m.ImageURL, "")
		nativeEq(t, "rule 201", m.Native, map[string]any{"header": "Skip the line"})
		eqv(t, "ID", w.ID, "203")
		eqv(t, "Kind", w.Kind, canonical.ManualReward)
		eqv(t, "Title", w.Title, "Winner 2")
		eqv(t, "Order", w.Order, 1)
		nativeEq(t, "rule 203", w.Native, map[string]any{"label": "Winner Reward"})
	}
	runGolden(t, []goldenCase{
		{"ListCampaigns", []exchange{{method: "GET", path: "/lists", query: page1, status: 200, file: "listLists.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				pg, err := b.ListCampaigns(ctx, canonical.ListOptions{Limit: 2})
				if err != nil {
					t.Fatal(err)
				}
				checkLists(t, pg.Items)
				eqv(t, "Total", pg.Total, 67)
				if pg.NextCursor == "" {
					t.Error("no next cursor with 7 pages")
				}
			}},
		{"GetCampaign", []exchange{
			{method: "GET", path: "/lists", query: page1, status: 200, file: "listLists.json"},
			{method: "GET", path: "/lists/" + goldenList + "/bonuses", status: 200, file: "listBonuses.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				c, err := b.GetCampaign(ctx, goldenList)
				if err != nil {
					t.Fatal(err)
				}
				eqv(t, "Name", c.Name, "Spring launch")
				checkRules(t, c.Rules)
			}},
		{"CreateCampaign", []exchange{{method: "POST", path: "/lists", body: "createList.request.json", status: 200, file: "createList.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				c, err := b.CreateCampaign(ctx, canonical.Campaign{Name: "Spring launch", URL: "https://example.org"})
				if err != nil {
					t.Fatal(err)
				}
				eqv(t, "ID", c.ID, goldenList)
				eqv(t, "Name", c.Name, "Spring launch")
				eqv(t, "URL", c.URL, "https://example.org")
				eqv(t, "Status", c.Status, canonical.CampaignActive)
				eqv(t, "Qualification", c.Qualification, canonical.QualifyOnSignup)
				eqv(t, "CreatedAt", c.CreatedAt, unixAt(1487659010))
			}},
		{"ListRewardRules", []exchange{{method: "GET", path: "/lists/" + goldenList + "/bonuses", status: 200, file: "listBonuses.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				rules, err := b.ListRewardRules(ctx, goldenList)
				if err != nil {
					t.Fatal(err)
				}
				checkRules(t, rules)
			}},
		{"Forbidden", []exchange{{method: "GET", path: "/lists", query: page1, status: 403, file: "listLists.403.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, err := b.ListCampaigns(ctx, canonical.ListOptions{})
				wantErr(t, err, canonical.Forbidden, "inactive_account", 403)
			}},
		{"RateLimited", []exchange{{method: "GET", path: "/lists", query: page1, status: 429, file: "listLists.429.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, err := b.ListCampaigns(ctx, canonical.ListOptions{})
				wantErr(t, err, canonical.RateLimited, "too_many_calls", 429)
			}},
		{"ErrorWithStatus200", []exchange{{method: "GET", path: "/lists", query: page1, status: 200, file: "listLists.429.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, err := b.ListCampaigns(ctx, canonical.ListOptions{})
				wantErr(t, err, canonical.RateLimited, "too_many_calls", 200)
			}},
	})
}

func TestGoldenParticipants(t *testing.T) {
	t.Parallel()
	runGolden(t, []goldenCase{
		{"CreateParticipant", []exchange{
			{method: "GET", path: subPath + "/retrieve_by_email", query: url.Values{"email": {"ana@example.org"}}, status: 404, file: "getSubscriber.404.json"},
			{method: "POST", path: subPath, body: "createSubscriber.request.json", status: 200, file: "createSubscriber.json",
				// Empty values are not sent.
				adjust: func(want map[string]any) { delete(want, "extra_field") }}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				var n canonical.Native
				n.Set(canonical.ReferralHero, "domain", "https://example.org")
				n.Set(canonical.ReferralHero, "transaction_id", "txn_1001")
				n.Set(canonical.ReferralHero, "conversion_category", "pro")
				n.Set(canonical.ReferralHero, "conversion_value", 49.5)
				p, created, err := b.CreateParticipant(ctx, canonical.NewParticipant{
					Participant: canonical.Participant{CampaignID: goldenList, Email: "ana@example.org", FirstName: "Ana", LastName: "Ruiz",
						Source: "newsletter", Device: "desktop", Native: n},
					Referrer: canonical.ByCode("bo-1f9e")})
				if err != nil {
					t.Fatal(err)
				}
				eqv(t, "created", created, true)
				checkAna(t, p, canonical.StatePending)
			}},
		{"CreateParticipantExisting", []exchange{
			{method: "GET", path: subPath + "/retrieve_by_email", query: url.Values{"email": {"bo@example.org"}}, status: 200, file: "getSubscriberByEmail.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				p, created, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: goldenList, Email: "bo@example.org"}})
				if err != nil {
					t.Fatal(err)
				}
				eqv(t, "created", created, false)
				checkBo(t, p, 4)
			}},
		{"CreateParticipantInvalid", []exchange{
			{method: "POST", path: subPath, status: 400, file: "createSubscriber.400.json",
				body: "confirmSubscriberByIdentifier.request.json", adjust: func(want map[string]any) {
					delete(want, "email")
					want["phone_number"] = "+34600000000"
					want["double_optin"] = false
				}}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: goldenList, Phone: "+34600000000"}})
				wantErr(t, err, canonical.Invalid, "no_email_address", 400)
			}},
		{"GetParticipantByID", []exchange{{method: "GET", path: anaPath, status: 200, file: "getSubscriber.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				p, err := b.GetParticipant(ctx, goldenList, canonical.ByID(anaID))
				if err != nil {
					t.Fatal(err)
				}
				checkAna(t, p, canonical.StatePending)
			}},
		{"GetParticipantByEmail", []exchange{
			{method: "GET", path: subPath + "/retrieve_by_email", query: url.Values{"email": {"bo@example.org"}}, status: 200, file: "getSubscriberByEmail.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				p, err := b.GetParticipant(ctx, goldenList, canonical.ByEmail("bo@example.org"))
				if err != nil {
					t.Fatal(err)
				}
				checkBo(t, p, 4)
			}},
		{"GetParticipantByCode", []exchange{
			{method: "GET", path: subPath + "/retrieve_by_mwr", query: url.Values{"mwr": {"bo-1f9e"}}, status: 200, file: "getSubscriberByEmail.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				p, err := b.GetParticipant(ctx, goldenList, canonical.ByCode("bo-1f9e"))
				if err != nil {
					t.Fatal(err)
				}
				checkBo(t, p, 4)
			}},
		{"GetParticipantNotFound", []exchange{{method: "GET", path: anaPath, status: 404, file: "getSubscriber.404.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, err := b.GetParticipant(ctx, goldenList, canonical.ByID(anaID))
				wantErr(t, err, canonical.NotFound, "subscriber_not_found", 404)
			}},
		{"GetParticipantNotFoundWithStatus200", []exchange{{method: "GET", path: anaPath, status: 200, file: "getSubscriber.404.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, err := b.GetParticipant(ctx, goldenList, canonical.ByID(anaID))
				wantErr(t, err, canonical.NotFound, "subscriber_not_found", 200)
			}},
		{"ListParticipants", []exchange{{method: "GET", path: subPath, query: page1Newer, status: 200, file: "listSubscribers.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				pg, err := b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: goldenList})
				if err != nil {
					t.Fatal(err)
				}
				if len(pg.Items) != 2 {
					t.Fatalf("%d items", len(pg.Items))
				}
				checkBo(t, pg.Items[0], 4)
				checkAna(t, pg.Items[1], canonical.StatePending)
				eqv(t, "Total", pg.Total, 14)
				eqv(t, "NextCursor", pg.NextCursor, "")
			}},
		{"ListParticipantsFiltered", []exchange{{method: "GET", path: subPath, status: 200, file: "listSubscribers.json",
			query: url.Values{"page": {"1"}, "sort_by": {"email_asc"}, "extra_field": {"team-a"}}}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				pg, err := b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: goldenList, Sort: canonical.SortEmailAsc,
					Native: map[string]string{"extra_field": "team-a"}, NativeOf: canonical.ReferralHero,
					States: []canonical.ReferralState{canonical.StatePending}})
				if err != nil {
					t.Fatal(err)
				}
				if len(pg.Items) != 1 || pg.Total != -1 {
					t.Fatalf("client-side state filter: %d items, total %d", len(pg.Items), pg.Total)
				}
				checkAna(t, pg.Items[0], canonical.StatePending)
			}},
		{"ListParticipantsByEmail", []exchange{
			{method: "GET", path: subPath + "/retrieve_by_email", query: url.Values{"email": {"bo@example.org"}}, status: 200, file: "getSubscriberByEmail.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				pg, err := b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: goldenList, Email: "bo@example.org"})
				if err != nil {
					t.Fatal(err)
				}
				if len(pg.Items) != 1 || pg.Total != 1 || pg.NextCursor != "" {
					t.Fatalf("page %+v", pg)
				}
				checkBo(t, pg.Items[0], 4)
			}},
		{"MalformedResponse", []exchange{{method: "GET", path: anaPath, status: 200, file: "listBonuses.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, err := b.GetParticipant(ctx, goldenList, canonical.ByID(anaID))
				if canonical.CodeOf(err) != canonical.Internal {
					t.Fatalf("malformed answer: %v", err)
				}
			}},
		{"UnauthorizedList", []exchange{{method: "GET", path: subPath, query: page1Newer, status: 401, file: "listSubscribers.401.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, err := b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: goldenList})
				wantErr(t, err, canonical.Unauthorized, "no_token", 401)
			}},
		{"UpdateParticipant", []exchange{{method: "POST", path: anaPath, body: "updateSubscriber.request.json", status: 200, file: "updateSubscriber.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				first, last := "Ana", "María Ruiz"
				var n canonical.Native
				n.Set(canonical.ReferralHero, "extra_field", "vip")
				p, err := b.UpdateParticipant(ctx, goldenList, canonical.ByID(anaID), canonical.ParticipantPatch{FirstName: &first, LastName: &last, Native: n})
				if err != nil {
					t.Fatal(err)
				}
				eqv(t, "FirstName", p.FirstName, "Ana")
				eqv(t, "LastName", p.LastName, "María Ruiz")
				eqv(t, "extra_field", p.Native.String(canonical.ReferralHero, "extra_field"), "vip")
			}},
		{"DeleteParticipant", []exchange{{method: "DELETE", path: anaPath, status: 200, file: "deleteSubscriber.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				p, err := b.DeleteParticipant(ctx, goldenList, canonical.ByID(anaID))
				if err != nil {
					t.Fatal(err)
				}
				checkAna(t, p, canonical.StatePending)
			}},
		{"AddPoints", []exchange{{method: "POST", path: subPath + "/add_points", body: "addPoints.request.json", status: 200, file: "addPoints.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				p, err := b.AddPoints(ctx, goldenList, canonical.ByEmail("bo@example.org"), 10)
				if err != nil {
					t.Fatal(err)
				}
				checkBo(t, p, 14)
			}},
		{"AddPointsInvalid", []exchange{{method: "POST", path: subPath + "/add_points", body: "addPoints.request.json", status: 400, file: "addPoints.400.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, err := b.AddPoints(ctx, goldenList, canonical.ByIdentifier("bo@example.org"), 10)
				wantErr(t, err, canonical.Invalid, "no_points", 400)
			}},
		{"Leaderboard", []exchange{{method: "GET", path: "/lists/" + goldenList + "/leaderboard", query: url.Values{"count": {"10"}}, status: 200, file: "getLeaderboard.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				pg, err := b.Leaderboard(ctx, canonical.LeaderboardQuery{CampaignID: goldenList, ListOptions: canonical.ListOptions{Limit: 1}})
				if err != nil {
					t.Fatal(err)
				}
				if len(pg.Items) != 1 || pg.NextCursor == "" || pg.Total != -1 {
					t.Fatalf("page %+v", pg)
				}
				checkBo(t, pg.Items[0], 4)
			}},
		// The default page of 10 asks for one more, to know whether a next page exists.
		{"LeaderboardWrongListType", []exchange{{method: "GET", path: "/lists/" + goldenList + "/leaderboard", query: url.Values{"count": {"11"}}, status: 400, file: "getLeaderboard.400.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, err := b.Leaderboard(ctx, canonical.LeaderboardQuery{CampaignID: goldenList})
				wantErr(t, err, canonical.Invalid, "wrong_list_type", 400)
			}},
	})
}

func TestGoldenReferrals(t *testing.T) {
	t.Parallel()
	runGolden(t, []goldenCase{
		{"ListReferrals", []exchange{{method: "GET", path: boPath + "/referred", query: page1Newer, status: 200, file: "listReferredSubscribers.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				pg, err := b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: goldenList, ReferrerID: boID})
				if err != nil {
					t.Fatal(err)
				}
				if len(pg.Items) != 1 {
					t.Fatalf("%d referrals", len(pg.Items))
				}
				r := pg.Items[0]
				eqv(t, "ID", r.ID, anaID)
				eqv(t, "ReferredID", r.ReferredID, anaID)
				eqv(t, "ReferrerID", r.ReferrerID, boID)
				eqv(t, "CampaignID", r.CampaignID, goldenList)
				eqv(t, "Email", r.Email, "ana@example.org")
				eqv(t, "State", r.State, canonical.StatePending)
				eqv(t, "CreatedAt", r.CreatedAt, unixAt(1717000000))
				eqTime(t, "LeadAt", r.LeadAt, 1717000000)
				eqv(t, "Total", pg.Total, 1)
			}},
		{"TrackConversion", []exchange{{method: "POST", path: subPath + "/track_referral_conversion_event", body: "trackReferralConversionEvent.request.json",
			status: 200, file: "trackReferralConversionEvent.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				p, err := b.TrackConversion(ctx, goldenList, canonical.ConversionEvent{Participant: canonical.ByIdentifier("ana@example.org"),
					Referrer: canonical.ByCode("bo-1f9e")})
				if err != nil {
					t.Fatal(err)
				}
				checkAna(t, p, canonical.StateCredited)
			}},
		{"ConfirmReferralByID", []exchange{{method: "POST", path: anaPath + "/confirm", status: 200, file: "confirmSubscriber.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				p, err := b.ConfirmReferral(ctx, goldenList, canonical.ByID(anaID))
				if err != nil {
					t.Fatal(err)
				}
				checkAna(t, p, canonical.StateCredited)
			}},
		{"ConfirmReferralByEmail", []exchange{{method: "POST", path: subPath + "/confirm", body: "confirmSubscriberByIdentifier.request.json", status: 200, file: "confirmSubscriberByIdentifier.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				p, err := b.ConfirmReferral(ctx, goldenList, canonical.ByEmail("ana@example.org"))
				if err != nil {
					t.Fatal(err)
				}
				checkAna(t, p, canonical.StateCredited)
			}},
		{"ConfirmReferralNotFound", []exchange{{method: "POST", path: anaPath + "/confirm", status: 404, file: "confirmSubscriber.404.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, err := b.ConfirmReferral(ctx, goldenList, canonical.ByID(anaID))
				wantErr(t, err, canonical.NotFound, "subscriber_not_found", 404)
			}},
	})
}

func TestGoldenRewardsMoneyCoupons(t *testing.T) {
	t.Parallel()
	checkUnlocked := func(t *testing.T, r canonical.EarnedReward, participant string) {
		t.Helper()
		eqv(t, "ID", r.ID, "1795")
		eqv(t, "CampaignID", r.CampaignID, goldenList)
		eqv(t, "ParticipantID", r.ParticipantID, participant)
		eqv(t, "Status", r.Status, canonical.RewardApproved)
		eqv(t, "CreatedAt", r.CreatedAt, unixAt(1686397951))
		eqv(t, "ReferralsAtEarning", r.ReferralsAtEarning, 0)
	}
	runGolden(t, []goldenCase{
		{"ListEarnedRewards", []exchange{{method: "GET", path: anaPath + "/rewards", query: page1, status: 200, file: "listSubscriberRewards.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				pg, err := b.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: goldenList, ParticipantID: anaID})
				if err != nil {
					t.Fatal(err)
				}
				if len(pg.Items) != 1 {
					t.Fatalf("%d rewards", len(pg.Items))
				}
				r := pg.Items[0]
				checkUnlocked(t, r, anaID)
				eqv(t, "CouponCode", r.CouponCode, "AD45RF")
				nativeEq(t, "reward", r.Native, map[string]any{"status": "confirmed", "name": "A free Premium account for 1 year",
					"coupon_group": "rh123", "signup_type": "organic subscriber"})
				eqv(t, "Total", pg.Total, 1)
			}},
		{"ListEarnedRewardsOfList", []exchange{{method: "GET", path: "/lists/" + goldenList + "/rewards",
			query: url.Values{"page": {"1"}, "status": {"canceled"}}, status: 200, file: "listSubscriberRewards.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				pg, err := b.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: goldenList, Statuses: []canonical.RewardStatus{canonical.RewardCanceled}})
				if err != nil {
					t.Fatal(err)
				}
				if len(pg.Items) != 1 {
					t.Fatalf("%d rewards", len(pg.Items))
				}
			}},
		{"GetEarnedReward", []exchange{
			{method: "GET", path: "/lists", query: page1, status: 200, file: "listLists.json"},
			{method: "GET", path: "/lists/" + goldenList + "/rewards", query: page1, status: 200, file: "listSubscriberRewards.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				r, err := b.GetEarnedReward(ctx, "1795")
				if err != nil {
					t.Fatal(err)
				}
				checkUnlocked(t, r, "")
			}},
		{"SetRewardStatus", []exchange{
			{method: "GET", path: "/lists", query: page1, status: 200, file: "listLists.json"},
			{method: "POST", path: subPath + "/update_reward_status", body: "updateRewardStatus.request.json", status: 200, file: "updateRewardStatus.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				r, err := b.SetRewardStatus(ctx, "1795", canonical.RewardFulfilled, nil)
				if err != nil {
					t.Fatal(err)
				}
				checkUnlocked(t, r, "")
				nativeEq(t, "reward", r.Native, map[string]any{"status": "confirmed", "name": "A free Premium account for 1 year",
					"signup_type": "organic subscriber"})
			}},
		{"PromoteParticipant", []exchange{{method: "POST", path: boPath + "/promote", status: 200, file: "promoteSubscriber.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				p, err := b.PromoteParticipant(ctx, goldenList, canonical.ByID(boID))
				if err != nil {
					t.Fatal(err)
				}
				eqv(t, "Promoted", p.Promoted, true)
				eqTime(t, "PromotedAt", p.PromotedAt, 1487661494)
				eqv(t, "ID", p.ID, boID)
			}},
		{"PromoteParticipantTwice", []exchange{{method: "POST", path: boPath + "/promote", status: 400, file: "promoteSubscriber.400.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, err := b.PromoteParticipant(ctx, goldenList, canonical.ByID(boID))
				wantErr(t, err, canonical.Conflict, "subscriber_already_promoted", 400)
			}},
		{"GrantReward", []exchange{
			{method: "POST", path: boPath + "/unlock_promoted_reward", body: "unlockPromotedReward.request.json", status: 200, file: "unlockPromotedReward.json"},
			{method: "GET", path: boPath + "/rewards", query: page1, status: 200, file: "listSubscriberRewards.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				r, err := b.GrantReward(ctx, goldenList, canonical.ByID(boID), "203")
				if err != nil {
					t.Fatal(err)
				}
				// No unlocked reward named "Winner 2" is listed: the
				// result carries the rule, owner and list only.
				eqv(t, "ID", r.ID, "")
				eqv(t, "RuleID", r.RuleID, "203")
				eqv(t, "ParticipantID", r.ParticipantID, boID)
				eqv(t, "CampaignID", r.CampaignID, goldenList)
				eqv(t, "Status", r.Status, canonical.RewardPending)
			}},
		{"CreateTransaction", []exchange{{method: "POST", path: subPath + "/add_transactions", body: "addTransactions.request.json",
			// The documented "56665" is the same decimal amount.
			adjust: func(want map[string]any) { want["amount"] = "56665.00" },
			status: 200, file: "addTransactions.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				var n canonical.Native
				n.Set(canonical.ReferralHero, "product_id", "12345")
				res, err := b.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: goldenList, Participant: canonical.ByEmail("ana@example.org"),
					Amount: canonical.Money{Amount: 5666500, Currency: "USD"}, ExternalIDs: map[string]string{"transaction_id": "MFa19e08789720240219142611"},
					Native: n})
				if err != nil {
					t.Fatal(err)
				}
				tx := res.Transaction
				eqv(t, "ID", tx.ID, "592")
				eqv(t, "CampaignID", tx.CampaignID, goldenList)
				eqv(t, "Kind", tx.Kind, canonical.Sale)
				eqv(t, "Amount", tx.Amount, canonical.Money{Amount: 5666500, Currency: "USD"})
				eqv(t, "transaction_id", tx.ExternalIDs["transaction_id"], "MFa19e08789720240219142611")
				eqv(t, "OccurredAt", tx.OccurredAt, time.Date(2024, 2, 19, 14, 26, 11, 0, time.UTC))
				nativeEq(t, "transaction", tx.Native, map[string]any{"product_id": "12345"})
			}},
		{"CreateCouponGroup", []exchange{{method: "POST", path: "/lists/" + goldenList + "/coupon_groups", body: "createCouponGroup.request.json", status: 200, file: "createCouponGroup.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				g, err := b.CreateCouponGroup(ctx, goldenList, canonical.NewCouponGroup{Name: "RH400", Active: true, Codes: []string{"ab23fg", "fghg45", "gh78wl"}})
				if err != nil {
					t.Fatal(err)
				}
				eqv(t, "ID", g.ID, "rh400")
				eqv(t, "Name", g.Name, "RH400")
				eqv(t, "Active", g.Active, true)
				eqv(t, "CreatedAt", g.CreatedAt, unixAt(1686563261))
				eqv(t, "Coupons", len(g.Coupons), 0)
			}},
		{"AddCoupons", []exchange{{method: "POST", path: "/lists/" + goldenList + "/coupons", body: "createCoupons.request.json", status: 200, file: "createCoupons.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				g, err := b.AddCoupons(ctx, goldenList, "rh200", []string{"tvt4g45v", "RFGH677", "KMLFG767"})
				if err != nil {
					t.Fatal(err)
				}
				eqv(t, "ID", g.ID, "rh200")
				if len(g.Coupons) != 5 {
					t.Fatalf("%d coupons", len(g.Coupons))
				}
				c := g.Coupons[2]
				eqv(t, "Code", c.Code, "tvt4g45v")
				eqv(t, "GroupID", c.GroupID, "rh200")
				eqv(t, "CampaignID", c.CampaignID, goldenList)
				eqv(t, "Available", c.Available, true)
				eqv(t, "SentAt", c.SentAt == nil, true)
				eqv(t, "CreatedAt", c.CreatedAt, unixAt(1686563246))
			}},
		{"ListCouponGroups", []exchange{{method: "GET", path: "/lists/" + goldenList + "/coupon_groups", query: page1, status: 200, file: "listCouponGroups.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				pg, err := b.ListCouponGroups(ctx, goldenList, canonical.ListOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if len(pg.Items) != 2 || pg.Total != 2 || pg.NextCursor != "" {
					t.Fatalf("page %+v", pg)
				}
				eqv(t, "ID", pg.Items[0].ID, "rh200")
				eqv(t, "Coupons", len(pg.Items[0].Coupons), 2)
				eqv(t, "Code", pg.Items[0].Coupons[1].Code, "U3EHFD")
				eqv(t, "ID", pg.Items[1].ID, "rh400")
			}},
		{"GetCouponGroup", []exchange{{method: "GET", path: "/lists/" + goldenList + "/coupon_groups/rh200", status: 200, file: "getCouponGroup.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				g, err := b.GetCouponGroup(ctx, goldenList, "rh200")
				if err != nil {
					t.Fatal(err)
				}
				eqv(t, "ID", g.ID, "rh200")
				eqv(t, "Name", g.Name, "RH200")
				eqv(t, "CreatedAt", g.CreatedAt, unixAt(1686563246))
			}},
		{"GetCouponGroupUnknownList", []exchange{{method: "GET", path: "/lists/" + goldenList + "/coupon_groups/rh200", status: 404, file: "getCouponGroup.404.json"}},
			func(t *testing.T, ctx context.Context, b *referralhero.Backend) {
				_, err := b.GetCouponGroup(ctx, goldenList, "rh200")
				wantErr(t, err, canonical.NotFound, "invalid_list", 404)
			}},
	})
}

// TestGoldenCoverage checks that the golden cases exercise every
// operation in Capabilities.
func TestGoldenCoverage(t *testing.T) {
	t.Parallel()
	covered := map[canonical.Operation]bool{}
	for _, op := range []string{"ListCampaigns", "GetCampaign", "CreateCampaign", "ListRewardRules", "CreateParticipant",
		"GetParticipant", "ListParticipants", "UpdateParticipant", "DeleteParticipant", "AddPoints", "Leaderboard",
		"ListReferrals", "TrackConversion", "ConfirmReferral", "ListEarnedRewards", "GetEarnedReward", "SetRewardStatus",
		"PromoteParticipant", "GrantReward", "CreateTransaction", "CreateCouponGroup", "AddCoupons", "ListCouponGroups",
		"GetCouponGroup"} {
		covered[canonical.Operation(op)] = true
	}
	b, err := referralhero.NewBackend(&referralhero.BackendOptions{APIToken: goldenToken})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range b.Capabilities().Operations {
		if !covered[op] {
			t.Errorf("no golden case for %s", op)
		}
	}
}
