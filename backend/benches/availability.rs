//! `slots` over 60 days with ~400 merged busy intervals: the warm target is well under 1 ms.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::hint::black_box;

use chrono::{Duration, NaiveTime, TimeZone, Utc, Weekday};
use criterion::{Criterion, criterion_group, criterion_main};
use openslot::availability::*;
use openslot::calendar::{Interval, merge_intervals};

fn range(a: u32, b: u32) -> TimeRange {
    TimeRange {
        start: NaiveTime::from_hms_opt(a, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(b, 0, 0).unwrap(),
        end_of_day: false,
    }
}

fn bench_slots(c: &mut Criterion) {
    let day = vec![range(9, 12), range(13, 17)];
    let rules = Rules {
        timezone: chrono_tz::Europe::Berlin,
        working_hours: WeeklyHours {
            days: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                Vec::new(),
                Vec::new(),
            ],
        },
        date_overrides: BTreeMap::new(),
        recurring_blocks: vec![RecurringBlock {
            label: "lunch".into(),
            days: vec![Weekday::Mon, Weekday::Wed],
            range: range(12, 13),
        }],
        min_notice: Duration::hours(2),
        horizon_days: 90,
        buffer_before: Duration::minutes(10),
        buffer_after: Duration::minutes(10),
        max_bookings_per_day: Some(8),
    };
    let et = EventType {
        slug: "intro".into(),
        title: "Intro".into(),
        description: String::new(),
        duration: Duration::minutes(30),
        step: Duration::minutes(15),
        buffer_before: None,
        buffer_after: None,
        max_per_day: Some(4),
    };
    let from = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let to = from + Duration::days(60);
    // Three sources, ~400 intervals after merging, spread over the window (a simple LCG).
    let mut seed: u64 = 42;
    let mut next = |m: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    let busy: Vec<SourceBusy> = (0..3)
        .map(|i| {
            let mut intervals: Vec<Interval> = (0..140)
                .map(|_| {
                    let start = from + Duration::minutes(i64::try_from(next(60 * 1440)).unwrap());
                    let len = Duration::minutes(15 + i64::try_from(next(90)).unwrap());
                    Interval::new(start, start + len).unwrap()
                })
                .collect();
            merge_intervals(&mut intervals);
            SourceBusy {
                source_id: format!("source {i}"),
                intervals,
            }
        })
        .collect();
    let bookings: Vec<ExistingBooking> = (0..30)
        .map(|i| {
            let start = from + Duration::minutes(i64::try_from(next(60 * 1440)).unwrap());
            ExistingBooking {
                id: format!("b{i}"),
                event_type: if i % 2 == 0 { "intro" } else { "other" }.into(),
                start,
                end: start + Duration::minutes(30),
            }
        })
        .collect();
    let blocks = vec![Interval::new(from + Duration::days(10), from + Duration::days(12)).unwrap()];
    let facts = Facts {
        busy: &busy,
        open: None,
        bookings: &bookings,
        blocks: &blocks,
        now: from - Duration::days(1),
    };
    let n = slots(&rules, &et, &facts, from, to).len();
    let total: usize = busy.iter().map(|s| s.intervals.len()).sum();
    eprintln!("{n} slots, {total} busy intervals");

    c.bench_function("slots 60 days, ~400 busy", |b| {
        b.iter(|| {
            slots(
                black_box(&rules),
                black_box(&et),
                black_box(&facts),
                from,
                to,
            )
        })
    });
    c.bench_function("explain one instant", |b| {
        b.iter(|| {
            explain(
                black_box(&rules),
                Some(&et),
                black_box(&facts),
                from + Duration::hours(200),
            )
        })
    });
}

criterion_group!(benches, bench_slots);
criterion_main!(benches);
