//! `authlens weak-secret TOKEN`: guess an HMAC-signed JWT's secret offline, with a progress bar.

use std::io::{IsTerminal, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use authlens_core::report::sanitize;
use authlens_core::tokens::weak_secret::{
    self, AuditOptions, AuditOutcome, AuditProgress, AuditReport, BLANK_SOURCE,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::WeakSecretArgs;
use crate::output::{EXIT_CANCELLED, EXIT_FINDINGS, EXIT_OK};

pub async fn weak_secret(args: WeakSecretArgs) -> u8 {
    let token = match read_token(&args.token) {
        Ok(t) => t,
        Err(e) => return super::fail(e),
    };
    let opts = AuditOptions {
        wordlists: args.wordlists.clone(),
        builtin: !args.no_builtin,
        time_limit: args.time_limit,
        threads: args.threads.unwrap_or(0),
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let ctrl_c = tokio::spawn({
        let cancel = cancel.clone();
        async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ncancelling");
                cancel.store(true, Ordering::SeqCst);
            }
        }
    });
    let bar = progress_bar();
    let audit = tokio::task::spawn_blocking({
        let (cancel, bar) = (cancel.clone(), bar.clone());
        move || {
            let on_progress = |p: &AuditProgress| show(&bar, p);
            weak_secret::audit(&token, &opts, &cancel, &on_progress)
        }
    })
    .await;
    ctrl_c.abort();
    bar.finish_and_clear();
    let report = match audit {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return super::fail(e),
        Err(e) => return super::fail(format!("the audit stopped: {e}")),
    };

    if args.json {
        let mut shown = report.clone();
        if let AuditOutcome::Found(f) = &mut shown.outcome
            && !args.reveal
        {
            f.secret = f.shortened();
        }
        println!(
            "{}",
            serde_json::to_string_pretty(&shown).unwrap_or_default()
        );
    } else {
        print!("{}", render(&report, args.reveal));
    }
    match report.outcome {
        AuditOutcome::Found(_) => EXIT_FINDINGS,
        AuditOutcome::Cancelled => EXIT_CANCELLED,
        AuditOutcome::NotFound | AuditOutcome::TimedOut => EXIT_OK,
    }
}

/// The argument, or stdin for `-`; trimmed, `Bearer ` dropped.
fn read_token(arg: &str) -> Result<String, String> {
    let token = if arg == "-" {
        let mut s = String::new();
        // Bounded: a token is not a file.
        std::io::stdin()
            .take(16 * 1024 * 1024)
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read the token from stdin: {e}"))?;
        s
    } else {
        arg.to_string()
    };
    let token = token.trim();
    let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
    if token.is_empty() {
        return Err("the token is empty".to_string());
    }
    Ok(token.to_string())
}

/// A bar over the wordlists' bytes (a spinner when their size is unknown); drawn only on a terminal.
fn progress_bar() -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    bar.set_style(spinner_style());
    bar.set_message("blank secret and built-in list");
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {wide_msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} [{bar:30.cyan/blue}] {percent:>3}% {wide_msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

fn show(bar: &ProgressBar, p: &AuditProgress) {
    if let Some(total) = p.bytes_total {
        if bar.length().is_none() {
            bar.set_length(total.max(1));
            bar.set_style(bar_style());
        }
        bar.set_position(p.bytes_done.min(total));
    }
    bar.set_message(format!(
        "{} tried, {}/s, {}",
        count(p.tried as f64),
        count(p.per_sec),
        sanitize(&p.source)
    ));
}

/// "950", "12.3 k", "8.12 M".
fn count(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.2} G", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.2} M", n / 1e6)
    } else if n >= 1e4 {
        format!("{:.1} k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

fn render(r: &AuditReport, reveal: bool) -> String {
    let mut out = String::new();
    let elapsed = r.elapsed_ms as f64 / 1000.0;
    let stats = format!(
        "{} candidates tried in {elapsed:.2} s ({} candidates/s)",
        r.tried,
        count(r.per_sec)
    );
    let sources = r
        .sources
        .iter()
        .map(|s| sanitize(s).into_owned())
        .collect::<Vec<_>>()
        .join(", ");
    match &r.outcome {
        AuditOutcome::Found(f) => {
            let what = if f.secret_len == 0 {
                "blank (the empty string)".to_string()
            } else if reveal {
                format!("\"{}\" ({} bytes)", sanitize(&f.secret), f.secret_len)
            } else {
                format!(
                    "\"{}\" ({} bytes; --reveal shows it)",
                    sanitize(&f.shortened()),
                    f.secret_len
                )
            };
            let place = if f.source == BLANK_SOURCE {
                "tried first".to_string()
            } else {
                format!("{}, line {}", sanitize(&f.source), f.line)
            };
            out.push_str(&format!(
                "found: the {} secret is {what} — {place}\n",
                r.alg
            ));
            out.push_str(
                "Anyone who has it can mint tokens this server accepts: replace it with at least 32 random \
bytes and revoke the tokens signed with it.\n",
            );
        }
        AuditOutcome::NotFound => out.push_str(&format!(
            "not found: no candidate signs this {} token (tried {sources})\n",
            r.alg
        )),
        AuditOutcome::TimedOut => out.push_str(&format!(
            "timed out: the {} secret is not among the first {} candidates\n",
            r.alg, r.tried
        )),
        AuditOutcome::Cancelled => out.push_str(&format!(
            "cancelled: the {} secret is not among the first {} candidates\n",
            r.alg, r.tried
        )),
    }
    out.push_str(&stats);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use authlens_core::tokens::weak_secret::FoundSecret;

    fn secret(s: &str) -> FoundSecret {
        FoundSecret {
            secret: s.to_string(),
            secret_len: s.len(),
            source: "x".into(),
            line: 1,
        }
    }

    #[test]
    fn redaction_never_shows_more_than_half() {
        assert_eq!(secret("secret").shortened(), "se…");
        assert_eq!(secret("abc").shortened(), "a…");
        assert_eq!(secret("a").shortened(), "…");
        assert_eq!(secret("ééééé").shortened(), "éé…");
    }

    #[test]
    fn counts_read_well() {
        assert_eq!(count(950.0), "950");
        assert_eq!(count(12_345.0), "12.3 k");
        assert_eq!(count(8_123_456.0), "8.12 M");
    }
}
