-- A printed pass: a SPLATS guest with a fixed QR for one booking's doors and window
-- (docs/passes.md). Its QR is in the keyring, never here. Revoked with the booking's
-- access (the outbox's revoke deletes the SPLATS guest). Kept on this PC only.
CREATE TABLE guest_passes (
    guest_id        TEXT PRIMARY KEY REFERENCES guests(id) ON DELETE CASCADE,
    -- NULL while the create's answer is unknown (sent, reply lost): printed again, the
    -- same QR is sent again.
    splats_guest_id TEXT,
    valid_from      INTEGER NOT NULL,
    valid_until     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    printed_count   INTEGER NOT NULL DEFAULT 0,
    revoked_at      INTEGER
);
