//! A progress bar on stderr drawn from the run's events (hidden when stderr is not a terminal).

use std::io::IsTerminal;

use authlens_core::events::RunEvent;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc::UnboundedReceiver;

pub fn spawn(mut rx: UnboundedReceiver<RunEvent>, title: String) -> tokio::task::JoinHandle<()> {
    let bar = ProgressBar::with_draw_target(
        Some(1),
        if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("{prefix:.bold} [{bar:30.cyan/blue}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(title);
    tokio::spawn(async move {
        // A wait (expiry, idle gap, latency deadline) counts down on the bar until the next event.
        let mut waiting: Option<(i64, String)> = None;
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
        loop {
            let ev = tokio::select! {
                ev = rx.recv() => ev,
                _ = tick.tick() => {
                    if let Some((until, reason)) = &waiting {
                        let left = until - authlens_core::flow::now_ms();
                        if left > 0 {
                            bar.set_message(format!("{} left: {reason}", countdown(left)));
                        }
                    }
                    continue;
                }
            };
            let Some(ev) = ev else { break };
            if !matches!(
                ev,
                RunEvent::ExchangeCaptured { .. } | RunEvent::ReplayResult { .. }
            ) {
                waiting = None;
            }
            match ev {
                RunEvent::Waiting { until, reason, .. } => {
                    bar.set_message(reason.clone());
                    waiting = Some((until, reason));
                }
                RunEvent::Started { total_steps, .. } => {
                    bar.set_length(u64::from(total_steps.max(1)))
                }
                RunEvent::StepStarted { label, index, .. } => {
                    if u64::from(index) > bar.length().unwrap_or(0) {
                        bar.set_length(u64::from(index));
                    }
                    bar.set_position(u64::from(index));
                    bar.set_message(label);
                }
                RunEvent::ReplayResult { label, verdict, .. } => {
                    bar.set_message(format!("{label}: {verdict:?}"));
                }
                RunEvent::Finished { .. } | RunEvent::Failed { .. } => {
                    bar.finish_and_clear();
                }
                _ => {}
            }
        }
        bar.finish_and_clear();
    })
}

/// "4.2 s", "3m 05s", "1h 02m".
fn countdown(ms: i64) -> String {
    let secs = ms / 1000;
    if secs < 60 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else if secs < 3600 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60)
    }
}
