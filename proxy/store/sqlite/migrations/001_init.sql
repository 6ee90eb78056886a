-- Initial schema of the embedded SQLite store. IDs are AUTOINCREMENT so a
-- deleted entity's ID is never issued again. Times are Unix milliseconds;
-- doc holds the whole canonical value as JSON, the other columns are the
-- projections queries and indexes need.
CREATE TABLE accounts (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE campaigns (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	next_ord INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX campaigns_account ON campaigns(account_id, id);
CREATE TABLE credentials (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	vendor TEXT NOT NULL,
	kind TEXT NOT NULL,
	campaign_id INTEGER REFERENCES campaigns(id) ON DELETE CASCADE,
	secret_hash TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (vendor, kind, secret_hash)
);
CREATE INDEX credentials_account ON credentials(account_id);
CREATE TABLE reward_rules (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL,
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	sort_order INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX reward_rules_campaign ON reward_rules(campaign_id, sort_order, id);
CREATE TABLE participants (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL,
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	ord INTEGER NOT NULL,
	email_key TEXT NOT NULL,
	phone_key TEXT NOT NULL,
	wallet_key TEXT NOT NULL,
	other_key TEXT NOT NULL,
	name_key TEXT NOT NULL,
	referrer_id INTEGER REFERENCES participants(id),
	ref_state TEXT NOT NULL,
	stripe_customer_id TEXT NOT NULL,
	is_affiliate INTEGER NOT NULL,
	ip TEXT NOT NULL,
	referrals INTEGER NOT NULL,
	points INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE UNIQUE INDEX participants_ord ON participants(campaign_id, ord);
CREATE UNIQUE INDEX participants_email ON participants(campaign_id, email_key) WHERE email_key <> '';
CREATE UNIQUE INDEX participants_phone ON participants(campaign_id, phone_key) WHERE phone_key <> '';
CREATE UNIQUE INDEX participants_wallet ON participants(campaign_id, wallet_key) WHERE wallet_key <> '';
CREATE UNIQUE INDEX participants_other ON participants(campaign_id, other_key) WHERE other_key <> '';
CREATE INDEX participants_referrals ON participants(campaign_id, referrals DESC, ord);
CREATE INDEX participants_points ON participants(campaign_id, points DESC, ord);
CREATE INDEX participants_referrer ON participants(referrer_id);
CREATE INDEX participants_created ON participants(campaign_id, created_at);
CREATE INDEX participants_name ON participants(campaign_id, name_key, id);
CREATE INDEX participants_ip ON participants(campaign_id, ip) WHERE ip <> '';
CREATE INDEX participants_stripe ON participants(campaign_id, stripe_customer_id) WHERE stripe_customer_id <> '';
CREATE TABLE monthly_scores (
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	month INTEGER NOT NULL,
	participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
	ord INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (campaign_id, month, participant_id)
);
CREATE INDEX monthly_scores_rank ON monthly_scores(campaign_id, month, n DESC, ord);
CREATE INDEX monthly_scores_participant ON monthly_scores(participant_id);
CREATE TABLE links (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL,
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	token_key TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (account_id, token_key)
);
CREATE INDEX links_participant ON links(participant_id, id);
CREATE INDEX links_campaign ON links(campaign_id, id);
CREATE TABLE referrals (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL,
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	referrer_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
	referred_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
	state TEXT NOT NULL,
	converted INTEGER NOT NULL,
	email_key TEXT NOT NULL,
	channel TEXT NOT NULL,
	stripe_customer_id TEXT NOT NULL,
	trigger_at INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE UNIQUE INDEX referrals_referred ON referrals(referred_id) WHERE referred_id IS NOT NULL;
CREATE INDEX referrals_referrer ON referrals(referrer_id, state);
CREATE INDEX referrals_campaign ON referrals(campaign_id, id);
CREATE INDEX referrals_updated ON referrals(campaign_id, updated_at);
CREATE INDEX referrals_trigger ON referrals(campaign_id, trigger_at) WHERE trigger_at IS NOT NULL;
CREATE TABLE rewards (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL,
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	rule_id INTEGER NOT NULL,
	participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX rewards_participant ON rewards(participant_id, rule_id, created_at);
CREATE INDEX rewards_campaign ON rewards(campaign_id, id);
CREATE TABLE transactions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL,
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	refund_of INTEGER REFERENCES transactions(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX transactions_campaign ON transactions(campaign_id, id);
CREATE INDEX transactions_participant ON transactions(participant_id, id);
CREATE INDEX transactions_refund ON transactions(refund_of) WHERE refund_of IS NOT NULL;
CREATE TABLE transaction_keys (
	campaign_id INTEGER NOT NULL,
	name TEXT NOT NULL,
	value TEXT NOT NULL,
	transaction_id INTEGER NOT NULL REFERENCES transactions(id) ON DELETE CASCADE,
	PRIMARY KEY (campaign_id, name, value)
);
CREATE INDEX transaction_keys_tx ON transaction_keys(transaction_id);
CREATE TABLE payouts (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL,
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX payouts_campaign ON payouts(campaign_id, id);
CREATE INDEX payouts_participant ON payouts(participant_id, status);
CREATE TABLE commissions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL,
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	referrer_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
	transaction_id INTEGER REFERENCES transactions(id) ON DELETE SET NULL,
	payout_id INTEGER REFERENCES payouts(id) ON DELETE SET NULL,
	status TEXT NOT NULL,
	due_at INTEGER,
	created_at INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX commissions_campaign ON commissions(campaign_id, id);
CREATE INDEX commissions_due ON commissions(campaign_id, status, due_at);
CREATE INDEX commissions_referrer ON commissions(referrer_id, id);
CREATE INDEX commissions_tx ON commissions(transaction_id);
CREATE INDEX commissions_payout ON commissions(payout_id);
CREATE TABLE coupon_groups (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL,
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX coupon_groups_campaign ON coupon_groups(campaign_id, id);
CREATE TABLE coupons (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL,
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	group_id INTEGER REFERENCES coupon_groups(id) ON DELETE CASCADE,
	participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
	code_key TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	doc TEXT NOT NULL,
	UNIQUE (campaign_id, code_key)
);
CREATE INDEX coupons_group ON coupons(group_id, id);
CREATE INDEX coupons_participant ON coupons(participant_id, id);
CREATE TABLE specific_actions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL,
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	referrer_id INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX specific_actions_campaign ON specific_actions(campaign_id, id);
CREATE TABLE counters (
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	scope INTEGER NOT NULL,
	name TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (campaign_id, scope, name)
);
CREATE TABLE seen (
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	scope INTEGER NOT NULL,
	set_name TEXT NOT NULL,
	key TEXT NOT NULL,
	PRIMARY KEY (campaign_id, scope, set_name, key)
);
CREATE TABLE rank_nodes (
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	tree TEXT NOT NULL,
	node INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (campaign_id, tree, node)
);
CREATE TABLE aliases (
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	vendor TEXT NOT NULL,
	external_id TEXT NOT NULL,
	internal_id INTEGER NOT NULL,
	PRIMARY KEY (account_id, kind, vendor, external_id)
);
CREATE INDEX aliases_internal ON aliases(account_id, kind, internal_id);
