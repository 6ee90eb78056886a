package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// This file holds the per-vendor drivers of the cross-surface matrix: how
// each vendor's HTTP surface creates a participant (with a referrer) and
// how it reads one back, all through the proxy's vendor URLs.

// mxRewardUnits is the value, in currency units, of the one reward rule of
// the matrix campaigns (Referral Rocket reports rewards as amounts).
const mxRewardUnits = 10

// mxCampaign is the campaign every matrix tenant runs: referrals are
// credited at signup, and one milestone at 1 referral earns the referrer a
// $10 reward. A milestone (rather than a single-sided rule) is used because
// it is the one reward kind every surface shows: iRefer's rewards_earned
// and rewards_offered only list milestone tiers (canonical.Tiers), while
// GrowSurf, ReferralHero, Referral Rocket and iRefer's rewards list show
// any earned reward.
func mxCampaign() canonical.Campaign {
	return canonical.Campaign{
		Kind:          canonical.ReferralProgram,
		Qualification: canonical.QualifyOnSignup,
		Currency:      "USD",
		Rules: []canonical.RewardRule{{
			Kind: canonical.Milestone, Threshold: 1, Title: "Get $10", Description: "Refer a friend, get $10.",
			ReferrerValue: canonical.Money{Amount: mxRewardUnits * 100, Currency: "USD"}, Visible: true,
		}},
	}
}

// mxPerson is a participant the test created: its engine ID and email.
type mxPerson struct {
	EngineID string
	Email    string
}

// mxView is what a reading surface shows about participant P.
type mxView struct {
	// ID is P's ID in the surface's own format (Referral Rocket has no
	// participant ID: its participant key is the referral code).
	ID string
	// EngineID is the engine participant ID decodes to (through the
	// surface's exported codec, or, where the codec is unexported, the
	// participant the surface resolves ID to when asked by that ID).
	EngineID string
	Email    string
	// Code is P's referral code as the surface shows it, "" when it shows
	// none.
	Code string
	// Referrals is P's referral count in the surface's field for it.
	Referrals int
	// ReferredByP says whether Q shows as referred by P.
	ReferredByP bool
	// Rewards counts P's earned rewards, -1 when the surface shows none.
	Rewards int
	// Rank is P's leaderboard position, -1 when the surface shows none.
	Rank int
	// CampaignParticipants and CampaignReferrals are the campaign's
	// counters, -1 where the surface shows none.
	CampaignParticipants, CampaignReferrals int
	// QStatus is the state of Q's referral in the surface's words, and
	// QStatusWant the word for a credited referral ("" when the surface
	// shows no state).
	QStatus, QStatusWant string
	// Fields names the vendor fields each value came from, for messages.
	Fields map[string]string
	// Detail describes what was seen about the referral, for messages.
	Detail string
}

// mxDriver drives one vendor surface.
type mxDriver struct {
	vendor canonical.Vendor
	name   string
	// create makes a participant through the surface, referred by
	// referrer when it is not nil, and returns its engine ID.
	create func(t *testing.T, e *mxEnv, email string, referrer *mxPerson) string
	// read reads P (and Q, to see the referral) through the surface.
	read func(t *testing.T, e *mxEnv, p, q mxPerson) mxView
}

// mxDrivers are the five surfaces.
func mxDrivers() []mxDriver {
	return []mxDriver{
		{canonical.ReferralRocket, "referralrocket", rrCreate, rrRead},
		{canonical.GrowSurf, "growsurf", gsCreate, gsRead},
		{canonical.ReferralHero, "referralhero", rhCreate, rhRead},
		{canonical.Rewardful, "rewardful", rwCreate, rwRead},
		{canonical.IRefer, "irefer", irCreate, irRead},
	}
}

// mxEnv is one tenant on a running proxy, with the vendor IDs of its
// campaign.
type mxEnv struct {
	url string
	tn  proxytest.Tenant
	// Campaign IDs in each vendor's format. GrowSurf's and Rewardful's
	// codecs are unexported, so theirs are read from their campaign lists.
	gsCampaign, rwCampaign, rhList, rrCampaign, irCampaign string
	// The installation's ID codecs of the vendors that export theirs.
	rhIDs *referralhero.IDs
	irIDs *irefer.IDs
}

func newMxEnv(t *testing.T, srv *proxytest.Server, tn proxytest.Tenant) *mxEnv {
	t.Helper()
	secret := srv.Engine.IDSecret()
	e := &mxEnv{url: srv.URL, tn: tn, rhIDs: referralhero.NewIDs(secret), irIDs: irefer.NewIDs(secret)}
	e.rhList = e.rhIDs.ListUUID(tn.Campaign.ID)
	rr, ok := referralrocket.NewIDs(secret).EncodeCampaignID(tn.Campaign.ID)
	if !ok {
		t.Fatalf("referralrocket: campaign %q does not encode", tn.Campaign.ID)
	}
	e.rrCampaign = rr
	e.irCampaign = e.irIDs.EncodeID(irefer.KindCampaign, tn.Campaign.ID)
	gs := e.gs(t, http.MethodGet, "/v2/campaigns", nil).must(t, http.StatusOK, "growsurf: GET /v2/campaigns")
	for _, c := range jarr(gs.body, "campaigns") {
		if jstr(c, "name") == tn.Campaign.Name {
			e.gsCampaign = jstr(c, "id")
		}
	}
	rw := e.rw(t, http.MethodGet, "/v1/campaigns", nil).must(t, http.StatusOK, "rewardful: GET /v1/campaigns")
	for _, c := range jarr(rw.body, "data") {
		if jstr(c, "name") == tn.Campaign.Name {
			e.rwCampaign = jstr(c, "id")
		}
	}
	if e.gsCampaign == "" || e.rwCampaign == "" {
		t.Fatalf("campaign %q not listed: growsurf %q, rewardful %q", tn.Campaign.Name, e.gsCampaign, e.rwCampaign)
	}
	return e
}

// engine returns the tenant's participant by ref, failing the test when
// it is missing.
func (e *mxEnv) engine(t *testing.T, ref canonical.ParticipantRef) canonical.Participant {
	t.Helper()
	p, err := e.tn.Backend.GetParticipant(context.Background(), e.tn.Campaign.ID, ref)
	if err != nil {
		t.Fatalf("engine: participant %s: %v", ref, err)
	}
	return p
}

// engineID resolves ref in the engine, "" when it does not resolve.
func (e *mxEnv) engineID(ref canonical.ParticipantRef) string {
	p, err := e.tn.Backend.GetParticipant(context.Background(), e.tn.Campaign.ID, ref)
	if err != nil {
		return ""
	}
	return p.ID
}

// ------------------------------------------------------------------ HTTP

// mxResp is a response with its body read and decoded.
type mxResp struct {
	what   string
	status int
	raw    []byte
	body   any
}

func (r mxResp) must(t *testing.T, status int, what string) mxResp {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, bytes.TrimSpace(r.raw))
	}
	return r
}

// send performs a request; body is sent as JSON unless nil.
func mxSend(t *testing.T, method, u string, body any, auth func(*http.Request)) mxResp {
	t.Helper()
	if body == nil {
		return mxSendRaw(t, method, u, "", nil, auth)
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return mxSendRaw(t, method, u, "application/json", b, auth)
}

// mxSendRaw performs a request with body sent as it is, typed as
// contentType unless that is "".
func mxSendRaw(t *testing.T, method, u, contentType string, body []byte, auth func(*http.Request)) mxResp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != nil {
		auth(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := mxResp{what: method + " " + req.URL.Path, status: resp.StatusCode, raw: raw}
	if len(bytes.TrimSpace(raw)) > 0 {
		_ = json.Unmarshal(raw, &out.body)
	}
	return out
}

// auth returns what authenticates the tenant on a vendor's surface (for
// iRefer, whose credentials travel in the URL, nothing).
func (e *mxEnv) auth(v canonical.Vendor) func(*http.Request) {
	switch v {
	case canonical.GrowSurf:
		return bearer(e.tn.Secret(canonical.GrowSurf, canonical.APIKey))
	case canonical.ReferralHero:
		return bearer(e.tn.Secret(canonical.ReferralHero, canonical.APIKey))
	case canonical.ReferralRocket:
		key := e.tn.Secret(canonical.ReferralRocket, canonical.APIKey)
		return func(r *http.Request) { r.Header.Set(referralrocket.APIKeyHeader, key) }
	case canonical.Rewardful:
		secret := e.tn.Secret(canonical.Rewardful, canonical.APISecret)
		return func(r *http.Request) { r.SetBasicAuth(secret, "") }
	}
	return nil
}

// bearer authenticates with "Authorization: Bearer <key>".
func bearer(key string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key) }
}

// gs calls the GrowSurf surface with the tenant's API key.
func (e *mxEnv) gs(t *testing.T, method, path string, body any) mxResp {
	t.Helper()
	return mxSend(t, method, e.url+path, body, e.auth(canonical.GrowSurf))
}

// rh calls the ReferralHero surface with the tenant's API token.
func (e *mxEnv) rh(t *testing.T, method, path string, body any) mxResp {
	t.Helper()
	return mxSend(t, method, e.url+path, body, e.auth(canonical.ReferralHero))
}

// rr calls the Referral Rocket surface with the tenant's API key.
func (e *mxEnv) rr(t *testing.T, method, path string, q url.Values, body any) mxResp {
	t.Helper()
	u := e.url + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return mxSend(t, method, u, body, e.auth(canonical.ReferralRocket))
}

// rw calls the Rewardful surface with the tenant's API secret.
func (e *mxEnv) rw(t *testing.T, method, path string, body any) mxResp {
	t.Helper()
	return mxSend(t, method, e.url+path, body, e.auth(canonical.Rewardful))
}

// ir calls an iRefer method server-side: the tenant's license key in the
// path, its site key as api_key, and campaign_id (the tenant's campaign
// unless q sets one).
func (e *mxEnv) ir(t *testing.T, method string, q url.Values) mxResp {
	t.Helper()
	return e.irAs(t, e.tn.Secret(canonical.IRefer, canonical.LicenseKey), e.tn.Secret(canonical.IRefer, canonical.SiteKey), method, q)
}

func (e *mxEnv) irAs(t *testing.T, license, site, method string, q url.Values) mxResp {
	t.Helper()
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	if v.Get("campaign_id") == "" {
		v.Set("campaign_id", e.irCampaign)
	}
	v.Set("api_key", site)
	return mxSend(t, http.MethodGet, e.url+"/v1.0/"+license+".js/"+method+"?"+v.Encode(), nil, nil)
}

// irOK fails unless r is an iRefer success (iRefer answers errors with 200
// and an error object).
func irOK(t *testing.T, r mxResp, what string) mxResp {
	t.Helper()
	if r.status != http.StatusOK || r.body == nil || jstr(r.body, "error_code") != "" {
		t.Fatalf("%s: got %d %s", what, r.status, bytes.TrimSpace(r.raw))
	}
	return r
}

// ------------------------------------------------------------------ JSON

// jget walks a decoded JSON value by object keys and array indices.
func jget(v any, path ...string) any {
	for _, p := range path {
		switch c := v.(type) {
		case map[string]any:
			v = c[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

func jstr(v any, path ...string) string {
	s, _ := jget(v, path...).(string)
	return s
}

// jint reads a JSON number (or a decimal string) as an int; -999 when it
// is neither.
func jint(v any, path ...string) int {
	switch x := jget(v, path...).(type) {
	case float64:
		return int(x)
	case string:
		if n, err := strconv.Atoi(x); err == nil {
			return n
		}
	}
	return -999
}

func jarr(v any, path ...string) []any {
	a, _ := jget(v, path...).([]any)
	return a
}

// lookup is the form of an email the drivers look participants up by:
// lower case, as lookups by email are case-insensitive and participants
// are created with mixed-case emails.
func lookup(email string) string { return strings.ToLower(email) }

// queryParam returns parameter name of a URL string.
func queryParam(link, name string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return u.Query().Get(name)
}

// ------------------------------------------------------- Referral Rocket

// rrCreate adds a participant with addParticipant, referred by the
// referrer's code (read with getParticipant).
func rrCreate(t *testing.T, e *mxEnv, email string, referrer *mxPerson) string {
	t.Helper()
	body := map[string]string{"id": e.rrCampaign, "email": email}
	if referrer != nil {
		r := e.rr(t, http.MethodGet, "/api/v1/getParticipant", url.Values{"id": {e.rrCampaign}, "email": {lookup(referrer.Email)}}, nil).
			must(t, http.StatusOK, "referralrocket: getParticipant (referrer)")
		body["referredByCode"] = jstr(r.body, "referralCode")
	}
	r := e.rr(t, http.MethodPost, "/api/v1/addParticipant", nil, body).must(t, http.StatusOK, "referralrocket: addParticipant "+email)
	if referrer != nil && jstr(r.body, "referredByCode") != body["referredByCode"] {
		t.Errorf("referralrocket: addParticipant %s: referredByCode %q, want the referrer's code %q", email, jstr(r.body, "referredByCode"), body["referredByCode"])
	}
	return e.engine(t, canonical.ByEmail(email)).ID
}

// rrRead reads P with getParticipant (by email: Referral Rocket has no
// participant IDs), Q's referredByCode and P's getReferrals list.
func rrRead(t *testing.T, e *mxEnv, p, q mxPerson) mxView {
	t.Helper()
	r := e.rr(t, http.MethodGet, "/api/v1/getParticipant", url.Values{"id": {e.rrCampaign}, "email": {lookup(p.Email)}}, nil).
		must(t, http.StatusOK, "referralrocket: getParticipant P")
	code := jstr(r.body, "referralCode")
	v := mxView{ID: code, Email: jstr(r.body, "email"), Code: code, Referrals: jint(r.body, "totalReferrals"),
		Fields: map[string]string{"id": "referralCode (no participant id)", "email": "getParticipant.email",
			"referrals": "getParticipant.totalReferrals", "referredBy": "Q.referredByCode and getReferrals",
			"rewards": fmt.Sprintf("getParticipant.referralReward / %d", mxRewardUnits)}}
	v.EngineID = e.engineID(canonical.ByCode(code))
	v.Rewards = jint(r.body, "referralReward") / mxRewardUnits
	rq := e.rr(t, http.MethodGet, "/api/v1/getParticipant", url.Values{"id": {e.rrCampaign}, "email": {lookup(q.Email)}}, nil).
		must(t, http.StatusOK, "referralrocket: getParticipant Q")
	ql := e.rr(t, http.MethodGet, "/api/v1/getReferrals", url.Values{"id": {e.rrCampaign}, "email": {lookup(p.Email)}}, nil).
		must(t, http.StatusOK, "referralrocket: getReferrals P")
	inList := false
	for _, x := range jarr(ql.body) {
		if strings.EqualFold(jstr(x, "email"), q.Email) && jstr(x, "referredByCode") == code {
			inList = true
		}
	}
	v.ReferredByP = code != "" && jstr(rq.body, "referredByCode") == code && inList
	v.Detail = fmt.Sprintf("Q.referredByCode=%q (P's code %q), Q in getReferrals(P)=%v", jstr(rq.body, "referredByCode"), code, inList)
	c := e.rr(t, http.MethodGet, "/api/v1/getCampaign", url.Values{"id": {e.rrCampaign}}, nil).must(t, http.StatusOK, "referralrocket: getCampaign")
	v.Rank, v.CampaignParticipants, v.CampaignReferrals = -1, jint(c.body, "totalParticipants"), -1
	v.Fields["campaignParticipants"] = "getCampaign.totalParticipants"
	return v
}

// -------------------------------------------------------------- GrowSurf

// gsID looks a participant up by email and returns its GrowSurf ID.
func gsID(t *testing.T, e *mxEnv, email string) string {
	t.Helper()
	r := e.gs(t, http.MethodGet, "/v2/campaign/"+e.gsCampaign+"/participant/"+url.PathEscape(lookup(email)), nil).
		must(t, http.StatusOK, "growsurf: GET participant by email "+email)
	return jstr(r.body, "id")
}

// gsCreate adds a participant with addParticipant, referred by the
// referrer's GrowSurf participant ID in referredBy.
func gsCreate(t *testing.T, e *mxEnv, email string, referrer *mxPerson) string {
	t.Helper()
	body := map[string]any{"email": email, "firstName": "Matrix"}
	if referrer != nil {
		body["referredBy"] = gsID(t, e, referrer.Email)
	}
	r := e.gs(t, http.MethodPost, "/v2/campaign/"+e.gsCampaign+"/participant", body).must(t, http.StatusOK, "growsurf: addParticipant "+email)
	if referrer != nil && jstr(r.body, "referredBy") != body["referredBy"] {
		t.Errorf("growsurf: addParticipant %s: referredBy %q, want %q", email, jstr(r.body, "referredBy"), body["referredBy"])
	}
	return e.engine(t, canonical.ByEmail(email)).ID
}

// gsRead reads P by email and then by its GrowSurf ID, and Q by email.
func gsRead(t *testing.T, e *mxEnv, p, q mxPerson) mxView {
	t.Helper()
	base := "/v2/campaign/" + e.gsCampaign + "/participant/"
	id := gsID(t, e, p.Email)
	r := e.gs(t, http.MethodGet, base+url.PathEscape(id), nil).must(t, http.StatusOK, "growsurf: GET participant by id "+id)
	v := mxView{ID: jstr(r.body, "id"), Email: jstr(r.body, "email"), Code: queryParam(jstr(r.body, "shareUrl"), "grsf"),
		Referrals: jint(r.body, "referralCount"), Rewards: len(jarr(r.body, "rewards")),
		Fields: map[string]string{"id": "participant.id", "email": "participant.email", "referrals": "participant.referralCount",
			"referredBy": "Q.referredBy and P.referrals", "rewards": "participant.rewards"}}
	// The codec is unexported: the ID resolves to whichever participant
	// GrowSurf answers for it, mapped back to the engine by that email.
	if v.ID == id {
		v.EngineID = e.engineID(canonical.ByEmail(v.Email))
	}
	rq := e.gs(t, http.MethodGet, base+url.PathEscape(lookup(q.Email)), nil).must(t, http.StatusOK, "growsurf: GET participant Q")
	qid := jstr(rq.body, "id")
	inList := false
	for _, x := range jarr(r.body, "referrals") {
		if x == qid {
			inList = true
		}
	}
	v.ReferredByP = id != "" && jstr(rq.body, "referredBy") == id && jstr(rq.body, "referrer", "id") == id && inList
	v.Detail = fmt.Sprintf("Q.referredBy=%q Q.referrer.id=%q (P's id %q), Q's id %q in P.referrals %v=%v",
		jstr(rq.body, "referredBy"), jstr(rq.body, "referrer", "id"), id, qid, jget(r.body, "referrals"), inList)
	v.QStatus, v.QStatusWant = jstr(rq.body, "referralStatus"), "CREDIT_AWARDED"
	v.Fields["qstatus"] = "Q.referralStatus"
	v.Rank = jint(r.body, "rank")
	c := e.gs(t, http.MethodGet, "/v2/campaign/"+e.gsCampaign, nil).must(t, http.StatusOK, "growsurf: GET campaign")
	v.CampaignParticipants, v.CampaignReferrals = jint(c.body, "participantCount"), jint(c.body, "referralCount")
	v.Fields["rank"], v.Fields["campaignParticipants"], v.Fields["campaignReferrals"] = "participant.rank", "campaign.participantCount", "campaign.referralCount"
	// The participant's reward list and the rewards endpoint must agree.
	rr := e.gs(t, http.MethodGet, base+url.PathEscape(id)+"/rewards", nil).must(t, http.StatusOK, "growsurf: GET participant rewards")
	if n := len(jarr(rr.body, "rewards")); n != v.Rewards {
		t.Errorf("growsurf: participant.rewards has %d rewards but GET …/participant/%s/rewards lists %d: %s", v.Rewards, id, n, rr.raw)
	}
	return v
}

// ---------------------------------------------------------- ReferralHero

func rhPath(e *mxEnv, rest string) string { return "/api/v2/lists/" + e.rhList + rest }

// rhCreate adds a subscriber, referred by the referrer's code (read with
// retrieve_by_email).
func rhCreate(t *testing.T, e *mxEnv, email string, referrer *mxPerson) string {
	t.Helper()
	body := map[string]any{"email": email, "name": "Matrix Person"}
	if referrer != nil {
		r := e.rh(t, http.MethodGet, rhPath(e, "/subscribers/retrieve_by_email?email="+url.QueryEscape(lookup(referrer.Email))), nil).
			must(t, http.StatusOK, "referralhero: retrieve_by_email (referrer)")
		body["referrer"] = jstr(r.body, "data", "code")
	}
	r := e.rh(t, http.MethodPost, rhPath(e, "/subscribers"), body).must(t, http.StatusOK, "referralhero: create subscriber "+email)
	id, ok := e.rhIDs.ParticipantID(jstr(r.body, "data", "id"))
	if !ok {
		t.Fatalf("referralhero: create subscriber %s: id %q does not decode", email, jstr(r.body, "data", "id"))
	}
	if referrer != nil && jstr(r.body, "data", "referred_by", "id") != e.rhIDs.SubscriberID(referrer.EngineID) {
		t.Errorf("referralhero: create subscriber %s: referred_by.id %q, want %q", email, jstr(r.body, "data", "referred_by", "id"), e.rhIDs.SubscriberID(referrer.EngineID))
	}
	return id
}

// rhRead reads P by email and by subscriber id, Q by email, P's referred
// list and P's rewards.
func rhRead(t *testing.T, e *mxEnv, p, q mxPerson) mxView {
	t.Helper()
	byEmail := e.rh(t, http.MethodGet, rhPath(e, "/subscribers/retrieve_by_email?email="+url.QueryEscape(lookup(p.Email))), nil).
		must(t, http.StatusOK, "referralhero: retrieve_by_email P")
	id := jstr(byEmail.body, "data", "id")
	r := e.rh(t, http.MethodGet, rhPath(e, "/subscribers/"+url.PathEscape(id)), nil).must(t, http.StatusOK, "referralhero: GET subscriber "+id)
	d := jget(r.body, "data")
	v := mxView{ID: jstr(d, "id"), Email: jstr(d, "email"), Code: jstr(d, "code"), Referrals: jint(d, "people_referred"),
		Fields: map[string]string{"id": "subscriber.id", "email": "subscriber.email", "referrals": "subscriber.people_referred",
			"referredBy": "Q.referred_by.id and /subscribers/{id}/referred", "rewards": "/subscribers/{id}/rewards"}}
	v.EngineID, _ = e.rhIDs.ParticipantID(v.ID)
	rq := e.rh(t, http.MethodGet, rhPath(e, "/subscribers/retrieve_by_email?email="+url.QueryEscape(lookup(q.Email))), nil).
		must(t, http.StatusOK, "referralhero: retrieve_by_email Q")
	ref := e.rh(t, http.MethodGet, rhPath(e, "/subscribers/"+url.PathEscape(id)+"/referred"), nil).
		must(t, http.StatusOK, "referralhero: GET referred")
	inList := false
	for _, x := range jarr(ref.body, "data", "subscribers") {
		if strings.EqualFold(jstr(x, "email"), q.Email) {
			inList = true
		}
	}
	v.ReferredByP = id != "" && jstr(rq.body, "data", "referred_by", "id") == id && jget(rq.body, "data", "referred") == true && inList
	v.Detail = fmt.Sprintf("Q.referred=%v Q.referred_by.id=%q (P's id %q), Q in /referred=%v", jget(rq.body, "data", "referred"),
		jstr(rq.body, "data", "referred_by", "id"), id, inList)
	rw := e.rh(t, http.MethodGet, rhPath(e, "/subscribers/"+url.PathEscape(id)+"/rewards"), nil).
		must(t, http.StatusOK, "referralhero: GET subscriber rewards")
	v.Rewards = len(jarr(rw.body, "data", "rewards"))
	v.QStatus, v.QStatusWant = jstr(rq.body, "data", "referral_status"), "confirmed"
	v.Fields["qstatus"] = "Q.referral_status"
	v.Rank, v.CampaignParticipants, v.CampaignReferrals = jint(d, "position"), -1, -1
	lists := e.rh(t, http.MethodGet, "/api/v2/lists", nil).must(t, http.StatusOK, "referralhero: GET lists")
	for _, l := range jarr(lists.body, "data", "lists") {
		if jstr(l, "uuid") == e.rhList {
			v.CampaignParticipants = jint(l, "subscribers")
		}
	}
	v.Fields["rank"], v.Fields["campaignParticipants"] = "subscriber.position", "lists[].subscribers"
	return v
}

// ------------------------------------------------------------- Rewardful

// rwCreate creates an affiliate. Rewardful's API has no way to create a
// referred participant (referrals come from its browser script tracking a
// visit and a signup, which the REST API does not expose), so a referred
// participant is arranged through the engine backend with the referrer's
// engine ID, as that script's lead would be.
func rwCreate(t *testing.T, e *mxEnv, email string, referrer *mxPerson) string {
	t.Helper()
	if referrer != nil {
		np := canonical.NewParticipant{Participant: canonical.Participant{CampaignID: e.tn.Campaign.ID, Email: email, FirstName: "Matrix"},
			Referrer: canonical.ByID(referrer.EngineID), RequireReferrer: true}
		p, _, err := e.tn.Backend.CreateParticipant(context.Background(), np)
		if err != nil {
			t.Fatalf("rewardful: arranging referred participant %s through the engine: %v", email, err)
		}
		return p.ID
	}
	local, _, _ := strings.Cut(email, "@")
	body := map[string]any{"first_name": "Matrix", "last_name": strings.ReplaceAll(local, ".", "-"), "email": email, "campaign_id": e.rwCampaign}
	e.rw(t, http.MethodPost, "/v1/affiliates", body).must(t, http.StatusOK, "rewardful: create affiliate "+email)
	return e.engine(t, canonical.ByEmail(email)).ID
}

// rwID finds an affiliate's ID by email.
func rwID(t *testing.T, e *mxEnv, email string) string {
	t.Helper()
	r := e.rw(t, http.MethodGet, "/v1/affiliates?email="+url.QueryEscape(lookup(email)), nil).must(t, http.StatusOK, "rewardful: list affiliates by email")
	list := jarr(r.body, "data")
	if len(list) != 1 {
		t.Fatalf("rewardful: GET /v1/affiliates?email=%s lists %d affiliates, want 1: %s", email, len(list), r.raw)
	}
	return jstr(list[0], "id")
}

// rwRead reads P as an affiliate (found by email, read by ID) and P's
// referrals. Rewardful has commissions, not rewards: Rewards is -1.
func rwRead(t *testing.T, e *mxEnv, p, q mxPerson) mxView {
	t.Helper()
	id := rwID(t, e, p.Email)
	r := e.rw(t, http.MethodGet, "/v1/affiliates/"+url.PathEscape(id), nil).must(t, http.StatusOK, "rewardful: GET affiliate "+id)
	// The main (first) link's token is the participant's referral code.
	v := mxView{ID: jstr(r.body, "id"), Email: jstr(r.body, "email"), Code: jstr(r.body, "links", "0", "token"),
		Referrals: jint(r.body, "leads"), Rewards: -1,
		Fields: map[string]string{"id": "affiliate.id", "email": "affiliate.email", "referrals": "affiliate.leads",
			"referredBy": "/v1/referrals?affiliate_id → customer.email", "rewards": "(none: commissions only)"}}
	// The codec is unexported: the ID resolves to whichever participant
	// Rewardful answers for it, mapped back to the engine by that email.
	if v.ID == id {
		v.EngineID = e.engineID(canonical.ByEmail(v.Email))
	}
	refs := e.rw(t, http.MethodGet, "/v1/referrals?affiliate_id="+url.QueryEscape(id)+"&expand=affiliate", nil).
		must(t, http.StatusOK, "rewardful: list referrals of P")
	var seen []string
	for _, x := range jarr(refs.body, "data") {
		seen = append(seen, fmt.Sprintf("%s(%s, affiliate %s)", jstr(x, "customer", "email"), jstr(x, "conversion_state"), jstr(x, "affiliate", "id")))
		if strings.EqualFold(jstr(x, "customer", "email"), q.Email) && jstr(x, "affiliate", "id") == id && jstr(x, "conversion_state") == "lead" {
			v.ReferredByP = true
		}
	}
	v.Detail = fmt.Sprintf("referrals of affiliate %s: %v (want Q %s as a lead)", id, seen, q.Email)
	c := e.rw(t, http.MethodGet, "/v1/campaigns/"+e.rwCampaign, nil).must(t, http.StatusOK, "rewardful: GET campaign")
	v.Rank, v.CampaignParticipants, v.CampaignReferrals = -1, jint(c.body, "affiliates"), jint(c.body, "leads")
	v.Fields["campaignParticipants"], v.Fields["campaignReferrals"] = "campaign.affiliates", "campaign.leads"
	if jstr(r.body, "campaign", "id") != e.rwCampaign {
		t.Errorf("rewardful: affiliate %s has campaign.id %q, want the campaign %q", id, jstr(r.body, "campaign", "id"), e.rwCampaign)
	}
	return v
}

// ---------------------------------------------------------------- iRefer

// irCreate signs up with newSignup, referred by the referrer's code (read
// from referrerStats' referral_link).
func irCreate(t *testing.T, e *mxEnv, email string, referrer *mxPerson) string {
	t.Helper()
	q := url.Values{"email": {email}, "name": {"Matrix Person"}}
	if referrer != nil {
		r := irOK(t, e.ir(t, "referrerStats", url.Values{"email": {lookup(referrer.Email)}}), "irefer: referrerStats (referrer)")
		q.Set("referrer_code", queryParam(jstr(r.body, "referral_link"), "iref"))
	}
	r := irOK(t, e.ir(t, "newSignup", q), "irefer: newSignup "+email)
	if referrer != nil && !strings.EqualFold(jstr(r.body, "referrer"), referrer.Email) {
		t.Errorf("irefer: newSignup %s with referrer_code %q: referrer %q, want %q", email, q.Get("referrer_code"), jstr(r.body, "referrer"), referrer.Email)
	}
	return e.engine(t, canonical.ByEmail(email)).ID
}

// irRead reads P with referrerStats (by email: iRefer has no lookup by
// ID), P's and Q's rows of the referrers list, and the rewards list.
func irRead(t *testing.T, e *mxEnv, p, q mxPerson) mxView {
	t.Helper()
	st := irOK(t, e.ir(t, "referrerStats", url.Values{"email": {lookup(p.Email)}}), "irefer: referrerStats P")
	v := mxView{Email: jstr(st.body, "email"), Code: queryParam(jstr(st.body, "referral_link"), "iref"), Referrals: jint(st.body, "referrals_made"),
		Fields: map[string]string{"id": "referrers[].id", "email": "referrerStats.email", "referrals": "referrerStats.referrals_made",
			"referredBy": "referrers[Q].referrer_email", "rewards": "rewards[recipient_id=P]"}}
	list := irOK(t, e.ir(t, "referrers", nil), "irefer: referrers")
	var pRow, qRow any
	for _, x := range jarr(list.body) {
		switch {
		case strings.EqualFold(jstr(x, "email"), p.Email):
			pRow = x
		case strings.EqualFold(jstr(x, "email"), q.Email):
			qRow = x
		}
	}
	if pRow == nil {
		t.Errorf("irefer: P %s is not in the referrers list: %s", p.Email, list.raw)
	}
	v.ID = jstr(pRow, "id")
	v.EngineID, _ = e.irIDs.DecodeID(irefer.KindParticipant, v.ID)
	if got := jint(pRow, "referrals_count"); pRow != nil && got != v.Referrals {
		t.Errorf("irefer: referrers[P].referrals_count %v disagrees with referrerStats.referrals_made %d", jget(pRow, "referrals_count"), v.Referrals)
	}
	if code := jstr(pRow, "referral_link"); pRow != nil && code != v.Code {
		t.Errorf("irefer: referrers[P].referral_link %q disagrees with referrerStats' iref code %q", code, v.Code)
	}
	v.ReferredByP = qRow != nil && strings.EqualFold(jstr(qRow, "referrer_email"), p.Email)
	v.Detail = fmt.Sprintf("referrers[Q].referrer_email=%q (want %q)", jstr(qRow, "referrer_email"), p.Email)
	rewards := irOK(t, e.ir(t, "rewards", nil), "irefer: rewards")
	for _, x := range jarr(rewards.body) {
		if v.ID != "" && jstr(x, "recipient_id") == v.ID {
			v.Rewards++
			if !strings.EqualFold(jstr(x, "recipient_email"), p.Email) {
				t.Errorf("irefer: rewards row for recipient_id %s has recipient_email %q, want %q", v.ID, jstr(x, "recipient_email"), p.Email)
			}
		}
	}
	if n := len(jarr(st.body, "rewards_earned")); n != v.Rewards {
		t.Errorf("irefer: referrerStats.rewards_earned lists %d tiers but the rewards list has %d rewards for P (recipient_id %s): %s / %s",
			n, v.Rewards, v.ID, st.raw, rewards.raw)
	}
	c := irOK(t, e.ir(t, "campaignStats", nil), "irefer: campaignStats")
	v.Rank, v.CampaignParticipants, v.CampaignReferrals = -1, jint(c.body, "signups_total"), jint(c.body, "referrals")
	v.Fields["campaignParticipants"], v.Fields["campaignReferrals"] = "campaignStats.signups_total", "campaignStats.referrals"
	if jstr(pRow, "campaign_id") != e.irCampaign {
		t.Errorf("irefer: referrers[P].campaign_id %q, want %q", jstr(pRow, "campaign_id"), e.irCampaign)
	}
	return v
}
