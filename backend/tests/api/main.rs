//! The booking service over real HTTP: each test spawns the whole service (`spawn_app`) on
//! random ports with its own data directory (a real SQLite file) and a fixed clock, and talks
//! to it with an HTTP client like any third party would.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod admin;
mod app;
mod bookings;
mod concurrency;
mod contract;
mod details;
mod series;
#[path = "../caldav/servers.rs"]
#[allow(dead_code)]
mod servers;
mod writeback;

use chrono::{DateTime, TimeZone, Utc};

/// The tests' clock: Monday 30 November 2026, 06:00 UTC (07:00 in Berlin) when the test binary
/// started, running on from there (so retries that wait a few seconds come due).
pub fn fixed_now() -> DateTime<Utc> {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let elapsed = START.get_or_init(std::time::Instant::now).elapsed();
    Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap()
        + chrono::Duration::from_std(elapsed).unwrap_or_default()
}
