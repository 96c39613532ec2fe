//! The owner's booking statistics.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One week (Monday to Sunday in the owner's zone) of bookings made and cancelled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct WeekJson {
    /// `2026-W48`.
    pub week: String,
    /// Its Monday.
    pub starts: String,
    /// Bookings made that week (any status now).
    pub booked: u32,
    /// Of those, by event type.
    pub by_event_type: BTreeMap<String, u32>,
    /// Cancellations made that week.
    pub cancelled: u32,
}

/// How many bookings were made this long before their meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct LeadBucketJson {
    /// The bucket holds lead times below this many hours (and at or above the previous
    /// bucket's); `None` for the last, open-ended one.
    pub below_hours: Option<u32>,
    pub count: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct StatsJson {
    /// The last 12 weeks (owner's zone), oldest first (the current one last).
    pub weeks: Vec<WeekJson>,
    pub booked: u32,
    pub cancelled: u32,
    /// From booking to meeting, over the bookings made in those weeks; none without bookings.
    pub average_lead_time_hours: Option<f64>,
    /// The same bookings by lead time: under a day, 1-3 days, 3-7 days, 1-2 weeks, longer.
    pub lead_time: Vec<LeadBucketJson>,
    /// Every day of those weeks (owner's zone), oldest first: bookings made and cancellations.
    pub days: Vec<DayJson>,
    /// Bookings made in those weeks by event type.
    pub by_event_type: BTreeMap<String, u32>,
    /// Bookings made in those weeks by where the visit came from (the booking page's `?ref=`;
    /// `direct` without one).
    pub by_ref: BTreeMap<String, u32>,
    /// Of the bookings made in those weeks, the share cancelled since (0-1); none without
    /// bookings.
    pub cancellation_rate: Option<f64>,
    /// Of those whose meeting has begun and that were not cancelled, the share the owner marked
    /// as no-show (0-1); none without such meetings.
    pub no_show_rate: Option<f64>,
}

/// One day (in the owner's zone) of bookings made and cancelled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct DayJson {
    /// `2026-11-30`.
    pub date: String,
    pub booked: u32,
    pub cancelled: u32,
}
