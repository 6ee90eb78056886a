package irefer

import (
	"context"
	"encoding/json"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/irefer"
)

// rosterFor returns the roster for a list call: a fresh one for a first
// page, the listing's own for the pages after it (snapshot paging), so
// paging through n participants costs one fetch, not n/limit.
func (b *Backend) rosterFor(ctx context.Context, cursor string) (*roster, error) {
	if cursor != "" {
		b.mu.Lock()
		r, at := b.memo, b.memoAt
		b.mu.Unlock()
		if r != nil && time.Since(at) < memoTTL {
			return r, nil
		}
	}
	r, err := b.fetchRoster(ctx)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.memo, b.memoAt = r, time.Now()
	b.mu.Unlock()
	return r, nil
}

// forget drops the listing roster after a write.
func (b *Backend) forget() {
	b.mu.Lock()
	b.memo = nil
	b.mu.Unlock()
}

// fetchRoster calls referrers: every participant of the campaign.
func (b *Backend) fetchRoster(ctx context.Context) (*roster, error) {
	res, err := b.client.ReferrersWithResponse(ctx, b.license, &api.ReferrersParams{CampaignId: b.campaign})
	rows, err := call[[]api.Referrer]("referrers", res, err)
	if err != nil {
		return nil, err
	}
	r := &roster{rows: rows, byID: map[string]int{}, byEmail: map[string]int{}, byCode: map[string]int{}}
	for i, row := range rows {
		r.byID[row.Id] = i
		r.byEmail[strings.ToLower(row.Email)] = i
		if row.ReferralLink != "" {
			r.byCode[row.ReferralLink] = i
		}
	}
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		na, _ := strconv.Atoi(rows[a].ReferralsCount)
		nb, _ := strconv.Atoi(rows[b].ReferralsCount)
		if na != nb {
			return nb - na
		}
		if c := rows[a].CreatedAt.Compare(rows[b].CreatedAt); c != 0 {
			return c
		}
		return b - a // the list is newest first: a later row is earlier
	})
	r.rank = make(map[string]int, len(rows))
	for k, i := range order {
		r.rank[rows[i].Id] = k + 1
	}
	return r, nil
}

// find returns the index of the participant ref names, or NotFound.
func (r *roster) find(ref canonical.ParticipantRef) (int, error) {
	var (
		i  int
		ok bool
	)
	switch {
	case ref.ID != "":
		i, ok = r.byID[strings.TrimSpace(ref.ID)]
	case ref.Email != "":
		i, ok = r.byEmail[strings.ToLower(strings.TrimSpace(ref.Email))]
	case ref.Code != "":
		i, ok = r.byCode[strings.TrimSpace(ref.Code)]
	case ref.Identifier != "":
		i, ok = r.byEmail[strings.ToLower(strings.TrimSpace(ref.Identifier))]
	}
	if !ok {
		return 0, canonical.Errorf(canonical.NotFound, "no iRefer participant with %s", ref)
	}
	return i, nil
}

// participant converts row i: the inverse of referrerOf.
func (r *roster) participant(i int) canonical.Participant {
	row := r.rows[i]
	p := canonical.Participant{
		ID:           row.Id,
		CampaignID:   row.CampaignId,
		Email:        row.Email,
		ReferralCode: row.ReferralLink,
		IPAddress:    row.Ip,
		CreatedAt:    row.CreatedAt.UTC(),
		Source:       channelOf(row.SourceNetwork),
	}
	if row.Name != nil {
		p.FirstName, p.LastName = canonical.SplitName(*row.Name)
	}
	if row.ReferrerEmail != nil && *row.ReferrerEmail != "" {
		if j, ok := r.byEmail[strings.ToLower(*row.ReferrerEmail)]; ok {
			p.ReferrerID = r.rows[j].Id
		} else {
			p.Native.Set(canonical.IRefer, nativeReferrerEmail, *row.ReferrerEmail)
		}
	}
	if row.Phone != nil {
		p.Native.Set(canonical.IRefer, nativePhone, *row.Phone)
	}
	for k, v := range map[string]*string{infoKeys[0]: row.Info1, infoKeys[1]: row.Info2, infoKeys[2]: row.Info3, infoKeys[3]: row.Info4, infoKeys[4]: row.Info5} {
		if v != nil {
			p.Native.Set(canonical.IRefer, k, *v)
		}
	}
	p.Stats.Referrals, _ = strconv.Atoi(row.ReferralsCount)
	p.Stats.Rank = r.rank[row.Id]
	return p
}

// channelOf maps source_network to a canonical channel; an unknown value
// is kept as is.
func channelOf(letter string) string {
	if ch, ok := sourceChannels[api.Source(letter)]; ok {
		return ch
	}
	return letter
}

// all returns every participant in the vendor's order (newest first).
func (r *roster) all() []canonical.Participant {
	ps := make([]canonical.Participant, len(r.rows))
	for i := range r.rows {
		ps[i] = r.participant(i)
	}
	return ps
}

// ranked returns every participant in all-time rank order.
func (r *roster) ranked() []canonical.Participant {
	ps := r.all()
	slices.SortFunc(ps, func(a, b canonical.Participant) int { return a.Stats.Rank - b.Stats.Rank })
	return ps
}

// GetParticipant implements canonical.Backend: the participant from the
// referrers list (by ID, email, code or identifier-as-email), with
// Stats.Rank computed from that list and referrerStats' view of them
// (confirmed, referral_link, reward_last, reward_next and
// reward_next_referrals_remaining as Native values; referrals_made as
// Stats.Referrals). NotFound.
func (b *Backend) GetParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	if err := b.checkCampaign(campaignID); err != nil {
		return canonical.Participant{}, err
	}
	r, err := b.fetchRoster(ctx)
	if err != nil {
		return canonical.Participant{}, err
	}
	i, err := r.find(ref)
	if err != nil {
		return canonical.Participant{}, err
	}
	p := r.participant(i)
	res, err := b.client.ReferrerStatsWithResponse(ctx, b.license, &api.ReferrerStatsParams{CampaignId: b.campaign, Email: p.Email})
	st, err := call[api.ReferrerStats]("referrerStats", res, err)
	if err != nil {
		return canonical.Participant{}, err
	}
	p.Stats.Referrals = st.ReferralsMade
	p.Native.Set(canonical.IRefer, nativeConfirmed, string(st.Confirmed))
	p.Native.Set(canonical.IRefer, nativeReferralLink, st.ReferralLink)
	p.Native.Set(canonical.IRefer, nativeRewardLast, st.RewardLast)
	p.Native.Set(canonical.IRefer, nativeRewardNext, st.RewardNext)
	p.Native.Set(canonical.IRefer, nativeRewardRemaining, st.RewardNextReferralsRemaining)
	return p, nil
}

// CreateParticipant implements canonical.Backend over newSignup: email,
// name (FirstName and LastName joined), Source as iRefer's letter, the
// Native iRefer values phone (else Phone) and info_1..info_5, and
// referrer_code (a Code ref as is; an ID, Email or Identifier ref through
// the referrers list). Other fields are not sent. A requested
// ReferralCode, an InitialState or a VisitorID cannot be honoured and
// answer NotImplemented without I/O.
//
// newSignup answers no id, so the referrers list is read before (an email
// already in the campaign answers that participant, created=false, without
// a signup) and after the signup. Invalid, NotFound (campaign; the referrer
// when RequireReferrer is set).
func (b *Backend) CreateParticipant(ctx context.Context, in canonical.NewParticipant) (canonical.Participant, bool, error) {
	defer b.forget()
	switch {
	case in.ReferralCode != "":
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotImplemented, "iRefer generates referral codes: a requested code cannot be set")
	case in.InitialState != "":
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotImplemented, "iRefer cannot create a participant in a chosen referral state")
	case in.VisitorID != "":
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotImplemented, "iRefer has no visitors to attach")
	}
	email := strings.TrimSpace(in.Email)
	if email == "" {
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "iRefer identifies participants by email: an email is required")
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "invalid email address %q", email)
	}
	if e := refEmail(in.Referrer); e != "" && strings.EqualFold(e, email) {
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "a participant cannot refer themselves")
	}
	if err := b.checkCampaign(in.CampaignID); err != nil {
		return canonical.Participant{}, false, err
	}
	before, err := b.fetchRoster(ctx)
	if err != nil {
		return canonical.Participant{}, false, err
	}
	if i, err := before.find(canonical.ByEmail(email)); err == nil {
		return before.participant(i), false, nil
	}
	code := ""
	if !in.Referrer.IsZero() {
		j, err := before.find(in.Referrer)
		switch {
		case err == nil:
			code = before.rows[j].ReferralLink
		case in.RequireReferrer:
			return canonical.Participant{}, false, err
		case in.Referrer.Code != "":
			// Not in the list just read: let iRefer decide.
			code = strings.TrimSpace(in.Referrer.Code)
		}
	} else if in.RequireReferrer {
		return canonical.Participant{}, false, canonical.Errorf(canonical.NotFound, "no referrer given")
	}
	params := &api.NewSignupParams{CampaignId: b.campaign, Email: email}
	if name := in.Name(); name != "" {
		params.Name = &name
	}
	if l := sourceLetter(in.Source); l != "" {
		s := api.Source(l)
		params.Source = &s
	}
	if ph := nativeString(in.Native, nativePhone); ph != nil {
		params.Phone = ph
	} else if in.Phone != "" {
		params.Phone = &in.Phone
	}
	for i, dst := range []**string{&params.Info1, &params.Info2, &params.Info3, &params.Info4, &params.Info5} {
		*dst = nativeString(in.Native, infoKeys[i])
	}
	if code != "" {
		params.ReferrerCode = &code
	}
	res, err := b.client.NewSignupWithResponse(ctx, b.license, params)
	if _, err := call[api.Signup]("newSignup", res, err); err != nil {
		return canonical.Participant{}, false, err
	}
	after, err := b.fetchRoster(ctx)
	if err != nil {
		return canonical.Participant{}, false, err
	}
	i, err := after.find(canonical.ByEmail(email))
	if err != nil {
		return canonical.Participant{}, false, canonical.Wrap(canonical.Internal, err, "iRefer did not list the participant it signed up")
	}
	return after.participant(i), true, nil
}

// refEmail is the email a ref names, "" for ID and code refs.
func refEmail(r canonical.ParticipantRef) string {
	switch {
	case r.Email != "":
		return strings.TrimSpace(r.Email)
	case r.Identifier != "":
		return strings.TrimSpace(r.Identifier)
	}
	return ""
}

// ListParticipants implements canonical.Backend over the referrers list,
// which holds the whole campaign: Email and ReferrerID filter it, Native
// (iRefer values, compared as strings) too, and every order but points is
// applied to it, so Total is exact. States, StripeCustomerID, Metadata,
// Affiliates and the points orders answer NotImplemented without I/O.
// Each participant carries Stats.Rank. NotFound.
func (b *Backend) ListParticipants(ctx context.Context, q canonical.ParticipantQuery) (canonical.Page[canonical.Participant], error) {
	var none canonical.Page[canonical.Participant]
	switch {
	case len(q.States) > 0, q.StripeCustomerID != "", len(q.Metadata) > 0, q.Affiliates,
		len(q.Native) > 0 && q.NativeOf != "" && q.NativeOf != canonical.IRefer:
		return none, canonical.Errorf(canonical.NotImplemented, "iRefer cannot filter participants by state, Stripe customer, metadata, affiliate status or another vendor's values")
	case q.Sort == canonical.SortPointsAsc || q.Sort == canonical.SortPointsDesc:
		return none, canonical.Errorf(canonical.NotImplemented, "iRefer has no points")
	}
	if err := checkCursor(q.ListOptions); err != nil {
		return none, err
	}
	if err := b.checkCampaign(q.CampaignID); err != nil {
		return none, err
	}
	r, err := b.rosterFor(ctx, q.Cursor)
	if err != nil {
		return none, err
	}
	ps := slices.DeleteFunc(r.all(), func(p canonical.Participant) bool {
		if q.Email != "" && !strings.EqualFold(p.Email, strings.TrimSpace(q.Email)) {
			return true
		}
		if q.ReferrerID != "" && p.ReferrerID != q.ReferrerID {
			return true
		}
		for k, v := range q.Native {
			got, ok := p.Native.Get(canonical.IRefer, k)
			if !ok || stringOf(got) != v {
				return true
			}
		}
		return false
	})
	sortParticipants(ps, q.Sort)
	return cut(ps, q.ListOptions, func(p canonical.Participant) string { return p.ID })
}

// stringOf renders a Native value as a string.
func stringOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// sortParticipants orders ps (given in the vendor's order, newest first)
// stably, ties keeping the vendor's order (oldest first for SortOldest).
func sortParticipants(ps []canonical.Participant, s canonical.ParticipantSort) {
	var cmp func(a, b canonical.Participant) int
	switch s {
	case canonical.SortNewest:
		cmp = func(a, b canonical.Participant) int { return b.CreatedAt.Compare(a.CreatedAt) }
	case canonical.SortOldest:
		// Reversed, the newest-first list is oldest first, ties included.
		slices.Reverse(ps)
		cmp = func(a, b canonical.Participant) int { return a.CreatedAt.Compare(b.CreatedAt) }
	case canonical.SortEmailAsc:
		cmp = func(a, b canonical.Participant) int {
			return strings.Compare(strings.ToLower(a.Email), strings.ToLower(b.Email))
		}
	case canonical.SortEmailDesc:
		cmp = func(a, b canonical.Participant) int {
			return strings.Compare(strings.ToLower(b.Email), strings.ToLower(a.Email))
		}
	case canonical.SortNameAsc:
		cmp = func(a, b canonical.Participant) int {
			return strings.Compare(strings.ToLower(a.Name()), strings.ToLower(b.Name()))
		}
	case canonical.SortNameDesc:
		cmp = func(a, b canonical.Participant) int {
			return strings.Compare(strings.ToLower(b.Name()), strings.ToLower(a.Name()))
		}
	case canonical.SortReferralsDesc:
		cmp = func(a, b canonical.Participant) int { return b.Stats.Referrals - a.Stats.Referrals }
	case canonical.SortReferralsAsc:
		cmp = func(a, b canonical.Participant) int { return a.Stats.Referrals - b.Stats.Referrals }
	default:
		return
	}
	slices.SortStableFunc(ps, cmp)
}

// Leaderboard implements canonical.Backend for the all-time board (the
// default): every participant by credited referrals (referrals_count),
// ties to the earlier participant, from the referrers list. The monthly
// and points boards answer NotImplemented, and a board the contract does
// not define Invalid, without I/O. NotFound.
func (b *Backend) Leaderboard(ctx context.Context, q canonical.LeaderboardQuery) (canonical.Page[canonical.Participant], error) {
	var none canonical.Page[canonical.Participant]
	switch q.Board {
	case "", canonical.AllTime:
	case canonical.CurrentMonth, canonical.PreviousMonth, canonical.PointsBoard:
		return none, canonical.Errorf(canonical.NotImplemented, "iRefer reports all-time referral counts only")
	default:
		return none, canonical.Errorf(canonical.Invalid, "unknown leaderboard %q", q.Board)
	}
	if err := checkCursor(q.ListOptions); err != nil {
		return none, err
	}
	if err := b.checkCampaign(q.CampaignID); err != nil {
		return none, err
	}
	r, err := b.rosterFor(ctx, q.Cursor)
	if err != nil {
		return none, err
	}
	return cut(r.ranked(), q.ListOptions, func(p canonical.Participant) string { return p.ID })
}
