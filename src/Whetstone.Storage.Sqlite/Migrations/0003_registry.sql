-- Registry: immutable candidates, evaluations, aliases, promotion requests, live changes, and the audit log.
CREATE TABLE candidates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id  TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
CREATE TRIGGER candidates_are_immutable BEFORE UPDATE ON candidates
BEGIN
    SELECT RAISE(ABORT, 'candidates are immutable');
END;
CREATE TABLE evaluations (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
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
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id  TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
CREATE TABLE live_changes (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    id    TEXT UNIQUE,
    state TEXT NOT NULL,
    doc   TEXT NOT NULL
);
CREATE TABLE audit_log (
    seq  INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    doc  TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
