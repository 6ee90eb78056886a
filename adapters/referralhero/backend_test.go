package referralhero_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralhero"
	rhapi "github.com/refbridge/refbridge/client/referralhero"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// campaign returns a test campaign with one single-sided rule at one
// referral, a manual rule for promoted winners, and the given
// qualification and kind.
func campaign(q canonical.Qualification, kind canonical.CampaignKind) canonical.Campaign {
	return canonical.Campaign{
		Name: "Spring launch", Status: canonical.CampaignActive, Qualification: q, Kind: kind, Currency: "USD",
		Rules: []canonical.RewardRule{
			{Kind: canonical.SingleSided, Title: "Friend bonus", Threshold: 1, Unlimited: true, Visible: true},
			{Kind: canonical.ManualReward, Title: "Winner prize", Description: "A trip", Visible: true},
		},
	}
}

// create adds a participant through the backend.
func (e *proxyEnv) create(t *testing.T, in canonical.NewParticipant) canonical.Participant {
	t.Helper()
	if in.CampaignID == "" {
		in.CampaignID = e.list
	}
	p, created, err := e.b.CreateParticipant(context.Background(), in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Email, err)
	}
	if !created {
		t.Fatalf("create %s: created=false", in.Email)
	}
	return p
}

// engineParticipant reads a participant the backend created straight from
// the engine, to check what the backend's request carried.
func (e *proxyEnv) engineParticipant(t *testing.T, subscriberID string) canonical.Participant {
	t.Helper()
	id, ok := referralhero.NewIDs(e.srv.Engine.IDSecret()).ParticipantID(subscriberID)
	if !ok {
		t.Fatalf("%q is not a subscriber id", subscriberID)
	}
	p, err := e.tn.Backend.GetParticipant(context.Background(), e.tn.Campaign.ID, canonical.ByID(id))
	if err != nil {
		t.Fatalf("engine get %s: %v", subscriberID, err)
	}
	return p
}

func wantCode(t *testing.T, what string, err error, code canonical.Code) {
	t.Helper()
	if got := canonical.CodeOf(err); got != code {
		t.Fatalf("%s: %v (code %q), want %q", what, err, got, code)
	}
}

func TestBackendParticipantRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newProxyEnv(t, campaign(canonical.QualifyOnSignup, canonical.ReferralProgram))
	var native canonical.Native
	for k, v := range map[string]any{
		"extra_field": "team-a", "extra_field_2": "b2", "extra_field_3": "c3", "extra_field_4": "d4",
		"option_field": "gold", "crypto_wallet_provider": "metamask", "stripe_customer_id": "cus_123",
		"conversion_category": "pro", "transaction_id": "txn_1001", "conversion_value": 49.5,
		"tags": []string{"vip", "beta"},
	} {
		native.Set(canonical.ReferralHero, k, v)
	}
	in := canonical.NewParticipant{Participant: canonical.Participant{
		Email: "ana@example.org", FirstName: "Ana", LastName: "María Ruiz", Phone: "+34 600 000 000",
		Source: "newsletter", Device: "desktop", OS: "linux", ScreenSize: "1920x1080", IPAddress: "203.0.113.9",
		Native: native,
	}}
	p := e.create(t, in)

	check := func(t *testing.T, what string, got canonical.Participant) {
		t.Helper()
		if got.ID != p.ID || got.CampaignID != e.list {
			t.Errorf("%s: ID %q campaign %q, want %q %q", what, got.ID, got.CampaignID, p.ID, e.list)
		}
		for _, c := range []struct{ name, got, want string }{
			{"Email", got.Email, in.Email}, {"FirstName", got.FirstName, "Ana"}, {"LastName", got.LastName, "María Ruiz"},
			{"Phone", got.Phone, in.Phone}, {"Source", got.Source, in.Source}, {"Device", got.Device, in.Device},
			{"OS", got.OS, in.OS}, {"ScreenSize", got.ScreenSize, in.ScreenSize}, {"IPAddress", got.IPAddress, in.IPAddress},
		} {
			if c.got != c.want {
				t.Errorf("%s: %s = %q, want %q", what, c.name, c.got, c.want)
			}
		}
		if got.ReferralCode == "" || !got.Verified || got.VerifiedAt == nil {
			t.Errorf("%s: code %q verified %v at %v", what, got.ReferralCode, got.Verified, got.VerifiedAt)
		}
		if !got.CreatedAt.Equal(proxytest.Start) {
			t.Errorf("%s: CreatedAt %v, want %v", what, got.CreatedAt, proxytest.Start)
		}
		for k, v := range native[canonical.ReferralHero] {
			if g, _ := got.Native.Get(canonical.ReferralHero, k); !reflect.DeepEqual(g, v) {
				t.Errorf("%s: Native %s = %#v, want %#v", what, k, g, v)
			}
		}
		if got.Native.String(canonical.ReferralHero, "referral_link") == "" {
			t.Errorf("%s: no referral_link in Native", what)
		}
	}
	check(t, "create", p)

	// What the request carried reached the engine.
	ep := e.engineParticipant(t, p.ID)
	if ep.Email != in.Email || ep.Name() != "Ana María Ruiz" || ep.Device != "desktop" ||
		ep.Native.String(canonical.ReferralHero, "extra_field") != "team-a" {
		t.Errorf("engine sees %+v", ep)
	}

	for _, ref := range []canonical.ParticipantRef{canonical.ByID(p.ID), canonical.ByEmail("ANA@example.org"),
		canonical.ByCode(p.ReferralCode), canonical.ByIdentifier("ana@example.org"), canonical.ByIdentifier(in.Phone)} {
		got, err := e.b.GetParticipant(ctx, e.list, ref)
		if err != nil {
			t.Fatalf("get %v: %v", ref, err)
		}
		check(t, "get "+ref.String(), got)
	}
	// An ID resolves without the campaign, by trying the account's lists.
	got, err := e.b.GetParticipant(ctx, "", canonical.ByID(p.ID))
	if err != nil {
		t.Fatalf("get without campaign: %v", err)
	}
	check(t, "get without campaign", got)

	// The second create answers the same subscriber, created=false.
	again, created, err := e.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: e.list, Email: in.Email}})
	if err != nil || created || again.ID != p.ID {
		t.Fatalf("second create: %v created=%v id %q", err, created, again.ID)
	}

	// Update: name (one part, the other is read back), email, extra field.
	first, email := "Anita", "anita@example.org"
	var patchNative canonical.Native
	patchNative.Set(canonical.ReferralHero, "extra_field", "vip")
	up, err := e.b.UpdateParticipant(ctx, e.list, canonical.ByEmail(in.Email), canonical.ParticipantPatch{FirstName: &first, Email: &email, Native: patchNative})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if up.FirstName != "Anita" || up.LastName != "María Ruiz" || up.Email != email || up.Native.String(canonical.ReferralHero, "extra_field") != "vip" {
		t.Fatalf("updated: %+v", up)
	}
	if ep := e.engineParticipant(t, p.ID); ep.FirstName != "Anita" || ep.Email != email {
		t.Fatalf("engine after update: %+v", ep)
	}
	// Fields the vendor cannot change answer NotImplemented without I/O.
	before := e.cnt.calls()
	notes := "x"
	_, err = e.b.UpdateParticipant(ctx, e.list, canonical.ByID(p.ID), canonical.ParticipantPatch{Notes: &notes})
	wantCode(t, "update notes", err, canonical.NotImplemented)
	if e.cnt.calls() != before {
		t.Fatal("update of an unsupported field made requests")
	}

	del, err := e.b.DeleteParticipant(ctx, e.list, canonical.ByID(p.ID))
	if err != nil || del.ID != p.ID || del.Email != email {
		t.Fatalf("delete: %+v %v", del, err)
	}
	_, err = e.b.GetParticipant(ctx, e.list, canonical.ByID(p.ID))
	wantCode(t, "get after delete", err, canonical.NotFound)
	_, err = e.b.DeleteParticipant(ctx, e.list, canonical.ByID(p.ID))
	wantCode(t, "delete twice", err, canonical.NotFound)
}

func TestBackendReferralsAndRewards(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newProxyEnv(t, campaign(canonical.QualifyOnSignup, canonical.ReferralProgram))
	bo := e.create(t, canonical.NewParticipant{Participant: canonical.Participant{Email: "bo@example.org", FirstName: "Bo"}})
	refs := []canonical.ParticipantRef{canonical.ByCode(bo.ReferralCode), canonical.ByEmail(bo.Email), canonical.ByID(bo.ID)}
	var referred []canonical.Participant
	for i, ref := range refs {
		p := e.create(t, canonical.NewParticipant{Participant: canonical.Participant{Email: []string{"a@example.org", "b@example.org", "c@example.org"}[i]},
			Referrer: ref, RequireReferrer: i == 2})
		if p.ReferrerID != bo.ID || p.ReferralState != canonical.StateCredited {
			t.Fatalf("referred by %v: referrer %q state %q", ref, p.ReferrerID, p.ReferralState)
		}
		referred = append(referred, p)
	}
	// An unknown required referrer is NotFound; without RequireReferrer it
	// is ignored.
	_, _, err := e.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: e.list, Email: "d@example.org"},
		Referrer: canonical.ByCode("nope"), RequireReferrer: true})
	wantCode(t, "required unknown referrer", err, canonical.NotFound)
	organic := e.create(t, canonical.NewParticipant{Participant: canonical.Participant{Email: "d@example.org"}, Referrer: canonical.ByCode("nope")})
	if organic.ReferrerID != "" || organic.ReferralState != "" {
		t.Fatalf("unknown referrer attributed: %+v", organic)
	}

	got, err := e.b.GetParticipant(ctx, e.list, canonical.ByID(bo.ID))
	if err != nil {
		t.Fatal(err)
	}
	if got.Stats.Referrals != 3 || got.Stats.Rank != 1 {
		t.Fatalf("referrer stats %+v", got.Stats)
	}

	rs, err := e.b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: e.list, ReferrerID: bo.ID})
	if err != nil || len(rs.Items) != 3 || rs.Total != 3 {
		t.Fatalf("referrals: %+v %v", rs, err)
	}
	for _, r := range rs.Items {
		if r.ReferrerID != bo.ID || r.State != canonical.StateCredited || r.ID != r.ReferredID || r.Email == "" {
			t.Errorf("referral %+v", r)
		}
	}
	all, err := e.b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: e.list, ListOptions: canonical.ListOptions{Limit: 2}})
	if err != nil || len(all.Items) != 2 || all.NextCursor == "" {
		t.Fatalf("all referrals page 1: %+v %v", all, err)
	}
	one, err := e.b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: e.list, ReferredID: referred[0].ID})
	if err != nil || len(one.Items) != 1 || one.Items[0].ReferrerID != bo.ID {
		t.Fatalf("referral of %s: %+v %v", referred[0].ID, one, err)
	}
	byRef, err := e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: e.list, ReferrerID: bo.ID,
		States: []canonical.ReferralState{canonical.StateCredited}})
	if err != nil || len(byRef.Items) != 3 {
		t.Fatalf("participants referred by bo: %+v %v", byRef, err)
	}

	// Rules and earned rewards.
	rules, err := e.b.ListRewardRules(ctx, e.list)
	if err != nil || len(rules) != 2 {
		t.Fatalf("rules: %+v %v", rules, err)
	}
	if r := rules[0]; r.Kind != canonical.SingleSided || r.Title != "Friend bonus" || r.Threshold != 1 || r.ID == "" {
		t.Errorf("rule 0: %+v", r)
	}
	manual := rules[1]
	if manual.Kind != canonical.ManualReward || manual.Title != "Winner prize" || manual.Description != "A trip" {
		t.Errorf("rule 1: %+v", manual)
	}
	earned, err := e.b.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: e.list, ParticipantID: bo.ID})
	if err != nil || len(earned.Items) != 3 || earned.Total != 3 {
		t.Fatalf("earned: %+v %v", earned, err)
	}
	rw := earned.Items[0]
	if rw.Status != canonical.RewardApproved || rw.ParticipantID != bo.ID || rw.Native.String(canonical.ReferralHero, "name") != "Friend bonus" ||
		rw.ReferralsAtEarning == 0 {
		t.Fatalf("earned reward %+v", rw)
	}
	approved, err := e.b.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: e.list, Statuses: []canonical.RewardStatus{canonical.RewardApproved},
		ListOptions: canonical.ListOptions{Limit: 2}})
	if err != nil || len(approved.Items) != 2 || approved.NextCursor == "" || approved.Items[0].ParticipantID != bo.ID {
		t.Fatalf("approved rewards: %+v %v", approved, err)
	}
	one1, err := e.b.GetEarnedReward(ctx, rw.ID)
	if err != nil || one1.ID != rw.ID || one1.CampaignID != e.list || one1.ParticipantID != bo.ID {
		t.Fatalf("get reward: %+v %v", one1, err)
	}
	var resent canonical.Native
	resent.Set(canonical.ReferralHero, "status", "resent")
	sent, err := e.b.SetRewardStatus(ctx, rw.ID, canonical.RewardFulfilled, resent)
	if err != nil || sent.Status != canonical.RewardFulfilled || sent.Native.String(canonical.ReferralHero, "status") != "resent" {
		t.Fatalf("set status: %+v %v", sent, err)
	}
	_, err = e.b.SetRewardStatus(ctx, rw.ID, canonical.RewardApproved, nil)
	wantCode(t, "set approved", err, canonical.Invalid)
	_, err = e.b.SetRewardStatus(ctx, "999999", canonical.RewardCanceled, nil)
	wantCode(t, "set unknown", err, canonical.NotFound)
	_, err = e.b.GetEarnedReward(ctx, "999999")
	wantCode(t, "get unknown reward", err, canonical.NotFound)

	// Promotion and the promoted winners' reward.
	_, err = e.b.GrantReward(ctx, e.list, canonical.ByID(bo.ID), manual.ID)
	wantCode(t, "grant before promotion", err, canonical.Invalid)
	pr, err := e.b.PromoteParticipant(ctx, e.list, canonical.ByEmail(bo.Email))
	if err != nil || !pr.Promoted || pr.PromotedAt == nil {
		t.Fatalf("promote: %+v %v", pr, err)
	}
	_, err = e.b.PromoteParticipant(ctx, e.list, canonical.ByID(bo.ID))
	wantCode(t, "promote twice", err, canonical.Conflict)
	g, err := e.b.GrantReward(ctx, e.list, canonical.ByID(bo.ID), manual.ID)
	if err != nil || g.ID == "" || g.RuleID != manual.ID || g.ParticipantID != bo.ID || g.Native.String(canonical.ReferralHero, "name") != "Winner prize" {
		t.Fatalf("grant: %+v %v", g, err)
	}
	_, err = e.b.GrantReward(ctx, e.list, canonical.ByID(bo.ID), "424242")
	wantCode(t, "grant unknown reward", err, canonical.NotFound)
}

func TestBackendConversionAndConfirm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newProxyEnv(t, campaign(canonical.QualifyOnReview, canonical.ReferralProgram))
	bo := e.create(t, canonical.NewParticipant{Participant: canonical.Participant{Email: "bo@example.org"}})
	ana := e.create(t, canonical.NewParticipant{Participant: canonical.Participant{Email: "ana@example.org"}, Referrer: canonical.ByCode(bo.ReferralCode)})
	if ana.ReferralState != canonical.StatePending {
		t.Fatalf("state %q, want pending", ana.ReferralState)
	}
	p, err := e.b.TrackConversion(ctx, e.list, canonical.ConversionEvent{Participant: canonical.ByID(ana.ID)})
	if err != nil || p.ReferralState != canonical.StateUnconfirmed {
		t.Fatalf("track: %+v %v", p, err)
	}
	_, err = e.b.TrackConversion(ctx, e.list, canonical.ConversionEvent{Participant: canonical.ByIdentifier(ana.Email)})
	wantCode(t, "track twice", err, canonical.Conflict)
	// A subscriber without a referral is referred by the event's referrer.
	cy := e.create(t, canonical.NewParticipant{Participant: canonical.Participant{Email: "cy@example.org"}})
	p, err = e.b.TrackConversion(ctx, e.list, canonical.ConversionEvent{Participant: canonical.ByEmail(cy.Email), Referrer: canonical.ByID(bo.ID)})
	if err != nil || p.ReferrerID != bo.ID || p.ReferralState != canonical.StateUnconfirmed {
		t.Fatalf("track with referrer: %+v %v", p, err)
	}
	dee := e.create(t, canonical.NewParticipant{Participant: canonical.Participant{Email: "dee@example.org"}})
	_, err = e.b.TrackConversion(ctx, e.list, canonical.ConversionEvent{Participant: canonical.ByEmail(dee.Email)})
	wantCode(t, "track without referrer", err, canonical.Invalid)

	p, err = e.b.ConfirmReferral(ctx, e.list, canonical.ByID(ana.ID))
	if err != nil || p.ReferralState != canonical.StateCredited {
		t.Fatalf("confirm: %+v %v", p, err)
	}
	_, err = e.b.ConfirmReferral(ctx, e.list, canonical.ByID(ana.ID))
	wantCode(t, "confirm twice", err, canonical.Conflict)
	p, err = e.b.ConfirmReferral(ctx, e.list, canonical.ByEmail(cy.Email))
	if err != nil || p.ReferralState != canonical.StateCredited {
		t.Fatalf("confirm by email: %+v %v", p, err)
	}
	got, err := e.b.GetParticipant(ctx, e.list, canonical.ByID(bo.ID))
	if err != nil || got.Stats.Referrals != 2 {
		t.Fatalf("referrer after confirms: %+v %v", got.Stats, err)
	}

	// On a list crediting at sign-up there is no event to track.
	e2 := newProxyEnv(t, campaign(canonical.QualifyOnSignup, canonical.ReferralProgram))
	x := e2.create(t, canonical.NewParticipant{Participant: canonical.Participant{Email: "x@example.org"}})
	_, err = e2.b.TrackConversion(ctx, e2.list, canonical.ConversionEvent{Participant: canonical.ByID(x.ID)})
	wantCode(t, "track on a sign-up list", err, canonical.Invalid)
	_, err = e2.b.ConfirmReferral(ctx, e2.list, canonical.ByID(x.ID))
	wantCode(t, "confirm on a sign-up list", err, canonical.Invalid)
}

func TestBackendPointsLeaderboardAndPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newProxyEnv(t, campaign(canonical.QualifyOnSignup, canonical.ContestProgram))
	var ids []string
	for i := range 7 {
		p := e.create(t, canonical.NewParticipant{Participant: canonical.Participant{Email: string(rune('a'+i)) + "@example.org"}})
		ids = append(ids, p.ID)
	}
	p, err := e.b.AddPoints(ctx, e.list, canonical.ByEmail("c@example.org"), 10)
	if err != nil || p.Points != 10 || p.ID != ids[2] {
		t.Fatalf("add points: %+v %v", p, err)
	}
	p, err = e.b.AddPoints(ctx, e.list, canonical.ByID(ids[4]), 4)
	if err != nil || p.Points != 4 {
		t.Fatalf("add points by id: %+v %v", p, err)
	}
	pts := int64(7)
	p, err = e.b.UpdateParticipant(ctx, e.list, canonical.ByID(ids[5]), canonical.ParticipantPatch{Points: &pts})
	if err != nil || p.Points != 7 {
		t.Fatalf("set points: %+v %v", p, err)
	}
	_, err = e.b.AddPoints(ctx, e.list, canonical.ByEmail("nobody@example.org"), 1)
	wantCode(t, "add points to nobody", err, canonical.NotFound)

	lb, err := e.b.Leaderboard(ctx, canonical.LeaderboardQuery{CampaignID: e.list, Board: canonical.PointsBoard, ListOptions: canonical.ListOptions{Limit: 2}})
	if err != nil || len(lb.Items) != 2 || lb.Items[0].ID != ids[2] || lb.Items[1].ID != ids[5] || lb.NextCursor == "" {
		t.Fatalf("leaderboard page 1: %+v %v", lb, err)
	}
	lb, err = e.b.Leaderboard(ctx, canonical.LeaderboardQuery{CampaignID: e.list, ListOptions: canonical.ListOptions{Limit: 2, Cursor: lb.NextCursor}})
	if err != nil || len(lb.Items) != 2 || lb.Items[0].ID != ids[4] {
		t.Fatalf("leaderboard page 2: %+v %v", lb, err)
	}
	_, err = e.b.Leaderboard(ctx, canonical.LeaderboardQuery{CampaignID: e.list, Board: canonical.CurrentMonth})
	wantCode(t, "monthly board", err, canonical.Invalid)

	// Paging with a limit smaller than the vendor's page, in each order.
	for _, sort := range []canonical.ParticipantSort{canonical.SortNewest, canonical.SortOldest, canonical.SortEmailAsc, canonical.SortPointsDesc} {
		var seen []string
		q := canonical.ParticipantQuery{CampaignID: e.list, Sort: sort, ListOptions: canonical.ListOptions{Limit: 3}}
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("too many pages")
			}
			pg, err := e.b.ListParticipants(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(pg.Items) > 3 || pg.Total != 7 {
				t.Fatalf("%s: page of %d, total %d", sort, len(pg.Items), pg.Total)
			}
			for _, p := range pg.Items {
				seen = append(seen, p.ID)
			}
			if pg.NextCursor == "" {
				break
			}
			q.Cursor = pg.NextCursor
		}
		want := slices.Clone(ids)
		switch sort {
		case canonical.SortNewest:
			slices.Reverse(want)
		case canonical.SortPointsDesc:
			// Ties keep the sort's direction (newest first).
			want = []string{ids[2], ids[5], ids[4], ids[6], ids[3], ids[1], ids[0]}
		}
		if !slices.Equal(seen, want) {
			t.Errorf("%s: listed %v, want %v", sort, seen, want)
		}
	}
	_, err = e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: e.list, ListOptions: canonical.ListOptions{Cursor: "!!"}})
	wantCode(t, "malformed cursor", err, canonical.Invalid)
	_, err = e.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: "MF0000000000"})
	wantCode(t, "unknown list", err, canonical.NotFound)
}

func TestBackendCampaignsCouponsTransactions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newProxyEnv(t, campaign(canonical.QualifyOnSignup, canonical.ReferralProgram))

	c, err := e.b.GetCampaign(ctx, e.list)
	if err != nil || c.ID != e.list || c.Name != "Spring launch" || c.Status != canonical.CampaignActive || len(c.Rules) != 2 ||
		!c.CreatedAt.Equal(proxytest.Start) {
		t.Fatalf("get campaign: %+v %v", c, err)
	}
	made, err := e.b.CreateCampaign(ctx, canonical.Campaign{Name: "Autumn", URL: "https://autumn.example.com"})
	if err != nil || made.ID == "" || made.Name != "Autumn" {
		t.Fatalf("create campaign: %+v %v", made, err)
	}
	_, err = e.b.CreateCampaign(ctx, canonical.Campaign{})
	wantCode(t, "create unnamed campaign", err, canonical.Invalid)
	seen := map[string]bool{}
	q := canonical.ListOptions{Limit: 1}
	for range 3 {
		pg, err := e.b.ListCampaigns(ctx, q)
		if err != nil || len(pg.Items) != 1 || pg.Total != 2 {
			t.Fatalf("list campaigns: %+v %v", pg, err)
		}
		seen[pg.Items[0].ID] = true
		if q.Cursor = pg.NextCursor; q.Cursor == "" {
			break
		}
	}
	if !seen[e.list] || !seen[made.ID] {
		t.Fatalf("listed %v", seen)
	}
	_, err = e.b.GetCampaign(ctx, "MF0000000000")
	wantCode(t, "unknown campaign", err, canonical.NotFound)

	// Coupons.
	g, err := e.b.CreateCouponGroup(ctx, e.list, canonical.NewCouponGroup{Name: "RH400", Active: true, Codes: []string{"AB23FG", "FGHG45"}})
	if err != nil || g.ID == "" || g.Name != "RH400" || !g.Active || len(g.Coupons) != 2 || g.Coupons[0].GroupID != g.ID {
		t.Fatalf("create group: %+v %v", g, err)
	}
	g, err = e.b.AddCoupons(ctx, e.list, g.ID, []string{"KMLFG767"})
	if err != nil || len(g.Coupons) != 3 {
		t.Fatalf("add coupons: %+v %v", g, err)
	}
	_, err = e.b.AddCoupons(ctx, e.list, g.ID, []string{"AB23FG"})
	wantCode(t, "duplicate code", err, canonical.Conflict)
	got, err := e.b.GetCouponGroup(ctx, e.list, g.ID)
	if err != nil || got.ID != g.ID || len(got.Coupons) != 3 || !got.Coupons[0].Available {
		t.Fatalf("get group: %+v %v", got, err)
	}
	_, err = e.b.GetCouponGroup(ctx, e.list, "rh1")
	wantCode(t, "unknown group", err, canonical.NotFound)
	_, err = e.b.CreateCouponGroup(ctx, e.list, canonical.NewCouponGroup{})
	wantCode(t, "unnamed group", err, canonical.Invalid)
	groups, err := e.b.ListCouponGroups(ctx, e.list, canonical.ListOptions{})
	if err != nil || len(groups.Items) != 1 || groups.Total != 1 || groups.Items[0].ID != g.ID {
		t.Fatalf("list groups: %+v %v", groups, err)
	}

	// A purchase.
	ana := e.create(t, canonical.NewParticipant{Participant: canonical.Participant{Email: "ana@example.org"}})
	var native canonical.Native
	native.Set(canonical.ReferralHero, "product_id", "12345")
	res, err := e.b.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: e.list, Participant: canonical.ByID(ana.ID),
		Amount: canonical.Money{Amount: 56665, Currency: "USD"}, ExternalIDs: map[string]string{"transaction_id": "T-1"}, Native: native})
	if err != nil {
		t.Fatal(err)
	}
	tx := res.Transaction
	if tx.ID == "" || tx.Amount.Amount != 56665 || tx.ExternalIDs["transaction_id"] != "T-1" || tx.ParticipantID != ana.ID ||
		tx.Native.String(canonical.ReferralHero, "product_id") != "12345" || !tx.OccurredAt.Equal(proxytest.Start) {
		t.Fatalf("transaction %+v", tx)
	}
	before := e.cnt.calls()
	_, err = e.b.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: e.list, Participant: canonical.ByID(ana.ID), Amount: canonical.Money{Amount: 0}})
	wantCode(t, "zero amount", err, canonical.Invalid)
	if e.cnt.calls() != before {
		t.Fatal("an invalid transaction made requests")
	}
	_, err = e.b.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: e.list, Participant: canonical.ByEmail("nobody@example.org"),
		Amount: canonical.Money{Amount: 100}, ExternalIDs: map[string]string{"order": "1"}})
	wantCode(t, "sale by nobody", err, canonical.NotFound)
}

func TestBackendErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newProxyEnv(t, campaign(canonical.QualifyOnSignup, canonical.ReferralProgram))
	bad, err := referralhero.NewBackend(&referralhero.BackendOptions{BaseURL: e.srv.URL + "/api/v2", APIToken: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.ListCampaigns(ctx, canonical.ListOptions{})
	wantCode(t, "wrong token", err, canonical.Unauthorized)
	var apiErr *referralhero.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || apiErr.Code != "invalid_token" || len(apiErr.Body) == 0 {
		t.Fatalf("APIError %+v", apiErr)
	}
	if _, err := referralhero.NewBackend(&referralhero.BackendOptions{}); canonical.CodeOf(err) != canonical.Invalid {
		t.Fatalf("backend without a token: %v", err)
	}
	// A service that cannot be reached is Unavailable.
	down, err := referralhero.NewBackend(&referralhero.BackendOptions{BaseURL: "http://127.0.0.1:1/api/v2", APIToken: "x"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = down.GetParticipant(ctx, e.list, canonical.ByID("sub_000000000000"))
	wantCode(t, "unreachable", err, canonical.Unavailable)
	// A duplicate email on update is a Conflict carrying the vendor's words.
	a := e.create(t, canonical.NewParticipant{Participant: canonical.Participant{Email: "a@example.org"}})
	b := e.create(t, canonical.NewParticipant{Participant: canonical.Participant{Email: "b@example.org"}})
	_, err = e.b.UpdateParticipant(ctx, e.list, canonical.ByID(b.ID), canonical.ParticipantPatch{Email: &a.Email})
	wantCode(t, "take an email", err, canonical.Conflict)
	_, _, err = e.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: e.list, Email: "not-an-email"}})
	wantCode(t, "malformed email", err, canonical.Invalid)
	if !errors.As(err, &apiErr) || apiErr.Code != "invalid_email_address" {
		t.Fatalf("malformed email: %+v", apiErr)
	}
}

func TestBackendCapabilityHonesty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newProxyEnv(t, campaign(canonical.QualifyOnSignup, canonical.ReferralProgram))
	caps := e.b.Capabilities()
	if caps.Backend != "referralhero" {
		t.Errorf("Backend = %q", caps.Backend)
	}
	want := []canonical.Operation{"AddCoupons", "AddPoints", "ConfirmReferral", "CreateCampaign", "CreateCouponGroup",
		"CreateParticipant", "CreateTransaction", "DeleteParticipant", "GetCampaign", "GetCouponGroup", "GetEarnedReward",
		"GetParticipant", "GrantReward", "Leaderboard", "ListCampaigns", "ListCouponGroups", "ListEarnedRewards",
		"ListParticipants", "ListReferrals", "ListRewardRules", "PromoteParticipant", "SetRewardStatus", "TrackConversion",
		"UpdateParticipant"}
	got := slices.Clone(caps.Operations)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("Operations = %v, want %v", got, want)
	}
	v := reflect.ValueOf(e.b)
	for _, op := range caps.Unsupported() {
		t.Run(string(op), func(t *testing.T) {
			m := v.MethodByName(string(op))
			args := make([]reflect.Value, m.Type().NumIn())
			for i := range args {
				if at := m.Type().In(i); at == reflect.TypeFor[context.Context]() {
					args[i] = reflect.ValueOf(ctx)
				} else {
					args[i] = reflect.Zero(at)
				}
			}
			before := e.cnt.calls()
			out := m.Call(args)
			err, _ := out[len(out)-1].Interface().(error)
			wantCode(t, string(op), err, canonical.NotImplemented)
			if n := e.cnt.calls() - before; n != 0 {
				t.Errorf("%s made %d requests", op, n)
			}
		})
	}
}

func TestBackendAs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newProxyEnv(t, campaign(canonical.QualifyOnSignup, canonical.ReferralProgram))
	var c *rhapi.ClientWithResponses
	if !e.b.As(&c) || c == nil {
		t.Fatal("As(*ClientWithResponses) failed")
	}
	resp, err := c.ListBonusesWithResponse(ctx, e.list)
	if err != nil || resp.StatusCode() != http.StatusOK || resp.JSON200 == nil || len(resp.JSON200.Data) != 2 {
		t.Fatalf("bonuses through the typed client: %v %+v", err, resp)
	}
	var s string
	if e.b.As(&s) {
		t.Fatal("As(*string) succeeded")
	}
}
