CREATE FUNCTION whetstone_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME;
END;
$$;
CREATE TABLE candidates (
    seq BIGSERIAL PRIMARY KEY,
    id  TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
CREATE TRIGGER candidates_are_immutable BEFORE UPDATE ON candidates FOR EACH ROW EXECUTE FUNCTION whetstone_refuse();
CREATE TABLE evaluations (
    seq          BIGSERIAL PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    candidate_id TEXT NOT NULL,
    doc          TEXT NOT NULL
);
CREATE INDEX ix_evaluations_candidate ON evaluations (candidate_id, seq);
CREATE TABLE aliases (
    name         TEXT PRIMARY KEY,
    candidate_id TEXT NOT NULL
);
CREATE TABLE promotion_requests (
    seq BIGSERIAL PRIMARY KEY,
    id  TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
CREATE TABLE live_changes (
    seq   BIGSERIAL PRIMARY KEY,
    id    TEXT UNIQUE,
    state TEXT NOT NULL,
    doc   TEXT NOT NULL
);
CREATE UNIQUE INDEX one_pending_live_change ON live_changes (state) WHERE state = 'pending';
CREATE TABLE audit_log (
    seq  BIGINT PRIMARY KEY,
    hash TEXT   NOT NULL,
    doc  TEXT   NOT NULL
);
CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION whetstone_refuse();
