//! Inputs found by the fuzz targets in backend/fuzz (minimized with `cargo fuzz tmin`), kept as
//! regression tests: the engine must not panic on them, and the busy list must keep its
//! invariants (sorted, disjoint, non-touching, inside the window) in every owner zone.
//! The checks mirror backend/fuzz/fuzz_targets/common.rs.

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Tz;
use openslot::calendar::{BusyPolicy, Interval, busy_intervals, parse_calendar};

const ZONES: [Tz; 4] = [
    Tz::UTC,
    Tz::Europe__Berlin,
    Tz::America__New_York,
    Tz::Australia__Lord_Howe,
];

/// The fuzz targets' window: 60 days from 2025-02-15 UTC.
fn window() -> Interval {
    let start = Utc.with_ymd_and_hms(2025, 2, 15, 0, 0, 0).unwrap();
    Interval::new(start, start + Duration::days(60)).expect("a 60-day window")
}

/// Same path as the fuzz targets: lossy UTF-8 -> parse -> busy time, then the invariants.
fn check(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let window = window();
    for owner in ZONES {
        let cal = parse_calendar(&text, "fuzz-regression");
        let mut warnings = Vec::new();
        let busy = busy_intervals(&cal, window, owner, &BusyPolicy::default(), &mut warnings);
        for iv in &busy {
            assert!(iv.start < iv.end, "{owner}: empty interval {iv:?}");
            assert!(
                window.start <= iv.start && iv.end <= window.end,
                "{owner}: {iv:?} outside the window"
            );
        }
        for pair in busy.windows(2) {
            assert!(
                pair[0].end < pair[1].start,
                "{owner}: not sorted/disjoint/non-touching: {:?} then {:?}",
                pair[0],
                pair[1]
            );
        }
    }
}

/// parse_and_expand, 2026-11: `BYDAY=` followed by a byte that is not UTF-8. The lossy decode
/// makes it U+FFFD (3 bytes) and `nweekday` split the value 2 bytes from the end, inside that
/// char: "end byte index .. is not a char boundary" (recur.rs).
#[test]
fn byday_with_invalid_utf8_does_not_panic() {
    check(b"BEGIN:VEVENT\nRRULE:BYDAY=\xb6");
}

/// rrule_text, 2026-11: the same bug reached through a full event (the target's input was
/// `;BYDAY=\xad` after `RRULE:`). The rule is rejected with a warning; DTSTART still counts.
#[test]
fn byday_with_invalid_utf8_in_a_full_event() {
    let mut ics = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:fuzz-1\r\n\
        DTSTART;TZID=Europe/Berlin:20250303T093000\r\nDTEND;TZID=Europe/Berlin:20250303T103000\r\n\
        RRULE:FREQ=WEEKLY;BYDAY=\xad"
        .to_vec();
    ics.extend_from_slice(b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    check(&ics);
    // Also multi-byte values that are valid UTF-8.
    for day in ["\u{e9}", "1\u{e9}", "\u{1F600}MO", "M\u{e9}"] {
        let text = format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20250303T090000Z\r\n\
             RRULE:FREQ=DAILY;BYDAY={day}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        check(text.as_bytes());
    }

    let (cal, busy) = utc_busy(&String::from_utf8_lossy(&ics));
    assert_eq!(busy.len(), 1, "only DTSTART: {busy:?}");
    assert!(
        cal.warnings.iter().any(|w| w.message.contains("BYDAY")),
        "the bad RRULE is reported: {:?}",
        cal.warnings
    );
}

/// The parsed calendar and its busy time in the fixed window, owner zone UTC.
fn utc_busy(
    text: &str,
) -> (
    openslot::calendar::Calendar,
    Vec<openslot::calendar::Interval>,
) {
    let cal = parse_calendar(text, "fuzz-regression");
    let mut warnings = Vec::new();
    let busy = busy_intervals(
        &cal,
        window(),
        Tz::UTC,
        &BusyPolicy::default(),
        &mut warnings,
    );
    (cal, busy)
}

/// Found by review during the 2026-11-25 fuzz round (the direct recurrence path, recur.rs):
/// DAILY with an INTERVAL that is a multiple of 7 and a BYDAY that misses DTSTART's weekday
/// never matches. The `rrule` crate gives up after its iteration limit; the direct path
/// walked day by day to chrono's last date (~13.6 M steps per rule) before returning nothing.
#[test]
fn daily_interval_7_with_unmatched_byday_counts_only_dtstart() {
    let mut ics = String::from(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20250303T090000Z\r\nDURATION:PT1H\r\n",
    );
    for _ in 0..50 {
        ics.push_str("RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU\r\n");
    }
    ics.push_str("END:VEVENT\r\nEND:VCALENDAR\r\n");
    check(ics.as_bytes());
    let (_, busy) = utc_busy(&ics);
    assert_eq!(busy.len(), 1, "only DTSTART: {busy:?}");
    // That it ends without walking is checked structurally in recur.rs
    // (`daily_whole_weeks_missing_the_start_day_is_empty_at_once`), not by timing.
}
