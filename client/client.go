// Package client is refbridge's unified Go SDK: one typed client over any
// referral backend — the five vendors' APIs (GrowSurf, ReferralHero,
// Rewardful, Referral Rocket, iRefer; or refbridge's proxy speaking them)
// and refbridge's own engine in-process — so an application switches
// vendor by changing a URL.
//
// Package client is portable: it imports no vendor adapter, engine or SQL
// driver. Open reaches a backend through the opener registered for the
// URL's scheme, and a program registers the ones it uses by blank import,
// go-cloud style (client/allclients registers them all):
//
//	import _ "github.com/refbridge/refbridge/client/growsurfclient"  // growsurf://
//	import _ "github.com/refbridge/refbridge/client/engineclient"    // sqlite://, postgres://
//
// A Client checks its input and applies defaults before the backend sees
// a call, pages through lists with iterators, and adds the operation's
// name to errors without changing their canonical code:
//
//	c, err := client.Open(ctx, "growsurf://")   // key from GROWSURF_API_KEY
//	p, _, err := c.CreateParticipant(ctx, canonical.NewParticipant{...})
//	for p, err := range c.Participants(ctx, canonical.ParticipantQuery{CampaignID: id}) { ... }
//
// The typed vendor clients generated from the specs live in the
// subpackages (client/growsurf, …); Client.As reaches them.
package client

import (
	"context"
	"errors"
	"io"
	"iter"
	"net/mail"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// Client is the unified client. It implements canonical.Backend, so it
// can stand wherever a backend is expected.
type Client struct {
	b      canonical.Backend
	closer io.Closer
}

var _ canonical.Backend = (*Client)(nil)

// New wraps a backend.
func New(b canonical.Backend) *Client { return &Client{b: b} }

// Backend returns the wrapped backend.
func (c *Client) Backend() canonical.Backend { return c.b }

// As reaches the backend's own typed client, go-cloud style: for a vendor
// backend, `var gs *growsurf.ClientWithResponses; c.As(&gs)` gives the
// generated GrowSurf client. It reports false when the backend has none of
// that type.
func (c *Client) As(target any) bool {
	if a, ok := c.b.(interface{ As(any) bool }); ok {
		return a.As(target)
	}
	return false
}

// Close releases what Open acquired (an in-process engine's database).
func (c *Client) Close() error {
	if c.closer == nil {
		return nil
	}
	return c.closer.Close()
}

// Capabilities implements canonical.Backend.
func (c *Client) Capabilities() canonical.Capabilities { return c.b.Capabilities() }

// fail adds the operation to err, keeping its code and its chain (so
// errors.As still reaches a vendor's raw error).
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	code := canonical.CodeOf(err)
	msg := canonical.MessageOf(err)
	if msg == "" {
		msg = err.Error()
	}
	return &canonical.Error{Code: code, Message: op + ": " + msg, Err: err}
}

// invalid is an input error found before the backend is called.
func invalid(op, format string, args ...any) error {
	return fail(op, canonical.Errorf(canonical.Invalid, format, args...))
}

func required(op string, fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if strings.TrimSpace(fields[i+1]) == "" {
			return invalid(op, "%s is required", fields[i])
		}
	}
	return nil
}

func (c *Client) checkList(op string, o canonical.ListOptions) error {
	switch {
	case o.Limit < 0:
		return invalid(op, "limit must not be negative")
	case o.Offset < 0:
		return invalid(op, "offset must not be negative")
	case o.Offset > 0 && !c.b.Capabilities().Seeks(canonical.Operation(op)):
		return fail(op, canonical.Errorf(canonical.NotImplemented, "the %s backend does not page this list by offset; follow NextCursor", c.b.Capabilities().Backend))
	}
	return nil
}

func checkRef(op string, ref canonical.ParticipantRef) error {
	if ref.IsZero() {
		return invalid(op, "a participant (ID, email, code or identifier) is required")
	}
	return nil
}

func checkMoney(op, what string, m canonical.Money, positive bool) (canonical.Money, error) {
	m.Currency = strings.ToUpper(strings.TrimSpace(m.Currency))
	if positive && m.Amount <= 0 {
		return m, invalid(op, "%s must be positive", what)
	}
	if m.Currency != "" && len(m.Currency) != 3 {
		return m, invalid(op, "%s currency %q is not an ISO 4217 code", what, m.Currency)
	}
	return m, nil
}

// ListCampaigns implements canonical.Backend.
func (c *Client) ListCampaigns(ctx context.Context, opts canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
	const op = "ListCampaigns"
	if err := c.checkList(op, opts); err != nil {
		return canonical.Page[canonical.Campaign]{}, err
	}
	v, err := c.b.ListCampaigns(ctx, opts)
	return v, fail(op, err)
}

// GetCampaign implements canonical.Backend.
func (c *Client) GetCampaign(ctx context.Context, id string) (canonical.Campaign, error) {
	const op = "GetCampaign"
	if err := required(op, "campaign ID", id); err != nil {
		return canonical.Campaign{}, err
	}
	v, err := c.b.GetCampaign(ctx, id)
	return v, fail(op, err)
}

// CreateCampaign implements canonical.Backend. The name is trimmed and
// required; the currency is upper-cased.
func (c *Client) CreateCampaign(ctx context.Context, in canonical.Campaign) (canonical.Campaign, error) {
	const op = "CreateCampaign"
	in.Name = strings.TrimSpace(in.Name)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if err := required(op, "campaign name", in.Name); err != nil {
		return in, err
	}
	v, err := c.b.CreateCampaign(ctx, in)
	return v, fail(op, err)
}

// UpdateCampaign implements canonical.Backend.
func (c *Client) UpdateCampaign(ctx context.Context, id string, patch canonical.CampaignPatch) (canonical.Campaign, error) {
	const op = "UpdateCampaign"
	if err := required(op, "campaign ID", id); err != nil {
		return canonical.Campaign{}, err
	}
	v, err := c.b.UpdateCampaign(ctx, id, patch)
	return v, fail(op, err)
}

// ListRewardRules implements canonical.Backend.
func (c *Client) ListRewardRules(ctx context.Context, campaignID string) ([]canonical.RewardRule, error) {
	const op = "ListRewardRules"
	if err := required(op, "campaign ID", campaignID); err != nil {
		return nil, err
	}
	v, err := c.b.ListRewardRules(ctx, campaignID)
	return v, fail(op, err)
}

// CreateRewardRule implements canonical.Backend.
func (c *Client) CreateRewardRule(ctx context.Context, campaignID string, rule canonical.RewardRule) (canonical.RewardRule, error) {
	const op = "CreateRewardRule"
	if err := required(op, "campaign ID", campaignID, "reward kind", string(rule.Kind)); err != nil {
		return rule, err
	}
	v, err := c.b.CreateRewardRule(ctx, campaignID, rule)
	return v, fail(op, err)
}

// UpdateRewardRule implements canonical.Backend.
func (c *Client) UpdateRewardRule(ctx context.Context, campaignID, ruleID string, patch canonical.RewardRulePatch) (canonical.RewardRule, error) {
	const op = "UpdateRewardRule"
	if err := required(op, "campaign ID", campaignID, "rule ID", ruleID); err != nil {
		return canonical.RewardRule{}, err
	}
	v, err := c.b.UpdateRewardRule(ctx, campaignID, ruleID, patch)
	return v, fail(op, err)
}

// DeleteRewardRule implements canonical.Backend.
func (c *Client) DeleteRewardRule(ctx context.Context, campaignID, ruleID string) error {
	const op = "DeleteRewardRule"
	if err := required(op, "campaign ID", campaignID, "rule ID", ruleID); err != nil {
		return err
	}
	return fail(op, c.b.DeleteRewardRule(ctx, campaignID, ruleID))
}

// CreateParticipant implements canonical.Backend. It trims the email and
// names, requires the campaign and an email or other identifier, and
// checks the email's syntax.
func (c *Client) CreateParticipant(ctx context.Context, in canonical.NewParticipant) (canonical.Participant, bool, error) {
	const op = "CreateParticipant"
	in.Email = strings.TrimSpace(in.Email)
	in.FirstName = strings.TrimSpace(in.FirstName)
	in.LastName = strings.TrimSpace(in.LastName)
	if err := required(op, "campaign ID", in.CampaignID); err != nil {
		return canonical.Participant{}, false, err
	}
	if in.Email == "" && in.Phone == "" && in.CryptoWallet == "" && in.OtherIdentifier == "" {
		return canonical.Participant{}, false, invalid(op, "an email or another identifier is required")
	}
	if in.Email != "" {
		if err := checkEmail(in.Email); err != nil {
			return canonical.Participant{}, false, invalid(op, "email %q: %v", in.Email, err)
		}
	}
	p, created, err := c.b.CreateParticipant(ctx, in)
	return p, created, fail(op, err)
}

// checkEmail accepts a bare address (no display name).
func checkEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return errors.New("not an email address")
	}
	if a.Address != s {
		return errors.New("give the bare address, without a name")
	}
	return nil
}

// GetParticipant implements canonical.Backend.
func (c *Client) GetParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	const op = "GetParticipant"
	if err := checkRef(op, ref); err != nil {
		return canonical.Participant{}, err
	}
	v, err := c.b.GetParticipant(ctx, campaignID, ref)
	return v, fail(op, err)
}

// ListParticipants implements canonical.Backend; Participants iterates
// over every page.
func (c *Client) ListParticipants(ctx context.Context, q canonical.ParticipantQuery) (canonical.Page[canonical.Participant], error) {
	const op = "ListParticipants"
	if err := required(op, "campaign ID", q.CampaignID); err != nil {
		return canonical.Page[canonical.Participant]{}, err
	}
	if err := c.checkList(op, q.ListOptions); err != nil {
		return canonical.Page[canonical.Participant]{}, err
	}
	v, err := c.b.ListParticipants(ctx, q)
	return v, fail(op, err)
}

// UpdateParticipant implements canonical.Backend.
func (c *Client) UpdateParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef, patch canonical.ParticipantPatch) (canonical.Participant, error) {
	const op = "UpdateParticipant"
	if err := checkRef(op, ref); err != nil {
		return canonical.Participant{}, err
	}
	if patch.Email != nil {
		e := strings.TrimSpace(*patch.Email)
		if err := checkEmail(e); err != nil {
			return canonical.Participant{}, invalid(op, "email %q: %v", e, err)
		}
		patch.Email = &e
	}
	v, err := c.b.UpdateParticipant(ctx, campaignID, ref, patch)
	return v, fail(op, err)
}

// DeleteParticipant implements canonical.Backend.
func (c *Client) DeleteParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	const op = "DeleteParticipant"
	if err := checkRef(op, ref); err != nil {
		return canonical.Participant{}, err
	}
	v, err := c.b.DeleteParticipant(ctx, campaignID, ref)
	return v, fail(op, err)
}

// AddPoints implements canonical.Backend.
func (c *Client) AddPoints(ctx context.Context, campaignID string, ref canonical.ParticipantRef, delta int64) (canonical.Participant, error) {
	const op = "AddPoints"
	if err := checkRef(op, ref); err != nil {
		return canonical.Participant{}, err
	}
	v, err := c.b.AddPoints(ctx, campaignID, ref, delta)
	return v, fail(op, err)
}

// Leaderboard implements canonical.Backend; the board defaults to all
// time.
func (c *Client) Leaderboard(ctx context.Context, q canonical.LeaderboardQuery) (canonical.Page[canonical.Participant], error) {
	const op = "Leaderboard"
	if q.Board == "" {
		q.Board = canonical.AllTime
	}
	if err := required(op, "campaign ID", q.CampaignID); err != nil {
		return canonical.Page[canonical.Participant]{}, err
	}
	if err := c.checkList(op, q.ListOptions); err != nil {
		return canonical.Page[canonical.Participant]{}, err
	}
	v, err := c.b.Leaderboard(ctx, q)
	return v, fail(op, err)
}

// ListLinks implements canonical.Backend.
func (c *Client) ListLinks(ctx context.Context, q canonical.LinkQuery) (canonical.Page[canonical.Link], error) {
	const op = "ListLinks"
	if err := c.checkList(op, q.ListOptions); err != nil {
		return canonical.Page[canonical.Link]{}, err
	}
	v, err := c.b.ListLinks(ctx, q)
	return v, fail(op, err)
}

// CreateLink implements canonical.Backend.
func (c *Client) CreateLink(ctx context.Context, campaignID string, owner canonical.ParticipantRef, token string) (canonical.Link, error) {
	const op = "CreateLink"
	if err := checkRef(op, owner); err != nil {
		return canonical.Link{}, err
	}
	v, err := c.b.CreateLink(ctx, campaignID, owner, strings.TrimSpace(token))
	return v, fail(op, err)
}

// GetLink implements canonical.Backend.
func (c *Client) GetLink(ctx context.Context, id string) (canonical.Link, error) {
	const op = "GetLink"
	if err := required(op, "link ID", id); err != nil {
		return canonical.Link{}, err
	}
	v, err := c.b.GetLink(ctx, id)
	return v, fail(op, err)
}

// UpdateLink implements canonical.Backend.
func (c *Client) UpdateLink(ctx context.Context, id, token string) (canonical.Link, error) {
	const op = "UpdateLink"
	token = strings.TrimSpace(token)
	if err := required(op, "link ID", id, "token", token); err != nil {
		return canonical.Link{}, err
	}
	v, err := c.b.UpdateLink(ctx, id, token)
	return v, fail(op, err)
}

// ListReferrals implements canonical.Backend; Referrals iterates over
// every page.
func (c *Client) ListReferrals(ctx context.Context, q canonical.ReferralQuery) (canonical.Page[canonical.Referral], error) {
	const op = "ListReferrals"
	if err := c.checkList(op, q.ListOptions); err != nil {
		return canonical.Page[canonical.Referral]{}, err
	}
	v, err := c.b.ListReferrals(ctx, q)
	return v, fail(op, err)
}

// RecordVisit implements canonical.Backend.
func (c *Client) RecordVisit(ctx context.Context, campaignID string, v canonical.Visit) (canonical.Referral, error) {
	const op = "RecordVisit"
	if err := required(op, "link token or code", v.Token); err != nil {
		return canonical.Referral{}, err
	}
	r, err := c.b.RecordVisit(ctx, campaignID, v)
	return r, fail(op, err)
}

// RecordEvent implements canonical.Backend.
func (c *Client) RecordEvent(ctx context.Context, campaignID string, e canonical.Event) error {
	const op = "RecordEvent"
	if err := required(op, "campaign ID", campaignID, "event kind", string(e.Kind)); err != nil {
		return err
	}
	return fail(op, c.b.RecordEvent(ctx, campaignID, e))
}

// TriggerReferral implements canonical.Backend.
func (c *Client) TriggerReferral(ctx context.Context, campaignID string, referred canonical.ParticipantRef, delay time.Duration) (bool, error) {
	const op = "TriggerReferral"
	if err := checkRef(op, referred); err != nil {
		return false, err
	}
	if delay < 0 {
		return false, invalid(op, "delay must not be negative")
	}
	v, err := c.b.TriggerReferral(ctx, campaignID, referred, delay)
	return v, fail(op, err)
}

// CancelReferralTrigger implements canonical.Backend.
func (c *Client) CancelReferralTrigger(ctx context.Context, campaignID string, referred canonical.ParticipantRef) (bool, error) {
	const op = "CancelReferralTrigger"
	if err := checkRef(op, referred); err != nil {
		return false, err
	}
	v, err := c.b.CancelReferralTrigger(ctx, campaignID, referred)
	return v, fail(op, err)
}

// TrackConversion implements canonical.Backend.
func (c *Client) TrackConversion(ctx context.Context, campaignID string, e canonical.ConversionEvent) (canonical.Participant, error) {
	const op = "TrackConversion"
	if e.NewParticipant == nil {
		if err := checkRef(op, e.Participant); err != nil {
			return canonical.Participant{}, err
		}
	}
	v, err := c.b.TrackConversion(ctx, campaignID, e)
	return v, fail(op, err)
}

// ConfirmReferral implements canonical.Backend.
func (c *Client) ConfirmReferral(ctx context.Context, campaignID string, referred canonical.ParticipantRef) (canonical.Participant, error) {
	const op = "ConfirmReferral"
	if err := checkRef(op, referred); err != nil {
		return canonical.Participant{}, err
	}
	v, err := c.b.ConfirmReferral(ctx, campaignID, referred)
	return v, fail(op, err)
}

// QualifyReferral implements canonical.Backend.
func (c *Client) QualifyReferral(ctx context.Context, campaignID string, referred canonical.ParticipantRef, amount canonical.Money) (canonical.Participant, error) {
	const op = "QualifyReferral"
	if err := checkRef(op, referred); err != nil {
		return canonical.Participant{}, err
	}
	amount, err := checkMoney(op, "amount", amount, false)
	if err != nil {
		return canonical.Participant{}, err
	}
	v, err := c.b.QualifyReferral(ctx, campaignID, referred, amount)
	return v, fail(op, err)
}

// RecordSpecificAction implements canonical.Backend.
func (c *Client) RecordSpecificAction(ctx context.Context, campaignID string, a canonical.SpecificAction, referrerCode string) (canonical.SpecificAction, error) {
	const op = "RecordSpecificAction"
	if err := required(op, "referrer code", referrerCode); err != nil {
		return a, err
	}
	v, err := c.b.RecordSpecificAction(ctx, campaignID, a, strings.TrimSpace(referrerCode))
	return v, fail(op, err)
}

// ListSpecificActions implements canonical.Backend.
func (c *Client) ListSpecificActions(ctx context.Context, campaignID string, opts canonical.ListOptions) (canonical.Page[canonical.SpecificAction], error) {
	const op = "ListSpecificActions"
	if err := c.checkList(op, opts); err != nil {
		return canonical.Page[canonical.SpecificAction]{}, err
	}
	v, err := c.b.ListSpecificActions(ctx, campaignID, opts)
	return v, fail(op, err)
}

// ListEarnedRewards implements canonical.Backend; EarnedRewards iterates
// over every page.
func (c *Client) ListEarnedRewards(ctx context.Context, q canonical.RewardQuery) (canonical.Page[canonical.EarnedReward], error) {
	const op = "ListEarnedRewards"
	if err := c.checkList(op, q.ListOptions); err != nil {
		return canonical.Page[canonical.EarnedReward]{}, err
	}
	v, err := c.b.ListEarnedRewards(ctx, q)
	return v, fail(op, err)
}

// GetEarnedReward implements canonical.Backend.
func (c *Client) GetEarnedReward(ctx context.Context, id string) (canonical.EarnedReward, error) {
	const op = "GetEarnedReward"
	if err := required(op, "reward ID", id); err != nil {
		return canonical.EarnedReward{}, err
	}
	v, err := c.b.GetEarnedReward(ctx, id)
	return v, fail(op, err)
}

// ApproveReward implements canonical.Backend.
func (c *Client) ApproveReward(ctx context.Context, id string, fulfill bool) (canonical.EarnedReward, error) {
	const op = "ApproveReward"
	if err := required(op, "reward ID", id); err != nil {
		return canonical.EarnedReward{}, err
	}
	v, err := c.b.ApproveReward(ctx, id, fulfill)
	return v, fail(op, err)
}

// FulfillReward implements canonical.Backend.
func (c *Client) FulfillReward(ctx context.Context, id string) (canonical.EarnedReward, error) {
	const op = "FulfillReward"
	if err := required(op, "reward ID", id); err != nil {
		return canonical.EarnedReward{}, err
	}
	v, err := c.b.FulfillReward(ctx, id)
	return v, fail(op, err)
}

// SetRewardStatus implements canonical.Backend.
func (c *Client) SetRewardStatus(ctx context.Context, id string, status canonical.RewardStatus, native canonical.Native) (canonical.EarnedReward, error) {
	const op = "SetRewardStatus"
	if err := required(op, "reward ID", id, "status", string(status)); err != nil {
		return canonical.EarnedReward{}, err
	}
	v, err := c.b.SetRewardStatus(ctx, id, status, native)
	return v, fail(op, err)
}

// DeleteReward implements canonical.Backend.
func (c *Client) DeleteReward(ctx context.Context, id string) error {
	const op = "DeleteReward"
	if err := required(op, "reward ID", id); err != nil {
		return err
	}
	return fail(op, c.b.DeleteReward(ctx, id))
}

// PromoteParticipant implements canonical.Backend.
func (c *Client) PromoteParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	const op = "PromoteParticipant"
	if err := checkRef(op, ref); err != nil {
		return canonical.Participant{}, err
	}
	v, err := c.b.PromoteParticipant(ctx, campaignID, ref)
	return v, fail(op, err)
}

// GrantReward implements canonical.Backend.
func (c *Client) GrantReward(ctx context.Context, campaignID string, ref canonical.ParticipantRef, ruleID string) (canonical.EarnedReward, error) {
	const op = "GrantReward"
	if err := checkRef(op, ref); err != nil {
		return canonical.EarnedReward{}, err
	}
	if err := required(op, "rule ID", ruleID); err != nil {
		return canonical.EarnedReward{}, err
	}
	v, err := c.b.GrantReward(ctx, campaignID, ref, ruleID)
	return v, fail(op, err)
}

// CreateTransaction implements canonical.Backend. The amount must be
// positive and an external identifier is required, so a retried sale is
// recognised.
func (c *Client) CreateTransaction(ctx context.Context, in canonical.NewTransaction) (canonical.TransactionResult, error) {
	const op = "CreateTransaction"
	if err := checkRef(op, in.Participant); err != nil {
		return canonical.TransactionResult{}, err
	}
	amount, err := checkMoney(op, "amount", in.Amount, true)
	if err != nil {
		return canonical.TransactionResult{}, err
	}
	in.Amount = amount
	if len(in.ExternalIDs) == 0 {
		return canonical.TransactionResult{}, invalid(op, "an external identifier (order or invoice ID) is required")
	}
	v, err := c.b.CreateTransaction(ctx, in)
	return v, fail(op, err)
}

// RefundTransaction implements canonical.Backend.
func (c *Client) RefundTransaction(ctx context.Context, in canonical.NewRefund) (canonical.RefundResult, error) {
	const op = "RefundTransaction"
	amount, err := checkMoney(op, "amount", in.Amount, false)
	if err != nil {
		return canonical.RefundResult{}, err
	}
	in.Amount = amount
	if len(in.ExternalIDs) == 0 {
		return canonical.RefundResult{}, invalid(op, "the refunded sale's external identifier is required")
	}
	v, err := c.b.RefundTransaction(ctx, in)
	return v, fail(op, err)
}

// ListTransactions implements canonical.Backend.
func (c *Client) ListTransactions(ctx context.Context, q canonical.TransactionQuery) (canonical.Page[canonical.Transaction], error) {
	const op = "ListTransactions"
	if err := c.checkList(op, q.ListOptions); err != nil {
		return canonical.Page[canonical.Transaction]{}, err
	}
	v, err := c.b.ListTransactions(ctx, q)
	return v, fail(op, err)
}

// ListCommissions implements canonical.Backend; Commissions iterates over
// every page.
func (c *Client) ListCommissions(ctx context.Context, q canonical.CommissionQuery) (canonical.Page[canonical.Commission], error) {
	const op = "ListCommissions"
	if err := c.checkList(op, q.ListOptions); err != nil {
		return canonical.Page[canonical.Commission]{}, err
	}
	v, err := c.b.ListCommissions(ctx, q)
	return v, fail(op, err)
}

// GetCommission implements canonical.Backend.
func (c *Client) GetCommission(ctx context.Context, id string) (canonical.Commission, error) {
	const op = "GetCommission"
	if err := required(op, "commission ID", id); err != nil {
		return canonical.Commission{}, err
	}
	v, err := c.b.GetCommission(ctx, id)
	return v, fail(op, err)
}

// UpdateCommission implements canonical.Backend.
func (c *Client) UpdateCommission(ctx context.Context, id string, patch canonical.CommissionPatch) (canonical.Commission, error) {
	const op = "UpdateCommission"
	if err := required(op, "commission ID", id); err != nil {
		return canonical.Commission{}, err
	}
	v, err := c.b.UpdateCommission(ctx, id, patch)
	return v, fail(op, err)
}

// ApproveCommission implements canonical.Backend.
func (c *Client) ApproveCommission(ctx context.Context, id string) (canonical.Commission, error) {
	const op = "ApproveCommission"
	if err := required(op, "commission ID", id); err != nil {
		return canonical.Commission{}, err
	}
	v, err := c.b.ApproveCommission(ctx, id)
	return v, fail(op, err)
}

// DeleteCommission implements canonical.Backend.
func (c *Client) DeleteCommission(ctx context.Context, id string) (canonical.Commission, error) {
	const op = "DeleteCommission"
	if err := required(op, "commission ID", id); err != nil {
		return canonical.Commission{}, err
	}
	v, err := c.b.DeleteCommission(ctx, id)
	return v, fail(op, err)
}

// ListPayouts implements canonical.Backend; Payouts iterates over every
// page.
func (c *Client) ListPayouts(ctx context.Context, q canonical.PayoutQuery) (canonical.Page[canonical.Payout], error) {
	const op = "ListPayouts"
	if err := c.checkList(op, q.ListOptions); err != nil {
		return canonical.Page[canonical.Payout]{}, err
	}
	v, err := c.b.ListPayouts(ctx, q)
	return v, fail(op, err)
}

// GetPayout implements canonical.Backend.
func (c *Client) GetPayout(ctx context.Context, id string) (canonical.Payout, error) {
	const op = "GetPayout"
	if err := required(op, "payout ID", id); err != nil {
		return canonical.Payout{}, err
	}
	v, err := c.b.GetPayout(ctx, id)
	return v, fail(op, err)
}

// PayPayout implements canonical.Backend.
func (c *Client) PayPayout(ctx context.Context, id string) (canonical.Payout, error) {
	const op = "PayPayout"
	if err := required(op, "payout ID", id); err != nil {
		return canonical.Payout{}, err
	}
	v, err := c.b.PayPayout(ctx, id)
	return v, fail(op, err)
}

// CreateCouponGroup implements canonical.Backend.
func (c *Client) CreateCouponGroup(ctx context.Context, campaignID string, g canonical.NewCouponGroup) (canonical.CouponGroup, error) {
	const op = "CreateCouponGroup"
	if err := required(op, "campaign ID", campaignID); err != nil {
		return canonical.CouponGroup{}, err
	}
	v, err := c.b.CreateCouponGroup(ctx, campaignID, g)
	return v, fail(op, err)
}

// AddCoupons implements canonical.Backend.
func (c *Client) AddCoupons(ctx context.Context, campaignID, groupID string, codes []string) (canonical.CouponGroup, error) {
	const op = "AddCoupons"
	if err := required(op, "campaign ID", campaignID, "group ID", groupID); err != nil {
		return canonical.CouponGroup{}, err
	}
	if len(codes) == 0 {
		return canonical.CouponGroup{}, invalid(op, "at least one code is required")
	}
	v, err := c.b.AddCoupons(ctx, campaignID, groupID, codes)
	return v, fail(op, err)
}

// ListCouponGroups implements canonical.Backend.
func (c *Client) ListCouponGroups(ctx context.Context, campaignID string, opts canonical.ListOptions) (canonical.Page[canonical.CouponGroup], error) {
	const op = "ListCouponGroups"
	if err := c.checkList(op, opts); err != nil {
		return canonical.Page[canonical.CouponGroup]{}, err
	}
	v, err := c.b.ListCouponGroups(ctx, campaignID, opts)
	return v, fail(op, err)
}

// GetCouponGroup implements canonical.Backend.
func (c *Client) GetCouponGroup(ctx context.Context, campaignID, groupID string) (canonical.CouponGroup, error) {
	const op = "GetCouponGroup"
	if err := required(op, "group ID", groupID); err != nil {
		return canonical.CouponGroup{}, err
	}
	v, err := c.b.GetCouponGroup(ctx, campaignID, groupID)
	return v, fail(op, err)
}

// CreateCoupon implements canonical.Backend.
func (c *Client) CreateCoupon(ctx context.Context, campaignID string, owner canonical.ParticipantRef, code string) (canonical.Coupon, error) {
	const op = "CreateCoupon"
	if err := checkRef(op, owner); err != nil {
		return canonical.Coupon{}, err
	}
	code = strings.TrimSpace(code)
	if err := required(op, "coupon code", code); err != nil {
		return canonical.Coupon{}, err
	}
	v, err := c.b.CreateCoupon(ctx, campaignID, owner, code)
	return v, fail(op, err)
}

// GetCoupon implements canonical.Backend.
func (c *Client) GetCoupon(ctx context.Context, id string) (canonical.Coupon, error) {
	const op = "GetCoupon"
	if err := required(op, "coupon ID", id); err != nil {
		return canonical.Coupon{}, err
	}
	v, err := c.b.GetCoupon(ctx, id)
	return v, fail(op, err)
}

// ListCoupons implements canonical.Backend.
func (c *Client) ListCoupons(ctx context.Context, q canonical.CouponQuery) (canonical.Page[canonical.Coupon], error) {
	const op = "ListCoupons"
	if err := c.checkList(op, q.ListOptions); err != nil {
		return canonical.Page[canonical.Coupon]{}, err
	}
	v, err := c.b.ListCoupons(ctx, q)
	return v, fail(op, err)
}

// CampaignStats implements canonical.Backend.
func (c *Client) CampaignStats(ctx context.Context, campaignID string) (canonical.CampaignStats, error) {
	const op = "CampaignStats"
	if err := required(op, "campaign ID", campaignID); err != nil {
		return canonical.CampaignStats{}, err
	}
	v, err := c.b.CampaignStats(ctx, campaignID)
	return v, fail(op, err)
}

// pages iterates over every item of a paged list; a failed page ends
// the iteration with its error.
func pages[T any](ctx context.Context, list func(canonical.ListOptions) (canonical.Page[T], error), opts canonical.ListOptions) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			if err := ctx.Err(); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			page, err := list(opts)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
			if page.NextCursor == "" || len(page.Items) == 0 {
				return
			}
			opts.Cursor, opts.Offset = page.NextCursor, 0
		}
	}
}

// Campaigns iterates over every campaign.
func (c *Client) Campaigns(ctx context.Context) iter.Seq2[canonical.Campaign, error] {
	return pages(ctx, func(o canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
		return c.ListCampaigns(ctx, o)
	}, canonical.ListOptions{})
}

// Participants iterates over every participant q selects, page by page
// (q.Limit is the page size).
func (c *Client) Participants(ctx context.Context, q canonical.ParticipantQuery) iter.Seq2[canonical.Participant, error] {
	return pages(ctx, func(o canonical.ListOptions) (canonical.Page[canonical.Participant], error) {
		q.ListOptions = o
		return c.ListParticipants(ctx, q)
	}, q.ListOptions)
}

// Referrals iterates over every referral q selects.
func (c *Client) Referrals(ctx context.Context, q canonical.ReferralQuery) iter.Seq2[canonical.Referral, error] {
	return pages(ctx, func(o canonical.ListOptions) (canonical.Page[canonical.Referral], error) {
		q.ListOptions = o
		return c.ListReferrals(ctx, q)
	}, q.ListOptions)
}

// EarnedRewards iterates over every earned reward q selects.
func (c *Client) EarnedRewards(ctx context.Context, q canonical.RewardQuery) iter.Seq2[canonical.EarnedReward, error] {
	return pages(ctx, func(o canonical.ListOptions) (canonical.Page[canonical.EarnedReward], error) {
		q.ListOptions = o
		return c.ListEarnedRewards(ctx, q)
	}, q.ListOptions)
}

// Transactions iterates over every sale and refund q selects.
func (c *Client) Transactions(ctx context.Context, q canonical.TransactionQuery) iter.Seq2[canonical.Transaction, error] {
	return pages(ctx, func(o canonical.ListOptions) (canonical.Page[canonical.Transaction], error) {
		q.ListOptions = o
		return c.ListTransactions(ctx, q)
	}, q.ListOptions)
}

// Commissions iterates over every commission q selects.
func (c *Client) Commissions(ctx context.Context, q canonical.CommissionQuery) iter.Seq2[canonical.Commission, error] {
	return pages(ctx, func(o canonical.ListOptions) (canonical.Page[canonical.Commission], error) {
		q.ListOptions = o
		return c.ListCommissions(ctx, q)
	}, q.ListOptions)
}

// Payouts iterates over every payout q selects.
func (c *Client) Payouts(ctx context.Context, q canonical.PayoutQuery) iter.Seq2[canonical.Payout, error] {
	return pages(ctx, func(o canonical.ListOptions) (canonical.Page[canonical.Payout], error) {
		q.ListOptions = o
		return c.ListPayouts(ctx, q)
	}, q.ListOptions)
}
