package referralhero

import (
	"testing"

	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// FuzzIDs decodes arbitrary strings and renders arbitrary engine IDs with
// every kind of an installation's codecs (surfacetest.CheckCodecInput).
func FuzzIDs(f *testing.F) {
	for _, k := range kindsOf(NewIDs(nil)) {
		f.Add([]byte(nil), uint64(7), k.render("42"))
	}
	f.Add([]byte("secret"), uint64(1<<40), "MF078d000987")
	f.Add([]byte(nil), uint64(0), "sub_4f1c2a9b7d30")
	f.Fuzz(func(t *testing.T, secret []byte, n uint64, s string) {
		for _, k := range kindsOf(NewIDs(secret)) {
			surfacetest.CheckCodecInput(t, k.name, k.render, k.parse, n, s)
		}
	})
}
