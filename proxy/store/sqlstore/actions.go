package sqlstore

import (
	"context"

	"github.com/refbridge/refbridge/adapters/canonical"
)

func setActionID(a *canonical.SpecificAction, id string) { a.ID = id }

func (t *tx) InsertSpecificAction(ctx context.Context, account int64, a *canonical.SpecificAction) error {
	cp := *a
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return err
	}
	id, err := t.insertID(ctx, `INSERT INTO specific_actions (account_id, campaign_id, referrer_id, created_at, doc) VALUES (?, ?, ?, ?, ?)`,
		account, atoi(a.CampaignID), atoi(a.ReferrerID), ms(a.CreatedAt), doc)
	if err != nil {
		return err
	}
	a.ID = itoa(id)
	return nil
}

func (t *tx) ListSpecificActions(ctx context.Context, account, campaign, before int64, limit int) ([]canonical.SpecificAction, error) {
	w := where{}
	w.add("account_id = ?", account)
	w.add("campaign_id = ?", campaign)
	if before > 0 {
		w.add("id < ?", before)
	}
	return listDocs(ctx, t, setActionID, `SELECT id, doc FROM specific_actions`+w.sql()+` ORDER BY id DESC LIMIT +?`,
		append(w.args, limitOf(limit))...)
}
