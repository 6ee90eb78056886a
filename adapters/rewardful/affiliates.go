package rewardful

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/rewardful"
)

// Every participant of the account is a Rewardful affiliate: whoever can
// refer (participants signed up through any surface) can be listed,
// retrieved and paid here.

// affiliateParts says which relations an affiliate is rendered with.
type affiliateParts struct {
	campaign, links, coupon, stats bool
}

// full is how retrieve, create and update render an affiliate.
var full = affiliateParts{campaign: true, links: true, coupon: true}

// renderAffiliate renders a participant as an affiliate with the given
// relations.
func (l *lookups) renderAffiliate(p canonical.Participant, parts affiliateParts) (affiliateJSON, error) {
	out := affiliateOut(l.ids, p)
	var camp canonical.Campaign
	if parts.campaign || parts.links {
		var err error
		if camp, err = l.campaign(p.CampaignID); err != nil {
			return out, err
		}
	}
	if parts.campaign {
		s := campaignSummaryOut(l.ids, camp)
		out.Campaign = &s
	}
	if parts.links {
		links, err := l.linksOf(p.ID)
		if err != nil {
			return out, err
		}
		rendered := make([]linkJSON, 0, len(links))
		for _, k := range links {
			rendered = append(rendered, linkOut(l.ids, k, camp, false))
		}
		out.Links = some(rendered)
	}
	if parts.coupon {
		coupons, err := walk(func(cursor string) (canonical.Page[canonical.Coupon], error) {
			return l.b.ListCoupons(l.ctx, canonical.CouponQuery{ParticipantID: p.ID, ListOptions: canonical.ListOptions{Limit: maxLimit, Cursor: cursor}})
		})
		if err != nil {
			return out, err
		}
		out.Coupon = null[couponJSON]()
		for _, c := range coupons {
			if !c.Archived {
				out.Coupon = some(couponOut(l.ids, c))
				break
			}
		}
	}
	if parts.stats {
		cs, err := walk(func(cursor string) (canonical.Page[canonical.Commission], error) {
			return l.b.ListCommissions(l.ctx, canonical.CommissionQuery{ReferrerID: p.ID, ListOptions: canonical.ListOptions{Limit: maxLimit, Cursor: cursor}})
		})
		if err != nil {
			return out, err
		}
		out.CommissionStats = some(commissionStatsOut(cs))
	}
	return out, nil
}

// linksOf lists a participant's links, oldest (the main link) first.
func (l *lookups) linksOf(participantID string) ([]canonical.Link, error) {
	links, err := walk(func(cursor string) (canonical.Page[canonical.Link], error) {
		return l.b.ListLinks(l.ctx, canonical.LinkQuery{ParticipantID: participantID, ListOptions: canonical.ListOptions{Limit: maxLimit, Cursor: cursor}})
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(links, func(a, b canonical.Link) int { return compareIDs(a.ID, b.ID) })
	return links, nil
}

// compareIDs orders engine IDs numerically (other IDs as text).
func compareIDs(a, b string) int {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA != nil || errB != nil {
		return strings.Compare(a, b)
	}
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// affiliateByID finds the participant an affiliate UUID names.
func (l *lookups) affiliateByID(id string) (canonical.Participant, error) {
	// An affiliate migrated from Rewardful keeps answering its old UUID.
	eid, ok := surface.Legacy(l.ctx, l.b, "participant", canonical.Rewardful, strings.ToLower(id))
	if !ok {
		if eid, ok = l.ids.affiliate.decode(id); !ok {
			return canonical.Participant{}, notFound("Affiliate", id)
		}
	}
	p, err := l.participant(eid)
	if canonical.IsCode(err, canonical.NotFound) {
		return p, notFound("Affiliate", id)
	}
	return p, err
}

// campaignByID finds the campaign a campaign UUID names.
func (l *lookups) campaignByID(id string) (canonical.Campaign, error) {
	// A campaign migrated from Rewardful keeps answering its old UUID.
	eid, ok := surface.Legacy(l.ctx, l.b, "campaign", canonical.Rewardful, strings.ToLower(id))
	if !ok {
		if eid, ok = l.ids.campaign.decode(id); !ok {
			return canonical.Campaign{}, notFound("Campaign", id)
		}
	}
	c, err := l.campaign(eid)
	if canonical.IsCode(err, canonical.NotFound) || err == nil && c.Status == canonical.CampaignDeleted {
		return c, notFound("Campaign", id)
	}
	return c, err
}

// ListAffiliates implements api.ServerInterface.
func (s *server) ListAffiliates(w http.ResponseWriter, r *http.Request, params api.ListAffiliatesParams) {
	l := s.lookups(r)
	page, limit := pageParams(params.Page, params.Limit)
	expand, err := expansions(s.v, r, params.Expand)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var camps []canonical.Campaign
	if cid, given, ok := decodeRef(s.ids.campaign, params.CampaignId); given {
		if ok {
			c, err := l.campaign(cid)
			if err != nil && !canonical.IsCode(err, canonical.NotFound) {
				s.fail(w, r, err)
				return
			}
			if err == nil {
				camps = []canonical.Campaign{c}
			}
		}
	} else {
		var err error
		if camps, err = l.campaigns(); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	parts := affiliateParts{campaign: has(expand, "campaign"), links: has(expand, "links"), stats: has(expand, "commission_stats")}
	render := func(p canonical.Participant) (affiliateJSON, error) { return l.renderAffiliate(p, parts) }
	query := func(c canonical.Campaign) canonical.ParticipantQuery {
		q := canonical.ParticipantQuery{CampaignID: c.ID, Sort: canonical.SortCreatedDesc}
		if params.Email != nil {
			q.Email = *params.Email
		}
		if params.StripeCustomerId != nil {
			q.StripeCustomerID = *params.StripeCustomerId
		}
		return q
	}
	if len(camps) == 1 {
		// One campaign (the usual case): its participants in Rewardful's
		// order are one backend list, paged by offset where it can.
		q := query(camps[0])
		out, err := listPage(l, "ListParticipants", page, limit, func(o canonical.ListOptions) (canonical.Page[canonical.Participant], error) {
			q.ListOptions = o
			return l.b.ListParticipants(l.ctx, q)
		}, render)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.ok(w, out)
		return
	}
	var all []canonical.Participant
	for _, c := range camps {
		q := query(c)
		ps, err := walk(func(cursor string) (canonical.Page[canonical.Participant], error) {
			q.ListOptions = canonical.ListOptions{Limit: maxLimit, Cursor: cursor}
			return l.b.ListParticipants(l.ctx, q)
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		all = append(all, ps...)
	}
	slices.SortStableFunc(all, func(a, b canonical.Participant) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return compareIDs(b.ID, a.ID)
	})
	out, err := renderPage(all, page, limit, render)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// engineInvalid rewords the engine's validation errors about affiliates.
func engineInvalid(err error) error {
	switch canonical.CodeOf(err) {
	case canonical.Invalid:
		if strings.Contains(strings.ToLower(canonical.MessageOf(err)), "email") {
			return invalid("Email is invalid")
		}
	case canonical.Conflict:
		msg := strings.ToLower(canonical.MessageOf(err))
		if strings.Contains(msg, "token") || strings.Contains(msg, "code") {
			return invalid("Token is already in use.")
		}
		return invalid("Email has already been taken")
	}
	return err
}

// CreateAffiliate implements api.ServerInterface.
func (s *server) CreateAffiliate(w http.ResponseWriter, r *http.Request) {
	l := s.lookups(r)
	f, err := readFields(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := parseAffiliateIn(f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var camp canonical.Campaign
	if in.CampaignID != nil && *in.CampaignID != "" {
		camp, err = l.campaignByID(*in.CampaignID)
	} else {
		var def string
		if def, err = l.defaultCampaignID(); err == nil {
			if def == "" {
				err = blank("campaign")
			} else {
				camp, err = l.campaign(def)
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	np, err := newAffiliate(in, camp.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Without a token, the first link gets a name-based one (a random
	// one on private_tokens campaigns, or when every name is taken).
	var candidates []string
	if np.ReferralCode == "" && !camp.PrivateTokens {
		candidates = tokenCandidates(np.FirstName, np.LastName)
	}
	candidates = append(candidates, np.ReferralCode)
	var (
		p       canonical.Participant
		created bool
	)
	for i, code := range candidates {
		np.ReferralCode = code
		p, created, err = l.b.CreateParticipant(l.ctx, np)
		generated := i < len(candidates)-1
		if generated && canonical.IsCode(err, canonical.Conflict) {
			continue
		}
		break
	}
	if err != nil {
		s.fail(w, r, engineInvalid(err))
		return
	}
	if !created {
		s.fail(w, r, invalid("Email has already been taken"))
		return
	}
	out, err := l.renderAffiliate(p, full)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// GetAffiliate implements api.ServerInterface.
func (s *server) GetAffiliate(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	p, err := l.affiliateByID(id.String())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := l.renderAffiliate(p, full)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// UpdateAffiliate implements api.ServerInterface. A new token replaces
// the token of the affiliate's main (first) link.
func (s *server) UpdateAffiliate(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	p, err := l.affiliateByID(id.String())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := readFields(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := parseAffiliateIn(f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	patch, err := affiliatePatch(in, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if in.CampaignID != nil && *in.CampaignID != "" {
		camp, err := l.campaignByID(*in.CampaignID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if camp.ID != p.CampaignID {
			patch.CampaignID = &camp.ID
		}
	}
	if p, err = l.b.UpdateParticipant(l.ctx, "", canonical.ByID(p.ID), patch); err != nil {
		s.fail(w, r, engineInvalid(err))
		return
	}
	if in.Token != nil {
		links, err := l.linksOf(p.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		main := -1
		for i, k := range links {
			if k.Token == p.ReferralCode {
				main = i
				break
			}
		}
		if main < 0 && len(links) > 0 {
			main = 0
		}
		switch {
		case main < 0:
			_, err = l.b.CreateLink(l.ctx, "", canonical.ByID(p.ID), *in.Token)
		case links[main].Token != *in.Token:
			_, err = l.b.UpdateLink(l.ctx, links[main].ID, *in.Token)
		}
		if err != nil {
			s.fail(w, r, engineInvalid(err))
			return
		}
		if p, err = l.b.GetParticipant(l.ctx, "", canonical.ByID(p.ID)); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	out, err := l.renderAffiliate(p, full)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// GetAffiliateSso implements api.ServerInterface; see Limitations.
func (s *server) GetAffiliateSso(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	if _, err := l.affiliateByID(id.String()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.fail(w, r, vendorErr(canonical.NotImplemented, "Magic links are not available: refbridge has no affiliate dashboard."))
}
