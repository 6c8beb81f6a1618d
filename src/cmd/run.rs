//! `authlens run PROFILE`: run a target profile and report.

use std::io::IsTerminal;

use authlens_core::flow::RunOptions;
use authlens_core::profile::Profile;
use authlens_core::redact::Redactor;

use crate::cli::RunArgs;
use crate::output;

pub async fn run(args: RunArgs) -> u8 {
    let profile = match Profile::load(&args.profile) {
        Ok(p) => p,
        Err(e) => return super::fail(e),
    };
    let password = match password_for(&profile) {
        Ok(p) => p,
        Err(e) => return super::fail(e),
    };
    let store = match super::open_store(&args.report).await {
        Ok(s) => s,
        Err(e) => return super::fail(e),
    };
    let mut opts = RunOptions::new(password.clone());
    opts.reveal = args.report.reveal;
    opts.store = store;
    opts.base_url_override = args.base_url.clone();
    opts.http_base_url_override = args.http_base_url.clone();
    opts.plain_http_probe = args.base_url.is_none() || args.http_base_url.is_some();
    opts.scenarios = crate::cli::picked_scenarios(&args.scenario);
    if !args.replicas.is_empty() {
        opts.replicas_override = Some(args.replicas.clone());
    }
    let mut settings = profile.scenarios.clone();
    let set = |slot: &mut u64, v: Option<u64>| {
        if let Some(v) = v {
            *slot = v;
        }
    };
    set(&mut settings.expiry_skew_secs, args.expiry_skew);
    set(&mut settings.expiry_max_wait_secs, args.max_wait);
    set(&mut settings.latency_deadline_secs, args.latency_deadline);
    set(&mut settings.idle_max_gap_secs, args.idle_max);
    if let Some(n) = args.entropy_samples {
        settings.entropy_samples = n;
    }
    if let Some(n) = args.rate_limit_attempts {
        settings.rate_limit_attempts = n;
    }
    opts.settings = Some(settings);
    if args.jwt_secret_prompt {
        match rpassword::prompt_password("HMAC secret to verify JWTs with: ") {
            Ok(s) => opts.jwt_secret = Some(s),
            Err(e) => return super::fail(format!("cannot read the JWT secret: {e}")),
        }
    }
    opts.jwt_wordlists = args.wordlists.clone();
    if !args.no_jwks_cache {
        opts.jwks_cache = Some(authlens_core::tokens::jwks_cache::JwksCache::default_location());
    }
    let run = match super::execute(&profile, opts, profile.name.clone()).await {
        Ok(r) => r,
        Err(e) => return super::fail(e),
    };
    let redacted = Redactor::for_run(&run, &password, args.report.reveal).run(&run);
    if let Err(e) = output::emit(std::slice::from_ref(&redacted), &args.report) {
        return super::fail(e);
    }
    if let Some(err) = &redacted.error {
        eprintln!("error: run {}: {}", redacted.status.as_str(), err.message);
    }
    eprintln!(
        "{}",
        output::summary_line(std::slice::from_ref(&redacted), args.report.fail_on.0)
    );
    output::exit_code(&[redacted], args.report.fail_on.0)
}

/// From the profile's environment variable, else a prompt on a terminal; never from the file.
fn password_for(profile: &Profile) -> Result<String, String> {
    if let Ok(p) = std::env::var(&profile.password_env) {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(format!(
            "Password for {} at {}: ",
            profile.username, profile.base_url
        ))
        .map_err(|e| format!("cannot read the password: {e}"));
    }
    Err(format!(
        "no password: set {} (the profile's password_env) or run in a terminal to be asked",
        profile.password_env
    ))
}
