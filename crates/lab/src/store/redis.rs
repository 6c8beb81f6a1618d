//! The Redis backend. One hash per session, family and token, under a per-lab key
//! prefix, each with a TTL so Redis drops what no rule can accept any more. Every
//! read-decide-write (refresh, revocation, sign-in) is one Lua script, so it is atomic
//! even with replicas racing.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, Script};

use super::{Redeem, Refreshed, SessionRecord, StoreError};
use crate::error::LabError;

/// A wedged server should fail a request, not hang it.
const TIMEOUT: Duration = Duration::from_secs(5);

/// KEYS: presented token, [replacement token]. ARGV: now, revoke_on_reuse (1/0),
/// revocation delay, family key prefix. Mirrors `SqliteStore::refresh` and `Rules`.
static REFRESH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local fam = redis.call('HGET', KEYS[1], 'fam')
if not fam then return {'invalid'} end
local fkey = ARGV[4] .. fam
local f = redis.call('HMGET', fkey, 'user', 'exp', 'rev')
local now = tonumber(ARGV[1])
local exp = tonumber(f[2])
if not f[1] or not exp or exp <= now then return {'invalid'} end
local rev = tonumber(f[3])
if rev and now >= rev + tonumber(ARGV[3]) then return {'invalid'} end
if redis.call('HGET', KEYS[1], 'used') == '1' then
  if ARGV[2] == '1' then redis.call('HSETNX', fkey, 'rev', ARGV[1]) end
  return {'reused'}
end
if KEYS[2] then
  redis.call('HSET', KEYS[1], 'used', '1')
  redis.call('HSET', KEYS[2], 'fam', fam, 'used', '0')
  redis.call('PEXPIREAT', KEYS[2], f[2])
end
return {'granted', f[1], f[2], fam}
",
    )
});

/// KEYS: token. ARGV: now, family key prefix. The first revocation counts.
static REVOKE_FAMILY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local fam = redis.call('HGET', KEYS[1], 'fam')
if fam and redis.call('EXISTS', ARGV[2] .. fam) == 1 then
  redis.call('HSETNX', ARGV[2] .. fam, 'rev', ARGV[1])
end
return 0
",
    )
});

/// KEYS: family, token. ARGV: family id. Only into a family this store knows.
static ADD_TOKEN: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local exp = redis.call('HGET', KEYS[1], 'exp')
if exp then
  redis.call('HSET', KEYS[2], 'fam', ARGV[1], 'used', '0')
  redis.call('PEXPIREAT', KEYS[2], exp)
end
return 0
",
    )
});

/// KEYS: session. ARGV: new expiry for the key (or ""), then field, value pairs.
/// Never recreates a session that expired (it would come back without a TTL).
static UPDATE_SESSION: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
if ARGV[1] ~= '' then redis.call('PEXPIREAT', KEYS[1], ARGV[1]) end
return 1
",
    )
});

/// KEYS: session. ARGV: now. The first revocation counts.
static REVOKE_SESSION: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSETNX', KEYS[1], 'rev', ARGV[1]) end
return 0
",
    )
});

#[derive(Clone)]
pub(crate) struct RedisStore {
    conn: MultiplexedConnection,
    /// `authlens-lab:<random>:`, shared by one lab's replicas, distinct per lab.
    prefix: Arc<str>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn int(field: Option<String>, what: &'static str) -> Result<i64, StoreError> {
    field
        .and_then(|v| v.parse().ok())
        .ok_or(StoreError::Corrupt(what))
}

impl RedisStore {
    pub(crate) async fn connect(client: &Client, prefix: &str) -> Result<Self, LabError> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT));
        let conn = client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        Ok(Self {
            conn,
            prefix: prefix.into(),
        })
    }

    fn session_key(&self, id_hash: &[u8]) -> String {
        format!("{}s:{}", self.prefix, hex(id_hash))
    }

    fn family_prefix(&self) -> String {
        format!("{}f:", self.prefix)
    }

    fn token_key(&self, token_hash: &[u8]) -> String {
        format!("{}t:{}", self.prefix, hex(token_hash))
    }

    // --- sessions -------------------------------------------------------------

    pub(crate) async fn insert_session(
        &self,
        id_hash: &[u8],
        record: &SessionRecord,
        purge_at: i64,
    ) -> Result<(), StoreError> {
        let key = self.session_key(id_hash);
        let mut hset = redis::cmd("HSET");
        hset.arg(&key)
            .arg("csrf")
            .arg(&record.csrf_token)
            .arg("exp")
            .arg(record.expires_at)
            .arg("seen")
            .arg(record.last_seen);
        if let Some(user) = &record.username {
            hset.arg("user").arg(user);
        }
        if let Some(at) = record.revoked_at {
            hset.arg("rev").arg(at);
        }
        redis::pipe()
            .atomic()
            .del(&key)
            .ignore()
            .add_command(hset)
            .ignore()
            .pexpire_at(&key, purge_at)
            .ignore()
            .exec_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    pub(crate) async fn get_session(
        &self,
        id_hash: &[u8],
    ) -> Result<Option<SessionRecord>, StoreError> {
        let fields: Vec<Option<String>> = redis::cmd("HMGET")
            .arg(self.session_key(id_hash))
            .arg(&["user", "csrf", "exp", "seen", "rev"])
            .query_async(&mut self.conn.clone())
            .await?;
        let [user, csrf, exp, seen, rev]: [Option<String>; 5] = fields
            .try_into()
            .map_err(|_| StoreError::Corrupt("HMGET answered the wrong number of fields"))?;
        let Some(csrf_token) = csrf else {
            return Ok(None);
        };
        Ok(Some(SessionRecord {
            username: user,
            csrf_token,
            expires_at: int(exp, "session expiry")?,
            last_seen: int(seen, "session last use")?,
            revoked_at: rev
                .map(|v| int(Some(v), "session revocation"))
                .transpose()?,
        }))
    }

    pub(crate) async fn touch_session(&self, id_hash: &[u8], now: i64) -> Result<(), StoreError> {
        let _: i64 = UPDATE_SESSION
            .key(self.session_key(id_hash))
            .arg("")
            .arg("seen")
            .arg(now)
            .invoke_async(&mut self.conn.clone())
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
        let _: i64 = UPDATE_SESSION
            .key(self.session_key(id_hash))
            .arg(purge_at)
            .arg("user")
            .arg(username)
            .arg("exp")
            .arg(expires_at)
            .arg("seen")
            .arg(now)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    pub(crate) async fn delete_session(&self, id_hash: &[u8]) -> Result<(), StoreError> {
        let _: i64 = redis::cmd("DEL")
            .arg(self.session_key(id_hash))
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    pub(crate) async fn revoke_session(&self, id_hash: &[u8], now: i64) -> Result<(), StoreError> {
        let _: i64 = REVOKE_SESSION
            .key(self.session_key(id_hash))
            .arg(now)
            .invoke_async(&mut self.conn.clone())
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
        _now: i64,
    ) -> Result<(), StoreError> {
        let family_key = format!("{}{family}", self.family_prefix());
        let token_key = self.token_key(first_token_hash);
        let exp = expires_at.to_string();
        redis::pipe()
            .atomic()
            .hset_multiple(&family_key, &[("user", username), ("exp", exp.as_str())])
            .ignore()
            .pexpire_at(&family_key, expires_at)
            .ignore()
            .hset_multiple(&token_key, &[("fam", family), ("used", "0")])
            .ignore()
            .pexpire_at(&token_key, expires_at)
            .ignore()
            .exec_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    pub(crate) async fn add_token(
        &self,
        family: &str,
        token_hash: &[u8],
    ) -> Result<(), StoreError> {
        let _: i64 = ADD_TOKEN
            .key(format!("{}{family}", self.family_prefix()))
            .key(self.token_key(token_hash))
            .arg(family)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    pub(crate) async fn refresh(&self, r: &Redeem<'_>) -> Result<Refreshed, StoreError> {
        let mut invocation = REFRESH.key(self.token_key(r.presented_hash));
        if let Some(replacement) = r.replacement {
            invocation.key(self.token_key(replacement));
        }
        let answer: Vec<String> = invocation
            .arg(r.now)
            .arg(if r.revoke_on_reuse { "1" } else { "0" })
            .arg(r.rules.revocation_delay_ms)
            .arg(self.family_prefix())
            .invoke_async(&mut self.conn.clone())
            .await?;
        let mut answer = answer.into_iter();
        match answer.next().as_deref() {
            Some("granted") => {
                let (Some(username), Some(exp), Some(family)) =
                    (answer.next(), answer.next(), answer.next())
                else {
                    return Err(StoreError::Corrupt("refresh script answered too little"));
                };
                Ok(Refreshed::Granted {
                    username,
                    family_expires_at: int(Some(exp), "family expiry")?,
                    family,
                })
            }
            Some("reused") => Ok(Refreshed::Reused),
            Some("invalid") => Ok(Refreshed::Invalid),
            _ => Err(StoreError::Corrupt("refresh script answered nonsense")),
        }
    }

    pub(crate) async fn revoke_family_of(
        &self,
        token_hash: &[u8],
        now: i64,
    ) -> Result<(), StoreError> {
        let _: i64 = REVOKE_FAMILY
            .key(self.token_key(token_hash))
            .arg(now)
            .arg(self.family_prefix())
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }
}
