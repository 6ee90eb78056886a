package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

func testParticipants(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	ana := f.addParticipant(t, s, "Ana@Example.com", 0)
	if ana.ID == "" || ana.Ord != 1 {
		t.Fatalf("inserted participant = %+v", ana)
	}
	// Emails are unique per campaign, case-insensitively.
	err := s.Update(ctx, func(tx store.Tx) error {
		p := store.Participant{Ord: 99}
		p.CampaignID, p.Email = fmt.Sprint(f.campaign), " ana@EXAMPLE.com "
		return tx.InsertParticipant(ctx, f.account, &p)
	})
	wantErr(t, err, store.ErrConflict)
	// A phone-only participant has no email key to collide on.
	update(t, s, func(tx store.Tx) error {
		for i, phone := range []string{"+15550001", "+15550002"} {
			p := store.Participant{Ord: int64(10 + i)}
			p.CampaignID, p.Phone, p.IPAddress = fmt.Sprint(f.campaign), phone, "10.0.0.1"
			if err := tx.InsertParticipant(ctx, f.account, &p); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		p, err := tx.FindParticipant(ctx, f.account, f.campaign, "email", "ana@example.com")
		if err != nil {
			return err
		}
		p.FirstName, p.LastName, p.Points = "Ana", "Ruiz", 7
		p.Metadata = map[string]string{"plan": "pro"}
		p.Native.Set(canonical.IRefer, "info_1", "left-handed")
		p.Stats.Rank = 42 // computed fields are never stored
		return tx.UpdateParticipant(ctx, f.account, &p)
	})
	view(t, s, func(tx store.Tx) error {
		p, err := tx.GetParticipant(ctx, f.account, id(ana.ID))
		if err != nil {
			return err
		}
		if p.Email != "Ana@Example.com" || p.Name() != "Ana Ruiz" || p.Points != 7 || p.Metadata["plan"] != "pro" ||
			p.Native.String(canonical.IRefer, "info_1") != "left-handed" || p.Stats.Rank != 0 || p.Ord != 1 {
			t.Errorf("GetParticipant = %+v", p)
		}
		byPhone, err := tx.FindParticipant(ctx, f.account, f.campaign, "phone", "+15550002")
		if err != nil || byPhone.Phone != "+15550002" {
			t.Errorf("FindParticipant(phone) = %+v, %v", byPhone, err)
		}
		_, err = tx.FindParticipant(ctx, f.account, f.campaign, "email", "nobody@example.com")
		wantErr(t, err, store.ErrNotFound)
		n, err := tx.CountParticipants(ctx, f.account, f.campaign, time.Time{})
		if err != nil || n != 3 {
			t.Errorf("CountParticipants = %d, %v", n, err)
		}
		n, err = tx.CountParticipants(ctx, f.account, f.campaign, t0.Add(30*time.Second))
		if err != nil || n != 1 {
			t.Errorf("CountParticipants(since) = %d, %v; want 1 (the phone-only ones have no created_at)", n, err)
		}
		ord, err := tx.LastOrdBefore(ctx, f.account, f.campaign, t0.Add(time.Minute+time.Millisecond))
		if err != nil || ord != 1 {
			t.Errorf("LastOrdBefore = %d, %v; want 1", ord, err)
		}
		ord, err = tx.LastOrdBefore(ctx, f.account, f.campaign, time.UnixMilli(0))
		if err != nil || ord != 0 {
			t.Errorf("LastOrdBefore(epoch) = %d, %v; want 0", ord, err)
		}
		n, err = tx.CountIPs(ctx, f.account, f.campaign, "10.0.0.1", id(byPhone.ID))
		if err != nil || n != 1 {
			t.Errorf("CountIPs = %d, %v", n, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteParticipant(ctx, f.account, id(ana.ID)) })
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetParticipant(ctx, f.account, id(ana.ID))
		wantErr(t, err, store.ErrNotFound)
		return nil
	})
}

func testParticipantPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	names := []string{"cy", "ann", "bo", "dee", "al", "eve", "bo2"}
	var all []store.Participant
	for i, n := range names {
		p := f.addParticipant(t, s, n+"@example.com", int64(i%3))
		all = append(all, p)
	}
	// Sign-up times out of arrival order, as a migration keeps them: al
	// signed up first, ann and bo at the same moment.
	for i, at := range map[int]time.Time{4: t0.Add(-time.Hour), 1: t0.Add(time.Hour), 2: t0.Add(time.Hour)} {
		all[i].CreatedAt = at
		update(t, s, func(tx store.Tx) error { return tx.UpdateParticipant(ctx, f.account, &all[i]) })
	}
	sorts := map[canonical.ParticipantSort]func(a, b store.Participant) int{
		canonical.SortNewest: func(a, b store.Participant) int { return int(id(b.ID) - id(a.ID)) },
		canonical.SortOldest: func(a, b store.Participant) int { return int(id(a.ID) - id(b.ID)) },
		canonical.SortEmailAsc: func(a, b store.Participant) int {
			if a.Email != b.Email {
				if a.Email < b.Email {
					return -1
				}
				return 1
			}
			return int(id(a.ID) - id(b.ID))
		},
		canonical.SortReferralsDesc: func(a, b store.Participant) int {
			if a.Referrals != b.Referrals {
				return int(b.Referrals - a.Referrals)
			}
			return int(id(b.ID) - id(a.ID))
		},
		canonical.SortCreatedDesc: func(a, b store.Participant) int {
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c
			}
			return int(id(b.ID) - id(a.ID))
		},
	}
	for sort, cmp := range sorts {
		want := slices.Clone(all)
		slices.SortFunc(want, cmp)
		var got []store.Participant
		after, pages := "", 0
		for {
			var rows []store.Participant
			view(t, s, func(tx store.Tx) error {
				var err error
				rows, after, err = tx.ListParticipants(ctx, f.account, store.ParticipantQuery{Campaign: f.campaign, Sort: sort, After: after, Limit: 3})
				return err
			})
			got = append(got, rows...)
			if pages++; after == "" || pages > 10 {
				break
			}
		}
		if pages != 3 {
			t.Errorf("sort %q: %d pages of 3 for 7 rows, want 3", sort, pages)
		}
		if ids(got) != ids(want) {
			t.Errorf("sort %q paged = %s, want %s", sort, ids(got), ids(want))
		}
		// An offset starts the page that many rows in, alone or after a
		// cursor.
		view(t, s, func(tx store.Tx) error {
			for off := range len(want) + 1 {
				rows, _, err := tx.ListParticipants(ctx, f.account, store.ParticipantQuery{Campaign: f.campaign, Sort: sort, Offset: off, Limit: 3})
				if end := min(off+3, len(want)); err != nil || ids(rows) != ids(want[off:end]) {
					t.Errorf("sort %q offset %d = %s, %v; want %s", sort, off, ids(rows), err, ids(want[off:end]))
				}
			}
			_, after, err := tx.ListParticipants(ctx, f.account, store.ParticipantQuery{Campaign: f.campaign, Sort: sort, Limit: 2})
			if err != nil {
				return err
			}
			rows, _, err := tx.ListParticipants(ctx, f.account, store.ParticipantQuery{Campaign: f.campaign, Sort: sort, After: after, Offset: 1, Limit: 2})
			if err != nil || ids(rows) != ids(want[3:5]) {
				t.Errorf("sort %q cursor then offset 1 = %s, %v; want %s", sort, ids(rows), err, ids(want[3:5]))
			}
			return nil
		})
	}
	// A cursor the store did not issue for the sort is ErrBadCursor, which
	// callers report as bad input, never a failure of the store.
	view(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			sort  canonical.ParticipantSort
			after string
		}{
			{canonical.SortNewest, "abc"},
			{canonical.SortNewest, "1.5"},
			{canonical.SortNewest, "99999999999999999999"},
			{canonical.SortOldest, "id:3"},
			{canonical.SortEmailAsc, "ann@example.com"},
			{canonical.SortEmailAsc, "ann@example.com\x1fx"},
			{canonical.SortReferralsDesc, "\x1f"},
			{canonical.SortReferralsDesc, "many\x1f3"},
			{canonical.SortReferralsDesc, "1\x1f99999999999999999999"},
			{canonical.SortCreatedDesc, "-\x1f-"},
		} {
			rows, next, err := tx.ListParticipants(ctx, f.account, store.ParticipantQuery{Campaign: f.campaign, Sort: c.sort, After: c.after, Limit: 3})
			if !errors.Is(err, store.ErrBadCursor) {
				t.Errorf("sort %q after %q = %s, %q, %v; want ErrBadCursor", c.sort, c.after, ids(rows), next, err)
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			q    store.ParticipantQuery
			want int
		}{
			{store.ParticipantQuery{Campaign: f.campaign, Offset: 5, Limit: 1, After: "3"}, len(all)},
			{store.ParticipantQuery{Campaign: f.campaign, EmailKey: "dee@example.com"}, 1},
			{store.ParticipantQuery{Campaign: f.campaign, EmailKey: "nobody@example.com"}, 0},
			{store.ParticipantQuery{Campaign: f.campaign + 1000}, 0},
		} {
			if n, err := tx.CountMatching(ctx, f.account, c.q); err != nil || n != c.want {
				t.Errorf("CountMatching(%+v) = %d, %v; want %d", c.q, n, err, c.want)
			}
		}
		if n, err := tx.CountMatching(ctx, f.account+1000, store.ParticipantQuery{Campaign: f.campaign}); err != nil || n != 0 {
			t.Errorf("CountMatching in another account = %d, %v; want 0", n, err)
		}
		return nil
	})
	// Filters.
	view(t, s, func(tx store.Tx) error {
		rows, next, err := tx.ListParticipants(ctx, f.account, store.ParticipantQuery{Campaign: f.campaign, EmailKey: "dee@example.com"})
		if err != nil || next != "" || len(rows) != 1 || rows[0].Email != "dee@example.com" {
			t.Errorf("filter by email = %v, %v", ids(rows), err)
		}
		return nil
	})
}

// ids renders participants' IDs in order.
func ids(rows []store.Participant) string {
	var out []string
	for _, p := range rows {
		out = append(out, p.ID)
	}
	return strings.Join(out, ",")
}

func testLeaderboard(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	scores := []int64{3, 0, 5, 3, 0, 1}
	for i, sc := range scores {
		f.addParticipant(t, s, fmt.Sprintf("p%d@example.com", i), sc)
	}
	// Expected order: score desc, ordinal asc → ords 3(5), 1(3), 4(3), 6(1), 2(0), 5(0).
	want := []int64{3, 1, 4, 6, 2, 5}
	var got []int64
	q := store.BoardQuery{Board: "referrals", Limit: 4}
	for range 3 {
		var rows []store.Scored
		view(t, s, func(tx store.Tx) error {
			var err error
			rows, err = tx.Leaderboard(ctx, f.account, f.campaign, q)
			return err
		})
		for _, r := range rows {
			got = append(got, r.Ord)
			if r.Score != scores[r.Ord-1] || r.Referrals != r.Score {
				t.Errorf("row ord %d score %d, want %d", r.Ord, r.Score, scores[r.Ord-1])
			}
		}
		if len(rows) < q.Limit {
			break
		}
		last := rows[len(rows)-1]
		q.AfterScore, q.AfterOrd = last.Score, last.Ord
	}
	if !slices.Equal(got, want) {
		t.Errorf("leaderboard ords = %v, want %v", got, want)
	}
	view(t, s, func(tx store.Tx) error {
		rows, err := tx.Leaderboard(ctx, f.account, f.campaign, store.BoardQuery{Board: "referrals", MaxOrd: 2})
		if err != nil || len(rows) != 2 || rows[0].Ord != 1 || rows[1].Ord != 2 {
			t.Errorf("MaxOrd 2 = %+v, %v", rows, err)
		}
		return nil
	})
}

func testMonthBoard(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	var ps []store.Participant
	for i := range 5 {
		ps = append(ps, f.addParticipant(t, s, fmt.Sprintf("m%d@example.com", i), 0))
	}
	update(t, s, func(tx store.Tx) error {
		for i, n := range map[int]int64{1: 2, 3: 4, 4: 2} {
			if err := tx.SetMonthlyScore(ctx, f.campaign, 202603, id(ps[i].ID), ps[i].Ord, n); err != nil {
				return err
			}
		}
		// Another month and a removed score do not leak in.
		if err := tx.SetMonthlyScore(ctx, f.campaign, 202602, id(ps[0].ID), ps[0].Ord, 9); err != nil {
			return err
		}
		if err := tx.SetMonthlyScore(ctx, f.campaign, 202603, id(ps[0].ID), ps[0].Ord, 1); err != nil {
			return err
		}
		return tx.SetMonthlyScore(ctx, f.campaign, 202603, id(ps[0].ID), ps[0].Ord, 0)
	})
	// Order: ord 4 (4), ord 2 (2), ord 5 (2), then zeros ord 1, ord 3.
	want := []int64{4, 2, 5, 1, 3}
	for _, limit := range []int{1, 2, 3, 10} {
		var got []int64
		q := store.BoardQuery{Board: "month:202603", Limit: limit}
		for range 10 {
			var rows []store.Scored
			view(t, s, func(tx store.Tx) error {
				var err error
				rows, err = tx.Leaderboard(ctx, f.account, f.campaign, q)
				return err
			})
			for _, r := range rows {
				got = append(got, r.Ord)
			}
			if len(rows) < limit {
				break
			}
			q.AfterScore, q.AfterOrd = rows[len(rows)-1].Score, rows[len(rows)-1].Ord
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: month board ords = %v, want %v", limit, got, want)
		}
	}
	view(t, s, func(tx store.Tx) error {
		n, err := tx.GetMonthlyScore(ctx, f.campaign, 202603, id(ps[3].ID))
		if err != nil || n != 4 {
			t.Errorf("GetMonthlyScore = %d, %v", n, err)
		}
		n, err = tx.GetMonthlyScore(ctx, f.campaign, 202603, id(ps[0].ID))
		if err != nil || n != 0 {
			t.Errorf("GetMonthlyScore(removed) = %d, %v", n, err)
		}
		scores, err := tx.MonthlyScores(ctx, f.campaign, id(ps[3].ID), 202603, 202602, 202601)
		if err != nil || !slices.Equal(scores, []int64{4, 0, 0}) {
			t.Errorf("MonthlyScores = %v, %v", scores, err)
		}
		months, err := tx.MonthlyScoresOf(ctx, f.campaign, id(ps[0].ID))
		if err != nil || len(months) != 1 || months[202602] != 9 {
			t.Errorf("MonthlyScoresOf = %v, %v", months, err)
		}
		return nil
	})
}
