//! The scenarios: lifecycle and rotation, and the flow steps they are made of.

use super::FlowError;
use super::runner::{Runner, Session, Step_};
use super::{extract, request};
use crate::http::CookieStore;
use crate::model::{Carrier, CredentialKind, FlowEventKind, Purpose, StepKind, Verdict};
use crate::profile::{ExtractKind, Step, Vars, status_in};

impl<'a> Runner<'a> {
    pub(super) async fn lifecycle(&mut self) -> Step_<()> {
        let p = self.profile;
        let mut s = Session::new("lifecycle", &p.username, &self.opts.password);
        self.login(&mut s).await?;
        self.flow_probe(&mut s, "probe after login").await?;

        let pre_login: Vec<u32> = self
            .run
            .credentials
            .iter()
            .filter(|c| c.scenario == s.scenario && c.kind == CredentialKind::PreLoginSession)
            .map(|c| c.id)
            .collect();
        for id in pre_login {
            self.replay(&mut s, id, Purpose::FixationReplay).await?;
        }

        if let Some(refresh) = &p.refresh {
            self.flow_step(&mut s, StepKind::Refresh, refresh, "refresh")
                .await?;
            self.mark(&mut s, FlowEventKind::Refresh).await;
            self.flow_probe(&mut s, "probe after refresh").await?;
        }

        if let Some(logout) = &p.logout {
            self.flow_step(&mut s, StepKind::Logout, logout, "logout")
                .await?;
            self.mark(&mut s, FlowEventKind::Logout).await;
            for id in self.replay_order(s.scenario) {
                self.replay(&mut s, id, Purpose::ReplayAfterLogout).await?;
            }
        }

        if let Some(http_base) = self.http_base.clone() {
            self.plain_http_probe(&http_base).await?;
        }
        Ok(())
    }

    pub(super) async fn rotation(&mut self) -> Step_<()> {
        let p = self.profile;
        let Some(refresh) = &p.refresh else {
            return Ok(());
        };
        let mut s = Session::new("rotation", &p.username, &self.opts.password);
        self.login(&mut s).await?;
        let first = self.current_of_kind(&s, CredentialKind::Refresh);
        for label in ["refresh (rotation 1)", "refresh (rotation 2)"] {
            self.flow_step(&mut s, StepKind::Refresh, refresh, label)
                .await?;
            self.mark(&mut s, FlowEventKind::Refresh).await;
        }
        let newest = self.current_of_kind(&s, CredentialKind::Refresh);
        if let (Some(first), Some(newest)) = (first, newest)
            && first != newest
        {
            self.replay(&mut s, first, Purpose::ReuseAfterRotation)
                .await?;
            self.replay(&mut s, newest, Purpose::NewestAfterReuse)
                .await?;
        }
        if let Some(logout) = &p.logout {
            // Clean up the session; after a reuse-triggered revocation the server may refuse, which is fine.
            let id = self
                .send_step(
                    &mut s,
                    StepKind::Logout,
                    logout,
                    "logout (cleanup)",
                    Purpose::Flow,
                )
                .await?;
            self.persist_exchange(id).await;
            self.mark(&mut s, FlowEventKind::Logout).await;
        }
        Ok(())
    }

    pub(super) async fn login(&mut self, s: &mut Session) -> Step_<()> {
        let p = self.profile;
        if let Some(prefetch) = &p.prefetch {
            let ex = self
                .flow_step(s, StepKind::Prefetch, prefetch, "prefetch")
                .await?;
            self.pre_login_sessions(s, ex).await;
        }
        self.flow_step(s, StepKind::Login, &p.login, "login")
            .await?;
        self.mark(s, FlowEventKind::Login).await;
        Ok(())
    }

    pub(super) fn current_of_kind(&self, s: &Session, kind: CredentialKind) -> Option<u32> {
        s.current
            .values()
            .copied()
            .filter(|id| self.run.credential(*id).is_some_and(|c| c.kind == kind))
            .max()
    }

    /// A flow step that must succeed, with its extractions; its exchange is stored once they are done.
    pub(super) async fn flow_step(
        &mut self,
        s: &mut Session,
        kind: StepKind,
        step: &Step,
        label: &str,
    ) -> Step_<u32> {
        let ex_id = self.send_step(s, kind, step, label, Purpose::Flow).await?;
        let result = self.check_and_extract(s, kind, step, label, ex_id).await;
        self.persist_exchange(ex_id).await;
        result.map(|()| ex_id)
    }

    pub(super) async fn check_and_extract(
        &mut self,
        s: &mut Session,
        kind: StepKind,
        step: &Step,
        label: &str,
        ex_id: u32,
    ) -> Step_<()> {
        let ex = self
            .run
            .exchange(ex_id)
            .cloned()
            .ok_or_else(|| FlowError::Setup("exchange vanished".into()))?;
        if let Some(err) = &ex.error {
            return Err(FlowError::Request {
                step: label.into(),
                code: err.code.clone(),
                message: err.message.clone(),
            }
            .into());
        }
        let status = ex.final_status().unwrap_or(0);
        if !status_in(&step.success, status) {
            let hint = match (kind, status) {
                (StepKind::Login, 401 | 403) => " — is the username/password right?",
                (_, 403) => " — a CSRF token or header may be missing",
                (_, 404 | 405) => " — check the step's method and path",
                _ => "",
            };
            return Err(FlowError::StepFailed {
                step: label.into(),
                message: format!(
                    "{} {} answered {status}{hint}",
                    step.method,
                    ex.first_request().map(|r| r.url.as_str()).unwrap_or("")
                ),
            }
            .into());
        }
        // Every spec runs, and every value found is known to the redactor before the exchange is stored,
        // even when a later spec fails.
        let mut first_error: Option<FlowError> = None;
        for spec in &step.extract {
            let found = match extract::extract(&ex, spec) {
                Ok(f) => f,
                Err(m) => {
                    first_error.get_or_insert(FlowError::Extraction {
                        step: label.into(),
                        name: spec.name.clone(),
                        message: m,
                    });
                    continue;
                }
            };
            let Some(found) = found else {
                if !spec.optional {
                    first_error.get_or_insert(FlowError::Extraction {
                        step: label.into(),
                        name: spec.name.clone(),
                        message: "not found in the response".into(),
                    });
                }
                continue;
            };
            match spec.kind {
                ExtractKind::Value => {
                    s.vars.insert(spec.name.clone(), found.value);
                }
                ExtractKind::Credential(k) => {
                    if s.vars.get(&spec.name) == Some(&found.value) {
                        continue; // the same value again (a refresh that does not rotate): not a new credential
                    }
                    self.new_credential(s, &spec.name, k, found, ex_id, kind)
                        .await;
                }
            }
        }
        if let Some(e) = first_error {
            return Err(e.into());
        }
        Ok(())
    }

    /// The probe with the current credentials: records an observation for each credential it carried.
    pub(super) async fn flow_probe(&mut self, s: &mut Session, label: &str) -> Step_<()> {
        let probe = &self.profile.probe;
        let in_use = self.credentials_in_use(s, probe);
        let ex_id = self
            .send_step(s, StepKind::Probe, probe, label, Purpose::Flow)
            .await?;
        self.persist_exchange(ex_id).await;
        let verdict = self.verdict(StepKind::Probe, ex_id);
        for id in in_use {
            self.observe(s, id, ex_id, verdict, Purpose::Flow).await;
        }
        if verdict != Verdict::Accepted {
            let ex = self.run.exchange(ex_id);
            let what = match ex.and_then(|e| e.error.as_ref()) {
                Some(e) => e.message.clone(),
                None => format!(
                    "{} answered {}",
                    probe.method,
                    ex.and_then(|e| e.final_status()).unwrap_or(0)
                ),
            };
            return Err(FlowError::NotAuthenticated {
                message: format!("{label}: {what}"),
            }
            .into());
        }
        Ok(())
    }

    /// Authenticating credentials the step would carry right now: template variables and jar cookies.
    pub(super) fn credentials_in_use(&self, s: &Session, step: &Step) -> Vec<u32> {
        let mut ids: Vec<u32> = step
            .variables()
            .iter()
            .filter_map(|v| s.current.get(v).copied())
            .collect();
        let url =
            request::step_url(&self.base, &step.path.render(&s.vars).unwrap_or_default()).ok();
        if let Some(url) = url {
            for (name, value) in s.jar.get_request_values(&url) {
                let hit = self.run.credentials.iter().rev().find(|c| {
                    c.scenario == s.scenario
                        && c.value == value
                        && matches!(&c.carrier, Carrier::Cookie { name: n, .. } if n == name)
                });
                if let Some(c) = hit {
                    ids.push(c.id);
                }
            }
        }
        ids.retain(|id| {
            self.run
                .credential(*id)
                .is_some_and(|c| c.kind.authenticates())
        });
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// GET the login URL over plain http, without following: does the target send us to https?
    pub(super) async fn plain_http_probe(&mut self, http_base: &url::Url) -> Step_<()> {
        let path = self
            .profile
            .prefetch
            .as_ref()
            .unwrap_or(&self.profile.login)
            .path
            .render(&Vars::new())
            .unwrap_or_else(|_| "/".into());
        let url = request::step_url(http_base, &path).map_err(FlowError::Setup)?;
        let label = "plain-http probe";
        self.begin_step("lifecycle", StepKind::Extra, label);
        let req = crate::http::OutgoingRequest {
            method: "GET".into(),
            url,
            headers: Vec::new(),
            body: Vec::new(),
        };
        let mut jar = CookieStore::default();
        let id = self
            .send(
                StepKind::Extra,
                Purpose::PlainHttp,
                label,
                req,
                &mut jar,
                false,
            )
            .await?;
        self.persist_exchange(id).await;
        Ok(())
    }
}
