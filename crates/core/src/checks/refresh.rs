//! Refresh tokens: rotation (RT1), reuse detection (RT2), death at logout and absolute expiry (RT4).

use crate::model::{
    Credential, CredentialKind, Exchange, Observation, Purpose, Severity, StepKind, Verdict,
};

use super::util::{Ctx, Outcome, credential_evidence, evidence, scenario_of_exchange, secs_text};

const LIFECYCLE: &str = "lifecycle";
const ROTATION: &str = "rotation";

fn find<'a>(obs: &[&'a Observation], verdict: Verdict) -> Option<&'a Observation> {
    obs.iter().find(|o| o.verdict == verdict).copied()
}

fn refresh_tokens<'a>(ctx: &Ctx<'a>, scenario: &str) -> Vec<&'a Credential> {
    let mut v: Vec<&Credential> = ctx
        .run
        .credentials
        .iter()
        .filter(|c| c.kind == CredentialKind::Refresh && c.scenario == scenario)
        .collect();
    v.sort_by_key(|c| (c.generation, c.id));
    v
}

fn has_refresh_step(ctx: &Ctx) -> bool {
    ctx.run
        .exchanges
        .iter()
        .any(|e| e.step == StepKind::Refresh)
}

fn http(o: &Observation) -> String {
    o.status
        .map_or_else(|| "no response".to_string(), |s| format!("HTTP {s}"))
}

fn observation_evidence(
    ctx: &Ctx,
    o: &Observation,
    location: &str,
) -> Option<crate::model::Evidence> {
    let c = ctx.run.credential(o.credential_id)?;
    let word = format!("{:?}", o.verdict).to_lowercase();
    Some(credential_evidence(
        c,
        o.exchange_id,
        format!("{location} ({})", http(o)),
        &format!("{} {word}", c.label),
    ))
}

pub(crate) fn rotation(ctx: &Ctx) -> Outcome {
    let run = ctx.run;
    if !has_refresh_step(ctx) {
        return Outcome::not_tested("the profile has no refresh step");
    }
    let refreshes: Vec<&Exchange> = run
        .exchanges
        .iter()
        .filter(|e| {
            e.step == StepKind::Refresh
                && e.purpose == Purpose::Flow
                && scenario_of_exchange(run, e.id).as_deref() == Some(LIFECYCLE)
        })
        .collect();
    let Some(first_refresh) = refreshes.first() else {
        return Outcome::not_tested("no refresh in the lifecycle scenario");
    };
    let tokens = refresh_tokens(ctx, LIFECYCLE);
    let Some(original) = tokens.first() else {
        return Outcome::not_tested("no refresh token was captured in the lifecycle scenario");
    };
    if let Some(next) = tokens.iter().find(|c| c.generation >= 2) {
        return Outcome::pass(format!(
            "{} was replaced by {} at refresh (exchange {})",
            original.label, next.label, next.issued_by
        ))
        .with(vec![credential_evidence(
            next,
            next.issued_by,
            "refresh response",
            &format!("{} issued in place of {}", next.label, original.label),
        )]);
    }
    if !refreshes
        .iter()
        .any(|e| matches!(e.final_status(), Some(200..=399)))
    {
        let status = first_refresh
            .final_status()
            .map_or("no response".to_string(), |s| format!("HTTP {s}"));
        return Outcome::not_tested(format!(
            "the refresh request failed ({status}): rotation could not be observed"
        ));
    }
    let e = first_refresh;
    Outcome::fail(
        Severity::Medium,
        format!(
            "the refresh (exchange {}) returned no new refresh token: {} stays in use",
            e.id, original.label
        ),
    )
    .with(vec![evidence(
        Some(e.id),
        Some(original.id),
        "refresh response",
        format!(
            "no refresh token other than {}{}",
            original.label,
            super::util::fingerprint_note(original)
        ),
    )])
}

pub(crate) fn reuse(ctx: &Ctx) -> Outcome {
    let run = ctx.run;
    if !has_refresh_step(ctx) {
        return Outcome::not_tested("the profile has no refresh step");
    }
    let tokens = refresh_tokens(ctx, ROTATION);
    let ran = run.scenarios.iter().any(|s| s == ROTATION)
        || run.events.iter().any(|e| e.scenario == ROTATION);
    if !ran && tokens.is_empty() {
        return Outcome::not_tested("the rotation scenario was not run");
    }
    if !tokens.iter().any(|c| c.generation >= 2) {
        return Outcome::not_tested("refresh tokens do not rotate (see refresh.rotation)");
    }
    let of = |p: Purpose| -> Vec<&Observation> {
        run.observations.iter().filter(|o| o.purpose == p).collect()
    };
    let reused = of(Purpose::ReuseAfterRotation);
    let newest = of(Purpose::NewestAfterReuse);
    let mut ev: Vec<_> = reused
        .iter()
        .filter_map(|o| observation_evidence(ctx, o, "replay after rotation"))
        .collect();
    ev.extend(
        newest
            .iter()
            .filter_map(|o| observation_evidence(ctx, o, "newest token after the reuse")),
    );
    let label = |o: &Observation| {
        run.credential(o.credential_id)
            .map_or("a refresh token".to_string(), |c| c.label.clone())
    };

    if let Some(o) = find(&reused, Verdict::Accepted) {
        return Outcome::fail(
            Severity::High,
            format!(
                "old refresh token still works: {} was accepted after it was rotated away ({})",
                label(o),
                http(o)
            ),
        )
        .with(ev);
    }
    let Some(old) = find(&reused, Verdict::Rejected) else {
        let why = reused.first().map_or(
            "no rotated-away refresh token was replayed".to_string(),
            |o| {
                format!(
                    "the replay of {} after rotation was inconclusive ({})",
                    label(o),
                    http(o)
                )
            },
        );
        return Outcome::not_tested(why).with(ev);
    };
    if let Some(o) = find(&newest, Verdict::Accepted) {
        return Outcome::fail(
            Severity::High,
            format!(
                "family not revoked on reuse: {} still works after {} was replayed ({})",
                label(o),
                label(old),
                http(o)
            ),
        )
        .with(ev);
    }
    if let Some(o) = find(&newest, Verdict::Rejected) {
        return Outcome::pass(format!(
            "{} was rejected after rotation and its reuse revoked the family ({} rejected too)",
            label(old),
            label(o)
        ))
        .with(ev);
    }
    let why = newest.first().map_or(
        "the newest refresh token was not tried after the reuse".to_string(),
        |o| {
            format!(
                "the newest refresh token's test after the reuse was inconclusive ({})",
                http(o)
            )
        },
    );
    Outcome::not_tested(why).with(ev)
}

pub(crate) fn logout(ctx: &Ctx) -> Outcome {
    let run = ctx.run;
    let Some(newest) = refresh_tokens(ctx, LIFECYCLE).pop() else {
        return Outcome::not_tested("no refresh token in the lifecycle scenario");
    };
    let replays: Vec<&Observation> = run
        .observations_of(newest.id)
        .filter(|o| o.purpose == Purpose::ReplayAfterLogout)
        .collect();
    let ev: Vec<_> = replays
        .iter()
        .filter_map(|o| observation_evidence(ctx, o, "replay after logout"))
        .collect();
    if let Some(o) = replays.iter().find(|o| o.verdict == Verdict::Accepted) {
        return Outcome::fail(
            Severity::High,
            format!("{} still works after logout ({})", newest.label, http(o)),
        )
        .with(ev);
    }
    if !replays.iter().any(|o| o.verdict == Verdict::Rejected) {
        let why = replays.first().map_or(
            format!("{} was not replayed after logout", newest.label),
            |o| {
                format!(
                    "the replay of {} after logout was inconclusive ({})",
                    newest.label,
                    http(o)
                )
            },
        );
        return Outcome::not_tested(why).with(ev);
    }
    let declared = run
        .credentials
        .iter()
        .find(|c| c.kind == CredentialKind::Refresh && c.declared_expiry.is_some());
    match declared {
        None => Outcome::warn(
            Severity::Medium,
            format!(
                "{} was rejected after logout, but refresh tokens have no absolute expiry declared",
                newest.label
            ),
        )
        .with(ev),
        Some(c) => {
            let life = c
                .declared_expiry
                .unwrap_or(c.issued_at)
                .saturating_sub(c.issued_at)
                / 1000;
            Outcome::pass(format!(
                "{} was rejected after logout; {} declares an expiry {} after issue",
                newest.label,
                c.label,
                secs_text(life)
            ))
            .with(ev)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::util::testkit::*;
    use crate::model::{
        Carrier,
        CredentialKind::*,
        FlowEventKind,
        Purpose::*,
        Severity, Status,
        StepKind::{self, Login, Logout},
        Verdict,
        Verdict::*,
    };

    fn json(pointer: &str) -> Carrier {
        Carrier::JsonBody {
            pointer: pointer.into(),
        }
    }

    /// lifecycle: login → refresh (rotating or not) → logout → replay of the newest refresh token.
    fn lifecycle(rotates: bool, replay: Option<Verdict>) -> RunBuilder {
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.event(FlowEventKind::Login, login, "lifecycle");
        let r1 = b.credential(
            "refresh",
            Refresh,
            "refresh-token-0001",
            json("/refresh_token"),
            login,
            "lifecycle",
        );
        let refresh = b.exchange(StepKind::Refresh, Flow, "/token");
        b.event(FlowEventKind::Refresh, refresh, "lifecycle");
        let newest = if rotates {
            b.credential(
                "refresh",
                Refresh,
                "refresh-token-0002",
                json("/refresh_token"),
                refresh,
                "lifecycle",
            )
        } else {
            r1
        };
        let logout = b.exchange(Logout, Flow, "/logout");
        b.event(FlowEventKind::Logout, logout, "lifecycle");
        if let Some(v) = replay {
            let r = b.exchange(StepKind::Refresh, ReplayAfterLogout, "/token");
            b.observe(newest, r, v, ReplayAfterLogout);
        }
        b
    }

    /// rotation: login → refresh → refresh → reuse of #1 → newest tried.
    fn rotation(rotates: bool, reuse: Option<Verdict>, newest: Option<Verdict>) -> RunBuilder {
        let mut b = lifecycle(rotates, Some(Rejected));
        let login = b.exchange(Login, Flow, "/login");
        b.event(FlowEventKind::Login, login, "rotation");
        let first = b.credential(
            "refresh",
            Refresh,
            "refresh-token-r001",
            json("/refresh_token"),
            login,
            "rotation",
        );
        let mut last = first;
        for _ in 0..2 {
            let e = b.exchange(StepKind::Refresh, Flow, "/token");
            b.event(FlowEventKind::Refresh, e, "rotation");
            if rotates {
                last = b.credential(
                    "refresh",
                    Refresh,
                    &format!("refresh-token-r00{e}"),
                    json("/refresh_token"),
                    e,
                    "rotation",
                );
            }
        }
        if let Some(v) = reuse {
            let e = b.exchange(StepKind::Refresh, ReuseAfterRotation, "/token");
            b.observe(first, e, v, ReuseAfterRotation);
        }
        if let Some(v) = newest {
            let e = b.exchange(StepKind::Refresh, NewestAfterReuse, "/token");
            b.observe(last, e, v, NewestAfterReuse);
        }
        b
    }

    #[test]
    fn rotation_check() {
        let f = lifecycle(true, None).finding("refresh.rotation");
        assert_eq!(f.status, Status::Pass);
        assert_eq!(
            f.summary,
            "refresh #1 was replaced by refresh #2 at refresh (exchange 2)"
        );
        let f = lifecycle(false, None).finding("refresh.rotation");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
        assert_eq!(
            f.summary,
            "the refresh (exchange 2) returned no new refresh token: refresh #1 stays in use"
        );
        let mut b = lifecycle(false, None);
        b.status(2, 401);
        assert_eq!(b.finding("refresh.rotation").status, Status::NotTested);
        let f = RunBuilder::new().finding("refresh.rotation");
        assert_eq!(
            (f.status, f.summary.as_str()),
            (Status::NotTested, "the profile has no refresh step")
        );
        // The rotation scenario's refreshes do not change the lifecycle verdict.
        let f = rotation(true, None, None).finding("refresh.rotation");
        assert_eq!(f.status, Status::Pass);
    }

    #[test]
    fn reuse() {
        let f = rotation(true, Some(Rejected), Some(Rejected)).finding("refresh.reuse");
        assert_eq!(f.status, Status::Pass, "{f:?}");
        assert_eq!(f.evidence.len(), 2);
        let f = rotation(true, Some(Accepted), Some(Accepted)).finding("refresh.reuse");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
        assert!(
            f.summary
                .starts_with("old refresh token still works: refresh #1"),
            "{}",
            f.summary
        );
        let f = rotation(true, Some(Rejected), Some(Accepted)).finding("refresh.reuse");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
        assert!(
            f.summary.starts_with(
                "family not revoked on reuse: refresh #3 still works after refresh #1"
            ),
            "{}",
            f.summary
        );
        let f = rotation(false, Some(Accepted), None).finding("refresh.reuse");
        assert_eq!(
            (f.status, f.summary.as_str()),
            (
                Status::NotTested,
                "refresh tokens do not rotate (see refresh.rotation)"
            )
        );
        assert_eq!(
            rotation(true, Some(Inconclusive), Some(Rejected))
                .finding("refresh.reuse")
                .status,
            Status::NotTested
        );
        assert_eq!(
            rotation(true, Some(Rejected), Some(Inconclusive))
                .finding("refresh.reuse")
                .status,
            Status::NotTested
        );
        assert_eq!(
            rotation(true, Some(Rejected), None)
                .finding("refresh.reuse")
                .status,
            Status::NotTested
        );
        let f = lifecycle(true, None).finding("refresh.reuse");
        assert_eq!(
            (f.status, f.summary.as_str()),
            (Status::NotTested, "the rotation scenario was not run")
        );
        assert_eq!(
            RunBuilder::new().finding("refresh.reuse").summary,
            "the profile has no refresh step"
        );
    }

    #[test]
    fn logout_check() {
        let mut b = lifecycle(true, Some(Rejected));
        let f = b.finding("refresh.logout");
        assert_eq!((f.status, f.severity), (Status::Warn, Severity::Medium));
        assert!(f.summary.contains("no absolute expiry"), "{}", f.summary);
        b.expiry(2, Some(RunBuilder::at(2) + 7 * 86_400_000));
        let f = b.finding("refresh.logout");
        assert_eq!(f.status, Status::Pass);
        assert_eq!(
            f.summary,
            "refresh #2 was rejected after logout; refresh #2 declares an expiry 7days after issue"
        );
        let f = lifecycle(true, Some(Accepted)).finding("refresh.logout");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
        assert_eq!(f.summary, "refresh #2 still works after logout (HTTP 200)");
        assert_eq!(f.evidence[0].credential_id, Some(2));
        assert_eq!(
            lifecycle(true, Some(Inconclusive))
                .finding("refresh.logout")
                .status,
            Status::NotTested
        );
        assert_eq!(
            lifecycle(true, None).finding("refresh.logout").status,
            Status::NotTested
        );
        assert_eq!(
            RunBuilder::new().finding("refresh.logout").status,
            Status::NotTested
        );
        // The old (rotated) token is not what this check replays: session.logout judges every one.
        let f = lifecycle(false, Some(Accepted)).finding("refresh.logout");
        assert_eq!(f.summary, "refresh #1 still works after logout (HTTP 200)");
    }
}
