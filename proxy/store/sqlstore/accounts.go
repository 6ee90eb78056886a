package sqlstore

import (
	"context"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

func (t *tx) InsertAccount(ctx context.Context, a *canonical.Account) error {
	id, err := t.insertID(ctx, `INSERT INTO accounts (name, created_at) VALUES (?, ?)`, a.Name, ms(a.CreatedAt))
	if err != nil {
		return err
	}
	a.ID = itoa(id)
	return nil
}

func (t *tx) GetAccount(ctx context.Context, id int64) (canonical.Account, error) {
	var (
		a       canonical.Account
		created int64
	)
	err := t.queryRow(ctx, `SELECT name, created_at FROM accounts WHERE id = ?`, id).Scan(&a.Name, &created)
	if err != nil {
		return a, notFound(err)
	}
	a.ID, a.CreatedAt = itoa(id), time.UnixMilli(created).UTC()
	return a, nil
}

func (t *tx) ListAccounts(ctx context.Context) ([]canonical.Account, error) {
	rows, err := t.query(ctx, `SELECT id, name, created_at FROM accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []canonical.Account
	for rows.Next() {
		var (
			a           canonical.Account
			id, created int64
		)
		if err := rows.Scan(&id, &a.Name, &created); err != nil {
			return nil, err
		}
		a.ID, a.CreatedAt = itoa(id), time.UnixMilli(created).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *tx) InsertCredential(ctx context.Context, c *canonical.Credential, secretHash string) error {
	id, err := t.insertUnique(ctx, `INSERT INTO credentials (account_id, vendor, kind, campaign_id, secret_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		atoi(c.AccountID), string(c.Vendor), string(c.Kind), nullID(atoi(c.CampaignID)), secretHash, ms(c.CreatedAt))
	if err != nil {
		return err
	}
	c.ID = itoa(id)
	return nil
}

const credentialCols = `id, account_id, vendor, kind, COALESCE(campaign_id, 0), created_at`

func (t *tx) FindCredential(ctx context.Context, vendor canonical.Vendor, kind canonical.CredentialKind, secretHash string) (canonical.Credential, error) {
	row := t.queryRow(ctx, `SELECT `+credentialCols+` FROM credentials WHERE vendor = ? AND kind = ? AND secret_hash = ?`,
		string(vendor), string(kind), secretHash)
	c, err := scanCredential(row.Scan)
	return c, notFound(err)
}

func (t *tx) ListCredentials(ctx context.Context, account int64) ([]canonical.Credential, error) {
	rows, err := t.query(ctx, `SELECT `+credentialCols+` FROM credentials WHERE account_id = ? ORDER BY id`, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []canonical.Credential
	for rows.Next() {
		c, err := scanCredential(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanCredential(scan func(...any) error) (canonical.Credential, error) {
	var (
		c                          canonical.Credential
		id, account, camp, created int64
		vendor, kind               string
	)
	if err := scan(&id, &account, &vendor, &kind, &camp, &created); err != nil {
		return c, err
	}
	c.ID, c.AccountID = itoa(id), itoa(account)
	c.Vendor, c.Kind = canonical.Vendor(vendor), canonical.CredentialKind(kind)
	if camp != 0 {
		c.CampaignID = itoa(camp)
	}
	c.CreatedAt = time.UnixMilli(created).UTC()
	return c, nil
}

func (t *tx) DeleteCredential(ctx context.Context, account, id int64) error {
	return affected(t.exec(ctx, `DELETE FROM credentials WHERE account_id = ? AND id = ?`, account, id))
}

// wipeOrder lists the tables children first, so no foreign key stops a
// delete.
var wipeOrder = []string{
	"deliveries", "webhook_kinds", "webhook_endpoints", "events", "aliases", "rank_layout_pending", "rank_nodes", "seen", "counters", "specific_actions", "coupons", "coupon_groups",
	"commissions", "payouts", "transaction_keys", "transactions", "rewards", "referrals", "links",
	"monthly_scores", "participants", "reward_rules", "credentials", "campaigns", "accounts",
}

func (t *tx) Wipe(ctx context.Context) error {
	for _, table := range wipeOrder {
		if _, err := t.exec(ctx, `DELETE FROM `+table); err != nil {
			return err
		}
	}
	t.wiped = true
	return nil
}

func (t *tx) PutAlias(ctx context.Context, account int64, kind string, vendor canonical.Vendor, external string, internal int64) error {
	_, err := t.exec(ctx, `INSERT INTO aliases (account_id, kind, vendor, external_id, internal_id) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account_id, kind, vendor, external_id) DO UPDATE SET internal_id = excluded.internal_id`,
		account, kind, string(vendor), external, internal)
	return err
}

func (t *tx) ResolveAlias(ctx context.Context, account int64, kind string, vendor canonical.Vendor, external string) (int64, error) {
	var id int64
	err := t.queryRow(ctx, `SELECT internal_id FROM aliases WHERE account_id = ? AND kind = ? AND vendor = ? AND external_id = ?`,
		account, kind, string(vendor), external).Scan(&id)
	return id, notFound(err)
}

func (t *tx) AliasesOf(ctx context.Context, account int64, kind string, internal int64) (map[canonical.Vendor]string, error) {
	rows, err := t.query(ctx, `SELECT vendor, external_id FROM aliases WHERE account_id = ? AND kind = ? AND internal_id = ? ORDER BY vendor, external_id`,
		account, kind, internal)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[canonical.Vendor]string{}
	for rows.Next() {
		var v, ext string
		if err := rows.Scan(&v, &ext); err != nil {
			return nil, err
		}
		if _, ok := out[canonical.Vendor(v)]; !ok {
			out[canonical.Vendor(v)] = ext
		}
	}
	return out, rows.Err()
}
