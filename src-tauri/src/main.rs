// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    authlens_desktop::startup::mark_launch();
    authlens_desktop::init_tracing();
    if let Some(why) = authlens_desktop::display::missing_display() {
        eprintln!("authlens-desktop: {why}");
        return ExitCode::from(2);
    }
    authlens_desktop::run_app()
}
