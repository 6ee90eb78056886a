package growsurf

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/mail"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// defaultParticipantPage is the page size when limit is omitted (one
// GrowSurf tool text says 10 for participants).
const defaultParticipantPage = 10

// participantList is GrowSurf's ParticipantList.
type participantList struct {
	Participants []participantOut `json:"participants"`
	Limit        int              `json:"limit"`
	NextID       *string          `json:"nextId"`
}

// ListParticipants implements api.ServerInterface.
func (s *server) ListParticipants(w http.ResponseWriter, r *http.Request, id api.CampaignId, params api.ListParticipantsParams) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	limit := pageLimit(params.Limit, defaultParticipantPage)
	q := canonical.ParticipantQuery{CampaignID: c.camp.ID, ListOptions: canonical.ListOptions{Limit: limit, Cursor: cursor(params.NextId)},
		Sort: canonical.SortOldest}
	if params.Metadata != nil && len(*params.Metadata) > 0 {
		q.Metadata = *params.Metadata
	}
	page, err := c.b.ListParticipants(c.ctx, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := c.renderAll(page.Items)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, participantList{Participants: out, Limit: limit, NextID: nextID(page.NextCursor)})
}

// add gets or creates a participant from addParticipant's body.
func (c *call) add(in api.AddParticipantRequest) (canonical.Participant, bool, error) {
	email := strings.TrimSpace(in.Email)
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@'):], ".") {
		return canonical.Participant{}, false, badField("email", "INVALID_EMAIL", "Invalid email address.")
	}
	np := newParticipant(c.camp.ID, in, c.camp.Kind)
	np.Referrer = c.ids.optionalRef(in.ReferredBy)
	p, created, err := c.b.CreateParticipant(c.ctx, np)
	if canonical.IsCode(err, canonical.Invalid) && !np.Referrer.IsZero() {
		// A referrer that cannot refer this participant (themself) is
		// ignored like one that does not resolve.
		np.Referrer = canonical.ParticipantRef{}
		p, created, err = c.b.CreateParticipant(c.ctx, np)
	}
	return p, created, err
}

// AddParticipant implements api.ServerInterface.
func (s *server) AddParticipant(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.AddParticipantRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p, created, err := c.add(in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := c.render(p, &created)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// CreateMobileParticipantToken implements api.ServerInterface.
func (s *server) CreateMobileParticipantToken(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.AddParticipantRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p, created, err := c.add(in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := c.render(p, &created)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	buf := make([]byte, 16)
	_, _ = rand.Read(buf)
	s.ok(w, struct {
		ParticipantToken string         `json:"participantToken"`
		ExpiresIn        int            `json:"expiresIn"`
		IsNew            bool           `json:"isNew"`
		Participant      participantOut `json:"participant"`
	}{ParticipantToken: "gsp_tok_" + hex.EncodeToString(buf), ExpiresIn: 3600, IsNew: created, Participant: out})
}

// GetParticipant implements api.ServerInterface. Answers come from the
// read cache while nothing in the account has changed.
func (s *server) GetParticipant(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail) {
	caller, _ := surface.CallerFrom(r.Context())
	body, err := s.cfg.Reads.Do(caller.Credential.AccountID, "growsurf GET "+r.URL.RequestURI(), func() ([]byte, error) {
		c, err := s.open(r, id)
		if err != nil {
			return nil, err
		}
		p, err := c.participant(pid)
		if err != nil {
			return nil, err
		}
		out, err := c.render(p, nil)
		if err != nil {
			return nil, err
		}
		return surface.EncodeJSON(out)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	surface.WriteBody(w, http.StatusOK, body)
}

// UpdateParticipant implements api.ServerInterface.
func (s *server) UpdateParticipant(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.UpdateParticipantRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := c.participant(pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	patch, err := participantPatch(s.ids, p, in)
	if canonical.IsCode(err, canonical.NotFound) && in.ReferredBy != nil {
		// A referredBy that does not resolve is ignored, as on add.
		in.ReferredBy = nil
		patch, err = participantPatch(s.ids, p, in)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if patch.Referrer != nil && !patch.Referrer.IsZero() {
		if _, err := c.b.GetParticipant(c.ctx, c.camp.ID, *patch.Referrer); canonical.IsCode(err, canonical.NotFound) {
			patch.Referrer = nil
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	updated, err := c.b.UpdateParticipant(c.ctx, c.camp.ID, canonical.ByID(p.ID), patch)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := c.render(updated, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// participantPatch is updateParticipant's body as a patch of p.
func participantPatch(ids *idCodecs, p canonical.Participant, in api.UpdateParticipantRequest) (canonical.ParticipantPatch, error) {
	var patch canonical.ParticipantPatch
	if in.Email != nil {
		e := strings.TrimSpace(*in.Email)
		if addr, err := mail.ParseAddress(e); err != nil || addr.Address != e {
			return patch, badField("email", "INVALID_EMAIL", "Invalid email address.")
		}
		patch.Email = &e
	}
	patch.FirstName, patch.LastName, patch.Notes = in.FirstName, in.LastName, in.Notes
	patch.Unsubscribed = in.Unsubscribed
	patch.VanityKeys = in.VanityKeys
	if in.Metadata != nil {
		patch.Metadata = stringMap(*in.Metadata)
		patch.Native.Set(vendor, nMetadata, map[string]any(*in.Metadata))
	}
	if in.ReferralStatus != nil {
		st := referralStateIn(string(*in.ReferralStatus))
		patch.ReferralState = &st
	}
	if in.ReferredBy != nil {
		ref := canonical.ParticipantRef{}
		if strings.TrimSpace(*in.ReferredBy) != "" {
			var err error
			if ref, err = ids.participantRef(*in.ReferredBy); err != nil {
				return patch, err
			}
		}
		patch.Referrer = &ref
	}
	if in.PaypalEmail != nil || in.AffiliateStatus != nil {
		a := p.Affiliate
		if in.PaypalEmail != nil {
			a.PaypalEmail = strings.TrimSpace(*in.PaypalEmail)
		}
		if in.AffiliateStatus != nil {
			a.State = affiliateState(*in.AffiliateStatus)
		}
		patch.Affiliate = &a
	}
	return patch, nil
}

// DeleteParticipant implements api.ServerInterface.
func (s *server) DeleteParticipant(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ref, err := s.ids.participantRef(pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := c.b.DeleteParticipant(c.ctx, c.camp.ID, ref); err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, api.SuccessResult{Success: true})
}

// BulkDeleteParticipants implements api.ServerInterface.
func (s *server) BulkDeleteParticipants(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.BulkDeleteParticipantsRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	out := api.BulkDeleteResult{Results: []api.BulkDeleteRow{}}
	seen := map[string]bool{}
	for i, ident := range in.Participants {
		row := api.BulkDeleteRow{Index: i, Identifier: ident}
		key := strings.ToLower(strings.TrimSpace(ident))
		ref, rerr := s.ids.participantRef(ident)
		switch {
		case seen[key]:
			row.Status, row.Message = "DUPLICATE", ptr("Duplicate identifier in request.")
			out.Summary.DuplicateCount++
		case rerr != nil:
			row.Status, row.Message = "NOT_FOUND", ptr("Participant not found.")
			out.Summary.NotFoundCount++
		default:
			p, err := c.b.DeleteParticipant(c.ctx, c.camp.ID, ref)
			switch {
			case err == nil:
				row.Status, row.ParticipantId, row.Email = "DELETED", ptr(s.ids.participant.encode(p.ID)), ptr(p.Email)
				out.Summary.DeletedCount++
				// The same person by their other identifier is a duplicate.
				seen[strings.ToLower(p.Email)] = true
				seen[s.ids.participant.encode(p.ID)] = true
			case canonical.IsCode(err, canonical.NotFound):
				row.Status, row.Message = "NOT_FOUND", ptr("Participant not found.")
				out.Summary.NotFoundCount++
			default:
				if surface.ServerFault(err) {
					s.cfg.Log().Error("growsurf: bulk delete", "err", err)
				}
				row.Status, row.Message = "ERROR", ptr("The participant could not be deleted.")
				out.Summary.ErrorCount++
			}
		}
		seen[key] = true
		out.Results = append(out.Results, row)
	}
	out.Summary.Total = len(in.Participants)
	s.ok(w, out)
}

// GetLeaderboard implements api.ServerInterface.
func (s *server) GetLeaderboard(w http.ResponseWriter, r *http.Request, id api.CampaignId, params api.GetLeaderboardParams) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	board := canonical.AllTime
	if params.IsMonthly != nil && *params.IsMonthly {
		board = canonical.CurrentMonth
	}
	if params.LeaderboardType != nil {
		switch *params.LeaderboardType {
		case "ALL_TIME", "BY_REFERRALS":
			board = canonical.AllTime
		case "CURRENT_MONTH":
			board = canonical.CurrentMonth
		case "PREV_MONTH":
			board = canonical.PreviousMonth
		default:
			s.fail(w, r, badField("leaderboardType", "UNSUPPORTED_LEADERBOARD_TYPE",
				"leaderboardType "+string(*params.LeaderboardType)+" is not supported."))
			return
		}
	}
	limit := pageLimit(params.Limit, defaultParticipantPage)
	page, err := c.b.Leaderboard(c.ctx, canonical.LeaderboardQuery{CampaignID: c.camp.ID, Board: board,
		ListOptions: canonical.ListOptions{Limit: limit, Cursor: cursor(params.NextId)}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := c.renderAll(page.Items)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, participantList{Participants: out, Limit: limit, NextID: nextID(page.NextCursor)})
}
