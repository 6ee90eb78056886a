package referralrocket_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
)

const (
	goldenServer   = referralrocket.DefaultBaseURL
	goldenCampaign = "JCu82f30F1"
	goldenKey      = "rr-golden-key"
)

// goldenCall is one request the backend must send and the documented
// payload that answers it.
type goldenCall struct {
	method string
	path   string
	query  url.Values
	// bodyFile is the documented request body the backend must send.
	bodyFile string
	// respFile is the documented answer; respBody overrides it.
	respFile string
	respBody string
	status   int
}

// goldenFixture reads a documented payload.
func goldenFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "referralrocket", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// goldenBackend serves calls, in order, to a backend through httpmock and
// checks each request's method, path, query, body and API key; it fails
// the test unless exactly those calls were made.
func goldenBackend(t *testing.T, opts referralrocket.BackendOptions, calls ...goldenCall) *referralrocket.Backend {
	t.Helper()
	mock := httpmock.NewMockTransport()
	next := 0
	mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		if next >= len(calls) {
			t.Errorf("unexpected request %s %s", req.Method, req.URL)
			return httpmock.NewStringResponse(http.StatusTeapot, ""), nil
		}
		c := calls[next]
		next++
		if req.Method != c.method || req.URL.Path != c.path {
			t.Errorf("request %d = %s %s, want %s %s", next, req.Method, req.URL.Path, c.method, c.path)
		}
		if req.URL.Scheme+"://"+req.URL.Host != goldenServer {
			t.Errorf("request %d host = %s", next, req.URL.Host)
		}
		if !reflect.DeepEqual(req.URL.Query(), c.query) && (len(c.query) > 0 || len(req.URL.Query()) > 0) {
			t.Errorf("request %d query = %v, want %v", next, req.URL.Query(), c.query)
		}
		if got := req.Header.Get("X-API-Key"); got != opts.APIKey {
			t.Errorf("request %d X-API-Key = %q, want %q", next, got, opts.APIKey)
		}
		if c.bodyFile != "" {
			var want, got any
			if err := json.Unmarshal(goldenFixture(t, c.bodyFile), &want); err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(req.Body)
			if err := json.Unmarshal(raw, &got); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("request %d body = %s, want %v", next, raw, want)
			}
			if ct := req.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("request %d Content-Type = %q", next, ct)
			}
		}
		body := []byte(c.respBody)
		if c.respFile != "" {
			body = goldenFixture(t, c.respFile)
		}
		status := c.status
		if status == 0 {
			status = http.StatusOK
		}
		resp := httpmock.NewBytesResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	t.Cleanup(func() {
		if next != len(calls) {
			t.Errorf("backend made %d requests, want %d", next, len(calls))
		}
	})
	opts.HTTPClient = &http.Client{Transport: mock}
	b, err := referralrocket.NewBackend(&opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func goldenTime(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts.UTC()
}

func usd(amount int64) canonical.Money { return canonical.Money{Amount: amount, Currency: "USD"} }

// goldenJohn is the documented participant johndoe@example.com.
func goldenJohn(t *testing.T) canonical.Participant {
	p := canonical.Participant{
		ID: "johndoe@example.com", CampaignID: goldenCampaign, Email: "johndoe@example.com",
		FirstName: "john", LastName: "doe", ReferralCode: "8Mnu09TD",
		ReferralState: canonical.StatePending,
		CreatedAt:     goldenTime(t, "2023-11-04T15:41:08.828Z"),
		Stats:         canonical.ParticipantStats{ReferredRewards: usd(2000)},
		Fraud:         canonical.Fraud{Risk: canonical.RiskLow},
	}
	p.Native.Set(canonical.ReferralRocket, "fraudScore", "Low")
	p.Native.Set(canonical.ReferralRocket, "shareLink", "https://referralrocket.io/campaign?id=JCu82f30F1&referralCode=8Mnu09TD")
	p.Native.Set(canonical.ReferralRocket, "referredByCode", "7ZZp9eBG")
	return p
}

// goldenPat is the documented participant pat@example.com referred by
// the given code.
func goldenPat(t *testing.T, referredBy, referrerID string) canonical.Participant {
	p := canonical.Participant{
		ID: "pat@example.com", CampaignID: goldenCampaign, Email: "pat@example.com",
		ReferralCode: "Qm4t7Rx2", ReferrerID: referrerID, ReferralState: canonical.StatePending,
		CreatedAt: goldenTime(t, "2024-05-01T10:00:00Z"),
		Stats:     canonical.ParticipantStats{ReferredRewards: usd(2000)},
	}
	p.Native.Set(canonical.ReferralRocket, "fraudScore", "")
	p.Native.Set(canonical.ReferralRocket, "shareLink", "https://referralrocket.io/campaign?id=JCu82f30F1&referralCode=Qm4t7Rx2")
	p.Native.Set(canonical.ReferralRocket, "referredByCode", referredBy)
	return p
}

func goldenCampaignValue(t *testing.T) canonical.Campaign {
	created := goldenTime(t, "2023-10-11T00:36:27.753Z")
	end := goldenTime(t, "2024-10-11T00:36:27.753Z")
	c := canonical.Campaign{
		ID: goldenCampaign, Name: "Q4 Growth Program", Kind: canonical.ReferralProgram,
		Status: canonical.CampaignActive, Currency: "USD", URL: "https://referralrocket.io/campaign",
		CreatedAt: created, EndsAt: &end,
	}
	c.Native.Set(canonical.ReferralRocket, "shareWidgetHeader", "Refer a friend and win")
	c.Native.Set(canonical.ReferralRocket, "shareWidgetDescription", "Use your unique link to give friends $20 off their first order, and you'll get $20 when they make a purchase.")
	c.Native.Set(canonical.ReferralRocket, "rewardType", "Monetary")
	rule := canonical.RewardRule{
		ID: goldenCampaign, CampaignID: goldenCampaign, Kind: canonical.DoubleSided,
		Title:       "Refer a friend and win",
		Description: "Give friends $20 off their first order, and you'll get $20 when they make a purchase.",
		Threshold:   1, ReferrerValue: usd(2000), ReferredValue: usd(2000), CreatedAt: created,
	}
	rule.Native.Set(canonical.ReferralRocket, "rewardType", "Monetary")
	c.Rules = []canonical.RewardRule{rule}
	return c
}

var (
	getCampaignCall = goldenCall{method: http.MethodGet, path: "/api/v1/getCampaign",
		query: url.Values{"id": {goldenCampaign}}, respFile: "getCampaign.json"}
	participantNotFound = `{"timestamp":"2024-05-01T10:00:00.000+00:00","status":404,"error":"Not Found","message":"Participant not found","path":"/api/v1/getParticipant"}`
)

func TestGoldenBackend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	keyed := referralrocket.BackendOptions{APIKey: goldenKey, NoReferrerLookup: true}
	tests := []struct {
		name  string
		opts  referralrocket.BackendOptions
		calls []goldenCall
		run   func(*referralrocket.Backend) (any, error)
		want  func(*testing.T) any
	}{{
		name:  "GetCampaign",
		opts:  keyed,
		calls: []goldenCall{getCampaignCall},
		run:   func(b *referralrocket.Backend) (any, error) { return b.GetCampaign(ctx, goldenCampaign) },
		want:  func(t *testing.T) any { return goldenCampaignValue(t) },
	}, {
		name:  "GetCampaign without a key, default campaign",
		opts:  referralrocket.BackendOptions{CampaignID: goldenCampaign},
		calls: []goldenCall{getCampaignCall},
		run:   func(b *referralrocket.Backend) (any, error) { return b.GetCampaign(ctx, "") },
		want:  func(t *testing.T) any { return goldenCampaignValue(t) },
	}, {
		name:  "ListRewardRules",
		opts:  keyed,
		calls: []goldenCall{getCampaignCall},
		run:   func(b *referralrocket.Backend) (any, error) { return b.ListRewardRules(ctx, goldenCampaign) },
		want:  func(t *testing.T) any { return goldenCampaignValue(t).Rules },
	}, {
		name:  "CampaignStats",
		opts:  keyed,
		calls: []goldenCall{getCampaignCall},
		run:   func(b *referralrocket.Backend) (any, error) { return b.CampaignStats(ctx, goldenCampaign) },
		want:  func(*testing.T) any { return canonical.CampaignStats{Participants: 8} },
	}, {
		name: "GetParticipant by ID",
		opts: keyed,
		calls: []goldenCall{{method: http.MethodGet, path: "/api/v1/getParticipant",
			query: url.Values{"id": {goldenCampaign}, "email": {"johndoe@example.com"}}, respFile: "getParticipant.json"}},
		run: func(b *referralrocket.Backend) (any, error) {
			return b.GetParticipant(ctx, goldenCampaign, canonical.ByID("johndoe@example.com"))
		},
		want: func(t *testing.T) any { return goldenJohn(t) },
	}, {
		name: "GetParticipant by code resolves code and referrer by scanning",
		opts: referralrocket.BackendOptions{APIKey: goldenKey},
		calls: []goldenCall{
			{method: http.MethodGet, path: "/api/v1/validateCode",
				query: url.Values{"campaignId": {goldenCampaign}, "code": {"Qm4t7Rx2"}}, respFile: "validateCode.json"},
			{method: http.MethodGet, path: "/api/v1/getAllParticipants",
				query: url.Values{"id": {goldenCampaign}, "page": {"0"}, "size": {"500"}, "sort": {"createdOn,asc"}}, respFile: "getReferrals.json"},
			{method: http.MethodGet, path: "/api/v1/getParticipant",
				query: url.Values{"id": {goldenCampaign}, "email": {"pat@example.com"}}, respFile: "addParticipant.json"},
			// pat's referrer 7ZZp9eBG is not in the campaign's one page.
			{method: http.MethodGet, path: "/api/v1/getAllParticipants",
				query: url.Values{"id": {goldenCampaign}, "page": {"0"}, "size": {"500"}, "sort": {"createdOn,asc"}}, respFile: "getAllParticipants.json"},
		},
		run: func(b *referralrocket.Backend) (any, error) {
			return b.GetParticipant(ctx, goldenCampaign, canonical.ByCode("Qm4t7Rx2"))
		},
		want: func(t *testing.T) any { return goldenPat(t, "7ZZp9eBG", "") },
	}, {
		name: "CreateParticipant",
		opts: keyed,
		calls: []goldenCall{
			{method: http.MethodGet, path: "/api/v1/getParticipant",
				query: url.Values{"id": {goldenCampaign}, "email": {"pat@example.com"}}, respBody: participantNotFound, status: http.StatusNotFound},
			{method: http.MethodPost, path: "/api/v1/addParticipant", bodyFile: "addParticipant.request.json", respFile: "addParticipant.json"},
		},
		run: func(b *referralrocket.Backend) (any, error) {
			in := canonical.NewParticipant{Referrer: canonical.ByCode("7ZZp9eBG")}
			in.CampaignID, in.Email = goldenCampaign, "pat@example.com"
			p, created, err := b.CreateParticipant(ctx, in)
			if err == nil && !created {
				err = errors.New("created = false")
			}
			return p, err
		},
		want: func(t *testing.T) any { return goldenPat(t, "7ZZp9eBG", "") },
	}, {
		name: "CreateParticipant of a known email",
		opts: keyed,
		calls: []goldenCall{{method: http.MethodGet, path: "/api/v1/getParticipant",
			query: url.Values{"id": {goldenCampaign}, "email": {"johndoe@example.com"}}, respFile: "getParticipant.json"}},
		run: func(b *referralrocket.Backend) (any, error) {
			in := canonical.NewParticipant{}
			in.CampaignID, in.Email = goldenCampaign, "johndoe@example.com"
			p, created, err := b.CreateParticipant(ctx, in)
			if err == nil && created {
				err = errors.New("created = true")
			}
			return p, err
		},
		want: func(t *testing.T) any { return goldenJohn(t) },
	}, {
		name: "ListParticipants",
		opts: keyed,
		calls: []goldenCall{{method: http.MethodGet, path: "/api/v1/getAllParticipants",
			query: url.Values{"id": {goldenCampaign}, "page": {"0"}, "size": {"20"}, "sort": {"createdOn,desc"}}, respFile: "getAllParticipants.json"}},
		run: func(b *referralrocket.Backend) (any, error) {
			return b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: goldenCampaign})
		},
		want: func(t *testing.T) any {
			return canonical.Page[canonical.Participant]{Items: []canonical.Participant{goldenJohn(t)}, Total: 1}
		},
	}, {
		name: "ListParticipants of a referrer, second page",
		opts: referralrocket.BackendOptions{APIKey: goldenKey},
		calls: []goldenCall{{method: http.MethodGet, path: "/api/v1/getReferrals",
			query: url.Values{"id": {goldenCampaign}, "email": {"johndoe@example.com"}, "page": {"1"}, "size": {"1"}, "sort": {"email,asc"}}, respFile: "getReferrals.json"}},
		run: func(b *referralrocket.Backend) (any, error) {
			first, err := b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: "nowhere", ListOptions: canonical.ListOptions{Limit: 1, Cursor: "junk"}})
			if !canonical.IsCode(err, canonical.Invalid) {
				return first, errors.New("junk cursor accepted")
			}
			return b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: goldenCampaign, ReferrerID: "johndoe@example.com",
				Sort: canonical.SortEmailAsc, ListOptions: canonical.ListOptions{Limit: 50, Cursor: cursorFor(t, 1, 1)}})
		},
		want: func(t *testing.T) any {
			return canonical.Page[canonical.Participant]{Items: []canonical.Participant{goldenPat(t, "8Mnu09TD", "johndoe@example.com")},
				NextCursor: cursorFor(t, 2, 1), Total: -1}
		},
	}, {
		name: "ListReferrals",
		opts: referralrocket.BackendOptions{APIKey: goldenKey},
		calls: []goldenCall{{method: http.MethodGet, path: "/api/v1/getReferrals",
			query: url.Values{"id": {goldenCampaign}, "email": {"johndoe@example.com"}, "page": {"0"}, "size": {"20"}, "sort": {"createdOn,desc"}}, respFile: "getReferrals.json"}},
		run: func(b *referralrocket.Backend) (any, error) {
			return b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: goldenCampaign, ReferrerID: "johndoe@example.com"})
		},
		want: func(t *testing.T) any {
			at := goldenTime(t, "2024-05-01T10:00:00Z")
			r := canonical.Referral{ID: "pat@example.com", CampaignID: goldenCampaign, ReferrerID: "johndoe@example.com",
				ReferredID: "pat@example.com", Email: "pat@example.com", State: canonical.StatePending, LeadAt: &at, CreatedAt: at}
			r.Native.Set(canonical.ReferralRocket, "referredByCode", "8Mnu09TD")
			return canonical.Page[canonical.Referral]{Items: []canonical.Referral{r}, Total: 1}
		},
	}, {
		name:  "QualifyReferral",
		opts:  keyed,
		calls: []goldenCall{{method: http.MethodPost, path: "/api/v1/qualifyParticipant", bodyFile: "qualifyParticipant.request.json", respFile: "qualifyParticipant.json"}},
		run: func(b *referralrocket.Backend) (any, error) {
			return b.QualifyReferral(ctx, goldenCampaign, canonical.ByEmail("johndoe@example.com"), usd(25000))
		},
		want: func(t *testing.T) any { return goldenJohn(t) },
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := goldenBackend(t, tc.opts, tc.calls...)
			got, err := tc.run(b)
			if err != nil {
				t.Fatal(err)
			}
			if want := tc.want(t); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// cursorFor builds the cursor of a Spring page: the backend's cursors are
// opaque to callers, but the golden test pins their encoding.
func cursorFor(t *testing.T, page, size int) string {
	t.Helper()
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(page) + ":" + strconv.Itoa(size)))
}

func TestGoldenBackendError(t *testing.T) {
	t.Parallel()
	b := goldenBackend(t, referralrocket.BackendOptions{APIKey: goldenKey},
		goldenCall{method: http.MethodGet, path: "/api/v1/getCampaign", query: url.Values{"id": {goldenCampaign}},
			respFile: "getCampaign.404.json", status: http.StatusNotFound})
	_, err := b.GetCampaign(context.Background(), goldenCampaign)
	var ce *canonical.Error
	if !errors.As(err, &ce) || ce.Code != canonical.NotFound || ce.Message != "Campaign not found" {
		t.Fatalf("err = %v", err)
	}
	var apiErr *referralrocket.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("no APIError in %v", err)
	}
	want := referralrocket.APIError{StatusCode: 404, Body: goldenFixture(t, "getCampaign.404.json"),
		Reason: "Not Found", Message: "Campaign not found", Path: "/api/v1/getCampaign"}
	if !reflect.DeepEqual(*apiErr, want) {
		t.Errorf("APIError = %+v, want %+v", *apiErr, want)
	}
}

// TestOutboundErrorCodes pins the status → code table of the outbound
// mapper.
func TestOutboundErrorCodes(t *testing.T) {
	t.Parallel()
	for status, code := range map[int]canonical.Code{
		400: canonical.Invalid, 401: canonical.Unauthorized, 403: canonical.Forbidden, 404: canonical.NotFound,
		409: canonical.Conflict, 422: canonical.Invalid, 429: canonical.RateLimited, 500: canonical.Internal,
		502: canonical.Unavailable, 503: canonical.Unavailable, 504: canonical.DeadlineExceeded, 418: canonical.Internal,
	} {
		b := goldenBackend(t, referralrocket.BackendOptions{},
			goldenCall{method: http.MethodGet, path: "/api/v1/getCampaign", query: url.Values{"id": {goldenCampaign}},
				respBody: `{"status":0,"error":"x","message":"secret detail","path":"/"}`, status: status})
		_, err := b.GetCampaign(context.Background(), goldenCampaign)
		if got := canonical.CodeOf(err); got != code {
			t.Errorf("%d: code %q, want %q", status, got, code)
		}
		if code.Uncertain() && canonical.MessageOf(err) == "secret detail" {
			t.Errorf("%d: internal message leaked", status)
		}
	}
	// A 200 whose body does not decode is Internal.
	b := goldenBackend(t, referralrocket.BackendOptions{},
		goldenCall{method: http.MethodGet, path: "/api/v1/getCampaign", query: url.Values{"id": {goldenCampaign}}, respBody: "<html>"})
	_, err := b.GetCampaign(context.Background(), goldenCampaign)
	if got := canonical.CodeOf(err); got != canonical.Internal {
		t.Errorf("bad 200 body: code %q", got)
	}
}
