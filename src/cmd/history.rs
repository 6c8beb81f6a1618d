//! `authlens history`: past runs from the SQLite store.

use authlens_core::store::Store;

use crate::cli::{Format, HistoryAction, HistoryArgs};

pub async fn history(args: HistoryArgs) -> u8 {
    let path = args
        .db
        .clone()
        .unwrap_or_else(authlens_core::paths::default_db);
    if !path.exists() {
        println!(
            "No history yet ({} does not exist). Run `authlens demo` or `authlens run PROFILE` first.",
            path.display()
        );
        return 0;
    }
    let store = match Store::open(&path).await {
        Ok(s) => s,
        Err(e) => return super::fail(e),
    };
    match args.action.unwrap_or(HistoryAction::List { limit: 20 }) {
        HistoryAction::List { limit } => {
            let runs = match store.list_runs(limit).await {
                Ok(r) => r,
                Err(e) => return super::fail(e),
            };
            if runs.is_empty() {
                println!("No runs recorded in {}.", path.display());
                return 0;
            }
            println!(
                "{:<13} {:<20} {:<11} {:>5} {:>5} {:>5} {:>4}  profile",
                "id", "started (UTC)", "status", "fail", "warn", "pass", "ex"
            );
            for r in runs {
                let started = time::OffsetDateTime::from_unix_timestamp(r.started_at / 1000)
                    .ok()
                    .and_then(|t| {
                        t.format(time::macros::format_description!(
                            "[year]-[month]-[day] [hour]:[minute]:[second]"
                        ))
                        .ok()
                    })
                    .unwrap_or_default();
                let id = authlens_core::report::short_id(&r.id);
                println!(
                    "{id:<13} {started:<20} {:<11} {:>5} {:>5} {:>5} {:>4}  {}",
                    r.status,
                    r.fails,
                    r.warns,
                    r.passes,
                    r.exchanges,
                    authlens_core::report::sanitize(&r.profile_name)
                );
            }
            println!(
                "\n`authlens history show ID` shows one (a unique prefix of the id is enough)."
            );
            0
        }
        HistoryAction::Show { id, format } => {
            let run = match store.load_run(&id).await {
                Ok(r) => r,
                Err(e) => return super::fail(e),
            };
            let color = format == Format::Text
                && std::io::IsTerminal::is_terminal(&std::io::stdout())
                && std::env::var_os("NO_COLOR").is_none();
            println!("{}", crate::output::render(&[run], format, color, false));
            0
        }
    }
}
