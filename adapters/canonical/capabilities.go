package canonical

import "slices"

// Operation names one Backend method, e.g. "CreateParticipant".
type Operation string

// Capabilities lists what a backend can do. A backend returns
// NotImplemented, without any I/O, for every operation it does not list.
type Capabilities struct {
	// Backend names the implementation, e.g. "engine" or "growsurf".
	Backend    string      `json:",omitzero"`
	Operations []Operation `json:",omitzero"`
	// Seek lists the list operations that honour ListOptions.Offset and
	// ListOptions.WithTotal.
	Seek []Operation `json:",omitzero"`
}

// Seeks reports whether op honours ListOptions.Offset and WithTotal.
func (c Capabilities) Seeks(op Operation) bool {
	return slices.Contains(c.Seek, op)
}

// Supports reports whether op is listed.
func (c Capabilities) Supports(op Operation) bool {
	return slices.Contains(c.Operations, op)
}

// AllOperations returns every operation of the Backend contract, sorted.
func AllOperations() []Operation {
	return slices.Clone(allOperations)
}

// allOperations names every Backend method but Capabilities, sorted. It is
// written out rather than read from the interface with reflect: a program
// that can reach reflect.Type.Method with a variable index keeps every
// exported method of every type it converts to an interface (the linker
// cannot prune them), which put every generated client method into each
// SDK program. TestAllOperationsCoverTheContract checks the list against
// the interface.
var allOperations = []Operation{
	"AddCoupons",
	"AddPoints",
	"ApproveCommission",
	"ApproveReward",
	"CampaignStats",
	"CancelReferralTrigger",
	"ConfirmReferral",
	"CreateCampaign",
	"CreateCoupon",
	"CreateCouponGroup",
	"CreateLink",
	"CreateParticipant",
	"CreateRewardRule",
	"CreateTransaction",
	"DeleteCommission",
	"DeleteParticipant",
	"DeleteReward",
	"DeleteRewardRule",
	"FulfillReward",
	"GetCampaign",
	"GetCommission",
	"GetCoupon",
	"GetCouponGroup",
	"GetEarnedReward",
	"GetLink",
	"GetParticipant",
	"GetPayout",
	"GrantReward",
	"Leaderboard",
	"ListCampaigns",
	"ListCommissions",
	"ListCouponGroups",
	"ListCoupons",
	"ListEarnedRewards",
	"ListLinks",
	"ListParticipants",
	"ListPayouts",
	"ListReferrals",
	"ListRewardRules",
	"ListSpecificActions",
	"ListTransactions",
	"PayPayout",
	"PromoteParticipant",
	"QualifyReferral",
	"RecordEvent",
	"RecordSpecificAction",
	"RecordVisit",
	"RefundTransaction",
	"SetRewardStatus",
	"TrackConversion",
	"TriggerReferral",
	"UpdateCampaign",
	"UpdateCommission",
	"UpdateLink",
	"UpdateParticipant",
	"UpdateRewardRule",
}

// Unsupported returns the operations c does not list.
func (c Capabilities) Unsupported() []Operation {
	var out []Operation
	for _, op := range allOperations {
		if !c.Supports(op) {
			out = append(out, op)
		}
	}
	return out
}
