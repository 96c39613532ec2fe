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
    let mut out = Vec::new();
    for_each_instance(cal, window, owner, warnings, |inst| {
        if inst.is_busy(policy)
            && let Some(iv) = Interval::new(inst.start, inst.end).and_then(|i| i.clip(&window))
        {
            out.push(iv);
        }
    });
    for fb in cal.freebusy.iter().filter(|fb| !fb.free) {
        let start = instant(cal, &fb.start, owner);
        let end = match fb.end {
            EndSpec::End(e) => instant(cal, &e, owner),
            EndSpec::Duration(d) => start + d.days * 86_400 + d.seconds,
            EndSpec::Missing => start,
        };
        let (Some(s), Some(e)) = (
            chrono::DateTime::<Utc>::from_timestamp(start, 0),
            chrono::DateTime::<Utc>::from_timestamp(end, 0),
        ) else {
            continue;
        };
        if let Some(iv) = Interval::new(s, e).and_then(|i| i.clip(&window)) {
            out.push(iv);
        }
    }
    merge_intervals(&mut out);
    out
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
