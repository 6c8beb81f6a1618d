//! The verifier's own rules, key by key. The flaw × forgery matrix runs over HTTP in
//! tests/jwt_attacks.rs.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Value, json};

use super::*;
use crate::config::Flaw;
use signing::Signing;

const ISSUER: &str = "https://127.0.0.1:1";

fn tokens(signing: Signing, flaws: &[Flaw]) -> AccessTokens {
    let flaws: BTreeSet<Flaw> = flaws.iter().copied().collect();
    let secret = flaws
        .contains(&Flaw::WeakSecret)
        .then(|| keys::WEAK_SECRET.to_owned());
    let with_dir = flaws.contains(&Flaw::HeaderKeysTrusted);
    let keys = Arc::new(Keyring::new(signing, secret, with_dir).unwrap());
    AccessTokens::new(keys, ISSUER, 60, Lapses::from_flaws(&flaws))
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Signed with the lab's current key, with these claims.
fn signed(tokens: &AccessTokens, claims: &Value) -> String {
    let key = tokens.keys.current();
    let mut header = Header::new(tokens.keys.signing().algorithm());
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
}

fn good_claims() -> Value {
    let now = jsonwebtoken::get_current_timestamp();
    json!({ "iss": ISSUER, "aud": AUDIENCE, "sub": "user:alice", "iat": now, "nbf": now, "exp": now + 60 })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().unwrap().remove(key);
    claims
}

#[test]
fn every_signing_mode_issues_tokens_its_jwks_verifies() {
    for signing in Signing::ALL {
        let tokens = tokens(signing, &[]);
        let jwt = tokens.issue("alice").unwrap();
        assert_eq!(tokens.verify(&jwt).as_deref(), Some("alice"), "{signing}");
        let header = jsonwebtoken::decode_header(&jwt).unwrap();
        assert_eq!(header.alg, signing.algorithm());
        assert_eq!(header.kid.as_deref(), Some(&*format!("lab-{signing}-1")));

        let set: JwkSet = serde_json::from_value(tokens.keys.jwks()).unwrap();
        if signing == Signing::Hs256 {
            assert!(set.keys.is_empty());
            continue;
        }
        let jwk = set.find(header.kid.as_deref().unwrap()).unwrap();
        let mut validation = Validation::new(signing.algorithm());
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        jsonwebtoken::decode::<Value>(&jwt, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .unwrap_or_else(|e| panic!("{signing}: {e}"));
        // And the PEM says the same.
        let pem = tokens.keys.current().public.as_ref().unwrap().pem.clone();
        let from_pem = match signing {
            Signing::Rs256 => DecodingKey::from_rsa_pem(pem.as_bytes()),
            Signing::Es256 => DecodingKey::from_ec_pem(pem.as_bytes()),
            _ => DecodingKey::from_ed_pem(pem.as_bytes()),
        }
        .unwrap();
        jsonwebtoken::decode::<Value>(&jwt, &from_pem, &validation).unwrap();
    }
}

#[test]
fn foreign_keys_and_claims_are_refused() {
    let tokens = tokens(Signing::Hs256, &[]);
    let other = self::tokens(Signing::Hs256, &[]);
    assert_eq!(tokens.verify(&other.issue("alice").unwrap()), None);

    let ok = |claims: Value| tokens.verify(&signed(&tokens, &claims));
    assert_eq!(ok(good_claims()).as_deref(), Some("alice"));
    assert_eq!(
        ok(with(good_claims(), "iss", "https://elsewhere".into())),
        None
    );
    assert_eq!(ok(with(good_claims(), "aud", "other".into())), None);
    assert_eq!(
        ok(with(good_claims(), "aud", json!(["other", AUDIENCE]))).as_deref(),
        Some("alice")
    );
    assert_eq!(ok(without(good_claims(), "aud")), None);
    let future = jsonwebtoken::get_current_timestamp() + 100;
    assert_eq!(ok(with(good_claims(), "nbf", future.into())), None);
    for claim in ["iss", "sub", "iat", "nbf", "exp"] {
        assert_eq!(ok(without(good_claims(), claim)), None, "without {claim}");
    }
    assert_eq!(ok(with(good_claims(), "exp", "soon".into())), None);
    assert_eq!(ok(with(good_claims(), "exp", json!(1e300))), None);
    assert_eq!(ok(with(good_claims(), "sub", "alice".into())), None);

    // A kid the lab never issued, and no kid at all (the current key then).
    let key = tokens.keys.current();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("lab-hs256-9".into());
    let unknown = jsonwebtoken::encode(&header, &good_claims(), &key.encoding).unwrap();
    assert_eq!(tokens.verify(&unknown), None);
    let kidless = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &good_claims(),
        &key.encoding,
    )
    .unwrap();
    assert_eq!(tokens.verify(&kidless).as_deref(), Some("alice"));
    // The right secret under another HMAC alg.
    let mut header = Header::new(Algorithm::HS512);
    header.kid = Some(key.kid.clone());
    let hs512 = jsonwebtoken::encode(&header, &good_claims(), &key.encoding).unwrap();
    assert_eq!(tokens.verify(&hs512), None);
}

#[test]
fn no_aud_check_skips_aud_only() {
    let lax = tokens(Signing::Es256, &[Flaw::NoAudCheck]);
    let ok = |claims: Value| lax.verify(&signed(&lax, &claims));
    assert_eq!(
        ok(with(good_claims(), "aud", "other".into())).as_deref(),
        Some("alice")
    );
    assert_eq!(ok(without(good_claims(), "aud")).as_deref(), Some("alice"));
    assert_eq!(
        ok(with(good_claims(), "iss", "https://elsewhere".into())),
        None
    );
    let past = jsonwebtoken::get_current_timestamp() - 10;
    assert_eq!(ok(with(good_claims(), "exp", past.into())), None);
}

#[test]
fn expiry_is_checked_unless_the_flaw_is_on() {
    let past = jsonwebtoken::get_current_timestamp() - 10;
    let expired = with(good_claims(), "exp", past.into());
    let strict = tokens(Signing::Hs256, &[]);
    assert_eq!(strict.verify(&signed(&strict, &expired)), None);
    let lax = tokens(Signing::Hs256, &[Flaw::NoExpiryCheck]);
    assert_eq!(
        lax.verify(&signed(&lax, &expired)).as_deref(),
        Some("alice")
    );
    // Still signature-checked.
    assert_eq!(lax.verify(&signed(&strict, &expired)), None);
}

#[test]
fn rotated_out_keys_stop_verifying() {
    let tokens = tokens(Signing::EdDsa, &[]);
    let first = tokens.issue("alice").unwrap();
    tokens.keys.rotate().unwrap();
    let second = tokens.issue("bob").unwrap();
    assert_eq!(
        jsonwebtoken::decode_header(&second).unwrap().kid.as_deref(),
        Some("lab-eddsa-2")
    );
    assert_eq!(tokens.verify(&first).as_deref(), Some("alice"));
    tokens.keys.rotate().unwrap();
    assert_eq!(tokens.verify(&first), None, "lab-eddsa-1 is gone");
    assert_eq!(tokens.verify(&second).as_deref(), Some("bob"));
}

#[test]
fn kid_files_stay_inside_the_key_dir() {
    let tokens = tokens(Signing::Hs256, &[Flaw::HeaderKeysTrusted]);
    let dir = tokens.keys.dir().unwrap().to_owned();
    std::fs::write(dir.join("extra.key"), "file-secret").unwrap();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "outside-secret").unwrap();
    let forged = |kid: &str, secret: &[u8]| {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, &good_claims(), &EncodingKey::from_secret(secret)).unwrap()
    };
    let accepted = |kid: &str, secret: &[u8]| tokens.verify(&forged(kid, secret)).is_some();
    assert!(accepted("../../../../../../../dev/null", b""));
    assert!(accepted("/dev/null", b""));
    assert!(accepted("extra.key", b"file-secret"));
    assert!(accepted("./sub/../extra.key", b"file-secret"));
    assert!(!accepted("extra.key", b"wrong"));
    let outside_path = outside.path().to_str().unwrap();
    assert!(!accepted(outside_path, b"outside-secret"));
    let relative = format!("../../../../../../..{outside_path}");
    assert!(!accepted(&relative, b"outside-secret"));
    assert!(!accepted("../../../../../../../etc/passwd", b""));
    assert!(!accepted("", b""));
    assert!(!accepted(".", b""));
    assert!(!accepted(&"a/".repeat(600), b""));
    assert!(!accepted("missing", b""));

    // Without the flaw the same kid is simply unknown.
    let safe = self::tokens(Signing::Hs256, &[]);
    assert_eq!(
        safe.verify(&forged("../../../../../../../dev/null", b"")),
        None
    );
}

/// Everything an attacker might send: refused by a safe lab; with every flaw on (where
/// some of these pass: their signatures are not even looked at) still never a panic.
#[test]
fn hostile_tokens_are_refused_without_panicking() {
    let all: Vec<Flaw> = Flaw::ALL.to_vec();
    let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64(good_claims().to_string().as_bytes());
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_obj = format!(r#"{{"alg":"HS256","x":{}}}"#, deep);
    let huge = "A".repeat(1 << 20);
    let hostile = [
        String::new(),
        ".".into(),
        "..".into(),
        "...".into(),
        "a.b".into(),
        "a.b.c.d".into(),
        format!("{header}.{payload}"),
        format!("{huge}.{payload}.sig"),
        format!("{header}.{huge}.sig"),
        format!("{header}.{payload}.{huge}"),
        format!("{header}.%%%not-base64%%%.sig"),
        format!("%%%.{payload}.sig"),
        format!("{header}=.{payload}.sig"),
        format!("{}.{payload}.", b64(deep.as_bytes())),
        format!("{}.{payload}.", b64(deep_obj.as_bytes())),
        format!("{header}.{}.", b64(deep.as_bytes())),
        format!("{}.{payload}.", b64(b"[1,2]")),
        format!("{}.{payload}.", b64(br#"{"alg":7}"#)),
        format!("{}.{payload}.", b64(br#"{"alg":"none","kid":[1]}"#)),
        format!("{}.{payload}.", b64(br#"{"alg":"HS256","jwk":"nope"}"#)),
        format!(
            "{}.{payload}.",
            b64(br#"{"alg":"RS256","jwk":{"kty":"RSA","n":"AA","e":"AQAB"}}"#)
        ),
        format!(
            "{}.{payload}.AAAA",
            b64(br#"{"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}"#)
        ),
        format!("{}.{payload}.", b64(b"\xff\xfe")),
        format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(b"\x00\x01")),
        format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(b"null")),
        format!(
            "{}.{payload}.",
            b64(format!(r#"{{"alg":"HS256","kid":"{}"}}"#, "x".repeat(5000)).as_bytes())
        ),
        "\u{202e}.\u{0}.é".into(),
    ];
    for signing in Signing::ALL {
        let safe = tokens(signing, &[]);
        let flawed = tokens(signing, &all);
        for token in &hostile {
            assert_eq!(safe.verify(token), None, "{signing}: {token:.80}");
            let _ = flawed.verify(token);
        }
    }
}
