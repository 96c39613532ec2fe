//! The owner's availability rules and the facts they are applied to, as plain data.
//!
//! Everything here is in the owner's zone unless it says UTC. Built by `config` (or later the
//! admin API) and consumed by `slots` and `explain`; no I/O, no clock.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use crate::calendar::Interval;

/// A local wall-clock range `[start, end)` within one day. `end` may be 24:00, written as
/// `end_of_day = true` (NaiveTime cannot hold 24:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeRange {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub end_of_day: bool,
}

/// Working hours for each weekday; index 0 is Monday. An empty list is a day off.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WeeklyHours {
    pub days: [Vec<TimeRange>; 7],
}

impl WeeklyHours {
    pub fn for_weekday(&self, day: Weekday) -> &[TimeRange] {
        &self.days[day.num_days_from_monday() as usize]
    }
}

/// A block that repeats every week on the given days (a lunch break, a school run).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecurringBlock {
    pub label: String,
    pub days: Vec<Weekday>,
    pub range: TimeRange,
}

/// The owner's rules, shared by all event types.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    /// The owner's zone: working hours, overrides, blocks and per-day limits are read in it.
    pub timezone: Tz,
    pub working_hours: WeeklyHours,
    /// Other hours on a given date; an empty list is a day off.
    pub date_overrides: BTreeMap<NaiveDate, Vec<TimeRange>>,
    pub recurring_blocks: Vec<RecurringBlock>,
    /// A slot must start at least this long after `now`.
    pub min_notice: Duration,
    /// How many days ahead (counting today, in the owner's zone) slots are offered.
    pub horizon_days: u32,
    /// Default free time needed before/after a booked meeting (an event type may override).
    pub buffer_before: Duration,
    pub buffer_after: Duration,
    /// At most this many bookings (all event types) on one local day.
    pub max_bookings_per_day: Option<u32>,
}

/// What a visitor can book.
#[derive(Clone, Debug, PartialEq)]
pub struct EventType {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub duration: Duration,
    /// Distance between two offered starts; defaults to the duration.
    pub step: Duration,
    /// `None`: use the owner's default from `Rules`.
    pub buffer_before: Option<Duration>,
    pub buffer_after: Option<Duration>,
    /// At most this many bookings of this type on one local day.
    pub max_per_day: Option<u32>,
}

/// Busy time of one calendar source, already merged (sorted, disjoint).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceBusy {
    pub source_id: String,
    pub intervals: Vec<Interval>,
}

/// A booking already taken (from the store). Its buffers count as busy too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExistingBooking {
    pub id: String,
    pub event_type: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// An event of an availability source (`role = "availability"`): it opens bookable time
/// instead of blocking it. Named by `explain`, so it keeps its title and source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opening {
    pub source_id: String,
    /// The event's title ("" when it has none).
    pub title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What the calendar sources say about time: busy intervals per source and, when at least one
/// source has `role = "availability"`, the events that open bookable time (their union).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CalendarTime {
    pub busy: Vec<SourceBusy>,
    /// `None`: no availability source, the working hours alone open time. `Some` (even empty):
    /// only time inside these events (and the working hours) is bookable.
    pub open: Option<Vec<Opening>>,
}

impl CalendarTime {
    /// The facts of a decision: this time with the store's bookings and blocks at `now`.
    pub fn facts<'a>(
        &'a self,
        bookings: &'a [ExistingBooking],
        blocks: &'a [Interval],
        now: DateTime<Utc>,
    ) -> Facts<'a> {
        Facts {
            busy: &self.busy,
            open: self.open.as_deref(),
            bookings,
            blocks,
            now,
        }
    }
}

/// Whether an event's title is one an availability source's `match` takes: a case-insensitive
/// substring (no pattern: every event; a pattern and no title: none).
pub fn title_matches(pattern: Option<&str>, title: Option<&str>) -> bool {
    match (pattern, title) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(p), Some(t)) => t.to_lowercase().contains(&p.to_lowercase()),
    }
}

/// Everything besides the rules that decides whether a time is free.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub busy: &'a [SourceBusy],
    /// The events of availability sources: `None` when there is none (working hours alone),
    /// else bookable time is these events ∩ working hours − everything that blocks.
    pub open: Option<&'a [Opening]>,
    pub bookings: &'a [ExistingBooking],
    /// Manual blocks set by the owner.
    pub blocks: &'a [Interval],
    pub now: DateTime<Utc>,
}

/// A bookable slot, in UTC (the edge renders it in the visitor's zone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}
