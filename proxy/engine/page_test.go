package engine_test

import (
	"encoding/base64"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// TestMalformedPagingIsInvalid gives every list of the engine cursors it
// never issued and negative offsets: each is canonical Invalid (bad input,
// a vendor's 400), never Internal, whichever layer — the engine's cursor
// decoding or the store's keyset parsing — finds it malformed.
func TestMalformedPagingIsInvalid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	p := e.join(c.ID, "ann@example.com", canonical.ParticipantRef{})
	b64 := base64.RawURLEncoding.EncodeToString
	cursors := []string{
		"!!",                                   // not base64
		"abc",                                  // base64 of two arbitrary bytes
		b64([]byte("garbage")),                 // base64 of text in no cursor's form
		b64([]byte("id:abc")),                  // an ID cursor with a non-numeric ID
		b64([]byte("id:99999999999999999999")), // an ID past int64
		b64([]byte("\x1f")),                    // a keyset separator alone
		b64([]byte("ann@example.com")),         // a sort key without its ID
		b64([]byte("x\x1fy")),                  // a key and an ID that is no number
	}
	lists := map[string]func(canonical.ListOptions) error{
		"ListCampaigns": func(o canonical.ListOptions) error { _, err := e.b.ListCampaigns(e.ctx, o); return err },
		"ListLinks": func(o canonical.ListOptions) error {
			_, err := e.b.ListLinks(e.ctx, canonical.LinkQuery{CampaignID: c.ID, ListOptions: o})
			return err
		},
		"ListReferrals": func(o canonical.ListOptions) error {
			_, err := e.b.ListReferrals(e.ctx, canonical.ReferralQuery{CampaignID: c.ID, ListOptions: o})
			return err
		},
		"ListSpecificActions": func(o canonical.ListOptions) error { _, err := e.b.ListSpecificActions(e.ctx, c.ID, o); return err },
		"ListEarnedRewards": func(o canonical.ListOptions) error {
			_, err := e.b.ListEarnedRewards(e.ctx, canonical.RewardQuery{CampaignID: c.ID, ListOptions: o})
			return err
		},
		"ListTransactions": func(o canonical.ListOptions) error {
			_, err := e.b.ListTransactions(e.ctx, canonical.TransactionQuery{CampaignID: c.ID, ListOptions: o})
			return err
		},
		"ListCommissions": func(o canonical.ListOptions) error {
			_, err := e.b.ListCommissions(e.ctx, canonical.CommissionQuery{CampaignID: c.ID, ListOptions: o})
			return err
		},
		"ListPayouts": func(o canonical.ListOptions) error {
			_, err := e.b.ListPayouts(e.ctx, canonical.PayoutQuery{CampaignID: c.ID, ListOptions: o})
			return err
		},
		"ListCouponGroups": func(o canonical.ListOptions) error { _, err := e.b.ListCouponGroups(e.ctx, c.ID, o); return err },
		"ListCoupons": func(o canonical.ListOptions) error {
			_, err := e.b.ListCoupons(e.ctx, canonical.CouponQuery{CampaignID: c.ID, ListOptions: o})
			return err
		},
		"Leaderboard": func(o canonical.ListOptions) error {
			_, err := e.b.Leaderboard(e.ctx, canonical.LeaderboardQuery{CampaignID: c.ID, ListOptions: o})
			return err
		},
	}
	// Participants are keyset-paged by the store in each sort, so every
	// sort parses cursors its own way.
	for _, sort := range []canonical.ParticipantSort{canonical.SortNewest, canonical.SortEmailAsc,
		canonical.SortReferralsDesc, canonical.SortCreatedDesc} {
		lists["ListParticipants/"+string(sort)] = func(o canonical.ListOptions) error {
			_, err := e.b.ListParticipants(e.ctx, canonical.ParticipantQuery{CampaignID: c.ID, Sort: sort, ListOptions: o})
			return err
		}
	}
	lists["ListParticipants/referred"] = func(o canonical.ListOptions) error {
		_, err := e.b.ListParticipants(e.ctx, canonical.ParticipantQuery{CampaignID: c.ID, ReferrerID: p.ID, ListOptions: o})
		return err
	}
	for name, list := range lists {
		for _, cur := range cursors {
			if err := list(canonical.ListOptions{Cursor: cur}); canonical.CodeOf(err) != canonical.Invalid {
				t.Errorf("%s with cursor %q: %v (code %q), want invalid", name, cur, err, canonical.CodeOf(err))
			}
		}
		// The lists that seek refuse a negative offset; the others ignore
		// offsets altogether. Neither fails.
		if err := list(canonical.ListOptions{Offset: -1}); err != nil && canonical.CodeOf(err) != canonical.Invalid {
			t.Errorf("%s with offset -1: %v (code %q), want invalid or no error", name, err, canonical.CodeOf(err))
		}
		if err := list(canonical.ListOptions{Limit: -5}); err != nil {
			t.Errorf("%s with limit -5: %v, want the default page", name, err)
		}
	}
}
