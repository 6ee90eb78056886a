package surface_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/surface"
)

// FuzzScrambler: for every width and key, Forward stays below Limit and
// Backward undoes it.
func FuzzScrambler(f *testing.F) {
	f.Add(uint8(0), uint64(0), uint64(0))
	f.Add(uint8(23), uint64(0x6a09e667f3bcc908), uint64(1<<62-1))
	f.Fuzz(func(t *testing.T, width uint8, key, n uint64) {
		bits := 16 + 2*uint(width%24) // even, 16 to 62
		s := surface.NewScrambler(bits, key)
		n %= s.Limit()
		v := s.Forward(n)
		if v >= s.Limit() {
			t.Fatalf("%d bits: Forward(%d) = %d, not below %d", bits, n, v, s.Limit())
		}
		if back := s.Backward(v); back != n {
			t.Fatalf("%d bits, key %#x: Backward(Forward(%d)) = %d", bits, key, n, back)
		}
	})
}

// FuzzAlphabet: Decode of any string never panics and reads back what
// Encode wrote; what decodes re-encodes to the same digits.
func FuzzAlphabet(f *testing.F) {
	f.Add("zz", uint64(35), uint8(6))
	f.Add("", uint64(1<<64-1), uint8(0))
	alphabets := []surface.Alphabet{surface.Base36, surface.Base62, surface.Hex, surface.UpperHex, surface.UpperBase}
	f.Fuzz(func(t *testing.T, s string, n uint64, width uint8) {
		for _, a := range alphabets {
			enc := a.Encode(n, int(width%40))
			if got, ok := a.Decode(enc); !ok || got != n {
				t.Fatalf("%s: Decode(Encode(%d)) = %d, %v", a, n, got, ok)
			}
			if v, ok := a.Decode(s); ok {
				if again := a.Encode(v, len(s)); again != s {
					t.Fatalf("%s: %q decodes to %d, which encodes as %q", a, s, v, again)
				}
			}
		}
	})
}

// FuzzIntCodec: any string decodes without panicking, and what decodes
// is a positive engine ID rendering as that very number; engine IDs within
// range render as positive numbers that decode back.
func FuzzIntCodec(f *testing.F) {
	f.Add(uint64(0x5265664865726f03), uint64(1), "1")
	f.Add(uint64(0), uint64(1<<30-1), " 0042 ")
	f.Add(uint64(7), uint64(1<<30), "-1")
	f.Fuzz(func(t *testing.T, key, n uint64, s string) {
		c := surface.NewIntCodec(surface.NewScrambler(30, key))
		if id, ok := c.Decode(s); ok {
			v, err := strconv.ParseUint(id, 10, 64)
			if err != nil || v == 0 {
				t.Fatalf("%q decodes to %q, not a positive engine ID", s, id)
			}
			if back := strconv.FormatInt(c.Encode(id), 10); back != strings.TrimSpace(s) {
				t.Fatalf("%q decodes to %s, which renders as %s", s, id, back)
			}
		}
		id := strconv.FormatUint(n, 10)
		v := c.Encode(id)
		switch {
		case n == 0 || n >= 1<<30:
			if v != 0 {
				t.Fatalf("engine ID %s is out of range but renders as %d", id, v)
			}
		case v <= 0 || v >= 1<<30:
			t.Fatalf("engine ID %s renders as %d", id, v)
		default:
			if back, ok := c.Decode(strconv.FormatInt(v, 10)); !ok || back != id {
				t.Fatalf("engine ID %s renders as %d, which decodes to %q, %v", id, v, back, ok)
			}
		}
	})
}

// FuzzEventIDs: any string decodes without panicking, and what decodes
// re-encodes to that string; change IDs below 2^62 round-trip.
func FuzzEventIDs(f *testing.F) {
	f.Add([]byte(nil), uint64(1), "evt_0000000000000000")
	f.Add([]byte("secret"), uint64(1<<62-1), "evt_ffffffffffffffff")
	f.Fuzz(func(t *testing.T, secret []byte, n uint64, s string) {
		x := surface.NewEventIDs(secret)
		if id, ok := x.Decode(s); ok {
			if back := x.Encode(id); back != s {
				t.Fatalf("%q decodes to %s, which renders as %q", s, id, back)
			}
		}
		id := strconv.FormatUint(n, 10)
		e := x.Encode(id)
		if n == 0 || n >= 1<<62 {
			if e != "" {
				t.Fatalf("change %s is out of range but renders as %q", id, e)
			}
			return
		}
		if back, ok := x.Decode(e); !ok || back != id {
			t.Fatalf("change %s renders as %q, which decodes to %q, %v", id, e, back, ok)
		}
	})
}
