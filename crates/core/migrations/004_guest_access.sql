-- Guests' door access: the SPLATS member made for each booking. The TOTP seed is a
-- secret and lives in the OS keyring (`guest.<id>.totp_seed`), never here.

CREATE TABLE guest_access (
    guest_id         TEXT PRIMARY KEY REFERENCES guests(id) ON DELETE CASCADE,
    splats_member_id TEXT NOT NULL,
    qr_data          TEXT NOT NULL,
    timestep         INTEGER NOT NULL,
    skew             INTEGER NOT NULL,
    valid_from       INTEGER NOT NULL,
    valid_until      INTEGER NOT NULL,
    splats_area_ids  TEXT NOT NULL,     -- JSON array
    issued_at        INTEGER NOT NULL,
    revoked_at       INTEGER
);

-- A booking the reservation system no longer lists.
ALTER TABLE guests ADD COLUMN cancelled_at INTEGER;
