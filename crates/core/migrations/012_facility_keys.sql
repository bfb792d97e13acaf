-- Facility mode (docs/facility.md): a key handed to a guest is shared too, so every
-- PC's key board and "key not returned" alert know who holds which unit. Its row
-- number is each PC's own; across PCs it is known by guest, box, unit and time given.
-- The same key given twice in one second (never by the app) would block the index.
DELETE FROM guest_keys WHERE id NOT IN
    (SELECT MIN(id) FROM guest_keys GROUP BY guest_id, device_id, unit_no, given_at);
CREATE UNIQUE INDEX guest_keys_given ON guest_keys (guest_id, device_id, unit_no, given_at);

CREATE TRIGGER facility_guest_keys_ins AFTER INSERT ON guest_keys
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('guest_keys', NEW.guest_id || ':' || NEW.device_id || ':' || NEW.unit_no || ':' || NEW.given_at)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_guest_keys_upd AFTER UPDATE ON guest_keys
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('guest_keys', NEW.guest_id || ':' || NEW.device_id || ':' || NEW.unit_no || ':' || NEW.given_at)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER facility_guest_keys_del AFTER DELETE ON guest_keys
WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled') AND NOT EXISTS (SELECT 1 FROM facility_applying)
BEGIN
    INSERT INTO facility_dirty (tbl, id) VALUES ('guest_keys', OLD.guest_id || ':' || OLD.device_id || ':' || OLD.unit_no || ':' || OLD.given_at)
    ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1;
END;

INSERT OR IGNORE INTO facility_dirty (tbl, id)
SELECT 'guest_keys', guest_id || ':' || device_id || ':' || unit_no || ':' || given_at FROM guest_keys
WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'facility.enabled');
