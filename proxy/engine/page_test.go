package engine_test

import (
	"encoding/base64"
	"fmt"
	"slices"
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
	lists := engineLists(e, c, p)
	for name, list := range lists {
		for _, cur := range cursors {
			if _, err := list(canonical.ListOptions{Cursor: cur}); canonical.CodeOf(err) != canonical.Invalid {
				t.Errorf("%s with cursor %q: %v (code %q), want invalid", name, cur, err, canonical.CodeOf(err))
			}
		}
		// The lists that seek refuse a negative offset; the others ignore
		// offsets altogether. Neither fails.
		if _, err := list(canonical.ListOptions{Offset: -1}); err != nil && canonical.CodeOf(err) != canonical.Invalid {
			t.Errorf("%s with offset -1: %v (code %q), want invalid or no error", name, err, canonical.CodeOf(err))
		}
		if _, err := list(canonical.ListOptions{Limit: -5}); err != nil {
			t.Errorf("%s with limit -5: %v, want the default page", name, err)
		}
	}
}

// cursorOf is a page's next cursor.
func cursorOf[T any](p canonical.Page[T], err error) (string, error) { return p.NextCursor, err }

// engineLists calls each list of the engine on campaign c (and p's
// referrals) with the options given, answering the next page's cursor.
func engineLists(e *env, c canonical.Campaign, p canonical.Participant) map[string]func(canonical.ListOptions) (string, error) {
	lists := map[string]func(canonical.ListOptions) (string, error){
		"ListCampaigns": func(o canonical.ListOptions) (string, error) { return cursorOf(e.b.ListCampaigns(e.ctx, o)) },
		"ListLinks": func(o canonical.ListOptions) (string, error) {
			return cursorOf(e.b.ListLinks(e.ctx, canonical.LinkQuery{CampaignID: c.ID, ListOptions: o}))
		},
		"ListReferrals": func(o canonical.ListOptions) (string, error) {
			return cursorOf(e.b.ListReferrals(e.ctx, canonical.ReferralQuery{CampaignID: c.ID, ListOptions: o}))
		},
		"ListSpecificActions": func(o canonical.ListOptions) (string, error) {
			return cursorOf(e.b.ListSpecificActions(e.ctx, c.ID, o))
		},
		"ListEarnedRewards": func(o canonical.ListOptions) (string, error) {
			return cursorOf(e.b.ListEarnedRewards(e.ctx, canonical.RewardQuery{CampaignID: c.ID, ListOptions: o}))
		},
		"ListTransactions": func(o canonical.ListOptions) (string, error) {
			return cursorOf(e.b.ListTransactions(e.ctx, canonical.TransactionQuery{CampaignID: c.ID, ListOptions: o}))
		},
		"ListCommissions": func(o canonical.ListOptions) (string, error) {
			return cursorOf(e.b.ListCommissions(e.ctx, canonical.CommissionQuery{CampaignID: c.ID, ListOptions: o}))
		},
		"ListPayouts": func(o canonical.ListOptions) (string, error) {
			return cursorOf(e.b.ListPayouts(e.ctx, canonical.PayoutQuery{CampaignID: c.ID, ListOptions: o}))
		},
		"ListCouponGroups": func(o canonical.ListOptions) (string, error) { return cursorOf(e.b.ListCouponGroups(e.ctx, c.ID, o)) },
		"ListCoupons": func(o canonical.ListOptions) (string, error) {
			return cursorOf(e.b.ListCoupons(e.ctx, canonical.CouponQuery{CampaignID: c.ID, ListOptions: o}))
		},
		"Leaderboard": func(o canonical.ListOptions) (string, error) {
			return cursorOf(e.b.Leaderboard(e.ctx, canonical.LeaderboardQuery{CampaignID: c.ID, ListOptions: o}))
		},
	}
	// Participants are keyset-paged by the store in each sort, so every
	// sort parses cursors its own way.
	for _, sort := range []canonical.ParticipantSort{canonical.SortNewest, canonical.SortEmailAsc,
		canonical.SortReferralsDesc, canonical.SortCreatedDesc} {
		lists["ListParticipants/"+string(sort)] = func(o canonical.ListOptions) (string, error) {
			return cursorOf(e.b.ListParticipants(e.ctx, canonical.ParticipantQuery{CampaignID: c.ID, Sort: sort, ListOptions: o}))
		}
	}
	lists["ListParticipants/referred"] = func(o canonical.ListOptions) (string, error) {
		return cursorOf(e.b.ListParticipants(e.ctx, canonical.ParticipantQuery{CampaignID: c.ID, ReferrerID: p.ID, ListOptions: o}))
	}
	return lists
}

// FuzzListCursors gives every list of the engine a fuzzed cursor, offset
// and limit: each answers a page or canonical Invalid, never another
// error, never a panic. The seeds are the cursors each list really
// issues, and the malformed ones TestMalformedPagingIsInvalid names.
func FuzzListCursors(f *testing.F) {
	e := newEnv(f)
	c := e.campaign(canonical.Campaign{Rules: []canonical.RewardRule{{Kind: canonical.SingleSided, ReferrerValue: usd(100)}}})
	p := e.join(c.ID, "ann@example.com", canonical.ParticipantRef{})
	for i := range 5 {
		e.join(c.ID, fmt.Sprintf("friend%d@example.com", i), canonical.ByCode(p.ReferralCode))
	}
	lists := engineLists(e, c, p)
	names := make([]string, 0, len(lists))
	for name := range lists {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		// A page of one has a next page wherever the list has two items.
		if cur, err := lists[name](canonical.ListOptions{Limit: 1}); err == nil && cur != "" {
			f.Add(cur, 0, 1)
		}
	}
	f.Add("", -1, -5)
	f.Add("!!", 3, 1000)
	f.Fuzz(func(t *testing.T, cursor string, offset, limit int) {
		for _, name := range names {
			_, err := lists[name](canonical.ListOptions{Cursor: cursor, Offset: offset, Limit: limit})
			if err != nil && canonical.CodeOf(err) != canonical.Invalid {
				t.Errorf("%s (cursor %q, offset %d, limit %d): %v (code %q), want a page or invalid", name, cursor, offset, limit, err, canonical.CodeOf(err))
			}
		}
	})
}
