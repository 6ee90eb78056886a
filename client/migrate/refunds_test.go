package migrate_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/client"
	"github.com/refbridge/refbridge/client/migrate"
)

// handedOut is a source whose coupon groups report their first code as
// already given to someone, as ReferralHero's do once a reward used it
// (the engine never hands group codes out itself).
type handedOut struct{ *client.Client }

func (h handedOut) GetCouponGroup(ctx context.Context, campaignID, groupID string) (canonical.CouponGroup, error) {
	g, err := h.Client.GetCouponGroup(ctx, campaignID, groupID)
	if err == nil && len(g.Coupons) > 0 {
		slices.SortFunc(g.Coupons, func(a, b canonical.Coupon) int { return compareStrings(a.Code, b.Code) })
		g.Coupons[0].Available = false
	}
	return g, err
}

func (h handedOut) ListCouponGroups(ctx context.Context, campaignID string, opts canonical.ListOptions) (canonical.Page[canonical.CouponGroup], error) {
	page, err := h.Client.ListCouponGroups(ctx, campaignID, opts)
	for i := range page.Items {
		page.Items[i].Coupons = nil // make the run fetch each group
	}
	return page, err
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// saleRefund is a refund of the sale with order ID order, by amount cents
// (USD; 0 refunds it in full).
type saleRefund struct {
	order  string
	amount int64
}

// refundSales records refunds of a campaign's sales through c.
func refundSales(t *testing.T, c *client.Client, campaign string, refunds ...saleRefund) {
	t.Helper()
	for _, r := range refunds {
		if _, err := c.RefundTransaction(context.Background(), canonical.NewRefund{CampaignID: campaign,
			ExternalIDs: map[string]string{"order": r.order}, Amount: canonical.Money{Amount: r.amount, Currency: "USD"}}); err != nil {
			t.Fatal(err)
		}
	}
}

// refunds lists a campaign's refunds as "buyer email: amount".
func refunds(t *testing.T, c *client.Client, campaign string) []string {
	t.Helper()
	ctx := context.Background()
	emails := map[string]string{}
	for p, err := range c.Participants(ctx, canonical.ParticipantQuery{CampaignID: campaign}) {
		if err != nil {
			t.Fatal(err)
		}
		emails[p.ID] = p.Email
	}
	var out []string
	for tr, err := range c.Transactions(ctx, canonical.TransactionQuery{CampaignID: campaign}) {
		if err != nil {
			t.Fatal(err)
		}
		if tr.Kind == canonical.Refund {
			out = append(out, fmt.Sprintf("%s: %d %s", emails[tr.ParticipantID], tr.Amount.Amount, tr.Amount.Currency))
		}
	}
	slices.Sort(out)
	return out
}

// TestRefundsAndCouponGroups: refunds arrive after the commissions'
// states, so unpaid commissions end voided or reduced as at the source;
// coupon pools arrive with only the codes still available, and the
// report counts the ones left behind. Neither is made twice, even by a
// run that lost its ID map.
func TestRefundsAndCouponGroups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newProgram(t, 60)
	camp := src.campaign.ID
	// Refund the oldest sale in full and the next one by half: both
	// still have pending commissions. Refund the newest, whose
	// commission was approved, in full too.
	refundSales(t, src.c, camp, saleRefund{"o5", 0}, saleRefund{"o10", 505}, saleRefund{"o55", 0})
	if _, err := src.c.CreateCouponGroup(ctx, camp, canonical.NewCouponGroup{Name: "Spring codes", Active: true,
		Codes: []string{"SPRING-A", "SPRING-B", "SPRING-C"}}); err != nil {
		t.Fatal(err)
	}
	source := handedOut{src.c}
	dst, err := client.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "target.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	idmap, err := migrate.OpenIDMap(filepath.Join(t.TempDir(), "idmap.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer idmap.Close()
	rep, err := migrate.Run(ctx, source, dst, migrate.Options{IDMap: idmap})
	if err != nil {
		t.Fatal(err)
	}
	logReport(t, rep)
	target, _ := idmap.Get(migrate.EntityCampaigns, camp)

	wantRefunds := refunds(t, src.c, camp)
	if len(wantRefunds) != 3 {
		t.Fatalf("source refunds %v, want 3", wantRefunds)
	}
	if got := refunds(t, dst, target); !slices.Equal(got, wantRefunds) {
		t.Errorf("target refunds %v, want %v", got, wantRefunds)
	}
	if want, got := moneyStates(t, src.c, camp), moneyStates(t, dst, target); want != got {
		t.Errorf("commission and payout states: target %s, source %s", got, want)
	}
	for _, m := range rep.Money {
		if m.Source != m.Target {
			t.Errorf("%s %s: source %d, target %d", m.Kind, m.Currency, m.Source, m.Target)
		}
	}
	if tr := rep.Entity(migrate.EntityTransactions); tr.Failed != 0 {
		t.Errorf("transactions: %+v", tr)
	}

	groups, err := dst.ListCouponGroups(ctx, target, canonical.ListOptions{})
	if err != nil || len(groups.Items) != 1 {
		t.Fatalf("target coupon groups %+v, %v", groups.Items, err)
	}
	g, err := dst.GetCouponGroup(ctx, target, groups.Items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, cp := range g.Coupons {
		codes = append(codes, cp.Code)
	}
	slices.Sort(codes)
	if g.Name != "Spring codes" || !g.Active || !slices.Equal(codes, []string{"SPRING-B", "SPRING-C"}) {
		t.Errorf("target group %q active=%v codes %v; want the two codes still available", g.Name, g.Active, codes)
	}
	if e := rep.Entity(migrate.EntityCouponGroups); e.Read != 1 || e.Written != 1 || e.Failed != 0 {
		t.Errorf("coupon groups: %+v", e)
	}
	if want := []migrate.Loss{{Entity: migrate.EntityCouponGroups, Field: "handed-out or archived codes", Records: 1,
		Why: "left out of the target's pool so they are not handed out again"}}; !slices.Equal(rep.Losses, want) {
		t.Errorf("losses %+v, want exactly %+v", rep.Losses, want)
	}

	// A run that lost its map (killed before it synced) makes neither a
	// refund nor a group a second time.
	fresh, err := migrate.OpenIDMap("")
	if err != nil {
		t.Fatal(err)
	}
	fresh.Put(migrate.EntityCampaigns, camp, target, false)
	again, err := migrate.Run(ctx, source, dst, migrate.Options{IDMap: fresh})
	if err != nil {
		t.Fatal(err)
	}
	if e := again.Entity(migrate.EntityCouponGroups); e.Skipped != 1 || e.Written != 0 || e.Failed != 0 {
		t.Errorf("coupon groups without the map: %+v, want the existing group taken", e)
	}
	if e := again.Entity(migrate.EntityTransactions); e.Failed != 0 || e.Written != 0 {
		t.Errorf("transactions without the map: %+v, want every sale and refund found", e)
	}
	if got := refunds(t, dst, target); !slices.Equal(got, wantRefunds) {
		t.Errorf("after a run without the map, target refunds %v, want %v", got, wantRefunds)
	}
	if groups, err := dst.ListCouponGroups(ctx, target, canonical.ListOptions{}); err != nil || len(groups.Items) != 1 {
		t.Errorf("after a run without the map, %d coupon groups, %v", len(groups.Items), err)
	}
}

// unreadablePayouts is a target whose payout list fails unless it is
// asked for due payouts only (the run's own use), as a flaky vendor's
// might while the report sums them.
type unreadablePayouts struct{ *client.Client }

func (u unreadablePayouts) ListPayouts(ctx context.Context, q canonical.PayoutQuery) (canonical.Page[canonical.Payout], error) {
	if len(q.Statuses) == 0 {
		return canonical.Page[canonical.Payout]{}, canonical.Errorf(canonical.Internal, "payouts are down")
	}
	return u.Client.ListPayouts(ctx, q)
}

// TestSumsThatCannotBeReadAreReported: a report never compares partial
// sums; the failed read is in it instead of a made-up loss.
func TestSumsThatCannotBeReadAreReported(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newProgram(t, 30)
	dst, err := client.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "target.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	rep, err := migrate.Run(ctx, src.c, unreadablePayouts{dst}, migrate.Options{Attempts: 2, RetryBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tr := rep.Entity(migrate.EntityTransactions)
	if tr.Failed != 1 || len(tr.Errors) != 1 || !strings.Contains(tr.Errors[0], "payout sums") {
		t.Errorf("transactions: %+v, want the payout sums' failure", tr)
	}
	for _, l := range rep.Losses {
		if l.Entity == migrate.EntityTransactions {
			t.Errorf("loss %+v drawn from partial sums", l)
		}
	}
}
