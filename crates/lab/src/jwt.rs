//! Access tokens: HS256 JWTs, checked statelessly. Nothing on the server can revoke
//! one before `exp`; showing that gap is part of the lesson.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::secrets;

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
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    lifetime_secs: u64,
}

impl AccessTokens {
    /// A fresh 32-byte HMAC secret per lab (shared by its replicas, so a token from one
    /// verifies on all): tokens never outlive their lab. `check_expiry: false` is the
    /// no-expiry-check flaw; signature, aud, iss and nbf are still checked.
    pub(crate) fn new(issuer: &str, lifetime_secs: u64, check_expiry: bool) -> Self {
        let secret = secrets::random_bytes::<32>();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_exp = check_expiry;
        validation.validate_nbf = true;
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
            validation,
            issuer: issuer.to_owned(),
            lifetime_secs,
        }
    }

    pub(crate) fn lifetime_secs(&self) -> u64 {
        self.lifetime_secs
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
        // Header::new sets typ "JWT".
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The username of a valid token, else `None` (bad signature, expired, wrong aud/iss).
    pub(crate) fn verify(&self, token: &str) -> Option<String> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        data.claims
            .sub
            .strip_prefix(SUBJECT_PREFIX)
            .map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_verify_and_reject_foreign() {
        let tokens = AccessTokens::new("https://127.0.0.1:1", 60, true);
        let jwt = tokens.issue("alice").unwrap();
        assert_eq!(tokens.verify(&jwt).as_deref(), Some("alice"));
        let other = AccessTokens::new("https://127.0.0.1:1", 60, true);
        assert_eq!(other.verify(&jwt), None);
        let other_issuer = AccessTokens::new("https://127.0.0.1:2", 60, true);
        assert_eq!(
            other_issuer
                .verify(&other_issuer.issue("a").unwrap())
                .as_deref(),
            Some("a")
        );
        assert_eq!(tokens.verify("garbage"), None);
    }

    /// Signed by `tokens`, expired 10 s ago.
    fn expired(tokens: &AccessTokens) -> String {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            iss: tokens.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            sub: format!("{SUBJECT_PREFIX}alice"),
            iat: now - 70,
            nbf: now - 70,
            exp: now - 10,
            jti: "j".to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &tokens.encoding).unwrap()
    }

    #[test]
    fn expiry_is_checked_unless_the_flaw_is_on() {
        let strict = AccessTokens::new("https://127.0.0.1:1", 60, true);
        assert_eq!(strict.verify(&expired(&strict)), None);
        let lax = AccessTokens::new("https://127.0.0.1:1", 60, false);
        assert_eq!(lax.verify(&expired(&lax)).as_deref(), Some("alice"));
        // Still signature-checked.
        assert_eq!(lax.verify(&expired(&strict)), None);
    }
}
