//! A run streams progress events in order and can be cancelled midway, keeping what it captured.

mod support;

use authlens_core::events::{EventSink, RunEvent};
use authlens_core::flow;
use authlens_core::model::RunStatus;
use authlens_core::profile::Profile;
use authlens_lab::Mode;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_stream_in_order() {
    let lab = start_lab(Mode::Jwt, &[]).await;
    let profile = Profile::load(&profile_path(Mode::Jwt)).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut opts = lab_options(&lab);
    opts.events = EventSink::new(tx);
    let run = flow::run(&profile, opts).await.unwrap();
    lab.shutdown().await;
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    assert!(
        matches!(events.first(), Some(RunEvent::Started { total_steps, .. }) if *total_steps > 0)
    );
    assert!(matches!(events.last(), Some(RunEvent::Finished { .. })));
    let captured = events
        .iter()
        .filter(|e| matches!(e, RunEvent::ExchangeCaptured { .. }))
        .count();
    assert_eq!(captured, run.exchanges.len());
    let findings = events
        .iter()
        .filter(|e| matches!(e, RunEvent::Finding { .. }))
        .count();
    assert_eq!(findings, run.findings.len());
    assert!(
        events
            .iter()
            .any(|e| matches!(e, RunEvent::ReplayResult { .. }))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_run_stops_and_keeps_what_it_captured() {
    let lab = start_lab(Mode::Jwt, &[]).await;
    let profile = Profile::load(&profile_path(Mode::Jwt)).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut opts = lab_options(&lab);
    opts.events = EventSink::new(tx);
    let cancel = opts.cancel.clone();
    // Cancel as soon as the second exchange is captured, the way Ctrl-C or the app's button does.
    let watcher = tokio::spawn(async move {
        let mut seen = 0;
        while let Some(e) = rx.recv().await {
            if matches!(e, RunEvent::ExchangeCaptured { .. }) {
                seen += 1;
                if seen == 2 {
                    cancel.cancel();
                }
            }
        }
    });
    let run = flow::run(&profile, opts).await.unwrap();
    lab.shutdown().await;
    let _ = watcher.await;
    assert_eq!(run.status, RunStatus::Cancelled);
    assert_eq!(
        run.error.as_ref().map(|e| e.code.as_str()),
        Some("cancelled")
    );
    assert!(
        run.exchanges.len() >= 2 && run.exchanges.len() < 8,
        "stopped early: {}",
        run.exchanges.len()
    );
    assert!(run.finished_at.is_some());
}
