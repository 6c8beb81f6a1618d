//! Server-side state (sessions, refresh-token families) in a per-lab in-memory SQLite.
//! Keys are SHA-256 digests (see `secrets::digest`): a dump of this store holds no
//! usable credential.

use sqlx::SqlitePool;
use sqlx::sqlite::SqlitePoolOptions;

const SCHEMA: &str = "
CREATE TABLE sessions (
    id_hash    BLOB PRIMARY KEY NOT NULL,
    username   TEXT,            -- NULL while anonymous (pre-login)
    csrf_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL -- absolute, unix seconds
);
CREATE TABLE refresh_families (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    username   TEXT NOT NULL,
    expires_at INTEGER NOT NULL, -- absolute lifetime of every token in the family
    revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE refresh_tokens (
    token_hash BLOB PRIMARY KEY NOT NULL,
    family_id  INTEGER NOT NULL REFERENCES refresh_families(id),
    used       INTEGER NOT NULL DEFAULT 0 -- rotated away; presenting it again is reuse
);
";

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[derive(Clone, Debug)]
pub(crate) struct Store {
    pool: SqlitePool,
}

#[derive(Debug)]
pub(crate) struct SessionRow {
    pub username: Option<String>,
    pub csrf_token: String,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refreshed {
    Granted {
        username: String,
        family_expires_at: i64,
    },
    /// The token had already been rotated away.
    Reused,
    /// Unknown, revoked or expired.
    Invalid,
}

impl Store {
    pub(crate) async fn open() -> Result<Self, sqlx::Error> {
        // An in-memory database lives exactly as long as its one connection: keep a
        // single connection forever so the data never vanishes mid-lab.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect("sqlite::memory:")
            .await?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await?;
        Ok(Self { pool })
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    // --- sessions -------------------------------------------------------------

    pub(crate) async fn create_session(
        &self,
        id_hash: Vec<u8>,
        username: Option<&str>,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), sqlx::Error> {
        // Opportunistic cleanup keeps anonymous sessions from piling up.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(now())
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, username, csrf_token, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(id_hash)
        .bind(username.map(str::to_owned))
        .bind(csrf_token.to_owned())
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(crate) async fn find_session(
        &self,
        id_hash: Vec<u8>,
    ) -> Result<Option<SessionRow>, sqlx::Error> {
        let row: Option<(Option<String>, String)> = sqlx::query_as(
            "SELECT username, csrf_token FROM sessions WHERE id_hash = ? AND expires_at > ?",
        )
        .bind(id_hash)
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(username, csrf_token)| SessionRow {
            username,
            csrf_token,
        }))
    }

    /// Sign in an existing session in place (the fixation flaw).
    pub(crate) async fn authenticate_session(
        &self,
        id_hash: Vec<u8>,
        username: &str,
        expires_at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE sessions SET username = ?, expires_at = ? WHERE id_hash = ?")
            .bind(username.to_owned())
            .bind(expires_at)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn delete_session(&self, id_hash: Vec<u8>) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // --- refresh-token families -----------------------------------------------

    /// A new family (one per login) with its first token.
    pub(crate) async fn create_family(
        &self,
        username: &str,
        expires_at: i64,
        first_token_hash: Vec<u8>,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let (family_id,): (i64,) = sqlx::query_as(
            "INSERT INTO refresh_families (username, expires_at) VALUES (?, ?) RETURNING id",
        )
        .bind(username.to_owned())
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO refresh_tokens (token_hash, family_id) VALUES (?, ?)")
            .bind(first_token_hash)
            .bind(family_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Redeem a refresh token, atomically.
    /// - `replacement`: the digest of the token that takes its place, or `None` to keep
    ///   the presented token valid (the no-rotation flaw).
    /// - `revoke_on_reuse`: whether presenting a used token kills its whole family.
    pub(crate) async fn refresh(
        &self,
        presented_hash: Vec<u8>,
        replacement: Option<Vec<u8>>,
        revoke_on_reuse: bool,
    ) -> Result<Refreshed, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let row: Option<(i64, i64, String, i64, i64)> = sqlx::query_as(
            "SELECT t.family_id, t.used, f.username, f.expires_at, f.revoked
             FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
             WHERE t.token_hash = ?",
        )
        .bind(presented_hash.clone())
        .fetch_optional(&mut *tx)
        .await?;
        let Some((family_id, used, username, expires_at, revoked)) = row else {
            return Ok(Refreshed::Invalid);
        };
        if revoked != 0 || expires_at <= now() {
            return Ok(Refreshed::Invalid);
        }
        if used != 0 {
            if revoke_on_reuse {
                sqlx::query("UPDATE refresh_families SET revoked = 1 WHERE id = ?")
                    .bind(family_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            return Ok(Refreshed::Reused);
        }
        if let Some(replacement) = replacement {
            sqlx::query("UPDATE refresh_tokens SET used = 1 WHERE token_hash = ?")
                .bind(presented_hash)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO refresh_tokens (token_hash, family_id) VALUES (?, ?)")
                .bind(replacement)
                .bind(family_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(Refreshed::Granted {
            username,
            family_expires_at: expires_at,
        })
    }

    /// Revoke the family a token belongs to (logout). Unknown tokens are ignored.
    pub(crate) async fn revoke_family_of(&self, token_hash: Vec<u8>) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE refresh_families SET revoked = 1
             WHERE id = (SELECT family_id FROM refresh_tokens WHERE token_hash = ?)",
        )
        .bind(token_hash)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn rotation_and_reuse() {
        let store = Store::open().await.unwrap();
        let (a, b, c) = (vec![1u8], vec![2u8], vec![3u8]);
        store
            .create_family("alice", now() + 60, a.clone())
            .await
            .unwrap();
        let granted = store
            .refresh(a.clone(), Some(b.clone()), true)
            .await
            .unwrap();
        assert!(matches!(granted, Refreshed::Granted { ref username, .. } if username == "alice"));
        assert_eq!(
            store.refresh(a, Some(c.clone()), true).await.unwrap(),
            Refreshed::Reused
        );
        assert_eq!(
            store.refresh(b, Some(c), true).await.unwrap(),
            Refreshed::Invalid
        );
    }

    #[tokio::test]
    async fn expired_sessions_are_not_found() {
        let store = Store::open().await.unwrap();
        store
            .create_session(vec![9], None, "csrf", now() - 1)
            .await
            .unwrap();
        assert!(store.find_session(vec![9]).await.unwrap().is_none());
        store
            .create_session(vec![8], Some("bob"), "csrf", now() + 60)
            .await
            .unwrap();
        let row = store.find_session(vec![8]).await.unwrap().unwrap();
        assert_eq!(row.username.as_deref(), Some("bob"));
    }
}
