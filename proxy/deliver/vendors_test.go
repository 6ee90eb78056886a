package deliver_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/rewardful"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
	"github.com/refbridge/refbridge/proxy/deliver"
	"github.com/refbridge/refbridge/proxy/store"
)

// vendorHooks is one vendor's webhooks as a subscriber takes them: the
// surface that renders them and the spec that models them.
type vendorHooks struct {
	vendor canonical.Vendor
	spec   openapi.Vendor
	s      surface.Surface
	// alone are event names a separate endpoint subscribes to, because
	// an endpoint subscribed to every name gets another name for the same
	// change (ReferralHero's older bonus_unlocked for reward_unlocked).
	alone []string
}

// TestEveryVendorEventOverHTTP: for each vendor with webhooks, an endpoint
// subscribed to every event the vendor's spec models gets, through the
// real workers and over HTTP, one request per change that announces one,
// in the log's order; every event name of the spec arrives; every body
// is valid against its event's schema and signed as the vendor documents
// (checked by surfacetest's own HMAC, not the renderer's). The changes
// are one of every kind, as the engine logs them, appended to the log in
// one write, plus the variants vendors tell apart (a direct signup, an
// affiliate program's commissions).
func TestEveryVendorEventOverHTTP(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		st := open(t)
		e := newEnv(t, st)
		vendors := []vendorHooks{
			{vendor: canonical.GrowSurf, spec: openapi.GrowSurf, s: growsurf.NewSurface()},
			{vendor: canonical.Rewardful, spec: openapi.Rewardful, s: rewardful.NewSurface()},
			{vendor: canonical.ReferralHero, spec: openapi.ReferralHero, s: referralhero.NewSurface(), alone: []string{"bonus_unlocked"}},
			{vendor: canonical.ReferralRocket, spec: openapi.ReferralRocket, s: referralrocket.NewSurface()},
		}
		type sub struct {
			v      vendorHooks
			ep     canonical.WebhookEndpoint
			rc     *surfacetest.Receiver
			secret string
		}
		var subs []sub
		var surfaces []surface.Surface
		for _, v := range vendors {
			surfaces = append(surfaces, v.s)
			hooks := v.s.(surface.WebhookSurface).Webhooks(surface.Config{IDSecret: e.eng.IDSecret()})
			var all []string
			for name := range surfacetest.WebhookSchemas(t, v.spec) {
				if !slices.Contains(v.alone, name) {
					all = append(all, name)
				}
			}
			slices.Sort(all)
			for i, events := range [][]string{all, v.alone} {
				if len(events) == 0 {
					continue
				}
				kinds, err := hooks.Kinds(events)
				if err != nil {
					t.Fatal(err)
				}
				rc, secret := surfacetest.NewReceiver(t), string(v.vendor)+"-secret-"+strconv.Itoa(i)
				ep, err := e.wh.CreateWebhookEndpoint(e.ctx, canonical.WebhookEndpoint{Vendor: v.vendor, URL: rc.URL,
					Events: events, Kinds: kinds, Secret: secret, Enabled: true})
				if err != nil {
					t.Fatal(err)
				}
				subs = append(subs, sub{v: v, ep: ep, rc: rc, secret: secret})
			}
		}

		logged := e.appendChanges(st, vendorChanges())
		// The kit's changes happened at surfacetest.ChangeAt, after the
		// env's start: their deliveries are due from then.
		e.clock.Advance(surfacetest.ChangeAt.Sub(e.clock.Now()))
		p, _ := e.run(surface.WebhookPolicy{}, deliver.Options{Surfaces: surfaces, AllowPrivate: true,
			Config: surface.Config{IDSecret: e.eng.IDSecret(), Now: e.clock.Now}})
		e.settle(p)

		got := map[canonical.Vendor][]string{}
		for _, s := range subs {
			schemas := surfacetest.WebhookSchemas(t, s.v.spec)
			// What the endpoint must get: each logged change it takes,
			// in order, that the renderer announces.
			hooks := s.v.s.(surface.WebhookSurface).Webhooks(surface.Config{IDSecret: e.eng.IDSecret()})
			var want []string
			for _, ch := range logged {
				if !s.ep.Subscribes(ch.Kind) {
					continue
				}
				req, ok, err := hooks.Render(ch, s.ep, "1", e.clock.Now())
				if err != nil {
					t.Fatalf("%s: render %s: %v", s.v.vendor, ch.Kind, err)
				}
				if ok {
					want = append(want, surfacetest.WebhookEvent(s.v.vendor, req.Body))
				}
			}
			var names []string
			for _, r := range s.rc.Got() {
				name := surfacetest.WebhookEvent(s.v.vendor, r.Body)
				names = append(names, name)
				if schema, ok := schemas[name]; !ok {
					t.Errorf("%s: event %q is not in the spec", s.v.vendor, name)
				} else if err := surfacetest.ValidBody(schema, r.Body); err != nil {
					t.Errorf("%s %s: %v\n%s", s.v.vendor, name, err, r.Body)
				}
				if err := surfacetest.VerifySignature(s.v.vendor, r.Header, r.Body, s.secret); err != nil {
					t.Errorf("%s %s: %v", s.v.vendor, name, err)
				}
				if r.Header.Get(surface.EventIDHeader) == "" {
					t.Errorf("%s %s: no %s", s.v.vendor, name, surface.EventIDHeader)
				}
			}
			if !slices.Equal(names, want) {
				t.Errorf("%s endpoint %v got %q, want %q", s.v.vendor, s.ep.Events, names, want)
			}
			got[s.v.vendor] = append(got[s.v.vendor], names...)
		}
		for _, v := range vendors {
			for name := range surfacetest.WebhookSchemas(t, v.spec) {
				if !slices.Contains(got[v.vendor], name) {
					t.Errorf("%s: no %s was delivered", v.vendor, name)
				}
			}
		}
	})
}

// vendorChanges is the kit's change of every kind plus the variants the
// vendors tell apart by content: a direct signup (Referral Rocket's
// referrer_added) and the commission and payout changes of an affiliate
// program (GrowSurf announces those only for affiliate programs).
func vendorChanges() []canonical.Change {
	kit := surfacetest.Changes()
	out := slices.Clone(kit)
	for _, c := range kit {
		switch {
		case c.Kind == canonical.ChangeParticipantAdded:
			direct := c
			p := *c.Participant
			p.ReferrerID, p.ReferralState = "", ""
			direct.Participant, direct.Referrer, direct.Referral = &p, nil, nil
			out = append(out, direct)
		case c.Commission != nil || c.Payout != nil:
			aff := c
			camp := *c.Campaign
			camp.Kind = canonical.AffiliateProgram
			aff.Campaign = &camp
			out = append(out, aff)
		}
	}
	return out
}

// appendChanges logs changes in the env's account and campaign in one
// write, as the engine does, and returns them as logged (with their IDs).
func (e *env) appendChanges(st store.Store, changes []canonical.Change) []canonical.Change {
	e.t.Helper()
	accounts, err := e.eng.Accounts(e.ctx)
	if err != nil || len(accounts) != 1 {
		e.t.Fatalf("accounts %v, %v", accounts, err)
	}
	acct, err := strconv.ParseInt(accounts[0].ID, 10, 64)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := range changes {
		changes[i].ID, changes[i].AccountID, changes[i].CampaignID = "", accounts[0].ID, e.camp
	}
	if err := st.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.AppendEvents(e.ctx, acct, changes)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return changes
}
