-- SPLATS KEY: the last reading of each key box's units, and the keys given to guests
-- (now, or with their booking) with the time each must be back in its box.
CREATE TABLE key_units (
    device_id   TEXT NOT NULL,
    box_name    TEXT NOT NULL,
    unit_no     TEXT NOT NULL,
    taken       INTEGER NOT NULL,
    read_at     INTEGER NOT NULL,
    PRIMARY KEY (device_id, unit_no)
);

CREATE TABLE guest_keys (
    id              INTEGER PRIMARY KEY,
    guest_id        TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    unit_no         TEXT NOT NULL,
    -- 'now': the box opened at the counter; 'booking': the guest takes it with a QR
    mode            TEXT NOT NULL,
    splats_guest_id TEXT,
    due_at          INTEGER NOT NULL,
    given_at        INTEGER NOT NULL,
    given_by        TEXT NOT NULL
);
CREATE INDEX guest_keys_unit ON guest_keys (device_id, unit_no, given_at);
CREATE INDEX guest_keys_guest ON guest_keys (guest_id);
