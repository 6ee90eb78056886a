package canonical

import "time"

// Account is a tenant. Every entity belongs to exactly one account, and a
// Backend obtained for an account sees nothing of any other.
type Account struct {
	ID        string    `json:",omitzero"`
	Name      string    `json:",omitzero"`
	CreatedAt time.Time `json:",omitzero"`
}

// CredentialKind says what a credential is for on its vendor surface.
type CredentialKind string

// The credential kinds the five vendor surfaces use.
const (
	// APIKey is a bearer-style secret: GrowSurf's API key, ReferralHero's
	// api_token, Referral Rocket's optional X-API-Key.
	APIKey CredentialKind = "api_key"
	// APISecret is Rewardful's API secret (HTTP Basic user name).
	APISecret CredentialKind = "api_secret"
	// LicenseKey is iRefer's per-campaign license key (in the URL path).
	LicenseKey CredentialKind = "license_key"
	// SiteKey is iRefer's per-website api_key query parameter.
	SiteKey CredentialKind = "site_key"
)

// Credential lets callers of one vendor surface act as one account. Secret
// is only ever filled in when the credential is created; stores keep a hash.
type Credential struct {
	ID        string         `json:",omitzero"`
	AccountID string         `json:",omitzero"`
	Vendor    Vendor         `json:",omitzero"`
	Kind      CredentialKind `json:",omitzero"`
	// CampaignID scopes the credential to one campaign (iRefer keys).
	CampaignID string    `json:",omitzero"`
	Secret     string    `json:",omitzero"`
	CreatedAt  time.Time `json:",omitzero"`
}
