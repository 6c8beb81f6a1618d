//! Server-side state (sessions, refresh-token families) behind one API that applies
//! the same rules on every backend: SQLite (in memory or a file shared by replicas) or
//! Redis. Keys are SHA-256 digests (see `secrets::digest`): a dump of the store holds
//! no usable credential. All times are Unix milliseconds.

mod backing;
mod redis;
mod redis_server;
mod sqlite;

use std::sync::Arc;

pub(crate) use backing::Backing;

use crate::secrets;

/// Without an expiry check a session row could be accepted forever; keep it no longer
/// than the longest cookie a browser would still send (400 days) past its expiry.
const IGNORED_EXPIRY_RETENTION_MS: i64 = 400 * 24 * 3600 * 1000;

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `now + secs`, in ms, saturating.
pub(crate) fn ms_from_now(secs: u64) -> i64 {
    now_ms().saturating_add(secs_to_ms(secs))
}

pub(crate) fn secs_to_ms(secs: u64) -> i64 {
    i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX)
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] sqlx::Error),
    #[error("Redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("unexpected data in the store: {0}")]
    Corrupt(&'static str),
}

/// What makes a stored credential acceptable, the same on every replica and backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rules {
    /// Reject sessions past their absolute expiry (off: no-expiry-check).
    pub session_expiry: bool,
    /// Reject sessions unused this long (session mode, unless no-idle-timeout).
    pub idle_ms: Option<i64>,
    /// A revocation takes effect this long after it is recorded (slow-revocation), else 0.
    pub revocation_delay_ms: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            session_expiry: true,
            idle_ms: None,
            revocation_delay_ms: 0,
        }
    }
}

impl Rules {
    fn revoked(&self, revoked_at: Option<i64>, now: i64) -> bool {
        revoked_at.is_some_and(|at| now >= at.saturating_add(self.revocation_delay_ms))
    }

    fn session_live(&self, s: &SessionRecord, now: i64) -> bool {
        (!self.session_expiry || s.expires_at > now)
            && self
                .idle_ms
                .is_none_or(|idle| s.last_seen.saturating_add(idle) > now)
            && !self.revoked(s.revoked_at, now)
    }

    /// Refresh families always honour their absolute expiry.
    fn family_live(&self, expires_at: i64, revoked_at: Option<i64>, now: i64) -> bool {
        expires_at > now && !self.revoked(revoked_at, now)
    }

    /// When no rule can accept the session any more, so the backend may drop it.
    fn session_purge_at(&self, expires_at: i64) -> i64 {
        if self.session_expiry {
            expires_at
        } else {
            expires_at.saturating_add(IGNORED_EXPIRY_RETENTION_MS)
        }
    }
}

/// A session as stored (the SQLite columns have the same names).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct SessionRecord {
    /// `None` while anonymous (pre-login).
    pub username: Option<String>,
    pub csrf_token: String,
    /// Absolute expiry.
    pub expires_at: i64,
    /// Last use, for the idle timeout.
    pub last_seen: i64,
    /// When logout revoked it (effective after the revocation delay).
    pub revoked_at: Option<i64>,
}

/// A live session, as handlers see it.
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
        family: String,
    },
    /// The token had already been rotated away.
    Reused,
    /// Unknown, revoked or expired.
    Invalid,
}

/// One backend connection (a replica's pool or Redis connection).
#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(sqlite::SqliteStore),
    Redis(redis::RedisStore),
}

/// Dispatch to the backend; both implement the same raw operations.
macro_rules! dispatch {
    ($self:expr, $store:ident => $call:expr) => {
        match $self {
            Backend::Sqlite($store) => $call.await,
            Backend::Redis($store) => $call.await,
        }
    };
}

impl Backend {
    async fn insert_session(
        &self,
        id_hash: &[u8],
        record: &SessionRecord,
        purge_at: i64,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.insert_session(id_hash, record, purge_at))
    }

    async fn get_session(&self, id_hash: &[u8]) -> Result<Option<SessionRecord>, StoreError> {
        dispatch!(self, s => s.get_session(id_hash))
    }

    async fn touch_session(&self, id_hash: &[u8], now: i64) -> Result<(), StoreError> {
        dispatch!(self, s => s.touch_session(id_hash, now))
    }

    async fn authenticate_session(
        &self,
        id_hash: &[u8],
        username: &str,
        expires_at: i64,
        now: i64,
        purge_at: i64,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.authenticate_session(id_hash, username, expires_at, now, purge_at))
    }

    async fn delete_session(&self, id_hash: &[u8]) -> Result<(), StoreError> {
        dispatch!(self, s => s.delete_session(id_hash))
    }

    async fn revoke_session(&self, id_hash: &[u8], now: i64) -> Result<(), StoreError> {
        dispatch!(self, s => s.revoke_session(id_hash, now))
    }

    async fn insert_family(
        &self,
        family: &str,
        username: &str,
        expires_at: i64,
        first_token_hash: &[u8],
        now: i64,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.insert_family(family, username, expires_at, first_token_hash, now))
    }

    async fn add_token(&self, family: &str, token_hash: &[u8]) -> Result<(), StoreError> {
        dispatch!(self, s => s.add_token(family, token_hash))
    }

    async fn refresh(&self, redeem: &Redeem<'_>) -> Result<Refreshed, StoreError> {
        dispatch!(self, s => s.refresh(redeem))
    }

    async fn revoke_family_of(&self, token_hash: &[u8], now: i64) -> Result<(), StoreError> {
        dispatch!(self, s => s.revoke_family_of(token_hash, now))
    }

    pub(crate) async fn close(&self) {
        if let Backend::Sqlite(s) = self {
            s.close().await;
        }
    }
}

/// One refresh-token redemption, decided atomically by the backend.
#[derive(Debug)]
pub(crate) struct Redeem<'a> {
    pub presented_hash: &'a [u8],
    /// The digest of the token that takes its place; `None` keeps the presented token
    /// valid (the no-rotation flaw).
    pub replacement: Option<&'a [u8]>,
    /// Whether presenting a used token kills its whole family.
    pub revoke_on_reuse: bool,
    pub now: i64,
    pub rules: Rules,
}

/// A replica's view of the lab's state. Normally every replica shares one backend.
/// With per-replica-store each has its own, and `peers` are the other replicas':
/// new sessions, sign-ins and tokens are copied to them (as a sticky load balancer's
/// replication would), while use, deletion and revocation stay local. That asymmetry
/// is the lesson: logout on one replica leaves the others accepting.
#[derive(Clone, Debug)]
pub(crate) struct Store {
    local: Backend,
    peers: Arc<[Backend]>,
    rules: Rules,
}

impl Store {
    pub(crate) fn new(local: Backend, peers: Vec<Backend>, rules: Rules) -> Self {
        Self {
            local,
            peers: peers.into(),
            rules,
        }
    }

    /// `local` first, then the peers.
    fn everywhere(&self) -> impl Iterator<Item = &Backend> {
        std::iter::once(&self.local).chain(self.peers.iter())
    }

    // --- sessions -------------------------------------------------------------

    pub(crate) async fn create_session(
        &self,
        id_hash: Vec<u8>,
        username: Option<&str>,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let record = SessionRecord {
            username: username.map(str::to_owned),
            csrf_token: csrf_token.to_owned(),
            expires_at,
            last_seen: now_ms(),
            revoked_at: None,
        };
        let purge_at = self.rules.session_purge_at(expires_at);
        for backend in self.everywhere() {
            backend.insert_session(&id_hash, &record, purge_at).await?;
        }
        Ok(())
    }

    /// The session, if the rules accept it now. Each lookup of a live session counts
    /// as use and slides its idle timeout.
    pub(crate) async fn find_session(
        &self,
        id_hash: Vec<u8>,
    ) -> Result<Option<SessionRow>, StoreError> {
        let now = now_ms();
        let Some(record) = self.local.get_session(&id_hash).await? else {
            return Ok(None);
        };
        if !self.rules.session_live(&record, now) {
            return Ok(None);
        }
        if self.rules.idle_ms.is_some() {
            self.local.touch_session(&id_hash, now).await?;
        }
        Ok(Some(SessionRow {
            username: record.username,
            csrf_token: record.csrf_token,
        }))
    }

    /// Sign in an existing session in place (the fixation flaw).
    pub(crate) async fn authenticate_session(
        &self,
        id_hash: Vec<u8>,
        username: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let purge_at = self.rules.session_purge_at(expires_at);
        for backend in self.everywhere() {
            backend
                .authenticate_session(&id_hash, username, expires_at, now, purge_at)
                .await?;
        }
        Ok(())
    }

    /// Drop a session outright (the pre-login session replaced at login).
    pub(crate) async fn delete_session(&self, id_hash: Vec<u8>) -> Result<(), StoreError> {
        self.local.delete_session(&id_hash).await
    }

    /// Logout: recorded now, effective after the revocation delay.
    pub(crate) async fn revoke_session(&self, id_hash: Vec<u8>) -> Result<(), StoreError> {
        self.local.revoke_session(&id_hash, now_ms()).await
    }

    // --- refresh-token families -----------------------------------------------

    /// A new family (one per login) with its first token.
    pub(crate) async fn create_family(
        &self,
        username: &str,
        expires_at: i64,
        first_token_hash: Vec<u8>,
    ) -> Result<(), StoreError> {
        // Random rather than a per-database sequence, so replicas' stores agree on it.
        let family = secrets::random_token();
        let now = now_ms();
        for backend in self.everywhere() {
            backend
                .insert_family(&family, username, expires_at, &first_token_hash, now)
                .await?;
        }
        Ok(())
    }

    /// Redeem a refresh token, atomically: rotate it (unless `replacement` is `None`),
    /// and treat a second use of a rotated token as theft (revoking its family when
    /// `revoke_on_reuse`).
    pub(crate) async fn refresh(
        &self,
        presented_hash: Vec<u8>,
        replacement: Option<Vec<u8>>,
        revoke_on_reuse: bool,
    ) -> Result<Refreshed, StoreError> {
        let redeem = Redeem {
            presented_hash: &presented_hash,
            replacement: replacement.as_deref(),
            revoke_on_reuse,
            now: now_ms(),
            rules: self.rules,
        };
        let outcome = self.local.refresh(&redeem).await?;
        if let (Refreshed::Granted { family, .. }, Some(replacement)) = (&outcome, &replacement) {
            for peer in self.peers.iter() {
                peer.add_token(family, replacement).await?;
            }
        }
        Ok(outcome)
    }

    /// Revoke the family a token belongs to (logout). Unknown tokens are ignored.
    pub(crate) async fn revoke_family_of(&self, token_hash: Vec<u8>) -> Result<(), StoreError> {
        self.local.revoke_family_of(&token_hash, now_ms()).await
    }
}

#[cfg(test)]
mod tests;
