package referralrocket_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	rrapi "github.com/refbridge/refbridge/client/referralrocket"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// countingTransport counts the requests that reach the network.
type countingTransport struct {
	n    atomic.Int64
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	next := c.next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}

// bkCampaign qualifies referrals on purchase and pays $20 to the referrer
// and $10 to the referee at signup, like a Referral Rocket program.
var bkCampaign = canonical.Campaign{
	Qualification: canonical.QualifyOnEvent,
	Currency:      "USD",
	Rules: []canonical.RewardRule{{
		Kind: canonical.DoubleSided, Title: "Refer a friend and win", Description: "Both sides win",
		ReferrerValue: canonical.Money{Amount: 2000, Currency: "USD"}, ReferredValue: canonical.Money{Amount: 1000, Currency: "USD"},
		ReferredAtSignup: true, Unlimited: true,
	}},
}

// bkEnv is a backend talking to a proxy that serves only Referral Rocket.
type bkEnv struct {
	b        *referralrocket.Backend
	calls    *countingTransport
	campaign string // vendor campaign id
	tn       proxytest.Tenant
	srv      *proxytest.Server
}

// newBkEnv starts a proxy with one tenant running c and a backend for it.
func newBkEnv(t *testing.T, c canonical.Campaign) bkEnv {
	t.Helper()
	srv := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.ReferralRocket}})
	tn := srv.NewTenant(t, "acme", c)
	cid, ok := referralrocket.NewIDs(srv.Engine.IDSecret()).EncodeCampaignID(tn.Campaign.ID)
	if !ok {
		t.Fatalf("encode campaign %s", tn.Campaign.ID)
	}
	ct := &countingTransport{}
	b, err := referralrocket.NewBackend(&referralrocket.BackendOptions{
		BaseURL:    srv.URL,
		APIKey:     tn.Secret(canonical.ReferralRocket, canonical.APIKey),
		HTTPClient: &http.Client{Transport: ct},
	})
	if err != nil {
		t.Fatal(err)
	}
	return bkEnv{b: b, calls: ct, campaign: cid, tn: tn, srv: srv}
}

// create adds a participant and fails the test on error.
func (e bkEnv) create(t *testing.T, email string, referrer canonical.ParticipantRef) canonical.Participant {
	t.Helper()
	in := canonical.NewParticipant{Referrer: referrer}
	in.CampaignID, in.Email = e.campaign, email
	p, created, err := e.b.CreateParticipant(context.Background(), in)
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	if !created {
		t.Fatalf("create %s: created = false", email)
	}
	return p
}

func wantCode(t *testing.T, what string, err error, code canonical.Code) {
	t.Helper()
	if got := canonical.CodeOf(err); got != code {
		t.Errorf("%s: code %q (%v), want %q", what, got, err, code)
	}
}

func TestBackendParticipantsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newBkEnv(t, bkCampaign)

	alice := e.create(t, "alice@example.com", canonical.ParticipantRef{})
	if alice.ID != "alice@example.com" || alice.Email != "alice@example.com" || alice.CampaignID != e.campaign {
		t.Fatalf("alice = %+v", alice)
	}
	if len(alice.ReferralCode) != 8 || alice.ReferrerID != "" || alice.ReferralState != "" {
		t.Errorf("alice code/referrer/state = %q %q %q", alice.ReferralCode, alice.ReferrerID, alice.ReferralState)
	}
	if !alice.CreatedAt.Equal(proxytest.Start) {
		t.Errorf("alice CreatedAt = %v, want %v", alice.CreatedAt, proxytest.Start)
	}
	if got := alice.Native.String(canonical.ReferralRocket, "fraudScore"); got != "" {
		t.Errorf("fraudScore = %q", got)
	}
	if _, ok := alice.Native.Get(canonical.ReferralRocket, "fraudScore"); !ok {
		t.Error("fraudScore native value missing")
	}
	if got, want := alice.Native.String(canonical.ReferralRocket, "shareLink"), proxytest.SiteURL+"?id="+e.campaign+"&referralCode="+alice.ReferralCode; got != want {
		t.Errorf("shareLink = %q, want %q", got, want)
	}

	// Creating the same email again answers the existing participant.
	again, created, err := e.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: e.campaign, Email: "alice@example.com"}})
	if err != nil || created || !reflect.DeepEqual(again, alice) {
		t.Errorf("second create = %+v, %v, %v; want alice unchanged", again, created, err)
	}

	// Referred by code and by ID (the email).
	bob := e.create(t, "bob@example.com", canonical.ByCode(alice.ReferralCode))
	carol := e.create(t, "carol@example.com", canonical.ByID(alice.ID))
	for _, p := range []canonical.Participant{bob, carol} {
		if p.ReferrerID != alice.ID || p.ReferralState != canonical.StatePending {
			t.Errorf("%s: referrer %q state %q, want %q pending", p.Email, p.ReferrerID, p.ReferralState, alice.ID)
		}
		if got := p.Native.String(canonical.ReferralRocket, "referredByCode"); got != alice.ReferralCode {
			t.Errorf("%s: referredByCode = %q", p.Email, got)
		}
		if got := p.Stats.ReferredRewards; got != (canonical.Money{Amount: 1000, Currency: "USD"}) {
			t.Errorf("%s: referee reward = %+v, want $10", p.Email, got)
		}
	}

	// Every way of addressing alice answers the same participant.
	for _, ref := range []canonical.ParticipantRef{canonical.ByID(alice.ID), canonical.ByEmail("alice@example.com"), canonical.ByCode(alice.ReferralCode), canonical.ByIdentifier("alice@example.com")} {
		got, err := e.b.GetParticipant(ctx, e.campaign, ref)
		if err != nil {
			t.Fatalf("get %v: %v", ref, err)
		}
		if got.ID != alice.ID || got.ReferralCode != alice.ReferralCode || got.Stats.ReferredSignups != 2 || got.Stats.Referrals != 0 {
			t.Errorf("get %v = %+v, want alice with 2 referred signups, none credited", ref, got)
		}
	}

	// A fresh backend (no memo) resolves the referrer's code by scanning.
	fresh, err := referralrocket.NewBackend(&referralrocket.BackendOptions{BaseURL: e.srv.URL, APIKey: e.tn.Secret(canonical.ReferralRocket, canonical.APIKey), CampaignID: e.campaign})
	if err != nil {
		t.Fatal(err)
	}
	got, err := fresh.GetParticipant(ctx, "", canonical.ByID(bob.ID))
	if err != nil || got.ReferrerID != alice.ID {
		t.Errorf("fresh get bob = %+v, %v; want referrer %s", got, err, alice.ID)
	}
	off, err := referralrocket.NewBackend(&referralrocket.BackendOptions{BaseURL: e.srv.URL, APIKey: e.tn.Secret(canonical.ReferralRocket, canonical.APIKey), NoReferrerLookup: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := off.GetParticipant(ctx, e.campaign, canonical.ByID(bob.ID)); err != nil || got.ReferrerID != "" || got.Native.String(canonical.ReferralRocket, "referredByCode") != alice.ReferralCode {
		t.Errorf("lookup off: get bob = %+v, %v", got, err)
	}

	// Qualifying bob's purchase credits his referral and rewards alice.
	q, err := e.b.QualifyReferral(ctx, e.campaign, canonical.ByID(bob.ID), canonical.Money{Amount: 25000, Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	if !q.Stats.Qualified || q.ReferralState != canonical.StateCredited || q.ReferrerID != alice.ID {
		t.Errorf("qualified bob = %+v", q)
	}
	a2, err := e.b.GetParticipant(ctx, e.campaign, canonical.ByID(alice.ID))
	if err != nil {
		t.Fatal(err)
	}
	if a2.Stats.ReferrerRewards != (canonical.Money{Amount: 2000, Currency: "USD"}) {
		t.Errorf("alice referrer rewards = %+v, want $20", a2.Stats.ReferrerRewards)
	}
	if a2.Stats.Referrals != 1 || a2.Stats.ReferredSignups != 2 {
		t.Errorf("alice referrals = %d credited of %d, want 1 of 2", a2.Stats.Referrals, a2.Stats.ReferredSignups)
	}
	// The engine agrees on the referral it recorded through the surface.
	eb, err := e.tn.Backend.GetParticipant(ctx, e.tn.Campaign.ID, canonical.ByEmail("bob@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if eb.ReferralState != canonical.StateCredited {
		t.Errorf("engine: bob state = %q", eb.ReferralState)
	}
	_, err = e.b.QualifyReferral(ctx, e.campaign, canonical.ByID(alice.ID), canonical.Money{})
	wantCode(t, "qualify a direct participant", err, canonical.Invalid)

	// Lists.
	refs, err := e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: e.campaign, ReferrerID: alice.ID, Sort: canonical.SortOldest})
	if err != nil {
		t.Fatal(err)
	}
	if ids := participantIDs(refs.Items); !slices.Equal(ids, []string{bob.ID, carol.ID}) || refs.NextCursor != "" || refs.Total != 2 {
		t.Errorf("alice's referrals = %v next %q total %d", ids, refs.NextCursor, refs.Total)
	}
	byEmail, err := e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: e.campaign, Email: "carol@example.com"})
	if err != nil || len(byEmail.Items) != 1 || byEmail.Items[0].ID != carol.ID {
		t.Errorf("list by email = %+v, %v", byEmail, err)
	}
	rl, err := e.b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: e.campaign, ReferrerID: alice.ID, Oldest: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rl.Items) != 2 || rl.Items[0].ReferredID != bob.ID || rl.Items[0].State != canonical.StateCredited ||
		rl.Items[1].ReferredID != carol.ID || rl.Items[1].State != canonical.StatePending || rl.Items[1].ReferrerID != alice.ID {
		t.Errorf("referrals = %+v", rl.Items)
	}
	all, err := e.b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: e.campaign, States: []canonical.ReferralState{canonical.StatePending}})
	if err != nil || len(all.Items) != 1 || all.Items[0].ReferredID != carol.ID || all.Items[0].ReferrerID != alice.ID {
		t.Errorf("pending referrals = %+v, %v", all.Items, err)
	}
	one, err := e.b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: e.campaign, ReferredID: bob.ID})
	if err != nil || len(one.Items) != 1 || one.Items[0].ID != bob.ID {
		t.Errorf("bob's referral = %+v, %v", one.Items, err)
	}
}

func participantIDs(ps []canonical.Participant) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func TestBackendPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newBkEnv(t, canonical.Campaign{})
	emails := []string{"p1@example.com", "p2@example.com", "p3@example.com", "p4@example.com", "p5@example.com"}
	for i, m := range emails {
		e.create(t, m, canonical.ParticipantRef{})
		if i < len(emails)-1 {
			e.srv.Clock.Advance(1e9)
		}
	}
	for _, tc := range []struct {
		sort canonical.ParticipantSort
		want []string
	}{
		{canonical.SortOldest, emails},
		{canonical.SortNewest, []string{"p5@example.com", "p4@example.com", "p3@example.com", "p2@example.com", "p1@example.com"}},
		{canonical.SortEmailDesc, []string{"p5@example.com", "p4@example.com", "p3@example.com", "p2@example.com", "p1@example.com"}},
	} {
		var got []string
		var sizes []int
		cursor := ""
		for range 10 {
			page, err := e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: e.campaign, Sort: tc.sort, ListOptions: canonical.ListOptions{Limit: 2, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, participantIDs(page.Items)...)
			sizes = append(sizes, len(page.Items))
			if page.NextCursor == "" {
				if page.Total != 5 {
					t.Errorf("%s: last page total = %d, want 5", tc.sort, page.Total)
				}
				break
			}
			if page.Total != -1 {
				t.Errorf("%s: total before the last page = %d, want -1", tc.sort, page.Total)
			}
			cursor = page.NextCursor
		}
		if !slices.Equal(got, tc.want) || !slices.Equal(sizes, []int{2, 2, 1}) {
			t.Errorf("%s: pages %v of %v, want %v", tc.sort, sizes, got, tc.want)
		}
	}
	_, err := e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: e.campaign, ListOptions: canonical.ListOptions{Cursor: "junk!"}})
	wantCode(t, "bad cursor", err, canonical.Invalid)
}

func TestBackendCampaign(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newBkEnv(t, bkCampaign)
	e.create(t, "alice@example.com", canonical.ParticipantRef{})
	e.create(t, "bob@example.com", canonical.ByEmail("alice@example.com"))
	c, err := e.b.GetCampaign(ctx, e.campaign)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != e.campaign || c.Name != "Spring launch" || c.Status != canonical.CampaignActive || c.URL != proxytest.SiteURL ||
		c.Kind != canonical.ReferralProgram || c.Currency != "USD" || !c.CreatedAt.Equal(proxytest.Start) || c.EndsAt != nil {
		t.Errorf("campaign = %+v", c)
	}
	if len(c.Rules) != 1 {
		t.Fatalf("rules = %+v", c.Rules)
	}
	r := c.Rules[0]
	if r.ID != e.campaign || r.Kind != canonical.DoubleSided || r.Title != "Refer a friend and win" || r.Description != "Both sides win" ||
		r.ReferrerValue != (canonical.Money{Amount: 2000, Currency: "USD"}) || r.ReferredValue != (canonical.Money{Amount: 1000, Currency: "USD"}) {
		t.Errorf("rule = %+v", r)
	}
	if got := c.Native.String(canonical.ReferralRocket, "rewardType"); got != "Monetary" {
		t.Errorf("rewardType = %q", got)
	}
	rules, err := e.b.ListRewardRules(ctx, e.campaign)
	if err != nil || !reflect.DeepEqual(rules, c.Rules) {
		t.Errorf("ListRewardRules = %+v, %v", rules, err)
	}
	st, err := e.b.CampaignStats(ctx, e.campaign)
	if err != nil || st.Participants != 2 {
		t.Errorf("stats = %+v, %v", st, err)
	}
}

func TestBackendErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newBkEnv(t, canonical.Campaign{})
	alice := e.create(t, "alice@example.com", canonical.ParticipantRef{})
	other, ok := referralrocket.NewIDs(e.srv.Engine.IDSecret()).EncodeCampaignID("999999")
	if !ok {
		t.Fatal("encode")
	}
	_, err := e.b.GetParticipant(ctx, e.campaign, canonical.ByID("nobody@example.com"))
	wantCode(t, "unknown email", err, canonical.NotFound)
	var apiErr *referralrocket.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Message != "Participant not found" || len(apiErr.Body) == 0 {
		t.Errorf("APIError = %+v", apiErr)
	}
	_, err = e.b.GetParticipant(ctx, e.campaign, canonical.ByCode("ZZZZZZZZ"))
	wantCode(t, "unknown code", err, canonical.NotFound)
	_, err = e.b.GetCampaign(ctx, other)
	wantCode(t, "unknown campaign", err, canonical.NotFound)
	_, err = e.b.GetParticipant(ctx, other, canonical.ByID(alice.ID))
	wantCode(t, "participant of an unknown campaign", err, canonical.NotFound)
	_, _, err = e.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: other, Email: "x@example.com"}})
	wantCode(t, "create in an unknown campaign", err, canonical.NotFound)
	_, err = e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: other})
	wantCode(t, "list an unknown campaign", err, canonical.NotFound)
	_, err = e.b.GetParticipant(ctx, "", canonical.ByID(alice.ID))
	wantCode(t, "no campaign", err, canonical.NotFound)

	before := e.calls.n.Load()
	for _, in := range []canonical.NewParticipant{
		{},
		{Participant: canonical.Participant{Email: "not an email"}},
		{Participant: canonical.Participant{Email: "a@example.com"}, Referrer: canonical.ByEmail("A@example.com")},
	} {
		in.CampaignID = e.campaign
		_, _, err := e.b.CreateParticipant(ctx, in)
		wantCode(t, "create "+in.Email, err, canonical.Invalid)
	}
	in := canonical.NewParticipant{InitialState: canonical.StateCredited}
	in.CampaignID, in.Email = e.campaign, "z@example.com"
	_, _, err = e.b.CreateParticipant(ctx, in)
	wantCode(t, "create with a state", err, canonical.NotImplemented)
	_, err = e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: e.campaign, Sort: canonical.SortPointsDesc})
	wantCode(t, "sort by points", err, canonical.NotImplemented)
	if n := e.calls.n.Load() - before; n != 0 {
		t.Errorf("refused inputs made %d requests", n)
	}

	in = canonical.NewParticipant{Referrer: canonical.ByCode("ZZZZZZZZ"), RequireReferrer: true}
	in.CampaignID, in.Email = e.campaign, "y@example.com"
	_, _, err = e.b.CreateParticipant(ctx, in)
	wantCode(t, "required unknown referrer", err, canonical.NotFound)

	bad, err := referralrocket.NewBackend(&referralrocket.BackendOptions{BaseURL: e.srv.URL, APIKey: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.GetCampaign(ctx, e.campaign)
	wantCode(t, "wrong key", err, canonical.Unauthorized)
	nokey, err := referralrocket.NewBackend(&referralrocket.BackendOptions{BaseURL: e.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = nokey.GetCampaign(ctx, e.campaign)
	wantCode(t, "no key", err, canonical.Unauthorized)
	down, err := referralrocket.NewBackend(&referralrocket.BackendOptions{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = down.GetCampaign(ctx, e.campaign)
	wantCode(t, "unreachable", err, canonical.Unavailable)
}

// TestBackendCapabilityHonesty calls every operation Capabilities leaves
// out with zero arguments: each answers NotImplemented without a request.
func TestBackendCapabilityHonesty(t *testing.T) {
	t.Parallel()
	e := newBkEnv(t, canonical.Campaign{})
	caps := e.b.Capabilities()
	if caps.Backend != "referralrocket" || len(caps.Operations) == 0 {
		t.Fatalf("capabilities = %+v", caps)
	}
	for _, op := range caps.Operations {
		if !slices.Contains(canonical.AllOperations(), op) {
			t.Errorf("capability %q is no Backend operation", op)
		}
	}
	v := reflect.ValueOf(e.b)
	for _, op := range caps.Unsupported() {
		t.Run(string(op), func(t *testing.T) {
			m := v.MethodByName(string(op))
			if !m.IsValid() {
				t.Fatalf("no method %s", op)
			}
			args := make([]reflect.Value, m.Type().NumIn())
			for i := range args {
				args[i] = reflect.Zero(m.Type().In(i))
			}
			args[0] = reflect.ValueOf(context.Background())
			before := e.calls.n.Load()
			out := m.Call(args)
			err, _ := out[len(out)-1].Interface().(error)
			wantCode(t, string(op), err, canonical.NotImplemented)
			if n := e.calls.n.Load() - before; n != 0 {
				t.Errorf("%s made %d requests", op, n)
			}
		})
	}
	if !slices.Equal(caps.Operations, []canonical.Operation{"CampaignStats", "CreateParticipant", "GetCampaign", "GetParticipant", "ListParticipants", "ListReferrals", "ListRewardRules", "QualifyReferral"}) {
		t.Errorf("operations = %v", caps.Operations)
	}
}

func TestBackendAs(t *testing.T) {
	t.Parallel()
	e := newBkEnv(t, canonical.Campaign{})
	var c *rrapi.ClientWithResponses
	if !e.b.As(&c) || c == nil {
		t.Fatal("As(*ClientWithResponses) = false")
	}
	res, err := c.ValidateCodeWithResponse(context.Background(), &rrapi.ValidateCodeParams{CampaignId: e.campaign, Code: "ZZZZZZZZ"})
	if err != nil || res.JSON200 == nil || *res.JSON200 {
		t.Errorf("validateCode through As = %+v, %v", res, err)
	}
	var s string
	if e.b.As(&s) {
		t.Error("As(*string) = true")
	}
}

// TestBackendPrefixedBaseURL reaches the surface through the proxy's
// /referralrocket prefix.
func TestBackendPrefixedBaseURL(t *testing.T) {
	t.Parallel()
	e := newBkEnv(t, canonical.Campaign{})
	b, err := referralrocket.NewBackend(&referralrocket.BackendOptions{BaseURL: e.srv.URL + "/referralrocket", APIKey: e.tn.Secret(canonical.ReferralRocket, canonical.APIKey)})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := b.GetCampaign(context.Background(), e.campaign); err != nil || c.ID != e.campaign {
		t.Errorf("campaign through the prefix = %+v, %v", c, err)
	}
}
