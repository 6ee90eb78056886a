package surface

import (
	"context"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// aliasResolver is a backend that keeps the IDs other systems gave its
// entities (the engine, after a migration into it).
type aliasResolver interface {
	ResolveAlias(ctx context.Context, kind string, vendor canonical.Vendor, external string) (string, error)
}

// Legacy returns the backend's ID of the entity of kind ("participant",
// "campaign") that vendor knew as external before the program was
// migrated into refbridge, so a legacy client's stored IDs keep working.
// ok is false when the backend keeps no such aliases or has none for
// external. Surfaces try it before their own ID codec: a legacy ID may
// happen to decode as one of refbridge's.
func Legacy(ctx context.Context, b canonical.Backend, kind string, vendor canonical.Vendor, external string) (string, bool) {
	r, ok := b.(aliasResolver)
	if !ok || external == "" {
		return "", false
	}
	id, err := r.ResolveAlias(ctx, kind, vendor, external)
	return id, err == nil
}
