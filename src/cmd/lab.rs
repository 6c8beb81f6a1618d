//! `authlens lab`: the bundled target server on 127.0.0.1 until Ctrl-C.

use authlens_lab::{Flaw, LabConfig, Lifetimes, Mode};

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
                "{:<22} {}  [{}]",
                f.to_string(),
                f.describe(),
                modes.join(", ")
            );
        }
        return 0;
    }
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
            ..defaults
        },
        tls_dir: authlens_core::paths::lab_tls_dir(),
        ..LabConfig::new(args.mode)
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
    println!("  https: {}", lab.https_url);
    if let Some(h) = &lab.http_url {
        println!("  http:  {h} (redirects to https)");
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
