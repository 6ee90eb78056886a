package surface

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// IDKey returns the key of one kind of ID a vendor surface renders, in the
// installation whose ID secret is secret (Config.IDSecret).
//
// Each kind has a fixed key in the public source. Without a secret (a
// database that handed out IDs before installations had secrets) the key
// is that fixed key, so the IDs it rendered never change. With one, the
// fixed key is mixed with HMAC-SHA256(secret, vendor and kind): every
// installation renders the same engine ID differently, and nobody without
// the secret can decode a rendered ID back into the engine's shared
// sequence.
func IDKey(secret []byte, vendor canonical.Vendor, kind string, fixed uint64) uint64 {
	if len(secret) == 0 {
		return fixed
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("refbridge id key\x00" + string(vendor) + "\x00" + kind))
	return fixed ^ binary.BigEndian.Uint64(m.Sum(nil))
}

// Scrambler is a keyed permutation of the integers below 2^Bits: a
// four-round Feistel network. Vendor ID codecs pass the engine's
// sequential IDs through it so that rendered IDs look like the vendor's
// random ones, stay stable across restarts (the key, see IDKey, never
// changes in an installation), and decode back exactly.
type Scrambler struct {
	half uint
	mask uint64
	keys [4]uint64
}

// NewScrambler returns a permutation of [0, 2^bits) keyed by key; bits is
// even, between 16 and 62.
func NewScrambler(bits uint, key uint64) Scrambler {
	if bits%2 != 0 || bits < 16 || bits > 62 {
		panic("surface: scrambler bits must be even and in [16, 62]")
	}
	s := Scrambler{half: bits / 2, mask: 1<<(bits/2) - 1}
	for i := range s.keys {
		key = mix(key + uint64(i) + 0x9e3779b97f4a7c15)
		s.keys[i] = key
	}
	return s
}

// Limit is the first integer the scrambler cannot permute.
func (s Scrambler) Limit() uint64 { return 1 << (2 * s.half) }

// Forward permutes n, which must be below Limit.
func (s Scrambler) Forward(n uint64) uint64 {
	l, r := n>>s.half, n&s.mask
	for _, k := range s.keys {
		l, r = r, l^(mix(r^k)&s.mask)
	}
	return l<<s.half | r
}

// Backward undoes Forward.
func (s Scrambler) Backward(n uint64) uint64 {
	l, r := n>>s.half, n&s.mask
	for i := len(s.keys) - 1; i >= 0; i-- {
		l, r = r^(mix(l^s.keys[i])&s.mask), l
	}
	return l<<s.half | r
}

// mix is splitmix64's finaliser.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Alphabet is a digit set for Encode and Decode.
type Alphabet string

// Common alphabets.
const (
	Base36    Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	Base62    Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	Hex       Alphabet = "0123456789abcdef"
	UpperHex  Alphabet = "0123456789ABCDEF"
	UpperBase Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

// Encode writes n in the alphabet, left-padded with its zero digit to
// width.
func (a Alphabet) Encode(n uint64, width int) string {
	base := uint64(len(a))
	var buf [64]byte
	i := len(buf)
	for n > 0 || i == len(buf) {
		i--
		buf[i] = a[n%base]
		n /= base
	}
	for len(buf)-i < width && i > 0 {
		i--
		buf[i] = a[0]
	}
	if pad := width - (len(buf) - i); pad > 0 {
		// Wider than the buffer: a caller's width may come from text it
		// read (Decode, then Encode to compare).
		return strings.Repeat(string(a[0]), pad) + string(buf[i:])
	}
	return string(buf[i:])
}

// Decode reads s written by Encode; ok is false for a character outside
// the alphabet or a value that overflows.
func (a Alphabet) Decode(s string) (n uint64, ok bool) {
	if s == "" {
		return 0, false
	}
	base := uint64(len(a))
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(string(a), s[i])
		if d < 0 {
			return 0, false
		}
		if n > (^uint64(0)-uint64(d))/base {
			return 0, false
		}
		n = n*base + uint64(d)
	}
	return n, true
}
