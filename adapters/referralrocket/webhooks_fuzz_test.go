package referralrocket_test

import (
	"testing"

	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
	"github.com/refbridge/refbridge/openapi"
)

// FuzzWebhookRender: Render never panics, and what it renders matches its
// event's schema (surfacetest.FuzzWebhooks).
func FuzzWebhookRender(f *testing.F) {
	surfacetest.FuzzWebhooks(f, openapi.ReferralRocket, hooks, referralrocket.EventNames(), eventTypeOf)
}
