//! Every access-JWT flaw against every forgery, over real HTTPS: each flaw lets exactly its
//! own attack through `/api/me` and nothing else, in every signing mode.

mod common;

use authlens_lab::{Flaw, Mode, Signing};
use common::jwt::*;
use common::*;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;

const JWT_FLAWS: [Flaw; 7] = [
    Flaw::AlgNoneAccepted,
    Flaw::SignatureNotVerified,
    Flaw::WeakSecret,
    Flaw::KeyConfusion,
    Flaw::NoAudCheck,
    Flaw::PsychicSignature,
    Flaw::HeaderKeysTrusted,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Forgery {
    /// The token as issued (claims alice; everything else claims bob).
    Genuine,
    /// Payload edited, original signature kept.
    Tampered,
    /// Payload edited, signature segment empty.
    Stripped,
    /// Payload intact, signature missing its last characters.
    Truncated,
    AlgNone(&'static str),
    /// HS256 with the public key PEM as served (`true`: with its final newline) as secret.
    KeyConfusion(bool),
    /// ES256, r = s = 0.
    ZeroSignature,
    /// Signed with the attacker's key, which rides along in the `jwk` header.
    EmbeddedJwk,
    /// HS256 with an empty key, kid pointing at /dev/null.
    KidDevNull,
    /// HS256 with jwt.io's example secret and the lab's kid.
    WeakSecret,
    /// Signed with the lab's own key but for another audience (HS256 labs: the test knows
    /// the secret).
    WrongAudience,
    /// A kid the lab never issued.
    UnknownKid,
    /// Another algorithm of the same family, original signature.
    WrongAlg,
}

/// What a lab with `flaw` (or none) must do with `forgery`.
fn accepted(forgery: Forgery, signing: Signing, flaw: Option<Flaw>) -> bool {
    let on = |f: Flaw| flaw == Some(f);
    match forgery {
        Forgery::Genuine => true,
        Forgery::Tampered | Forgery::Stripped | Forgery::Truncated => {
            on(Flaw::SignatureNotVerified)
        }
        Forgery::AlgNone(_) => on(Flaw::AlgNoneAccepted),
        Forgery::KeyConfusion(_) => signing.is_asymmetric() && on(Flaw::KeyConfusion),
        Forgery::ZeroSignature => {
            signing == Signing::Es256
                && (on(Flaw::PsychicSignature) || on(Flaw::SignatureNotVerified))
        }
        Forgery::EmbeddedJwk => on(Flaw::HeaderKeysTrusted),
        Forgery::KidDevNull => signing == Signing::Hs256 && on(Flaw::HeaderKeysTrusted),
        Forgery::WeakSecret => {
            signing == Signing::Hs256 && (on(Flaw::WeakSecret) || on(Flaw::SignatureNotVerified))
        }
        Forgery::WrongAudience => on(Flaw::NoAudCheck),
        Forgery::UnknownKid | Forgery::WrongAlg => false,
    }
}

/// Every forgery that can be built against this lab, from alice's genuine token.
async fn forgeries(lab: &Lab, signing: Signing, genuine: &str) -> Vec<(Forgery, String)> {
    let (h, p, s) = segments(genuine);
    let header = header_of(genuine);
    let kid = header["kid"].as_str().unwrap().to_owned();
    let bob = as_bob(&claims_of(genuine));
    let bob_b64 = b64(bob.to_string());
    let mut out = vec![
        (Forgery::Genuine, genuine.to_owned()),
        (Forgery::Tampered, format!("{h}.{bob_b64}.{s}")),
        (Forgery::Stripped, format!("{h}.{bob_b64}.")),
        (Forgery::Truncated, format!("{h}.{p}.{}", &s[..s.len() - 6])),
    ];
    for alg in ["none", "None", "NONE", "nOnE"] {
        out.push((
            Forgery::AlgNone(alg),
            token(&json!({ "alg": alg, "typ": "JWT" }), &bob, None),
        ));
    }
    if signing.is_asymmetric() {
        let resp = lab
            .client
            .get(lab.url("/.well-known/public-key.pem"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let pem = resp.text().await.unwrap();
        assert!(pem.ends_with("-----END PUBLIC KEY-----\n"));
        for newline in [true, false] {
            let secret = if newline {
                pem.as_str()
            } else {
                pem.trim_end_matches('\n')
            };
            let key = EncodingKey::from_secret(secret.as_bytes());
            out.push((
                Forgery::KeyConfusion(newline),
                token(
                    &json!({ "alg": "HS256", "typ": "JWT", "kid": kid }),
                    &bob,
                    Some((&key, Algorithm::HS256)),
                ),
            ));
        }
    }
    let zero = format!(
        "{}.{bob_b64}.{}",
        b64(json!({ "alg": "ES256", "typ": "JWT", "kid": kid }).to_string()),
        b64([0u8; 64])
    );
    out.push((Forgery::ZeroSignature, zero));

    let attacker = attacker_key(signing);
    let mut jwk = attacker.jwk.clone();
    jwk.insert("kid".into(), "attacker-1".into());
    out.push((
        Forgery::EmbeddedJwk,
        token(
            &json!({ "alg": signing.alg(), "typ": "JWT", "kid": "attacker-1", "jwk": jwk }),
            &bob,
            Some((&attacker.encoding, attacker.alg)),
        ),
    ));
    out.push((
        Forgery::KidDevNull,
        token(
            &json!({ "alg": "HS256", "typ": "JWT", "kid": "../../../../../../../dev/null" }),
            &bob,
            Some((&EncodingKey::from_secret(b""), Algorithm::HS256)),
        ),
    ));
    out.push((
        Forgery::WeakSecret,
        token(
            &json!({ "alg": "HS256", "typ": "JWT", "kid": kid }),
            &bob,
            Some((
                &EncodingKey::from_secret(b"your-256-bit-secret"),
                Algorithm::HS256,
            )),
        ),
    ));
    if let Some(secret) = lab.handle.jwt_secret() {
        let mut other = bob.clone();
        other["aud"] = json!("another-service");
        out.push((
            Forgery::WrongAudience,
            token(
                &header,
                &other,
                Some((
                    &EncodingKey::from_secret(secret.as_bytes()),
                    Algorithm::HS256,
                )),
            ),
        ));
    }
    let mut unknown = header.clone();
    unknown["kid"] = json!(format!("lab-{signing}-99"));
    out.push((
        Forgery::UnknownKid,
        format!("{}.{bob_b64}.{s}", b64(unknown.to_string())),
    ));
    let mut wrong_alg = header.clone();
    wrong_alg["alg"] = json!(match signing {
        Signing::Hs256 => "HS512",
        Signing::Rs256 => "PS256",
        Signing::Es256 => "ES384",
        Signing::EdDsa => "RS256",
    });
    out.push((
        Forgery::WrongAlg,
        format!("{}.{p}.{s}", b64(wrong_alg.to_string())),
    ));
    out
}

async fn matrix(signing: Signing) {
    let mut problems = Vec::new();
    for flaw in std::iter::once(None).chain(JWT_FLAWS.map(Some)) {
        let flaws: Vec<Flaw> = flaw.into_iter().collect();
        let lab = start_with(Mode::Jwt, &flaws, |cfg| cfg.signing = signing).await;
        assert_eq!(lab.handle.signing(), signing);
        let genuine = access_token(&lab).await;
        let forged = forgeries(&lab, signing, &genuine).await;
        for (forgery, jwt) in forged {
            let want = accepted(forgery, signing, flaw);
            let got = me_as(&lab, 1, &jwt).await;
            let expected_user = match (want, forgery) {
                (false, _) => None,
                (true, Forgery::Genuine | Forgery::Truncated) => Some("alice".to_owned()),
                (true, _) => Some("bob".to_owned()),
            };
            if got != expected_user {
                problems.push(format!(
                    "{signing} + {}: {forgery:?} → {got:?}, expected {expected_user:?}",
                    flaw.map_or("no flaw".to_owned(), |f| f.to_string())
                ));
            }
        }
        lab.handle.shutdown().await;
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[tokio::test]
async fn hs256_flaw_matrix() {
    matrix(Signing::Hs256).await;
}

#[tokio::test]
async fn rs256_flaw_matrix() {
    matrix(Signing::Rs256).await;
}

#[tokio::test]
async fn es256_flaw_matrix() {
    matrix(Signing::Es256).await;
}

#[tokio::test]
async fn eddsa_flaw_matrix() {
    matrix(Signing::EdDsa).await;
}

/// Hybrid mode checks its bearer tokens with the same verifier.
#[tokio::test]
async fn hybrid_mode_has_the_same_flaws() {
    for (flaw, accept) in [(None, false), (Some(Flaw::AlgNoneAccepted), true)] {
        let flaws: Vec<Flaw> = flaw.into_iter().collect();
        let lab = start(Mode::Hybrid, &flaws).await;
        let resp = lab
            .client
            .post(lab.url("/api/login"))
            .json(&json!({ "username": "alice", "password": "wonderland-alice" }))
            .send()
            .await
            .unwrap();
        let genuine = json(resp).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(me_as(&lab, 1, &genuine).await.as_deref(), Some("alice"));
        let none = token(
            &json!({ "alg": "none" }),
            &as_bob(&claims_of(&genuine)),
            None,
        );
        assert_eq!(me_as(&lab, 1, &none).await.is_some(), accept, "{flaw:?}");
        lab.handle.shutdown().await;
    }
}

/// alg none needs an empty signature even with the flaw; its claims are still checked.
#[tokio::test]
async fn alg_none_still_checks_claims() {
    let lab = start(Mode::Jwt, &[Flaw::AlgNoneAccepted]).await;
    let claims = claims_of(&access_token(&lab).await);
    let with_sig = format!("{}x", token(&json!({ "alg": "none" }), &claims, None));
    assert_eq!(me_as(&lab, 1, &with_sig).await, None);
    let mut expired = claims.clone();
    expired["exp"] = json!(1);
    assert_eq!(
        me_as(&lab, 1, &token(&json!({ "alg": "none" }), &expired, None)).await,
        None
    );
    let mut foreign = claims.clone();
    foreign["iss"] = json!("https://elsewhere.example");
    assert_eq!(
        me_as(&lab, 1, &token(&json!({ "alg": "none" }), &foreign, None)).await,
        None
    );
    assert_eq!(
        me_as(&lab, 1, &token(&json!({ "alg": "none" }), &claims, None))
            .await
            .as_deref(),
        Some("alice")
    );
}

/// Flaws that need another signing mode change nothing in HS256: the matrix above shows it
/// for the forgeries; here the lab says so too (they are accepted, not refused).
#[tokio::test]
async fn signing_specific_flaws_start_in_any_mode() {
    let lab = start(
        Mode::Jwt,
        &[Flaw::KeyConfusion, Flaw::PsychicSignature, Flaw::WeakSecret],
    )
    .await;
    assert_eq!(lab.handle.signing(), Signing::Hs256);
    assert_eq!(
        lab.handle.jwt_secret().as_deref(),
        Some("your-256-bit-secret")
    );
    let genuine = access_token(&lab).await;
    assert_eq!(me_as(&lab, 1, &genuine).await.as_deref(), Some("alice"));
}

/// Oversized and malformed bearer tokens get a 401 (or hyper's own refusal for headers
/// beyond its limit), and the lab keeps serving.
#[tokio::test]
async fn hostile_tokens_over_http() {
    let all: Vec<Flaw> = JWT_FLAWS.to_vec();
    for flaws in [&[][..], &all[..]] {
        let lab = start_with(Mode::Jwt, flaws, |cfg| cfg.signing = Signing::Es256).await;
        let claims = b64(claims_of(&access_token(&lab).await).to_string());
        let header = b64(r#"{"alg":"ES256"}"#);
        let deep = b64(format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)));
        let cases = [
            format!("{header}.{claims}.{}", "A".repeat(17 * 1024)),
            format!("{deep}.{claims}."),
            format!("{header}.{deep}."),
            format!("{header}.%%%.sig"),
            "a.b.c.d".to_owned(),
        ];
        for case in &cases {
            assert_eq!(me_as(&lab, 1, case).await, None, "{:.60}", case);
        }
        let huge = format!("{header}.{claims}.{}", "A".repeat(1 << 20));
        let resp = lab
            .client
            .get(lab.url("/api/me"))
            .header("authorization", format!("Bearer {huge}"))
            .send()
            .await;
        if let Ok(resp) = resp {
            assert_ne!(resp.status(), 200);
        }
        let health = lab.client.get(lab.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
        lab.handle.shutdown().await;
    }
}
