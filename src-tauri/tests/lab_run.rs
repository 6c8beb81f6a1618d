//! The desktop's run path end to end, without a webview: `run_request` (what `start_run` wraps) against the
//! in-process lab, with an mpsc sink standing in for the ipc Channel; then the history it recorded.

use std::time::Duration;

use authlens_core::events::{EventSink, RunEvent};
use authlens_core::model::{RunStatus, Status};
use authlens_desktop::commands::forward_to_channel;
use authlens_desktop::types::{RunRequest, RunTarget};
use authlens_desktop::{AppState, run_request};
use tokio::sync::mpsc::UnboundedReceiver;

const LAB_PASSWORD: &str = "wonderland-alice";

async fn state(dir: &tempfile::TempDir) -> AppState {
    AppState::open(dir.path(), &dir.path().join("history.db")).await
}

fn lab_request(id: &str, mode: &str, flaws: &[&str]) -> RunRequest {
    RunRequest {
        request_id: id.into(),
        target: RunTarget::Lab {
            mode: mode.into(),
            flaws: flaws.iter().map(|f| f.to_string()).collect(),
            replicas: None,
            store: None,
            short_lifetimes: None,
            signing: None,
        },
        scenarios: vec![],
        settings: None,
        reveal: false,
        jwt_secret: None,
    }
}

fn drain(rx: &mut UnboundedReceiver<RunEvent>) -> Vec<RunEvent> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(e);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_jwt_run_streams_events_returns_a_redacted_view_and_records_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let view = run_request(&state, lab_request("r1", "jwt", &[]), EventSink::new(tx))
        .await
        .unwrap();
    let run = &view.run;
    assert_eq!(run.status, RunStatus::Completed, "{:?}", run.error);
    assert_eq!(run.profile_name, "Lab: JWT mode");
    assert!(run.targets[0].starts_with("https://127.0.0.1:"));
    assert_eq!(run.scenarios, vec!["lifecycle", "rotation"]);
    assert!(!run.exchanges.is_empty() && !run.credentials.is_empty());
    assert!(!run.findings.is_empty());

    // Events: started first, finished last, one exchange event per exchange, every finding streamed.
    let events = drain(&mut rx);
    assert!(matches!(&events[0], RunEvent::Started { run_id, .. } if *run_id == run.id));
    assert!(
        matches!(events.last(), Some(RunEvent::Finished { run_id }) if *run_id == run.id),
        "{:?}",
        events.last()
    );
    let exchanges = events
        .iter()
        .filter(|e| matches!(e, RunEvent::ExchangeCaptured { .. }))
        .count();
    assert_eq!(exchanges, run.exchanges.len());
    let findings = events
        .iter()
        .filter(|e| matches!(e, RunEvent::Finding { .. }))
        .count();
    assert_eq!(findings, run.findings.len());

    // Redacted: no password anywhere, credential values masked, in the view and in the events.
    let json = serde_json::to_string(&view).unwrap();
    assert!(!json.contains(LAB_PASSWORD));
    assert!(
        !serde_json::to_string(&events)
            .unwrap()
            .contains(LAB_PASSWORD)
    );
    for c in &run.credentials {
        assert!(c.value.starts_with('‹'), "{} not redacted", c.label);
    }
    assert!(!run.revealed);

    // The timeline has a lane per credential.
    assert_eq!(view.timeline.lanes.len(), run.credentials.len());
    assert_eq!(view.timeline.start, run.started_at);

    // Recorded in the history, and `history_load`'s view equals what the run returned.
    let store = state.store().unwrap();
    let listed = store.list_runs(10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, run.id);
    assert_eq!(listed[0].status, "completed");
    let loaded = store.load_run(&run.id).await.unwrap();
    assert_eq!(loaded, *run);
    // The jar after each exchange, the same whenever it is derived (recorded times, not the clock).
    assert_eq!(view.jars.len(), run.exchanges.len());
    assert_eq!(authlens_desktop::types::RunView::of(loaded).jars, view.jars);
    // The run recorded its (bundled) profile; the list shows it once, with the bundled ones.
    let profiles = authlens_desktop::profiles::list(&state).await.unwrap();
    let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["Lab: session mode", "Lab: JWT mode", "Lab: hybrid mode"]
    );
    // The run is no longer cancellable.
    assert!(!state.cancel_run("r1"));
    assert_eq!(state.running(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_flaws_reach_the_lab_and_show_in_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let mut request = lab_request("r2", "jwt", &["no-rotation"]);
    request.scenarios = vec!["lifecycle".into()];
    let view = run_request(&state, request, EventSink::none())
        .await
        .unwrap();
    assert_eq!(view.run.scenarios, vec!["lifecycle"]);
    let rotation = view
        .run
        .findings
        .iter()
        .find(|f| f.check_id == "refresh.rotation")
        .unwrap();
    assert_eq!(rotation.status, Status::Fail, "{}", rotation.summary);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_run_stops_a_run_by_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let state = std::sync::Arc::new(state(&dir).await);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let task = {
        let state = state.clone();
        tokio::spawn(async move {
            run_request(&state, lab_request("r3", "jwt", &[]), EventSink::new(tx)).await
        })
    };
    // Registered before the lab starts: cancel as soon as it is there.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !state.cancel_run("r3") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the run never registered"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let view = task.await.unwrap().unwrap();
    assert_eq!(view.run.status, RunStatus::Cancelled);
    assert_eq!(view.run.error.as_ref().unwrap().code, "cancelled");
    let events = drain(&mut rx);
    assert!(matches!(events.last(), Some(RunEvent::Finished { .. })));
    assert_eq!(
        state.store().unwrap().list_runs(0).await.unwrap()[0].status,
        "cancelled"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_fail_with_a_code_and_a_failed_event() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let err = run_request(&state, lab_request("b1", "nope", &[]), EventSink::new(tx))
        .await
        .unwrap_err();
    assert_eq!(err.code, "request.invalid");
    let events = drain(&mut rx);
    assert!(matches!(&events[..], [RunEvent::Failed { error }] if error.code == "request.invalid"));

    // A flaw that has no effect in the mode: the lab says so.
    let err = run_request(
        &state,
        lab_request("b2", "jwt", &["fixation"]),
        EventSink::none(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, "lab.flaw-not-applicable");

    let mut request = lab_request("b3", "jwt", &[]);
    request.scenarios = vec!["everything".into()];
    let err = run_request(&state, request, EventSink::none())
        .await
        .unwrap_err();
    assert_eq!(err.code, "request.invalid");

    let request = RunRequest {
        request_id: "b4".into(),
        target: RunTarget::Profile {
            toml: "name = \"x\"\n[login]\nmethod = 3\n".into(),
            password: Some("s3cret-pass".into()),
        },
        scenarios: vec![],
        settings: None,
        reveal: false,
        jwt_secret: None,
    };
    let err = run_request(&state, request, EventSink::none())
        .await
        .unwrap_err();
    assert_eq!(err.code, "profile.invalid");
    assert!(!err.message.contains("s3cret-pass"));

    let err = run_request(&state, lab_request("  ", "jwt", &[]), EventSink::none())
        .await
        .unwrap_err();
    assert_eq!(err.code, "request.invalid");
    assert_eq!(state.running(), 0);
    assert!(
        state
            .store()
            .unwrap()
            .list_runs(0)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_id_already_running_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let _held = state
        .register_run("dup", authlens_core::events::CancellationToken::new())
        .unwrap();
    let err = run_request(&state, lab_request("dup", "jwt", &[]), EventSink::none())
        .await
        .unwrap_err();
    assert_eq!(err.code, "run.duplicate");
    assert_eq!(state.running(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_a_tauri_channel_in_order() {
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let channel = {
        let received = received.clone();
        tauri::ipc::Channel::new(move |body| {
            if let tauri::ipc::InvokeResponseBody::Json(json) = body {
                received.lock().unwrap().push(json);
            }
            Ok(())
        })
    };
    let (sink, forwarder) = forward_to_channel(channel);
    for i in 0..50 {
        sink.emit(RunEvent::Finished {
            run_id: format!("run-{i}"),
        });
    }
    drop(sink);
    forwarder.flush().await;
    let received = received.lock().unwrap();
    assert_eq!(received.len(), 50);
    for (i, json) in received.iter().enumerate() {
        let event: RunEvent = serde_json::from_str(json).unwrap();
        assert_eq!(
            event,
            RunEvent::Finished {
                run_id: format!("run-{i}")
            }
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_are_saved_validated_and_listed_after_the_bundled_ones() {
    use authlens_desktop::profiles;
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let toml = authlens_desktop::lab::profile_toml(authlens_lab::Mode::Jwt)
        .replace("Lab: JWT mode", "My API");
    profiles::save(&state, "  My API ", &toml).await.unwrap();
    let list = profiles::list(&state).await.unwrap();
    assert_eq!(list.len(), 4);
    assert_eq!(list[3].name, "My API");
    assert_eq!(list[3].toml, toml);

    let with_password = toml.replace(
        "username = \"alice@lab.test\"",
        "username = \"alice@lab.test\"\npassword = \"hunter2-hunter2\"",
    );
    let err = profiles::save(&state, "Leaky", &with_password)
        .await
        .unwrap_err();
    assert_eq!(err.code, "profile.invalid");
    assert!(!err.message.contains("hunter2-hunter2"));
    assert_eq!(
        profiles::save(&state, " ", &toml).await.unwrap_err().code,
        "request.invalid"
    );
    assert_eq!(profiles::list(&state).await.unwrap().len(), 4);
}

/// A profile run against the in-process lab: the profile's own text, its base URL pointing at the lab.
async fn profile_toml_for_lab(dir: &tempfile::TempDir) -> (authlens_lab::LabHandle, String) {
    use std::collections::BTreeSet;
    let lab = authlens_desktop::lab::start(
        authlens_lab::Mode::Jwt,
        BTreeSet::new(),
        authlens_lab::Signing::default(),
        &authlens_lab::Shape::default(),
        dir.path(),
    )
    .await
    .unwrap();
    let ca = dir.path().join("lab-ca.pem");
    std::fs::write(&ca, &lab.cert_pem).unwrap();
    let toml = authlens_desktop::lab::profile_toml(authlens_lab::Mode::Jwt)
        .replace("https://127.0.0.1:8443", &lab.https_url)
        .replace(
            "http_base_url = \"http://127.0.0.1:8080\"\n",
            &format!("http_base_url = \"{}\"\n", lab.http_url.as_deref().unwrap()),
        )
        .replace(
            "trust = \"lab\"",
            &format!(
                "trust = \"ca-file\"\nca_file = {:?}",
                ca.display().to_string()
            ),
        );
    (lab, toml)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_run_uses_the_password_it_is_given_and_keeps_it_out_of_everything() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let (lab, toml) = profile_toml_for_lab(&dir).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let request = RunRequest {
        request_id: "p1".into(),
        target: RunTarget::Profile {
            toml,
            password: Some(LAB_PASSWORD.into()),
        },
        scenarios: vec!["lifecycle".into()],
        settings: None,
        reveal: true,
        jwt_secret: None,
    };
    let view = run_request(&state, request, EventSink::new(tx)).await;
    lab.shutdown().await;
    let view = view.unwrap();
    assert_eq!(
        view.run.status,
        RunStatus::Completed,
        "{:?}",
        view.run.error
    );
    assert!(view.run.targets[0].starts_with("https://127.0.0.1:"));
    // Not in the view (even with reveal), the events, nor the history.
    assert!(!serde_json::to_string(&view).unwrap().contains(LAB_PASSWORD));
    let events = drain(&mut rx);
    assert!(
        !serde_json::to_string(&events)
            .unwrap()
            .contains(LAB_PASSWORD)
    );
    let stored = state.store().unwrap().load_run(&view.run.id).await.unwrap();
    assert!(
        !serde_json::to_string(&stored)
            .unwrap()
            .contains(LAB_PASSWORD)
    );
}

/// No password sent: the run asks the OS keychain. Nothing is stored for this account (a fresh port), so
/// the run stops before any request with a typed keychain error: unavailable where no Secret Service runs
/// (CI), not stored where one does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_run_without_a_password_takes_the_keychain_and_says_why_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let (lab, toml) = profile_toml_for_lab(&dir).await;
    let account = format!("alice@lab.test at {}", lab.https_url.trim_end_matches('/'));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let request = RunRequest {
        request_id: "p2".into(),
        target: RunTarget::Profile {
            toml,
            password: None,
        },
        scenarios: vec![],
        settings: None,
        reveal: false,
        jwt_secret: None,
    };
    let err = run_request(&state, request, EventSink::new(tx)).await;
    lab.shutdown().await;
    let err = err.unwrap_err();
    match err.code.as_str() {
        "keychain.unavailable" => {
            assert!(
                err.message.starts_with("no OS keychain available: "),
                "{}",
                err.message
            )
        }
        "keychain.not-stored" => assert_eq!(
            err.message,
            format!("no password is stored in the OS keychain for {account}")
        ),
        "keychain.locked" => {}
        other => panic!("unexpected {other}: {}", err.message),
    }
    let events = drain(&mut rx);
    assert!(matches!(&events[..], [RunEvent::Failed { error }] if error.code == err.code));
    assert_eq!(state.running(), 0);
    assert!(
        state
            .store()
            .unwrap()
            .list_runs(0)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Remember, run without a password, forget: through the real OS keychain. It writes to the keychain of
/// whoever runs it, so it is ignored by default; `bash scripts/test-keychain.sh` runs it under a throwaway
/// Secret Service.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes to the OS keychain; scripts/test-keychain.sh runs it against a throwaway one"]
async fn a_profile_run_takes_the_password_kept_in_the_os_keychain() {
    use authlens_desktop::passwords;
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let (lab, toml) = profile_toml_for_lab(&dir).await;
    let status = passwords::status(&toml).await.unwrap();
    assert!(status.available && !status.stored, "{status:?}");
    let saved = passwords::save(&toml, LAB_PASSWORD.into()).await.unwrap();
    assert!(saved.stored);
    assert!(passwords::status(&toml).await.unwrap().stored);

    let request = RunRequest {
        request_id: "k1".into(),
        target: RunTarget::Profile {
            toml: toml.clone(),
            password: None,
        },
        scenarios: vec!["lifecycle".into()],
        settings: None,
        reveal: false,
        jwt_secret: None,
    };
    let view = run_request(&state, request, EventSink::none()).await;
    let forgotten = passwords::forget(&toml).await.unwrap();
    lab.shutdown().await;
    let view = view.unwrap();
    assert_eq!(
        view.run.status,
        RunStatus::Completed,
        "{:?}",
        view.run.error
    );
    assert!(!serde_json::to_string(&view).unwrap().contains(LAB_PASSWORD));
    assert!(!forgotten.stored);
    assert!(!passwords::status(&toml).await.unwrap().stored);
}
