package proxy_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// postRecorder is a customer's webhook receiver: it records every POST by
// path and answers 200.
type postRecorder struct {
	*httptest.Server
	mu  sync.Mutex
	got map[string][]hookPost
}

// hookPost is one delivery as the receiver saw it.
type hookPost struct {
	header http.Header
	body   []byte
}

func newPostRecorder(t *testing.T) *postRecorder {
	t.Helper()
	rc := &postRecorder{got: map[string][]hookPost{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil || r.Method != http.MethodPost {
			http.Error(w, "want a POST with a body", http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.got[r.URL.Path] = append(rc.got[r.URL.Path], hookPost{header: r.Header.Clone(), body: body})
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *postRecorder) posts(path string) []hookPost {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got[path])
}

// hookVendor is what the cross-surface test knows of one vendor's
// webhooks, from its document, beyond surfacetest's event names and
// signatures: what a subscriber subscribes to, and where a payload names
// the participant.
type hookVendor struct {
	vendor canonical.Vendor
	spec   openapi.Vendor
	events []string // subscribed, as the vendor names them
	want   []string // the events two iRefer signups (the second referred) fire
	secret string
	// email reads the participant's email from a payload.
	email func(body any) string
	// id checks the payload's participant ID against the ID the vendor's
	// own REST surface gives the participant.
	id func(t *testing.T, e *mxEnv, body any, email string)
}

func hookVendors() []hookVendor {
	return []hookVendor{
		{
			vendor: canonical.GrowSurf, spec: openapi.GrowSurf, secret: "gs-secret",
			events: []string{"NEW_PARTICIPANT_ADDED"},
			want:   []string{"NEW_PARTICIPANT_ADDED", "NEW_PARTICIPANT_ADDED"},
			email:  func(b any) string { return jstr(b, "data", "participant", "email") },
			id: func(t *testing.T, e *mxEnv, b any, email string) {
				if got, want := jstr(b, "data", "participant", "id"), gsID(t, e, email); got != want {
					t.Errorf("growsurf: webhook participant id %q, REST id %q", got, want)
				}
			},
		},
		{
			vendor: canonical.Rewardful, spec: openapi.Rewardful, secret: "rw-secret",
			events: []string{"affiliate.created"},
			want:   []string{"affiliate.created", "affiliate.created"},
			email:  func(b any) string { return jstr(b, "object", "email") },
			id: func(t *testing.T, e *mxEnv, b any, email string) {
				if got, want := jstr(b, "object", "id"), rwID(t, e, email); got != want {
					t.Errorf("rewardful: webhook affiliate id %q, REST id %q", got, want)
				}
			},
		},
		{
			vendor: canonical.ReferralHero, spec: openapi.ReferralHero, secret: "rh-secret",
			events: []string{"new_registration"},
			want:   []string{"new_registration", "new_registration"},
			email:  func(b any) string { return jstr(b, "email") },
			id: func(t *testing.T, e *mxEnv, b any, email string) {
				r := e.rh(t, http.MethodGet, rhPath(e, "/subscribers/retrieve_by_email?email="+url.QueryEscape(email)), nil).
					must(t, http.StatusOK, "referralhero: retrieve_by_email")
				if got, want := jstr(b, "subscriber_id"), jstr(r.body, "data", "id"); got != want {
					t.Errorf("referralhero: webhook subscriber_id %q, REST id %q", got, want)
				}
			},
		},
		{
			vendor: canonical.ReferralRocket, spec: openapi.ReferralRocket, secret: "rr-secret",
			events: []string{"referrer_added", "referee_added"},
			want:   []string{"referrer_added", "referee_added"},
			email:  func(b any) string { return jstr(b, "data", "email") },
			id: func(t *testing.T, e *mxEnv, b any, email string) {
				// Referral Rocket's webhook participantId is an integer its
				// REST surface never shows; the code and campaign are shared.
				r := e.rr(t, http.MethodGet, "/api/v1/getParticipant", url.Values{"id": {e.rrCampaign}, "email": {email}}, nil).
					must(t, http.StatusOK, "referralrocket: getParticipant")
				if got, want := jstr(b, "data", "code"), jstr(r.body, "referralCode"); got != want {
					t.Errorf("referralrocket: webhook code %q, REST referralCode %q", got, want)
				}
				if got := jstr(b, "data", "campaignId"); got != e.rrCampaign {
					t.Errorf("referralrocket: webhook campaignId %q, REST campaign id %q", got, e.rrCampaign)
				}
			},
		},
	}
}

// TestSignupsReachEveryVendorsSubscribers: two signups through the iRefer
// surface (the second referred by the first) reach a subscriber of each
// vendor that has webhooks, each in its own vendor's payload, valid against
// that vendor's spec, signed as the vendor signs, naming the participant
// by the IDs that vendor's REST surface gives. GrowSurf's subscriber
// subscribes through GrowSurf's REST webhook endpoints, the others through
// the admin API, as their vendors' dashboards would.
func TestSignupsReachEveryVendorsSubscribers(t *testing.T) {
	t.Parallel()
	srv := proxytest.New(t, &proxytest.Options{Webhooks: true})
	tn := srv.NewTenant(t, "webhooks", mxCampaign())
	e := newMxEnv(t, srv, tn)
	rc := newPostRecorder(t)
	vendors := hookVendors()

	for _, v := range vendors {
		path := "/" + string(v.vendor)
		if v.vendor == canonical.GrowSurf {
			e.gs(t, http.MethodPost, "/v2/campaign/"+e.gsCampaign+"/webhooks", map[string]any{
				"payloadUrl": rc.URL + path, "events": v.events, "isEnabled": true, "secret": v.secret,
			}).must(t, http.StatusOK, "growsurf: create webhook")
			continue
		}
		var failed apiError
		if st := adminCall(t, srv, http.MethodPost, "/accounts/"+tn.Account.ID+"/webhooks", map[string]any{
			"Vendor": v.vendor, "URL": rc.URL + path, "Events": v.events, "Secret": v.secret,
		}, &failed); st != http.StatusCreated {
			t.Fatalf("admin: subscribe %s: %d %+v", v.vendor, st, failed)
		}
	}

	alice, bob := "alice.hooks@example.com", "bob.hooks@example.com"
	aliceID := irCreate(t, e, alice, nil)
	irCreate(t, e, bob, &mxPerson{Email: alice, EngineID: aliceID})
	if err := srv.Deliveries.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}

	for _, v := range vendors {
		t.Run(string(v.vendor), func(t *testing.T) {
			schemas := surfacetest.WebhookSchemas(t, v.spec)
			posts := rc.posts("/" + string(v.vendor))
			var events, emails []string
			for _, p := range posts {
				var body any
				if err := json.Unmarshal(p.body, &body); err != nil {
					t.Fatalf("payload is not JSON: %v: %s", err, p.body)
				}
				ev := surfacetest.WebhookEvent(v.vendor, p.body)
				events, emails = append(events, ev), append(emails, v.email(body))
				schema, ok := schemas[ev]
				if !ok {
					t.Errorf("event %q is not modelled in the %s spec", ev, v.spec)
				} else if err := surfacetest.ValidBody(schema, p.body); err != nil {
					t.Errorf("%s payload does not match the spec: %v\n%s", ev, err, p.body)
				}
				if err := surfacetest.VerifySignature(v.vendor, p.header, p.body, v.secret); err != nil {
					t.Errorf("%s delivery is not signed as documented: %v", ev, err)
				}
				if p.header.Get("Content-Type") != "application/json" && !strings.HasPrefix(p.header.Get("Content-Type"), "application/json;") {
					t.Errorf("%s delivery Content-Type %q, want JSON", ev, p.header.Get("Content-Type"))
				}
				v.id(t, e, body, v.email(body))
			}
			if !slices.Equal(events, v.want) || !slices.Equal(emails, []string{alice, bob}) {
				t.Fatalf("received events %v for %v, want %v for [%s %s]", events, emails, v.want, alice, bob)
			}
		})
	}
}
