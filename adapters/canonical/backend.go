package canonical

import (
	"context"
	"time"
)

// Backend is the contract every referral backend implements: the native
// engine (scoped to one account) and each vendor's outbound client. It is
// split into services by area.
//
// Every method returns either a nil error or an *Error whose Code is one of
// those listed in its doc comment, or NotImplemented when Capabilities does
// not list the operation (in which case no I/O happens), or a code of a call
// that failed as a whole: Unavailable, DeadlineExceeded, Canceled or
// Internal (after which a write may or may not have been applied; see
// Code.Uncertain). Methods that take a campaign ID return NotFound for a
// campaign the account does not have.
type Backend interface {
	// Capabilities lists the operations this backend performs.
	Capabilities() Capabilities

	CampaignService
	ParticipantService
	ReferralService
	RewardService
	MoneyService
	CouponService
	StatsService
}

// CampaignService manages campaigns and their reward rules.
type CampaignService interface {
	// ListCampaigns lists campaigns, newest first; deleted ones are omitted.
	ListCampaigns(ctx context.Context, opts ListOptions) (Page[Campaign], error)
	// GetCampaign returns a campaign with its reward rules. NotFound.
	GetCampaign(ctx context.Context, id string) (Campaign, error)
	// CreateCampaign creates a campaign (draft unless Status is set) and
	// its Rules. Invalid when Name is empty or a field is out of range.
	CreateCampaign(ctx context.Context, c Campaign) (Campaign, error)
	// UpdateCampaign applies patch. NotFound, Invalid.
	UpdateCampaign(ctx context.Context, id string, patch CampaignPatch) (Campaign, error)
	// ListRewardRules lists a campaign's rules in display order. NotFound.
	ListRewardRules(ctx context.Context, campaignID string) ([]RewardRule, error)
	// CreateRewardRule adds a rule to a campaign. NotFound, Invalid.
	CreateRewardRule(ctx context.Context, campaignID string, rule RewardRule) (RewardRule, error)
	// UpdateRewardRule applies patch to a rule. NotFound, Invalid.
	UpdateRewardRule(ctx context.Context, campaignID, ruleID string, patch RewardRulePatch) (RewardRule, error)
	// DeleteRewardRule removes a rule; rewards already earned under it
	// stay. NotFound.
	DeleteRewardRule(ctx context.Context, campaignID, ruleID string) error
}

// ParticipantService manages participants and their links.
type ParticipantService interface {
	// CreateParticipant adds a participant, or returns the existing one
	// unchanged with created=false when the campaign already has a
	// participant with the same email (or other identifier): concurrent
	// duplicate creates yield exactly one participant. A resolvable
	// Referrer attributes the new participant, except a self-referral
	// (the referrer's own mailbox, case, dots and +tags aside): that
	// participant is added without a referrer, flagged SELF_REFERRAL (a
	// backend that sees it before any request may answer Invalid
	// instead). Invalid when neither email nor another identifier is
	// given or the email is malformed; Conflict when a requested
	// ReferralCode is taken; NotFound when RequireReferrer is set and the
	// referrer does not resolve; NotImplemented, without I/O, when the
	// backend's API cannot attribute referrals and a Referrer,
	// RequireReferrer, VisitorID or InitialState is given.
	CreateParticipant(ctx context.Context, in NewParticipant) (p Participant, created bool, err error)
	// GetParticipant finds a participant by ref, with stats and ranks.
	// campaignID may be empty when ref is an ID. NotFound.
	GetParticipant(ctx context.Context, campaignID string, ref ParticipantRef) (Participant, error)
	// ListParticipants lists a campaign's participants. NotFound.
	ListParticipants(ctx context.Context, q ParticipantQuery) (Page[Participant], error)
	// UpdateParticipant applies patch. NotFound; Conflict when the new
	// email or identifier belongs to another participant; Invalid.
	UpdateParticipant(ctx context.Context, campaignID string, ref ParticipantRef, patch ParticipantPatch) (Participant, error)
	// DeleteParticipant removes a participant with their links, rewards,
	// referrals (as referred), commissions and payouts, and returns what
	// was removed. Participants they referred stay, unreferred counts
	// adjust. NotFound.
	DeleteParticipant(ctx context.Context, campaignID string, ref ParticipantRef) (Participant, error)
	// AddPoints adds (or with a negative delta, removes) contest points;
	// the total never drops below zero. NotFound.
	AddPoints(ctx context.Context, campaignID string, ref ParticipantRef, delta int64) (Participant, error)
	// Leaderboard pages through a campaign's ranking. NotFound, Invalid.
	Leaderboard(ctx context.Context, q LeaderboardQuery) (Page[Participant], error)

	// ListLinks lists links, newest first.
	ListLinks(ctx context.Context, q LinkQuery) (Page[Link], error)
	// CreateLink adds a link for a participant; an empty token is
	// generated. NotFound; Conflict when the token is in use in the
	// account; Invalid for a token that is not letters, digits and dashes.
	CreateLink(ctx context.Context, campaignID string, owner ParticipantRef, token string) (Link, error)
	// GetLink returns a link. NotFound.
	GetLink(ctx context.Context, id string) (Link, error)
	// UpdateLink changes a link's token; the old token stops resolving.
	// NotFound, Conflict, Invalid.
	UpdateLink(ctx context.Context, id, token string) (Link, error)
}

// ReferralService records referral activity and moves referrals through
// their states.
type ReferralService interface {
	// ListReferrals lists referrals, newest first unless q says otherwise.
	ListReferrals(ctx context.Context, q ReferralQuery) (Page[Referral], error)
	// RecordVisit records a visitor arriving through a link token or
	// referral code, creating a visitor referral or counting a returning
	// visitor's visit. NotFound for an unknown token.
	RecordVisit(ctx context.Context, campaignID string, v Visit) (Referral, error)
	// RecordEvent moves counters: impressions, shares, campaign views,
	// invites. NotFound, Invalid.
	RecordEvent(ctx context.Context, campaignID string, e Event) error
	// TriggerReferral credits the pending referral that brought the
	// referred participant in (GrowSurf), now or after delay. It reports
	// false with no change when there is nothing pending to credit, and
	// true without crediting when the referral has expired. NotFound.
	TriggerReferral(ctx context.Context, campaignID string, referred ParticipantRef, delay time.Duration) (bool, error)
	// CancelReferralTrigger cancels a delayed trigger, reporting false
	// when none was scheduled. NotFound.
	CancelReferralTrigger(ctx context.Context, campaignID string, referred ParticipantRef) (bool, error)
	// TrackConversion records ReferralHero's conversion event: pending
	// referrals move on (to credited, or to unconfirmed under review); a
	// participant without a referral is referred by e.Referrer in that
	// state. Invalid when the campaign's qualification is signup, or when
	// no referral exists and the referrer is missing or invalid; Conflict
	// when the event was already completed.
	TrackConversion(ctx context.Context, campaignID string, e ConversionEvent) (Participant, error)
	// ConfirmReferral moves an unconfirmed referral to credited
	// (ReferralHero confirm). Invalid unless the campaign's qualification
	// is review; Conflict when not unconfirmed; NotFound.
	ConfirmReferral(ctx context.Context, campaignID string, referred ParticipantRef) (Participant, error)
	// QualifyReferral records the referred participant's qualifying
	// purchase (Referral Rocket) and credits their referral. Invalid when
	// the participant was not referred; NotFound.
	QualifyReferral(ctx context.Context, campaignID string, referred ParticipantRef, amount Money) (Participant, error)
	// RecordSpecificAction records iRefer's specific action by a referred
	// person of the referrer with the given code. NotFound for an unknown
	// referrer code; Invalid for a missing field.
	RecordSpecificAction(ctx context.Context, campaignID string, a SpecificAction, referrerCode string) (SpecificAction, error)
	// ListSpecificActions lists recorded specific actions, newest first.
	ListSpecificActions(ctx context.Context, campaignID string, opts ListOptions) (Page[SpecificAction], error)
}

// RewardService manages earned rewards.
type RewardService interface {
	// ListEarnedRewards lists earned rewards, newest first.
	ListEarnedRewards(ctx context.Context, q RewardQuery) (Page[EarnedReward], error)
	// GetEarnedReward returns an earned reward. NotFound.
	GetEarnedReward(ctx context.Context, id string) (EarnedReward, error)
	// ApproveReward moves a pending reward to approved, and on to
	// fulfilled when fulfill is set. Conflict unless pending; NotFound.
	ApproveReward(ctx context.Context, id string, fulfill bool) (EarnedReward, error)
	// FulfillReward moves an approved reward to fulfilled. Conflict unless
	// approved; NotFound.
	FulfillReward(ctx context.Context, id string) (EarnedReward, error)
	// SetRewardStatus sets any status (ReferralHero delivery statuses),
	// keeping native, the vendor's own status word, in Native. NotFound,
	// Invalid.
	SetRewardStatus(ctx context.Context, id string, status RewardStatus, native Native) (EarnedReward, error)
	// DeleteReward removes a reward that is still pending. Conflict once
	// approved; NotFound.
	DeleteReward(ctx context.Context, id string) error
	// PromoteParticipant marks a participant a promoted winner.
	// Conflict when already promoted; NotFound.
	PromoteParticipant(ctx context.Context, campaignID string, ref ParticipantRef) (Participant, error)
	// GrantReward gives a participant a reward under a rule outside the
	// automatic rules (ReferralHero's reward for promoted winners).
	// NotFound; Invalid when the rule is not manual or the participant is
	// not promoted.
	GrantReward(ctx context.Context, campaignID string, ref ParticipantRef, ruleID string) (EarnedReward, error)
}

// MoneyService records sales and refunds and manages commissions and
// payouts. Commissions move pending → due when their due date passes (by
// the backend's clock), and due commissions are bundled into one open payout
// per affiliate.
type MoneyService interface {
	// CreateTransaction records a sale by a referred participant and
	// creates the commissions its referrer earns. NotFound; Invalid when no
	// external identifier or a non-positive amount is given.
	CreateTransaction(ctx context.Context, in NewTransaction) (TransactionResult, error)
	// RefundTransaction records a refund: a full refund voids the sale's
	// unpaid commissions, a partial one reduces them; paid commissions are
	// untouched. A refund matching no sale reports Matched=false. NotFound.
	RefundTransaction(ctx context.Context, in NewRefund) (RefundResult, error)
	// ListTransactions lists transactions, newest first.
	ListTransactions(ctx context.Context, q TransactionQuery) (Page[Transaction], error)
	// ListCommissions lists commissions, newest first.
	ListCommissions(ctx context.Context, q CommissionQuery) (Page[Commission], error)
	// GetCommission returns a commission. NotFound.
	GetCommission(ctx context.Context, id string) (Commission, error)
	// UpdateCommission changes a commission's due or paid date. NotFound;
	// Conflict for a voided commission.
	UpdateCommission(ctx context.Context, id string, patch CommissionPatch) (Commission, error)
	// ApproveCommission makes a pending commission due now. Conflict
	// unless pending; NotFound.
	ApproveCommission(ctx context.Context, id string) (Commission, error)
	// DeleteCommission removes an unpaid commission. Conflict once paid;
	// NotFound.
	DeleteCommission(ctx context.Context, id string) (Commission, error)
	// ListPayouts lists payouts, newest first.
	ListPayouts(ctx context.Context, q PayoutQuery) (Page[Payout], error)
	// GetPayout returns a payout. NotFound.
	GetPayout(ctx context.Context, id string) (Payout, error)
	// PayPayout marks a due payout and its commissions paid. Conflict
	// unless due; NotFound.
	PayPayout(ctx context.Context, id string) (Payout, error)
}

// CouponService manages coupon groups and affiliate coupons.
type CouponService interface {
	// CreateCouponGroup creates a group with its codes. Invalid when the
	// name is empty; Conflict for a code already in the campaign.
	CreateCouponGroup(ctx context.Context, campaignID string, g NewCouponGroup) (CouponGroup, error)
	// AddCoupons adds codes to a group. NotFound, Conflict.
	AddCoupons(ctx context.Context, campaignID, groupID string, codes []string) (CouponGroup, error)
	// ListCouponGroups lists a campaign's groups, newest first.
	ListCouponGroups(ctx context.Context, campaignID string, opts ListOptions) (Page[CouponGroup], error)
	// GetCouponGroup returns a group with its coupons. NotFound.
	GetCouponGroup(ctx context.Context, campaignID, groupID string) (CouponGroup, error)
	// CreateCoupon gives a participant their own tracked coupon code.
	// NotFound; Conflict when the code is in use; Invalid without a code.
	CreateCoupon(ctx context.Context, campaignID string, owner ParticipantRef, code string) (Coupon, error)
	// GetCoupon returns a coupon. NotFound.
	GetCoupon(ctx context.Context, id string) (Coupon, error)
	// ListCoupons lists participants' own coupons, newest first.
	ListCoupons(ctx context.Context, q CouponQuery) (Page[Coupon], error)
}

// StatsService reports campaign counters.
type StatsService interface {
	// CampaignStats computes a campaign's counters. NotFound.
	CampaignStats(ctx context.Context, campaignID string) (CampaignStats, error)
}

// ListOptions pages through a list. Cursors are opaque: pass back the
// NextCursor of the previous page.
type ListOptions struct {
	// Limit is the page size; 0 means the backend's default, and backends
	// clamp it to their maximum.
	Limit  int    `json:",omitzero"`
	Cursor string `json:",omitzero"`
	// Offset skips that many items before the page (after Cursor, when
	// both are given), and WithTotal asks for Page.Total. Only the list
	// operations in the backend's Capabilities.Seek honour them, at about
	// the cost of the page alone; client.Client refuses an Offset for the
	// others (NotImplemented), whose Total stays -1. Even a seeking
	// backend may leave Total -1 where counting would mean reading the
	// whole list (the engine's metadata filters). Surfaces serving
	// page-number APIs use them to answer page n without reading pages
	// 1..n-1.
	Offset    int  `json:",omitzero"`
	WithTotal bool `json:",omitzero"`
}

// Page is one page of a list.
type Page[T any] struct {
	Items []T
	// NextCursor is "" on the last page.
	NextCursor string
	// Total is the number of items in the whole list, -1 when unknown.
	Total int
}

// ParticipantSort orders a participant list.
type ParticipantSort string

// Participant orders. The default is newest first.
const (
	SortNewest        ParticipantSort = ""
	SortOldest        ParticipantSort = "oldest"
	SortEmailAsc      ParticipantSort = "email_asc"
	SortEmailDesc     ParticipantSort = "email_desc"
	SortNameAsc       ParticipantSort = "name_asc"
	SortNameDesc      ParticipantSort = "name_desc"
	SortReferralsDesc ParticipantSort = "referrals_desc"
	SortReferralsAsc  ParticipantSort = "referrals_asc"
	SortPointsDesc    ParticipantSort = "points_desc"
	SortPointsAsc     ParticipantSort = "points_asc"
	// SortCreatedDesc orders by CreatedAt, latest first (ties: latest
	// arrival first). It differs from SortNewest, which is the order of
	// arrival in this backend, when a migration kept older sign-up times.
	SortCreatedDesc ParticipantSort = "created_desc"
)

// ParticipantQuery selects participants of one campaign. Filters combine
// with AND.
type ParticipantQuery struct {
	CampaignID string `json:",omitzero"`
	ListOptions
	// Email matches case-insensitively.
	Email string `json:",omitzero"`
	// ReferrerID selects the participants this participant referred.
	ReferrerID string `json:",omitzero"`
	// States selects participants whose own referral is in one of them.
	States           []ReferralState `json:",omitzero"`
	StripeCustomerID string          `json:",omitzero"`
	// Metadata selects participants whose metadata has every pair.
	Metadata map[string]string `json:",omitzero"`
	// Native selects participants whose native values (of the vendor)
	// equal every pair, compared as strings.
	Native     map[string]string `json:",omitzero"`
	NativeOf   Vendor            `json:",omitzero"`
	Sort       ParticipantSort   `json:",omitzero"`
	Affiliates bool              `json:",omitzero"`
}

// Board is a ranking.
type Board string

// Rankings.
const (
	// AllTime ranks by credited referrals.
	AllTime Board = "all_time"
	// CurrentMonth ranks by credited referrals this calendar month (UTC).
	CurrentMonth Board = "month"
	// PreviousMonth ranks by last month's credited referrals, among
	// participants who were in the campaign then.
	PreviousMonth Board = "prev_month"
	// PointsBoard ranks by contest points.
	PointsBoard Board = "points"
)

// LeaderboardQuery pages through a ranking; ties go to the earlier
// participant.
type LeaderboardQuery struct {
	CampaignID string `json:",omitzero"`
	Board      Board  `json:",omitzero"`
	ListOptions
}

// LinkQuery selects links.
type LinkQuery struct {
	CampaignID    string `json:",omitzero"`
	ParticipantID string `json:",omitzero"`
	ListOptions
}

// ReferralQuery selects referrals.
type ReferralQuery struct {
	CampaignID string          `json:",omitzero"`
	ReferrerID string          `json:",omitzero"`
	ReferredID string          `json:",omitzero"`
	States     []ReferralState `json:",omitzero"`
	// Converted selects referrals with (true) or without (false) a sale.
	Converted        *bool      `json:",omitzero"`
	Email            string     `json:",omitzero"`
	StripeCustomerID string     `json:",omitzero"`
	UpdatedSince     *time.Time `json:",omitzero"`
	UpdatedUntil     *time.Time `json:",omitzero"`
	// Oldest lists oldest first.
	Oldest bool `json:",omitzero"`
	ListOptions
}

// RewardQuery selects earned rewards.
type RewardQuery struct {
	CampaignID    string         `json:",omitzero"`
	ParticipantID string         `json:",omitzero"`
	Statuses      []RewardStatus `json:",omitzero"`
	ListOptions
}

// TransactionQuery selects transactions.
type TransactionQuery struct {
	CampaignID    string `json:",omitzero"`
	ParticipantID string `json:",omitzero"`
	ListOptions
}

// CommissionQuery selects commissions.
type CommissionQuery struct {
	CampaignID string `json:",omitzero"`
	// ReferrerID selects one affiliate's commissions.
	ReferrerID string             `json:",omitzero"`
	Statuses   []CommissionStatus `json:",omitzero"`
	ListOptions
}

// PayoutQuery selects payouts.
type PayoutQuery struct {
	CampaignID    string         `json:",omitzero"`
	ParticipantID string         `json:",omitzero"`
	Statuses      []PayoutStatus `json:",omitzero"`
	ListOptions
}

// CouponQuery selects participants' own coupons.
type CouponQuery struct {
	CampaignID    string `json:",omitzero"`
	ParticipantID string `json:",omitzero"`
	ListOptions
}
