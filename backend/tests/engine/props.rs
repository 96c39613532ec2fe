//! Properties of busy time on generated calendars: small iCalendar texts built from random
//! single events, weekly and daily series with EXDATEs and overrides, in a few zones (UTC,
//! floating, IANA), rendered as text and read back through `parse_calendar`.
//!
//! The result is always a merged list inside the window; it does not depend on the order of
//! the VEVENTs; several calendars merged equal one concatenated text; adding events never
//! removes busy time.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use openslot::calendar::{BusyPolicy, Interval, busy_intervals, merged_busy, parse_calendar};
use proptest::prelude::*;

/// How a generated time is written.
const ZONES: &[Option<&str>] = &[
    Some("UTC"), // written with 'Z'
    None,        // floating: the owner's zone
    Some("Europe/Berlin"),
    Some("America/New_York"),
    Some("Australia/Sydney"),
];

const OWNERS: &[Tz] = &[
    chrono_tz::UTC,
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Asia::Kolkata,
];

fn base() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2025, 2, 20)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("valid base date")
}

#[derive(Clone, Debug)]
enum Status {
    Confirmed,
    Tentative,
    Cancelled,
}

#[derive(Clone, Debug)]
enum Repeat {
    None,
    Weekly {
        count: Option<u32>,
        until_weeks: Option<u32>,
    },
    Daily {
        count: u32,
    },
}

#[derive(Clone, Debug)]
struct Override {
    /// Which instance (0-based).
    index: u32,
    shift_minutes: i64,
    len_minutes: i64,
    cancelled: bool,
}

#[derive(Clone, Debug)]
struct EventSpec {
    /// Minutes after [`base`], local wall time of `zone`.
    start_minutes: i64,
    len_minutes: i64,
    zone: usize,
    all_day: bool,
    status: Status,
    transparent: bool,
    repeat: Repeat,
    exdates: Vec<u32>,
    overrides: Vec<Override>,
}

fn event_spec() -> impl Strategy<Value = EventSpec> {
    let repeat = prop_oneof![
        2 => Just(Repeat::None),
        2 => (prop::option::of(1u32..8), prop::option::of(0u32..8))
            .prop_map(|(count, until_weeks)| Repeat::Weekly { count, until_weeks }),
        1 => (1u32..15).prop_map(|count| Repeat::Daily { count }),
    ];
    let status = prop_oneof![
        6 => Just(Status::Confirmed),
        1 => Just(Status::Tentative),
        1 => Just(Status::Cancelled),
    ];
    let overrides = prop::collection::vec(
        (0u32..8, -180i64..180, 0i64..180, prop::bool::weighted(0.3)).prop_map(
            |(index, shift, len, cancelled)| Override {
                index,
                shift_minutes: shift / 15 * 15,
                len_minutes: len / 15 * 15,
                cancelled,
            },
        ),
        0..3,
    );
    (
        (0i64..60 * 24 * 4, 0i64..(4 * 60), 0..ZONES.len()),
        (
            prop::bool::weighted(0.15),
            status,
            prop::bool::weighted(0.1),
        ),
        repeat,
        prop::collection::vec(0u32..8, 0..3),
        overrides,
    )
        .prop_map(
            |((start, len, zone), (all_day, status, transparent), repeat, exdates, overrides)| {
                EventSpec {
                    // Quarter hours over 60 days from the base.
                    start_minutes: start * 15,
                    len_minutes: len / 15 * 15,
                    zone,
                    all_day,
                    status,
                    transparent,
                    repeat,
                    exdates,
                    overrides,
                }
            },
        )
}

/// A DATE-TIME property in the spec's zone.
fn dt_prop(name: &str, zone: Option<&str>, local: NaiveDateTime) -> String {
    let v = local.format("%Y%m%dT%H%M%S");
    match zone {
        Some("UTC") => format!("{name}:{v}Z"),
        Some(tz) => format!("{name};TZID={tz}:{v}"),
        None => format!("{name}:{v}"),
    }
}

fn date_prop(name: &str, local: NaiveDateTime) -> String {
    format!("{name};VALUE=DATE:{}", local.format("%Y%m%d"))
}

impl EventSpec {
    fn start(&self) -> NaiveDateTime {
        let s = base() + Duration::minutes(self.start_minutes);
        if self.all_day {
            s.date().and_hms_opt(0, 0, 0).unwrap_or(s)
        } else {
            s
        }
    }

    fn step(&self) -> Duration {
        match self.repeat {
            Repeat::Daily { .. } => Duration::days(1),
            _ => Duration::weeks(1),
        }
    }

    fn time_prop(&self, name: &str, local: NaiveDateTime) -> String {
        if self.all_day {
            date_prop(name, local)
        } else {
            dt_prop(name, ZONES[self.zone], local)
        }
    }

    /// The VEVENT blocks of this spec: the event (or master) and its overrides.
    fn blocks(&self, uid: &str) -> Vec<String> {
        let start = self.start();
        let mut lines = vec![
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{uid}"),
            self.time_prop("DTSTART", start),
        ];
        if self.all_day {
            let days = 1 + self.len_minutes / 60 % 3;
            lines.push(date_prop("DTEND", start + Duration::days(days)));
        } else if self.len_minutes % 2 == 0 {
            lines.push(dt_prop(
                "DTEND",
                ZONES[self.zone],
                start + Duration::minutes(self.len_minutes),
            ));
        } else {
            lines.push(format!("DURATION:PT{}M", self.len_minutes));
        }
        match self.status {
            Status::Confirmed => {}
            Status::Tentative => lines.push("STATUS:TENTATIVE".into()),
            Status::Cancelled => lines.push("STATUS:CANCELLED".into()),
        }
        if self.transparent {
            lines.push("TRANSP:TRANSPARENT".into());
        }
        let recurring = !matches!(self.repeat, Repeat::None);
        match &self.repeat {
            Repeat::None => {}
            Repeat::Weekly { count, until_weeks } => {
                let mut rule = "RRULE:FREQ=WEEKLY".to_owned();
                if let Some(c) = count {
                    rule.push_str(&format!(";COUNT={c}"));
                } else if let Some(w) = until_weeks {
                    // UNTIL in UTC, at the end of that week's day: safely after the instance.
                    let until = start + Duration::weeks(i64::from(*w)) + Duration::hours(14);
                    rule.push_str(&format!(";UNTIL={}", until.format("%Y%m%dT%H%M%SZ")));
                }
                lines.push(rule);
            }
            Repeat::Daily { count } => lines.push(format!("RRULE:FREQ=DAILY;COUNT={count}")),
        }
        if recurring && !self.exdates.is_empty() {
            let step = self.step();
            let values: Vec<String> = self
                .exdates
                .iter()
                .map(|&k| {
                    let prop = self.time_prop("EXDATE", start + step * k as i32);
                    prop.split_once(':')
                        .map(|(_, v)| v.to_owned())
                        .unwrap_or(prop)
                })
                .collect();
            let head = self.time_prop("EXDATE", start);
            let head = head.split_once(':').map_or(head.as_str(), |(h, _)| h);
            lines.push(format!("{head}:{}", values.join(",")));
        }
        lines.push("END:VEVENT".into());
        let mut blocks = vec![lines.join("\r\n")];
        if recurring {
            let mut seen = std::collections::HashSet::new();
            for o in self.overrides.iter().filter(|o| seen.insert(o.index)) {
                let rid = start + self.step() * o.index as i32;
                let moved = rid + Duration::minutes(o.shift_minutes);
                let mut l = vec![
                    "BEGIN:VEVENT".to_owned(),
                    format!("UID:{uid}"),
                    self.time_prop("RECURRENCE-ID", rid),
                ];
                if self.all_day {
                    l.push(date_prop("DTSTART", rid));
                    l.push(date_prop("DTEND", rid + Duration::days(1)));
                } else {
                    l.push(dt_prop("DTSTART", ZONES[self.zone], moved));
                    l.push(dt_prop(
                        "DTEND",
                        ZONES[self.zone],
                        moved + Duration::minutes(o.len_minutes),
                    ));
                }
                if o.cancelled {
                    l.push("STATUS:CANCELLED".into());
                }
                l.push("END:VEVENT".into());
                blocks.push(l.join("\r\n"));
            }
        }
        blocks
    }
}

/// All blocks of a list of specs, with UIDs distinct across `prefix`es.
fn blocks_of(specs: &[EventSpec], prefix: &str) -> Vec<String> {
    specs
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.blocks(&format!("{prefix}-{i}@openslot.test")))
        .collect()
}

fn calendar_text(blocks: &[String]) -> String {
    let mut text =
        String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//OpenSlot//props//EN\r\n");
    for b in blocks {
        text.push_str(b);
        text.push_str("\r\n");
    }
    text.push_str("END:VCALENDAR\r\n");
    text
}

fn window_strategy() -> impl Strategy<Value = Interval> {
    (0i64..40, 1i64..40).prop_map(|(from_day, days)| {
        let start: DateTime<Utc> = (base() + Duration::days(from_day)).and_utc();
        Interval::new(start, start + Duration::days(days)).expect("window is not empty")
    })
}

fn busy(text: &str, window: Interval, owner: Tz) -> Vec<Interval> {
    let cal = parse_calendar(text, "prop.ics");
    let mut warnings = Vec::new();
    busy_intervals(&cal, window, owner, &BusyPolicy::default(), &mut warnings)
}

fn covered(inner: &Interval, merged: &[Interval]) -> bool {
    merged
        .iter()
        .any(|m| m.start <= inner.start && inner.end <= m.end)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn busy_is_sorted_disjoint_not_touching_and_inside_the_window(
        specs in prop::collection::vec(event_spec(), 0..8),
        window in window_strategy(),
        owner in prop::sample::select(OWNERS),
    ) {
        let text = calendar_text(&blocks_of(&specs, "e"));
        let got = busy(&text, window, owner);
        for iv in &got {
            prop_assert!(iv.start < iv.end, "empty interval {iv:?}");
            prop_assert!(window.start <= iv.start && iv.end <= window.end, "{iv:?} outside {window:?}");
        }
        for pair in got.windows(2) {
            prop_assert!(pair[0].end < pair[1].start, "not merged: {pair:?}\n{text}");
        }
    }

    #[test]
    fn busy_does_not_depend_on_the_order_of_events(
        (blocks, shuffled) in prop::collection::vec(event_spec(), 1..8)
            .prop_map(|specs| blocks_of(&specs, "e"))
            .prop_flat_map(|blocks| (Just(blocks.clone()), Just(blocks).prop_shuffle())),
        window in window_strategy(),
        owner in prop::sample::select(OWNERS),
    ) {
        let a = busy(&calendar_text(&blocks), window, owner);
        let b = busy(&calendar_text(&shuffled), window, owner);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn merged_busy_equals_busy_of_the_concatenated_text(
        groups in prop::collection::vec(prop::collection::vec(event_spec(), 0..5), 1..4),
        window in window_strategy(),
        owner in prop::sample::select(OWNERS),
    ) {
        let texts: Vec<String> = groups
            .iter()
            .enumerate()
            .map(|(g, specs)| calendar_text(&blocks_of(specs, &format!("g{g}"))))
            .collect();
        let cals: Vec<_> = texts.iter().map(|t| parse_calendar(t, "part.ics")).collect();
        let mut warnings = Vec::new();
        let merged = merged_busy(
            cals.iter().map(|c| (c, BusyPolicy::default())),
            window,
            owner,
            &mut warnings,
        );
        // Several VCALENDARs in one stream, and all events in one VCALENDAR.
        let stream = texts.concat();
        prop_assert_eq!(&merged, &busy(&stream, window, owner));
        let all: Vec<String> = groups
            .iter()
            .enumerate()
            .flat_map(|(g, specs)| blocks_of(specs, &format!("g{g}")))
            .collect();
        prop_assert_eq!(&merged, &busy(&calendar_text(&all), window, owner));
    }

    #[test]
    fn adding_events_never_removes_busy_time(
        before in prop::collection::vec(event_spec(), 0..6),
        added in prop::collection::vec(event_spec(), 1..4),
        window in window_strategy(),
        owner in prop::sample::select(OWNERS),
    ) {
        let small = blocks_of(&before, "old");
        let mut large = small.clone();
        large.extend(blocks_of(&added, "new"));
        let union = busy(&calendar_text(&large), window, owner);
        for iv in busy(&calendar_text(&small), window, owner) {
            prop_assert!(covered(&iv, &union), "{iv:?} lost after adding events: {union:?}");
        }
    }
}
