// Package referralrocketclient registers the referralrocket:// scheme
// with client.Open: Referral Rocket's API (or refbridge's proxy speaking
// it) through the outbound backend of adapters/referralrocket. Import it
// for its side effect:
//
//	import _ "github.com/refbridge/refbridge/client/referralrocketclient"
//
//	c, err := client.Open(ctx, "referralrocket://")
//
// The URL is referralrocket://[KEY@][HOST[:PORT]][?campaign_id=ID][&insecure=true];
// see client.Open. The real vendor needs no key; refbridge's proxy does
// (REFERRALROCKET_API_KEY when the URL has none).
package referralrocketclient

import (
	"context"
	"io"
	"net/url"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/client"
)

// Scheme is the URL scheme this package registers.
const Scheme = "referralrocket"

func init() { client.Register(Scheme, Open) }

// Open opens Referral Rocket's outbound backend from a referralrocket://
// URL. It makes no request.
func Open(_ context.Context, u *url.URL) (canonical.Backend, io.Closer, error) {
	v := client.ParseVendorURL(u)
	b, err := referralrocket.NewBackend(&referralrocket.BackendOptions{
		BaseURL:    v.BaseURL,
		APIKey:     client.Secret(v.User, client.EnvReferralRocketKey),
		CampaignID: client.Secret(v.Query.Get("campaign_id"), client.EnvReferralRocketCampaign),
	})
	if err != nil {
		return nil, nil, err // not a typed nil in the interface
	}
	return b, nil, nil
}
