package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/store/postgres/pgtest"
)

func TestConcurrentDuplicateCreatesGiveOneParticipant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	const workers = 50
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		ids     = map[string]int{}
		created int
	)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := canonical.NewParticipant{}
			in.CampaignID, in.Email = c.ID, fmt.Sprintf("Same@Example.com%s", []string{"", ""}[i%2])
			p, isNew, err := e.b.CreateParticipant(e.ctx, in)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("create: %v", err)
				return
			}
			ids[p.ID]++
			if isNew {
				created++
			}
		}()
	}
	wg.Wait()
	if len(ids) != 1 || created != 1 {
		t.Fatalf("ids %v, created %d; want one participant created once", ids, created)
	}
	page, err := e.b.ListParticipants(e.ctx, canonical.ParticipantQuery{CampaignID: c.ID})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("list = %d participants, %v", len(page.Items), err)
	}
}

func TestCreateReturnsExistingUnchanged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	in := canonical.NewParticipant{}
	in.CampaignID, in.Email, in.FirstName = c.ID, "ana@example.com", "Ana"
	first, created, err := e.b.CreateParticipant(e.ctx, in)
	if err != nil || !created {
		t.Fatalf("first create = %v, %v", created, err)
	}
	in.FirstName, in.Email = "Impostor", "ANA@example.com"
	again, created, err := e.b.CreateParticipant(e.ctx, in)
	if err != nil || created || again.ID != first.ID || again.FirstName != "Ana" {
		t.Fatalf("second create = %+v created=%v err=%v; want the first participant unchanged", again, created, err)
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	e.join(c.ID, "taken@example.com", canonical.ParticipantRef{})
	taken := e.get(c.ID, e.join(c.ID, "x@example.com", canonical.ParticipantRef{}).ID).ReferralCode
	tests := []struct {
		name string
		in   canonical.NewParticipant
		code canonical.Code
	}{
		{"no identity", canonical.NewParticipant{}, canonical.Invalid},
		{"bad email", canonical.NewParticipant{Participant: canonical.Participant{Email: "not-an-email"}}, canonical.Invalid},
		{"bad initial state", canonical.NewParticipant{Participant: canonical.Participant{Email: "a@example.com"}, InitialState: "visitor"}, canonical.Invalid},
		{"code in use", canonical.NewParticipant{Participant: canonical.Participant{Email: "b@example.com", ReferralCode: taken}}, canonical.Conflict},
		{"required referrer missing", canonical.NewParticipant{Participant: canonical.Participant{Email: "c@example.com"},
			Referrer: canonical.ByCode("nope"), RequireReferrer: true}, canonical.NotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.CampaignID = c.ID
			_, _, err := e.b.CreateParticipant(e.ctx, tc.in)
			wantCode(t, err, tc.code)
		})
	}
	// An unknown campaign is not found.
	in := canonical.NewParticipant{}
	in.CampaignID, in.Email = "99999", "d@example.com"
	_, _, err := e.b.CreateParticipant(e.ctx, in)
	wantCode(t, err, canonical.NotFound)
}

func TestLookupsByEveryKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	in := canonical.NewParticipant{}
	in.CampaignID, in.Email, in.Phone, in.VanityKeys = c.ID, "Kim@Example.net", "+15550100", []string{"kim-vip"}
	p, _, err := e.b.CreateParticipant(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []canonical.ParticipantRef{
		canonical.ByID(p.ID), canonical.ByEmail("kim@example.NET"), canonical.ByCode(p.ReferralCode),
		canonical.ByCode("KIM-VIP"), canonical.ByIdentifier("+15550100"), canonical.ByIdentifier("kim@example.net"),
	} {
		got, err := e.b.GetParticipant(e.ctx, c.ID, ref)
		if err != nil || got.ID != p.ID {
			t.Errorf("GetParticipant(%s) = %s, %v", ref, got.ID, err)
		}
	}
	got, err := e.b.GetParticipant(e.ctx, "", canonical.ByID(p.ID))
	if err != nil || got.ID != p.ID {
		t.Errorf("GetParticipant without campaign = %s, %v", got.ID, err)
	}
	other := e.campaign(canonical.Campaign{Name: "other"})
	_, err = e.b.GetParticipant(e.ctx, other.ID, canonical.ByID(p.ID))
	wantCode(t, err, canonical.NotFound)
	if len(p.ReferralCode) != 8 {
		t.Errorf("generated code %q is not 8 characters", p.ReferralCode)
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	p := e.join(c.ID, "ana@example.com", canonical.ParticipantRef{})
	other, err := e.eng.CreateAccount(e.ctx, "intruder")
	if err != nil {
		t.Fatal(err)
	}
	b := e.eng.Backend(other.ID)
	_, err = b.GetCampaign(e.ctx, c.ID)
	wantCode(t, err, canonical.NotFound)
	_, err = b.GetParticipant(e.ctx, "", canonical.ByID(p.ID))
	wantCode(t, err, canonical.NotFound)
	_, err = b.UpdateParticipant(e.ctx, "", canonical.ByID(p.ID), canonical.ParticipantPatch{Notes: ptr("pwned")})
	wantCode(t, err, canonical.NotFound)
	_, err = b.DeleteParticipant(e.ctx, c.ID, canonical.ByID(p.ID))
	wantCode(t, err, canonical.NotFound)
	in := canonical.NewParticipant{}
	in.CampaignID, in.Email = c.ID, "x@example.com"
	_, _, err = b.CreateParticipant(e.ctx, in)
	wantCode(t, err, canonical.NotFound)
	list, err := b.ListCampaigns(e.ctx, canonical.ListOptions{})
	if err != nil || len(list.Items) != 0 {
		t.Errorf("intruder lists %d campaigns, %v", len(list.Items), err)
	}
	if got := e.get(c.ID, p.ID); got.Notes != "" {
		t.Errorf("notes changed to %q", got.Notes)
	}
}

func TestUpdateParticipant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
	b := e.join(c.ID, "b@example.com", canonical.ParticipantRef{})
	native := canonical.Native{}
	native.Set(canonical.IRefer, "info_1", "blue")
	got, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(a.ID), canonical.ParticipantPatch{
		FirstName: ptr("Ann"), Metadata: map[string]string{"plan": "pro"}, Native: native, Points: ptr(int64(12)),
		VanityKeys: &[]string{"ann"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstName != "Ann" || got.Metadata["plan"] != "pro" || got.Native.String(canonical.IRefer, "info_1") != "blue" ||
		got.Points != 12 || got.Stats.PointsRank != 1 {
		t.Errorf("updated = %+v", got)
	}
	if byVanity, err := e.b.GetParticipant(e.ctx, c.ID, canonical.ByCode("ann")); err != nil || byVanity.ID != a.ID {
		t.Errorf("vanity lookup = %v, %v", byVanity.ID, err)
	}
	_, err = e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(a.ID), canonical.ParticipantPatch{Email: ptr("B@example.com")})
	wantCode(t, err, canonical.Conflict)
	_, err = e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(a.ID), canonical.ParticipantPatch{Referrer: ptr(canonical.ByID(a.ID))})
	wantCode(t, err, canonical.Invalid)
	// b refers a; a may not then refer b (a cycle).
	if _, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(a.ID), canonical.ParticipantPatch{Referrer: ptr(canonical.ByID(b.ID))}); err != nil {
		t.Fatal(err)
	}
	_, err = e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(b.ID), canonical.ParticipantPatch{Referrer: ptr(canonical.ByID(a.ID))})
	wantCode(t, err, canonical.Invalid)
	if got := e.get(c.ID, b.ID); got.Stats.Referrals != 1 {
		t.Errorf("b referrals = %d after referring a", got.Stats.Referrals)
	}
	// Removing the referrer takes the credit back.
	if _, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(a.ID), canonical.ParticipantPatch{Referrer: &canonical.ParticipantRef{}}); err != nil {
		t.Fatal(err)
	}
	if got := e.get(c.ID, b.ID); got.Stats.Referrals != 0 {
		t.Errorf("b referrals = %d after the referral was removed", got.Stats.Referrals)
	}
	if got := e.get(c.ID, a.ID); got.ReferrerID != "" || got.ReferralState != "" {
		t.Errorf("a still referred: %q %q", got.ReferrerID, got.ReferralState)
	}
}

func ptr[T any](v T) *T { return &v }

// TestConcurrentDuplicateCreatesOnPostgres is the duplicate-create race on
// PostgreSQL, where writers really run in parallel.
func TestConcurrentDuplicateCreatesOnPostgres(t *testing.T) {
	t.Parallel()
	st := pgtest.Open(t)
	eng := engine.New(st, nil)
	acct, err := eng.CreateAccount(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	b := eng.Backend(acct.ID)
	c, err := b.CreateCampaign(context.Background(), canonical.Campaign{Name: "race"})
	if err != nil {
		t.Fatal(err)
	}
	ref, _, err := b.CreateParticipant(context.Background(), canonical.NewParticipant{Participant: canonical.Participant{CampaignID: c.ID, Email: "r@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	ids := make(chan string, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := canonical.NewParticipant{Referrer: canonical.ByCode(ref.ReferralCode)}
			in.CampaignID, in.Email = c.ID, "same@example.com"
			p, _, err := b.CreateParticipant(context.Background(), in)
			if err != nil {
				t.Error(err)
				return
			}
			ids <- p.ID
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	got, err := b.GetParticipant(context.Background(), c.ID, canonical.ByID(ref.ID))
	if len(seen) != 1 || err != nil || got.Stats.Referrals != 1 {
		t.Fatalf("ids %v, referrer referrals %d (%v); want one participant, one referral", seen, got.Stats.Referrals, err)
	}
}

// TestNewParticipantViewMatchesRead checks that the stats CreateParticipant
// returns for a new participant equal a fresh read of the same participant.
func TestNewParticipantViewMatchesRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{Rules: []canonical.RewardRule{{Kind: canonical.DoubleSided, ReferredAtSignup: true,
		ReferredValue: canonical.Money{Amount: 20}}}})
	a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
	e.join(c.ID, "b@example.com", canonical.ByCode(a.ReferralCode))
	if _, err := e.b.DeleteParticipant(e.ctx, c.ID, canonical.ByEmail("b@example.com")); err != nil {
		t.Fatal(err)
	}
	in := canonical.NewParticipant{Referrer: canonical.ByCode(a.ReferralCode)}
	in.CampaignID, in.Email, in.Points = c.ID, "new@example.com", 5
	created, isNew, err := e.b.CreateParticipant(e.ctx, in)
	if err != nil || !isNew {
		t.Fatal(err)
	}
	read := e.get(c.ID, created.ID)
	if fmt.Sprint(created.Stats) != fmt.Sprint(read.Stats) {
		t.Errorf("created stats %+v\nread stats    %+v", created.Stats, read.Stats)
	}
	if created.Stats.ReferredRewards.Amount != 20 || created.Stats.PointsRank != 1 || created.Stats.Rank != 2 {
		t.Errorf("created stats = %+v", created.Stats)
	}
}

// TestFilteredListPagesLoseNothing pages through a metadata-filtered list
// whose matches are scattered: every match appears once, in order.
func TestFilteredListPagesLoseNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	var want []string
	for i, plan := range []string{"pro", "free", "pro", "pro", "free", "pro"} {
		in := canonical.NewParticipant{}
		in.CampaignID, in.Email, in.Metadata = c.ID, fmt.Sprintf("m%d@example.com", i), map[string]string{"plan": plan}
		p, _, err := e.b.CreateParticipant(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if plan == "pro" {
			want = append([]string{p.ID}, want...) // newest first
		}
	}
	var got []string
	cursor, pages := "", 0
	for {
		page, err := e.b.ListParticipants(e.ctx, canonical.ParticipantQuery{CampaignID: c.ID, Metadata: map[string]string{"plan": "pro"},
			ListOptions: canonical.ListOptions{Limit: 3, Cursor: cursor}})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Items {
			got = append(got, p.ID)
		}
		pages++
		if cursor = page.NextCursor; cursor == "" || pages > 5 {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("filtered pages = %v, want %v", got, want)
	}
}

func TestGenerationMovesOnWritesOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	acct := e.b.(*engine.Account).ID()
	g0 := e.eng.Generation(acct)
	p, _, err := e.b.CreateParticipant(e.ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: c.ID, Email: "ann@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	g1 := e.eng.Generation(acct)
	if g1 == g0 {
		t.Fatal("a signup did not move the generation")
	}
	if _, err := e.b.GetParticipant(e.ctx, c.ID, canonical.ByID(p.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.b.ListParticipants(e.ctx, canonical.ParticipantQuery{CampaignID: c.ID}); err != nil {
		t.Fatal(err)
	}
	if g := e.eng.Generation(acct); g != g1 {
		t.Fatalf("reads moved the generation from %d to %d", g1, g)
	}
	other, err := e.eng.CreateAccount(e.ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	og := e.eng.Generation(other.ID)
	if _, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(p.ID), canonical.ParticipantPatch{FirstName: ptr("Ann")}); err != nil {
		t.Fatal(err)
	}
	if e.eng.Generation(acct) == g1 {
		t.Fatal("an update did not move the generation")
	}
	if e.eng.Generation(other.ID) != og {
		t.Fatal("a write in one account moved another account's generation")
	}
	if err := e.eng.Reset(e.ctx); err != nil {
		t.Fatal(err)
	}
	if e.eng.Generation(other.ID) == og {
		t.Fatal("Reset did not move every account's generation")
	}
}

func TestAliases(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	p := e.join(c.ID, "ann@example.com", canonical.ParticipantRef{})
	acct := e.b.(*engine.Account)
	if err := acct.RecordAlias(e.ctx, "participant", canonical.GrowSurf, "k3x9qz", p.ID); err != nil {
		t.Fatal(err)
	}
	got, err := acct.ResolveAlias(e.ctx, "participant", canonical.GrowSurf, "k3x9qz")
	if err != nil || got != p.ID {
		t.Fatalf("ResolveAlias = %q, %v; want %s", got, err, p.ID)
	}
	if _, err := acct.ResolveAlias(e.ctx, "participant", canonical.Rewardful, "k3x9qz"); canonical.CodeOf(err) != canonical.NotFound {
		t.Fatalf("another vendor's alias: %v", err)
	}
	if err := acct.RecordAlias(e.ctx, "participant", canonical.GrowSurf, "x", "not-an-id"); canonical.CodeOf(err) != canonical.NotFound {
		t.Fatalf("alias to a non-engine ID: %v", err)
	}
	// Another account's engine backend does not see it.
	other, err := e.eng.CreateAccount(e.ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.Backend(other.ID).(*engine.Account).ResolveAlias(e.ctx, "participant", canonical.GrowSurf, "k3x9qz"); canonical.CodeOf(err) != canonical.NotFound {
		t.Fatalf("another account resolved the alias: %v", err)
	}
}

// TestEndedContextCodes: a call whose context was cancelled or whose
// deadline passed answers Canceled or DeadlineExceeded (a caller that
// went away, a request that ran out of time), not Internal, and writes
// nothing.
func TestEndedContextCodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, stop := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer stop()
	for _, tt := range []struct {
		ctx  context.Context
		want canonical.Code
	}{{cancelled, canonical.Canceled}, {expired, canonical.DeadlineExceeded}} {
		in := canonical.NewParticipant{}
		in.CampaignID, in.Email = c.ID, "late@example.com"
		_, _, err := e.b.CreateParticipant(tt.ctx, in)
		wantCode(t, err, tt.want)
		_, err = e.b.CreateCampaign(tt.ctx, canonical.Campaign{Name: "late"})
		wantCode(t, err, tt.want)
	}
	if page, err := e.b.ListParticipants(e.ctx, canonical.ParticipantQuery{CampaignID: c.ID}); err != nil || len(page.Items) != 0 {
		t.Errorf("participants after ended calls: %+v, %v", page.Items, err)
	}
	if page, err := e.b.ListCampaigns(e.ctx, canonical.ListOptions{}); err != nil || len(page.Items) != 1 {
		t.Errorf("campaigns after ended calls: %+v, %v", page.Items, err)
	}
}
