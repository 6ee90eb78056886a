package proxy_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// TestCrossSurfaceMatrix writes through each vendor surface and reads
// through every surface: for each creating surface S, participant P and a
// participant Q referred by P are created through S, and each reading
// surface V must show P's email, one referral, Q as referred by P, P's
// earned reward (where V shows rewards), and an ID for P that decodes to
// the same engine participant. Where V shows them, it must also show Q's
// referral as credited, P at rank 1, P's referral code as the engine
// holds it, and the campaign's counters (2 participants, 1 referral).
// The campaign credits referrals at signup; see mxCampaign for its rule.
func TestCrossSurfaceMatrix(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, nil)
	drivers := mxDrivers()
	for _, s := range drivers {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			tn := srv.NewTenant(t, "matrix-"+s.name, mxCampaign())
			e := newMxEnv(t, srv, tn)
			// Mixed case and a plus tag: the readers look both up by the
			// lower-case email (lookups by email are case-insensitive)
			// and must render them as given.
			p := mxPerson{Email: "Pat." + s.name + "@Example.com"}
			p.EngineID = s.create(t, e, p.Email, nil)
			q := mxPerson{Email: "quinn+" + s.name + "@example.com"}
			q.EngineID = s.create(t, e, q.Email, &p)

			// What S wrote, as the engine holds it.
			ep := e.engine(t, canonical.ByID(p.EngineID))
			eq := e.engine(t, canonical.ByID(q.EngineID))
			if eq.ReferrerID != p.EngineID || eq.ReferralState != canonical.StateCredited {
				t.Fatalf("created through %s: engine has Q %s referred by %q in state %q, want referred by P %s, credited",
					s.name, q.Email, eq.ReferrerID, eq.ReferralState, p.EngineID)
			}
			if ep.Stats.Referrals != 1 || ep.Stats.RewardsEarned != 1 {
				t.Fatalf("created through %s: engine has P with %d credited referrals and %d rewards, want 1 and 1",
					s.name, ep.Stats.Referrals, ep.Stats.RewardsEarned)
			}

			for _, v := range drivers {
				t.Run(s.name+"→"+v.name, func(t *testing.T) {
					t.Parallel()
					got := v.read(t, e, p, q)
					where := fmt.Sprintf("created through %s, read through %s", s.name, v.name)
					t.Logf("%s: id=%q engine=%q email=%q code=%q referrals=%d rewards=%d rank=%d campaign=%d/%d referral: %s",
						where, got.ID, got.EngineID, got.Email, got.Code, got.Referrals, got.Rewards, got.Rank, got.CampaignParticipants, got.CampaignReferrals, got.Detail)
					if got.Email != p.Email {
						t.Errorf("%s: P's email (%s) is %q, want %q", where, got.Fields["email"], got.Email, p.Email)
					}
					if got.Referrals != 1 {
						t.Errorf("%s: P's referral count (%s) is %d, want 1", where, got.Fields["referrals"], got.Referrals)
					}
					if !got.ReferredByP {
						t.Errorf("%s: Q %s is not shown as referred by P (%s): %s", where, q.Email, got.Fields["referredBy"], got.Detail)
					}
					if got.Rewards != -1 && got.Rewards != 1 {
						t.Errorf("%s: P's earned rewards (%s) number %d, want 1", where, got.Fields["rewards"], got.Rewards)
					}
					if got.ID == "" || got.EngineID != p.EngineID {
						t.Errorf("%s: P's ID as %s renders it (%s) is %q and resolves to engine participant %q, want engine participant %q (the ID every other surface's ID for P decodes to)",
							where, v.name, got.Fields["id"], got.ID, got.EngineID, p.EngineID)
					}
					if got.QStatus != got.QStatusWant {
						t.Errorf("%s: Q's referral state (%s) is %q, want %q (credited at signup)", where, got.Fields["qstatus"], got.QStatus, got.QStatusWant)
					}
					if got.Rank != -1 && got.Rank != 1 {
						t.Errorf("%s: P's rank (%s) is %d, want 1", where, got.Fields["rank"], got.Rank)
					}
					if got.CampaignParticipants != -1 && got.CampaignParticipants != 2 {
						t.Errorf("%s: the campaign's participant count (%s) is %d, want 2", where, got.Fields["campaignParticipants"], got.CampaignParticipants)
					}
					if got.CampaignReferrals != -1 && got.CampaignReferrals != 1 {
						t.Errorf("%s: the campaign's referral count (%s) is %d, want 1", where, got.Fields["campaignReferrals"], got.CampaignReferrals)
					}
					if got.Code != "" && got.Code != ep.ReferralCode {
						t.Errorf("%s: P's referral code as %s shows it is %q, want %q", where, v.name, got.Code, ep.ReferralCode)
					}
				})
			}
		})
	}
}

// mxSnapshot is what the isolation test compares of tenant A before and
// after tenant B's attempts.
type mxSnapshot struct {
	Campaign     canonical.Campaign
	Participants []canonical.Participant
	Rewards      []canonical.EarnedReward
	Links        []canonical.Link
}

func mxSnap(t *testing.T, tn proxytest.Tenant) mxSnapshot {
	t.Helper()
	ctx := context.Background()
	var s mxSnapshot
	var err error
	if s.Campaign, err = tn.Backend.GetCampaign(ctx, tn.Campaign.ID); err != nil {
		t.Fatal(err)
	}
	ps, err := tn.Backend.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: tn.Campaign.ID, Sort: canonical.SortOldest, ListOptions: canonical.ListOptions{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	s.Participants = ps.Items
	rs, err := tn.Backend.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: tn.Campaign.ID, ListOptions: canonical.ListOptions{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	s.Rewards = rs.Items
	ls, err := tn.Backend.ListLinks(ctx, canonical.LinkQuery{CampaignID: tn.Campaign.ID, ListOptions: canonical.ListOptions{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	s.Links = ls.Items
	return s
}

// mxAttempt is one request tenant B makes against tenant A's data.
type mxAttempt struct {
	what string
	do   func(t *testing.T) mxResp
	// check returns "" when the response is an acceptable refusal.
	check func(r mxResp) string
}

// Vendor refusal shapes: each returns "" when r is that vendor's
// not-found or unauthorized answer.

func gsDenied(r mxResp) string {
	switch {
	case r.status == http.StatusNotFound && jstr(r.body, "name") == "NotFoundError" && jstr(r.body, "code") == "NOT_FOUND_ERROR" && jint(r.body, "status") == 404 && jstr(r.body, "message") != "":
	case r.status == http.StatusForbidden && jstr(r.body, "name") == "NotAuthorizedError" && jstr(r.body, "code") == "NOT_AUTHORIZED_ERROR":
	default:
		return "want GrowSurf's 404 NotFoundError (or 403 NotAuthorizedError) body"
	}
	return ""
}

func rhDenied(codes ...string) func(mxResp) string {
	return func(r mxResp) string {
		ok := jstr(r.body, "status") == "error" && jstr(r.body, "message") != ""
		switch {
		case ok && r.status == http.StatusNotFound && slices.Contains(codes, jstr(r.body, "code")):
		case ok && r.status == http.StatusUnauthorized && jstr(r.body, "code") == "invalid_token":
		default:
			return fmt.Sprintf("want ReferralHero's 404 {status:error, code:%s} (or 401 invalid_token) body", strings.Join(codes, "|"))
		}
		return ""
	}
}

func rrDenied(message string) func(mxResp) string {
	return func(r mxResp) string {
		if (r.status != http.StatusNotFound && r.status != http.StatusUnauthorized) || jint(r.body, "status") != r.status ||
			jstr(r.body, "error") != http.StatusText(r.status) || jstr(r.body, "path") == "" || jstr(r.body, "timestamp") == "" ||
			(r.status == http.StatusNotFound && jstr(r.body, "message") != message) {
			return fmt.Sprintf("want Referral Rocket's 404 ErrorDetail with message %q (or 401)", message)
		}
		return ""
	}
}

func rwDenied(thing string) func(mxResp) string {
	return func(r mxResp) string {
		m, _ := r.body.(map[string]any)
		switch {
		case r.status == http.StatusNotFound && strings.HasPrefix(jstr(r.body, "error"), thing+" not found: ") && len(m) == 1:
		case r.status == http.StatusUnauthorized && jstr(r.body, "error") == "Invalid API Secret.":
		default:
			return fmt.Sprintf("want Rewardful's 404 {\"error\": %q} (or 401) body", thing+" not found: <id>")
		}
		return ""
	}
}

func irDenied(method string) func(mxResp) string {
	return func(r mxResp) string {
		want := `{"error":"input missing or incorrect","error_code":"irefer_api_` + method + `_err_401"}`
		if r.status != http.StatusOK || string(bytes.TrimSpace(r.raw)) != want {
			return "want iRefer's 200 " + want
		}
		return ""
	}
}

// mxUnreferred accepts a successful signup into B's campaign that named
// one of A's participants as referrer only when the new participant is
// not referred (the referrer field at path is empty or null): A's
// participant does not resolve in B's campaign, and each vendor ignores a
// referrer that does not resolve.
func mxUnreferred(path ...string) func(mxResp) string {
	return func(r mxResp) string {
		if r.status != http.StatusOK || jstr(r.body, "error_code") != "" {
			return "want 200: the signup itself is B's to make"
		}
		if got := jget(r.body, path...); got != nil && got != "" {
			return fmt.Sprintf("the new participant of tenant B is referred by tenant A's participant (%s = %v)", strings.Join(path, "."), got)
		}
		return ""
	}
}

// mxExcludes accepts a successful listing of B's own data that shows none
// of A's participants (their emails or IDs).
func mxExcludes(status int, forbidden ...string) func(mxResp) string {
	return func(r mxResp) string {
		if r.status != status {
			return fmt.Sprintf("want %d listing of B's own data", status)
		}
		for _, f := range forbidden {
			if f != "" && bytes.Contains(r.raw, []byte(f)) {
				return fmt.Sprintf("B's listing shows tenant A's %q", f)
			}
		}
		return ""
	}
}

// TestTenantIsolationAcrossSurfaces creates tenant A's participants
// through every surface, then lets tenant B, with its own valid
// credentials, try to read, list, change and delete them on every surface
// by A's IDs (in each vendor's format), emails and codes, and to use A's
// campaign IDs. Every attempt must be refused in the vendor's not-found or
// unauthorized shape (or, for B's own lists, show nothing of A), and A's
// data must be unchanged.
func TestTenantIsolationAcrossSurfaces(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, nil)
	a := srv.NewTenant(t, "iso-a", mxCampaign())
	b := srv.NewTenant(t, "iso-b", mxCampaign())
	ea, eb := newMxEnv(t, srv, a), newMxEnv(t, srv, b)

	// A's participants, one direct and one referred per creating surface.
	type victim struct {
		mxPerson
		via  string
		code string
		// IDs in each vendor's format.
		gs, rh, rw, ir string
	}
	var victims []victim
	for _, d := range mxDrivers() {
		p := mxPerson{Email: "a.p." + d.name + "@example.com"}
		p.EngineID = d.create(t, ea, p.Email, nil)
		q := mxPerson{Email: "a.q." + d.name + "@example.com"}
		q.EngineID = d.create(t, ea, q.Email, &p)
		for _, x := range []mxPerson{p, q} {
			victims = append(victims, victim{mxPerson: x, via: d.name, code: ea.engine(t, canonical.ByID(x.EngineID)).ReferralCode,
				gs: gsID(t, ea, x.Email), rh: ea.rhIDs.SubscriberID(x.EngineID), rw: rwID(t, ea, x.Email),
				ir: ea.irIDs.EncodeID(irefer.KindParticipant, x.EngineID)})
		}
	}
	// B has a participant of its own, so that its lists are not empty and
	// its credentials are shown to work.
	own := mxPerson{Email: "b.own@example.com"}
	own.EngineID = rrCreate(t, eb, own.Email, nil)
	before := mxSnap(t, a)

	var forbidden []string
	for _, v := range victims {
		forbidden = append(forbidden, v.Email, v.gs, v.rh, v.rw, `"id":"`+v.ir+`"`)
	}

	t.Run("attempts", func(t *testing.T) {
		plan := map[string][]mxAttempt{}
		for i, v := range victims {
			who := fmt.Sprintf("A's participant %s (created through %s)", v.Email, v.via)
			// newB is a fresh email for a participant B signs up with one
			// of A's participants as referrer.
			newB := func(tag string) string { return fmt.Sprintf("b.%s.%d@example.com", tag, i) }
			esc := url.PathEscape
			gsB, gsA := "/v2/campaign/"+eb.gsCampaign, "/v2/campaign/"+ea.gsCampaign
			rhB, rhA := "/api/v2/lists/"+eb.rhList, "/api/v2/lists/"+ea.rhList
			patch := map[string]any{"firstName": "Mallory"}
			surfaces := map[string][]mxAttempt{
				"growsurf": {
					{"GET B's program/participant/{A's id}", func(t *testing.T) mxResp { return eb.gs(t, "GET", gsB+"/participant/"+esc(v.gs), nil) }, gsDenied},
					{"GET B's program/participant/{A's email}", func(t *testing.T) mxResp { return eb.gs(t, "GET", gsB+"/participant/"+esc(v.Email), nil) }, gsDenied},
					{"GET A's program/participant/{A's id}", func(t *testing.T) mxResp { return eb.gs(t, "GET", gsA+"/participant/"+esc(v.gs), nil) }, gsDenied},
					{"GET A's program/participant/{A's email}", func(t *testing.T) mxResp { return eb.gs(t, "GET", gsA+"/participant/"+esc(v.Email), nil) }, gsDenied},
					{"GET B's program/participant/{A's id}/rewards", func(t *testing.T) mxResp { return eb.gs(t, "GET", gsB+"/participant/"+esc(v.gs)+"/rewards", nil) }, gsDenied},
					{"GET B's program/participant/{A's id}/referrals", func(t *testing.T) mxResp { return eb.gs(t, "GET", gsB+"/participant/"+esc(v.gs)+"/referrals", nil) }, gsDenied},
					{"POST (update) B's program/participant/{A's id}", func(t *testing.T) mxResp { return eb.gs(t, "POST", gsB+"/participant/"+esc(v.gs), patch) }, gsDenied},
					{"POST (update) A's program/participant/{A's id}", func(t *testing.T) mxResp { return eb.gs(t, "POST", gsA+"/participant/"+esc(v.gs), patch) }, gsDenied},
					{"DELETE B's program/participant/{A's id}", func(t *testing.T) mxResp { return eb.gs(t, "DELETE", gsB+"/participant/"+esc(v.gs), nil) }, gsDenied},
					{"DELETE B's program/participant/{A's email}", func(t *testing.T) mxResp { return eb.gs(t, "DELETE", gsB+"/participant/"+esc(v.Email), nil) }, gsDenied},
					{"DELETE A's program/participant/{A's id}", func(t *testing.T) mxResp { return eb.gs(t, "DELETE", gsA+"/participant/"+esc(v.gs), nil) }, gsDenied},
					{"POST (add) B's program/participant referredBy {A's id}", func(t *testing.T) mxResp {
						return eb.gs(t, "POST", gsB+"/participant", map[string]any{"email": newB("gs-id"), "referredBy": v.gs})
					}, mxUnreferred("referredBy")},
					{"POST (add) B's program/participant referredBy {A's email}", func(t *testing.T) mxResp {
						return eb.gs(t, "POST", gsB+"/participant", map[string]any{"email": newB("gs-email"), "referredBy": v.Email})
					}, mxUnreferred("referredBy")},
				},
				"referralhero": {
					{"GET B's list/subscribers/{A's id}", func(t *testing.T) mxResp { return eb.rh(t, "GET", rhB+"/subscribers/"+esc(v.rh), nil) }, rhDenied("subscriber_not_found")},
					{"GET A's list/subscribers/{A's id}", func(t *testing.T) mxResp { return eb.rh(t, "GET", rhA+"/subscribers/"+esc(v.rh), nil) }, rhDenied("invalid_list")},
					{"GET B's list/retrieve_by_email {A's email}", func(t *testing.T) mxResp {
						return eb.rh(t, "GET", rhB+"/subscribers/retrieve_by_email?email="+url.QueryEscape(v.Email), nil)
					}, rhDenied("subscriber_not_found")},
					{"GET A's list/retrieve_by_email {A's email}", func(t *testing.T) mxResp {
						return eb.rh(t, "GET", rhA+"/subscribers/retrieve_by_email?email="+url.QueryEscape(v.Email), nil)
					}, rhDenied("invalid_list")},
					{"GET B's list/retrieve_by_mwr {A's code}", func(t *testing.T) mxResp {
						return eb.rh(t, "GET", rhB+"/subscribers/retrieve_by_mwr?mwr="+url.QueryEscape(v.code), nil)
					}, rhDenied("subscriber_not_found")},
					{"GET B's list/subscribers/{A's id}/referred", func(t *testing.T) mxResp { return eb.rh(t, "GET", rhB+"/subscribers/"+esc(v.rh)+"/referred", nil) }, rhDenied("subscriber_not_found")},
					{"GET B's list/subscribers/{A's id}/rewards", func(t *testing.T) mxResp { return eb.rh(t, "GET", rhB+"/subscribers/"+esc(v.rh)+"/rewards", nil) }, rhDenied("subscriber_not_found")},
					{"POST (update) B's list/subscribers/{A's id}", func(t *testing.T) mxResp {
						return eb.rh(t, "POST", rhB+"/subscribers/"+esc(v.rh), map[string]any{"name": "Mallory"})
					}, rhDenied("subscriber_not_found")},
					{"POST (update) A's list/subscribers/{A's id}", func(t *testing.T) mxResp {
						return eb.rh(t, "POST", rhA+"/subscribers/"+esc(v.rh), map[string]any{"name": "Mallory"})
					}, rhDenied("invalid_list")},
					{"POST B's list/subscribers/{A's id}/promote", func(t *testing.T) mxResp { return eb.rh(t, "POST", rhB+"/subscribers/"+esc(v.rh)+"/promote", nil) }, rhDenied("subscriber_not_found")},
					{"DELETE B's list/subscribers/{A's id}", func(t *testing.T) mxResp { return eb.rh(t, "DELETE", rhB+"/subscribers/"+esc(v.rh), nil) }, rhDenied("subscriber_not_found")},
					{"DELETE A's list/subscribers/{A's id}", func(t *testing.T) mxResp { return eb.rh(t, "DELETE", rhA+"/subscribers/"+esc(v.rh), nil) }, rhDenied("invalid_list")},
					{"POST (add) B's list/subscribers referrer {A's code}", func(t *testing.T) mxResp {
						return eb.rh(t, "POST", rhB+"/subscribers", map[string]any{"email": newB("rh-code"), "referrer": v.code})
					}, mxUnreferred("data", "referred_by", "id")},
					{"POST (add) B's list/subscribers referrer {A's email}", func(t *testing.T) mxResp {
						return eb.rh(t, "POST", rhB+"/subscribers", map[string]any{"email": newB("rh-email"), "referrer": v.Email})
					}, mxUnreferred("data", "referred_by", "id")},
				},
				"referralrocket": {
					{"getParticipant B's campaign, A's email", func(t *testing.T) mxResp {
						return eb.rr(t, "GET", "/api/v1/getParticipant", url.Values{"id": {eb.rrCampaign}, "email": {v.Email}}, nil)
					}, rrDenied("Participant not found")},
					{"getParticipant A's campaign, A's email", func(t *testing.T) mxResp {
						return eb.rr(t, "GET", "/api/v1/getParticipant", url.Values{"id": {ea.rrCampaign}, "email": {v.Email}}, nil)
					}, rrDenied("Campaign not found")},
					{"getReferrals B's campaign, A's email", func(t *testing.T) mxResp {
						return eb.rr(t, "GET", "/api/v1/getReferrals", url.Values{"id": {eb.rrCampaign}, "email": {v.Email}}, nil)
					}, rrDenied("Participant not found")},
					{"getReferrals A's campaign, A's email", func(t *testing.T) mxResp {
						return eb.rr(t, "GET", "/api/v1/getReferrals", url.Values{"id": {ea.rrCampaign}, "email": {v.Email}}, nil)
					}, rrDenied("Campaign not found")},
					{"validateCode B's campaign, A's code (answers false)", func(t *testing.T) mxResp {
						return eb.rr(t, "GET", "/api/v1/validateCode", url.Values{"campaignId": {eb.rrCampaign}, "code": {v.code}}, nil)
					}, func(r mxResp) string {
						if r.status != http.StatusOK || string(bytes.TrimSpace(r.raw)) != "false" {
							return "want 200 false: A's code is not valid in B's campaign"
						}
						return ""
					}},
					{"validateCode A's campaign, A's code", func(t *testing.T) mxResp {
						return eb.rr(t, "GET", "/api/v1/validateCode", url.Values{"campaignId": {ea.rrCampaign}, "code": {v.code}}, nil)
					}, rrDenied("Campaign not found")},
					{"qualifyParticipant B's campaign, A's email", func(t *testing.T) mxResp {
						return eb.rr(t, "POST", "/api/v1/qualifyParticipant", nil, map[string]any{"id": eb.rrCampaign, "email": v.Email, "amount": 10})
					}, rrDenied("Participant not found")},
					{"qualifyParticipant A's campaign, A's email", func(t *testing.T) mxResp {
						return eb.rr(t, "POST", "/api/v1/qualifyParticipant", nil, map[string]any{"id": ea.rrCampaign, "email": v.Email, "amount": 10})
					}, rrDenied("Campaign not found")},
					{"addParticipant A's campaign, A's email", func(t *testing.T) mxResp {
						return eb.rr(t, "POST", "/api/v1/addParticipant", nil, map[string]any{"id": ea.rrCampaign, "email": v.Email})
					}, rrDenied("Campaign not found")},
					{"addParticipant B's campaign referredByCode {A's code}", func(t *testing.T) mxResp {
						return eb.rr(t, "POST", "/api/v1/addParticipant", nil, map[string]any{"id": eb.rrCampaign, "email": newB("rr-code"), "referredByCode": v.code})
					}, mxUnreferred("referredByCode")},
					{"addParticipant B's campaign referredByEmail {A's email}", func(t *testing.T) mxResp {
						return eb.rr(t, "POST", "/api/v1/addParticipant", nil, map[string]any{"id": eb.rrCampaign, "email": newB("rr-email"), "referredByEmail": v.Email})
					}, mxUnreferred("referredByCode")},
				},
				"rewardful": {
					{"GET /v1/affiliates/{A's id}", func(t *testing.T) mxResp { return eb.rw(t, "GET", "/v1/affiliates/"+esc(v.rw), nil) }, rwDenied("Affiliate")},
					{"PUT /v1/affiliates/{A's id}", func(t *testing.T) mxResp {
						return eb.rw(t, "PUT", "/v1/affiliates/"+esc(v.rw), map[string]any{"first_name": "Mallory"})
					}, rwDenied("Affiliate")},
					{"GET /v1/affiliates/{A's id}/sso", func(t *testing.T) mxResp { return eb.rw(t, "GET", "/v1/affiliates/"+esc(v.rw)+"/sso", nil) }, rwDenied("Affiliate")},
					{"GET /v1/affiliates?email={A's email} (B's list)", func(t *testing.T) mxResp {
						return eb.rw(t, "GET", "/v1/affiliates?email="+url.QueryEscape(v.Email), nil)
					}, func(r mxResp) string {
						if r.status != http.StatusOK || len(jarr(r.body, "data")) != 0 {
							return "want 200 with empty data"
						}
						return ""
					}},
					{"GET /v1/referrals?affiliate_id={A's id} (B's list)", func(t *testing.T) mxResp {
						return eb.rw(t, "GET", "/v1/referrals?affiliate_id="+url.QueryEscape(v.rw), nil)
					}, func(r mxResp) string {
						if r.status != http.StatusOK || len(jarr(r.body, "data")) != 0 {
							return "want 200 with empty data"
						}
						return ""
					}},
					{"POST /v1/affiliate_links for A's affiliate", func(t *testing.T) mxResp {
						return eb.rw(t, "POST", "/v1/affiliate_links", map[string]any{"affiliate_id": v.rw, "token": "mallory-" + v.via})
					}, func(r mxResp) string {
						// Rewardful answers a foreign affiliate_id in a body
						// with its 404 or its 422 "Could not create …".
						if r.status == http.StatusUnprocessableEntity && strings.HasPrefix(jstr(r.body, "error"), "Could not create") {
							return ""
						}
						return rwDenied("Affiliate")(r)
					}},
				},
				"irefer": {
					{"referrerStats B's campaign, A's email", func(t *testing.T) mxResp { return eb.ir(t, "referrerStats", url.Values{"email": {v.Email}}) }, irDenied("referrerStats")},
					{"referrerStats A's campaign_id, A's email, B's keys", func(t *testing.T) mxResp {
						return eb.ir(t, "referrerStats", url.Values{"email": {v.Email}, "campaign_id": {ea.irCampaign}})
					}, irDenied("referrerStats")},
					{"referrerStats A's (public) license key with B's site key", func(t *testing.T) mxResp {
						return eb.irAs(t, a.Secret(canonical.IRefer, canonical.LicenseKey), b.Secret(canonical.IRefer, canonical.SiteKey), "referrerStats",
							url.Values{"email": {v.Email}, "campaign_id": {ea.irCampaign}})
					}, irDenied("referrerStats")},
					{"newSpecificAction B's campaign, A's referrer code", func(t *testing.T) mxResp {
						return eb.ir(t, "newSpecificAction", url.Values{"referrer_code": {v.code}, "external_id": {"x-" + v.via}, "action": {"purchase"}})
					}, irDenied("newSpecificAction")},
					{"newSpecificAction A's campaign_id, A's referrer code, B's keys", func(t *testing.T) mxResp {
						return eb.ir(t, "newSpecificAction", url.Values{"referrer_code": {v.code}, "external_id": {"x-" + v.via}, "action": {"purchase"}, "campaign_id": {ea.irCampaign}})
					}, irDenied("newSpecificAction")},
					{"newSignup A's campaign_id, A's email, B's keys", func(t *testing.T) mxResp {
						return eb.ir(t, "newSignup", url.Values{"email": {v.Email}, "campaign_id": {ea.irCampaign}})
					}, irDenied("newSignup")},
					{"newSignup B's campaign referrer_code {A's code}", func(t *testing.T) mxResp {
						return eb.ir(t, "newSignup", url.Values{"email": {newB("ir-code")}, "referrer_code": {v.code}})
					}, mxUnreferred("referrer")},
				},
			}
			for surf, attempts := range surfaces {
				for _, at := range attempts {
					at.what = at.what + " for " + who
					plan[surf] = append(plan[surf], at)
				}
			}
		}

		// A's campaign IDs with B's credentials, and B's own lists.
		campaignAttempts := map[string][]mxAttempt{
			"growsurf": {
				{"GET A's program", func(t *testing.T) mxResp { return eb.gs(t, "GET", "/v2/campaign/"+ea.gsCampaign, nil) }, gsDenied},
				{"PATCH A's program", func(t *testing.T) mxResp {
					return eb.gs(t, "PATCH", "/v2/campaign/"+ea.gsCampaign, map[string]any{"name": "pwned"})
				}, gsDenied},
				{"GET A's program/participants", func(t *testing.T) mxResp { return eb.gs(t, "GET", "/v2/campaign/"+ea.gsCampaign+"/participants", nil) }, gsDenied},
				{"GET A's program/leaderboard", func(t *testing.T) mxResp { return eb.gs(t, "GET", "/v2/campaign/"+ea.gsCampaign+"/leaderboard", nil) }, gsDenied},
				{"GET A's program/referrals", func(t *testing.T) mxResp { return eb.gs(t, "GET", "/v2/campaign/"+ea.gsCampaign+"/referrals", nil) }, gsDenied},
				{"POST A's program/participant (add)", func(t *testing.T) mxResp {
					return eb.gs(t, "POST", "/v2/campaign/"+ea.gsCampaign+"/participant", map[string]any{"email": "mallory@example.com"})
				}, gsDenied},
				{"GET /v2/campaigns (B's list)", func(t *testing.T) mxResp { return eb.gs(t, "GET", "/v2/campaigns", nil) }, mxExcludes(200, ea.gsCampaign)},
				{"GET B's program/participants (B's list)", func(t *testing.T) mxResp {
					return eb.gs(t, "GET", "/v2/campaign/"+eb.gsCampaign+"/participants?limit=100", nil)
				}, mxExcludes(200, forbidden...)},
			},
			"referralhero": {
				{"GET A's list/subscribers", func(t *testing.T) mxResp { return eb.rh(t, "GET", "/api/v2/lists/"+ea.rhList+"/subscribers", nil) }, rhDenied("invalid_list")},
				{"GET A's list/leaderboard", func(t *testing.T) mxResp { return eb.rh(t, "GET", "/api/v2/lists/"+ea.rhList+"/leaderboard", nil) }, rhDenied("invalid_list")},
				{"GET A's list/rewards", func(t *testing.T) mxResp { return eb.rh(t, "GET", "/api/v2/lists/"+ea.rhList+"/rewards", nil) }, rhDenied("invalid_list")},
				{"POST A's list/subscribers (add)", func(t *testing.T) mxResp {
					return eb.rh(t, "POST", "/api/v2/lists/"+ea.rhList+"/subscribers", map[string]any{"email": "mallory@example.com"})
				}, rhDenied("invalid_list")},
				{"GET /lists (B's list)", func(t *testing.T) mxResp { return eb.rh(t, "GET", "/api/v2/lists", nil) }, mxExcludes(200, ea.rhList)},
				{"GET B's list/subscribers (B's list)", func(t *testing.T) mxResp { return eb.rh(t, "GET", "/api/v2/lists/"+eb.rhList+"/subscribers", nil) }, mxExcludes(200, forbidden...)},
				{"GET B's list/rewards (B's list)", func(t *testing.T) mxResp { return eb.rh(t, "GET", "/api/v2/lists/"+eb.rhList+"/rewards", nil) }, mxExcludes(200, forbidden...)},
			},
			"referralrocket": {
				{"getCampaign A's campaign", func(t *testing.T) mxResp {
					return eb.rr(t, "GET", "/api/v1/getCampaign", url.Values{"id": {ea.rrCampaign}}, nil)
				}, rrDenied("Campaign not found")},
				{"getAllParticipants A's campaign", func(t *testing.T) mxResp {
					return eb.rr(t, "GET", "/api/v1/getAllParticipants", url.Values{"id": {ea.rrCampaign}}, nil)
				}, rrDenied("Campaign not found")},
				{"addParticipant A's campaign (new email)", func(t *testing.T) mxResp {
					return eb.rr(t, "POST", "/api/v1/addParticipant", nil, map[string]any{"id": ea.rrCampaign, "email": "mallory@example.com"})
				}, rrDenied("Campaign not found")},
				{"getAllParticipants B's campaign (B's list)", func(t *testing.T) mxResp {
					return eb.rr(t, "GET", "/api/v1/getAllParticipants", url.Values{"id": {eb.rrCampaign}, "size": {"100"}}, nil)
				}, mxExcludes(200, forbidden...)},
			},
			"rewardful": {
				{"GET /v1/campaigns/{A's id}", func(t *testing.T) mxResp { return eb.rw(t, "GET", "/v1/campaigns/"+ea.rwCampaign, nil) }, rwDenied("Campaign")},
				{"PUT /v1/campaigns/{A's id}", func(t *testing.T) mxResp {
					return eb.rw(t, "PUT", "/v1/campaigns/"+ea.rwCampaign, map[string]any{"name": "pwned"})
				}, rwDenied("Campaign")},
				{"POST /v1/affiliates into A's campaign", func(t *testing.T) mxResp {
					return eb.rw(t, "POST", "/v1/affiliates", map[string]any{"first_name": "Mal", "last_name": "Lory", "email": "mallory@example.com", "campaign_id": ea.rwCampaign})
				}, rwDenied("Campaign")},
				{"GET /v1/affiliates?campaign_id={A's id}", func(t *testing.T) mxResp {
					return eb.rw(t, "GET", "/v1/affiliates?campaign_id="+ea.rwCampaign, nil)
				}, func(r mxResp) string {
					// A list filter naming an unknown campaign: Rewardful
					// lists nothing (or refuses it as not found).
					if r.status == http.StatusOK && len(jarr(r.body, "data")) == 0 {
						return ""
					}
					return rwDenied("Campaign")(r)
				}},
				{"GET /v1/campaigns (B's list)", func(t *testing.T) mxResp { return eb.rw(t, "GET", "/v1/campaigns", nil) }, mxExcludes(200, ea.rwCampaign)},
				{"GET /v1/affiliates (B's list)", func(t *testing.T) mxResp { return eb.rw(t, "GET", "/v1/affiliates?limit=100", nil) }, mxExcludes(200, forbidden...)},
				{"GET /v1/referrals (B's list)", func(t *testing.T) mxResp { return eb.rw(t, "GET", "/v1/referrals?limit=100", nil) }, mxExcludes(200, forbidden...)},
				{"GET /v1/affiliate_links (B's list)", func(t *testing.T) mxResp { return eb.rw(t, "GET", "/v1/affiliate_links?limit=100", nil) }, mxExcludes(200, forbidden...)},
			},
			"irefer": {
				{"campaignStats A's campaign_id, B's keys", func(t *testing.T) mxResp {
					return eb.ir(t, "campaignStats", url.Values{"campaign_id": {ea.irCampaign}})
				}, irDenied("campaignStats")},
				{"referrers A's campaign_id, B's keys", func(t *testing.T) mxResp {
					return eb.ir(t, "referrers", url.Values{"campaign_id": {ea.irCampaign}})
				}, irDenied("referrers")},
				{"rewards A's campaign_id, B's keys", func(t *testing.T) mxResp {
					return eb.ir(t, "rewards", url.Values{"campaign_id": {ea.irCampaign}})
				}, irDenied("rewards")},
				{"newSignup A's campaign_id (new email), B's keys", func(t *testing.T) mxResp {
					return eb.ir(t, "newSignup", url.Values{"email": {"mallory@example.com"}, "campaign_id": {ea.irCampaign}})
				}, irDenied("newSignup")},
				{"referrers A's (public) license key with B's site key", func(t *testing.T) mxResp {
					return eb.irAs(t, a.Secret(canonical.IRefer, canonical.LicenseKey), b.Secret(canonical.IRefer, canonical.SiteKey), "referrers",
						url.Values{"campaign_id": {ea.irCampaign}})
				}, irDenied("referrers")},
				{"referrers (B's list)", func(t *testing.T) mxResp { return eb.ir(t, "referrers", nil) }, mxExcludes(200, forbidden...)},
				{"rewards (B's list)", func(t *testing.T) mxResp { return eb.ir(t, "rewards", nil) }, mxExcludes(200, forbidden...)},
			},
		}
		for surf, attempts := range campaignAttempts {
			plan[surf] = append(plan[surf], attempts...)
		}
		for _, d := range mxDrivers() {
			attempts := plan[d.name]
			if len(attempts) == 0 {
				t.Errorf("%s: no isolation attempts planned", d.name)
			}
			t.Run(d.name, func(t *testing.T) {
				t.Parallel()
				for _, at := range attempts {
					r := at.do(t)
					if msg := at.check(r); msg != "" {
						t.Errorf("%s: tenant B's %s on %s: got %d %s; %s", d.name, at.what, d.name, r.status, bytes.TrimSpace(r.raw), msg)
					}
				}
			})
		}
	})

	// B's own participant is readable through every surface with B's
	// credentials: the refusals above are not failed credentials.
	ownQ := mxPerson{Email: "b.q@example.com"}
	ownQ.EngineID = rrCreate(t, eb, ownQ.Email, &own)
	for _, d := range mxDrivers() {
		if got := d.read(t, eb, own, ownQ); got.Email != own.Email || got.Referrals != 1 || !got.ReferredByP {
			t.Errorf("%s: tenant B reading its own participant %s: email %q, referrals %d, referral seen %v (%s)",
				d.name, own.Email, got.Email, got.Referrals, got.ReferredByP, got.Detail)
		}
	}

	after := mxSnap(t, a)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("tenant A's data changed during tenant B's attempts:\nbefore: %+v\nafter:  %+v", before, after)
	}
}
