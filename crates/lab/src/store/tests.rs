//! The same store tests on every backend: in-memory SQLite, a SQLite file, and a real
//! redis-server the test spawns.

use super::*;
use crate::config::{LabConfig, Mode, StoreBackend};

const BACKENDS: [StoreBackend; 3] = [
    StoreBackend::Memory,
    StoreBackend::Sqlite(None),
    StoreBackend::Redis(None),
];

/// An open backing (keep it alive for the test) with `replicas` connections.
async fn open(backend: &StoreBackend, replicas: u16) -> (Backing, Vec<Backend>) {
    let mut cfg = LabConfig::new(Mode::Jwt);
    cfg.store = backend.clone();
    cfg.replicas = replicas;
    let (backing, stores) = match Backing::open(&cfg, Rules::default()).await {
        Ok(opened) => opened,
        // The spawned Redis needs the Debian package; say so instead of a bare unwrap.
        Err(error) => panic!("cannot open the {} store: {error}", backend.kind()),
    };
    let backends = stores.into_iter().map(|s| s.local).collect();
    (backing, backends)
}

fn store(backend: &Backend, rules: Rules) -> Store {
    Store::new(backend.clone(), Vec::new(), rules)
}

async fn sleep_ms(ms: u64) {
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

#[tokio::test]
async fn rotation_and_reuse() {
    for kind in &BACKENDS {
        let (backing, backends) = open(kind, 1).await;
        let store = store(&backends[0], Rules::default());
        let (a, b, c) = (vec![1u8], vec![2u8], vec![3u8]);
        store
            .create_family("alice", now_ms() + 60_000, a.clone())
            .await
            .unwrap();
        let granted = store
            .refresh(a.clone(), Some(b.clone()), true)
            .await
            .unwrap();
        assert!(
            matches!(granted, Refreshed::Granted { ref username, .. } if username == "alice"),
            "{kind:?}"
        );
        assert_eq!(
            store.refresh(a, Some(c.clone()), true).await.unwrap(),
            Refreshed::Reused,
            "{kind:?}"
        );
        assert_eq!(
            store.refresh(b, Some(c.clone()), true).await.unwrap(),
            Refreshed::Invalid,
            "{kind:?}: family revoked on reuse"
        );
        assert_eq!(
            store.refresh(vec![42], Some(c), true).await.unwrap(),
            Refreshed::Invalid,
            "{kind:?}: unknown token"
        );
        backing.close().await;
    }
}

#[tokio::test]
async fn no_rotation_and_no_reuse_detection() {
    for kind in &BACKENDS {
        let (backing, backends) = open(kind, 1).await;
        let store = store(&backends[0], Rules::default());
        store
            .create_family("bob", now_ms() + 60_000, vec![1])
            .await
            .unwrap();
        for _ in 0..2 {
            let same = store.refresh(vec![1], None, true).await.unwrap();
            assert!(matches!(same, Refreshed::Granted { .. }), "{kind:?}");
        }
        store.refresh(vec![1], Some(vec![2]), false).await.unwrap();
        assert_eq!(
            store.refresh(vec![1], Some(vec![3]), false).await.unwrap(),
            Refreshed::Reused
        );
        let newest = store.refresh(vec![2], Some(vec![4]), false).await.unwrap();
        assert!(
            matches!(newest, Refreshed::Granted { .. }),
            "{kind:?}: family kept"
        );
        backing.close().await;
    }
}

#[tokio::test]
async fn expired_families_and_logout() {
    for kind in &BACKENDS {
        let (backing, backends) = open(kind, 1).await;
        let store = store(&backends[0], Rules::default());
        store
            .create_family("alice", now_ms() - 1, vec![1])
            .await
            .unwrap();
        assert_eq!(
            store.refresh(vec![1], Some(vec![2]), true).await.unwrap(),
            Refreshed::Invalid,
            "{kind:?}"
        );
        store
            .create_family("alice", now_ms() + 60_000, vec![5])
            .await
            .unwrap();
        store.revoke_family_of(vec![5]).await.unwrap();
        store.revoke_family_of(vec![99]).await.unwrap();
        assert_eq!(
            store.refresh(vec![5], Some(vec![6]), true).await.unwrap(),
            Refreshed::Invalid,
            "{kind:?}: revoked at logout"
        );
        backing.close().await;
    }
}

#[tokio::test]
async fn expired_sessions_are_not_found() {
    for kind in &BACKENDS {
        let (backing, backends) = open(kind, 1).await;
        let store = store(&backends[0], Rules::default());
        store
            .create_session(vec![9], None, "csrf", now_ms() - 1)
            .await
            .unwrap();
        assert!(
            store.find_session(vec![9]).await.unwrap().is_none(),
            "{kind:?}"
        );
        store
            .create_session(vec![8], Some("bob"), "csrf", now_ms() + 60_000)
            .await
            .unwrap();
        let row = store.find_session(vec![8]).await.unwrap().unwrap();
        assert_eq!(row.username.as_deref(), Some("bob"), "{kind:?}");
        assert_eq!(row.csrf_token, "csrf");

        // Fixation signs in the anonymous session in place.
        store
            .create_session(vec![7], None, "t", now_ms() + 60_000)
            .await
            .unwrap();
        store
            .authenticate_session(vec![7], "alice", now_ms() + 60_000)
            .await
            .unwrap();
        let row = store.find_session(vec![7]).await.unwrap().unwrap();
        assert_eq!(row.username.as_deref(), Some("alice"), "{kind:?}");

        store.delete_session(vec![8]).await.unwrap();
        assert!(store.find_session(vec![8]).await.unwrap().is_none());
        backing.close().await;
    }
}

#[tokio::test]
async fn without_expiry_check_expired_sessions_live() {
    for kind in &BACKENDS {
        let (backing, backends) = open(kind, 1).await;
        let rules = Rules {
            session_expiry: false,
            ..Rules::default()
        };
        let store = store(&backends[0], rules);
        store
            .create_session(vec![9], Some("alice"), "csrf", now_ms() - 1_000)
            .await
            .unwrap();
        assert!(
            store.find_session(vec![9]).await.unwrap().is_some(),
            "{kind:?}"
        );
        backing.close().await;
    }
}

#[tokio::test]
async fn idle_sessions_die_and_use_slides_the_timeout() {
    for kind in &BACKENDS {
        let (backing, backends) = open(kind, 1).await;
        let rules = Rules {
            idle_ms: Some(150),
            ..Rules::default()
        };
        let store = store(&backends[0], rules);
        store
            .create_session(vec![1], Some("alice"), "csrf", now_ms() + 60_000)
            .await
            .unwrap();
        for _ in 0..3 {
            sleep_ms(80).await;
            assert!(
                store.find_session(vec![1]).await.unwrap().is_some(),
                "{kind:?}: each use slides the idle timeout"
            );
        }
        sleep_ms(200).await;
        assert!(
            store.find_session(vec![1]).await.unwrap().is_none(),
            "{kind:?}: idle too long"
        );
        backing.close().await;
    }
}

#[tokio::test]
async fn revocations_take_effect_after_the_delay() {
    for kind in &BACKENDS {
        let (backing, backends) = open(kind, 1).await;
        let rules = Rules {
            revocation_delay_ms: 200,
            ..Rules::default()
        };
        let store = store(&backends[0], rules);
        store
            .create_session(vec![1], Some("alice"), "csrf", now_ms() + 60_000)
            .await
            .unwrap();
        store
            .create_family("alice", now_ms() + 60_000, vec![10])
            .await
            .unwrap();
        store
            .create_family("alice", now_ms() + 60_000, vec![20])
            .await
            .unwrap();
        store.revoke_session(vec![1]).await.unwrap();
        store.revoke_family_of(vec![10]).await.unwrap();
        // Reuse on the second family: the replayed token is refused, the newest still works.
        store.refresh(vec![20], Some(vec![21]), true).await.unwrap();
        assert_eq!(
            store.refresh(vec![20], Some(vec![22]), true).await.unwrap(),
            Refreshed::Reused
        );
        assert!(
            store.find_session(vec![1]).await.unwrap().is_some(),
            "{kind:?}"
        );
        assert!(matches!(
            store.refresh(vec![10], Some(vec![11]), true).await.unwrap(),
            Refreshed::Granted { .. }
        ));
        assert!(matches!(
            store.refresh(vec![21], Some(vec![23]), true).await.unwrap(),
            Refreshed::Granted { .. }
        ));
        // A second logout must not push the deadline out.
        sleep_ms(120).await;
        store.revoke_session(vec![1]).await.unwrap();
        sleep_ms(120).await;
        assert!(
            store.find_session(vec![1]).await.unwrap().is_none(),
            "{kind:?}: revoked after the delay"
        );
        assert_eq!(
            store.refresh(vec![11], Some(vec![12]), true).await.unwrap(),
            Refreshed::Invalid,
            "{kind:?}"
        );
        assert_eq!(
            store.refresh(vec![23], Some(vec![24]), true).await.unwrap(),
            Refreshed::Invalid,
            "{kind:?}"
        );
        backing.close().await;
    }
}

/// Two replicas redeeming one token at once: exactly one wins, the other is a reuse.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_redemption_is_atomic() {
    for kind in &BACKENDS[1..] {
        let (backing, backends) = open(kind, 2).await;
        let (one, two) = (
            store(&backends[0], Rules::default()),
            store(&backends[1], Rules::default()),
        );
        for round in 0u8..5 {
            let token = vec![round];
            one.create_family("alice", now_ms() + 60_000, token.clone())
                .await
                .unwrap();
            let (a, b) = tokio::join!(
                one.refresh(token.clone(), Some(vec![round, 1]), false),
                two.refresh(token.clone(), Some(vec![round, 2]), false),
            );
            let mut outcomes = [a.unwrap(), b.unwrap()];
            outcomes.sort_by_key(|o| matches!(o, Refreshed::Reused));
            assert!(
                matches!(outcomes[0], Refreshed::Granted { .. })
                    && outcomes[1] == Refreshed::Reused,
                "{kind:?}: {outcomes:?}"
            );
        }
        backing.close().await;
    }
}

/// per-replica-store: creations reach every replica, revocations stay local.
#[tokio::test]
async fn per_replica_stores_copy_logins_but_not_logouts() {
    let mut cfg = LabConfig::new(Mode::Jwt);
    cfg.replicas = 2;
    cfg.flaws.insert(crate::config::Flaw::PerReplicaStore);
    let (backing, stores) = Backing::open(&cfg, Rules::default()).await.unwrap();
    assert_eq!(backing.kind(), "per-replica-memory");
    let (one, two) = (&stores[0], &stores[1]);

    one.create_session(vec![1], Some("alice"), "csrf", now_ms() + 60_000)
        .await
        .unwrap();
    assert!(two.find_session(vec![1]).await.unwrap().is_some());
    one.revoke_session(vec![1]).await.unwrap();
    assert!(one.find_session(vec![1]).await.unwrap().is_none());
    assert!(two.find_session(vec![1]).await.unwrap().is_some());

    one.create_family("alice", now_ms() + 60_000, vec![10])
        .await
        .unwrap();
    one.refresh(vec![10], Some(vec![11]), true).await.unwrap();
    one.revoke_family_of(vec![11]).await.unwrap();
    assert_eq!(
        one.refresh(vec![11], Some(vec![12]), true).await.unwrap(),
        Refreshed::Invalid
    );
    assert!(matches!(
        two.refresh(vec![11], Some(vec![12]), true).await.unwrap(),
        Refreshed::Granted { .. }
    ));
    backing.close().await;
}

#[tokio::test]
async fn a_foreign_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    let other = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    sqlx::raw_sql("CREATE TABLE notes (x TEXT)")
        .execute(&other)
        .await
        .unwrap();
    other.close().await;
    let err = sqlite::SqliteStore::open_file(&path).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("holds data of another lab version"),
        "{err}"
    );

    // Ours is reopened as is.
    let ours = dir.path().join("lab.sqlite");
    sqlite::SqliteStore::open_file(&ours)
        .await
        .unwrap()
        .close()
        .await;
    sqlite::SqliteStore::open_file(&ours)
        .await
        .unwrap()
        .close()
        .await;
}
