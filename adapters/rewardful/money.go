package rewardful

import (
	"net/http"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/rewardful"
)

// transactionsOf lists a participant's transactions (cached per request).
func (l *lookups) transactionsOf(participantID string) ([]canonical.Transaction, error) {
	return walk(func(cursor string) (canonical.Page[canonical.Transaction], error) {
		return l.b.ListTransactions(l.ctx, canonical.TransactionQuery{ParticipantID: participantID,
			ListOptions: canonical.ListOptions{Limit: maxLimit, Cursor: cursor}})
	})
}

// ownReferral finds the referral that brought a participant in.
func (l *lookups) ownReferral(participantID string) (canonical.Referral, bool, error) {
	page, err := l.b.ListReferrals(l.ctx, canonical.ReferralQuery{ReferredID: participantID, ListOptions: canonical.ListOptions{Limit: 1}})
	if err != nil || len(page.Items) == 0 {
		return canonical.Referral{}, false, err
	}
	return page.Items[0], true, nil
}

// optionalParticipant reads a participant that may have been deleted.
func (l *lookups) optionalParticipant(id string) (*canonical.Participant, error) {
	if id == "" {
		return nil, nil
	}
	p, err := l.participant(id)
	if canonical.IsCode(err, canonical.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// renderReferral renders a referral with its link and customer, and its
// affiliate (with campaign summary) when asked.
func (l *lookups) renderReferral(r canonical.Referral, withAffiliate bool) (referralJSON, error) {
	var link *linkJSON
	if r.LinkID != "" {
		k, err := l.link(r.LinkID)
		switch {
		case err == nil:
			c, err := l.campaign(k.CampaignID)
			if err != nil {
				return referralJSON{}, err
			}
			lj := linkOut(l.ids, k, c, false)
			link = &lj
		case !canonical.IsCode(err, canonical.NotFound):
			return referralJSON{}, err
		}
	}
	referred, err := l.optionalParticipant(r.ReferredID)
	if err != nil {
		return referralJSON{}, err
	}
	out := referralOut(l.ids, r, link, referred)
	if withAffiliate {
		p, err := l.optionalParticipant(r.ReferrerID)
		if err != nil {
			return out, err
		}
		if p != nil {
			a, err := l.renderAffiliate(*p, affiliateParts{campaign: true})
			if err != nil {
				return out, err
			}
			out.Affiliate = &a
		}
	}
	return out, nil
}

// renderSale renders the sale behind a commission with its referral and
// affiliate; nil when the sale is gone.
func (l *lookups) renderSale(c canonical.Commission) (*saleJSON, error) {
	if c.TransactionID == "" || c.ReferredID == "" {
		return nil, nil
	}
	ts, err := l.transactionsOf(c.ReferredID)
	if err != nil {
		return nil, err
	}
	var (
		sale    *canonical.Transaction
		refunds []canonical.Transaction
	)
	for i, t := range ts {
		switch {
		case t.ID == c.TransactionID:
			sale = &ts[i]
		case t.Kind == canonical.Refund && t.RefundOf == c.TransactionID:
			refunds = append(refunds, t)
		}
	}
	if sale == nil {
		return nil, nil
	}
	out := saleOut(l.ids, *sale, refunds)
	if r, ok, err := l.ownReferral(c.ReferredID); err != nil {
		return nil, err
	} else if ok {
		rj, err := l.renderReferral(r, false)
		if err != nil {
			return nil, err
		}
		out.Referral = &rj
	}
	p, err := l.optionalParticipant(c.ReferrerID)
	if err != nil {
		return nil, err
	}
	if p != nil {
		a := affiliateOut(l.ids, *p)
		out.Affiliate = &a
	}
	return &out, nil
}

// renderCommission renders a commission with the relations asked for.
func (l *lookups) renderCommission(c canonical.Commission, withCampaign, withSale bool) (commissionJSON, error) {
	out := commissionOut(l.ids, c)
	if withCampaign {
		camp, err := l.campaign(c.CampaignID)
		if err != nil {
			return out, err
		}
		s := campaignSummaryOut(l.ids, camp)
		out.Campaign = &s
	}
	if withSale {
		sale, err := l.renderSale(c)
		if err != nil {
			return out, err
		}
		out.Sale = sale
	}
	return out, nil
}

// states reads a state filter, checking each value against allowed.
func states(values []string, allowed ...string) error {
	for _, v := range values {
		if !has(allowed, v) {
			return badRequest("Invalid state: " + v)
		}
	}
	return nil
}

// ListCommissions implements api.ServerInterface.
func (s *server) ListCommissions(w http.ResponseWriter, r *http.Request, params api.ListCommissionsParams) {
	l := s.lookups(r)
	want := multi(r, params.State, "state")
	if err := states(want, "pending", "due", "paid", "voided"); err != nil {
		s.fail(w, r, err)
		return
	}
	expand, err := expansions(s.v, r, params.Expand)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, limit := pageParams(params.Page, params.Limit)
	render := func(c canonical.Commission) (commissionJSON, error) {
		return l.renderCommission(c, has(expand, "campaign"), has(expand, "sale"))
	}
	affID, given, ok := decodeRef(s.ids.affiliate, params.AffiliateId)
	if given && !ok {
		s.ok(w, pageOf([]commissionJSON{}, page, limit))
		return
	}
	q := canonical.CommissionQuery{ReferrerID: affID}
	for _, v := range want {
		q.Statuses = append(q.Statuses, canonical.CommissionStatus(v))
	}
	out, err := listPage(l, "ListCommissions", page, limit, func(o canonical.ListOptions) (canonical.Page[canonical.Commission], error) {
		q.ListOptions = o
		return l.b.ListCommissions(l.ctx, q)
	}, render)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// commissionByPath finds the commission a path id names.
func (l *lookups) commissionByPath(id api.ID) (canonical.Commission, error) {
	return byPath("Commission", l.ids.commission, id, func(eid string) (canonical.Commission, error) { return l.b.GetCommission(l.ctx, eid) })
}

// GetCommission implements api.ServerInterface.
func (s *server) GetCommission(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	c, err := l.commissionByPath(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := l.renderCommission(c, true, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// parseTimestamp reads an ISO 8601 time (a date alone means midnight UTC).
func parseTimestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// commissionPatch maps an update-commission body: an empty (or null)
// paid_at marks the commission unpaid; due_at cannot be blank.
func commissionPatch(f fields) (canonical.CommissionPatch, error) {
	var p canonical.CommissionPatch
	if f.has("paid_at") {
		v, err := f.str("paid_at")
		if err != nil {
			return p, err
		}
		var paid *time.Time
		if v != nil && strings.TrimSpace(*v) != "" {
			t, ok := parseTimestamp(*v)
			if !ok {
				return p, invalid("Paid at is invalid")
			}
			paid = &t
		}
		p.PaidAt = &paid
	}
	if f.has("due_at") {
		v, err := f.str("due_at")
		if err != nil {
			return p, err
		}
		if v == nil || strings.TrimSpace(*v) == "" {
			return p, blank("due_at")
		}
		t, ok := parseTimestamp(*v)
		if !ok {
			return p, invalid("Due at is invalid")
		}
		p.DueAt = &t
	}
	return p, nil
}

// UpdateCommission implements api.ServerInterface.
func (s *server) UpdateCommission(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	c, err := l.commissionByPath(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := readFields(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	patch, err := commissionPatch(f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if patch.PaidAt != nil || patch.DueAt != nil {
		c, err = l.b.UpdateCommission(l.ctx, c.ID, patch)
		if canonical.IsCode(err, canonical.Conflict) {
			err = invalid("Voided commissions cannot be changed")
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	out, err := l.renderCommission(c, true, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// DeleteCommission implements api.ServerInterface.
func (s *server) DeleteCommission(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	c, err := l.commissionByPath(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := l.b.DeleteCommission(l.ctx, c.ID); err != nil {
		switch canonical.CodeOf(err) {
		case canonical.Conflict:
			err = invalid("Paid commissions cannot be deleted")
		case canonical.NotFound:
			err = notFound("Commission", id.String())
		}
		s.fail(w, r, err)
		return
	}
	s.ok(w, deletedJSON{Object: "commission", ID: s.ids.commission.encode(c.ID), Deleted: true})
}

// renderPayout renders a payout with the relations asked for.
func (l *lookups) renderPayout(p canonical.Payout, withAffiliate, withCommissions bool) (payoutJSON, error) {
	out := payoutOut(l.ids, p)
	if withAffiliate {
		a, err := l.optionalParticipant(p.ParticipantID)
		if err != nil {
			return out, err
		}
		if a != nil {
			aj := affiliateOut(l.ids, *a)
			out.Affiliate = &aj
		}
	}
	if withCommissions {
		items := make([]payoutCommissionJSON, 0, len(p.CommissionIDs))
		for _, id := range p.CommissionIDs {
			c, err := l.b.GetCommission(l.ctx, id)
			if canonical.IsCode(err, canonical.NotFound) {
				continue
			}
			if err != nil {
				return out, err
			}
			items = append(items, payoutCommissionOut(l.ids, c))
		}
		out.Commissions = &items
	}
	return out, nil
}

// ListPayouts implements api.ServerInterface.
func (s *server) ListPayouts(w http.ResponseWriter, r *http.Request, params api.ListPayoutsParams) {
	l := s.lookups(r)
	want := multi(r, params.State, "state")
	if err := states(want, "pending", "due", "processing", "paid"); err != nil {
		s.fail(w, r, err)
		return
	}
	expand, err := expansions(s.v, r, params.Expand)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, limit := pageParams(params.Page, params.Limit)
	render := func(p canonical.Payout) (payoutJSON, error) {
		return l.renderPayout(p, has(expand, "affiliate"), has(expand, "commissions"))
	}
	affID, given, ok := decodeRef(s.ids.affiliate, params.AffiliateId)
	if given && !ok {
		s.ok(w, pageOf([]payoutJSON{}, page, limit))
		return
	}
	q := canonical.PayoutQuery{ParticipantID: affID}
	for _, v := range want {
		q.Statuses = append(q.Statuses, canonical.PayoutStatus(v))
	}
	out, err := listPage(l, "ListPayouts", page, limit, func(o canonical.ListOptions) (canonical.Page[canonical.Payout], error) {
		q.ListOptions = o
		return l.b.ListPayouts(l.ctx, q)
	}, render)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// payoutByPath finds the payout a path id names.
func (l *lookups) payoutByPath(id api.ID) (canonical.Payout, error) {
	return byPath("Payout", l.ids.payout, id, func(eid string) (canonical.Payout, error) { return l.b.GetPayout(l.ctx, eid) })
}

// GetPayout implements api.ServerInterface.
func (s *server) GetPayout(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	p, err := l.payoutByPath(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := l.renderPayout(p, true, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// PayPayout implements api.ServerInterface. The engine marks the payout
// and its commissions paid at once, so the payout comes back paid rather
// than processing.
func (s *server) PayPayout(w http.ResponseWriter, r *http.Request, id api.ID) {
	l := s.lookups(r)
	p, err := l.payoutByPath(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p, err = l.b.PayPayout(l.ctx, p.ID); err != nil {
		switch canonical.CodeOf(err) {
		case canonical.Conflict:
			err = invalid("Payout is not due.")
		case canonical.NotFound:
			err = notFound("Payout", id.String())
		}
		s.fail(w, r, err)
		return
	}
	out, err := l.renderPayout(p, true, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}
