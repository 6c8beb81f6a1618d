use super::*;
use crate::model::{RunStatus, Status};
use crate::report::testdata::{hostile_run, sample_run};

fn db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("nested").join("dir").join("history.db")
}

/// Store a run the way the runner does: begin, add each item as captured, finish.
async fn record(store: &Store, run: &Run) {
    store.begin_run(run).await.unwrap();
    for e in &run.exchanges {
        store.add_exchange(&run.id, e).await.unwrap();
    }
    for c in &run.credentials {
        store.add_credential(&run.id, c).await.unwrap();
    }
    for o in &run.observations {
        store.add_observation(&run.id, o).await.unwrap();
    }
    for e in &run.events {
        store.add_event(&run.id, e).await.unwrap();
    }
    store.finish_run(run).await.unwrap();
}

fn with_id(id: &str, started_at: Millis) -> Run {
    Run {
        id: id.to_string(),
        started_at,
        ..sample_run()
    }
}

#[tokio::test]
async fn round_trip_rebuilds_the_run_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db(&dir)).await.unwrap();
    assert!(store.path().exists(), "parent directories and file created");
    let run = sample_run();
    record(&store, &run).await;
    let back = store.load_run(&run.id).await.unwrap();
    assert_eq!(back, run);

    // Hostile strings (NUL, ESC, `]]>`, lone C1...) survive byte for byte.
    let hostile = Run {
        id: "hostile-run".into(),
        ..hostile_run()
    };
    record(&store, &hostile).await;
    assert_eq!(store.load_run("hostile-run").await.unwrap(), hostile);
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
}

#[tokio::test]
async fn finish_replaces_findings_and_list_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db(&dir)).await.unwrap();
    let mut run = sample_run();
    record(&store, &run).await;
    // Re-finishing (e.g. after re-running the checks) replaces the findings wholesale.
    run.findings.truncate(3);
    store.finish_run(&run).await.unwrap();
    assert_eq!(
        store.load_run(&run.id).await.unwrap().findings,
        run.findings
    );

    let older = with_id(
        "0180aaaa-0000-7000-8000-000000000000",
        run.started_at - 60_000,
    );
    record(&store, &older).await;
    let list = store.list_runs(10).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].id, run.id, "newest first");
    let s = &list[0];
    assert_eq!(
        (
            s.profile_name.as_str(),
            s.status.as_str(),
            s.exchanges,
            s.fails,
            s.warns,
            s.passes
        ),
        ("demo", "completed", 9, 1, 1, 1)
    );
    assert_eq!(s.targets, run.targets);
    assert_eq!(s.finished_at, run.finished_at);
    assert_eq!((list[1].fails, list[1].warns, list[1].passes), (1, 2, 3));
    assert_eq!(store.list_runs(1).await.unwrap().len(), 1);
    assert_eq!(store.list_runs(0).await.unwrap().len(), 2, "0 = no limit");
    // The SQL counts by these literal strings.
    assert_eq!(
        [
            Status::Fail.as_str(),
            Status::Warn.as_str(),
            Status::Pass.as_str()
        ],
        ["fail", "warn", "pass"]
    );
}

#[tokio::test]
async fn prefixes_resolve_or_are_ambiguous() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db(&dir)).await.unwrap();
    for (i, id) in [
        "0190a1b2-c3d4-7000-8000-000000000001",
        "0190a1b2-c3d4-7000-8000-000000000002",
        "0290ffff-0000-7000-8000-000000000003",
    ]
    .iter()
    .enumerate()
    {
        store
            .save_run(&with_id(id, 1_000 + i as Millis))
            .await
            .unwrap();
    }
    assert_eq!(
        store.load_run("0290").await.unwrap().id,
        "0290ffff-0000-7000-8000-000000000003"
    );
    assert_eq!(
        store.load_run(" 0290FFFF ").await.unwrap().id,
        "0290ffff-0000-7000-8000-000000000003"
    );
    assert_eq!(
        store
            .load_run("0190a1b2-c3d4-7000-8000-000000000002")
            .await
            .unwrap()
            .id,
        "0190a1b2-c3d4-7000-8000-000000000002"
    );
    assert_eq!(
        store
            .load_run("0190a1b2-c3d4-7000-8000-0000000000")
            .await
            .unwrap_err()
            .code(),
        "store.ambiguous"
    );
    match store.load_run("0190").await.unwrap_err() {
        StoreError::Ambiguous { prefix, count } => {
            assert_eq!((prefix.as_str(), count), ("0190", 2))
        }
        other => panic!("{other:?}"),
    }
    for missing in ["ffff", "", "%", "_190"] {
        assert_eq!(
            store.load_run(missing).await.unwrap_err().code(),
            "store.not-found",
            "{missing:?}"
        );
    }
}

#[tokio::test]
async fn an_unfinished_run_stays_loadable_and_the_file_sound() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let run = sample_run();
    {
        let store = Store::open(&path).await.unwrap();
        store.begin_run(&run).await.unwrap();
        for e in &run.exchanges[..4] {
            store.add_exchange(&run.id, e).await.unwrap();
        }
        store
            .add_credential(&run.id, &run.credentials[0])
            .await
            .unwrap();
        store.add_event(&run.id, &run.events[0]).await.unwrap();
        // The process "dies": no finish_run.
        store.close().await;
    }
    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
    let back = store.load_run(&run.id[..8]).await.unwrap();
    assert_eq!(back.status, RunStatus::Running);
    assert_eq!(back.finished_at, None);
    assert_eq!(back.error, None);
    assert_eq!(back.exchanges, run.exchanges[..4]);
    assert_eq!(back.credentials, run.credentials[..1]);
    assert_eq!(back.events, run.events[..1]);
    assert!(back.observations.is_empty() && back.findings.is_empty());
    // Started in 2025, never finished: listed as interrupted. A fresh one is still running.
    assert_eq!(store.list_runs(5).await.unwrap()[0].status, "interrupted");
    let fresh = Run {
        id: "fresh".into(),
        started_at: now_ms() - 1000,
        ..sample_run()
    };
    store.begin_run(&fresh).await.unwrap();
    assert_eq!(store.list_runs(5).await.unwrap()[0].status, "running");
}

#[test]
fn interrupted_is_a_listing_heuristic() {
    let h = INTERRUPTED_AFTER_MS;
    assert_eq!(display_status("running", 0, None, h + 1), "interrupted");
    assert_eq!(display_status("running", 0, None, h), "running");
    assert_eq!(display_status("running", 0, Some(5), h + 1), "running");
    assert_eq!(display_status("failed", 0, None, h + 1), "failed");
}

#[tokio::test]
async fn reopening_keeps_data_and_migrations_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let store = Store::open(&path).await.unwrap();
    store.save_profile("b", "name = 'b'").await.unwrap();
    store.save_profile("a", "name = 'a'").await.unwrap();
    store.save_profile("b", "name = 'b2'").await.unwrap();
    store.save_run(&sample_run()).await.unwrap();
    // A second handle while the first is open, then reopen after closing.
    let second = Store::open(&path).await.unwrap();
    assert_eq!(second.list_runs(0).await.unwrap().len(), 1);
    store.close().await;
    second.close().await;
    let store = Store::open(&path).await.unwrap();
    assert_eq!(
        store.list_profiles().await.unwrap(),
        vec![
            ("a".to_string(), "name = 'a'".to_string()),
            ("b".to_string(), "name = 'b2'".to_string())
        ]
    );
    assert_eq!(
        store.load_run(&sample_run().id).await.unwrap(),
        sample_run()
    );
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(applied, MIGRATOR.iter().count() as i64);
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(fk, 1);
}

#[tokio::test]
async fn save_run_replaces_a_run_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db(&dir)).await.unwrap();
    let run = sample_run();
    record(&store, &run).await;
    let mut smaller = run.clone();
    smaller.exchanges.truncate(2);
    smaller.observations.clear();
    store.save_run(&smaller).await.unwrap();
    assert_eq!(store.load_run(&run.id).await.unwrap(), smaller);
    let counted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM observations")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(
        counted, 0,
        "children of the replaced run are gone (ON DELETE CASCADE)"
    );
}

#[tokio::test]
async fn concurrent_writers_from_clones() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db(&dir)).await.unwrap();
    let run = sample_run();
    store.begin_run(&run).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..8u32 {
        let (store, run) = (store.clone(), run.clone());
        tasks.push(tokio::spawn(async move {
            for o in &run.observations {
                store
                    .add_observation(
                        &run.id,
                        &Observation {
                            at: o.at + Millis::from(i),
                            ..o.clone()
                        },
                    )
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        store.load_run(&run.id).await.unwrap().observations.len(),
        8 * run.observations.len()
    );
}

#[tokio::test]
async fn errors_are_typed_and_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db(&dir)).await.unwrap();
    let run = sample_run();
    let err = store
        .add_exchange("no-such-run", &run.exchanges[0])
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store.not-found", "{err}");
    assert!(err.to_string().contains("no-such-run"));
    assert_eq!(
        store.finish_run(&run).await.unwrap_err().code(),
        "store.not-found"
    );

    // A parent that is a file.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let bad = file.join("history.db");
    let err = Store::open(&bad).await.unwrap_err();
    assert_eq!(err.code(), "store.open");
    assert!(
        err.to_string().contains(&bad.display().to_string()),
        "{err}"
    );

    // Not a database at all.
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![0x42u8; 8192]).unwrap();
    let err = Store::open(&garbage).await.unwrap_err();
    assert!(
        matches!(err.code(), "store.open" | "store.migrate" | "store.corrupt"),
        "{err:?}"
    );
    assert!(err.to_string().contains("garbage.db"), "{err}");

    let e = StoreError::Ambiguous {
        prefix: "01".into(),
        count: 3,
    };
    assert_eq!(
        e.to_string(),
        "run id prefix `01` is ambiguous: 3 runs match; give more characters"
    );
}
