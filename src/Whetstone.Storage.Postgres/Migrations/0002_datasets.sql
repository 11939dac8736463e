CREATE TABLE snapshot_keys (
    key BIGSERIAL PRIMARY KEY
);
CREATE TABLE snapshot_items (
    snapshot_key  BIGINT NOT NULL,
    ordinal       BIGINT NOT NULL,
    trajectory_id TEXT   NOT NULL,
    split         TEXT   NOT NULL,
    split_key     TEXT   NOT NULL,
    doc_sha256    TEXT   NOT NULL,
    weights       TEXT   NOT NULL,
    PRIMARY KEY (snapshot_key, ordinal)
);
CREATE TABLE snapshots (
    id           TEXT        PRIMARY KEY,
    snapshot_key BIGINT      NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    doc          TEXT        NOT NULL
);
CREATE TABLE trajectory_versions (
    doc_sha256    TEXT        PRIMARY KEY,
    trajectory_id TEXT        NOT NULL,
    doc           TEXT        NOT NULL,
    archived_at   TIMESTAMPTZ NOT NULL
);
CREATE TABLE settings (
    key        TEXT        PRIMARY KEY,
    value      TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE jobs (
    seq         BIGSERIAL   PRIMARY KEY,
    id          TEXT        NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    snapshot_id TEXT        NOT NULL,
    doc         TEXT        NOT NULL
);
CREATE TABLE launches (
    seq    BIGSERIAL PRIMARY KEY,
    job_id TEXT      NOT NULL,
    doc    TEXT      NOT NULL
);
