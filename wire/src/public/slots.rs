//! Free slots.

use serde::{Deserialize, Serialize};

/// One bookable slot; RFC 3339 with the offset of the asked zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SlotJson {
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SlotsJson {
    pub timezone: String,
    pub slots: Vec<SlotJson>,
    /// Present when the list is not the whole truth: `calendars_unavailable` means one of the
    /// owner's calendars cannot be read right now, so its time counts as busy and fewer (often
    /// no) times are offered; try again later. Absent when all is well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub notice: Option<SlotsNotice>,
}

/// Why a slot list is incomplete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum NoticeCode {
    /// A calendar of the owner cannot be read right now; its time counts as busy.
    CalendarsUnavailable,
}

/// Why a slot list is incomplete. Names no calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SlotsNotice {
    pub code: NoticeCode,
    /// For people.
    pub message: String,
}
