//! Building JWTs by hand, the way an attacker does: any header, any claims, any key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Map, Value, json};

use super::Lab;
use authlens_lab::Signing;

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn unb64(segment: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(segment).unwrap()
}

/// The three segments of a compact JWS.
pub fn segments(jwt: &str) -> (String, String, String) {
    let mut parts = jwt.split('.');
    let (h, p, s) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    assert!(parts.next().is_none());
    (h.into(), p.into(), s.into())
}

pub fn header_of(jwt: &str) -> Value {
    serde_json::from_slice(&unb64(&segments(jwt).0)).unwrap()
}

pub fn claims_of(jwt: &str) -> Value {
    serde_json::from_slice(&unb64(&segments(jwt).1)).unwrap()
}

/// `header.claims.` signed with `key` (or left unsigned).
pub fn token(header: &Value, claims: &Value, key: Option<(&EncodingKey, Algorithm)>) -> String {
    let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
    let signature = key
        .map(|(key, alg)| jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).unwrap())
        .unwrap_or_default();
    format!("{input}.{signature}")
}

/// A key pair of the attacker's own: the private half to sign with, the public JWK to embed.
pub struct AttackerKey {
    pub alg: Algorithm,
    pub encoding: EncodingKey,
    pub jwk: Map<String, Value>,
}

pub fn attacker_key(signing: Signing) -> AttackerKey {
    let mut jwk = Map::new();
    let encoding = match signing {
        Signing::Hs256 => {
            jwk.insert("kty".into(), "oct".into());
            jwk.insert("k".into(), b64("attacker-secret").into());
            EncodingKey::from_secret(b"attacker-secret")
        }
        Signing::Rs256 => {
            use rsa::pkcs1::EncodeRsaPrivateKey;
            use rsa::traits::PublicKeyParts;
            let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
            jwk.insert("kty".into(), "RSA".into());
            jwk.insert("n".into(), b64(key.n().to_bytes_be()).into());
            jwk.insert("e".into(), b64(key.e().to_bytes_be()).into());
            EncodingKey::from_rsa_der(key.to_pkcs1_der().unwrap().as_bytes())
        }
        Signing::Es256 => {
            let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
            let point = pair.public_key_raw();
            jwk.insert("kty".into(), "EC".into());
            jwk.insert("crv".into(), "P-256".into());
            jwk.insert("x".into(), b64(&point[1..33]).into());
            jwk.insert("y".into(), b64(&point[33..65]).into());
            EncodingKey::from_ec_der(pair.serialized_der())
        }
        Signing::EdDsa => {
            let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
            jwk.insert("kty".into(), "OKP".into());
            jwk.insert("crv".into(), "Ed25519".into());
            jwk.insert("x".into(), b64(pair.public_key_raw()).into());
            EncodingKey::from_ed_der(pair.serialized_der())
        }
    };
    AttackerKey {
        alg: alg_of(signing),
        encoding,
        jwk,
    }
}

fn alg_of(signing: Signing) -> Algorithm {
    signing.alg().parse().unwrap()
}

/// alice's access token from a jwt-mode lab.
pub async fn access_token(lab: &Lab) -> String {
    let login = super::jwt_login_on(lab, 1).await;
    login["access_token"].as_str().unwrap().to_owned()
}

/// Who `/api/me` says the token belongs to; `None` on 401 (anything else fails the test).
pub async fn me_as(lab: &Lab, n: usize, token: &str) -> Option<String> {
    let resp = lab
        .client
        .get(lab.url_on(n, "/api/me"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    match resp.status().as_u16() {
        200 => Some(super::json(resp).await["user"].as_str().unwrap().to_owned()),
        401 => None,
        other => panic!("/api/me answered {other}"),
    }
}

/// `claims` with `sub` switched to bob: what every forgery asks for.
pub fn as_bob(claims: &Value) -> Value {
    let mut claims = claims.clone();
    claims["sub"] = json!("user:bob");
    claims
}
