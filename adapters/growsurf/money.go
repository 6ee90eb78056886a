package growsurf

import (
	"net/http"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// defaultMoneyPage is the commission and payout page size when limit is
// omitted.
const defaultMoneyPage = 20

// openAffiliate opens an affiliate program; referral programs get 422.
func (s *server) openAffiliate(r *http.Request, id string) (*call, error) {
	c, err := s.open(r, id)
	if err != nil {
		return nil, err
	}
	return c, c.affiliateOnly()
}

// RecordTransaction implements api.ServerInterface.
func (s *server) RecordTransaction(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail) {
	c, err := s.openAffiliate(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.TransactionRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	ref, err := s.ids.participantRef(pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := newTransaction(c.camp.ID, ref, in)
	if len(t.ExternalIDs) == 0 {
		s.fail(w, r, badField("externalId", "MISSING_IDENTIFIER",
			"At least one identifier (externalId, transactionId, orderId, paymentId, invoiceId, paymentIntentId, chargeId) is required."))
		return
	}
	if in.GrossAmount <= 0 {
		s.fail(w, r, badField("grossAmount", "INVALID_GROSS_AMOUNT", "grossAmount must be positive."))
		return
	}
	res, err := c.b.CreateTransaction(c.ctx, t)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, toTransactionResult(s.ids, res, t.ExternalIDs))
}

// RefundTransaction implements api.ServerInterface.
func (s *server) RefundTransaction(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail) {
	c, err := s.openAffiliate(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.RefundRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := c.participant(pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	chargeback := in.AmendmentType != nil && *in.AmendmentType == "CHARGEBACK"
	ids := identifiers(map[string]*string{"externalId": in.ExternalId, "transactionId": in.TransactionId, "orderId": in.OrderId,
		"paymentId": in.PaymentId, "invoiceId": in.InvoiceId, "paymentIntentId": in.PaymentIntentId, "chargeId": in.ChargeId})
	if len(ids) == 0 {
		s.fail(w, r, badField("externalId", "MISSING_IDENTIFIER", "At least one identifier of the refunded transaction is required."))
		return
	}
	if in.RefundStatus != nil && strings.EqualFold(*in.RefundStatus, "canceled") {
		out := toRefundResult(s.ids, canonical.RefundResult{Matched: true}, chargeback)
		out.Success, out.Message = false, "Canceling a refund is not supported."
		s.ok(w, out)
		return
	}
	amount, err := c.refundDelta(p, ids, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if amount < 0 {
		out := toRefundResult(s.ids, canonical.RefundResult{Matched: true}, chargeback)
		out.Message = "Nothing more to refund."
		s.ok(w, out)
		return
	}
	res, err := c.b.RefundTransaction(c.ctx, canonical.NewRefund{CampaignID: c.camp.ID, Participant: canonical.ByID(p.ID),
		ExternalIDs: ids, Amount: canonical.Money{Amount: amount}, Chargeback: chargeback, Description: deref(in.Description)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, toRefundResult(s.ids, res, chargeback))
}

// refundDelta is the amount of this refund: refundAmount, else the
// increase of the cumulative amountRefunded over what was refunded before
// (negative when nothing is left), else 0 (everything).
func (c *call) refundDelta(p canonical.Participant, ids map[string]string, in api.RefundRequest) (int64, error) {
	if in.RefundAmount != nil {
		return *in.RefundAmount, nil
	}
	if in.AmountRefunded == nil {
		return 0, nil
	}
	var sale canonical.Transaction
	var refunded int64
	var all []canonical.Transaction
	q := canonical.TransactionQuery{CampaignID: c.camp.ID, ParticipantID: p.ID, ListOptions: canonical.ListOptions{Limit: 100}}
	for {
		page, err := c.b.ListTransactions(c.ctx, q)
		if err != nil {
			return 0, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	for _, t := range all {
		if t.Kind == canonical.Sale && sharesID(t.ExternalIDs, ids) {
			sale = t
		}
	}
	for _, t := range all {
		if t.Kind == canonical.Refund && sale.ID != "" && t.RefundOf == sale.ID {
			refunded += t.Amount.Amount
		}
	}
	delta := *in.AmountRefunded - refunded
	if delta <= 0 {
		return -1, nil
	}
	return delta, nil
}

func sharesID(a, b map[string]string) bool {
	for k, v := range b {
		if a[k] == v {
			return true
		}
	}
	return false
}

// commissionList is GrowSurf's CommissionList.
type commissionList struct {
	Commissions []commissionOut `json:"commissions"`
	Limit       int             `json:"limit"`
	NextID      *string         `json:"nextId"`
}

func (c *call) commissions(referrerID string, limit *int, next *string, status *api.CommissionStatus) (commissionList, error) {
	n := pageLimit(limit, defaultMoneyPage)
	out := commissionList{Commissions: []commissionOut{}, Limit: n}
	q := canonical.CommissionQuery{CampaignID: c.camp.ID, ReferrerID: referrerID, ListOptions: canonical.ListOptions{Limit: n, Cursor: cursor(next)}}
	if status != nil {
		st, ok := commissionStatuses(*status)
		if !ok {
			return out, nil // the engine keeps no deleted commissions
		}
		q.Statuses = st
	}
	page, err := c.b.ListCommissions(c.ctx, q)
	if err != nil {
		return out, err
	}
	for _, cm := range page.Items {
		out.Commissions = append(out.Commissions, toCommission(c.ids, cm, c.camp))
	}
	out.NextID = nextID(page.NextCursor)
	return out, nil
}

// ListCommissions implements api.ServerInterface.
func (s *server) ListCommissions(w http.ResponseWriter, r *http.Request, id api.CampaignId, params api.ListCommissionsParams) {
	c, err := s.openAffiliate(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := c.commissions("", params.Limit, params.NextId, params.Status)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// ListParticipantCommissions implements api.ServerInterface.
func (s *server) ListParticipantCommissions(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail, params api.ListParticipantCommissionsParams) {
	c, err := s.openAffiliate(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := c.participant(pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := c.commissions(p.ID, params.Limit, params.NextId, params.Status)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// commission finds {commissionId} in the program.
func (c *call) commission(cid string) (canonical.Commission, error) {
	n, ok := c.ids.commission.decode(cid)
	if !ok {
		return canonical.Commission{}, notFound("Commission not found.")
	}
	cm, err := c.b.GetCommission(c.ctx, n)
	if err != nil {
		return cm, err
	}
	if cm.CampaignID != c.camp.ID {
		return cm, notFound("Commission not found.")
	}
	return cm, nil
}

// ApproveCommission implements api.ServerInterface.
func (s *server) ApproveCommission(w http.ResponseWriter, r *http.Request, id api.CampaignId, cid api.CommissionId) {
	c, err := s.openAffiliate(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cm, err := c.commission(cid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := c.b.ApproveCommission(c.ctx, cm.ID); err != nil {
		if canonical.IsCode(err, canonical.Conflict) {
			err = canonical.Errorf(canonical.Conflict, "Only a PENDING commission can be approved.")
		}
		s.fail(w, r, err)
		return
	}
	s.ok(w, api.SuccessResult{Success: true})
}

// DeleteCommission implements api.ServerInterface: only PENDING
// commissions can be deleted.
func (s *server) DeleteCommission(w http.ResponseWriter, r *http.Request, id api.CampaignId, cid api.CommissionId) {
	c, err := s.openAffiliate(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cm, err := c.commission(cid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if cm.Status != canonical.CommissionPending {
		s.fail(w, r, canonical.Errorf(canonical.Conflict, "Only a PENDING commission can be deleted."))
		return
	}
	if _, err := c.b.DeleteCommission(c.ctx, cm.ID); err != nil {
		if canonical.IsCode(err, canonical.Conflict) {
			err = canonical.Errorf(canonical.Conflict, "Only a PENDING commission can be deleted.")
		}
		s.fail(w, r, err)
		return
	}
	s.ok(w, api.SuccessResult{Success: true})
}

// payoutList is GrowSurf's PayoutList.
type payoutList struct {
	Payouts []payoutOut `json:"payouts"`
	Limit   int         `json:"limit"`
	NextID  *string     `json:"nextId"`
}

func (c *call) payouts(participantID string, limit *int, next *string, status *api.PayoutStatus) (payoutList, error) {
	n := pageLimit(limit, defaultMoneyPage)
	out := payoutList{Payouts: []payoutOut{}, Limit: n}
	q := canonical.PayoutQuery{CampaignID: c.camp.ID, ParticipantID: participantID, ListOptions: canonical.ListOptions{Limit: n, Cursor: cursor(next)}}
	if status != nil {
		st, ok := payoutStatuses(*status)
		if !ok {
			return out, nil // no reversed payouts in the engine
		}
		q.Statuses = st
	}
	page, err := c.b.ListPayouts(c.ctx, q)
	if err != nil {
		return out, err
	}
	for _, p := range page.Items {
		out.Payouts = append(out.Payouts, toPayout(c.ids, p, c.camp))
	}
	out.NextID = nextID(page.NextCursor)
	return out, nil
}

// ListPayouts implements api.ServerInterface.
func (s *server) ListPayouts(w http.ResponseWriter, r *http.Request, id api.CampaignId, params api.ListPayoutsParams) {
	c, err := s.openAffiliate(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := c.payouts("", params.Limit, params.NextId, params.Status)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// ListParticipantPayouts implements api.ServerInterface.
func (s *server) ListParticipantPayouts(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail, params api.ListParticipantPayoutsParams) {
	c, err := s.openAffiliate(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := c.participant(pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := c.payouts(p.ID, params.Limit, params.NextId, params.Status)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}
