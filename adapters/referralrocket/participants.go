package referralrocket

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	api "github.com/refbridge/refbridge/client/referralrocket"
)

// Paging defaults: the vendor returns 20 records per call; Spring caps
// page sizes at 2000.
const (
	defaultPageSize = 20
	maxPageSize     = 2000
	// engineChunk is the most participants asked of the backend at once.
	engineChunk = 100
)

// decodeBody reads a JSON request body into v. The validator has already
// checked it against the spec; unknown fields are ignored as the vendor's
// Spring/Jackson stack does.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return canonical.Wrap(canonical.Invalid, err, "Request body is too large")
		}
		return canonical.Wrap(canonical.Invalid, err, "Required request body is missing")
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return canonical.Errorf(canonical.Invalid, "Required request body is missing")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return canonical.Wrap(canonical.Invalid, err, "JSON parse error: malformed request body")
	}
	return nil
}

// referrerCodes finds referrers' codes for referredByCode, remembering
// them for the rest of a request.
type referrerCodes struct {
	b          canonical.Backend
	campaignID string
	known      map[string]*string
}

// of returns the referral code of p's referrer, nil for a direct
// participant.
func (rc *referrerCodes) of(ctx context.Context, p canonical.Participant) (*string, error) {
	if p.ReferrerID == "" {
		return nil, nil
	}
	if code, ok := rc.known[p.ReferrerID]; ok {
		return code, nil
	}
	ref, err := rc.b.GetParticipant(ctx, rc.campaignID, canonical.ByID(p.ReferrerID))
	var code *string
	switch {
	case err == nil:
		code = &ref.ReferralCode
	case canonical.IsCode(err, canonical.NotFound):
		// The referrer is gone; the participant reads as direct.
	default:
		return nil, err
	}
	if rc.known == nil {
		rc.known = map[string]*string{}
	}
	rc.known[p.ReferrerID] = code
	return code, nil
}

// render turns participants into vendor objects.
func (sc scope) render(ctx context.Context, ps ...canonical.Participant) ([]participantResponse, error) {
	rc := &referrerCodes{b: sc.b, campaignID: sc.campaign.ID}
	out := make([]participantResponse, 0, len(ps))
	for _, p := range ps {
		code, err := rc.of(ctx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, toParticipant(p, sc.ref, code))
	}
	return out, nil
}

// writeParticipant answers with one participant.
func (s *server) writeParticipant(w http.ResponseWriter, r *http.Request, sc scope, p canonical.Participant) {
	out, err := sc.render(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	surface.WriteJSON(w, http.StatusOK, out[0])
}

// participantByEmail finds a participant of the campaign by email.
func (sc scope) participantByEmail(ctx context.Context, email string) (canonical.Participant, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return canonical.Participant{}, canonical.Errorf(canonical.NotFound, msgParticipantNotFound)
	}
	p, err := sc.b.GetParticipant(ctx, sc.campaign.ID, canonical.ByEmail(email))
	return p, notFoundAs(err, msgParticipantNotFound)
}

// pageParams reads Spring's page (0-based) and size.
func pageParams(page, size *int32) (int, int) {
	p, n := 0, defaultPageSize
	if page != nil && *page > 0 {
		p = int(*page)
	}
	if size != nil && *size > 0 {
		n = min(int(*size), maxPageSize)
	}
	return p, n
}

// listPage returns page number page (size participants each) of the
// query. The backend pages by cursor, so earlier pages are walked through.
func listPage(ctx context.Context, b canonical.Backend, q canonical.ParticipantQuery, page, size int) ([]canonical.Participant, error) {
	skip := int64(page) * int64(size)
	out := make([]canonical.Participant, 0, min(size, engineChunk))
	for {
		want := skip + int64(size-len(out))
		q.Limit = int(min(want, engineChunk))
		res, err := b.ListParticipants(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, p := range res.Items {
			if skip > 0 {
				skip--
				continue
			}
			out = append(out, p)
			if len(out) == size {
				return out, nil
			}
		}
		if res.NextCursor == "" || len(res.Items) == 0 {
			return out, nil
		}
		q.Cursor = res.NextCursor
	}
}

// writeList answers with a page of participants as a bare JSON array.
func (s *server) writeList(w http.ResponseWriter, r *http.Request, sc scope, q canonical.ParticipantQuery, page, size *int32, sort *[]string) {
	var criteria []string
	if sort != nil {
		criteria = *sort
	}
	order, err := sortOf(criteria)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q.CampaignID, q.Sort = sc.campaign.ID, order
	p, n := pageParams(page, size)
	ps, err := listPage(r.Context(), sc.b, q, p, n)
	if err != nil {
		s.fail(w, r, notFoundAs(err, msgCampaignNotFound))
		return
	}
	out, err := sc.render(r.Context(), ps...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	surface.WriteJSON(w, http.StatusOK, out)
}

// AddParticipant implements POST /api/v1/addParticipant: a direct or
// referred participant; an email already in the campaign answers the
// existing participant.
func (s *server) AddParticipant(w http.ResponseWriter, r *http.Request) {
	var req addParticipantRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	sc, err := s.campaign(r.Context(), req.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, _, err := sc.b.CreateParticipant(r.Context(), toNewParticipant(req, sc.campaign.ID))
	if err != nil {
		s.fail(w, r, notFoundAs(err, msgCampaignNotFound))
		return
	}
	s.writeParticipant(w, r, sc, p)
}

// GetParticipant implements GET /api/v1/getParticipant.
func (s *server) GetParticipant(w http.ResponseWriter, r *http.Request, params api.GetParticipantParams) {
	sc, err := s.campaign(r.Context(), params.Id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := sc.participantByEmail(r.Context(), params.Email)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeParticipant(w, r, sc, p)
}

// GetAllParticipants implements GET /api/v1/getAllParticipants.
func (s *server) GetAllParticipants(w http.ResponseWriter, r *http.Request, params api.GetAllParticipantsParams) {
	sc, err := s.campaign(r.Context(), params.Id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeList(w, r, sc, canonical.ParticipantQuery{}, params.Page, params.Size, params.Sort)
}

// GetReferrals implements GET /api/v1/getReferrals: the participants the
// referrer with the given email brought in.
func (s *server) GetReferrals(w http.ResponseWriter, r *http.Request, params api.GetReferralsParams) {
	sc, err := s.campaign(r.Context(), params.Id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	referrer, err := sc.participantByEmail(r.Context(), params.Email)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeList(w, r, sc, canonical.ParticipantQuery{ReferrerID: referrer.ID}, params.Page, params.Size, params.Sort)
}

// QualifyParticipant implements POST /api/v1/qualifyParticipant: the
// referred participant's qualifying purchase, which credits their referral.
func (s *server) QualifyParticipant(w http.ResponseWriter, r *http.Request) {
	var req qualifyParticipantRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	sc, err := s.campaign(r.Context(), req.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	amount := canonical.Money{Currency: sc.campaign.Currency}
	if req.Amount != nil {
		if amount, err = purchaseAmount(*req.Amount, sc.campaign.Currency); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	email := strings.TrimSpace(req.Email)
	if email == "" {
		s.fail(w, r, canonical.Errorf(canonical.NotFound, msgParticipantNotFound))
		return
	}
	p, err := sc.b.QualifyReferral(r.Context(), sc.campaign.ID, canonical.ByEmail(email), amount)
	switch {
	case canonical.IsCode(err, canonical.Invalid):
		s.fail(w, r, canonical.Wrap(canonical.Invalid, err, "Participant was not referred"))
		return
	case err != nil:
		s.fail(w, r, notFoundAs(err, msgParticipantNotFound))
		return
	}
	s.writeParticipant(w, r, sc, p)
}

// ValidateCode implements GET /api/v1/validateCode: true when the code
// belongs to a participant of the campaign, false otherwise.
func (s *server) ValidateCode(w http.ResponseWriter, r *http.Request, params api.ValidateCodeParams) {
	sc, err := s.campaign(r.Context(), params.CampaignId)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	code := strings.TrimSpace(params.Code)
	valid := false
	if code != "" {
		_, err := sc.b.GetParticipant(r.Context(), sc.campaign.ID, canonical.ByCode(code))
		switch {
		case err == nil:
			valid = true
		case !canonical.IsCode(err, canonical.NotFound) && !canonical.IsCode(err, canonical.Invalid):
			s.fail(w, r, err)
			return
		}
	}
	surface.WriteJSON(w, http.StatusOK, valid)
}
