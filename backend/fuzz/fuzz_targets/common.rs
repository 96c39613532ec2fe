//! Shared by the fuzz targets: the fixed window, the owner zones and the busy-list invariants.
//! (The same checks live in backend/tests/engine/fuzz_regressions.rs.)

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use openslot::calendar::{BusyPolicy, Calendar, Interval, busy_intervals, parse_calendar};

/// Owner zones, picked by the first input byte: no DST, EU DST, US DST, half-hour DST.
pub const ZONES: [Tz; 4] = [
    Tz::UTC,
    Tz::Europe__Berlin,
    Tz::America__New_York,
    Tz::Australia__Lord_Howe,
];

/// A fixed 60-day window, 2025-02-15 .. 2025-04-16 UTC: it spans the 2025 DST changes of
/// New York (03-09), Berlin (03-30) and Lord Howe (04-06).
pub fn window() -> Interval {
    let start = Utc.with_ymd_and_hms(2025, 2, 15, 0, 0, 0).unwrap();
    Interval::new(start, start + chrono::Duration::days(60)).unwrap()
}

/// Parses `text`, computes busy time for `owner`, and panics if the result breaks an invariant.
#[allow(dead_code)] // rrule_text only uses `check`
pub fn check(text: &str, owner: Tz) {
    check_calendar(&parse_calendar(text, "fuzz"), owner);
}

/// Computes busy time of an already parsed calendar for `owner` and checks the invariants.
pub fn check_calendar(cal: &Calendar, owner: Tz) {
    let window = window();
    let mut warnings = Vec::new();
    let busy = busy_intervals(cal, window, owner, &BusyPolicy::default(), &mut warnings);
    for iv in &busy {
        assert!(iv.start < iv.end, "empty interval {iv:?}");
        assert!(
            window.start <= iv.start && iv.end <= window.end,
            "{iv:?} outside the window {window:?}"
        );
    }
    for pair in busy.windows(2) {
        assert!(
            pair[0].end < pair[1].start,
            "not sorted, disjoint and non-touching: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
}
