//! Login throttling per account identifier, shared by all replicas of a lab: after
//! `max_failures` consecutive failures the account is locked for `lockout_secs`, and
//! every attempt meanwhile (right password or not) is refused with 429.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::config::RateLimit;

/// Unknown identifiers are tracked too (so guessing one does not look different), but
/// only this many at a time; known accounts are always tracked.
const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Default)]
struct Account {
    failures: u32,
    locked_until: Option<Instant>,
}

#[derive(Debug)]
pub(crate) struct LoginLimiter {
    policy: RateLimit,
    accounts: Mutex<HashMap<String, Account>>,
}

impl LoginLimiter {
    pub(crate) fn new(policy: RateLimit) -> Self {
        Self {
            policy,
            accounts: Mutex::new(HashMap::new()),
        }
    }

    /// Call before checking the password. The attempt is counted as a failure up front,
    /// so parallel guesses cannot all slip in before the first one is recorded;
    /// [`LoginLimiter::succeeded`] clears it. `Err` carries how long the lock still lasts.
    pub(crate) fn admit(&self, account: &str, known: bool) -> Result<(), Duration> {
        let now = Instant::now();
        let mut accounts = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = accounts.get_mut(account)
            && let Some(until) = entry.locked_until
        {
            if now < until {
                return Err(until - now);
            }
            // The lock has run out: a fresh series of attempts.
            *entry = Account::default();
        }
        if !accounts.contains_key(account) && !known && accounts.len() >= MAX_TRACKED {
            accounts.retain(|_, a| a.locked_until.is_some_and(|until| now < until));
            if accounts.len() >= MAX_TRACKED {
                return Ok(());
            }
        }
        let entry = accounts.entry(account.to_owned()).or_default();
        entry.failures = entry.failures.saturating_add(1);
        if entry.failures >= self.policy.max_failures.max(1) {
            entry.locked_until = Some(now + Duration::from_secs(self.policy.lockout_secs));
        }
        Ok(())
    }

    /// The right password: the account starts over.
    pub(crate) fn succeeded(&self, account: &str) {
        self.accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(account);
    }
}

/// Whole seconds for Retry-After, rounded up so a client waiting that long gets in.
pub(crate) fn retry_after_secs(left: Duration) -> u64 {
    left.as_secs() + u64::from(left.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_and_success_resets() {
        let limiter = LoginLimiter::new(RateLimit {
            max_failures: 3,
            lockout_secs: 30,
        });
        for _ in 0..2 {
            limiter.admit("alice", true).unwrap();
        }
        limiter.succeeded("alice");
        for _ in 0..3 {
            limiter.admit("alice", true).unwrap();
        }
        let left = limiter.admit("alice", true).unwrap_err();
        assert!(left > Duration::from_secs(29) && left <= Duration::from_secs(30));
        assert_eq!(retry_after_secs(left), 30);
        // Other accounts are not affected.
        limiter.admit("bob", true).unwrap();
    }

    #[test]
    fn a_lock_runs_out() {
        let limiter = LoginLimiter::new(RateLimit {
            max_failures: 1,
            lockout_secs: 0,
        });
        limiter.admit("x", false).unwrap();
        limiter.admit("x", false).unwrap();
    }
}
