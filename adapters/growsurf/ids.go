package growsurf

import (
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// idKind renders one kind of engine ID (a decimal integer from its own
// sequence) as a GrowSurf-looking ID: an optional prefix and six lowercase
// base-36 characters (twelve for IDs at or above 2^30), scrambled with a
// key of its own so that consecutive IDs look random and kinds do not look
// alike. The keys derive from the installation's ID secret
// (surface.IDKey) and never change in an installation: rendered IDs are
// stable forever.
type idKind struct {
	prefix string
	short  surface.Scrambler // IDs below 2^30, six characters
	long   surface.Scrambler // IDs from 2^30 up to 2^62, twelve characters
}

const (
	shortBits  = 30
	shortWidth = 6
	longWidth  = 12
)

func newIDKind(prefix string, key uint64) idKind {
	return idKind{
		prefix: prefix,
		short:  surface.NewScrambler(shortBits, key),
		long:   surface.NewScrambler(62, key^0x5bd1e9955bd1e995),
	}
}

// idCodecs are the ID kinds of the GrowSurf surface in one installation.
// Campaigns and participants are bare six-character IDs ("abc123",
// "k3x9qz"); the others carry the prefixes of GrowSurf's documented
// examples ("crew_xyz789", "prw_1", "com_1", "po_1", "inv_77aa"); webhooks
// the "wh_" of the ids GrowSurf shows for them.
type idCodecs struct {
	campaign, participant, rule, reward, commission, payout, invite, webhook idKind
}

// newIDCodecs returns the codecs of the installation whose ID secret is
// secret (surface.Config.IDSecret). The keys below are the fixed ones,
// used as they are without a secret: databases that handed out IDs before
// installations had secrets keep them.
func newIDCodecs(secret []byte) *idCodecs {
	kind := func(name, prefix string, fixed uint64) idKind {
		return newIDKind(prefix, surface.IDKey(secret, canonical.GrowSurf, name, fixed))
	}
	return &idCodecs{
		campaign:    kind("campaign", "", 0x6a09e667f3bcc908),
		participant: kind("participant", "", 0xbb67ae8584caa73b),
		rule:        kind("rule", "crew_", 0x3c6ef372fe94f82b),
		reward:      kind("reward", "prw_", 0xa54ff53a5f1d36f1),
		commission:  kind("commission", "com_", 0x510e527fade682d1),
		payout:      kind("payout", "po_", 0x9b05688c2b3e6c1f),
		invite:      kind("invite", "inv_", 0x1f83d9abfb41bd6b),
		webhook:     kind("webhook", "wh_", 0x5be0cd19137e2179),
	}
}

// encode renders an engine ID. An ID that is not a positive decimal
// integer (one from another backend) is returned unchanged.
func (k idKind) encode(id string) string {
	if id == "" {
		return ""
	}
	n, err := strconv.ParseUint(id, 10, 64)
	switch {
	case err != nil || n == 0 || n >= k.long.Limit():
		return id
	case n < k.short.Limit():
		return k.prefix + surface.Base36.Encode(k.short.Forward(n), shortWidth)
	default:
		return k.prefix + surface.Base36.Encode(k.long.Forward(n), longWidth)
	}
}

// decode turns a rendered ID back into the engine ID; ok is false for
// anything encode cannot have produced.
func (k idKind) decode(s string) (id string, ok bool) {
	body, found := strings.CutPrefix(s, k.prefix)
	if !found {
		return "", false
	}
	v, valid := surface.Base36.Decode(body)
	if !valid {
		return "", false
	}
	var n uint64
	switch len(body) {
	case shortWidth:
		if v >= k.short.Limit() {
			return "", false
		}
		n = k.short.Backward(v)
	case longWidth:
		if v >= k.long.Limit() {
			return "", false
		}
		n = k.long.Backward(v)
		if n < k.short.Limit() {
			return "", false // that ID renders short
		}
	default:
		return "", false
	}
	if n == 0 {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}

// encodeAll renders a list of engine IDs.
func (k idKind) encodeAll(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, k.encode(id))
	}
	return out
}
