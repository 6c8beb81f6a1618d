//! Shared helpers for the end-to-end tests: the bundled lab on ephemeral loopback ports, runs against it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use authlens_core::flow::{self, RunOptions};
use authlens_core::model::{Run, Status};
use authlens_core::profile::Profile;
use authlens_lab::{Flaw, LabConfig, LabHandle, Lifetimes, Mode};

/// One certificate directory for the whole test binary (labs reuse the generated certificate).
pub fn tls_dir() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("tempdir"))
        .path()
        .to_path_buf()
}

pub fn profile_path(mode: Mode) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("profiles")
        .join(format!("lab-{mode}.toml"))
}

pub async fn start_lab(mode: Mode, flaws: &[Flaw]) -> LabHandle {
    start_lab_with(mode, flaws, Lifetimes::default()).await
}

pub async fn start_lab_with(mode: Mode, flaws: &[Flaw], lifetimes: Lifetimes) -> LabHandle {
    authlens_lab::start(LabConfig {
        mode,
        flaws: flaws.iter().copied().collect(),
        https_port: 0,
        http_port: Some(0),
        lifetimes,
        tls_dir: tls_dir(),
        ..LabConfig::new(mode)
    })
    .await
    .expect("lab starts")
}

/// Options pointing a lab profile at a running lab instance.
pub fn lab_options(lab: &LabHandle) -> RunOptions {
    let mut opts = RunOptions::new(authlens_lab::USERS[0].password);
    opts.retarget(
        &lab.https_url,
        lab.http_url.as_deref(),
        &lab.cert_pem,
        &lab.other_replicas(),
    )
    .expect("lab urls");
    // An HS256 lab's secret verifies its tokens (the profile would read AUTHLENS_LAB_JWT_SECRET).
    opts.jwt_secret = lab.jwt_secret();
    opts
}

/// Run the bundled profile for `mode` against a fresh lab with these flaws.
pub async fn run_lab(mode: Mode, flaws: &[Flaw]) -> Run {
    let lab = start_lab(mode, flaws).await;
    let profile = Profile::load(&profile_path(mode)).expect("bundled profile parses");
    let run = flow::run(&profile, lab_options(&lab))
        .await
        .expect("run starts");
    lab.shutdown().await;
    run
}

pub fn statuses(run: &Run) -> BTreeMap<String, Status> {
    run.findings
        .iter()
        .map(|f| (f.check_id.clone(), f.status))
        .collect()
}

pub fn flaws(names: &[&str]) -> BTreeSet<Flaw> {
    names
        .iter()
        .map(|n| n.parse().expect("flaw name"))
        .collect()
}
