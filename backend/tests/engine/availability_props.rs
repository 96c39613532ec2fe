//! Properties of `slots` and `explain`, black-box through the public API, on random rules and busy
//! time around the DST transitions of Europe/Berlin, America/New_York and Australia/Sydney.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use openslot::availability::*;
use openslot::calendar::{Interval, merge_intervals};
use proptest::prelude::*;

/// Zones with the local dates of their 2026 transitions.
const ZONES: [(Tz, [&str; 2]); 3] = [
    (chrono_tz::Europe::Berlin, ["2026-03-29", "2026-10-25"]),
    (chrono_tz::America::New_York, ["2026-03-08", "2026-11-01"]),
    (chrono_tz::Australia::Sydney, ["2026-04-05", "2026-10-04"]),
];

#[derive(Clone, Debug)]
struct Scenario {
    rules: Rules,
    et: EventType,
    busy: Vec<SourceBusy>,
    bookings: Vec<ExistingBooking>,
    blocks: Vec<Interval>,
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    /// Instants to ask `explain` about.
    probes: Vec<DateTime<Utc>>,
    shuffle_seed: u64,
}

impl Scenario {
    fn facts(&self) -> Facts<'_> {
        Facts {
            busy: &self.busy,
            open: None,
            bookings: &self.bookings,
            blocks: &self.blocks,
            now: self.now,
        }
    }

    fn slots(&self) -> Vec<Slot> {
        slots(&self.rules, &self.et, &self.facts(), self.from, self.to)
    }

    fn before(&self) -> Duration {
        self.et.buffer_before.unwrap_or(self.rules.buffer_before)
    }

    fn after(&self) -> Duration {
        self.et.buffer_after.unwrap_or(self.rules.buffer_after)
    }

    /// A booking blocks itself plus its type's buffers (the owner's defaults for other types).
    fn booking_span(&self, b: &ExistingBooking) -> Interval {
        let (before, after) = if b.event_type == self.et.slug {
            (self.before(), self.after())
        } else {
            (self.rules.buffer_before, self.rules.buffer_after)
        };
        Interval {
            start: b.start - before,
            end: b.end + after,
        }
    }

    fn local_ranges(&self, date: NaiveDate) -> &[TimeRange] {
        use chrono::Datelike;
        match self.rules.date_overrides.get(&date) {
            Some(r) => r,
            None => self.rules.working_hours.for_weekday(date.weekday()),
        }
    }
}

fn time(quarters: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(quarters / 4, (quarters % 4) * 15, 0).unwrap()
}

/// A local range from a start and a length in quarter hours; reaching 24:00 ends the day. Half
/// of them start at night, where the DST transitions are.
fn range_strategy() -> impl Strategy<Value = TimeRange> {
    (prop_oneof![0u32..16, 0u32..92], 1u32..40).prop_map(|(start, len)| {
        let end = start + len;
        if end >= 96 {
            TimeRange {
                start: time(start),
                end: NaiveTime::MIN,
                end_of_day: true,
            }
        } else {
            TimeRange {
                start: time(start),
                end: time(end),
                end_of_day: false,
            }
        }
    })
}

fn ranges_strategy() -> impl Strategy<Value = Vec<TimeRange>> {
    prop::collection::vec(range_strategy(), 0..3)
}

fn minutes(m: i64) -> Duration {
    Duration::minutes(m)
}

/// Intervals as (minutes after the window start, length in minutes).
fn spans(max: usize) -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec((-240i64..5 * 1440, 5i64..300), 0..max)
}

fn weekday(i: u8) -> Weekday {
    Weekday::try_from(i % 7).unwrap()
}

prop_compose! {
    fn scenario()(
        zone in 0usize..3,
        transition in 0usize..2,
        shift in -3i64..=3,
        weekly in prop::array::uniform7(ranges_strategy()),
        override_day in prop::option::of((0i64..4, ranges_strategy())),
        recurring in prop::collection::vec((0u8..7, range_strategy()), 0..3),
        duration in prop::sample::select(vec![15i64, 30, 45, 60, 90]),
        step in prop::sample::select(vec![0i64, 15, 30, 60]),
        rule_buffers in (0i64..60, 0i64..60),
        event_buffers in prop::option::of((0i64..45, 0i64..45)),
        min_notice in 0i64..600,
        horizon in 0u32..8,
        now_offset in -3000i64..600,
        max_per_day in prop::option::of(1u32..4),
        max_of_type in prop::option::of(1u32..3),
        busy in prop::collection::vec(spans(15), 0..4),
        blocks in spans(5),
        bookings in prop::collection::vec((spans(1), any::<bool>()), 0..6),
        probes in prop::collection::vec(0i64..4 * 1440, 0..40),
        shuffle_seed in any::<u64>(),
    ) -> Scenario {
        let (tz, dates) = ZONES[zone];
        let day = NaiveDate::parse_from_str(dates[transition], "%Y-%m-%d").unwrap()
            + Duration::days(shift);
        let midnight = |d: NaiveDate| {
            tz.from_local_datetime(&d.and_time(NaiveTime::MIN)).earliest().unwrap().with_timezone(&Utc)
        };
        let from = midnight(day - Duration::days(1));
        let to = midnight(day + Duration::days(3));
        let at = |m: i64| from + minutes(m);
        let interval = |&(start, len): &(i64, i64)| Interval { start: at(start), end: at(start + len) };

        let mut date_overrides = BTreeMap::new();
        if let Some((offset, ranges)) = override_day {
            date_overrides.insert(day + Duration::days(offset - 1), ranges);
        }
        let rules = Rules {
            timezone: tz,
            working_hours: WeeklyHours { days: weekly },
            date_overrides,
            recurring_blocks: recurring
                .into_iter()
                .enumerate()
                .map(|(i, (d, range))| RecurringBlock {
                    label: format!("block {i}"),
                    days: vec![weekday(d), weekday(d + 3)],
                    range,
                })
                .collect(),
            min_notice: minutes(min_notice),
            horizon_days: horizon,
            buffer_before: minutes(rule_buffers.0),
            buffer_after: minutes(rule_buffers.1),
            max_bookings_per_day: max_per_day,
        };
        let et = EventType {
            slug: "intro".into(),
            title: "Intro".into(),
            description: String::new(),
            duration: minutes(duration),
            step: minutes(step),
            buffer_before: event_buffers.map(|b| minutes(b.0)),
            buffer_after: event_buffers.map(|b| minutes(b.1)),
            max_per_day: max_of_type,
        };
        let busy = busy
            .iter()
            .enumerate()
            .map(|(i, list)| {
                let mut intervals: Vec<Interval> = list.iter().map(interval).collect();
                merge_intervals(&mut intervals);
                SourceBusy { source_id: format!("source {i}"), intervals }
            })
            .collect();
        let bookings = bookings
            .iter()
            .enumerate()
            .flat_map(|(i, (list, same))| {
                list.iter().map(move |span| (i, span, *same)).collect::<Vec<_>>()
            })
            .map(|(i, span, same)| {
                let iv = interval(span);
                ExistingBooking {
                    id: format!("b{i}"),
                    event_type: if same { "intro".into() } else { "other".into() },
                    start: iv.start,
                    end: iv.end,
                }
            })
            .collect();
        Scenario {
            rules,
            et,
            busy,
            bookings,
            blocks: blocks.iter().map(interval).collect(),
            now: at(now_offset),
            from,
            to,
            probes: probes.into_iter().map(at).collect(),
            shuffle_seed,
        }
    }
}

/// RFC 5545 3.3.5, done the slow way: an ambiguous time is the earlier instant; a time in a gap
/// is the last valid wall-clock time before it plus the missing minutes.
fn local_to_utc(tz: Tz, local: chrono::NaiveDateTime) -> DateTime<Utc> {
    for k in 0..=24 * 60 {
        if let Some(t) = tz.from_local_datetime(&(local - minutes(k))).earliest() {
            return t.with_timezone(&Utc) + minutes(k);
        }
    }
    panic!("no valid local time near {local}");
}

/// A local range on `date` in UTC (24:00 is the next local midnight).
fn local_range(tz: Tz, date: NaiveDate, r: &TimeRange) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = local_to_utc(tz, date.and_time(r.start));
    let end = if r.end_of_day {
        local_to_utc(tz, (date + Duration::days(1)).and_time(NaiveTime::MIN))
    } else {
        local_to_utc(tz, date.and_time(r.end))
    };
    (start, end)
}

/// A deterministic Fisher-Yates shuffle (a small LCG is plenty here).
fn shuffle<T>(items: &mut [T], seed: &mut u64) {
    for i in (1..items.len()).rev() {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = usize::try_from((*seed >> 33) % (i as u64 + 1)).unwrap();
        items.swap(i, j);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn slots_are_free_of_busy_time_blocks_and_bookings(s in scenario()) {
        for slot in s.slots() {
            let probe = Interval { start: slot.start - s.before(), end: slot.end + s.after() };
            for source in &s.busy {
                for iv in &source.intervals {
                    prop_assert!(!probe.overlaps(iv), "{slot:?} meets {} {iv:?}", source.source_id);
                }
            }
            for iv in &s.blocks {
                prop_assert!(!probe.overlaps(iv), "{slot:?} meets block {iv:?}");
            }
            for b in &s.bookings {
                let span = s.booking_span(b);
                prop_assert!(!probe.overlaps(&span), "{slot:?} meets booking {b:?}");
            }
        }
    }

    #[test]
    fn slots_lie_within_the_hours_of_their_local_day(s in scenario()) {
        use chrono::Datelike;
        let tz = s.rules.timezone;
        for slot in s.slots() {
            let date = slot.start.with_timezone(&tz).date_naive();
            let inside = |r: &TimeRange| {
                let (start, end) = local_range(tz, date, r);
                start <= slot.start && slot.end <= end
            };
            prop_assert!(
                s.local_ranges(date).iter().any(inside),
                "{slot:?} outside {:?} on {date}", s.local_ranges(date)
            );
            for block in &s.rules.recurring_blocks {
                if block.days.contains(&date.weekday()) {
                    // A block wholly in a spring-forward gap (02:30-03:30 where 02:00 jumps to
                    // 03:00) reads, per RFC 5545, as 03:30-03:30: empty, it blocks nothing.
                    let (start, end) = local_range(tz, date, &block.range);
                    prop_assert!(
                        start >= end || !(start < slot.end && slot.start < end),
                        "{slot:?} in {block:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn slots_last_exactly_the_duration_and_respect_window_notice_horizon(s in scenario()) {
        let earliest = s.now.max(s.now + s.rules.min_notice);
        let tz = s.rules.timezone;
        let today = s.now.with_timezone(&tz).date_naive();
        for slot in s.slots() {
            prop_assert_eq!(slot.end - slot.start, s.et.duration);
            prop_assert!(s.from <= slot.start && slot.start < s.to);
            prop_assert!(slot.start >= earliest);
            let date = slot.start.with_timezone(&tz).date_naive();
            prop_assert!(date < today + Duration::days(i64::from(s.rules.horizon_days)));
        }
    }

    #[test]
    fn slots_are_sorted_and_unique(s in scenario()) {
        let got = s.slots();
        for pair in got.windows(2) {
            prop_assert!(pair[0].start < pair[1].start, "{pair:?}");
        }
    }

    #[test]
    fn order_of_sources_intervals_bookings_and_blocks_does_not_matter(s in scenario()) {
        let expected = s.slots();
        let mut shuffled = s.clone();
        let mut seed = s.shuffle_seed;
        shuffle(&mut shuffled.busy, &mut seed);
        for source in &mut shuffled.busy {
            shuffle(&mut source.intervals, &mut seed);
        }
        shuffle(&mut shuffled.bookings, &mut seed);
        shuffle(&mut shuffled.blocks, &mut seed);
        prop_assert_eq!(shuffled.slots(), expected);
    }

    #[test]
    fn explain_agrees_with_slots(s in scenario()) {
        // A window wide enough that no slot containing a probe is cut off.
        let all = slots(&s.rules, &s.et, &s.facts(), s.from - Duration::days(1), s.to + Duration::days(1));
        for slot in &all {
            let e = explain(&s.rules, Some(&s.et), &s.facts(), slot.start);
            prop_assert!(e.bookable, "{slot:?}: {e:?}");
        }
        for &at in &s.probes {
            let e = explain(&s.rules, Some(&s.et), &s.facts(), at);
            let inside = all.iter().find(|slot| slot.start <= at && at < slot.end);
            prop_assert_eq!(e.bookable, inside.is_some(), "{} {:?}", at, e);
            if e.bookable {
                let Some(Reason::WithinSlot { start, end }) = e.reasons.first() else {
                    return Err(TestCaseError::fail(format!("no slot in {e:?}")));
                };
                let within = Slot { start: *start, end: *end };
                prop_assert!(all.contains(&within), "{within:?} not offered");
            } else {
                prop_assert!(!e.reasons.is_empty());
            }
            // Wall-clock minutes only: nothing here should care about seconds.
            prop_assert_eq!(at.second(), 0);
        }
    }
}
