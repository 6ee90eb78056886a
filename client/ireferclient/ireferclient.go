// Package ireferclient registers the irefer:// scheme with client.Open:
// iRefer's API (or refbridge's proxy speaking it) through the outbound
// backend of adapters/irefer. Import it for its side effect:
//
//	import _ "github.com/refbridge/refbridge/client/ireferclient"
//
//	c, err := client.Open(ctx, "irefer://LICENSE:SITEKEY@?campaign_id=7")
//
// The URL is irefer://[LICENSE:SITEKEY@][HOST[:PORT]][?campaign_id=N][&insecure=true];
// missing parts come from IREFER_LICENSE_KEY, IREFER_API_KEY and
// IREFER_CAMPAIGN_ID. See client.Open.
package ireferclient

import (
	"context"
	"io"
	"net/url"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/client"
)

// Scheme is the URL scheme this package registers.
const Scheme = "irefer"

func init() { client.Register(Scheme, Open) }

// Open opens iRefer's outbound backend from an irefer:// URL. It makes no
// request.
func Open(_ context.Context, u *url.URL) (canonical.Backend, io.Closer, error) {
	v := client.ParseVendorURL(u)
	license, err := client.Credential(v.User, client.EnvIReferLicenseKey, "an iRefer license key")
	if err != nil {
		return nil, nil, err
	}
	site, err := client.Credential(v.Password, client.EnvIReferAPIKey, "an iRefer api_key")
	if err != nil {
		return nil, nil, err
	}
	campaign, err := client.Credential(v.Query.Get("campaign_id"), client.EnvIReferCampaignID, "an iRefer campaign_id")
	if err != nil {
		return nil, nil, err
	}
	b, err := irefer.NewBackend(&irefer.BackendOptions{BaseURL: v.BaseURL, LicenseKey: license, APIKey: site, CampaignID: campaign})
	if err != nil {
		return nil, nil, err // not a typed nil in the interface
	}
	return b, nil, nil
}
