package referralhero

import (
	"context"
	"errors"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// errStop ends eachList early.
var errStop = errors.New("stop")

// listsPage reads one page of the account's lists.
func (b *Backend) listsPage(ctx context.Context, page int) ([]api.List, api.Pagination, error) {
	resp, err := b.c.ListListsWithResponse(ctx, &api.ListListsParams{Page: &page})
	if err := check(resp, err, ""); err != nil {
		return nil, api.Pagination{}, err
	}
	var data api.ListsPage
	if err := decodeData(resp.Body, &data); err != nil {
		return nil, api.Pagination{}, err
	}
	return data.Lists, data.Pagination, nil
}

// eachList calls fn for every list of the account until fn returns
// errStop (eachList then returns nil) or another error.
func (b *Backend) eachList(ctx context.Context, fn func(api.List) error) error {
	for page := 1; page <= maxScan; page++ {
		lists, pg, err := b.listsPage(ctx, page)
		if err != nil {
			return err
		}
		for _, l := range lists {
			if err := fn(l); err != nil {
				if errors.Is(err, errStop) {
					return nil
				}
				return err
			}
		}
		if len(lists) == 0 || page >= pg.TotalPages {
			return nil
		}
	}
	return nil
}

// ListCampaigns implements canonical.Backend: GET /lists, which holds the
// account's active lists only, 10 per vendor page.
func (b *Backend) ListCampaigns(ctx context.Context, opts canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
	pg, err := paged(opts, listsPerPage, func(page int) ([]api.List, api.Pagination, error) {
		return b.listsPage(ctx, page)
	}, nil)
	if err != nil {
		return canonical.Page[canonical.Campaign]{}, err
	}
	out := canonical.Page[canonical.Campaign]{Items: make([]canonical.Campaign, 0, len(pg.Items)), NextCursor: pg.NextCursor, Total: pg.Total}
	for _, l := range pg.Items {
		out.Items = append(out.Items, campaignOf(l))
	}
	return out, nil
}

// GetCampaign implements canonical.Backend. The vendor has no call for
// one list: the list is found among GET /lists (active lists only, so a
// paused or ended list is NotFound) and its rules come from GET
// /lists/{uuid}/bonuses.
func (b *Backend) GetCampaign(ctx context.Context, id string) (canonical.Campaign, error) {
	var (
		found bool
		camp  canonical.Campaign
	)
	err := b.eachList(ctx, func(l api.List) error {
		if l.Uuid == id {
			found, camp = true, campaignOf(l)
			return errStop
		}
		return nil
	})
	if err != nil {
		return canonical.Campaign{}, err
	}
	if !found {
		return canonical.Campaign{}, canonical.Errorf(canonical.NotFound, "list %s not found", id)
	}
	rules, err := b.ListRewardRules(ctx, id)
	if err != nil {
		return canonical.Campaign{}, err
	}
	camp.Rules = rules
	return camp, nil
}

// CreateCampaign implements canonical.Backend: POST /lists with the name
// and the URL as website. The vendor creates an active referral list
// crediting referrals at sign-up; the other fields (rules, qualification,
// status…) cannot be sent and are not applied.
func (b *Backend) CreateCampaign(ctx context.Context, c canonical.Campaign) (canonical.Campaign, error) {
	if strings.TrimSpace(c.Name) == "" {
		return canonical.Campaign{}, canonical.Errorf(canonical.Invalid, "a campaign needs a name")
	}
	body := api.CreateListJSONRequestBody{Name: c.Name}
	if c.URL != "" {
		body.Website = &c.URL
	}
	resp, err := b.c.CreateListWithResponse(ctx, body)
	if err := check(resp, err, ""); err != nil {
		return canonical.Campaign{}, err
	}
	var l api.List
	if err := decodeData(resp.Body, &l); err != nil {
		return canonical.Campaign{}, err
	}
	camp := campaignOf(l)
	camp.URL = c.URL
	camp.Qualification = canonical.QualifyOnSignup
	return camp, nil
}

// UpdateCampaign implements canonical.Backend: NotImplemented, the vendor
// has no call to change a list.
func (b *Backend) UpdateCampaign(context.Context, string, canonical.CampaignPatch) (canonical.Campaign, error) {
	return canonical.Campaign{}, unsupported("UpdateCampaign", "the API cannot change a list")
}

// ListRewardRules implements canonical.Backend: GET
// /lists/{uuid}/bonuses.
func (b *Backend) ListRewardRules(ctx context.Context, campaignID string) ([]canonical.RewardRule, error) {
	resp, err := b.c.ListBonusesWithResponse(ctx, campaignID)
	if err := check(resp, err, ""); err != nil {
		return nil, err
	}
	var rewards []api.Reward
	if err := decodeData(resp.Body, &rewards); err != nil {
		return nil, err
	}
	out := make([]canonical.RewardRule, 0, len(rewards))
	for i, r := range rewards {
		rule := ruleOf(r, campaignID)
		rule.Order = i
		out = append(out, rule)
	}
	return out, nil
}

// CreateRewardRule implements canonical.Backend: NotImplemented, rewards
// are configured in the vendor's dashboard only.
func (b *Backend) CreateRewardRule(context.Context, string, canonical.RewardRule) (canonical.RewardRule, error) {
	return canonical.RewardRule{}, unsupported("CreateRewardRule", "rewards are configured in the dashboard only")
}

// UpdateRewardRule implements canonical.Backend: NotImplemented, rewards
// are configured in the vendor's dashboard only.
func (b *Backend) UpdateRewardRule(context.Context, string, string, canonical.RewardRulePatch) (canonical.RewardRule, error) {
	return canonical.RewardRule{}, unsupported("UpdateRewardRule", "rewards are configured in the dashboard only")
}

// DeleteRewardRule implements canonical.Backend: NotImplemented, rewards
// are configured in the vendor's dashboard only.
func (b *Backend) DeleteRewardRule(context.Context, string, string) error {
	return unsupported("DeleteRewardRule", "rewards are configured in the dashboard only")
}
