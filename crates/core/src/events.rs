//! Progress events a run streams while it goes (the CLI draws a progress bar, the app renders them live),
//! and the cancellation handle.

use serde::{Deserialize, Serialize};
pub use tokio_util::sync::CancellationToken;

use crate::model::{CredentialKind, ErrorInfo, Finding, Millis, ScenarioResult, StepKind, Verdict};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum RunEvent {
    Started {
        run_id: String,
        profile: String,
        total_steps: u32,
    },
    StepStarted {
        scenario: String,
        step: StepKind,
        label: String,
        index: u32,
    },
    ExchangeCaptured {
        id: u32,
        method: String,
        url: String,
        status: Option<u16>,
        duration_ms: f64,
    },
    CredentialIssued {
        id: u32,
        label: String,
        kind: CredentialKind,
        expires_at: Option<Millis>,
    },
    ReplayResult {
        credential_id: u32,
        label: String,
        verdict: Verdict,
        status: Option<u16>,
    },
    /// The run waits until `until` (a declared expiry, an idle gap, a poll deadline): UIs show a countdown.
    /// `credential_ids` are the credentials waited on (several at once for expiry).
    Waiting {
        scenario: String,
        until: Millis,
        reason: String,
        credential_ids: Vec<u32>,
    },
    /// A measuring scenario's verdict on one credential, replica or id sample.
    Result {
        result: Box<ScenarioResult>,
    },
    Finding {
        finding: Box<Finding>,
    },
    Finished {
        run_id: String,
    },
    Failed {
        error: ErrorInfo,
    },
}

/// Where events go. Sending never blocks the run; a closed receiver is ignored.
#[derive(Clone, Default)]
pub struct EventSink(Option<tokio::sync::mpsc::UnboundedSender<RunEvent>>);

impl EventSink {
    pub fn new(tx: tokio::sync::mpsc::UnboundedSender<RunEvent>) -> Self {
        EventSink(Some(tx))
    }
    pub fn none() -> Self {
        EventSink(None)
    }
    pub fn emit(&self, e: RunEvent) {
        if let Some(tx) = &self.0 {
            let _ = tx.send(e);
        }
    }
}
