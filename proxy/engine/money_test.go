package engine_test

import (
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// affiliate sets up an affiliate program: 30% commissions held 30 days,
// payouts from $50, one affiliate and one referred customer.
func affiliate(t *testing.T) (*env, canonical.Campaign, canonical.Participant, canonical.Participant) {
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{Kind: canonical.AffiliateProgram, CommissionHoldDays: 30,
		MinimumPayout: canonical.Money{Amount: 5000, Currency: "USD"},
		Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward,
			Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 30}}}})
	aff := e.join(c.ID, "aff@example.com", canonical.ParticipantRef{})
	cust := e.join(c.ID, "cust@example.com", canonical.ByCode(aff.ReferralCode))
	return e, c, aff, cust
}

func (e *env) sale(c canonical.Campaign, who canonical.Participant, amount int64, id string) canonical.TransactionResult {
	e.t.Helper()
	res, err := e.b.CreateTransaction(e.ctx, canonical.NewTransaction{CampaignID: c.ID, Participant: canonical.ByID(who.ID),
		Amount: canonical.Money{Amount: amount, Currency: "USD"}, ExternalIDs: map[string]string{"invoiceId": id}})
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func TestCommissionsPendingDuePaid(t *testing.T) {
	t.Parallel()
	e, c, aff, cust := affiliate(t)
	res := e.sale(c, cust, 10000, "in_1")
	if !res.FirstSale || len(res.Commissions) != 1 {
		t.Fatalf("sale = %+v", res)
	}
	com := res.Commissions[0]
	if com.Amount.Amount != 3000 || com.Status != canonical.CommissionPending || com.ReferrerID != aff.ID ||
		!com.DueAt.Equal(start.AddDate(0, 0, 30)) || com.SaleAmount.Amount != 10000 {
		t.Fatalf("commission = %+v", com)
	}
	if second := e.sale(c, cust, 10000, "in_2"); second.FirstSale {
		t.Error("second sale reported as the first")
	}
	dup, err := e.b.CreateTransaction(e.ctx, canonical.NewTransaction{CampaignID: c.ID, Participant: canonical.ByID(cust.ID),
		Amount: canonical.Money{Amount: 1}, ExternalIDs: map[string]string{"invoiceId": "in_1"}})
	if err != nil || !dup.Duplicate || dup.Transaction.Amount.Amount != 10000 || len(dup.Commissions) != 1 {
		t.Fatalf("duplicate = %+v, %v", dup, err)
	}
	payouts, _ := e.b.ListPayouts(e.ctx, canonical.PayoutQuery{CampaignID: c.ID})
	if len(payouts.Items) != 0 {
		t.Fatalf("payouts before anything is due: %+v", payouts.Items)
	}
	// 30 days on, both commissions are due and bundled: 6000 ≥ 5000, due.
	e.clock.Advance(30*24*time.Hour + time.Minute)
	payouts, err = e.b.ListPayouts(e.ctx, canonical.PayoutQuery{CampaignID: c.ID})
	if err != nil || len(payouts.Items) != 1 {
		t.Fatalf("payouts = %+v, %v", payouts.Items, err)
	}
	p := payouts.Items[0]
	if p.Status != canonical.PayoutDue || p.Amount.Amount != 6000 || len(p.CommissionIDs) != 2 || p.ParticipantID != aff.ID {
		t.Fatalf("payout = %+v", p)
	}
	got, err := e.b.GetCommission(e.ctx, com.ID)
	if err != nil || got.Status != canonical.CommissionDue || got.PayoutID != p.ID {
		t.Fatalf("commission after hold = %+v, %v", got, err)
	}
	paid, err := e.b.PayPayout(e.ctx, p.ID)
	if err != nil || paid.Status != canonical.PayoutPaid || paid.PaidAt == nil {
		t.Fatalf("pay = %+v, %v", paid, err)
	}
	_, err = e.b.PayPayout(e.ctx, p.ID)
	wantCode(t, err, canonical.Conflict)
	list, err := e.b.ListCommissions(e.ctx, canonical.CommissionQuery{ReferrerID: aff.ID, Statuses: []canonical.CommissionStatus{canonical.CommissionPaid}})
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("paid commissions = %+v, %v", list.Items, err)
	}
	// Paid commissions are not clawed back by a refund.
	rr, err := e.b.RefundTransaction(e.ctx, canonical.NewRefund{CampaignID: c.ID, ExternalIDs: map[string]string{"invoiceId": "in_1"}})
	if err != nil || !rr.Matched || len(rr.Untouchable) != 1 || len(rr.Voided) != 0 {
		t.Errorf("refund of a paid sale = %+v, %v", rr, err)
	}
	_, err = e.b.DeleteCommission(e.ctx, com.ID)
	wantCode(t, err, canonical.Conflict)
}

func TestRefundVoidsOrReducesUnpaidCommissions(t *testing.T) {
	t.Parallel()
	e, c, _, cust := affiliate(t)
	full := e.sale(c, cust, 10000, "in_full").Commissions[0]
	part := e.sale(c, cust, 10000, "in_part").Commissions[0]
	rr, err := e.b.RefundTransaction(e.ctx, canonical.NewRefund{CampaignID: c.ID, ExternalIDs: map[string]string{"invoiceId": "in_full"}})
	if err != nil || !rr.Matched || len(rr.Voided) != 1 || rr.Voided[0].ID != full.ID || rr.Refund.Amount.Amount != 10000 {
		t.Fatalf("full refund = %+v, %v", rr, err)
	}
	got, _ := e.b.GetCommission(e.ctx, full.ID)
	if got.Status != canonical.CommissionVoided || got.VoidedAt == nil {
		t.Errorf("voided commission = %+v", got)
	}
	rr, err = e.b.RefundTransaction(e.ctx, canonical.NewRefund{CampaignID: c.ID, ExternalIDs: map[string]string{"invoiceId": "in_part"},
		Amount: canonical.Money{Amount: 2500}})
	if err != nil || len(rr.Adjusted) != 1 || rr.Adjusted[0].Amount.Amount != 2250 {
		t.Fatalf("partial refund = %+v, %v", rr, err)
	}
	// Refunding the rest voids it.
	rr, err = e.b.RefundTransaction(e.ctx, canonical.NewRefund{CampaignID: c.ID, ExternalIDs: map[string]string{"invoiceId": "in_part"}})
	if err != nil || len(rr.Voided) != 1 || rr.Voided[0].ID != part.ID || rr.Refund.Amount.Amount != 7500 {
		t.Fatalf("rest refund = %+v, %v", rr, err)
	}
	rr, err = e.b.RefundTransaction(e.ctx, canonical.NewRefund{CampaignID: c.ID, ExternalIDs: map[string]string{"invoiceId": "nope"}})
	if err != nil || rr.Matched {
		t.Errorf("unmatched refund = %+v, %v", rr, err)
	}
	stats, err := e.b.CampaignStats(e.ctx, c.ID)
	if err != nil || stats.Revenue.Amount != 0 || stats.Commissions.Amount != 0 {
		t.Errorf("totals after refunds = revenue %d commissions %d, %v", stats.Revenue.Amount, stats.Commissions.Amount, err)
	}
}

func TestPayoutBelowMinimumStaysPending(t *testing.T) {
	t.Parallel()
	e, c, aff, cust := affiliate(t)
	com := e.sale(c, cust, 1000, "small").Commissions[0]
	got, err := e.b.ApproveCommission(e.ctx, com.ID)
	if err != nil || got.Status != canonical.CommissionDue || got.PayoutID == "" {
		t.Fatalf("approve = %+v, %v", got, err)
	}
	p, err := e.b.GetPayout(e.ctx, got.PayoutID)
	if err != nil || p.Status != canonical.PayoutPending || p.Amount.Amount != 300 {
		t.Fatalf("payout = %+v, %v", p, err)
	}
	_, err = e.b.PayPayout(e.ctx, p.ID)
	wantCode(t, err, canonical.Conflict)
	// Marking the commission paid by hand takes it out of the payout.
	when := start.Add(time.Hour)
	pp := &when
	got, err = e.b.UpdateCommission(e.ctx, com.ID, canonical.CommissionPatch{PaidAt: &pp})
	if err != nil || got.Status != canonical.CommissionPaid || got.PayoutID != "" {
		t.Fatalf("paid by hand = %+v, %v", got, err)
	}
	_, err = e.b.GetPayout(e.ctx, p.ID)
	wantCode(t, err, canonical.NotFound)
	// And an empty paid date makes it unpaid (due again, since its due date passed).
	var none *time.Time
	got, err = e.b.UpdateCommission(e.ctx, com.ID, canonical.CommissionPatch{PaidAt: &none})
	if err != nil || got.Status != canonical.CommissionDue || got.PaidAt != nil {
		t.Fatalf("unpaid = %+v, %v", got, err)
	}
	page, err := e.b.ListPayouts(e.ctx, canonical.PayoutQuery{ParticipantID: aff.ID})
	if err != nil || len(page.Items) != 1 || page.Items[0].Amount.Amount != 300 {
		t.Errorf("payouts = %+v, %v", page.Items, err)
	}
}

func TestFixedCommissionCapsAndDuration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{Kind: canonical.AffiliateProgram, Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward,
		Commission: &canonical.CommissionRule{Type: canonical.FixedCommission, Amount: canonical.Money{Amount: 700}, MaxCommissions: 2, DurationMonths: 12}}}})
	aff := e.join(c.ID, "aff@example.com", canonical.ParticipantRef{})
	cust := e.join(c.ID, "cust@example.com", canonical.ByCode(aff.ReferralCode))
	for i, want := range []int{1, 1, 0} {
		if got := len(e.sale(c, cust, 5000, "i"+string(rune('0'+i))).Commissions); got != want {
			t.Errorf("sale %d commissions = %d, want %d", i, got, want)
		}
	}
	other := e.join(c.ID, "late@example.com", canonical.ByCode(aff.ReferralCode))
	e.sale(c, other, 5000, "late-1")
	e.clock.Advance(400 * 24 * time.Hour)
	if got := len(e.sale(c, other, 5000, "late-2").Commissions); got != 0 {
		t.Errorf("commission past the duration: %d", got)
	}
	// No hold period: commissions are due at once.
	page, err := e.b.ListCommissions(e.ctx, canonical.CommissionQuery{CampaignID: c.ID, Statuses: []canonical.CommissionStatus{canonical.CommissionDue}})
	if err != nil || len(page.Items) != 3 || page.Items[0].Amount != (canonical.Money{Amount: 700, Currency: "USD"}) {
		t.Errorf("due commissions = %+v, %v", page.Items, err)
	}
	// Offset pages are slices of the full list, with its total.
	for off := range 4 {
		seek, err := e.b.ListCommissions(e.ctx, canonical.CommissionQuery{CampaignID: c.ID, Statuses: []canonical.CommissionStatus{canonical.CommissionDue},
			ListOptions: canonical.ListOptions{Offset: off, Limit: 1, WithTotal: true}})
		want := page.Items[off:min(off+1, 3)]
		if err != nil || seek.Total != 3 || len(seek.Items) != len(want) || len(want) == 1 && seek.Items[0].ID != want[0].ID {
			t.Errorf("commissions at offset %d = %+v (total %d), %v; want %+v", off, seek.Items, seek.Total, err, want)
		}
	}
	payouts, err := e.b.ListPayouts(e.ctx, canonical.PayoutQuery{CampaignID: c.ID})
	if err != nil || len(payouts.Items) == 0 {
		t.Fatalf("payouts = %+v, %v", payouts, err)
	}
	last, err := e.b.ListPayouts(e.ctx, canonical.PayoutQuery{CampaignID: c.ID, ListOptions: canonical.ListOptions{Offset: len(payouts.Items) - 1, WithTotal: true}})
	if err != nil || last.Total != len(payouts.Items) || len(last.Items) != 1 || last.Items[0].ID != payouts.Items[len(payouts.Items)-1].ID {
		t.Errorf("last payout by offset = %+v, %v; want %s of %d", last, err, payouts.Items[len(payouts.Items)-1].ID, len(payouts.Items))
	}
	_, err = e.b.ListPayouts(e.ctx, canonical.PayoutQuery{CampaignID: c.ID, ListOptions: canonical.ListOptions{Offset: -1}})
	wantCode(t, err, canonical.Invalid)
}

func TestTransactionValidation(t *testing.T) {
	t.Parallel()
	e, c, _, cust := affiliate(t)
	for _, in := range []canonical.NewTransaction{
		{CampaignID: c.ID, Participant: canonical.ByID(cust.ID), Amount: canonical.Money{Amount: 100}},
		{CampaignID: c.ID, Participant: canonical.ByID(cust.ID), Amount: canonical.Money{Amount: 0}, ExternalIDs: map[string]string{"a": "b"}},
	} {
		_, err := e.b.CreateTransaction(e.ctx, in)
		wantCode(t, err, canonical.Invalid)
	}
	_, err := e.b.CreateTransaction(e.ctx, canonical.NewTransaction{CampaignID: c.ID, Participant: canonical.ByEmail("nobody@example.com"),
		Amount: canonical.Money{Amount: 100}, ExternalIDs: map[string]string{"a": "b"}})
	wantCode(t, err, canonical.NotFound)
	// An unreferred customer's sale is recorded without commissions.
	solo := e.join(c.ID, "solo@example.com", canonical.ParticipantRef{})
	res := e.sale(c, solo, 100, "solo")
	if res.Duplicate || res.FirstSale || len(res.Commissions) != 0 || res.Transaction.ID == "" {
		t.Errorf("unreferred sale = %+v", res)
	}
	list, err := e.b.ListTransactions(e.ctx, canonical.TransactionQuery{ParticipantID: solo.ID})
	if err != nil || len(list.Items) != 1 {
		t.Errorf("transactions = %+v, %v", list.Items, err)
	}
}
