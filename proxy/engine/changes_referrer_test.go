package engine_test

import (
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// TestChangesNameTheReferrer: every change of a referred participant
// carries the referrer (vendors put it in every subscriber payload), with
// its credited count; none once the referrer is gone.
func TestChangesNameTheReferrer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wh := e.b.(canonical.Webhooks)
	c := e.campaign(canonical.Campaign{})
	bo := e.join(c.ID, "bo@example.com", canonical.ParticipantRef{})
	ana := e.join(c.ID, "ana@example.com", canonical.ByCode(bo.ReferralCode))
	first := "Ana"
	if _, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(ana.ID), canonical.ParticipantPatch{FirstName: &first}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.b.DeleteParticipant(e.ctx, c.ID, canonical.ByID(bo.ID)); err != nil {
		t.Fatal(err)
	}
	last := "Ruiz"
	if _, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(ana.ID), canonical.ParticipantPatch{LastName: &last}); err != nil {
		t.Fatal(err)
	}
	changes, err := wh.ListChanges(e.ctx, canonical.ChangeQuery{Kinds: []canonical.ChangeKind{canonical.ChangeParticipantUpdated}})
	if err != nil || len(changes.Items) != 2 {
		t.Fatalf("updates = %+v, %v", changes.Items, err)
	}
	before, after := changes.Items[0], changes.Items[1]
	if before.Referrer == nil || before.Referrer.ID != bo.ID || before.Referrer.ReferralCode != bo.ReferralCode || before.Referrer.Stats.Referrals != 1 {
		t.Errorf("the update before the referrer left carries referrer %+v", before.Referrer)
	}
	if after.Referrer != nil {
		t.Errorf("the update after the referrer left carries referrer %+v", after.Referrer)
	}
	for _, ch := range changes.Items {
		if ch.Campaign == nil || ch.Campaign.ID != c.ID || ch.Campaign.URL != c.URL || ch.Campaign.Rules != nil {
			t.Errorf("change %s carries campaign %+v", ch.ID, ch.Campaign)
		}
	}
}
