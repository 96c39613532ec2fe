//! Owner-local wall-clock times -> UTC instants, with the RFC 5545 (3.3.5) rules for DST edges.
//!
//! A time in a spring-forward gap uses the offset before the gap (so it moves forward); an
//! ambiguous fall-back time takes the first (earlier) occurrence. Pure: no clock, no I/O.

use chrono::{
    DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;

use super::model::TimeRange;
use crate::calendar::Interval;

/// The UTC instant of a local wall-clock time in `tz`; `None` only at the ends of chrono's range.
pub(crate) fn to_utc(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    if let Some(t) = tz.from_local_datetime(&local).earliest() {
        return Some(t.with_timezone(&Utc));
    }
    // In a gap. The offset before the gap is the one in force a day earlier (no real zone has two
    // transitions within a day); reading the local time with it lands after the gap.
    let before = local.checked_sub_days(Days::new(1))?;
    let offset = tz.offset_from_utc_datetime(&before).fix().local_minus_utc();
    let utc = local.checked_sub_signed(TimeDelta::seconds(i64::from(offset)))?;
    Some(utc.and_utc())
}

/// The local midnight that starts `date`, as a UTC instant.
pub fn start_of_day(tz: Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    to_utc(tz, date.and_time(NaiveTime::MIN))
}

/// A local range on `date` as a UTC interval; `None` when empty (end <= start, or no 24:00 flag).
/// `end_of_day` means the next local midnight, whatever `end` says.
pub(crate) fn range_to_utc(tz: Tz, date: NaiveDate, range: &TimeRange) -> Option<Interval> {
    let start = to_utc(tz, date.and_time(range.start))?;
    let end = if range.end_of_day {
        start_of_day(tz, date.succ_opt()?)?
    } else if range.end > range.start {
        to_utc(tz, date.and_time(range.end))?
    } else {
        return None;
    };
    Interval::new(start, end)
}

/// The owner-local date of a UTC instant.
pub(crate) fn local_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn check(tz: Tz, local: &str, expected_utc: &str) {
        let local = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
        let got = to_utc(tz, local).unwrap();
        assert_eq!(
            got.format("%Y-%m-%d %H:%M").to_string(),
            expected_utc,
            "{local} in {tz}"
        );
    }

    #[test]
    fn dst_edges() {
        use chrono_tz::{America::New_York, Australia::Sydney, Europe::Berlin};
        // Ordinary times.
        check(Berlin, "2026-03-28 09:00", "2026-03-28 08:00");
        check(Berlin, "2026-03-30 09:00", "2026-03-30 07:00");
        // Spring-forward gap 02:00-03:00: offset before the gap (+01:00) -> moves forward.
        check(Berlin, "2026-03-29 02:00", "2026-03-29 01:00");
        check(Berlin, "2026-03-29 02:30", "2026-03-29 01:30");
        check(Berlin, "2026-03-29 03:00", "2026-03-29 01:00");
        // Fall-back ambiguity 02:00-03:00: the first occurrence (+02:00).
        check(Berlin, "2026-10-25 02:30", "2026-10-25 00:30");
        check(Berlin, "2026-10-25 03:00", "2026-10-25 02:00");
        // New York: spring forward 2026-03-08 02:00, fall back 2026-11-01 02:00.
        check(New_York, "2026-03-08 02:30", "2026-03-08 07:30");
        check(New_York, "2026-11-01 01:30", "2026-11-01 05:30");
        // Sydney: fall back 2026-04-05 03:00 -> 02:00, spring forward 2026-10-04 02:00 -> 03:00.
        check(Sydney, "2026-04-05 02:30", "2026-04-04 15:30");
        check(Sydney, "2026-10-04 02:30", "2026-10-03 16:30");
    }
}
