//! The timeline: one lane per credential value, its declared lifetime, every observation of it, and the
//! revocation gap (accepted after logout). A pure function of a recorded run.

use serde::{Deserialize, Serialize};

use crate::model::{
    CredentialKind, ExpirySource, FlowEvent, FlowEventKind, Millis, Purpose, Run, Verdict,
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
    let mut lanes: Vec<Lane> = run
        .credentials
        .iter()
        .map(|c| {
            let mut marks: Vec<Mark> = run
                .observations_of(c.id)
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
            Lane {
                credential_id: c.id,
                label: c.label.clone(),
                kind: c.kind,
                scenario: c.scenario.clone(),
                issued_at: c.issued_at,
                declared_expiry: c.declared_expiry,
                expiry_source: c.expiry_source,
                marks,
                last_accepted,
                first_rejected,
                revocation_gap,
            }
        })
        .collect();
    lanes.sort_by_key(|l| {
        (
            l.scenario != "lifecycle",
            l.scenario.clone(),
            l.kind,
            l.issued_at,
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
