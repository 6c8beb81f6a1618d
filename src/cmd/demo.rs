//! `authlens demo`: start the bundled lab in-process and run the whole lifecycle against each mode.

use authlens_core::flow::RunOptions;
use authlens_core::flow::Scenario;
use authlens_core::profile::Profile;
use authlens_core::redact::Redactor;
use authlens_lab::{Flaw, LabConfig, Mode, Shape};

use crate::cli::DemoArgs;
use crate::output;

/// The bundled profiles, so the demo works from any directory.
pub fn lab_profile(mode: Mode) -> &'static str {
    match mode {
        Mode::Session => include_str!("../../profiles/lab-session.toml"),
        Mode::Jwt => include_str!("../../profiles/lab-jwt.toml"),
        Mode::Hybrid => include_str!("../../profiles/lab-hybrid.toml"),
    }
}

pub async fn demo(args: DemoArgs) -> u8 {
    let modes = if args.modes.is_empty() {
        Mode::ALL.to_vec()
    } else {
        args.modes.clone()
    };
    for flaw in &args.flaws {
        if !modes.iter().any(|m| flaw.applies_to(*m)) {
            let fits: Vec<String> = Mode::ALL
                .iter()
                .filter(|m| flaw.applies_to(**m))
                .map(|m| m.to_string())
                .collect();
            return super::fail(format!(
                "flaw `{flaw}` has no effect in the chosen modes (it applies to: {})",
                fits.join(", ")
            ));
        }
    }
    let store = match super::open_store(&args.report).await {
        Ok(s) => s,
        Err(e) => return super::fail(e),
    };
    let user = &authlens_lab::USERS[0];
    let scenarios = crate::cli::picked_scenarios(&args.scenario);
    let shape = Shape {
        replicas: args.replicas,
        store: args.store.clone(),
        needs_replicas: scenarios.contains(&Scenario::Replicas),
        short_lifetimes: args
            .short_lifetimes
            .unwrap_or(Scenario::want_short_lifetimes(&scenarios)),
    };
    let mut runs = Vec::new();
    for mode in modes {
        let flaws: std::collections::BTreeSet<Flaw> = args
            .flaws
            .iter()
            .copied()
            .filter(|f| f.applies_to(mode))
            .collect();
        let mut cfg = LabConfig::new(mode);
        cfg.flaws = flaws.clone();
        cfg.signing = args.signing;
        cfg.http_port = Some(0);
        cfg.tls_dir = authlens_core::paths::lab_tls_dir();
        let cfg = match cfg.shaped(&shape) {
            Ok(c) => c,
            Err(e) => return super::fail(e),
        };
        let lab = match authlens_lab::start(cfg).await {
            Ok(l) => l,
            Err(e) => return super::fail(format!("cannot start the lab: {e}")),
        };
        let flaw_list = if flaws.is_empty() {
            "safe defaults".to_string()
        } else {
            flaws
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let urls: Vec<&str> = lab.replicas.iter().map(|r| r.https_url.as_str()).collect();
        eprintln!(
            "authlens demo: lab in {mode} mode ({flaw_list}) at {} — store: {}",
            urls.join(", "),
            lab.store_description()
        );
        let profile = match Profile::from_toml(lab_profile(mode), None) {
            Ok(p) => p,
            Err(e) => return super::fail(format!("bundled profile for {mode}: {e}")),
        };
        let mut opts = RunOptions::new(user.password);
        opts.reveal = args.report.reveal;
        opts.store = store.clone();
        opts.scenarios = scenarios.clone();
        if let Err(e) = opts.retarget(
            &lab.https_url,
            lab.http_url.as_deref(),
            &lab.cert_pem,
            &lab.other_replicas(),
        ) {
            lab.shutdown().await;
            return super::fail(format!("lab address for {mode}: {e}"));
        }
        // The in-process lab's HMAC secret verifies its tokens (asymmetric labs publish their keys).
        opts.jwt_secret = lab.jwt_secret();
        opts.jwks_cache = None;
        let result = super::execute(&profile, opts, format!("{mode} mode")).await;
        lab.shutdown().await;
        match result {
            Ok(run) => {
                runs.push(Redactor::for_run(&run, user.password, args.report.reveal).run(&run))
            }
            Err(e) => return super::fail(e),
        }
    }
    if let Err(e) = output::emit(&runs, &args.report) {
        return super::fail(e);
    }
    eprintln!("{}", output::summary_line(&runs, args.report.fail_on.0));
    output::exit_code(&runs, args.report.fail_on.0)
}
