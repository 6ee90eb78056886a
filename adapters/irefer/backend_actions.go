package irefer

import (
	"context"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/irefer"
)

// RecordSpecificAction implements canonical.Backend over
// newSpecificAction: a.ExternalID, a.Action and referrerCode are required
// (Invalid without them). newSpecificAction answers only the campaign name
// and the external id, so the result is a's fields with the campaign;
// ID, ReferrerID and CreatedAt are known from ListSpecificActions only.
// iRefer answers an unknown referrer code and an action other than the
// campaign's configured one alike; both are NotFound.
func (b *Backend) RecordSpecificAction(ctx context.Context, campaignID string, a canonical.SpecificAction, referrerCode string) (canonical.SpecificAction, error) {
	defer b.forget()
	ext, action, code := strings.TrimSpace(a.ExternalID), strings.TrimSpace(a.Action), strings.TrimSpace(referrerCode)
	if ext == "" || action == "" || code == "" {
		return canonical.SpecificAction{}, canonical.Errorf(canonical.Invalid, "external id, action and referrer code are required")
	}
	if err := b.checkCampaign(campaignID); err != nil {
		return canonical.SpecificAction{}, err
	}
	res, err := b.client.NewSpecificActionWithResponse(ctx, b.license, &api.NewSpecificActionParams{
		CampaignId: b.campaign, ExternalId: ext, Action: action, ReferrerCode: code})
	got, err := call[api.SpecificAction]("newSpecificAction", res, err)
	if err != nil {
		return canonical.SpecificAction{}, err
	}
	out := canonical.SpecificAction{CampaignID: b.campaign, ExternalID: got.ExternalId, Action: action, IP: a.IP}
	if out.ExternalID == "" {
		out.ExternalID = ext
	}
	return out, nil
}

// ListSpecificActions implements canonical.Backend over
// specificActionSignups, newest first; ReferrerID is resolved from
// referrer_email through the referrers list (one more call when the page
// has any action). NotFound.
func (b *Backend) ListSpecificActions(ctx context.Context, campaignID string, opts canonical.ListOptions) (canonical.Page[canonical.SpecificAction], error) {
	var none canonical.Page[canonical.SpecificAction]
	if err := checkCursor(opts); err != nil {
		return none, err
	}
	if err := b.checkCampaign(campaignID); err != nil {
		return none, err
	}
	res, err := b.client.SpecificActionSignupsWithResponse(ctx, b.license, &api.SpecificActionSignupsParams{CampaignId: b.campaign})
	rows, err := call[[]api.SpecificActionSignup]("specificActionSignups", res, err)
	if err != nil {
		return none, err
	}
	acts := make([]canonical.SpecificAction, 0, len(rows))
	for _, row := range rows {
		acts = append(acts, canonical.SpecificAction{
			ID: row.Id, CampaignID: row.CampaignId, ExternalID: row.ReferredPerson,
			Action: row.SpecificAction, IP: row.Ip, CreatedAt: row.CreatedAt.UTC(),
		})
	}
	page, err := cut(acts, opts, func(a canonical.SpecificAction) string { return a.ID })
	if err != nil || len(page.Items) == 0 {
		return page, err
	}
	r, err := b.fetchRoster(ctx)
	if err != nil {
		return none, err
	}
	emails := make(map[string]string, len(rows))
	for _, row := range rows {
		emails[row.Id] = row.ReferrerEmail
	}
	for i, a := range page.Items {
		if j, ok := r.byEmail[strings.ToLower(emails[a.ID])]; ok {
			page.Items[i].ReferrerID = r.rows[j].Id
		}
	}
	return page, nil
}
