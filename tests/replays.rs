//! Replays prove revocation only when they really carry the credential alone: otherwise the verdict is
//! inconclusive, never a false "rejected".

mod support;

use authlens_core::flow;
use authlens_core::model::{CredentialKind, Purpose, RunStatus, Verdict};
use authlens_core::profile::Profile;
use authlens_lab::Mode;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_the_probe_never_sends_is_inconclusive_not_rejected() {
    let lab = start_lab(Mode::Jwt, &[]).await;
    // The same access token also declared as an ID token; the probe only ever sends {{access}}.
    let text = std::fs::read_to_string(profile_path(Mode::Jwt)).unwrap().replacen(
        "  { name = \"refresh\", kind = \"refresh\", from = \"json\", pointer = \"/refresh_token\", expires_in = \"/refresh_expires_in\" },\n]",
        "  { name = \"refresh\", kind = \"refresh\", from = \"json\", pointer = \"/refresh_token\", expires_in = \"/refresh_expires_in\" },\n  { name = \"idt\", kind = \"id\", from = \"json\", pointer = \"/access_token\" },\n]",
        1,
    );
    assert!(text.contains("name = \"idt\""), "the profile edit applied");
    let profile = Profile::from_toml(&text, None).unwrap();
    let run = flow::run(&profile, lab_options(&lab)).await.unwrap();
    lab.shutdown().await;
    assert_eq!(run.status, RunStatus::Completed, "{:?}", run.error);
    let id = run
        .credentials
        .iter()
        .find(|c| c.kind == CredentialKind::Id)
        .expect("id token captured");
    let after_logout: Vec<_> = run
        .observations
        .iter()
        .filter(|o| o.credential_id == id.id && o.purpose == Purpose::ReplayAfterLogout)
        .collect();
    assert_eq!(after_logout.len(), 1);
    assert_eq!(
        after_logout[0].verdict,
        Verdict::Inconclusive,
        "never sent, so never 'rejected'"
    );
    // The access tokens themselves were replayed for real and are still accepted (the revocation gap).
    assert!(run.observations.iter().any(|o| {
        o.purpose == Purpose::ReplayAfterLogout
            && o.verdict == Verdict::Accepted
            && run
                .credential(o.credential_id)
                .is_some_and(|c| c.kind == CredentialKind::Access)
    }));
}
