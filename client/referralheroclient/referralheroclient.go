// Package referralheroclient registers the referralhero:// scheme with
// client.Open: ReferralHero's API (or refbridge's proxy speaking it)
// through the outbound backend of adapters/referralhero. Import it for
// its side effect:
//
//	import _ "github.com/refbridge/refbridge/client/referralheroclient"
//
//	c, err := client.Open(ctx, "referralhero://")  // token from REFERRALHERO_API_TOKEN
//
// The URL is referralhero://[TOKEN@][HOST[:PORT][/PATH]][?insecure=true][&pace=off];
// see client.Open.
package referralheroclient

import (
	"context"
	"io"
	"net/url"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/pace"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/client"
)

// Scheme is the URL scheme this package registers.
const Scheme = "referralhero"

func init() { client.Register(Scheme, Open) }

// Open opens ReferralHero's outbound backend from a referralhero:// URL.
// It makes no request.
func Open(_ context.Context, u *url.URL) (canonical.Backend, io.Closer, error) {
	v := client.ParseVendorURL(u)
	token, err := client.Credential(v.User, client.EnvReferralHeroToken, "a ReferralHero API token")
	if err != nil {
		return nil, nil, err
	}
	var l *pace.Limiter
	if v.Paced {
		l = pace.New(referralhero.DocumentedLimits()...)
	}
	b, err := referralhero.NewBackend(&referralhero.BackendOptions{BaseURL: v.BaseURL, APIToken: token, Limiter: l})
	if err != nil {
		return nil, nil, err // not a typed nil in the interface
	}
	return b, nil, nil
}
