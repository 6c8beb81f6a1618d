//! The lab's signing keys from the outside: JWKS, discovery document, public key PEM,
//! rotation (on demand and on a timer), shared by every replica.

mod common;

use authlens_lab::{Flaw, LabError, Mode, Signing};
use common::jwt::*;
use common::*;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::Value;

async fn get(lab: &Lab, n: usize, path: &str) -> reqwest::Response {
    lab.client.get(lab.url_on(n, path)).send().await.unwrap()
}

async fn jwks(lab: &Lab, n: usize) -> JwkSet {
    let resp = get(lab, n, "/.well-known/jwks.json").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(&resp, "cache-control").as_deref(),
        Some("public, max-age=300")
    );
    assert!(
        header(&resp, "content-type")
            .unwrap()
            .starts_with("application/json")
    );
    resp.json().await.unwrap()
}

fn kids(set: &JwkSet) -> Vec<String> {
    set.keys
        .iter()
        .map(|k| k.common.key_id.clone().unwrap())
        .collect()
}

fn validation(lab: &Lab, signing: Signing) -> Validation {
    let mut v = Validation::new(signing.alg().parse().unwrap());
    v.set_audience(&["authlens-lab"]);
    v.set_issuer(&[&lab.handle.https_url]);
    v
}

/// Verify `jwt` the way a resource server would: the kid's key from the served JWKS.
fn verify_with_jwks(set: &JwkSet, lab: &Lab, signing: Signing, jwt: &str) -> Value {
    let kid = header_of(jwt)["kid"].as_str().unwrap().to_owned();
    let jwk = set
        .find(&kid)
        .unwrap_or_else(|| panic!("{kid} not in the JWKS"));
    let key = DecodingKey::from_jwk(jwk).unwrap();
    jsonwebtoken::decode::<Value>(jwt, &key, &validation(lab, signing))
        .unwrap_or_else(|e| panic!("{signing}: {e}"))
        .claims
}

#[tokio::test]
async fn every_signing_mode_serves_keys_that_verify_its_tokens() {
    for signing in Signing::ALL {
        let lab = start_with(Mode::Jwt, &[], |cfg| cfg.signing = signing).await;
        let h = &lab.handle;
        assert_eq!(h.signing(), signing);
        let kid = format!("lab-{signing}-1");
        assert_eq!(h.current_kid(), kid);
        let jwt = access_token(&lab).await;
        let head = header_of(&jwt);
        assert_eq!(head["alg"], signing.alg());
        assert_eq!(head["kid"], kid.as_str());
        assert_eq!(head["typ"], "JWT");

        let set = jwks(&lab, 1).await;
        let pem = get(&lab, 1, "/.well-known/public-key.pem").await;
        if signing == Signing::Hs256 {
            assert!(set.keys.is_empty(), "a shared secret is never published");
            assert_eq!(pem.status(), 404);
            assert_eq!(h.public_key_pem(), None);
            let secret = h.jwt_secret().unwrap();
            assert_eq!(secret.len(), 43);
            let key = DecodingKey::from_secret(secret.as_bytes());
            let claims = jsonwebtoken::decode::<Value>(&jwt, &key, &validation(&lab, signing))
                .unwrap()
                .claims;
            assert_eq!(claims["sub"], "user:alice");
        } else {
            assert_eq!(h.jwt_secret(), None);
            assert_eq!(kids(&set), std::slice::from_ref(&kid));
            let raw: Value = get(&lab, 1, "/.well-known/jwks.json")
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(raw["keys"][0]["use"], "sig");
            assert_eq!(raw["keys"][0]["alg"], signing.alg());
            let claims = verify_with_jwks(&set, &lab, signing, &jwt);
            assert_eq!(claims["sub"], "user:alice");

            assert_eq!(pem.status(), 200);
            assert_eq!(
                header(&pem, "cache-control").as_deref(),
                Some("public, max-age=300")
            );
            let pem = pem.text().await.unwrap();
            assert_eq!(Some(&pem), h.public_key_pem().as_ref());
            assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
            assert!(pem.ends_with("\n-----END PUBLIC KEY-----\n"));
            let from_pem = match signing {
                Signing::Rs256 => DecodingKey::from_rsa_pem(pem.as_bytes()),
                Signing::Es256 => DecodingKey::from_ec_pem(pem.as_bytes()),
                _ => DecodingKey::from_ed_pem(pem.as_bytes()),
            }
            .unwrap();
            jsonwebtoken::decode::<Value>(&jwt, &from_pem, &validation(&lab, signing)).unwrap();
        }

        let oidc = get(&lab, 1, "/.well-known/openid-configuration").await;
        assert_eq!(oidc.status(), 200);
        assert_eq!(
            header(&oidc, "cache-control").as_deref(),
            Some("public, max-age=300")
        );
        let oidc = json(oidc).await;
        assert_eq!(oidc["issuer"], h.https_url.as_str());
        assert_eq!(claims_of(&jwt)["iss"], oidc["issuer"]);
        assert_eq!(
            oidc["jwks_uri"].as_str(),
            h.jwks_url().as_deref(),
            "absolute, on the replica"
        );
        assert_eq!(
            h.openid_configuration_url().unwrap(),
            format!("{}/.well-known/openid-configuration", h.https_url)
        );
        assert_eq!(
            oidc["id_token_signing_alg_values_supported"],
            serde_json::json!([signing.alg()])
        );
        assert_eq!(
            oidc["token_endpoint"],
            format!("{}/api/refresh", h.https_url)
        );
        lab.handle.shutdown().await;
    }
}

#[tokio::test]
async fn rotation_adds_a_kid_and_keeps_the_previous_one_verifying_on_every_replica() {
    let lab = start_with(Mode::Jwt, &[], |cfg| {
        cfg.signing = Signing::Es256;
        cfg.replicas = 2;
    })
    .await;
    let first = access_token(&lab).await;
    assert_eq!(header_of(&first)["kid"], "lab-es256-1");

    assert_eq!(lab.handle.rotate_keys().await.unwrap(), "lab-es256-2");
    assert_eq!(lab.handle.current_kid(), "lab-es256-2");
    for n in [1, 2] {
        let set = jwks(&lab, n).await;
        assert_eq!(kids(&set), ["lab-es256-2", "lab-es256-1"], "replica {n}");
        verify_with_jwks(&set, &lab, Signing::Es256, &first);
        assert_eq!(me_as(&lab, n, &first).await.as_deref(), Some("alice"));
    }
    let second = access_token(&lab).await;
    assert_eq!(header_of(&second)["kid"], "lab-es256-2");
    assert_eq!(me_as(&lab, 2, &second).await.as_deref(), Some("alice"));
    // The PEM endpoint follows the current key.
    let pem = get(&lab, 2, "/.well-known/public-key.pem")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(Some(pem), lab.handle.public_key_pem());

    assert_eq!(lab.handle.rotate_keys().await.unwrap(), "lab-es256-3");
    let set = jwks(&lab, 1).await;
    assert_eq!(kids(&set), ["lab-es256-3", "lab-es256-2"]);
    for n in [1, 2] {
        assert_eq!(me_as(&lab, n, &first).await, None, "lab-es256-1 is retired");
        assert_eq!(me_as(&lab, n, &second).await.as_deref(), Some("alice"));
    }
}

#[tokio::test]
async fn hs256_rotation_changes_the_secret_unless_it_is_fixed() {
    let lab = start(Mode::Jwt, &[]).await;
    let before = lab.handle.jwt_secret().unwrap();
    let old = access_token(&lab).await;
    lab.handle.rotate_keys().await.unwrap();
    assert_ne!(lab.handle.jwt_secret().unwrap(), before);
    assert_eq!(me_as(&lab, 1, &old).await.as_deref(), Some("alice"));
    assert!(jwks(&lab, 1).await.keys.is_empty());

    let fixed = start_with(Mode::Jwt, &[], |cfg| {
        cfg.jwt_secret = Some("classroom-secret".into());
    })
    .await;
    assert_eq!(
        fixed.handle.jwt_secret().as_deref(),
        Some("classroom-secret")
    );
    let jwt = access_token(&fixed).await;
    let key = DecodingKey::from_secret(b"classroom-secret");
    jsonwebtoken::decode::<Value>(&jwt, &key, &validation(&fixed, Signing::Hs256)).unwrap();
    assert_eq!(fixed.handle.rotate_keys().await.unwrap(), "lab-hs256-2");
    assert_eq!(
        fixed.handle.jwt_secret().as_deref(),
        Some("classroom-secret")
    );
}

#[tokio::test]
async fn keys_rotate_on_the_configured_interval() {
    let lab = start_with(Mode::Jwt, &[], |cfg| {
        cfg.signing = Signing::EdDsa;
        cfg.key_rotation_secs = Some(1);
    })
    .await;
    let old = access_token(&lab).await;
    let mut waited = 0;
    while lab.handle.current_kid() == "lab-eddsa-1" {
        assert!(waited < 50, "no rotation after 5 s");
        sleep_ms(100).await;
        waited += 1;
    }
    let set = jwks(&lab, 1).await;
    assert!(kids(&set).contains(&lab.handle.current_kid()));
    // Right after the first rotation (the next is a second away) the first key still
    // verifies; a slow machine may already be past it.
    if lab.handle.current_kid() == "lab-eddsa-2" {
        assert!(kids(&set).contains(&"lab-eddsa-1".to_owned()));
        assert_eq!(me_as(&lab, 1, &old).await.as_deref(), Some("alice"));
    }
    let fresh = access_token(&lab).await;
    assert_eq!(me_as(&lab, 1, &fresh).await.as_deref(), Some("alice"));
}

#[tokio::test]
async fn well_known_is_for_token_modes_and_redirects_over_http() {
    let session = start(Mode::Session, &[]).await;
    assert_eq!(
        get(&session, 1, "/.well-known/jwks.json").await.status(),
        404
    );
    assert_eq!(session.handle.jwks_url(), None);

    let hybrid = start_with(Mode::Hybrid, &[], |cfg| {
        cfg.signing = Signing::Rs256;
        cfg.http_port = Some(0);
    })
    .await;
    assert_eq!(kids(&jwks(&hybrid, 1).await), ["lab-rs256-1"]);
    let oidc = json(get(&hybrid, 1, "/.well-known/openid-configuration").await).await;
    assert_eq!(
        oidc["token_endpoint"],
        format!("{}/api/auth/refresh", hybrid.handle.https_url)
    );
    let http = hybrid.handle.http_url.clone().unwrap();
    let resp = hybrid
        .client
        .get(format!("{http}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 308);
    assert_eq!(
        header(&resp, "location").unwrap(),
        format!("{}/.well-known/jwks.json", hybrid.handle.https_url)
    );
}

#[tokio::test]
async fn jwt_options_that_mean_nothing_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(Mode::Jwt, &[Flaw::WeakSecret], &dir);
    cfg.jwt_secret = Some("mine".into());
    let err = authlens_lab::start(cfg).await.unwrap_err();
    assert!(matches!(err, LabError::JwtSecret { .. }), "{err}");

    let mut cfg = config(Mode::Jwt, &[], &dir);
    cfg.signing = Signing::Rs256;
    cfg.jwt_secret = Some("mine".into());
    assert!(authlens_lab::start(cfg).await.is_err());

    let mut cfg = config(Mode::Jwt, &[], &dir);
    cfg.key_rotation_secs = Some(0);
    assert!(matches!(
        authlens_lab::start(cfg).await.unwrap_err(),
        LabError::KeyRotation
    ));
}
