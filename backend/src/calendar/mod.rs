//! PURE: iCalendar text -> normalized events -> busy intervals (UTC).
//!
//! Architecture invariant: no I/O and no clock here. Callers pass the text, the window and the
//! owner's zone; the engine returns data and warnings, and never panics on input.
//!
//! Flow: `lexer` (content lines) -> `parse` (components -> `model`) -> `expand` (recurrence,
//! overrides, zones via `tz` and `recur`) -> `busy` (clip + merge via `interval`).
//! The other way: `write` renders an event OpenSlot creates.

mod attendee;
mod busy;
mod expand;
mod interval;
mod lexer;
mod model;
mod parse;
mod recur;
mod tz;
mod values;
mod warning;
mod windows_zones;
mod write;

pub use attendee::{OwnerAddresses, PartStat, normalize_address};
pub use busy::{busy_intervals, busy_intervals_counted, merged_busy};
pub use expand::{BusyPolicy, Instance, MAX_INSTANCES_PER_SERIES, for_each_instance};
pub use interval::{Interval, merge_intervals, overlaps_any};
pub use model::{Calendar, Event, Status};
pub use parse::{parse_calendar, parse_reader};
pub use tz::resolve_tzid;
pub use warning::Warning;
pub use write::{
    BOOKING_UID_DOMAIN, BookingEvent, ItipMethod, Person, booking_ics, booking_uid, events_ics,
    freebusy_ics, is_booking_event, itip_ics, text_value,
};
