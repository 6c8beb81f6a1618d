//! The lab's signing keys: generated at start, shared by every replica, rotated on demand
//! or on a timer. Rotation makes a new current key (it signs from then on) and keeps the
//! previous one, which still verifies and stays in the JWKS, so tokens issued just before
//! a rotation keep working until they expire.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{DecodingKey, EncodingKey};
use rcgen::PublicKeyData;
use serde_json::{Value, json};

use super::signing::Signing;
use crate::error::LabError;
use crate::secrets;

/// The HS256 secret of the weak-secret flaw: jwt.io's example secret, first in every
/// wordlist.
pub(crate) const WEAK_SECRET: &str = "your-256-bit-secret";
/// Current and previous.
const KEPT: usize = 2;
const RSA_BITS: usize = 2048;

/// One key of the ring. Its private half never leaves the lab (HS256: the secret is
/// handed to the instructor through [`crate::LabHandle::jwt_secret`]).
pub(crate) struct LabKey {
    /// `lab-<signing>-<n>`, n counting from 1 per lab.
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// HS256 only.
    pub secret: Option<String>,
    /// Public-key algorithms only.
    pub public: Option<PublicKey>,
}

pub(crate) struct PublicKey {
    /// SubjectPublicKeyInfo, PEM with LF line endings and a final newline.
    pub pem: String,
    /// The JWK members that describe the key (kty, crv, n/e or x/y): no kid, alg or use.
    pub jwk: serde_json::Map<String, Value>,
}

/// Every key the lab holds, newest first.
pub(crate) struct Keyring {
    signing: Signing,
    /// A secret fixed by the configuration (or weak-secret): HS256 rotation then only
    /// changes the kid.
    fixed_secret: Option<String>,
    ring: RwLock<Ring>,
    /// One rotation at a time, so serials and files stay in step.
    rotating: Mutex<()>,
    /// header-keys-trusted: where a `kid` is looked up as a file. Holds `<kid>.pem` for each
    /// public key (never a secret). Removed with the keyring.
    dir: Option<tempfile::TempDir>,
}

struct Ring {
    serial: u32,
    keys: Vec<Arc<LabKey>>,
}

impl Keyring {
    /// Blocking (RSA key generation takes a while): run it on a blocking thread.
    pub(crate) fn new(
        signing: Signing,
        fixed_secret: Option<String>,
        with_dir: bool,
    ) -> Result<Self, LabError> {
        let dir = if with_dir {
            Some(
                tempfile::Builder::new()
                    .prefix("authlens-lab-keys-")
                    .tempdir()
                    .map_err(LabError::KeyDir)?,
            )
        } else {
            None
        };
        let first = Arc::new(generate(signing, 1, fixed_secret.as_deref())?);
        let ring = Self {
            signing,
            fixed_secret,
            ring: RwLock::new(Ring {
                serial: 1,
                keys: vec![first.clone()],
            }),
            rotating: Mutex::new(()),
            dir,
        };
        ring.write_file(&first)?;
        Ok(ring)
    }

    pub(crate) fn signing(&self) -> Signing {
        self.signing
    }

    /// The key that signs new tokens.
    pub(crate) fn current(&self) -> Arc<LabKey> {
        let ring = self.ring.read().unwrap_or_else(PoisonError::into_inner);
        // The ring is never empty: it starts with one key and rotation only adds first.
        ring.keys[0].clone()
    }

    /// A key the lab holds (current or previous).
    pub(crate) fn find(&self, kid: &str) -> Option<Arc<LabKey>> {
        let ring = self.ring.read().unwrap_or_else(PoisonError::into_inner);
        ring.keys.iter().find(|k| k.kid == kid).cloned()
    }

    /// Newest first.
    pub(crate) fn all(&self) -> Vec<Arc<LabKey>> {
        let ring = self.ring.read().unwrap_or_else(PoisonError::into_inner);
        ring.keys.clone()
    }

    /// header-keys-trusted's file lookups stay under this directory.
    pub(crate) fn dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(tempfile::TempDir::path)
    }

    /// Blocking. A new current key; the old current becomes the previous one, and the one
    /// before it is dropped (from the JWKS too). Returns the new kid.
    pub(crate) fn rotate(&self) -> Result<String, LabError> {
        let _one_at_a_time = self.rotating.lock().unwrap_or_else(PoisonError::into_inner);
        let serial = {
            let ring = self.ring.read().unwrap_or_else(PoisonError::into_inner);
            ring.serial.saturating_add(1)
        };
        // Generate outside the ring lock: verification goes on meanwhile.
        let key = Arc::new(generate(
            self.signing,
            serial,
            self.fixed_secret.as_deref(),
        )?);
        self.write_file(&key)?;
        let dropped = {
            let mut ring = self.ring.write().unwrap_or_else(PoisonError::into_inner);
            ring.serial = serial;
            ring.keys.insert(0, key.clone());
            let kept = KEPT.min(ring.keys.len());
            ring.keys.split_off(kept)
        };
        for old in dropped {
            self.remove_file(&old);
        }
        tracing::info!(kid = %key.kid, signing = %self.signing, "lab signing key rotated");
        Ok(key.kid.clone())
    }

    /// `{"keys": [...]}`: every public key with kid, alg and use; empty for HS256 (a
    /// shared secret is never published).
    pub(crate) fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .all()
            .iter()
            .filter_map(|key| {
                let public = key.public.as_ref()?;
                let mut jwk = public.jwk.clone();
                jwk.insert("kid".into(), key.kid.clone().into());
                jwk.insert("alg".into(), self.signing.alg().into());
                jwk.insert("use".into(), "sig".into());
                Some(Value::Object(jwk))
            })
            .collect();
        json!({ "keys": keys })
    }

    fn file_of(&self, key: &LabKey) -> Option<PathBuf> {
        // Kids are ours (`lab-rs256-2`): safe as file names.
        Some(self.dir()?.join(format!("{}.pem", key.kid)))
    }

    fn write_file(&self, key: &LabKey) -> Result<(), LabError> {
        if let (Some(path), Some(public)) = (self.file_of(key), &key.public) {
            std::fs::write(path, &public.pem).map_err(LabError::KeyDir)?;
        }
        Ok(())
    }

    fn remove_file(&self, key: &LabKey) {
        if let Some(path) = self.file_of(key)
            && let Err(error) = std::fs::remove_file(&path)
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(%error, path = %path.display(), "cannot remove a rotated-out lab key file");
        }
    }
}

/// Blocking for RSA.
fn generate(signing: Signing, serial: u32, fixed_secret: Option<&str>) -> Result<LabKey, LabError> {
    let kid = format!("lab-{}-{serial}", signing.as_str());
    let failed = |detail: String| LabError::KeyGen { signing, detail };
    Ok(match signing {
        Signing::Hs256 => {
            // 32 random bytes as 43 base64url characters: the secret is a string the
            // instructor can paste into jwt.io or a cracking tool.
            let secret = fixed_secret.map_or_else(secrets::random_token, str::to_owned);
            LabKey {
                kid,
                encoding: EncodingKey::from_secret(secret.as_bytes()),
                decoding: DecodingKey::from_secret(secret.as_bytes()),
                secret: Some(secret),
                public: None,
            }
        }
        Signing::Rs256 => {
            use rsa::pkcs1::EncodeRsaPrivateKey;
            use rsa::pkcs8::EncodePublicKey;
            use rsa::traits::PublicKeyParts;

            let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, RSA_BITS)
                .map_err(|e| failed(e.to_string()))?;
            let pkcs1 = private.to_pkcs1_der().map_err(|e| failed(e.to_string()))?;
            let public = private.to_public_key();
            let spki = public
                .to_public_key_der()
                .map_err(|e| failed(e.to_string()))?;
            let (n, e) = (public.n().to_bytes_be(), public.e().to_bytes_be());
            let mut jwk = serde_json::Map::new();
            jwk.insert("kty".into(), "RSA".into());
            jwk.insert("n".into(), URL_SAFE_NO_PAD.encode(&n).into());
            jwk.insert("e".into(), URL_SAFE_NO_PAD.encode(&e).into());
            LabKey {
                kid,
                encoding: EncodingKey::from_rsa_der(pkcs1.as_bytes()),
                decoding: DecodingKey::from_rsa_raw_components(&n, &e),
                secret: None,
                public: Some(PublicKey {
                    pem: spki_pem(spki.as_bytes()),
                    jwk,
                }),
            }
        }
        Signing::Es256 => {
            let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
                .map_err(|e| failed(e.to_string()))?;
            // 0x04 || x || y.
            let point = pair.public_key_raw().to_vec();
            let (Some(x), Some(y)) = (point.get(1..33), point.get(33..65)) else {
                return Err(failed("unexpected P-256 public key encoding".into()));
            };
            let mut jwk = serde_json::Map::new();
            jwk.insert("kty".into(), "EC".into());
            jwk.insert("crv".into(), "P-256".into());
            jwk.insert("x".into(), URL_SAFE_NO_PAD.encode(x).into());
            jwk.insert("y".into(), URL_SAFE_NO_PAD.encode(y).into());
            LabKey {
                kid,
                encoding: EncodingKey::from_ec_der(pair.serialized_der()),
                decoding: DecodingKey::from_ec_der(&point),
                secret: None,
                public: Some(PublicKey {
                    pem: spki_pem(&pair.subject_public_key_info()),
                    jwk,
                }),
            }
        }
        Signing::EdDsa => {
            let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)
                .map_err(|e| failed(e.to_string()))?;
            let raw = pair.public_key_raw();
            let mut jwk = serde_json::Map::new();
            jwk.insert("kty".into(), "OKP".into());
            jwk.insert("crv".into(), "Ed25519".into());
            jwk.insert("x".into(), URL_SAFE_NO_PAD.encode(raw).into());
            LabKey {
                kid,
                encoding: EncodingKey::from_ed_der(pair.serialized_der()),
                decoding: DecodingKey::from_ed_der(raw),
                secret: None,
                public: Some(PublicKey {
                    pem: spki_pem(&pair.subject_public_key_info()),
                    jwk,
                }),
            }
        }
    })
}

/// The `-----BEGIN PUBLIC KEY-----` form OpenSSL writes: 64-character lines, LF, final newline.
fn spki_pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_two_and_their_files() {
        let ring = Keyring::new(Signing::Es256, None, true).unwrap();
        let dir = ring.dir().unwrap().to_owned();
        assert_eq!(ring.current().kid, "lab-es256-1");
        assert!(dir.join("lab-es256-1.pem").is_file());
        assert_eq!(ring.rotate().unwrap(), "lab-es256-2");
        assert_eq!(ring.rotate().unwrap(), "lab-es256-3");
        let kids: Vec<String> = ring.all().iter().map(|k| k.kid.clone()).collect();
        assert_eq!(kids, ["lab-es256-3", "lab-es256-2"]);
        assert!(ring.find("lab-es256-1").is_none());
        assert!(!dir.join("lab-es256-1.pem").exists());
        assert!(dir.join("lab-es256-3.pem").is_file());
        let jwks = ring.jwks();
        assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
        assert_eq!(jwks["keys"][0]["kid"], "lab-es256-3");
        assert_eq!(jwks["keys"][0]["alg"], "ES256");
        assert_eq!(jwks["keys"][0]["use"], "sig");
        assert_eq!(jwks["keys"][0]["crv"], "P-256");
        drop(ring);
        assert!(!dir.exists(), "the key dir goes with the keyring");
    }

    #[test]
    fn hs256_secrets_are_random_unless_fixed_and_never_published() {
        let ring = Keyring::new(Signing::Hs256, None, false).unwrap();
        let first = ring.current().secret.clone().unwrap();
        assert_eq!(first.len(), 43);
        ring.rotate().unwrap();
        assert_ne!(ring.current().secret.as_deref(), Some(first.as_str()));
        assert_eq!(ring.jwks(), json!({ "keys": [] }));
        assert!(ring.dir().is_none());

        let fixed = Keyring::new(Signing::Hs256, Some("s3cret".into()), false).unwrap();
        fixed.rotate().unwrap();
        assert_eq!(fixed.current().kid, "lab-hs256-2");
        assert_eq!(fixed.current().secret.as_deref(), Some("s3cret"));
    }

    #[test]
    fn pem_is_openssl_shaped() {
        let ring = Keyring::new(Signing::EdDsa, None, false).unwrap();
        let pem = ring.current().public.as_ref().unwrap().pem.clone();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
        assert!(pem.ends_with("\n-----END PUBLIC KEY-----\n"));
        DecodingKey::from_ed_pem(pem.as_bytes()).unwrap();
    }
}
