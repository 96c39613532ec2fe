//! What the booking page shows before anything is chosen: the owner and the event types.

use serde::{Deserialize, Serialize};

/// What the booking page shows about the owner, and the rules a visitor's choice must meet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct PageJson {
    /// The owner's display name.
    pub owner_name: String,
    /// The owner's IANA time zone.
    pub timezone: String,
    /// A short text from the owner (plain text, never markup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub intro: Option<String>,
    /// The page's accent colour, `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub accent_color: Option<String>,
    /// Where the owner's logo is (`GET` it), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub logo_url: Option<String>,
    /// Slots are offered from today up to this many days (today included).
    pub horizon_days: u32,
    /// The earliest slot starts this many minutes from now.
    pub min_notice_minutes: u32,
    /// Whether `POST /bookings` needs a solved `GET /captcha` challenge.
    pub captcha: bool,
    /// Whether the service mails visitors (the confirmation with the manage link). When it does
    /// not, the booking's answer is the only place its manage link is given.
    pub mails_visitors: bool,
}

/// A series a visitor may book instead of one meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum Frequency {
    Weekly,
    #[serde(rename = "every_2_weeks")]
    #[cfg_attr(feature = "openapi", oai(rename = "every_2_weeks"))]
    EveryTwoWeeks,
}

/// An event type a visitor can book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct EventTypeJson {
    pub slug: String,
    pub title: String,
    /// Minutes.
    pub duration: u32,
    pub description: String,
    /// The owner's display name.
    pub owner_name: String,
    /// The owner's IANA time zone.
    pub timezone: String,
    /// The series a visitor may book instead of one meeting (empty: none).
    pub repeat: Vec<Frequency>,
    /// With `repeat`: the most sessions a series may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub max_sessions: Option<u32>,
    /// Where the meeting is (absent: not said).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub location: Option<LocationJson>,
    /// The owner's questions for the booking form, in order (empty: none).
    pub questions: Vec<QuestionJson>,
}

/// What kind of place a meeting is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum LocationKind {
    /// A video call; the link comes with the booking.
    Video,
    /// A postal address, shown before booking.
    Address,
    /// A phone call; the number comes with the booking.
    Phone,
}

/// Where a meeting is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct LocationJson {
    pub kind: LocationKind,
    /// The address (only for `address`: a phone number or video link comes with the booking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub value: Option<String>,
}

/// How a question is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum QuestionKind {
    /// One line, up to 500 characters.
    Text,
    /// One of `choices`.
    Choice,
}

/// A question on the booking form; its answer goes in `answers[id]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct QuestionJson {
    pub id: String,
    pub label: String,
    pub kind: QuestionKind,
    pub required: bool,
    pub choices: Vec<String>,
}
