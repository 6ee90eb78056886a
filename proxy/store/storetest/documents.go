package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// deep returns the JSON text of objects nested n levels ({"a":{"a":…1}}).
func deep(n int) string {
	return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
}

// deepValue is deep(n) as a decoded value.
func deepValue(n int) any {
	var v any = 1.0
	for range n {
		v = map[string]any{"a": v}
	}
	return v
}

// testRefusesUnreadable: a value whose document the store could not read
// back — a native value nested past encoding/json's 10,000 levels, as a
// GrowSurf design PATCH once stored — is refused with ErrTooDeep by every
// kind of write, and nothing of it is stored.
func testRefusesUnreadable(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	camp := fmt.Sprint(f.campaign)
	p := f.addParticipant(t, s, "ann@example.com", 0)
	poison := func(n *canonical.Native) { n.Set(canonical.GrowSurf, "design", deepValue(10000)) }
	writes := []struct {
		name  string
		write func(tx store.Tx) error
	}{
		{"InsertCampaign", func(tx store.Tx) error {
			c := canonical.Campaign{Name: "poisoned", Status: canonical.CampaignActive, CreatedAt: t0}
			poison(&c.Native)
			return tx.InsertCampaign(ctx, f.account, &c)
		}},
		{"UpdateCampaign", func(tx store.Tx) error {
			c, err := tx.LockCampaign(ctx, f.account, f.campaign)
			if err != nil {
				return err
			}
			c.Name = "renamed"
			poison(&c.Native)
			return tx.UpdateCampaign(ctx, f.account, &c)
		}},
		{"InsertRule", func(tx store.Tx) error {
			r := canonical.RewardRule{CampaignID: camp, Kind: canonical.SingleSided, Title: "poisoned"}
			poison(&r.Native)
			return tx.InsertRule(ctx, f.account, &r)
		}},
		{"InsertParticipant", func(tx store.Tx) error {
			q := store.Participant{Ord: 99}
			q.CampaignID, q.Email, q.CreatedAt = camp, "bo@example.com", t0
			poison(&q.Native)
			return tx.InsertParticipant(ctx, f.account, &q)
		}},
		{"UpdateParticipant", func(tx store.Tx) error {
			q := p
			q.FirstName = "Renamed"
			poison(&q.Native)
			return tx.UpdateParticipant(ctx, f.account, &q)
		}},
	}
	for _, w := range writes {
		err := s.Update(ctx, w.write)
		if !errors.Is(err, store.ErrTooDeep) {
			t.Errorf("%s of a value nested 10,000 deep: err = %v, want ErrTooDeep", w.name, err)
		}
	}
	view(t, s, func(tx store.Tx) error {
		cs, err := tx.ListCampaigns(ctx, f.account, 0, 10)
		if err != nil || len(cs) != 1 || cs[0].Name != "spring" || cs[0].Native != nil {
			t.Errorf("campaigns after the refused writes = %+v, %v; want the fixture's alone, unchanged", cs, err)
		}
		rules, err := tx.ListRules(ctx, f.account, f.campaign)
		if err != nil || len(rules) != 0 {
			t.Errorf("rules after the refused insert = %+v, %v; want none", rules, err)
		}
		ps, _, err := tx.ListParticipants(ctx, f.account, store.ParticipantQuery{Campaign: f.campaign, Sort: canonical.SortOldest, Limit: 10})
		if err != nil || len(ps) != 1 || ps[0].FirstName != "" || ps[0].Native != nil {
			t.Errorf("participants after the refused writes = %+v, %v; want Ann alone, unchanged", ps, err)
		}
		return nil
	})
}

// Corrupt replaces the stored document of one row of a table, bypassing
// the store: what an older refbridge (which stored values too deep to read
// back) or damage from outside leaves behind.
type Corrupt func(t *testing.T, table string, id int64, doc string)

// DamageOpener opens a fresh, empty store, and a Corrupt that writes to
// its database.
type DamageOpener func(t *testing.T) (store.Store, Corrupt)

// RunDamaged runs the tests of a store reading documents it would not
// have written: one record's damage must not take down the lists it is in.
func RunDamaged(t *testing.T, open DamageOpener) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store, Corrupt)
	}{
		{"TooDeepNativeValue", testTooDeepStored},
		{"UnreadableDocument", testUnreadableStored},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, corrupt := open(t)
			tc.fn(t, s, corrupt)
		})
	}
}

// testTooDeepStored: records holding a native value nested past what the
// decoder reads (written before writes were checked) read back without
// that value and with everything else; lists and boards that hold them
// answer; the record's next write stores it clean.
func testTooDeepStored(t *testing.T, s store.Store, corrupt Corrupt) {
	ctx := context.Background()
	f := newFixture(t, s)
	var poisoned canonical.Campaign
	update(t, s, func(tx store.Tx) error {
		poisoned = canonical.Campaign{Name: "autumn", Status: canonical.CampaignActive, Currency: "EUR", CreatedAt: t0}
		return tx.InsertCampaign(ctx, f.account, &poisoned)
	})
	corrupt(t, "campaigns", id(poisoned.ID), `{"Name":"autumn","Status":"active","Currency":"EUR","CreatedAt":"2026-03-14T15:09:26Z",`+
		`"Native":{"growsurf":{"companyName":"Acme","design":`+deep(9999)+`,"options":{"x":[1,2]}},"irefer":{"info_1":"blue"}}}`)
	ann := f.addParticipant(t, s, "ann@example.com", 3)
	bo := f.addParticipant(t, s, "bo@example.com", 1)
	corrupt(t, "participants", id(ann.ID), fmt.Sprintf(`{"CampaignID":"%d","Email":"ann@example.com","CreatedAt":"2026-03-14T15:10:26Z",`+
		`"Native":{"growsurf":{"metadata":%s}},"Ord":1,"Referrals":3}`, f.campaign, deep(10000)))

	view(t, s, func(tx store.Tx) error {
		c, err := tx.GetCampaign(ctx, f.account, id(poisoned.ID))
		if err != nil {
			return fmt.Errorf("GetCampaign of a campaign with a native value 9,999 deep: %w", err)
		}
		if _, kept := c.Native.Get(canonical.GrowSurf, "design"); kept || c.Name != "autumn" || c.Currency != "EUR" ||
			c.Native.String(canonical.GrowSurf, "companyName") != "Acme" || c.Native.String(canonical.IRefer, "info_1") != "blue" {
			t.Errorf("GetCampaign = %+v; want autumn in EUR with its other native values and without the design", c)
		}
		if _, ok := c.Native.Get(canonical.GrowSurf, "options"); !ok {
			t.Errorf("GetCampaign lost GrowSurf's options beside the design: %+v", c.Native)
		}
		cs, err := tx.ListCampaigns(ctx, f.account, 0, 10)
		if err != nil || len(cs) != 2 || cs[0].Name != "autumn" || cs[1].Name != "spring" {
			t.Errorf("ListCampaigns = %+v, %v; want autumn and spring", cs, err)
		}
		p, err := tx.GetParticipant(ctx, f.account, id(ann.ID))
		if err != nil || p.Email != "ann@example.com" || p.Ord != 1 || p.Native != nil {
			t.Errorf("GetParticipant = %+v, %v; want Ann without her native value", p, err)
		}
		ps, _, err := tx.ListParticipants(ctx, f.account, store.ParticipantQuery{Campaign: f.campaign, Sort: canonical.SortOldest, Limit: 10})
		if err != nil || len(ps) != 2 || ps[0].Email != "ann@example.com" || ps[1].Email != "bo@example.com" {
			t.Errorf("ListParticipants = %+v, %v; want Ann and Bo", ps, err)
		}
		board, err := tx.Leaderboard(ctx, f.account, f.campaign, store.BoardQuery{Board: "referrals", Limit: 10})
		if err != nil || len(board) != 2 || board[0].ID != ann.ID || board[0].Score != 3 || board[1].ID != bo.ID {
			t.Errorf("Leaderboard = %+v, %v; want Ann (3), Bo (1)", board, err)
		}
		return nil
	})
	// The next write stores the record as read: readable as it is.
	update(t, s, func(tx store.Tx) error {
		c, err := tx.LockCampaign(ctx, f.account, id(poisoned.ID))
		if err != nil {
			return err
		}
		c.Native.Set(canonical.GrowSurf, "design", map[string]any{"color": "red"})
		return tx.UpdateCampaign(ctx, f.account, &c)
	})
	view(t, s, func(tx store.Tx) error {
		c, err := tx.GetCampaign(ctx, f.account, id(poisoned.ID))
		if design, _ := c.Native.Get(canonical.GrowSurf, "design"); err != nil || fmt.Sprint(design) != "map[color:red]" ||
			c.Native.String(canonical.IRefer, "info_1") != "blue" {
			t.Errorf("GetCampaign after the repairing write = %+v, %v", c, err)
		}
		return nil
	})
}

// Failures inside a transaction are returned, not fatal: a test that
// stopped inside one would leave it open, and closing the store would wait
// for it.

// testUnreadableStored: a record whose document is not JSON at all reads
// as ErrUnreadable, and lists show it by what its columns say instead of
// failing or ending early.
func testUnreadableStored(t *testing.T, s store.Store, corrupt Corrupt) {
	ctx := context.Background()
	f := newFixture(t, s)
	var broken canonical.Campaign
	update(t, s, func(tx store.Tx) error {
		broken = canonical.Campaign{Name: "autumn", Status: canonical.CampaignActive, CreatedAt: t0}
		if err := tx.InsertCampaign(ctx, f.account, &broken); err != nil {
			return err
		}
		third := canonical.Campaign{Name: "winter", Status: canonical.CampaignActive, CreatedAt: t0}
		return tx.InsertCampaign(ctx, f.account, &third)
	})
	corrupt(t, "campaigns", id(broken.ID), "not JSON")
	var ps []store.Participant
	for i, sc := range []int64{2, 5, 1, 4} {
		ps = append(ps, f.addParticipant(t, s, fmt.Sprintf("p%d@example.com", i), sc))
	}
	corrupt(t, "participants", id(ps[1].ID), `{"Email":`)

	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetCampaign(ctx, f.account, id(broken.ID)); !errors.Is(err, store.ErrUnreadable) {
			t.Errorf("GetCampaign of the damaged campaign: err = %v, want ErrUnreadable", err)
		}
		// Pages of one: the damaged campaign holds its place.
		var names []string
		before := int64(0)
		for range 4 {
			cs, err := tx.ListCampaigns(ctx, f.account, before, 1)
			if err != nil {
				return fmt.Errorf("ListCampaigns after %d: %w", before, err)
			}
			if len(cs) == 0 {
				break
			}
			names = append(names, cs[0].ID+":"+cs[0].Name)
			before = id(cs[0].ID)
		}
		if want := fmt.Sprintf("[%d:winter %s: %d:spring]", id(broken.ID)+1, broken.ID, f.campaign); fmt.Sprint(names) != want {
			t.Errorf("ListCampaigns, page by page = %v, want %s (the damaged one by its ID alone)", names, want)
		}

		if _, err := tx.GetParticipant(ctx, f.account, id(ps[1].ID)); !errors.Is(err, store.ErrUnreadable) {
			t.Errorf("GetParticipant of the damaged participant: err = %v, want ErrUnreadable", err)
		}
		for _, sort := range []canonical.ParticipantSort{canonical.SortOldest, canonical.SortEmailAsc, canonical.SortReferralsDesc} {
			var got []string
			q := store.ParticipantQuery{Campaign: f.campaign, Sort: sort, Limit: 1}
			for range 5 {
				rows, after, err := tx.ListParticipants(ctx, f.account, q)
				if err != nil {
					return fmt.Errorf("ListParticipants %s: %w", sort, err)
				}
				for _, r := range rows {
					got = append(got, r.Email)
				}
				if after == "" {
					break
				}
				q.After = after
			}
			want := map[canonical.ParticipantSort]string{
				canonical.SortOldest:        "[p0@example.com p1@example.com p2@example.com p3@example.com]",
				canonical.SortEmailAsc:      "[p0@example.com p1@example.com p2@example.com p3@example.com]",
				canonical.SortReferralsDesc: "[p1@example.com p3@example.com p0@example.com p2@example.com]",
			}[sort]
			if fmt.Sprint(got) != want {
				t.Errorf("ListParticipants by %s, page by page = %v, want %s (the damaged one by its columns)", sort, got, want)
			}
		}
		var board []string
		q := store.BoardQuery{Board: "referrals", Limit: 1}
		for range 5 {
			rows, err := tx.Leaderboard(ctx, f.account, f.campaign, q)
			if err != nil {
				return fmt.Errorf("Leaderboard: %w", err)
			}
			if len(rows) == 0 {
				break
			}
			board = append(board, fmt.Sprintf("%d:%d", rows[0].Ord, rows[0].Score))
			q.AfterScore, q.AfterOrd = rows[0].Score, rows[0].Ord
		}
		if want := "[2:5 4:4 1:2 3:1]"; fmt.Sprint(board) != want {
			t.Errorf("Leaderboard, row by row = %v, want %s", board, want)
		}
		return nil
	})
}
