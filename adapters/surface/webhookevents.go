package surface

import (
	"slices"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// WebhookEvent is one of a vendor's webhook event names and the change
// kinds it announces.
type WebhookEvent struct {
	Name  string
	Kinds []canonical.ChangeKind
}

// WebhookEvents is a vendor's table of webhook events. Several names may
// announce one kind (an older spelling, or events the vendor tells apart
// by the change's content); the first is the kind's primary name.
type WebhookEvents []WebhookEvent

// Kinds maps subscribed event names to the kinds they cover, each once,
// in table order; an unknown name is canonical Invalid naming it.
func (t WebhookEvents) Kinds(vendor canonical.Vendor, names []string) ([]canonical.ChangeKind, error) {
	want := map[canonical.ChangeKind]bool{}
	for _, n := range names {
		i := slices.IndexFunc(t, func(e WebhookEvent) bool { return e.Name == n })
		if i < 0 {
			return nil, canonical.Errorf(canonical.Invalid, "%s has no webhook event %q", vendor, n)
		}
		for _, k := range t[i].Kinds {
			want[k] = true
		}
	}
	var out []canonical.ChangeKind
	for _, e := range t {
		for _, k := range e.Kinds {
			if want[k] && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out, nil
}

// Names lists the event names of the table in order.
func (t WebhookEvents) Names() []string {
	out := make([]string, len(t))
	for i, e := range t {
		out[i] = e.Name
	}
	return out
}

// Name picks the event name a change of kind goes out as to an endpoint
// subscribed to the names subscribed: among the names announcing kind that
// allow reports true for, the first the endpoint subscribed to, else the
// first (an endpoint that lists kinds only gets primary names). ok is
// false when no name announces kind (or allow admits none).
func (t WebhookEvents) Name(kind canonical.ChangeKind, subscribed []string, allow func(name string) bool) (name string, ok bool) {
	for _, e := range t {
		if !slices.Contains(e.Kinds, kind) || allow != nil && !allow(e.Name) {
			continue
		}
		if slices.Contains(subscribed, e.Name) {
			return e.Name, true
		}
		if !ok {
			name, ok = e.Name, true
		}
	}
	if len(subscribed) > 0 {
		// The endpoint lists names, none of which announces this change.
		return "", false
	}
	return name, ok
}
