//! A captured JWT checked against the configured keys: which key (by kid) verifies the signature, and whether
//! exp, nbf, aud, iss and typ hold at the time the token was captured.
//!
//! The token is split by our own decoder ([`super::jwt::decode`]) and the signature checked with
//! `jsonwebtoken::crypto::verify`, so an `alg` jsonwebtoken rejects (none, ES512, a typo) is reported as such
//! rather than failing the whole token.

use std::str::FromStr;

use jsonwebtoken::Algorithm;
use serde_json::Value;

use super::jwt::shorten;
use super::keys::{KeyRing, family_name};
use crate::model::{ClaimCheck, DecodedJwt, JwtVerification, SignatureVerdict, Status};

/// What the claims must say (the profile's `[jwt]` table, the OIDC issuer).
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    pub audience: Option<String>,
    pub issuer: Option<String>,
    pub typ: Option<String>,
    pub leeway_secs: u64,
}

/// Header parameters that name a key the verifier would fetch or trust: never used here.
pub const HEADER_KEY_PARAMS: &[&str] = &["jwk", "jku", "x5u", "x5c"];

pub fn verify(
    token: &str,
    decoded: &DecodedJwt,
    ring: &KeyRing,
    expect: &Expectations,
    at_secs: i64,
) -> JwtVerification {
    let (signature, key, key_source, detail) = signature(token, decoded, ring);
    JwtVerification {
        signature,
        alg: decoded.alg.clone(),
        key,
        key_source,
        detail,
        claims: claims(decoded, expect, at_secs),
    }
}

type SigOutcome = (SignatureVerdict, Option<String>, Option<String>, String);

fn signature(token: &str, decoded: &DecodedJwt, ring: &KeyRing) -> SigOutcome {
    let malformed = |why: String| (SignatureVerdict::Malformed, None, None, why);
    let token = token.trim();
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() == 5 {
        return malformed("an encrypted token (JWE): there is no signature to verify".into());
    }
    if parts.len() != 3 {
        return malformed(format!("{} segments: a signed JWT has 3", parts.len()));
    }
    let Some(alg_text) = decoded.alg.as_deref() else {
        return malformed("the header has no alg".into());
    };
    if alg_text.eq_ignore_ascii_case("none") {
        return (
            SignatureVerdict::Unsigned,
            None,
            None,
            format!("alg `{alg_text}`: the token is unsigned, anyone can mint it"),
        );
    }
    let Ok(alg) = Algorithm::from_str(alg_text) else {
        return (
            SignatureVerdict::UnsupportedAlg,
            None,
            None,
            format!(
                "alg `{}` is not one Authlens verifies (HS256/384/512, RS256/384/512, PS256/384/512, ES256/384, \
                 EdDSA)",
                shorten(alg_text, 60)
            ),
        );
    };
    if parts[2].is_empty() {
        return (
            SignatureVerdict::Invalid,
            None,
            None,
            format!("alg {alg_text} but the signature is empty"),
        );
    }
    let fitting: Vec<_> = ring.keys.iter().filter(|k| k.fits(alg)).collect();
    // A kid selects among keys that have kids; keys without one (a secret, a PEM) may still be tried.
    let candidates: Vec<_> = match decoded.kid.as_deref() {
        Some(kid) if fitting.iter().any(|k| k.kid.as_deref() == Some(kid)) => fitting
            .iter()
            .copied()
            .filter(|k| k.kid.as_deref() == Some(kid))
            .collect(),
        _ => fitting
            .iter()
            .copied()
            .filter(|k| k.kid.is_none())
            .collect(),
    };
    if candidates.is_empty() {
        let family = family_name(alg.family());
        let detail = match (decoded.kid.as_deref(), fitting.is_empty()) {
            (Some(kid), false) => format!(
                "kid `{}` is not among the configured {family} keys ({})",
                shorten(kid, 60),
                fitting
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ if ring.keys.is_empty() => {
                "no key is configured (see [jwt] in the profile)".to_string()
            }
            _ => format!("no configured key is a {family} key for {alg_text}"),
        };
        return (SignatureVerdict::NoKey, None, None, detail);
    }
    let message = format!("{}.{}", parts[0], parts[1]);
    let mut last_error = None;
    for k in &candidates {
        match k.verifies(parts[2], message.as_bytes(), alg) {
            Ok(true) => {
                return (
                    SignatureVerdict::Verified,
                    Some(k.name()),
                    Some(k.source.clone()),
                    format!(
                        "{alg_text} signature verified with {} ({})",
                        k.name(),
                        k.source
                    ),
                );
            }
            Ok(false) => {}
            Err(e) => last_error = Some(e),
        }
    }
    let tried: Vec<String> = candidates.iter().map(|k| k.name()).collect();
    let detail = match last_error {
        Some(e) if candidates.len() == 1 => format!(
            "the {alg_text} signature could not be checked with {}: {e}",
            tried[0]
        ),
        _ => format!(
            "the {alg_text} signature does not verify with {}",
            tried.join(", ")
        ),
    };
    (
        SignatureVerdict::Invalid,
        candidates.first().map(|k| k.name()),
        candidates.first().map(|k| k.source.clone()),
        detail,
    )
}

fn claims(decoded: &DecodedJwt, expect: &Expectations, at: i64) -> Vec<ClaimCheck> {
    let mut out = Vec::new();
    let check = |claim: &str, status: Status, detail: String| ClaimCheck {
        claim: claim.into(),
        status,
        detail,
    };
    let Some(claims) = decoded.claims.as_ref() else {
        return out;
    };
    let leeway = i64::try_from(expect.leeway_secs).unwrap_or(0);
    out.push(match decoded.exp {
        Some(exp) if at > exp.saturating_add(leeway) => check(
            "exp",
            Status::Fail,
            format!("expired {} s before it was captured", at - exp),
        ),
        Some(exp) => check(
            "exp",
            Status::Pass,
            format!("valid for {} s after capture", exp.saturating_sub(at)),
        ),
        None => check(
            "exp",
            Status::Warn,
            "no exp: the token never expires".into(),
        ),
    });
    if let Some(nbf) = decoded.nbf {
        out.push(if nbf > at.saturating_add(leeway) {
            check(
                "nbf",
                Status::Fail,
                format!("not valid until {} s after it was captured", nbf - at),
            )
        } else {
            check("nbf", Status::Pass, "already valid when captured".into())
        });
    }
    let auds: Vec<String> = match claims.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let shown = |v: &[String]| {
        v.iter()
            .map(|s| format!("`{}`", shorten(s, 60)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.push(match (&expect.audience, auds.is_empty()) {
        (Some(want), true) => check(
            "aud",
            Status::Fail,
            format!("no aud; expected `{}`", shorten(want, 60)),
        ),
        (Some(want), false) if auds.iter().any(|a| a == want) => check(
            "aud",
            Status::Pass,
            format!(
                "aud {} includes the expected `{}`",
                shown(&auds),
                shorten(want, 60)
            ),
        ),
        (Some(want), false) => check(
            "aud",
            Status::Fail,
            format!(
                "aud {} does not include the expected `{}`",
                shown(&auds),
                shorten(want, 60)
            ),
        ),
        (None, true) => check(
            "aud",
            Status::Warn,
            "no aud: any service that trusts this issuer would accept the token".into(),
        ),
        (None, false) => check(
            "aud",
            Status::Info,
            format!("aud {} (no audience configured to compare)", shown(&auds)),
        ),
    });
    let iss = claims.get("iss").and_then(|v| v.as_str());
    out.push(match (&expect.issuer, iss) {
        (Some(want), Some(got)) if want.trim_end_matches('/') == got.trim_end_matches('/') => {
            check(
                "iss",
                Status::Pass,
                format!("iss `{}` as expected", shorten(got, 60)),
            )
        }
        (Some(want), Some(got)) => check(
            "iss",
            Status::Fail,
            format!(
                "iss `{}`, expected `{}`",
                shorten(got, 60),
                shorten(want, 60)
            ),
        ),
        (Some(want), None) => check(
            "iss",
            Status::Fail,
            format!("no iss; expected `{}`", shorten(want, 60)),
        ),
        (None, Some(got)) => check(
            "iss",
            Status::Info,
            format!(
                "iss `{}` (no issuer configured to compare)",
                shorten(got, 60)
            ),
        ),
        (None, None) => check(
            "iss",
            Status::Warn,
            "no iss: the token does not say who issued it".into(),
        ),
    });
    // RFC 7515 4.1.9: a typ may drop the "application/" prefix; compare case-insensitively.
    let norm = |t: &str| {
        let t = t.trim().to_ascii_lowercase();
        t.strip_prefix("application/")
            .map(str::to_string)
            .unwrap_or(t)
    };
    out.push(match (&expect.typ, decoded.typ.as_deref()) {
        (Some(want), Some(got)) if norm(want) == norm(got) => check("typ", Status::Pass, format!("typ `{}` as expected", shorten(got, 60))),
        (Some(want), got) => check(
            "typ",
            Status::Fail,
            format!(
                "typ {}, expected `{}`",
                got.map_or_else(|| "absent".to_string(), |g| format!("`{}`", shorten(g, 60))),
                shorten(want, 60)
            ),
        ),
        (None, Some(got)) => check("typ", Status::Pass, format!("typ `{}`", shorten(got, 60))),
        (None, None) => check(
            "typ",
            Status::Info,
            "no typ: explicit typing (RFC 8725 3.11) keeps one kind of JWT from passing for another".into(),
        ),
    });
    out
}

/// Header parameters that name their own key (`jwk`, `jku`, `x5u`, `x5c`) and a `kid` that looks like a path
/// or URL: each is a way for an attacker to choose the verification key if the server follows it.
pub fn header_key_hints(decoded: &DecodedJwt) -> Vec<String> {
    let mut out = Vec::new();
    let Some(header) = decoded.header.as_ref().and_then(|h| h.as_object()) else {
        return out;
    };
    for p in HEADER_KEY_PARAMS {
        if header.contains_key(*p) {
            out.push(format!("header carries `{p}`"));
        }
    }
    if let Some(kid) = decoded.kid.as_deref()
        && (kid.contains('/')
            || kid.contains('\\')
            || kid.contains("..")
            || kid.contains("://")
            || kid.contains('\''))
    {
        out.push(format!(
            "kid `{}` looks like a path, URL or query",
            shorten(kid, 60)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;
    use crate::tokens::jwt::{b64url, decode};
    use crate::tokens::keys::{from_jwks, from_pem, from_secret};

    const NOW: i64 = 1_795_329_000;

    fn claims() -> Value {
        json!({"sub": "alice", "aud": "api", "iss": "https://issuer.test", "iat": NOW, "nbf": NOW, "exp": NOW + 300})
    }

    fn sign(alg: Algorithm, key: &EncodingKey, kid: Option<&str>) -> String {
        let mut h = Header::new(alg);
        h.kid = kid.map(str::to_string);
        jsonwebtoken::encode(&h, &claims(), key).unwrap()
    }

    fn pair(name: &str) -> (String, String) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/tokens/testdata/");
        (
            std::fs::read_to_string(format!("{dir}{name}.key")).unwrap(),
            std::fs::read_to_string(format!("{dir}{name}.pub")).unwrap(),
        )
    }

    fn ring(
        parts: Vec<(
            crate::model::KeySourceInfo,
            Vec<super::super::keys::VerifyKey>,
        )>,
    ) -> KeyRing {
        let mut r = KeyRing::default();
        for (i, k) in parts {
            r.add(i, k);
        }
        r
    }

    fn check(token: &str, ring: &KeyRing, expect: &Expectations) -> JwtVerification {
        verify(token, &decode(token).unwrap(), ring, expect, NOW)
    }

    #[test]
    fn every_algorithm_verifies_with_its_key_and_not_with_another() {
        let rsa = pair("rsa");
        let p256 = pair("p256");
        let p384 = pair("p384");
        let ed = pair("ed25519");
        let cases = [
            (
                Algorithm::RS256,
                EncodingKey::from_rsa_pem(rsa.0.as_bytes()).unwrap(),
                &rsa.1,
            ),
            (
                Algorithm::RS384,
                EncodingKey::from_rsa_pem(rsa.0.as_bytes()).unwrap(),
                &rsa.1,
            ),
            (
                Algorithm::RS512,
                EncodingKey::from_rsa_pem(rsa.0.as_bytes()).unwrap(),
                &rsa.1,
            ),
            (
                Algorithm::PS256,
                EncodingKey::from_rsa_pem(rsa.0.as_bytes()).unwrap(),
                &rsa.1,
            ),
            (
                Algorithm::PS384,
                EncodingKey::from_rsa_pem(rsa.0.as_bytes()).unwrap(),
                &rsa.1,
            ),
            (
                Algorithm::PS512,
                EncodingKey::from_rsa_pem(rsa.0.as_bytes()).unwrap(),
                &rsa.1,
            ),
            (
                Algorithm::ES256,
                EncodingKey::from_ec_pem(p256.0.as_bytes()).unwrap(),
                &p256.1,
            ),
            (
                Algorithm::ES384,
                EncodingKey::from_ec_pem(p384.0.as_bytes()).unwrap(),
                &p384.1,
            ),
            (
                Algorithm::EdDSA,
                EncodingKey::from_ed_pem(ed.0.as_bytes()).unwrap(),
                &ed.1,
            ),
        ];
        let expect = Expectations::default();
        for (alg, enc, public) in &cases {
            let token = sign(*alg, enc, None);
            let good = ring(vec![from_pem(public, "PEM test")]);
            let v = check(&token, &good, &expect);
            assert_eq!(
                v.signature,
                SignatureVerdict::Verified,
                "{alg:?}: {}",
                v.detail
            );
            assert_eq!(v.key_source.as_deref(), Some("PEM test"));
            // A different key of the same family does not verify.
            let other = if **public == rsa.1 { &p256.1 } else { &rsa.1 };
            let v = check(&token, &ring(vec![from_pem(other, "other")]), &expect);
            assert_eq!(
                v.signature,
                SignatureVerdict::NoKey,
                "{alg:?}: {}",
                v.detail
            );
        }
        // HMAC, all three sizes.
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let token = sign(alg, &EncodingKey::from_secret(b"s3cret!"), None);
            let v = check(
                &token,
                &ring(vec![from_secret(b"s3cret!", "secret")]),
                &expect,
            );
            assert_eq!(v.signature, SignatureVerdict::Verified, "{}", v.detail);
            let v = check(
                &token,
                &ring(vec![from_secret(b"wrong", "secret")]),
                &expect,
            );
            assert_eq!(v.signature, SignatureVerdict::Invalid, "{}", v.detail);
        }
        // P-256 key against an ES384 token: the curve decides.
        let es384 = sign(
            Algorithm::ES384,
            &EncodingKey::from_ec_pem(p384.0.as_bytes()).unwrap(),
            None,
        );
        let v = check(&es384, &ring(vec![from_pem(&p256.1, "p256")]), &expect);
        assert_eq!(v.signature, SignatureVerdict::Invalid, "{}", v.detail);
    }

    #[test]
    fn jwks_keys_are_picked_by_kid() {
        let rsa = pair("rsa");
        let p256 = pair("p256");
        let rsa_enc = EncodingKey::from_rsa_pem(rsa.0.as_bytes()).unwrap();
        let ec_enc = EncodingKey::from_ec_pem(p256.0.as_bytes()).unwrap();
        let mut j1 = Jwk::from_encoding_key(&rsa_enc, Algorithm::RS256).unwrap();
        j1.common.key_id = Some("k1".into());
        let mut j2 = Jwk::from_encoding_key(&ec_enc, Algorithm::ES256).unwrap();
        j2.common.key_id = Some("k2".into());
        let doc = json!({"keys": [j1, j2, {"kty": "RSA", "use": "enc", "kid": "e", "n": "AQAB", "e": "AQAB"}, {"kty": "weird", "kid": "w"}]});
        let (info, keys) = from_jwks(&doc.to_string(), "JWKS test", "jwks-file");
        assert_eq!(info.kids, vec!["kid k1", "kid k2"]);
        assert_eq!(info.problems.len(), 2, "{:?}", info.problems);
        let r = ring(vec![(info, keys)]);
        let expect = Expectations::default();
        let v = check(&sign(Algorithm::RS256, &rsa_enc, Some("k1")), &r, &expect);
        assert_eq!(
            (v.signature, v.key.as_deref()),
            (SignatureVerdict::Verified, Some("kid k1"))
        );
        let v = check(&sign(Algorithm::ES256, &ec_enc, Some("k2")), &r, &expect);
        assert_eq!(v.signature, SignatureVerdict::Verified, "{}", v.detail);
        // A kid the set lacks: named, not guessed.
        let v = check(&sign(Algorithm::RS256, &rsa_enc, Some("k9")), &r, &expect);
        assert_eq!(v.signature, SignatureVerdict::NoKey);
        assert!(v.detail.contains("kid `k9` is not among"), "{}", v.detail);
        // A token signed by k1's key but claiming kid k2 (an EC key) does not verify.
        let v = check(&sign(Algorithm::RS256, &rsa_enc, Some("k2")), &r, &expect);
        assert_eq!(v.signature, SignatureVerdict::NoKey, "{}", v.detail);
    }

    #[test]
    fn claims_are_judged_against_expectations() {
        let enc = EncodingKey::from_secret(b"k");
        let r = ring(vec![from_secret(b"k", "secret")]);
        let token = sign(Algorithm::HS256, &enc, None);
        let expect = Expectations {
            audience: Some("api".into()),
            issuer: Some("https://issuer.test/".into()),
            typ: Some("jwt".into()),
            leeway_secs: 0,
        };
        let v = check(&token, &r, &expect);
        let by = |name: &str| v.claims.iter().find(|c| c.claim == name).unwrap().status;
        assert_eq!(
            (by("exp"), by("nbf"), by("aud"), by("iss"), by("typ")),
            (
                Status::Pass,
                Status::Pass,
                Status::Pass,
                Status::Pass,
                Status::Pass
            )
        );
        let other = Expectations {
            audience: Some("admin".into()),
            issuer: Some("https://evil.test".into()),
            typ: Some("at+jwt".into()),
            leeway_secs: 0,
        };
        let v = check(&token, &r, &other);
        let by = |name: &str| v.claims.iter().find(|c| c.claim == name).unwrap().status;
        assert_eq!(
            (by("aud"), by("iss"), by("typ")),
            (Status::Fail, Status::Fail, Status::Fail)
        );
        // Expired when captured.
        let v = verify(&token, &decode(&token).unwrap(), &r, &expect, NOW + 400);
        assert_eq!(v.claims[0].status, Status::Fail);
        // No aud or iss at all, nothing expected: warnings.
        let bare = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &json!({"sub": "x", "exp": NOW + 5}),
            &enc,
        )
        .unwrap();
        let v = check(&bare, &r, &Expectations::default());
        let by = |name: &str| v.claims.iter().find(|c| c.claim == name).unwrap().status;
        assert_eq!((by("aud"), by("iss")), (Status::Warn, Status::Warn));
    }

    #[test]
    fn hostile_tokens_are_verdicts_not_panics() {
        let r = ring(vec![from_secret(b"k", "secret")]);
        let e = Expectations::default();
        let seg = |s: &str| b64url(s.as_bytes());
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(1 << 20));
        let deep = format!("{}1{}", "[".repeat(1000), "]".repeat(1000));
        let cases = [
            (
                format!("{}.{}.", seg(r#"{"alg":"none"}"#), seg("{}")),
                SignatureVerdict::Unsigned,
            ),
            (
                format!("{}.{}.", seg(r#"{"alg":"nOnE"}"#), seg("{}")),
                SignatureVerdict::Unsigned,
            ),
            (
                format!("{}.{}.c2ln", seg(r#"{"alg":"ES512"}"#), seg("{}")),
                SignatureVerdict::UnsupportedAlg,
            ),
            (
                format!("{}.{}.c2ln", seg(r#"{"alg":"HS1"}"#), seg("{}")),
                SignatureVerdict::UnsupportedAlg,
            ),
            (
                format!("{}.{}.%%%", seg(r#"{"alg":"HS256"}"#), seg("{}")),
                SignatureVerdict::Invalid,
            ),
            (
                format!("{}.{}.c2ln", seg(r#"{"alg":"HS256"}"#), seg(&big)),
                SignatureVerdict::Invalid,
            ),
            (
                format!("{}.{}.c2ln", seg(r#"{"alg":"HS256"}"#), seg(&deep)),
                SignatureVerdict::Invalid,
            ),
            (
                format!(
                    "{}.{}.c2ln",
                    seg(r#"{"alg":"HS256","alg":"none"}"#),
                    seg(r#"{"a":1,"a":2}"#)
                ),
                SignatureVerdict::Unsigned,
            ),
            (
                format!("{}.{}.c2ln", seg(r#"{"typ":"JWT"}"#), seg("{}")),
                SignatureVerdict::Malformed,
            ),
            (
                format!("{}.a.b.c.d", seg(r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#)),
                SignatureVerdict::Malformed,
            ),
        ];
        for (token, want) in cases {
            let d = decode(&token).unwrap();
            let v = verify(&token, &d, &r, &e, NOW);
            assert_eq!(
                v.signature,
                want,
                "{}: {}",
                &token[..token.len().min(60)],
                v.detail
            );
            assert!(!v.detail.is_empty());
        }
    }

    #[test]
    fn header_keys_are_hinted() {
        let t = format!(
            "{}.{}.c2ln",
            b64url(br#"{"alg":"HS256","jku":"https://evil.test/jwks","kid":"../../dev/null"}"#),
            b64url(b"{}")
        );
        let hints = header_key_hints(&decode(&t).unwrap());
        assert_eq!(hints.len(), 2, "{hints:?}");
        assert!(hints[0].contains("jku") && hints[1].contains("path"));
    }
}
