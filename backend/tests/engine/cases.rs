//! Black-box cases for the calendar engine: one small iCalendar text each, the owner's zone, a
//! window, and the busy intervals RFC 5545 and the corpus rules (../shared/corpus/README.md,
//! DISAGREEMENTS.md) say it must produce. Expected values are worked out by hand, not recorded.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use openslot::calendar::{
    BusyPolicy, Interval, MAX_INSTANCES_PER_SERIES, Warning, busy_intervals, parse_calendar,
};

/// January and February 2025: the window of most cases.
const JAN_FEB: (&str, &str) = ("2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z");
/// The whole of 2025.
const Y2025: (&str, &str) = ("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z");

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("bad RFC 3339 time {s:?} in a test: {e}"))
        .with_timezone(&Utc)
}

/// Wraps event lines in a VCALENDAR. Leading whitespace of each line is dropped (so cases can be
/// indented) and lines end in CRLF; cases about folding or line ends write their text raw.
fn vcal(body: &str) -> String {
    let mut out =
        String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//OpenSlot//tests//EN\r\n");
    for line in body.lines().map(str::trim_start).filter(|l| !l.is_empty()) {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// The 1-based line of the first line of `text` that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> u32 {
    let idx = text
        .lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?}"));
    u32::try_from(idx + 1).expect("test text is short")
}

/// The one helper: parses `ics`, computes busy time in `window` for an owner in `owner_tz` under
/// `policy`, compares with `expected` (RFC 3339 pairs) and returns every warning.
fn check_policy(
    ics: &str,
    owner_tz: &str,
    window: (&str, &str),
    policy: BusyPolicy,
    expected: &[(&str, &str)],
) -> Vec<Warning> {
    let owner = Tz::from_str(owner_tz).expect("owner zone is an IANA name");
    let window = Interval::new(t(window.0), t(window.1)).expect("window is not empty");
    let cal = parse_calendar(ics, "case.ics");
    let mut warnings = cal.warnings.clone();
    let got = busy_intervals(&cal, window, owner, &policy, &mut warnings);
    let want: Vec<Interval> = expected
        .iter()
        .map(|&(s, e)| Interval::new(t(s), t(e)).expect("expected interval is not empty"))
        .collect();
    let show = |ivs: &[Interval]| -> Vec<String> {
        ivs.iter()
            .map(|i| format!("{}..{}", i.start.format("%FT%TZ"), i.end.format("%FT%TZ")))
            .collect()
    };
    let shown: String = ics.chars().take(3000).collect();
    let few = &warnings[..warnings.len().min(10)];
    assert_eq!(
        show(&got),
        show(&want),
        "\nowner {owner_tz}, policy {policy:?}\nwarnings: {few:#?}\ntext:\n{shown}"
    );
    warnings
}

/// [`check_policy`] with the default policy (tentative busy, all-day busy, transparent free).
fn check(
    ics: &str,
    owner_tz: &str,
    window: (&str, &str),
    expected: &[(&str, &str)],
) -> Vec<Warning> {
    check_policy(ics, owner_tz, window, BusyPolicy::default(), expected)
}

fn assert_warned(warnings: &[Warning], needle: &str) {
    assert!(
        warnings
            .iter()
            .any(|w| w.message.to_lowercase().contains(&needle.to_lowercase())),
        "no warning mentioning {needle:?} in {warnings:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// RRULE: every frequency with COUNT and with UNTIL.

#[test]
fn daily_count() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:daily-count
         DTSTART:20250106T090000Z
         DTEND:20250106T100000Z
         RRULE:FREQ=DAILY;COUNT=3
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-07T09:00:00Z", "2025-01-07T10:00:00Z"),
            ("2025-01-08T09:00:00Z", "2025-01-08T10:00:00Z"),
        ],
    );
}

#[test]
fn daily_until_is_inclusive() {
    // UNTIL equal to an occurrence includes it (RFC 5545 3.3.10).
    let ics = vcal(
        "BEGIN:VEVENT
         UID:daily-until
         DTSTART:20250106T090000Z
         DTEND:20250106T100000Z
         RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20250110T090000Z
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-08T09:00:00Z", "2025-01-08T10:00:00Z"),
            ("2025-01-10T09:00:00Z", "2025-01-10T10:00:00Z"),
        ],
    );
}

#[test]
fn weekly_byday_count() {
    // 2025-01-06 is a Monday.
    let ics = vcal(
        "BEGIN:VEVENT
         UID:weekly-count
         DTSTART:20250106T090000Z
         DTEND:20250106T100000Z
         RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-08T09:00:00Z", "2025-01-08T10:00:00Z"),
            ("2025-01-13T09:00:00Z", "2025-01-13T10:00:00Z"),
            ("2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z"),
        ],
    );
}

#[test]
fn weekly_until() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:weekly-until
         DTSTART:20250106T090000Z
         DTEND:20250106T100000Z
         RRULE:FREQ=WEEKLY;UNTIL=20250120T235959Z
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-13T09:00:00Z", "2025-01-13T10:00:00Z"),
            ("2025-01-20T09:00:00Z", "2025-01-20T10:00:00Z"),
        ],
    );
}

#[test]
fn monthly_count_skips_missing_days() {
    // The 31st does not exist in February or April: those months have no instance (RFC 5545
    // 3.3.10, invalid dates are ignored and not counted).
    let ics = vcal(
        "BEGIN:VEVENT
         UID:monthly-31
         DTSTART:20250131T120000Z
         DTEND:20250131T130000Z
         RRULE:FREQ=MONTHLY;COUNT=3
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        Y2025,
        &[
            ("2025-01-31T12:00:00Z", "2025-01-31T13:00:00Z"),
            ("2025-03-31T12:00:00Z", "2025-03-31T13:00:00Z"),
            ("2025-05-31T12:00:00Z", "2025-05-31T13:00:00Z"),
        ],
    );
}

#[test]
fn monthly_bymonthday_until() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:monthly-until
         DTSTART:20250115T100000Z
         DTEND:20250115T110000Z
         RRULE:FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20250415T000000Z
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        Y2025,
        &[
            ("2025-01-15T10:00:00Z", "2025-01-15T11:00:00Z"),
            ("2025-02-15T10:00:00Z", "2025-02-15T11:00:00Z"),
            ("2025-03-15T10:00:00Z", "2025-03-15T11:00:00Z"),
        ],
    );
}

#[test]
fn yearly_count_on_leap_day() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:leap
         DTSTART:20240229T100000Z
         DTEND:20240229T110000Z
         RRULE:FREQ=YEARLY;COUNT=2
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        ("2024-01-01T00:00:00Z", "2029-01-01T00:00:00Z"),
        &[
            ("2024-02-29T10:00:00Z", "2024-02-29T11:00:00Z"),
            ("2028-02-29T10:00:00Z", "2028-02-29T11:00:00Z"),
        ],
    );
}

#[test]
fn yearly_all_day_until_date() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:yearly-date
         DTSTART;VALUE=DATE:20230704
         DTEND;VALUE=DATE:20230705
         RRULE:FREQ=YEARLY;UNTIL=20250704
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        ("2023-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
        &[
            ("2023-07-04T00:00:00Z", "2023-07-05T00:00:00Z"),
            ("2024-07-04T00:00:00Z", "2024-07-05T00:00:00Z"),
            ("2025-07-04T00:00:00Z", "2025-07-05T00:00:00Z"),
        ],
    );
}

#[test]
fn dtstart_off_pattern_is_first_instance_and_counts() {
    // 2025-01-07 is a Tuesday; the rule says Mondays. DTSTART is still the first of COUNT=3
    // (RFC 5545 3.8.5.3; DISAGREEMENTS.md rule 1).
    let ics = vcal(
        "BEGIN:VEVENT
         UID:off-pattern
         DTSTART:20250107T090000Z
         DTEND:20250107T100000Z
         RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-07T09:00:00Z", "2025-01-07T10:00:00Z"),
            ("2025-01-13T09:00:00Z", "2025-01-13T10:00:00Z"),
            ("2025-01-20T09:00:00Z", "2025-01-20T10:00:00Z"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// RDATE and EXDATE.

#[test]
fn rdate_date_time_takes_the_master_length() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:rdate-dt
         DTSTART:20250106T090000Z
         DTEND:20250106T100000Z
         RDATE:20250110T140000Z,20250111T140000Z
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-10T14:00:00Z", "2025-01-10T15:00:00Z"),
            ("2025-01-11T14:00:00Z", "2025-01-11T15:00:00Z"),
        ],
    );
}

#[test]
fn rdate_date_on_all_day_series() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:rdate-date
         DTSTART;VALUE=DATE:20250106
         RDATE;VALUE=DATE:20250108,20250120
         END:VEVENT",
    );
    check(
        &ics,
        "Europe/Berlin",
        JAN_FEB,
        &[
            ("2025-01-05T23:00:00Z", "2025-01-06T23:00:00Z"),
            ("2025-01-07T23:00:00Z", "2025-01-08T23:00:00Z"),
            ("2025-01-19T23:00:00Z", "2025-01-20T23:00:00Z"),
        ],
    );
}

#[test]
fn rdate_period_has_its_own_end() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:rdate-period
         DTSTART:20250106T090000Z
         DTEND:20250106T100000Z
         RDATE;VALUE=PERIOD:20250110T140000Z/20250110T170000Z,20250111T080000Z/PT30M
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-10T14:00:00Z", "2025-01-10T17:00:00Z"),
            ("2025-01-11T08:00:00Z", "2025-01-11T08:30:00Z"),
        ],
    );
}

#[test]
fn rdate_in_another_zone_than_dtstart() {
    // 09:00 in New York on 10 January is 14:00Z; the instance keeps the master's hour.
    let ics = vcal(
        "BEGIN:VEVENT
         UID:rdate-zone
         DTSTART;TZID=Europe/Berlin:20250106T090000
         DTEND;TZID=Europe/Berlin:20250106T100000
         RDATE;TZID=America/New_York:20250110T090000
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T08:00:00Z", "2025-01-06T09:00:00Z"),
            ("2025-01-10T14:00:00Z", "2025-01-10T15:00:00Z"),
        ],
    );
}

/// A daily Berlin series at 09:00 (08:00Z in winter), Monday 6 to Friday 10 January 2025.
const BERLIN_DAILY: &str = "BEGIN:VEVENT
    UID:berlin-daily
    DTSTART;TZID=Europe/Berlin:20250106T090000
    DTEND;TZID=Europe/Berlin:20250106T100000
    RRULE:FREQ=DAILY;COUNT=5";

#[test]
fn exdate_same_zone_several_values_in_one_line() {
    let ics = vcal(&format!(
        "{BERLIN_DAILY}
         EXDATE;TZID=Europe/Berlin:20250107T090000,20250109T090000
         END:VEVENT"
    ));
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T08:00:00Z", "2025-01-06T09:00:00Z"),
            ("2025-01-08T08:00:00Z", "2025-01-08T09:00:00Z"),
            ("2025-01-10T08:00:00Z", "2025-01-10T09:00:00Z"),
        ],
    );
}

#[test]
fn exdate_several_lines() {
    let ics = vcal(&format!(
        "{BERLIN_DAILY}
         EXDATE;TZID=Europe/Berlin:20250106T090000
         EXDATE;TZID=Europe/Berlin:20250110T090000
         END:VEVENT"
    ));
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-07T08:00:00Z", "2025-01-07T09:00:00Z"),
            ("2025-01-08T08:00:00Z", "2025-01-08T09:00:00Z"),
            ("2025-01-09T08:00:00Z", "2025-01-09T09:00:00Z"),
        ],
    );
}

#[test]
fn exdate_in_utc_on_zoned_series_matches_by_instant() {
    // 09:00 Berlin on 8 January is 08:00Z (DISAGREEMENTS.md: EXDATE in UTC on a TZID series).
    let ics = vcal(&format!(
        "{BERLIN_DAILY}
         EXDATE:20250108T080000Z
         END:VEVENT"
    ));
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T08:00:00Z", "2025-01-06T09:00:00Z"),
            ("2025-01-07T08:00:00Z", "2025-01-07T09:00:00Z"),
            ("2025-01-09T08:00:00Z", "2025-01-09T09:00:00Z"),
            ("2025-01-10T08:00:00Z", "2025-01-10T09:00:00Z"),
        ],
    );
}

#[test]
fn exdate_date_on_all_day_series() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:allday-ex
         DTSTART;VALUE=DATE:20250106
         DTEND;VALUE=DATE:20250107
         RRULE:FREQ=DAILY;COUNT=4
         EXDATE;VALUE=DATE:20250107
         END:VEVENT",
    );
    // 8 and 9 January touch and merge.
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T00:00:00Z", "2025-01-07T00:00:00Z"),
            ("2025-01-08T00:00:00Z", "2025-01-10T00:00:00Z"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// RECURRENCE-ID overrides.

/// Mondays 6, 13 and 20 January 2025, 09:00-10:00Z.
const WEEKLY_MASTER: &str = "BEGIN:VEVENT
    UID:weekly
    DTSTART:20250106T090000Z
    DTEND:20250106T100000Z
    RRULE:FREQ=WEEKLY;COUNT=3
    END:VEVENT";

#[test]
fn override_moves_an_instance() {
    let ics = vcal(&format!(
        "{WEEKLY_MASTER}
         BEGIN:VEVENT
         UID:weekly
         RECURRENCE-ID:20250113T090000Z
         DTSTART:20250114T150000Z
         DTEND:20250114T160000Z
         END:VEVENT"
    ));
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-14T15:00:00Z", "2025-01-14T16:00:00Z"),
            ("2025-01-20T09:00:00Z", "2025-01-20T10:00:00Z"),
        ],
    );
}

#[test]
fn override_before_master_in_text() {
    let ics = vcal(&format!(
        "BEGIN:VEVENT
         UID:weekly
         RECURRENCE-ID:20250113T090000Z
         DTSTART:20250113T120000Z
         DTEND:20250113T123000Z
         END:VEVENT
         {WEEKLY_MASTER}"
    ));
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-13T12:00:00Z", "2025-01-13T12:30:00Z"),
            ("2025-01-20T09:00:00Z", "2025-01-20T10:00:00Z"),
        ],
    );
}

#[test]
fn cancelled_override_frees_only_that_instance() {
    let ics = vcal(&format!(
        "{WEEKLY_MASTER}
         BEGIN:VEVENT
         UID:weekly
         RECURRENCE-ID:20250113T090000Z
         DTSTART:20250113T090000Z
         DTEND:20250113T100000Z
         STATUS:CANCELLED
         END:VEVENT"
    ));
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-20T09:00:00Z", "2025-01-20T10:00:00Z"),
        ],
    );
}

#[test]
fn orphan_override_is_still_busy() {
    // Wednesday 15 January is not an instance of the Monday rule (DISAGREEMENTS.md rule 4).
    let ics = vcal(&format!(
        "{WEEKLY_MASTER}
         BEGIN:VEVENT
         UID:weekly
         RECURRENCE-ID:20250115T090000Z
         DTSTART:20250115T120000Z
         DTEND:20250115T130000Z
         END:VEVENT"
    ));
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-13T09:00:00Z", "2025-01-13T10:00:00Z"),
            ("2025-01-15T12:00:00Z", "2025-01-15T13:00:00Z"),
            ("2025-01-20T09:00:00Z", "2025-01-20T10:00:00Z"),
        ],
    );
}

#[test]
fn override_without_master_is_busy() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:lonely
         RECURRENCE-ID:20250113T090000Z
         DTSTART:20250113T110000Z
         DTEND:20250113T120000Z
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[("2025-01-13T11:00:00Z", "2025-01-13T12:00:00Z")],
    );
}

#[test]
fn this_and_future_moves_later_instances() {
    // From 8 January on, instances move two hours later and last 30 minutes.
    let ics = vcal(
        "BEGIN:VEVENT
         UID:taf
         DTSTART:20250106T090000Z
         DTEND:20250106T100000Z
         RRULE:FREQ=DAILY;COUNT=5
         END:VEVENT
         BEGIN:VEVENT
         UID:taf
         RECURRENCE-ID;RANGE=THISANDFUTURE:20250108T090000Z
         DTSTART:20250108T110000Z
         DTEND:20250108T113000Z
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-07T09:00:00Z", "2025-01-07T10:00:00Z"),
            ("2025-01-08T11:00:00Z", "2025-01-08T11:30:00Z"),
            ("2025-01-09T11:00:00Z", "2025-01-09T11:30:00Z"),
            ("2025-01-10T11:00:00Z", "2025-01-10T11:30:00Z"),
        ],
    );
}

#[test]
fn this_and_future_moves_an_instance_from_before_the_window_into_it() {
    // Daily at 23:00Z from 3 January; from the second instance (4 January) on, moved two hours
    // later. The window starts on 6 January: the 5 January instance, which ended before the
    // window, now falls in it at 01:00Z.
    let ics = vcal(
        "BEGIN:VEVENT
         UID:taf-early
         DTSTART:20250103T230000Z
         DTEND:20250103T233000Z
         RRULE:FREQ=DAILY;COUNT=5
         END:VEVENT
         BEGIN:VEVENT
         UID:taf-early
         RECURRENCE-ID;RANGE=THISANDFUTURE:20250104T230000Z
         DTSTART:20250105T010000Z
         DTEND:20250105T013000Z
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        ("2025-01-06T00:00:00Z", "2025-02-01T00:00:00Z"),
        &[
            ("2025-01-06T01:00:00Z", "2025-01-06T01:30:00Z"),
            ("2025-01-07T01:00:00Z", "2025-01-07T01:30:00Z"),
            ("2025-01-08T01:00:00Z", "2025-01-08T01:30:00Z"),
        ],
    );
}

#[test]
fn this_and_future_moves_instances_by_more_than_the_slack() {
    // Weekly on Mondays at 09:00Z; from 6 January on, every meeting moves ten days later (to
    // Thursday of the next week). The window is 20-27 January: only the moved 13 January
    // meeting (now 23 January) falls in it; the 20 January one moves out, to 30 January.
    let ics = vcal(
        "BEGIN:VEVENT
         UID:taf-far
         DTSTART:20241230T090000Z
         DTEND:20241230T100000Z
         RRULE:FREQ=WEEKLY
         END:VEVENT
         BEGIN:VEVENT
         UID:taf-far
         RECURRENCE-ID;RANGE=THISANDFUTURE:20250106T090000Z
         DTSTART:20250116T090000Z
         DTEND:20250116T100000Z
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        ("2025-01-20T00:00:00Z", "2025-01-27T00:00:00Z"),
        &[("2025-01-23T09:00:00Z", "2025-01-23T10:00:00Z")],
    );
}

// ---------------------------------------------------------------------------------------------
// Zones.

#[test]
fn custom_vtimezone_with_rules() {
    // A zone no tzdata knows: +03:00 in winter, +04:00 from the first Sunday of April to the
    // first Sunday of November.
    let ics = vcal(
        "BEGIN:VTIMEZONE
         TZID:Fantasia Standard Time
         BEGIN:STANDARD
         DTSTART:19701101T020000
         TZOFFSETFROM:+0400
         TZOFFSETTO:+0300
         RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
         END:STANDARD
         BEGIN:DAYLIGHT
         DTSTART:19700405T020000
         TZOFFSETFROM:+0300
         TZOFFSETTO:+0400
         RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU
         END:DAYLIGHT
         END:VTIMEZONE
         BEGIN:VEVENT
         UID:fantasia
         DTSTART;TZID=Fantasia Standard Time:20250303T090000
         DTEND;TZID=Fantasia Standard Time:20250303T100000
         RRULE:FREQ=WEEKLY;COUNT=6
         END:VEVENT",
    );
    // 2025-04-06 is the first Sunday of April: from 7 April on, 09:00 is 05:00Z.
    check(
        &ics,
        "UTC",
        Y2025,
        &[
            ("2025-03-03T06:00:00Z", "2025-03-03T07:00:00Z"),
            ("2025-03-10T06:00:00Z", "2025-03-10T07:00:00Z"),
            ("2025-03-17T06:00:00Z", "2025-03-17T07:00:00Z"),
            ("2025-03-24T06:00:00Z", "2025-03-24T07:00:00Z"),
            ("2025-03-31T06:00:00Z", "2025-03-31T07:00:00Z"),
            ("2025-04-07T05:00:00Z", "2025-04-07T06:00:00Z"),
        ],
    );
}

#[test]
fn iana_tzid() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:ny-winter
         DTSTART;TZID=America/New_York:20250115T090000
         DTEND;TZID=America/New_York:20250115T100000
         END:VEVENT
         BEGIN:VEVENT
         UID:ny-summer
         DTSTART;TZID=America/New_York:20250715T090000
         DTEND;TZID=America/New_York:20250715T100000
         END:VEVENT",
    );
    check(
        &ics,
        "Europe/Berlin",
        Y2025,
        &[
            ("2025-01-15T14:00:00Z", "2025-01-15T15:00:00Z"),
            ("2025-07-15T13:00:00Z", "2025-07-15T14:00:00Z"),
        ],
    );
}

#[test]
fn windows_zone_name() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:outlook
         DTSTART;TZID=W. Europe Standard Time:20250115T090000
         DTEND;TZID=W. Europe Standard Time:20250115T100000
         END:VEVENT
         BEGIN:VEVENT
         UID:outlook-summer
         DTSTART;TZID=\"W. Europe Standard Time\":20250715T090000
         DTEND;TZID=\"W. Europe Standard Time\":20250715T100000
         END:VEVENT",
    );
    check(
        &ics,
        "America/New_York",
        Y2025,
        &[
            ("2025-01-15T08:00:00Z", "2025-01-15T09:00:00Z"),
            ("2025-07-15T07:00:00Z", "2025-07-15T08:00:00Z"),
        ],
    );
}

#[test]
fn globally_unique_tzid() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:stockholm
         DTSTART;TZID=/Europe/Stockholm:20250115T090000
         DTEND;TZID=/Europe/Stockholm:20250115T100000
         END:VEVENT",
    );
    check(
        &ics,
        "America/New_York",
        JAN_FEB,
        &[("2025-01-15T08:00:00Z", "2025-01-15T09:00:00Z")],
    );
}

#[test]
fn x_wr_timezone_series_keeps_local_time_across_dst() {
    // 08:00Z is 09:00 in Berlin in winter; Google means "every Monday at 09:00 Berlin", so after
    // the change on 30 March the instance is at 07:00Z.
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:Europe/Berlin\r\n\
BEGIN:VEVENT\r\nUID:google\r\nDTSTART:20250317T080000Z\r\nDTEND:20250317T090000Z\r\n\
RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    check(
        ics,
        "UTC",
        Y2025,
        &[
            ("2025-03-17T08:00:00Z", "2025-03-17T09:00:00Z"),
            ("2025-03-24T08:00:00Z", "2025-03-24T09:00:00Z"),
            ("2025-03-31T07:00:00Z", "2025-03-31T08:00:00Z"),
        ],
    );
}

#[test]
fn floating_and_date_values_take_the_owner_zone() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:floating
         DTSTART:20250115T090000
         DTEND:20250115T100000
         END:VEVENT
         BEGIN:VEVENT
         UID:all-day
         DTSTART;VALUE=DATE:20250120
         DTEND;VALUE=DATE:20250121
         END:VEVENT",
    );
    check(
        &ics,
        "America/New_York",
        JAN_FEB,
        &[
            ("2025-01-15T14:00:00Z", "2025-01-15T15:00:00Z"),
            ("2025-01-20T05:00:00Z", "2025-01-21T05:00:00Z"),
        ],
    );
}

#[test]
fn all_day_on_spring_forward_day_is_23_hours() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:dst-day
         DTSTART;VALUE=DATE:20250309
         END:VEVENT",
    );
    check(
        &ics,
        "America/New_York",
        Y2025,
        &[("2025-03-09T05:00:00Z", "2025-03-10T04:00:00Z")],
    );
}

#[test]
fn weekly_berlin_series_keeps_local_time_across_dst() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:berlin-spring
         DTSTART;TZID=Europe/Berlin:20250317T090000
         DTEND;TZID=Europe/Berlin:20250317T100000
         RRULE:FREQ=WEEKLY;COUNT=3
         END:VEVENT
         BEGIN:VEVENT
         UID:berlin-autumn
         DTSTART;TZID=Europe/Berlin:20251020T090000
         DTEND;TZID=Europe/Berlin:20251020T100000
         RRULE:FREQ=WEEKLY;UNTIL=20251103T080000Z
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        Y2025,
        &[
            ("2025-03-17T08:00:00Z", "2025-03-17T09:00:00Z"),
            ("2025-03-24T08:00:00Z", "2025-03-24T09:00:00Z"),
            ("2025-03-31T07:00:00Z", "2025-03-31T08:00:00Z"),
            ("2025-10-20T07:00:00Z", "2025-10-20T08:00:00Z"),
            ("2025-10-27T08:00:00Z", "2025-10-27T09:00:00Z"),
            ("2025-11-03T08:00:00Z", "2025-11-03T09:00:00Z"),
        ],
    );
}

#[test]
fn dst_gap_takes_the_offset_before_the_gap() {
    // 02:30 does not exist in New York on 9 March 2025; RFC 5545 3.3.5: read with the offset
    // before the gap (EST, -05:00), so 07:30Z. 04:00 EDT is 08:00Z.
    let ics = vcal(
        "BEGIN:VEVENT
         UID:gap
         DTSTART;TZID=America/New_York:20250309T023000
         DTEND;TZID=America/New_York:20250309T040000
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        Y2025,
        &[("2025-03-09T07:30:00Z", "2025-03-09T08:00:00Z")],
    );
}

#[test]
fn repeated_hour_takes_the_first_occurrence() {
    // 01:30 happens twice in New York on 2 November 2025; the first (EDT, -04:00) counts.
    let ics = vcal(
        "BEGIN:VEVENT
         UID:fold
         DTSTART;TZID=America/New_York:20251102T013000
         DTEND;TZID=America/New_York:20251102T014500
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        Y2025,
        &[("2025-11-02T05:30:00Z", "2025-11-02T05:45:00Z")],
    );
}

// ---------------------------------------------------------------------------------------------
// Length: DTEND, DURATION, neither.

#[test]
fn dtend_duration_and_neither() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:dtend
         DTSTART:20250106T090000Z
         DTEND:20250106T100000Z
         END:VEVENT
         BEGIN:VEVENT
         UID:duration
         DTSTART:20250107T090000Z
         DURATION:PT1H30M
         END:VEVENT
         BEGIN:VEVENT
         UID:date-no-end
         DTSTART;VALUE=DATE:20250110
         END:VEVENT
         BEGIN:VEVENT
         UID:date-time-no-end
         DTSTART:20250113T090000Z
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-07T09:00:00Z", "2025-01-07T10:30:00Z"),
            ("2025-01-10T00:00:00Z", "2025-01-11T00:00:00Z"),
        ],
    );
}

#[test]
fn duration_in_days_is_nominal_in_hours_exact() {
    // RFC 5545 3.3.6: a day is a calendar day (23 hours on 30 March 2025 in Berlin); hours are
    // exact, whatever the clock does. 00:30 EDT on 2 November is 04:30Z; two hours later is
    // 06:30Z (01:30 EST), not 02:30 local (07:30Z).
    let ics = vcal(
        "BEGIN:VEVENT
         UID:day
         DTSTART;TZID=Europe/Berlin:20250329T120000
         DURATION:P1D
         END:VEVENT
         BEGIN:VEVENT
         UID:hours
         DTSTART;TZID=America/New_York:20251102T003000
         DURATION:PT2H
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        Y2025,
        &[
            ("2025-03-29T11:00:00Z", "2025-03-30T10:00:00Z"),
            ("2025-11-02T04:30:00Z", "2025-11-02T06:30:00Z"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Status, transparency, policy.

const STATUS_CASES: &str = "BEGIN:VEVENT
    UID:confirmed
    DTSTART:20250106T090000Z
    DTEND:20250106T100000Z
    STATUS:CONFIRMED
    END:VEVENT
    BEGIN:VEVENT
    UID:cancelled
    DTSTART:20250107T090000Z
    DTEND:20250107T100000Z
    STATUS:CANCELLED
    END:VEVENT
    BEGIN:VEVENT
    UID:transparent
    DTSTART:20250108T090000Z
    DTEND:20250108T100000Z
    TRANSP:TRANSPARENT
    END:VEVENT
    BEGIN:VEVENT
    UID:tentative
    DTSTART:20250109T090000Z
    DTEND:20250109T100000Z
    STATUS:TENTATIVE
    END:VEVENT
    BEGIN:VEVENT
    UID:all-day
    DTSTART;VALUE=DATE:20250120
    END:VEVENT";

#[test]
fn cancelled_and_transparent_are_free_tentative_busy() {
    check(
        &vcal(STATUS_CASES),
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-09T09:00:00Z", "2025-01-09T10:00:00Z"),
            ("2025-01-20T00:00:00Z", "2025-01-21T00:00:00Z"),
        ],
    );
}

#[test]
fn policy_tentative_free() {
    let policy = BusyPolicy {
        tentative: false,
        ..BusyPolicy::default()
    };
    check_policy(
        &vcal(STATUS_CASES),
        "UTC",
        JAN_FEB,
        policy,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-20T00:00:00Z", "2025-01-21T00:00:00Z"),
        ],
    );
}

#[test]
fn policy_all_day_free() {
    let policy = BusyPolicy {
        all_day: false,
        ..BusyPolicy::default()
    };
    check_policy(
        &vcal(STATUS_CASES),
        "UTC",
        JAN_FEB,
        policy,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-09T09:00:00Z", "2025-01-09T10:00:00Z"),
        ],
    );
}

#[test]
fn policy_transparent_busy_but_cancelled_never() {
    let policy = BusyPolicy {
        transparent: true,
        ..BusyPolicy::default()
    };
    check_policy(
        &vcal(STATUS_CASES),
        "UTC",
        JAN_FEB,
        policy,
        &[
            ("2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z"),
            ("2025-01-08T09:00:00Z", "2025-01-08T10:00:00Z"),
            ("2025-01-09T09:00:00Z", "2025-01-09T10:00:00Z"),
            ("2025-01-20T00:00:00Z", "2025-01-21T00:00:00Z"),
        ],
    );
}

#[test]
fn vfreebusy_periods() {
    let ics = vcal(
        "BEGIN:VFREEBUSY
         UID:fb
         DTSTART:20250115T000000Z
         DTEND:20250116T000000Z
         FREEBUSY:20250115T090000Z/20250115T100000Z
         FREEBUSY;FBTYPE=BUSY:20250115T103000Z/PT30M
         FREEBUSY;FBTYPE=BUSY-TENTATIVE:20250115T120000Z/PT1H
         FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20250115T150000Z/20250115T160000Z
         FREEBUSY;FBTYPE=FREE:20250115T170000Z/20250115T180000Z
         END:VFREEBUSY",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z"),
            ("2025-01-15T10:30:00Z", "2025-01-15T11:00:00Z"),
            ("2025-01-15T12:00:00Z", "2025-01-15T13:00:00Z"),
            ("2025-01-15T15:00:00Z", "2025-01-15T16:00:00Z"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Text shape: bare events, several calendars, folding, line ends, BOM.

#[test]
fn bare_vevent_without_vcalendar() {
    let ics =
        "BEGIN:VEVENT\nUID:bare\nDTSTART:20250115T090000Z\nDTEND:20250115T100000Z\nEND:VEVENT\n";
    check(
        ics,
        "UTC",
        JAN_FEB,
        &[("2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z")],
    );
}

#[test]
fn two_vcalendars_in_one_stream() {
    let ics = format!(
        "{}{}",
        vcal("BEGIN:VEVENT\nUID:a\nDTSTART:20250115T090000Z\nDTEND:20250115T100000Z\nEND:VEVENT"),
        vcal("BEGIN:VEVENT\nUID:b\nDTSTART:20250116T090000Z\nDTEND:20250116T100000Z\nEND:VEVENT"),
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z"),
            ("2025-01-16T09:00:00Z", "2025-01-16T10:00:00Z"),
        ],
    );
}

#[test]
fn folded_lines() {
    // Folds inside a parameter value, inside the value, and with a TAB (RFC 5545 3.1).
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:fol\r\n ded\r\n\
DTSTART;TZID=Europe/Ber\r\n lin:20250115T09\r\n 0000\r\nDTEND;TZID=Europe/Berlin:2025011\r\n\t5T100000\r\n\
RRULE:FREQ=DAILY;\r\n COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    check(
        ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-15T08:00:00Z", "2025-01-15T09:00:00Z"),
            ("2025-01-16T08:00:00Z", "2025-01-16T09:00:00Z"),
        ],
    );
}

#[test]
fn crlf_lf_and_bom_read_the_same() {
    let body = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:eol\nDTSTART:20250115T090000Z\n\
DTEND:20250115T100000Z\nRRULE:FREQ=DAILY;COUNT=2\nEND:VEVENT\nEND:VCALENDAR\n";
    let want = [
        ("2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z"),
        ("2025-01-16T09:00:00Z", "2025-01-16T10:00:00Z"),
    ];
    let crlf = body.replace('\n', "\r\n");
    for text in [
        body.to_owned(),
        crlf.clone(),
        format!("\u{feff}{body}"),
        format!("\u{feff}{crlf}"),
        body.trim_end().to_owned(),
    ] {
        check(&text, "UTC", JAN_FEB, &want);
    }
}

// ---------------------------------------------------------------------------------------------
// Merging and clipping.

#[test]
fn touching_and_overlapping_intervals_merge() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:a
         DTSTART:20250115T090000Z
         DTEND:20250115T100000Z
         END:VEVENT
         BEGIN:VEVENT
         UID:b
         DTSTART:20250115T100000Z
         DTEND:20250115T110000Z
         END:VEVENT
         BEGIN:VEVENT
         UID:c
         DTSTART:20250115T103000Z
         DTEND:20250115T120000Z
         END:VEVENT
         BEGIN:VEVENT
         UID:d
         DTSTART:20250115T120001Z
         DTEND:20250115T130000Z
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-15T09:00:00Z", "2025-01-15T12:00:00Z"),
            ("2025-01-15T12:00:01Z", "2025-01-15T13:00:00Z"),
        ],
    );
}

#[test]
fn clipped_to_the_window() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:over-start
         DTSTART:20250115T080000Z
         DTEND:20250115T120000Z
         END:VEVENT
         BEGIN:VEVENT
         UID:over-end
         DTSTART:20250115T160000Z
         DTEND:20250115T200000Z
         END:VEVENT
         BEGIN:VEVENT
         UID:before
         DTSTART:20250114T080000Z
         DTEND:20250115T100000Z
         END:VEVENT
         BEGIN:VEVENT
         UID:ends-at-window-start
         DTSTART:20250115T090000Z
         DTEND:20250115T100000Z
         END:VEVENT
         BEGIN:VEVENT
         UID:starts-at-window-end
         DTSTART:20250115T180000Z
         DTEND:20250115T190000Z
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        ("2025-01-15T10:00:00Z", "2025-01-15T18:00:00Z"),
        &[
            ("2025-01-15T10:00:00Z", "2025-01-15T12:00:00Z"),
            ("2025-01-15T16:00:00Z", "2025-01-15T18:00:00Z"),
        ],
    );
}

#[test]
fn long_series_started_before_the_window_is_clipped() {
    // A daily all-day series from 2020 on; only the window's days count.
    let ics = vcal(
        "BEGIN:VEVENT
         UID:old
         DTSTART;VALUE=DATE:20200101
         RRULE:FREQ=DAILY
         END:VEVENT",
    );
    check(
        &ics,
        "UTC",
        ("2025-01-15T12:00:00Z", "2025-01-17T12:00:00Z"),
        &[("2025-01-15T12:00:00Z", "2025-01-17T12:00:00Z")],
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input: skipped with a warning, never a panic, the rest still counts.

#[test]
fn malformed_dtstart_skips_only_that_event() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:good-1
         DTSTART:20250115T090000Z
         DTEND:20250115T100000Z
         END:VEVENT
         BEGIN:VEVENT
         DTSTART:2025-01-16 09:00
         DTEND:20250116T100000Z
         UID:broken
         END:VEVENT
         BEGIN:VEVENT
         UID:good-2
         DTSTART:20250117T090000Z
         DTEND:20250117T100000Z
         END:VEVENT",
    );
    let warnings = check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z"),
            ("2025-01-17T09:00:00Z", "2025-01-17T10:00:00Z"),
        ],
    );
    let bad_line = line_of(&ics, "DTSTART:2025-01-16");
    assert!(
        warnings.iter().any(|w| w.line == bad_line
            && w.uid.as_deref() == Some("broken")
            && w.source == "case.ics"),
        "want a warning at line {bad_line} for UID broken: {warnings:#?}"
    );
}

#[test]
fn missing_dtstart_skips_only_that_event() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:no-start
         DTEND:20250116T100000Z
         END:VEVENT
         BEGIN:VEVENT
         UID:good
         DTSTART:20250117T090000Z
         DTEND:20250117T100000Z
         END:VEVENT",
    );
    let warnings = check(
        &ics,
        "UTC",
        JAN_FEB,
        &[("2025-01-17T09:00:00Z", "2025-01-17T10:00:00Z")],
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.uid.as_deref() == Some("no-start") && w.message.contains("DTSTART")),
        "{warnings:#?}"
    );
}

#[test]
fn garbage_lines_are_ignored_with_a_warning() {
    let ics = vcal(
        "this is not iCalendar
         BEGIN:VEVENT
         UID:survivor
         %%% garbage inside an event %%%
         DTSTART:20250115T090000Z
         DTEND:20250115T100000Z
         X-UNKNOWN;FOO=bar:whatever
         END:VEVENT
         END:VTODO
         more garbage",
    );
    let warnings = check(
        &ics,
        "UTC",
        JAN_FEB,
        &[("2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z")],
    );
    let garbage = line_of(&ics, "%%% garbage");
    assert!(
        warnings
            .iter()
            .any(|w| w.line == garbage && w.uid.as_deref() == Some("survivor")),
        "{warnings:#?}"
    );
}

#[test]
fn truncated_text_keeps_what_was_read() {
    // No END lines at all after the second event's DTEND: the parser closes what is open.
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:whole\r\nDTSTART:20250115T090000Z\r\n\
DTEND:20250115T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:cut\r\nDTSTART:20250116T090000Z\r\n\
DTEND:20250116T100000Z\r\nSUMMARY:cut off in the mid";
    let warnings = check(
        ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z"),
            ("2025-01-16T09:00:00Z", "2025-01-16T10:00:00Z"),
        ],
    );
    assert_warned(&warnings, "open component");
}

#[test]
fn truncated_inside_a_property_is_no_panic() {
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Europe/Ber";
    check(ics, "UTC", JAN_FEB, &[]);
}

#[test]
fn empty_and_binary_input_give_no_busy_time() {
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    bytes.extend_from_slice(b"\xff\xfe\x00BEGIN:VEVENT\x00\r\n\x80\x81:;;;\"\"\"");
    let binary = String::from_utf8_lossy(&bytes).into_owned();
    for text in [
        "",
        "\u{feff}",
        "\r\n\r\n",
        " \r\n folded nothing",
        ":",
        ";;;:::",
        "BEGIN:",
        "END:VCALENDAR",
        "BEGIN:VEVENT\nBEGIN:VEVENT\nEND:VEVENT",
        binary.as_str(),
    ] {
        check(text, "UTC", JAN_FEB, &[]);
    }
}

#[test]
fn negative_duration_warns_and_does_not_panic() {
    // DURATION:PT-2H is not valid RFC 5545 (the sign goes before the P). It is ignored with a
    // warning; the event then has no length (DATE-TIME start) and blocks nothing.
    let ics = vcal(
        "BEGIN:VEVENT
         UID:neg
         DTSTART;TZID=Europe/Berlin:20250115T090000
         DURATION:PT-2H
         END:VEVENT",
    );
    let warnings = check(&ics, "UTC", JAN_FEB, &[]);
    let line = line_of(&ics, "DURATION:");
    assert!(
        warnings
            .iter()
            .any(|w| w.line == line && w.uid.as_deref() == Some("neg")),
        "{warnings:#?}"
    );
}

#[test]
fn unbounded_secondly_rule_is_capped_with_a_warning() {
    // Every second from 1 January, one second long, no end. In a 60-day window from 1 February
    // the per-series cap keeps the first MAX_INSTANCES_PER_SERIES instances of the window, which
    // touch and merge into one interval.
    let ics = vcal(
        "BEGIN:VEVENT
         UID:secondly
         DTSTART:20250101T000000Z
         DTEND:20250101T000001Z
         RRULE:FREQ=SECONDLY
         END:VEVENT",
    );
    let start = t("2025-02-01T00:00:00Z");
    let cap = i64::try_from(MAX_INSTANCES_PER_SERIES).unwrap();
    let end = (start + chrono::Duration::seconds(cap)).to_rfc3339();
    let warnings = check(
        &ics,
        "UTC",
        ("2025-02-01T00:00:00Z", "2025-04-02T00:00:00Z"),
        &[("2025-02-01T00:00:00Z", end.as_str())],
    );
    assert!(
        warnings.iter().any(|w| w.uid.as_deref() == Some("secondly")
            && w.source == "case.ics"
            && w.message.contains(&MAX_INSTANCES_PER_SERIES.to_string())),
        "{warnings:#?}"
    );
}

#[test]
fn a_million_exdates() {
    // A daily 09:00Z series; 999,998 EXDATEs that match nothing (second :30), then two that
    // remove 15 and 16 January. Every value must count, the last ones too.
    let mut exdates = String::with_capacity(17 * 1_000_000);
    let base = t("2000-01-01T00:00:30Z");
    for i in 0..999_998i64 {
        let at = base + chrono::Duration::minutes(i);
        exdates.push_str(&at.format("%Y%m%dT%H%M%SZ").to_string());
        exdates.push(',');
    }
    exdates.push_str("20250115T090000Z,20250116T090000Z");
    let ics = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:many-ex\r\nDTSTART:20250113T090000Z\r\n\
DTEND:20250113T100000Z\r\nRRULE:FREQ=DAILY;COUNT=5\r\nEXDATE:{exdates}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    check(
        &ics,
        "UTC",
        JAN_FEB,
        &[
            ("2025-01-13T09:00:00Z", "2025-01-13T10:00:00Z"),
            ("2025-01-14T09:00:00Z", "2025-01-14T10:00:00Z"),
            ("2025-01-17T09:00:00Z", "2025-01-17T10:00:00Z"),
        ],
    );
}

#[test]
fn rrule_rejected_by_the_crate_keeps_dtstart() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:bad-rule
         DTSTART:20250115T090000Z
         DTEND:20250115T100000Z
         RRULE:FREQ=DAILY;BYMONTHDAY=40
         END:VEVENT",
    );
    let warnings = check(
        &ics,
        "UTC",
        JAN_FEB,
        &[("2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z")],
    );
    assert!(
        warnings.iter().any(|w| w.uid.as_deref() == Some("bad-rule")
            && w.source == "case.ics"
            && w.line == line_of(&ics, "BEGIN:VEVENT")
            && w.message.contains("RRULE")),
        "{warnings:#?}"
    );
}

#[test]
fn unparsable_rrule_keeps_dtstart() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:bad-rule-text
         DTSTART:20250115T090000Z
         DTEND:20250115T100000Z
         RRULE:FREQ=FORTNIGHTLY
         END:VEVENT",
    );
    let warnings = check(
        &ics,
        "UTC",
        JAN_FEB,
        &[("2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z")],
    );
    let line = line_of(&ics, "RRULE:");
    assert!(
        warnings
            .iter()
            .any(|w| w.line == line && w.uid.as_deref() == Some("bad-rule-text")),
        "{warnings:#?}"
    );
}

#[test]
fn unknown_tzid_is_floating_with_a_warning() {
    let ics = vcal(
        "BEGIN:VEVENT
         UID:mystery
         DTSTART;TZID=Atlantis Standard Time:20250115T090000
         DTEND;TZID=Atlantis Standard Time:20250115T100000
         END:VEVENT",
    );
    let warnings = check(
        &ics,
        "Europe/Berlin",
        JAN_FEB,
        &[("2025-01-15T08:00:00Z", "2025-01-15T09:00:00Z")],
    );
    assert_warned(&warnings, "unknown TZID");
}
