-- When a lock's state was first read as what it is now: a door unlocked for longer than
-- the set time raises an alert. NULL for rows read before this column (taken as the
-- reading's time). Shared in a facility with the rest of the row.
ALTER TABLE lock_status ADD COLUMN state_since INTEGER;
UPDATE lock_status SET state_since = fetched_at;
