//! Verification keys from the sources a user configures: an HMAC secret, a PEM public key, a JWKS document
//! (file, URL or an OIDC issuer's `jwks_uri`). Never from the token itself: `jwk`, `jku`, `x5u` and `kid`
//! paths in a header name keys an attacker chooses.

use jsonwebtoken::AlgorithmFamily;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, crypto::verify as jws_verify};

use crate::model::KeySourceInfo;

/// At most this many keys are read from one JWKS: a hostile document cannot make verification quadratic.
pub const MAX_JWKS_KEYS: usize = 64;
/// A JWKS or PEM file larger than this is refused.
pub const MAX_KEY_DOCUMENT_BYTES: usize = 1024 * 1024;

/// One key a captured token may be verified with.
#[derive(Clone)]
pub struct VerifyKey {
    pub kid: Option<String>,
    /// The alg the key is restricted to (a JWK's `alg`), if any.
    pub alg: Option<Algorithm>,
    pub family: AlgorithmFamily,
    /// EC keys: the curve, which fixes ES256 or ES384.
    pub curve: Option<EllipticCurve>,
    pub decoding: DecodingKey,
    /// The source's label ("JWKS https://…").
    pub source: String,
    /// The public key as published: PEM text or the JWK (for the key-confusion attack).
    pub pem: Option<String>,
    pub jwk: Option<Jwk>,
}

impl std::fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key bytes: an HMAC secret is one.
        f.debug_struct("VerifyKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("family", &self.family)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl VerifyKey {
    /// "kid lab-rs256-2", or what the key is when it has no kid.
    pub fn name(&self) -> String {
        match &self.kid {
            Some(k) => format!("kid {k}"),
            None => format!("{} key without kid", family_name(self.family)),
        }
    }

    /// Whether this key can verify a token signed with `alg`.
    pub fn fits(&self, alg: Algorithm) -> bool {
        if alg.family() != self.family || self.alg.is_some_and(|a| a != alg) {
            return false;
        }
        match (&self.curve, alg) {
            (Some(EllipticCurve::P256), Algorithm::ES256)
            | (Some(EllipticCurve::P384), Algorithm::ES384) => true,
            (Some(_), _) => false,
            (None, _) => true,
        }
    }

    /// Whether `signature` (base64url) over `message` verifies with this key; Err for an undecodable signature
    /// or a key the alg cannot use.
    pub fn verifies(
        &self,
        signature: &str,
        message: &[u8],
        alg: Algorithm,
    ) -> Result<bool, String> {
        jws_verify(signature, message, &self.decoding, alg).map_err(|e| e.to_string())
    }
}

pub fn family_name(f: AlgorithmFamily) -> &'static str {
    match f {
        AlgorithmFamily::Hmac => "HMAC",
        AlgorithmFamily::Rsa => "RSA",
        AlgorithmFamily::Ec => "EC",
        AlgorithmFamily::Ed => "Ed25519",
    }
}

/// The keys of a run and what each source gave.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    pub keys: Vec<VerifyKey>,
    pub sources: Vec<KeySourceInfo>,
    /// The `iss` an OIDC discovery document declared.
    pub discovered_issuer: Option<String>,
}

impl KeyRing {
    pub fn add(&mut self, info: KeySourceInfo, keys: Vec<VerifyKey>) {
        self.keys.extend(keys);
        self.sources.push(info);
    }

    /// Whether any key has this kid.
    pub fn knows_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }
}

pub fn source_info(label: impl Into<String>, kind: &str) -> KeySourceInfo {
    KeySourceInfo {
        label: label.into(),
        kind: kind.into(),
        kids: Vec::new(),
        problems: Vec::new(),
        fetched_at: None,
        from_cache: false,
        rotation: None,
    }
}

/// An HMAC secret (from the environment or a prompt).
pub fn from_secret(secret: &[u8], label: &str) -> (KeySourceInfo, Vec<VerifyKey>) {
    let mut info = source_info(label, "secret");
    let key = VerifyKey {
        kid: None,
        alg: None,
        family: AlgorithmFamily::Hmac,
        curve: None,
        decoding: DecodingKey::from_secret(secret),
        source: label.to_string(),
        pem: None,
        jwk: None,
    };
    info.kids.push(key.name());
    if secret.is_empty() {
        info.problems.push("the secret is empty".into());
    }
    (info, vec![key])
}

/// A PEM public key: SPKI ("PUBLIC KEY") for RSA, EC or Ed25519, or PKCS#1 ("RSA PUBLIC KEY").
pub fn from_pem(text: &str, label: &str) -> (KeySourceInfo, Vec<VerifyKey>) {
    let mut info = source_info(label, "pem");
    if text.len() > MAX_KEY_DOCUMENT_BYTES {
        info.problems
            .push(format!("over {MAX_KEY_DOCUMENT_BYTES} bytes: not read"));
        return (info, Vec::new());
    }
    if text.contains("PRIVATE KEY") {
        info.problems.push(
            "this is a private key: give the public key (`openssl pkey -pubout`); Authlens only verifies".into(),
        );
        return (info, Vec::new());
    }
    let bytes = text.as_bytes();
    let found = [
        (AlgorithmFamily::Rsa, DecodingKey::from_rsa_pem(bytes)),
        (AlgorithmFamily::Ec, DecodingKey::from_ec_pem(bytes)),
        (AlgorithmFamily::Ed, DecodingKey::from_ed_pem(bytes)),
    ]
    .into_iter()
    .find_map(|(family, k)| k.ok().map(|k| (family, k)));
    let Some((family, decoding)) = found else {
        info.problems.push(
            "not a PEM public key jsonwebtoken can read (expected -----BEGIN PUBLIC KEY----- for RSA, P-256, P-384 \
             or Ed25519, or -----BEGIN RSA PUBLIC KEY-----)"
                .into(),
        );
        return (info, Vec::new());
    };
    let key = VerifyKey {
        kid: None,
        alg: None,
        family,
        curve: None,
        decoding,
        source: label.to_string(),
        pem: Some(text.to_string()),
        jwk: None,
    };
    info.kids.push(key.name());
    (info, vec![key])
}

/// A JWKS document (RFC 7517). Keys that cannot verify signatures (encryption keys, unknown kty or curves)
/// are skipped and said so; the document itself failing to parse is a problem, not an error.
pub fn from_jwks(text: &str, label: &str, kind: &str) -> (KeySourceInfo, Vec<VerifyKey>) {
    let mut info = source_info(label, kind);
    let mut keys = Vec::new();
    if text.len() > MAX_KEY_DOCUMENT_BYTES {
        info.problems
            .push(format!("over {MAX_KEY_DOCUMENT_BYTES} bytes: not read"));
        return (info, keys);
    }
    let doc: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            info.problems.push(format!("not JSON: {e}"));
            return (info, keys);
        }
    };
    let Some(entries) = doc.get("keys").and_then(|k| k.as_array()) else {
        info.problems
            .push("not a JWKS: no `keys` array at the top level".into());
        return (info, keys);
    };
    if entries.len() > MAX_JWKS_KEYS {
        info.problems.push(format!(
            "{} keys: only the first {MAX_JWKS_KEYS} are read",
            entries.len()
        ));
    }
    for (i, entry) in entries.iter().take(MAX_JWKS_KEYS).enumerate() {
        let kid = entry
            .get("kid")
            .and_then(|k| k.as_str())
            .map(str::to_string);
        let name = kid
            .as_ref()
            .map_or_else(|| format!("key #{}", i + 1), |k| format!("kid {k}"));
        if entry.get("use").and_then(|u| u.as_str()) == Some("enc") {
            info.problems
                .push(format!("{name}: an encryption key (use: enc), skipped"));
            continue;
        }
        let jwk: Jwk = match serde_json::from_value(entry.clone()) {
            Ok(j) => j,
            Err(e) => {
                info.problems.push(format!(
                    "{name}: not a key jsonwebtoken supports ({e}), skipped"
                ));
                continue;
            }
        };
        match key_from_jwk(&jwk, label) {
            Ok(k) => {
                info.kids.push(k.name());
                keys.push(k);
            }
            Err(e) => info.problems.push(format!("{name}: {e}, skipped")),
        }
    }
    if keys.is_empty() && info.problems.is_empty() {
        info.problems.push("the key set is empty".into());
    }
    (info, keys)
}

fn key_from_jwk(jwk: &Jwk, label: &str) -> Result<VerifyKey, String> {
    let (family, curve) = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => (AlgorithmFamily::Rsa, None),
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 | EllipticCurve::P384 => {
                (AlgorithmFamily::Ec, Some(p.curve.clone()))
            }
            _ => return Err("curve not supported (P-256 and P-384 are)".into()),
        },
        AlgorithmParameters::OctetKeyPair(p) => {
            if !matches!(p.curve, EllipticCurve::Ed25519) {
                return Err("OKP curve not supported (Ed25519 is)".into());
            }
            (AlgorithmFamily::Ed, None)
        }
        AlgorithmParameters::OctetKey(_) => (AlgorithmFamily::Hmac, None),
        _ => return Err("unknown key type".into()),
    };
    let alg = match jwk.common.key_algorithm {
        None => None,
        Some(a) => {
            Some(signing_alg(a).ok_or_else(|| format!("alg {a:?} is not a signing algorithm"))?)
        }
    };
    let decoding = DecodingKey::from_jwk(jwk).map_err(|e| format!("unreadable ({e})"))?;
    Ok(VerifyKey {
        kid: jwk.common.key_id.clone(),
        alg,
        family,
        curve,
        decoding,
        source: label.to_string(),
        pem: None,
        jwk: Some(jwk.clone()),
    })
}

fn signing_alg(a: KeyAlgorithm) -> Option<Algorithm> {
    Some(match a {
        KeyAlgorithm::HS256 => Algorithm::HS256,
        KeyAlgorithm::HS384 => Algorithm::HS384,
        KeyAlgorithm::HS512 => Algorithm::HS512,
        KeyAlgorithm::ES256 => Algorithm::ES256,
        KeyAlgorithm::ES384 => Algorithm::ES384,
        KeyAlgorithm::RS256 => Algorithm::RS256,
        KeyAlgorithm::RS384 => Algorithm::RS384,
        KeyAlgorithm::RS512 => Algorithm::RS512,
        KeyAlgorithm::PS256 => Algorithm::PS256,
        KeyAlgorithm::PS384 => Algorithm::PS384,
        KeyAlgorithm::PS512 => Algorithm::PS512,
        KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        _ => return None,
    })
}
