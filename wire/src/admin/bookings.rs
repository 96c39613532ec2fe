//! Bookings as the owner sees them, their calendar writes and notices, blocked times, the
//! "why is this time (not) bookable" answer, and signing in.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::public::{BookingStatus, ConfirmBy};

/// Where a piece of queued work (a calendar write, a mail, a webhook) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum WorkState {
    /// Not done yet (retried with a growing pause).
    Pending,
    Done,
    /// Given up after the retry limit, or refused for good.
    Failed,
    /// Nothing to do any more (the booking changed before it was written).
    Skipped,
}

/// What a calendar write does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum WriteAction {
    Create,
    /// The booking moved: its event is replaced in place.
    Update,
    Delete,
}

/// One calendar write of a booking (the outbox).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct WriteJson {
    pub source: String,
    pub action: WriteAction,
    pub state: WorkState,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// A booking as the owner sees it (times in UTC).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct AdminBookingJson {
    pub id: String,
    pub event_type: String,
    pub start: String,
    pub end: String,
    pub status: BookingStatus,
    pub name: String,
    pub email: String,
    pub notes: String,
    /// The visitor's zone.
    pub timezone: String,
    pub created_at: String,
    pub cancelled_at: Option<String>,
    /// The visitor's manage link.
    pub manage_url: String,
    /// Per writable calendar: the event's writes and their state.
    pub writes: Vec<WriteJson>,
    /// The series this booking is a session of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub series_id: Option<String>,
    /// Which session (1 = the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub session: Option<u32>,
    /// The answers to the event type's questions, with the labels asked.
    pub answers: Vec<AdminAnswerJson>,
    /// Where the visit came from (`?ref=` of the booking page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub visit_ref: Option<String>,
    /// Marked by the owner: the visitor did not come.
    pub no_show: bool,
    /// Who confirms (or confirmed) it; with status `pending` and `owner`: a request to approve
    /// or decline (`POST /admin/api/bookings/{id}/approve`, `.../decline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub confirm_by: Option<ConfirmBy>,
    /// While pending: when the hold ends (the request expires, its time free again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub hold_until: Option<String>,
    /// With status `declined`: the owner's reason, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub decline_reason: Option<String>,
    /// The event type's title (the slug when it is no longer configured).
    pub event_title: String,
}

/// A booking the owner makes in the dashboard (someone phoned): it stands at once whatever
/// the event type's `confirm`, and the visitor is told as if they had booked (with `[mail]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ManualBookingBody {
    pub event_type: String,
    /// RFC 3339; a free slot of the event type.
    pub start: String,
    /// The visitor's name and address (the same rules as the booking form).
    pub name: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub notes: Option<String>,
    /// The visitor's IANA zone (default: the owner's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub timezone: Option<String>,
}

/// The owner's no to a request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct DeclineBody {
    /// Told to the visitor (up to 500 characters, one paragraph); optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct AdminAnswerJson {
    pub id: String,
    pub label: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct NoShowBody {
    /// `true`: the visitor did not come; `false` takes the mark back.
    pub no_show: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct BlockBody {
    /// RFC 3339.
    pub start: Option<String>,
    /// RFC 3339, after `start`, at most 366 days later.
    pub end: Option<String>,
    /// Up to 100 characters.
    pub label: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct BlockJson {
    pub id: String,
    pub start: String,
    pub end: String,
    pub label: String,
    pub created_at: String,
}

/// How a notice goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum Channel {
    Mail,
    Webhook,
}

/// One mail or webhook delivery (the delivery log). Holds no address: the target names the
/// reader (`visitor`, `owner`) or the webhook (its id).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct DeliveryJson {
    pub id: i64,
    /// The booking it is about (booking notices).
    pub booking_id: Option<String>,
    /// The calendar source it is about (`source.failing`, `source.recovered`).
    pub source_id: Option<String>,
    pub channel: Channel,
    /// `visitor` or `owner` (mail), the webhook's id.
    pub target: String,
    /// `booking.created`, `booking.rescheduled`, `booking.cancelled`, `booking.reminder`,
    /// `source.failing` or `source.recovered`.
    pub event: String,
    pub state: WorkState,
    pub attempts: u32,
    /// The last HTTP status (webhook) or SMTP reply code (mail).
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    /// RFC 3339, UTC: when the next attempt is due (pending rows).
    pub next_attempt_at: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Why a time is or is not bookable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ExplainJson {
    pub at: String,
    pub event_type: Option<String>,
    pub bookable: bool,
    /// Every reason, in words (never a busy event's title).
    pub reasons: Vec<String>,
    /// The availability events (title and source) that open this time, in words; empty
    /// without sources of `role = "availability"`.
    pub opened_by: Vec<String>,
}

/// The password, once. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct LoginBody {
    pub password: Option<String>,
}

impl fmt::Debug for LoginBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginBody").finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SessionJson {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
}
