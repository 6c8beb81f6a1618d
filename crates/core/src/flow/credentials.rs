//! Turning extracted values into credentials: kind, generation, label, declared expiry, redaction.

use super::extract;
use super::now_ms;
use super::runner::{Runner, Session};
use crate::events::RunEvent;
use crate::model::{Carrier, Credential, CredentialKind, ExpirySource, Millis, StepKind};
use crate::redact::safe_fingerprint;

impl<'a> Runner<'a> {
    /// Cookies the prefetch set under the name of a session cookie the login declares: the pre-login id.
    pub(super) async fn pre_login_sessions(&mut self, s: &mut Session, ex_id: u32) {
        let Some(ex) = self.run.exchange(ex_id).cloned() else {
            return;
        };
        for (cookie, var, kind) in self.profile.credential_cookies() {
            if kind != CredentialKind::Session {
                continue;
            }
            if let Some((name, value, raw, url)) = extract::find_cookie(&ex, &cookie) {
                let found = extract::Found {
                    value,
                    carrier: Carrier::Cookie {
                        name,
                        raw: raw.to_string(),
                    },
                    url: Some(url.to_string()),
                    expires_in: None,
                };
                self.new_credential(
                    s,
                    &var,
                    CredentialKind::PreLoginSession,
                    found,
                    ex_id,
                    StepKind::Prefetch,
                )
                .await;
            }
        }
    }

    pub(super) async fn new_credential(
        &mut self,
        s: &mut Session,
        var: &str,
        kind: CredentialKind,
        found: extract::Found,
        ex_id: u32,
        step: StepKind,
    ) {
        let issued_at = self
            .run
            .exchange(ex_id)
            .map(|e| e.started_at + e.duration_ms as Millis)
            .unwrap_or_else(now_ms);
        let generation = if kind == CredentialKind::PreLoginSession {
            1
        } else {
            let g = s.generations.entry(var.to_string()).or_insert(0);
            *g += 1;
            *g
        };
        let suffix = if s.scenario == "lifecycle" {
            String::new()
        } else {
            format!(" · {}", s.scenario)
        };
        let label = if kind == CredentialKind::PreLoginSession {
            format!("{var} (pre-login){suffix}")
        } else {
            format!("{var} #{generation}{suffix}")
        };
        let jwt = crate::tokens::jwt::decode(&found.value);
        let cookie = match (&found.carrier, &found.url) {
            (Carrier::Cookie { raw, .. }, Some(u)) => url::Url::parse(u)
                .ok()
                .and_then(|u| crate::cookies::parse_set_cookie(raw, &u, issued_at).ok()),
            _ => None,
        };
        let (declared_expiry, expiry_source) = if let Some(exp) = jwt.as_ref().and_then(|j| j.exp) {
            (Some(exp.saturating_mul(1000)), Some(ExpirySource::JwtExp))
        } else if let Some(c) = cookie
            .as_ref()
            .filter(|c| c.max_age.is_some() || c.expires.is_some())
        {
            let src = if c.max_age.is_some() {
                ExpirySource::CookieMaxAge
            } else {
                ExpirySource::CookieExpires
            };
            (c.verdict.effective_expiry, Some(src))
        } else if let Some(secs) = found.expires_in {
            (
                Some(issued_at.saturating_add(secs.saturating_mul(1000))),
                Some(ExpirySource::ExpiresIn),
            )
        } else {
            (None, None)
        };
        let id = self.run.credentials.len() as u32 + 1;
        let cred = Credential {
            id,
            name: var.to_string(),
            kind,
            generation,
            label,
            fingerprint: safe_fingerprint(&found.value),
            value: found.value.clone(),
            carrier: found.carrier,
            issued_at,
            issued_by: ex_id,
            issued_in: step,
            scenario: s.scenario.to_string(),
            declared_expiry,
            expiry_source,
            jwt,
            cookie,
            verification: None,
        };
        self.redactor.add_secret(&cred.value);
        if kind != CredentialKind::PreLoginSession {
            s.vars.insert(var.to_string(), found.value);
            s.current.insert(var.to_string(), id);
        }
        self.opts.events.emit(RunEvent::CredentialIssued {
            id,
            label: cred.label.clone(),
            kind,
            expires_at: declared_expiry,
        });
        self.persist_credential(&cred).await;
        self.run.credentials.push(cred);
    }
}
