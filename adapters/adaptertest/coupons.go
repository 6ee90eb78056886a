package adaptertest

import (
	"slices"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// couponBehaviours cover coupon groups and participants' own coupons.
var couponBehaviours = []behaviour{
	{name: "CouponGroupsManaged", needs: ops("CreateCouponGroup", "AddCoupons", "GetCouponGroup", "ListCouponGroups"), run: testCouponGroups},
	{name: "ParticipantCouponsTracked", needs: ops("CreateParticipant", "CreateCoupon", "GetCoupon", "ListCoupons"), run: testCoupons},
}

// codes returns a group's codes, sorted, and whether all are available.
func codes(g canonical.CouponGroup) ([]string, bool) {
	var out []string
	avail := true
	for _, c := range g.Coupons {
		out = append(out, c.Code)
		avail = avail && c.Available
	}
	slices.Sort(out)
	return out, avail
}

func testCouponGroups(t *testing.T, s *suite) {
	g := must[canonical.CouponGroup](t, "create group")(s.b.CreateCouponGroup(s.ctx, s.camp,
		canonical.NewCouponGroup{Name: "Spring codes", Active: true, Codes: []string{"SPRING-1", "SPRING-2"}}))
	if cs, avail := codes(g); g.ID == "" || g.Name != "Spring codes" || !g.Active || !slices.Equal(cs, []string{"SPRING-1", "SPRING-2"}) || !avail {
		t.Fatalf("created group %+v, want an active Spring codes with SPRING-1 and SPRING-2 available", g)
	}
	added := must[canonical.CouponGroup](t, "add codes")(s.b.AddCoupons(s.ctx, s.camp, g.ID, []string{"SPRING-3"}))
	want := []string{"SPRING-1", "SPRING-2", "SPRING-3"}
	if cs, _ := codes(added); added.ID != g.ID || !slices.Equal(cs, want) {
		t.Fatalf("after adding a code the group answered %v, want %v", cs, want)
	}
	got := must[canonical.CouponGroup](t, "get group")(s.b.GetCouponGroup(s.ctx, s.camp, g.ID))
	if cs, avail := codes(got); got.ID != g.ID || got.Name != g.Name || !slices.Equal(cs, want) || !avail {
		t.Fatalf("group read back as %+v, want %v available", got, want)
	}
	g2 := must[canonical.CouponGroup](t, "create a second group")(s.b.CreateCouponGroup(s.ctx, s.camp,
		canonical.NewCouponGroup{Name: "Autumn codes", Codes: []string{"AUTUMN-1"}}))
	ids := walk(t, "groups", func(o canonical.ListOptions) (canonical.Page[canonical.CouponGroup], error) {
		return s.b.ListCouponGroups(s.ctx, s.camp, o)
	}, func(x canonical.CouponGroup) string { return x.ID })
	if !slices.Equal(ids, []string{g2.ID, g.ID}) {
		t.Fatalf("groups listed %v, want %v (newest first)", ids, []string{g2.ID, g.ID})
	}
	_, err := s.b.CreateCouponGroup(s.ctx, s.camp, canonical.NewCouponGroup{Name: "Again", Codes: []string{"SPRING-1"}})
	code(t, "a group with a code already in the campaign", err, canonical.Conflict)
	_, err = s.b.AddCoupons(s.ctx, s.camp, g2.ID, []string{"SPRING-2"})
	code(t, "add a code already in the campaign", err, canonical.Conflict)
	_, err = s.b.CreateCouponGroup(s.ctx, s.camp, canonical.NewCouponGroup{Codes: []string{"NAMELESS-1"}})
	code(t, "a group without a name", err, canonical.Invalid)
	_, err = s.b.GetCouponGroup(s.ctx, s.camp, "999999999")
	code(t, "get an unknown group", err, canonical.NotFound)
	_, err = s.b.AddCoupons(s.ctx, s.camp, "999999999", []string{"LOST-1"})
	code(t, "add codes to an unknown group", err, canonical.NotFound)
}

func testCoupons(t *testing.T, s *suite) {
	p, q := s.join(t, "cp"), s.join(t, "cq")
	c := must[canonical.Coupon](t, "create coupon")(s.b.CreateCoupon(s.ctx, s.camp, canonical.ByID(p.ID), "ANN10"))
	if c.ID == "" || c.Code != "ANN10" || c.ParticipantID != p.ID {
		t.Fatalf("created coupon %+v, want ANN10 of %s", c, p.ID)
	}
	got := must[canonical.Coupon](t, "get coupon")(s.b.GetCoupon(s.ctx, c.ID))
	if got.ID != c.ID || got.Code != c.Code || got.ParticipantID != p.ID {
		t.Fatalf("coupon read back as %+v", got)
	}
	d := must[canonical.Coupon](t, "create another coupon")(s.b.CreateCoupon(s.ctx, s.camp, canonical.ByID(q.ID), "BO10"))
	list := func(participant string) []string {
		t.Helper()
		return walk(t, "coupons", func(o canonical.ListOptions) (canonical.Page[canonical.Coupon], error) {
			return s.b.ListCoupons(s.ctx, canonical.CouponQuery{CampaignID: s.camp, ParticipantID: participant, ListOptions: o})
		}, func(x canonical.Coupon) string { return x.ID })
	}
	if got := list(p.ID); !slices.Equal(got, []string{c.ID}) {
		t.Fatalf("coupons of %s: %v, want %v", p.ID, got, []string{c.ID})
	}
	if got := list(""); !slices.Equal(got, []string{d.ID, c.ID}) {
		t.Fatalf("the campaign's coupons: %v, want %v (newest first)", got, []string{d.ID, c.ID})
	}
	_, err := s.b.CreateCoupon(s.ctx, s.camp, canonical.ByID(q.ID), "ANN10")
	code(t, "a code in use", err, canonical.Conflict)
	_, err = s.b.CreateCoupon(s.ctx, s.camp, canonical.ByID(q.ID), "")
	code(t, "a coupon without a code", err, canonical.Invalid)
	_, err = s.b.CreateCoupon(s.ctx, s.camp, canonical.ByEmail("nobody-coupon@conformance.example.com"), "NOBODY10")
	code(t, "a coupon for an unknown participant", err, canonical.NotFound)
	_, err = s.b.GetCoupon(s.ctx, "999999999")
	code(t, "get an unknown coupon", err, canonical.NotFound)
}
