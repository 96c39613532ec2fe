//! Booking, and seeing, cancelling or moving a booking through its manage link.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::page::{Frequency, LocationJson};

/// A booking request. Every field is checked and every problem reported (422), so the fields
/// are optional strings here: a wrong value is a named problem, not an unreadable body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(example))]
pub struct BookingBody {
    /// Event type slug.
    pub event_type: Option<String>,
    /// The slot's start, RFC 3339 (any offset).
    pub start: Option<String>,
    /// 1-100 characters, one line.
    pub name: Option<String>,
    pub email: Option<String>,
    /// Up to 2,000 characters.
    pub notes: Option<String>,
    /// The visitor's IANA zone (times in the answer use it).
    pub timezone: Option<String>,
    /// The proof-of-work payload (ALTCHA) when the captcha is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub captcha: Option<String>,
    /// Book a series instead of one meeting (event types with `repeat` only): the same time
    /// every week or every two weeks, in the owner's zone. All sessions or none are booked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub repeat: Option<RepeatBody>,
    /// Answers to the event type's `questions`, by question id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub answers: Option<BTreeMap<String, String>>,
    /// Where the visit came from (the booking page passes its `?ref=`): 1-64 of
    /// `A-Z a-z 0-9 . - _`. Only the owner's statistics use it.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(rename = "ref", skip_serializing_if_is_none))]
    pub visit_ref: Option<String>,
}

#[cfg(feature = "openapi")]
impl poem_openapi::types::Example for BookingBody {
    fn example() -> Self {
        BookingBody {
            event_type: Some("intro".to_owned()),
            start: Some("2026-12-01T09:00:00+01:00".to_owned()),
            name: Some("Eve Visitor".to_owned()),
            email: Some("eve@example.com".to_owned()),
            notes: Some("Hello".to_owned()),
            timezone: Some("Europe/Berlin".to_owned()),
            captcha: None,
            repeat: None,
            answers: None,
            visit_ref: None,
        }
    }
}

/// A series of sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct RepeatBody {
    /// `weekly` or `every_2_weeks`.
    pub frequency: Option<String>,
    /// Sessions in all, the first included (2 to the event type's `max_sessions`).
    pub sessions: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(example))]
pub struct RescheduleBody {
    /// The new start, RFC 3339.
    pub start: Option<String>,
}

#[cfg(feature = "openapi")]
impl poem_openapi::types::Example for RescheduleBody {
    fn example() -> Self {
        RescheduleBody {
            start: Some("2026-12-01T10:00:00+01:00".to_owned()),
        }
    }
}

/// Whether a booking (or a session of a series) still stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum BookingStatus {
    /// Waiting for the visitor's confirmation through the link mailed to them
    /// (`confirm = "email"`): the time is held until `hold_until`.
    Pending,
    Confirmed,
    Cancelled,
    /// Not confirmed in time: the time is free again.
    Expired,
    /// A request the owner declined (`confirm = "owner"`): the time is free again.
    Declined,
}

/// Who a pending booking waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum ConfirmBy {
    /// The visitor, through the link mailed to them (`confirm = "email"`).
    Visitor,
    /// The owner, who approves or declines the request (`confirm = "owner"`).
    Owner,
}

/// The sessions of a series, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SeriesJson {
    pub id: String,
    pub frequency: Frequency,
    pub sessions: Vec<SessionJson>,
}

/// One session of a series: a booking with its own manage link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SessionJson {
    pub id: String,
    pub start: String,
    pub end: String,
    pub status: BookingStatus,
    pub manage_url: String,
    pub manage_token: String,
}

/// Why a session of a series cannot be booked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum ConflictReason {
    /// Something else is booked or busy then.
    Busy,
    /// Outside the owner's hours (or otherwise not offered).
    Unavailable,
    /// Further ahead than slots are offered.
    BeyondHorizon,
    /// The day has as many meetings as the owner allows.
    DayFull,
}

/// Which session of a series could not be booked (nothing was).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SeriesConflictJson {
    /// Counted from 1 (the first session is the chosen slot).
    pub session: u32,
    /// Its start, in the visitor's zone.
    pub start: String,
    pub reason: ConflictReason,
}

/// An answer, with the question's label when the booking was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct AnswerJson {
    pub id: String,
    pub label: String,
    pub value: String,
}

/// A booking, as its visitor sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct BookingJson {
    pub id: String,
    pub event_type: String,
    pub start: String,
    pub end: String,
    pub status: BookingStatus,
    pub timezone: String,
    pub name: String,
    pub email: String,
    pub notes: String,
    /// The visitor's link to see, cancel or move the booking.
    pub manage_url: String,
    /// The token of that link (query parameter `token` of the booking endpoints).
    pub manage_token: String,
    /// When this booking is a session of a series: the series, every session with its link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub series: Option<Box<SeriesJson>>,
    /// Where the meeting is: the address, the number to call, or this booking's video link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub location: Option<Box<LocationJson>>,
    /// The answers given to the owner's questions.
    pub answers: Vec<AnswerJson>,
    /// With status `pending`: until when the time is held for the visitor to confirm through
    /// the link mailed to them (then it is `expired` and free again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub hold_until: Option<String>,
    /// With status `pending`: what the visitor has to do, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub message: Option<String>,
    /// Who confirms (or confirmed) the booking: with status `pending`, `owner` means it is a
    /// request waiting for the owner's approval until `hold_until`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub confirm_by: Option<ConfirmBy>,
    /// With status `declined`: the owner's reason, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub decline_reason: Option<String>,
}
