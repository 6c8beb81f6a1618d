//! A lab shaped for one run (the desktop's lab card, `authlens demo`): how many replicas, on which store, with
//! which lifetimes, from what the run's scenarios and flaw switches need.

use crate::config::{Flaw, LabConfig, Lifetimes, StoreBackend};
use crate::error::LabError;

/// Replicas a run gets when the replicas scenario or `per-replica-store` needs several and none were asked for.
pub const DEFAULT_REPLICAS: u16 = 3;
/// A teaching lab never needs more.
const MAX_SHAPED_REPLICAS: u16 = 5;

/// What a run asks of its lab.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// Instances asked for (None: one, or [`DEFAULT_REPLICAS`] when several are needed).
    pub replicas: Option<u16>,
    /// `sqlite` (a shared file for several replicas) or `redis` (a redis-server the lab starts).
    pub store: Option<String>,
    /// The run has a replicas scenario: at least two instances.
    pub needs_replicas: bool,
    /// Teaching lifetimes ([`teaching_lifetimes`]): the waiting scenarios end in seconds.
    pub short_lifetimes: bool,
}

/// Lifetimes for classrooms and CI: every wait of the expiry and idle scenarios ends within half a minute.
pub fn teaching_lifetimes() -> Lifetimes {
    Lifetimes {
        access_secs: 10,
        refresh_secs: 60,
        session_secs: 20,
        idle_secs: 6,
    }
}

impl LabConfig {
    /// This configuration with the replicas, store and lifetimes `shape` asks for.
    pub fn shaped(mut self, shape: &Shape) -> Result<LabConfig, LabError> {
        let per_replica = self.flaws.contains(&Flaw::PerReplicaStore);
        let mut n = shape.replicas.unwrap_or(1).clamp(1, MAX_SHAPED_REPLICAS);
        if (shape.needs_replicas || per_replica) && n < 2 {
            n = DEFAULT_REPLICAS;
        }
        self.replicas = n;
        self.store = match shape.store.as_deref().map(str::trim) {
            // per-replica-store is each instance's own memory: no shared store to pick.
            _ if per_replica => StoreBackend::Memory,
            None | Some("" | "sqlite" | "memory") => StoreBackend::Memory,
            Some("redis") => StoreBackend::Redis(None),
            Some(other) => return Err(LabError::UnknownStore(other.to_string())),
        };
        if shape.short_lifetimes {
            self.lifetimes = teaching_lifetimes();
        }
        Ok(self)
    }
}
