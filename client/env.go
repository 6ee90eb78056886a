package client

// Environment variables holding vendor credentials, read by the vendor
// opener packages (client/growsurfclient, …) when the URL has none.
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
