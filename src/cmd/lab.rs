//! `authlens lab`: the bundled target server on 127.0.0.1 until Ctrl-C.

use authlens_lab::{Flaw, LabConfig, Lifetimes, Mode, RateLimit, Signing, StoreBackend};

use crate::cli::LabArgs;

pub async fn lab(args: LabArgs) -> u8 {
    if args.list_flaws {
        for f in Flaw::ALL {
            let modes: Vec<String> = Mode::ALL
                .iter()
                .filter(|m| f.applies_to(**m))
                .map(|m| m.to_string())
                .collect();
            println!(
                "{:<24} {}  [{}]",
                f.to_string(),
                f.describe(),
                modes.join(", ")
            );
        }
        return 0;
    }
    let store = match store_backend(&args) {
        Ok(s) => s,
        Err(e) => return super::fail(e),
    };
    let defaults = Lifetimes::default();
    let cfg = LabConfig {
        mode: args.mode,
        flaws: args.flaws.iter().copied().collect(),
        https_port: args.port,
        http_port: (args.http_port != 0).then_some(args.http_port),
        lifetimes: Lifetimes {
            access_secs: args.access_ttl.unwrap_or(defaults.access_secs),
            refresh_secs: args.refresh_ttl.unwrap_or(defaults.refresh_secs),
            session_secs: args.session_ttl.unwrap_or(defaults.session_secs),
            idle_secs: args.idle_ttl.unwrap_or(defaults.idle_secs),
        },
        tls_dir: authlens_core::paths::lab_tls_dir(),
        replicas: args.replicas,
        store,
        revocation_delay_ms: args.revocation_delay_ms,
        rate_limit: RateLimit {
            lockout_secs: args.lockout_secs,
            ..RateLimit::default()
        },
        signing: args.signing,
        jwt_secret: args.jwt_secret.clone(),
        key_rotation_secs: args.key_rotation_secs,
    };
    let lab = match authlens_lab::start(cfg).await {
        Ok(l) => l,
        Err(e) => return super::fail(e),
    };
    let flaws = if lab.flaws.is_empty() {
        "none (safe defaults)".to_string()
    } else {
        lab.flaws
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("Authlens lab — {} mode — flaws: {flaws}", lab.mode);
    let several = lab.replicas.len() > 1;
    for (i, replica) in lab.replicas.iter().enumerate() {
        let label = if several {
            format!("replica {}: ", i + 1)
        } else {
            String::new()
        };
        println!("  {label}https: {}", replica.https_url);
        if let Some(h) = &replica.http_url {
            println!("  {label}http:  {h} (redirects to https)");
        }
    }
    println!("  store: {}", lab.store_description());
    if let (Some(jwks), Some(oidc)) = (lab.jwks_url(), lab.openid_configuration_url()) {
        println!("  signing: {}", signing_line(&lab, &args));
        println!("  jwks:    {jwks}");
        println!("  oidc:    {oidc}");
        if lab.public_key_pem().is_some() {
            println!("  public key: {}/.well-known/public-key.pem", lab.https_url);
        }
    }
    println!(
        "  certificate: {} (profiles with tls.trust = \"lab\" trust it)",
        lab.cert_path.display()
    );
    println!("  users:");
    for u in authlens_lab::USERS {
        println!("    {} / {}  password: {}", u.username, u.email, u.password);
    }
    println!(
        "\nIn another terminal:\n  AUTHLENS_PASSWORD={} authlens run profiles/lab-{}.toml\n\nCtrl-C stops the lab.",
        authlens_lab::USERS[0].password,
        lab.mode
    );
    if args.port != 8443 || args.http_port != 8080 {
        println!(
            "(non-default ports: add --base-url {} to `authlens run`)",
            lab.https_url
        );
    }
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("stopping the lab");
    lab.shutdown().await;
    0
}

/// `es256, kid lab-es256-1, rotating every 60 s`. Never the HS256 secret itself: only
/// where it comes from.
fn signing_line(lab: &authlens_lab::LabHandle, args: &LabArgs) -> String {
    let mut line = format!(
        "{} ({}), kid {}",
        lab.signing(),
        lab.signing().alg(),
        lab.current_kid()
    );
    if lab.signing() == Signing::Hs256 {
        line.push_str(if lab.flaws.contains(&Flaw::WeakSecret) {
            ", secret: the weak-secret flaw's"
        } else if args.jwt_secret.is_some() {
            ", secret: the one given (--jwt-secret)"
        } else {
            ", secret: random for this run"
        });
    }
    if let Some(secs) = args.key_rotation_secs {
        line.push_str(&format!(", rotating every {secs} s"));
    }
    line
}

/// `--store` with its options; without `--store` the option given picks the kind.
fn store_backend(args: &LabArgs) -> Result<StoreBackend, String> {
    let kind = args
        .store
        .as_deref()
        .unwrap_or(if args.sqlite_path.is_some() {
            "sqlite"
        } else if args.redis_url.is_some() {
            "redis"
        } else {
            "memory"
        });
    match kind {
        "sqlite" if args.redis_url.is_none() => Ok(StoreBackend::Sqlite(args.sqlite_path.clone())),
        "redis" if args.sqlite_path.is_none() => Ok(StoreBackend::Redis(args.redis_url.clone())),
        "memory" if args.sqlite_path.is_none() && args.redis_url.is_none() => {
            Ok(StoreBackend::Memory)
        }
        _ => Err(format!(
            "--store {kind} does not go with {}",
            if args.sqlite_path.is_some() {
                "--sqlite-path (that is for --store sqlite)"
            } else {
                "--redis-url (that is for --store redis)"
            }
        )),
    }
}
