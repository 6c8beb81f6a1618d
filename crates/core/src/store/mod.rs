//! SQLite history: every run, what it captured, and saved profiles.
//!
//! One file (`paths::default_db()` by default), WAL journal, `synchronous = NORMAL`, foreign keys on,
//! 5 s busy timeout, schema from the embedded migrations in `crates/core/migrations` (run on every
//! open; idempotent).
//!
//! **No redaction here.** The store writes exactly what it is given: callers hand it runs, exchanges and
//! credentials already passed through [`crate::redact::Redactor`], so no secret lands on disk unless
//! the user asked to reveal.
//!
//! A run is written as it goes: [`Store::begin_run`] inserts its row with status `running`, each
//! `add_*` call commits on its own (a run killed halfway keeps everything captured up to then), and
//! [`Store::finish_run`] writes the final status, end time, error and findings in one transaction.
//! A run whose process died keeps status `running` and no `finished_at`; [`Store::list_runs`] reports it
//! as `interrupted` once it started more than [`INTERRUPTED_AFTER_MS`] ago (a heuristic: a live run that
//! long would be unusual), and [`Store::load_run`] still rebuilds what was captured.
//!
//! Each child table has indexed columns for listings and filters plus a `record` column with the full
//! JSON of the item; `load_run` rebuilds the [`Run`] from those records in insertion order, so it equals
//! what was stored. [`Store::save_run`] writes a whole run at once (imports, re-analysed runs).
//!
//! Migrations are embedded at compile time with `sqlx::migrate!`; never edit a released one, add a new
//! numbered file (a new file needs a rebuild of this crate to be picked up).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};

use crate::model::{
    Credential, ErrorInfo, Exchange, Finding, FlowEvent, Millis, Observation, Run, RunStatus,
    ScenarioResult,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A run still `running` this long after it started is listed as `interrupted`.
pub const INTERRUPTED_AFTER_MS: Millis = 3_600_000;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the history database {}: {message}", path.display())]
    Open { path: PathBuf, message: String },
    #[error("cannot prepare the history database schema: {0}")]
    Migrate(String),
    #[error("history database query failed: {0}")]
    Query(String),
    #[error("{0}")]
    NotFound(String),
    #[error("run id prefix `{prefix}` is ambiguous: {count} runs match; give more characters")]
    Ambiguous { prefix: String, count: u32 },
    #[error("the history database holds an unreadable record: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Open { .. } => "store.open",
            StoreError::Migrate(_) => "store.migrate",
            StoreError::Query(_) => "store.query",
            StoreError::NotFound(_) => "store.not-found",
            StoreError::Ambiguous { .. } => "store.ambiguous",
            StoreError::Corrupt(_) => "store.corrupt",
        }
    }
}

/// A query failed: SQLite's "corrupt"/"not a database" become [`StoreError::Corrupt`].
fn query_err(what: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |e| {
        let corrupt = e
            .as_database_error()
            .and_then(|d| d.code())
            .and_then(|c| c.parse::<i64>().ok())
            .is_some_and(|c| matches!(c & 0xff, 11 | 26)); // SQLITE_CORRUPT, SQLITE_NOTADB
        if corrupt {
            StoreError::Corrupt(format!("{what}: {e}"))
        } else {
            StoreError::Query(format!("{what}: {e}"))
        }
    }
}

/// Like [`query_err`], but a foreign-key violation means the run row does not exist.
fn child_err<'a>(what: &'a str, run_id: &'a str) -> impl FnOnce(sqlx::Error) -> StoreError + 'a {
    move |e| {
        if e.as_database_error()
            .is_some_and(|d| d.is_foreign_key_violation())
        {
            StoreError::NotFound(format!(
                "no run `{run_id}` in the history (begin_run was not called)"
            ))
        } else {
            query_err(what)(e)
        }
    }
}

/// One line of the history listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RunSummary {
    pub id: String,
    pub profile_name: String,
    pub targets: Vec<String>,
    pub started_at: Millis,
    pub finished_at: Option<Millis>,
    /// running | completed | failed | cancelled | interrupted (see [`display_status`]).
    pub status: String,
    pub exchanges: u32,
    pub fails: u32,
    pub warns: u32,
    pub passes: u32,
}

/// The status a listing shows: a stored `running` run with no end that started more than
/// [`INTERRUPTED_AFTER_MS`] before `now` is `interrupted` (its process died); anything else as stored.
pub fn display_status(
    stored: &str,
    started_at: Millis,
    finished_at: Option<Millis>,
    now: Millis,
) -> String {
    if stored == RunStatus::Running.as_str()
        && finished_at.is_none()
        && now - started_at > INTERRUPTED_AFTER_MS
    {
        "interrupted".to_string()
    } else {
        stored.to_string()
    }
}

fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis().try_into().unwrap_or(Millis::MAX))
}

/// A kebab-case serde enum as its string ("replay-after-logout").
fn tag<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("?{e}"),
    }
}

fn to_json<T: Serialize>(v: &T, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Query(format!("cannot encode {what}: {e}")))
}

fn from_json<T: DeserializeOwned>(s: &str, what: impl FnOnce() -> String) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{}: {e}", what())))
}

/// Bind a u32 as SQLite's INTEGER.
fn int(v: u32) -> i64 {
    i64::from(v)
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Open (creating it and its parent directories if needed) and migrate the database at `path`.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        let open_err = |message: String| StoreError::Open {
            path: path.to_path_buf(),
            message,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent).await.map_err(|e| {
                open_err(format!(
                    "cannot create the directory {}: {e}",
                    parent.display()
                ))
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| open_err(e.to_string()))?;
        if let Err(e) = MIGRATOR.run(&pool).await {
            pool.close().await;
            return Err(StoreError::Migrate(format!("{}: {e}", path.display())));
        }
        Ok(Store {
            pool,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Close every connection (checkpointing the WAL). Clones of this store stop working too.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Sqlite>, StoreError> {
        self.pool
            .acquire()
            .await
            .map_err(query_err("acquire a connection"))
    }

    /// Insert the run's row with status `running` and no end (its exchanges etc. follow with `add_*`).
    /// Calling it again for the same id rewrites the row's header fields.
    pub async fn begin_run(&self, run: &Run) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let header = Run {
            status: RunStatus::Running,
            finished_at: None,
            error: None,
            ..shallow(run)
        };
        upsert_run(&mut conn, &header).await
    }

    /// Record an exchange (same id again replaces it). Commits on its own.
    pub async fn add_exchange(&self, run_id: &str, e: &Exchange) -> Result<(), StoreError> {
        insert_exchange(&mut *self.conn().await?, run_id, e).await
    }

    /// Record a credential (same id again replaces it). Commits on its own.
    pub async fn add_credential(&self, run_id: &str, c: &Credential) -> Result<(), StoreError> {
        insert_credential(&mut *self.conn().await?, run_id, c).await
    }

    /// Record an observation (appended). Commits on its own.
    pub async fn add_observation(&self, run_id: &str, o: &Observation) -> Result<(), StoreError> {
        insert_observation(&mut *self.conn().await?, run_id, o).await
    }

    /// Record a measuring scenario's verdict (appended). Commits on its own.
    pub async fn add_result(&self, run_id: &str, r: &ScenarioResult) -> Result<(), StoreError> {
        insert_result(&mut *self.conn().await?, run_id, r).await
    }

    /// Record a flow event (appended). Commits on its own.
    pub async fn add_event(&self, run_id: &str, e: &FlowEvent) -> Result<(), StoreError> {
        insert_event(&mut *self.conn().await?, run_id, e).await
    }

    /// In one transaction: the run's header (status, finished_at, error, revealed...) and its findings,
    /// replacing any stored before. The run must have been begun.
    pub async fn finish_run(&self, run: &Run) -> Result<(), StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(query_err("begin a transaction"))?;
        let updated = sqlx::query(
            "UPDATE runs SET profile_name = ?2, targets = ?3, scenarios = ?4, started_at = ?5, finished_at = ?6,
                 status = ?7, error = ?8, revealed = ?9, jwt_keys = ?10 WHERE id = ?1",
        )
        .bind(&run.id)
        .bind(&run.profile_name)
        .bind(to_json(&run.targets, "targets")?)
        .bind(to_json(&run.scenarios, "scenarios")?)
        .bind(run.started_at)
        .bind(run.finished_at)
        .bind(run.status.as_str())
        .bind(run.error.as_ref().map(|e| to_json(e, "error")).transpose()?)
        .bind(run.revealed)
        .bind(to_json(&run.jwt_keys, "jwt_keys")?)
        .execute(&mut *tx)
        .await
        .map_err(query_err("finish the run"))?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!(
                "no run `{}` in the history (begin_run was not called)",
                run.id
            )));
        }
        replace_findings(&mut tx, &run.id, &run.findings).await?;
        // Verification results are added to credentials when the run ends.
        for c in run.credentials.iter().filter(|c| c.verification.is_some()) {
            insert_credential(&mut tx, &run.id, c).await?;
        }
        tx.commit()
            .await
            .map_err(query_err("commit the finished run"))
    }

    /// Store a whole run at once (an import, or a re-analysed run), replacing any run with the same id
    /// and everything it held. One transaction.
    pub async fn save_run(&self, run: &Run) -> Result<(), StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(query_err("begin a transaction"))?;
        sqlx::query("DELETE FROM runs WHERE id = ?1")
            .bind(&run.id)
            .execute(&mut *tx)
            .await
            .map_err(query_err("replace the run"))?;
        upsert_run(&mut tx, run).await?;
        for e in &run.exchanges {
            insert_exchange(&mut tx, &run.id, e).await?;
        }
        for c in &run.credentials {
            insert_credential(&mut tx, &run.id, c).await?;
        }
        for o in &run.observations {
            insert_observation(&mut tx, &run.id, o).await?;
        }
        for e in &run.events {
            insert_event(&mut tx, &run.id, e).await?;
        }
        for r in &run.results {
            insert_result(&mut tx, &run.id, r).await?;
        }
        replace_findings(&mut tx, &run.id, &run.findings).await?;
        tx.commit().await.map_err(query_err("commit the run"))
    }

    /// The newest runs first (`limit` 0 = all), with counts for the listing.
    pub async fn list_runs(&self, limit: u32) -> Result<Vec<RunSummary>, StoreError> {
        let limit = if limit == 0 { -1 } else { int(limit) };
        let rows = sqlx::query(
            "SELECT r.id, r.profile_name, r.targets, r.started_at, r.finished_at, r.status,
                    (SELECT COUNT(*) FROM exchanges e WHERE e.run_id = r.id) AS exchanges,
                    (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id AND f.status = 'fail') AS fails,
                    (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id AND f.status = 'warn') AS warns,
                    (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id AND f.status = 'pass') AS passes
             FROM runs r ORDER BY r.started_at DESC, r.id DESC LIMIT ?1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(query_err("list runs"))?;
        let now = now_ms();
        rows.iter()
            .map(|row| {
                let id: String = get(row, "id")?;
                let count =
                    |col: &str| get::<i64>(row, col).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
                let started_at = get(row, "started_at")?;
                let finished_at = get(row, "finished_at")?;
                let stored: String = get(row, "status")?;
                Ok(RunSummary {
                    targets: from_json(&get::<String>(row, "targets")?, || {
                        format!("run {id}: targets")
                    })?,
                    profile_name: get(row, "profile_name")?,
                    status: display_status(&stored, started_at, finished_at, now),
                    started_at,
                    finished_at,
                    exchanges: count("exchanges")?,
                    fails: count("fails")?,
                    warns: count("warns")?,
                    passes: count("passes")?,
                    id,
                })
            })
            .collect()
    }

    /// The full run with this id, or with the only id starting with `id_or_prefix` (case-insensitive).
    pub async fn load_run(&self, id_or_prefix: &str) -> Result<Run, StoreError> {
        let wanted = id_or_prefix.trim();
        if wanted.is_empty() {
            return Err(StoreError::NotFound("no run id given".to_string()));
        }
        // One read transaction: a consistent snapshot even while a run is being written.
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(query_err("begin a transaction"))?;
        let id = resolve_id(&mut tx, wanted).await?;
        let row = sqlx::query(
            "SELECT id, profile_name, targets, scenarios, started_at, finished_at, status, error, revealed,
                 jwt_keys
             FROM runs WHERE id = ?1",
        )
        .bind(&id)
        .fetch_one(&mut *tx)
        .await
        .map_err(query_err("load the run"))?;
        let status: String = get(&row, "status")?;
        let mut run = Run {
            targets: from_json(&get::<String>(&row, "targets")?, || {
                format!("run {id}: targets")
            })?,
            scenarios: from_json(&get::<String>(&row, "scenarios")?, || {
                format!("run {id}: scenarios")
            })?,
            profile_name: get(&row, "profile_name")?,
            started_at: get(&row, "started_at")?,
            finished_at: get(&row, "finished_at")?,
            status: serde_json::from_value(serde_json::Value::String(status.clone()))
                .map_err(|_| StoreError::Corrupt(format!("run {id}: unknown status `{status}`")))?,
            error: get::<Option<String>>(&row, "error")?
                .map(|s| from_json::<ErrorInfo>(&s, || format!("run {id}: error")))
                .transpose()?,
            revealed: get(&row, "revealed")?,
            jwt_keys: get::<Option<String>>(&row, "jwt_keys")?
                .map(|s| from_json(&s, || format!("run {id}: jwt_keys")))
                .transpose()?
                .unwrap_or_default(),
            id: id.clone(),
            exchanges: Vec::new(),
            credentials: Vec::new(),
            observations: Vec::new(),
            events: Vec::new(),
            findings: Vec::new(),
            results: Vec::new(),
        };
        run.exchanges = records(
            &mut tx,
            "SELECT record FROM exchanges WHERE run_id = ?1 ORDER BY seq",
            &id,
            "exchange",
        )
        .await?;
        run.credentials = records(
            &mut tx,
            "SELECT record FROM credentials WHERE run_id = ?1 ORDER BY seq",
            &id,
            "credential",
        )
        .await?;
        run.observations = records(
            &mut tx,
            "SELECT record FROM observations WHERE run_id = ?1 ORDER BY seq",
            &id,
            "observation",
        )
        .await?;
        run.events = records(
            &mut tx,
            "SELECT record FROM events WHERE run_id = ?1 ORDER BY seq",
            &id,
            "event",
        )
        .await?;
        run.findings = records(
            &mut tx,
            "SELECT record FROM findings WHERE run_id = ?1 ORDER BY seq",
            &id,
            "finding",
        )
        .await?;
        run.results = records(
            &mut tx,
            "SELECT record FROM results WHERE run_id = ?1 ORDER BY seq",
            &id,
            "result",
        )
        .await?;
        tx.commit()
            .await
            .map_err(query_err("end the read transaction"))?;
        Ok(run)
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound, else SQLite's list of problems, one a line.
    pub async fn integrity_check(&self) -> Result<String, StoreError> {
        let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await
            .map_err(query_err("check integrity"))?;
        Ok(lines.join("\n"))
    }

    /// Save a profile's TOML under its name, replacing an older one.
    pub async fn save_profile(&self, name: &str, toml: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO profiles (name, toml, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET toml = excluded.toml, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(toml)
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(query_err("save the profile"))?;
        Ok(())
    }

    /// Every saved profile as (name, TOML), by name.
    pub async fn list_profiles(&self) -> Result<Vec<(String, String)>, StoreError> {
        sqlx::query_as("SELECT name, toml FROM profiles ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(query_err("list profiles"))
    }
}

/// The run without its children (for the header row).
fn shallow(run: &Run) -> Run {
    Run {
        id: run.id.clone(),
        profile_name: run.profile_name.clone(),
        targets: run.targets.clone(),
        scenarios: run.scenarios.clone(),
        started_at: run.started_at,
        finished_at: run.finished_at,
        status: run.status,
        error: run.error.clone(),
        exchanges: Vec::new(),
        credentials: Vec::new(),
        observations: Vec::new(),
        events: Vec::new(),
        findings: Vec::new(),
        results: Vec::new(),
        jwt_keys: run.jwt_keys.clone(),
        revealed: run.revealed,
    }
}

fn get<'r, T>(row: &'r SqliteRow, col: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(col)
        .map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
}

async fn upsert_run(conn: &mut SqliteConnection, run: &Run) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO runs (id, profile_name, targets, scenarios, started_at, finished_at, status, error, revealed,
             jwt_keys)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET profile_name = excluded.profile_name, targets = excluded.targets,
             scenarios = excluded.scenarios, started_at = excluded.started_at, finished_at = excluded.finished_at,
             status = excluded.status, error = excluded.error, revealed = excluded.revealed,
             jwt_keys = excluded.jwt_keys",
    )
    .bind(&run.id)
    .bind(&run.profile_name)
    .bind(to_json(&run.targets, "targets")?)
    .bind(to_json(&run.scenarios, "scenarios")?)
    .bind(run.started_at)
    .bind(run.finished_at)
    .bind(run.status.as_str())
    .bind(run.error.as_ref().map(|e| to_json(e, "error")).transpose()?)
    .bind(run.revealed)
    .bind(to_json(&run.jwt_keys, "jwt_keys")?)
    .execute(conn)
    .await
    .map_err(query_err("save the run"))?;
    Ok(())
}

async fn insert_exchange(
    conn: &mut SqliteConnection,
    run_id: &str,
    e: &Exchange,
) -> Result<(), StoreError> {
    let first = e.first_request();
    sqlx::query(
        "INSERT INTO exchanges (run_id, id, step, purpose, method, url, status, started_at, record)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (run_id, id) DO UPDATE SET step = excluded.step, purpose = excluded.purpose,
             method = excluded.method, url = excluded.url, status = excluded.status,
             started_at = excluded.started_at, record = excluded.record",
    )
    .bind(run_id)
    .bind(int(e.id))
    .bind(e.step.as_str())
    .bind(tag(&e.purpose))
    .bind(first.map(|r| r.method.as_str()))
    .bind(first.map(|r| r.url.as_str()))
    .bind(e.final_status().map(i64::from))
    .bind(e.started_at)
    .bind(to_json(e, "exchange")?)
    .execute(conn)
    .await
    .map_err(child_err("save an exchange", run_id))?;
    Ok(())
}

async fn insert_credential(
    conn: &mut SqliteConnection,
    run_id: &str,
    c: &Credential,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO credentials (run_id, id, name, kind, generation, scenario, fingerprint, issued_at, issued_by,
             expires_at, record)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (run_id, id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
             generation = excluded.generation, scenario = excluded.scenario, fingerprint = excluded.fingerprint,
             issued_at = excluded.issued_at, issued_by = excluded.issued_by, expires_at = excluded.expires_at,
             record = excluded.record",
    )
    .bind(run_id)
    .bind(int(c.id))
    .bind(&c.name)
    .bind(tag(&c.kind))
    .bind(int(c.generation))
    .bind(&c.scenario)
    .bind(&c.fingerprint)
    .bind(c.issued_at)
    .bind(int(c.issued_by))
    .bind(c.declared_expiry)
    .bind(to_json(c, "credential")?)
    .execute(conn)
    .await
    .map_err(child_err("save a credential", run_id))?;
    Ok(())
}

async fn insert_observation(
    conn: &mut SqliteConnection,
    run_id: &str,
    o: &Observation,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO observations (run_id, credential_id, exchange_id, at, verdict, purpose, record)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(run_id)
    .bind(int(o.credential_id))
    .bind(int(o.exchange_id))
    .bind(o.at)
    .bind(tag(&o.verdict))
    .bind(tag(&o.purpose))
    .bind(to_json(o, "observation")?)
    .execute(conn)
    .await
    .map_err(child_err("save an observation", run_id))?;
    Ok(())
}

async fn insert_event(
    conn: &mut SqliteConnection,
    run_id: &str,
    e: &FlowEvent,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO events (run_id, kind, at, exchange_id, scenario, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(run_id)
    .bind(tag(&e.kind))
    .bind(e.at)
    .bind(int(e.exchange_id))
    .bind(&e.scenario)
    .bind(to_json(e, "event")?)
    .execute(conn)
    .await
    .map_err(child_err("save an event", run_id))?;
    Ok(())
}

async fn insert_result(
    conn: &mut SqliteConnection,
    run_id: &str,
    r: &ScenarioResult,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO results (run_id, scenario, credential_id, status, record) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(run_id)
    .bind(&r.scenario)
    .bind(r.credential_id.map(int))
    .bind(r.status.as_str())
    .bind(to_json(r, "result")?)
    .execute(conn)
    .await
    .map_err(child_err("save a scenario result", run_id))?;
    Ok(())
}

async fn replace_findings(
    conn: &mut SqliteConnection,
    run_id: &str,
    findings: &[Finding],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM findings WHERE run_id = ?1")
        .bind(run_id)
        .execute(&mut *conn)
        .await
        .map_err(query_err("replace findings"))?;
    for f in findings {
        sqlx::query(
            "INSERT INTO findings (run_id, check_id, family, status, severity, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(run_id)
        .bind(&f.check_id)
        .bind(crate::report::family(&f.check_id))
        .bind(f.status.as_str())
        .bind(f.severity.as_str())
        .bind(to_json(f, "finding")?)
        .execute(&mut *conn)
        .await
        .map_err(child_err("save a finding", run_id))?;
    }
    Ok(())
}

/// The id `wanted` names: itself when a run has exactly that id, else the only id it prefixes.
async fn resolve_id(conn: &mut SqliteConnection, wanted: &str) -> Result<String, StoreError> {
    let exact: Option<String> = sqlx::query_scalar("SELECT id FROM runs WHERE id = ?1")
        .bind(wanted)
        .fetch_optional(&mut *conn)
        .await
        .map_err(query_err("find the run"))?;
    if let Some(id) = exact {
        return Ok(id);
    }
    // substr/length rather than LIKE: `%` and `_` in the input stay literal.
    let matches: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM runs WHERE lower(substr(id, 1, length(?1))) = lower(?1) ORDER BY started_at DESC LIMIT 2",
    )
    .bind(wanted)
    .fetch_all(&mut *conn)
    .await
    .map_err(query_err("find the run"))?;
    match matches.len() {
        0 => Err(StoreError::NotFound(format!(
            "no run with id or prefix `{wanted}` in the history"
        ))),
        1 => Ok(matches.into_iter().next().unwrap_or_default()),
        _ => {
            let count: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM runs WHERE lower(substr(id, 1, length(?1))) = lower(?1)",
            )
            .bind(wanted)
            .fetch_one(&mut *conn)
            .await
            .map_err(query_err("find the run"))?;
            Err(StoreError::Ambiguous {
                prefix: wanted.to_string(),
                count: u32::try_from(count).unwrap_or(u32::MAX),
            })
        }
    }
}

async fn records<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
    sql: &'static str,
    run_id: &str,
    what: &str,
) -> Result<Vec<T>, StoreError> {
    let rows: Vec<String> = sqlx::query_scalar(sql)
        .bind(run_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(query_err("load the run's records"))?;
    rows.iter()
        .enumerate()
        .map(|(i, s)| {
            from_json(s, || {
                format!("run {run_id}: {what} {} of {}", i + 1, rows.len())
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
