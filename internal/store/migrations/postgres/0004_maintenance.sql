-- maintenance: windows that mute alerts, added through the API. target_names
-- and group_names are JSON arrays of the names the window covers; both empty
-- cover every target. A window ends at end_us; ended ones are kept until
-- deleted, as the record of what was muted.
CREATE TABLE maintenance (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    start_us     BIGINT NOT NULL,
    end_us       BIGINT NOT NULL,
    target_names TEXT   NOT NULL DEFAULT '[]',
    group_names  TEXT   NOT NULL DEFAULT '[]',
    reason       TEXT   NOT NULL DEFAULT '',
    created_us   BIGINT NOT NULL
);

CREATE INDEX maintenance_end ON maintenance (end_us);
