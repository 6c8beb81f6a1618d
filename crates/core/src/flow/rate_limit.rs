//! The login rate-limit scenario (opt-in: it may lock the test account, so it runs last): up to
//! `rate_limit_attempts` logins with wrong passwords, stopping at the first refusal that is a limit (429, 423,
//! or a Retry-After), then one login with the right password to see whether the account is locked out.
//! Feeds `login.rate-limit`.

use super::runner::{Runner, Session, Step_};
use crate::model::{Measurement, Purpose, ScenarioResult, Severity, Status, StepKind};
use crate::profile::status_in;

pub(super) const SCENARIO: &str = "rate-limit";

impl<'a> Runner<'a> {
    pub(super) async fn rate_limit(&mut self) -> Step_<()> {
        let p = self.profile;
        let attempts = self.settings.rate_limit_attempts;
        let mut s = Session::new(SCENARIO, &p.username, &self.opts.password);
        let mut statuses = Vec::new();
        let mut limited_at = None;
        let mut retry_after = None;
        let mut wrong_accepted = false;
        for i in 1..=attempts {
            let wrong = format!("authlens-wrong-{}-{i}", uuid::Uuid::now_v7().simple());
            s.vars.insert("password".into(), wrong);
            let (status, retry) = self
                .login_attempt(
                    &mut s,
                    &format!("login with a wrong password ({i}/{attempts})"),
                )
                .await?;
            statuses.push(status.unwrap_or(0));
            if status.is_some_and(|st| status_in(&p.login.success, st)) {
                wrong_accepted = true;
                break;
            }
            if matches!(status, Some(429 | 423)) || retry.is_some() {
                limited_at = Some(i);
                retry_after = retry;
                break;
            }
        }
        // The right password now: refused means the account is locked (a lockout, not only a slowdown).
        let mut locked_out = None;
        if !wrong_accepted {
            s.vars.insert("password".into(), self.opts.password.clone());
            let (status, retry) = self
                .login_attempt(&mut s, "login with the right password after the wrong ones")
                .await?;
            if let Some(st) = status {
                locked_out = Some(!status_in(&p.login.success, st));
                statuses.push(st);
                if retry_after.is_none() {
                    retry_after = retry;
                }
            }
        }
        let tried = statuses.len() as u32 - u32::from(locked_out.is_some());
        let retry_text = retry_after
            .as_deref()
            .map(|r| format!(", Retry-After: {r}"))
            .unwrap_or_default();
        let (status, severity, summary) = if wrong_accepted {
            (
                Status::NotTested,
                Severity::Medium,
                "a login with a wrong password was answered as a success: check the login step's success statuses".to_string(),
            )
        } else if let Some(n) = limited_at {
            let lock = match locked_out {
                Some(true) => "; the right password was refused too (locked out)",
                Some(false) => "; the right password still worked",
                None => "",
            };
            (
                Status::Pass,
                Severity::Medium,
                format!(
                    "attempt {n} was refused with HTTP {}{retry_text} after {} wrong passwords{lock}",
                    statuses.get(n as usize - 1).copied().unwrap_or(0),
                    n - 1
                ),
            )
        } else if locked_out == Some(true) {
            (
                Status::Pass,
                Severity::Medium,
                format!(
                    "no 429 in {tried} wrong passwords, but the right password was then refused: the account is locked out"
                ),
            )
        } else {
            (
                Status::Fail,
                Severity::Medium,
                format!(
                    "{tried} wrong passwords in a row were all answered without a 429, Retry-After or lockout{}",
                    if locked_out == Some(false) {
                        "; the right password then worked"
                    } else {
                        ""
                    }
                ),
            )
        };
        let result = ScenarioResult {
            scenario: SCENARIO.into(),
            credential_id: None,
            subject: format!("login of {}", crate::checks::display_text(&p.username)),
            replica: None,
            status,
            severity,
            summary,
            check_id: Some("login.rate-limit".into()),
            measurement: Measurement::RateLimit {
                attempts: tried,
                limited_at,
                retry_after,
                locked_out,
                statuses,
            },
        };
        self.add_result(result).await;
        Ok(())
    }

    /// One login (after the prefetch, if any): its final status and Retry-After.
    async fn login_attempt(
        &mut self,
        s: &mut Session,
        label: &str,
    ) -> Step_<(Option<u16>, Option<String>)> {
        let p = self.profile;
        if let Some(prefetch) = &p.prefetch {
            let ex = self
                .send_quiet(
                    s,
                    StepKind::Prefetch,
                    prefetch,
                    "prefetch",
                    Purpose::RateLimitAttempt,
                )
                .await?;
            self.adopt_values(s, prefetch, ex);
            self.persist_exchange(ex).await;
        }
        let ex = self
            .send_step(
                s,
                StepKind::Login,
                &p.login,
                label,
                Purpose::RateLimitAttempt,
            )
            .await?;
        // A right-password login hands out credentials: known to the redactor before storage.
        self.adopt_values(s, &p.login, ex);
        self.persist_exchange(ex).await;
        let resp = self.run.exchange(ex).and_then(|e| e.final_response());
        Ok((
            resp.map(|r| r.status),
            resp.and_then(|r| r.header("retry-after"))
                .map(crate::checks::display_text),
        ))
    }
}
