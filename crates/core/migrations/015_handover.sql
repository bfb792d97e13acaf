-- A note for the next shift, per store: shown on every staff window until someone of
-- the next shift acknowledges it by name. Shared in a facility.
CREATE TABLE handover_notes (
    id          TEXT PRIMARY KEY,
    store_id    TEXT NOT NULL,
    body        TEXT NOT NULL,
    written_by  TEXT NOT NULL,
    written_at  INTEGER NOT NULL,
    acked_by    TEXT,
    acked_at    INTEGER
);
CREATE INDEX handover_notes_open ON handover_notes(store_id, written_at) WHERE acked_at IS NULL;

CREATE TRIGGER facility_handover_notes_ins AFTER INSERT ON handover_notes
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('handover_notes', NEW.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_handover_notes_upd AFTER UPDATE ON handover_notes
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('handover_notes', NEW.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_handover_notes_del AFTER DELETE ON handover_notes
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('handover_notes', OLD.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;
