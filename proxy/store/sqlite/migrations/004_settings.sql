-- Installation-wide settings, each written once and never changed: the
-- secret that keys the IDs the vendor surfaces render (engine/ids.go).
-- A database that already holds accounts has handed out IDs rendered with
-- the fixed keys in the public source; it is marked "legacy" so it keeps
-- rendering exactly those IDs. A fresh database gets a random secret
-- when the engine first opens it.
CREATE TABLE settings (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
INSERT INTO settings (name, value) SELECT 'id_secret', 'legacy' WHERE EXISTS (SELECT 1 FROM accounts);
