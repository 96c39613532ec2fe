//! Whole engine: arbitrary bytes -> parse_calendar -> busy_intervals over a fixed 60-day window.
//! The first byte picks the owner zone; the whole input (first byte included) is the calendar,
//! so real .ics seeds work as they are.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let owner =
        common::ZONES[usize::from(data.first().copied().unwrap_or(0)) % common::ZONES.len()];
    let text = String::from_utf8_lossy(data);
    common::check(&text, owner);
});
