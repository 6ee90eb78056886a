package referralrocket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// testdata is the vendor's documented payloads (read-only).
const testdata = "../../testdata/referralrocket"

// documented reads a documented payload as generic JSON.
func documented(t *testing.T, name string) any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// rendered encodes v and reads it back as generic JSON, so JSON types and
// null/absent keys compare exactly.
func rendered(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// docCampaign is the documented campaign's page: the vendor's hosted page.
var docCampaign = campaignRef{ID: "JCu82f30F1", URL: "https://referralrocket.io/campaign"}

// docParticipant builds a canonical participant like the documented ones.
func docParticipant(t *testing.T, email, first, last, code, created string, referred, apiCreated bool) canonical.Participant {
	p := canonical.Participant{
		Email: email, FirstName: first, LastName: last, ReferralCode: code,
		CreatedAt: mustTime(t, created), Fraud: canonical.Fraud{Risk: canonical.RiskLow},
	}
	if referred {
		p.ReferrerID = "7"
		p.Stats.ReferredRewards = canonical.Money{Amount: 2000, Currency: "USD"}
	}
	if apiCreated {
		p.Native.Set(canonical.ReferralRocket, nativeFraudScore, "")
	}
	return p
}

// inconsistentExamples are documented values that are per-field schema
// examples rather than one coherent object: the docs show refereeReward 20
// with refereeRewardRedeemed 0 and refereeRewardBalance 0, while a balance
// is what is left after redemption (20). Only their JSON type is compared.
var inconsistentExamples = []string{"refereeRewardBalance"}

// compareDocumented compares a rendered object with a documented one: the
// same keys, the same JSON types, and the same values except for
// inconsistentExamples.
func compareDocumented(t *testing.T, got, want any) {
	t.Helper()
	switch w := want.(type) {
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			t.Fatalf("got %v, want %v", got, want)
		}
		for i := range w {
			compareDocumented(t, g[i], w[i])
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Fatalf("got %v, want an object", got)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				t.Errorf("extra key %q", k)
			}
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				t.Errorf("missing key %q", k)
				continue
			}
			if reflect.TypeOf(gv) != reflect.TypeOf(wv) {
				t.Errorf("%s: type %T, want %T", k, gv, wv)
				continue
			}
			skip := false
			for _, s := range inconsistentExamples {
				skip = skip || s == k
			}
			if !skip && !reflect.DeepEqual(gv, wv) {
				t.Errorf("%s: %v, want %v", k, gv, wv)
			}
		}
	default:
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestGoldenParticipants(t *testing.T) {
	t.Parallel()
	john := docParticipant(t, "johndoe@example.com", "john", "doe", "8Mnu09TD", "2023-11-04T15:41:08.828Z", true, false)
	pat := docParticipant(t, "pat@example.com", "", "", "Qm4t7Rx2", "2024-05-01T10:00:00Z", true, true)
	tests := []struct {
		file string
		v    any
	}{
		{"addParticipant.json", toParticipant(pat, docCampaign, ptr("7ZZp9eBG"))},
		{"getParticipant.json", toParticipant(john, docCampaign, ptr("7ZZp9eBG"))},
		{"qualifyParticipant.json", toParticipant(john, docCampaign, ptr("7ZZp9eBG"))},
		{"getAllParticipants.json", []participantResponse{toParticipant(john, docCampaign, ptr("7ZZp9eBG"))}},
		{"getReferrals.json", []participantResponse{toParticipant(pat, docCampaign, ptr("8Mnu09TD"))}},
		{"validateCode.json", true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			compareDocumented(t, rendered(t, tt.v), documented(t, tt.file))
		})
	}
}

func TestGoldenDirectParticipant(t *testing.T) {
	t.Parallel()
	p := docParticipant(t, "lee@example.com", "", "", "Ab3dE5fG", "2025-01-01T00:00:00Z", false, true)
	got := rendered(t, toParticipant(p, docCampaign, nil)).(map[string]any)
	if v, ok := got["referredByCode"]; !ok || v != nil {
		t.Fatalf("direct participant's referredByCode = %v (present %v), want null", v, ok)
	}
}

func TestGoldenCampaign(t *testing.T) {
	t.Parallel()
	end := mustTime(t, "2024-10-11T00:36:27.753Z")
	c := canonical.Campaign{
		Name: "Q4 Growth Program", Status: canonical.CampaignActive, URL: "https://referralrocket.io/campaign",
		CreatedAt: mustTime(t, "2023-10-11T00:36:27.753Z"), EndsAt: &end, Currency: "USD",
		Rules: []canonical.RewardRule{{
			Kind: canonical.DoubleSided, Title: "Refer a friend and win",
			Description:   "Give friends $20 off their first order, and you'll get $20 when they make a purchase.",
			ReferrerValue: canonical.Money{Amount: 2000, Currency: "USD"}, ReferredValue: canonical.Money{Amount: 2000, Currency: "USD"},
			ReferredAtSignup: true,
		}},
	}
	c.Native.Set(canonical.ReferralRocket, nativeShareWidgetDescription,
		"Use your unique link to give friends $20 off their first order, and you'll get $20 when they make a purchase.")
	got, want := rendered(t, toCampaign(c, "JCu82f30F1", 8)), documented(t, "getCampaign.json")
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("getCampaign\n got %v\nwant %v", got, want)
	}
	// Without an end date, end is an explicit null.
	c.EndsAt = nil
	if m := rendered(t, toCampaign(c, "JCu82f30F1", 8)).(map[string]any); m["end"] != nil {
		t.Fatalf("end = %v", m["end"])
	}
}

func TestGoldenError(t *testing.T) {
	t.Parallel()
	err := canonical.Wrap(canonical.NotFound, errors.New(`campaign "12" not found`), msgCampaignNotFound)
	status, body := inboundError(err, "/api/v1/getCampaign", mustTime(t, "2024-05-01T10:00:00Z"))
	if status != 404 {
		t.Fatalf("status %d", status)
	}
	if got, want := rendered(t, body), documented(t, "getCampaign.404.json"); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestInboundErrorStatuses(t *testing.T) {
	t.Parallel()
	now := mustTime(t, "2024-05-01T10:00:00Z")
	tests := []struct {
		err    error
		status int
		msg    string
	}{
		{canonical.Errorf(canonical.Invalid, "email is required"), 400, "email is required"},
		{canonical.Errorf(canonical.Unauthorized, "Invalid API key"), 401, "Invalid API key"},
		{canonical.Errorf(canonical.Forbidden, "no"), 403, "no"},
		{canonical.Errorf(canonical.Conflict, "taken"), 409, "taken"},
		{canonical.Errorf(canonical.RateLimited, "slow down"), 429, "slow down"},
		{canonical.Errorf(canonical.NotImplemented, "unsupported"), 501, "unsupported"},
		{canonical.Wrap(canonical.Internal, errors.New("secret dsn"), "db"), 500, "Internal Server Error"},
		{errors.New("plain failure"), 500, "Internal Server Error"},
		{canonical.Wrap(canonical.Unavailable, errors.New("dial tcp: connection refused"), "store down"), 503, "Service Unavailable"},
		{canonical.Wrap(canonical.DeadlineExceeded, errors.New("i/o timeout"), "slow"), 504, "Gateway Timeout"},
		{canonical.Wrap(canonical.Canceled, context.Canceled, "request canceled"), 499, "Client Closed Request"},
		{fmt.Errorf("engine: %w", context.DeadlineExceeded), 504, "Gateway Timeout"},
	}
	for _, tt := range tests {
		status, body := inboundError(tt.err, "/api/v1/x", now)
		if status != tt.status || body.Status != tt.status || body.Message != tt.msg || body.Timestamp != "2024-05-01T10:00:00.000+00:00" {
			t.Errorf("%v: %d %+v", tt.err, status, body)
		}
	}
}

func TestGoldenRequests(t *testing.T) {
	t.Parallel()
	var add addParticipantRequest
	data, err := os.ReadFile(filepath.Join(testdata, "addParticipant.request.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &add); err != nil {
		t.Fatal(err)
	}
	in := toNewParticipant(add, "42")
	if in.CampaignID != "42" || in.Email != "pat@example.com" || in.Referrer != canonical.ByCode("7ZZp9eBG") {
		t.Fatalf("addParticipant input %+v", in)
	}
	if v, ok := in.Native.Get(canonical.ReferralRocket, nativeFraudScore); !ok || v != "" {
		t.Fatalf("API-created marker %v %v", v, ok)
	}
	byEmail := toNewParticipant(addParticipantRequest{ID: "x", Email: "a@example.com", ReferredByEmail: "b@example.com"}, "42")
	if byEmail.Referrer != canonical.ByEmail("b@example.com") {
		t.Fatalf("referredByEmail input %+v", byEmail.Referrer)
	}

	var q qualifyParticipantRequest
	if data, err = os.ReadFile(filepath.Join(testdata, "qualifyParticipant.request.json")); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &q); err != nil {
		t.Fatal(err)
	}
	m, err := purchaseAmount(*q.Amount, "USD")
	if err != nil || m != (canonical.Money{Amount: 25000, Currency: "USD"}) || q.Email != "johndoe@example.com" || q.ID != "JCu82f30F1" {
		t.Fatalf("qualify input %+v %v", m, err)
	}
}

func TestAmounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount   float64
		currency string
		want     int64
		fail     bool
	}{
		{250, "USD", 25000, false},
		{250.07, "USD", 25007, false},
		{1500, "JPY", 1500, false},
		{0, "EUR", 0, false},
		{-1, "USD", 0, true},
		{1e300, "USD", 0, true},
	}
	for _, tt := range tests {
		m, err := purchaseAmount(tt.amount, tt.currency)
		if (err != nil) != tt.fail || !tt.fail && m.Amount != tt.want {
			t.Errorf("purchaseAmount(%v, %s) = %+v, %v", tt.amount, tt.currency, m, err)
		}
	}
	if got := rewardUnits(canonical.Money{Amount: 2050, Currency: "USD"}); got != 20 {
		t.Errorf("rewardUnits = %d", got)
	}
	if got := rewardValue(canonical.Money{Amount: 2050, Currency: "USD"}); got != 20.5 {
		t.Errorf("rewardValue = %v", got)
	}
}

func TestShareLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, want string
	}{
		{"https://referralrocket.io/campaign", "https://referralrocket.io/campaign?id=JCu82f30F1&referralCode=Ab3dE5fG"},
		{"https://shop.example.com", "https://shop.example.com?id=JCu82f30F1&referralCode=Ab3dE5fG"},
		{"https://shop.example.com/join?utm=x", "https://shop.example.com/join?utm=x&id=JCu82f30F1&referralCode=Ab3dE5fG"},
		{"", "https://referralrocket.io/campaign?id=JCu82f30F1&referralCode=Ab3dE5fG"},
	}
	for _, tt := range tests {
		if got := shareLink(campaignRef{ID: "JCu82f30F1", URL: tt.url}, "Ab3dE5fG"); got != tt.want {
			t.Errorf("shareLink(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

func TestSortOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   []string
		want canonical.ParticipantSort
		fail bool
	}{
		{nil, canonical.SortOldest, false},
		{[]string{"createdOn"}, canonical.SortOldest, false},
		{[]string{"createdOn,desc"}, canonical.SortNewest, false},
		{[]string{"email,DESC", "createdOn,asc"}, canonical.SortEmailDesc, false},
		{[]string{"totalReferrals,desc"}, canonical.SortReferralsDesc, false},
		{[]string{"lastName,asc"}, canonical.SortNameAsc, false},
		{[]string{"shoeSize"}, "", true},
		{[]string{"email,sideways"}, "", true},
	}
	for _, tt := range tests {
		got, err := sortOf(tt.in)
		if (err != nil) != tt.fail || got != tt.want {
			t.Errorf("sortOf(%v) = %q, %v", tt.in, got, err)
		}
	}
}

func TestCampaignStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in            canonical.CampaignStatus
		word          string
		paused, ended bool
	}{
		{canonical.CampaignActive, "Active", false, false},
		{canonical.CampaignPaused, "Pause", true, false},
		{canonical.CampaignDraft, "Pause", true, false},
		{canonical.CampaignEnded, "End", false, true},
	}
	for _, tt := range tests {
		w, p, e := campaignStatus(tt.in)
		if w != tt.word || p != tt.paused || e != tt.ended {
			t.Errorf("campaignStatus(%s) = %s %v %v", tt.in, w, p, e)
		}
	}
}

func ptr[T any](v T) *T { return &v }
