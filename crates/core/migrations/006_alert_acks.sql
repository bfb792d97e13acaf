-- Alerts staff have acknowledged. An alert is the same occurrence while its condition
-- lasts; when the condition clears its row goes, so that a recurrence alerts again.
CREATE TABLE alert_acks (
    id      TEXT PRIMARY KEY,
    by      TEXT NOT NULL,
    at      INTEGER NOT NULL
);
