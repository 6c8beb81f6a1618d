//! Authlens desktop: the Tauri shell over `authlens-core`. The UI (../ui) talks to it only through the
//! commands in [`commands`] (contract: [`contract::COMMANDS`], TypeScript in `ui/src/lib/bindings`).
//!
//! Everything a command does lives in a module that does not need Tauri ([`run::run_request`],
//! [`profiles`], [`lab`]), so tests drive it directly.

use std::io::IsTerminal;
use std::process::ExitCode;

pub mod audit;
pub mod commands;
pub mod contract;
pub mod display;
pub mod downloads;
pub mod error;
pub mod lab;
pub mod memory;
pub mod passwords;
pub mod profiles;
pub mod references;
pub mod run;
pub mod startup;
pub mod state;
pub mod types;

pub use error::ApiError;
pub use run::run_request;
pub use state::AppState;

/// Logs to stderr, `RUST_LOG` to filter (default: info for Authlens, warnings for the rest). Secrets are
/// never logged: requests are logged by id and target kind, passwords and profile texts not at all.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(
            "warn,authlens_desktop=info,authlens_core=info,authlens_lab=info",
        )
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal, never in a redirected log file.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// Open the history, build the window and run the event loop until the window closes.
pub fn run_app() -> ExitCode {
    let state = tauri::async_runtime::block_on(AppState::open_default());
    let boot = tauri::async_runtime::block_on(startup::boot_script(&state));
    tracing::info!(
        db = %state.db_path().display(),
        since_launch_ms = startup::since_launch_ms(),
        "Authlens desktop starting"
    );
    let app = tauri::Builder::default()
        .manage(state)
        .setup(move |app| {
            create_main_window(app, &boot)?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::lab_catalogue,
            commands::check_catalogue,
            commands::start_run,
            commands::cancel_run,
            commands::history_list,
            commands::history_load,
            commands::profile_validate,
            commands::profile_form_read,
            commands::profile_form_apply,
            commands::profiles_list,
            commands::profile_save,
            commands::decode_token,
            commands::audit_weak_secret,
            commands::cancel_audit,
            commands::ui_ready,
            // OS keychain and reference links.
            commands::password_status,
            commands::password_save,
            commands::password_forget,
            commands::reference_url,
            commands::open_reference,
        ])
        .build(tauri::tauri_build_context!());
    match app {
        Ok(app) => {
            let code = app.run_return(|_, _| {});
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        Err(e) => {
            eprintln!("authlens-desktop: cannot start: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The main window, from its entry in tauri.conf.json (`create: false` there, so it is built here): the
/// same window plus the download handler that saves the UI's exports, and the Run view's first data.
fn create_main_window(app: &tauri::App, boot_script: &str) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .on_download(|_, event| downloads::handle(event))
        .initialization_script(boot_script)
        .build()?;
    Ok(())
}
