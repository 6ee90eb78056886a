package referralhero

import (
	"context"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// CreateTransaction implements canonical.Backend: POST
// /lists/{uuid}/subscribers/add_transactions with the subscriber's unique
// identifier, the amount in currency units, ExternalIDs["transaction_id"]
// (else the first external ID by key) and Native "product_id" and
// "lifetime_spend". The vendor reports neither duplicates nor
// commissions, so Duplicate and FirstSale stay false.
func (b *Backend) CreateTransaction(ctx context.Context, in canonical.NewTransaction) (canonical.TransactionResult, error) {
	if in.Amount.Amount <= 0 {
		return canonical.TransactionResult{}, canonical.Errorf(canonical.Invalid, "the amount must be positive")
	}
	if len(in.ExternalIDs) == 0 {
		return canonical.TransactionResult{}, canonical.Errorf(canonical.Invalid, "an external identifier is required")
	}
	if err := needCampaign(in.CampaignID); err != nil {
		return canonical.TransactionResult{}, err
	}
	tid, ok := in.ExternalIDs["transaction_id"]
	if !ok {
		tid = in.ExternalIDs[sortedKeys(in.ExternalIDs)[0]]
	}
	var owner canonical.Participant
	if in.Participant.ID != "" || in.Participant.Code != "" {
		p, err := b.resolve(ctx, in.CampaignID, in.Participant)
		if err != nil {
			return canonical.TransactionResult{}, err
		}
		owner = p
	}
	ref := in.Participant
	if owner.ID != "" {
		ref = canonical.ByIdentifier(identifierOfParticipant(owner))
	}
	id, err := b.identifierOf(ctx, in.CampaignID, ref)
	if err != nil {
		return canonical.TransactionResult{}, err
	}
	body := api.AddTransactionsJSONRequestBody{Amount: decimal(in.Amount.Amount), TransactionId: ptr(tid),
		Email: id.email, PhoneNumber: id.phone, CryptoWalletAddress: id.wallet, OtherIdentifierValue: id.other,
		ProductId: ptr(nativeString(in.Native, "product_id")), LifetimeSpend: ptr(nativeString(in.Native, "lifetime_spend"))}
	resp, err := b.c.AddTransactionsWithResponse(ctx, in.CampaignID, body)
	if err := check(resp, err, ""); err != nil {
		return canonical.TransactionResult{}, err
	}
	var t api.Transaction
	if err := decodeData(resp.Body, &t); err != nil {
		return canonical.TransactionResult{}, err
	}
	tx := transactionOf(t, in.CampaignID, owner.ID, in.Amount.Currency)
	for k, v := range in.ExternalIDs {
		if tx.ExternalIDs == nil {
			tx.ExternalIDs = map[string]string{}
		}
		if _, set := tx.ExternalIDs[k]; !set {
			tx.ExternalIDs[k] = v
		}
	}
	tx.Description = in.Description
	return canonical.TransactionResult{Transaction: tx}, nil
}

// RefundTransaction implements canonical.Backend: NotImplemented, the API
// records purchases only.
func (b *Backend) RefundTransaction(context.Context, canonical.NewRefund) (canonical.RefundResult, error) {
	return canonical.RefundResult{}, unsupported("RefundTransaction", "the API records purchases only")
}

// ListTransactions implements canonical.Backend: NotImplemented, the API
// cannot list transactions.
func (b *Backend) ListTransactions(context.Context, canonical.TransactionQuery) (canonical.Page[canonical.Transaction], error) {
	return canonical.Page[canonical.Transaction]{}, unsupported("ListTransactions", "the API cannot list transactions")
}

// ListCommissions implements canonical.Backend: NotImplemented,
// ReferralHero has no commissions.
func (b *Backend) ListCommissions(context.Context, canonical.CommissionQuery) (canonical.Page[canonical.Commission], error) {
	return canonical.Page[canonical.Commission]{}, unsupported("ListCommissions", "ReferralHero has no commissions")
}

// GetCommission implements canonical.Backend: NotImplemented,
// ReferralHero has no commissions.
func (b *Backend) GetCommission(context.Context, string) (canonical.Commission, error) {
	return canonical.Commission{}, unsupported("GetCommission", "ReferralHero has no commissions")
}

// UpdateCommission implements canonical.Backend: NotImplemented,
// ReferralHero has no commissions.
func (b *Backend) UpdateCommission(context.Context, string, canonical.CommissionPatch) (canonical.Commission, error) {
	return canonical.Commission{}, unsupported("UpdateCommission", "ReferralHero has no commissions")
}

// ApproveCommission implements canonical.Backend: NotImplemented,
// ReferralHero has no commissions.
func (b *Backend) ApproveCommission(context.Context, string) (canonical.Commission, error) {
	return canonical.Commission{}, unsupported("ApproveCommission", "ReferralHero has no commissions")
}

// DeleteCommission implements canonical.Backend: NotImplemented,
// ReferralHero has no commissions.
func (b *Backend) DeleteCommission(context.Context, string) (canonical.Commission, error) {
	return canonical.Commission{}, unsupported("DeleteCommission", "ReferralHero has no commissions")
}

// ListPayouts implements canonical.Backend: NotImplemented, ReferralHero
// has no payouts.
func (b *Backend) ListPayouts(context.Context, canonical.PayoutQuery) (canonical.Page[canonical.Payout], error) {
	return canonical.Page[canonical.Payout]{}, unsupported("ListPayouts", "ReferralHero has no payouts")
}

// GetPayout implements canonical.Backend: NotImplemented, ReferralHero
// has no payouts.
func (b *Backend) GetPayout(context.Context, string) (canonical.Payout, error) {
	return canonical.Payout{}, unsupported("GetPayout", "ReferralHero has no payouts")
}

// PayPayout implements canonical.Backend: NotImplemented, ReferralHero
// has no payouts.
func (b *Backend) PayPayout(context.Context, string) (canonical.Payout, error) {
	return canonical.Payout{}, unsupported("PayPayout", "ReferralHero has no payouts")
}
