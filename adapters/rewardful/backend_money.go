package rewardful

import (
	"context"
	"slices"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/rewardful"
)

// CreateTransaction implements canonical.Backend: not available (sales
// reach Rewardful from Stripe, not through its REST API).
func (b *Backend) CreateTransaction(context.Context, canonical.NewTransaction) (canonical.TransactionResult, error) {
	return canonical.TransactionResult{}, notImplemented("CreateTransaction")
}

// RefundTransaction implements canonical.Backend: not available.
func (b *Backend) RefundTransaction(context.Context, canonical.NewRefund) (canonical.RefundResult, error) {
	return canonical.RefundResult{}, notImplemented("RefundTransaction")
}

// ListTransactions implements canonical.Backend: not available (sales
// only appear inside commissions).
func (b *Backend) ListTransactions(context.Context, canonical.TransactionQuery) (canonical.Page[canonical.Transaction], error) {
	return canonical.Page[canonical.Transaction]{}, notImplemented("ListTransactions")
}

// commissionExpand expands the sale (referrer, referred, amount) and the
// campaign.
var commissionExpand = []api.ListCommissionsParamsExpand{api.ListCommissionsParamsExpandSale, api.ListCommissionsParamsExpandCampaign}

// ListCommissions implements canonical.Backend, newest first; the
// campaign is filtered here.
func (b *Backend) ListCommissions(ctx context.Context, q canonical.CommissionQuery) (canonical.Page[canonical.Commission], error) {
	page, limit, err := pageQuery(q.ListOptions)
	if err != nil {
		return canonical.Page[canonical.Commission]{}, err
	}
	params := &api.ListCommissionsParams{Page: page, Limit: limit, Expand: &commissionExpand}
	if len(q.Statuses) > 0 {
		var states []api.CommissionState
		for _, s := range q.Statuses {
			if st := api.CommissionState(s); st.Valid() && !slices.Contains(states, st) {
				states = append(states, st)
			}
		}
		if len(states) == 0 {
			return emptyPage[canonical.Commission](), nil
		}
		params.State = &states
	}
	if q.ReferrerID != "" {
		u, err := parseID("affiliate", q.ReferrerID)
		if err != nil {
			return emptyPage[canonical.Commission](), nil
		}
		params.AffiliateId = &u
	}
	if q.CampaignID != "" {
		if err := b.requireCampaign(ctx, q.CampaignID); err != nil {
			return canonical.Page[canonical.Commission]{}, err
		}
	}
	resp, err := b.c.ListCommissionsWithResponse(ctx, params)
	list, err := decode(resp, err, func() *api.CommissionList { return resp.JSON200 })
	if err != nil {
		return canonical.Page[canonical.Commission]{}, err
	}
	items := make([]canonical.Commission, 0, len(list.Data))
	for _, c := range list.Data {
		com := commissionFromAPI(c)
		if q.CampaignID != "" && !strings.EqualFold(com.CampaignID, q.CampaignID) {
			continue
		}
		items = append(items, com)
	}
	return pageFrom(items, list.Pagination, q.CampaignID != ""), nil
}

func (b *Backend) getCommission(ctx context.Context, id string) (api.Commission, error) {
	u, err := parseID("commission", id)
	if err != nil {
		return api.Commission{}, err
	}
	resp, err := b.c.GetCommissionWithResponse(ctx, u)
	return decode(resp, err, func() *api.Commission { return resp.JSON200 })
}

// GetCommission implements canonical.Backend.
func (b *Backend) GetCommission(ctx context.Context, id string) (canonical.Commission, error) {
	c, err := b.getCommission(ctx, id)
	if err != nil {
		return canonical.Commission{}, err
	}
	return commissionFromAPI(c), nil
}

// putCommission sends PUT /commissions/:id; a 422 (a voided commission)
// is a Conflict.
func (b *Backend) putCommission(ctx context.Context, c api.Commission, body api.UpdateCommissionRequest) (canonical.Commission, error) {
	resp, err := b.c.UpdateCommissionWithFormdataBodyWithResponse(ctx, c.Id, body)
	out, err := decode(resp, err, func() *api.Commission { return resp.JSON200 })
	if err != nil {
		return canonical.Commission{}, conflictOn422(err)
	}
	return commissionFromAPI(out), nil
}

// conflictOn422 turns a 422 of a state change into a Conflict.
func conflictOn422(err error) error {
	if e, ok := err.(*canonical.Error); ok && e.Code == canonical.Invalid {
		if apiErr, ok := e.Err.(*APIError); ok && apiErr.StatusCode == 422 {
			return &canonical.Error{Code: canonical.Conflict, Message: e.Message, Err: e.Err}
		}
	}
	return err
}

// UpdateCommission implements canonical.Backend: PUT /commissions/:id
// with due_at and paid_at (empty marks the commission unpaid).
func (b *Backend) UpdateCommission(ctx context.Context, id string, patch canonical.CommissionPatch) (canonical.Commission, error) {
	u, err := parseID("commission", id)
	if err != nil {
		return canonical.Commission{}, err
	}
	var body api.UpdateCommissionRequest
	if patch.DueAt != nil {
		s := fmtTime(*patch.DueAt)
		body.DueAt = &s
	}
	if patch.PaidAt != nil {
		s := ""
		if *patch.PaidAt != nil {
			s = fmtTime(**patch.PaidAt)
		}
		body.PaidAt = &s
	}
	return b.putCommission(ctx, api.Commission{Id: u}, body)
}

// ApproveCommission implements canonical.Backend: a pending commission's
// due date is moved to its creation time, which makes it due at once by
// Rewardful's own clock. Conflict unless pending.
func (b *Backend) ApproveCommission(ctx context.Context, id string) (canonical.Commission, error) {
	c, err := b.getCommission(ctx, id)
	if err != nil {
		return canonical.Commission{}, err
	}
	if c.State != api.CommissionStatePending {
		return canonical.Commission{}, canonical.Errorf(canonical.Conflict, "commission %s is %s, not pending", id, c.State)
	}
	due := fmtTime(c.CreatedAt)
	return b.putCommission(ctx, c, api.UpdateCommissionRequest{DueAt: &due})
}

// DeleteCommission implements canonical.Backend; it returns the
// commission as it was. Conflict once paid.
func (b *Backend) DeleteCommission(ctx context.Context, id string) (canonical.Commission, error) {
	c, err := b.getCommission(ctx, id)
	if err != nil {
		return canonical.Commission{}, err
	}
	if c.State == api.CommissionStatePaid {
		return canonical.Commission{}, canonical.Errorf(canonical.Conflict, "commission %s is paid", id)
	}
	resp, err := b.c.DeleteCommissionWithResponse(ctx, c.Id)
	if _, err := decode(resp, err, func() *api.DeletedCommission { return resp.JSON200 }); err != nil {
		return canonical.Commission{}, conflictOn422(err)
	}
	return commissionFromAPI(c), nil
}

// payoutExpand expands the affiliate and the commissions.
var payoutExpand = []api.ListPayoutsParamsExpand{api.ListPayoutsParamsExpandAffiliate, api.ListPayoutsParamsExpandCommissions}

// ListPayouts implements canonical.Backend, newest first. A failed status
// matches nothing (Rewardful has none); the campaign is filtered here
// through each payee's campaign.
func (b *Backend) ListPayouts(ctx context.Context, q canonical.PayoutQuery) (canonical.Page[canonical.Payout], error) {
	page, limit, err := pageQuery(q.ListOptions)
	if err != nil {
		return canonical.Page[canonical.Payout]{}, err
	}
	params := &api.ListPayoutsParams{Page: page, Limit: limit, Expand: &payoutExpand}
	if len(q.Statuses) > 0 {
		var states []api.PayoutState
		for _, s := range q.Statuses {
			if st := api.PayoutState(s); st.Valid() && !slices.Contains(states, st) {
				states = append(states, st)
			}
		}
		if len(states) == 0 {
			return emptyPage[canonical.Payout](), nil
		}
		params.State = &states
	}
	if q.ParticipantID != "" {
		u, err := parseID("affiliate", q.ParticipantID)
		if err != nil {
			return emptyPage[canonical.Payout](), nil
		}
		params.AffiliateId = &u
	}
	if q.CampaignID != "" {
		if err := b.requireCampaign(ctx, q.CampaignID); err != nil {
			return canonical.Page[canonical.Payout]{}, err
		}
	}
	resp, err := b.c.ListPayoutsWithResponse(ctx, params)
	list, err := decode(resp, err, func() *api.PayoutList { return resp.JSON200 })
	if err != nil {
		return canonical.Page[canonical.Payout]{}, err
	}
	camps := b.campaignResolver()
	items := make([]canonical.Payout, 0, len(list.Data))
	for _, p := range list.Data {
		po := payoutFromAPI(p)
		if q.CampaignID != "" {
			cid, err := camps.of(ctx, po.ParticipantID)
			if err != nil {
				return canonical.Page[canonical.Payout]{}, err
			}
			if !strings.EqualFold(cid, q.CampaignID) {
				continue
			}
			po.CampaignID = cid
		}
		items = append(items, po)
	}
	return pageFrom(items, list.Pagination, q.CampaignID != ""), nil
}

// GetPayout implements canonical.Backend.
func (b *Backend) GetPayout(ctx context.Context, id string) (canonical.Payout, error) {
	u, err := parseID("payout", id)
	if err != nil {
		return canonical.Payout{}, err
	}
	resp, err := b.c.GetPayoutWithResponse(ctx, u)
	out, err := decode(resp, err, func() *api.Payout { return resp.JSON200 })
	if err != nil {
		return canonical.Payout{}, err
	}
	return payoutFromAPI(out), nil
}

// PayPayout implements canonical.Backend: PUT /payouts/:id/pay. Rewardful
// answers processing while it marks the commissions paid. Conflict (a 422)
// unless due.
func (b *Backend) PayPayout(ctx context.Context, id string) (canonical.Payout, error) {
	u, err := parseID("payout", id)
	if err != nil {
		return canonical.Payout{}, err
	}
	resp, err := b.c.PayPayoutWithResponse(ctx, u)
	out, err := decode(resp, err, func() *api.Payout { return resp.JSON200 })
	if err != nil {
		return canonical.Payout{}, conflictOn422(err)
	}
	return payoutFromAPI(out), nil
}
