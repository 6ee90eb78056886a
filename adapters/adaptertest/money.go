package adaptertest

import (
	"slices"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// moneyBehaviours cover sales, refunds, commissions and payouts, in
// AffiliateCampaign.
var moneyBehaviours = []behaviour{
	{name: "SaleRecorded", needs: ops("CreateParticipant", "CreateTransaction", "GetParticipant"), campaign: AffiliateCampaign, run: testSale},
	{name: "TransactionsListed", needs: ops("CreateParticipant", "CreateTransaction", "RefundTransaction", "ListTransactions"),
		campaign: AffiliateCampaign, run: testTransactionsListed},
	{name: "RefundVoidsAdjustsAndSparesPaid", needs: ops("CreateParticipant", "CreateTransaction", "RefundTransaction", "ListCommissions"),
		campaign: AffiliateCampaign, run: testRefunds},
	{name: "CommissionsRead", needs: ops("CreateParticipant", "ListCommissions", "GetCommission"), campaign: AffiliateCampaign, run: testCommissionsRead},
	{name: "CommissionApproved", needs: ops("CreateParticipant", "ListCommissions", "ApproveCommission", "GetCommission"),
		campaign: AffiliateCampaign, run: testApproveCommission},
	{name: "CommissionDatesUpdated", needs: ops("CreateParticipant", "ListCommissions", "UpdateCommission"), campaign: AffiliateCampaign, run: testUpdateCommission},
	{name: "CommissionDeleted", needs: ops("CreateParticipant", "ListCommissions", "DeleteCommission", "GetCommission"),
		campaign: AffiliateCampaign, run: testDeleteCommission},
	{name: "PayoutsRead", needs: ops("CreateParticipant", "ListPayouts", "GetPayout", "ListCommissions"), campaign: AffiliateCampaign, run: testPayoutsRead},
	{name: "PayoutPaid", needs: ops("CreateParticipant", "ListPayouts", "PayPayout", "ListCommissions"), campaign: AffiliateCampaign, run: testPayPayout},
}

// holdDays is the commission hold period behaviours set to see pending
// commissions.
const holdDays = 30

// affiliateSetup gives the campaign a commission hold of hold days and
// returns an affiliate and a customer they referred.
func (s *suite) affiliateSetup(t *testing.T, hold int) (affiliate, customer canonical.Participant) {
	t.Helper()
	s.configure(t, canonical.CampaignPatch{CommissionHoldDays: &hold})
	affiliate = s.join(t, "aff")
	return affiliate, s.refer(t, "cust", affiliate)
}

// sale records a sale by customer: through the backend under test when it
// records sales, else through the engine (the zero result then).
func (s *suite) sale(t *testing.T, customer canonical.Participant, cents int64, order string) canonical.TransactionResult {
	t.Helper()
	in := canonical.NewTransaction{CampaignID: s.camp, Participant: canonical.ByID(customer.ID), Amount: usd(cents),
		ExternalIDs: map[string]string{"orderId": order}}
	if s.supports("CreateTransaction") {
		return must[canonical.TransactionResult](t, "sale "+order)(s.b.CreateTransaction(s.ctx, in))
	}
	in.CampaignID, in.Participant = s.arrCamp, canonical.ByEmail(customer.Email)
	must[canonical.TransactionResult](t, "arrange sale "+order)(s.arr.CreateTransaction(s.ctx, in))
	return canonical.TransactionResult{}
}

// refund refunds order (cents 0: in full), through the backend under
// test when it can, else through the engine.
func (s *suite) refund(t *testing.T, customer canonical.Participant, order string, cents int64) {
	t.Helper()
	in := canonical.NewRefund{CampaignID: s.camp, Participant: canonical.ByID(customer.ID), ExternalIDs: map[string]string{"orderId": order}}
	if cents > 0 {
		in.Amount = usd(cents)
	}
	if s.supports("RefundTransaction") {
		must[canonical.RefundResult](t, "refund "+order)(s.b.RefundTransaction(s.ctx, in))
		return
	}
	in.CampaignID, in.Participant = s.arrCamp, canonical.ByEmail(customer.Email)
	must[canonical.RefundResult](t, "arrange refund "+order)(s.arr.RefundTransaction(s.ctx, in))
}

// commissionsOf lists affiliate's commissions, newest first.
func (s *suite) commissionsOf(t *testing.T, affiliate canonical.Participant, statuses ...canonical.CommissionStatus) []canonical.Commission {
	t.Helper()
	return must[canonical.Page[canonical.Commission]](t, "list commissions")(s.b.ListCommissions(s.ctx, canonical.CommissionQuery{
		CampaignID: s.camp, ReferrerID: affiliate.ID, Statuses: statuses, ListOptions: canonical.ListOptions{Limit: 100}})).Items
}

// oneCommission lists affiliate's commissions and expects exactly one.
func (s *suite) oneCommission(t *testing.T, affiliate canonical.Participant) canonical.Commission {
	t.Helper()
	cs := s.commissionsOf(t, affiliate)
	if len(cs) != 1 {
		t.Fatalf("commissions of the affiliate: %+v, want one", cs)
	}
	return cs[0]
}

// commissionByAmount finds affiliate's commission of cents.
func (s *suite) commissionByAmount(t *testing.T, affiliate canonical.Participant, cents int64) canonical.Commission {
	t.Helper()
	cs := s.commissionsOf(t, affiliate)
	i := slices.IndexFunc(cs, func(c canonical.Commission) bool { return c.Amount.Amount == cents })
	if i < 0 {
		t.Fatalf("no commission of %d among %+v", cents, cs)
	}
	return cs[i]
}

// twoHeldCommissions makes an affiliate whose customer bought for 100
// (order o-1) and 200 (o-2), with commissions held for holdDays, and
// returns them and the commission on o-1.
func (s *suite) twoHeldCommissions(t *testing.T) (affiliate, customer canonical.Participant, first canonical.Commission) {
	t.Helper()
	affiliate, customer = s.affiliateSetup(t, holdDays)
	s.sale(t, customer, 10000, "o-1")
	s.sale(t, customer, 20000, "o-2")
	return affiliate, customer, s.commissionByAmount(t, affiliate, 1500)
}

// markPaid marks affiliate's commission of cents paid through the
// engine.
func (s *suite) markPaid(t *testing.T, affiliate canonical.Participant, cents int64) {
	t.Helper()
	ref := must[canonical.Participant](t, "arrange: find the affiliate")(s.arr.GetParticipant(s.ctx, s.arrCamp, canonical.ByEmail(affiliate.Email)))
	cs := must[canonical.Page[canonical.Commission]](t, "arrange: list commissions")(s.arr.ListCommissions(s.ctx,
		canonical.CommissionQuery{CampaignID: s.arrCamp, ReferrerID: ref.ID}))
	i := slices.IndexFunc(cs.Items, func(c canonical.Commission) bool { return c.Amount.Amount == cents })
	if i < 0 {
		t.Fatalf("arrange: no commission of %d among %+v", cents, cs.Items)
	}
	paid := ptr(cs.Items[i].CreatedAt)
	must[canonical.Commission](t, "arrange: mark paid")(s.arr.UpdateCommission(s.ctx, cs.Items[i].ID, canonical.CommissionPatch{PaidAt: &paid}))
}

// checkCommission compares a commission with what a 15% commission of
// affiliate on a sale of saleCents should be.
func checkCommission(t *testing.T, c canonical.Commission, affiliate canonical.Participant, saleCents int64, status canonical.CommissionStatus) {
	t.Helper()
	if c.ID == "" || c.ReferrerID != affiliate.ID || c.Amount != usd(saleCents*15/100) || c.Status != status {
		t.Fatalf("commission %+v, want a %s commission of %d for %s", c, status, saleCents*15/100, affiliate.ID)
	}
}

func testSale(t *testing.T, s *suite) {
	ref, cust := s.pendingReferral(t, canonical.QualifyOnEvent)
	res := s.sale(t, cust, 10000, "o-1")
	if res.Transaction.Kind != canonical.Sale || res.Transaction.Amount != usd(10000) || res.Duplicate {
		t.Fatalf("sale answered %+v, want a new sale of %v", res, usd(10000))
	}
	if !s.lim.NoSaleOutcome {
		if !res.FirstSale {
			t.Error("the customer's first sale answered FirstSale false")
		}
		if !s.lim.NoSaleCommissions && (len(res.Commissions) != 1 || res.Commissions[0].ReferrerID != ref.ID || res.Commissions[0].Amount != usd(1500)) {
			t.Errorf("sale answered commissions %+v, want one of %v for %s", res.Commissions, usd(1500), ref.ID)
		}
	}
	if n := s.credited(t, ref); n != 1 {
		t.Fatalf("referrer has %d credited referrals after the customer's first sale, want 1 (the campaign credits at an event)", n)
	}
	s.state(t, "customer after the first sale", s.get(t, cust).ReferralState, canonical.StateCredited)
	dup := s.sale(t, cust, 10000, "o-1")
	if !s.lim.NoSaleOutcome && (!dup.Duplicate || dup.FirstSale) {
		t.Errorf("the same order again answered Duplicate=%v FirstSale=%v, want a duplicate", dup.Duplicate, dup.FirstSale)
	}
	second := s.sale(t, cust, 2500, "o-2")
	if second.Duplicate || second.FirstSale || second.Transaction.Amount != usd(2500) {
		t.Errorf("a second order answered %+v, want a new sale that is not the first", second)
	}
	if s.supports("ListCommissions") {
		if cs := s.commissionsOf(t, ref); len(cs) != 2 {
			t.Errorf("commissions after two orders and a duplicate: %+v, want two", cs)
		}
	}
	if s.supports("CampaignStats") {
		st := must[canonical.CampaignStats](t, "campaign stats")(s.b.CampaignStats(s.ctx, s.camp))
		if s.lim.reports("Revenue") && st.Revenue != usd(12500) {
			t.Errorf("CampaignStats.Revenue = %v after sales of 100 and 25 (and a duplicate), want %v", st.Revenue, usd(12500))
		}
		if s.lim.reports("Commissions") && st.Commissions != usd(1875) {
			t.Errorf("CampaignStats.Commissions = %v after sales of 100 and 25 at 15%%, want %v", st.Commissions, usd(1875))
		}
	}
	order := func(id string) map[string]string { return map[string]string{"orderId": id} }
	for _, bad := range []struct {
		what string
		in   canonical.NewTransaction
		want canonical.Code
	}{
		{"a sale of nothing", canonical.NewTransaction{Amount: usd(0), ExternalIDs: order("o-3")}, canonical.Invalid},
		{"a negative sale", canonical.NewTransaction{Amount: usd(-5), ExternalIDs: order("o-4")}, canonical.Invalid},
		{"a sale without an order id", canonical.NewTransaction{Amount: usd(100)}, canonical.Invalid},
		{"a sale by nobody we know of", canonical.NewTransaction{Participant: canonical.ByEmail("nobody-buys@conformance.example.com"),
			Amount: usd(100), ExternalIDs: order("o-5")}, canonical.NotFound},
	} {
		bad.in.CampaignID = s.camp
		if bad.in.Participant.IsZero() {
			bad.in.Participant = canonical.ByID(cust.ID)
		}
		_, err := s.b.CreateTransaction(s.ctx, bad.in)
		code(t, bad.what, err, bad.want)
	}
}

func testTransactionsListed(t *testing.T, s *suite) {
	_, cust := s.affiliateSetup(t, 0)
	other := s.join(t, "other")
	sale1 := s.sale(t, cust, 10000, "o-1").Transaction
	sale2 := s.sale(t, cust, 2500, "o-2").Transaction
	res := must[canonical.RefundResult](t, "refund")(s.b.RefundTransaction(s.ctx, canonical.NewRefund{CampaignID: s.camp,
		ExternalIDs: map[string]string{"orderId": "o-1"}, Amount: usd(4000)}))
	list := func(participant string) []canonical.Transaction {
		t.Helper()
		return must[canonical.Page[canonical.Transaction]](t, "list transactions")(s.b.ListTransactions(s.ctx,
			canonical.TransactionQuery{CampaignID: s.camp, ParticipantID: participant})).Items
	}
	all := list("")
	if len(all) != 3 || all[0].ID != res.Refund.ID || all[1].ID != sale2.ID || all[2].ID != sale1.ID {
		t.Fatalf("transactions %+v, want the refund, then the second sale, then the first (newest first)", all)
	}
	if r := all[0]; r.Kind != canonical.Refund || r.RefundOf != sale1.ID || r.Amount != usd(4000) || r.ParticipantID != cust.ID {
		t.Fatalf("refund listed as %+v, want %v of sale %s by %s", r, usd(4000), sale1.ID, cust.ID)
	}
	if s := all[2]; s.Kind != canonical.Sale || s.Amount != usd(10000) || s.ExternalIDs["orderId"] != "o-1" {
		t.Fatalf("first sale listed as %+v", s)
	}
	walk(t, "transactions", func(o canonical.ListOptions) (canonical.Page[canonical.Transaction], error) {
		return s.b.ListTransactions(s.ctx, canonical.TransactionQuery{CampaignID: s.camp, ListOptions: o})
	}, func(x canonical.Transaction) string { return x.ID })
	if got := list(cust.ID); len(got) != 3 {
		t.Fatalf("the customer's transactions: %d, want 3", len(got))
	}
	if got := list(other.ID); len(got) != 0 {
		t.Fatalf("transactions of a participant who bought nothing: %+v", got)
	}
}

func testRefunds(t *testing.T, s *suite) {
	ref, cust := s.affiliateSetup(t, 0)
	s.sale(t, cust, 10000, "o-1")
	s.sale(t, cust, 20000, "o-2")
	s.sale(t, cust, 30000, "o-3")
	s.markPaid(t, ref, 4500)
	refund := func(order string, cents int64) canonical.RefundResult {
		t.Helper()
		in := canonical.NewRefund{CampaignID: s.camp, Participant: canonical.ByID(cust.ID), ExternalIDs: map[string]string{"orderId": order}}
		if cents > 0 {
			in.Amount = usd(cents)
		}
		return must[canonical.RefundResult](t, "refund "+order)(s.b.RefundTransaction(s.ctx, in))
	}
	part := refund("o-1", 5000)
	if !part.Matched || len(part.Adjusted) != 1 || part.Adjusted[0].Amount != usd(750) || len(part.Voided) != 0 {
		t.Fatalf("half refund answered %+v, want the 1500 commission adjusted to 750", part)
	}
	full := refund("o-2", 0)
	if !full.Matched || len(full.Voided) != 1 || full.Voided[0].Status != canonical.CommissionVoided || len(full.Adjusted) != 0 {
		t.Fatalf("full refund answered %+v, want its commission voided", full)
	}
	paid := refund("o-3", 0)
	if !paid.Matched || len(paid.Untouchable) != 1 || len(paid.Voided) != 0 || len(paid.Adjusted) != 0 {
		t.Fatalf("refund of a sale whose commission was paid answered %+v, want it untouchable", paid)
	}
	byAmount := map[int64]canonical.CommissionStatus{}
	for _, c := range s.commissionsOf(t, ref) {
		byAmount[c.Amount.Amount] = c.Status
	}
	want := map[int64]canonical.CommissionStatus{750: canonical.CommissionDue, 3000: canonical.CommissionVoided, 4500: canonical.CommissionPaid}
	if len(byAmount) != len(want) {
		t.Fatalf("commissions after the refunds by amount: %v, want %v", byAmount, want)
	}
	for amount, st := range want {
		if byAmount[amount] != st {
			t.Fatalf("commissions after the refunds by amount: %v, want %v", byAmount, want)
		}
	}
	none := refund("o-404", 0)
	if none.Matched {
		t.Fatalf("refund of an unknown order answered %+v, want Matched false", none)
	}
}

func testCommissionsRead(t *testing.T, s *suite) {
	ref, cust := s.affiliateSetup(t, holdDays)
	s.sale(t, cust, 10000, "o-1")
	c := s.oneCommission(t, ref)
	checkCommission(t, c, ref, 10000, canonical.CommissionPending)
	if c.SaleAmount != usd(10000) || c.DueAt == nil || c.DueAt.Before(c.CreatedAt.Add((holdDays-1)*24*time.Hour)) {
		t.Fatalf("commission of a %v sale held %d days: sale amount %v, due %v (created %v)", usd(10000), holdDays, c.SaleAmount, c.DueAt, c.CreatedAt)
	}
	got := must[canonical.Commission](t, "get commission")(s.b.GetCommission(s.ctx, c.ID))
	if got.ID != c.ID || got.Amount != c.Amount || got.Status != c.Status || got.ReferrerID != ref.ID {
		t.Fatalf("commission read back as %+v, listed as %+v", got, c)
	}
	for st, want := range map[canonical.CommissionStatus]int{canonical.CommissionPending: 1, canonical.CommissionDue: 0, canonical.CommissionPaid: 0} {
		if n := len(s.commissionsOf(t, ref, st)); n != want {
			t.Errorf("%d %s commissions, want %d", n, st, want)
		}
	}
	all := must[canonical.Page[canonical.Commission]](t, "list the campaign's commissions")(s.b.ListCommissions(s.ctx,
		canonical.CommissionQuery{CampaignID: s.camp}))
	if !slices.ContainsFunc(all.Items, func(x canonical.Commission) bool { return x.ID == c.ID }) {
		t.Fatalf("commission %s missing from the campaign's commissions", c.ID)
	}
	s.h.Advance(time.Hour)
	s.sale(t, cust, 20000, "o-2")
	if cs := s.commissionsOf(t, ref); len(cs) != 2 || cs[0].Amount != usd(3000) || cs[1].ID != c.ID {
		t.Fatalf("commissions after a second sale: %+v, want the second's (3000) first", cs)
	}
	walk(t, "commissions", func(o canonical.ListOptions) (canonical.Page[canonical.Commission], error) {
		return s.b.ListCommissions(s.ctx, canonical.CommissionQuery{CampaignID: s.camp, ReferrerID: ref.ID, ListOptions: o})
	}, func(c canonical.Commission) string { return c.ID })
	s.h.Advance((holdDays + 1) * 24 * time.Hour)
	if got := must[canonical.Commission](t, "get commission")(s.b.GetCommission(s.ctx, c.ID)); got.Status != canonical.CommissionDue {
		t.Fatalf("commission is %s after its hold period, want due", got.Status)
	}
	if due := s.commissionsOf(t, ref, canonical.CommissionDue); len(due) != 2 {
		t.Fatalf("due commissions after the hold period: %+v, want both", due)
	}
	_, err := s.b.GetCommission(s.ctx, "999999999")
	code(t, "get an unknown commission", err, canonical.NotFound)
}

func testApproveCommission(t *testing.T, s *suite) {
	ref, cust := s.affiliateSetup(t, holdDays)
	s.sale(t, cust, 10000, "o-1")
	c := s.oneCommission(t, ref)
	a := must[canonical.Commission](t, "approve")(s.b.ApproveCommission(s.ctx, c.ID))
	checkCommission(t, a, ref, 10000, canonical.CommissionDue)
	if a.DueAt == nil || a.DueAt.After(c.CreatedAt.Add(time.Hour)) {
		t.Fatalf("approved commission due %v, want now (it was created %v)", a.DueAt, c.CreatedAt)
	}
	if got := must[canonical.Commission](t, "get")(s.b.GetCommission(s.ctx, c.ID)); got.Status != canonical.CommissionDue {
		t.Fatalf("approved commission read back %s", got.Status)
	}
	_, err := s.b.ApproveCommission(s.ctx, c.ID)
	code(t, "approve twice", err, canonical.Conflict)
	_, err = s.b.ApproveCommission(s.ctx, "999999999")
	code(t, "approve an unknown commission", err, canonical.NotFound)
}

func testUpdateCommission(t *testing.T, s *suite) {
	ref, cust, c := s.twoHeldCommissions(t)
	update := func(what string, p canonical.CommissionPatch, want canonical.CommissionStatus) canonical.Commission {
		t.Helper()
		u := must[canonical.Commission](t, what)(s.b.UpdateCommission(s.ctx, c.ID, p))
		if u.ID != c.ID || u.Status != want {
			t.Fatalf("%s answered %s %s, want %s", what, u.ID, u.Status, want)
		}
		if got := s.commissionByAmount(t, ref, 1500); got.Status != want {
			t.Fatalf("after %s the commission is listed %s, want %s", what, got.Status, want)
		}
		return u
	}
	past, later := c.CreatedAt.Add(-time.Hour), c.CreatedAt.Add(60*24*time.Hour)
	update("due date in the past", canonical.CommissionPatch{DueAt: &past}, canonical.CommissionDue)
	if u := update("due date later", canonical.CommissionPatch{DueAt: &later}, canonical.CommissionPending); u.DueAt == nil || !u.DueAt.Equal(later) {
		t.Fatalf("due date answered %v, want %v", u.DueAt, later)
	}
	paidAt := ptr(c.CreatedAt.Add(time.Hour))
	if u := update("paid", canonical.CommissionPatch{PaidAt: &paidAt}, canonical.CommissionPaid); u.PaidAt == nil || !u.PaidAt.Equal(*paidAt) {
		t.Fatalf("paid date answered %v, want %v", u.PaidAt, *paidAt)
	}
	var unpaid *time.Time
	update("unpaid", canonical.CommissionPatch{PaidAt: &unpaid}, canonical.CommissionPending)
	s.refund(t, cust, "o-2", 0)
	voided := s.commissionByAmount(t, ref, 3000)
	_, err := s.b.UpdateCommission(s.ctx, voided.ID, canonical.CommissionPatch{DueAt: &past})
	code(t, "update a voided commission", err, canonical.Conflict)
	_, err = s.b.UpdateCommission(s.ctx, "999999999", canonical.CommissionPatch{DueAt: &past})
	code(t, "update an unknown commission", err, canonical.NotFound)
}

func testDeleteCommission(t *testing.T, s *suite) {
	ref, _, c := s.twoHeldCommissions(t)
	gone := must[canonical.Commission](t, "delete")(s.b.DeleteCommission(s.ctx, c.ID))
	if gone.ID != c.ID || gone.Amount != c.Amount {
		t.Fatalf("delete answered %+v, want what was removed: %+v", gone, c)
	}
	_, err := s.b.GetCommission(s.ctx, c.ID)
	code(t, "get a deleted commission", err, canonical.NotFound)
	if left := s.commissionsOf(t, ref); len(left) != 1 || left[0].Amount != usd(3000) {
		t.Fatalf("commissions after one was deleted: %+v, want the 3000 one", left)
	}
	_, err = s.b.DeleteCommission(s.ctx, c.ID)
	code(t, "delete twice", err, canonical.NotFound)
	if s.supports("ApproveCommission") {
		_, err = s.b.ApproveCommission(s.ctx, c.ID)
		code(t, "approve a deleted commission", err, canonical.NotFound)
	}
	if s.supports("UpdateCommission") {
		_, err = s.b.UpdateCommission(s.ctx, c.ID, canonical.CommissionPatch{DueAt: c.DueAt})
		code(t, "update a deleted commission", err, canonical.NotFound)
	}
	s.markPaid(t, ref, 3000)
	paid := s.commissionByAmount(t, ref, 3000)
	_, err = s.b.DeleteCommission(s.ctx, paid.ID)
	code(t, "delete a paid commission", err, canonical.Conflict)
}

// payoutsOf lists affiliate's payouts.
func (s *suite) payoutsOf(t *testing.T, affiliate canonical.Participant, statuses ...canonical.PayoutStatus) []canonical.Payout {
	t.Helper()
	return must[canonical.Page[canonical.Payout]](t, "list payouts")(s.b.ListPayouts(s.ctx, canonical.PayoutQuery{
		CampaignID: s.camp, ParticipantID: affiliate.ID, Statuses: statuses})).Items
}

func testPayoutsRead(t *testing.T, s *suite) {
	s.configure(t, canonical.CampaignPatch{MinimumPayout: ptr(usd(5000))})
	ref, cust := s.affiliateSetup(t, 0)
	s.sale(t, cust, 10000, "o-1")
	s.sale(t, cust, 20000, "o-2")
	ps := s.payoutsOf(t, ref)
	if len(ps) != 1 || ps[0].Status != canonical.PayoutPending || ps[0].Amount != usd(4500) {
		t.Fatalf("payouts of commissions of 4500 due, under a minimum of 5000: %+v, want one pending of 4500", ps)
	}
	s.sale(t, cust, 10000, "o-3")
	ps = s.payoutsOf(t, ref)
	if len(ps) != 1 || ps[0].Status != canonical.PayoutDue || ps[0].Amount != usd(6000) || ps[0].ParticipantID != ref.ID {
		t.Fatalf("payouts after the commissions reached the minimum: %+v, want one due of 6000 for %s", ps, ref.ID)
	}
	var cids []string
	for _, c := range s.commissionsOf(t, ref) {
		cids = append(cids, c.ID)
	}
	p := ps[0]
	if got := slices.Sorted(slices.Values(p.CommissionIDs)); !slices.Equal(got, slices.Sorted(slices.Values(cids))) {
		t.Fatalf("payout bundles commissions %v, want the affiliate's %v", got, cids)
	}
	got := must[canonical.Payout](t, "get payout")(s.b.GetPayout(s.ctx, p.ID))
	if got.ID != p.ID || got.Amount != p.Amount || got.Status != p.Status || got.ParticipantID != ref.ID {
		t.Fatalf("payout read back as %+v, listed as %+v", got, p)
	}
	for st, want := range map[canonical.PayoutStatus]int{canonical.PayoutDue: 1, canonical.PayoutPending: 0, canonical.PayoutPaid: 0} {
		if n := len(s.payoutsOf(t, ref, st)); n != want {
			t.Errorf("%d %s payouts, want %d", n, st, want)
		}
	}
	_, err := s.b.GetPayout(s.ctx, "999999999")
	code(t, "get an unknown payout", err, canonical.NotFound)
}

func testPayPayout(t *testing.T, s *suite) {
	ref, cust := s.affiliateSetup(t, 0)
	s.sale(t, cust, 10000, "o-1")
	ps := s.payoutsOf(t, ref, canonical.PayoutDue)
	if len(ps) != 1 {
		t.Fatalf("due payouts after a commission fell due: %+v, want one", ps)
	}
	p := must[canonical.Payout](t, "pay")(s.b.PayPayout(s.ctx, ps[0].ID))
	if p.ID != ps[0].ID || p.Status != canonical.PayoutPaid || p.PaidAt == nil {
		t.Fatalf("pay answered %+v, want %s paid with PaidAt", p, ps[0].ID)
	}
	if c := s.oneCommission(t, ref); c.Status != canonical.CommissionPaid || c.PaidAt == nil {
		t.Fatalf("commission of a paid payout is %s (paid at %v), want paid with PaidAt", c.Status, c.PaidAt)
	}
	_, err := s.b.PayPayout(s.ctx, p.ID)
	code(t, "pay twice", err, canonical.Conflict)
	s.configure(t, canonical.CampaignPatch{MinimumPayout: ptr(usd(100000))})
	s.sale(t, cust, 10000, "o-2")
	pending := s.payoutsOf(t, ref, canonical.PayoutPending)
	if len(pending) != 1 {
		t.Fatalf("pending payouts below the minimum: %+v, want one", pending)
	}
	_, err = s.b.PayPayout(s.ctx, pending[0].ID)
	code(t, "pay a payout below the minimum", err, canonical.Conflict)
	if ids := walk(t, "payouts", func(o canonical.ListOptions) (canonical.Page[canonical.Payout], error) {
		return s.b.ListPayouts(s.ctx, canonical.PayoutQuery{CampaignID: s.camp, ParticipantID: ref.ID, ListOptions: o})
	}, func(p canonical.Payout) string { return p.ID }); !slices.Equal(ids, []string{pending[0].ID, p.ID}) {
		t.Fatalf("payouts %v, want the pending one, then the paid one (newest first)", ids)
	}
	_, err = s.b.PayPayout(s.ctx, "999999999")
	code(t, "pay an unknown payout", err, canonical.NotFound)
}
