//! Tokens: JWTs decoded for display, opaque tokens kept opaque, human times; verification keys and
//! verification; forged JWTs for the active checks; HMAC secrets audited offline.

pub mod forge;
pub mod jwks_cache;
pub mod jwt;
pub mod keys;
pub mod verify;
pub mod weak_secret;

use crate::model::Millis;

/// `2026-11-22 06:30:00 UTC (in 4m 59s)` for a Unix-ms instant relative to `now`.
pub fn describe_time(at: Millis, now: Millis) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    let absolute = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| format!("{at} ms after the Unix epoch"));
    let delta = i128::from(at) - i128::from(now);
    let relative = if delta.unsigned_abs() < 500 {
        "now".to_string()
    } else if delta > 0 {
        format!("in {}", human_duration_ms(delta))
    } else {
        format!("{} ago", human_duration_ms(-delta))
    };
    format!("{absolute} ({relative})")
}

/// A span of milliseconds rounded to whole seconds, humantime style: `4m 59s`, `400days`.
pub fn human_duration_ms(ms: i128) -> String {
    let secs = (ms.unsigned_abs() + 500) / 1000;
    let secs = u64::try_from(secs).unwrap_or(u64::MAX);
    humantime::format_duration(std::time::Duration::from_secs(secs)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_future_and_past() {
        let now = 1_795_329_000_000; // 2026-11-22 06:30:00 UTC
        assert_eq!(describe_time(now, now), "2026-11-22 06:30:00 UTC (now)");
        assert_eq!(
            describe_time(now + 299_000, now),
            "2026-11-22 06:34:59 UTC (in 4m 59s)"
        );
        assert_eq!(
            describe_time(now - 300_000, now),
            "2026-11-22 06:25:00 UTC (5m ago)"
        );
        assert_eq!(
            describe_time(now + 298_600, now),
            "2026-11-22 06:34:58 UTC (in 4m 59s)"
        );
        assert_eq!(human_duration_ms(86_400_000), "1day");
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        for (at, now) in [(i64::MAX, i64::MIN), (i64::MIN, i64::MAX), (0, 0), (-1, 1)] {
            let s = describe_time(at, now);
            assert!(!s.is_empty());
        }
        assert!(describe_time(i64::MAX, 0).starts_with("9223372036854775807 ms after"));
    }
}
