package irefer_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	irapi "github.com/refbridge/refbridge/client/irefer"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// countingTransport counts the requests that reach the network.
type countingTransport struct{ n atomic.Int64 }

// RoundTrip implements http.RoundTripper.
func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// bkCampaign credits referrals at signup and has a tier at 2 referrals.
var bkCampaign = canonical.Campaign{
	Qualification: canonical.QualifyOnSignup,
	Rules: []canonical.RewardRule{
		{Kind: canonical.Milestone, Title: "Two friends", Description: "Refer 2 friends for $10.", Threshold: 2},
	},
}

// bkEnv is a backend talking to a proxy that serves only iRefer.
type bkEnv struct {
	b        *irefer.Backend
	calls    *countingTransport
	campaign string // iRefer campaign id
	tn       proxytest.Tenant
	srv      *proxytest.Server
}

// opts returns the options of the tenant's backend.
func (e bkEnv) opts() irefer.BackendOptions {
	return irefer.BackendOptions{
		BaseURL:    e.srv.URL,
		LicenseKey: e.tn.Secret(canonical.IRefer, canonical.LicenseKey),
		APIKey:     e.tn.Secret(canonical.IRefer, canonical.SiteKey),
		CampaignID: e.campaign,
		HTTPClient: &http.Client{Transport: e.calls},
	}
}

func newBkEnv(t *testing.T, c canonical.Campaign) bkEnv {
	t.Helper()
	srv := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.IRefer}})
	tn := srv.NewTenant(t, "acme", c)
	e := bkEnv{calls: &countingTransport{}, campaign: irefer.NewIDs(srv.Engine.IDSecret()).EncodeID(irefer.KindCampaign, tn.Campaign.ID), tn: tn, srv: srv}
	opts := e.opts()
	b, err := irefer.NewBackend(&opts)
	if err != nil {
		t.Fatal(err)
	}
	e.b = b
	return e
}

// create adds a participant and fails the test unless it was created.
func (e bkEnv) create(t *testing.T, in canonical.NewParticipant) canonical.Participant {
	t.Helper()
	in.CampaignID = e.campaign
	p, created, err := e.b.CreateParticipant(context.Background(), in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Email, err)
	}
	if !created {
		t.Fatalf("create %s: created = false", in.Email)
	}
	return p
}

func person(email string, referrer canonical.ParticipantRef) canonical.NewParticipant {
	in := canonical.NewParticipant{Referrer: referrer}
	in.Email = email
	return in
}

func wantCode(t *testing.T, what string, err error, code canonical.Code) {
	t.Helper()
	if got := canonical.CodeOf(err); got != code {
		t.Errorf("%s: code %q (%v), want %q", what, got, err, code)
	}
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func pid(p canonical.Participant) string { return p.ID }

func TestBackendRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newBkEnv(t, bkCampaign)

	in := person("alice@example.com", canonical.ParticipantRef{})
	in.FirstName, in.LastName = "Alice", "Smith"
	in.Native.Set(canonical.IRefer, "phone", "+1 555 0100")
	in.Native.Set(canonical.IRefer, "info_1", "gold")
	alice := e.create(t, in)
	if alice.ID == "" || alice.ID != irefer.NewIDs(e.srv.Engine.IDSecret()).EncodeID(irefer.KindParticipant, mustEngineID(t, e, "alice@example.com")) {
		t.Errorf("alice ID = %q", alice.ID)
	}
	if alice.CampaignID != e.campaign || alice.Email != "alice@example.com" || alice.FirstName != "Alice" || alice.LastName != "Smith" ||
		len(alice.ReferralCode) != 8 || !alice.CreatedAt.Equal(proxytest.Start) || alice.ReferrerID != "" {
		t.Errorf("alice = %+v", alice)
	}
	if alice.Native.String(canonical.IRefer, "phone") != "+1 555 0100" || alice.Native.String(canonical.IRefer, "info_1") != "gold" {
		t.Errorf("alice native = %v", alice.Native)
	}
	again, created, err := e.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: e.campaign, Email: "alice@example.com"}})
	if err != nil || created || !reflect.DeepEqual(again, alice) {
		t.Errorf("second create = %+v, %v, %v", again, created, err)
	}

	bobIn := person("bob@example.com", canonical.ByCode(alice.ReferralCode))
	bobIn.Source = "twitter"
	bob := e.create(t, bobIn)
	carol := e.create(t, person("carol@example.com", canonical.ByID(alice.ID)))
	dave := e.create(t, person("dave@example.com", canonical.ByEmail("alice@example.com")))
	for _, p := range []canonical.Participant{bob, carol, dave} {
		if p.ReferrerID != alice.ID {
			t.Errorf("%s: referrer %q, want %q", p.Email, p.ReferrerID, alice.ID)
		}
	}
	if bob.Source != "twitter" {
		t.Errorf("bob source = %q", bob.Source)
	}

	for _, ref := range []canonical.ParticipantRef{canonical.ByID(alice.ID), canonical.ByEmail("ALICE@example.com"), canonical.ByCode(alice.ReferralCode), canonical.ByIdentifier("alice@example.com")} {
		got, err := e.b.GetParticipant(ctx, e.campaign, ref)
		if err != nil {
			t.Fatalf("get %v: %v", ref, err)
		}
		if got.ID != alice.ID || got.Stats.Referrals != 3 || got.Stats.Rank != 1 {
			t.Errorf("get %v = %+v, want alice with 3 referrals, rank 1", ref, got)
		}
		if got.Native.String(canonical.IRefer, "confirmed") != "1" ||
			got.Native.String(canonical.IRefer, "referral_link") != proxytest.SiteURL+"/?iref="+alice.ReferralCode ||
			got.Native.String(canonical.IRefer, "reward_last") != "Two friends" || got.Native.String(canonical.IRefer, "reward_next") != "None" {
			t.Errorf("get %v native = %v", ref, got.Native)
		}
	}
	// The engine holds what the backend sent.
	eng, err := e.tn.Backend.GetParticipant(ctx, e.tn.Campaign.ID, canonical.ByEmail("bob@example.com"))
	if err != nil || eng.Source != "twitter" || eng.ReferralState != canonical.StateCredited {
		t.Errorf("engine bob = %+v, %v", eng, err)
	}

	// Lists.
	refs, err := e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: e.campaign, ReferrerID: alice.ID, Sort: canonical.SortEmailAsc})
	if err != nil || !slices.Equal(ids(refs.Items, pid), []string{bob.ID, carol.ID, dave.ID}) || refs.Total != 3 {
		t.Errorf("alice's referred = %v, %v", refs, err)
	}
	byNative, err := e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: e.campaign, Native: map[string]string{"info_1": "gold"}})
	if err != nil || !slices.Equal(ids(byNative.Items, pid), []string{alice.ID}) {
		t.Errorf("by native = %v, %v", byNative, err)
	}
	board, err := e.b.Leaderboard(ctx, canonical.LeaderboardQuery{CampaignID: e.campaign, ListOptions: canonical.ListOptions{Limit: 2}})
	if err != nil || !slices.Equal(ids(board.Items, pid), []string{alice.ID, bob.ID}) || board.NextCursor == "" || board.Total != 4 {
		t.Errorf("leaderboard = %+v, %v", board, err)
	}
	rl, err := e.b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: e.campaign, ReferrerID: alice.ID, Oldest: true})
	if err != nil || !slices.Equal(ids(rl.Items, func(r canonical.Referral) string { return r.ReferredID }), []string{bob.ID, carol.ID, dave.ID}) {
		t.Errorf("referrals = %+v, %v", rl, err)
	} else if r := rl.Items[0]; r.ID != bob.ID || r.ReferrerID != alice.ID || r.Email != "bob@example.com" || r.Channel != "twitter" || r.State != "" {
		t.Errorf("bob's referral = %+v", r)
	}

	// Alice earned the tier at two referrals.
	rewards, err := e.b.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: e.campaign, ParticipantID: alice.ID})
	if err != nil || len(rewards.Items) != 1 {
		t.Fatalf("alice's rewards = %+v, %v", rewards, err)
	}
	rw := rewards.Items[0]
	engRule := e.tn.Campaign.Rules[0].ID
	if rw.ParticipantID != alice.ID || rw.RuleID != irefer.NewIDs(e.srv.Engine.IDSecret()).EncodeID(irefer.KindRewardRule, engRule) || rw.Status != canonical.RewardApproved ||
		rw.ReferralsAtEarning != 2 || !rw.IsReferrer || rw.Native.String(canonical.IRefer, "reward_heading") != "Two friends" {
		t.Errorf("reward = %+v", rw)
	}
	got, err := e.b.GetEarnedReward(ctx, rw.ID)
	if err != nil || !reflect.DeepEqual(got, rw) {
		t.Errorf("GetEarnedReward = %+v, %v", got, err)
	}
	_, err = e.b.GetEarnedReward(ctx, "1")
	wantCode(t, "unknown reward", err, canonical.NotFound)

	// Campaign and stats.
	c, err := e.b.GetCampaign(ctx, e.campaign)
	if err != nil || c.ID != e.campaign || c.Name != "Spring launch" || len(c.Rules) != 1 ||
		c.Rules[0].Title != "Two friends" || c.Rules[0].Threshold != 2 || c.Rules[0].Kind != canonical.Milestone {
		t.Errorf("campaign = %+v, %v", c, err)
	}
	rules, err := e.b.ListRewardRules(ctx, "")
	if err != nil || !reflect.DeepEqual(rules, c.Rules) {
		t.Errorf("rules = %+v, %v", rules, err)
	}
	st, err := e.b.CampaignStats(ctx, e.campaign)
	if err != nil || st.Participants != 4 || st.SignupsToday != 4 || st.ReferredSignups != 3 ||
		!reflect.DeepEqual(st.ReferralsByChannel, map[string]int{"twitter": 1}) {
		t.Errorf("stats = %+v, %v", st, err)
	}

	// Specific actions.
	e.srv.Clock.Advance(time.Minute)
	a, err := e.b.RecordSpecificAction(ctx, e.campaign, canonical.SpecificAction{ExternalID: "bob@example.com", Action: "/thanks/"}, alice.ReferralCode)
	if err != nil || a.ExternalID != "bob@example.com" || a.Action != "/thanks/" || a.CampaignID != e.campaign {
		t.Errorf("record action = %+v, %v", a, err)
	}
	acts, err := e.b.ListSpecificActions(ctx, e.campaign, canonical.ListOptions{})
	if err != nil || len(acts.Items) != 1 {
		t.Fatalf("actions = %+v, %v", acts, err)
	}
	if x := acts.Items[0]; x.ID == "" || x.ReferrerID != alice.ID || x.ExternalID != "bob@example.com" || x.Action != "/thanks/" ||
		!x.CreatedAt.Equal(proxytest.Start.Add(time.Minute)) || x.CampaignID != e.campaign {
		t.Errorf("action = %+v", x)
	}
	_, err = e.b.RecordSpecificAction(ctx, e.campaign, canonical.SpecificAction{ExternalID: "x@example.com", Action: "/thanks/"}, "ZZZZZZZZ")
	wantCode(t, "unknown referrer code", err, canonical.NotFound)
}

// mustEngineID finds a participant's engine ID through the tenant's
// engine backend.
func mustEngineID(t *testing.T, e bkEnv, email string) string {
	t.Helper()
	p, err := e.tn.Backend.GetParticipant(context.Background(), e.tn.Campaign.ID, canonical.ByEmail(email))
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func TestBackendPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newBkEnv(t, canonical.Campaign{})
	var made []string
	for _, m := range []string{"p1@example.com", "p2@example.com", "p3@example.com", "p4@example.com", "p5@example.com"} {
		made = append(made, e.create(t, person(m, canonical.ParticipantRef{})).ID)
		e.srv.Clock.Advance(time.Second)
	}
	newest := slices.Clone(made)
	slices.Reverse(newest)
	var got []string
	var sizes []int
	cursor := ""
	for page := 0; page < 10; page++ {
		res, err := e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: e.campaign, ListOptions: canonical.ListOptions{Limit: 2, Cursor: cursor}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 5+min(page, 1) {
			t.Errorf("page %d total = %d", page, res.Total)
		}
		got = append(got, ids(res.Items, pid)...)
		sizes = append(sizes, len(res.Items))
		if page == 0 {
			// A signup between pages lands at the head and shifts nothing.
			e.create(t, person("late@example.com", canonical.ParticipantRef{}))
		}
		if res.NextCursor == "" {
			break
		}
		cursor = res.NextCursor
	}
	if !slices.Equal(got, newest) || !slices.Equal(sizes, []int{2, 2, 1}) {
		t.Errorf("pages %v of %v, want %v", sizes, got, newest)
	}
	old, err := e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: e.campaign, Sort: canonical.SortOldest, ListOptions: canonical.ListOptions{Limit: 3}})
	if err != nil || !slices.Equal(ids(old.Items, pid), made[:3]) {
		t.Errorf("oldest first = %v, %v", old.Items, err)
	}
	_, err = e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: e.campaign, ListOptions: canonical.ListOptions{Cursor: "bm9ib2R5"}})
	wantCode(t, "stale cursor", err, canonical.Invalid)
}

func TestBackendErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newBkEnv(t, canonical.Campaign{})
	e.create(t, person("alice@example.com", canonical.ParticipantRef{}))

	_, err := e.b.GetParticipant(ctx, e.campaign, canonical.ByID("999999999"))
	wantCode(t, "unknown ID", err, canonical.NotFound)
	_, err = e.b.GetParticipant(ctx, "", canonical.ByEmail("nobody@example.com"))
	wantCode(t, "unknown email", err, canonical.NotFound)

	before := e.calls.n.Load()
	_, err = e.b.GetCampaign(ctx, "unknown-campaign-0")
	wantCode(t, "other campaign", err, canonical.NotFound)
	_, err = e.b.GetParticipant(ctx, "12345", canonical.ByEmail("alice@example.com"))
	wantCode(t, "participant of another campaign", err, canonical.NotFound)
	for _, in := range []canonical.NewParticipant{{}, person("not an email", canonical.ParticipantRef{}), person("a@example.com", canonical.ByEmail("A@example.com"))} {
		_, _, err := e.b.CreateParticipant(ctx, in)
		wantCode(t, "create "+in.Email, err, canonical.Invalid)
	}
	withCode := person("b@example.com", canonical.ParticipantRef{})
	withCode.ReferralCode = "MINE0001"
	_, _, err = e.b.CreateParticipant(ctx, withCode)
	wantCode(t, "create with a code", err, canonical.NotImplemented)
	_, err = e.b.RecordSpecificAction(ctx, e.campaign, canonical.SpecificAction{ExternalID: "x@example.com"}, "CODE")
	wantCode(t, "action without an action", err, canonical.Invalid)
	_, err = e.b.Leaderboard(ctx, canonical.LeaderboardQuery{Board: canonical.CurrentMonth})
	wantCode(t, "monthly board", err, canonical.NotImplemented)
	_, err = e.b.ListParticipants(ctx, canonical.ParticipantQuery{States: []canonical.ReferralState{canonical.StatePending}})
	wantCode(t, "state filter", err, canonical.NotImplemented)
	_, err = e.b.ListParticipants(ctx, canonical.ParticipantQuery{ListOptions: canonical.ListOptions{Cursor: "%%%"}})
	wantCode(t, "junk cursor", err, canonical.Invalid)
	if n := e.calls.n.Load() - before; n != 0 {
		t.Errorf("refused inputs made %d requests", n)
	}

	req := person("c@example.com", canonical.ByCode("ZZZZZZZZ"))
	req.RequireReferrer = true
	_, _, err = e.b.CreateParticipant(ctx, req)
	wantCode(t, "required unknown referrer", err, canonical.NotFound)

	for name, mutate := range map[string]func(*irefer.BackendOptions){
		"wrong api_key":     func(o *irefer.BackendOptions) { o.APIKey = "wrong" },
		"no api_key":        func(o *irefer.BackendOptions) { o.APIKey = "" },
		"wrong license key": func(o *irefer.BackendOptions) { o.LicenseKey = "W4qL00000000000000000000000000000" },
	} {
		o := e.opts()
		mutate(&o)
		b, err := irefer.NewBackend(&o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.CampaignStats(ctx, "")
		wantCode(t, name, err, canonical.Unauthorized)
		var apiErr *irefer.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusOK || apiErr.Code != "irefer_api_campaignStats_err_401" ||
			apiErr.Message != "input missing or incorrect" || apiErr.Method != "campaignStats" {
			t.Errorf("%s: APIError = %+v", name, apiErr)
		}
	}
	o := e.opts()
	o.BaseURL = "http://127.0.0.1:1"
	down, err := irefer.NewBackend(&o)
	if err != nil {
		t.Fatal(err)
	}
	_, err = down.CampaignStats(ctx, "")
	wantCode(t, "unreachable", err, canonical.Unavailable)
	for _, o := range []irefer.BackendOptions{{CampaignID: "1"}, {LicenseKey: "k"}, {LicenseKey: "k", CampaignID: "1", BaseURL: "::"}} {
		if _, err := irefer.NewBackend(&o); canonical.CodeOf(err) != canonical.Invalid {
			t.Errorf("NewBackend(%+v) = %v, want Invalid", o, err)
		}
	}
}

// TestBackendCapabilityHonesty calls every operation Capabilities leaves
// out with zero arguments: each answers NotImplemented without a request.
func TestBackendCapabilityHonesty(t *testing.T) {
	t.Parallel()
	e := newBkEnv(t, canonical.Campaign{})
	caps := e.b.Capabilities()
	want := []canonical.Operation{"CampaignStats", "CreateParticipant", "GetCampaign", "GetEarnedReward", "GetParticipant", "Leaderboard",
		"ListEarnedRewards", "ListParticipants", "ListReferrals", "ListRewardRules", "ListSpecificActions", "RecordSpecificAction"}
	if caps.Backend != "irefer" || !slices.Equal(caps.Operations, want) {
		t.Errorf("capabilities = %+v", caps)
	}
	v := reflect.ValueOf(e.b)
	for _, op := range caps.Unsupported() {
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
	}
}

func TestBackendAs(t *testing.T) {
	t.Parallel()
	e := newBkEnv(t, canonical.Campaign{})
	var c *irapi.ClientWithResponses
	if !e.b.As(&c) || c == nil {
		t.Fatal("As(*ClientWithResponses) = false")
	}
	// The v1 twin the canonical contract does not use, with api_key added.
	res, err := c.CampaignStatsV1WithResponse(context.Background(), e.tn.Secret(canonical.IRefer, canonical.LicenseKey), &irapi.CampaignStatsV1Params{CampaignId: e.campaign})
	if err != nil || res.JSON200 == nil {
		t.Fatalf("campaignStats v1 = %+v, %v", res, err)
	}
	if st, err := res.JSON200.AsCampaignStats(); err != nil || st.CampaignName != "Spring launch" {
		t.Errorf("campaignStats v1 = %+v, %v", st, err)
	}
	var s string
	if e.b.As(&s) {
		t.Error("As(*string) = true")
	}
}

// TestBackendPrefixedBaseURL reaches the surface through the proxy's
// /irefer prefix.
func TestBackendPrefixedBaseURL(t *testing.T) {
	t.Parallel()
	e := newBkEnv(t, canonical.Campaign{})
	o := e.opts()
	o.BaseURL = e.srv.URL + "/irefer"
	b, err := irefer.NewBackend(&o)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := b.GetCampaign(context.Background(), ""); err != nil || c.ID != e.campaign || c.Name != "Spring launch" {
		t.Errorf("campaign through the prefix = %+v, %v", c, err)
	}
}
