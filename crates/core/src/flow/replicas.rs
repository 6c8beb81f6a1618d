//! The replicas scenario: the profile lists several base URLs of one service. Log in on the first, check the
//! session works on every replica, log out on the second, then replay every old credential on the replica
//! that logged out (the reference) and on every other one. A credential the logout replica rejects but
//! another accepts is the "no shared session store" mistake (`session.replicas`).

use super::replay::ReplayTarget;
use super::runner::{Runner, Session, Step_};
use crate::model::{
    CredentialKind, FlowEventKind, Measurement, Purpose, ScenarioResult, Severity, Status,
    StepKind, Verdict,
};

pub(super) const SCENARIO: &str = "replicas";
/// Pause between replays while the logout replica still accepts (a revocation that takes a moment).
const REFERENCE_POLL: std::time::Duration = std::time::Duration::from_millis(50);

impl<'a> Runner<'a> {
    pub(super) async fn replicas(&mut self) -> Step_<()> {
        let p = self.profile;
        let note = |summary: String| ScenarioResult {
            scenario: SCENARIO.into(),
            credential_id: None,
            subject: "replicas".into(),
            replica: None,
            status: Status::NotTested,
            severity: Severity::High,
            summary,
            check_id: Some("session.replicas".into()),
            measurement: Measurement::Replica {
                target: String::new(),
                logout_replica: 0,
                reference: Verdict::Inconclusive,
                verdict: Verdict::Inconclusive,
                exchange_id: None,
            },
        };
        if self.targets.len() < 2 {
            let r = note("the profile lists no replicas (`replicas = [...]`, or --replica)".into());
            self.add_result(r).await;
            return Ok(());
        }
        let Some(logout) = p.logout.clone() else {
            let r = note("the profile has no logout step: nothing to propagate".into());
            self.add_result(r).await;
            return Ok(());
        };
        let mut s = Session::new(SCENARIO, &p.username, &self.opts.password);
        self.login(&mut s).await?;
        self.flow_probe(&mut s, "probe after login on replica 1")
            .await?;
        let creds = self.replay_order(SCENARIO);

        // Before logout: does every replica know the session? One that does not (sticky sessions) cannot
        // say anything about revocation. Refresh tokens are not tried: an accepted one would rotate.
        let probed: Vec<u32> = creds
            .iter()
            .copied()
            .filter(|id| {
                self.run
                    .credential(*id)
                    .is_some_and(|c| c.kind != CredentialKind::Refresh)
            })
            .collect();
        let mut known = vec![true; self.targets.len()];
        for (i, base) in self.targets.clone().into_iter().enumerate().skip(1) {
            if probed.is_empty() {
                break;
            }
            let replica = i as u32 + 1;
            let mut any_accepted = false;
            for id in &probed {
                let mut t = ReplayTarget::new(base.clone(), Purpose::Flow);
                t.replica = Some(replica);
                let r = self.replay_with(&mut s, *id, t).await?;
                any_accepted |= r.verdict == Verdict::Accepted;
            }
            known[i] = any_accepted;
        }

        // Log out on replica 2: the revocation must reach replica 1 (where the login happened) and the rest.
        let logout_index = 1;
        // Cookies ignore ports but not hosts: a replica under another host name gets the session's cookies
        // copied over, as a load balancer's shared domain would carry them.
        let (from, to) = (self.base.clone(), self.targets[logout_index].clone());
        if from.host_str() != to.host_str() {
            let secure = if to.scheme() == "https" {
                "; Secure"
            } else {
                ""
            };
            let pairs: Vec<(String, String)> = s
                .jar
                .get_request_values(&from)
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            for (name, value) in pairs {
                let _ = s.jar.parse(&format!("{name}={value}; Path=/{secure}"), &to);
            }
        }
        let original = std::mem::replace(&mut self.base, self.targets[logout_index].clone());
        let out = self
            .flow_step(&mut s, StepKind::Logout, &logout, "logout on replica 2")
            .await;
        self.base = original;
        out?;
        self.mark(&mut s, FlowEventKind::Logout).await;

        let targets = self.targets.clone();
        for id in creds {
            let Some(label) = self.run.credential(id).map(|c| c.label.clone()) else {
                continue;
            };
            let reference = self
                .reference_replay(&mut s, id, &targets[logout_index], logout_index as u32 + 1)
                .await?;
            for (i, base) in targets.iter().enumerate() {
                if i == logout_index {
                    continue;
                }
                let replica = i as u32 + 1;
                let mut t = ReplayTarget::new(base.clone(), Purpose::ReplicaReplay);
                t.replica = Some(replica);
                let r = self.replay_with(&mut s, id, t).await?;
                let here = format!(
                    "replica {replica} ({})",
                    base.origin().ascii_serialization()
                );
                let (status, severity, summary) = match (known[i], reference, r.verdict) {
                    (false, _, _) => (
                        Status::NotTested,
                        Severity::High,
                        format!(
                            "{here} did not accept {label} even before logout: sessions are not shared (sticky load balancing?)"
                        ),
                    ),
                    (_, Verdict::Rejected, Verdict::Accepted) => (
                        Status::Fail,
                        Severity::High,
                        format!(
                            "{label} was rejected by replica 2 after logging out there, but {here} still accepts it: the replicas do not share revocation"
                        ),
                    ),
                    (_, Verdict::Accepted, Verdict::Accepted) => (
                        Status::Info,
                        Severity::High,
                        format!(
                            "{label} is still accepted on replica 2 where it logged out, and on {here}: not revoked anywhere (see session.logout)"
                        ),
                    ),
                    (_, _, Verdict::Rejected) => (
                        Status::Pass,
                        Severity::High,
                        format!("{here} rejected {label} after the logout on replica 2"),
                    ),
                    _ => (
                        Status::NotTested,
                        Severity::High,
                        format!("the replay of {label} on {here} was inconclusive"),
                    ),
                };
                let result = ScenarioResult {
                    scenario: SCENARIO.into(),
                    credential_id: Some(id),
                    subject: format!("replica {replica} · {label}"),
                    replica: Some(replica),
                    status,
                    severity,
                    summary,
                    check_id: Some("session.replicas".into()),
                    measurement: Measurement::Replica {
                        target: base.to_string(),
                        logout_replica: logout_index as u32 + 1,
                        reference,
                        verdict: r.verdict,
                        exchange_id: r.exchange_id,
                    },
                };
                self.add_result(result).await;
            }
        }
        Ok(())
    }

    /// The credential replayed on the replica that logged out, again and again while it is still accepted
    /// there (up to the latency deadline): a revocation that takes a moment must not read as "not revoked
    /// anywhere". An accepted refresh token's successor is used for the next try.
    async fn reference_replay(
        &mut self,
        s: &mut Session,
        id: u32,
        base: &url::Url,
        replica: u32,
    ) -> Step_<Verdict> {
        // A JWT is accepted wherever its key is known until exp: waiting for its revocation would only
        // ever end at the deadline. Opaque ids and tokens are the ones a store revokes.
        let wait_ms = if self.run.credential(id).is_some_and(|c| c.jwt.is_some()) {
            0
        } else {
            (self.settings.latency_deadline_secs * 1000) as crate::model::Millis
        };
        let deadline = super::now_ms().saturating_add(wait_ms);
        let mut value = None;
        let mut announce = true;
        loop {
            let mut t = ReplayTarget::new(base.clone(), Purpose::ReplicaReplay);
            t.replica = Some(replica);
            t.value = value.clone();
            t.announce = announce;
            let r = self.replay_with(s, id, t).await?;
            announce = false;
            if r.verdict != Verdict::Accepted || super::now_ms() >= deadline {
                return Ok(r.verdict);
            }
            if let Some(next) = r.next_value {
                value = Some(next);
            }
            self.pause(REFERENCE_POLL).await?;
        }
    }
}
