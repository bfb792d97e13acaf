-- The durable outbox: SPLATS writes that must happen for a guest's door access,
-- written in the same transaction as the local change that calls for them (a
-- check-out, a cancelled booking, the reconciler's plan) and carried out by the
-- worker until done. At most one op waits per guest: a newer one replaces it, since
-- every op means "make SPLATS match what we know now" and is safe to repeat.

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guest_id        TEXT NOT NULL,
    op              TEXT NOT NULL,              -- issue | update | revoke | delete
    reason          TEXT NOT NULL,              -- booked | changed | cancelled | checked_out | moved | ended
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- Held by one runner (any process) until then, so that two never send it at once.
    claimed_until   INTEGER NOT NULL DEFAULT 0,
    -- An issue was sent at least once: a member may exist even without a reply.
    maybe_sent      INTEGER NOT NULL DEFAULT 0,
    -- Bumped each time a newer op replaces this one, so that a runner still busy with
    -- the old one does not mark the new one done.
    seq             INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    done_at         INTEGER
);
CREATE UNIQUE INDEX outbox_one_waiting ON outbox(guest_id) WHERE done_at IS NULL;
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE done_at IS NULL;

CREATE INDEX guests_window ON guests(ends_at, starts_at);
CREATE INDEX splats_histories_member ON splats_histories(member_id, event);

-- When the guest's QR was first accepted by a SPLATS reader: derived from the
-- histories by the SPLATS sync, with the `event` values configured as arrivals.
ALTER TABLE guests ADD COLUMN first_scan_at INTEGER;
