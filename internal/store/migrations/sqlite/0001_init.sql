-- The watcher's first schema, SQLite dialect. Times are microseconds since
-- the Unix epoch (UTC), durations are microseconds: the same integers as in
-- the PostgreSQL dialect, so that one set of queries serves both.

-- targets: what is watched. name is the key a configuration refers to.
CREATE TABLE targets (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    url         TEXT    NOT NULL,
    group_name  TEXT    NOT NULL DEFAULT '',
    config_hash TEXT    NOT NULL DEFAULT '',
    created_us  INTEGER NOT NULL
) STRICT;

-- checks: one row per routine check, kept for the raw retention (14 days
-- by default), then only in rollups. A phase that did not happen is 0.
CREATE TABLE checks (
    id          INTEGER PRIMARY KEY,
    target_id   INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    at_us       INTEGER NOT NULL,
    duration_us INTEGER NOT NULL,
    dns_us      INTEGER NOT NULL DEFAULT 0,
    connect_us  INTEGER NOT NULL DEFAULT 0,
    tls_us      INTEGER NOT NULL DEFAULT 0,
    ttfb_us     INTEGER NOT NULL DEFAULT 0,
    transfer_us INTEGER NOT NULL DEFAULT 0,
    status      INTEGER NOT NULL DEFAULT 0,
    product     TEXT    NOT NULL DEFAULT '',
    role        TEXT    NOT NULL DEFAULT '',
    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
    cause       TEXT    NOT NULL DEFAULT '',
    error_class TEXT    NOT NULL DEFAULT '',
    protocol    TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX checks_target_at ON checks (target_id, at_us);

-- incidents: one per episode of failure, with the diagnosis captured at
-- its onset (a JSON document, redacted by the caller).
CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY,
    target_id   INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    opened_us   INTEGER NOT NULL,
    closed_us   INTEGER,
    state       TEXT    NOT NULL CHECK (state IN ('open', 'closed')),
    cause       TEXT    NOT NULL,
    last_cause  TEXT    NOT NULL DEFAULT '',
    persistence TEXT    NOT NULL DEFAULT '',
    product     TEXT    NOT NULL DEFAULT '',
    role        TEXT    NOT NULL DEFAULT '',
    failures    INTEGER NOT NULL DEFAULT 0,
    diagnosis   BLOB
) STRICT;
CREATE INDEX incidents_opened ON incidents (opened_us DESC, id DESC);
CREATE INDEX incidents_target ON incidents (target_id, opened_us DESC, id DESC);
CREATE INDEX incidents_open ON incidents (state) WHERE state = 'open';

-- incident_events: an incident's timeline.
CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at_us       INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    cause       TEXT    NOT NULL DEFAULT '',
    text        TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX incident_events_incident ON incident_events (incident_id, at_us);

-- rollups: one row per target and hour, kept 400 days by default.
-- causes counts the failed checks per cause ID, as a JSON object.
CREATE TABLE rollups (
    target_id    INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    hour_us      INTEGER NOT NULL,
    checks       INTEGER NOT NULL,
    failures     INTEGER NOT NULL,
    uptime       REAL    NOT NULL,
    ttfb_p50_us  INTEGER NOT NULL,
    ttfb_p95_us  INTEGER NOT NULL,
    total_p50_us INTEGER NOT NULL,
    total_p95_us INTEGER NOT NULL,
    causes       TEXT    NOT NULL DEFAULT '{}',
    PRIMARY KEY (target_id, hour_us)
) STRICT, WITHOUT ROWID;
CREATE INDEX rollups_hour ON rollups (hour_us);

-- leases: which replica checks which target, until when.
CREATE TABLE leases (
    target_id  INTEGER PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,
    holder     TEXT    NOT NULL,
    expires_us INTEGER NOT NULL
) STRICT;
CREATE INDEX leases_holder ON leases (holder);
