//! The Tauri commands: thin wrappers over the core and this crate's modules. Every command is async (it runs
//! on the async runtime, never on the UI thread) and returns `Result<T, ApiError>`; arguments keep their
//! snake_case names on the JavaScript side too (`rename_all = "snake_case"`), like every field in the bindings.

use std::time::Duration;

use authlens_core::checks::catalogue::{self, CheckDoc};
use authlens_core::events::{EventSink, RunEvent};
use authlens_core::model::DecodedJwt;
use authlens_core::profile::ProfileForm;
use authlens_core::store::RunSummary;
use authlens_core::tokens::jwt;
use authlens_core::tokens::weak_secret::{AuditProgress, AuditReport};
use tauri::State;
use tauri::ipc::Channel;

use crate::error::ApiError;
use crate::state::AppState;
use crate::types::{
    AppInfo, AuditRequest, LabCatalogue, PasswordStatus, ProfileCheck, ProfileFormRead, RunRequest,
    RunView, SavedProfile,
};
use crate::{audit, lab, passwords, profiles, references, run};

#[tauri::command(rename_all = "snake_case")]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, ApiError> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        data_dir: state.data_dir().display().to_string(),
        db_path: state.db_path().display().to_string(),
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn lab_catalogue() -> Result<LabCatalogue, ApiError> {
    Ok(lab::catalogue())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn check_catalogue() -> Result<Vec<CheckDoc>, ApiError> {
    Ok(catalogue::docs())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn start_run(
    state: State<'_, AppState>,
    request: RunRequest,
    on_event: Channel<RunEvent>,
) -> Result<RunView, ApiError> {
    let (sink, forwarder) = forward_to_channel(on_event);
    let result = run::run_request(&state, request, sink).await;
    forwarder.flush().await;
    result
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cancel_run(state: State<'_, AppState>, request_id: String) -> Result<bool, ApiError> {
    Ok(state.cancel_run(&request_id))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn history_list(
    state: State<'_, AppState>,
    limit: u32,
) -> Result<Vec<RunSummary>, ApiError> {
    Ok(state.store()?.list_runs(limit).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn history_load(state: State<'_, AppState>, id: String) -> Result<RunView, ApiError> {
    Ok(RunView::of(state.store()?.load_run(&id).await?))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn profile_validate(toml: String) -> Result<ProfileCheck, ApiError> {
    Ok(profiles::validate(&toml))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn profile_form_read(toml: String) -> Result<ProfileFormRead, ApiError> {
    Ok(profiles::form_read(&toml))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn profile_form_apply(toml: String, form: ProfileForm) -> Result<String, ApiError> {
    profiles::form_apply(&toml, &form)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn profiles_list(state: State<'_, AppState>) -> Result<Vec<SavedProfile>, ApiError> {
    profiles::list(&state).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn profile_save(
    state: State<'_, AppState>,
    name: String,
    toml: String,
) -> Result<(), ApiError> {
    profiles::save(&state, &name, &toml).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn decode_token(token: String) -> Result<Option<DecodedJwt>, ApiError> {
    Ok(jwt::decode(token.trim()))
}

// The weak-secret audit tool: off the async threads, progress on a channel, cancellable by id.

#[tauri::command(rename_all = "snake_case")]
pub async fn audit_weak_secret(
    state: State<'_, AppState>,
    request: AuditRequest,
    on_progress: Channel<AuditProgress>,
) -> Result<AuditReport, ApiError> {
    audit::audit(&state, request, move |p| {
        // A closed webview cannot take progress any more; the audit goes on until it ends or is cancelled.
        if let Err(e) = on_progress.send(p.clone()) {
            tracing::debug!("audit progress not delivered: {e}");
        }
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cancel_audit(state: State<'_, AppState>, audit_id: String) -> Result<bool, ApiError> {
    Ok(state.cancel_audit(&audit_id))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn ui_ready() -> Result<(), ApiError> {
    crate::startup::first_view_painted();
    Ok(())
}

// OS keychain: a profile's password, keyed by its username at its base URL's origin.

#[tauri::command(rename_all = "snake_case")]
pub async fn password_status(toml: String) -> Result<PasswordStatus, ApiError> {
    passwords::status(&toml).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn password_save(toml: String, password: String) -> Result<PasswordStatus, ApiError> {
    passwords::save(&toml, password).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn password_forget(toml: String) -> Result<PasswordStatus, ApiError> {
    passwords::forget(&toml).await
}

// Catalogue references: resolved here from the catalogue, opened in the system browser.

#[tauri::command(rename_all = "snake_case")]
pub async fn reference_url(reference: String) -> Result<String, ApiError> {
    references::url(&reference)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn open_reference(reference: String) -> Result<String, ApiError> {
    references::open(&reference).await
}

/// Forwards run events from the core's sink to the webview's channel, in order, off the run's task.
pub struct Forwarder(tauri::async_runtime::JoinHandle<()>);

pub fn forward_to_channel(channel: Channel<RunEvent>) -> (EventSink, Forwarder) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<RunEvent>();
    let task = tauri::async_runtime::spawn(async move {
        while let Some(event) = rx.recv().await {
            // A closed webview cannot take events any more; keep draining so the run never waits.
            if let Err(e) = channel.send(event) {
                tracing::debug!("run event not delivered: {e}");
            }
        }
    });
    (EventSink::new(tx), Forwarder(task))
}

impl Forwarder {
    /// Wait until every event sent so far is handed to the channel (the run's senders are gone by now), so
    /// the UI sees the last event before the command's answer. Bounded: a stuck webview cannot hang the run.
    pub async fn flush(self) {
        if tokio::time::timeout(Duration::from_secs(5), self.0)
            .await
            .is_err()
        {
            tracing::warn!("run events still pending after 5 s; not waiting for them");
        }
    }
}
