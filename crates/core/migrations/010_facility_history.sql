-- Facility mode (docs/facility.md): the time line holds the other PCs' entries too.
-- `pc` names the PC an entry came from; this PC's own entries (NULL) are the ones it
-- sends to the facility.
ALTER TABLE history_entries ADD COLUMN pc TEXT;
