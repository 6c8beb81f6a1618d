//! The timeline: one lane per credential value, its declared lifetime, every observation of it, and the
//! revocation gap (accepted after logout). A pure function of a recorded run.

use serde::{Deserialize, Serialize};

use crate::model::{
    CredentialKind, ExpirySource, FlowEvent, FlowEventKind, Measurement, Millis, Purpose, Run,
    Verdict,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Timeline {
    pub start: Millis,
    pub end: Millis,
    /// Login, refresh and logout moments (vertical lines).
    pub events: Vec<FlowEvent>,
    pub lanes: Vec<Lane>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Lane {
    pub credential_id: u32,
    pub label: String,
    pub kind: CredentialKind,
    pub scenario: String,
    pub issued_at: Millis,
    pub declared_expiry: Option<Millis>,
    pub expiry_source: Option<ExpirySource>,
    pub marks: Vec<Mark>,
    pub last_accepted: Option<Millis>,
    pub first_rejected: Option<Millis>,
    /// Set when the credential was still accepted after its scenario's logout.
    pub revocation_gap: Option<Gap>,
    /// The replica (1-based into the run's targets) whose answers this lane shows; None for the usual lane.
    /// The replicas scenario gives a credential one lane per replica.
    pub replica: Option<u32>,
    /// The latency scenario's measurement: when, after logout, the target stopped accepting it.
    pub latency: Option<LatencyInterval>,
}

/// Revocation measured by polling: the credential died in (`last_accepted`, `first_rejected`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct LatencyInterval {
    pub logout_at: Millis,
    pub last_accepted: Option<Millis>,
    pub first_rejected: Option<Millis>,
    /// Midpoint of the interval after the logout, ms (None: never rejected before the deadline).
    pub latency_ms: Option<f64>,
    /// Width of the interval, ms.
    pub resolution_ms: Option<f64>,
    pub polls: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Mark {
    pub at: Millis,
    pub verdict: Verdict,
    pub purpose: Purpose,
    pub exchange_id: u32,
    pub after_event: Option<FlowEventKind>,
    pub status: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Gap {
    /// The logout.
    pub from: Millis,
    /// The last replay that was still accepted.
    pub observed_until: Millis,
    /// Until when the credential will presumably keep working: its declared expiry, if any.
    pub expected_until: Option<Millis>,
}

pub fn build(run: &Run) -> Timeline {
    let mut lanes: Vec<Lane> = Vec::new();
    for c in &run.credentials {
        let mut replicas: Vec<Option<u32>> = run.observations_of(c.id).map(|o| o.replica).collect();
        replicas.sort_unstable();
        replicas.dedup();
        if replicas.is_empty() {
            replicas.push(None);
        }
        let latency = run.results.iter().find_map(|r| match &r.measurement {
            Measurement::Latency {
                logout_at,
                last_accepted_at,
                first_rejected_at,
                latency_ms,
                resolution_ms,
                polls,
                ..
            } if r.credential_id == Some(c.id) => Some(LatencyInterval {
                logout_at: *logout_at,
                last_accepted: *last_accepted_at,
                first_rejected: *first_rejected_at,
                latency_ms: *latency_ms,
                resolution_ms: *resolution_ms,
                polls: *polls,
            }),
            _ => None,
        });
        for replica in replicas {
            let mut marks: Vec<Mark> = run
                .observations_of(c.id)
                .filter(|o| o.replica == replica)
                .map(|o| Mark {
                    at: o.at,
                    verdict: o.verdict,
                    purpose: o.purpose,
                    exchange_id: o.exchange_id,
                    after_event: o.after_event,
                    status: o.status,
                })
                .collect();
            marks.sort_by_key(|m| m.at);
            let last_accepted = marks
                .iter()
                .filter(|m| m.verdict == Verdict::Accepted)
                .map(|m| m.at)
                .max();
            let first_rejected = marks
                .iter()
                .filter(|m| m.verdict == Verdict::Rejected)
                .map(|m| m.at)
                .min();
            let revocation_gap = run
                .event(FlowEventKind::Logout, &c.scenario)
                .and_then(|logout| {
                    let after: Vec<&Mark> = marks
                        .iter()
                        .filter(|m| m.at >= logout.at && m.verdict == Verdict::Accepted)
                        .collect();
                    after.iter().map(|m| m.at).max().map(|observed_until| Gap {
                        from: logout.at,
                        observed_until,
                        expected_until: c.declared_expiry,
                    })
                });
            let label = match replica {
                Some(r) => format!("{} @ replica {r}", c.label),
                None => c.label.clone(),
            };
            lanes.push(Lane {
                credential_id: c.id,
                label,
                kind: c.kind,
                scenario: c.scenario.clone(),
                issued_at: c.issued_at,
                declared_expiry: c.declared_expiry,
                expiry_source: c.expiry_source,
                marks,
                last_accepted,
                first_rejected,
                revocation_gap,
                replica,
                latency: latency.clone(),
            });
        }
    }
    lanes.sort_by_key(|l| {
        (
            l.scenario != "lifecycle",
            l.scenario.clone(),
            l.kind,
            l.issued_at,
            l.credential_id,
            l.replica,
        )
    });
    let end = run
        .finished_at
        .into_iter()
        .chain(
            run.exchanges
                .iter()
                .map(|e| e.started_at + e.duration_ms as Millis),
        )
        .max()
        .unwrap_or(run.started_at);
    Timeline {
        start: run.started_at,
        end,
        events: run.events.clone(),
        lanes,
    }
}
