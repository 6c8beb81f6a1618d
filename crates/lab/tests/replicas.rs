//! Several replicas of one lab: consecutive ports, one shared store (SQLite file or a
//! real redis-server), and the per-replica-store flaw where logout stays local.

mod common;

use authlens_lab::{Flaw, LabError, Mode, StoreBackend};
use common::*;

async fn three(mode: Mode, flaws: &[Flaw], store: StoreBackend) -> Lab {
    start_with(mode, flaws, |cfg| {
        cfg.replicas = 3;
        cfg.store = store;
    })
    .await
}

/// Sign in on 1, used on 2 and 3; logout on 2 ends it everywhere.
async fn session_is_shared(store: StoreBackend) {
    let lab = three(Mode::Session, &[], store).await;
    let session = session_login(&lab, 1).await;
    for n in 1..=3 {
        assert_eq!(me_cookie(&lab, n, &session).await, 200, "replica {n}");
    }
    session_logout(&lab, 2, &session).await;
    for n in 1..=3 {
        assert_eq!(me_cookie(&lab, n, &session).await, 401, "replica {n}");
    }
    lab.handle.shutdown().await;
}

/// A refresh token and access JWT from replica 1 work on 2 and 3; logout on 2 revokes
/// the family for all.
async fn refresh_family_is_shared(store: StoreBackend) {
    let lab = three(Mode::Jwt, &[], store).await;
    let login = jwt_login_on(&lab, 1).await;
    for n in 1..=3 {
        assert_eq!(
            me_bearer_on(&lab, n, &login["access_token"]).await,
            200,
            "one key and issuer: replica {n}"
        );
    }
    let resp = jwt_refresh_on(&lab, 2, &login["refresh_token"]).await;
    assert_eq!(resp.status(), 200);
    let rotated = json(resp).await;
    // The rotation on 2 is seen on 3: the old token is now a reuse there.
    let replay = jwt_refresh_on(&lab, 3, &login["refresh_token"]).await;
    assert_eq!(replay.status(), 401);
    // ...which revoked the family everywhere.
    assert_eq!(
        jwt_refresh_on(&lab, 1, &rotated["refresh_token"])
            .await
            .status(),
        401
    );

    let login = jwt_login_on(&lab, 1).await;
    jwt_logout_on(&lab, 2, &login["refresh_token"]).await;
    for n in [1, 3] {
        let resp = jwt_refresh_on(&lab, n, &login["refresh_token"]).await;
        assert_eq!(resp.status(), 401, "replica {n}");
        assert_eq!(json(resp).await["error"], "invalid_grant");
    }
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn shared_sqlite_session_mode() {
    session_is_shared(StoreBackend::Memory).await;
}

#[tokio::test]
async fn shared_sqlite_jwt_mode() {
    refresh_family_is_shared(StoreBackend::Memory).await;
}

#[tokio::test]
async fn explicit_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lab.sqlite");
    session_is_shared(StoreBackend::Sqlite(Some(path.clone()))).await;
    assert!(path.exists(), "the caller's file is kept");
    // And reused by the next lab.
    refresh_family_is_shared(StoreBackend::Sqlite(Some(path))).await;
}

#[tokio::test]
async fn redis_session_mode() {
    session_is_shared(StoreBackend::Redis(None)).await;
}

#[tokio::test]
async fn redis_jwt_mode() {
    refresh_family_is_shared(StoreBackend::Redis(None)).await;
}

#[tokio::test]
async fn per_replica_store_session_mode() {
    let lab = three(
        Mode::Session,
        &[Flaw::PerReplicaStore],
        StoreBackend::Memory,
    )
    .await;
    let session = session_login(&lab, 1).await;
    assert_eq!(
        me_cookie(&lab, 2, &session).await,
        200,
        "logins reach every replica"
    );
    session_logout(&lab, 1, &session).await;
    assert_eq!(me_cookie(&lab, 1, &session).await, 401);
    for n in [2, 3] {
        assert_eq!(
            me_cookie(&lab, n, &session).await,
            200,
            "logout stayed on replica 1; replica {n} still accepts"
        );
    }
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn per_replica_store_jwt_mode() {
    let lab = three(Mode::Jwt, &[Flaw::PerReplicaStore], StoreBackend::Memory).await;
    let login = jwt_login_on(&lab, 1).await;
    jwt_logout_on(&lab, 1, &login["refresh_token"]).await;
    assert_eq!(
        jwt_refresh_on(&lab, 1, &login["refresh_token"])
            .await
            .status(),
        401
    );
    let resp = jwt_refresh_on(&lab, 2, &login["refresh_token"]).await;
    assert_eq!(resp.status(), 200, "replica 2 never heard of the logout");
    // The token rotated in on 2 is copied to 3 as well.
    let rotated = json(resp).await;
    assert_eq!(
        jwt_refresh_on(&lab, 3, &rotated["refresh_token"])
            .await
            .status(),
        200
    );
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn consecutive_ports_health_and_redirectors() {
    let lab = start_with(Mode::Jwt, &[], |cfg| {
        cfg.replicas = 3;
        cfg.http_port = Some(0);
    })
    .await;
    let replicas = &lab.handle.replicas;
    assert_eq!(replicas.len(), 3);
    assert_eq!(replicas[0].https_url, lab.handle.https_url);
    assert_eq!(replicas[0].http_url, lab.handle.http_url);
    let port = |url: &str| -> u16 { url.rsplit(':').next().unwrap().parse().unwrap() };
    let first = port(&replicas[0].https_url);
    let first_http = port(replicas[0].http_url.as_deref().unwrap());
    for (i, replica) in replicas.iter().enumerate() {
        let i16 = u16::try_from(i).unwrap();
        assert_eq!(port(&replica.https_url), first + i16);
        let http_url = replica.http_url.clone().unwrap();
        assert_eq!(port(&http_url), first_http + i16);

        let health = json(
            lab.client
                .get(format!("{}/healthz", replica.https_url))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(health["replica"], i + 1);
        assert_eq!(health["store"], "sqlite");

        let resp = lab
            .client
            .get(format!("{http_url}/api/me"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 308);
        assert_eq!(
            header(&resp, "location"),
            Some(format!("{}/api/me", replica.https_url)),
            "each redirector points at its own replica"
        );
    }
    let description = lab.handle.store_description();
    assert!(
        description.starts_with("shared SQLite /") && description.ends_with(" (temporary)"),
        "{description}"
    );
    let file = description
        .trim_start_matches("shared SQLite ")
        .trim_end_matches(" (temporary)")
        .to_owned();
    assert!(std::path::Path::new(&file).exists());
    lab.handle.shutdown().await;
    assert!(
        !std::path::Path::new(&file).exists(),
        "the lab removes its temp SQLite file"
    );
}

#[tokio::test]
async fn a_fixed_first_port_and_a_taken_one() {
    // Find a free block, then ask for it explicitly.
    let probe = start_with(Mode::Jwt, &[], |cfg| cfg.replicas = 2).await;
    let first: u16 = probe
        .handle
        .https_url
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    probe.handle.shutdown().await;
    let lab = start_with(Mode::Jwt, &[], |cfg| {
        cfg.replicas = 2;
        cfg.https_port = first;
    })
    .await;
    assert_eq!(
        lab.handle.replicas[1].https_url,
        format!("https://127.0.0.1:{}", first + 1)
    );
    let dir = tempfile::tempdir().unwrap();
    let mut clash = config(Mode::Jwt, &[], &dir);
    clash.https_port = first - 1;
    clash.replicas = 3;
    // The block overlaps the running lab at `first` (or `first - 1` is taken elsewhere).
    let err = authlens_lab::start(clash).await.unwrap_err();
    assert!(
        matches!(err, LabError::PortInUse { port } if port == first || port == first - 1),
        "{err}"
    );
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn spawned_redis_is_described_and_stopped() {
    let lab = start_with(Mode::Session, &[], |cfg| {
        cfg.store = StoreBackend::Redis(None);
    })
    .await;
    let description = lab.handle.store_description();
    let addr = description
        .strip_prefix("Redis ")
        .and_then(|rest| rest.strip_suffix(" (spawned)"))
        .unwrap_or_else(|| panic!("{description}"))
        .to_owned();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let health = json(lab.client.get(lab.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(health["store"], "redis");
    assert!(std::net::TcpStream::connect(&addr).is_ok());
    lab.handle.shutdown().await;
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "redis-server stopped with the lab"
    );
}

#[tokio::test]
async fn refusals() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(Mode::Session, &[Flaw::PerReplicaStore], &dir);
    let err = authlens_lab::start(cfg.clone()).await.unwrap_err();
    assert!(
        err.to_string().contains("needs at least 2 replicas"),
        "{err}"
    );
    cfg.replicas = 2;
    cfg.store = StoreBackend::Redis(None);
    let err = authlens_lab::start(cfg).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot be combined with the redis store"),
        "{err}"
    );
    let mut cfg = config(Mode::Jwt, &[], &dir);
    cfg.store = StoreBackend::Redis(Some("redis://192.0.2.7:6379".into()));
    let err = authlens_lab::start(cfg).await.unwrap_err();
    assert!(err.to_string().contains("127.0.0.1 or localhost"), "{err}");
}
