//! The booking service over real HTTP: each test spawns the whole service (`spawn_app`) on
//! random ports with its own data directory (a real SQLite file) and a fixed clock, and talks
//! to it with an HTTP client like any third party would.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod app;
mod bookings;
mod concurrency;
mod contract;

use chrono::{DateTime, TimeZone, Utc};

/// Monday 30 November 2026, 06:00 UTC (07:00 in Berlin): the tests' "now".
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap()
}
