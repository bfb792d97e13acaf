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

-- Indexing a SPLATS page resolves each entry's member and area: keep those lookups
-- indexed however many guests and rooms there are.
CREATE INDEX guest_access_by_member ON guest_access (splats_member_id);
CREATE INDEX areas_by_splats_area ON areas (splats_area_id) WHERE splats_area_id IS NOT NULL;

-- What was there before joins the time line. A frozen copy of the indexing in
-- `audit::index` and `history::index` as they were when this migration was written.
INSERT OR IGNORE INTO history_entries
    (at_ms, source, ref, kind, event, store_id, area_id, guest_id, actor, device, ok, detail)
SELECT e.at_ms, 'audit', e.id,
       CASE
           WHEN e.action LIKE 'sesame.%' OR e.action LIKE 'door.%' THEN 'door'
           WHEN e.action LIKE 'guest.%' OR e.action LIKE 'access.%' OR e.action = 'reservation.report_visit' THEN 'guest'
           WHEN e.action LIKE 'key.%' THEN 'key'
           WHEN e.action LIKE 'member.%' THEN 'member'
           WHEN e.action LIKE 'settings.%' OR e.action LIKE 'manager.%' OR e.action = 'reservation.sign_in' THEN 'settings'
           WHEN e.action LIKE 'sync%' THEN 'sync'
           WHEN e.action LIKE 'alert.%' THEN 'alert'
           WHEN e.action LIKE 'kiosk.%' THEN 'kiosk'
           ELSE 'other' END,
       e.action, COALESCE(a.store_id, st.id, g.store_id), a.id, g.id, e.actor, NULL, e.outcome = 'ok', e.detail
FROM audit_events e
LEFT JOIN areas a ON a.id = CASE WHEN e.target LIKE 'area:%' THEN substr(e.target, 6) END
LEFT JOIN stores st ON st.id = CASE WHEN e.target LIKE 'entrance:%' THEN substr(e.target, 10) END
LEFT JOIN guests g ON g.id = e.target;

INSERT OR IGNORE INTO history_entries
    (at_ms, source, ref, kind, event, store_id, area_id, guest_id, actor, device, ok, detail)
SELECT h.at * 1000, 'splats', h.history_id, 'access', COALESCE(h.event_name, h.event, ''),
       COALESCE(a.store_id, s.id), a.id, ga.guest_id, NULL, h.device_name,
       COALESCE(h.category, 'normal') = 'normal', h.event
FROM splats_histories h
LEFT JOIN splats_passes p ON p.device_id = h.device_id
LEFT JOIN areas a ON a.splats_area_id = p.area_id AND p.area_id IS NOT NULL
LEFT JOIN stores s ON s.splats_entrance_area_id = p.area_id AND p.area_id IS NOT NULL
LEFT JOIN guest_access ga ON ga.splats_member_id = h.member_id;

-- The rows written before the chain are sealed by the first audit write after this
-- (`audit::chain::seal_legacy`); until then verify links them the same way.
INSERT INTO meta (key, value)
SELECT 'audit_legacy_upto', MAX(id) FROM audit_events HAVING MAX(id) IS NOT NULL;
