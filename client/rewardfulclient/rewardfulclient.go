// Package rewardfulclient registers the rewardful:// scheme with
// client.Open: Rewardful's API (or refbridge's proxy speaking it) through
// the outbound backend of adapters/rewardful. Import it for its side
// effect:
//
//	import _ "github.com/refbridge/refbridge/client/rewardfulclient"
//
//	c, err := client.Open(ctx, "rewardful://")  // secret from REWARDFUL_API_SECRET
//
// The URL is rewardful://[SECRET@][HOST[:PORT][/PATH]][?insecure=true][&pace=off];
// see client.Open.
package rewardfulclient

import (
	"context"
	"io"
	"net/url"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/pace"
	"github.com/refbridge/refbridge/adapters/rewardful"
	"github.com/refbridge/refbridge/client"
)

// Scheme is the URL scheme this package registers.
const Scheme = "rewardful"

func init() { client.Register(Scheme, Open) }

// Open opens Rewardful's outbound backend from a rewardful:// URL. It
// makes no request.
func Open(_ context.Context, u *url.URL) (canonical.Backend, io.Closer, error) {
	v := client.ParseVendorURL(u)
	s, err := client.Credential(v.User, client.EnvRewardfulSecret, "a Rewardful API secret")
	if err != nil {
		return nil, nil, err
	}
	var l *pace.Limiter
	if v.Paced {
		l = pace.New(rewardful.DocumentedLimits()...)
	}
	b, err := rewardful.NewBackend(&rewardful.BackendOptions{BaseURL: v.BaseURL, APISecret: s, Limiter: l})
	if err != nil {
		return nil, nil, err // not a typed nil in the interface
	}
	return b, nil, nil
}
