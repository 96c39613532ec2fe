//! Rules + busy time -> the bookable slots of one event type in a UTC window.
//!
//! Candidates come from each owner-local day's ranges (converted to UTC per day, so DST is exact);
//! everything that blocks time is merged once per call into one sorted list and probed by binary
//! search. The helpers here are shared with `explain`, so both always agree on what is bookable.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc};

use super::local_time::{local_date, range_to_utc};
use super::model::{EventType, ExistingBooking, Facts, RecurringBlock, Rules, Slot, TimeRange};
use crate::calendar::{Interval, merge_intervals};

/// Every bookable slot of `event_type` whose start lies in `[from, to)`, sorted and unique.
///
/// Existing bookings block their own time plus their buffers: the buffers of `event_type` when
/// the booking's slug is `event_type.slug`, otherwise the owner's defaults from `rules`.
pub fn slots(
    rules: &Rules,
    event_type: &EventType,
    facts: &Facts,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Slot> {
    let p = Params::new(rules, Some(event_type));
    if p.duration <= Duration::zero() {
        return Vec::new();
    }
    let tz = rules.timezone;
    let lo = from.max(earliest_start(rules, facts.now));
    if lo >= to {
        return Vec::new();
    }
    let last_day = last_bookable_day(rules, facts.now);

    // Only what can touch a probe [start - before, end + after) with start in [lo, to).
    let reach = Interval {
        start: sub(lo, p.before),
        end: add(add(to, p.duration), p.after),
    };
    let blocked: Vec<Span> = blocked_intervals(rules, Some(event_type), facts, &reach)
        .iter()
        .map(Span::of)
        .collect();
    let counts = DayCounts::new(rules, Some(event_type), facts.bookings);
    let open = open_intervals(facts);
    let mut cut = Vec::new();

    // The hot loop runs on integer nanoseconds: chrono's date arithmetic costs more than the
    // rest of the loop together, and i128 holds chrono's whole range exactly.
    let (lo_ns, to_ns) = (ns(lo), ns(to));
    let (duration, step) = (ns_of(p.duration), ns_of(p.step));
    let (before, after) = (ns_of(p.before), ns_of(p.after));

    let mut out = Vec::new();
    let mut ranges = Vec::new();
    let mut recurring: Vec<Span> = Vec::new();
    // A day's ranges lie within its local midnights; one day of slack covers zone oddities.
    let mut day = local_date(tz, lo).pred_opt().unwrap_or(NaiveDate::MIN);
    let end_day = local_date(tz, to).min(last_day);
    while day <= end_day {
        if counts.limit_reached(rules, Some(event_type), day).is_none() {
            recurring.clear();
            recurring.extend(recurring_on(rules, day).map(|(_, iv)| Span::of(&iv)));
            ranges_utc_into(rules, day, &mut ranges);
            if let Some(open) = &open {
                intersect_into(&ranges, open, &mut cut);
                std::mem::swap(&mut ranges, &mut cut);
            }
            for range in ranges.iter().map(Span::of) {
                let mut start = range.start;
                if start < lo_ns {
                    // The first grid point at or after `lo` (ceiling division, both positive).
                    start += (lo_ns - start + step - 1) / step * step;
                }
                while start < to_ns && start + duration <= range.end {
                    let slot = Span {
                        start,
                        end: start + duration,
                    };
                    let probe = Span {
                        start: start - before,
                        end: slot.end + after,
                    };
                    if !recurring.iter().any(|b| b.overlaps(&slot))
                        && !probe.overlaps_any(&blocked)
                        && let (Some(start), Some(end)) = (time_of(slot.start), time_of(slot.end))
                    {
                        out.push(Slot { start, end });
                    }
                    start += step;
                }
            }
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    // Overlapping ranges in one day may repeat a start.
    out.sort_unstable();
    out.dedup();
    out
}

/// Nanoseconds since the Unix epoch.
type Ns = i128;

fn ns(t: DateTime<Utc>) -> Ns {
    Ns::from(t.timestamp()) * 1_000_000_000 + Ns::from(t.timestamp_subsec_nanos())
}

fn ns_of(d: Duration) -> Ns {
    // `subsec_nanos` carries the sign of the whole duration.
    Ns::from(d.num_seconds()) * 1_000_000_000 + Ns::from(d.subsec_nanos())
}

fn time_of(n: Ns) -> Option<DateTime<Utc>> {
    let secs = i64::try_from(n.div_euclid(1_000_000_000)).ok()?;
    let nanos = u32::try_from(n.rem_euclid(1_000_000_000)).ok()?;
    DateTime::from_timestamp(secs, nanos)
}

/// An `Interval` in nanoseconds, for the hot loop of `slots`.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: Ns,
    end: Ns,
}

impl Span {
    fn of(iv: &Interval) -> Self {
        Self {
            start: ns(iv.start),
            end: ns(iv.end),
        }
    }

    fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Like `calendar::overlaps_any`: `merged` is sorted and disjoint.
    fn overlaps_any(&self, merged: &[Span]) -> bool {
        let idx = merged.partition_point(|b| b.end <= self.start);
        merged.get(idx).is_some_and(|b| b.start < self.end)
    }
}

/// Duration, step and buffers after applying the event type's overrides.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Params {
    pub duration: Duration,
    /// Always positive when `duration` is.
    pub step: Duration,
    /// Never negative: a negative buffer counts as none.
    pub before: Duration,
    pub after: Duration,
}

impl Params {
    /// Without an event type: zero duration (an instant) and the owner's default buffers.
    pub(crate) fn new(rules: &Rules, event_type: Option<&EventType>) -> Self {
        let non_negative = |d: Duration| d.max(Duration::zero());
        match event_type {
            Some(et) => Self {
                duration: et.duration,
                step: if et.step > Duration::zero() {
                    et.step
                } else {
                    et.duration
                },
                before: non_negative(et.buffer_before.unwrap_or(rules.buffer_before)),
                after: non_negative(et.buffer_after.unwrap_or(rules.buffer_after)),
            },
            None => Self {
                duration: Duration::zero(),
                step: Duration::zero(),
                before: non_negative(rules.buffer_before),
                after: non_negative(rules.buffer_after),
            },
        }
    }
}

/// `t + d`, saturating at chrono's limits instead of panicking.
pub(crate) fn add(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(if d < Duration::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// `t - d`, saturating.
pub(crate) fn sub(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_sub_signed(d).unwrap_or(if d < Duration::zero() {
        DateTime::<Utc>::MAX_UTC
    } else {
        DateTime::<Utc>::MIN_UTC
    })
}

/// No slot starts before `now`, nor before `now + min_notice`.
pub(crate) fn earliest_start(rules: &Rules, now: DateTime<Utc>) -> DateTime<Utc> {
    now.max(add(now, rules.min_notice))
}

/// Today (owner-local) + horizon_days - 1; with a horizon of 0 that is yesterday, so nothing.
pub(crate) fn last_bookable_day(rules: &Rules, now: DateTime<Utc>) -> NaiveDate {
    let today = local_date(rules.timezone, now);
    today
        .checked_add_days(Days::new(u64::from(rules.horizon_days)))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// The local ranges that apply on `date`: a date override if present (empty = day off), else the
/// weekly hours.
pub(crate) fn local_ranges(rules: &Rules, date: NaiveDate) -> &[TimeRange] {
    match rules.date_overrides.get(&date) {
        Some(ranges) => ranges,
        None => rules.working_hours.for_weekday(date.weekday()),
    }
}

/// The ranges of `date` in UTC, sorted by start.
pub(crate) fn ranges_utc(rules: &Rules, date: NaiveDate) -> Vec<Interval> {
    let mut out = Vec::new();
    ranges_utc_into(rules, date, &mut out);
    out
}

/// The time the availability sources open, merged (events that overlap or touch are one
/// stretch); `None` when there is no availability source.
pub(crate) fn open_intervals(facts: &Facts) -> Option<Vec<Interval>> {
    let mut out: Vec<Interval> = facts
        .open?
        .iter()
        .filter_map(|o| Interval::new(o.start, o.end))
        .collect();
    merge_intervals(&mut out);
    Some(out)
}

/// `ranges` cut to the `open` time (sorted, merged) into `out`, sorted: each piece is a range
/// of its own, so the slot grid starts where the opening event starts.
pub(crate) fn intersect_into(ranges: &[Interval], open: &[Interval], out: &mut Vec<Interval>) {
    out.clear();
    for r in ranges {
        let first = open.partition_point(|o| o.end <= r.start);
        for o in open[first..].iter().take_while(|o| o.start < r.end) {
            out.extend(Interval::new(r.start.max(o.start), r.end.min(o.end)));
        }
    }
    out.sort_unstable();
}

/// The ranges of `date` in UTC where slots may lie: the hours, cut to `open` when there are
/// availability sources.
pub(crate) fn bookable_ranges(
    rules: &Rules,
    open: Option<&[Interval]>,
    date: NaiveDate,
) -> Vec<Interval> {
    let hours = ranges_utc(rules, date);
    match open {
        None => hours,
        Some(open) => {
            let mut out = Vec::new();
            intersect_into(&hours, open, &mut out);
            out
        }
    }
}

/// `ranges_utc` into a reused buffer.
fn ranges_utc_into(rules: &Rules, date: NaiveDate, out: &mut Vec<Interval>) {
    out.clear();
    out.extend(
        local_ranges(rules, date)
            .iter()
            .filter_map(|r| range_to_utc(rules.timezone, date, r)),
    );
    out.sort_unstable();
}

/// The recurring blocks that fall on `date`, in UTC.
pub(crate) fn recurring_on(
    rules: &Rules,
    date: NaiveDate,
) -> impl Iterator<Item = (&RecurringBlock, Interval)> {
    let weekday = date.weekday();
    rules
        .recurring_blocks
        .iter()
        .filter(move |b| b.days.contains(&weekday))
        .filter_map(move |b| range_to_utc(rules.timezone, date, &b.range).map(|iv| (b, iv)))
}

/// The buffers an existing booking keeps free around itself: those of `event_type` when the slug
/// matches, else the owner's defaults.
pub(crate) fn booking_span(
    rules: &Rules,
    event_type: Option<&EventType>,
    booking: &ExistingBooking,
) -> Option<Interval> {
    let own = event_type.filter(|et| et.slug == booking.event_type);
    let p = Params::new(rules, own);
    Interval::new(sub(booking.start, p.before), add(booking.end, p.after))
}

/// Busy time of all sources, manual blocks and buffered bookings that overlap `reach`, merged.
fn blocked_intervals(
    rules: &Rules,
    event_type: Option<&EventType>,
    facts: &Facts,
    reach: &Interval,
) -> Vec<Interval> {
    let busy = facts.busy.iter().flat_map(|s| s.intervals.iter().copied());
    let bookings = facts
        .bookings
        .iter()
        .filter_map(|b| booking_span(rules, event_type, b));
    let mut out: Vec<Interval> = busy
        .chain(facts.blocks.iter().copied())
        .chain(bookings)
        .filter(|iv| iv.start < iv.end && iv.overlaps(reach))
        .collect();
    merge_intervals(&mut out);
    out
}

/// Bookings per owner-local day (by the local date of their start): all types, and this type.
#[derive(Debug, Default)]
pub(crate) struct DayCounts {
    per_day: HashMap<NaiveDate, (u32, u32)>,
}

/// Which daily limit is full: `(limit, Some(slug))` for the per-type one.
pub(crate) type LimitHit = (u32, Option<String>);

impl DayCounts {
    pub(crate) fn new(
        rules: &Rules,
        event_type: Option<&EventType>,
        bookings: &[ExistingBooking],
    ) -> Self {
        let type_limit = event_type.and_then(|et| et.max_per_day);
        if rules.max_bookings_per_day.is_none() && type_limit.is_none() {
            return Self::default();
        }
        let mut per_day: HashMap<NaiveDate, (u32, u32)> = HashMap::new();
        for b in bookings {
            let entry = per_day
                .entry(local_date(rules.timezone, b.start))
                .or_default();
            entry.0 += 1;
            if event_type.is_some_and(|et| et.slug == b.event_type) {
                entry.1 += 1;
            }
        }
        Self { per_day }
    }

    /// The first full limit on `day` (global before per-type), if any.
    pub(crate) fn limit_reached(
        &self,
        rules: &Rules,
        event_type: Option<&EventType>,
        day: NaiveDate,
    ) -> Option<LimitHit> {
        self.limits_reached(rules, event_type, day)
            .into_iter()
            .next()
    }

    /// Every full limit on `day`.
    pub(crate) fn limits_reached(
        &self,
        rules: &Rules,
        event_type: Option<&EventType>,
        day: NaiveDate,
    ) -> Vec<LimitHit> {
        let (all, this) = self.per_day.get(&day).copied().unwrap_or_default();
        let mut out = Vec::new();
        if let Some(limit) = rules.max_bookings_per_day.filter(|&l| all >= l) {
            out.push((limit, None));
        }
        if let Some(et) = event_type
            && let Some(limit) = et.max_per_day.filter(|&l| this >= l)
        {
            out.push((limit, Some(et.slug.clone())));
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::Weekday::*;
    use chrono_tz::America::New_York;

    use super::*;
    use crate::availability::explain::explain;
    use crate::availability::test_support::Case;

    /// The slot starts, rendered in the owner's zone with `case.fmt`. Every slot must last exactly
    /// the duration and `explain` must call its start bookable.
    fn check(case: Case, expected: &[&str]) {
        let (from, to) = case.bounds();
        let got = slots(&case.rules, &case.et, &case.facts(), from, to);
        for s in &got {
            assert_eq!(s.end - s.start, case.et.duration, "length of {s:?}");
            let e = explain(&case.rules, Some(&case.et), &case.facts(), s.start);
            assert!(e.bookable, "explain disagrees on {s:?}: {e:?}");
        }
        let rendered: Vec<String> = got.iter().map(|s| case.render(s.start)).collect();
        assert_eq!(
            rendered, expected,
            "slots on {} ({})",
            case.day, case.rules.timezone
        );
    }

    #[test]
    fn working_hours_and_grid() {
        check(Case::new(), &["09:00", "10:00", "11:00"]);
        // Several ranges a day.
        check(
            Case::new()
                .hours(&["09:00-10:00", "14:00-15:30"])
                .event(30, 30),
            &["09:00", "09:30", "14:00", "14:30", "15:00"],
        );
        // Ranges given out of order come out sorted.
        check(
            Case::new().hours(&["14:00-15:00", "09:00-10:00"]),
            &["09:00", "14:00"],
        );
        // Step shorter and longer than the duration.
        check(
            Case::new().event(60, 30),
            &["09:00", "09:30", "10:00", "10:30", "11:00"],
        );
        check(Case::new().event(30, 60), &["09:00", "10:00", "11:00"]);
        // The last slot must end within the range.
        check(Case::new().hours(&["09:00-11:30"]), &["09:00", "10:00"]);
        // A step of zero means "the duration".
        check(Case::new().event(90, 0), &["09:00", "10:30"]);
        // Each weekday has its own hours.
        check(Case::new().weekday_hours(Mon, &["07:00-08:00"]), &["07:00"]);
        check(
            Case::new().weekday_hours(Tue, &["07:00-08:00"]),
            &["09:00", "10:00", "11:00"],
        );
        // Weekend: no weekly hours.
        check(Case::new().on("2026-06-06"), &[]);
        // 24:00 ends at the next local midnight.
        check(Case::new().hours(&["22:00-24:00"]), &["22:00", "23:00"]);
        // The window filters starts, the grid still starts at the range start.
        check(Case::new().window("09:30", "11:00"), &["10:00"]);
        check(Case::new().window("09:00", "09:00"), &[]);
        check(Case::new().window("11:00", "09:00"), &[]);
        // A window over several days.
        check(
            Case::new()
                .window("2026-06-05 10:00", "2026-06-08 10:00")
                .fmt("%a %H:%M"),
            &["Fri 10:00", "Fri 11:00", "Mon 09:00"],
        );
    }

    #[test]
    fn overrides_and_recurring_blocks() {
        check(
            Case::new().override_day("2026-06-01", &["13:00-15:00"]),
            &["13:00", "14:00"],
        );
        check(Case::new().override_day("2026-06-01", &[]), &[]);
        // An override on another date changes nothing; one on a Saturday opens it.
        check(
            Case::new().override_day("2026-06-02", &[]),
            &["09:00", "10:00", "11:00"],
        );
        check(
            Case::new()
                .on("2026-06-06")
                .override_day("2026-06-06", &["10:00-11:00"]),
            &["10:00"],
        );
        let lunch = Case::new().hours(&["09:00-17:00"]);
        check(
            lunch.recurring("lunch", &[Mon, Tue], "12:00-13:00"),
            &[
                "09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00",
            ],
        );
        // A recurring block on other weekdays does not apply.
        check(
            Case::new().recurring("school run", &[Fri], "09:00-10:00"),
            &["09:00", "10:00", "11:00"],
        );
        // A 45-minute meeting must not touch lunch at all.
        check(
            Case::new().hours(&["10:00-14:00"]).event(45, 15).recurring(
                "lunch",
                &[Mon],
                "12:00-13:00",
            ),
            &[
                "10:00", "10:15", "10:30", "10:45", "11:00", "11:15", "13:00", "13:15",
            ],
        );
    }

    #[test]
    fn busy_blocks_and_buffers() {
        check(
            Case::new().busy("work", "10:00", "10:30"),
            &["09:00", "11:00"],
        );
        // Touching busy time is fine.
        check(
            Case::new()
                .busy("work", "08:00", "09:00")
                .busy("home", "12:00", "13:00"),
            &["09:00", "10:00", "11:00"],
        );
        check(Case::new().block("11:00", "11:30"), &["09:00", "10:00"]);
        // Buffer before: 30 minutes must be free before the start.
        check(
            Case::new()
                .rule_buffers(30, 0)
                .busy("work", "08:00", "08:45"),
            &["10:00", "11:00"],
        );
        // Buffer after: 30 minutes must be free after the end.
        check(
            Case::new()
                .rule_buffers(0, 30)
                .busy("work", "12:15", "13:00"),
            &["09:00", "10:00"],
        );
        // The event type's buffers override the owner's.
        check(
            Case::new()
                .rule_buffers(30, 0)
                .event_buffers(0, 0)
                .busy("work", "08:00", "08:45"),
            &["09:00", "10:00", "11:00"],
        );
        // Buffers apply around manual blocks too.
        check(
            Case::new().rule_buffers(0, 15).block("11:00", "11:10"),
            &["09:00"],
        );
    }

    /// Availability events open time: slots lie in events ∩ hours − busy, the grid starts where
    /// an event's piece starts, events that touch are one stretch, several sources are a union.
    #[test]
    fn availability_events_open_time() {
        let hours = || Case::new().hours(&["09:00-17:00"]);
        // Only the events' time; the grid starts at each event's start.
        check(
            hours()
                .opening("uni", "Office hours", "10:00", "12:00")
                .opening("uni", "Office hours", "14:30", "16:00"),
            &["10:00", "11:00", "14:30"],
        );
        // Availability sources with no events: nothing.
        check(hours().no_openings(), &[]);
        // Cut to the working hours (an event from 07:00, one past 17:00).
        check(
            hours()
                .opening("uni", "Early", "07:00", "10:00")
                .opening("uni", "Late", "16:00", "19:00"),
            &["09:00", "16:00"],
        );
        // Busy time of other sources still blocks.
        check(
            hours()
                .opening("uni", "Office hours", "10:00", "13:00")
                .busy("work", "11:00", "11:30"),
            &["10:00", "12:00"],
        );
        // Touching and overlapping events, of two sources: their union.
        check(
            hours()
                .event(90, 30)
                .opening("uni", "A", "10:00", "11:00")
                .opening("feed", "B", "11:00", "11:30")
                .opening("uni", "C", "10:30", "12:00"),
            &["10:00", "10:30"],
        );
        // An event shorter than the meeting opens nothing.
        check(hours().opening("uni", "Short", "10:00", "10:30"), &[]);
        // A day-long event (term dates) opens the whole hours.
        check(
            Case::new().opening("feed", "Term", "00:00", "24:00"),
            &["09:00", "10:00", "11:00"],
        );
        // Manual blocks and bookings still block.
        check(
            hours()
                .opening("uni", "Office hours", "10:00", "13:00")
                .block("10:00", "11:00")
                .booking("b1", "intro", "12:00", "13:00"),
            &["11:00"],
        );
    }

    #[test]
    fn bookings_and_their_buffers() {
        // A booking of this type keeps this type's buffers (here 15 after) around itself, and the
        // new slot keeps its own: 09:00 ends where the booking starts but needs 15 after.
        check(
            Case::new()
                .hours(&["09:00-13:00"])
                .event_buffers(0, 15)
                .booking("b1", "intro", "10:00", "11:00"),
            &["12:00"],
        );
        // A booking of another type keeps the owner's default buffers (none here).
        check(
            Case::new()
                .hours(&["09:00-13:00"])
                .event_buffers(0, 15)
                .booking("b1", "other", "10:00", "11:00"),
            &["11:00", "12:00"],
        );
        check(
            Case::new()
                .rule_buffers(30, 0)
                .booking("b1", "other", "11:00", "12:00"),
            &["09:00"],
        );
    }

    #[test]
    fn notice_and_horizon() {
        check(
            Case::new().now("2026-06-01 08:00").notice(120),
            &["10:00", "11:00"],
        );
        // Nothing in the past, even without notice.
        check(Case::new().now("2026-06-01 09:30"), &["10:00", "11:00"]);
        check(
            Case::new().now("2026-06-01 09:00"),
            &["09:00", "10:00", "11:00"],
        );
        // Negative notice never reaches into the past.
        check(
            Case::new().now("2026-06-01 09:30").notice(-60),
            &["10:00", "11:00"],
        );
        // Horizon 2: today and tomorrow (owner-local, from `now`).
        let three_days = Case::new()
            .now("2026-06-01 10:30")
            .window("2026-06-01 00:00", "2026-06-04 00:00")
            .fmt("%d %H:%M");
        check(
            three_days.horizon(2),
            &["01 11:00", "02 09:00", "02 10:00", "02 11:00"],
        );
        check(
            Case::new().now("2026-06-01 00:00").horizon(1),
            &["09:00", "10:00", "11:00"],
        );
        check(Case::new().now("2026-06-01 00:00").horizon(0), &[]);
        check(Case::new().now("2026-05-31 23:59").horizon(1), &[]);
    }

    #[test]
    fn daily_limits() {
        let days = || {
            Case::new()
                .window("2026-06-01 00:00", "2026-06-03 00:00")
                .fmt("%d %H:%M")
        };
        let tuesday = &["02 09:00", "02 10:00", "02 11:00"];
        let both = &[
            "01 09:00", "01 10:00", "01 11:00", "02 09:00", "02 10:00", "02 11:00",
        ];
        // The owner's limit counts every type; the booking itself is outside the hours.
        check(
            days()
                .max_per_day(1)
                .booking("b1", "other", "07:00", "08:00"),
            tuesday,
        );
        check(
            days()
                .max_per_day(2)
                .booking("b1", "other", "07:00", "08:00"),
            both,
        );
        // The per-type limit counts only this type.
        check(
            days()
                .max_of_type(1)
                .booking("b1", "other", "07:00", "08:00"),
            both,
        );
        check(
            days()
                .max_of_type(1)
                .booking("b1", "intro", "07:00", "08:00"),
            tuesday,
        );
        // Counted by the owner-local date: 23:30 local on Monday is Monday.
        check(
            days()
                .max_per_day(1)
                .booking("b1", "other", "23:30", "24:00"),
            tuesday,
        );
    }

    #[test]
    fn dst_berlin() {
        let z = "%H:%M%:z";
        let new = || Case::new().now("2026-01-01 00:00");
        // Spring forward (Sunday 2026-03-29): same local hours, now at +02:00.
        let spring = new().hours(&["09:00-12:00"]).on("2026-03-29").fmt(z);
        check(spring, &["09:00+02:00", "10:00+02:00", "11:00+02:00"]);
        check(
            new()
                .hours(&["09:00-10:00"])
                .window("2026-03-28 00:00", "2026-03-31 00:00")
                .fmt("%d %H:%M%:z"),
            &["28 09:00+01:00", "29 09:00+02:00", "30 09:00+02:00"],
        );
        // A range across the gap holds two real hours.
        let gap = new().hours(&["01:00-04:00"]).on("2026-03-29").fmt(z);
        check(gap, &["01:00+01:00", "03:00+02:00"]);
        let gap = new().hours(&["01:00-04:00"]).on("2026-03-29").fmt(z);
        check(
            gap.event(30, 30),
            &["01:00+01:00", "01:30+01:00", "03:00+02:00", "03:30+02:00"],
        );
        // A start inside the gap moves forward by the gap.
        let inside = new().hours(&["02:30-05:00"]).on("2026-03-29").fmt(z);
        check(inside, &["03:30+02:00"]);
        // Fall back (2026-10-25): 01:00-04:00 holds four real hours; 02:00 comes twice.
        let fall = new().hours(&["01:00-04:00"]).on("2026-10-25").fmt(z);
        check(
            fall,
            &["01:00+02:00", "02:00+02:00", "02:00+01:00", "03:00+01:00"],
        );
        let fall = new().hours(&["09:00-12:00"]).on("2026-10-25").fmt(z);
        check(fall, &["09:00+01:00", "10:00+01:00", "11:00+01:00"]);
        // 24:00 on the fall-back day is the next local midnight.
        let late = new().hours(&["22:00-24:00"]).on("2026-10-25").fmt(z);
        check(late, &["22:00+01:00", "23:00+01:00"]);
        // A lunch block on a DST day is read in local time as well.
        let lunch = new()
            .hours(&["11:00-14:00"])
            .on("2026-03-29")
            .recurring("lunch", &[Sun], "12:00-13:00")
            .fmt(z);
        check(lunch, &["11:00+02:00", "13:00+02:00"]);
    }

    #[test]
    fn dst_new_york() {
        let z = "%H:%M%:z";
        let ny = || Case::new().tz(New_York).hours(&["09:00-12:00"]);
        check(
            ny().on("2026-03-07").fmt(z),
            &["09:00-05:00", "10:00-05:00", "11:00-05:00"],
        );
        check(
            ny().on("2026-03-08").fmt(z),
            &["09:00-04:00", "10:00-04:00", "11:00-04:00"],
        );
        check(
            ny().on("2026-11-01").fmt(z),
            &["09:00-05:00", "10:00-05:00", "11:00-05:00"],
        );
        let gap = Case::new()
            .tz(New_York)
            .hours(&["01:00-04:00"])
            .on("2026-03-08");
        check(gap.fmt(z), &["01:00-05:00", "03:00-04:00"]);
        let fall = Case::new()
            .tz(New_York)
            .hours(&["00:00-03:00"])
            .on("2026-11-01");
        check(
            fall.fmt(z),
            &["00:00-04:00", "01:00-04:00", "01:00-05:00", "02:00-05:00"],
        );
    }
}
