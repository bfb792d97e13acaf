-- SESAME: metered calls, last known lock status, and small app-wide values.

-- Every call to a metered cloud, counted per JST month and kind (status, history, cmd,
-- poll). A call is counted before it is sent: one that may have reached the cloud counts.
CREATE TABLE api_calls (
    cloud TEXT NOT NULL,
    month TEXT NOT NULL,          -- 'YYYY-MM' in JST
    kind  TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cloud, month, kind)
);

-- The last status read from each lock, so staff see it and its age without a paid call.
CREATE TABLE lock_status (
    device_uuid        TEXT PRIMARY KEY,
    state              TEXT NOT NULL,
    battery_percentage INTEGER,
    wm2_state          INTEGER,
    fetched_at         INTEGER NOT NULL
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A device may serve one area or one entrance, never two.
CREATE UNIQUE INDEX areas_device_once ON areas(device_uuid) WHERE device_uuid IS NOT NULL;
CREATE UNIQUE INDEX stores_entrance_device_once ON stores(entrance_device_uuid) WHERE entrance_device_uuid IS NOT NULL;
