package referralhero

import (
	"net/http"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// errGroupNotFound is the failure for an unknown coupon group (the vendor
// documents no code for it).
var errGroupNotFound = fail(http.StatusNotFound, "", "Coupon group not found")

// couponGroupsPage is the data of listCouponGroups.
type couponGroupsPage struct {
	Response     string            `json:"response"`
	CouponGroups []couponGroupJSON `json:"coupon_groups"`
	Pagination   pagination        `json:"pagination"`
}

// CreateCouponGroup serves POST /lists/{uuid}/coupon_groups. A group is
// active unless active is false.
func (s *server) CreateCouponGroup(w http.ResponseWriter, r *http.Request, uuid api.Uuid) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	f, ok := c.fields()
	if !ok {
		return
	}
	name, _ := f.str("name")
	if strings.TrimSpace(name) == "" {
		c.fail(fail(http.StatusBadRequest, codeNoName, msgNoName))
		return
	}
	active, set, err := f.bool("active")
	if err != nil {
		c.fail(err)
		return
	}
	g, err := c.b.CreateCouponGroup(c.ctx, c.camp.ID, canonical.NewCouponGroup{Name: strings.TrimSpace(name),
		Active: active || !set, Codes: f.strs("coupons")})
	if err != nil {
		c.fail(err)
		return
	}
	out := renderCouponGroup(c.h.ids, g)
	out.Response = "coupon_group_created"
	c.ok(out)
}

// CreateCoupons serves POST /lists/{uuid}/coupons: codes added to a group.
func (s *server) CreateCoupons(w http.ResponseWriter, r *http.Request, uuid api.Uuid) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	f, ok := c.fields()
	if !ok {
		return
	}
	gid, _ := f.str("coupon_group_id")
	codes := f.strs("coupons")
	if strings.TrimSpace(gid) == "" || len(codes) == 0 {
		c.fail(fail(http.StatusBadRequest, "", "coupon_group_id and coupons are required"))
		return
	}
	id, ok := c.h.ids.GroupID(strings.TrimSpace(gid))
	if !ok {
		c.fail(errGroupNotFound)
		return
	}
	g, err := c.b.AddCoupons(c.ctx, c.camp.ID, id, codes)
	if err != nil {
		c.fail(as(err, errGroupNotFound))
		return
	}
	c.ok(renderCouponGroup(c.h.ids, g))
}

// ListCouponGroups serves GET /lists/{uuid}/coupon_groups, 50 per page.
func (s *server) ListCouponGroups(w http.ResponseWriter, r *http.Request, uuid api.Uuid, params api.ListCouponGroupsParams) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	page := pageNumber(params.Page)
	gs, total, err := walk(func(cursor string) (canonical.Page[canonical.CouponGroup], error) {
		return c.b.ListCouponGroups(c.ctx, c.camp.ID, canonical.ListOptions{Limit: fetchCap, Cursor: cursor})
	}, nil, page, groupsPerPage, false)
	if err != nil {
		c.fail(err)
		return
	}
	out := couponGroupsPage{Response: "coupon_groups_retrieved", CouponGroups: make([]couponGroupJSON, 0, len(gs)),
		Pagination: newPagination(page, groupsPerPage, total)}
	for _, g := range gs {
		out.CouponGroups = append(out.CouponGroups, renderCouponGroup(c.h.ids, g))
	}
	c.ok(out)
}

// GetCouponGroup serves GET /lists/{uuid}/coupon_groups/{id}.
func (s *server) GetCouponGroup(w http.ResponseWriter, r *http.Request, uuid api.Uuid, id string) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	gid, ok := c.h.ids.GroupID(id)
	if !ok {
		c.fail(errGroupNotFound)
		return
	}
	g, err := c.b.GetCouponGroup(c.ctx, c.camp.ID, gid)
	if err != nil {
		c.fail(as(err, errGroupNotFound))
		return
	}
	c.ok(renderCouponGroup(c.h.ids, g))
}
