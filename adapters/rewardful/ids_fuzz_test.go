package rewardful

import (
	"testing"

	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// FuzzIDs decodes arbitrary strings and renders arbitrary engine IDs with
// every kind of an installation's codecs (surfacetest.CheckCodecInput).
func FuzzIDs(f *testing.F) {
	fixed := newIDCodecs(nil)
	for _, k := range kindsOf(fixed) {
		f.Add([]byte(nil), uint64(7), k.encode("42"))
	}
	f.Add([]byte("secret"), uint64(1<<40), "00000000-0000-4000-8000-000000000000")
	f.Fuzz(func(t *testing.T, secret []byte, n uint64, s string) {
		for _, k := range kindsOf(newIDCodecs(secret)) {
			surfacetest.CheckCodecInput(t, k.name, k.encode, k.decode, n, s)
		}
	})
}
