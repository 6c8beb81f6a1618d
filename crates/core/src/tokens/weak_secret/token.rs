//! The token under audit: its HMAC algorithm, signing input and signature, read once.

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

use super::WeakSecretError;
use super::engine::{Mac, Sha256Family, Sha512Family};

/// Longer tokens are refused: every candidate hashes the whole signing input, and real JWTs are a few KiB.
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// Padding optional and trailing bits tolerated, as in [`crate::tokens::jwt`].
const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);

/// The token's MAC, ready to check candidate keys against.
pub(super) enum Target {
    Hs256 {
        mac: Mac<Sha256Family>,
        /// Several candidates at a time with SHA-NI, when the CPU has it.
        #[cfg(target_arch = "x86_64")]
        lanes: Option<super::lanes::Sha256Lanes>,
    },
    Hs384(Mac<Sha512Family>),
    Hs512(Mac<Sha512Family>),
}

impl Target {
    /// "HS256", "HS384" or "HS512".
    pub(super) fn alg(&self) -> &'static str {
        match self {
            Target::Hs256 { .. } => "HS256",
            Target::Hs384(_) => "HS384",
            Target::Hs512(_) => "HS512",
        }
    }

    /// Whether `key` is the secret (one candidate; the batch loop in `search` avoids this dispatch).
    pub(super) fn matches(&self, key: &[u8]) -> bool {
        match self {
            Target::Hs256 { mac, .. } => mac.matches(key),
            Target::Hs384(m) | Target::Hs512(m) => m.matches(key),
        }
    }
}

/// Read a compact JWS (surrounding whitespace and a `Bearer ` prefix tolerated).
pub(super) fn parse(token: &str) -> Result<Target, WeakSecretError> {
    let token = token.trim();
    let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
    let bad = |why: String| Err(WeakSecretError::NotAJwt(why));
    if token.len() > MAX_TOKEN_LEN {
        return bad(format!(
            "the token is {} bytes, over the {} KiB this audit accepts",
            token.len(),
            MAX_TOKEN_LEN / 1024
        ));
    }
    let segments: Vec<&str> = token.split('.').collect();
    match segments.len() {
        3 => {}
        5 => {
            return bad(
                "an encrypted token (JWE, 5 segments) has no HMAC signature to audit".to_string(),
            );
        }
        n => {
            return bad(format!("a JWT has 3 dot-separated segments, this has {n}"));
        }
    }
    let header = decode(segments[0]).ok_or(WeakSecretError::NotAJwt(
        "segment 1 (the header) is not valid base64url".to_string(),
    ))?;
    let header: serde_json::Value = serde_json::from_slice(&header)
        .map_err(|_| WeakSecretError::NotAJwt("the header is not a JSON object".to_string()))?;
    let alg = match header.get("alg") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => return bad("the header's alg is not a string".to_string()),
        None if header.is_object() => return bad("the header has no alg".to_string()),
        None => return bad("the header is not a JSON object".to_string()),
    };
    let upper = alg.to_ascii_uppercase();
    let expected = match upper.as_str() {
        "HS256" => 32,
        "HS384" => 48,
        "HS512" => 64,
        _ => return Err(WeakSecretError::NotHmac { alg: shorten(&alg) }),
    };
    let signature = decode(segments[2]).ok_or(WeakSecretError::NotAJwt(
        "segment 3 (the signature) is not valid base64url".to_string(),
    ))?;
    // The signing input is the first two segments exactly as sent (RFC 7515 §5.2).
    let signing_input = &token.as_bytes()[..segments[0].len() + 1 + segments[1].len()];
    let target = match expected {
        32 => Mac::sha256(signing_input, &signature).map(|mac| Target::Hs256 {
            // Unoptimised (debug) builds keep to sha2's compress, built at opt-level 3 even there: the
            // lanes' intrinsics at opt-level 0 are slower than it. Their tests call them directly.
            #[cfg(target_arch = "x86_64")]
            lanes: mac.lanes().filter(|_| !cfg!(debug_assertions)),
            mac,
        }),
        48 => Mac::sha384(signing_input, &signature).map(Target::Hs384),
        _ => Mac::sha512(signing_input, &signature).map(Target::Hs512),
    };
    target.ok_or(WeakSecretError::SignatureLength {
        alg: upper,
        got: signature.len(),
        expected,
    })
}

fn decode(segment: &str) -> Option<Vec<u8>> {
    URL_SAFE
        .decode(segment)
        .or_else(|_| STANDARD.decode(segment))
        .ok()
}

/// The alg named in an error: it comes from the token, so bounded and escaped.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(32).flat_map(char::escape_debug).collect();
    if s.chars().nth(32).is_some() {
        out.push('…');
    }
    if out.is_empty() {
        out.push_str("(empty)");
    }
    out
}
