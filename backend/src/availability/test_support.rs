//! A small builder for the availability unit tests: one owner, one event type, one local day.
//!
//! Times written "HH:MM" are owner-local on the case's day ("24:00" is the next midnight); longer
//! ones are "YYYY-MM-DD HH:MM", also owner-local.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::local_time::to_utc;
use super::model::*;
use crate::calendar::Interval;

#[derive(Debug)]
pub(crate) struct Case {
    pub rules: Rules,
    pub et: EventType,
    pub busy: Vec<SourceBusy>,
    /// `Some` once `opening` was called: the case has availability sources.
    pub open: Option<Vec<Opening>>,
    pub bookings: Vec<ExistingBooking>,
    pub blocks: Vec<Interval>,
    pub now: DateTime<Utc>,
    pub day: NaiveDate,
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// How `check` renders a slot start in the owner's zone.
    pub fmt: &'static str,
}

pub(crate) fn minutes(m: i64) -> Duration {
    Duration::minutes(m)
}

pub(crate) fn range(s: &str) -> TimeRange {
    let (a, b) = s.split_once('-').unwrap();
    let t = |x: &str| NaiveTime::parse_from_str(x, "%H:%M").unwrap();
    if b == "24:00" {
        TimeRange {
            start: t(a),
            end: NaiveTime::MIN,
            end_of_day: true,
        }
    } else {
        TimeRange {
            start: t(a),
            end: t(b),
            end_of_day: false,
        }
    }
}

fn ranges(list: &[&str]) -> Vec<TimeRange> {
    list.iter().map(|s| range(s)).collect()
}

pub(crate) fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub(crate) fn utc(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .unwrap()
        .and_utc()
}

impl Case {
    /// Berlin, Mon-Fri 09:00-12:00, a 60-minute "intro" every 60 minutes, no buffers, no notice,
    /// a year of horizon, `now` a month before the case day Monday 2026-06-01.
    pub fn new() -> Self {
        let weekday = ranges(&["09:00-12:00"]);
        let mut case = Self {
            rules: Rules {
                timezone: chrono_tz::Europe::Berlin,
                working_hours: WeeklyHours {
                    days: [
                        weekday.clone(),
                        weekday.clone(),
                        weekday.clone(),
                        weekday.clone(),
                        weekday,
                        Vec::new(),
                        Vec::new(),
                    ],
                },
                date_overrides: BTreeMap::new(),
                recurring_blocks: Vec::new(),
                min_notice: Duration::zero(),
                horizon_days: 365,
                buffer_before: Duration::zero(),
                buffer_after: Duration::zero(),
                max_bookings_per_day: None,
            },
            et: EventType {
                slug: "intro".into(),
                title: "Intro call".into(),
                description: String::new(),
                duration: minutes(60),
                step: minutes(60),
                buffer_before: None,
                buffer_after: None,
                max_per_day: None,
            },
            busy: Vec::new(),
            open: None,
            bookings: Vec::new(),
            blocks: Vec::new(),
            now: utc("2026-05-01 00:00"),
            day: date("2026-06-01"),
            window: None,
            fmt: "%H:%M",
        };
        case.now = case.at("2026-05-01 00:00");
        case
    }

    /// An owner-local time, see the module doc.
    pub fn at(&self, s: &str) -> DateTime<Utc> {
        let local = if s.len() == 5 {
            if s == "24:00" {
                self.day.succ_opt().unwrap().and_time(NaiveTime::MIN)
            } else {
                self.day
                    .and_time(NaiveTime::parse_from_str(s, "%H:%M").unwrap())
            }
        } else {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
        };
        to_utc(self.rules.timezone, local).unwrap()
    }

    fn span(&self, a: &str, b: &str) -> Interval {
        Interval::new(self.at(a), self.at(b)).unwrap()
    }

    pub fn tz(mut self, tz: Tz) -> Self {
        self.rules.timezone = tz;
        self.now = self.at("2026-01-01 00:00");
        self
    }

    pub fn on(mut self, day: &str) -> Self {
        self.day = date(day);
        self
    }

    /// The same hours on every day of the week.
    pub fn hours(mut self, list: &[&str]) -> Self {
        let r = ranges(list);
        self.rules.working_hours.days = std::array::from_fn(|_| r.clone());
        self
    }

    pub fn weekday_hours(mut self, day: Weekday, list: &[&str]) -> Self {
        self.rules.working_hours.days[day.num_days_from_monday() as usize] = ranges(list);
        self
    }

    pub fn override_day(mut self, day: &str, list: &[&str]) -> Self {
        self.rules.date_overrides.insert(date(day), ranges(list));
        self
    }

    pub fn recurring(mut self, label: &str, days: &[Weekday], r: &str) -> Self {
        self.rules.recurring_blocks.push(RecurringBlock {
            label: label.into(),
            days: days.to_vec(),
            range: range(r),
        });
        self
    }

    pub fn event(mut self, duration: i64, step: i64) -> Self {
        self.et.duration = minutes(duration);
        self.et.step = minutes(step);
        self
    }

    pub fn rule_buffers(mut self, before: i64, after: i64) -> Self {
        self.rules.buffer_before = minutes(before);
        self.rules.buffer_after = minutes(after);
        self
    }

    pub fn event_buffers(mut self, before: i64, after: i64) -> Self {
        self.et.buffer_before = Some(minutes(before));
        self.et.buffer_after = Some(minutes(after));
        self
    }

    pub fn notice(mut self, m: i64) -> Self {
        self.rules.min_notice = minutes(m);
        self
    }

    pub fn horizon(mut self, days: u32) -> Self {
        self.rules.horizon_days = days;
        self
    }

    pub fn now(mut self, local: &str) -> Self {
        self.now = self.at(local);
        self
    }

    pub fn max_per_day(mut self, n: u32) -> Self {
        self.rules.max_bookings_per_day = Some(n);
        self
    }

    pub fn max_of_type(mut self, n: u32) -> Self {
        self.et.max_per_day = Some(n);
        self
    }

    pub fn busy(mut self, source: &str, a: &str, b: &str) -> Self {
        let iv = self.span(a, b);
        match self.busy.iter_mut().find(|s| s.source_id == source) {
            Some(s) => s.intervals.push(iv),
            None => self.busy.push(SourceBusy {
                source_id: source.into(),
                intervals: vec![iv],
            }),
        }
        self
    }

    /// An event of availability source `source` titled `title`, owner-local `a`-`b`.
    pub fn opening(mut self, source: &str, title: &str, a: &str, b: &str) -> Self {
        let iv = self.span(a, b);
        self.open.get_or_insert_with(Vec::new).push(Opening {
            source_id: source.into(),
            title: title.into(),
            start: iv.start,
            end: iv.end,
        });
        self
    }

    /// Availability sources that hold no event (nothing opens).
    pub fn no_openings(mut self) -> Self {
        self.open.get_or_insert_with(Vec::new);
        self
    }

    pub fn booking(mut self, id: &str, slug: &str, a: &str, b: &str) -> Self {
        let iv = self.span(a, b);
        self.bookings.push(ExistingBooking {
            id: id.into(),
            event_type: slug.into(),
            start: iv.start,
            end: iv.end,
        });
        self
    }

    pub fn block(mut self, a: &str, b: &str) -> Self {
        let iv = self.span(a, b);
        self.blocks.push(iv);
        self
    }

    pub fn window(mut self, from: &str, to: &str) -> Self {
        self.window = Some((self.at(from), self.at(to)));
        self
    }

    pub fn fmt(mut self, fmt: &'static str) -> Self {
        self.fmt = fmt;
        self
    }

    pub fn facts(&self) -> Facts<'_> {
        Facts {
            busy: &self.busy,
            open: self.open.as_deref(),
            bookings: &self.bookings,
            blocks: &self.blocks,
            now: self.now,
        }
    }

    /// The window: the given one, else the whole case day.
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        self.window
            .unwrap_or_else(|| (self.at("00:00"), self.at("24:00")))
    }

    pub fn render(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.rules.timezone)
            .format(self.fmt)
            .to_string()
    }
}
