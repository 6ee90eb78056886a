-- Earned rewards of one participant, newest first, without walking the
-- campaign's rewards (the campaign index serves the ORDER BY id, so the
-- planner chose it and filtered every reward of the campaign).
CREATE INDEX rewards_participant_recent ON rewards(participant_id, id);
