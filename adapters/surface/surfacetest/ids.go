package surfacetest

import (
	"crypto/rand"
	"crypto/sha256"
	"testing"
)

// Codec is one kind of ID a surface renders, built for an installation's
// ID secret (surface.Config.IDSecret): encode renders an engine ID, decode
// reads a rendered one back.
type Codec func(secret []byte) (encode func(engineID string) string, decode func(vendorID string) (engineID string, ok bool))

// Installation secrets the checks use; fixed, so their outcome is too.
var (
	secretA = sha256.Sum256([]byte("installation A"))
	secretB = sha256.Sum256([]byte("installation B"))
)

// CheckKeyedIDs checks that codec is keyed by the installation's ID
// secret:
//
//   - without one it renders each engine ID of legacy exactly as the
//     fixed keys always have (legacy maps engine IDs to those renderings,
//     taken from the code before installations had secrets), so a
//     database from before keeps every ID it handed out;
//   - under random secrets every engine ID of legacy and ids round-trips;
//   - two installations render each of those IDs differently, from each
//     other and from the fixed keys, and an ID rendered by one is not the
//     same entity in the other.
func CheckKeyedIDs(t *testing.T, codec Codec, legacy map[string]string, ids ...string) {
	t.Helper()
	all := append([]string{}, ids...)
	fixedEnc, _ := codec(nil)
	for id, want := range legacy {
		all = append(all, id)
		if got := fixedEnc(id); got != want {
			t.Errorf("without a secret, %s renders as %q; the fixed keys gave %q", id, got, want)
		}
	}
	for range 3 {
		enc, dec := codec([]byte(rand.Text() + rand.Text()))
		for _, id := range all {
			if back, ok := dec(enc(id)); !ok || back != id {
				t.Errorf("under a random secret, %s renders as %q, which decodes to %q, %v", id, enc(id), back, ok)
			}
		}
	}
	encA, decA := codec(secretA[:])
	encB, decB := codec(secretB[:])
	for _, id := range all {
		a, b, fixed := encA(id), encB(id), fixedEnc(id)
		if a == b || a == fixed || b == fixed {
			t.Errorf("%s renders as %q in installation A, %q in B and %q under the fixed keys; want three renderings", id, a, b, fixed)
		}
		if back, ok := decB(a); ok && back == id {
			t.Errorf("%s rendered by installation A (%q) is %s in installation B too", id, a, back)
		}
		if back, ok := decA(fixed); ok && back == id {
			t.Errorf("%s rendered under the fixed keys (%q) is %s in installation A too", id, fixed, back)
		}
	}
}
