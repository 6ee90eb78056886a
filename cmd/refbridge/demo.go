package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/proxy/engine"
)

// demoSite is the demo campaign's website: iRefer browser calls must come
// from it; curl and servers use the site key instead.
const demoSite = "https://demo.example.com"

// ensureDemo creates, on an empty database, a demo account with one
// active campaign and a credential for every surface, and prints them with
// a curl line per surface. Secrets are shown only when created: stores
// keep hashes.
func ensureDemo(ctx context.Context, eng *engine.Engine, base string, out io.Writer) error {
	accounts, err := eng.Accounts(ctx)
	if err != nil {
		return err
	}
	if len(accounts) > 0 {
		fmt.Fprintf(out, "database has %d account(s); issue credentials with \"refbridge admin credentials issue\"\n", len(accounts))
		return nil
	}
	acct, err := eng.CreateAccount(ctx, "demo")
	if err != nil {
		return err
	}
	b := eng.Backend(acct.ID)
	camp, err := b.CreateCampaign(ctx, canonical.Campaign{
		Name:     "Demo campaign",
		Status:   canonical.CampaignActive,
		Currency: "USD",
		URL:      demoSite,
		Rules: []canonical.RewardRule{{
			Kind:          canonical.DoubleSided,
			Title:         "Give $10, get $10",
			Threshold:     1,
			Unlimited:     true,
			Visible:       true,
			ReferrerValue: canonical.Money{Amount: 1000, Currency: "USD"},
			ReferredValue: canonical.Money{Amount: 1000, Currency: "USD"},
		}},
	})
	if err != nil {
		return err
	}
	issue := func(v canonical.Vendor, k canonical.CredentialKind, campaign string) (string, error) {
		c, err := eng.IssueCredential(ctx, canonical.Credential{AccountID: acct.ID, Vendor: v, Kind: k, CampaignID: campaign})
		return c.Secret, err
	}
	type cred struct {
		vendor canonical.Vendor
		kind   canonical.CredentialKind
		scoped bool
		secret string
	}
	creds := []*cred{
		{vendor: canonical.ReferralRocket, kind: canonical.APIKey},
		{vendor: canonical.GrowSurf, kind: canonical.APIKey},
		{vendor: canonical.ReferralHero, kind: canonical.APIKey},
		{vendor: canonical.Rewardful, kind: canonical.APISecret},
		{vendor: canonical.IRefer, kind: canonical.LicenseKey, scoped: true},
		{vendor: canonical.IRefer, kind: canonical.SiteKey, scoped: true},
	}
	for _, c := range creds {
		campaign := ""
		if c.scoped {
			campaign = camp.ID
		}
		if c.secret, err = issue(c.vendor, c.kind, campaign); err != nil {
			return err
		}
	}
	rrCampaign, _ := referralrocket.NewIDs(eng.IDSecret()).EncodeCampaignID(camp.ID)
	irCampaign := irefer.NewIDs(eng.IDSecret()).EncodeID(irefer.KindCampaign, camp.ID)

	fmt.Fprintf(out, "\nCreated demo account %s with campaign %q (%s). Credentials, shown only now:\n\n", acct.ID, camp.Name, demoSite)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  surface\tkind\tsecret")
	for _, c := range creds {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.vendor, c.kind, c.secret)
	}
	tw.Flush()
	fmt.Fprintf(out, "\nTry each surface:\n\n")
	fmt.Fprintf(out, "  # Referral Rocket\n  curl -H 'X-API-Key: %s' '%s/api/v1/getCampaign?id=%s'\n", creds[0].secret, base, rrCampaign)
	fmt.Fprintf(out, "  # GrowSurf\n  curl -H 'Authorization: Bearer %s' %s/v2/campaigns\n", creds[1].secret, base)
	fmt.Fprintf(out, "  # ReferralHero\n  curl '%s/api/v2/lists?api_token=%s'\n", base, creds[2].secret)
	fmt.Fprintf(out, "  # Rewardful\n  curl -u '%s:' %s/v1/campaigns\n", creds[3].secret, base)
	fmt.Fprintf(out, "  # iRefer\n  curl '%s/v1.0/%s.js/campaignStats?campaign_id=%s&api_key=%s'\n\n", base, creds[4].secret, irCampaign, creds[5].secret)
	return nil
}
