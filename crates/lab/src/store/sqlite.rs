//! The SQLite backend: one connection to a private in-memory database, or a pool on a
//! file that several replicas open at once (WAL, busy timeout, write transactions
//! taken up front with BEGIN IMMEDIATE).

use std::path::Path;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{Redeem, Refreshed, SessionRecord, StoreError};
use crate::error::LabError;

/// Bumped whenever the tables change (with SCHEMA's last line); a file from another
/// version is refused.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE sessions (
    id_hash    BLOB PRIMARY KEY NOT NULL,
    username   TEXT,             -- NULL while anonymous (pre-login)
    csrf_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL, -- absolute
    last_seen  INTEGER NOT NULL, -- slides the idle timeout
    revoked_at INTEGER,          -- logout; effective after the revocation delay
    purge_at   INTEGER NOT NULL  -- no rule accepts the row after this
);
CREATE TABLE refresh_families (
    id         TEXT PRIMARY KEY NOT NULL, -- random, so replicas' stores agree on it
    username   TEXT NOT NULL,
    expires_at INTEGER NOT NULL,          -- absolute lifetime of every token in the family
    revoked_at INTEGER
);
CREATE TABLE refresh_tokens (
    token_hash BLOB PRIMARY KEY NOT NULL,
    family_id  TEXT NOT NULL REFERENCES refresh_families(id),
    used       INTEGER NOT NULL DEFAULT 0 -- rotated away; presenting it again is reuse
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
PRAGMA user_version = 1;
";

/// Long enough for a burst of replicas writing at once, short enough to surface a wedge.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
pub(crate) struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// A private database that lives exactly as long as its one connection: keep that
    /// connection forever so the data never vanishes mid-lab.
    pub(crate) async fn open_memory() -> Result<Self, LabError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect("sqlite::memory:")
            .await?;
        let store = Self { pool };
        store.ensure_schema(None).await?;
        Ok(store)
    }

    /// A pool on a database file, created if missing. Each replica opens its own pool,
    /// as separate processes would.
    pub(crate) async fn open_file(path: &Path) -> Result<Self, LabError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let store = Self { pool };
        store.ensure_schema(Some(path)).await?;
        Ok(store)
    }

    /// Create the tables on a fresh database; accept one of ours; refuse anything else.
    async fn ensure_schema(&self, path: Option<&Path>) -> Result<(), LabError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (version,): (i64,) = sqlx::query_as("PRAGMA user_version")
            .fetch_one(&mut *tx)
            .await?;
        let (tables,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
                .fetch_one(&mut *tx)
                .await?;
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        if version != 0 || tables != 0 {
            return Err(LabError::StoreSchema {
                path: path.map(Path::to_path_buf).unwrap_or_default(),
                found: version,
                expected: SCHEMA_VERSION,
            });
        }
        sqlx::raw_sql(SCHEMA).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    // --- sessions -------------------------------------------------------------

    pub(crate) async fn insert_session(
        &self,
        id_hash: &[u8],
        record: &SessionRecord,
        purge_at: i64,
    ) -> Result<(), StoreError> {
        // Opportunistic cleanup keeps anonymous sessions from piling up.
        sqlx::query("DELETE FROM sessions WHERE purge_at <= ?")
            .bind(record.last_seen)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, username, csrf_token, expires_at, last_seen, revoked_at, purge_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id_hash.to_vec())
        .bind(record.username.clone())
        .bind(record.csrf_token.clone())
        .bind(record.expires_at)
        .bind(record.last_seen)
        .bind(record.revoked_at)
        .bind(purge_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(crate) async fn get_session(
        &self,
        id_hash: &[u8],
    ) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query_as::<_, SessionRecord>(
            "SELECT username, csrf_token, expires_at, last_seen, revoked_at
             FROM sessions WHERE id_hash = ?",
        )
        .bind(id_hash.to_vec())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row)
    }

    pub(crate) async fn touch_session(&self, id_hash: &[u8], now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen = max(last_seen, ?) WHERE id_hash = ?")
            .bind(now)
            .bind(id_hash.to_vec())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn authenticate_session(
        &self,
        id_hash: &[u8],
        username: &str,
        expires_at: i64,
        now: i64,
        purge_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET username = ?, expires_at = ?, last_seen = ?, purge_at = ?
             WHERE id_hash = ?",
        )
        .bind(username.to_owned())
        .bind(expires_at)
        .bind(now)
        .bind(purge_at)
        .bind(id_hash.to_vec())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(crate) async fn delete_session(&self, id_hash: &[u8]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(id_hash.to_vec())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The first revocation counts: a second logout must not push the deadline out.
    pub(crate) async fn revoke_session(&self, id_hash: &[u8], now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET revoked_at = coalesce(revoked_at, ?) WHERE id_hash = ?")
            .bind(now)
            .bind(id_hash.to_vec())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // --- refresh-token families -----------------------------------------------

    pub(crate) async fn insert_family(
        &self,
        family: &str,
        username: &str,
        expires_at: i64,
        first_token_hash: &[u8],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // Opportunistic cleanup of dead families, tokens first (they reference them).
        sqlx::query(
            "DELETE FROM refresh_tokens WHERE family_id IN
             (SELECT id FROM refresh_families WHERE expires_at <= ?)",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM refresh_families WHERE expires_at <= ?")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO refresh_families (id, username, expires_at) VALUES (?, ?, ?)")
            .bind(family.to_owned())
            .bind(username.to_owned())
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO refresh_tokens (token_hash, family_id) VALUES (?, ?)")
            .bind(first_token_hash.to_vec())
            .bind(family.to_owned())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A token rotated in on another replica (per-replica-store), if the family is known here.
    pub(crate) async fn add_token(
        &self,
        family: &str,
        token_hash: &[u8],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, family_id)
             SELECT ?, id FROM refresh_families WHERE id = ?
             ON CONFLICT (token_hash) DO NOTHING",
        )
        .bind(token_hash.to_vec())
        .bind(family.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Read, decide and write in one IMMEDIATE transaction: two replicas redeeming the
    /// same token are serialized, and the second sees it as used.
    pub(crate) async fn refresh(&self, r: &Redeem<'_>) -> Result<Refreshed, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let row: Option<(String, i64, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT t.family_id, t.used, f.username, f.expires_at, f.revoked_at
             FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
             WHERE t.token_hash = ?",
        )
        .bind(r.presented_hash.to_vec())
        .fetch_optional(&mut *tx)
        .await?;
        let Some((family, used, username, expires_at, revoked_at)) = row else {
            return Ok(Refreshed::Invalid);
        };
        if !r.rules.family_live(expires_at, revoked_at, r.now) {
            return Ok(Refreshed::Invalid);
        }
        if used != 0 {
            if r.revoke_on_reuse {
                sqlx::query(
                    "UPDATE refresh_families SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                )
                .bind(r.now)
                .bind(family.clone())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            return Ok(Refreshed::Reused);
        }
        if let Some(replacement) = r.replacement {
            sqlx::query("UPDATE refresh_tokens SET used = 1 WHERE token_hash = ?")
                .bind(r.presented_hash.to_vec())
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO refresh_tokens (token_hash, family_id) VALUES (?, ?)")
                .bind(replacement.to_vec())
                .bind(family.clone())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(Refreshed::Granted {
            username,
            family_expires_at: expires_at,
            family,
        })
    }

    pub(crate) async fn revoke_family_of(
        &self,
        token_hash: &[u8],
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE refresh_families SET revoked_at = coalesce(revoked_at, ?)
             WHERE id = (SELECT family_id FROM refresh_tokens WHERE token_hash = ?)",
        )
        .bind(now)
        .bind(token_hash.to_vec())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
