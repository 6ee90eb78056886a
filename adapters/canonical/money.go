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
	ID         string `json:",omitzero"`
	CampaignID string `json:",omitzero"`
	// ParticipantID is the paying (referred) participant.
	ParticipantID string          `json:",omitzero"`
	ReferralID    string          `json:",omitzero"`
	ReferrerID    string          `json:",omitzero"`
	Kind          TransactionKind `json:",omitzero"`
	// Amount is the gross amount; for refunds, the amount refunded.
	Amount    Money `json:",omitzero"`
	TaxAmount int64 `json:",omitzero"`
	// ExternalIDs are the caller's identifiers used for de-duplication
	// (orderId, invoiceId, chargeId, transaction_id, ...).
	ExternalIDs map[string]string `json:",omitzero"`
	Description string            `json:",omitzero"`
	// RefundOf is the sale a refund belongs to.
	RefundOf   string    `json:",omitzero"`
	OccurredAt time.Time `json:",omitzero"`
	CreatedAt  time.Time `json:",omitzero"`
	Native     Native    `json:",omitzero"`
}

// NewTransaction is the input of CreateTransaction.
type NewTransaction struct {
	CampaignID  string         `json:",omitzero"`
	Participant ParticipantRef `json:",omitzero"`
	Amount      Money          `json:",omitzero"`
	TaxAmount   int64          `json:",omitzero"`
	// ExternalIDs must hold at least one identifier; a sale whose
	// identifier was already recorded is a duplicate.
	ExternalIDs map[string]string `json:",omitzero"`
	Description string            `json:",omitzero"`
	// OccurredAt defaults to now.
	OccurredAt *time.Time `json:",omitzero"`
	Native     Native     `json:",omitzero"`
}

// TransactionResult is what recording a sale did.
type TransactionResult struct {
	Transaction Transaction `json:",omitzero"`
	// Duplicate is set when an identifier matched an earlier sale; nothing
	// was recorded and Transaction is that sale.
	Duplicate bool `json:",omitzero"`
	// FirstSale is set when this sale converted the referral.
	FirstSale   bool         `json:",omitzero"`
	Commissions []Commission `json:",omitzero"`
}

// NewRefund is the input of RefundTransaction.
type NewRefund struct {
	CampaignID  string         `json:",omitzero"`
	Participant ParticipantRef `json:",omitzero"`
	// ExternalIDs find the refunded sale.
	ExternalIDs map[string]string `json:",omitzero"`
	// Amount refunded; zero refunds the whole sale.
	Amount Money `json:",omitzero"`
	// Chargeback marks a chargeback rather than a refund.
	Chargeback  bool   `json:",omitzero"`
	Description string `json:",omitzero"`
}

// RefundResult is what a refund did to the sale's commissions.
type RefundResult struct {
	// Matched is false when no sale matched; nothing changed.
	Matched     bool         `json:",omitzero"`
	Refund      Transaction  `json:",omitzero"`
	Voided      []Commission `json:",omitzero"`
	Adjusted    []Commission `json:",omitzero"`
	Untouchable []Commission `json:",omitzero"`
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
	ID            string           `json:",omitzero"`
	CampaignID    string           `json:",omitzero"`
	ReferrerID    string           `json:",omitzero"`
	ReferredID    string           `json:",omitzero"`
	TransactionID string           `json:",omitzero"`
	RuleID        string           `json:",omitzero"`
	PayoutID      string           `json:",omitzero"`
	Amount        Money            `json:",omitzero"`
	SaleAmount    Money            `json:",omitzero"`
	Status        CommissionStatus `json:",omitzero"`
	DueAt         *time.Time       `json:",omitzero"`
	ApprovedAt    *time.Time       `json:",omitzero"`
	PaidAt        *time.Time       `json:",omitzero"`
	VoidedAt      *time.Time       `json:",omitzero"`
	CreatedAt     time.Time        `json:",omitzero"`
	UpdatedAt     time.Time        `json:",omitzero"`
	Native        Native           `json:",omitzero"`
}

// CommissionPatch changes a commission's dates (Rewardful PUT
// /commissions/:id). A PaidAt pointing at nil marks the commission unpaid.
type CommissionPatch struct {
	DueAt  *time.Time  `json:",omitzero"`
	PaidAt **time.Time `json:",omitzero"`
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
	ID            string       `json:",omitzero"`
	CampaignID    string       `json:",omitzero"`
	ParticipantID string       `json:",omitzero"`
	Amount        Money        `json:",omitzero"`
	CommissionIDs []string     `json:",omitzero"`
	Status        PayoutStatus `json:",omitzero"`
	PaidAt        *time.Time   `json:",omitzero"`
	FailedAt      *time.Time   `json:",omitzero"`
	CreatedAt     time.Time    `json:",omitzero"`
	UpdatedAt     time.Time    `json:",omitzero"`
	Native        Native       `json:",omitzero"`
}
