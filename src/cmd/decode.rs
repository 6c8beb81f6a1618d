//! `authlens decode TOKEN`: a JWT decoded for display (never verified), or an opaque token described.

use std::io::Read;

use authlens_core::flow::now_ms;
use authlens_core::redact::fingerprint;
// Claims come from whoever minted the token: no terminal escapes reach the screen.
use authlens_core::report::sanitize;
use authlens_core::tokens::{describe_time, jwt};

use crate::cli::DecodeArgs;

pub fn decode(args: DecodeArgs) -> u8 {
    let token = if args.token == "-" {
        let mut s = String::new();
        // Bounded: a token is not a file.
        if let Err(e) = std::io::stdin()
            .take(16 * 1024 * 1024)
            .read_to_string(&mut s)
        {
            return super::fail(format!("cannot read the token from stdin: {e}"));
        }
        s.trim().to_string()
    } else {
        args.token.trim().to_string()
    };
    if token.is_empty() {
        return super::fail("the token is empty");
    }
    let token = token.strip_prefix("Bearer ").unwrap_or(&token);
    let decoded = jwt::decode(token);
    if args.json {
        let v = serde_json::json!({
            "jwt": decoded,
            "length": token.len(),
            "fingerprint": fingerprint(token),
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return 0;
    }
    let now = now_ms();
    match decoded {
        None => {
            let alphabet = if token.chars().all(|c| c.is_ascii_hexdigit()) {
                "hex"
            } else if token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                "base64url"
            } else {
                "mixed"
            };
            println!(
                "opaque token (not a JWT): {} characters, {alphabet} alphabet, fingerprint {}",
                token.chars().count(),
                fingerprint(token)
            );
            println!(
                "An opaque token means nothing by itself: only the server that issued it knows what it stands for."
            );
        }
        Some(j) => {
            println!("JWT — decoded for display only; the signature was NOT verified.");
            // Pretty JSON is multi-line and sanitize escapes newlines: sanitize line by line.
            let pretty = |v: &Option<serde_json::Value>| match v {
                Some(v) => serde_json::to_string_pretty(v)
                    .unwrap_or_default()
                    .lines()
                    .map(|l| sanitize(l).into_owned())
                    .collect::<Vec<_>>()
                    .join("\n"),
                None => "(unreadable)".into(),
            };
            println!("\nheader:\n{}", pretty(&j.header));
            println!("\nclaims:\n{}", pretty(&j.claims));
            println!("\nsignature: {} bytes", j.signature_len);
            for (name, v) in [
                ("issued (iat)", j.iat),
                ("not before (nbf)", j.nbf),
                ("expires (exp)", j.exp),
            ] {
                if let Some(secs) = v {
                    println!(
                        "{name:<17} {}",
                        describe_time(secs.saturating_mul(1000), now)
                    );
                }
            }
            if let (Some(iat), Some(exp)) = (j.iat, j.exp) {
                println!("{:<17} {}", "lifetime", humanize(exp - iat));
            }
            if j.exp.is_none() {
                println!("expires           never: no exp claim");
            }
            for p in &j.problems {
                println!("problem: {}", sanitize(p));
            }
        }
    }
    0
}

fn humanize(secs: i64) -> String {
    if secs < 0 {
        return format!("negative ({secs} s)");
    }
    humantime::format_duration(std::time::Duration::from_secs(secs as u64)).to_string()
}
