//! Replays: one old credential sent alone, and the order they are sent in.

use super::FlowError;
use super::cookie_name_matches;
use super::request;
use super::runner::{Runner, Session, Step_};
use crate::events::RunEvent;
use crate::http::CookieStore;
use crate::model::{Carrier, Credential, CredentialKind, Purpose, StepKind};

impl<'a> Runner<'a> {
    pub(super) fn replay_order(&self, scenario: &str) -> Vec<u32> {
        let mut creds: Vec<&Credential> = self
            .run
            .credentials
            .iter()
            .filter(|c| c.scenario == scenario && c.kind.authenticates())
            .collect();
        // Sessions and access tokens first; refresh tokens newest first, so a reuse-detecting server revoking
        // the family on an old token does not decide the newest token's verdict.
        creds.sort_by_key(|c| {
            (
                c.kind == CredentialKind::Refresh,
                if c.kind == CredentialKind::Refresh {
                    -(c.id as i64)
                } else {
                    c.id as i64
                },
            )
        });
        creds.iter().map(|c| c.id).collect()
    }

    /// Send one credential alone through the step that uses it (refresh tokens through refresh, everything
    /// else through the probe), on a copy of the jar, and record the target's verdict.
    pub(super) async fn replay(
        &mut self,
        s: &mut Session,
        credential_id: u32,
        purpose: Purpose,
    ) -> Step_<()> {
        let Some(cred) = self.run.credential(credential_id).cloned() else {
            return Ok(());
        };
        let (kind, step) = match (cred.kind, &self.profile.refresh) {
            (CredentialKind::Refresh, Some(r)) => (StepKind::Refresh, r),
            (CredentialKind::Refresh, None) => return Ok(()),
            _ => (StepKind::Probe, &self.profile.probe),
        };
        let credential_vars = self.profile.credential_kinds();
        let mut vars = s.vars.clone();
        for (var, k) in &credential_vars {
            if k.authenticates() && *var != cred.name {
                vars.remove(var);
            }
        }
        let credential_cookie_names: Vec<String> = self
            .profile
            .credential_cookies()
            .into_iter()
            .map(|(n, _, _)| n)
            .collect();
        let mut jar = without_cookies(&s.jar, &credential_cookie_names);
        match &cred.carrier {
            Carrier::Cookie { name, .. } => {
                vars.remove(&cred.name);
                let secure = if self.base.scheme() == "https" {
                    "; Secure"
                } else {
                    ""
                };
                // If the jar refused the old cookie, the replay would carry nothing and read as
                // "rejected": a false pass. Refuse to judge instead.
                let line = format!("{name}={}; Path=/{secure}", cred.value);
                if let Err(e) = jar.parse(&line, &self.base) {
                    let why = format!(
                        "cannot replay {}: the cookie jar refused it ({e})",
                        cred.label
                    );
                    return Err(FlowError::Setup(why).into());
                }
            }
            _ => {
                vars.insert(cred.name.clone(), cred.value.clone());
            }
        }
        let what = match purpose {
            Purpose::ReplayAfterLogout => "after logout",
            Purpose::FixationReplay => "after login (fixation)",
            Purpose::ReuseAfterRotation => "after rotation (reuse)",
            Purpose::NewestAfterReuse => "after the reuse attempt",
            _ => "",
        };
        let label = format!("replay {} {what}", cred.label);
        self.begin_step(s.scenario, kind, &label);
        let req =
            request::build(&self.base, step, &vars, true).map_err(|m| FlowError::StepFailed {
                step: label.clone(),
                message: m,
            })?;
        let ex_id = self
            .send(kind, purpose, &label, req, &mut jar, step.follow_redirects)
            .await?;
        self.persist_exchange(ex_id).await;
        let verdict = self.verdict(kind, ex_id);
        let status = self.run.exchange(ex_id).and_then(|e| e.final_status());
        self.observe(s, credential_id, ex_id, verdict, purpose)
            .await;
        self.opts.events.emit(RunEvent::ReplayResult {
            credential_id,
            label: cred.label.clone(),
            verdict,
            status,
        });
        Ok(())
    }
}

/// A copy of the jar without the named cookies (any prefix variant).
fn without_cookies(jar: &CookieStore, names: &[String]) -> CookieStore {
    let keep = jar
        .iter_any()
        .filter(|c| !names.iter().any(|n| cookie_name_matches(n, c.name())))
        .cloned()
        .map(Ok::<_, std::convert::Infallible>);
    CookieStore::from_cookies(keep, false).unwrap_or_default()
}
