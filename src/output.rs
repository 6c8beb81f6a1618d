//! Rendering runs in the chosen format, and turning findings into an exit code.

use std::io::{IsTerminal, Write};

use authlens_core::model::{Run, RunStatus, Severity};
use authlens_core::report;
use authlens_core::timeline;

use crate::cli::{Format, ReportArgs};

pub const EXIT_OK: u8 = 0;
/// Findings at or above --fail-on.
pub const EXIT_FINDINGS: u8 = 1;
/// The run could not be done: bad profile, target down, TLS failure...
pub const EXIT_ERROR: u8 = 2;
pub const EXIT_CANCELLED: u8 = 130;

/// Render runs (already redacted) as the user asked.
pub fn render(runs: &[Run], format: Format, color: bool, details: bool) -> String {
    match format {
        Format::Text => {
            let width = terminal_width();
            runs.iter()
                .map(|r| {
                    let t = timeline::build(r);
                    report::text::render(
                        r,
                        &t,
                        &report::text::TextOptions {
                            color,
                            width,
                            verbose: details,
                        },
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
        Format::Json => {
            let pairs: Vec<_> = runs
                .iter()
                .map(|r| (r.clone(), timeline::build(r)))
                .collect();
            report::json::render(&pairs)
        }
        Format::Junit => report::junit::render(runs, Severity::High),
        Format::Sarif => report::sarif::render(runs),
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 60)
        .unwrap_or(100)
        .min(160)
}

/// Write the report where asked: a file, or stdout (coloured on a terminal unless NO_COLOR).
pub fn emit(runs: &[Run], args: &ReportArgs) -> Result<(), String> {
    let to_terminal = args.out.is_none() && std::io::stdout().is_terminal();
    let color = to_terminal && std::env::var_os("NO_COLOR").is_none();
    let mut text = match args.format {
        Format::Junit => report::junit::render(runs, args.fail_on.0.unwrap_or(Severity::Critical)),
        f => render(runs, f, color, args.details),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .map_err(|e| format!("cannot write the report: {e}"))
        }
    }
}

/// 2 if a run failed, 130 if cancelled, 1 if any finding reaches the threshold, else 0.
pub fn exit_code(runs: &[Run], fail_on: Option<Severity>) -> u8 {
    if runs.iter().any(|r| r.status == RunStatus::Cancelled) {
        return EXIT_CANCELLED;
    }
    if runs.iter().any(|r| r.status == RunStatus::Failed) {
        return EXIT_ERROR;
    }
    let Some(threshold) = fail_on else {
        return EXIT_OK;
    };
    let hit = runs
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| f.status.is_problem() && f.severity >= threshold)
        || unchecked_results(runs).any(|r| r.status.is_problem() && r.severity >= threshold);
    if hit { EXIT_FINDINGS } else { EXIT_OK }
}

/// Scenario results no check summarises (latency): they count on their own.
fn unchecked_results(runs: &[Run]) -> impl Iterator<Item = &authlens_core::model::ScenarioResult> {
    runs.iter()
        .flat_map(|r| &r.results)
        .filter(|r| r.check_id.is_none())
}

/// A one-line verdict on stderr, so a CI log says why the exit code is what it is.
pub fn summary_line(runs: &[Run], fail_on: Option<Severity>) -> String {
    let mut at_or_above = 0;
    let (mut fails, mut warns) = (0, 0);
    for f in runs.iter().flat_map(|r| &r.findings) {
        match f.status {
            authlens_core::model::Status::Fail => fails += 1,
            authlens_core::model::Status::Warn => warns += 1,
            _ => {}
        }
        if f.status.is_problem() && fail_on.is_some_and(|t| f.severity >= t) {
            at_or_above += 1;
        }
    }
    let threshold = fail_on.map(|s| s.as_str()).unwrap_or("none");
    let results = unchecked_results(runs)
        .filter(|r| r.status.is_problem() && fail_on.is_some_and(|t| r.severity >= t))
        .count();
    let results = if results > 0 {
        format!(" and {results} scenario result(s)")
    } else {
        String::new()
    };
    format!(
        "authlens: {} run(s), {fails} fail, {warns} warn; {at_or_above} finding(s){results} at or above --fail-on {threshold}",
        runs.len()
    )
}
