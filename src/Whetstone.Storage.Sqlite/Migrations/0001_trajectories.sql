-- Trajectories: the redacted run as canonical JSON plus the columns queries filter on.
CREATE TABLE trajectories (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    ingested_at  TEXT    NOT NULL,
    model_name   TEXT,
    task_key     TEXT,
    accepted     INTEGER NOT NULL,
    score        REAL    NOT NULL,
    reasons      TEXT    NOT NULL,
    doc          TEXT    NOT NULL,
    verdict      TEXT    NOT NULL,
    redaction    TEXT    NOT NULL
);
CREATE INDEX ix_trajectories_accepted ON trajectories (accepted, seq);
CREATE INDEX ix_trajectories_model ON trajectories (model_name, seq);
CREATE INDEX ix_trajectories_task ON trajectories (task_key);
