// Package store is the persistence contract of refbridge's native engine:
// transactional, account-scoped storage of the canonical entities, the
// counters and the rank trees the engine maintains.
//
// Implementations live in sqlite (the embedded default) and postgres; both
// are built on sqlstore and pass the one suite in storetest. The engine keeps
// every business rule; a Store only stores, finds and counts.
//
// Entity IDs are int64 values issued by the store and unique per table; the
// engine renders them as decimal strings in canonical IDs. Every method that
// reads or writes an entity takes the account it belongs to and never
// touches another account's rows.
package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// Key normalizes an identity value for lookups, as every store keys it:
// trimmed and lower-cased. Stores key participants' identities, link tokens
// and coupon codes with it; callers pass FindParticipant's value and the
// queries' EmailKey through it.
func Key(v string) string { return strings.ToLower(strings.TrimSpace(v)) }

// Errors returned by Tx methods (wrapped; test with errors.Is).
var (
	// ErrNotFound: no row matched.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a unique key is already taken.
	ErrConflict = errors.New("store: conflict")
	// ErrBadCursor: a keyset cursor (ParticipantQuery.After) is not one
	// the store issued for the query's sort. Cursors travel through
	// clients, so this is bad input, not a failure of the store.
	ErrBadCursor = errors.New("store: bad cursor")
	// ErrTooDeep: a value was refused because its document would nest
	// deeper than the store's decoder reads back; nothing was written.
	ErrTooDeep = errors.New("store: value nested too deeply to read back")
	// ErrUnreadable: a stored document cannot be decoded, not even in part
	// (damaged outside refbridge). Reads of the one record fail with it;
	// lists show the record by its ID alone rather than fail.
	ErrUnreadable = errors.New("store: stored document unreadable")
)

// Store is a transactional store.
type Store interface {
	// Update runs fn in a read-write transaction and commits when fn
	// returns nil; the commit is durable against a crash of the process
	// once Update returns. Writers that call LockCampaign first are
	// serialized per campaign.
	//
	// A write is all or nothing whatever ctx does: cancelled while fn
	// runs, the Tx refuses further statements with ctx's error and
	// nothing fn did is stored; cancelled after fn returned nil, the
	// commit goes ahead. Update returns nil exactly when the write was
	// committed.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Close releases the store's resources.
	Close() error
}

// Tx is one transaction. It must not be used after its function returns.
//
// Nothing is stored that cannot be read back: a write of a value whose
// document the store could not decode fails with ErrTooDeep and writes
// nothing. A stored document that does not decode all the same (written
// by an older version, or damaged from outside) is read without the
// native values that break it, when that is enough; otherwise reading the
// record fails with ErrUnreadable, and lists show it with what its
// columns hold (its ID; for participants their ordinal, email and name
// keys, referrer, state, counts and creation time) rather than fail.
//
// Tx is the sum of one role interface per kind of record (AccountTx,
// CampaignTx, …); code that needs only one role takes only that.
type Tx interface {
	AccountTx
	CampaignTx
	ParticipantTx
	LinkTx
	ReferralTx
	RewardTx
	MoneyTx
	CouponTx
	ActionTx
	CounterTx
	RankTreeTx
	SettingTx
	EventTx
	AliasTx
}

// AccountTx is the part of a Tx that reads and writes the accounts and their credentials.
type AccountTx interface {
	InsertAccount(ctx context.Context, a *canonical.Account) error
	GetAccount(ctx context.Context, id int64) (canonical.Account, error)
	ListAccounts(ctx context.Context) ([]canonical.Account, error)
	// InsertCredential stores c with the hash of its secret; ErrConflict
	// when the hash is already used for the same vendor and kind.
	InsertCredential(ctx context.Context, c *canonical.Credential, secretHash string) error
	FindCredential(ctx context.Context, vendor canonical.Vendor, kind canonical.CredentialKind, secretHash string) (canonical.Credential, error)
	ListCredentials(ctx context.Context, account int64) ([]canonical.Credential, error)
	DeleteCredential(ctx context.Context, account, id int64) error
	// Wipe deletes every row of every table: all accounts and
	// everything in them (the proxy's test-mode reset).
	Wipe(ctx context.Context) error
}

// CampaignTx is the part of a Tx that reads and writes campaigns, their participant ordinals and reward rules.
type CampaignTx interface {
	InsertCampaign(ctx context.Context, account int64, c *canonical.Campaign) error
	GetCampaign(ctx context.Context, account, id int64) (canonical.Campaign, error)
	// LockCampaign returns the campaign and holds its write lock until the
	// transaction ends.
	LockCampaign(ctx context.Context, account, id int64) (canonical.Campaign, error)
	UpdateCampaign(ctx context.Context, account int64, c *canonical.Campaign) error
	// ListCampaigns lists newest first, starting below before (0 = start).
	ListCampaigns(ctx context.Context, account, before int64, limit int) ([]canonical.Campaign, error)
	// NextOrdinal issues the campaign's next participant ordinal (1, 2, …).
	NextOrdinal(ctx context.Context, account, campaign int64) (int64, error)
	// ReserveOrdinals issues n ordinals at once and returns the first.
	ReserveOrdinals(ctx context.Context, account, campaign int64, n int) (int64, error)
	InsertRule(ctx context.Context, account int64, r *canonical.RewardRule) error
	GetRule(ctx context.Context, account, id int64) (canonical.RewardRule, error)
	UpdateRule(ctx context.Context, account int64, r *canonical.RewardRule) error
	DeleteRule(ctx context.Context, account, id int64) error
	ListRules(ctx context.Context, account, campaign int64) ([]canonical.RewardRule, error)
}

// ParticipantTx is the part of a Tx that reads and writes participants, their identities, counts and scores.
type ParticipantTx interface {
	// InsertParticipant stores p; ErrConflict when the campaign already
	// has its email or identifier key, or its ordinal.
	InsertParticipant(ctx context.Context, account int64, p *Participant) error
	// InsertParticipants stores many participants at once (bulk loads),
	// setting their IDs; a taken key fails the whole call.
	InsertParticipants(ctx context.Context, account int64, ps []*Participant) error
	GetParticipant(ctx context.Context, account, id int64) (Participant, error)
	// FindParticipant finds a participant of a campaign by one identity
	// key: kind is "email", "phone", "wallet" or "other", value normalized
	// by the caller with Key.
	FindParticipant(ctx context.Context, account, campaign int64, kind, value string) (Participant, error)
	UpdateParticipant(ctx context.Context, account int64, p *Participant) error
	DeleteParticipant(ctx context.Context, account, id int64) error
	// ListParticipants returns a page and the cursor of the next one ("" on
	// the last page); ErrBadCursor when q.After is not a cursor of q.Sort.
	ListParticipants(ctx context.Context, account int64, q ParticipantQuery) ([]Participant, string, error)
	// CountMatching counts the participants q selects, ignoring its cursor,
	// offset and limit.
	CountMatching(ctx context.Context, account int64, q ParticipantQuery) (int, error)
	CountParticipants(ctx context.Context, account, campaign int64, since time.Time) (int, error)
	// LastOrdBefore returns the ordinal of the campaign's latest
	// participant created before t (0 when none).
	LastOrdBefore(ctx context.Context, account, campaign int64, t time.Time) (int64, error)
	// CountIPs counts the campaign's other participants that signed up
	// from ip.
	CountIPs(ctx context.Context, account, campaign int64, ip string, except int64) (int, error)
	// Leaderboard pages participants by a score, highest first, ties by
	// ordinal.
	Leaderboard(ctx context.Context, account, campaign int64, q BoardQuery) ([]Scored, error)
	// SetMonthlyScore stores a participant's credited referrals in a month
	// (YYYYMM); n = 0 removes the row.
	SetMonthlyScore(ctx context.Context, campaign int64, month int, participant, ord, n int64) error
	// SetMonthlyScores stores many participants' scores of one month.
	SetMonthlyScores(ctx context.Context, campaign int64, month int, scores []MonthlyScore) error
	GetMonthlyScore(ctx context.Context, campaign int64, month int, participant int64) (int64, error)
	// MonthlyScores returns a participant's scores in the given months
	// (0 where none).
	MonthlyScores(ctx context.Context, campaign, participant int64, months ...int) ([]int64, error)
	// MonthlyScoresOf returns every month's score of a participant.
	MonthlyScoresOf(ctx context.Context, campaign, participant int64) (map[int]int64, error)
}

// LinkTx is the part of a Tx that reads and writes links: referral codes, extra links and vanity keys.
type LinkTx interface {
	// InsertLink stores l; ErrConflict when its token is taken in the
	// account (tokens compare case-insensitively).
	InsertLink(ctx context.Context, account int64, l *Link) error
	// InsertLinks stores many links at once (bulk loads), setting their
	// IDs; a taken token fails the whole call.
	InsertLinks(ctx context.Context, account int64, ls []*Link) error
	GetLink(ctx context.Context, account, id int64) (Link, error)
	FindLink(ctx context.Context, account int64, token string) (Link, error)
	UpdateLink(ctx context.Context, account int64, l *Link) error
	DeleteLink(ctx context.Context, account, id int64) error
	ListLinks(ctx context.Context, account int64, q LinkQuery) ([]Link, error)
}

// ReferralTx is the part of a Tx that reads and writes referrals and the work they make due.
type ReferralTx interface {
	InsertReferral(ctx context.Context, account int64, r *canonical.Referral) error
	// InsertReferrals stores many referrals at once (bulk loads), setting
	// their IDs.
	InsertReferrals(ctx context.Context, account int64, rs []*canonical.Referral) error
	GetReferral(ctx context.Context, account, id int64) (canonical.Referral, error)
	// FindReferralOf returns the referral whose referred participant is
	// referred.
	FindReferralOf(ctx context.Context, account, referred int64) (canonical.Referral, error)
	UpdateReferral(ctx context.Context, account int64, r *canonical.Referral) error
	DeleteReferral(ctx context.Context, account, id int64) error
	ListReferrals(ctx context.Context, account int64, q ReferralQuery) ([]canonical.Referral, error)
	// CountReferrals counts the referrals q selects, ignoring its cursor,
	// offset and limit.
	CountReferrals(ctx context.Context, account int64, q ReferralQuery) (int, error)
	// HasDueWork reports whether a referral trigger or a pending
	// commission of the campaign is due at or before now.
	HasDueWork(ctx context.Context, account, campaign int64, now time.Time) (bool, error)
	// DueTriggers lists referrals whose TriggerAt is at or before now.
	DueTriggers(ctx context.Context, account, campaign int64, now time.Time) ([]canonical.Referral, error)
}

// RewardTx is the part of a Tx that reads and writes earned rewards.
type RewardTx interface {
	InsertReward(ctx context.Context, account int64, r *canonical.EarnedReward) error
	GetReward(ctx context.Context, account, id int64) (canonical.EarnedReward, error)
	UpdateReward(ctx context.Context, account int64, r *canonical.EarnedReward) error
	DeleteReward(ctx context.Context, account, id int64) error
	ListRewards(ctx context.Context, account int64, q RewardQuery) ([]canonical.EarnedReward, error)
	// CountRewards counts a participant's rewards under a rule created at
	// or after since, canceled ones excluded.
	CountRewards(ctx context.Context, account, participant, rule int64, since time.Time) (int, error)
	// CountWinners counts the campaign's participants with at least one
	// approved or fulfilled reward.
	CountWinners(ctx context.Context, account, campaign int64) (int, error)
}

// MoneyTx is the part of a Tx that reads and writes sales, commissions and payouts.
type MoneyTx interface {
	// InsertTransaction stores t and claims its external identifiers in
	// the campaign; ErrConflict when one is taken (nothing is stored).
	InsertTransaction(ctx context.Context, account int64, t *canonical.Transaction) error
	GetTransaction(ctx context.Context, account, id int64) (canonical.Transaction, error)
	// FindTransaction finds the sale that claimed any of keys.
	FindTransaction(ctx context.Context, account, campaign int64, keys map[string]string) (canonical.Transaction, error)
	ListTransactions(ctx context.Context, account int64, q TransactionQuery) ([]canonical.Transaction, error)
	InsertCommission(ctx context.Context, account int64, c *canonical.Commission) error
	GetCommission(ctx context.Context, account, id int64) (canonical.Commission, error)
	UpdateCommission(ctx context.Context, account int64, c *canonical.Commission) error
	DeleteCommission(ctx context.Context, account, id int64) error
	ListCommissions(ctx context.Context, account int64, q CommissionQuery) ([]canonical.Commission, error)
	// CountCommissions counts the commissions q selects, ignoring Before,
	// Offset and Limit.
	CountCommissions(ctx context.Context, account int64, q CommissionQuery) (int, error)
	// PendingDue lists the campaign's pending commissions due at or before
	// now.
	PendingDue(ctx context.Context, account, campaign int64, now time.Time) ([]canonical.Commission, error)
	InsertPayout(ctx context.Context, account int64, p *canonical.Payout) error
	GetPayout(ctx context.Context, account, id int64) (canonical.Payout, error)
	UpdatePayout(ctx context.Context, account int64, p *canonical.Payout) error
	DeletePayout(ctx context.Context, account, id int64) error
	ListPayouts(ctx context.Context, account int64, q PayoutQuery) ([]canonical.Payout, error)
	// CountPayouts counts the payouts q selects, ignoring Before, Offset
	// and Limit.
	CountPayouts(ctx context.Context, account int64, q PayoutQuery) (int, error)
}

// CouponTx is the part of a Tx that reads and writes coupon groups and coupons.
type CouponTx interface {
	InsertCouponGroup(ctx context.Context, account int64, g *canonical.CouponGroup) error
	GetCouponGroup(ctx context.Context, account, id int64) (canonical.CouponGroup, error)
	ListCouponGroups(ctx context.Context, account, campaign, before int64, limit int) ([]canonical.CouponGroup, error)
	// InsertCoupon stores c; ErrConflict when the campaign has its code.
	InsertCoupon(ctx context.Context, account int64, c *canonical.Coupon) error
	GetCoupon(ctx context.Context, account, id int64) (canonical.Coupon, error)
	UpdateCoupon(ctx context.Context, account int64, c *canonical.Coupon) error
	DeleteCoupon(ctx context.Context, account, id int64) error
	ListCoupons(ctx context.Context, account int64, q CouponQuery) ([]canonical.Coupon, error)
}

// ActionTx is the part of a Tx that reads and writes specific actions (iRefer).
type ActionTx interface {
	InsertSpecificAction(ctx context.Context, account int64, a *canonical.SpecificAction) error
	ListSpecificActions(ctx context.Context, account, campaign, before int64, limit int) ([]canonical.SpecificAction, error)
}

// CounterTx is the part of a Tx that reads and writes named counters per campaign and scope.
type CounterTx interface {
	// Counters: named integers per campaign and scope (0 = the campaign
	// itself, else a participant ID).
	AddCounters(ctx context.Context, campaign, scope int64, deltas map[string]int64) error
	// AddCounterRows adds to many scopes' counters at once (bulk loads).
	AddCounterRows(ctx context.Context, campaign int64, rows []CounterRow) error
	Counters(ctx context.Context, campaign, scope int64) (map[string]int64, error)
	DeleteCounters(ctx context.Context, campaign, scope int64) error
	// MarkSeen records key in a set and reports whether it is new.
	MarkSeen(ctx context.Context, campaign, scope int64, set, key string) (bool, error)
}

// RankTreeTx is the part of a Tx that reads and writes the rank trees leaderboards are read from, and their layout migration.
type RankTreeTx interface {
	// Rank trees: int64 node values by campaign, tree name and node; the
	// engine gives them their meaning (Fenwick trees, membership words).
	AddNodes(ctx context.Context, campaign int64, tree string, deltas map[int64]int64) error
	// SumNodeSets sums the given nodes of each set's tree, in one round
	// trip; the result is in the order of sets.
	SumNodeSets(ctx context.Context, campaign int64, sets []NodeSet) ([]int64, error)
	// RankTreeNames lists the campaign's trees that have nodes, sorted.
	RankTreeNames(ctx context.Context, campaign int64) ([]string, error)
	// RankTree reads every node of one tree (an absent node is 0).
	RankTree(ctx context.Context, campaign int64, tree string) (map[int64]int64, error)
	// DeleteRankTrees removes every node of the named trees.
	DeleteRankTrees(ctx context.Context, campaign int64, trees []string) error
	// RankLayoutPending lists the campaigns whose rank trees were written
	// in the layout before store migration 003 and are not converted yet.
	RankLayoutPending(ctx context.Context) ([]CampaignRef, error)
	// ClearRankLayoutPending takes a campaign off that list and reports
	// whether it was on it.
	ClearRankLayoutPending(ctx context.Context, campaign int64) (bool, error)
}

// SettingTx is the part of a Tx that reads and writes installation-wide settings.
type SettingTx interface {
	// Settings are installation-wide values, each written once (the
	// engine's ID secret). They are not an account's data: Wipe keeps
	// them.
	// Setting returns a setting's value; ErrNotFound when it is not set.
	Setting(ctx context.Context, name string) (string, error)
	// InitSetting sets name to value unless it is set already, and
	// returns the value it has now: value, or what another transaction
	// stored first.
	InitSetting(ctx context.Context, name, value string) (string, error)
}

// EventTx is the part of a Tx that reads and writes the event log and webhook delivery.
type EventTx interface {
	// The event log and webhook delivery.
	// AppendEvent adds e to the account's event log, setting its ID, and
	// queues a pending delivery of it, due at e.At, to every enabled
	// endpoint of the account subscribed to its kind in its campaign (or
	// in every campaign). Callers append within the transaction of the
	// change, so an event exists exactly when its change committed.
	AppendEvent(ctx context.Context, account int64, e *canonical.Change) error
	// AppendEvents is AppendEvent for the changes of one write, in order:
	// their IDs grow in slice order, and each endpoint's deliveries of
	// them are queued in the same order. It takes a few statements
	// however many changes there are, and reports which changes it queued
	// deliveries of (queued[i] for es[i]).
	AppendEvents(ctx context.Context, account int64, es []canonical.Change) (queued []bool, err error)
	GetEvent(ctx context.Context, account, id int64) (canonical.Change, error)
	// ListEvents lists the account's events oldest first.
	ListEvents(ctx context.Context, account int64, q EventQuery) ([]canonical.Change, error)
	// InsertEndpoint stores a webhook endpoint, setting its ID.
	InsertEndpoint(ctx context.Context, account int64, e *canonical.WebhookEndpoint) error
	GetEndpoint(ctx context.Context, account, id int64) (canonical.WebhookEndpoint, error)
	// UpdateEndpoint replaces an endpoint (its kinds included).
	UpdateEndpoint(ctx context.Context, account int64, e *canonical.WebhookEndpoint) error
	// LockEndpoint returns an endpoint and holds its write lock until the
	// transaction ends: writers of an endpoint's failure state and of its
	// deliveries' outcomes that lock it first are serialized per endpoint.
	LockEndpoint(ctx context.Context, account, id int64) (canonical.WebhookEndpoint, error)
	// DeleteEndpoint removes an endpoint and its deliveries.
	DeleteEndpoint(ctx context.Context, account, id int64) error
	ListEndpoints(ctx context.Context, account int64, q EndpointQuery) ([]canonical.WebhookEndpoint, error)
	// ClaimDeliveries leases, until leaseUntil, up to limit pending
	// deliveries of any account that are due at now, whose endpoint is
	// enabled, and that head their endpoint's queue (no earlier pending
	// delivery to the same endpoint, leased or not, so each endpoint gets
	// its events in order, one at a time). A leased delivery is claimed
	// by nobody else until its lease ends, so replicas sharing a database
	// attempt each delivery once; one whose worker died is claimed again
	// when its lease ends. It is the one method not scoped to an account.
	ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]DeliveryJob, error)
	// LeaseRun leases, until leaseUntil, a run of up to limit deliveries
	// of one endpoint of an account: its queue from the head on, in order,
	// up to the first that is not due at now or is leased (none when the
	// head is not, or the endpoint is disabled). A worker that finished a
	// delivery leases the next ones with it, in the transaction that
	// records the attempt, and reads their events after it commits (so a
	// single writer does not decode them).
	LeaseRun(ctx context.Context, account, endpoint int64, now, leaseUntil time.Time, limit int) ([]canonical.Delivery, error)
	// NextDue is the earliest time a delivery ClaimDeliveries would give
	// out falls due or its lease ends (whichever is later): the heads of
	// the enabled endpoints' queues. ErrNotFound when none is pending. Not
	// scoped to an account.
	NextDue(ctx context.Context) (time.Time, error)
	// RecordAttempt stores a delivery's state, attempts, next attempt time
	// and last outcome after an attempt, and ends its lease.
	RecordAttempt(ctx context.Context, account int64, d *canonical.Delivery) error
	// RecordClaimed is RecordAttempt for deliveries as they were claimed:
	// it stores each outcome only when its delivery is still pending with
	// the attempts the claim saw (no other worker recorded one since), and
	// reports which it stored, in the order given. Outcomes alike but for
	// their delivery (a run delivered at one instant) take one statement.
	RecordClaimed(ctx context.Context, account int64, outcomes []Outcome) (stored []bool, err error)
	GetDelivery(ctx context.Context, account, id int64) (canonical.Delivery, error)
	// ListDeliveries lists the account's deliveries newest first.
	ListDeliveries(ctx context.Context, account int64, q DeliveryQuery) ([]canonical.Delivery, error)
	// QueueDeliveries queues a new pending delivery, due at at, of each
	// of the account's events q selects to endpoint (a replay; receivers
	// see the same event IDs) and reports how many.
	QueueDeliveries(ctx context.Context, account, endpoint int64, q EventQuery, at time.Time) (int, error)
}

// AliasTx is the part of a Tx that reads and writes aliases of vendors' external IDs.
type AliasTx interface {
	// Aliases map a vendor's external ID of an entity to its internal ID
	// (kept by migrations so old IDs keep resolving).
	PutAlias(ctx context.Context, account int64, kind string, vendor canonical.Vendor, external string, internal int64) error
	ResolveAlias(ctx context.Context, account int64, kind string, vendor canonical.Vendor, external string) (int64, error)
	AliasesOf(ctx context.Context, account int64, kind string, internal int64) (map[canonical.Vendor]string, error)
}

// CounterRow is one counter change in a bulk AddCounterRows.
type CounterRow struct {
	Scope int64
	Name  string
	Delta int64
}

// MonthlyScore is one participant's score in a bulk SetMonthlyScores.
type MonthlyScore struct {
	Participant, Ord, N int64
}

// CampaignRef names a campaign and its account.
type CampaignRef struct {
	Account, Campaign int64
}

// NodeSet names nodes of one rank tree to sum.
type NodeSet struct {
	Tree  string
	Nodes []int64
	// Whole marks a tree the engine keeps compact (about one node per 63
	// participants) and reads at random: a store that caches nodes may
	// load it whole on first use, and from then on answer every node of
	// it from memory.
	Whole bool
	// Group, on a Whole set, is a prefix of Tree naming the trees the
	// engine reads together (one board's): a store that caches nodes may
	// load them all with one read, and then holds every tree with that
	// prefix whole, including trees that have no nodes yet.
	Group string
}

// Participant is a stored participant with the engine's projections.
type Participant struct {
	canonical.Participant
	// Ord is the participant's ordinal in its campaign: rank ties go to
	// the lower one.
	Ord int64
	// Referrals is the credited referral count the all-time board ranks by.
	Referrals int64
}

// Link is a stored link, referral code or vanity key.
type Link struct {
	canonical.Link
	// Kind is LinkCode (a participant's referral code), LinkExtra or
	// LinkVanity.
	Kind string
}

// Link kinds.
const (
	LinkCode   = "code"
	LinkExtra  = "link"
	LinkVanity = "vanity"
)

// Scored is a participant with the score of a leaderboard page.
type Scored struct {
	Participant
	Score int64
}

// ParticipantQuery selects participants of one campaign, keyset-paged.
type ParticipantQuery struct {
	Campaign int64
	// ReferrerID, when non-zero, selects who that participant referred.
	ReferrerID       int64
	EmailKey         string
	States           []canonical.ReferralState
	StripeCustomerID string
	OnlyAffiliates   bool
	// Sort is one of canonical's participant sorts; After is the cursor
	// ListParticipants returned for the previous page.
	Sort  canonical.ParticipantSort
	After string
	// Offset skips that many rows after the cursor.
	Offset int
	Limit  int
}

// BoardQuery pages a leaderboard. Board is "referrals", "points" or
// "month:YYYYMM".
type BoardQuery struct {
	Board string
	// AfterScore and AfterOrd continue after that position (AfterOrd 0 =
	// from the top).
	AfterScore int64
	AfterOrd   int64
	Limit      int
	// MaxOrd excludes participants with a higher ordinal (0 = none).
	MaxOrd int64
}

// LinkQuery selects links, newest first.
type LinkQuery struct {
	Campaign    int64
	Participant int64
	Kinds       []string
	Before      int64
	Limit       int
}

// ReferralQuery selects referrals.
type ReferralQuery struct {
	Campaign     int64
	Referrer     int64
	Referred     int64
	States       []canonical.ReferralState
	Converted    *bool
	EmailKey     string
	UpdatedSince *time.Time
	UpdatedUntil *time.Time
	// Oldest pages in ascending ID order starting after Cursor; otherwise
	// descending, starting below Cursor (0 = start).
	Oldest bool
	Cursor int64
	// Offset skips that many rows after the cursor.
	Offset int
	Limit  int
}

// RewardQuery selects earned rewards, newest first.
type RewardQuery struct {
	Campaign    int64
	Participant int64
	Statuses    []canonical.RewardStatus
	Before      int64
	Limit       int
}

// TransactionQuery selects transactions, newest first.
type TransactionQuery struct {
	Campaign    int64
	Participant int64
	RefundOf    int64
	Before      int64
	Limit       int
}

// CommissionQuery selects commissions, newest first.
type CommissionQuery struct {
	Campaign    int64
	Referrer    int64
	Transaction int64
	Payout      int64
	Statuses    []canonical.CommissionStatus
	Before      int64
	// Offset skips that many rows after Before.
	Offset int
	Limit  int
}

// PayoutQuery selects payouts, newest first.
type PayoutQuery struct {
	Campaign    int64
	Participant int64
	Statuses    []canonical.PayoutStatus
	Before      int64
	// Offset skips that many rows after Before.
	Offset int
	Limit  int
}

// CouponQuery selects coupons, newest first.
type CouponQuery struct {
	Campaign    int64
	Group       int64
	Participant int64
	// Owned selects coupons owned by a participant (not in a group).
	Owned  bool
	Before int64
	Limit  int
}

// EventQuery selects events of an account, oldest first.
type EventQuery struct {
	// ID, when set, selects that one event.
	ID       int64
	Campaign int64
	Kinds    []canonical.ChangeKind
	// AfterID continues after that event; Since selects events at or
	// after that time (zero: all).
	AfterID int64
	Since   time.Time
	Limit   int
}

// EndpointQuery selects webhook endpoints of an account, oldest first.
type EndpointQuery struct {
	// Vendor, when set, selects that vendor's endpoints; Campaign, when
	// set, that campaign's own endpoints (not those of every campaign).
	Vendor   canonical.Vendor
	Campaign int64
}

// DeliveryQuery selects deliveries of an account, newest first.
type DeliveryQuery struct {
	Endpoint int64
	Event    int64
	States   []canonical.DeliveryState
	Before   int64
	Limit    int
}

// Outcome is a delivery after an attempt, for RecordClaimed, with the
// attempts it had when it was claimed.
type Outcome struct {
	Delivery canonical.Delivery
	Claimed  int
}

// DeliveryJob is a claimed delivery with the change and endpoint its
// attempt needs.
type DeliveryJob struct {
	Delivery canonical.Delivery
	Event    canonical.Change
	Endpoint canonical.WebhookEndpoint
}
