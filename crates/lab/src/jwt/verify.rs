//! Access-token verification, written out step by step so each flaw can switch off (or
//! get wrong) exactly one step and nothing else. Safe by default:
//! - the header's `alg` must be the lab's signing algorithm (no `none`, no other);
//! - a `kid`, when present, must name a key the lab holds (current or previous); without
//!   one the current key is used; an embedded `jwk` is ignored;
//! - the signature is verified with that key;
//! - `iss`, `aud`, `exp`, `nbf` are checked (no leeway), `iat` and `sub` must be present.
//!
//! Hostile input is refused, never a panic: oversized tokens before any decoding, bad
//! base64 and JSON (serde_json's depth limit covers deep nesting) as parse errors.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use serde_json::Value;

use super::keys::{Keyring, LabKey};
use super::psychic;
use super::signing::Signing;
use crate::config::Flaw;

/// Far above any token the lab issues (an RS256 token with an embedded 4096-bit jwk is
/// under 3 KiB); anything longer is refused before it is decoded.
pub(crate) const MAX_TOKEN_LEN: usize = 16 * 1024;
/// header-keys-trusted reads at most this much of a file a `kid` names.
const MAX_KEY_FILE: u64 = 64 * 1024;
const MAX_KID_LEN: usize = 1024;
/// The one path outside the key dir a `kid` may name: the classic empty-key trick.
const DEV_NULL: &str = "/dev/null";

/// The verification steps the lab's flaws get wrong. (weak-secret is a key choice, not a
/// verification lapse: the keyring holds it.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Lapses {
    /// alg-none-accepted: `alg` none (any case) with an empty signature passes.
    pub alg_none: bool,
    /// signature-not-verified: the signature step is skipped.
    pub skip_signature: bool,
    /// key-confusion: HS256 tokens are checked with the public key PEM as HMAC secret.
    pub key_confusion: bool,
    /// psychic-signature: ES256 without the `0 < r, s < n` check.
    pub psychic: bool,
    /// header-keys-trusted: an embedded `jwk` is used, an unknown `kid` is a file path.
    pub header_keys: bool,
    /// no-aud-check.
    pub skip_aud: bool,
    /// no-expiry-check.
    pub skip_exp: bool,
}

impl Lapses {
    pub(crate) fn from_flaws(flaws: &BTreeSet<Flaw>) -> Self {
        let has = |f: Flaw| flaws.contains(&f);
        Self {
            alg_none: has(Flaw::AlgNoneAccepted),
            skip_signature: has(Flaw::SignatureNotVerified),
            key_confusion: has(Flaw::KeyConfusion),
            psychic: has(Flaw::PsychicSignature),
            header_keys: has(Flaw::HeaderKeysTrusted),
            skip_aud: has(Flaw::NoAudCheck),
            skip_exp: has(Flaw::NoExpiryCheck),
        }
    }
}

/// Why a token was refused: for the lab's debug log (never the token itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    #[error("longer than {MAX_TOKEN_LEN} bytes")]
    TooLong,
    #[error("not three base64url segments")]
    Malformed,
    #[error("header is not a JSON object with a string alg")]
    Header,
    #[error("alg none")]
    AlgNone,
    #[error("alg is not the lab's signing algorithm")]
    WrongAlg,
    #[error("unknown kid")]
    UnknownKid,
    #[error("unusable key")]
    BadKey,
    #[error("bad signature")]
    Signature,
    #[error("claims missing or malformed")]
    Claims,
    #[error("wrong issuer")]
    Issuer,
    #[error("wrong audience")]
    Audience,
    #[error("expired")]
    Expired,
    #[error("not yet valid")]
    NotYetValid,
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    jwk: Option<Value>,
}

/// The claims the lab requires of a token it accepts.
#[derive(Debug, Deserialize)]
pub(crate) struct Verified {
    pub sub: String,
    iss: String,
    /// Optional only so no-aud-check can accept tokens without one.
    #[serde(default)]
    aud: Option<Value>,
    exp: u64,
    nbf: u64,
    #[allow(dead_code)]
    iat: u64,
}

/// Which key a token's header leads to.
enum Chosen {
    Lab(Arc<LabKey>),
    /// header-keys-trusted: the token's own `jwk`.
    Embedded(DecodingKey),
    /// header-keys-trusted: the bytes of the file an unknown `kid` names.
    File(Vec<u8>),
}

pub(crate) fn verify(
    keys: &Keyring,
    lapses: Lapses,
    issuer: &str,
    audience: &str,
    token: &str,
) -> Result<Verified, Refusal> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Refusal::TooLong);
    }
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::Malformed);
    };
    let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
    let header: RawHeader =
        serde_json::from_slice(&b64(header_b64)?).map_err(|_| Refusal::Header)?;
    let payload = b64(payload_b64)?;

    if header.alg.eq_ignore_ascii_case("none") {
        return if lapses.alg_none && signature.is_empty() {
            claims(&payload, lapses, issuer, audience)
        } else {
            Err(Refusal::AlgNone)
        };
    }
    let signing = keys.signing();
    let alg = header
        .alg
        .parse::<Algorithm>()
        .map_err(|_| Refusal::WrongAlg)?;
    let confused = lapses.key_confusion && signing.is_asymmetric() && alg == Algorithm::HS256;
    if alg != signing.algorithm() && !confused {
        return Err(Refusal::WrongAlg);
    }
    let key = choose_key(keys, lapses, &header)?;
    if !lapses.skip_signature {
        check_signature(
            &key,
            signing,
            alg,
            confused,
            lapses,
            signing_input,
            signature,
        )?;
    }
    claims(&payload, lapses, issuer, audience)
}

fn b64(segment: &str) -> Result<Vec<u8>, Refusal> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| Refusal::Malformed)
}

fn choose_key(keys: &Keyring, lapses: Lapses, header: &RawHeader) -> Result<Chosen, Refusal> {
    if lapses.header_keys
        && let Some(jwk) = &header.jwk
    {
        let jwk: Jwk = serde_json::from_value(jwk.clone()).map_err(|_| Refusal::BadKey)?;
        return DecodingKey::from_jwk(&jwk)
            .map(Chosen::Embedded)
            .map_err(|_| Refusal::BadKey);
    }
    let Some(kid) = &header.kid else {
        return Ok(Chosen::Lab(keys.current()));
    };
    if let Some(key) = keys.find(kid) {
        return Ok(Chosen::Lab(key));
    }
    if lapses.header_keys {
        return key_file(keys.dir(), kid).map(Chosen::File);
    }
    Err(Refusal::UnknownKid)
}

/// header-keys-trusted: the `kid` as a path relative to the key dir, resolved lexically
/// (`..` and absolute kids included: that is the flaw). Only `/dev/null` and files under
/// the key dir are read, so the lab never reads the machine's other files.
fn key_file(dir: Option<&Path>, kid: &str) -> Result<Vec<u8>, Refusal> {
    if kid.is_empty() || kid.len() > MAX_KID_LEN || kid.contains('\0') {
        return Err(Refusal::UnknownKid);
    }
    let dir = dir.ok_or(Refusal::UnknownKid)?;
    let path = normalize(&dir.join(kid));
    if path == Path::new(DEV_NULL) {
        // What reading /dev/null gives, on every platform.
        return Ok(Vec::new());
    }
    if !path.starts_with(dir) || path == dir {
        return Err(Refusal::UnknownKid);
    }
    let meta = std::fs::symlink_metadata(&path).map_err(|_| Refusal::UnknownKid)?;
    if !meta.is_file() || meta.len() > MAX_KEY_FILE {
        return Err(Refusal::UnknownKid);
    }
    std::fs::read(&path).map_err(|_| Refusal::UnknownKid)
}

/// `a/b/../c` → `a/c` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn check_signature(
    key: &Chosen,
    signing: Signing,
    alg: Algorithm,
    confused: bool,
    lapses: Lapses,
    signing_input: &str,
    signature: &str,
) -> Result<(), Refusal> {
    let jws = |key: &DecodingKey| {
        jsonwebtoken::crypto::verify(signature, signing_input.as_bytes(), key, alg).unwrap_or(false)
    };
    let from_file;
    let decoding = match key {
        // key-confusion: the public key PEM (as served, or without its final newline) is
        // the HMAC secret.
        Chosen::Lab(key) if confused => {
            let pem = key.public.as_ref().ok_or(Refusal::BadKey)?.pem.as_str();
            let ok = [pem, pem.trim_end_matches('\n')]
                .iter()
                .any(|secret| jws(&DecodingKey::from_secret(secret.as_bytes())));
            return if ok { Ok(()) } else { Err(Refusal::Signature) };
        }
        Chosen::Lab(key) => &key.decoding,
        Chosen::Embedded(key) => key,
        Chosen::File(bytes) => {
            from_file = if alg == Algorithm::HS256 {
                // The HS256 lab, or key-confusion: the file's bytes are the secret.
                DecodingKey::from_secret(bytes)
            } else {
                match signing {
                    Signing::Hs256 => Ok(DecodingKey::from_secret(bytes)),
                    Signing::Rs256 => DecodingKey::from_rsa_pem(bytes),
                    Signing::Es256 => DecodingKey::from_ec_pem(bytes),
                    Signing::EdDsa => DecodingKey::from_ed_pem(bytes),
                }
                .map_err(|_| Refusal::BadKey)?
            };
            &from_file
        }
    };
    let ok = if alg == Algorithm::ES256 && lapses.psychic {
        // psychic-signature: the whole ES256 verification is the flawed one.
        let point = decoding.try_get_as_bytes().map_err(|_| Refusal::BadKey)?;
        let raw = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| Refusal::Signature)?;
        psychic::verify_es256_without_range_check(point, signing_input.as_bytes(), &raw)
    } else {
        jws(decoding)
    };
    if ok { Ok(()) } else { Err(Refusal::Signature) }
}

fn claims(
    payload: &[u8],
    lapses: Lapses,
    issuer: &str,
    audience: &str,
) -> Result<Verified, Refusal> {
    let claims: Verified = serde_json::from_slice(payload).map_err(|_| Refusal::Claims)?;
    if claims.iss != issuer {
        return Err(Refusal::Issuer);
    }
    if !lapses.skip_aud {
        let ok = match &claims.aud {
            Some(Value::String(aud)) => aud == audience,
            Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(audience)),
            _ => false,
        };
        if !ok {
            return Err(Refusal::Audience);
        }
    }
    let now = jsonwebtoken::get_current_timestamp();
    if !lapses.skip_exp && claims.exp < now {
        return Err(Refusal::Expired);
    }
    if claims.nbf > now {
        return Err(Refusal::NotYetValid);
    }
    Ok(claims)
}
