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
        while let Some(ev) = rx.recv().await {
            match ev {
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
