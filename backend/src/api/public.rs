//! The public API (`/api/v1`, on `listen`): event types, free slots, bookings and their manage
//! links, the owner's secret feeds. Paths and fields are a contract (README, openapi.yaml).
//!
//! Invariants: a slot answer never says why a time is busy; without a valid manage token a
//! booking looks exactly like an unknown one (404); visitor text is returned as JSON data,
//! never as markup; a 500 never carries internals (the log keeps them).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use crate::booking::details::{QuestionKind, check_answers};
use crate::booking::input::{InputError, Zone, parse_booking};
use crate::booking::series::{Frequency, SeriesRequest};
use crate::booking::token::Purpose;
use crate::booking::visitor_text;
use crate::booking::{BookError, BookRequest, Booked, BookingService, CancelScope};
use crate::booking::{BookingRow, IdempotentRequest};
use crate::calendar::Interval;

use super::feeds;
use super::guards::captcha::{Captcha, Challenge};
use super::guards::client_ip::client_ip;
use super::guards::rate_limit::RateLimiter;

/// Where the owner's logo (`[page] logo_file`) is served; outside the OpenAPI document because
/// its media type comes from the file.
pub const LOGO_PATH: &str = "/api/v1/page/logo";

/// The longest range `GET /slots` answers (days).
pub const MAX_SLOT_RANGE_DAYS: i64 = 62;

#[derive(Tags)]
enum Tag {
    /// What can be booked, and when.
    Availability,
    /// Making and managing a booking.
    Bookings,
    /// Secret feeds for the owner's calendar apps.
    Feeds,
}

/// The public API.
#[derive(Debug)]
pub struct PublicApi {
    pub service: BookingService,
    pub captcha: Option<Arc<Captcha>>,
    pub limiter: Arc<RateLimiter>,
}

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
    /// `confirmed` or `cancelled`.
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

/// An error body with a stable code (both APIs use it).
/// What visitors and integrators are told while a calendar is too stale to book against: no
/// calendar, host or error text (those are the owner's, on the admin listener and in the log).
const CALENDARS_STALE: &str = "the owner's calendars cannot be read right now, so no time can be booked; please try again later";

pub(super) fn error(code: &str, message: impl Into<String>) -> Json<ErrorJson> {
    Json(ErrorJson {
        error: code.to_owned(),
        message: message.into(),
        fields: Vec::new(),
        next_slots: Vec::new(),
        conflict: None,
    })
}

/// A plain JSON 404 for endpoints outside the OpenAPI service.
pub(super) fn not_found_response() -> poem::Response {
    let body = serde_json::json!({ "error": "not_found", "message": "nothing here" });
    poem::Response::builder()
        .status(poem::http::StatusCode::NOT_FOUND)
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

fn invalid(problems: Vec<InputError>) -> Json<ErrorJson> {
    let message = problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    Json(ErrorJson {
        error: "invalid".to_owned(),
        message,
        fields: problems
            .into_iter()
            .map(|p| FieldError {
                field: p.field.into_owned(),
                reason: p.reason,
            })
            .collect(),
        next_slots: Vec::new(),
        conflict: None,
    })
}

/// What a request that poem could not even parse gets: a body that is not JSON of the asked
/// shape is `invalid` (400), a body sent without `Content-Type: application/json` is
/// `unsupported_media_type` (415). Both are JSON like every other error answer.
enum Unparsable {
    BadRequest(Json<ErrorJson>),
    UnsupportedMediaType(Json<ErrorJson>),
    /// The path's id cannot be read: no such booking.
    Path,
}

fn unparsable(err: &poem::Error) -> Unparsable {
    if err.is::<poem_openapi::error::ContentTypeError>() {
        Unparsable::UnsupportedMediaType(error(
            "unsupported_media_type",
            format!("{err}; send `Content-Type: application/json`"),
        ))
    } else if err.is::<poem_openapi::error::ParsePathError>()
        || err.is::<poem::error::ParsePathError>()
    {
        Unparsable::Path
    } else {
        Unparsable::BadRequest(error("invalid", err.to_string()))
    }
}

fn problem(field: &'static str, reason: impl Into<String>) -> InputError {
    InputError {
        field: field.into(),
        reason: reason.into(),
    }
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

#[derive(ApiResponse)]
enum PageResponse {
    #[oai(status = 200)]
    Ok(Json<PageJson>),
}

#[derive(ApiResponse)]
enum EventTypesResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<EventTypeJson>>),
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "slots_bad_request")]
enum SlotsResponse {
    #[oai(status = 200)]
    Ok(Json<SlotsJson>),
    /// A parameter is missing or wrong (`fields` says which).
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum CaptchaResponse {
    /// A new challenge (ALTCHA): find `number` so that SHA-256(salt + number) = challenge.
    #[oai(status = 200)]
    Ok(Json<Challenge>),
    /// The captcha is off on this OpenSlot.
    #[oai(status = 404)]
    Off(Json<ErrorJson>),
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "book_bad_request")]
enum BookResponse {
    /// Booked. With an Idempotency-Key seen before, the same booking again (and the header
    /// `Idempotent-Replayed: true`).
    #[oai(status = 201)]
    Created(
        Json<Box<BookingJson>>,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
    /// The captcha is missing, wrong, expired or already used (`captcha`), or the body is not
    /// a JSON object of this shape (`invalid`).
    #[oai(status = 400)]
    BadRequest(Json<ErrorJson>),
    /// The slot is not free (any more); `next_slots` lists the next free ones. For a series
    /// whose later session is not free: `series_conflict` with `conflict` naming it.
    #[oai(status = 409)]
    NotFree(Json<ErrorJson>),
    /// Invalid input: `fields` names each field and the reason. Also an Idempotency-Key used
    /// for another request.
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    /// Too many booking requests from this address; retry after `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorJson>, #[oai(header = "Retry-After")] u64),
    /// The body was not sent as `application/json`.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorJson>),
    /// A calendar of the owner is too out of date to know whether the time is free.
    #[oai(status = 503)]
    Stale(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

fn book_bad_request(err: poem::Error) -> BookResponse {
    match unparsable(&err) {
        Unparsable::UnsupportedMediaType(e) => BookResponse::UnsupportedMediaType(e),
        Unparsable::BadRequest(e) => BookResponse::BadRequest(e),
        Unparsable::Path => BookResponse::BadRequest(error("invalid", err.to_string())),
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "manage_bad_request")]
enum ManageResponse {
    #[oai(status = 200)]
    Ok(Json<Box<BookingJson>>),
    /// Unknown id, or a missing or wrong token (the two are not told apart).
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// A parameter other than the id and token is wrong (`fields` says which).
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 429)]
    TooMany(Json<ErrorJson>, #[oai(header = "Retry-After")] u64),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

/// The manage endpoints' parameters are strings: whatever cannot be read is an unknown booking.
fn manage_bad_request(_: poem::Error) -> ManageResponse {
    ManageResponse::NotFound(not_found())
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "reschedule_bad_request")]
enum RescheduleResponse {
    #[oai(status = 200)]
    Ok(Json<Box<BookingJson>>),
    /// The body is not a JSON object of this shape (`invalid`).
    #[oai(status = 400)]
    BadRequest(Json<ErrorJson>),
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// The new time is not free; `next_slots` lists the next free ones.
    #[oai(status = 409)]
    NotFree(Json<ErrorJson>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    /// The body was not sent as `application/json`.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorJson>),
    #[oai(status = 429)]
    TooMany(Json<ErrorJson>, #[oai(header = "Retry-After")] u64),
    #[oai(status = 503)]
    Stale(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

fn reschedule_bad_request(err: poem::Error) -> RescheduleResponse {
    match unparsable(&err) {
        Unparsable::UnsupportedMediaType(e) => RescheduleResponse::UnsupportedMediaType(e),
        Unparsable::BadRequest(e) => RescheduleResponse::BadRequest(e),
        Unparsable::Path => RescheduleResponse::NotFound(not_found()),
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "feed_bad_request")]
enum FeedResponse {
    /// An iCalendar document.
    #[oai(status = 200, content_type = "text/calendar; charset=utf-8")]
    Ok(PlainText<String>),
    /// A missing or wrong token.
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

/// The slots' parameters are strings: one that cannot be read is an invalid parameter.
fn slots_bad_request(err: poem::Error) -> SlotsResponse {
    SlotsResponse::Invalid(error("invalid", err.to_string()))
}

/// A feed's token that cannot be read is a wrong token.
fn feed_bad_request(_: poem::Error) -> FeedResponse {
    FeedResponse::NotFound(error("not_found", "not found"))
}

/// A 500 body: the cause goes to the log, never to the client.
pub(super) fn internal(e: &dyn std::fmt::Display) -> Json<ErrorJson> {
    tracing::error!(error = %e, "internal error");
    error(
        "internal",
        "something went wrong on our side; please try again",
    )
}

fn not_found() -> Json<ErrorJson> {
    error("not_found", "no such booking (or the link is not valid)")
}

/// RFC 3339 in `zone`.
fn shown(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).to_rfc3339()
}

impl PublicApi {
    fn manage_url(&self, id: &str, token: &str) -> String {
        format!(
            "{}/manage/{id}?token={token}",
            self.service.config().server.public_url
        )
    }

    /// A booking as its visitor sees it; a session of a series comes with the whole series.
    async fn booking_json(&self, b: &BookingRow, token: &str) -> Result<BookingJson, BookError> {
        let zone: Tz = b.timezone.parse().unwrap_or(chrono_tz::UTC);
        let series = match &b.series {
            Some((id, _)) => self.service.series(id).await?.map(|(row, sessions)| {
                Box::new(SeriesJson {
                    id: row.id,
                    frequency: row.frequency,
                    sessions: sessions
                        .iter()
                        .map(|s| {
                            let token = self.service.manage_token(&s.id);
                            SessionJson {
                                id: s.id.clone(),
                                start: shown(s.start, zone),
                                end: shown(s.end, zone),
                                status: s.status.as_str().to_owned(),
                                manage_url: self.manage_url(&s.id, &token),
                                manage_token: token,
                            }
                        })
                        .collect(),
                })
            }),
            None => None,
        };
        Ok(BookingJson {
            id: b.id.clone(),
            event_type: b.event_type.clone(),
            start: shown(b.start, zone),
            end: shown(b.end, zone),
            status: b.status.as_str().to_owned(),
            timezone: b.timezone.clone(),
            name: b.name.clone(),
            email: b.email.clone(),
            notes: b.notes.clone(),
            manage_url: self.manage_url(&b.id, token),
            manage_token: token.to_owned(),
            series,
            location: self
                .service
                .config()
                .event_type_config(&b.event_type)
                .and_then(|e| e.location.as_ref())
                .map(|l| {
                    Box::new(LocationJson {
                        kind: l.kind.as_str().to_owned(),
                        value: Some(l.for_booking(&b.id)),
                    })
                }),
            answers: b
                .answers
                .iter()
                .map(|a| AnswerJson {
                    id: a.id.clone(),
                    label: a.label.clone(),
                    value: a.value.clone(),
                })
                .collect(),
        })
    }

    async fn manage_answer(&self, b: &BookingRow, token: &str) -> ManageResponse {
        match self.booking_json(b, token).await {
            Ok(json) => ManageResponse::Ok(Json(Box::new(json))),
            Err(e) => ManageResponse::Internal(internal(&e)),
        }
    }

    /// The client's address: the peer, or X-Forwarded-For behind a trusted proxy.
    fn client(&self, req: &Request) -> Option<IpAddr> {
        let peer = req.remote_addr().as_socket_addr()?.ip();
        let xff = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Some(client_ip(
            peer,
            xff,
            &self.service.config().security.trusted_proxies,
        ))
    }

    /// The rate limit of booking actions; `Err(seconds)` when over it.
    fn limited(&self, req: &Request) -> Result<(), u64> {
        match self.client(req) {
            Some(ip) => self.limiter.check(ip).map_err(|r| r.seconds()),
            None => Ok(()),
        }
    }

    /// The next free slots of an event type after `after` (for a 409).
    async fn next_slots(&self, slug: &str, after: DateTime<Utc>, zone: Tz) -> Vec<SlotJson> {
        let Some(et) = self.service.event_type(slug) else {
            return Vec::new();
        };
        let now = self.service.now();
        let from = after.max(now);
        match self
            .service
            .free_slots(&et, from, from + Duration::days(14))
            .await
        {
            Ok(found) => found
                .iter()
                .take(5)
                .map(|s| SlotJson {
                    start: shown(s.start, zone),
                    end: shown(s.end, zone),
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

fn parse_start(field: &'static str, text: Option<&str>) -> Result<DateTime<Utc>, InputError> {
    let text = text.ok_or_else(|| problem(field, "is required"))?;
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            problem(
                field,
                "is not an RFC 3339 time (e.g. 2026-12-01T09:30:00+01:00)",
            )
        })
}

/// `repeat` of a booking request, or its problems.
fn parse_repeat(body: &RepeatBody) -> Result<SeriesRequest, Vec<InputError>> {
    let frequency = match body.frequency.as_deref().map(str::trim) {
        None => Err(problem("repeat.frequency", "is required")),
        Some(f) => Frequency::parse(f)
            .ok_or_else(|| problem("repeat.frequency", "must be `weekly` or `every_2_weeks`")),
    };
    let sessions = body
        .sessions
        .ok_or_else(|| problem("repeat.sessions", "is required"));
    match (frequency, sessions) {
        (Ok(frequency), Ok(sessions)) => Ok(SeriesRequest {
            frequency,
            sessions,
        }),
        (f, n) => Err([f.err(), n.err()].into_iter().flatten().collect()),
    }
}

/// A stable hash of what a booking request asks for (an Idempotency-Key must come back with
/// the same request).
fn request_hash(body: &BookingBody) -> String {
    let text = serde_json::json!([
        body.event_type,
        body.start,
        body.name,
        body.email,
        body.notes,
        body.timezone,
        body.repeat.as_ref().map(|r| (&r.frequency, r.sessions)),
        body.answers,
        body.visit_ref
    ])
    .to_string();
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[OpenApi(prefix_path = "/api/v1")]
impl PublicApi {
    /// The owner's name, zone, page text and colours, and the booking rules the page needs.
    #[oai(path = "/page", method = "get", tag = "Tag::Availability")]
    async fn page(&self) -> PageResponse {
        let config = self.service.config();
        let page = &config.page;
        PageResponse::Ok(Json(PageJson {
            owner_name: config.owner.shown_name().to_owned(),
            timezone: config.owner.timezone.name().to_owned(),
            intro: page.intro.clone(),
            accent_color: page.accent_color.clone(),
            logo_url: page.logo_file.as_ref().map(|_| LOGO_PATH.to_owned()),
            horizon_days: config.availability.horizon_days,
            min_notice_minutes: config.availability.min_notice_minutes,
            captcha: self.captcha.is_some(),
        }))
    }

    /// The event types a visitor can book.
    #[oai(path = "/event-types", method = "get", tag = "Tag::Availability")]
    async fn event_types(&self) -> EventTypesResponse {
        let config = self.service.config();
        EventTypesResponse::Ok(Json(
            config
                .event_types
                .iter()
                .map(|e| EventTypeJson {
                    slug: e.slug.clone(),
                    title: e.title.clone(),
                    duration: e.duration_minutes,
                    description: e.description.clone(),
                    owner_name: config.owner.shown_name().to_owned(),
                    timezone: config.owner.timezone.name().to_owned(),
                    repeat: e.repeat.iter().map(|f| f.as_str().to_owned()).collect(),
                    max_sessions: (!e.repeat.is_empty()).then_some(e.max_sessions),
                    location: e.location.as_ref().map(|l| LocationJson {
                        kind: l.kind.as_str().to_owned(),
                        value: l.public_value().map(str::to_owned),
                    }),
                    questions: e
                        .questions
                        .iter()
                        .map(|q| QuestionJson {
                            id: q.id.clone(),
                            label: q.label.clone(),
                            kind: q.kind.as_str().to_owned(),
                            required: q.required,
                            choices: match &q.kind {
                                QuestionKind::Choice(c) => c.clone(),
                                QuestionKind::Text => Vec::new(),
                            },
                        })
                        .collect(),
                })
                .collect(),
        ))
    }

    /// Free slots of an event type from `from` to `to` (days in `tz`, both included), in `tz`.
    /// Never says why a time is not free.
    #[oai(path = "/slots", method = "get", tag = "Tag::Availability")]
    async fn slots(
        &self,
        event_type: Query<Option<String>>,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
        /// IANA zone; default: the owner's.
        tz: Query<Option<String>>,
    ) -> SlotsResponse {
        let mut problems = Vec::new();
        let et = match event_type.0.as_deref() {
            None => {
                problems.push(problem("event_type", "is required"));
                None
            }
            Some(slug) => {
                let et = self.service.event_type(slug);
                if et.is_none() {
                    problems.push(problem(
                        "event_type",
                        format!("there is no event type `{slug}`"),
                    ));
                }
                et
            }
        };
        let zone = match tz.0.as_deref() {
            None => Some(self.service.config().owner.timezone),
            Some(t) => match Zone::parse(t) {
                Ok(z) => Some(z.tz()),
                Err(mut e) => {
                    e.field = "tz".into();
                    problems.push(e);
                    None
                }
            },
        };
        let day = |field: &'static str, v: &Option<String>, problems: &mut Vec<InputError>| match v
        {
            None => {
                problems.push(problem(field, "is required (YYYY-MM-DD)"));
                None
            }
            Some(t) => match NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(problem(field, "is not a date (YYYY-MM-DD)"));
                    None
                }
            },
        };
        let first = day("from", &from.0, &mut problems);
        let last = day("to", &to.0, &mut problems);
        if let (Some(a), Some(b)) = (first, last) {
            if b < a {
                problems.push(problem("to", "must not be before `from`"));
            } else if (b - a).num_days() >= MAX_SLOT_RANGE_DAYS {
                problems.push(problem(
                    "to",
                    format!("at most {MAX_SLOT_RANGE_DAYS} days after `from`"),
                ));
            }
        }
        let (Some(et), Some(zone), Some(first), Some(last), true) =
            (et, zone, first, last, problems.is_empty())
        else {
            return SlotsResponse::Invalid(invalid(problems));
        };
        let (Some(start), Some(end)) = (
            crate::availability::start_of_day(zone, first),
            last.succ_opt()
                .and_then(|d| crate::availability::start_of_day(zone, d)),
        ) else {
            return SlotsResponse::Invalid(invalid(vec![problem("to", "is out of range")]));
        };
        match self.service.free_slots(&et, start, end).await {
            Ok(found) => SlotsResponse::Ok(Json(SlotsJson {
                notice: self
                    .service
                    .calendars_unavailable()
                    .then(|| SlotsNotice {
                        code: "calendars_unavailable".to_owned(),
                        message: "some of the owner's calendars cannot be read right now, so                                   free times cannot all be shown; please try again later"
                            .to_owned(),
                    }),
                timezone: zone.name().to_owned(),
                slots: found
                    .iter()
                    .map(|s| SlotJson {
                        start: shown(s.start, zone),
                        end: shown(s.end, zone),
                    })
                    .collect(),
            })),
            Err(e) => SlotsResponse::Internal(internal(&e)),
        }
    }

    /// A proof-of-work challenge for the booking form (when the captcha is on).
    #[oai(path = "/captcha", method = "get", tag = "Tag::Bookings")]
    async fn captcha(&self) -> CaptchaResponse {
        match &self.captcha {
            Some(c) => CaptchaResponse::Ok(Json(c.challenge(self.service.now()))),
            None => CaptchaResponse::Off(error("not_found", "the captcha is off")),
        }
    }

    /// Books a slot. Send an `Idempotency-Key` header (any unique string) to make retries
    /// safe: the same key with the same request gives the same booking.
    #[oai(path = "/bookings", method = "post", tag = "Tag::Bookings")]
    async fn book(
        &self,
        req: &Request,
        body: Json<BookingBody>,
        #[oai(name = "Idempotency-Key")] idempotency_key: Header<Option<String>>,
    ) -> BookResponse {
        if let Err(secs) = self.limited(req) {
            return BookResponse::TooMany(
                error(
                    "rate_limited",
                    "too many booking requests; please wait a moment",
                ),
                secs,
            );
        }
        let body = body.0;
        let now = self.service.now();
        if let Some(c) = &self.captcha {
            let payload = body.captcha.as_deref().unwrap_or_default();
            if let Err(e) = c.verify(payload, now) {
                return BookResponse::BadRequest(error("captcha", e.to_string()));
            }
        }
        let mut problems = Vec::new();
        let slug = body.event_type.clone().unwrap_or_default();
        if body.event_type.is_none() {
            problems.push(problem("event_type", "is required"));
        } else if self.service.event_type(&slug).is_none() {
            problems.push(problem(
                "event_type",
                format!("there is no event type `{slug}`"),
            ));
        }
        let start = parse_start("start", body.start.as_deref());
        let input = parse_booking(
            body.name.as_deref().unwrap_or_default(),
            body.email.as_deref().unwrap_or_default(),
            body.notes.as_deref(),
            body.timezone.as_deref().unwrap_or_default(),
        );
        if let Err(e) = &start {
            problems.push(e.clone());
        }
        let questions = self
            .service
            .config()
            .event_type_config(&slug)
            .map(|e| e.questions.clone())
            .unwrap_or_default();
        let answers = match check_answers(&questions, &body.answers.clone().unwrap_or_default()) {
            Ok(a) => a,
            Err(found) => {
                problems.extend(found.into_iter().map(|p| InputError {
                    field: format!("answers.{}", p.question).into(),
                    reason: p.reason,
                }));
                Vec::new()
            }
        };
        let visit_ref = match body.visit_ref.as_deref().map(visitor_text::visit_ref) {
            Some(Ok(r)) => Some(r),
            Some(Err(reason)) => {
                problems.push(problem("ref", reason));
                None
            }
            None => None,
        };
        let series = match body.repeat.as_ref().map(parse_repeat) {
            Some(Ok(series)) => Some(series),
            Some(Err(e)) => {
                problems.extend(e);
                None
            }
            None => None,
        };
        let key = match idempotency_key.0.as_deref().map(str::trim) {
            Some(k) if k.is_empty() || k.len() > 200 => {
                problems.push(problem("Idempotency-Key", "must be 1-200 characters"));
                None
            }
            Some(k) => Some(IdempotentRequest {
                key: k.to_owned(),
                request_hash: request_hash(&body),
            }),
            None => None,
        };
        let input = match input {
            Ok(i) => Some(i),
            Err(errors) => {
                problems.extend(errors);
                None
            }
        };
        let (Ok(start), Some(input), true) = (start, input, problems.is_empty()) else {
            return BookResponse::Invalid(invalid(problems));
        };
        let zone = input.timezone.tz();
        let result = self
            .service
            .book(BookRequest {
                event_type: slug.clone(),
                start,
                input,
                idempotency: key,
                series,
                answers,
                visit_ref,
            })
            .await;
        match result {
            Ok(Booked {
                booking,
                manage_token,
                replayed,
            }) => {
                if !replayed {
                    tracing::info!(booking = %booking.id, event_type = %booking.event_type,
                        start = %booking.start, "booked");
                }
                match self.booking_json(&booking, &manage_token).await {
                    Ok(json) => BookResponse::Created(
                        Json(Box::new(json)),
                        replayed.then(|| "true".to_owned()),
                    ),
                    Err(e) => BookResponse::Internal(internal(&e)),
                }
            }
            Err(BookError::SeriesConflict {
                session,
                start,
                conflict,
            }) => {
                let when = start.with_timezone(&zone);
                let mut body = error(
                    "series_conflict",
                    format!(
                        "nothing was booked: session {session} of the series ({}) cannot be booked: {}",
                        when.format("%Y-%m-%d %H:%M"),
                        conflict.explain()
                    ),
                );
                body.0.conflict = Some(Box::new(SeriesConflictJson {
                    session,
                    start: when.to_rfc3339(),
                    reason: conflict.as_str().to_owned(),
                }));
                BookResponse::NotFree(body)
            }
            Err(BookError::SeriesNotOffered(why)) => {
                BookResponse::Invalid(invalid(vec![problem("repeat", why)]))
            }
            Err(BookError::NotFree) => {
                let mut e = error("not_free", "that time was just taken or is not free");
                e.0.next_slots = self.next_slots(&slug, start, zone).await;
                BookResponse::NotFree(e)
            }
            Err(BookError::Stale(why)) => {
                tracing::warn!(calendars = %why, "booking refused: calendars out of date");
                BookResponse::Stale(error("calendars_stale", CALENDARS_STALE))
            }
            Err(BookError::KeyReused) => BookResponse::Invalid(invalid(vec![problem(
                "Idempotency-Key",
                "was used before for a different request",
            )])),
            Err(BookError::UnknownEventType(s)) => BookResponse::Invalid(invalid(vec![problem(
                "event_type",
                format!("there is no event type `{s}`"),
            )])),
            Err(e) => BookResponse::Internal(internal(&e)),
        }
    }

    /// A booking, with its manage token.
    #[oai(path = "/bookings/:id", method = "get", tag = "Tag::Bookings")]
    async fn get_booking(&self, id: Path<String>, token: Query<Option<String>>) -> ManageResponse {
        let token = token.0.unwrap_or_default();
        match self.service.get(&id.0, &token).await {
            Ok(b) => self.manage_answer(&b, &token).await,
            Err(BookError::NotFound) => ManageResponse::NotFound(not_found()),
            Err(e) => ManageResponse::Internal(internal(&e)),
        }
    }

    /// Cancels a booking (its events are removed from the owner's calendars). Cancelling a
    /// cancelled booking answers it again. For a session of a series, `scope=following` also
    /// cancels every later session (default `this`: only this one).
    #[oai(path = "/bookings/:id", method = "delete", tag = "Tag::Bookings")]
    async fn cancel_booking(
        &self,
        req: &Request,
        id: Path<String>,
        token: Query<Option<String>>,
        scope: Query<Option<String>>,
    ) -> ManageResponse {
        if let Err(secs) = self.limited(req) {
            return ManageResponse::TooMany(error("rate_limited", "too many requests"), secs);
        }
        let token = token.0.unwrap_or_default();
        let scope = match scope.0.as_deref() {
            None | Some("this") => CancelScope::This,
            Some("following") => CancelScope::Following,
            Some(_) => {
                return ManageResponse::Invalid(invalid(vec![problem(
                    "scope",
                    "must be `this` or `following`",
                )]));
            }
        };
        match self.service.cancel(&id.0, &token, scope).await {
            Ok(b) => {
                tracing::info!(booking = %b.id, "cancelled");
                self.manage_answer(&b, &token).await
            }
            Err(BookError::NotFound) => ManageResponse::NotFound(not_found()),
            Err(e) => ManageResponse::Internal(internal(&e)),
        }
    }

    /// Moves a booking to another free slot of its event type, in one step: the new time is
    /// taken before the old one is freed.
    #[oai(
        path = "/bookings/:id/reschedule",
        method = "post",
        tag = "Tag::Bookings"
    )]
    async fn reschedule(
        &self,
        req: &Request,
        id: Path<String>,
        token: Query<Option<String>>,
        body: Json<RescheduleBody>,
    ) -> RescheduleResponse {
        if let Err(secs) = self.limited(req) {
            return RescheduleResponse::TooMany(error("rate_limited", "too many requests"), secs);
        }
        let token = token.0.unwrap_or_default();
        let start = match parse_start("start", body.0.start.as_deref()) {
            Ok(s) => s,
            Err(e) => return RescheduleResponse::Invalid(invalid(vec![e])),
        };
        match self.service.reschedule(&id.0, &token, start).await {
            Ok(b) => {
                tracing::info!(booking = %b.booking.id, start = %b.booking.start, "rescheduled");
                match self.booking_json(&b.booking, &token).await {
                    Ok(json) => RescheduleResponse::Ok(Json(Box::new(json))),
                    Err(e) => RescheduleResponse::Internal(internal(&e)),
                }
            }
            Err(BookError::NotFound) => RescheduleResponse::NotFound(not_found()),
            Err(BookError::NotFree) => {
                let (zone, slug) = match self.service.get(&id.0, &token).await {
                    Ok(b) => (b.timezone.parse().unwrap_or(chrono_tz::UTC), b.event_type),
                    Err(_) => (chrono_tz::UTC, String::new()),
                };
                let mut e = error("not_free", "that time is not free");
                e.0.next_slots = self.next_slots(&slug, start, zone).await;
                RescheduleResponse::NotFree(e)
            }
            Err(BookError::Stale(why)) => {
                tracing::warn!(calendars = %why, "reschedule refused: calendars out of date");
                RescheduleResponse::Stale(error("calendars_stale", CALENDARS_STALE))
            }
            Err(e) => RescheduleResponse::Internal(internal(&e)),
        }
    }

    /// Every booking as an iCalendar feed, for calendars OpenSlot cannot write to. The token
    /// is the owner's secret (`openslot feeds`, the dashboard), rotated from the dashboard.
    #[oai(path = "/bookings.ics", method = "get", tag = "Tag::Feeds")]
    async fn bookings_feed(&self, token: Query<Option<String>>) -> FeedResponse {
        let t = token.0.unwrap_or_default();
        match self
            .service
            .feed_token_opens(Purpose::BookingsFeed, &t)
            .await
        {
            Ok(true) => {}
            Ok(false) => return FeedResponse::NotFound(error("not_found", "not found")),
            Err(e) => return FeedResponse::Internal(internal(&e)),
        }
        let now = self.service.now();
        let (from, to) = (now - Duration::days(90), now + Duration::days(400));
        match self.service.bookings_between(from, to, 10_000).await {
            Ok(rows) => FeedResponse::Ok(PlainText(feeds::bookings_ics(&self.service, &rows, now))),
            Err(e) => FeedResponse::Internal(internal(&e)),
        }
    }

    /// The owner's merged busy time (calendars, bookings, blocks) as VFREEBUSY: no titles.
    #[oai(path = "/freebusy.ics", method = "get", tag = "Tag::Feeds")]
    async fn freebusy_feed(&self, token: Query<Option<String>>) -> FeedResponse {
        let t = token.0.unwrap_or_default();
        match self
            .service
            .feed_token_opens(Purpose::FreebusyFeed, &t)
            .await
        {
            Ok(true) => {}
            Ok(false) => return FeedResponse::NotFound(error("not_found", "not found")),
            Err(e) => return FeedResponse::Internal(internal(&e)),
        }
        let now = self.service.now();
        let horizon = i64::from(self.service.config().availability.horizon_days);
        let window = Interval {
            start: now,
            end: now + Duration::days(horizon),
        };
        match self.service.merged_busy(window).await {
            Ok(busy) => FeedResponse::Ok(PlainText(feeds::freebusy_ics(&busy, window, now))),
            Err(e) => FeedResponse::Internal(internal(&e)),
        }
    }
}
