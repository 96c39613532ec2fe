//! PURE: iCalendar text -> normalized events -> busy intervals (UTC).
//!
//! Architecture invariant: no I/O and no clock here. Callers pass the text, the window and the
//! owner's zone; the engine returns data and warnings, never panics on input.

mod interval;

pub use interval::{Interval, merge_intervals, overlaps_any};
