//! The week view: each calendar's busy time, bookings, blocks and free slots.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SpanJson {
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SourceBusyJson {
    pub id: String,
    pub name: Option<String>,
    /// `#rrggbb` from the configuration, if set.
    pub color: Option<String>,
    pub busy: Vec<SpanJson>,
    /// `#rrggbb` to draw it in: the configured colour, or one derived from the id (the same
    /// every time), made dark enough for white text on it and for 4.5:1 against white.
    #[serde(default)]
    pub shown_color: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct WeekBookingJson {
    pub id: String,
    pub event_type: String,
    pub name: String,
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct WeekBlockJson {
    pub id: String,
    pub label: String,
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct FreeJson {
    pub event_type: String,
    pub title: String,
    pub slots: Vec<SpanJson>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct WeekViewJson {
    /// The first day's start and the last day's end (UTC).
    pub from: String,
    pub to: String,
    /// The owner's zone; `days` are in it.
    pub timezone: String,
    pub days: Vec<String>,
    pub sources: Vec<SourceBusyJson>,
    /// All calendars' busy time as one list (what the rules see).
    pub merged_busy: Vec<SpanJson>,
    pub bookings: Vec<WeekBookingJson>,
    pub blocks: Vec<WeekBlockJson>,
    pub free: Vec<FreeJson>,
    /// The service's clock (UTC): where the now-line goes.
    #[serde(default)]
    pub now: String,
    /// Today in the owner's zone on the service's clock (`2026-12-04`).
    #[serde(default)]
    pub today: String,
}
