package rewardful_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/rewardful"
	api "github.com/refbridge/refbridge/client/rewardful"
)

// affiliateCampaign is a tenant campaign paying 30% commissions, due after
// 30 days, crediting referrals at signup.
func affiliateCampaign() canonical.Campaign {
	return canonical.Campaign{
		Name: "Partners", Kind: canonical.AffiliateProgram, Status: canonical.CampaignActive,
		Qualification: canonical.QualifyOnSignup, Currency: "USD", CommissionHoldDays: 30, ReferralExpiryDays: 30,
		Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward, Title: "Commission", Unlimited: true, Visible: true,
			Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 30}}},
	}
}

func wantCode(t *testing.T, what string, err error, want canonical.Code) {
	t.Helper()
	if got := canonical.CodeOf(err); got != want {
		t.Fatalf("%s: error %v (code %q), want %q", what, err, got, want)
	}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func TestBackendParticipantRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pb := newProxyBackend(t, affiliateCampaign())
	b := pb.b

	in := canonical.NewParticipant{Participant: canonical.Participant{
		CampaignID: pb.campaign, Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", ReferralCode: "ann-lee",
		Affiliate: canonical.Affiliate{State: canonical.AffiliateSuspicious, PaypalEmail: "pay@example.com",
			WiseEmail: "wise@example.com", StripeCustomerID: "cus_123", NoCommissionEmails: true},
	}}
	p, created, err := b.CreateParticipant(ctx, in)
	if err != nil || !created {
		t.Fatalf("create: created=%v err=%v", created, err)
	}
	check := func(what string, got canonical.Participant) {
		t.Helper()
		if got.ID != p.ID || got.CampaignID != pb.campaign || got.Email != "ann@example.com" || got.FirstName != "Ann" ||
			got.LastName != "Lee" || got.ReferralCode != "ann-lee" || !got.Verified || got.VerifiedAt == nil {
			t.Fatalf("%s: %+v", what, got)
		}
		want := canonical.Affiliate{IsAffiliate: true, State: canonical.AffiliateSuspicious, PaypalEmail: "pay@example.com",
			WiseEmail: "wise@example.com", StripeCustomerID: "cus_123", NoCommissionEmails: true}
		if got.Affiliate != want {
			t.Fatalf("%s: affiliate %+v, want %+v", what, got.Affiliate, want)
		}
		if got.Native.String(canonical.Rewardful, "state") != "suspicious" {
			t.Fatalf("%s: native %v", what, got.Native)
		}
	}
	check("create", p)
	// The engine behind the proxy holds what was sent.
	inEngine := must[canonical.Participant](t, "engine get")(pb.tenant.Backend.GetParticipant(ctx, pb.tenant.Campaign.ID, canonical.ByEmail("ann@example.com")))
	if inEngine.FirstName != "Ann" || inEngine.LastName != "Lee" || inEngine.ReferralCode != "ann-lee" ||
		inEngine.Affiliate != (canonical.Affiliate{IsAffiliate: true, State: canonical.AffiliateSuspicious, PaypalEmail: "pay@example.com",
			WiseEmail: "wise@example.com", StripeCustomerID: "cus_123", NoCommissionEmails: true}) {
		t.Fatalf("engine participant %+v", inEngine)
	}
	for _, ref := range []canonical.ParticipantRef{canonical.ByID(p.ID), canonical.ByEmail("ANN@example.com"),
		canonical.ByIdentifier("ann@example.com"), canonical.ByCode("ann-lee")} {
		check("get by "+ref.String(), must[canonical.Participant](t, "get "+ref.String())(b.GetParticipant(ctx, pb.campaign, ref)))
	}
	check("get without campaign", must[canonical.Participant](t, "get")(b.GetParticipant(ctx, "", canonical.ByID(p.ID))))

	again, created, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
		CampaignID: pb.campaign, Email: "ann@example.com"}})
	if err != nil || created || again.ID != p.ID {
		t.Fatalf("duplicate create: %v %v %v", again.ID, created, err)
	}

	_, _, err = b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
		CampaignID: pb.campaign, Email: "bo@example.com", FirstName: "Bo", LastName: "Ng", ReferralCode: "ann-lee"}})
	wantCode(t, "taken token", err, canonical.Conflict)
	_, _, err = b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
		CampaignID: pb.campaign, Email: "not-an-email", FirstName: "X", LastName: "Y"}})
	wantCode(t, "bad email", err, canonical.Invalid)

	// A participant without names gets Rewardful's required ones.
	anon, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
		CampaignID: pb.campaign, Email: "cy@example.com"}})
	if err != nil || anon.FirstName != "cy" || anon.LastName != "-" {
		t.Fatalf("create without names: %+v, %v", anon, err)
	}

	page := must[canonical.Page[canonical.Participant]](t, "list")(b.ListParticipants(ctx, canonical.ParticipantQuery{
		CampaignID: pb.campaign, StripeCustomerID: "cus_123"}))
	if len(page.Items) != 1 || page.Items[0].ID != p.ID || page.Items[0].ReferralCode != "ann-lee" {
		t.Fatalf("list by stripe customer: %+v", page)
	}

	// Affiliate replaces the whole affiliate record.
	first, email := "Annie", "annie@example.com"
	up, err := b.UpdateParticipant(ctx, pb.campaign, canonical.ByID(p.ID), canonical.ParticipantPatch{
		FirstName: &first, Email: &email,
		Affiliate: &canonical.Affiliate{State: canonical.AffiliateActive, PaypalEmail: "pp2@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if up.FirstName != "Annie" || up.Email != email || up.Affiliate.State != canonical.AffiliateActive ||
		up.Affiliate.PaypalEmail != "pp2@example.com" || up.Affiliate.NoCommissionEmails || up.LastName != "Lee" ||
		up.Affiliate.StripeCustomerID != "" || up.Affiliate.WiseEmail != "" {
		t.Fatalf("update: %+v", up)
	}
	got := must[canonical.Participant](t, "get after update")(b.GetParticipant(ctx, pb.campaign, canonical.ByEmail(email)))
	if got.ID != p.ID || got.FirstName != "Annie" {
		t.Fatalf("after update: %+v", got)
	}
	taken := "cy@example.com"
	_, err = b.UpdateParticipant(ctx, pb.campaign, canonical.ByID(p.ID), canonical.ParticipantPatch{Email: &taken})
	wantCode(t, "email taken", err, canonical.Conflict)

	before := pb.calls.n.Load()
	phone := "+15550000"
	_, err = b.UpdateParticipant(ctx, pb.campaign, canonical.ByID(p.ID), canonical.ParticipantPatch{Phone: &phone})
	wantCode(t, "update phone", err, canonical.Invalid)
	if pb.calls.n.Load() != before {
		t.Fatal("an impossible patch made requests")
	}

	page = must[canonical.Page[canonical.Participant]](t, "list")(b.ListParticipants(ctx, canonical.ParticipantQuery{
		CampaignID: pb.campaign, Email: email}))
	if len(page.Items) != 1 || page.Items[0].ID != p.ID || page.Total != 1 {
		t.Fatalf("list by email: %+v", page)
	}

	_, err = b.DeleteParticipant(ctx, pb.campaign, canonical.ByID(p.ID))
	wantCode(t, "delete", err, canonical.NotImplemented)
}

func TestBackendPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pb := newProxyBackend(t, affiliateCampaign())
	var ids []string
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		p, _, err := pb.b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
			CampaignID: pb.campaign, Email: name + "@example.com", FirstName: strings.ToUpper(name), LastName: "Z"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	var got []string
	q := canonical.ParticipantQuery{CampaignID: pb.campaign, ListOptions: canonical.ListOptions{Limit: 2}}
	pages := 0
	for {
		page, err := pb.b.ListParticipants(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if page.Total != 5 || len(page.Items) > 2 {
			t.Fatalf("page %d: %d items, total %d", pages, len(page.Items), page.Total)
		}
		for _, p := range page.Items {
			got = append(got, p.ID)
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	// Newest first.
	want := []string{ids[4], ids[3], ids[2], ids[1], ids[0]}
	if pages != 3 || !reflect.DeepEqual(got, want) {
		t.Fatalf("pages %d, order %v, want %v", pages, got, want)
	}
	_, err := pb.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: pb.campaign,
		ListOptions: canonical.ListOptions{Cursor: "not-a-cursor"}})
	wantCode(t, "bad cursor", err, canonical.Invalid)
	_, err = pb.b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: "5c8a1d55-0000-4000-8000-000000000000"})
	wantCode(t, "unknown campaign", err, canonical.NotFound)
}

// TestBackendReferralAndMoney: a referred signup (recorded through the
// engine, as Rewardful's tracker would) shows in the referrer's stats and
// referrals; a sale's commission goes pending → due → paid in a payout.
func TestBackendReferralAndMoney(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pb := newProxyBackend(t, affiliateCampaign())
	b, eng := pb.b, pb.tenant.Backend

	ref := must[canonical.Participant](t, "referrer")(func() (canonical.Participant, error) {
		p, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
			CampaignID: pb.campaign, Email: "ref@example.com", FirstName: "Rae", LastName: "Ferrer", ReferralCode: "rae"}})
		return p, err
	}())
	if _, _, err := eng.CreateParticipant(ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: pb.tenant.Campaign.ID, Email: "friend@example.com", FirstName: "Fred", LastName: "Friend"},
		Referrer:    canonical.ByCode("rae")}); err != nil {
		t.Fatal(err)
	}
	friend := must[canonical.Participant](t, "friend")(b.GetParticipant(ctx, pb.campaign, canonical.ByEmail("friend@example.com")))

	got := must[canonical.Participant](t, "get referrer")(b.GetParticipant(ctx, pb.campaign, canonical.ByID(ref.ID)))
	if got.Stats.Leads != 1 || got.Stats.Referrals != 1 || got.Stats.ReferredSignups != 1 {
		t.Fatalf("referrer stats %+v, want one lead", got.Stats)
	}
	refs := must[canonical.Page[canonical.Referral]](t, "referrals")(b.ListReferrals(ctx, canonical.ReferralQuery{
		CampaignID: pb.campaign, ReferrerID: ref.ID}))
	if len(refs.Items) != 1 {
		t.Fatalf("referrals: %+v", refs)
	}
	r := refs.Items[0]
	if r.ReferrerID != ref.ID || r.ReferredID != friend.ID || r.Email != "friend@example.com" || r.CampaignID != pb.campaign ||
		r.State != canonical.StateCredited || r.LeadAt == nil || r.ConvertedAt != nil ||
		r.Native.String(canonical.Rewardful, "conversion_state") != "lead" {
		t.Fatalf("referral %+v", r)
	}
	for _, tc := range []struct {
		name string
		q    canonical.ReferralQuery
		n    int
	}{
		{"visitors", canonical.ReferralQuery{ReferrerID: ref.ID, States: []canonical.ReferralState{canonical.StateVisitor}}, 0},
		{"all", canonical.ReferralQuery{CampaignID: pb.campaign}, 1},
		{"not converted", canonical.ReferralQuery{ReferrerID: ref.ID, Converted: new(false)}, 1},
		{"credited", canonical.ReferralQuery{ReferrerID: ref.ID, States: []canonical.ReferralState{canonical.StateCredited}}, 1},
		{"pending", canonical.ReferralQuery{ReferrerID: ref.ID, States: []canonical.ReferralState{canonical.StatePending}}, 0},
		{"by email", canonical.ReferralQuery{Email: "friend@example.com"}, 1},
		{"other email", canonical.ReferralQuery{Email: "nobody@example.com"}, 0},
	} {
		page, err := b.ListReferrals(ctx, tc.q)
		if err != nil || len(page.Items) != tc.n {
			t.Fatalf("%s: %+v, %v, want %d", tc.name, page.Items, err, tc.n)
		}
	}

	// A visitor through the referrer's link is a visitor referral.
	links := must[canonical.Page[canonical.Link]](t, "links")(b.ListLinks(ctx, canonical.LinkQuery{ParticipantID: ref.ID}))
	if len(links.Items) != 1 || links.Items[0].Token != "rae" {
		t.Fatalf("referrer links %+v", links)
	}
	if _, err := eng.RecordVisit(ctx, pb.tenant.Campaign.ID, canonical.Visit{Token: "rae"}); err != nil {
		t.Fatal(err)
	}
	visitors := must[canonical.Page[canonical.Referral]](t, "visitors")(b.ListReferrals(ctx, canonical.ReferralQuery{
		ReferrerID: ref.ID, States: []canonical.ReferralState{canonical.StateVisitor}}))
	if len(visitors.Items) != 1 || visitors.Items[0].State != canonical.StateVisitor || visitors.Items[0].LinkID != links.Items[0].ID ||
		visitors.Items[0].ReferredID != "" || visitors.Items[0].Visits != 1 {
		t.Fatalf("visitor referrals %+v", visitors.Items)
	}
	if got := must[canonical.Participant](t, "referrer")(b.GetParticipant(ctx, "", canonical.ByID(ref.ID))); got.Stats.Visitors != 1 {
		t.Fatalf("referrer stats after a visit %+v", got.Stats)
	}

	// A sale by the friend earns the referrer a pending commission.
	if _, err := eng.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: pb.tenant.Campaign.ID,
		Participant: canonical.ByEmail("friend@example.com"), Amount: canonical.Money{Amount: 10000, Currency: "USD"},
		ExternalIDs: map[string]string{"chargeId": "ch_1"}}); err != nil {
		t.Fatal(err)
	}
	coms := must[canonical.Page[canonical.Commission]](t, "commissions")(b.ListCommissions(ctx, canonical.CommissionQuery{
		CampaignID: pb.campaign, ReferrerID: ref.ID}))
	if len(coms.Items) != 1 {
		t.Fatalf("commissions: %+v", coms)
	}
	c := coms.Items[0]
	if c.Amount != (canonical.Money{Amount: 3000, Currency: "USD"}) || c.SaleAmount.Amount != 10000 || c.Status != canonical.CommissionPending ||
		c.ReferrerID != ref.ID || c.ReferredID != friend.ID || c.CampaignID != pb.campaign || c.TransactionID == "" || c.DueAt == nil {
		t.Fatalf("commission %+v", c)
	}
	if got := must[canonical.Commission](t, "get commission")(b.GetCommission(ctx, c.ID)); !reflect.DeepEqual(got, c) {
		t.Fatalf("get commission %+v, listed %+v", got, c)
	}
	refs = must[canonical.Page[canonical.Referral]](t, "referrals")(b.ListReferrals(ctx, canonical.ReferralQuery{ReferrerID: ref.ID,
		Converted: new(true)}))
	if len(refs.Items) != 1 || refs.Items[0].ConvertedAt == nil {
		t.Fatalf("converted referrals: %+v", refs.Items)
	}

	due := c.DueAt.Add(24 * time.Hour)
	moved := must[canonical.Commission](t, "update")(b.UpdateCommission(ctx, c.ID, canonical.CommissionPatch{DueAt: &due}))
	if !moved.DueAt.Equal(due) || moved.Status != canonical.CommissionPending {
		t.Fatalf("update due date: %+v", moved)
	}
	approved := must[canonical.Commission](t, "approve")(b.ApproveCommission(ctx, c.ID))
	if approved.Status != canonical.CommissionDue {
		t.Fatalf("approved commission %+v", approved)
	}
	_, err := b.ApproveCommission(ctx, c.ID)
	wantCode(t, "approve twice", err, canonical.Conflict)

	pos := must[canonical.Page[canonical.Payout]](t, "payouts")(b.ListPayouts(ctx, canonical.PayoutQuery{
		CampaignID: pb.campaign, ParticipantID: ref.ID, Statuses: []canonical.PayoutStatus{canonical.PayoutDue}}))
	if len(pos.Items) != 1 {
		t.Fatalf("payouts: %+v", pos)
	}
	po := pos.Items[0]
	if po.ParticipantID != ref.ID || po.Amount.Amount != 3000 || po.Status != canonical.PayoutDue ||
		!reflect.DeepEqual(po.CommissionIDs, []string{c.ID}) || po.CampaignID != pb.campaign {
		t.Fatalf("payout %+v", po)
	}
	paid := must[canonical.Payout](t, "pay")(b.PayPayout(ctx, po.ID))
	if paid.Status != canonical.PayoutPaid || paid.PaidAt == nil {
		t.Fatalf("paid payout %+v", paid)
	}
	if got := must[canonical.Payout](t, "get payout")(b.GetPayout(ctx, po.ID)); got.Status != canonical.PayoutPaid || got.ID != po.ID {
		t.Fatalf("get payout %+v", got)
	}
	_, err = b.PayPayout(ctx, po.ID)
	wantCode(t, "pay twice", err, canonical.Conflict)
	_, err = b.DeleteCommission(ctx, c.ID)
	wantCode(t, "delete a paid commission", err, canonical.Conflict)

	// Marking it unpaid, then deleting it.
	var unpaid *time.Time
	back := must[canonical.Commission](t, "unpay")(b.UpdateCommission(ctx, c.ID, canonical.CommissionPatch{PaidAt: &unpaid}))
	if back.Status == canonical.CommissionPaid || back.PaidAt != nil {
		t.Fatalf("unpaid commission %+v", back)
	}
	del := must[canonical.Commission](t, "delete")(b.DeleteCommission(ctx, c.ID))
	if del.ID != c.ID {
		t.Fatalf("deleted %+v", del)
	}
	_, err = b.GetCommission(ctx, c.ID)
	wantCode(t, "get deleted", err, canonical.NotFound)
}

func TestBackendLinksAndCoupons(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pb := newProxyBackend(t, affiliateCampaign())
	b := pb.b
	p, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
		CampaignID: pb.campaign, Email: "lee@example.com", FirstName: "Lee", LastName: "Link", ReferralCode: "lee"}})
	if err != nil {
		t.Fatal(err)
	}
	l := must[canonical.Link](t, "create link")(b.CreateLink(ctx, pb.campaign, canonical.ByEmail("lee@example.com"), "lee-2"))
	if l.ID == "" || l.Token != "lee-2" || l.ParticipantID != p.ID {
		t.Fatalf("link %+v", l)
	}
	gen := must[canonical.Link](t, "create generated")(b.CreateLink(ctx, "", canonical.ByID(p.ID), ""))
	if gen.Token == "" || gen.ParticipantID != p.ID {
		t.Fatalf("generated link %+v", gen)
	}
	if got := must[canonical.Link](t, "get link")(b.GetLink(ctx, l.ID)); got != l {
		t.Fatalf("get link %+v, want %+v", got, l)
	}
	up := must[canonical.Link](t, "update link")(b.UpdateLink(ctx, l.ID, "lee-3"))
	if up.ID != l.ID || up.Token != "lee-3" {
		t.Fatalf("updated link %+v", up)
	}
	for _, tc := range []struct {
		name, token string
		code        canonical.Code
	}{{"taken", "lee", canonical.Conflict}, {"bad", "no spaces", canonical.Invalid}} {
		_, err := b.CreateLink(ctx, pb.campaign, canonical.ByID(p.ID), tc.token)
		wantCode(t, "create "+tc.name, err, tc.code)
		_, err = b.UpdateLink(ctx, l.ID, tc.token)
		wantCode(t, "update "+tc.name, err, tc.code)
	}
	mine := must[canonical.Page[canonical.Link]](t, "list mine")(b.ListLinks(ctx, canonical.LinkQuery{
		CampaignID: pb.campaign, ParticipantID: p.ID, ListOptions: canonical.ListOptions{Limit: 2}}))
	if mine.Total != 3 || len(mine.Items) != 2 || mine.NextCursor == "" || mine.Items[1].ID != l.ID || mine.Items[0].ID != gen.ID {
		t.Fatalf("participant links %+v", mine)
	}
	all := must[canonical.Page[canonical.Link]](t, "list all")(b.ListLinks(ctx, canonical.LinkQuery{CampaignID: pb.campaign}))
	if len(all.Items) != 3 {
		t.Fatalf("all links %+v", all)
	}

	cp := must[canonical.Coupon](t, "create coupon")(b.CreateCoupon(ctx, pb.campaign, canonical.ByID(p.ID), "LEE10"))
	if cp.ID == "" || cp.Code != "LEE10" || cp.ParticipantID != p.ID {
		t.Fatalf("coupon %+v", cp)
	}
	if got := must[canonical.Coupon](t, "get coupon")(b.GetCoupon(ctx, cp.ID)); got.ID != cp.ID || got.Code != "LEE10" || got.ParticipantID != p.ID {
		t.Fatalf("get coupon %+v", got)
	}
	cps := must[canonical.Page[canonical.Coupon]](t, "list coupons")(b.ListCoupons(ctx, canonical.CouponQuery{
		CampaignID: pb.campaign, ParticipantID: p.ID}))
	if len(cps.Items) != 1 || cps.Items[0].ID != cp.ID {
		t.Fatalf("coupons %+v", cps)
	}
	_, err = b.CreateCoupon(ctx, pb.campaign, canonical.ByID(p.ID), "  ")
	wantCode(t, "empty coupon", err, canonical.Invalid)
	_, err = b.CreateCoupon(ctx, pb.campaign, canonical.ByID(p.ID), "LEE10")
	wantCode(t, "coupon taken", err, canonical.Conflict)
}

func TestBackendCampaigns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pb := newProxyBackend(t, affiliateCampaign())
	b := pb.b
	c := must[canonical.Campaign](t, "get")(b.GetCampaign(ctx, pb.campaign))
	if c.Name != "Partners" || c.Kind != canonical.AffiliateProgram || c.CommissionHoldDays != 30 || len(c.Rules) != 1 ||
		c.Rules[0].Commission == nil || c.Rules[0].Commission.Percent != 30 || c.Rules[0].ID != c.ID ||
		c.Native.String(canonical.Rewardful, "parameter_type") != "query" {
		t.Fatalf("campaign %+v", c)
	}
	nc := must[canonical.Campaign](t, "create")(b.CreateCampaign(ctx, canonical.Campaign{Name: "Fixed", URL: "https://fixed.example.com",
		Private: true, MinimumPayout: canonical.Money{Amount: 5000, Currency: "EUR"}, Native: canonical.Native{canonical.Rewardful: {"stripe_coupon_id": "co_1"}},
		Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward, Commission: &canonical.CommissionRule{
			Type: canonical.FixedCommission, Amount: canonical.Money{Amount: 1500, Currency: "EUR"}}}}}))
	if nc.ID == "" || nc.Name != "Fixed" || !nc.Private || nc.MinimumPayout.Amount != 5000 || len(nc.Rules) != 1 ||
		nc.Rules[0].Commission.Type != canonical.FixedCommission || nc.Rules[0].Commission.Amount != (canonical.Money{Amount: 1500, Currency: "EUR"}) ||
		nc.Native.String(canonical.Rewardful, "stripe_coupon_id") != "co_1" {
		t.Fatalf("created %+v", nc)
	}
	list := must[canonical.Page[canonical.Campaign]](t, "list")(b.ListCampaigns(ctx, canonical.ListOptions{}))
	if list.Total != 2 || len(list.Items) != 2 || list.Items[0].ID != nc.ID {
		t.Fatalf("campaigns %+v", list)
	}
	name, url := "Fixed 2", "https://fixed2.example.com"
	up := must[canonical.Campaign](t, "update")(b.UpdateCampaign(ctx, nc.ID, canonical.CampaignPatch{Name: &name, URL: &url,
		Native: canonical.Native{canonical.Rewardful: {"stripe_coupon_id": "co_2"}}}))
	if up.Name != name || up.URL != url || up.Native.String(canonical.Rewardful, "stripe_coupon_id") != "co_2" {
		t.Fatalf("updated %+v", up)
	}
	before := pb.calls.n.Load()
	st := canonical.CampaignPaused
	_, err := b.UpdateCampaign(ctx, nc.ID, canonical.CampaignPatch{Status: &st})
	wantCode(t, "pause", err, canonical.Invalid)
	_, _ = b.CreateCampaign(ctx, canonical.Campaign{Name: "No commission", URL: "https://x.example.com"})
	if pb.calls.n.Load() != before {
		t.Fatal("impossible campaign calls made requests")
	}

	rules := must[[]canonical.RewardRule](t, "rules")(b.ListRewardRules(ctx, pb.campaign))
	pct := canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 25}
	r := must[canonical.RewardRule](t, "update rule")(b.UpdateRewardRule(ctx, pb.campaign, rules[0].ID, canonical.RewardRulePatch{Commission: &pct}))
	if r.Commission.Percent != 25 || r.ID != pb.campaign {
		t.Fatalf("updated rule %+v", r)
	}
	_, err = b.UpdateRewardRule(ctx, pb.campaign, nc.ID, canonical.RewardRulePatch{Commission: &pct})
	wantCode(t, "other campaign's rule", err, canonical.NotFound)

	stats := must[canonical.CampaignStats](t, "stats")(b.CampaignStats(ctx, pb.campaign))
	if stats.Participants != 0 {
		t.Fatalf("stats %+v", stats)
	}
	_, err = b.GetCampaign(ctx, "ceaef6d9-767e-49aa-a6ab-46c02aa79604")
	wantCode(t, "unknown campaign", err, canonical.NotFound)
}

func TestBackendNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pb := newProxyBackend(t, affiliateCampaign())
	b := pb.b
	const unknown = "00000000-0000-4000-8000-000000000000"
	for _, tc := range []struct {
		name string
		call func(id string) error
	}{
		{"participant", func(id string) error { _, err := b.GetParticipant(ctx, "", canonical.ByID(id)); return err }},
		{"participant code", func(id string) error {
			_, err := b.GetParticipant(ctx, pb.campaign, canonical.ByCode("nope-"+id))
			return err
		}},
		{"campaign", func(id string) error { _, err := b.GetCampaign(ctx, id); return err }},
		{"link", func(id string) error { _, err := b.GetLink(ctx, id); return err }},
		{"update link", func(id string) error { _, err := b.UpdateLink(ctx, id, "tok"); return err }},
		{"coupon", func(id string) error { _, err := b.GetCoupon(ctx, id); return err }},
		{"commission", func(id string) error { _, err := b.GetCommission(ctx, id); return err }},
		{"approve commission", func(id string) error { _, err := b.ApproveCommission(ctx, id); return err }},
		{"delete commission", func(id string) error { _, err := b.DeleteCommission(ctx, id); return err }},
		{"payout", func(id string) error { _, err := b.GetPayout(ctx, id); return err }},
		{"pay payout", func(id string) error { _, err := b.PayPayout(ctx, id); return err }},
		{"stats", func(id string) error { _, err := b.CampaignStats(ctx, id); return err }},
		{"update participant", func(id string) error {
			n := "X"
			_, err := b.UpdateParticipant(ctx, "", canonical.ByID(id), canonical.ParticipantPatch{FirstName: &n})
			return err
		}},
	} {
		for _, id := range []string{unknown, "not-a-uuid"} {
			err := tc.call(id)
			wantCode(t, tc.name+" "+id, err, canonical.NotFound)
		}
	}
	// The vendor error is reachable.
	_, err := b.GetLink(ctx, unknown)
	var apiErr *rewardful.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || !strings.Contains(apiErr.Message, "Affiliate link not found") {
		t.Fatalf("vendor error %#v", apiErr)
	}
}

func TestBackendUnauthorized(t *testing.T) {
	t.Parallel()
	pb := newProxyBackend(t, affiliateCampaign())
	b, err := rewardful.NewBackend(&rewardful.BackendOptions{BaseURL: pb.srv.URL + "/v1", APISecret: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.ListCampaigns(context.Background(), canonical.ListOptions{})
	wantCode(t, "wrong secret", err, canonical.Unauthorized)
	if _, err := rewardful.NewBackend(&rewardful.BackendOptions{}); canonical.CodeOf(err) != canonical.Invalid {
		t.Fatalf("no secret: %v", err)
	}
}

// TestBackendCapabilityHonesty: every operation outside Capabilities, and
// the referral inputs of CreateParticipant, answer NotImplemented without
// a request.
func TestBackendCapabilityHonesty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pb := newProxyBackend(t, affiliateCampaign())
	b := pb.b
	caps := b.Capabilities()
	if caps.Backend != "rewardful" {
		t.Fatalf("backend name %q", caps.Backend)
	}
	unsupported := caps.Unsupported()
	if len(unsupported) != 29 {
		t.Errorf("%d unsupported operations: %v", len(unsupported), unsupported)
	}
	v := reflect.ValueOf(b)
	for _, op := range unsupported {
		t.Run(string(op), func(t *testing.T) {
			m := v.MethodByName(string(op))
			args := make([]reflect.Value, m.Type().NumIn())
			for i := range args {
				if at := m.Type().In(i); at == reflect.TypeFor[context.Context]() {
					args[i] = reflect.ValueOf(ctx)
				} else {
					args[i] = reflect.Zero(at)
				}
			}
			before := pb.calls.n.Load()
			out := m.Call(args)
			err, _ := out[len(out)-1].Interface().(error)
			wantCode(t, string(op), err, canonical.NotImplemented)
			if n := pb.calls.n.Load() - before; n != 0 {
				t.Fatalf("%s made %d requests", op, n)
			}
		})
	}
	before := pb.calls.n.Load()
	for _, in := range []canonical.NewParticipant{
		{Participant: canonical.Participant{CampaignID: pb.campaign, Email: "x@example.com"}, Referrer: canonical.ByCode("abc")},
		{Participant: canonical.Participant{CampaignID: pb.campaign, Email: "x@example.com"}, VisitorID: "v1"},
	} {
		_, _, err := b.CreateParticipant(ctx, in)
		wantCode(t, "referred create", err, canonical.NotImplemented)
	}
	if n := pb.calls.n.Load() - before; n != 0 {
		t.Fatalf("referred creates made %d requests", n)
	}

	var c *api.ClientWithResponses
	if !b.As(&c) || c == nil {
		t.Fatal("As(*api.ClientWithResponses) failed")
	}
	var other *http.Client
	if b.As(&other) {
		t.Fatal("As(*http.Client) succeeded")
	}
}
