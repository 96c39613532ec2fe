//! The public API's JSON: what visitors and integrators send and get (a contract: the names
//! and fields are in openapi.yaml).

use std::collections::BTreeMap;

use poem_openapi::Object;

/// An event type a visitor can book.
#[derive(Debug, Object)]
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
    /// The series a visitor may book instead of one meeting: `weekly`, `every_2_weeks`
    /// (absent: none).
    #[oai(default, skip_serializing_if_is_empty)]
    pub repeat: Vec<String>,
    /// With `repeat`: the most sessions a series may have.
    #[oai(skip_serializing_if_is_none)]
    pub max_sessions: Option<u32>,
    /// Where the meeting is (absent: not said).
    #[oai(skip_serializing_if_is_none)]
    pub location: Option<LocationJson>,
    /// The owner's questions for the booking form, in order (absent: none).
    #[oai(default, skip_serializing_if_is_empty)]
    pub questions: Vec<QuestionJson>,
}

/// Where a meeting is.
#[derive(Debug, Object)]
pub struct LocationJson {
    /// `video`, `address` or `phone`.
    pub kind: String,
    /// The address (only for `address`: a phone number or video link comes with the booking).
    #[oai(skip_serializing_if_is_none)]
    pub value: Option<String>,
}

/// A question on the booking form; its answer goes in `answers[id]`.
#[derive(Debug, Object)]
pub struct QuestionJson {
    pub id: String,
    pub label: String,
    /// `text` (one line, up to 500 characters) or `choice` (one of `choices`).
    pub kind: String,
    pub required: bool,
    #[oai(default, skip_serializing_if_is_empty)]
    pub choices: Vec<String>,
}

/// An answer, with the question's label when the booking was made.
#[derive(Debug, Object)]
pub struct AnswerJson {
    pub id: String,
    pub label: String,
    pub value: String,
}

/// One bookable slot; RFC 3339 with the offset of the asked zone.
#[derive(Debug, Object, Clone, PartialEq, Eq)]
pub struct SlotJson {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Object)]
pub struct SlotsJson {
    pub timezone: String,
    pub slots: Vec<SlotJson>,
    /// Present when the list is not the whole truth: `calendars_unavailable` means one of the
    /// owner's calendars cannot be read right now, so its time counts as busy and fewer (often
    /// no) times are offered; try again later. Absent when all is well.
    #[oai(skip_serializing_if_is_none)]
    pub notice: Option<SlotsNotice>,
}

/// Why a slot list is incomplete. Names no calendar.
#[derive(Debug, Object)]
pub struct SlotsNotice {
    /// A stable code: `calendars_unavailable`.
    pub code: String,
    /// For people.
    pub message: String,
}

/// A booking request. Every field is checked and every problem reported (422).
#[derive(Debug, Object)]
#[oai(example)]
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
    #[oai(skip_serializing_if_is_none)]
    pub captcha: Option<String>,
    /// Book a series instead of one meeting (event types with `repeat` only): the same time
    /// every week or every two weeks, in the owner's zone. All sessions or none are booked.
    #[oai(skip_serializing_if_is_none)]
    pub repeat: Option<RepeatBody>,
    /// Answers to the event type's `questions`, by question id.
    #[oai(skip_serializing_if_is_none)]
    pub answers: Option<BTreeMap<String, String>>,
    /// Where the visit came from (the booking page passes its `?ref=`): 1-64 of
    /// `A-Z a-z 0-9 . - _`. Only the owner's statistics use it.
    #[oai(rename = "ref", skip_serializing_if_is_none)]
    pub visit_ref: Option<String>,
}

/// A series of sessions.
#[derive(Debug, Object, Clone)]
pub struct RepeatBody {
    /// `weekly` or `every_2_weeks`.
    pub frequency: Option<String>,
    /// Sessions in all, the first included (2 to the event type's `max_sessions`).
    pub sessions: Option<u32>,
}

/// The sessions of a series, in order.
#[derive(Debug, Object)]
pub struct SeriesJson {
    pub id: String,
    /// `weekly` or `every_2_weeks`.
    pub frequency: String,
    pub sessions: Vec<SessionJson>,
}

/// One session of a series: a booking with its own manage link.
#[derive(Debug, Object)]
pub struct SessionJson {
    pub id: String,
    pub start: String,
    pub end: String,
    /// `confirmed` or `cancelled`.
    pub status: String,
    pub manage_url: String,
    pub manage_token: String,
}

/// Which session of a series could not be booked (nothing was).
#[derive(Debug, Object)]
pub struct SeriesConflictJson {
    /// Counted from 1 (the first session is the chosen slot).
    pub session: u32,
    /// Its start, in the visitor's zone.
    pub start: String,
    /// `busy`, `unavailable`, `beyond_horizon` or `day_full`.
    pub reason: String,
}

/// A booking, as its visitor sees it.
#[derive(Debug, Object)]
pub struct BookingJson {
    pub id: String,
    pub event_type: String,
    pub start: String,
    pub end: String,
    /// `pending` (waiting for the visitor's confirmation), `confirmed`, `cancelled` or
    /// `expired` (not confirmed in time).
    pub status: String,
    pub timezone: String,
    pub name: String,
    pub email: String,
    pub notes: String,
    /// The visitor's link to see, cancel or move the booking.
    pub manage_url: String,
    /// The token of that link (query parameter `token` of the booking endpoints).
    pub manage_token: String,
    /// When this booking is a session of a series: the series, every session with its link.
    #[oai(skip_serializing_if_is_none)]
    pub series: Option<Box<SeriesJson>>,
    /// Where the meeting is: the address, the number to call, or this booking's video link.
    #[oai(skip_serializing_if_is_none)]
    pub location: Option<Box<LocationJson>>,
    /// The answers given to the owner's questions.
    #[oai(default, skip_serializing_if_is_empty)]
    pub answers: Vec<AnswerJson>,
    /// With status `pending`: until when the time is held for the visitor to confirm through
    /// the link mailed to them (then it is `expired` and free again).
    #[oai(skip_serializing_if_is_none)]
    pub hold_until: Option<String>,
    /// With status `pending`: what the visitor has to do, for people.
    #[oai(skip_serializing_if_is_none)]
    pub message: Option<String>,
}

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

#[derive(Debug, Object)]
#[oai(example)]
pub struct RescheduleBody {
    /// The new start, RFC 3339.
    pub start: Option<String>,
}

impl poem_openapi::types::Example for RescheduleBody {
    fn example() -> Self {
        RescheduleBody {
            start: Some("2026-12-01T10:00:00+01:00".to_owned()),
        }
    }
}

/// One invalid field.
#[derive(Debug, Object)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

/// Every error answer.
#[derive(Debug, Object)]
pub struct ErrorJson {
    /// A stable code: `invalid`, `not_free`, `series_conflict`, `captcha`, `rate_limited`,
    /// `calendars_stale`, `not_found`, `internal`, `unsupported_media_type`.
    pub error: String,
    /// For people.
    pub message: String,
    /// With `invalid`: each field and what is wrong with it (absent when empty).
    #[oai(default, skip_serializing_if_is_empty)]
    pub fields: Vec<FieldError>,
    /// With `not_free`: the next free slots of that event type (absent when empty).
    #[oai(default, skip_serializing_if_is_empty)]
    pub next_slots: Vec<SlotJson>,
    /// With `series_conflict`: the first session of the series that is not free.
    #[oai(skip_serializing_if_is_none)]
    pub conflict: Option<Box<SeriesConflictJson>>,
}

/// What the booking page shows about the owner, and the rules a visitor's choice must meet.
#[derive(Debug, Object)]
pub struct PageJson {
    /// The owner's display name.
    pub owner_name: String,
    /// The owner's IANA time zone.
    pub timezone: String,
    /// A short text from the owner (plain text, never markup).
    #[oai(skip_serializing_if_is_none)]
    pub intro: Option<String>,
    /// The page's accent colour, `#rrggbb`.
    #[oai(skip_serializing_if_is_none)]
    pub accent_color: Option<String>,
    /// Where the owner's logo is (`GET` it), when there is one.
    #[oai(skip_serializing_if_is_none)]
    pub logo_url: Option<String>,
    /// Slots are offered from today up to this many days (today included).
    pub horizon_days: u32,
    /// The earliest slot starts this many minutes from now.
    pub min_notice_minutes: u32,
    /// Whether `POST /bookings` needs a solved `GET /captcha` challenge.
    pub captcha: bool,
}
