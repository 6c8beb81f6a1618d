//! Access tokens: JWTs signed with the lab's current key (HS256 by default; RS256,
//! ES256 or EdDSA on request), checked statelessly by the lab's own verifier. Nothing on
//! the server can revoke one before `exp`; showing that gap is part of the lesson.

pub(crate) mod keys;
mod psychic;
pub(crate) mod signing;
pub(crate) mod verify;

use std::sync::Arc;

use jsonwebtoken::Header;
use serde::{Deserialize, Serialize};

use crate::secrets;
use keys::Keyring;
use verify::Lapses;

pub(crate) const AUDIENCE: &str = "authlens-lab";
const SUBJECT_PREFIX: &str = "user:";

/// No e-mail or other personal data: only an opaque-ish subject.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: String,
    iat: u64,
    nbf: u64,
    exp: u64,
    jti: String,
}

pub(crate) struct AccessTokens {
    keys: Arc<Keyring>,
    lapses: Lapses,
    issuer: String,
    lifetime_secs: u64,
}

impl AccessTokens {
    /// One keyring and one issuer for all replicas, so a token from one verifies on all.
    /// `lapses` are the verification flaws switched on.
    pub(crate) fn new(
        keys: Arc<Keyring>,
        issuer: &str,
        lifetime_secs: u64,
        lapses: Lapses,
    ) -> Self {
        Self {
            keys,
            lapses,
            issuer: issuer.to_owned(),
            lifetime_secs,
        }
    }

    pub(crate) fn lifetime_secs(&self) -> u64 {
        self.lifetime_secs
    }

    pub(crate) fn issuer(&self) -> &str {
        &self.issuer
    }

    pub(crate) fn keys(&self) -> &Keyring {
        &self.keys
    }

    pub(crate) fn issue(&self, username: &str) -> Result<String, jsonwebtoken::errors::Error> {
        let iat = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            sub: format!("{SUBJECT_PREFIX}{username}"),
            iat,
            nbf: iat,
            exp: iat.saturating_add(self.lifetime_secs),
            jti: secrets::random_token(),
        };
        let key = self.keys.current();
        // Header::new sets typ "JWT".
        let mut header = Header::new(self.keys.signing().algorithm());
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, &claims, &key.encoding)
    }

    /// The username of a token the lab accepts, else `None` (see [`verify`] for the rules
    /// and how the flaws bend them).
    pub(crate) fn verify(&self, token: &str) -> Option<String> {
        match verify::verify(&self.keys, self.lapses, &self.issuer, AUDIENCE, token) {
            Ok(claims) => claims.sub.strip_prefix(SUBJECT_PREFIX).map(str::to_owned),
            Err(refusal) => {
                tracing::debug!(%refusal, "access token refused");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
