-- Schema 2: the measuring scenarios' verdicts (expiry, latency, idle, replicas, entropy, rate-limit), one row
-- per scenario × credential or replica. Like every child table, the full record is JSON in `record`.

CREATE TABLE results (
    seq           INTEGER PRIMARY KEY,
    run_id        TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    scenario      TEXT NOT NULL,
    credential_id INTEGER,
    status        TEXT NOT NULL,             -- pass | info | not-tested | warn | fail
    record        TEXT NOT NULL
);
CREATE INDEX results_by_run ON results (run_id, scenario);
