package growsurf

import (
	"testing"

	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// FuzzIDs decodes arbitrary strings and renders arbitrary engine IDs with
// every kind of an installation's codecs (surfacetest.CheckCodecInput).
func FuzzIDs(f *testing.F) {
	for name, ids := range legacyIDs {
		for id, rendered := range ids {
			f.Add([]byte(nil), uint64(len(name)), id+rendered)
			f.Add([]byte(nil), uint64(3), rendered)
		}
	}
	f.Add([]byte("secret"), uint64(1<<30), "prw_zzzzzz")
	f.Fuzz(func(t *testing.T, secret []byte, n uint64, s string) {
		for name, k := range kindsOf(newIDCodecs(secret)) {
			surfacetest.CheckCodecInput(t, name, k.encode, k.decode, n, s)
		}
	})
}
