package irefer

import (
	"context"
	"net/http"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/irefer"
	"github.com/refbridge/refbridge/client/irefer/ireferserver"
)

// server implements the generated api.ServerInterface over the caller's
// backend. Each /v1/ operation is its /v1.0/ twin.
type server struct {
	cfg surface.Config
	ids *IDs
}

var _ ireferserver.ServerInterface = (*server)(nil)

func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	writeError(s.cfg, w, r, err)
}

func (s *server) ok(w http.ResponseWriter, body any) { surface.WriteJSON(w, http.StatusOK, body) }

// session returns the request's session; the auth middleware always sets
// one, so its absence is an internal error.
func (s *server) session(w http.ResponseWriter, r *http.Request) (session, bool) {
	sess, ok := sessionFrom(r.Context())
	if !ok {
		s.fail(w, r, canonical.Errorf(canonical.Internal, "irefer: request without a session"))
	}
	return sess, ok
}

// lister returns the session of a call to a method that lists other
// participants' data (referrers, rewards, specificActionSignups), writing
// iRefer's error object when the call may not. A browser call is
// authenticated by its license key, which sits in the customer's page,
// and its Origin or Referer, which any client other than a browser can
// forge; it would hand every participant's email and name to anyone. So
// these methods need the api_key, unless the campaign opts in with its
// Native iRefer value "browser_lists". The guide's own browser snippet
// uses only newSignup, referrerStats, newSpecificAction and campaignStats.
func (s *server) lister(w http.ResponseWriter, r *http.Request) (session, bool) {
	sess, ok := s.session(w, r)
	if !ok {
		return sess, false
	}
	if v, _ := sess.Campaign.Native.Get(canonical.IRefer, nativeBrowserLists); sess.Browser && !truthy(v) {
		s.fail(w, r, canonical.Errorf(canonical.Unauthorized,
			"api_key required: this method lists other participants and the campaign does not set %s", nativeBrowserLists))
		return sess, false
	}
	return sess, true
}

// ReferrerStats implements api.ServerInterface.
func (s *server) ReferrerStats(w http.ResponseWriter, r *http.Request, _ api.LicenseKey, params api.ReferrerStatsParams) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	email := strings.TrimSpace(params.Email)
	if email == "" {
		s.fail(w, r, canonical.Errorf(canonical.Invalid, "email is required"))
		return
	}
	body, err := s.cfg.Reads.Do(sess.Credential.AccountID, "irefer referrerStats "+sess.Campaign.ID+" "+email, func() ([]byte, error) {
		p, err := sess.Backend.GetParticipant(r.Context(), sess.Campaign.ID, canonical.ByEmail(email))
		if err != nil {
			return nil, err
		}
		return surface.EncodeJSON(referrerStatsOf(sess.Campaign, p))
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	surface.WriteBody(w, http.StatusOK, body)
}

// CampaignStats implements api.ServerInterface.
func (s *server) CampaignStats(w http.ResponseWriter, r *http.Request, _ api.LicenseKey, _ api.CampaignStatsParams) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	st, err := sess.Backend.CampaignStats(r.Context(), sess.Campaign.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, campaignStatsOf(sess.Campaign, st))
}

// NewSignup implements api.ServerInterface. Signing up an email that is
// already a participant answers with that participant, unchanged.
func (s *server) NewSignup(w http.ResponseWriter, r *http.Request, _ api.LicenseKey, params api.NewSignupParams) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	if strings.TrimSpace(params.Email) == "" {
		s.fail(w, r, canonical.Errorf(canonical.Invalid, "email is required"))
		return
	}
	ctx := r.Context()
	p, _, err := sess.Backend.CreateParticipant(ctx, newParticipantOf(sess.Campaign.ID, params, sess.IP))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	referrerEmail := ""
	if p.ReferrerID != "" {
		ref, err := sess.Backend.GetParticipant(ctx, sess.Campaign.ID, canonical.ByID(p.ReferrerID))
		if err != nil && !canonical.IsCode(err, canonical.NotFound) {
			s.fail(w, r, err)
			return
		}
		referrerEmail = ref.Email
	}
	s.ok(w, signupOf(sess.Campaign, p, referrerEmail))
}

// NewSpecificAction implements api.ServerInterface. When the campaign
// names its specific action (Native iRefer "specific_action"), any other
// action is incorrect input.
func (s *server) NewSpecificAction(w http.ResponseWriter, r *http.Request, _ api.LicenseKey, params api.NewSpecificActionParams) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	action := strings.TrimSpace(params.Action)
	if want := sess.Campaign.Native.String(canonical.IRefer, nativeSpecificAction); want != "" && action != want {
		s.fail(w, r, canonical.Errorf(canonical.Invalid, "action %q is not the campaign's specific action", action))
		return
	}
	in := canonical.SpecificAction{ExternalID: params.ExternalId, Action: action, IP: sess.IP}
	got, err := sess.Backend.RecordSpecificAction(r.Context(), sess.Campaign.ID, in, strings.TrimSpace(params.ReferrerCode))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, specificAction{CampaignName: sess.Campaign.Name, ExternalID: got.ExternalID})
}

// Referrers implements api.ServerInterface: every participant, newest
// first, in one bare array.
func (s *server) Referrers(w http.ResponseWriter, r *http.Request, _ api.LicenseKey, _ api.ReferrersParams) {
	sess, ok := s.lister(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	people, err := all(ctx, func(cursor string) (canonical.Page[canonical.Participant], error) {
		return sess.Backend.ListParticipants(ctx, canonical.ParticipantQuery{
			CampaignID: sess.Campaign.ID, ListOptions: canonical.ListOptions{Limit: 100, Cursor: cursor}})
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	emails := make(map[string]string, len(people))
	for _, p := range people {
		emails[p.ID] = p.Email
	}
	lookup := s.emails(sess, emails)
	out := make([]referrer, 0, len(people))
	for _, p := range people {
		var refEmail *string
		if p.ReferrerID != "" {
			e, err := lookup(ctx, p.ReferrerID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			refEmail = &e
		}
		out = append(out, referrerOf(s.ids.EncodeID, p, refEmail))
	}
	s.ok(w, out)
}

// Rewards implements api.ServerInterface: every reward earned in the
// campaign, newest first.
func (s *server) Rewards(w http.ResponseWriter, r *http.Request, _ api.LicenseKey, _ api.RewardsParams) {
	sess, ok := s.lister(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	earned, err := all(ctx, func(cursor string) (canonical.Page[canonical.EarnedReward], error) {
		return sess.Backend.ListEarnedRewards(ctx, canonical.RewardQuery{
			CampaignID: sess.Campaign.ID, ListOptions: canonical.ListOptions{Limit: 100, Cursor: cursor}})
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rules := make(map[string]canonical.RewardRule, len(sess.Campaign.Rules))
	for _, rule := range sess.Campaign.Rules {
		rules[rule.ID] = rule
	}
	people := map[string]canonical.Participant{}
	out := make([]rewardTriggered, 0, len(earned))
	for _, er := range earned {
		p, seen := people[er.ParticipantID]
		if !seen {
			p, err = sess.Backend.GetParticipant(ctx, sess.Campaign.ID, canonical.ByID(er.ParticipantID))
			if err != nil && !canonical.IsCode(err, canonical.NotFound) {
				s.fail(w, r, err)
				return
			}
			people[er.ParticipantID] = p
		}
		out = append(out, rewardOf(s.ids.EncodeID, er, p, rules[er.RuleID]))
	}
	s.ok(w, out)
}

// SpecificActionSignups implements api.ServerInterface: every recorded
// specific action, newest first.
func (s *server) SpecificActionSignups(w http.ResponseWriter, r *http.Request, _ api.LicenseKey, _ api.SpecificActionSignupsParams) {
	sess, ok := s.lister(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	acts, err := all(ctx, func(cursor string) (canonical.Page[canonical.SpecificAction], error) {
		return sess.Backend.ListSpecificActions(ctx, sess.Campaign.ID, canonical.ListOptions{Limit: 100, Cursor: cursor})
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lookup := s.emails(sess, map[string]string{})
	out := make([]specificActionSignup, 0, len(acts))
	for _, a := range acts {
		e, err := lookup(ctx, a.ReferrerID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out = append(out, specificActionSignupOf(s.ids.EncodeID, a, e))
	}
	s.ok(w, out)
}

// emails returns a cached lookup of participants' emails by ID, seeded
// with known; a participant that no longer exists has "".
func (s *server) emails(sess session, known map[string]string) func(context.Context, string) (string, error) {
	return func(ctx context.Context, id string) (string, error) {
		if e, ok := known[id]; ok || id == "" {
			return e, nil
		}
		p, err := sess.Backend.GetParticipant(ctx, sess.Campaign.ID, canonical.ByID(id))
		if err != nil && !canonical.IsCode(err, canonical.NotFound) {
			return "", err
		}
		known[id] = p.Email
		return p.Email, nil
	}
}

// all collects every item of a paged list: iRefer's lists have no paging.
func all[T any](ctx context.Context, page func(cursor string) (canonical.Page[T], error)) ([]T, error) {
	var out []T
	cursor := ""
	for {
		if err := ctx.Err(); err != nil {
			return nil, canonical.Transport(err, "request canceled or timed out")
		}
		p, err := page(cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.NextCursor == "" || p.NextCursor == cursor {
			return out, nil
		}
		cursor = p.NextCursor
	}
}

// ReferrerStatsV1 implements api.ServerInterface.
func (s *server) ReferrerStatsV1(w http.ResponseWriter, r *http.Request, key api.LicenseKey, params api.ReferrerStatsV1Params) {
	s.ReferrerStats(w, r, key, api.ReferrerStatsParams(params))
}

// CampaignStatsV1 implements api.ServerInterface.
func (s *server) CampaignStatsV1(w http.ResponseWriter, r *http.Request, key api.LicenseKey, params api.CampaignStatsV1Params) {
	s.CampaignStats(w, r, key, api.CampaignStatsParams(params))
}

// NewSignupV1 implements api.ServerInterface.
func (s *server) NewSignupV1(w http.ResponseWriter, r *http.Request, key api.LicenseKey, params api.NewSignupV1Params) {
	s.NewSignup(w, r, key, api.NewSignupParams(params))
}

// NewSpecificActionV1 implements api.ServerInterface.
func (s *server) NewSpecificActionV1(w http.ResponseWriter, r *http.Request, key api.LicenseKey, params api.NewSpecificActionV1Params) {
	s.NewSpecificAction(w, r, key, api.NewSpecificActionParams(params))
}

// ReferrersV1 implements api.ServerInterface.
func (s *server) ReferrersV1(w http.ResponseWriter, r *http.Request, key api.LicenseKey, params api.ReferrersV1Params) {
	s.Referrers(w, r, key, api.ReferrersParams(params))
}

// RewardsV1 implements api.ServerInterface.
func (s *server) RewardsV1(w http.ResponseWriter, r *http.Request, key api.LicenseKey, params api.RewardsV1Params) {
	s.Rewards(w, r, key, api.RewardsParams(params))
}

// SpecificActionSignupsV1 implements api.ServerInterface.
func (s *server) SpecificActionSignupsV1(w http.ResponseWriter, r *http.Request, key api.LicenseKey, params api.SpecificActionSignupsV1Params) {
	s.SpecificActionSignups(w, r, key, api.SpecificActionSignupsParams(params))
}
