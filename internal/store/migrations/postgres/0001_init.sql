-- The watcher's first schema, PostgreSQL dialect: the same tables, columns
-- and meanings as the SQLite dialect. Times are microseconds since the Unix
-- epoch (UTC), durations are microseconds, so that one set of queries
-- serves both engines.

CREATE TABLE targets (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT   NOT NULL UNIQUE,
    url         TEXT   NOT NULL,
    group_name  TEXT   NOT NULL DEFAULT '',
    config_hash TEXT   NOT NULL DEFAULT '',
    created_us  BIGINT NOT NULL
);

CREATE TABLE checks (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id   BIGINT  NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    at_us       BIGINT  NOT NULL,
    duration_us BIGINT  NOT NULL,
    dns_us      BIGINT  NOT NULL DEFAULT 0,
    connect_us  BIGINT  NOT NULL DEFAULT 0,
    tls_us      BIGINT  NOT NULL DEFAULT 0,
    ttfb_us     BIGINT  NOT NULL DEFAULT 0,
    transfer_us BIGINT  NOT NULL DEFAULT 0,
    status      INTEGER NOT NULL DEFAULT 0,
    product     TEXT    NOT NULL DEFAULT '',
    role        TEXT    NOT NULL DEFAULT '',
    ok          BOOLEAN NOT NULL,
    cause       TEXT    NOT NULL DEFAULT '',
    error_class TEXT    NOT NULL DEFAULT '',
    protocol    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX checks_target_at ON checks (target_id, at_us);

CREATE TABLE incidents (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id   BIGINT  NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    opened_us   BIGINT  NOT NULL,
    closed_us   BIGINT,
    state       TEXT    NOT NULL CHECK (state IN ('open', 'closed')),
    cause       TEXT    NOT NULL,
    last_cause  TEXT    NOT NULL DEFAULT '',
    persistence TEXT    NOT NULL DEFAULT '',
    product     TEXT    NOT NULL DEFAULT '',
    role        TEXT    NOT NULL DEFAULT '',
    failures    INTEGER NOT NULL DEFAULT 0,
    -- json, not jsonb: the document comes back byte for byte as it was given.
    diagnosis   JSON
);
CREATE INDEX incidents_opened ON incidents (opened_us DESC, id DESC);
CREATE INDEX incidents_target ON incidents (target_id, opened_us DESC, id DESC);
CREATE INDEX incidents_open ON incidents (state) WHERE state = 'open';

CREATE TABLE incident_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at_us       BIGINT NOT NULL,
    kind        TEXT   NOT NULL,
    cause       TEXT   NOT NULL DEFAULT '',
    text        TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, at_us);

CREATE TABLE rollups (
    target_id    BIGINT           NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    hour_us      BIGINT           NOT NULL,
    checks       INTEGER          NOT NULL,
    failures     INTEGER          NOT NULL,
    uptime       DOUBLE PRECISION NOT NULL,
    ttfb_p50_us  BIGINT           NOT NULL,
    ttfb_p95_us  BIGINT           NOT NULL,
    total_p50_us BIGINT           NOT NULL,
    total_p95_us BIGINT           NOT NULL,
    causes       JSON             NOT NULL DEFAULT '{}',
    PRIMARY KEY (target_id, hour_us)
);
CREATE INDEX rollups_hour ON rollups (hour_us);

CREATE TABLE leases (
    target_id  BIGINT PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,
    holder     TEXT   NOT NULL,
    expires_us BIGINT NOT NULL
);
CREATE INDEX leases_holder ON leases (holder);
