package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

func testLinks(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	g := newFixture(t, s)
	ana := f.addParticipant(t, s, "ana@example.com", 0)
	bob := g.addParticipant(t, s, "bob@example.com", 0)
	link := store.Link{Kind: store.LinkCode}
	link.CampaignID, link.ParticipantID, link.Token, link.CreatedAt = fmt.Sprint(f.campaign), ana.ID, "AnaCode", t0
	update(t, s, func(tx store.Tx) error { return tx.InsertLink(ctx, f.account, &link) })
	// Tokens are unique per account, case-insensitively …
	err := s.Update(ctx, func(tx store.Tx) error {
		dup := store.Link{Kind: store.LinkExtra}
		dup.CampaignID, dup.ParticipantID, dup.Token = fmt.Sprint(f.campaign), ana.ID, "anacode"
		return tx.InsertLink(ctx, f.account, &dup)
	})
	wantErr(t, err, store.ErrConflict)
	// … but another account may use the same token.
	update(t, s, func(tx store.Tx) error {
		other := store.Link{Kind: store.LinkCode}
		other.CampaignID, other.ParticipantID, other.Token = fmt.Sprint(g.campaign), bob.ID, "ANACODE"
		return tx.InsertLink(ctx, g.account, &other)
	})
	update(t, s, func(tx store.Tx) error {
		l, err := tx.FindLink(ctx, f.account, "ANACODE")
		if err != nil {
			return err
		}
		if l.ID != link.ID || l.Token != "AnaCode" || l.Kind != store.LinkCode {
			t.Errorf("FindLink = %+v", l)
		}
		l.Token, l.Visitors = "ana-2", 3
		return tx.UpdateLink(ctx, f.account, &l)
	})
	view(t, s, func(tx store.Tx) error {
		_, err := tx.FindLink(ctx, f.account, "anacode")
		wantErr(t, err, store.ErrNotFound)
		l, err := tx.GetLink(ctx, f.account, id(link.ID))
		if err != nil || l.Token != "ana-2" || l.Visitors != 3 {
			t.Errorf("GetLink = %+v, %v", l, err)
		}
		list, err := tx.ListLinks(ctx, f.account, store.LinkQuery{Participant: id(ana.ID), Kinds: []string{store.LinkCode}})
		if err != nil || len(list) != 1 {
			t.Errorf("ListLinks = %+v, %v", list, err)
		}
		return nil
	})
}

func testReferrals(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	camp := fmt.Sprint(f.campaign)
	ref := f.addParticipant(t, s, "ref@example.com", 0)
	var made []canonical.Referral
	update(t, s, func(tx store.Tx) error {
		for i, st := range []canonical.ReferralState{canonical.StateCredited, canonical.StatePending, canonical.StateCredited, canonical.StateVisitor} {
			r := canonical.Referral{CampaignID: camp, ReferrerID: ref.ID, State: st, Channel: []string{"twitter", "email", "twitter", ""}[i],
				CreatedAt: t0, UpdatedAt: t0.Add(time.Duration(i) * time.Hour)}
			if st != canonical.StateVisitor {
				ord, _ := tx.NextOrdinal(ctx, f.account, f.campaign)
				p := store.Participant{Ord: ord}
				p.CampaignID, p.Email, p.ReferrerID = camp, fmt.Sprintf("friend%d@example.com", i), ref.ID
				if err := tx.InsertParticipant(ctx, f.account, &p); err != nil {
					return err
				}
				r.ReferredID = p.ID
			}
			if i == 1 {
				at := t0.Add(time.Hour)
				r.TriggerAt = &at
			}
			if err := tx.InsertReferral(ctx, f.account, &r); err != nil {
				return err
			}
			made = append(made, r)
		}
		return nil
	})
	// A participant is referred at most once.
	err := s.Update(ctx, func(tx store.Tx) error {
		r := canonical.Referral{CampaignID: camp, ReferrerID: ref.ID, ReferredID: made[0].ReferredID, State: canonical.StatePending}
		return tx.InsertReferral(ctx, f.account, &r)
	})
	wantErr(t, err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.FindReferralOf(ctx, f.account, id(made[1].ReferredID))
		if err != nil || got.ID != made[1].ID || got.State != canonical.StatePending {
			t.Errorf("FindReferralOf = %+v, %v", got, err)
		}
		credited, err := tx.ListReferrals(ctx, f.account, store.ReferralQuery{Referrer: id(ref.ID), States: []canonical.ReferralState{canonical.StateCredited}})
		if err != nil || len(credited) != 2 {
			t.Errorf("credited referrals = %d, %v", len(credited), err)
		}
		for at, want := range map[time.Duration]bool{time.Hour: true, time.Hour - time.Millisecond: false} {
			if due, err := tx.HasDueWork(ctx, f.account, f.campaign, t0.Add(at)); err != nil || due != want {
				t.Errorf("HasDueWork(+%s) = %v, %v; want %v", at, due, err, want)
			}
		}
		due, err := tx.DueTriggers(ctx, f.account, f.campaign, t0.Add(time.Hour))
		if err != nil || len(due) != 1 || due[0].ID != made[1].ID {
			t.Errorf("DueTriggers = %+v, %v", due, err)
		}
		due, err = tx.DueTriggers(ctx, f.account, f.campaign, t0.Add(time.Hour-time.Millisecond))
		if err != nil || len(due) != 0 {
			t.Errorf("DueTriggers before time = %+v, %v", due, err)
		}
		since := t0.Add(2 * time.Hour)
		list, err := tx.ListReferrals(ctx, f.account, store.ReferralQuery{Campaign: f.campaign, UpdatedSince: &since,
			States: []canonical.ReferralState{canonical.StateCredited, canonical.StateVisitor}})
		if err != nil || len(list) != 2 || list[0].ID != made[3].ID || list[1].ID != made[2].ID {
			t.Errorf("ListReferrals(filtered) = %+v, %v", list, err)
		}
		list, err = tx.ListReferrals(ctx, f.account, store.ReferralQuery{Referrer: id(ref.ID), Oldest: true, Cursor: id(made[1].ID), Limit: 1})
		if err != nil || len(list) != 1 || list[0].ID != made[2].ID {
			t.Errorf("ListReferrals(oldest, after) = %+v, %v", list, err)
		}
		// Offsets count from the cursor; counts ignore cursor, offset and
		// limit.
		list, err = tx.ListReferrals(ctx, f.account, store.ReferralQuery{Referrer: id(ref.ID), Oldest: true, Cursor: id(made[0].ID), Offset: 1, Limit: 1})
		if err != nil || len(list) != 1 || list[0].ID != made[2].ID {
			t.Errorf("ListReferrals(oldest, after, offset 1) = %+v, %v", list, err)
		}
		list, err = tx.ListReferrals(ctx, f.account, store.ReferralQuery{Referrer: id(ref.ID), Offset: len(made) - 1})
		if err != nil || len(list) != 1 || list[0].ID != made[0].ID {
			t.Errorf("ListReferrals(offset to the last) = %+v, %v", list, err)
		}
		for q, want := range map[*store.ReferralQuery]int{
			{Referrer: id(ref.ID), Offset: 2, Limit: 1, Cursor: id(made[1].ID)}:                                                              len(made),
			{Campaign: f.campaign, UpdatedSince: &since, States: []canonical.ReferralState{canonical.StateCredited, canonical.StateVisitor}}: 2,
			{Referrer: id(ref.ID) + 1000}: 0,
		} {
			if n, err := tx.CountReferrals(ctx, f.account, *q); err != nil || n != want {
				t.Errorf("CountReferrals(%+v) = %d, %v; want %d", *q, n, err, want)
			}
		}
		if n, err := tx.CountReferrals(ctx, f.account+1000, store.ReferralQuery{Referrer: id(ref.ID)}); err != nil || n != 0 {
			t.Errorf("CountReferrals in another account = %d, %v", n, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		r := made[1]
		r.State, r.TriggerAt = canonical.StateCredited, nil
		now := t0.Add(3 * time.Hour)
		r.ConvertedAt = &now
		return tx.UpdateReferral(ctx, f.account, &r)
	})
	view(t, s, func(tx store.Tx) error {
		yes := true
		list, err := tx.ListReferrals(ctx, f.account, store.ReferralQuery{Campaign: f.campaign, Converted: &yes})
		if err != nil || len(list) != 1 || list[0].ID != made[1].ID || list[0].ConvertedAt == nil {
			t.Errorf("ListReferrals(converted) = %+v, %v", list, err)
		}
		due, _ := tx.DueTriggers(ctx, f.account, f.campaign, t0.Add(24*time.Hour))
		if len(due) != 0 {
			t.Errorf("cleared trigger still due: %+v", due)
		}
		return nil
	})
}

func testRewards(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	ana := f.addParticipant(t, s, "ana@example.com", 0)
	var rs []canonical.EarnedReward
	update(t, s, func(tx store.Tx) error {
		for i, st := range []canonical.RewardStatus{canonical.RewardPending, canonical.RewardCanceled, canonical.RewardApproved} {
			r := canonical.EarnedReward{CampaignID: fmt.Sprint(f.campaign), RuleID: "7", ParticipantID: ana.ID, Status: st,
				IsReferrer: true, CreatedAt: t0.AddDate(0, i, 0)}
			if err := tx.InsertReward(ctx, f.account, &r); err != nil {
				return err
			}
			rs = append(rs, r)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		n, err := tx.CountRewards(ctx, f.account, id(ana.ID), 7, t0)
		if err != nil || n != 2 {
			t.Errorf("CountRewards = %d, %v; want 2 (canceled excluded)", n, err)
		}
		n, err = tx.CountRewards(ctx, f.account, id(ana.ID), 7, t0.AddDate(0, 1, 0))
		if err != nil || n != 1 {
			t.Errorf("CountRewards(since) = %d, %v", n, err)
		}
		n, err = tx.CountWinners(ctx, f.account, f.campaign)
		if err != nil || n != 1 {
			t.Errorf("CountWinners = %d, %v", n, err)
		}
		list, err := tx.ListRewards(ctx, f.account, store.RewardQuery{Participant: id(ana.ID), Statuses: []canonical.RewardStatus{canonical.RewardPending, canonical.RewardApproved}})
		if err != nil || len(list) != 2 || list[0].ID != rs[2].ID {
			t.Errorf("ListRewards = %+v, %v", list, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		r := rs[0]
		now := t0.Add(time.Hour)
		r.Status, r.ApprovedAt = canonical.RewardApproved, &now
		if err := tx.UpdateReward(ctx, f.account, &r); err != nil {
			return err
		}
		return tx.DeleteReward(ctx, f.account, id(rs[1].ID))
	})
	view(t, s, func(tx store.Tx) error {
		r, err := tx.GetReward(ctx, f.account, id(rs[0].ID))
		if err != nil || r.Status != canonical.RewardApproved || r.ApprovedAt == nil || !r.ApprovedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("GetReward = %+v, %v", r, err)
		}
		_, err = tx.GetReward(ctx, f.account, id(rs[1].ID))
		wantErr(t, err, store.ErrNotFound)
		return nil
	})
}

func testTransactions(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	ana := f.addParticipant(t, s, "ana@example.com", 0)
	sale := canonical.Transaction{CampaignID: fmt.Sprint(f.campaign), ParticipantID: ana.ID, Kind: canonical.Sale,
		Amount: canonical.Money{Amount: 2500, Currency: "USD"}, ExternalIDs: map[string]string{"orderId": "o-1", "invoiceId": "in-1"},
		CreatedAt: t0}
	update(t, s, func(tx store.Tx) error { return tx.InsertTransaction(ctx, f.account, &sale) })
	// A second sale claiming a used identifier is refused and leaves nothing
	// behind, while the enclosing transaction goes on.
	update(t, s, func(tx store.Tx) error {
		dup := canonical.Transaction{CampaignID: fmt.Sprint(f.campaign), ParticipantID: ana.ID, Kind: canonical.Sale,
			Amount: canonical.Money{Amount: 99, Currency: "USD"}, ExternalIDs: map[string]string{"chargeId": "ch-9", "invoiceId": "in-1"}}
		wantErr(t, tx.InsertTransaction(ctx, f.account, &dup), store.ErrConflict)
		// Refunds claim no identifiers: two may carry the sale's.
		for range 2 {
			refund := canonical.Transaction{CampaignID: fmt.Sprint(f.campaign), ParticipantID: ana.ID, Kind: canonical.Refund,
				Amount: canonical.Money{Amount: 250, Currency: "USD"}, RefundOf: sale.ID, ExternalIDs: map[string]string{"invoiceId": "in-1"}}
			if err := tx.InsertTransaction(ctx, f.account, &refund); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.FindTransaction(ctx, f.account, f.campaign, map[string]string{"chargeId": "ch-9"})
		wantErr(t, err, store.ErrNotFound)
		got, err = tx.FindTransaction(ctx, f.account, f.campaign, map[string]string{"orderId": "nope", "invoiceId": "in-1"})
		if err != nil || got.ID != sale.ID || got.Amount.Amount != 2500 {
			t.Errorf("FindTransaction = %+v, %v", got, err)
		}
		all, err := tx.ListTransactions(ctx, f.account, store.TransactionQuery{Campaign: f.campaign})
		if err != nil || len(all) != 3 || all[0].Kind != canonical.Refund {
			t.Errorf("ListTransactions = %+v, %v", all, err)
		}
		refunds, err := tx.ListTransactions(ctx, f.account, store.TransactionQuery{RefundOf: id(sale.ID)})
		if err != nil || len(refunds) != 2 || refunds[0].Amount.Amount != 250 {
			t.Errorf("ListTransactions(refunds) = %+v, %v", refunds, err)
		}
		return nil
	})
}

func testCommissions(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	aff := f.addParticipant(t, s, "aff@example.com", 0)
	camp := fmt.Sprint(f.campaign)
	var cs []canonical.Commission
	var payout canonical.Payout
	update(t, s, func(tx store.Tx) error {
		payout = canonical.Payout{CampaignID: camp, ParticipantID: aff.ID, Status: canonical.PayoutDue, CreatedAt: t0,
			Amount: canonical.Money{Amount: 0, Currency: "USD"}}
		if err := tx.InsertPayout(ctx, f.account, &payout); err != nil {
			return err
		}
		for i := range 3 {
			due := t0.AddDate(0, 0, 10*i)
			c := canonical.Commission{CampaignID: camp, ReferrerID: aff.ID, Status: canonical.CommissionPending, DueAt: &due,
				Amount: canonical.Money{Amount: int64(100 * (i + 1)), Currency: "USD"}, CreatedAt: t0}
			if err := tx.InsertCommission(ctx, f.account, &c); err != nil {
				return err
			}
			cs = append(cs, c)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		if due, err := tx.HasDueWork(ctx, f.account, f.campaign, t0.Add(-time.Millisecond)); err != nil || due {
			t.Errorf("HasDueWork before the first due date = %v, %v", due, err)
		}
		if due, err := tx.HasDueWork(ctx, f.account, f.campaign, t0); err != nil || !due {
			t.Errorf("HasDueWork at the first due date = %v, %v", due, err)
		}
		due, err := tx.PendingDue(ctx, f.account, f.campaign, t0.AddDate(0, 0, 10))
		if err != nil || len(due) != 2 || due[0].ID != cs[0].ID || due[1].ID != cs[1].ID {
			t.Errorf("PendingDue = %+v, %v", due, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		c := cs[0]
		c.Status, c.PayoutID = canonical.CommissionDue, payout.ID
		if err := tx.UpdateCommission(ctx, f.account, &c); err != nil {
			return err
		}
		p := payout
		p.Amount.Amount, p.CommissionIDs = 100, []string{c.ID}
		return tx.UpdatePayout(ctx, f.account, &p)
	})
	view(t, s, func(tx store.Tx) error {
		list, err := tx.ListCommissions(ctx, f.account, store.CommissionQuery{Payout: id(payout.ID)})
		if err != nil || len(list) != 1 || list[0].ID != cs[0].ID {
			t.Errorf("ListCommissions(payout) = %+v, %v", list, err)
		}
		list, err = tx.ListCommissions(ctx, f.account, store.CommissionQuery{Referrer: id(aff.ID), Statuses: []canonical.CommissionStatus{canonical.CommissionPending}})
		if err != nil || len(list) != 2 {
			t.Errorf("ListCommissions(pending) = %+v, %v", list, err)
		}
		p, err := tx.GetPayout(ctx, f.account, id(payout.ID))
		if err != nil || p.Amount.Amount != 100 || !slices.Equal(p.CommissionIDs, []string{cs[0].ID}) {
			t.Errorf("GetPayout = %+v, %v", p, err)
		}
		ps, err := tx.ListPayouts(ctx, f.account, store.PayoutQuery{Participant: id(aff.ID), Statuses: []canonical.PayoutStatus{canonical.PayoutDue}})
		if err != nil || len(ps) != 1 {
			t.Errorf("ListPayouts = %+v, %v", ps, err)
		}
		// Newest first, so offset 1 after the newest is the oldest.
		list, err = tx.ListCommissions(ctx, f.account, store.CommissionQuery{Referrer: id(aff.ID), Before: id(cs[2].ID), Offset: 1})
		if err != nil || len(list) != 1 || list[0].ID != cs[0].ID {
			t.Errorf("ListCommissions(before, offset 1) = %+v, %v", list, err)
		}
		if n, err := tx.CountCommissions(ctx, f.account, store.CommissionQuery{Referrer: id(aff.ID), Before: id(cs[2].ID), Offset: 2, Limit: 1}); err != nil || n != 3 {
			t.Errorf("CountCommissions = %d, %v; want 3", n, err)
		}
		if n, err := tx.CountCommissions(ctx, f.account, store.CommissionQuery{Payout: id(payout.ID)}); err != nil || n != 1 {
			t.Errorf("CountCommissions(payout) = %d, %v; want 1", n, err)
		}
		if ps, err := tx.ListPayouts(ctx, f.account, store.PayoutQuery{Participant: id(aff.ID), Offset: 1}); err != nil || len(ps) != 0 {
			t.Errorf("ListPayouts(offset past the only one) = %+v, %v", ps, err)
		}
		for q, want := range map[*store.PayoutQuery]int{
			{Participant: id(aff.ID), Offset: 1, Limit: 1}:                                   1,
			{Campaign: f.campaign, Statuses: []canonical.PayoutStatus{canonical.PayoutPaid}}: 0,
		} {
			if n, err := tx.CountPayouts(ctx, f.account, *q); err != nil || n != want {
				t.Errorf("CountPayouts(%+v) = %d, %v; want %d", *q, n, err, want)
			}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteCommission(ctx, f.account, id(cs[2].ID)) })
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetCommission(ctx, f.account, id(cs[2].ID))
		wantErr(t, err, store.ErrNotFound)
		return nil
	})
}

func testCoupons(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	camp := fmt.Sprint(f.campaign)
	ana := f.addParticipant(t, s, "ana@example.com", 0)
	g := canonical.CouponGroup{CampaignID: camp, Name: "spring", Active: true, CreatedAt: t0}
	update(t, s, func(tx store.Tx) error {
		if err := tx.InsertCouponGroup(ctx, f.account, &g); err != nil {
			return err
		}
		for _, code := range []string{"AAA", "BBB"} {
			c := canonical.Coupon{CampaignID: camp, GroupID: g.ID, Code: code, Available: true, CreatedAt: t0}
			if err := tx.InsertCoupon(ctx, f.account, &c); err != nil {
				return err
			}
		}
		own := canonical.Coupon{CampaignID: camp, ParticipantID: ana.ID, Code: "ANA20", ExternalID: "promo_1", CreatedAt: t0}
		return tx.InsertCoupon(ctx, f.account, &own)
	})
	err := s.Update(ctx, func(tx store.Tx) error {
		c := canonical.Coupon{CampaignID: camp, GroupID: g.ID, Code: "aaa"}
		return tx.InsertCoupon(ctx, f.account, &c)
	})
	wantErr(t, err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		inGroup, err := tx.ListCoupons(ctx, f.account, store.CouponQuery{Group: id(g.ID)})
		if err != nil || len(inGroup) != 2 || inGroup[0].Code != "AAA" {
			t.Errorf("ListCoupons(group) = %+v, %v", inGroup, err)
		}
		owned, err := tx.ListCoupons(ctx, f.account, store.CouponQuery{Campaign: f.campaign, Owned: true})
		if err != nil || len(owned) != 1 || owned[0].ExternalID != "promo_1" {
			t.Errorf("ListCoupons(owned) = %+v, %v", owned, err)
		}
		groups, err := tx.ListCouponGroups(ctx, f.account, f.campaign, 0, 10)
		if err != nil || len(groups) != 1 || groups[0].Name != "spring" || groups[0].Coupons != nil {
			t.Errorf("ListCouponGroups = %+v, %v", groups, err)
		}
		return nil
	})
}

func testCounters(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	update(t, s, func(tx store.Tx) error {
		if err := tx.AddCounters(ctx, f.campaign, 0, map[string]int64{"views": 2, "shares:twitter": 1, "zero": 0}); err != nil {
			return err
		}
		return tx.AddCounters(ctx, f.campaign, 0, map[string]int64{"views": 3})
	})
	update(t, s, func(tx store.Tx) error {
		for i, want := range []bool{true, false} {
			fresh, err := tx.MarkSeen(ctx, f.campaign, 5, "impressions", "1.2.3.4")
			if err != nil || fresh != want {
				t.Errorf("MarkSeen #%d = %v, %v", i, fresh, err)
			}
		}
		fresh, err := tx.MarkSeen(ctx, f.campaign, 6, "impressions", "1.2.3.4")
		if err != nil || !fresh {
			t.Errorf("MarkSeen(other scope) = %v, %v", fresh, err)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.Counters(ctx, f.campaign, 0)
		if err != nil || got["views"] != 5 || got["shares:twitter"] != 1 || len(got) != 2 {
			t.Errorf("Counters = %v, %v", got, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteCounters(ctx, f.campaign, 5) })
	update(t, s, func(tx store.Tx) error {
		fresh, err := tx.MarkSeen(ctx, f.campaign, 5, "impressions", "1.2.3.4")
		if err != nil || !fresh {
			t.Errorf("MarkSeen after DeleteCounters = %v, %v", fresh, err)
		}
		return nil
	})
}

func testRankNodes(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	update(t, s, func(tx store.Tx) error {
		if err := tx.AddNodes(ctx, f.campaign, "a", map[int64]int64{1: 1, 2: 2, 4: 4, 1 << 40: 7}); err != nil {
			return err
		}
		return tx.AddNodes(ctx, f.campaign, "a", map[int64]int64{2: -2, 4: 1})
	})
	view(t, s, func(tx store.Tx) error {
		sums, err := tx.SumNodeSets(ctx, f.campaign, []store.NodeSet{
			{Tree: "a", Nodes: []int64{1, 2, 4}}, {Tree: "b", Nodes: []int64{1, 2, 4}}, {Tree: "a", Nodes: nil},
			{Tree: "a", Nodes: []int64{1 << 40, 1}}, {Tree: "a", Nodes: []int64{3}},
		})
		if err != nil || !slices.Equal(sums, []int64{6, 0, 0, 8, 0}) {
			t.Errorf("SumNodeSets = %v, %v", sums, err)
		}
		return nil
	})
	// Whole trees: listed, read and removed.
	update(t, s, func(tx store.Tx) error { return tx.AddNodes(ctx, f.campaign, "0b", map[int64]int64{9: 3}) })
	update(t, s, func(tx store.Tx) error {
		names, err := tx.RankTreeNames(ctx, f.campaign)
		if err != nil || !slices.Equal(names, []string{"0b", "a"}) {
			t.Errorf("RankTreeNames = %v, %v; want [0b a]", names, err)
		}
		nodes, err := tx.RankTree(ctx, f.campaign, "a")
		if err != nil {
			return err
		}
		want := map[int64]int64{1: 1, 4: 5, 1 << 40: 7}
		for n, v := range nodes {
			if v != want[n] {
				t.Errorf("RankTree(a) node %d = %d, want %d", n, v, want[n])
			}
		}
		for n, v := range want {
			if nodes[n] != v {
				t.Errorf("RankTree(a) node %d = %d, want %d", n, nodes[n], v)
			}
		}
		return tx.DeleteRankTrees(ctx, f.campaign, []string{"a", "never-written"})
	})
	view(t, s, func(tx store.Tx) error {
		names, err := tx.RankTreeNames(ctx, f.campaign)
		if err != nil || !slices.Equal(names, []string{"0b"}) {
			t.Errorf("after DeleteRankTrees(a): RankTreeNames = %v, %v; want [0b]", names, err)
		}
		sums, err := tx.SumNodeSets(ctx, f.campaign, []store.NodeSet{{Tree: "a", Nodes: []int64{1, 4, 1 << 40}}, {Tree: "0b", Nodes: []int64{9}, Whole: true}})
		if err != nil || !slices.Equal(sums, []int64{0, 3}) {
			t.Errorf("after DeleteRankTrees(a): SumNodeSets = %v, %v; want [0 3]", sums, err)
		}
		// Campaigns created after migration 003 never need converting.
		pending, err := tx.RankLayoutPending(ctx)
		if err != nil || slices.ContainsFunc(pending, func(c store.CampaignRef) bool { return c.Campaign == f.campaign }) {
			t.Errorf("RankLayoutPending = %v, %v; a new campaign is listed", pending, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		was, err := tx.ClearRankLayoutPending(ctx, f.campaign)
		if err != nil || was {
			t.Errorf("ClearRankLayoutPending(new campaign) = %v, %v; want false", was, err)
		}
		return nil
	})
}

func testAliases(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutAlias(ctx, f.account, "participant", canonical.GrowSurf, "k3x9qz", 12); err != nil {
			return err
		}
		if err := tx.PutAlias(ctx, f.account, "participant", canonical.Rewardful, "5f0c3a8e-1b2c-4d5e-8f90-123456789abc", 12); err != nil {
			return err
		}
		return tx.PutAlias(ctx, f.account, "participant", canonical.GrowSurf, "k3x9qz", 13) // re-pointing replaces
	})
	view(t, s, func(tx store.Tx) error {
		n, err := tx.ResolveAlias(ctx, f.account, "participant", canonical.GrowSurf, "k3x9qz")
		if err != nil || n != 13 {
			t.Errorf("ResolveAlias = %d, %v", n, err)
		}
		_, err = tx.ResolveAlias(ctx, f.account, "campaign", canonical.GrowSurf, "k3x9qz")
		wantErr(t, err, store.ErrNotFound)
		got, err := tx.AliasesOf(ctx, f.account, "participant", 12)
		if err != nil || len(got) != 1 || got[canonical.Rewardful] == "" {
			t.Errorf("AliasesOf = %v, %v", got, err)
		}
		return nil
	})
}

func testRollback(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	boom := fmt.Errorf("boom")
	err := s.Update(ctx, func(tx store.Tx) error {
		ord, err := tx.NextOrdinal(ctx, f.account, f.campaign)
		if err != nil {
			return err
		}
		p := store.Participant{Ord: ord}
		p.CampaignID, p.Email = fmt.Sprint(f.campaign), "ghost@example.com"
		if err := tx.InsertParticipant(ctx, f.account, &p); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("Update = %v, want the function's error", err)
	}
	view(t, s, func(tx store.Tx) error {
		_, err := tx.FindParticipant(ctx, f.account, f.campaign, "email", "ghost@example.com")
		wantErr(t, err, store.ErrNotFound)
		return nil
	})
	// The ordinal was rolled back with it.
	if p := f.addParticipant(t, s, "real@example.com", 0); p.Ord != 1 {
		t.Errorf("ordinal after rollback = %d, want 1", p.Ord)
	}
}

func testIsolation(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := newFixture(t, s)
	b := newFixture(t, s)
	pa := a.addParticipant(t, s, "same@example.com", 0)
	b.addParticipant(t, s, "same@example.com", 0) // same email, other account: fine
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetCampaign(ctx, b.account, a.campaign)
		wantErr(t, err, store.ErrNotFound)
		_, err = tx.GetParticipant(ctx, b.account, id(pa.ID))
		wantErr(t, err, store.ErrNotFound)
		_, err = tx.FindParticipant(ctx, b.account, a.campaign, "email", "same@example.com")
		wantErr(t, err, store.ErrNotFound)
		rows, _, err := tx.ListParticipants(ctx, b.account, store.ParticipantQuery{Campaign: a.campaign})
		if err != nil || len(rows) != 0 {
			t.Errorf("ListParticipants across accounts = %d rows, %v", len(rows), err)
		}
		list, err := tx.ListCampaigns(ctx, b.account, 0, 10)
		if err != nil || len(list) != 1 || list[0].ID != fmt.Sprint(b.campaign) {
			t.Errorf("ListCampaigns = %+v, %v", list, err)
		}
		return nil
	})
	err := s.Update(ctx, func(tx store.Tx) error { return tx.DeleteParticipant(ctx, b.account, id(pa.ID)) })
	wantErr(t, err, store.ErrNotFound)
	err = s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.NextOrdinal(ctx, b.account, a.campaign)
		return err
	})
	wantErr(t, err, store.ErrNotFound)
}

// testSerialized checks that writers holding a campaign's lock see each
// other's committed writes: a read-then-insert of the same email from many
// goroutines yields exactly one participant.
func testSerialized(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	const workers = 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Update(ctx, func(tx store.Tx) error {
				if _, err := tx.LockCampaign(ctx, f.account, f.campaign); err != nil {
					return err
				}
				if _, err := tx.FindParticipant(ctx, f.account, f.campaign, "email", "dup@example.com"); err == nil {
					return nil
				}
				ord, err := tx.NextOrdinal(ctx, f.account, f.campaign)
				if err != nil {
					return err
				}
				p := store.Participant{Ord: ord}
				p.CampaignID, p.Email = fmt.Sprint(f.campaign), "dup@example.com"
				return tx.InsertParticipant(ctx, f.account, &p)
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Update: %v", err)
		}
	}
	view(t, s, func(tx store.Tx) error {
		n, err := tx.CountParticipants(ctx, f.account, f.campaign, time.Time{})
		if err != nil || n != 1 {
			t.Errorf("participants = %d, %v; want 1", n, err)
		}
		return nil
	})
}

// testDeleteCascades checks that removing a participant removes what
// hangs off it.
func testDeleteCascades(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	ana := f.addParticipant(t, s, "ana@example.com", 0)
	link := store.Link{Kind: store.LinkCode}
	link.CampaignID, link.ParticipantID, link.Token = fmt.Sprint(f.campaign), ana.ID, "ana"
	reward := canonical.EarnedReward{CampaignID: fmt.Sprint(f.campaign), RuleID: "1", ParticipantID: ana.ID, Status: canonical.RewardPending}
	update(t, s, func(tx store.Tx) error {
		if err := tx.InsertLink(ctx, f.account, &link); err != nil {
			return err
		}
		if err := tx.InsertReward(ctx, f.account, &reward); err != nil {
			return err
		}
		return tx.SetMonthlyScore(ctx, f.campaign, 202603, id(ana.ID), ana.Ord, 2)
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteParticipant(ctx, f.account, id(ana.ID)) })
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetLink(ctx, f.account, id(link.ID))
		wantErr(t, err, store.ErrNotFound)
		_, err = tx.GetReward(ctx, f.account, id(reward.ID))
		wantErr(t, err, store.ErrNotFound)
		n, err := tx.GetMonthlyScore(ctx, f.campaign, 202603, id(ana.ID))
		if err != nil || n != 0 {
			t.Errorf("monthly score after delete = %d, %v", n, err)
		}
		return nil
	})
}

// testIndependentFailures runs many concurrent writes of which every other
// one fails after writing: each failed write leaves nothing behind and
// takes no other write down with it (stores that batch writes into one
// database transaction must isolate them).
func testIndependentFailures(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	const writers = 24
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(ctx, func(tx store.Tx) error {
				if _, err := tx.LockCampaign(ctx, f.account, f.campaign); err != nil {
					return err
				}
				p := store.Participant{Ord: int64(1000 + i)}
				p.CampaignID, p.Email = fmt.Sprint(f.campaign), fmt.Sprintf("w%d@example.com", i)
				if err := tx.InsertParticipant(ctx, f.account, &p); err != nil {
					return err
				}
				if err := tx.AddCounters(ctx, f.campaign, 0, map[string]int64{"writes": 1}); err != nil {
					return err
				}
				if i%2 == 1 {
					return fmt.Errorf("writer %d gives up", i)
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i%2 == 1) {
			t.Errorf("writer %d: err = %v", i, err)
		}
	}
	view(t, s, func(tx store.Tx) error {
		for i := range writers {
			_, err := tx.FindParticipant(ctx, f.account, f.campaign, "email", fmt.Sprintf("w%d@example.com", i))
			if found := err == nil; found != (i%2 == 0) {
				t.Errorf("writer %d: participant stored = %v (err %v)", i, found, err)
			}
		}
		c, err := tx.Counters(ctx, f.campaign, 0)
		if err != nil || c["writes"] != writers/2 {
			t.Errorf("writes counter = %d, %v; want %d", c["writes"], err, writers/2)
		}
		return nil
	})
}

// testBulk checks the bulk-load methods: every row stored with its own ID,
// whatever the batch boundaries.
func testBulk(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	camp := fmt.Sprint(f.campaign)
	const n = 70 // two full batches of 32 and six single rows
	ps := make([]*store.Participant, n)
	links := make([]*store.Link, n)
	var refs []*canonical.Referral
	update(t, s, func(tx store.Tx) error {
		first, err := tx.ReserveOrdinals(ctx, f.account, f.campaign, n)
		if err != nil || first != 1 {
			t.Errorf("ReserveOrdinals = %d, %v; want 1", first, err)
		}
		for i := range ps {
			p := &store.Participant{Ord: first + int64(i), Referrals: int64(i % 3)}
			p.CampaignID, p.Email = camp, fmt.Sprintf("b%d@example.com", i)
			ps[i] = p
		}
		if err := tx.InsertParticipants(ctx, f.account, ps); err != nil {
			return err
		}
		for i, p := range ps {
			l := &store.Link{Kind: store.LinkCode}
			l.CampaignID, l.ParticipantID, l.Token = camp, p.ID, fmt.Sprintf("code-%d", i)
			links[i] = l
			if i > 0 {
				refs = append(refs, &canonical.Referral{CampaignID: camp, ReferrerID: ps[0].ID, ReferredID: p.ID, State: canonical.StateCredited})
			}
		}
		if err := tx.InsertLinks(ctx, f.account, links); err != nil {
			return err
		}
		if err := tx.InsertReferrals(ctx, f.account, refs); err != nil {
			return err
		}
		if next, err := tx.NextOrdinal(ctx, f.account, f.campaign); err != nil || next != n+1 {
			t.Errorf("NextOrdinal after reserving %d = %d, %v", n, next, err)
		}
		scores := []store.MonthlyScore{{Participant: id(ps[1].ID), Ord: 2, N: 5}, {Participant: id(ps[2].ID), Ord: 3, N: 7}}
		if err := tx.SetMonthlyScores(ctx, f.campaign, 202603, scores); err != nil {
			return err
		}
		return tx.AddCounterRows(ctx, f.campaign, []store.CounterRow{{Scope: id(ps[0].ID), Name: "leads", Delta: n - 1}, {Scope: 0, Name: "leads", Delta: 3}})
	})
	view(t, s, func(tx store.Tx) error {
		seen := map[string]bool{}
		for i, p := range ps {
			if p.ID == "" || seen[p.ID] {
				t.Fatalf("participant %d has ID %q (duplicate %v)", i, p.ID, seen[p.ID])
			}
			seen[p.ID] = true
			got, err := tx.GetParticipant(ctx, f.account, id(p.ID))
			if err != nil || got.Email != p.Email || got.Ord != p.Ord {
				t.Errorf("participant %d = %+v, %v", i, got, err)
			}
			l, err := tx.FindLink(ctx, f.account, fmt.Sprintf("CODE-%d", i))
			if err != nil || l.ID != links[i].ID || l.ParticipantID != p.ID {
				t.Errorf("link %d = %+v, %v", i, l, err)
			}
		}
		for _, r := range refs {
			got, err := tx.FindReferralOf(ctx, f.account, id(r.ReferredID))
			if err != nil || got.ID != r.ID || got.ReferrerID != ps[0].ID {
				t.Errorf("referral of %s = %+v, %v", r.ReferredID, got, err)
			}
		}
		if m, err := tx.MonthlyScores(ctx, f.campaign, id(ps[2].ID), 202603); err != nil || m[0] != 7 {
			t.Errorf("monthly score = %v, %v", m, err)
		}
		if c, err := tx.Counters(ctx, f.campaign, id(ps[0].ID)); err != nil || c["leads"] != n-1 {
			t.Errorf("counters = %v, %v", c, err)
		}
		return nil
	})
	// A taken key fails the whole bulk call.
	err := s.Update(ctx, func(tx store.Tx) error {
		dup := &store.Participant{Ord: 999}
		dup.CampaignID, dup.Email = camp, "b3@example.com"
		return tx.InsertParticipants(ctx, f.account, []*store.Participant{dup})
	})
	wantErr(t, err, store.ErrConflict)
}

// testRankNodesStayExact: reads after every kind of write see exactly the
// committed nodes — through any cache a store keeps — including writes
// that failed and were rolled back, writes racing reads, and a wipe.
// nodeValues reads each of nodes of tree as a set of its own.
func nodeValues(ctx context.Context, tx store.Tx, campaign int64, tree string, nodes []int64) ([]int64, error) {
	sets := make([]store.NodeSet, len(nodes))
	for i, n := range nodes {
		sets[i] = store.NodeSet{Tree: tree, Nodes: []int64{n}}
	}
	return tx.SumNodeSets(ctx, campaign, sets)
}

func testRankNodesStayExact(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	model := map[int64]int64{}
	nodes := []int64{1, 2, 3, 4, 8, 16, 1 << 20}
	check := func(when string) {
		t.Helper()
		view(t, s, func(tx store.Tx) error {
			for range 2 { // the second read may come from a cache
				sums, err := nodeValues(ctx, tx, f.campaign, "x", nodes)
				if err != nil {
					return err
				}
				for i, n := range nodes {
					if sums[i] != model[n] {
						t.Fatalf("%s: node %d = %d, want %d", when, n, sums[i], model[n])
					}
				}
			}
			return nil
		})
	}
	check("empty")
	// Many nodes of one tree at once (readers may fetch them in chunks).
	many := map[int64]int64{}
	for i := range int64(75) {
		many[3*i+1] = i + 1
	}
	update(t, s, func(tx store.Tx) error { return tx.AddNodes(ctx, f.campaign, "many", many) })
	view(t, s, func(tx store.Tx) error {
		var set store.NodeSet
		set.Tree = "many"
		var want int64
		for i := range int64(80) {
			set.Nodes = append(set.Nodes, 3*i+1, 3*i+2) // half of them absent
			want += many[3*i+1]
		}
		sums, err := tx.SumNodeSets(ctx, f.campaign, []store.NodeSet{set, {Tree: "many", Nodes: []int64{223}}})
		if err != nil {
			return err
		}
		if sums[0] != want || sums[1] != 75 {
			t.Errorf("sums over 160 nodes = %v, want [%d 75]", sums, want)
		}
		return nil
	})
	for step := range 6 {
		delta := map[int64]int64{nodes[step%len(nodes)]: int64(step + 1), nodes[(step+3)%len(nodes)]: -1}
		update(t, s, func(tx store.Tx) error { return tx.AddNodes(ctx, f.campaign, "x", delta) })
		for n, d := range delta {
			model[n] += d
		}
		check(fmt.Sprintf("after write %d", step))
		// A write that fails after adding nodes leaves no trace.
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.AddNodes(ctx, f.campaign, "x", map[int64]int64{1: 100, 16: 100}); err != nil {
				return err
			}
			return errors.New("changed my mind")
		})
		if err == nil {
			t.Fatal("a failing write reported success")
		}
		check(fmt.Sprintf("after failed write %d", step))
		// A write transaction reads the committed nodes, then its own
		// changes once it made some (the grouped writer may serve the
		// first from the node cache, never the second).
		err = s.Update(ctx, func(tx store.Tx) error {
			read := func(when string, plus map[int64]int64) error {
				sums, err := nodeValues(ctx, tx, f.campaign, "x", nodes)
				if err != nil {
					return err
				}
				for i, n := range nodes {
					if sums[i] != model[n]+plus[n] {
						t.Errorf("write %d, %s: node %d = %d, want %d", step, when, n, sums[i], model[n]+plus[n])
					}
				}
				return nil
			}
			if err := read("before changing it", nil); err != nil {
				return err
			}
			if err := tx.AddNodes(ctx, f.campaign, "x", map[int64]int64{2: 7, 1 << 20: -3}); err != nil {
				return err
			}
			if err := read("after changing it", map[int64]int64{2: 7, 1 << 20: -3}); err != nil {
				return err
			}
			return errors.New("roll back")
		})
		if err == nil {
			t.Fatal("a failing write reported success")
		}
		check(fmt.Sprintf("after rolled-back write %d", step))
	}

	// Concurrent increments and reads: reads never see a node go down, and
	// the end state is every increment.
	var wg sync.WaitGroup
	const writers, each = 4, 25
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if err := s.Update(ctx, func(tx store.Tx) error {
					return tx.AddNodes(ctx, f.campaign, "y", map[int64]int64{5: 1, 9: 1})
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			last := int64(0)
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(ctx, func(tx store.Tx) error {
					sums, err := tx.SumNodeSets(ctx, f.campaign, []store.NodeSet{{Tree: "y", Nodes: []int64{5}}, {Tree: "y", Nodes: []int64{9}}})
					if err != nil {
						return err
					}
					if sums[0] != sums[1] || sums[0] < last {
						t.Errorf("a read saw nodes 5 and 9 at %d and %d after %d: not one committed state", sums[0], sums[1], last)
					}
					last = sums[0]
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	view(t, s, func(tx store.Tx) error {
		sums, err := tx.SumNodeSets(ctx, f.campaign, []store.NodeSet{{Tree: "y", Nodes: []int64{5, 9}}})
		if err != nil || sums[0] != 2*writers*each {
			t.Errorf("after %d increments of two nodes: %v, %v", writers*each, sums, err)
		}
		return nil
	})

	update(t, s, func(tx store.Tx) error { return tx.Wipe(ctx) })
	view(t, s, func(tx store.Tx) error {
		sums, err := tx.SumNodeSets(ctx, f.campaign, []store.NodeSet{{Tree: "x", Nodes: nodes}, {Tree: "y", Nodes: []int64{5, 9}}})
		if err != nil || sums[0] != 0 || sums[1] != 0 {
			t.Errorf("after a wipe the nodes read %v, %v; want nothing", sums, err)
		}
		return nil
	})
}

// testWholeTrees reads trees marked Whole (a store may hold them whole in
// a cache) through every change a tree can see: nodes created, changed
// and zeroed by commits, a write transaction's own changes, rolled-back
// writes, a tree larger than any cache would hold, and a wipe.
func testWholeTrees(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	model := map[string]map[int64]int64{"w": {}, "big": {}}
	probe := map[string][]int64{"w": {1, 2, 3, 7, 9, 1 << 30}, "big": {1, 2, 40_000, 69_999, 70_000, 70_001}}
	read := func(tx store.Tx, tree string, plus map[int64]int64) error {
		t.Helper()
		for range 2 { // the second read may come from a cache
			var sets []store.NodeSet
			for _, n := range probe[tree] {
				sets = append(sets, store.NodeSet{Tree: tree, Nodes: []int64{n}, Whole: true})
			}
			// The same tree, read as single nodes in the same call.
			sets = append(sets, store.NodeSet{Tree: tree, Nodes: probe[tree][:2]})
			sums, err := tx.SumNodeSets(ctx, f.campaign, sets)
			if err != nil {
				return err
			}
			for i, n := range probe[tree] {
				if want := model[tree][n] + plus[n]; sums[i] != want {
					t.Fatalf("tree %s node %d = %d, want %d", tree, n, sums[i], want)
				}
			}
			n0, n1 := probe[tree][0], probe[tree][1]
			if want := model[tree][n0] + plus[n0] + model[tree][n1] + plus[n1]; sums[len(sums)-1] != want {
				t.Fatalf("tree %s nodes %d+%d = %d, want %d", tree, n0, n1, sums[len(sums)-1], want)
			}
		}
		return nil
	}
	check := func(tree string) {
		t.Helper()
		view(t, s, func(tx store.Tx) error { return read(tx, tree, nil) })
	}
	add := func(tree string, delta map[int64]int64) {
		t.Helper()
		update(t, s, func(tx store.Tx) error { return tx.AddNodes(ctx, f.campaign, tree, delta) })
		for n, d := range delta {
			model[tree][n] += d
		}
	}
	check("w")
	add("w", map[int64]int64{1: 5, 3: 2})
	check("w")
	add("w", map[int64]int64{2: 4, 3: -2, 7: 1, 1 << 30: 9}) // nodes the held tree lacked
	check("w")
	big := map[int64]int64{}
	for i := int64(1); i <= 70_000; i++ {
		big[i] = i % 7
	}
	add("big", big)
	check("big")
	add("big", map[int64]int64{2: 3, 70_000: -1, 70_001: 4})
	check("big")
	for _, tree := range []string{"w", "big"} {
		// A write transaction sees the committed tree, then its own change;
		// rolled back, nothing of it remains.
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := read(tx, tree, nil); err != nil {
				return err
			}
			change := map[int64]int64{probe[tree][0]: 11, probe[tree][3]: 1}
			if err := tx.AddNodes(ctx, f.campaign, tree, change); err != nil {
				return err
			}
			if err := read(tx, tree, change); err != nil {
				return err
			}
			return errors.New("roll back")
		})
		if err == nil {
			t.Fatal("a failing write reported success")
		}
		check(tree)
	}
	// A group: trees read together, held whole together, including a tree
	// that has no node when the group is first read.
	readGroup := func(tx store.Tx) error {
		for range 2 {
			var sets []store.NodeSet
			var want []int64
			for _, tree := range []string{"g:a", "g:b", "g:c", "h"} {
				for _, n := range []int64{1, 2, 5} {
					sets = append(sets, store.NodeSet{Tree: tree, Nodes: []int64{n}, Whole: true, Group: tree[:min(2, len(tree))]})
					want = append(want, model[tree][n])
				}
			}
			sums, err := tx.SumNodeSets(ctx, f.campaign, sets)
			if err != nil {
				return err
			}
			if !slices.Equal(sums, want) {
				t.Fatalf("group g: = %v, want %v", sums, want)
			}
		}
		return nil
	}
	model["g:a"], model["g:b"], model["g:c"], model["h"] = map[int64]int64{}, map[int64]int64{}, map[int64]int64{}, map[int64]int64{}
	add("g:a", map[int64]int64{1: 1, 5: 3})
	add("g:b", map[int64]int64{2: 2})
	add("h", map[int64]int64{1: 8})
	view(t, s, readGroup)
	add("g:c", map[int64]int64{5: 6, 2: 1})
	add("g:a", map[int64]int64{1: -1, 2: 4})
	add("h", map[int64]int64{2: 1})
	view(t, s, readGroup)
	update(t, s, readGroup)

	// A write transaction changes one tree of a group, then reads another
	// tree of it whole for the first time: it reads its own uncommitted
	// change with the group, which a cache of committed state must not
	// take. Once it commits, the group reads changed exactly once.
	model["k:a"], model["k:b"] = map[int64]int64{}, map[int64]int64{}
	add("k:b", map[int64]int64{1: 2})
	readK := func(tx store.Tx) error {
		for range 2 {
			sums, err := tx.SumNodeSets(ctx, f.campaign, []store.NodeSet{
				{Tree: "k:a", Nodes: []int64{1}, Whole: true, Group: "k:"}, {Tree: "k:b", Nodes: []int64{1}, Whole: true, Group: "k:"}})
			if err != nil {
				return err
			}
			if want := []int64{model["k:a"][1], model["k:b"][1]}; !slices.Equal(sums, want) {
				t.Fatalf("group k: after a write that read it = %v, want %v", sums, want)
			}
		}
		return nil
	}
	update(t, s, func(tx store.Tx) error {
		if err := tx.AddNodes(ctx, f.campaign, "k:a", map[int64]int64{1: 3}); err != nil {
			return err
		}
		_, err := tx.SumNodeSets(ctx, f.campaign, []store.NodeSet{{Tree: "k:b", Nodes: []int64{1}, Whole: true, Group: "k:"}})
		return err
	})
	model["k:a"][1] += 3
	view(t, s, readK)
	update(t, s, readK)

	// Groups read for the first time while commits change them: every
	// read sees one committed state, and the end state is every change.
	const groups, writers, each = 12, 3, 20
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				g := fmt.Sprintf("cg%d:", (w*each+i)%groups)
				if err := s.Update(ctx, func(tx store.Tx) error {
					return tx.AddNodes(ctx, f.campaign, g+"t", map[int64]int64{5: 1, 9: 1})
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3 * groups {
				g := fmt.Sprintf("cg%d:", i%groups)
				err := s.View(ctx, func(tx store.Tx) error {
					sums, err := tx.SumNodeSets(ctx, f.campaign, []store.NodeSet{
						{Tree: g + "t", Nodes: []int64{5}, Whole: true, Group: g}, {Tree: g + "t", Nodes: []int64{9}, Whole: true, Group: g}})
					if err != nil {
						return err
					}
					if sums[0] != sums[1] {
						t.Errorf("group %s: nodes 5 and 9 read %d and %d, not one committed state", g, sums[0], sums[1])
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	view(t, s, func(tx store.Tx) error {
		var total int64
		for i := range groups {
			g := fmt.Sprintf("cg%d:", i)
			sums, err := tx.SumNodeSets(ctx, f.campaign, []store.NodeSet{{Tree: g + "t", Nodes: []int64{5, 9}, Whole: true, Group: g}})
			if err != nil {
				return err
			}
			total += sums[0]
		}
		if total != 2*writers*each {
			t.Errorf("groups after %d commits of two nodes: %d, want %d", writers*each, total, 2*writers*each)
		}
		return nil
	})

	update(t, s, func(tx store.Tx) error { return tx.Wipe(ctx) })
	model = map[string]map[int64]int64{"w": {}, "big": {}}
	check("w")
	check("big")
}
