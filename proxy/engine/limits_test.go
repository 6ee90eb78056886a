package engine_test

import (
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// nested returns a value of n nested objects.
func nested(n int) any {
	var v any = 1.0
	for range n {
		v = map[string]any{"a": v}
	}
	return v
}

// TestValuesThatCannotBeStoredAreRefused: whatever reaches the engine —
// through the SDK and the admin API as well as a surface — is refused as
// Invalid, naming the part, when storing it would change it (text that is
// not UTF-8) or when a free-form value is nested past canonical.MaxDepth
// or larger than canonical.MaxValueBytes; nothing is stored.
func TestValuesThatCannotBeStoredAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	ann := e.join(c.ID, "ann@example.com", canonical.ParticipantRef{})
	native := func(v any) canonical.Native {
		var n canonical.Native
		n.Set(canonical.GrowSurf, "design", v)
		return n
	}
	bad := "\xff\xfe"
	tests := []struct {
		name, want string
		call       func() error
	}{
		{"participant name", "FirstName is not valid UTF-8", func() error {
			_, _, err := e.b.CreateParticipant(e.ctx, canonical.NewParticipant{Participant: canonical.Participant{
				CampaignID: c.ID, Email: "bo@example.com", FirstName: "Bo" + bad}})
			return err
		}},
		{"participant native 9,999 deep", "Native.growsurf.design nests deeper than 32 levels", func() error {
			_, _, err := e.b.CreateParticipant(e.ctx, canonical.NewParticipant{Participant: canonical.Participant{
				CampaignID: c.ID, Email: "bo@example.com", Native: native(nested(9999))}})
			return err
		}},
		{"participant metadata", "Metadata.plan is not valid UTF-8", func() error {
			_, err := e.b.UpdateParticipant(e.ctx, c.ID, canonical.ByID(ann.ID), canonical.ParticipantPatch{
				Metadata: map[string]string{"plan": "pro" + bad}})
			return err
		}},
		{"campaign native past the depth limit", "Native.growsurf.design nests deeper than 32 levels", func() error {
			_, err := e.b.UpdateCampaign(e.ctx, c.ID, canonical.CampaignPatch{Native: native(nested(canonical.MaxDepth + 1))})
			return err
		}},
		{"campaign native past the size limit", "Native.growsurf.design is larger than 65536 bytes", func() error {
			big := make([]any, 0, 2000)
			for range 2000 {
				big = append(big, strings.Repeat("x", 40))
			}
			_, err := e.b.UpdateCampaign(e.ctx, c.ID, canonical.CampaignPatch{Native: native(big)})
			return err
		}},
		{"campaign name", "Name is not valid UTF-8", func() error {
			_, err := e.b.CreateCampaign(e.ctx, canonical.Campaign{Name: "Spring" + bad})
			return err
		}},
		{"reward rule title", "Title is not valid UTF-8", func() error {
			_, err := e.b.CreateRewardRule(e.ctx, c.ID, canonical.RewardRule{Kind: canonical.SingleSided, Title: "Gift" + bad})
			return err
		}},
		{"link token", "token is not valid UTF-8", func() error {
			_, err := e.b.CreateLink(e.ctx, c.ID, canonical.ByID(ann.ID), "vip"+bad)
			return err
		}},
		{"account name", "name is not valid UTF-8", func() error {
			_, err := e.eng.CreateAccount(e.ctx, "acme"+bad)
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, err, canonical.Invalid)
			if !strings.Contains(canonical.MessageOf(err), tc.want) {
				t.Errorf("err = %v, want a message containing %q", err, tc.want)
			}
		})
	}
	got, err := e.b.GetCampaign(e.ctx, c.ID)
	if err != nil || got.Name != c.Name || got.Native != nil || len(got.Rules) != len(c.Rules) {
		t.Errorf("campaign after the refused calls = %+v, %v; want it unchanged", got, err)
	}
	ps, err := e.b.ListParticipants(e.ctx, canonical.ParticipantQuery{CampaignID: c.ID})
	if err != nil || len(ps.Items) != 1 || ps.Items[0].Metadata != nil {
		t.Errorf("participants after the refused calls = %+v, %v; want Ann alone, unchanged", ps.Items, err)
	}
	links, err := e.b.ListLinks(e.ctx, canonical.LinkQuery{CampaignID: c.ID})
	if err != nil || len(links.Items) != 1 {
		t.Errorf("links after the refused call = %+v, %v; want Ann's referral code alone", links.Items, err)
	}
}
