CREATE TABLE trajectories (
    seq          BIGSERIAL        PRIMARY KEY,
    id           TEXT             NOT NULL UNIQUE,
    ingested_at  TIMESTAMPTZ      NOT NULL,
    model_name   TEXT,
    task_key     TEXT,
    accepted     BOOLEAN          NOT NULL,
    score        DOUBLE PRECISION NOT NULL,
    reasons      JSONB            NOT NULL,
    doc          TEXT             NOT NULL,
    verdict      TEXT             NOT NULL,
    redaction    JSONB            NOT NULL
);
CREATE INDEX ix_trajectories_accepted ON trajectories (accepted, seq);
CREATE INDEX ix_trajectories_model ON trajectories (model_name, seq);
CREATE INDEX ix_trajectories_task ON trajectories (task_key);
