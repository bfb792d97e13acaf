-- Stores (店舗), their areas (エリア), today's guests and the audit log.
-- Times are Unix seconds (UTC) unless the column says _ms.

CREATE TABLE stores (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    name_kana             TEXT,
    source                TEXT NOT NULL CHECK (source IN ('reservation', 'manual')),
    use_sesame            INTEGER NOT NULL DEFAULT 0,
    register_entrance_key INTEGER NOT NULL DEFAULT 0,
    entrance_device_uuid  TEXT,
    active                INTEGER NOT NULL DEFAULT 1,
    updated_at            INTEGER NOT NULL
);

CREATE TABLE areas (
    id           TEXT PRIMARY KEY,
    store_id     TEXT NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    sort_order   INTEGER NOT NULL DEFAULT 0,
    device_uuid  TEXT,
    source       TEXT NOT NULL CHECK (source IN ('reservation', 'manual')),
    active       INTEGER NOT NULL DEFAULT 1,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX areas_by_store ON areas(store_id, sort_order);

CREATE TABLE guests (
    id           TEXT PRIMARY KEY,
    store_id     TEXT NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
    booking_code TEXT,
    name         TEXT NOT NULL,
    name_kana    TEXT,
    phone_last4  TEXT,
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('reservation', 'csv', 'walk_in')),
    checked_in_at  INTEGER,
    checked_out_at INTEGER,
    updated_at   INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX guests_by_store_day ON guests(store_id, starts_at);

CREATE TABLE guest_areas (
    guest_id TEXT NOT NULL REFERENCES guests(id) ON DELETE CASCADE,
    area_id  TEXT NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    PRIMARY KEY (guest_id, area_id)
);

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms      INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
    detail     TEXT,
    latency_ms INTEGER
);
CREATE INDEX audit_by_time ON audit_events(at_ms);
