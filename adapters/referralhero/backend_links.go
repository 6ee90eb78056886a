package referralhero

import (
	"context"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// ListLinks implements canonical.Backend: NotImplemented, the vendor has
// no link resource (a subscriber's link is its referral_link, kept in
// Native).
func (b *Backend) ListLinks(context.Context, canonical.LinkQuery) (canonical.Page[canonical.Link], error) {
	return canonical.Page[canonical.Link]{}, unsupported("ListLinks", "the API has no link resource")
}

// CreateLink implements canonical.Backend: NotImplemented, the vendor has
// no link resource.
func (b *Backend) CreateLink(context.Context, string, canonical.ParticipantRef, string) (canonical.Link, error) {
	return canonical.Link{}, unsupported("CreateLink", "the API has no link resource")
}

// GetLink implements canonical.Backend: NotImplemented, the vendor has no
// link resource.
func (b *Backend) GetLink(context.Context, string) (canonical.Link, error) {
	return canonical.Link{}, unsupported("GetLink", "the API has no link resource")
}

// UpdateLink implements canonical.Backend: NotImplemented, the vendor has
// no link resource.
func (b *Backend) UpdateLink(context.Context, string, string) (canonical.Link, error) {
	return canonical.Link{}, unsupported("UpdateLink", "the API has no link resource")
}
