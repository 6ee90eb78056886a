// Package canonical is refbridge's vendor-neutral referral model: the types
// every vendor surface maps to and from, the error codes, and the Backend
// contract that the native engine and every outbound vendor backend
// implement.
//
// The model is the union of what Referral Rocket, GrowSurf, ReferralHero,
// Rewardful and iRefer know, not their intersection. Values a vendor has and
// the model has no field for travel in Native, keyed by vendor, so a round
// trip through any surface or a migration between vendors loses nothing.
//
// Conventions:
//   - IDs are opaque strings. The native engine issues decimal integers;
//     vendor backends use the vendor's own IDs. Adapters render them in each
//     vendor's format.
//   - Money is integer minor units plus an ISO 4217 currency (Money).
//   - Times are time.Time in UTC; a nil *time.Time means "not happened".
//   - A Backend is scoped to one account: it can neither see nor change
//     another account's data.
//
// This package imports the standard library only.
package canonical
