package surfacetest

import (
	"crypto/rand"
	"crypto/sha256"
	"strconv"
	"strings"
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

// CheckCodecInput is one fuzz input's check of a codec: decoding any
// string never panics, and what decodes is a positive decimal engine ID
// whose rendering is that very string but for letter case and white
// space around it (hex IDs are read in either case, numeric ones as JSON
// numbers or strings; one entity, one ID); engine ID n
// renders as something that decodes back to n, wherever the codec renders
// it at all, and always for n below 2^30 (every vendor format holds
// those).
func CheckCodecInput(t *testing.T, kind string, encode func(string) string, decode func(string) (string, bool), n uint64, s string) {
	t.Helper()
	if id, ok := decode(s); ok {
		if v, err := strconv.ParseUint(id, 10, 64); err != nil || v == 0 {
			t.Errorf("%s: %q decodes to %q, not a positive engine ID", kind, s, id)
		} else if back := encode(id); !strings.EqualFold(back, strings.TrimSpace(s)) {
			t.Errorf("%s: %q decodes to %s, which renders as %q: two IDs for one entity", kind, s, id, back)
		}
	}
	if n == 0 {
		return
	}
	id := strconv.FormatUint(n, 10)
	rendered := encode(id)
	back, ok := decode(rendered)
	switch {
	case ok && back != id:
		t.Errorf("%s: %s renders as %q, which decodes to %s", kind, id, rendered, back)
	case !ok && n < 1<<30:
		t.Errorf("%s: %s renders as %q, which does not decode", kind, id, rendered)
	}
}
