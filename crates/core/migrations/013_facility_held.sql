-- Rows received from the facility that could not be applied (a parent not yet here,
-- a sealed value that does not open, a malformed row): kept with the reason, retried
-- on every later receive, never blocking the rows after them.
CREATE TABLE facility_held (
    tbl      TEXT NOT NULL,
    id       TEXT NOT NULL,
    data     TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    reason   TEXT NOT NULL,
    held_at  INTEGER NOT NULL,
    PRIMARY KEY (tbl, id)
);
