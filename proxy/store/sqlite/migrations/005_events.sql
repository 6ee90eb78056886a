-- The event log and webhook delivery (issue 13). events is the account's
-- durable log of canonical changes, appended in the same transaction as
-- each change; webhook_endpoints are subscriptions in a vendor's shape;
-- deliveries is one event's way to one endpoint, queued in the same
-- transaction as the event for every endpoint subscribed to its kind.
CREATE TABLE events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	campaign_id INTEGER NOT NULL,
	kind TEXT NOT NULL,
	at INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX events_account ON events(account_id, id);
CREATE INDEX events_account_at ON events(account_id, at, id);
CREATE TABLE webhook_endpoints (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	vendor TEXT NOT NULL,
	campaign_id INTEGER NOT NULL,
	enabled INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints(account_id, vendor, id);
-- One row per (endpoint, kind) it subscribes to, for the fan-out.
CREATE TABLE webhook_kinds (
	endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL,
	kind TEXT NOT NULL,
	PRIMARY KEY (account_id, kind, endpoint_id)
);
CREATE TABLE deliveries (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
	event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at INTEGER NOT NULL,
	lease_until INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	doc TEXT NOT NULL
);
-- The head of each endpoint's queue, and what falls due.
CREATE INDEX deliveries_queue ON deliveries(endpoint_id, state, id);
CREATE INDEX deliveries_due ON deliveries(state, next_at, id);
CREATE INDEX deliveries_account ON deliveries(account_id, id);
