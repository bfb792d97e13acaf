-- One time line for reading (history_entries), the audit log's hash chain with its
-- archives, and cloud calls per day for the reports.

CREATE TABLE history_entries (
    id       INTEGER PRIMARY KEY,
    at_ms    INTEGER NOT NULL,
    source   TEXT NOT NULL,            -- 'splats' | 'sesame' | 'audit'
    ref      TEXT NOT NULL,            -- the entry's id in its source
    kind     TEXT NOT NULL,            -- access, door, guest, key, member, settings, sync, alert, kiosk, other
    event    TEXT NOT NULL,
    store_id TEXT,
    area_id  TEXT,
    guest_id TEXT,
    actor    TEXT,
    device   TEXT,
    ok       INTEGER NOT NULL,
    detail   TEXT,
    UNIQUE (source, ref)
);
CREATE INDEX history_by_time  ON history_entries (at_ms, id);
CREATE INDEX history_by_guest ON history_entries (guest_id, at_ms, id) WHERE guest_id IS NOT NULL;
CREATE INDEX history_by_store ON history_entries (store_id, at_ms, id);
CREATE INDEX history_by_area  ON history_entries (area_id, at_ms, id) WHERE area_id IS NOT NULL;
CREATE INDEX history_by_actor ON history_entries (actor, at_ms, id) WHERE actor IS NOT NULL;
CREATE INDEX history_by_kind  ON history_entries (kind, at_ms, id);

-- The chain: each row's hash covers the previous row's hash and its own content.
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;

-- Rows moved to a file by retention; the chain goes on from `last_hash`.
CREATE TABLE audit_archives (
    last_id     INTEGER PRIMARY KEY,
    first_id    INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    first_prev  TEXT NOT NULL,
    last_hash   TEXT NOT NULL,
    file        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    archived_at INTEGER NOT NULL
);

-- Append-only from the app's side: a sealed row is never updated, and a row leaves
-- only once an archive holds it. (Anyone with the file can drop these; the chain shows it.)
CREATE TRIGGER audit_sealed_rows_stay BEFORE UPDATE ON audit_events
WHEN OLD.hash IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_rows_leave_by_archive BEFORE DELETE ON audit_events
WHEN OLD.id > COALESCE((SELECT MAX(last_id) FROM audit_archives), 0)
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: archive old rows instead');
END;

CREATE TABLE api_calls_daily (
    cloud TEXT NOT NULL,
    day   TEXT NOT NULL,              -- 'YYYY-MM-DD' in JST
    kind  TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cloud, day, kind)
);
