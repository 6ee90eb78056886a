package canonical

import "time"

// TransactionKind tells sales from refunds.
type TransactionKind string

// Transaction kinds.
const (
	Sale     TransactionKind = "sale"
	Refund   TransactionKind = "refund"
	Purchase TransactionKind = "purchase"
)

// Transaction is money a referred customer paid (a sale) or got back (a
// refund or chargeback).
type Transaction struct {
	ID         string
	CampaignID string
	// ParticipantID is the paying (referred) participant.
	ParticipantID string
	ReferralID    string
	ReferrerID    string
	Kind          TransactionKind
	// Amount is the gross amount; for refunds, the amount refunded.
	Amount    Money
	TaxAmount int64
	// ExternalIDs are the caller's identifiers used for de-duplication
	// (orderId, invoiceId, chargeId, transaction_id, ...).
	ExternalIDs map[string]string
	Description string
	// RefundOf is the sale a refund belongs to.
	RefundOf   string
	OccurredAt time.Time
	CreatedAt  time.Time
	Native     Native
}

// NewTransaction is the input of CreateTransaction.
type NewTransaction struct {
	CampaignID  string
	Participant ParticipantRef
	Amount      Money
	TaxAmount   int64
	// ExternalIDs must hold at least one identifier; a sale whose
	// identifier was already recorded is a duplicate.
	ExternalIDs map[string]string
	Description string
	// OccurredAt defaults to now.
	OccurredAt *time.Time
	Native     Native
}

// TransactionResult is what recording a sale did.
type TransactionResult struct {
	Transaction Transaction
	// Duplicate is set when an identifier matched an earlier sale; nothing
	// was recorded and Transaction is that sale.
	Duplicate bool
	// FirstSale is set when this sale converted the referral.
	FirstSale   bool
	Commissions []Commission
}

// NewRefund is the input of RefundTransaction.
type NewRefund struct {
	CampaignID  string
	Participant ParticipantRef
	// ExternalIDs find the refunded sale.
	ExternalIDs map[string]string
	// Amount refunded; zero refunds the whole sale.
	Amount Money
	// Chargeback marks a chargeback rather than a refund.
	Chargeback  bool
	Description string
}

// RefundResult is what a refund did to the sale's commissions.
type RefundResult struct {
	// Matched is false when no sale matched; nothing changed.
	Matched     bool
	Refund      Transaction
	Voided      []Commission
	Adjusted    []Commission
	Untouchable []Commission
}

// CommissionStatus is where a commission stands: pending → due → paid, or
// voided.
type CommissionStatus string

// Commission states.
const (
	CommissionPending CommissionStatus = "pending"
	CommissionDue     CommissionStatus = "due"
	CommissionPaid    CommissionStatus = "paid"
	CommissionVoided  CommissionStatus = "voided"
)

// Commission is what an affiliate earns on a referred sale.
type Commission struct {
	ID            string
	CampaignID    string
	ReferrerID    string
	ReferredID    string
	TransactionID string
	RuleID        string
	PayoutID      string
	Amount        Money
	SaleAmount    Money
	Status        CommissionStatus
	DueAt         *time.Time
	ApprovedAt    *time.Time
	PaidAt        *time.Time
	VoidedAt      *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Native        Native
}

// CommissionPatch changes a commission's dates (Rewardful PUT
// /commissions/:id). A PaidAt pointing at nil marks the commission unpaid.
type CommissionPatch struct {
	DueAt  *time.Time
	PaidAt **time.Time
}

// PayoutStatus is where a payout stands.
type PayoutStatus string

// Payout states: pending (below the minimum), due, processing, paid, failed.
const (
	PayoutPending    PayoutStatus = "pending"
	PayoutDue        PayoutStatus = "due"
	PayoutProcessing PayoutStatus = "processing"
	PayoutPaid       PayoutStatus = "paid"
	PayoutFailed     PayoutStatus = "failed"
)

// Payout bundles an affiliate's due commissions into one payment.
type Payout struct {
	ID            string
	CampaignID    string
	ParticipantID string
	Amount        Money
	CommissionIDs []string
	Status        PayoutStatus
	PaidAt        *time.Time
	FailedAt      *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Native        Native
}
