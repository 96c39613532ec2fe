//! The normalized event model every calendar format is read into.
//!
//! Times stay as the producer wrote them (local wall-clock time plus a zone reference) until
//! expansion, because recurrence rules are evaluated in local time (RFC 5545 3.3.10) and floating
//! and all-day values take the owner's zone, which is not known at parse time.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use super::attendee::OwnerAddresses;
use super::tz::Zone;
use super::warning::Warning;

/// Index into [`Calendar::zones`].
pub type ZoneId = u32;

/// How a DATE-TIME is anchored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// `...Z`
    Utc,
    /// No zone: the owner's wall-clock time.
    Floating,
    /// `TZID=...`, resolved to [`Calendar::zones`].
    Zoned(ZoneId),
}

/// A DATE or DATE-TIME value as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CalTime {
    Date(NaiveDate),
    DateTime(NaiveDateTime, Anchor),
}

impl CalTime {
    pub fn is_date(&self) -> bool {
        matches!(self, CalTime::Date(_))
    }
}

/// An RFC 5545 duration: weeks and days are nominal (local calendar days), the rest exact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dur {
    pub days: i64,
    pub seconds: i64,
}

impl Dur {
    pub fn is_negative(&self) -> bool {
        self.days < 0 || self.seconds < 0
    }
}

/// How an event's end is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndSpec {
    /// Neither DTEND nor DURATION: one day for a DATE start, zero length otherwise.
    Missing,
    End(CalTime),
    Duration(Dur),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Status {
    #[default]
    Confirmed,
    Tentative,
    Cancelled,
}

/// An extra occurrence from RDATE: a start, or a PERIOD with its own end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RDate {
    pub start: CalTime,
    pub end: Option<EndSpec>,
}

/// A parsed RRULE. Kept as plain data; `expand` turns it into an `rrule::RRule`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecurRule {
    pub freq: Option<rrule::Frequency>,
    pub interval: u16,
    pub count: Option<u32>,
    pub until: Option<CalTime>,
    pub week_start: Option<chrono::Weekday>,
    pub by_set_pos: Vec<i32>,
    pub by_month: Vec<u8>,
    pub by_month_day: Vec<i8>,
    pub by_year_day: Vec<i16>,
    pub by_week_no: Vec<i8>,
    pub by_weekday: Vec<rrule::NWeekday>,
    pub by_hour: Vec<u8>,
    pub by_minute: Vec<u8>,
    pub by_second: Vec<u8>,
}

/// One VEVENT: a single event, a recurring master, or an override (RECURRENCE-ID).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub uid: Option<Box<str>>,
    /// Line where `BEGIN:VEVENT` stood, for warnings.
    pub line: u32,
    pub start: CalTime,
    pub end: EndSpec,
    pub rrules: Vec<RecurRule>,
    pub rdates: Vec<RDate>,
    pub exdates: Vec<CalTime>,
    pub recurrence_id: Option<CalTime>,
    /// `RECURRENCE-ID;RANGE=THISANDFUTURE`: the change applies to later instances too.
    pub this_and_future: bool,
    pub status: Status,
    pub transparent: bool,
    /// A master replaced by a later one with the same UID (set by the parser).
    pub superseded: bool,
    /// For an override: the index of its master in `Calendar::events` (set by the parser).
    pub master: Option<u32>,
    /// For a master: the indexes of its overrides in `Calendar::events` (set by the parser).
    pub overrides: Vec<u32>,
    /// Google's X-WR-TIMEZONE of the enclosing VCALENDAR: UTC times of a series recur in it.
    pub x_wr_timezone: Option<Tz>,
    /// SUMMARY, unescaped: only availability sources use it (`match`, `explain`).
    pub summary: Option<Box<str>>,
    /// The ORGANIZER's addresses (value and EMAIL parameter), normalized.
    pub organizer: Vec<Box<str>>,
    /// The addresses of the ATTENDEEs with `PARTSTAT=DECLINED`, normalized (see `attendee`).
    pub declined: Vec<Box<str>>,
}

impl Event {
    /// Whether the owner declined this event: one of the owner's addresses is an attendee
    /// with `PARTSTAT=DECLINED`, and the owner is not its organizer (an event the owner
    /// organizes stays theirs, whatever their attendee entry says).
    pub fn declined_by(&self, owner: &OwnerAddresses) -> bool {
        !owner.is_empty()
            && self.declined.iter().any(|a| owner.contains_normalized(a))
            && !self.organizer.iter().any(|a| owner.contains_normalized(a))
    }
}

/// A FREEBUSY period of a VFREEBUSY component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeBusyPeriod {
    pub start: CalTime,
    pub end: EndSpec,
    pub free: bool,
}

/// Everything the engine keeps of one calendar text.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    /// Names the text in warnings (a file name or a source id).
    pub source: String,
    pub events: Vec<Event>,
    pub freebusy: Vec<FreeBusyPeriod>,
    /// Every TZID the text used, resolved once.
    pub zones: Vec<Zone>,
    pub warnings: Vec<Warning>,
}
