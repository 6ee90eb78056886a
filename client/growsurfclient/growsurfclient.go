// Package growsurfclient registers the growsurf:// scheme with
// client.Open: GrowSurf's API (or refbridge's proxy speaking it) through
// the outbound backend of adapters/growsurf. Import it for its side
// effect:
//
//	import _ "github.com/refbridge/refbridge/client/growsurfclient"
//
//	c, err := client.Open(ctx, "growsurf://")  // key from GROWSURF_API_KEY
//
// The URL is growsurf://[KEY@][HOST[:PORT][/PATH]][?insecure=true][&pace=off];
// see client.Open.
package growsurfclient

import (
	"context"
	"io"
	"net/url"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/adapters/pace"
	"github.com/refbridge/refbridge/client"
)

// Scheme is the URL scheme this package registers.
const Scheme = "growsurf"

func init() { client.Register(Scheme, Open) }

// Open opens GrowSurf's outbound backend from a growsurf:// URL. It makes
// no request.
func Open(_ context.Context, u *url.URL) (canonical.Backend, io.Closer, error) {
	v := client.ParseVendorURL(u)
	key, err := client.Credential(v.User, client.EnvGrowSurfKey, "a GrowSurf API key")
	if err != nil {
		return nil, nil, err
	}
	var l *pace.Limiter
	if v.Paced {
		l = pace.New(growsurf.DocumentedLimits()...)
	}
	b, err := growsurf.NewBackend(&growsurf.BackendOptions{BaseURL: v.BaseURL, APIKey: key, Limiter: l})
	if err != nil {
		return nil, nil, err // not a typed nil in the interface
	}
	return b, nil, nil
}
