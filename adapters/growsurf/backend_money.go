package growsurf

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// transactionBody renders a sale as GrowSurf's transaction body: the
// identifiers, amounts and description, with the native extra fields
// (customerId, netAmount, ...) laid under them.
func transactionBody(t canonical.NewTransaction, currency string) (api.TransactionRequest, error) {
	m := map[string]any{}
	if raw, ok := t.Native.Get(vendor, nTransactionData); ok {
		if extra, ok := raw.(map[string]any); ok {
			for k, v := range extra {
				m[k] = v
			}
		}
	}
	for k, v := range t.ExternalIDs {
		if !slices.Contains(saleIdentifiers, k) {
			return api.TransactionRequest{}, canonical.Errorf(canonical.Invalid,
				"growsurf identifies transactions by %s, not %q", strings.Join(saleIdentifiers, ", "), k)
		}
		m[k] = v
	}
	m["currency"], m["grossAmount"] = currency, t.Amount.Amount
	if t.TaxAmount != 0 {
		m["taxAmount"] = t.TaxAmount
	}
	if t.Description != "" {
		m["description"] = t.Description
	}
	if t.OccurredAt != nil {
		m["paidAt"] = ms(*t.OccurredAt)
	}
	var in api.TransactionRequest
	b, err := json.Marshal(m)
	if err == nil {
		err = json.Unmarshal(b, &in)
	}
	if err != nil {
		return in, canonical.Wrap(canonical.Invalid, err, "invalid native transaction fields")
	}
	return in, nil
}

// CreateTransaction implements canonical.Backend: POST
// /campaign/{id}/participant/{p}/transaction (affiliate programs). GrowSurf
// answers no transaction or commission objects for a new sale, so the
// result's Transaction is the sale as sent, and Commissions are listed
// (by id only) for duplicates.
func (b *Backend) CreateTransaction(ctx context.Context, t canonical.NewTransaction) (canonical.TransactionResult, error) {
	var res canonical.TransactionResult
	if err := needCampaign(t.CampaignID); err != nil {
		return res, err
	}
	key, err := participantKey(t.Participant)
	if err != nil {
		return res, err
	}
	if len(t.ExternalIDs) == 0 {
		return res, canonical.Errorf(canonical.Invalid, "a transaction needs an identifier")
	}
	if t.Amount.Amount <= 0 {
		return res, canonical.Errorf(canonical.Invalid, "a sale needs a positive amount")
	}
	currency := strings.ToUpper(t.Amount.Currency)
	if currency == "" {
		c, err := b.GetCampaign(ctx, t.CampaignID)
		if err != nil {
			return res, err
		}
		currency = c.Currency
	}
	in, err := transactionBody(t, currency)
	if err != nil {
		return res, err
	}
	out, err := result[api.TransactionResult](b.c.RecordTransactionWithResponse(ctx, t.CampaignID, key, in))
	if err != nil {
		return res, err
	}
	res.Transaction = canonical.Transaction{CampaignID: t.CampaignID, ParticipantID: t.Participant.ID, Kind: canonical.Sale,
		Amount: canonical.Money{Amount: t.Amount.Amount, Currency: currency}, TaxAmount: t.TaxAmount, ExternalIDs: t.ExternalIDs,
		Description: t.Description, Native: t.Native.Clone()}
	if t.OccurredAt != nil {
		res.Transaction.OccurredAt = *t.OccurredAt
	}
	res.Duplicate, res.FirstSale = out.Duplicate, boolOf(out.FirstSale)
	if out.MatchingCommissionIds != nil {
		for _, id := range *out.MatchingCommissionIds {
			res.Commissions = append(res.Commissions, canonical.Commission{ID: joinID(t.CampaignID, id), CampaignID: t.CampaignID})
		}
	}
	return res, nil
}

// RefundTransaction implements canonical.Backend: POST
// /campaign/{id}/participant/{p}/transaction/refund. The matching
// commissions are then read to sort them into voided (REVERSED),
// untouchable (PAID) and adjusted.
func (b *Backend) RefundTransaction(ctx context.Context, r canonical.NewRefund) (canonical.RefundResult, error) {
	var res canonical.RefundResult
	if err := needCampaign(r.CampaignID); err != nil {
		return res, err
	}
	key, err := participantKey(r.Participant)
	if err != nil {
		return res, err
	}
	m := map[string]any{"amendmentType": "REFUND"}
	if r.Chargeback {
		m["amendmentType"] = "CHARGEBACK"
	}
	for k, v := range r.ExternalIDs {
		if !slices.Contains(saleIdentifiers, k) {
			return res, canonical.Errorf(canonical.Invalid, "growsurf identifies transactions by %s, not %q", strings.Join(saleIdentifiers, ", "), k)
		}
		m[k] = v
	}
	if r.Amount.Amount > 0 {
		m["refundAmount"] = r.Amount.Amount
	}
	if r.Amount.Currency != "" {
		m["currency"] = r.Amount.Currency
	}
	if r.Description != "" {
		m["description"] = r.Description
	}
	var in api.RefundRequest
	if b, err := json.Marshal(m); err != nil || json.Unmarshal(b, &in) != nil {
		return res, canonical.Errorf(canonical.Internal, "growsurf: could not build the refund body")
	}
	out, err := result[api.RefundResult](b.c.RefundTransactionWithResponse(ctx, r.CampaignID, key, in))
	if err != nil {
		return res, err
	}
	res.Refund = canonical.Transaction{CampaignID: r.CampaignID, ParticipantID: r.Participant.ID, Kind: canonical.Refund,
		Amount: r.Amount, ExternalIDs: r.ExternalIDs, Description: r.Description}
	if boolOf(out.NotFound) {
		return res, nil
	}
	res.Matched = true
	if len(out.MatchingCommissionIds) == 0 {
		return res, nil
	}
	found, err := b.findCommissions(ctx, r.CampaignID, out.MatchingCommissionIds)
	if err != nil {
		return res, err
	}
	for _, id := range out.MatchingCommissionIds {
		cm, ok := found[id]
		if !ok {
			cm = canonical.Commission{ID: joinID(r.CampaignID, id), CampaignID: r.CampaignID}
		}
		switch cm.Status {
		case canonical.CommissionVoided:
			res.Voided = append(res.Voided, cm)
		case canonical.CommissionPaid:
			res.Untouchable = append(res.Untouchable, cm)
		default:
			res.Adjusted = append(res.Adjusted, cm)
		}
	}
	return res, nil
}

// findCommissions pages through a program's commissions for the given
// GrowSurf ids.
func (b *Backend) findCommissions(ctx context.Context, campaignID string, ids []string) (map[string]canonical.Commission, error) {
	out := map[string]canonical.Commission{}
	params := &api.ListCommissionsParams{Limit: ptr(100)}
	for len(out) < len(ids) {
		list, err := result[api.CommissionList](b.c.ListCommissionsWithResponse(ctx, campaignID, params))
		if err != nil {
			return out, err
		}
		for _, c := range list.Commissions {
			if slices.Contains(ids, c.Id) {
				out[c.Id] = fromCommission(campaignID, c)
			}
		}
		if list.NextId == nil || *list.NextId == "" {
			break
		}
		params.NextId = list.NextId
	}
	return out, nil
}

// commissionStatusOut is GrowSurf's status filter for canonical statuses
// when they name exactly one GrowSurf status.
func commissionStatusOut(st []canonical.CommissionStatus) *api.CommissionStatus {
	if len(st) != 1 {
		return nil
	}
	return ptr(api.CommissionStatus(commissionStatus(st[0])))
}

// ListCommissions implements canonical.Backend: GET
// /campaign/{id}/commissions, or /campaign/{id}/participant/{p}/commissions
// with a ReferrerID.
func (b *Backend) ListCommissions(ctx context.Context, q canonical.CommissionQuery) (canonical.Page[canonical.Commission], error) {
	page := canonical.Page[canonical.Commission]{Items: []canonical.Commission{}, Total: -1}
	if err := needCampaign(q.CampaignID); err != nil {
		return page, err
	}
	status := commissionStatusOut(q.Statuses)
	var list *api.CommissionList
	var err error
	if q.ReferrerID != "" {
		list, err = result[api.CommissionList](b.c.ListParticipantCommissionsWithResponse(ctx, q.CampaignID, q.ReferrerID,
			&api.ListParticipantCommissionsParams{Limit: pageLimitOut(q.Limit), NextId: cursorOut(q.Cursor), Status: status}))
	} else {
		list, err = result[api.CommissionList](b.c.ListCommissionsWithResponse(ctx, q.CampaignID,
			&api.ListCommissionsParams{Limit: pageLimitOut(q.Limit), NextId: cursorOut(q.Cursor), Status: status}))
	}
	if err != nil {
		return page, err
	}
	for _, c := range list.Commissions {
		if cm := fromCommission(q.CampaignID, c); len(q.Statuses) == 0 || slices.Contains(q.Statuses, cm.Status) {
			page.Items = append(page.Items, cm)
		}
	}
	page.NextCursor = str(list.NextId)
	return page, nil
}

// GetCommission implements canonical.Backend: GrowSurf has no single
// commission read, so the program's commissions are paged through.
func (b *Backend) GetCommission(ctx context.Context, id string) (canonical.Commission, error) {
	parts, err := splitID(id, 2, "commission")
	if err != nil {
		return canonical.Commission{}, err
	}
	found, err := b.findCommissions(ctx, parts[0], parts[1:])
	if err != nil {
		return canonical.Commission{}, err
	}
	cm, ok := found[parts[1]]
	if !ok {
		return cm, canonical.Errorf(canonical.NotFound, "commission %s not found", id)
	}
	return cm, nil
}

// ApproveCommission implements canonical.Backend: POST
// /campaign/{id}/commission/{commissionId}/approve, then the commission is
// read back.
func (b *Backend) ApproveCommission(ctx context.Context, id string) (canonical.Commission, error) {
	parts, err := splitID(id, 2, "commission")
	if err != nil {
		return canonical.Commission{}, err
	}
	if _, err := result[api.SuccessResult](b.c.ApproveCommissionWithResponse(ctx, parts[0], parts[1])); err != nil {
		return canonical.Commission{}, err
	}
	return b.GetCommission(ctx, id)
}

// DeleteCommission implements canonical.Backend: the commission is read,
// then DELETE /campaign/{id}/commission/{commissionId}.
func (b *Backend) DeleteCommission(ctx context.Context, id string) (canonical.Commission, error) {
	cm, err := b.GetCommission(ctx, id)
	if err != nil {
		return cm, err
	}
	parts, _ := splitID(id, 2, "commission")
	if _, err := result[api.SuccessResult](b.c.DeleteCommissionWithResponse(ctx, parts[0], parts[1])); err != nil {
		return canonical.Commission{}, err
	}
	return cm, nil
}

// payoutStatusOut is GrowSurf's status filter for canonical statuses when
// they name exactly one GrowSurf status.
func payoutStatusOut(st []canonical.PayoutStatus) *api.PayoutStatus {
	names := map[string]bool{}
	for _, s := range st {
		names[payoutStatus(s)] = true
	}
	if len(names) != 1 {
		return nil
	}
	return ptr(api.PayoutStatus(payoutStatus(st[0])))
}

// ListPayouts implements canonical.Backend: GET /campaign/{id}/payouts,
// or /campaign/{id}/participant/{p}/payouts with a ParticipantID.
func (b *Backend) ListPayouts(ctx context.Context, q canonical.PayoutQuery) (canonical.Page[canonical.Payout], error) {
	page := canonical.Page[canonical.Payout]{Items: []canonical.Payout{}, Total: -1}
	if err := needCampaign(q.CampaignID); err != nil {
		return page, err
	}
	status := payoutStatusOut(q.Statuses)
	var list *api.PayoutList
	var err error
	if q.ParticipantID != "" {
		list, err = result[api.PayoutList](b.c.ListParticipantPayoutsWithResponse(ctx, q.CampaignID, q.ParticipantID,
			&api.ListParticipantPayoutsParams{Limit: pageLimitOut(q.Limit), NextId: cursorOut(q.Cursor), Status: status}))
	} else {
		list, err = result[api.PayoutList](b.c.ListPayoutsWithResponse(ctx, q.CampaignID,
			&api.ListPayoutsParams{Limit: pageLimitOut(q.Limit), NextId: cursorOut(q.Cursor), Status: status}))
	}
	if err != nil {
		return page, err
	}
	for _, p := range list.Payouts {
		if po := fromPayout(q.CampaignID, p); len(q.Statuses) == 0 || slices.Contains(q.Statuses, po.Status) {
			page.Items = append(page.Items, po)
		}
	}
	page.NextCursor = str(list.NextId)
	return page, nil
}

// GetPayout implements canonical.Backend: GrowSurf has no single payout
// read, so the program's payouts are paged through.
func (b *Backend) GetPayout(ctx context.Context, id string) (canonical.Payout, error) {
	parts, err := splitID(id, 2, "payout")
	if err != nil {
		return canonical.Payout{}, err
	}
	params := &api.ListPayoutsParams{Limit: ptr(100)}
	for {
		list, err := result[api.PayoutList](b.c.ListPayoutsWithResponse(ctx, parts[0], params))
		if err != nil {
			return canonical.Payout{}, err
		}
		for _, p := range list.Payouts {
			if p.Id == parts[1] {
				return fromPayout(parts[0], p), nil
			}
		}
		if list.NextId == nil || *list.NextId == "" {
			return canonical.Payout{}, canonical.Errorf(canonical.NotFound, "payout %s not found", id)
		}
		params.NextId = list.NextId
	}
}
