//! The owner's rules (`/admin/api/rules`): what applies, and the editable document, which has
//! the configuration file's shape (`[availability]` and `[[event_types]]` as JSON) and its checks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sources::Origin;
use crate::public::{Frequency, LocationKind, QuestionKind};

/// Times of one day: `"HH:MM-HH:MM"` ranges in the owner's zone, as the file writes them.
pub type Ranges = Vec<String>;

/// The weekly working hours; an empty day is a day off.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct WeekHours {
    #[serde(default)]
    pub mon: Ranges,
    #[serde(default)]
    pub tue: Ranges,
    #[serde(default)]
    pub wed: Ranges,
    #[serde(default)]
    pub thu: Ranges,
    #[serde(default)]
    pub fri: Ranges,
    #[serde(default)]
    pub sat: Ranges,
    #[serde(default)]
    pub sun: Ranges,
}

impl WeekHours {
    /// The wire's day keys, Monday first.
    pub const DAYS: [&'static str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// The ranges of day `i` (0 = Monday).
    pub fn day(&self, i: usize) -> &Ranges {
        match i {
            0 => &self.mon,
            1 => &self.tue,
            2 => &self.wed,
            3 => &self.thu,
            4 => &self.fri,
            5 => &self.sat,
            _ => &self.sun,
        }
    }

    /// The ranges of day `i` (0 = Monday), to change.
    pub fn day_mut(&mut self, i: usize) -> &mut Ranges {
        match i {
            0 => &mut self.mon,
            1 => &mut self.tue,
            2 => &mut self.wed,
            3 => &mut self.thu,
            4 => &mut self.fri,
            5 => &mut self.sat,
            _ => &mut self.sun,
        }
    }
}

/// A time kept free every week (`[[availability.blocks]]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RecurringBlockJson {
    pub label: String,
    /// Day keys (`mon` … `sun`).
    pub days: Vec<String>,
    /// `"HH:MM-HH:MM"`.
    pub time: String,
}

/// `[availability]` as the document holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct AvailabilityDocument {
    pub working_hours: WeekHours,
    /// Other hours on a date (`YYYY-MM-DD`); `[]` is a day off.
    #[serde(default)]
    pub date_overrides: BTreeMap<String, Ranges>,
    #[serde(default)]
    pub blocks: Vec<RecurringBlockJson>,
    pub min_notice_minutes: u32,
    pub horizon_days: u32,
    pub buffer_before_minutes: u32,
    pub buffer_after_minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub max_bookings_per_day: Option<u32>,
}

/// Who confirms a booking before it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum ConfirmMode {
    /// It stands at once.
    None,
    /// The visitor follows a mailed link first.
    Email,
    /// The owner approves or declines the request in the dashboard.
    Owner,
}

/// An event type's place in the document (`value` always given).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct LocationDocument {
    pub kind: LocationKind,
    pub value: String,
}

/// A question of the booking form in the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct QuestionDocument {
    pub id: String,
    pub label: String,
    pub kind: QuestionKind,
    #[serde(default)]
    pub required: bool,
    /// Only for `choice`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", oai(default, skip_serializing_if_is_empty))]
    pub choices: Vec<String>,
}

/// One `[[event_types]]` entry as the document holds it (absent: the file's default).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct EventTypeDocument {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub duration_minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub step_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub buffer_before_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub buffer_after_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub max_per_day: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", oai(default, skip_serializing_if_is_empty))]
    pub repeat: Vec<Frequency>,
    /// With `repeat` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub max_sessions: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub confirm: Option<ConfirmMode>,
    /// With `confirm = "email"` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub confirm_hold_minutes: Option<u32>,
    /// With `confirm = "owner"` only: how long a request waits for the owner's decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub confirm_owner_hours: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub location: Option<LocationDocument>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", oai(default, skip_serializing_if_is_empty))]
    pub questions: Vec<QuestionDocument>,
}

/// `PUT /rules`, and `document` of `GET /rules`: the rules and event types in the file's shape.
/// Checked like the file: every problem is named by its key (422), an unknown key too.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RulesDocument {
    pub availability: AvailabilityDocument,
    pub event_types: Vec<EventTypeDocument>,
}

/// An event type as it applies (defaults filled in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RulesEventTypeJson {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub duration_minutes: u32,
    pub step_minutes: u32,
    pub buffer_before_minutes: u32,
    pub buffer_after_minutes: u32,
    pub max_per_day: Option<u32>,
}

/// `GET /rules` (and the answer of an edit): the rules that apply, where they come from, and
/// `document` to edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RulesJson {
    /// The owner's IANA time zone.
    pub timezone: String,
    pub working_hours: WeekHours,
    pub date_overrides: BTreeMap<String, Ranges>,
    pub recurring_blocks: Vec<RecurringBlockJson>,
    pub min_notice_minutes: u32,
    pub horizon_days: u32,
    pub buffer_before_minutes: u32,
    pub buffer_after_minutes: u32,
    pub max_bookings_per_day: Option<u32>,
    pub event_types: Vec<RulesEventTypeJson>,
    /// `file`, or `dashboard` when edited there.
    pub source: Origin,
    /// When the dashboard's edit was saved (RFC 3339).
    pub edited_at: Option<String>,
    pub document: RulesDocument,
}
