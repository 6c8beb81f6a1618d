//! Replays: one old credential sent alone, and the order they are sent in.

use super::FlowError;
use super::cookie_name_matches;
use super::runner::{Runner, Session, Step_};
use super::{extract, request};
use crate::events::RunEvent;
use crate::http::{CookieStore, OutgoingRequest};
use crate::model::{Carrier, Credential, CredentialKind, Millis, Purpose, StepKind, Verdict};

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
        let base = self.base.clone();
        self.replay_with(s, credential_id, ReplayTarget::new(base, purpose))
            .await
            .map(|_| ())
    }

    /// A replay as `target` says: on which server, with which value of the credential, announced as a
    /// step or not (latency polls are not), observed for which replica.
    pub(super) async fn replay_with(
        &mut self,
        s: &mut Session,
        credential_id: u32,
        target: ReplayTarget,
    ) -> Step_<Replayed> {
        let ReplayTarget {
            base,
            purpose,
            value,
            replica,
            announce,
            note,
        } = target;
        let not_sent = Replayed {
            verdict: Verdict::Inconclusive,
            exchange_id: None,
            started_at: super::now_ms(),
            ended_at: super::now_ms(),
            next_value: None,
        };
        let Some(mut cred) = self.run.credential(credential_id).cloned() else {
            return Ok(not_sent);
        };
        if let Some(v) = value {
            cred.value = v;
        }
        let (kind, step) = match (cred.kind, &self.profile.refresh) {
            (CredentialKind::Refresh, Some(r)) => (StepKind::Refresh, r),
            (CredentialKind::Refresh, None) => return Ok(not_sent),
            _ => (StepKind::Probe, &self.profile.probe),
        };
        let credential_vars = self.profile.credential_kinds();
        let mut vars = s.vars.clone();
        for (var, k) in &credential_vars {
            if k.authenticates() && *var != cred.name {
                vars.remove(var);
            }
        }
        // Only cookies that authenticate leave the jar: a CSRF cookie the request needs stays, or its
        // absence would read as a refusal.
        let auth_cookies: Vec<String> = self
            .profile
            .credential_cookies()
            .into_iter()
            .filter(|(_, _, k)| k.authenticates())
            .map(|(n, _, _)| n)
            .collect();
        let mut jar = without_cookies(&s.jar, &auth_cookies);
        if let Carrier::Cookie { name, .. } = &cred.carrier {
            vars.remove(&cred.name);
            let secure = if base.scheme() == "https" {
                "; Secure"
            } else {
                ""
            };
            // A jar that refuses the old cookie makes the replay carry nothing: caught below.
            let _ = jar.parse(&format!("{name}={}; Path=/{secure}", cred.value), &base);
        } else {
            vars.insert(cred.name.clone(), cred.value.clone());
        }
        let what = match purpose {
            Purpose::ReplayAfterLogout => "after logout".to_string(),
            Purpose::FixationReplay => "after login (fixation)".to_string(),
            Purpose::ReuseAfterRotation => "after rotation (reuse)".to_string(),
            Purpose::NewestAfterReuse => "after the reuse attempt".to_string(),
            Purpose::ExpiryReplay => "after its declared expiry".to_string(),
            Purpose::LatencyPoll => "poll after logout".to_string(),
            Purpose::IdleProbe => "after an idle gap".to_string(),
            Purpose::ReplicaReplay => format!(
                "on replica {} after logout",
                replica.map_or_else(|| "?".to_string(), |r| r.to_string())
            ),
            _ => String::new(),
        };
        let label = match note {
            Some(n) => format!("{} {n}", cred.label),
            None => format!("replay {} {what}", cred.label),
        };
        if announce {
            self.begin_step(s.scenario, kind, &label);
        }
        let (req, omitted) =
            request::build(&base, step, &vars, true).map_err(|m| FlowError::StepFailed {
                step: label.clone(),
                message: m,
            })?;
        // A replay that does not carry the credential would read as "rejected": a false pass. Such a
        // credential (say, an ID token the probe never sends) is inconclusive, and nothing is sent.
        if !carries(&req, &jar, &cred) {
            tracing::info!(
                "{label}: the {} step does not carry {}; not replayed",
                kind.as_str(),
                cred.label
            );
            self.observe_on(s, credential_id, 0, Verdict::Inconclusive, purpose, replica)
                .await;
            self.opts.events.emit(RunEvent::ReplayResult {
                credential_id,
                label: cred.label.clone(),
                verdict: Verdict::Inconclusive,
                status: None,
            });
            return Ok(not_sent);
        }
        // Replays judge the answer they get: a redirect is not followed (to a login page it would read 200).
        let started_at = super::now_ms();
        let ex_id = self
            .send(kind, purpose, &label, req, &mut jar, false)
            .await?;
        let ended_at = super::now_ms();
        // An accepted replay may be answered with fresh tokens: they must not reach the history unredacted.
        let mut next_value = None;
        if let Some(ex) = self.run.exchange(ex_id) {
            for v in extract::values_in(ex, &step.extract) {
                self.redactor.add_secret(&v);
            }
            // A refresh that rotates hands back the family's next token: a poll continues with it.
            next_value = step
                .extract
                .iter()
                .filter(|spec| spec.name == cred.name)
                .find_map(|spec| extract::extract(ex, spec).ok().flatten())
                .map(|f| f.value)
                .filter(|v| *v != cred.value);
        }
        self.persist_exchange(ex_id).await;
        let mut verdict = self.verdict(kind, ex_id);
        // Refused while a companion credential was left out (a bearer on the refresh endpoint): that proves
        // nothing about this credential.
        if verdict == Verdict::Rejected && !omitted.is_empty() {
            verdict = Verdict::Inconclusive;
        }
        let status = self.run.exchange(ex_id).and_then(|e| e.final_status());
        self.observe_on(s, credential_id, ex_id, verdict, purpose, replica)
            .await;
        self.opts.events.emit(RunEvent::ReplayResult {
            credential_id,
            label: cred.label.clone(),
            verdict,
            status,
        });
        Ok(Replayed {
            verdict,
            exchange_id: Some(ex_id),
            started_at,
            ended_at,
            next_value: next_value.filter(|_| verdict == Verdict::Accepted),
        })
    }
}

/// Where and how a replay goes.
pub(super) struct ReplayTarget {
    pub base: url::Url,
    pub purpose: Purpose,
    /// Another value of the credential (a refresh token's successor in its family).
    pub value: Option<String>,
    /// 1-based replica the observation belongs to.
    pub replica: Option<u32>,
    /// Announced as a step (progress events); latency polls are not.
    pub announce: bool,
    /// Replaces "replay … after …" in the exchange label (a forged token says what was forged).
    pub note: Option<String>,
}

impl ReplayTarget {
    pub fn new(base: url::Url, purpose: Purpose) -> Self {
        ReplayTarget {
            base,
            purpose,
            value: None,
            replica: None,
            announce: true,
            note: None,
        }
    }
}

/// What a replay saw.
pub(super) struct Replayed {
    pub verdict: Verdict,
    /// None when nothing was sent (the step cannot carry the credential).
    pub exchange_id: Option<u32>,
    pub started_at: Millis,
    pub ended_at: Millis,
    /// An accepted refresh's new token of the same name (rotation).
    pub next_value: Option<String>,
}

/// Whether a built request really carries the credential: in the jar's Cookie for the URL, or its value
/// (raw, form- or JSON-encoded) in the URL, a header or the body.
fn carries(req: &OutgoingRequest, jar: &CookieStore, cred: &Credential) -> bool {
    if let Carrier::Cookie { name, .. } = &cred.carrier {
        return jar
            .get_request_values(&req.url)
            .any(|(n, v)| n == name && v == cred.value);
    }
    let v = cred.value.as_str();
    let form: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
    let json = serde_json::to_string(v).unwrap_or_default();
    let json = json.trim_matches('"');
    let body = String::from_utf8_lossy(&req.body);
    let url = req.url.as_str();
    [v, form.as_str(), json].iter().any(|f| {
        url.contains(f) || body.contains(f) || req.headers.iter().any(|(_, h)| h.contains(f))
    })
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
