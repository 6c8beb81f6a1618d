//! One module per subcommand; `execute` is the run loop `run` and `demo` share.

mod decode;
mod demo;
mod history;
mod lab;
mod run;
mod weak_secret;

use authlens_core::CoreError;
use authlens_core::events::{CancellationToken, EventSink};
use authlens_core::flow::{self, RunOptions};
use authlens_core::model::Run;
use authlens_core::profile::Profile;
use authlens_core::store::Store;

use crate::cli::{Cli, Command, ReportArgs};
use crate::output::EXIT_ERROR;

pub async fn dispatch(cli: Cli) -> u8 {
    match cli.command {
        Command::Demo(a) => demo::demo(a).await,
        Command::Run(a) => run::run(a).await,
        Command::Lab(a) => lab::lab(a).await,
        Command::Decode(a) => decode::decode(a),
        Command::History(a) => history::history(a).await,
        Command::WeakSecret(a) => weak_secret::weak_secret(a).await,
    }
}

/// Print an error the way every subcommand does, and give the exit code for it.
pub fn fail(message: impl std::fmt::Display) -> u8 {
    eprintln!("error: {message}");
    EXIT_ERROR
}

/// The history store the report args ask for (None with --no-store).
pub async fn open_store(args: &ReportArgs) -> Result<Option<Store>, CoreError> {
    if args.no_store {
        return Ok(None);
    }
    let path = args
        .db
        .clone()
        .unwrap_or_else(authlens_core::paths::default_db);
    Ok(Some(Store::open(&path).await?))
}

/// Run one profile with a progress bar and Ctrl-C cancellation.
pub async fn execute(
    profile: &Profile,
    mut opts: RunOptions,
    title: String,
) -> Result<Run, CoreError> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    opts.events = EventSink::new(tx);
    let cancel: CancellationToken = opts.cancel.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\ncancelling: finishing the current request, keeping what was captured");
            cancel.cancel();
        }
    });
    let bar = crate::progress::spawn(rx, title);
    let result = flow::run(profile, opts).await;
    ctrl_c.abort();
    let _ = bar.await;
    result
}
