package rewardful

import (
	"net/http"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/rewardful"
)

// renderLink renders a top-level link (with affiliate_id).
func (l *lookups) renderLink(k canonical.Link) (linkJSON, error) {
	c, err := l.campaign(k.CampaignID)
	if err != nil {
		return linkJSON{}, err
	}
	return linkOut(l.ids, k, c, true), nil
}

// ListAffiliateLinks implements api.ServerInterface.
func (s *server) ListAffiliateLinks(w http.ResponseWriter, r *http.Request, params api.ListAffiliateLinksParams) {
	l := s.lookups(r)
	all, err := walk(func(cursor string) (canonical.Page[canonical.Link], error) {
		return l.b.ListLinks(l.ctx, canonical.LinkQuery{ListOptions: canonical.ListOptions{Limit: maxLimit, Cursor: cursor}})
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, limit := pageParams(params.Page, params.Limit)
	out, err := renderPage(all, page, limit, l.renderLink)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// tokenError rewords the engine's token errors.
func tokenError(err error) error {
	switch canonical.CodeOf(err) {
	case canonical.Conflict:
		return invalid("Token is already in use.")
	case canonical.Invalid:
		return invalid("Token is invalid")
	}
	return err
}

// CreateAffiliateLink implements api.ServerInterface.
func (s *server) CreateAffiliateLink(w http.ResponseWriter, r *http.Request) {
	l := s.lookups(r)
	f, err := readFields(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	affID, err := f.str("affiliate_id")
	if err == nil && (affID == nil || strings.TrimSpace(*affID) == "") {
		err = blank("affiliate_id")
	}
	var token *string
	if err == nil {
		token, err = f.str("token")
	}
	if err == nil && token != nil && *token != "" && !validLinkToken(*token) {
		err = invalid("Token is invalid")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := l.affiliateByID(strings.TrimSpace(*affID))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tok := ""
	if token != nil {
		tok = *token
	}
	k, err := l.b.CreateLink(l.ctx, "", canonical.ByID(p.ID), tok)
	if err != nil {
		s.fail(w, r, tokenError(err))
		return
	}
	out, err := l.renderLink(k)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// linkByPath finds the link a path id names.
func (l *lookups) linkByPath(id api.ID) (canonical.Link, error) {
	return byPath("Affiliate link", l.ids.link, id, l.link)
}

// GetAffiliateLink implements api.ServerInterface.
func (s *server) GetAffiliateLink(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	k, err := l.linkByPath(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := l.renderLink(k)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// UpdateAffiliateLink implements api.ServerInterface.
func (s *server) UpdateAffiliateLink(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	k, err := l.linkByPath(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := readFields(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	token, err := f.str("token")
	switch {
	case err != nil:
	case token == nil || *token == "":
		err = blank("token")
	case !validLinkToken(*token):
		err = invalid("Token is invalid")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if k.Token != *token {
		if k, err = l.b.UpdateLink(l.ctx, k.ID, *token); err != nil {
			s.fail(w, r, tokenError(err))
			return
		}
	}
	out, err := l.renderLink(k)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// ListAffiliateCoupons implements api.ServerInterface.
func (s *server) ListAffiliateCoupons(w http.ResponseWriter, r *http.Request, params api.ListAffiliateCouponsParams) {
	l := s.lookups(r)
	var all []canonical.Coupon
	affID, given, ok := decodeRef(s.ids.affiliate, params.AffiliateId)
	if !given || ok {
		var err error
		all, err = walk(func(cursor string) (canonical.Page[canonical.Coupon], error) {
			return l.b.ListCoupons(l.ctx, canonical.CouponQuery{ParticipantID: affID, ListOptions: canonical.ListOptions{Limit: maxLimit, Cursor: cursor}})
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	page, limit := pageParams(params.Page, params.Limit)
	out, _ := renderPage(all, page, limit, func(c canonical.Coupon) (couponJSON, error) { return couponOut(s.ids, c), nil })
	s.ok(w, out)
}

// CreateAffiliateCoupon implements api.ServerInterface. The code is
// tracked as given; refbridge does not check it against Stripe.
func (s *server) CreateAffiliateCoupon(w http.ResponseWriter, r *http.Request) {
	l := s.lookups(r)
	f, err := readFields(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	affID, err := f.str("affiliate_id")
	if err == nil && (affID == nil || strings.TrimSpace(*affID) == "") {
		err = blank("affiliate_id")
	}
	var token *string
	if err == nil {
		token, err = f.str("token")
	}
	if err == nil && (token == nil || strings.TrimSpace(*token) == "") {
		// Rewardful's documented text, trailing space included.
		err = invalid("Token can't be blank. ")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := l.affiliateByID(strings.TrimSpace(*affID))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := l.b.CreateCoupon(l.ctx, "", canonical.ByID(p.ID), strings.TrimSpace(*token))
	if err != nil {
		s.fail(w, r, tokenError(err))
		return
	}
	s.ok(w, couponOut(s.ids, c))
}

// GetAffiliateCoupon implements api.ServerInterface. Only affiliates' own
// coupons are affiliate coupons; pooled codes are not found.
func (s *server) GetAffiliateCoupon(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	eid, ok := s.ids.coupon.decode(id.String())
	if !ok {
		s.fail(w, r, notFound("Affiliate coupon", id.String()))
		return
	}
	c, err := l.b.GetCoupon(l.ctx, eid)
	if canonical.IsCode(err, canonical.NotFound) || err == nil && (c.ParticipantID == "" || c.GroupID != "") {
		err = notFound("Affiliate coupon", id.String())
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, couponOut(s.ids, c))
}
