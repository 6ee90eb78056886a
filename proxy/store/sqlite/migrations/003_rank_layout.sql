-- Rank member sets moved from one sparse Fenwick tree over ordinals to
-- membership words per block of 63 ordinals under a Fenwick tree of block
-- counts (engine/ranks.go). Campaigns that already have rank trees are
-- listed here; the engine converts each, and removes it from the list, in
-- one transaction when it opens the store.
CREATE TABLE rank_layout_pending (
	campaign_id INTEGER PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE
);
INSERT INTO rank_layout_pending (campaign_id)
	SELECT id FROM campaigns c WHERE EXISTS (SELECT 1 FROM rank_nodes r WHERE r.campaign_id = c.id);
