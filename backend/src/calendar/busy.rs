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
