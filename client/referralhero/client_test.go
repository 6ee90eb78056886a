package referralhero_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	rh "github.com/refbridge/refbridge/client/referralhero"
	"github.com/refbridge/refbridge/client/referralhero/referralheroserver"
)

const (
	baseURL  = "https://app.referralhero.com/api/v2"
	token    = "rh_test_token_0123"
	listUUID = "MF078d000987"
	anaID    = "sub_4f1c2a9b7d30"
	boID     = "sub_9e8d7c6b5a41"
)

// authMode selects which of the vendor's three credential placements a test
// case uses.
type authMode int

const (
	authQuery  authMode = iota // ?api_token=
	authBearer                 // Authorization: Bearer
	authHeader                 // X-API-Key
)

func (m authMode) editor() rh.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		switch m {
		case authQuery:
			q := req.URL.Query()
			q.Set("api_token", token)
			req.URL.RawQuery = q.Encode()
		case authBearer:
			req.Header.Set("Authorization", "Bearer "+token)
		case authHeader:
			req.Header.Set("X-API-Key", token)
		}
		return nil
	}
}

func (m authMode) check(t *testing.T, req *http.Request) {
	t.Helper()
	switch m {
	case authQuery:
		if got := req.URL.Query().Get("api_token"); got != token {
			t.Errorf("api_token = %q, want %q", got, token)
		}
	case authBearer:
		if got := req.Header.Get("Authorization"); got != "Bearer "+token {
			t.Errorf("Authorization = %q, want Bearer token", got)
		}
	case authHeader:
		if got := req.Header.Get("X-API-Key"); got != token {
			t.Errorf("X-API-Key = %q, want %q", got, token)
		}
	}
}

// apiCase is one request/response exchange with the mocked vendor.
type apiCase struct {
	name   string
	auth   authMode
	method string
	path   string     // path below the base URL
	query  url.Values // expected query parameters besides api_token
	// body describes the expected request body: "" for none, "json" for the
	// operation's <operationId>.request.json sent as JSON, "form" for the
	// same fields form-encoded.
	body    string
	reqFile string // request fixture; defaults to the response fixture's operation
	form    url.Values
	status  int
	file    string // response fixture in testdata/referralhero
	run     func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses)
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "referralhero", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func runCases(t *testing.T, cases []apiCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock := httpmock.NewMockTransport()
			target := baseURL + tc.path
			respBody := fixture(t, tc.file)
			mock.RegisterResponder(tc.method, target, func(req *http.Request) (*http.Response, error) {
				checkRequest(t, tc, req)
				resp := httpmock.NewBytesResponse(tc.status, respBody)
				resp.Header.Set("Content-Type", "application/json; charset=utf-8")
				return resp, nil
			})
			c, err := rh.NewClientWithResponses(baseURL,
				rh.WithHTTPClient(&http.Client{Transport: mock}),
				rh.WithRequestEditorFn(tc.auth.editor()))
			if err != nil {
				t.Fatal(err)
			}
			tc.run(t, context.Background(), c)
			key := tc.method + " " + target
			if n := mock.GetCallCountInfo()[key]; n != 1 {
				t.Errorf("%s called %d times, want 1 (calls: %v)", key, n, mock.GetCallCountInfo())
			}
		})
	}
}

func checkRequest(t *testing.T, tc apiCase, req *http.Request) {
	t.Helper()
	if req.Method != tc.method {
		t.Errorf("method = %s, want %s", req.Method, tc.method)
	}
	if want := "/api/v2" + tc.path; req.URL.Path != want {
		t.Errorf("path = %s, want %s", req.URL.Path, want)
	}
	tc.auth.check(t, req)
	q := req.URL.Query()
	q.Del("api_token")
	want := tc.query
	if want == nil {
		want = url.Values{}
	}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("query = %v, want %v", q, want)
	}
	var raw []byte
	if req.Body != nil {
		var err error
		if raw, err = io.ReadAll(req.Body); err != nil {
			t.Fatal(err)
		}
	}
	switch tc.body {
	case "":
		if len(raw) != 0 {
			t.Errorf("unexpected request body %q", raw)
		}
	case "json":
		if ct := req.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
		var got, want any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("request body %q: %v", raw, err)
		}
		if err := json.Unmarshal(fixture(t, tc.reqFile), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("request body = %s, want the fields of %s", raw, tc.reqFile)
		}
	case "form":
		if ct := req.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type = %q, want application/x-www-form-urlencoded", ct)
		}
		got, err := url.ParseQuery(string(raw))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.form) {
			t.Errorf("form body = %v, want %v", got, tc.form)
		}
	}
}

// eq fails the test when got differs from want.
func eq[T comparable](t *testing.T, field string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

// val dereferences p, failing the test when it is nil.
func val[T any](t *testing.T, field string, p *T) T {
	t.Helper()
	var zero T
	if p == nil {
		t.Errorf("%s is nil, want a value", field)
		return zero
	}
	return *p
}

// isNil fails the test when p is not nil (a JSON null or absent field).
func isNil[T any](t *testing.T, field string, p *T) {
	t.Helper()
	if p != nil {
		t.Errorf("%s = %v, want nil", field, *p)
	}
}

func ptr[T any](v T) *T { return &v }

func checkEnvelope(t *testing.T, status rh.Status, callsLeft *rh.CallsLeft, ts rh.Timestamp, wantCalls *int, wantTS int64) {
	t.Helper()
	eq(t, "status", status, rh.StatusOk)
	if wantCalls == nil {
		isNil(t, "calls_left", callsLeft)
	} else {
		eq(t, "calls_left", val(t, "calls_left", callsLeft), *wantCalls)
	}
	eq(t, "timestamp", ts, wantTS)
}

func checkPagination(t *testing.T, p rh.Pagination, pages, current, per, total int) {
	t.Helper()
	eq(t, "pagination.total_pages", p.TotalPages, pages)
	eq(t, "pagination.current_page", p.CurrentPage, current)
	eq(t, "pagination.per_page", p.PerPage, per)
	eq(t, "pagination.total_objects", p.TotalObjects, total)
}

func checkErrorBody(t *testing.T, e *rh.Error, code rh.ErrorCode, message string) {
	t.Helper()
	if e == nil {
		t.Fatal("error body not decoded")
	}
	eq(t, "status", e.Status, rh.StatusError)
	eq(t, "code", val(t, "code", e.Code), code)
	eq(t, "message", e.Message, message)
}

// checkAna asserts the fixture subscriber Ana: a verified, pending referral
// of Bo.
func checkAna(t *testing.T, s rh.Subscriber) {
	t.Helper()
	eq(t, "id", s.Id, anaID)
	eq(t, "name", val(t, "name", s.Name), "Ana Ruiz")
	eq(t, "email", val(t, "email", s.Email), "ana@example.org")
	isNil(t, "phone_number", s.PhoneNumber)
	eq(t, "extra_field", val(t, "extra_field", s.ExtraField), "")
	eq(t, "code", s.Code, "ana-7c21")
	eq(t, "position", val(t, "position", s.Position), 3)
	eq(t, "referred", s.Referred, true)
	rb := val(t, "referred_by", s.ReferredBy)
	eq(t, "referred_by.id", val(t, "referred_by.id", rb.Id), boID)
	eq(t, "referred_by.name", val(t, "referred_by.name", rb.Name), "Bo")
	isNil(t, "referred_by.phone_number", rb.PhoneNumber)
	eq(t, "referred_by.people_referred", val(t, "referred_by.people_referred", rb.PeopleReferred), 4)
	eq(t, "referred_by.points", val(t, "referred_by.points", rb.Points), 4)
	eq(t, "referral_status", val(t, "referral_status", s.ReferralStatus), rh.ReferralStatusPending)
	eq(t, "people_referred", s.PeopleReferred, 0)
	eq(t, "level_2_confirmed_referrals", val(t, "level_2", s.Level2ConfirmedReferrals), 0)
	eq(t, "promoted", s.Promoted, false)
	isNil(t, "promoted_at", s.PromotedAt)
	eq(t, "verified", s.Verified, true)
	eq(t, "verified_at", val(t, "verified_at", s.VerifiedAt), 1717000000)
	eq(t, "risk_level", val(t, "risk_level", s.RiskLevel), 0)
	eq(t, "source", val(t, "source", s.Source), "direct_visit")
	eq(t, "referral_link", val(t, "referral_link", s.ReferralLink), "https://example.org?mwr=ana-7c21")
	eq(t, "created_at", val(t, "created_at", s.CreatedAt), 1717000000)
	eq(t, "last_updated_at", val(t, "last_updated_at", s.LastUpdatedAt), 1717000500)
}

// checkBo asserts the fixture subscriber Bo: an organic subscriber at the
// top of the leaderboard.
func checkBo(t *testing.T, s rh.Subscriber) {
	t.Helper()
	eq(t, "id", s.Id, boID)
	eq(t, "code", s.Code, "bo-1f9e")
	eq(t, "extra_field", val(t, "extra_field", s.ExtraField), "team-a")
	eq(t, "position", val(t, "position", s.Position), 1)
	eq(t, "referred", s.Referred, false)
	rb := val(t, "referred_by", s.ReferredBy) // {} for organic subscribers
	isNil(t, "referred_by.id", rb.Id)
	isNil(t, "referral_status", s.ReferralStatus)
	eq(t, "people_referred", s.PeopleReferred, 4)
	eq(t, "pending_referrals", val(t, "pending_referrals", s.PendingReferrals), 1)
	eq(t, "level_2_confirmed_referrals", val(t, "level_2", s.Level2ConfirmedReferrals), 2)
	eq(t, "points", val(t, "points", s.Points), 4)
	eq(t, "universal_link", val(t, "universal_link", s.UniversalLink),
		"https://app.referralhero.com/MF078d000987/universal_link?mwr=bo-1f9e")
	eq(t, "created_at", val(t, "created_at", s.CreatedAt), 1716900000)
}

// checkResult asserts a subscriber merged with its action string.
func checkResult(t *testing.T, d rh.SubscriberResult, id string, action rh.SubscriberAction) {
	t.Helper()
	eq(t, "response", d.Response, action)
	eq(t, "id", d.Id, id)
	eq(t, "verified", d.Verified, true)
	if d.ReferredBy == nil {
		t.Error("referred_by not decoded")
	}
}

func TestLists(t *testing.T) {
	t.Parallel()
	runCases(t, []apiCase{
		{
			name: "createList/json", auth: authBearer, method: http.MethodPost, path: "/lists",
			body: "json", reqFile: "createList.request.json", status: 200, file: "createList.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.CreateListWithResponse(ctx, rh.CreateListJSONRequestBody{Name: "Spring launch", Website: ptr("https://example.org")})
				if err != nil {
					t.Fatal(err)
				}
				r := resp.JSON200
				if r == nil {
					t.Fatalf("JSON200 nil, status %d", resp.StatusCode())
				}
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, ptr(1000), 1487659010)
				eq(t, "uuid", r.Data.Uuid, listUUID)
				eq(t, "name", r.Data.Name, "Spring launch")
				eq(t, "subscribers", val(t, "subscribers", r.Data.Subscribers), 0)
				eq(t, "created_at", val(t, "created_at", r.Data.CreatedAt), 1487659010)
				isNil(t, "type", r.Data.Type)
			},
		},
		{
			name: "createList/form", auth: authQuery, method: http.MethodPost, path: "/lists",
			body: "form", form: url.Values{"name": {"Spring launch"}, "website": {"https://example.org"}},
			status: 200, file: "createList.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.CreateListWithFormdataBodyWithResponse(ctx, rh.CreateListFormdataRequestBody{Name: "Spring launch", Website: ptr("https://example.org")})
				if err != nil {
					t.Fatal(err)
				}
				eq(t, "uuid", val(t, "JSON200", resp.JSON200).Data.Uuid, listUUID)
			},
		},
		{
			name: "listLists", auth: authHeader, method: http.MethodGet, path: "/lists",
			query: url.Values{"page": {"1"}}, status: 200, file: "listLists.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.ListListsWithResponse(ctx, &rh.ListListsParams{Page: ptr(1)})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, ptr(1000), 1487658324)
				eq(t, "response", r.Data.Response, rh.ListsPageResponseListsRetrieved)
				if len(r.Data.Lists) != 2 {
					t.Fatalf("lists = %d, want 2", len(r.Data.Lists))
				}
				eq(t, "lists[0].uuid", r.Data.Lists[0].Uuid, listUUID)
				eq(t, "lists[0].subscribers", val(t, "subscribers", r.Data.Lists[0].Subscribers), 121)
				isNil(t, "lists[0].type", r.Data.Lists[0].Type)
				eq(t, "lists[1].uuid", r.Data.Lists[1].Uuid, "MF3c2b1a0f9e")
				eq(t, "lists[1].type", val(t, "type", r.Data.Lists[1].Type), "waitlist")
				eq(t, "lists[1].created_at", val(t, "created_at", r.Data.Lists[1].CreatedAt), 1480000000)
				checkPagination(t, r.Data.Pagination, 7, 1, 10, 67)
			},
		},
		{
			name: "getLeaderboard", auth: authQuery, method: http.MethodGet, path: "/lists/" + listUUID + "/leaderboard",
			query: url.Values{"count": {"25"}}, status: 200, file: "getLeaderboard.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.GetLeaderboardWithResponse(ctx, listUUID, &rh.GetLeaderboardParams{Count: ptr(25)})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, ptr(1000), 1487659347)
				if len(r.Data.Ranking) != 2 {
					t.Fatalf("ranking = %d, want 2", len(r.Data.Ranking))
				}
				checkBo(t, r.Data.Ranking[0])
				checkAna(t, r.Data.Ranking[1])
				isNil(t, "count", r.Data.Count)
			},
		},
		{
			name: "listBonuses", auth: authBearer, method: http.MethodGet, path: "/lists/" + listUUID + "/bonuses",
			status: 200, file: "listBonuses.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.ListBonusesWithResponse(ctx, listUUID)
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, ptr(1000), 1487659708)
				if len(r.Data) != 2 {
					t.Fatalf("data = %d rewards, want 2", len(r.Data))
				}
				eq(t, "data[0].id", r.Data[0].Id, 201)
				eq(t, "data[0].title", r.Data[0].Title, "Early access")
				eq(t, "data[0].referrals", val(t, "referrals", r.Data[0].Referrals), 3)
				isNil(t, "data[0].label", r.Data[0].Label)
				eq(t, "data[1].id", r.Data[1].Id, 203)
				isNil(t, "data[1].header", r.Data[1].Header)
				eq(t, "data[1].description", val(t, "description", r.Data[1].Description), "")
				eq(t, "data[1].image", val(t, "image", r.Data[1].Image), "/missing.png")
				eq(t, "data[1].category", val(t, "category", r.Data[1].Category), "promoted_winners")
			},
		},
	})
}

func TestSubscribers(t *testing.T) {
	t.Parallel()
	subPath := "/lists/" + listUUID + "/subscribers"
	runCases(t, []apiCase{
		{
			name: "createSubscriber", auth: authBearer, method: http.MethodPost, path: subPath,
			body: "json", reqFile: "createSubscriber.request.json", status: 200, file: "createSubscriber.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.CreateSubscriberWithResponse(ctx, listUUID, rh.CreateSubscriberJSONRequestBody{
					Email: ptr("ana@example.org"), Name: ptr("Ana Ruiz"), Domain: ptr("https://example.org"),
					Referrer: ptr("bo-1f9e"), Source: ptr("newsletter"), Device: ptr("desktop"),
					DoubleOptin: ptr(false), ExtraField: ptr(""), TransactionId: ptr("txn_1001"),
					ConversionCategory: ptr("pro"), ConversionValue: ptr(49.5),
				})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, ptr(1000), 1487661494)
				checkResult(t, r.Data, anaID, rh.SubscriberActionSubscriberCreated)
				eq(t, "email", val(t, "email", r.Data.Email), "ana@example.org")
				eq(t, "code", r.Data.Code, "ana-7c21")
				eq(t, "referral_status", val(t, "referral_status", r.Data.ReferralStatus), rh.ReferralStatusPending)
				eq(t, "referred_by.id", val(t, "referred_by.id", r.Data.ReferredBy.Id), boID)
				isNil(t, "promoted_at", r.Data.PromotedAt)
				eq(t, "created_at", val(t, "created_at", r.Data.CreatedAt), 1717000000)
			},
		},
		{
			name: "trackReferralConversionEvent", auth: authHeader, method: http.MethodPost, path: subPath + "/track_referral_conversion_event",
			body: "json", reqFile: "trackReferralConversionEvent.request.json", status: 200, file: "trackReferralConversionEvent.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.TrackReferralConversionEventWithResponse(ctx, listUUID, rh.TrackReferralConversionEventJSONRequestBody{
					Email: ptr("ana@example.org"), Referrer: ptr("bo-1f9e"),
				})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkResult(t, r.Data, anaID, rh.SubscriberActionCustomEventCompleted)
				eq(t, "referral_status", val(t, "referral_status", r.Data.ReferralStatus), rh.ReferralStatusConfirmed)
			},
		},
		{
			name: "confirmSubscriber", auth: authQuery, method: http.MethodPost, path: subPath + "/" + anaID + "/confirm",
			status: 200, file: "confirmSubscriber.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.ConfirmSubscriberWithResponse(ctx, listUUID, anaID)
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, ptr(1000), 1487661494)
				checkResult(t, r.Data, anaID, rh.SubscriberActionSubscriberConfirmed)
				eq(t, "referral_status", val(t, "referral_status", r.Data.ReferralStatus), rh.ReferralStatusConfirmed)
			},
		},
		{
			name: "confirmSubscriberByIdentifier/form", auth: authBearer, method: http.MethodPost, path: subPath + "/confirm",
			body: "form", form: url.Values{"email": {"ana@example.org"}}, status: 200, file: "confirmSubscriberByIdentifier.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.ConfirmSubscriberByIdentifierWithFormdataBodyWithResponse(ctx, listUUID,
					rh.ConfirmSubscriberByIdentifierFormdataRequestBody{Email: ptr("ana@example.org")})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkResult(t, r.Data, anaID, rh.SubscriberActionSubscriberConfirmed)
			},
		},
		{
			name: "confirmSubscriberByIdentifier/json", auth: authBearer, method: http.MethodPost, path: subPath + "/confirm",
			body: "json", reqFile: "confirmSubscriberByIdentifier.request.json", status: 200, file: "confirmSubscriberByIdentifier.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.ConfirmSubscriberByIdentifierWithResponse(ctx, listUUID,
					rh.ConfirmSubscriberByIdentifierJSONRequestBody{Email: ptr("ana@example.org")})
				if err != nil {
					t.Fatal(err)
				}
				checkResult(t, val(t, "JSON200", resp.JSON200).Data, anaID, rh.SubscriberActionSubscriberConfirmed)
			},
		},
		{
			name: "updateSubscriber", auth: authQuery, method: http.MethodPost, path: subPath + "/" + anaID,
			body: "json", reqFile: "updateSubscriber.request.json", status: 200, file: "updateSubscriber.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.UpdateSubscriberWithResponse(ctx, listUUID, anaID, rh.UpdateSubscriberJSONRequestBody{
					Name: ptr("Ana María Ruiz"), ExtraField: ptr("vip"),
				})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkResult(t, r.Data, anaID, rh.SubscriberActionSubscriberUpdated)
				eq(t, "name", val(t, "name", r.Data.Name), "Ana María Ruiz")
				eq(t, "extra_field", val(t, "extra_field", r.Data.ExtraField), "vip")
			},
		},
		{
			name: "addPoints/json", auth: authHeader, method: http.MethodPost, path: subPath + "/add_points",
			body: "json", reqFile: "addPoints.request.json", status: 200, file: "addPoints.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.AddPointsWithResponse(ctx, listUUID, rh.AddPointsJSONRequestBody{Email: ptr("bo@example.org"), Points: 10})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkResult(t, r.Data, boID, rh.SubscriberActionPointsAdded)
				eq(t, "points", val(t, "points", r.Data.Points), 14)
				isNil(t, "referral_status", r.Data.ReferralStatus)
			},
		},
		{
			name: "addPoints/form", auth: authQuery, method: http.MethodPost, path: subPath + "/add_points",
			body: "form", form: url.Values{"email": {"bo@example.org"}, "points": {"10"}}, status: 200, file: "addPoints.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.AddPointsWithFormdataBodyWithResponse(ctx, listUUID, rh.AddPointsFormdataRequestBody{Email: ptr("bo@example.org"), Points: 10})
				if err != nil {
					t.Fatal(err)
				}
				eq(t, "points", val(t, "points", val(t, "JSON200", resp.JSON200).Data.Points), 14)
			},
		},
		{
			name: "addTransactions", auth: authBearer, method: http.MethodPost, path: subPath + "/add_transactions",
			body: "json", reqFile: "addTransactions.request.json", status: 200, file: "addTransactions.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.AddTransactionsWithResponse(ctx, listUUID, rh.AddTransactionsJSONRequestBody{
					Email: ptr("ana@example.org"), Amount: "56665",
					TransactionId: ptr("MFa19e08789720240219142611"), ProductId: ptr("12345"),
				})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, nil, 1708352775)
				eq(t, "id", r.Data.Id, 592)
				eq(t, "transaction_id", r.Data.TransactionId, "MFa19e08789720240219142611")
				if want := time.Date(2024, 2, 19, 14, 26, 11, 0, time.UTC); !r.Data.TransactionTime.Equal(want) {
					t.Errorf("transaction_time = %v, want %v", r.Data.TransactionTime, want)
				}
				eq(t, "amount", r.Data.Amount, 56665.0)
				eq(t, "product_id", val(t, "product_id", r.Data.ProductId), "12345")
				eq(t, "response", r.Data.Response, rh.TransactionResponseTransactionAdded)
			},
		},
		{
			name: "promoteSubscriber", auth: authQuery, method: http.MethodPost, path: subPath + "/" + boID + "/promote",
			status: 200, file: "promoteSubscriber.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.PromoteSubscriberWithResponse(ctx, listUUID, boID)
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkResult(t, r.Data, boID, rh.SubscriberActionSubscriberPromoted)
				eq(t, "promoted", r.Data.Promoted, true)
				eq(t, "promoted_at", val(t, "promoted_at", r.Data.PromotedAt), 1487661494)
			},
		},
		{
			name: "listSubscribers", auth: authBearer, method: http.MethodGet, path: subPath,
			query:  url.Values{"page": {"2"}, "sort_by": {"points_desc"}, "extra_field": {"team-a"}, "option_field": {"gold"}},
			status: 200, file: "listSubscribers.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				sort := rh.SortByPointsDesc
				resp, err := c.ListSubscribersWithResponse(ctx, listUUID, &rh.ListSubscribersParams{
					Page: ptr(2), SortBy: &sort, ExtraField: ptr("team-a"), OptionField: ptr("gold"),
				})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, ptr(1000), 1487675505)
				eq(t, "response", r.Data.Response, rh.SubscribersPageResponseSubscribersRetrieved)
				if len(r.Data.Subscribers) != 2 {
					t.Fatalf("subscribers = %d, want 2", len(r.Data.Subscribers))
				}
				checkBo(t, r.Data.Subscribers[0])
				checkAna(t, r.Data.Subscribers[1])
				checkPagination(t, r.Data.Pagination, 1, 1, 50, 14)
			},
		},
		{
			name: "getSubscriber", auth: authHeader, method: http.MethodGet, path: subPath + "/" + anaID,
			status: 200, file: "getSubscriber.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.GetSubscriberWithResponse(ctx, listUUID, anaID)
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, ptr(1000), 1487676070)
				checkResult(t, r.Data, anaID, rh.SubscriberActionSubscriberRetrieved)
				eq(t, "name", val(t, "name", r.Data.Name), "Ana Ruiz")
				isNil(t, "phone_number", r.Data.PhoneNumber)
				eq(t, "position", val(t, "position", r.Data.Position), 3)
				eq(t, "verified_at", val(t, "verified_at", r.Data.VerifiedAt), 1717000000)
				eq(t, "referred_by.email", val(t, "referred_by.email", r.Data.ReferredBy.Email), "bo@example.org")
			},
		},
		{
			name: "getSubscriberByEmail", auth: authQuery, method: http.MethodGet, path: subPath + "/retrieve_by_email",
			query: url.Values{"email": {"bo@example.org"}}, status: 200, file: "getSubscriberByEmail.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.GetSubscriberByEmailWithResponse(ctx, listUUID, &rh.GetSubscriberByEmailParams{Email: "bo@example.org"})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkResult(t, r.Data, boID, rh.SubscriberActionSubscriberRetrieved)
				eq(t, "email", val(t, "email", r.Data.Email), "bo@example.org")
				eq(t, "people_referred", r.Data.PeopleReferred, 4)
			},
		},
		{
			name: "listReferredSubscribers", auth: authBearer, method: http.MethodGet, path: subPath + "/" + boID + "/referred",
			query: url.Values{"sort_by": {"registration_asc"}}, status: 200, file: "listReferredSubscribers.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				sort := rh.SortByRegistrationAsc
				resp, err := c.ListReferredSubscribersWithResponse(ctx, listUUID, boID, &rh.ListReferredSubscribersParams{SortBy: &sort})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				eq(t, "response", r.Data.Response, rh.SubscribersPageResponseSubscribersRetrieved)
				if len(r.Data.Subscribers) != 1 {
					t.Fatalf("subscribers = %d, want 1", len(r.Data.Subscribers))
				}
				checkAna(t, r.Data.Subscribers[0])
				checkPagination(t, r.Data.Pagination, 1, 1, 50, 1)
			},
		},
		{
			name: "deleteSubscriber", auth: authHeader, method: http.MethodDelete, path: subPath + "/" + anaID,
			status: 200, file: "deleteSubscriber.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.DeleteSubscriberWithResponse(ctx, listUUID, anaID)
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, ptr(1000), 1487661494)
				checkResult(t, r.Data, anaID, rh.SubscriberActionSubscriberDeleted)
			},
		},
	})
}

func TestRewards(t *testing.T) {
	t.Parallel()
	subPath := "/lists/" + listUUID + "/subscribers"
	runCases(t, []apiCase{
		{
			name: "unlockPromotedReward", auth: authBearer, method: http.MethodPost, path: subPath + "/" + boID + "/unlock_promoted_reward",
			body: "json", reqFile: "unlockPromotedReward.request.json", status: 200, file: "unlockPromotedReward.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.UnlockPromotedRewardWithResponse(ctx, listUUID, boID, rh.UnlockPromotedRewardJSONRequestBody{RewardId: "203"})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				eq(t, "response", r.Response, rh.PromotedRewardUnlockResponseRewardUnlocked)
				eq(t, "reward.id", r.Reward.Id, 203)
				eq(t, "reward.title", r.Reward.Title, "Winner 2")
				isNil(t, "reward.header", r.Reward.Header)
				isNil(t, "reward.referrals", r.Reward.Referrals)
				isNil(t, "reward.points", r.Reward.Points)
				eq(t, "reward.label", val(t, "label", r.Reward.Label), "Winner Reward")
				eq(t, "reward.category", val(t, "category", r.Reward.Category), "promoted_winners")
			},
		},
		{
			name: "listSubscriberRewards", auth: authQuery, method: http.MethodGet, path: subPath + "/" + anaID + "/rewards",
			status: 200, file: "listSubscriberRewards.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.ListSubscriberRewardsWithResponse(ctx, listUUID, anaID, nil)
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, nil, 1686561391)
				eq(t, "response", r.Data.Response, rh.UnlockedRewardsPageResponseRewardsRetrieved)
				if len(r.Data.Rewards) != 1 {
					t.Fatalf("rewards = %d, want 1", len(r.Data.Rewards))
				}
				w := r.Data.Rewards[0]
				eq(t, "id", w.Id, 1795)
				eq(t, "name", w.Name, "A free Premium account for 1 year")
				eq(t, "status", w.Status, rh.UnlockedRewardStatusConfirmed)
				isNil(t, "referrals", w.Referrals)
				eq(t, "created_at", val(t, "created_at", w.CreatedAt), 1686397951)
				eq(t, "signup_type", val(t, "signup_type", w.SignupType), "organic subscriber")
				isNil(t, "referrals_type", w.ReferralsType)
				isNil(t, "recurring_count", w.RecurringCount)
				eq(t, "coupon_code", val(t, "coupon_code", w.CouponCode), "AD45RF")
				eq(t, "coupon_group", val(t, "coupon_group", w.CouponGroup), "rh123")
				checkPagination(t, r.Data.Pagination, 1, 1, 10, 1)
			},
		},
		{
			name: "updateRewardStatus/form", auth: authHeader, method: http.MethodPost, path: subPath + "/update_reward_status",
			body: "form", form: url.Values{"reward_id": {"1795"}, "status": {"sent"}}, status: 200, file: "updateRewardStatus.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.UpdateRewardStatusWithFormdataBodyWithResponse(ctx, listUUID, rh.UpdateRewardStatusFormdataRequestBody{
					RewardId: "1795", Status: rh.UpdateRewardStatusRequestStatusSent,
				})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, nil, 1686561403)
				eq(t, "id", r.Data.Id, 1795)
				eq(t, "status", r.Data.Status, rh.UnlockedRewardStatusConfirmed)
				isNil(t, "coupon_code", r.Data.CouponCode)
				eq(t, "created_at", val(t, "created_at", r.Data.CreatedAt), 1686397951)
			},
		},
		{
			name: "updateRewardStatus/json", auth: authBearer, method: http.MethodPost, path: subPath + "/update_reward_status",
			body: "json", reqFile: "updateRewardStatus.request.json", status: 200, file: "updateRewardStatus.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.UpdateRewardStatusWithResponse(ctx, listUUID, rh.UpdateRewardStatusJSONRequestBody{
					RewardId: "1795", Status: rh.UpdateRewardStatusRequestStatusSent,
				})
				if err != nil {
					t.Fatal(err)
				}
				eq(t, "name", val(t, "JSON200", resp.JSON200).Data.Name, "A free Premium account for 1 year")
			},
		},
	})
}

func TestCoupons(t *testing.T) {
	t.Parallel()
	listPath := "/lists/" + listUUID
	runCases(t, []apiCase{
		{
			name: "createCouponGroup", auth: authBearer, method: http.MethodPost, path: listPath + "/coupon_groups",
			body: "json", reqFile: "createCouponGroup.request.json", status: 200, file: "createCouponGroup.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.CreateCouponGroupWithResponse(ctx, listUUID, rh.CreateCouponGroupJSONRequestBody{
					Name: "RH400", Coupons: &[]string{"ab23fg", "fghg45", "gh78wl"}, Active: ptr(true),
				})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, nil, 1686563261)
				eq(t, "id", r.Data.Id, "rh400")
				eq(t, "name", r.Data.Name, "RH400")
				eq(t, "active", r.Data.Active, true)
				eq(t, "created_at", val(t, "created_at", r.Data.CreatedAt), 1686563261)
				eq(t, "len(coupons)", len(r.Data.Coupons), 0)
				eq(t, "response", r.Data.Response, rh.CouponGroupResultResponseCouponGroupCreated)
			},
		},
		{
			name: "createCoupons", auth: authQuery, method: http.MethodPost, path: listPath + "/coupons",
			body: "json", reqFile: "createCoupons.request.json", status: 200, file: "createCoupons.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.CreateCouponsWithResponse(ctx, listUUID, rh.CreateCouponsJSONRequestBody{
					CouponGroupId: "rh200", Coupons: []string{"tvt4g45v", "RFGH677", "KMLFG767"},
				})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, nil, 1686676359)
				eq(t, "id", r.Data.Id, "rh200")
				if len(r.Data.Coupons) != 5 {
					t.Fatalf("coupons = %d, want 5", len(r.Data.Coupons))
				}
				cp := r.Data.Coupons[2]
				eq(t, "coupons[2].code", cp.Code, "tvt4g45v")
				eq(t, "coupons[2].available", cp.Available, true)
				isNil(t, "coupons[2].sent_at", cp.SentAt)
				isNil(t, "coupons[2].email_id", cp.EmailId)
				eq(t, "coupons[2].created_at", val(t, "created_at", cp.CreatedAt), 1686563246)
				eq(t, "coupons[4].code", r.Data.Coupons[4].Code, "KMLFG767")
			},
		},
		{
			name: "listCouponGroups", auth: authHeader, method: http.MethodGet, path: listPath + "/coupon_groups",
			status: 200, file: "listCouponGroups.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.ListCouponGroupsWithResponse(ctx, listUUID, nil)
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, nil, 1686563777)
				eq(t, "response", r.Data.Response, rh.CouponGroupsPageResponseCouponGroupsRetrieved)
				if len(r.Data.CouponGroups) != 2 {
					t.Fatalf("coupon_groups = %d, want 2", len(r.Data.CouponGroups))
				}
				g := r.Data.CouponGroups[0]
				eq(t, "[0].id", g.Id, "rh200")
				eq(t, "[0].len(coupons)", len(g.Coupons), 2)
				eq(t, "[0].coupons[1].code", g.Coupons[1].Code, "U3EHFD")
				eq(t, "[1].id", r.Data.CouponGroups[1].Id, "rh400")
				eq(t, "[1].len(coupons)", len(r.Data.CouponGroups[1].Coupons), 0)
				checkPagination(t, r.Data.Pagination, 1, 1, 50, 2)
			},
		},
		{
			name: "getCouponGroup", auth: authBearer, method: http.MethodGet, path: listPath + "/coupon_groups/rh200",
			status: 200, file: "getCouponGroup.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.GetCouponGroupWithResponse(ctx, listUUID, "rh200")
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkEnvelope(t, r.Status, r.CallsLeft, r.Timestamp, nil, 1686563407)
				eq(t, "id", r.Data.Id, "rh200")
				eq(t, "name", r.Data.Name, "RH200")
				eq(t, "active", r.Data.Active, true)
				eq(t, "len(coupons)", len(r.Data.Coupons), 0)
			},
		},
	})
}

func TestErrors(t *testing.T) {
	t.Parallel()
	subPath := "/lists/" + listUUID + "/subscribers"
	runCases(t, []apiCase{
		{
			name: "getLeaderboard.400", auth: authQuery, method: http.MethodGet, path: "/lists/" + listUUID + "/leaderboard",
			status: 400, file: "getLeaderboard.400.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.GetLeaderboardWithResponse(ctx, listUUID, nil)
				if err != nil {
					t.Fatal(err)
				}
				eq(t, "status code", resp.StatusCode(), 400)
				checkErrorBody(t, resp.JSON400, rh.ErrorCodeWrongListType, "This list type has no leaderboard")
			},
		},
		{
			name: "createSubscriber.400", auth: authBearer, method: http.MethodPost, path: subPath,
			body: "form", form: url.Values{"name": {"No Email"}}, status: 400, file: "createSubscriber.400.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.CreateSubscriberWithFormdataBodyWithResponse(ctx, listUUID, rh.CreateSubscriberFormdataRequestBody{Name: ptr("No Email")})
				if err != nil {
					t.Fatal(err)
				}
				if resp.JSON200 != nil {
					t.Error("JSON200 decoded for an error status")
				}
				checkErrorBody(t, resp.JSON400, rh.ErrorCodeNoEmailAddress, "Email address is missing")
			},
		},
		{
			name: "addPoints.400", auth: authHeader, method: http.MethodPost, path: subPath + "/add_points",
			body: "form", form: url.Values{"email": {"bo@example.org"}, "points": {"0"}}, status: 400, file: "addPoints.400.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.AddPointsWithFormdataBodyWithResponse(ctx, listUUID, rh.AddPointsFormdataRequestBody{Email: ptr("bo@example.org")})
				if err != nil {
					t.Fatal(err)
				}
				checkErrorBody(t, resp.JSON400, rh.ErrorCodeNoPoints, "Points are missing")
			},
		},
		{
			name: "promoteSubscriber.400", auth: authQuery, method: http.MethodPost, path: subPath + "/" + boID + "/promote",
			status: 400, file: "promoteSubscriber.400.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.PromoteSubscriberWithResponse(ctx, listUUID, boID)
				if err != nil {
					t.Fatal(err)
				}
				checkErrorBody(t, resp.JSON400, rh.ErrorCodeSubscriberAlreadyPromoted, "Subscriber was already promoted")
			},
		},
		{
			name: "listSubscribers.401", auth: authBearer, method: http.MethodGet, path: subPath,
			status: 401, file: "listSubscribers.401.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.ListSubscribersWithResponse(ctx, listUUID, nil)
				if err != nil {
					t.Fatal(err)
				}
				checkErrorBody(t, resp.JSON401, rh.ErrorCodeNoToken, "Missing API token")
			},
		},
		{
			name: "listLists.403", auth: authHeader, method: http.MethodGet, path: "/lists",
			status: 403, file: "listLists.403.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.ListListsWithResponse(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				checkErrorBody(t, resp.JSON403, rh.ErrorCodeInactiveAccount, "Your account is inactive")
			},
		},
		{
			name: "listLists.429", auth: authQuery, method: http.MethodGet, path: "/lists",
			status: 429, file: "listLists.429.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.ListListsWithResponse(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				checkErrorBody(t, resp.JSON429, rh.ErrorCodeTooManyCalls, "Too many calls, please wait 60 minutes")
			},
		},
		{
			name: "getSubscriber.404", auth: authBearer, method: http.MethodGet, path: subPath + "/sub_000000000000",
			status: 404, file: "getSubscriber.404.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.GetSubscriberWithResponse(ctx, listUUID, "sub_000000000000")
				if err != nil {
					t.Fatal(err)
				}
				checkErrorBody(t, resp.JSON404, rh.ErrorCodeSubscriberNotFound, "Subscriber not found")
			},
		},
		{
			name: "confirmSubscriber.404", auth: authHeader, method: http.MethodPost, path: subPath + "/" + anaID + "/confirm",
			status: 404, file: "confirmSubscriber.404.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.ConfirmSubscriberWithResponse(ctx, listUUID, anaID)
				if err != nil {
					t.Fatal(err)
				}
				checkErrorBody(t, resp.JSON404, rh.ErrorCodeSubscriberNotFound, "Subscriber not found")
			},
		},
		{
			name: "getCouponGroup.404", auth: authQuery, method: http.MethodGet, path: "/lists/MF000000000000/coupon_groups/rh200",
			status: 404, file: "getCouponGroup.404.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.GetCouponGroupWithResponse(ctx, "MF000000000000", "rh200")
				if err != nil {
					t.Fatal(err)
				}
				checkErrorBody(t, resp.JSON404, rh.ErrorCodeInvalidList, "List not found")
			},
		},
	})
}

// TestFixturesDecodeStrictly guards the fixtures themselves: every success
// fixture must use only fields the generated types know, so a renamed or
// mistyped field in the spec cannot hide behind an ignored JSON key.
func TestFixturesDecodeStrictly(t *testing.T) {
	t.Parallel()
	targets := map[string]func() any{
		"createList.json":                    func() any { return new(rh.ListEnvelope) },
		"listLists.json":                     func() any { return new(rh.ListsEnvelope) },
		"getLeaderboard.json":                func() any { return new(rh.LeaderboardEnvelope) },
		"listBonuses.json":                   func() any { return new(rh.RewardsEnvelope) },
		"createSubscriber.json":              func() any { return new(rh.SubscriberEnvelope) },
		"trackReferralConversionEvent.json":  func() any { return new(rh.SubscriberEnvelope) },
		"confirmSubscriber.json":             func() any { return new(rh.SubscriberEnvelope) },
		"confirmSubscriberByIdentifier.json": func() any { return new(rh.SubscriberEnvelope) },
		"updateSubscriber.json":              func() any { return new(rh.SubscriberEnvelope) },
		"addPoints.json":                     func() any { return new(rh.SubscriberEnvelope) },
		"addTransactions.json":               func() any { return new(rh.TransactionEnvelope) },
		"promoteSubscriber.json":             func() any { return new(rh.SubscriberEnvelope) },
		"unlockPromotedReward.json":          func() any { return new(rh.PromotedRewardUnlock) },
		"listSubscribers.json":               func() any { return new(rh.SubscribersEnvelope) },
		"getSubscriber.json":                 func() any { return new(rh.SubscriberEnvelope) },
		"getSubscriberByEmail.json":          func() any { return new(rh.SubscriberEnvelope) },
		"listReferredSubscribers.json":       func() any { return new(rh.SubscribersEnvelope) },
		"listSubscriberRewards.json":         func() any { return new(rh.UnlockedRewardsEnvelope) },
		"deleteSubscriber.json":              func() any { return new(rh.SubscriberEnvelope) },
		"updateRewardStatus.json":            func() any { return new(rh.UnlockedRewardEnvelope) },
		"createCouponGroup.json":             func() any { return new(rh.CouponGroupCreatedEnvelope) },
		"createCoupons.json":                 func() any { return new(rh.CouponGroupEnvelope) },
		"listCouponGroups.json":              func() any { return new(rh.CouponGroupsEnvelope) },
		"getCouponGroup.json":                func() any { return new(rh.CouponGroupEnvelope) },
	}
	for name, target := range targets {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dec := json.NewDecoder(strings.NewReader(string(fixture(t, name))))
			dec.DisallowUnknownFields()
			if err := dec.Decode(target()); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		})
	}
}

// TestExtraEndpoints covers the endpoints that newer vendor docs name but the
// v2 seed reference does not document; they reuse the documented payloads of
// their closest seed endpoint.
func TestExtraEndpoints(t *testing.T) {
	t.Parallel()
	subPath := "/lists/" + listUUID + "/subscribers"
	levels := []struct {
		segment string
		call    func(ctx context.Context, c *rh.ClientWithResponses, p *rh.ListLevel1ReferralsParams) (*rh.SubscribersEnvelope, error)
	}{
		{"level_1_referrals", func(ctx context.Context, c *rh.ClientWithResponses, p *rh.ListLevel1ReferralsParams) (*rh.SubscribersEnvelope, error) {
			r, err := c.ListLevel1ReferralsWithResponse(ctx, listUUID, boID, p)
			if err != nil {
				return nil, err
			}
			return r.JSON200, nil
		}},
		{"level_2_referrals", func(ctx context.Context, c *rh.ClientWithResponses, p *rh.ListLevel1ReferralsParams) (*rh.SubscribersEnvelope, error) {
			r, err := c.ListLevel2ReferralsWithResponse(ctx, listUUID, boID, (*rh.ListLevel2ReferralsParams)(p))
			if err != nil {
				return nil, err
			}
			return r.JSON200, nil
		}},
		{"level_3_referrals", func(ctx context.Context, c *rh.ClientWithResponses, p *rh.ListLevel1ReferralsParams) (*rh.SubscribersEnvelope, error) {
			r, err := c.ListLevel3ReferralsWithResponse(ctx, listUUID, boID, (*rh.ListLevel3ReferralsParams)(p))
			if err != nil {
				return nil, err
			}
			return r.JSON200, nil
		}},
		{"level_2_all_referrals", func(ctx context.Context, c *rh.ClientWithResponses, p *rh.ListLevel1ReferralsParams) (*rh.SubscribersEnvelope, error) {
			r, err := c.ListLevel2AllReferralsWithResponse(ctx, listUUID, boID, (*rh.ListLevel2AllReferralsParams)(p))
			if err != nil {
				return nil, err
			}
			return r.JSON200, nil
		}},
		{"level_3_all_referrals", func(ctx context.Context, c *rh.ClientWithResponses, p *rh.ListLevel1ReferralsParams) (*rh.SubscribersEnvelope, error) {
			r, err := c.ListLevel3AllReferralsWithResponse(ctx, listUUID, boID, (*rh.ListLevel3AllReferralsParams)(p))
			if err != nil {
				return nil, err
			}
			return r.JSON200, nil
		}},
	}
	cases := []apiCase{
		{
			name: "getSubscriberByCode", auth: authBearer, method: http.MethodGet, path: subPath + "/retrieve_by_mwr",
			query: url.Values{"mwr": {"bo-1f9e"}}, status: 200, file: "getSubscriberByEmail.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				resp, err := c.GetSubscriberByCodeWithResponse(ctx, listUUID, &rh.GetSubscriberByCodeParams{Mwr: "bo-1f9e"})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				checkResult(t, r.Data, boID, rh.SubscriberActionSubscriberRetrieved)
				eq(t, "code", r.Data.Code, "bo-1f9e")
			},
		},
		{
			name: "listRewards", auth: authQuery, method: http.MethodGet, path: "/lists/" + listUUID + "/rewards",
			query: url.Values{"status": {"pending"}}, status: 200, file: "listSubscriberRewards.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				st := rh.UnlockedRewardStatusPending
				resp, err := c.ListRewardsWithResponse(ctx, listUUID, &rh.ListRewardsParams{Status: &st})
				if err != nil {
					t.Fatal(err)
				}
				r := val(t, "JSON200", resp.JSON200)
				eq(t, "rewards[0].id", r.Data.Rewards[0].Id, 1795)
				checkPagination(t, r.Data.Pagination, 1, 1, 10, 1)
			},
		},
	}
	for _, lv := range levels {
		cases = append(cases, apiCase{
			name: lv.segment, auth: authHeader, method: http.MethodGet, path: subPath + "/" + boID + "/" + lv.segment,
			query: url.Values{"page": {"1"}}, status: 200, file: "listReferredSubscribers.json",
			run: func(t *testing.T, ctx context.Context, c *rh.ClientWithResponses) {
				r, err := lv.call(ctx, c, &rh.ListLevel1ReferralsParams{Page: ptr(1)})
				if err != nil {
					t.Fatal(err)
				}
				if r == nil || len(r.Data.Subscribers) != 1 {
					t.Fatalf("want one decoded subscriber, got %+v", r)
				}
				checkAna(t, r.Data.Subscribers[0])
			},
		})
	}
	runCases(t, cases)
}

// router records which operation the generated gorilla router dispatched
// to. Only the operations whose static path segments compete with
// {subscriber_id} are implemented; anything else panics via the nil
// embedded interface and fails the test.
type router struct {
	referralheroserver.ServerInterface
	got string
}

func (s *router) GetSubscriber(http.ResponseWriter, *http.Request, rh.Uuid, rh.SubscriberId) {
	s.got = "getSubscriber"
}
func (s *router) UpdateSubscriber(http.ResponseWriter, *http.Request, rh.Uuid, rh.SubscriberId) {
	s.got = "updateSubscriber"
}
func (s *router) GetSubscriberByEmail(http.ResponseWriter, *http.Request, rh.Uuid, rh.GetSubscriberByEmailParams) {
	s.got = "getSubscriberByEmail"
}
func (s *router) GetSubscriberByCode(http.ResponseWriter, *http.Request, rh.Uuid, rh.GetSubscriberByCodeParams) {
	s.got = "getSubscriberByCode"
}
func (s *router) AddPoints(http.ResponseWriter, *http.Request, rh.Uuid) { s.got = "addPoints" }
func (s *router) AddTransactions(http.ResponseWriter, *http.Request, rh.Uuid) {
	s.got = "addTransactions"
}
func (s *router) ConfirmSubscriberByIdentifier(http.ResponseWriter, *http.Request, rh.Uuid) {
	s.got = "confirmSubscriberByIdentifier"
}
func (s *router) TrackReferralConversionEvent(http.ResponseWriter, *http.Request, rh.Uuid) {
	s.got = "trackReferralConversionEvent"
}
func (s *router) UpdateRewardStatus(http.ResponseWriter, *http.Request, rh.Uuid) {
	s.got = "updateRewardStatus"
}

// TestStaticSegmentsWinOverSubscriberID checks that the spec's path order
// makes the generated router send the vendor's static sub-paths to their own
// operations rather than to the {subscriber_id} routes.
func TestStaticSegmentsWinOverSubscriberID(t *testing.T) {
	t.Parallel()
	base := "/lists/" + listUUID + "/subscribers"
	cases := []struct{ method, target, want string }{
		{http.MethodGet, base + "/" + anaID, "getSubscriber"},
		{http.MethodPost, base + "/" + anaID, "updateSubscriber"},
		{http.MethodGet, base + "/retrieve_by_email?email=bo%40example.org", "getSubscriberByEmail"},
		{http.MethodGet, base + "/retrieve_by_mwr?mwr=bo-1f9e", "getSubscriberByCode"},
		{http.MethodPost, base + "/add_points", "addPoints"},
		{http.MethodPost, base + "/add_transactions", "addTransactions"},
		{http.MethodPost, base + "/confirm", "confirmSubscriberByIdentifier"},
		{http.MethodPost, base + "/track_referral_conversion_event", "trackReferralConversionEvent"},
		{http.MethodPost, base + "/update_reward_status", "updateRewardStatus"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			t.Parallel()
			s := &router{}
			h := referralheroserver.HandlerWithOptions(s, referralheroserver.GorillaServerOptions{})
			req, err := http.NewRequest(tc.method, "http://proxy.test"+tc.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			eq(t, "dispatched to", s.got, tc.want)
		})
	}
}
