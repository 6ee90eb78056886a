package rewardful

import (
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// Rewardful identifies every resource by a lower-case version-4 UUID
// (8-4-4-4-12 hex digits). The engine's IDs are decimal integers, one
// sequence per entity kind. An idKind renders an engine ID as a UUID that
// looks random: the ID goes through a keyed 62-bit permutation (one key
// per kind, so a campaign and an affiliate with the same engine ID look
// unrelated) into the low 62 bits; the other 60 free bits of the UUID are
// a keyed hash of those 62, which makes the UUID look random all over and
// lets decoding reject UUIDs this codec did not produce. The keys derive
// from the installation's ID secret (surface.IDKey) and never change in
// an installation: changing one would change every rendered ID.

// idKind is the codec of one entity kind.
type idKind struct {
	name string
	perm surface.Scrambler
	salt uint64
}

func newIDKind(name string, key uint64) idKind {
	return idKind{name: name, perm: surface.NewScrambler(62, key), salt: mix64(key ^ 0x5bd1e9955bd1e995)}
}

// idCodecs are the entity kinds Rewardful exposes, in one installation;
// event and request are the ids of a webhook's event (a logged change) and
// of its delivery.
type idCodecs struct {
	campaign, affiliate, link, coupon, referral, commission, payout, sale, event, request idKind
}

// newIDCodecs returns the codecs of the installation whose ID secret is
// secret (surface.Config.IDSecret). The keys below are the fixed ones,
// used as they are without a secret: databases that handed out IDs before
// installations had secrets keep them.
func newIDCodecs(secret []byte) *idCodecs {
	kind := func(name string, fixed uint64) idKind {
		return newIDKind(name, surface.IDKey(secret, canonical.Rewardful, name, fixed))
	}
	return &idCodecs{
		campaign:   kind("campaign", 0x7265776172646631),
		affiliate:  kind("affiliate", 0x7265776172646632),
		link:       kind("affiliate_link", 0x7265776172646633),
		coupon:     kind("affiliate_coupon", 0x7265776172646634),
		referral:   kind("referral", 0x7265776172646635),
		commission: kind("commission", 0x7265776172646636),
		payout:     kind("payout", 0x7265776172646637),
		sale:       kind("sale", 0x7265776172646638),
		event:      kind("event", 0x7265776172646639),
		request:    kind("request", 0x726577617264663a),
	}
}

const low62 = 1<<62 - 1

// filler is the 60 keyed bits that accompany a permuted value.
func (k idKind) filler(x uint64) uint64 { return mix64(x^k.salt) >> 4 }

// encode renders an engine ID as a UUID. An ID that is not a decimal
// integer the codec can hold (an outbound backend's own ID) is returned
// unchanged, and the empty ID stays empty.
func (k idKind) encode(id string) string {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 || n >= k.perm.Limit() {
		return id
	}
	x := k.perm.Forward(n)
	f := k.filler(x)
	hi := (f>>12)<<16 | 0x4<<12 | f&0xfff
	lo := 0x2<<62 | x
	h := surface.Hex.Encode(hi, 16) + surface.Hex.Encode(lo, 16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// decode turns a UUID rendered by encode back into the engine ID. It is
// case-insensitive; ok is false for anything encode cannot have produced.
func (k idKind) decode(s string) (id string, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return "", false
	}
	h := strings.ToLower(s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36])
	hi, ok1 := surface.Hex.Decode(h[:16])
	lo, ok2 := surface.Hex.Decode(h[16:])
	if !ok1 || !ok2 || hi>>12&0xf != 0x4 || lo>>62 != 0x2 {
		return "", false
	}
	x := lo & low62
	f := k.filler(x)
	if hi>>16 != f>>12 || hi&0xfff != f&0xfff {
		return "", false
	}
	n := k.perm.Backward(x)
	if n == 0 {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}

// mix64 is the splitmix64 finaliser.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
