package referralrocket_test

import (
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
)

// FuzzWebhookRender renders fuzzed changes (surfacetest.FuzzedChange) for
// endpoints of fuzzed event subsets: Render never panics, and what it
// renders matches its event's schema.
func FuzzWebhookRender(f *testing.F) {
	f.Add(uint8(0), "ana@example.org\x00Ana\x00Ruiz\x00ana7c21x\x00twitter\x00https://shop.example.com\x00USD\x00vip", int64(4), uint64(42), uint8(3), uint8(0), "whsec")
	f.Add(uint8(10), "\xff\x00<b>\x00\x00\x00\x00javascript:alert(1)?x=&y\x00\x00", int64(-1), uint64(1<<50), uint8(1), uint8(0x7f), "")
	f.Add(uint8(2), "", int64(0), uint64(0), uint8(12), uint8(4), "k")
	schemas := surfacetest.WebhookSchemas(f, openapi.ReferralRocket)
	names := referralrocket.EventNames()
	f.Fuzz(func(t *testing.T, kind uint8, text string, n int64, id uint64, flags, events uint8, secret string) {
		ep := canonical.WebhookEndpoint{Vendor: canonical.ReferralRocket, Secret: secret}
		for i, name := range names {
			if events&(1<<i) != 0 {
				ep.Events = append(ep.Events, name)
			}
		}
		surfacetest.CheckFuzzedRender(t, hooks, schemas, eventTypeOf, surfacetest.FuzzedChange(kind, text, n, id, flags), ep)
	})
}
