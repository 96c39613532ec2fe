//! Busy time: the instances that block time, clipped to the window and merged.

use chrono::Utc;
use chrono_tz::Tz;

use super::expand::{BusyPolicy, for_each_instance};
use super::interval::{Interval, merge_intervals};
use super::model::{Anchor, CalTime, Calendar, EndSpec};
use super::tz::{iana_offset_at, local_to_utc_with};
use super::warning::Warning;

/// Busy time of one calendar in `window`: sorted, disjoint, merged (touching too), clipped.
/// `owner` is the zone of floating and all-day values. Warnings from expansion are appended.
pub fn busy_intervals(
    cal: &Calendar,
    window: Interval,
    owner: Tz,
    policy: &BusyPolicy,
    warnings: &mut Vec<Warning>,
) -> Vec<Interval> {
    busy_intervals_counted(cal, window, owner, policy, warnings).0
}

/// [`busy_intervals`], and how many busy instances and free/busy periods fell in the window.
pub fn busy_intervals_counted(
    cal: &Calendar,
    window: Interval,
    owner: Tz,
    policy: &BusyPolicy,
    warnings: &mut Vec<Warning>,
) -> (Vec<Interval>, usize) {
    // Sorted and merged as plain seconds: cheaper than comparing `DateTime`s.
    let (lo, hi) = (window.start.timestamp(), window.end.timestamp());
    let mut out: Vec<(i64, i64)> = Vec::new();
    let mut clipped = |s: i64, e: i64| {
        let (s, e) = (s.max(lo), e.min(hi));
        if e > s {
            out.push((s, e));
        }
    };
    for_each_instance(cal, window, owner, warnings, |inst| {
        if inst.is_busy(policy) {
            clipped(inst.start_secs, inst.end_secs);
        }
    });
    for fb in cal.freebusy.iter().filter(|fb| !fb.free) {
        let start = instant(cal, &fb.start, owner);
        let end = match fb.end {
            EndSpec::End(e) => instant(cal, &e, owner),
            EndSpec::Duration(d) => start
                .saturating_add(d.days.saturating_mul(86_400))
                .saturating_add(d.seconds),
            EndSpec::Missing => start,
        };
        clipped(start, end);
    }
    let count = out.len();
    out.sort_unstable();
    let mut merged: Vec<Interval> = Vec::with_capacity(out.len() / 4 + 1);
    let mut current: Option<(i64, i64)> = None;
    let to_interval = |(s, e): (i64, i64)| {
        let at = |x| chrono::DateTime::<Utc>::from_timestamp(x, 0).unwrap_or_default();
        Interval {
            start: at(s),
            end: at(e),
        }
    };
    for (s, e) in out {
        match &mut current {
            Some((_, ce)) if s <= *ce => *ce = (*ce).max(e),
            _ => {
                if let Some(c) = current.replace((s, e)) {
                    merged.push(to_interval(c));
                }
            }
        }
    }
    if let Some(c) = current {
        merged.push(to_interval(c));
    }
    (merged, count)
}

/// Busy time of several calendars, merged into one list.
pub fn merged_busy<'a>(
    cals: impl IntoIterator<Item = (&'a Calendar, BusyPolicy)>,
    window: Interval,
    owner: Tz,
    warnings: &mut Vec<Warning>,
) -> Vec<Interval> {
    let mut all = Vec::new();
    for (cal, policy) in cals {
        all.extend(busy_intervals(cal, window, owner, &policy, warnings));
    }
    merge_intervals(&mut all);
    all
}

fn instant(cal: &Calendar, t: &CalTime, owner: Tz) -> i64 {
    match t {
        CalTime::DateTime(l, Anchor::Utc) => l.and_utc().timestamp(),
        CalTime::DateTime(l, Anchor::Zoned(id)) => match cal.zones.get(*id as usize) {
            Some(z) => z.local_to_utc(*l, owner),
            None => local_to_utc_with(*l, |u| iana_offset_at(owner, u)),
        },
        CalTime::DateTime(l, Anchor::Floating) => {
            local_to_utc_with(*l, |u| iana_offset_at(owner, u))
        }
        CalTime::Date(d) => local_to_utc_with(d.and_time(chrono::NaiveTime::MIN), |u| {
            iana_offset_at(owner, u)
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::calendar::attendee::OwnerAddresses;
    use crate::calendar::parse::parse_calendar;

    const OWNER: [&str; 2] = ["ada@example.org", "mailto:Ada.Lovelace@Uni.Example"];

    /// The busy hours (UTC, "HH") of one event on 2026-03-02 09:00-10:00 with `lines` added,
    /// for an owner with the addresses `OWNER` under `policy`.
    fn busy_hours(lines: &str, policy: &BusyPolicy) -> Vec<String> {
        let ics = format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:m\r\nDTSTART:20260302T090000Z\r\n\
             DTEND:20260302T100000Z\r\n{lines}END:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        let cal = parse_calendar(&ics, "case");
        let window = Interval::new(
            "2026-03-01T00:00:00Z".parse().unwrap(),
            "2026-03-08T00:00:00Z".parse().unwrap(),
        )
        .unwrap();
        busy_intervals(&cal, window, Tz::UTC, policy, &mut Vec::new())
            .iter()
            .map(|i| i.start.format("%d %H").to_string())
            .collect()
    }

    fn owner_policy() -> BusyPolicy {
        BusyPolicy {
            owner: OwnerAddresses::new(OWNER),
            ..BusyPolicy::default()
        }
    }

    #[test]
    fn the_owner_declining_frees_the_time() {
        let free: &[&str] = &[];
        let busy: &[&str] = &["02 09"];
        let cases: &[(&str, &[&str])] = &[
            ("", busy),
            (
                "ATTENDEE;PARTSTAT=DECLINED:mailto:ada@example.org\r\n",
                free,
            ),
            (
                "ATTENDEE;PARTSTAT=DECLINED:MAILTO:ADA@Example.ORG\r\n",
                free,
            ),
            ("ATTENDEE;PARTSTAT=declined:ada@example.org\r\n", free),
            // An address from other_emails, written with another case.
            (
                "ATTENDEE;PARTSTAT=DECLINED:mailto:ada.lovelace@uni.example\r\n",
                free,
            ),
            // Quoted parameters and a folded line.
            (
                "ATTENDEE;CN=\"Lovelace, Ada\";ROLE=REQ-PARTICIPANT;\r\n PARTSTAT=DECLINED:mailto:\r\n ada@example.org\r\n",
                free,
            ),
            // RFC 7986 EMAIL parameter beside a non-mailto value.
            (
                "ATTENDEE;EMAIL=ada@example.org;PARTSTAT=DECLINED:urn:uuid:1\r\n",
                free,
            ),
            (
                "ATTENDEE;PARTSTAT=ACCEPTED:mailto:ada@example.org\r\n",
                busy,
            ),
            (
                "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ada@example.org\r\n",
                busy,
            ),
            ("ATTENDEE:mailto:ada@example.org\r\n", busy),
            (
                "ATTENDEE;PARTSTAT=TENTATIVE:mailto:ada@example.org\r\n",
                busy,
            ),
            // Someone else declining frees nothing.
            (
                "ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.org\r\n\
                 ATTENDEE;PARTSTAT=ACCEPTED:mailto:ada@example.org\r\n",
                busy,
            ),
            (
                "ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.org\r\n",
                busy,
            ),
            (
                "ATTENDEE;PARTSTAT=DECLINED:mailto:ada@example.org.evil\r\n",
                busy,
            ),
            // An event the owner organizes stays busy.
            (
                "ORGANIZER;CN=Ada:mailto:Ada@example.org\r\n\
                 ATTENDEE;PARTSTAT=DECLINED:mailto:ada@example.org\r\n",
                busy,
            ),
            (
                "ORGANIZER:mailto:bob@example.org\r\n\
                 ATTENDEE;PARTSTAT=DECLINED:mailto:ada@example.org\r\n",
                free,
            ),
            // PARTSTAT belongs to ATTENDEE; elsewhere it means nothing.
            (
                "X-ATTENDEE;PARTSTAT=DECLINED:mailto:ada@example.org\r\n",
                busy,
            ),
            // Cancelled stays free whatever the answer.
            (
                "STATUS:CANCELLED\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ada@example.org\r\n",
                free,
            ),
        ];
        for (lines, expected) in cases {
            assert_eq!(busy_hours(lines, &owner_policy()), *expected, "{lines}");
        }
        // Without the owner's addresses nobody's answer is read.
        assert_eq!(
            busy_hours(
                "ATTENDEE;PARTSTAT=DECLINED:mailto:ada@example.org\r\n",
                &BusyPolicy::default()
            ),
            busy
        );
    }

    /// NEEDS-ACTION and TENTATIVE answers follow the source's policy as before: only STATUS
    /// and TRANSP decide, the answer is not read.
    #[test]
    fn other_answers_follow_the_policy() {
        let tentative_free = BusyPolicy {
            tentative: false,
            ..owner_policy()
        };
        let lines = "STATUS:TENTATIVE\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ada@example.org\r\n";
        assert!(busy_hours(lines, &tentative_free).is_empty());
        let lines = "ATTENDEE;PARTSTAT=TENTATIVE:mailto:ada@example.org\r\n";
        assert_eq!(busy_hours(lines, &tentative_free), ["02 09"]);
    }

    /// A series accepted once, with one occurrence declined (an override), frees only that one.
    #[test]
    fn a_declined_occurrence_of_a_series() {
        let ics = "BEGIN:VCALENDAR\r\n\
            BEGIN:VEVENT\r\nUID:s\r\nDTSTART:20260302T090000Z\r\nDTEND:20260302T100000Z\r\n\
            RRULE:FREQ=DAILY;COUNT=3\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ada@example.org\r\n\
            END:VEVENT\r\n\
            BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20260303T090000Z\r\n\
            DTSTART:20260303T090000Z\r\nDTEND:20260303T100000Z\r\n\
            ATTENDEE;PARTSTAT=DECLINED:mailto:ada@example.org\r\nEND:VEVENT\r\n\
            END:VCALENDAR\r\n";
        let cal = parse_calendar(ics, "case");
        let window = Interval::new(
            "2026-03-01T00:00:00Z".parse().unwrap(),
            "2026-03-08T00:00:00Z".parse().unwrap(),
        )
        .unwrap();
        let got: Vec<String> =
            busy_intervals(&cal, window, Tz::UTC, &owner_policy(), &mut Vec::new())
                .iter()
                .map(|i| i.start.format("%d %H").to_string())
                .collect();
        assert_eq!(got, ["02 09", "04 09"]);
    }
}
