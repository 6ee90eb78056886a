package sqlstore

import (
	"context"
	"sync"

	"github.com/refbridge/refbridge/adapters/canonical"
)

func setCampaignID(c *canonical.Campaign, id string) { c.ID = id }
func setRuleID(r *canonical.RewardRule, id string)   { r.ID = id }

func campaignDoc(c *canonical.Campaign) (string, error) {
	cp := *c
	cp.ID, cp.Rules = "", nil
	return encode(cp)
}

func (t *tx) InsertCampaign(ctx context.Context, account int64, c *canonical.Campaign) error {
	doc, err := campaignDoc(c)
	if err != nil {
		return err
	}
	id, err := t.insertID(ctx, `INSERT INTO campaigns (account_id, status, next_ord, created_at, doc) VALUES (?, ?, 0, ?, ?)`,
		account, string(c.Status), ms(c.CreatedAt), doc)
	if err != nil {
		return err
	}
	c.ID = itoa(id)
	return nil
}

func (t *tx) GetCampaign(ctx context.Context, account, id int64) (canonical.Campaign, error) {
	return t.campaign(ctx, `SELECT doc FROM campaigns WHERE account_id = ? AND id = ?`, account, id)
}

func (t *tx) LockCampaign(ctx context.Context, account, id int64) (canonical.Campaign, error) {
	return t.campaign(ctx, `SELECT doc FROM campaigns WHERE account_id = ? AND id = ?`+t.s.d.LockSuffix, account, id)
}

// campaign reads a campaign. Every write and read touches its campaign, so
// the decoded form of each campaign's current document is kept: the
// document text is still read each time, and only an unchanged text reuses
// the decoded value.
func (t *tx) campaign(ctx context.Context, q string, account, id int64) (canonical.Campaign, error) {
	var doc string
	if err := t.queryRow(ctx, q, account, id).Scan(&doc); err != nil {
		return canonical.Campaign{}, notFound(err)
	}
	return t.s.campaigns.decode(id, doc)
}

// campaignCache holds the last decoded document of each campaign.
type campaignCache struct {
	mu sync.Mutex
	m  map[int64]cachedCampaign
}

type cachedCampaign struct {
	doc string
	c   canonical.Campaign
}

// maxCachedCampaigns bounds the cache; past it, it starts over.
const maxCachedCampaigns = 4096

func (cc *campaignCache) decode(id int64, doc string) (canonical.Campaign, error) {
	cc.mu.Lock()
	hit, ok := cc.m[id]
	cc.mu.Unlock()
	if ok && hit.doc == doc {
		c := hit.c
		c.Native = c.Native.Clone()
		return c, nil
	}
	var c canonical.Campaign
	if err := decode(id, doc, &c); err != nil {
		return c, err
	}
	c.ID = itoa(id)
	cc.mu.Lock()
	if cc.m == nil || len(cc.m) >= maxCachedCampaigns {
		cc.m = map[int64]cachedCampaign{}
	}
	cached := c
	cached.Native = c.Native.Clone()
	cc.m[id] = cachedCampaign{doc: doc, c: cached}
	cc.mu.Unlock()
	return c, nil
}

func (t *tx) UpdateCampaign(ctx context.Context, account int64, c *canonical.Campaign) error {
	doc, err := campaignDoc(c)
	if err != nil {
		return err
	}
	return affected(t.exec(ctx, `UPDATE campaigns SET status = ?, doc = ? WHERE account_id = ? AND id = ?`,
		string(c.Status), doc, account, atoi(c.ID)))
}

func (t *tx) ListCampaigns(ctx context.Context, account, before int64, limit int) ([]canonical.Campaign, error) {
	w := where{}
	w.add("account_id = ?", account)
	w.add("status <> ?", string(canonical.CampaignDeleted))
	if before > 0 {
		w.add("id < ?", before)
	}
	return listDocs(ctx, t, setCampaignID, `SELECT id, doc FROM campaigns`+w.sql()+` ORDER BY id DESC LIMIT +?`,
		append(w.args, limitOf(limit))...)
}

func (t *tx) NextOrdinal(ctx context.Context, account, campaign int64) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `UPDATE campaigns SET next_ord = next_ord + 1 WHERE account_id = ? AND id = ? RETURNING next_ord`,
		account, campaign).Scan(&n)
	return n, notFound(err)
}

func (t *tx) InsertRule(ctx context.Context, account int64, r *canonical.RewardRule) error {
	cp := *r
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return err
	}
	id, err := t.insertID(ctx, `INSERT INTO reward_rules (account_id, campaign_id, sort_order, doc) VALUES (?, ?, ?, ?)`,
		account, atoi(r.CampaignID), r.Order, doc)
	if err != nil {
		return err
	}
	r.ID = itoa(id)
	return nil
}

func (t *tx) GetRule(ctx context.Context, account, id int64) (canonical.RewardRule, error) {
	return getDoc(ctx, t, setRuleID, `SELECT id, doc FROM reward_rules WHERE account_id = ? AND id = ?`, account, id)
}

func (t *tx) UpdateRule(ctx context.Context, account int64, r *canonical.RewardRule) error {
	cp := *r
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return err
	}
	return affected(t.exec(ctx, `UPDATE reward_rules SET sort_order = ?, doc = ? WHERE account_id = ? AND id = ?`,
		r.Order, doc, account, atoi(r.ID)))
}

func (t *tx) DeleteRule(ctx context.Context, account, id int64) error {
	return affected(t.exec(ctx, `DELETE FROM reward_rules WHERE account_id = ? AND id = ?`, account, id))
}

func (t *tx) ListRules(ctx context.Context, account, campaign int64) ([]canonical.RewardRule, error) {
	return listDocs(ctx, t, setRuleID, `SELECT id, doc FROM reward_rules WHERE account_id = ? AND campaign_id = ? ORDER BY sort_order, id`,
		account, campaign)
}
