package engine_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/engine"
)

// TestSeedMatchesSignups seeds one campaign with the bulk loader and signs
// the same population up one by one in another, then compares every
// participant's counts and ranks, so the loader cannot drift from the
// engine's own bookkeeping.
func TestSeedMatchesSignups(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 300
	rng := rand.New(rand.NewPCG(3, 4))
	refs := make([]int, n)
	for i := range refs {
		refs[i] = -1
		if i > 0 && rng.IntN(3) > 0 {
			refs[i] = rng.IntN(i)
		}
	}
	seeded := e.campaign(canonical.Campaign{Name: "seeded"})
	manual := e.campaign(canonical.Campaign{Name: "manual"})
	acct := e.b.(*engine.Account).ID()
	if err := e.eng.Seed(e.ctx, acct, seeded.ID, engine.Population{Participants: n, Referrer: func(i int) int { return refs[i] }, Batch: 64}); err != nil {
		t.Fatal(err)
	}
	codes := make([]string, n)
	for i := range n {
		var ref canonical.ParticipantRef
		if refs[i] >= 0 {
			ref = canonical.ByCode(codes[refs[i]])
		}
		codes[i] = e.join(manual.ID, fmt.Sprintf("seed%d@example.com", i), ref).ReferralCode
	}
	for i := range n {
		email := fmt.Sprintf("seed%d@example.com", i)
		a, err := e.b.GetParticipant(e.ctx, seeded.ID, canonical.ByEmail(email))
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.b.GetParticipant(e.ctx, manual.ID, canonical.ByEmail(email))
		if err != nil {
			t.Fatal(err)
		}
		if want := refs[i]; want >= 0 {
			ra, err := e.b.GetParticipant(e.ctx, seeded.ID, canonical.ByID(a.ReferrerID))
			if err != nil || ra.Email != fmt.Sprintf("seed%d@example.com", want) {
				t.Errorf("participant %d: seeded referrer %q (%q, %v), want seed%d", i, a.ReferrerID, ra.Email, err, want)
			}
		}
		sa, sb := a.Stats, b.Stats
		if sa.Referrals != sb.Referrals || sa.Rank != sb.Rank || sa.MonthlyRank != sb.MonthlyRank || sa.MonthlyReferrals != sb.MonthlyReferrals ||
			sa.Level2Referrals != sb.Level2Referrals || sa.Level3Referrals != sb.Level3Referrals || sa.Leads != sb.Leads ||
			sa.ReferredSignups != sb.ReferredSignups || (a.ReferrerID == "") != (b.ReferrerID == "") || a.ReferralState != b.ReferralState {
			t.Errorf("participant %d: seeded %+v, signed up %+v", i, sa, sb)
		}
	}
	// Seeding twice is refused: the campaign is no longer empty.
	err := e.eng.Seed(e.ctx, acct, seeded.ID, engine.Population{Participants: 1})
	wantCode(t, err, canonical.Invalid)
}
