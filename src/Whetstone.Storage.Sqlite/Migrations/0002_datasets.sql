-- Dataset snapshots: items reference runs by id and pin the SHA-256 of their stored content; a run whose content
-- changes later keeps its earlier content in trajectory_versions, so every snapshot stays reproducible.
CREATE TABLE snapshot_keys (
    key INTEGER PRIMARY KEY AUTOINCREMENT
);
CREATE TABLE snapshot_items (
    snapshot_key  INTEGER NOT NULL,
    ordinal       INTEGER NOT NULL,
    trajectory_id TEXT    NOT NULL,
    split         TEXT    NOT NULL,
    split_key     TEXT    NOT NULL,
    doc_sha256    TEXT    NOT NULL,
    weights       TEXT    NOT NULL,
    PRIMARY KEY (snapshot_key, ordinal)
) WITHOUT ROWID;
CREATE TABLE snapshots (
    id           TEXT    PRIMARY KEY,
    snapshot_key INTEGER NOT NULL UNIQUE,
    created_at   TEXT    NOT NULL,
    doc          TEXT    NOT NULL
);
CREATE TABLE trajectory_versions (
    doc_sha256    TEXT PRIMARY KEY,
    trajectory_id TEXT NOT NULL,
    doc           TEXT NOT NULL,
    archived_at   TEXT NOT NULL
);
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Training jobs and their launch history (append-only).
CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    snapshot_id TEXT NOT NULL,
    doc         TEXT NOT NULL
);
CREATE TABLE launches (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL,
    doc    TEXT NOT NULL
);
