package referralhero

import (
	"context"
	"slices"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// getByID reads subscriber id of list campaignID.
func (b *Backend) getByID(ctx context.Context, campaignID, id string) (canonical.Participant, error) {
	resp, err := b.c.GetSubscriberWithResponse(ctx, campaignID, id)
	if err := check(resp, err, ""); err != nil {
		return canonical.Participant{}, err
	}
	return subscriberOf(resp.Body, campaignID)
}

// GetParticipant implements canonical.Backend: GET
// /lists/{uuid}/subscribers/{id} by ID, …/retrieve_by_email by email (or
// an identifier with @), …/retrieve_by_mwr by code. Another identifier
// (phone, wallet, custom) has no lookup call: the list is scanned. With
// an empty campaignID an ID is looked up in every list of the account.
// The vendor hides subscribers who have not confirmed a double opt-in.
func (b *Backend) GetParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	if campaignID == "" && ref.ID != "" {
		var (
			found canonical.Participant
			ok    bool
		)
		err := b.eachList(ctx, func(l api.List) error {
			p, err := b.getByID(ctx, l.Uuid, ref.ID)
			switch {
			case err == nil:
				found, ok = p, true
				return errStop
			case canonical.IsCode(err, canonical.NotFound):
				return nil
			}
			return err
		})
		if err != nil {
			return canonical.Participant{}, err
		}
		if !ok {
			return canonical.Participant{}, canonical.Errorf(canonical.NotFound, "subscriber %s not found", ref.ID)
		}
		return found, nil
	}
	if err := needCampaign(campaignID); err != nil {
		return canonical.Participant{}, err
	}
	switch {
	case ref.ID != "":
		return b.getByID(ctx, campaignID, ref.ID)
	case ref.Email != "" || strings.Contains(ref.Identifier, "@"):
		email := ref.Email
		if email == "" {
			email = ref.Identifier
		}
		resp, err := b.c.GetSubscriberByEmailWithResponse(ctx, campaignID, &api.GetSubscriberByEmailParams{Email: strings.TrimSpace(email)})
		if err := check(resp, err, ""); err != nil {
			return canonical.Participant{}, err
		}
		return subscriberOf(resp.Body, campaignID)
	case ref.Code != "":
		resp, err := b.c.GetSubscriberByCodeWithResponse(ctx, campaignID, &api.GetSubscriberByCodeParams{Mwr: ref.Code})
		if err := check(resp, err, ""); err != nil {
			return canonical.Participant{}, err
		}
		return subscriberOf(resp.Body, campaignID)
	case ref.Identifier != "":
		id := strings.TrimSpace(ref.Identifier)
		pg, err := b.scanSubscribers(ctx, campaignID, canonical.ListOptions{Limit: 1}, nil, func(s api.Subscriber) bool {
			return deref(s.PhoneNumber) == id || deref(s.CryptoWalletAddress) == id || deref(s.OtherIdentifierValue) == id
		})
		if err != nil {
			return canonical.Participant{}, err
		}
		if len(pg.Items) == 0 {
			return canonical.Participant{}, canonical.Errorf(canonical.NotFound, "no subscriber with identifier %s", id)
		}
		return pg.Items[0], nil
	}
	return canonical.Participant{}, canonical.Errorf(canonical.NotFound, "no participant given")
}

// scanSubscribers pages through GET /lists/{uuid}/subscribers (50 per
// vendor page) with params, keeping what keep accepts.
func (b *Backend) scanSubscribers(ctx context.Context, campaignID string, opts canonical.ListOptions, params *api.ListSubscribersParams, keep func(api.Subscriber) bool) (canonical.Page[canonical.Participant], error) {
	if params == nil {
		params = &api.ListSubscribersParams{}
	}
	pg, err := paged(opts, subscribersPerPage, func(page int) ([]api.Subscriber, api.Pagination, error) {
		p := *params
		p.Page = &page
		resp, err := b.c.ListSubscribersWithResponse(ctx, campaignID, &p)
		if err := check(resp, err, ""); err != nil {
			return nil, api.Pagination{}, err
		}
		var data api.SubscribersPage
		if err := decodeData(resp.Body, &data); err != nil {
			return nil, api.Pagination{}, err
		}
		return data.Subscribers, data.Pagination, nil
	}, keep)
	return participantsPage(pg, campaignID), err
}

// participantsPage maps a page of subscribers.
func participantsPage(pg canonical.Page[api.Subscriber], campaignID string) canonical.Page[canonical.Participant] {
	out := canonical.Page[canonical.Participant]{Items: make([]canonical.Participant, 0, len(pg.Items)), NextCursor: pg.NextCursor, Total: pg.Total}
	for _, s := range pg.Items {
		out.Items = append(out.Items, participantOf(s, campaignID))
	}
	return out
}

// resolve looks up the participant ref names.
func (b *Backend) resolve(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	return b.GetParticipant(ctx, campaignID, ref)
}

// subscriberIDOf returns the subscriber id ref names, looking it up unless
// ref is an ID.
func (b *Backend) subscriberIDOf(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (string, error) {
	if ref.ID != "" {
		return ref.ID, nil
	}
	p, err := b.resolve(ctx, campaignID, ref)
	return p.ID, err
}

// identifier holds the unique-identifier fields of a request.
type identifier struct {
	email, phone, wallet, other *string
}

// identifierOf returns the unique identifier ref names: the email or
// identifier itself, or the looked-up participant's.
func (b *Backend) identifierOf(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (identifier, error) {
	var id identifier
	switch {
	case ref.Email != "":
		e := strings.TrimSpace(ref.Email)
		id.email = &e
		return id, nil
	case ref.Identifier != "":
		id.email, id.phone, id.wallet, id.other = identifierFields(ref.Identifier)
		return id, nil
	case ref.IsZero():
		return id, canonical.Errorf(canonical.Invalid, "no participant given")
	}
	p, err := b.resolve(ctx, campaignID, ref)
	if err != nil {
		return id, err
	}
	id.email, id.phone, id.wallet, id.other = ptr(p.Email), ptr(p.Phone), ptr(p.CryptoWallet), ptr(p.OtherIdentifier)
	if id.email != nil {
		id.phone, id.wallet, id.other = nil, nil, nil
	}
	return id, nil
}

// referrerParam renders ref as the vendor's referrer parameter, a referral
// code or an email; an ID is looked up for its code.
func (b *Backend) referrerParam(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (string, error) {
	switch {
	case ref.Code != "":
		return ref.Code, nil
	case ref.Email != "":
		return ref.Email, nil
	case ref.Identifier != "":
		return ref.Identifier, nil
	case ref.ID != "":
		p, err := b.getByID(ctx, campaignID, ref.ID)
		if err != nil {
			return "", err
		}
		return p.ReferralCode, nil
	}
	return "", nil
}

// CreateParticipant implements canonical.Backend: POST
// /lists/{uuid}/subscribers. An existing email is looked up first
// (retrieve_by_email) so that a repeated create reports created=false; the
// vendor itself returns the existing subscriber unchanged, so concurrent
// creates still yield one subscriber (each may report created=true).
// Without RequireReferrer an unknown referrer is ignored by the vendor;
// with it the referrer is looked up first. ReferralCode, VisitorID,
// Metadata and InitialState other than pending cannot be sent.
func (b *Backend) CreateParticipant(ctx context.Context, in canonical.NewParticipant) (canonical.Participant, bool, error) {
	campaignID := in.CampaignID
	if err := needCampaign(campaignID); err != nil {
		return canonical.Participant{}, false, err
	}
	if identifierOfParticipant(in.Participant) == "" {
		return canonical.Participant{}, false, canonical.Errorf(canonical.Invalid, "an email or another identifier is required")
	}
	if in.Email != "" {
		p, err := b.GetParticipant(ctx, campaignID, canonical.ByEmail(in.Email))
		if err == nil {
			return p, false, nil
		}
		if !canonical.IsCode(err, canonical.NotFound) {
			return canonical.Participant{}, false, err
		}
	}
	var referrer string
	if !in.Referrer.IsZero() {
		if in.RequireReferrer {
			p, err := b.resolve(ctx, campaignID, in.Referrer)
			if err != nil {
				return canonical.Participant{}, false, err
			}
			referrer = p.ReferralCode
		} else {
			r, err := b.referrerParam(ctx, campaignID, in.Referrer)
			if err != nil && !canonical.IsCode(err, canonical.NotFound) {
				return canonical.Participant{}, false, err
			}
			referrer = r
		}
	}
	resp, err := b.c.CreateSubscriberWithResponse(ctx, campaignID, createSubscriberBody(in, referrer))
	if err := check(resp, err, ""); err != nil {
		return canonical.Participant{}, false, err
	}
	p, err := subscriberOf(resp.Body, campaignID)
	return p, err == nil, err
}

// sortParam maps a canonical order to sort_by.
func sortParam(s canonical.ParticipantSort) *api.SortBy {
	var v api.SortBy
	switch s {
	case canonical.SortOldest:
		v = api.SortByRegistrationAsc
	case canonical.SortEmailAsc:
		v = api.SortByEmailAsc
	case canonical.SortEmailDesc:
		v = api.SortByEmailDesc
	case canonical.SortNameAsc:
		v = api.SortByNameAsc
	case canonical.SortNameDesc:
		v = api.SortByNameDesc
	case canonical.SortReferralsAsc:
		v = api.SortByPeopleReferredAsc
	case canonical.SortReferralsDesc:
		v = api.SortByPeopleReferredDesc
	case canonical.SortPointsAsc:
		v = api.SortByPointsAsc
	case canonical.SortPointsDesc:
		v = api.SortByPointsDesc
	default:
		v = api.SortByRegistrationDesc
	}
	return &v
}

// queryFilters are the native fields GET …/subscribers filters on.
var queryFilters = []string{"extra_field", "extra_field_2", "option_field"}

// subscriberFilter builds the client-side filter of q's conditions the
// vendor cannot apply; nil when there are none.
func subscriberFilter(q canonical.ParticipantQuery, native map[string]string) func(api.Subscriber) bool {
	if len(q.States) == 0 && q.StripeCustomerID == "" && len(native) == 0 && q.Email == "" {
		return nil
	}
	return func(s api.Subscriber) bool { return participantMatches(participantOf(s, q.CampaignID), q, native) }
}

// participantMatches reports whether p meets q's client-side conditions:
// states, Stripe customer, email and native values.
func participantMatches(p canonical.Participant, q canonical.ParticipantQuery, native map[string]string) bool {
	if len(q.States) > 0 && !slices.Contains(q.States, p.ReferralState) {
		return false
	}
	if q.StripeCustomerID != "" && nativeString(p.Native, "stripe_customer_id") != q.StripeCustomerID {
		return false
	}
	if q.Email != "" && !strings.EqualFold(p.Email, q.Email) {
		return false
	}
	for k, v := range native {
		if nativeString(p.Native, k) != v {
			return false
		}
	}
	return true
}

// ListParticipants implements canonical.Backend: GET
// /lists/{uuid}/subscribers (50 per vendor page) with sort_by and the
// extra_field, extra_field_2 and option_field filters (Native of
// referralhero); with ReferrerID, GET …/{id}/referred (…/level_1_referrals
// when only credited referrals are asked for). States, StripeCustomerID,
// Email and other native values filter client-side (Total is then -1);
// Metadata and Affiliates cannot be filtered on.
func (b *Backend) ListParticipants(ctx context.Context, q canonical.ParticipantQuery) (canonical.Page[canonical.Participant], error) {
	if len(q.Metadata) > 0 || q.Affiliates {
		return canonical.Page[canonical.Participant]{}, unsupported("ListParticipants by metadata or affiliate", "ReferralHero keeps neither")
	}
	if q.NativeOf != "" && q.NativeOf != canonical.ReferralHero && len(q.Native) > 0 {
		return canonical.Page[canonical.Participant]{}, unsupported("ListParticipants by another vendor's native values", "ReferralHero keeps only its own")
	}
	if err := needCampaign(q.CampaignID); err != nil {
		return canonical.Page[canonical.Participant]{}, err
	}
	params := &api.ListSubscribersParams{SortBy: sortParam(q.Sort)}
	rest := map[string]string{}
	for k, v := range q.Native {
		switch k {
		case "extra_field":
			params.ExtraField = &v
		case "extra_field_2":
			params.ExtraField2 = &v
		case "option_field":
			params.OptionField = &v
		default:
			rest[k] = v
		}
	}
	if q.ReferrerID == "" && q.Email != "" && q.Cursor == "" {
		// One subscriber at most: look it up rather than scan the list.
		p, err := b.GetParticipant(ctx, q.CampaignID, canonical.ByEmail(q.Email))
		out := canonical.Page[canonical.Participant]{Items: []canonical.Participant{}}
		switch {
		case canonical.IsCode(err, canonical.NotFound):
			return out, nil
		case err != nil:
			return canonical.Page[canonical.Participant]{}, err
		}
		if participantMatches(p, q, q.Native) {
			out.Items = append(out.Items, p)
		}
		out.Total = len(out.Items)
		return out, nil
	}
	if q.ReferrerID == "" {
		return b.scanSubscribers(ctx, q.CampaignID, q.ListOptions, params, subscriberFilter(q, rest))
	}
	for _, k := range queryFilters {
		if v, ok := q.Native[k]; ok {
			rest[k] = v
		}
	}
	credited := len(q.States) == 1 && q.States[0] == canonical.StateCredited
	keep := subscriberFilter(q, rest)
	if credited {
		keep = subscriberFilter(canonical.ParticipantQuery{CampaignID: q.CampaignID, StripeCustomerID: q.StripeCustomerID, Email: q.Email}, rest)
	}
	pg, err := paged(q.ListOptions, subscribersPerPage, func(page int) ([]api.Subscriber, api.Pagination, error) {
		return b.referredPage(ctx, q.CampaignID, q.ReferrerID, page, params.SortBy, credited)
	}, keep)
	return participantsPage(pg, q.CampaignID), err
}

// referredPage reads one page of the subscribers referrerID referred: all
// of them, or only confirmed ones.
func (b *Backend) referredPage(ctx context.Context, campaignID, referrerID string, page int, sortBy *api.SortBy, confirmedOnly bool) ([]api.Subscriber, api.Pagination, error) {
	var (
		body []byte
		err  error
	)
	if confirmedOnly {
		resp, e := b.c.ListLevel1ReferralsWithResponse(ctx, campaignID, referrerID, &api.ListLevel1ReferralsParams{Page: &page, SortBy: sortBy})
		if err = check(resp, e, ""); err == nil {
			body = resp.Body
		}
	} else {
		resp, e := b.c.ListReferredSubscribersWithResponse(ctx, campaignID, referrerID, &api.ListReferredSubscribersParams{Page: &page, SortBy: sortBy})
		if err = check(resp, e, ""); err == nil {
			body = resp.Body
		}
	}
	if err != nil {
		return nil, api.Pagination{}, err
	}
	var data api.SubscribersPage
	if err := decodeData(body, &data); err != nil {
		return nil, api.Pagination{}, err
	}
	return data.Subscribers, data.Pagination, nil
}

// patchableNative are the native keys POST
// /lists/{uuid}/subscribers/{id} takes.
var patchableNative = []string{"extra_field", "extra_field_2"}

// unpatchable names the first field of patch the vendor cannot change.
func unpatchable(p canonical.ParticipantPatch) string {
	switch {
	case p.Phone != nil:
		return "Phone"
	case p.CryptoWallet != nil:
		return "CryptoWallet"
	case p.OtherIdentifier != nil:
		return "OtherIdentifier"
	case p.Source != nil:
		return "Source"
	case p.Metadata != nil:
		return "Metadata"
	case p.Notes != nil:
		return "Notes"
	case p.VanityKeys != nil:
		return "VanityKeys"
	case p.Unsubscribed != nil:
		return "Unsubscribed"
	case p.Verified != nil:
		return "Verified"
	case p.ReferralState != nil:
		return "ReferralState"
	case p.Referrer != nil:
		return "Referrer"
	case p.Affiliate != nil:
		return "Affiliate"
	case p.CampaignID != nil:
		return "CampaignID"
	case p.Fraud != nil:
		return "Fraud"
	}
	for v, m := range p.Native {
		for k := range m {
			if v != canonical.ReferralHero || !slices.Contains(patchableNative, k) {
				return "Native " + string(v) + "." + k
			}
		}
	}
	return ""
}

// UpdateParticipant implements canonical.Backend: POST
// /lists/{uuid}/subscribers/{id} with name, email, points (applied by the
// vendor in contest lists only) and the extra_field and extra_field_2
// native values. A patch of any other field answers NotImplemented
// without a request. Changing only one of FirstName and LastName reads the
// subscriber first to send the whole name.
func (b *Backend) UpdateParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef, patch canonical.ParticipantPatch) (canonical.Participant, error) {
	if f := unpatchable(patch); f != "" {
		return canonical.Participant{}, unsupported("UpdateParticipant of "+f, "the API changes only name, email, points and extra fields")
	}
	if err := needCampaign(campaignID); err != nil {
		return canonical.Participant{}, err
	}
	var cur canonical.Participant
	id := ref.ID
	if id == "" || (patch.FirstName == nil) != (patch.LastName == nil) {
		p, err := b.resolve(ctx, campaignID, ref)
		if err != nil {
			return canonical.Participant{}, err
		}
		cur, id = p, p.ID
	}
	var body api.UpdateSubscriberJSONRequestBody
	if patch.FirstName != nil || patch.LastName != nil {
		first, last := cur.FirstName, cur.LastName
		if patch.FirstName != nil {
			first = *patch.FirstName
		}
		if patch.LastName != nil {
			last = *patch.LastName
		}
		name := strings.TrimSpace(first + " " + last)
		body.Name = &name
	}
	if patch.Email != nil {
		e := strings.TrimSpace(*patch.Email)
		body.Email = &e
	}
	if patch.Points != nil {
		pts := int(*patch.Points)
		body.Points = &pts
	}
	if m, ok := patch.Native[canonical.ReferralHero]; ok {
		for k, v := range m {
			s, _ := v.(string)
			switch k {
			case "extra_field":
				body.ExtraField = &s
			case "extra_field_2":
				body.ExtraField2 = &s
			}
		}
	}
	resp, err := b.c.UpdateSubscriberWithResponse(ctx, campaignID, id, body)
	if err := check(resp, err, ""); err != nil {
		return canonical.Participant{}, err
	}
	return subscriberOf(resp.Body, campaignID)
}

// DeleteParticipant implements canonical.Backend: DELETE
// /lists/{uuid}/subscribers/{id}, answering the deleted subscriber.
func (b *Backend) DeleteParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.Participant{}, err
	}
	id, err := b.subscriberIDOf(ctx, campaignID, ref)
	if err != nil {
		return canonical.Participant{}, err
	}
	resp, err := b.c.DeleteSubscriberWithResponse(ctx, campaignID, id)
	if err := check(resp, err, ""); err != nil {
		return canonical.Participant{}, err
	}
	return subscriberOf(resp.Body, campaignID)
}

// AddPoints implements canonical.Backend: POST
// /lists/{uuid}/subscribers/add_points with the subscriber's unique
// identifier (looked up when ref is an ID or a code).
func (b *Backend) AddPoints(ctx context.Context, campaignID string, ref canonical.ParticipantRef, delta int64) (canonical.Participant, error) {
	if err := needCampaign(campaignID); err != nil {
		return canonical.Participant{}, err
	}
	id, err := b.identifierOf(ctx, campaignID, ref)
	if err != nil {
		return canonical.Participant{}, err
	}
	resp, err := b.c.AddPointsWithResponse(ctx, campaignID, api.AddPointsJSONRequestBody{Points: int(delta),
		Email: id.email, PhoneNumber: id.phone, CryptoWalletAddress: id.wallet, OtherIdentifierValue: id.other})
	if err := check(resp, err, ""); err != nil {
		return canonical.Participant{}, err
	}
	return subscriberOf(resp.Body, campaignID)
}

// leaderboardMax is the most subscribers GET …/leaderboard returns.
const leaderboardMax = 100

// Leaderboard implements canonical.Backend: GET
// /lists/{uuid}/leaderboard, the vendor's one ranking (by position:
// confirmed referrals, or points in contest lists), so only the AllTime
// and Points boards are served, each as that ranking, its positions in
// Stats.Rank or Stats.PointsRank by the board asked for. The vendor returns
// at most the top 100; the cursor is an offset into them and Total is
// unknown (-1).
func (b *Backend) Leaderboard(ctx context.Context, q canonical.LeaderboardQuery) (canonical.Page[canonical.Participant], error) {
	switch q.Board {
	case "", canonical.AllTime, canonical.PointsBoard:
	default:
		return canonical.Page[canonical.Participant]{}, canonical.Errorf(canonical.Invalid, "ReferralHero has no %s leaderboard", q.Board)
	}
	if err := needCampaign(q.CampaignID); err != nil {
		return canonical.Page[canonical.Participant]{}, err
	}
	pos, err := parseCursor(q.Cursor)
	if err != nil {
		return canonical.Page[canonical.Participant]{}, err
	}
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = 10
	case limit > leaderboardMax:
		limit = leaderboardMax
	}
	count := min(max(pos.off+limit+1, 10), leaderboardMax)
	resp, err := b.c.GetLeaderboardWithResponse(ctx, q.CampaignID, &api.GetLeaderboardParams{Count: &count})
	if err := check(resp, err, ""); err != nil {
		return canonical.Page[canonical.Participant]{}, err
	}
	var data api.Leaderboard
	if err := decodeData(resp.Body, &data); err != nil {
		return canonical.Page[canonical.Participant]{}, err
	}
	out := canonical.Page[canonical.Participant]{Items: []canonical.Participant{}, Total: -1}
	end := min(pos.off+limit, len(data.Ranking))
	for i := pos.off; i < end; i++ {
		p := participantOf(data.Ranking[i], q.CampaignID)
		if q.Board == canonical.PointsBoard {
			// The position is the rank on the board asked for: by points.
			p.Stats.PointsRank, p.Stats.Rank = p.Stats.Rank, 0
		}
		out.Items = append(out.Items, p)
	}
	if len(data.Ranking) > end {
		out.NextCursor = resumeAt{page: 1, off: end}.cursor()
	}
	return out, nil
}
