-- Authlens history database, schema 1.
-- Never edit a migration once released (sqlx checksums applied migrations): add a new numbered file.
--
-- Every child table keeps the full record as JSON in `record` (what load_run rebuilds from) plus the
-- indexed columns that listings and filters need. `seq` is the insertion order, which load_run keeps.
-- Nothing here is redacted by the store: callers hand it runs already passed through `redact`.

CREATE TABLE profiles (
    name       TEXT PRIMARY KEY NOT NULL,
    toml       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE runs (
    id           TEXT PRIMARY KEY NOT NULL,
    profile_name TEXT NOT NULL,
    targets      TEXT NOT NULL,             -- JSON array of strings
    scenarios    TEXT NOT NULL,             -- JSON array of strings
    started_at   INTEGER NOT NULL,          -- Unix ms
    finished_at  INTEGER,                   -- NULL while running (or when the process died)
    status       TEXT NOT NULL,             -- running | completed | failed | cancelled
    error        TEXT,                      -- JSON {code, message}
    revealed     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_start ON runs (started_at DESC);
CREATE INDEX runs_by_profile ON runs (profile_name, started_at DESC);
CREATE INDEX runs_by_status ON runs (status);

CREATE TABLE exchanges (
    seq        INTEGER PRIMARY KEY,
    run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    id         INTEGER NOT NULL,
    step       TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    method     TEXT,                        -- first request
    url        TEXT,                        -- first request
    status     INTEGER,                     -- final response
    started_at INTEGER NOT NULL,
    record     TEXT NOT NULL,
    UNIQUE (run_id, id)
);
CREATE INDEX exchanges_by_step ON exchanges (run_id, step);

CREATE TABLE credentials (
    seq         INTEGER PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    id          INTEGER NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    scenario    TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    issued_at   INTEGER NOT NULL,
    issued_by   INTEGER NOT NULL,
    expires_at  INTEGER,
    record      TEXT NOT NULL,
    UNIQUE (run_id, id)
);
CREATE INDEX credentials_by_fingerprint ON credentials (fingerprint);

CREATE TABLE observations (
    seq           INTEGER PRIMARY KEY,
    run_id        TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    credential_id INTEGER NOT NULL,
    exchange_id   INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    verdict       TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    record        TEXT NOT NULL
);
CREATE INDEX observations_by_run ON observations (run_id, credential_id);
CREATE INDEX observations_by_verdict ON observations (run_id, verdict);

CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    at          INTEGER NOT NULL,
    exchange_id INTEGER NOT NULL,
    scenario    TEXT NOT NULL,
    record      TEXT NOT NULL
);
CREATE INDEX events_by_run ON events (run_id);

CREATE TABLE findings (
    seq      INTEGER PRIMARY KEY,
    run_id   TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    family   TEXT NOT NULL,
    status   TEXT NOT NULL,                 -- pass | info | not-tested | warn | fail
    severity TEXT NOT NULL,
    record   TEXT NOT NULL
);
CREATE INDEX findings_by_run ON findings (run_id, status);
CREATE INDEX findings_by_check ON findings (check_id, status);
