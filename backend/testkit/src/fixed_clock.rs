//! The service tests' clocks: a pinned instant when the test binary first read a clock, running
//! on from there (so retries that wait a few seconds come due). `fixed_now` is Monday 30
//! November 2026, 06:00 UTC (07:00 in Berlin); api/dates.rs pins others.

use chrono::{DateTime, TimeZone, Utc};

/// `start` plus the time since the test binary first read one of these clocks.
pub fn running_from(start: DateTime<Utc>) -> DateTime<Utc> {
    static FIRST: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let elapsed = FIRST.get_or_init(std::time::Instant::now).elapsed();
    start + chrono::Duration::from_std(elapsed).unwrap_or_default()
}

pub fn fixed_now() -> DateTime<Utc> {
    running_from(Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap())
}
