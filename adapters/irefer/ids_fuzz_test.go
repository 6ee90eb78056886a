package irefer_test

import (
	"fmt"
	"testing"

	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// FuzzIDs decodes arbitrary strings and renders arbitrary engine IDs with
// every kind of an installation's codecs (surfacetest.CheckCodecInput).
func FuzzIDs(f *testing.F) {
	for _, ids := range legacyIDs {
		for id, rendered := range ids {
			f.Add([]byte(nil), uint64(len(id)), rendered)
		}
	}
	f.Add([]byte("secret"), uint64(1<<32), "00001048576")
	f.Fuzz(func(t *testing.T, secret []byte, n uint64, s string) {
		x := irefer.NewIDs(secret)
		for _, k := range kinds {
			encode := func(id string) string { return x.EncodeID(k, id) }
			decode := func(s string) (string, bool) { return x.DecodeID(k, s) }
			surfacetest.CheckCodecInput(t, fmt.Sprint("kind ", int(k)), encode, decode, n, s)
		}
	})
}
