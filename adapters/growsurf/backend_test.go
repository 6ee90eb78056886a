package growsurf_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	api "github.com/refbridge/refbridge/client/growsurf"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// countingTransport counts the HTTP round trips a backend makes.
type countingTransport struct {
	n    atomic.Int64
	base http.RoundTripper
}

// RoundTrip counts the request and sends it on.
func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(req)
}

// Count is the number of requests so far.
func (c *countingTransport) Count() int { return int(c.n.Load()) }

// proxyBackend is an outbound backend talking to an in-process proxy that
// serves only the GrowSurf surface, for one fresh tenant.
type proxyBackend struct {
	b     *growsurf.Backend
	camp  string // the tenant's campaign as a GrowSurf program id
	calls *countingTransport
	srv   *proxytest.Server
	tn    proxytest.Tenant
}

func newProxyBackend(t *testing.T, c canonical.Campaign) proxyBackend {
	t.Helper()
	srv := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.GrowSurf}})
	tn := srv.NewTenant(t, "acme", c)
	calls := &countingTransport{base: http.DefaultTransport}
	b, err := growsurf.NewBackend(&growsurf.BackendOptions{BaseURL: srv.URL + "/v2", APIKey: tn.Secret(canonical.GrowSurf, canonical.APIKey),
		HTTPClient: &http.Client{Transport: calls}})
	if err != nil {
		t.Fatal(err)
	}
	page, err := b.ListCampaigns(context.Background(), canonical.ListOptions{})
	if err != nil {
		t.Fatalf("list campaigns: %v", err)
	}
	env := proxyBackend{b: b, calls: calls, srv: srv, tn: tn}
	for _, camp := range page.Items {
		if camp.Name == tn.Campaign.Name {
			env.camp = camp.ID
		}
	}
	if env.camp == "" {
		t.Fatalf("tenant campaign %q not listed: %+v", tn.Campaign.Name, page.Items)
	}
	return env
}

// referralCampaign is an active referral program crediting at signup with
// one single-sided reward per referral; manual approves hold rewards.
func referralCampaign(manual bool, q canonical.Qualification) canonical.Campaign {
	return canonical.Campaign{Name: "Round trip", Kind: canonical.ReferralProgram, Status: canonical.CampaignActive, Qualification: q,
		ManualApproval: manual, Currency: "USD", URL: proxytest.SiteURL,
		Rules: []canonical.RewardRule{{Kind: canonical.SingleSided, Title: "Friend bonus", Description: "$10 credit", Threshold: 1,
			Unlimited: true, Visible: true, ReferrerValue: canonical.Money{Amount: 1000, Currency: "USD"}}}}
}

func wantCode(t *testing.T, what string, err error, code canonical.Code) {
	t.Helper()
	if got := canonical.CodeOf(err); got != code {
		t.Fatalf("%s: error %v (code %q), want %q", what, err, got, code)
	}
}

func TestBackendNeedsAPIKey(t *testing.T) {
	t.Parallel()
	_, err := growsurf.NewBackend(&growsurf.BackendOptions{})
	wantCode(t, "no key", err, canonical.Invalid)
	b, err := growsurf.NewBackend(&growsurf.BackendOptions{APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	var c *api.ClientWithResponses
	if !b.As(&c) || c == nil {
		t.Fatal("As did not expose the generated client")
	}
	var other *http.Client
	if b.As(&other) {
		t.Fatal("As accepted an unrelated target")
	}
}

func TestBackendParticipantRoundTrip(t *testing.T) {
	t.Parallel()
	env := newProxyBackend(t, referralCampaign(false, canonical.QualifyOnSignup))
	ctx := context.Background()
	in := canonical.NewParticipant{Participant: canonical.Participant{CampaignID: env.camp, Email: "ana@example.com", FirstName: "Ana",
		LastName: "Lima", Metadata: map[string]string{"plan": "pro"}, Notes: "VIP", VanityKeys: []string{"ana-vip"},
		IPAddress: "203.0.113.9", Fingerprint: "fp-1"}}
	p, created, err := env.b.CreateParticipant(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !created || p.ID == "" || p.CampaignID != env.camp {
		t.Fatalf("create: created=%v %+v", created, p)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"email", p.Email, "ana@example.com"},
		{"first name", p.FirstName, "Ana"},
		{"last name", p.LastName, "Lima"},
		{"metadata", p.Metadata, map[string]string{"plan": "pro"}},
		{"notes", p.Notes, "VIP"},
		{"vanity keys", p.VanityKeys, []string{"ana-vip"}},
		{"ip", p.IPAddress, "203.0.113.9"},
		{"fingerprint", p.Fingerprint, "fp-1"},
		{"created at", p.CreatedAt, proxytest.Start},
		{"share url", p.Native.String(canonical.GrowSurf, "shareUrl") != "", true},
		{"referrer", p.ReferrerID, ""},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("created %s = %#v, want %#v", c.what, c.got, c.want)
		}
	}
	// What the engine behind the proxy holds is what was sent.
	stored, err := env.tn.Backend.GetParticipant(ctx, env.tn.Campaign.ID, canonical.ByEmail("ana@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if stored.FirstName != "Ana" || stored.LastName != "Lima" || stored.Notes != "VIP" || stored.IPAddress != "203.0.113.9" ||
		stored.Fingerprint != "fp-1" || !reflect.DeepEqual(stored.Metadata, in.Metadata) || !reflect.DeepEqual(stored.VanityKeys, in.VanityKeys) {
		t.Fatalf("engine holds %+v", stored)
	}
	again, created, err := env.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: env.camp,
		Email: "ana@example.com", FirstName: "Other"}})
	if err != nil || created || again.ID != p.ID || again.FirstName != "Ana" {
		t.Fatalf("second create: created=%v %+v %v", created, again, err)
	}
	for _, ref := range []canonical.ParticipantRef{canonical.ByID(p.ID), canonical.ByEmail("ANA@example.com"), canonical.ByIdentifier("ana@example.com")} {
		got, err := env.b.GetParticipant(ctx, env.camp, ref)
		if err != nil || got.ID != p.ID || got.Notes != "VIP" {
			t.Fatalf("get by %s: %+v %v", ref, got, err)
		}
	}
	if got, err := env.b.GetParticipant(ctx, "", canonical.ByID(p.ID)); err != nil || got.ID != p.ID {
		t.Fatalf("get without campaign: %+v %v", got, err)
	}
	_, err = env.b.GetParticipant(ctx, env.camp, canonical.ByCode("ana-vip"))
	wantCode(t, "get by code", err, canonical.Invalid)

	name, email, notes, unsub := "Ana Maria", "ana.maria@example.com", "", true
	upd, err := env.b.UpdateParticipant(ctx, env.camp, canonical.ByID(p.ID), canonical.ParticipantPatch{FirstName: &name, Email: &email,
		Notes: &notes, Unsubscribed: &unsub, Metadata: map[string]string{"plan": "team", "seats": "3"}})
	if err != nil {
		t.Fatal(err)
	}
	if upd.FirstName != name || upd.Email != email || upd.Notes != "" || !upd.Unsubscribed ||
		!reflect.DeepEqual(upd.Metadata, map[string]string{"plan": "team", "seats": "3"}) {
		t.Fatalf("updated: %+v", upd)
	}
	phone := "+15550100"
	_, err = env.b.UpdateParticipant(ctx, env.camp, canonical.ByID(p.ID), canonical.ParticipantPatch{Phone: &phone})
	wantCode(t, "update phone", err, canonical.Invalid)

	other, _, err := env.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: env.camp, Email: "bo@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.b.UpdateParticipant(ctx, env.camp, canonical.ByID(other.ID), canonical.ParticipantPatch{Email: &email})
	wantCode(t, "take an email", err, canonical.Conflict)

	list, err := env.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: env.camp})
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	byMeta, err := env.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: env.camp, Metadata: map[string]string{"plan": "team"}})
	if err != nil || len(byMeta.Items) != 1 || byMeta.Items[0].ID != p.ID {
		t.Fatalf("list by metadata: %+v %v", byMeta, err)
	}
	byEmail, err := env.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: env.camp, Email: "bo@example.com"})
	if err != nil || len(byEmail.Items) != 1 || byEmail.Items[0].ID != other.ID {
		t.Fatalf("list by email: %+v %v", byEmail, err)
	}
	_, err = env.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: env.camp, Sort: canonical.SortPointsDesc})
	wantCode(t, "sort by points", err, canonical.Invalid)

	gone, err := env.b.DeleteParticipant(ctx, env.camp, canonical.ByEmail(email))
	if err != nil || gone.ID != p.ID {
		t.Fatalf("delete: %+v %v", gone, err)
	}
	_, err = env.b.GetParticipant(ctx, env.camp, canonical.ByID(p.ID))
	wantCode(t, "get deleted", err, canonical.NotFound)
	_, err = env.b.DeleteParticipant(ctx, env.camp, canonical.ByID(p.ID))
	wantCode(t, "delete twice", err, canonical.NotFound)
}

func TestBackendReferralAndRewards(t *testing.T) {
	t.Parallel()
	env := newProxyBackend(t, referralCampaign(true, canonical.QualifyOnSignup))
	ctx := context.Background()
	create := func(email string, ref canonical.ParticipantRef) canonical.Participant {
		t.Helper()
		p, _, err := env.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: env.camp,
			Email: email}, Referrer: ref})
		if err != nil {
			t.Fatalf("create %s: %v", email, err)
		}
		return p
	}
	ref := create("ref@example.com", canonical.ParticipantRef{})
	friend := create("friend@example.com", canonical.ByID(ref.ID))
	if friend.ReferrerID != ref.ID || friend.ReferralState != canonical.StateCredited {
		t.Fatalf("friend: referrer %q state %q", friend.ReferrerID, friend.ReferralState)
	}
	byEmail := create("pal@example.com", canonical.ByEmail("ref@example.com"))
	if byEmail.ReferrerID != ref.ID {
		t.Fatalf("referred by email: referrer %q", byEmail.ReferrerID)
	}
	_, _, err := env.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: env.camp,
		Email: "lost@example.com"}, Referrer: canonical.ByID("zzzzzz"), RequireReferrer: true})
	wantCode(t, "required unknown referrer", err, canonical.NotFound)

	got, err := env.b.GetParticipant(ctx, env.camp, canonical.ByID(ref.ID))
	if err != nil {
		t.Fatal(err)
	}
	if got.Stats.Referrals != 2 || got.Stats.Rank != 1 || got.Stats.RewardsEarned != 2 {
		t.Fatalf("referrer stats: %+v", got.Stats)
	}
	refs, err := env.b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: env.camp, ReferrerID: ref.ID})
	if err != nil || len(refs.Items) != 2 {
		t.Fatalf("referrals: %+v %v", refs, err)
	}
	for _, r := range refs.Items {
		if r.ReferrerID != ref.ID || r.State != canonical.StateCredited || (r.ReferredID != friend.ID && r.ReferredID != byEmail.ID) {
			t.Errorf("referral %+v", r)
		}
	}
	all, err := env.b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: env.camp, States: []canonical.ReferralState{canonical.StatePending}})
	if err != nil || len(all.Items) != 0 {
		t.Fatalf("pending referrals: %+v %v", all, err)
	}
	followers, err := env.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: env.camp, ReferrerID: ref.ID})
	if err != nil || len(followers.Items) != 2 {
		t.Fatalf("participants referred: %+v %v", followers, err)
	}

	rewards, err := env.b.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: env.camp, ParticipantID: ref.ID})
	if err != nil || len(rewards.Items) != 2 {
		t.Fatalf("rewards: %+v %v", rewards, err)
	}
	rules, err := env.b.ListRewardRules(ctx, env.camp)
	if err != nil || len(rules) != 1 {
		t.Fatalf("rules: %+v %v", rules, err)
	}
	rw := rewards.Items[0]
	if rw.Status != canonical.RewardPending || !rw.IsReferrer || rw.RuleID != rules[0].ID || rw.ParticipantID != ref.ID || rw.CampaignID != env.camp {
		t.Fatalf("reward %+v", rw)
	}
	whole, err := env.b.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: env.camp, Statuses: []canonical.RewardStatus{canonical.RewardPending}})
	if err != nil || len(whole.Items) != 2 {
		t.Fatalf("campaign rewards: %+v %v", whole, err)
	}
	approved, err := env.b.ApproveReward(ctx, rw.ID, false)
	if err != nil || approved.Status != canonical.RewardApproved || approved.ApprovedAt == nil || approved.ID != rw.ID {
		t.Fatalf("approve: %+v %v", approved, err)
	}
	_, err = env.b.ApproveReward(ctx, rw.ID, false)
	wantCode(t, "approve twice", err, canonical.Conflict)
	fulfilled, err := env.b.FulfillReward(ctx, rw.ID)
	if err != nil || fulfilled.Status != canonical.RewardFulfilled || fulfilled.FulfilledAt == nil {
		t.Fatalf("fulfill: %+v %v", fulfilled, err)
	}
	again, err := env.b.GetEarnedReward(ctx, rw.ID)
	if err != nil || again.Status != canonical.RewardFulfilled {
		t.Fatalf("get reward: %+v %v", again, err)
	}
	err = env.b.DeleteReward(ctx, rw.ID)
	wantCode(t, "delete a fulfilled reward", err, canonical.Conflict)
	second := rewards.Items[1]
	if err := env.b.DeleteReward(ctx, second.ID); err != nil {
		t.Fatalf("delete pending reward: %v", err)
	}
	_, err = env.b.GetEarnedReward(ctx, second.ID)
	wantCode(t, "get deleted reward", err, canonical.NotFound)
	_, err = env.b.GetEarnedReward(ctx, "prw_1")
	wantCode(t, "malformed reward id", err, canonical.NotFound)

	board, err := env.b.Leaderboard(ctx, canonical.LeaderboardQuery{CampaignID: env.camp, Board: canonical.AllTime})
	if err != nil || len(board.Items) == 0 || board.Items[0].ID != ref.ID {
		t.Fatalf("leaderboard: %+v %v", board, err)
	}
	_, err = env.b.Leaderboard(ctx, canonical.LeaderboardQuery{CampaignID: env.camp, Board: canonical.PointsBoard})
	wantCode(t, "points board", err, canonical.Invalid)

	stats, err := env.b.CampaignStats(ctx, env.camp)
	if err != nil || stats.Participants != 3 || stats.Referrals != 2 || stats.Winners != 1 {
		t.Fatalf("stats: %+v %v", stats, err)
	}
}

func TestBackendTriggerReferral(t *testing.T) {
	t.Parallel()
	env := newProxyBackend(t, referralCampaign(false, canonical.QualifyOnEvent))
	ctx := context.Background()
	ref, _, err := env.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: env.camp, Email: "r@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	friend, _, err := env.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: env.camp,
		Email: "f@example.com"}, Referrer: canonical.ByID(ref.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if friend.ReferralState != canonical.StatePending {
		t.Fatalf("friend state %q, want pending", friend.ReferralState)
	}
	pending, err := env.b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: env.camp, States: []canonical.ReferralState{canonical.StatePending}})
	if err != nil || len(pending.Items) != 1 || pending.Items[0].ReferredID != friend.ID {
		t.Fatalf("pending referrals: %+v %v", pending, err)
	}
	ok, err := env.b.TriggerReferral(ctx, env.camp, canonical.ByID(friend.ID), 48*time.Hour)
	if err != nil || !ok {
		t.Fatalf("delayed trigger: %v %v", ok, err)
	}
	ok, err = env.b.CancelReferralTrigger(ctx, env.camp, canonical.ByID(friend.ID))
	if err != nil || !ok {
		t.Fatalf("cancel: %v %v", ok, err)
	}
	ok, err = env.b.CancelReferralTrigger(ctx, env.camp, canonical.ByID(friend.ID))
	if err != nil || ok {
		t.Fatalf("cancel twice: %v %v", ok, err)
	}
	ok, err = env.b.TriggerReferral(ctx, env.camp, canonical.ByEmail("f@example.com"), 0)
	if err != nil || !ok {
		t.Fatalf("trigger: %v %v", ok, err)
	}
	got, err := env.b.GetParticipant(ctx, env.camp, canonical.ByID(ref.ID))
	if err != nil || got.Stats.Referrals != 1 {
		t.Fatalf("referrer after trigger: %+v %v", got.Stats, err)
	}
	ok, err = env.b.TriggerReferral(ctx, env.camp, canonical.ByID(friend.ID), 0)
	if err != nil || ok {
		t.Fatalf("trigger twice: %v %v", ok, err)
	}
	_, err = env.b.TriggerReferral(ctx, env.camp, canonical.ByID("zzzzzz"), 0)
	wantCode(t, "trigger unknown", err, canonical.NotFound)
}

func TestBackendPaging(t *testing.T) {
	t.Parallel()
	env := newProxyBackend(t, referralCampaign(false, canonical.QualifyOnSignup))
	ctx := context.Background()
	want := map[string]bool{}
	for _, e := range []string{"a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com"} {
		p, _, err := env.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: env.camp, Email: e}})
		if err != nil {
			t.Fatal(err)
		}
		want[p.ID] = true
	}
	tests := []struct {
		name string
		list func(cursor string) ([]string, string, error)
	}{
		{"participants", func(c string) ([]string, string, error) {
			page, err := env.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: env.camp, ListOptions: canonical.ListOptions{Limit: 2, Cursor: c}})
			return ids(page.Items, func(p canonical.Participant) string { return p.ID }), page.NextCursor, err
		}},
		{"leaderboard", func(c string) ([]string, string, error) {
			page, err := env.b.Leaderboard(ctx, canonical.LeaderboardQuery{CampaignID: env.camp, ListOptions: canonical.ListOptions{Limit: 2, Cursor: c}})
			return ids(page.Items, func(p canonical.Participant) string { return p.ID }), page.NextCursor, err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]bool{}
			cursor, pages := "", 0
			for {
				got, next, err := tc.list(cursor)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) > 2 {
					t.Fatalf("page of %d", len(got))
				}
				for _, id := range got {
					if seen[id] {
						t.Fatalf("%s listed twice", id)
					}
					seen[id] = true
				}
				pages++
				if next == "" || pages > 5 {
					break
				}
				cursor = next
			}
			if !reflect.DeepEqual(seen, want) || pages != 3 {
				t.Fatalf("listed %v in %d pages, want %v in 3", seen, pages, want)
			}
		})
	}
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func TestBackendCampaignsAndRules(t *testing.T) {
	t.Parallel()
	env := newProxyBackend(t, referralCampaign(false, canonical.QualifyOnSignup))
	ctx := context.Background()
	c, err := env.b.GetCampaign(ctx, env.camp)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != env.camp || c.Name != "Round trip" || c.Kind != canonical.ReferralProgram || c.Status != canonical.CampaignActive ||
		c.Currency != "USD" || len(c.Rules) != 1 {
		t.Fatalf("campaign %+v", c)
	}
	r := c.Rules[0]
	if r.Kind != canonical.SingleSided || r.Title != "Friend bonus" || r.Description != "$10 credit" || r.Threshold != 1 || !r.Unlimited ||
		!r.Visible || r.ReferrerValue != (canonical.Money{Amount: 1000, Currency: "USD"}) || r.CampaignID != env.camp {
		t.Fatalf("rule %+v", r)
	}
	_, err = env.b.GetCampaign(ctx, "zzzzzz")
	wantCode(t, "unknown campaign", err, canonical.NotFound)

	name := "Renamed"
	ended := canonical.CampaignEnded
	upd, err := env.b.UpdateCampaign(ctx, env.camp, canonical.CampaignPatch{Name: &name, Status: &ended})
	if err != nil || upd.Name != name || upd.Status != canonical.CampaignEnded {
		t.Fatalf("update campaign: %+v %v", upd, err)
	}
	paused := canonical.CampaignPaused
	_, err = env.b.UpdateCampaign(ctx, env.camp, canonical.CampaignPatch{Status: &paused})
	wantCode(t, "pause", err, canonical.Invalid)

	created, err := env.b.CreateCampaign(ctx, canonical.Campaign{Name: "Second", Kind: canonical.ReferralProgram, Status: canonical.CampaignActive,
		Currency: "EUR", URL: "https://second.example.com", Rules: []canonical.RewardRule{{Kind: canonical.Milestone, Title: "Five friends",
			Threshold: 5, Limit: 1, LimitPeriod: canonical.LimitTotal, Visible: true, Order: 2, Metadata: map[string]string{"sku": "m5"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.Name != "Second" || created.Status != canonical.CampaignActive || created.Currency != "EUR" || len(created.Rules) != 1 {
		t.Fatalf("created campaign %+v", created)
	}
	m := created.Rules[0]
	if m.Kind != canonical.Milestone || m.Threshold != 5 || m.Unlimited || m.Limit != 1 || m.LimitPeriod != canonical.LimitTotal || m.Order != 2 ||
		!reflect.DeepEqual(m.Metadata, map[string]string{"sku": "m5"}) {
		t.Fatalf("created rule %+v", m)
	}
	// The site URL went to GrowSurf's installation object: share URLs are
	// built on it.
	member, _, err := env.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: created.ID,
		Email: "second@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if u := member.Native.String(canonical.GrowSurf, "shareUrl"); !strings.HasPrefix(u, "https://second.example.com?grsf=") {
		t.Fatalf("share URL %q", u)
	}
	_, err = env.b.CreateCampaign(ctx, canonical.Campaign{Name: "Contest", Kind: canonical.ContestProgram})
	wantCode(t, "contest", err, canonical.Invalid)
	list, err := env.b.ListCampaigns(ctx, canonical.ListOptions{Limit: 1})
	if err != nil || len(list.Items) != 1 || list.Total != 2 || list.NextCursor == "" {
		t.Fatalf("campaign page: %+v %v", list, err)
	}
	rest, err := env.b.ListCampaigns(ctx, canonical.ListOptions{Limit: 1, Cursor: list.NextCursor})
	if err != nil || len(rest.Items) != 1 || rest.NextCursor != "" || rest.Items[0].ID == list.Items[0].ID {
		t.Fatalf("second campaign page: %+v %v", rest, err)
	}

	dbl, err := env.b.CreateRewardRule(ctx, created.ID, canonical.RewardRule{Kind: canonical.DoubleSided, Description: "You get $5",
		ReferredDescription: "Friend gets $5", Threshold: 1, Unlimited: true, Visible: true, CouponCode: "YOU5", ReferredCouponCode: "FRIEND5",
		ReferrerValue: canonical.Money{Amount: 500, Currency: "USD"}, ReferredValue: canonical.Money{Amount: 500, Currency: "USD"}})
	if err != nil {
		t.Fatal(err)
	}
	if dbl.Kind != canonical.DoubleSided || dbl.ReferredDescription != "Friend gets $5" || dbl.ReferredCouponCode != "FRIEND5" ||
		dbl.ReferredValue.Amount != 500 {
		t.Fatalf("double-sided rule %+v", dbl)
	}
	title, winners := "Renamed rule", 4
	updRule, err := env.b.UpdateRewardRule(ctx, created.ID, dbl.ID, canonical.RewardRulePatch{Title: &title})
	if err != nil || updRule.Title != title || updRule.Description != "You get $5" {
		t.Fatalf("update rule: %+v %v", updRule, err)
	}
	_, err = env.b.UpdateRewardRule(ctx, created.ID, "crew_zzzzzz", canonical.RewardRulePatch{Winners: &winners})
	wantCode(t, "update unknown rule", err, canonical.NotFound)
	_, err = env.b.CreateRewardRule(ctx, created.ID, canonical.RewardRule{Kind: canonical.ManualReward})
	wantCode(t, "manual rule", err, canonical.Invalid)
	if err := env.b.DeleteRewardRule(ctx, created.ID, dbl.ID); err != nil {
		t.Fatal(err)
	}
	rules, err := env.b.ListRewardRules(ctx, created.ID)
	if err != nil || len(rules) != 1 || rules[0].ID != m.ID {
		t.Fatalf("rules after delete: %+v %v", rules, err)
	}
	err = env.b.DeleteRewardRule(ctx, created.ID, dbl.ID)
	wantCode(t, "delete twice", err, canonical.NotFound)
}

func TestBackendAffiliateMoney(t *testing.T) {
	t.Parallel()
	camp := canonical.Campaign{Name: "Partners", Kind: canonical.AffiliateProgram, Status: canonical.CampaignActive,
		Qualification: canonical.QualifyOnSignup, Currency: "USD", URL: proxytest.SiteURL, CommissionHoldDays: 30,
		Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward, Unlimited: true, Visible: true,
			Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 20}}}}
	env := newProxyBackend(t, camp)
	ctx := context.Background()
	aff, _, err := env.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: env.camp,
		Email: "aff@example.com", Affiliate: canonical.Affiliate{IsAffiliate: true, PaypalEmail: "pay@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !aff.Affiliate.IsAffiliate || aff.Affiliate.PaypalEmail != "pay@example.com" {
		t.Fatalf("affiliate %+v", aff.Affiliate)
	}
	buyer, _, err := env.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: env.camp,
		Email: "buyer@example.com"}, Referrer: canonical.ByID(aff.ID)})
	if err != nil {
		t.Fatal(err)
	}
	sale := canonical.NewTransaction{CampaignID: env.camp, Participant: canonical.ByID(buyer.ID), Amount: canonical.Money{Amount: 10000, Currency: "USD"},
		ExternalIDs: map[string]string{"orderId": "o-1"}, Description: "first order"}
	res, err := env.b.CreateTransaction(ctx, sale)
	if err != nil || res.Duplicate || !res.FirstSale || res.Transaction.Amount.Amount != 10000 {
		t.Fatalf("sale: %+v %v", res, err)
	}
	dup, err := env.b.CreateTransaction(ctx, sale)
	if err != nil || !dup.Duplicate || len(dup.Commissions) != 1 {
		t.Fatalf("duplicate sale: %+v %v", dup, err)
	}
	_, err = env.b.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: env.camp, Participant: canonical.ByID(buyer.ID),
		Amount: canonical.Money{Amount: 100}, ExternalIDs: map[string]string{"sku": "x"}})
	wantCode(t, "unknown identifier", err, canonical.Invalid)

	list, err := env.b.ListCommissions(ctx, canonical.CommissionQuery{CampaignID: env.camp})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("commissions: %+v %v", list, err)
	}
	cm := list.Items[0]
	if cm.ID != dup.Commissions[0].ID || cm.ReferrerID != aff.ID || cm.ReferredID != buyer.ID || cm.Amount != (canonical.Money{Amount: 2000, Currency: "USD"}) ||
		cm.SaleAmount.Amount != 10000 || cm.Status != canonical.CommissionPending || cm.DueAt == nil {
		t.Fatalf("commission %+v", cm)
	}
	mine, err := env.b.ListCommissions(ctx, canonical.CommissionQuery{CampaignID: env.camp, ReferrerID: aff.ID,
		Statuses: []canonical.CommissionStatus{canonical.CommissionPending}})
	if err != nil || len(mine.Items) != 1 {
		t.Fatalf("affiliate's commissions: %+v %v", mine, err)
	}
	got, err := env.b.GetCommission(ctx, cm.ID)
	if err != nil || got.ID != cm.ID {
		t.Fatalf("get commission: %+v %v", got, err)
	}
	approved, err := env.b.ApproveCommission(ctx, cm.ID)
	if err != nil || approved.Status != canonical.CommissionDue {
		t.Fatalf("approve commission: %+v %v", approved, err)
	}
	_, err = env.b.ApproveCommission(ctx, cm.ID)
	wantCode(t, "approve twice", err, canonical.Conflict)
	_, err = env.b.DeleteCommission(ctx, cm.ID)
	wantCode(t, "delete approved", err, canonical.Conflict)

	payouts, err := env.b.ListPayouts(ctx, canonical.PayoutQuery{CampaignID: env.camp})
	if err != nil {
		t.Fatal(err)
	}
	for _, po := range payouts.Items {
		one, err := env.b.GetPayout(ctx, po.ID)
		if err != nil || one.ID != po.ID || one.ParticipantID != aff.ID {
			t.Fatalf("get payout %s: %+v %v", po.ID, one, err)
		}
	}
	_, err = env.b.GetPayout(ctx, env.camp+":po_zzzzzz")
	wantCode(t, "unknown payout", err, canonical.NotFound)

	refund, err := env.b.RefundTransaction(ctx, canonical.NewRefund{CampaignID: env.camp, Participant: canonical.ByID(buyer.ID),
		ExternalIDs: map[string]string{"orderId": "o-1"}})
	if err != nil || !refund.Matched || len(refund.Voided)+len(refund.Adjusted)+len(refund.Untouchable) != 1 {
		t.Fatalf("refund: %+v %v", refund, err)
	}
	none, err := env.b.RefundTransaction(ctx, canonical.NewRefund{CampaignID: env.camp, Participant: canonical.ByID(buyer.ID),
		ExternalIDs: map[string]string{"orderId": "nope"}})
	if err != nil || none.Matched {
		t.Fatalf("unmatched refund: %+v %v", none, err)
	}

	second, err := env.b.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: env.camp, Participant: canonical.ByEmail("buyer@example.com"),
		Amount: canonical.Money{Amount: 5000}, ExternalIDs: map[string]string{"invoiceId": "in-2"}})
	if err != nil || second.Duplicate || second.Transaction.Amount.Currency != "USD" {
		t.Fatalf("second sale: %+v %v", second, err)
	}
	pending, err := env.b.ListCommissions(ctx, canonical.CommissionQuery{CampaignID: env.camp, Statuses: []canonical.CommissionStatus{canonical.CommissionPending}})
	if err != nil || len(pending.Items) != 1 {
		t.Fatalf("pending commissions: %+v %v", pending, err)
	}
	deleted, err := env.b.DeleteCommission(ctx, pending.Items[0].ID)
	if err != nil || deleted.ID != pending.Items[0].ID {
		t.Fatalf("delete commission: %+v %v", deleted, err)
	}
	_, err = env.b.GetCommission(ctx, deleted.ID)
	wantCode(t, "get deleted commission", err, canonical.NotFound)
	stats, err := env.b.CampaignStats(ctx, env.camp)
	if err != nil || stats.Revenue.Currency != "USD" {
		t.Fatalf("stats: %+v %v", stats, err)
	}
}

// TestBackendCapabilityHonesty calls every operation Capabilities leaves
// out and expects NotImplemented without any request.
func TestBackendCapabilityHonesty(t *testing.T) {
	t.Parallel()
	calls := &countingTransport{base: http.DefaultTransport}
	b, err := growsurf.NewBackend(&growsurf.BackendOptions{BaseURL: "http://127.0.0.1:1/v2", APIKey: "k", HTTPClient: &http.Client{Transport: calls}})
	if err != nil {
		t.Fatal(err)
	}
	caps := b.Capabilities()
	if caps.Backend != "growsurf" || len(caps.Operations) == 0 {
		t.Fatalf("capabilities %+v", caps)
	}
	for _, op := range caps.Operations {
		if !slices.Contains(canonical.AllOperations(), op) {
			t.Errorf("capability %q is not a contract operation", op)
		}
	}
	v := reflect.ValueOf(b)
	for _, op := range caps.Unsupported() {
		t.Run(string(op), func(t *testing.T) {
			m := v.MethodByName(string(op))
			args := make([]reflect.Value, m.Type().NumIn())
			for i := range args {
				if at := m.Type().In(i); at == reflect.TypeFor[context.Context]() {
					args[i] = reflect.ValueOf(context.Background())
				} else {
					args[i] = reflect.Zero(at)
				}
			}
			before := calls.Count()
			out := m.Call(args)
			err, _ := out[len(out)-1].Interface().(error)
			wantCode(t, string(op), err, canonical.NotImplemented)
			if calls.Count() != before {
				t.Errorf("%s made %d requests", op, calls.Count()-before)
			}
		})
	}
}

// TestBackendErrorsReachAPIError checks the outbound error mapping end to
// end: the canonical code, and the raw GrowSurf error behind it.
func TestBackendErrorsReachAPIError(t *testing.T) {
	t.Parallel()
	env := newProxyBackend(t, referralCampaign(false, canonical.QualifyOnSignup))
	bad, err := growsurf.NewBackend(&growsurf.BackendOptions{BaseURL: env.srv.URL + "/v2", APIKey: "wrong-key"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name   string
		call   func() error
		code   canonical.Code
		status int
		vendor string
	}{
		{"bad key", func() error { _, err := bad.GetCampaign(ctx, env.camp); return err }, canonical.Unauthorized, 403, "NOT_AUTHORIZED_ERROR"},
		{"unknown participant", func() error {
			_, err := env.b.GetParticipant(ctx, env.camp, canonical.ByID("zzzzzz"))
			return err
		}, canonical.NotFound, 404, "NOT_FOUND_ERROR"},
		{"invalid email", func() error {
			_, _, err := env.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: env.camp, Email: "not-an-email"}})
			return err
		}, canonical.Invalid, 400, "BAD_REQUEST_ERROR"},
		{"affiliate route on a referral program", func() error {
			_, err := env.b.ListCommissions(ctx, canonical.CommissionQuery{CampaignID: env.camp})
			return err
		}, canonical.Invalid, 422, "UNPROCESSABLE_ENTITY_ERROR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, tc.name, err, tc.code)
			var ae *growsurf.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("%v does not reach an APIError", err)
			}
			if ae.StatusCode != tc.status || ae.Code != tc.vendor || ae.Message == "" || len(ae.Body) == 0 {
				t.Fatalf("APIError %+v", ae)
			}
		})
	}
	down, err := growsurf.NewBackend(&growsurf.BackendOptions{BaseURL: "http://127.0.0.1:1/v2", APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = down.GetCampaign(ctx, "abc123")
	wantCode(t, "unreachable", err, canonical.Unavailable)
}
