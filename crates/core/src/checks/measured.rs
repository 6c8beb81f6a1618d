//! Checks judged from the measuring scenarios' results (expiry, idle, replicas, entropy, rate-limit): each
//! result already carries its verdict; the check gathers the ones that feed it. The worst result decides,
//! and every result is evidence.

use crate::model::{Measurement, ScenarioResult, Severity, Status};

use super::util::{Ctx, Outcome, evidence, list};

fn exchange_of(r: &ScenarioResult) -> Option<u32> {
    match &r.measurement {
        Measurement::Expiry { exchange_id, .. }
        | Measurement::Replica { exchange_id, .. }
        | Measurement::Forgery { exchange_id, .. } => *exchange_id,
        _ => None,
    }
}

/// The outcome for `id` from the results that feed it; `absent` when no scenario produced one.
pub(crate) fn from_results(ctx: &Ctx, id: &str, absent: &str) -> Outcome {
    let results: Vec<&ScenarioResult> = ctx
        .run
        .results
        .iter()
        .filter(|r| r.check_id.as_deref() == Some(id))
        .collect();
    if results.is_empty() {
        return Outcome::not_tested(absent);
    }
    let ev = results
        .iter()
        .map(|r| {
            evidence(
                exchange_of(r),
                r.credential_id,
                format!("{} scenario: {}", r.scenario, r.subject),
                format!("{}: {}", r.status.as_str(), r.summary),
            )
        })
        .collect();
    let of = |s: Status| -> Vec<String> {
        results
            .iter()
            .filter(|r| r.status == s)
            .map(|r| r.summary.clone())
            .collect()
    };
    let worst = |s: Status| -> Severity {
        results
            .iter()
            .filter(|r| r.status == s)
            .map(|r| r.severity)
            .max()
            .unwrap_or(Severity::Medium)
    };
    let fails = of(Status::Fail);
    let warns = of(Status::Warn);
    let passes = of(Status::Pass);
    let infos = of(Status::Info);
    let outcome = if !fails.is_empty() {
        Outcome::fail(worst(Status::Fail), list(&fails))
    } else if !warns.is_empty() {
        Outcome::warn(worst(Status::Warn), list(&warns))
    } else if !passes.is_empty() {
        Outcome::pass(list(&passes))
    } else if !infos.is_empty() {
        Outcome::info(list(&infos))
    } else {
        Outcome::not_tested(list(&of(Status::NotTested)))
    };
    outcome.with(ev)
}

pub(crate) fn entropy(ctx: &Ctx) -> Outcome {
    from_results(
        ctx,
        "session.entropy",
        "the entropy scenario did not run (opt-in: --scenario entropy)",
    )
}

pub(crate) fn timeout(ctx: &Ctx) -> Outcome {
    from_results(
        ctx,
        "session.timeout",
        "neither the expiry nor the idle scenario ran (--scenario expiry,idle)",
    )
}

pub(crate) fn replicas(ctx: &Ctx) -> Outcome {
    from_results(
        ctx,
        "session.replicas",
        "the replicas scenario did not run (list replicas in the profile and add --scenario replicas)",
    )
}

pub(crate) fn rate_limit(ctx: &Ctx) -> Outcome {
    from_results(
        ctx,
        "login.rate-limit",
        "the rate-limit scenario did not run (opt-in: --scenario rate-limit)",
    )
}

pub(crate) fn expiry_enforced(ctx: &Ctx) -> Outcome {
    from_results(
        ctx,
        "jwt.expiry-enforced",
        "the expiry scenario did not run, or no JWT with exp was waited for (--scenario expiry)",
    )
}
