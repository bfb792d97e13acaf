-- SPLATS: the areas and pass controllers it knows, how they map onto ours, and its
-- access histories, pulled incrementally.

CREATE TABLE splats_areas (
    area_id    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    raw        TEXT NOT NULL,            -- the whole object, unknown fields included
    active     INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);

CREATE TABLE splats_passes (
    device_id  TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    area_id    TEXT,
    raw        TEXT NOT NULL,
    status     TEXT,                     -- last status reply, JSON
    status_at  INTEGER,
    active     INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);

-- Which SPLATS area lets a guest into our area, and into a store's entrance. Set by a
-- manager; kept when a sync retires or renames things.
ALTER TABLE areas ADD COLUMN splats_area_id TEXT;
ALTER TABLE stores ADD COLUMN splats_entrance_area_id TEXT;

-- One row per SPLATS log entry; history_id makes repeated and resumed syncs idempotent.
CREATE TABLE splats_histories (
    history_id  TEXT PRIMARY KEY,
    at          INTEGER NOT NULL,        -- Unix seconds of `datetime`
    datetime    TEXT NOT NULL,
    event       TEXT,
    event_name  TEXT,
    status      TEXT,
    category    TEXT,
    device_id   TEXT,
    device_name TEXT,
    member_id   TEXT,
    guest_id    TEXT,
    raw         TEXT NOT NULL
);
CREATE INDEX splats_histories_by_time ON splats_histories(at);

-- A history sync in progress: the query it is paging through and the key of the next
-- page. Written in the same transaction as each page, so a killed sync resumes exactly.
CREATE TABLE splats_history_cursor (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    since              INTEGER NOT NULL,
    until              INTEGER NOT NULL,
    last_evaluated_key TEXT,
    pages              INTEGER NOT NULL DEFAULT 0,
    started_at         INTEGER NOT NULL
);
