-- Facility mode (docs/facility.md): the shared rows this PC changed and has not yet
-- sent to the facility's PostgreSQL. Triggers mark them, whatever code path wrote
-- them; `version` grows with each change so that a row changed again while it was
-- being sent stays marked. Rows written while applying what came from PostgreSQL
-- (facility_applying holds a row then) are not marked, so nothing echoes back. With
-- no facility (no 'facility.enabled' in meta) nothing is marked at all.
CREATE TABLE facility_dirty (
    tbl     TEXT NOT NULL,
    id      TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (tbl, id)
) WITHOUT ROWID;

CREATE TABLE facility_applying (one INTEGER NOT NULL);

CREATE TRIGGER facility_stores_ins AFTER INSERT ON stores
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('stores', NEW.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER facility_stores_upd AFTER UPDATE ON stores
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('stores', NEW.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER facility_areas_ins AFTER INSERT ON areas
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('areas', NEW.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER facility_areas_upd AFTER UPDATE ON areas
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('areas', NEW.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER facility_guests_ins AFTER INSERT ON guests
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('guests', NEW.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER facility_guests_upd AFTER UPDATE ON guests
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('guests', NEW.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;
-- A guest's areas travel with the guest.
CREATE TRIGGER facility_guest_areas_ins AFTER INSERT ON guest_areas
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('guests', NEW.guest_id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER facility_guest_areas_del AFTER DELETE ON guest_areas
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('guests', OLD.guest_id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER facility_access_ins AFTER INSERT ON guest_access
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('guest_access', NEW.guest_id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER facility_access_upd AFTER UPDATE ON guest_access
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('guest_access', NEW.guest_id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

-- The other PCs' metered calls, as last read from PostgreSQL: this PC's meter, its
-- poll budget and its bill projection count the whole account, not a third of it.
CREATE TABLE facility_meter_others (
    cloud TEXT NOT NULL,
    day   TEXT NOT NULL,              -- 'YYYY-MM-DD' in JST
    kind  TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (cloud, day, kind)
);
