//! One run, from a UI request to the redacted view, without Tauri: `start_run` wraps [`run_request`] and
//! tests call it directly with any [`EventSink`].

use authlens_core::events::{CancellationToken, EventSink, RunEvent};
use authlens_core::flow::{self, RunOptions, Scenario};
use authlens_core::model::Run;
use authlens_core::redact::Redactor;

use crate::error::ApiError;
use crate::state::AppState;
use crate::types::{RunRequest, RunTarget, RunView};
use crate::{lab, passwords, profiles};

/// Run what `request` asks, streaming every [`RunEvent`] to `sink`, and return the run redacted (full
/// secrets only with `reveal`; the password never). The run is recorded in the history when it is open.
///
/// The event stream always ends with `finished` or `failed`: the core emits them for a run that started;
/// an error before that (bad request, bad profile, lab or TLS setup) is sent as `failed` here, and also
/// returned as the `Err`.
pub async fn run_request(
    state: &AppState,
    request: RunRequest,
    sink: EventSink,
) -> Result<RunView, ApiError> {
    let request_id = request.request_id.clone();
    let result = execute(state, request, sink.clone()).await;
    // The run's lab, client and buffers are gone by now.
    crate::memory::release_free_memory();
    match &result {
        Ok(view) => tracing::info!(
            request_id,
            run_id = %view.run.id,
            status = view.run.status.as_str(),
            exchanges = view.run.exchanges.len(),
            "run finished"
        ),
        Err(e) => {
            tracing::warn!(request_id, code = %e.code, "run not done: {}", e.message);
            sink.emit(RunEvent::Failed { error: e.info() });
        }
    }
    result
}

async fn execute(
    state: &AppState,
    request: RunRequest,
    sink: EventSink,
) -> Result<RunView, ApiError> {
    let scenarios = parse_scenarios(&request.scenarios)?;
    let cancel = CancellationToken::new();
    let _registered = state.register_run(&request.request_id, cancel.clone())?;
    let reveal = request.reveal;
    let settings = request.settings.clone();
    let jwt_secret = request.jwt_secret.clone().filter(|s| !s.is_empty());
    match request.target {
        RunTarget::Lab {
            mode,
            flaws,
            replicas,
            store,
            short_lifetimes,
            signing,
        } => {
            let (mode, flaws) = lab::parse_target(&mode, &flaws)?;
            tracing::info!(request_id = %request.request_id, %mode, ?flaws, ?replicas, "lab run requested");
            let profile = profiles::parse(lab::profile_toml(mode))?;
            let password = lab::run_user().password;
            let shape = lab::shape(&scenarios, replicas, store, short_lifetimes);
            let signing = lab::parse_signing(signing.as_deref())?;
            let lab = lab::start(mode, flaws, signing, &shape, state.lab_tls_dir()).await?;
            let mut opts = options(state, password, reveal, scenarios, sink, cancel);
            opts.settings = settings;
            if let Err(e) = lab::aim(&mut opts, &lab) {
                lab.shutdown().await;
                return Err(e);
            }
            let result = flow::run(&profile, opts).await;
            lab.shutdown().await;
            Ok(view(&result?, password, reveal))
        }
        RunTarget::Profile { toml, password } => {
            let from_keychain = password.is_none();
            tracing::info!(request_id = %request.request_id, from_keychain, "profile run requested");
            let profile = profiles::parse(&toml)?;
            let password = match password {
                Some(p) => p,
                None => passwords::load(&profile).await?,
            };
            let mut opts = options(state, &password, reveal, scenarios, sink, cancel);
            opts.settings = settings;
            opts.jwt_secret = jwt_secret;
            match flow::run(&profile, opts).await {
                Ok(run) => Ok(view(&run, &password, reveal)),
                Err(e) => {
                    // Setup errors carry no password today; make sure of it.
                    let mut redactor = Redactor::new(false);
                    redactor.add_password(&password);
                    let e = ApiError::from(e);
                    Err(ApiError::new(
                        e.code,
                        redactor.text(&e.message).into_owned(),
                    ))
                }
            }
        }
    }
}

fn options(
    state: &AppState,
    password: &str,
    reveal: bool,
    scenarios: Vec<Scenario>,
    sink: EventSink,
    cancel: CancellationToken,
) -> RunOptions {
    let mut opts = RunOptions::new(password);
    opts.reveal = reveal;
    opts.scenarios = scenarios;
    opts.events = sink;
    opts.cancel = cancel;
    opts.jwks_cache = Some(authlens_core::tokens::jwks_cache::JwksCache::default_location());
    opts.store = match state.store() {
        Ok(store) => Some(store.clone()),
        Err(e) => {
            tracing::warn!("this run is not recorded: {}", e.message);
            None
        }
    };
    opts
}

/// The run as the UI may see it: redacted like the history and reports.
fn view(run: &Run, password: &str, reveal: bool) -> RunView {
    RunView::of(Redactor::for_run(run, password, reveal).run(run))
}

/// Scenario names; empty means the default set. Duplicates are dropped, the runner's order is kept.
pub fn parse_scenarios(names: &[String]) -> Result<Vec<Scenario>, ApiError> {
    if names.is_empty() {
        return Ok(Scenario::DEFAULT.to_vec());
    }
    let mut out = names
        .iter()
        .map(|n| n.trim().parse::<Scenario>().map_err(ApiError::invalid))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_default_dedupe_and_reject_unknown() {
        assert_eq!(parse_scenarios(&[]).unwrap(), Scenario::DEFAULT);
        assert_eq!(
            parse_scenarios(&["rotation".into(), "lifecycle".into(), "rotation".into()]).unwrap(),
            vec![Scenario::Lifecycle, Scenario::Rotation]
        );
        let e = parse_scenarios(&["bogus".into()]).unwrap_err();
        assert_eq!(e.code, "request.invalid");
        assert!(
            e.message.contains("unknown scenario `bogus`"),
            "{}",
            e.message
        );
    }
}
