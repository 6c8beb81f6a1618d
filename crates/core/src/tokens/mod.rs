//! Tokens: JWTs decoded for display, opaque tokens kept opaque, human times.

pub mod jwt;

/// `2026-11-22 06:30:00 UTC (in 4m 59s)` for a Unix-ms instant relative to `now`.
pub fn describe_time(_at: crate::model::Millis, _now: crate::model::Millis) -> String {
    todo!()
}
