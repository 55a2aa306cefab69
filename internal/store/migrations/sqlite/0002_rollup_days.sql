-- rollup_days: the hourly rollups summed up by UTC day, kept with them, so
-- that the 90-day uptime bars of many targets read one row per target and
-- day rather than 24.
CREATE TABLE rollup_days (
    target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    day_us    INTEGER NOT NULL,
    checks    INTEGER NOT NULL,
    failures  INTEGER NOT NULL,
    PRIMARY KEY (target_id, day_us)
) STRICT, WITHOUT ROWID;
CREATE INDEX rollup_days_day ON rollup_days (day_us);

INSERT INTO rollup_days (target_id, day_us, checks, failures)
SELECT target_id, hour_us - hour_us % 86400000000, SUM(checks), SUM(failures)
FROM rollups GROUP BY 1, 2;
