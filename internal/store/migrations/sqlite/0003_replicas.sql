-- replicas: the replicas that share the targets through leases, each with
-- the time its presence expires unless renewed, so that each can count
-- the live ones and take about an equal share.
CREATE TABLE replicas (
    holder     TEXT    PRIMARY KEY,
    expires_us INTEGER NOT NULL
) STRICT;
