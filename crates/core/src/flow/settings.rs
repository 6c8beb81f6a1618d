//! Waits, bounds and sample sizes of the measuring scenarios: the profile's `[scenarios]` table, which the
//! CLI flags and the app's run form may override. Every loop a scenario runs is bounded by one of these.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default, deny_unknown_fields)]
pub struct ScenarioSettings {
    /// expiry: replay this long after the declared expiry (clock skew servers are allowed).
    pub expiry_skew_secs: u64,
    /// expiry: credentials expiring later than this from now are not waited for (said so).
    pub expiry_max_wait_secs: u64,
    /// latency: stop polling a credential this long after logout.
    pub latency_deadline_secs: u64,
    /// latency: at most this many polls per credential.
    pub latency_max_polls: u32,
    /// latency: start-to-start pause between polls, in ms (the resolution, give or take a round trip).
    pub latency_interval_ms: u64,
    /// idle: the first gap; each next gap doubles it.
    pub idle_first_gap_secs: u64,
    /// idle: no gap longer than this (a session alive after it has no idle timeout as far as we know).
    pub idle_max_gap_secs: u64,
    /// entropy: how many fresh ids to collect (at least 20; 200 or more for a verdict to trust).
    pub entropy_samples: u32,
    /// rate-limit: at most this many wrong passwords.
    pub rate_limit_attempts: u32,
}

impl Default for ScenarioSettings {
    fn default() -> Self {
        ScenarioSettings {
            expiry_skew_secs: 5,
            expiry_max_wait_secs: 900,
            latency_deadline_secs: 30,
            latency_max_polls: 3000,
            latency_interval_ms: 5,
            idle_first_gap_secs: 1,
            idle_max_gap_secs: 900,
            entropy_samples: 200,
            rate_limit_attempts: 20,
        }
    }
}

/// Hard ceilings whatever a profile says: every scenario stays bounded.
const MAX_WAIT_SECS: u64 = 24 * 3600;
const MAX_POLLS: u32 = 100_000;
const MAX_SAMPLES: u32 = 10_000;
const MAX_ATTEMPTS: u32 = 100;

impl ScenarioSettings {
    /// The same settings with every bound within its ceiling, and nothing zero that must not be.
    pub fn clamped(mut self) -> Self {
        self.expiry_skew_secs = self.expiry_skew_secs.min(3600);
        self.expiry_max_wait_secs = self.expiry_max_wait_secs.min(MAX_WAIT_SECS);
        self.latency_deadline_secs = self.latency_deadline_secs.clamp(1, MAX_WAIT_SECS);
        self.latency_max_polls = self.latency_max_polls.clamp(1, MAX_POLLS);
        self.latency_interval_ms = self.latency_interval_ms.min(60_000);
        self.idle_first_gap_secs = self.idle_first_gap_secs.max(1);
        self.idle_max_gap_secs = self
            .idle_max_gap_secs
            .clamp(self.idle_first_gap_secs, MAX_WAIT_SECS);
        self.entropy_samples = self
            .entropy_samples
            .clamp(crate::entropy::MIN_SAMPLES as u32, MAX_SAMPLES);
        self.rate_limit_attempts = self.rate_limit_attempts.clamp(1, MAX_ATTEMPTS);
        self
    }
}
