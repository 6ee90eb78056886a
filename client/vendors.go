package client

import (
	"net/url"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/adapters/pace"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/rewardful"
)

// vendorOpeners open each vendor's outbound backend from its URL.
var vendorOpeners = map[string]func(*url.URL) (canonical.Backend, error){
	"growsurf":       openGrowSurf,
	"referralhero":   openReferralHero,
	"rewardful":      openRewardful,
	"referralrocket": openReferralRocket,
	"irefer":         openIRefer,
}

// Environment variables holding vendor credentials.
const (
	EnvGrowSurfKey            = "GROWSURF_API_KEY"
	EnvReferralHeroToken      = "REFERRALHERO_API_TOKEN"
	EnvRewardfulSecret        = "REWARDFUL_API_SECRET"
	EnvReferralRocketKey      = "REFERRALROCKET_API_KEY"
	EnvIReferLicenseKey       = "IREFER_LICENSE_KEY"
	EnvIReferAPIKey           = "IREFER_API_KEY"
	EnvIReferCampaignID       = "IREFER_CAMPAIGN_ID"
	EnvReferralRocketCampaign = "REFERRALROCKET_CAMPAIGN_ID"
)

func openGrowSurf(u *url.URL) (canonical.Backend, error) {
	v := parseVendor(u)
	key := secret(v.user, EnvGrowSurfKey)
	if key == "" {
		return nil, missing("a GrowSurf API key", EnvGrowSurfKey)
	}
	return growsurf.NewBackend(growsurf.BackendOptions{BaseURL: v.base, APIKey: key, Limiter: v.limiter(growsurf.DocumentedLimits())})
}

func openReferralHero(u *url.URL) (canonical.Backend, error) {
	v := parseVendor(u)
	token := secret(v.user, EnvReferralHeroToken)
	if token == "" {
		return nil, missing("a ReferralHero API token", EnvReferralHeroToken)
	}
	return referralhero.NewBackend(referralhero.BackendOptions{BaseURL: v.base, APIToken: token, Limiter: v.limiter(referralhero.DocumentedLimits())})
}

func openRewardful(u *url.URL) (canonical.Backend, error) {
	v := parseVendor(u)
	s := secret(v.user, EnvRewardfulSecret)
	if s == "" {
		return nil, missing("a Rewardful API secret", EnvRewardfulSecret)
	}
	return rewardful.NewBackend(rewardful.BackendOptions{BaseURL: v.base, APISecret: s, Limiter: v.limiter(rewardful.DocumentedLimits())})
}

// openReferralRocket: the real vendor needs no key; refbridge's proxy
// does.
func openReferralRocket(u *url.URL) (canonical.Backend, error) {
	v := parseVendor(u)
	return referralrocket.NewBackend(referralrocket.BackendOptions{
		BaseURL:    v.base,
		APIKey:     secret(v.user, EnvReferralRocketKey),
		CampaignID: secret(v.query.Get("campaign_id"), EnvReferralRocketCampaign),
	})
}

func openIRefer(u *url.URL) (canonical.Backend, error) {
	v := parseVendor(u)
	license := secret(v.user, EnvIReferLicenseKey)
	site := secret(v.pass, EnvIReferAPIKey)
	campaign := secret(v.query.Get("campaign_id"), EnvIReferCampaignID)
	switch {
	case license == "":
		return nil, missing("an iRefer license key", EnvIReferLicenseKey)
	case site == "":
		return nil, missing("an iRefer api_key", EnvIReferAPIKey)
	case campaign == "":
		return nil, missing("an iRefer campaign_id", EnvIReferCampaignID)
	}
	return irefer.NewBackend(irefer.BackendOptions{BaseURL: v.base, LicenseKey: license, APIKey: site, CampaignID: campaign})
}

// limiter paces to documented unless the URL said pace=off.
func (v vendorURL) limiter(documented []pace.Window) *pace.Limiter {
	if !v.paced {
		return nil
	}
	return pace.New(documented...)
}
