package referralhero

import (
	"net/http"
	"slices"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// Subscriber actions sent as data.response.
const (
	actionCreated   = "subscriber_created"
	actionEvent     = "custom_event_completed"
	actionConfirmed = "subscriber_confirmed"
	actionUpdated   = "subscriber_updated"
	actionPoints    = "points_added"
	actionPromoted  = "subscriber_promoted"
	actionRetrieved = "subscriber_retrieved"
	actionDeleted   = "subscriber_deleted"
)

// Failures of the campaign-goal checks (the vendor documents no code; the
// spec chose wrong_list_type).
var (
	errNoEventGoal  = fail(http.StatusBadRequest, codeWrongListType, "This list's goal has no conversion event to track")
	errNoReviewGoal = fail(http.StatusBadRequest, codeWrongListType, "This list's goal does not confirm referrals")
)

// emailError turns the backend's rejection of a malformed email into
// invalid_email_address.
func emailError(err error) error {
	if canonical.IsCode(err, canonical.Invalid) && strings.Contains(strings.ToLower(canonical.MessageOf(err)), "email") {
		return &vendorError{status: http.StatusBadRequest, code: codeInvalidEmail, message: canonical.MessageOf(err), cause: err}
	}
	return err
}

// subscribersPage is the data of the subscriber list operations.
type subscribersPage struct {
	Response    string           `json:"response"`
	Subscribers []subscriberJSON `json:"subscribers"`
	Pagination  pagination       `json:"pagination"`
}

// page renders one page of participants.
func (c *call) page(ps []canonical.Participant, page, total int) {
	subs, err := c.subscribers(ps)
	if err != nil {
		c.fail(err)
		return
	}
	c.ok(subscribersPage{Response: "subscribers_retrieved", Subscribers: subs,
		Pagination: newPagination(page, subscribersPerPage, total)})
}

// CreateSubscriber serves POST /lists/{uuid}/subscribers. An existing
// unique identifier returns the existing subscriber unchanged.
func (s *server) CreateSubscriber(w http.ResponseWriter, r *http.Request, uuid api.Uuid) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	f, ok := c.fields()
	if !ok {
		return
	}
	if identifierOf(f) == "" {
		c.fail(errNoIdentifier)
		return
	}
	p, _, err := c.b.CreateParticipant(c.ctx, newParticipant(f, c.camp.ID, c.view.Contest))
	if err != nil {
		c.fail(emailError(err))
		return
	}
	c.respond(p, actionCreated)
}

// ListSubscribers serves GET /lists/{uuid}/subscribers, 50 per page.
// Position orders follow the leaderboard, so that ties rank as positions
// do.
func (s *server) ListSubscribers(w http.ResponseWriter, r *http.Request, uuid api.Uuid, params api.ListSubscribersParams) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	page := pageNumber(params.Page)
	filters := map[string]string{}
	for k, v := range map[string]*string{"extra_field": params.ExtraField, "extra_field_2": params.ExtraField2, "option_field": params.OptionField} {
		if v != nil {
			filters[k] = *v
		}
	}
	var (
		ps    []canonical.Participant
		total int
		err   error
	)
	if params.SortBy != nil && (*params.SortBy == api.SortByPositionAsc || *params.SortBy == api.SortByPositionDesc) {
		ps, total, err = c.byPosition(filters, *params.SortBy == api.SortByPositionDesc, page)
	} else {
		q := canonical.ParticipantQuery{CampaignID: c.camp.ID, Sort: sortOf(params.SortBy, c.view.Contest),
			ListOptions: canonical.ListOptions{Limit: fetchCap}}
		if len(filters) > 0 {
			q.Native, q.NativeOf = filters, canonical.ReferralHero
		}
		if len(filters) == 0 && c.b.Capabilities().Seeks("ListParticipants") {
			// Page n by offset: the page and a count, not n pages.
			q.ListOptions = canonical.ListOptions{Limit: subscribersPerPage, Offset: (page - 1) * subscribersPerPage, WithTotal: true}
			var pg canonical.Page[canonical.Participant]
			pg, err = c.b.ListParticipants(c.ctx, q)
			ps, total = pg.Items, pg.Total
		} else {
			ps, total, err = walk(func(cursor string) (canonical.Page[canonical.Participant], error) {
				q.Cursor = cursor
				return c.b.ListParticipants(c.ctx, q)
			}, nil, page, subscribersPerPage, len(filters) == 0)
		}
	}
	if err == nil && total < 0 {
		var st canonical.CampaignStats
		st, err = c.b.CampaignStats(c.ctx, c.camp.ID)
		total = st.Participants
	}
	if err != nil {
		c.fail(err)
		return
	}
	c.page(ps, page, total)
}

// byPosition pages through the list in rank order (reversed with
// reverse) among the subscribers whose native fields equal filters. The
// total is -1 when it was not counted.
func (c *call) byPosition(filters map[string]string, reverse bool, page int) ([]canonical.Participant, int, error) {
	board := canonical.AllTime
	if c.view.Contest {
		board = canonical.PointsBoard
	}
	fetch := func(cursor string) (canonical.Page[canonical.Participant], error) {
		return c.b.Leaderboard(c.ctx, canonical.LeaderboardQuery{CampaignID: c.camp.ID, Board: board,
			ListOptions: canonical.ListOptions{Limit: fetchCap, Cursor: cursor}})
	}
	var keep func(canonical.Participant) bool
	if len(filters) > 0 {
		keep = func(p canonical.Participant) bool {
			for k, v := range filters {
				if strings.TrimSpace(nativeString(p.Native, k)) != v {
					return false
				}
			}
			return true
		}
	}
	if !reverse {
		return walk(fetch, keep, page, subscribersPerPage, keep == nil)
	}
	all, total, err := walk(fetch, keep, 1, maxPage, false)
	if err != nil {
		return nil, 0, err
	}
	slices.Reverse(all)
	return window(all, page, subscribersPerPage), total, nil
}

// TrackReferralConversionEvent serves POST
// /lists/{uuid}/subscribers/track_referral_conversion_event.
func (s *server) TrackReferralConversionEvent(w http.ResponseWriter, r *http.Request, uuid api.Uuid) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	f, ok := c.fields()
	if !ok {
		return
	}
	if c.camp.Qualification == canonical.QualifyOnSignup {
		c.fail(errNoEventGoal)
		return
	}
	id := identifierOf(f)
	if id == "" {
		c.fail(errNoIdentifier)
		return
	}
	in := newParticipant(f, c.camp.ID, c.view.Contest)
	p, err := c.b.TrackConversion(c.ctx, c.camp.ID, canonical.ConversionEvent{Participant: canonical.ByIdentifier(id),
		Referrer: in.Referrer, NewParticipant: &in.Participant})
	if err != nil {
		c.fail(emailError(err))
		return
	}
	c.respond(p, actionEvent)
}

// confirm moves p's unconfirmed referral to confirmed.
func (c *call) confirm(p canonical.Participant) {
	p, err := c.b.ConfirmReferral(c.ctx, c.camp.ID, canonical.ByID(p.ID))
	if err != nil {
		c.fail(as(err, errSubNotFound))
		return
	}
	c.respond(p, actionConfirmed)
}

// ConfirmSubscriberByIdentifier serves POST
// /lists/{uuid}/subscribers/confirm.
func (s *server) ConfirmSubscriberByIdentifier(w http.ResponseWriter, r *http.Request, uuid api.Uuid) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	f, ok := c.fields()
	if !ok {
		return
	}
	if c.camp.Qualification != canonical.QualifyOnReview {
		c.fail(errNoReviewGoal)
		return
	}
	id := identifierOf(f)
	if id == "" {
		c.fail(errNoIdentifier)
		return
	}
	p, err := c.find(canonical.ByIdentifier(id), true)
	if err != nil {
		c.fail(err)
		return
	}
	c.confirm(p)
}

// ConfirmSubscriber serves POST
// /lists/{uuid}/subscribers/{subscriber_id}/confirm.
func (s *server) ConfirmSubscriber(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	if c.camp.Qualification != canonical.QualifyOnReview {
		c.fail(errNoReviewGoal)
		return
	}
	p, err := c.findID(subscriberID, true)
	if err != nil {
		c.fail(err)
		return
	}
	c.confirm(p)
}

// AddPoints serves POST /lists/{uuid}/subscribers/add_points.
func (s *server) AddPoints(w http.ResponseWriter, r *http.Request, uuid api.Uuid) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	f, ok := c.fields()
	if !ok {
		return
	}
	id := identifierOf(f)
	if id == "" {
		c.fail(errNoIdentifier)
		return
	}
	pts, ok, err := f.int("points")
	if err == nil && !ok {
		err = fail(http.StatusBadRequest, codeNoPoints, msgNoPoints)
	}
	if err != nil {
		c.fail(err)
		return
	}
	p, err := c.b.AddPoints(c.ctx, c.camp.ID, canonical.ByIdentifier(id), pts)
	if err != nil {
		c.fail(as(err, errSubNotFound))
		return
	}
	c.respond(p, actionPoints)
}

// AddTransactions serves POST /lists/{uuid}/subscribers/add_transactions:
// a sale by the subscriber. Without a transaction_id the vendor's form
// (list uuid + UTC time as YYYYMMDDhhmmss) is generated.
func (s *server) AddTransactions(w http.ResponseWriter, r *http.Request, uuid api.Uuid) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	f, ok := c.fields()
	if !ok {
		return
	}
	id := identifierOf(f)
	if id == "" {
		c.fail(errNoIdentifier)
		return
	}
	amountText, ok := f.str("amount")
	if !ok || strings.TrimSpace(amountText) == "" {
		c.fail(fail(http.StatusBadRequest, "", "Amount is missing"))
		return
	}
	cents, ok := parseAmount(amountText)
	if !ok {
		c.fail(fail(http.StatusBadRequest, "", "Amount must be a positive number"))
		return
	}
	p, err := c.find(canonical.ByIdentifier(id), false)
	if err != nil {
		c.fail(err)
		return
	}
	tid, _ := f.str("transaction_id")
	if tid = strings.TrimSpace(tid); tid == "" {
		tid = c.view.UUID + c.h.cfg.Clock().UTC().Format("20060102150405")
	}
	in := canonical.NewTransaction{CampaignID: c.camp.ID, Participant: canonical.ByID(p.ID),
		Amount: canonical.Money{Amount: cents}, ExternalIDs: map[string]string{"transaction_id": tid}}
	for _, k := range []string{"product_id", "lifetime_spend"} {
		if v, ok := f.str(k); ok && v != "" {
			in.Native.Set(rh, k, v)
		}
	}
	res, err := c.b.CreateTransaction(c.ctx, in)
	if err != nil {
		c.fail(as(err, errSubNotFound))
		return
	}
	c.ok(renderTransaction(c.h.ids, res.Transaction))
}

// retrieve renders the list's subscriber found by ref, behind the
// verification gate.
func (c *call) retrieve(ref canonical.ParticipantRef) {
	p, err := c.find(ref, true)
	if err != nil {
		c.fail(err)
		return
	}
	c.respond(p, actionRetrieved)
}

// GetSubscriberByEmail serves GET
// /lists/{uuid}/subscribers/retrieve_by_email.
func (s *server) GetSubscriberByEmail(w http.ResponseWriter, r *http.Request, uuid api.Uuid, params api.GetSubscriberByEmailParams) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	if strings.TrimSpace(params.Email) == "" {
		c.fail(errNoIdentifier)
		return
	}
	c.retrieve(canonical.ByEmail(strings.TrimSpace(params.Email)))
}

// GetSubscriberByCode serves GET /lists/{uuid}/subscribers/retrieve_by_mwr.
func (s *server) GetSubscriberByCode(w http.ResponseWriter, r *http.Request, uuid api.Uuid, params api.GetSubscriberByCodeParams) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	if strings.TrimSpace(params.Mwr) == "" {
		c.fail(errSubNotFound)
		return
	}
	c.retrieve(canonical.ByCode(strings.TrimSpace(params.Mwr)))
}

// GetSubscriber serves GET /lists/{uuid}/subscribers/{subscriber_id}.
// The subscriber comes from the read cache while nothing in the account
// has changed; the envelope (calls_left, timestamp) is made per call.
func (s *server) GetSubscriber(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId) {
	c, ok := s.begin(w, r)
	if !ok {
		return
	}
	caller, _ := surface.CallerFrom(r.Context())
	data, err := s.h.cfg.Reads.Do(caller.Credential.AccountID, "referralhero GET "+r.URL.Path, func() ([]byte, error) {
		if err := c.open(uuid); err != nil {
			return nil, err
		}
		p, err := c.findID(subscriberID, true)
		if err != nil {
			return nil, err
		}
		sub, err := c.subscriber(p, actionRetrieved)
		if err != nil {
			return nil, err
		}
		return surface.EncodeJSON(sub)
	})
	if err != nil {
		c.fail(err)
		return
	}
	c.okEncoded(data)
}

// UpdateSubscriber serves POST /lists/{uuid}/subscribers/{subscriber_id}.
func (s *server) UpdateSubscriber(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	f, ok := c.fields()
	if !ok {
		return
	}
	p, err := c.findID(subscriberID, true)
	if err != nil {
		c.fail(err)
		return
	}
	patch, err := subscriberPatch(f, c.view.Contest)
	if err != nil {
		c.fail(err)
		return
	}
	p, err = c.b.UpdateParticipant(c.ctx, c.camp.ID, canonical.ByID(p.ID), patch)
	if err != nil {
		c.fail(emailError(as(err, errSubNotFound)))
		return
	}
	c.respond(p, actionUpdated)
}

// DeleteSubscriber serves DELETE /lists/{uuid}/subscribers/{subscriber_id}
// with the deleted subscriber's last state.
func (s *server) DeleteSubscriber(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	p, err := c.findID(subscriberID, false)
	if err != nil {
		c.fail(err)
		return
	}
	p, err = c.b.DeleteParticipant(c.ctx, c.camp.ID, canonical.ByID(p.ID))
	if err != nil {
		c.fail(as(err, errSubNotFound))
		return
	}
	c.respond(p, actionDeleted)
}

// PromoteSubscriber serves POST
// /lists/{uuid}/subscribers/{subscriber_id}/promote.
func (s *server) PromoteSubscriber(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	p, err := c.findID(subscriberID, true)
	if err != nil {
		c.fail(err)
		return
	}
	p, err = c.b.PromoteParticipant(c.ctx, c.camp.ID, canonical.ByID(p.ID))
	if canonical.IsCode(err, canonical.Conflict) {
		err = &vendorError{status: http.StatusBadRequest, code: codeAlreadyPromoted, message: msgAlreadyPromoted, cause: err}
	}
	if err != nil {
		c.fail(as(err, errSubNotFound))
		return
	}
	c.respond(p, actionPromoted)
}

// referralsOf returns every participant referred by one of ids, in any
// state.
func (c *call) referralsOf(ids []string) ([]canonical.Participant, error) {
	var out []canonical.Participant
	for _, id := range ids {
		q := canonical.ParticipantQuery{CampaignID: c.camp.ID, ReferrerID: id, Sort: canonical.SortOldest,
			ListOptions: canonical.ListOptions{Limit: fetchCap}}
		ps, _, err := walk(func(cursor string) (canonical.Page[canonical.Participant], error) {
			q.Cursor = cursor
			return c.b.ListParticipants(c.ctx, q)
		}, nil, 1, maxPage, false)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// referred serves the referral lists of a subscriber: level 1 (direct),
// 2 or 3 levels down, all or only confirmed ones.
func (s *server) referred(w http.ResponseWriter, r *http.Request, uuid, subscriberID string, level int, confirmedOnly bool, pageParam *int, sortBy *api.SortBy) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	root, err := c.findID(subscriberID, false)
	if err != nil {
		c.fail(err)
		return
	}
	page := pageNumber(pageParam)
	sort := sortOf(sortBy, c.view.Contest)
	if level == 1 {
		q := canonical.ParticipantQuery{CampaignID: c.camp.ID, ReferrerID: root.ID, Sort: sort,
			ListOptions: canonical.ListOptions{Limit: fetchCap}}
		if confirmedOnly {
			q.States = []canonical.ReferralState{canonical.StateCredited}
		}
		ps, total, err := walk(func(cursor string) (canonical.Page[canonical.Participant], error) {
			q.Cursor = cursor
			return c.b.ListParticipants(c.ctx, q)
		}, nil, page, subscribersPerPage, false)
		if err != nil {
			c.fail(err)
			return
		}
		c.page(ps, page, total)
		return
	}
	ids := []string{root.ID}
	var ps []canonical.Participant
	for range level {
		if ps, err = c.referralsOf(ids); err != nil {
			c.fail(err)
			return
		}
		ids = ids[:0]
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
	}
	if confirmedOnly {
		ps = slices.DeleteFunc(ps, func(p canonical.Participant) bool { return p.ReferralState != canonical.StateCredited })
	}
	slices.SortFunc(ps, func(a, b canonical.Participant) int { return compareParticipants(sort, a, b) })
	c.page(window(ps, page, subscribersPerPage), page, len(ps))
}

// ListReferredSubscribers serves GET
// /lists/{uuid}/subscribers/{subscriber_id}/referred: every subscriber the
// subscriber referred, whatever the referral's status.
func (s *server) ListReferredSubscribers(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId, params api.ListReferredSubscribersParams) {
	s.referred(w, r, uuid, subscriberID, 1, false, params.Page, params.SortBy)
}

// ListLevel1Referrals serves GET …/{subscriber_id}/level_1_referrals.
func (s *server) ListLevel1Referrals(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId, params api.ListLevel1ReferralsParams) {
	s.referred(w, r, uuid, subscriberID, 1, true, params.Page, params.SortBy)
}

// ListLevel2Referrals serves GET …/{subscriber_id}/level_2_referrals.
func (s *server) ListLevel2Referrals(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId, params api.ListLevel2ReferralsParams) {
	s.referred(w, r, uuid, subscriberID, 2, true, params.Page, params.SortBy)
}

// ListLevel3Referrals serves GET …/{subscriber_id}/level_3_referrals.
func (s *server) ListLevel3Referrals(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId, params api.ListLevel3ReferralsParams) {
	s.referred(w, r, uuid, subscriberID, 3, true, params.Page, params.SortBy)
}

// ListLevel2AllReferrals serves GET …/{subscriber_id}/level_2_all_referrals.
func (s *server) ListLevel2AllReferrals(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId, params api.ListLevel2AllReferralsParams) {
	s.referred(w, r, uuid, subscriberID, 2, false, params.Page, params.SortBy)
}

// ListLevel3AllReferrals serves GET …/{subscriber_id}/level_3_all_referrals.
func (s *server) ListLevel3AllReferrals(w http.ResponseWriter, r *http.Request, uuid api.Uuid, subscriberID api.SubscriberId, params api.ListLevel3AllReferralsParams) {
	s.referred(w, r, uuid, subscriberID, 3, false, params.Page, params.SortBy)
}
