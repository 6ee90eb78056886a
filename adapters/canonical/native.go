package canonical

import "maps"

// Vendor names a vendor surface. Its values match the openapi spec names and
// are the keys of Native.
type Vendor string

// The vendors refbridge models, plus the engine itself.
const (
	ReferralRocket Vendor = "referralrocket"
	GrowSurf       Vendor = "growsurf"
	ReferralHero   Vendor = "referralhero"
	Rewardful      Vendor = "rewardful"
	IRefer         Vendor = "irefer"
	// Engine is refbridge's native engine; it has no vendor-native values.
	Engine Vendor = "engine"
)

// Vendors lists the five vendor surfaces in a fixed order.
func Vendors() []Vendor {
	return []Vendor{ReferralRocket, GrowSurf, ReferralHero, Rewardful, IRefer}
}

// Native holds the vendor-native values an entity came with that have no
// canonical field, keyed by vendor and then by the vendor's own field name
// (for example Native["irefer"]["info_1"], Native["referralhero"]["extra_field"]).
// Values must be JSON-encodable; after a round trip through a store numbers
// come back as float64.
type Native map[Vendor]map[string]any

// Get returns the value stored for vendor and key.
func (n Native) Get(v Vendor, key string) (any, bool) {
	val, ok := n[v][key]
	return val, ok
}

// String returns the value stored for vendor and key if it is a string, and
// "" otherwise.
func (n Native) String(v Vendor, key string) string {
	s, _ := n[v][key].(string)
	return s
}

// Set stores value for vendor and key, allocating as needed. A nil value
// deletes the key.
func (n *Native) Set(v Vendor, key string, value any) {
	if value == nil {
		if m := (*n)[v]; m != nil {
			delete(m, key)
			if len(m) == 0 {
				delete(*n, v)
			}
		}
		return
	}
	if *n == nil {
		*n = Native{}
	}
	if (*n)[v] == nil {
		(*n)[v] = map[string]any{}
	}
	(*n)[v][key] = value
}

// Merge copies every value of other into n, overwriting equal keys.
func (n *Native) Merge(other Native) {
	for v, m := range other {
		for k, val := range m {
			n.Set(v, k, val)
		}
	}
}

// Clone returns a copy of n that shares no maps with it.
func (n Native) Clone() Native {
	if n == nil {
		return nil
	}
	out := make(Native, len(n))
	for v, m := range n {
		out[v] = maps.Clone(m)
	}
	return out
}

// Money is an amount in integer minor units (cents) of an ISO 4217 currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency,omitempty"`
}

// IsZero reports whether m has no amount.
func (m Money) IsZero() bool { return m.Amount == 0 }
