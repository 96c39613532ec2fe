//! The public API (`/api/v1`, on `listen`): event types, free slots, bookings and their manage
//! links, the owner's secret feeds. Paths and fields are a contract (README, openapi.yaml).
//!
//! Invariants: a slot answer never says why a time is busy; without a valid manage token a
//! booking looks exactly like an unknown one (404); visitor text is returned as JSON data,
//! never as markup; a 500 never carries internals (the log keeps them).
//!
//! Layout: the endpoints are here; the bodies sent and answered are in the wire crate
//! (`openslot_wire::public`, shared with the booking page), `responses` one
//! `ApiResponse` per endpoint, `validate` the field checks of a booking request.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{OpenApi, Tags};

use crate::api::feeds;
use crate::api::guards::captcha::Captcha;
use crate::api::guards::client_ip::client_ip;
use crate::api::guards::rate_limit::RateLimiter;
use crate::api::wire;
use crate::booking::BookingRow;
use crate::booking::api_keys::{ApiCaller, Scope};
use crate::booking::details::QuestionKind;
use crate::booking::input::{InputError, Zone};
use crate::booking::token::Purpose;
use crate::booking::{BookError, BookingService, CancelScope, ConfirmError};
use crate::calendar::Interval;

mod book;
mod caller;
mod responses;
mod validate;
mod webhooks;

pub use caller::KeyGate;
pub use webhooks::SubscriptionsApi;

pub use openslot_wire::errors::{ErrorCode, ErrorJson, FieldError};
pub use openslot_wire::public::{
    AnswerJson, BookingBody, BookingJson, Challenge, EventTypeJson, LocationJson, NoticeCode,
    PageJson, QuestionJson, RepeatBody, RescheduleBody, SeriesConflictJson, SeriesJson,
    SessionJson, SlotJson, SlotsJson, SlotsNotice,
};
use responses::{
    BookResponse, CaptchaResponse, ConfirmResponse, EventTypesResponse, FeedResponse,
    ManageResponse, PageResponse, RescheduleResponse, SlotsResponse,
};
use validate::parse_start;

/// Where the owner's logo (`[page] logo_file`, or uploaded) is served; outside the OpenAPI
/// document because its media type comes from the file (`api/logo.rs`).
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
    /// An integrator's webhook subscriptions (API key with `webhooks:manage`).
    Webhooks,
}

/// The public API.
#[derive(Debug)]
pub struct PublicApi {
    pub service: BookingService,
    /// The proof of work, when this service may ask for it; whether it does now is the
    /// service's (`captcha_now()`).
    pub captcha: Option<Arc<Captcha>>,
    pub limiter: Arc<RateLimiter>,
}

/// An error body with a stable code (both APIs use it).
/// What visitors and integrators are told while a calendar is too stale to book against: no
/// calendar, host or error text (those are the owner's, on the admin listener and in the log).
const CALENDARS_STALE: &str = "the owner's calendars cannot be read right now, so no time can be booked; please try again later";

pub(super) fn error(code: ErrorCode, message: impl Into<String>) -> Json<ErrorJson> {
    Json(ErrorJson::new(code, message))
}

/// A plain JSON 404 for endpoints outside the OpenAPI service.
pub(super) fn not_found_response() -> poem::Response {
    super::error_response(
        poem::http::StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "nothing here",
    )
}

fn invalid(problems: Vec<InputError>) -> Json<ErrorJson> {
    let message = problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    Json(ErrorJson {
        error: ErrorCode::Invalid,
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
    /// The body is larger than the listener reads (`guards::body_limit`).
    TooLarge(Json<ErrorJson>),
}

fn unparsable(err: &poem::Error) -> Unparsable {
    if err.status() == poem::http::StatusCode::PAYLOAD_TOO_LARGE {
        Unparsable::TooLarge(super::guards::body_limit::too_large_json())
    } else if err.is::<poem_openapi::error::ContentTypeError>() {
        Unparsable::UnsupportedMediaType(error(
            ErrorCode::UnsupportedMediaType,
            format!("{err}; send `Content-Type: application/json`"),
        ))
    } else if err.is::<poem_openapi::error::ParsePathError>()
        || err.is::<poem::error::ParsePathError>()
    {
        Unparsable::Path
    } else {
        Unparsable::BadRequest(error(ErrorCode::Invalid, err.to_string()))
    }
}

fn problem(field: &'static str, reason: impl Into<String>) -> InputError {
    InputError {
        field: field.into(),
        reason: reason.into(),
    }
}
/// A 500 body: the cause goes to the log, never to the client.
pub(super) fn internal(e: &dyn std::fmt::Display) -> Json<ErrorJson> {
    tracing::error!(error = %e, "internal error");
    error(
        ErrorCode::Internal,
        "something went wrong on our side; please try again",
    )
}

fn not_found() -> Json<ErrorJson> {
    error(
        ErrorCode::NotFound,
        "no such booking (or the link is not valid)",
    )
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
                    frequency: wire::stored_frequency(&row.frequency),
                    sessions: sessions
                        .iter()
                        .map(|s| {
                            let token = self.service.manage_token(&s.id);
                            SessionJson {
                                id: s.id.clone(),
                                start: shown(s.start, zone),
                                end: shown(s.end, zone),
                                status: wire::status(s.status),
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
            status: wire::status(b.status),
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
                        kind: wire::location_kind(l.kind),
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
            hold_until: b.hold_until.map(|t| shown(t, zone)),
            message: b
                .hold_until
                .map(|_| pending_message(b.confirm_by).to_owned()),
            confirm_by: b.confirm_by.map(wire::confirm_by),
            decline_reason: b.decline_reason.clone(),
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

    /// An API key's request that may book (`KeyGate` put its caller there).
    fn integrator(req: &Request) -> Option<&ApiCaller> {
        req.extensions()
            .get::<ApiCaller>()
            .filter(|c| c.may(Scope::BookingsWrite))
    }

    /// The rate limit of booking actions; `Err(seconds)` when over it. API keys have their
    /// own (`KeyGate`).
    fn limited(&self, req: &Request) -> Result<(), u64> {
        if Self::integrator(req).is_some() {
            return Ok(());
        }
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
#[OpenApi(prefix_path = "/api/v1")]
impl PublicApi {
    /// The owner's name, zone, page text and colours, and the booking rules the page needs.
    #[oai(
        path = "/page",
        method = "get",
        operation_id = "getPage",
        tag = "Tag::Availability"
    )]
    async fn page(&self) -> PageResponse {
        let config = self.service.config();
        let texts = self.service.page_texts();
        PageResponse::Ok(Json(PageJson {
            owner_name: config.owner.shown_name().to_owned(),
            timezone: config.owner.timezone.name().to_owned(),
            intro: texts.intro,
            accent_color: texts.accent_color,
            logo_url: crate::api::logo::url(LOGO_PATH, &self.service.page_logo()),
            horizon_days: config.availability.horizon_days,
            min_notice_minutes: config.availability.min_notice_minutes,
            captcha: self.captcha_now().is_some(),
            mails_visitors: config.mail.is_some(),
        }))
    }

    /// The event types a visitor can book.
    #[oai(
        path = "/event-types",
        method = "get",
        operation_id = "listEventTypes",
        tag = "Tag::Availability"
    )]
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
                    repeat: e.repeat.iter().map(|f| wire::frequency(*f)).collect(),
                    max_sessions: (!e.repeat.is_empty()).then_some(e.max_sessions),
                    location: e.location.as_ref().map(|l| LocationJson {
                        kind: wire::location_kind(l.kind),
                        value: l.public_value().map(str::to_owned),
                    }),
                    questions: e
                        .questions
                        .iter()
                        .map(|q| QuestionJson {
                            id: q.id.clone(),
                            label: q.label.clone(),
                            kind: wire::question_kind(&q.kind),
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
    #[oai(
        path = "/slots",
        method = "get",
        operation_id = "listSlots",
        tag = "Tag::Availability"
    )]
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
                        code: NoticeCode::CalendarsUnavailable,
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
    #[oai(
        path = "/captcha",
        method = "get",
        operation_id = "getCaptcha",
        tag = "Tag::Bookings"
    )]
    async fn captcha(&self) -> CaptchaResponse {
        match self.captcha_now() {
            Some(c) => CaptchaResponse::Ok(Json(c.challenge(self.service.now()))),
            None => CaptchaResponse::Off(error(ErrorCode::NotFound, "the captcha is off")),
        }
    }

    /// Books a slot. Send an `Idempotency-Key` header (any unique string) to make retries
    /// safe: the same key with the same request gives the same booking (for 24 hours; keys
    /// are per caller: each API key, and visitors). With `Authorization: Bearer osk_…` (an
    /// API key with `bookings:write`) no captcha is asked and the key's own limit applies.
    #[oai(
        path = "/bookings",
        method = "post",
        operation_id = "createBooking",
        tag = "Tag::Bookings"
    )]
    async fn book(
        &self,
        req: &Request,
        body: Json<BookingBody>,
        #[oai(name = "Idempotency-Key")] idempotency_key: Header<Option<String>>,
    ) -> BookResponse {
        if let Err(secs) = self.limited(req) {
            return BookResponse::TooMany(
                error(
                    ErrorCode::RateLimited,
                    "too many booking requests; please wait a moment",
                ),
                secs,
            );
        }
        let caller = Self::integrator(req);
        self.book_once(body.0, idempotency_key.0.as_deref(), caller)
            .await
    }

    /// A booking, with its manage token.
    #[oai(
        path = "/bookings/:id",
        method = "get",
        operation_id = "getBooking",
        tag = "Tag::Bookings"
    )]
    async fn get_booking(&self, id: Path<String>, token: Query<Option<String>>) -> ManageResponse {
        let token = token.0.unwrap_or_default();
        match self.service.get(&id.0, &token).await {
            Ok(b) => self.manage_answer(&b, &token).await,
            Err(BookError::NotFound) => ManageResponse::NotFound(not_found()),
            Err(e) => ManageResponse::Internal(internal(&e)),
        }
    }

    /// Confirms a pending booking (event types with `confirm = "email"`) with the token of the
    /// link mailed to its visitor. From then on it is an ordinary booking: written into the
    /// owner's calendars and announced by mail and webhooks. Confirming twice answers it again.
    #[oai(
        path = "/bookings/:id/confirm",
        method = "post",
        tag = "Tag::Bookings",
        operation_id = "confirmBooking"
    )]
    async fn confirm_booking(
        &self,
        req: &Request,
        id: Path<String>,
        token: Query<Option<String>>,
    ) -> ConfirmResponse {
        if let Err(secs) = self.limited(req) {
            return ConfirmResponse::TooMany(
                error(ErrorCode::RateLimited, "too many requests"),
                secs,
            );
        }
        match self
            .service
            .confirm(&id.0, &token.0.unwrap_or_default())
            .await
        {
            Ok(b) => {
                tracing::info!(booking = %b.booking.id, "confirmed by the visitor");
                match self.booking_json(&b.booking, &b.manage_token).await {
                    Ok(json) => ConfirmResponse::Ok(Json(Box::new(json))),
                    Err(e) => ConfirmResponse::Internal(internal(&e)),
                }
            }
            Err(ConfirmError::NotFound) => ConfirmResponse::NotFound(not_found()),
            Err(e @ ConfirmError::Ended) => {
                ConfirmResponse::Gone(error(ErrorCode::HoldEnded, e.to_string()))
            }
            Err(e) => ConfirmResponse::Internal(internal(&e)),
        }
    }

    /// Cancels a booking (its events are removed from the owner's calendars). Cancelling a
    /// cancelled booking answers it again. For a session of a series, `scope=following` also
    /// cancels every later session (default `this`: only this one).
    #[oai(
        path = "/bookings/:id",
        method = "delete",
        operation_id = "cancelBooking",
        tag = "Tag::Bookings"
    )]
    async fn cancel_booking(
        &self,
        req: &Request,
        id: Path<String>,
        token: Query<Option<String>>,
        scope: Query<Option<String>>,
    ) -> ManageResponse {
        if let Err(secs) = self.limited(req) {
            return ManageResponse::TooMany(
                error(ErrorCode::RateLimited, "too many requests"),
                secs,
            );
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
        // A request still waiting for the owner is withdrawn; anything else cancelled.
        let outcome = match self.service.withdraw(&id.0, &token).await {
            Ok(Some(b)) => Ok(b),
            Ok(None) => self.service.cancel(&id.0, &token, scope).await,
            Err(e) => Err(e),
        };
        match outcome {
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
        operation_id = "rescheduleBooking",
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
            return RescheduleResponse::TooMany(
                error(ErrorCode::RateLimited, "too many requests"),
                secs,
            );
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
                let mut e = error(ErrorCode::NotFree, "that time is not free");
                e.0.next_slots = self.next_slots(&slug, start, zone).await;
                RescheduleResponse::NotFree(e)
            }
            Err(BookError::Stale(why)) => {
                tracing::warn!(calendars = %why, "reschedule refused: calendars out of date");
                RescheduleResponse::Stale(error(ErrorCode::CalendarsStale, CALENDARS_STALE))
            }
            Err(e) => RescheduleResponse::Internal(internal(&e)),
        }
    }

    /// Every booking as an iCalendar feed, for calendars OpenSlot cannot write to. The token
    /// is the owner's secret (`openslot feeds`, the dashboard), rotated from the dashboard.
    #[oai(
        path = "/bookings.ics",
        method = "get",
        operation_id = "getBookingsFeed",
        tag = "Tag::Feeds"
    )]
    async fn bookings_feed(&self, token: Query<Option<String>>) -> FeedResponse {
        let t = token.0.unwrap_or_default();
        match self
            .service
            .feed_token_opens(Purpose::BookingsFeed, &t)
            .await
        {
            Ok(true) => {}
            Ok(false) => return FeedResponse::NotFound(error(ErrorCode::NotFound, "not found")),
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
    #[oai(
        path = "/freebusy.ics",
        method = "get",
        operation_id = "getFreebusyFeed",
        tag = "Tag::Feeds"
    )]
    async fn freebusy_feed(&self, token: Query<Option<String>>) -> FeedResponse {
        let t = token.0.unwrap_or_default();
        match self
            .service
            .feed_token_opens(Purpose::FreebusyFeed, &t)
            .await
        {
            Ok(true) => {}
            Ok(false) => return FeedResponse::NotFound(error(ErrorCode::NotFound, "not found")),
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

/// What the visitor of a pending booking waits for, for people.
fn pending_message(by: Option<crate::booking::ConfirmBy>) -> &'static str {
    match by {
        Some(crate::booking::ConfirmBy::Owner) => {
            "Waiting for the owner's confirmation: the time is held for you until they decide, \
             and you will get a mail then."
        }
        _ => "Check your mail to confirm the booking: the time is held until then.",
    }
}
