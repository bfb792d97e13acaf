-- Facility mode (docs/facility.md), more of it shared: what the leading PC reads of
-- the doors (SPLATS areas and pass controllers with their status, SESAME lock status,
-- key-box units) so that every PC's door board shows it without polling, and the
-- alerts staff acknowledged. Deletions are shared too (a removed store, a pruned
-- acknowledgement): a deleted row is marked like a changed one, and sent as a
-- tombstone. Marked as in 009; key_units by `device_id:unit_no`.

CREATE TRIGGER facility_splats_areas_ins AFTER INSERT ON splats_areas
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('splats_areas', NEW.area_id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_splats_areas_upd AFTER UPDATE ON splats_areas
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('splats_areas', NEW.area_id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_splats_areas_del AFTER DELETE ON splats_areas
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('splats_areas', OLD.area_id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_splats_passes_ins AFTER INSERT ON splats_passes
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('splats_passes', NEW.device_id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_splats_passes_upd AFTER UPDATE ON splats_passes
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('splats_passes', NEW.device_id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_splats_passes_del AFTER DELETE ON splats_passes
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('splats_passes', OLD.device_id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_lock_status_ins AFTER INSERT ON lock_status
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('lock_status', NEW.device_uuid)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_lock_status_upd AFTER UPDATE ON lock_status
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('lock_status', NEW.device_uuid)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_lock_status_del AFTER DELETE ON lock_status
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('lock_status', OLD.device_uuid)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_key_units_ins AFTER INSERT ON key_units
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('key_units', NEW.device_id || ':' || NEW.unit_no)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_key_units_upd AFTER UPDATE ON key_units
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('key_units', NEW.device_id || ':' || NEW.unit_no)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_key_units_del AFTER DELETE ON key_units
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('key_units', OLD.device_id || ':' || OLD.unit_no)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_alert_acks_ins AFTER INSERT ON alert_acks
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('alert_acks', NEW.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_alert_acks_upd AFTER UPDATE ON alert_acks
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('alert_acks', NEW.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_alert_acks_del AFTER DELETE ON alert_acks
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('alert_acks', OLD.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

-- Deletions of the rows shared since 009.

CREATE TRIGGER facility_stores_del AFTER DELETE ON stores
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('stores', OLD.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_areas_del AFTER DELETE ON areas
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('areas', OLD.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_guests_del AFTER DELETE ON guests
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('guests', OLD.id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_guest_access_del AFTER DELETE ON guest_access
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('guest_access', OLD.guest_id)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

-- A PC already in a facility sends what it has of these once.

INSERT OR IGNORE INTO facility_dirty (tbl, id)
SELECT 'splats_areas', area_id FROM splats_areas WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled');

INSERT OR IGNORE INTO facility_dirty (tbl, id)
SELECT 'splats_passes', device_id FROM splats_passes WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled');

INSERT OR IGNORE INTO facility_dirty (tbl, id)
SELECT 'lock_status', device_uuid FROM lock_status WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled');

INSERT OR IGNORE INTO facility_dirty (tbl, id)
SELECT 'key_units', device_id || ':' || unit_no FROM key_units WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled');

INSERT OR IGNORE INTO facility_dirty (tbl, id)
SELECT 'alert_acks', id FROM alert_acks WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled');
