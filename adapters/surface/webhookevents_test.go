package surface_test

import (
	"slices"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// table has an older spelling (bonus) and two names one kind goes out as
// depending on the change (direct, referred).
var table = surface.WebhookEvents{
	{Name: "added", Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}},
	{Name: "updated", Kinds: []canonical.ChangeKind{canonical.ChangeParticipantUpdated, canonical.ChangeParticipantConfirmed}},
	{Name: "unlocked", Kinds: []canonical.ChangeKind{canonical.ChangeRewardEarned}},
	{Name: "bonus", Kinds: []canonical.ChangeKind{canonical.ChangeRewardEarned}},
	{Name: "referred", Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}},
}

func TestWebhookEventsKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		names []string
		want  []canonical.ChangeKind
		err   bool
	}{
		{names: nil, want: nil},
		{names: []string{"updated"}, want: []canonical.ChangeKind{canonical.ChangeParticipantUpdated, canonical.ChangeParticipantConfirmed}},
		{names: []string{"bonus", "unlocked", "referred"}, want: []canonical.ChangeKind{canonical.ChangeParticipantAdded, canonical.ChangeRewardEarned}},
		{names: []string{"added", "nope"}, err: true},
		{names: []string{"Added"}, err: true},
	} {
		got, err := table.Kinds(canonical.ReferralHero, tc.names)
		if tc.err {
			if canonical.CodeOf(err) != canonical.Invalid {
				t.Errorf("Kinds(%q) = %v, %v; want Invalid", tc.names, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Kinds(%q) = %v, %v; want %v", tc.names, got, err, tc.want)
		}
	}
}

func TestWebhookEventsName(t *testing.T) {
	t.Parallel()
	referred := func(referred bool) func(string) bool {
		return func(n string) bool { return n != "added" && n != "referred" || (n == "referred") == referred }
	}
	for _, tc := range []struct {
		kind       canonical.ChangeKind
		subscribed []string
		allow      func(string) bool
		want       string
	}{
		{kind: canonical.ChangeRewardEarned, want: "unlocked"},
		{kind: canonical.ChangeRewardEarned, subscribed: []string{"bonus"}, want: "bonus"},
		{kind: canonical.ChangeRewardEarned, subscribed: []string{"bonus", "unlocked"}, want: "unlocked"},
		{kind: canonical.ChangeRewardEarned, subscribed: []string{"added"}, want: ""},
		{kind: canonical.ChangeParticipantAdded, allow: referred(true), want: "referred"},
		{kind: canonical.ChangeParticipantAdded, allow: referred(false), subscribed: []string{"added", "referred"}, want: "added"},
		{kind: canonical.ChangeParticipantAdded, allow: referred(true), subscribed: []string{"added"}, want: ""},
		{kind: canonical.ChangeCampaignEnded, want: ""},
	} {
		got, ok := table.Name(tc.kind, tc.subscribed, tc.allow)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Name(%s, %q) = %q, %v; want %q", tc.kind, tc.subscribed, got, ok, tc.want)
		}
	}
	if got := table.Names(); !slices.Equal(got, []string{"added", "updated", "unlocked", "bonus", "referred"}) {
		t.Errorf("Names() = %q", got)
	}
}
