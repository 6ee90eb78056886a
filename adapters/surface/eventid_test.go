package surface_test

import (
	"testing"

	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// TestEventIDsKeyed: event ids differ between installations and decode
// only in their own; the fixed-key rendering of change 1 is pinned, since
// receivers store event ids to de-duplicate.
func TestEventIDsKeyed(t *testing.T) {
	t.Parallel()
	codec := func(secret []byte) (func(string) string, func(string) (string, bool)) {
		x := surface.NewEventIDs(secret)
		return x.Encode, x.Decode
	}
	surfacetest.CheckKeyedIDs(t, codec, map[string]string{"1": "evt_22367a1ce9c511a9"}, "2", "1001", "4611686018427387903")
}
