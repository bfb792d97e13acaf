-- The facility's shared PostgreSQL (docs/facility.md). Applied by every PC when it
-- connects, under an advisory lock, so it must stay idempotent: only CREATE … IF NOT
-- EXISTS and CREATE OR REPLACE here; a later change is a new statement at the end.

-- What the facility knows about itself: its id, and a value sealed with the facility
-- key so that a PC can tell whether it holds the right one.
CREATE TABLE IF NOT EXISTS facility_meta (
    key   text PRIMARY KEY,
    value bytea NOT NULL
);

-- The PCs that joined, and when each was last seen.
CREATE TABLE IF NOT EXISTS pcs (
    id        text PRIMARY KEY,
    name      text NOT NULL,
    role      text NOT NULL,
    joined_at timestamptz NOT NULL DEFAULT now(),
    seen_at   timestamptz NOT NULL DEFAULT now()
);

-- One-time join codes: the facility key sealed under a key derived from the code.
CREATE TABLE IF NOT EXISTS joins (
    code_hash  bytea PRIMARY KEY,
    sealed_key bytea NOT NULL,
    made_by    text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    used_by    text
);

-- Every shared row (stores, areas, guests, guest access), as the JSON of its SQLite
-- row. `seq` grows with every write (writers take an advisory lock, so seq order is
-- commit order) and is what a PC pulls after.
CREATE SEQUENCE IF NOT EXISTS rows_seq;
CREATE TABLE IF NOT EXISTS rows (
    tbl        text NOT NULL,
    id         text NOT NULL,
    data       jsonb NOT NULL,
    seq        bigint NOT NULL,
    origin     text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tbl, id)
);
CREATE INDEX IF NOT EXISTS rows_by_seq ON rows (seq);

-- Secrets, sealed with the facility key (device keys, cloud tokens).
CREATE TABLE IF NOT EXISTS sealed_secrets (
    name       text PRIMARY KEY,
    sealed     bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    origin     text NOT NULL
);

-- Metered calls: each PC's own count per account, cloud, day and kind. A PC writes
-- its absolute count (never a delta), so sending it twice counts it once; the
-- facility's figure is the sum over PCs.
CREATE TABLE IF NOT EXISTS meter (
    account text NOT NULL,
    cloud   text NOT NULL,
    day     text NOT NULL,
    kind    text NOT NULL,
    pc      text NOT NULL,
    count   bigint NOT NULL,
    PRIMARY KEY (account, cloud, day, kind, pc)
);

-- The earliest of two JSON numbers that may be null.
CREATE OR REPLACE FUNCTION uketsuke_least(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN a IS NULL OR a = 'null'::jsonb THEN COALESCE(b, 'null'::jsonb)
        WHEN b IS NULL OR b = 'null'::jsonb THEN a
        WHEN (a #>> '{}')::numeric <= (b #>> '{}')::numeric THEN a
        ELSE b END
$$;

CREATE OR REPLACE FUNCTION uketsuke_greatest(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN a IS NULL OR a = 'null'::jsonb THEN COALESCE(b, 'null'::jsonb)
        WHEN b IS NULL OR b = 'null'::jsonb THEN a
        WHEN (a #>> '{}')::numeric >= (b #>> '{}')::numeric THEN a
        ELSE b END
$$;

-- The written conflict rules (docs/facility.md): a guest's check-in keeps the first,
-- check-out and cancel win once any PC recorded them (check-out wins over check-in),
-- a revoked access stays revoked (until a new member replaces it); everything else is the last write by server time.
CREATE OR REPLACE FUNCTION uketsuke_merge(tbl text, old jsonb, new jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        -- A row new, or back after a deletion; a deletion (a tombstone, JSON null) wins.
        WHEN old IS NULL OR old = 'null'::jsonb OR new = 'null'::jsonb THEN new
        WHEN tbl = 'guests' THEN new || jsonb_build_object(
            'checked_in_at',  uketsuke_least(old -> 'checked_in_at', new -> 'checked_in_at'),
            'first_scan_at',  uketsuke_least(old -> 'first_scan_at', new -> 'first_scan_at'),
            'checked_out_at', uketsuke_greatest(old -> 'checked_out_at', new -> 'checked_out_at'),
            'cancelled_at',   uketsuke_greatest(old -> 'cancelled_at', new -> 'cancelled_at'))
        WHEN tbl = 'guest_access' AND old -> 'splats_member_id' = new -> 'splats_member_id'
            THEN new || jsonb_build_object(
            'revoked_at', uketsuke_greatest(old -> 'revoked_at', new -> 'revoked_at'))
        ELSE new END
$$;

-- The facility's one time line (facility/history.rs): every PC's history entries, for
-- every PC's history page. An entry is its source and reference, as in SQLite; an
-- audit entry's reference is `pc-id:row-id`. Writers take an advisory lock, so `seq`
-- order is commit order.
CREATE SEQUENCE IF NOT EXISTS history_seq;
CREATE TABLE IF NOT EXISTS history (
    seq     bigint PRIMARY KEY,
    source  text NOT NULL,
    ref     text NOT NULL,
    pc      text NOT NULL,
    pc_name text NOT NULL,
    data    jsonb NOT NULL,
    UNIQUE (source, ref)
);

-- The facility's audit chain (facility/audit.rs): every PC's audit rows in one order,
-- each row's hash over the one before it and its content (its place and PC included).
CREATE TABLE IF NOT EXISTS audit (
    seq        bigint PRIMARY KEY,
    pc         text NOT NULL,
    local_id   bigint NOT NULL,
    at_ms      bigint NOT NULL,
    actor      text NOT NULL,
    action     text NOT NULL,
    target     text,
    outcome    text NOT NULL,
    detail     text,
    latency_ms bigint,
    prev_hash  text NOT NULL,
    hash       text NOT NULL,
    UNIQUE (pc, local_id)
);

-- The leading PC's heartbeat (facility/leader.rs): its backend, beaten every 5 s. A
-- follower that finds it older than 15 s ends that backend, which frees the lock.
CREATE TABLE IF NOT EXISTS leader_beat (
    one     int PRIMARY KEY CHECK (one = 1),
    pc      text NOT NULL,
    pid     int NOT NULL,
    beat_at timestamptz NOT NULL
);
