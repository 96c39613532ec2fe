//! The service tests' clock: Monday 30 November 2026, 06:00 UTC (07:00 in Berlin) when the test
//! binary started, running on from there (so retries that wait a few seconds come due).

use chrono::{DateTime, TimeZone, Utc};

pub fn fixed_now() -> DateTime<Utc> {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let elapsed = START.get_or_init(std::time::Instant::now).elapsed();
    Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap()
        + chrono::Duration::from_std(elapsed).unwrap_or_default()
}
