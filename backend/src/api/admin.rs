//! The owner's API (`/admin/api`, only on `admin_listen`): login, bookings (list, filter,
//! cancel), manual blocks, sources and their status, the rules (read, edit, reset), `explain`,
//! the week view (`admin_week.rs`), statistics (`/metrics` is in `metrics.rs`).
//!
//! Invariants: every endpoint but `login` needs a valid owner token (HS256, not expired at the
//! service's `now`); without a configured password hash no token is accepted at all and login
//! answers 503. Passwords and tokens never reach a log line. The public listener never mounts
//! any of this (server.rs).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use poem::Request;
use poem_openapi::auth::Bearer;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, SecurityScheme, Tags};

use crate::availability::{Explanation, explain};
use crate::booking::{
    BlockRow, BookingFilter, BookingRow, BookingStatus, DeliveryRow, OutboxAction, OutboxRow,
    Retried,
};
use crate::booking::{BookError, BookingService, RulesError};
use crate::calendar::Interval;
use crate::config::format_range;
use crate::sync::catalog::{CatalogError, Origin, SourceCatalog};

use super::guards::client_ip::client_ip;
use super::guards::password;
use super::guards::rate_limit::RateLimiter;
use super::guards::session::{Claims, Sessions, random_id};
use super::public::{ErrorJson, error, internal};

/// Login attempts per client address and minute.
pub const LOGIN_ATTEMPTS_PER_MINUTE: u32 = 10;
/// The most bookings one list answer holds.
pub const MAX_LIST: u32 = 1000;

#[derive(Tags)]
enum Tag {
    /// Logging in.
    Session,
    /// The owner's bookings and manual blocks.
    Bookings,
    /// Calendars, rules and why a time is (not) free.
    Availability,
    /// Numbers.
    Stats,
    /// Mail and webhook deliveries.
    Deliveries,
}

/// What the token checker needs; put into every admin request (`Route::data`).
#[derive(Debug)]
pub struct AdminAuth {
    pub service: BookingService,
    pub sessions: Sessions,
    /// The sources added in the dashboard.
    pub sources: Arc<SourceCatalog>,
}

impl AdminAuth {
    /// The claims of a valid owner token, or why not (a password must be configured).
    fn check(&self, token: &str) -> Option<Claims> {
        self.service.config().admin.password_hash.as_ref()?;
        self.sessions.verify(token, self.service.now()).ok()
    }
}

/// The owner's token from `POST /admin/api/login`; without a valid one every admin endpoint
/// answers 401 (`{"error": "unauthorized"}`).
#[derive(Debug, SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_token")]
pub struct OwnerToken(pub Claims);

async fn check_token(req: &Request, bearer: Bearer) -> poem::Result<Claims> {
    req.data::<Arc<AdminAuth>>()
        .and_then(|auth| auth.check(&bearer.token))
        .ok_or_else(|| poem::Error::from_response(unauthorized()))
}

/// The 401 answer of every admin endpoint: JSON like every other error.
pub fn unauthorized() -> poem::Response {
    let body = serde_json::json!({
        "error": "unauthorized",
        "message": "log in first (POST /admin/api/login) and send the token as `Authorization: Bearer TOKEN`",
    });
    poem::Response::builder()
        .status(poem::http::StatusCode::UNAUTHORIZED)
        .header("WWW-Authenticate", "Bearer")
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

/// The admin API.
#[derive(Debug)]
pub struct AdminApi {
    pub auth: Arc<AdminAuth>,
    pub limiter: Arc<RateLimiter>,
}

/// The password, once. Not `Debug`: it must never print.
#[derive(Object)]
struct LoginBody {
    password: Option<String>,
}

#[derive(Debug, Object)]
struct SessionJson {
    /// Send as `Authorization: Bearer TOKEN`.
    token: String,
    /// RFC 3339, UTC.
    expires_at: String,
}

/// One calendar write of a booking (the outbox).
#[derive(Debug, Object)]
struct WriteJson {
    source: String,
    /// `create` or `delete`.
    action: String,
    /// `pending`, `done`, `failed` or `skipped`.
    state: String,
    attempts: u32,
    last_error: Option<String>,
}

/// A booking as the owner sees it (times in UTC).
#[derive(Debug, Object)]
struct AdminBookingJson {
    id: String,
    event_type: String,
    start: String,
    end: String,
    /// `confirmed` or `cancelled`.
    status: String,
    name: String,
    email: String,
    notes: String,
    /// The visitor's zone.
    timezone: String,
    created_at: String,
    cancelled_at: Option<String>,
    /// The visitor's manage link.
    manage_url: String,
    /// Per writable calendar: the event's writes and their state.
    writes: Vec<WriteJson>,
    /// The series this booking is a session of.
    #[oai(skip_serializing_if_is_none)]
    series_id: Option<String>,
    /// Which session (1 = the first).
    #[oai(skip_serializing_if_is_none)]
    session: Option<u32>,
    /// The answers to the event type's questions, with the labels asked.
    answers: Vec<AdminAnswerJson>,
    /// Where the visit came from (`?ref=` of the booking page).
    #[oai(skip_serializing_if_is_none)]
    visit_ref: Option<String>,
    /// Marked by the owner: the visitor did not come.
    no_show: bool,
}

#[derive(Debug, Object)]
struct AdminAnswerJson {
    id: String,
    label: String,
    value: String,
}

#[derive(Debug, Object)]
struct NoShowBody {
    /// `true`: the visitor did not come; `false` takes the mark back.
    no_show: bool,
}

#[derive(ApiResponse)]
enum NoShowResponse {
    #[oai(status = 200)]
    Ok(Json<Box<AdminBookingJson>>),
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// The meeting has not begun yet.
    #[oai(status = 409)]
    NotYet(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(Debug, Object)]
struct BlockBody {
    /// RFC 3339.
    start: Option<String>,
    /// RFC 3339, after `start`, at most 366 days later.
    end: Option<String>,
    /// Up to 100 characters.
    label: Option<String>,
}

#[derive(Debug, Object)]
struct BlockJson {
    id: String,
    start: String,
    end: String,
    label: String,
    created_at: String,
}

#[derive(Debug, Object)]
struct ExplainJson {
    at: String,
    event_type: Option<String>,
    bookable: bool,
    /// Every reason, in words (never a busy event's title).
    reasons: Vec<String>,
    /// The availability events (title and source) that open this time, in words; empty
    /// without sources of `role = "availability"`.
    opened_by: Vec<String>,
}

/// One ISO week (UTC) of bookings made and cancelled.
#[derive(Debug, Object)]
struct WeekJson {
    /// `2026-W48`.
    week: String,
    /// Its Monday.
    starts: String,
    /// Bookings made that week (any status now).
    booked: u32,
    /// Of those, by event type.
    by_event_type: BTreeMap<String, u32>,
    /// Cancellations made that week.
    cancelled: u32,
}

/// How many bookings were made this long before their meeting.
#[derive(Debug, Object)]
struct LeadBucketJson {
    /// The bucket holds lead times below this many hours (and at or above the previous
    /// bucket's); `None` for the last, open-ended one.
    below_hours: Option<u32>,
    count: u32,
}

#[derive(Debug, Object)]
struct StatsJson {
    /// The last 12 ISO weeks, oldest first (the current one last).
    weeks: Vec<WeekJson>,
    booked: u32,
    cancelled: u32,
    /// From booking to meeting, over the bookings made in those weeks; none without bookings.
    average_lead_time_hours: Option<f64>,
    /// The same bookings by lead time: under a day, 1-3 days, 3-7 days, 1-2 weeks, longer.
    lead_time: Vec<LeadBucketJson>,
    /// Every day of those weeks (UTC), oldest first: bookings made and cancellations.
    days: Vec<DayJson>,
    /// Bookings made in those weeks by event type.
    by_event_type: BTreeMap<String, u32>,
    /// Bookings made in those weeks by where the visit came from (the booking page's `?ref=`;
    /// `direct` without one).
    by_ref: BTreeMap<String, u32>,
    /// Of the bookings made in those weeks, the share cancelled since (0-1); none without
    /// bookings.
    cancellation_rate: Option<f64>,
    /// Of those whose meeting has begun and that were not cancelled, the share the owner marked
    /// as no-show (0-1); none without such meetings.
    no_show_rate: Option<f64>,
}

/// One day (UTC) of bookings made and cancelled.
#[derive(Debug, Object)]
struct DayJson {
    /// `2026-11-30`.
    date: String,
    booked: u32,
    cancelled: u32,
}

#[derive(ApiResponse)]
enum LoginResponse {
    /// A token for the admin API, valid for `admin.session_minutes`.
    #[oai(status = 200)]
    Ok(Json<SessionJson>),
    /// Wrong (or no) password.
    #[oai(status = 401)]
    Wrong(Json<ErrorJson>),
    /// Too many attempts from this address; retry after `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorJson>, #[oai(header = "Retry-After")] u64),
    /// No admin password is configured (`[admin] password_hash`).
    #[oai(status = 503)]
    NoPassword(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum BookingsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<AdminBookingJson>>),
    /// A parameter is wrong (`fields` says which).
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum CancelResponse {
    /// The booking, cancelled (also when it was already).
    #[oai(status = 200)]
    Ok(Json<Box<AdminBookingJson>>),
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum BlocksResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<BlockJson>>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum AddBlockResponse {
    /// Blocked: no slot overlaps it from now on.
    #[oai(status = 201)]
    Created(Json<BlockJson>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum DeleteBlockResponse {
    /// Removed.
    #[oai(status = 204)]
    Deleted,
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum JsonResponse {
    #[oai(status = 200)]
    Ok(Json<serde_json::Value>),
}

#[derive(ApiResponse)]
enum ExplainResponse {
    #[oai(status = 200)]
    Ok(Json<ExplainJson>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum RulesEditResponse {
    /// Saved and applied: the rules as they are now (like `GET /rules`).
    #[oai(status = 200)]
    Ok(Json<serde_json::Value>),
    /// The document does not check out; `fields` names each key as the file would.
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum WeekResponse {
    #[oai(status = 200)]
    Ok(Json<super::admin_week::WeekViewJson>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

/// One mail or webhook delivery (the delivery log). Holds no address: the target names the
/// reader (`visitor`, `owner`) or the webhook (its id).
#[derive(Debug, Object)]
struct DeliveryJson {
    id: i64,
    /// The booking it is about (booking notices).
    booking_id: Option<String>,
    /// The calendar source it is about (`source.failing`, `source.recovered`).
    source_id: Option<String>,
    /// `mail` or `webhook`.
    channel: String,
    /// `visitor` or `owner` (mail), the webhook's id.
    target: String,
    /// `booking.created`, `booking.rescheduled`, `booking.cancelled`, `booking.reminder`,
    /// `source.failing` or `source.recovered`.
    event: String,
    /// `pending`, `done`, `failed` or `skipped`.
    state: String,
    attempts: u32,
    /// The last HTTP status (webhook) or SMTP reply code (mail).
    last_status: Option<u16>,
    last_error: Option<String>,
    /// RFC 3339, UTC: when the next attempt is due (pending rows).
    next_attempt_at: String,
    created_at: String,
    updated_at: String,
}

impl DeliveryJson {
    fn of(d: &DeliveryRow) -> Self {
        let t = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        DeliveryJson {
            id: d.id,
            booking_id: d.booking_id.clone(),
            source_id: d.source_id.clone(),
            channel: d.channel.as_str().to_owned(),
            target: d.target.clone(),
            event: d.event.clone(),
            state: d.state.as_str().to_owned(),
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error.clone(),
            next_attempt_at: t(d.next_attempt_at),
            created_at: t(d.created_at),
            updated_at: t(d.updated_at),
        }
    }
}

#[derive(ApiResponse)]
enum DeliveriesResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<DeliveryJson>>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum RetryResponse {
    /// Pending again and due now.
    #[oai(status = 200)]
    Ok(Json<DeliveryJson>),
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// Only a failed delivery can be retried.
    #[oai(status = 409)]
    NotFailed(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum StatsResponse {
    #[oai(status = 200)]
    Ok(Json<StatsJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
pub(super) enum SourceChangeResponse {
    /// Edited: the source with its status (like one entry of `GET /sources`).
    #[oai(status = 200)]
    Ok(Json<serde_json::Value>),
    /// Added and synced once: the source with its status.
    #[oai(status = 201)]
    Created(Json<serde_json::Value>),
    /// Removed.
    #[oai(status = 204)]
    Deleted,
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// `file_source` (the configuration file has this id; it wins and is read-only here) or
    /// `exists`.
    #[oai(status = 409)]
    Conflict(Json<ErrorJson>),
    /// `invalid` (with `fields`), `url_refused`, `auth_failed`, `unreachable`, `sync_failed`:
    /// nothing was changed.
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

/// Where to look for calendars. Not `Debug`: the password must never print.
#[derive(Object)]
struct CalendarsBody {
    url: String,
    username: Option<String>,
    password: Option<String>,
}

/// A calendar found on a CalDAV server.
#[derive(Debug, Object)]
struct CalendarJson {
    /// The collection URL: put it in the source's `calendar`.
    href: String,
    /// The display name.
    name: Option<String>,
    /// `#rrggbb` (as the server gave it).
    color: Option<String>,
    /// Whether it holds events (VEVENT); only such calendars are listed.
    supports_events: bool,
}

#[derive(ApiResponse)]
enum CalendarsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<CalendarJson>>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

/// The settings of a source body and its secrets (`password`, `token`: a string, or absent /
/// null for "not given").
fn split_secrets(
    body: serde_json::Value,
) -> Result<(serde_json::Value, crate::config::SourceSecrets), Json<ErrorJson>> {
    let serde_json::Value::Object(mut o) = body else {
        return Err(invalid("", "expected an object (a `[[sources]]` entry)"));
    };
    let mut take = |key: &str| match o.remove(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(key, "expected a string")),
    };
    let secrets = crate::config::SourceSecrets {
        password: take("password")?,
        token: take("token")?,
    };
    Ok((serde_json::Value::Object(o), secrets))
}

/// A refused source change in words, with a stable code.
pub(super) fn change_error(e: CatalogError) -> SourceChangeResponse {
    use crate::sources::SourceError as S;
    let message = e.to_string();
    let discovery = matches!(e, CatalogError::Discovery(_));
    match e {
        CatalogError::Invalid(problems) => {
            let mut body = error("invalid", message);
            body.0.fields = problems
                .0
                .iter()
                .map(|p| super::public::FieldError {
                    field: p.key.clone(),
                    reason: p.message.clone(),
                })
                .collect();
            SourceChangeResponse::Invalid(body)
        }
        CatalogError::FileSource(_) => {
            SourceChangeResponse::Conflict(error("file_source", message))
        }
        CatalogError::Exists(_) => SourceChangeResponse::Conflict(error("exists", message)),
        CatalogError::NotFound(_) => SourceChangeResponse::NotFound(error("not_found", message)),
        CatalogError::Refused(S::Unreachable { .. }) => {
            SourceChangeResponse::Invalid(error("unreachable", message))
        }
        CatalogError::Refused(_) => SourceChangeResponse::Invalid(error("url_refused", message)),
        CatalogError::SyncFailed(source) | CatalogError::Discovery(source) => {
            let code = match source {
                S::AuthFailed { .. } | S::NotAuthorized { .. } | S::ReconnectNeeded { .. } => {
                    "auth_failed"
                }
                S::Unreachable { .. } | S::Timeout { .. } => "unreachable",
                _ if discovery => "not_caldav",
                _ => "sync_failed",
            };
            SourceChangeResponse::Invalid(error(code, message))
        }
        CatalogError::Secret(_) => {
            tracing::error!(error = %message, "a source's secret");
            SourceChangeResponse::Internal(error("secret", message))
        }
        CatalogError::Store(e) => SourceChangeResponse::Internal(internal(&e)),
    }
}

fn invalid(field: &str, reason: impl Into<String>) -> Json<ErrorJson> {
    let reason = reason.into();
    let mut body = error("invalid", format!("{field}: {reason}"));
    body.0.fields = vec![super::public::FieldError {
        field: field.to_owned(),
        reason,
    }];
    body
}

fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn parse_instant(field: &str, text: &str) -> Result<DateTime<Utc>, Json<ErrorJson>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            invalid(
                field,
                "is not an RFC 3339 time (e.g. 2026-12-01T09:30:00+01:00)",
            )
        })
}

fn block_json(b: &BlockRow) -> BlockJson {
    BlockJson {
        id: b.id.clone(),
        start: utc(b.span.start),
        end: utc(b.span.end),
        label: b.label.clone(),
        created_at: utc(b.created_at),
    }
}

impl AdminApi {
    fn service(&self) -> &BookingService {
        &self.auth.service
    }

    fn client(&self, req: &Request) -> Option<IpAddr> {
        let peer = req.remote_addr().as_socket_addr()?.ip();
        let xff = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Some(client_ip(
            peer,
            xff,
            &self.service().config().security.trusted_proxies,
        ))
    }

    /// A time bound: RFC 3339, or a day (`YYYY-MM-DD`, in the owner's zone; `to` includes it).
    fn bound(
        &self,
        field: &str,
        text: Option<&str>,
        default: DateTime<Utc>,
        end: bool,
    ) -> Result<DateTime<Utc>, Json<ErrorJson>> {
        let Some(text) = text.map(str::trim) else {
            return Ok(default);
        };
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            let day = if end { day.succ_opt() } else { Some(day) };
            let zone = self.service().config().owner.timezone;
            return day
                .and_then(|d| crate::availability::start_of_day(zone, d))
                .ok_or_else(|| invalid(field, "is out of range"));
        }
        parse_instant(field, text)
            .map_err(|_| invalid(field, "is not an RFC 3339 time or a date (YYYY-MM-DD)"))
    }

    /// One booking as the list shows it, its calendar writes read from the store (none when the
    /// read fails: the change itself is done).
    async fn booking_with_writes(&self, b: &BookingRow) -> AdminBookingJson {
        let writes = self
            .service()
            .booking_writes(&b.id)
            .await
            .unwrap_or_default();
        self.booking_json(b, &writes)
    }

    fn booking_json(&self, b: &BookingRow, writes: &[OutboxRow]) -> AdminBookingJson {
        AdminBookingJson {
            id: b.id.clone(),
            event_type: b.event_type.clone(),
            start: utc(b.start),
            end: utc(b.end),
            status: b.status.as_str().to_owned(),
            name: b.name.clone(),
            email: b.email.clone(),
            notes: b.notes.clone(),
            timezone: b.timezone.clone(),
            created_at: utc(b.created_at),
            cancelled_at: b.cancelled_at.map(utc),
            manage_url: self.service().manage_url(&b.id),
            writes: writes
                .iter()
                .map(|w| WriteJson {
                    source: w.source_id.clone(),
                    action: match w.action {
                        OutboxAction::Create => "create",
                        OutboxAction::Delete => "delete",
                    }
                    .to_owned(),
                    state: w.state.as_str().to_owned(),
                    attempts: w.attempts,
                    last_error: w.last_error.clone(),
                })
                .collect(),
            series_id: b.series.as_ref().map(|s| s.0.clone()),
            session: b.series.as_ref().map(|s| s.1 + 1),
            answers: b
                .answers
                .iter()
                .map(|a| AdminAnswerJson {
                    id: a.id.clone(),
                    label: a.label.clone(),
                    value: a.value.clone(),
                })
                .collect(),
            visit_ref: b.visit_ref.clone(),
            no_show: b.no_show,
        }
    }

    /// The rules and event types that apply, where they come from (`file` or `dashboard`),
    /// and `document`: the same as an editable document (`PUT /rules` takes it back).
    fn rules_json(&self) -> serde_json::Value {
        let config = self.service().config();
        let edited_at = self.service().rules_edited_at();
        let rules = config.rules();
        let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let hours: serde_json::Map<String, serde_json::Value> = days
            .iter()
            .zip(rules.working_hours.days.iter())
            .map(|(d, ranges)| {
                let list: Vec<String> = ranges.iter().map(format_range).collect();
                ((*d).to_owned(), serde_json::json!(list))
            })
            .collect();
        let overrides: serde_json::Map<String, serde_json::Value> = rules
            .date_overrides
            .iter()
            .map(|(date, ranges)| {
                let list: Vec<String> = ranges.iter().map(format_range).collect();
                (date.to_string(), serde_json::json!(list))
            })
            .collect();
        let blocks: Vec<serde_json::Value> = rules
            .recurring_blocks
            .iter()
            .map(|b| {
                let on: Vec<String> = b
                    .days
                    .iter()
                    .map(|d| days[d.num_days_from_monday() as usize].to_owned())
                    .collect();
                serde_json::json!({"label": b.label, "days": on, "time": format_range(&b.range)})
            })
            .collect();
        let a = &config.availability;
        let event_types: Vec<serde_json::Value> = config
            .event_types
            .iter()
            .map(|e| {
                serde_json::json!({
                    "slug": e.slug,
                    "title": e.title,
                    "description": e.description,
                    "duration_minutes": e.duration_minutes,
                    "step_minutes": e.step_minutes.unwrap_or(e.duration_minutes),
                    "buffer_before_minutes": e.buffer_before_minutes.unwrap_or(a.buffer_before_minutes),
                    "buffer_after_minutes": e.buffer_after_minutes.unwrap_or(a.buffer_after_minutes),
                    "max_per_day": e.max_per_day,
                })
            })
            .collect();
        serde_json::json!({
            "timezone": rules.timezone.name(),
            "working_hours": hours,
            "date_overrides": overrides,
            "recurring_blocks": blocks,
            "min_notice_minutes": a.min_notice_minutes,
            "horizon_days": a.horizon_days,
            "buffer_before_minutes": a.buffer_before_minutes,
            "buffer_after_minutes": a.buffer_after_minutes,
            "max_bookings_per_day": a.max_bookings_per_day,
            "event_types": event_types,
            "source": if edited_at.is_some() { "dashboard" } else { "file" },
            "edited_at": edited_at.map(utc),
            "document": crate::config::rules_document(&config),
        })
    }

    fn sources_json(&self, now: DateTime<Utc>) -> serde_json::Value {
        sources_json(&self.auth, now)
    }

    /// The status entry of one source (after a change).
    fn source_json(&self, id: &str) -> serde_json::Value {
        source_status(&self.auth, id)
    }
}

/// Every source in use with its status, `origin` ("file" or "dashboard") and, for the
/// dashboard's, `settings` (to edit) and `has_secret`; then the dashboard's sources the file
/// shadows (`shadowed: true`, not used).
fn sources_json(auth: &AdminAuth, now: DateTime<Utc>) -> serde_json::Value {
    let catalog = &auth.sources;
    let entries = catalog.entries();
    let statuses = auth.service.source_statuses(now);
    let mut list: Vec<serde_json::Value> = statuses
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("summary".into(), s.summary().into());
                o.insert("healthy".into(), s.healthy().into());
                o.insert("blocks_booking".into(), s.blocks_booking().into());
                let origin = catalog.origin(&s.id).unwrap_or(Origin::File);
                o.insert("origin".into(), origin.as_str().into());
                o.insert("shadowed".into(), false.into());
                if let (Origin::Dashboard, Some(e)) = (origin, entries.get(&s.id)) {
                    o.insert("settings".into(), e.settings.clone());
                    o.insert("has_secret".into(), e.has_secret.into());
                }
            }
            v
        })
        .collect();
    list.extend(entries.iter().filter(|(_, e)| e.shadowed).map(|(id, e)| {
        serde_json::json!({
            "id": id,
            "kind": e.settings.get("kind").cloned().unwrap_or_default(),
            "name": e.settings.get("name").cloned(),
            "origin": Origin::Dashboard.as_str(),
            "shadowed": true,
            "settings": e.settings,
            "has_secret": e.has_secret,
            "healthy": false,
            "blocks_booking": false,
            "summary": format!("not used: the configuration file has a source `{id}`, and the file wins"),
        })
    }));
    serde_json::Value::Array(list)
}

/// The status entry of one source (after a change).
pub(super) fn source_status(auth: &AdminAuth, id: &str) -> serde_json::Value {
    match sources_json(auth, auth.service.now()) {
        serde_json::Value::Array(list) => list
            .into_iter()
            .find(|v| v.get("id").and_then(|i| i.as_str()) == Some(id))
            .unwrap_or_default(),
        _ => serde_json::Value::Null,
    }
}

/// Statistics over `rows` (bookings made or cancelled since `since`), `weeks` ISO weeks on;
/// `now` decides which meetings have begun (no-show rate).
fn stats(rows: &[BookingRow], since: DateTime<Utc>, weeks: usize, now: DateTime<Utc>) -> StatsJson {
    let day_of = |t: DateTime<Utc>| -> Option<usize> {
        usize::try_from((t - since).num_days())
            .ok()
            .filter(|&i| t >= since && i < weeks * 7)
    };
    let mut days: Vec<DayJson> = (0..weeks * 7)
        .map(|i| DayJson {
            date: (since + Duration::days(i as i64)).date_naive().to_string(),
            booked: 0,
            cancelled: 0,
        })
        .collect();
    let (mut by_event_type, mut by_ref) = (BTreeMap::new(), BTreeMap::new());
    let (mut made, mut made_cancelled, mut met, mut no_shows) = (0u32, 0u32, 0u32, 0u32);
    for b in rows {
        if let Some(i) = day_of(b.created_at) {
            days[i].booked += 1;
            made += 1;
            *by_event_type.entry(b.event_type.clone()).or_insert(0) += 1;
            let source = b.visit_ref.clone().unwrap_or_else(|| "direct".to_owned());
            *by_ref.entry(source).or_insert(0) += 1;
            match b.status {
                BookingStatus::Cancelled => made_cancelled += 1,
                BookingStatus::Confirmed if b.start <= now => {
                    met += 1;
                    no_shows += u32::from(b.no_show);
                }
                BookingStatus::Confirmed => {}
            }
        }
        if let Some(i) = b.cancelled_at.and_then(day_of) {
            days[i].cancelled += 1;
        }
    }
    let rate = |n: u32, of: u32| {
        (of > 0).then(|| (f64::from(n) / f64::from(of) * 1000.0).round() / 1000.0)
    };
    let week_of = |t: DateTime<Utc>| -> Option<usize> {
        let i = (t - since).num_days().checked_div(7)?;
        usize::try_from(i).ok().filter(|&i| t >= since && i < weeks)
    };
    let mut out: Vec<WeekJson> = (0..weeks)
        .map(|i| {
            let monday = (since + Duration::weeks(i as i64)).date_naive();
            let iso = monday.iso_week();
            WeekJson {
                week: format!("{}-W{:02}", iso.year(), iso.week()),
                starts: monday.to_string(),
                booked: 0,
                by_event_type: BTreeMap::new(),
                cancelled: 0,
            }
        })
        .collect();
    const LEAD_BUCKETS: [u32; 4] = [24, 72, 168, 336];
    let mut lead_time: Vec<LeadBucketJson> = LEAD_BUCKETS
        .iter()
        .map(|&h| Some(h))
        .chain([None])
        .map(|below_hours| LeadBucketJson {
            below_hours,
            count: 0,
        })
        .collect();
    let (mut lead_sum, mut lead_n) = (0.0, 0u32);
    for b in rows {
        if let Some(i) = week_of(b.created_at) {
            out[i].booked += 1;
            *out[i]
                .by_event_type
                .entry(b.event_type.clone())
                .or_insert(0) += 1;
            let hours = (b.start - b.created_at).num_seconds() as f64 / 3600.0;
            lead_sum += hours;
            let bucket = LEAD_BUCKETS
                .iter()
                .position(|&h| hours < f64::from(h))
                .unwrap_or(LEAD_BUCKETS.len());
            lead_time[bucket].count += 1;
            lead_n += 1;
        }
        if let Some(i) = b.cancelled_at.and_then(week_of) {
            out[i].cancelled += 1;
        }
    }
    StatsJson {
        booked: out.iter().map(|w| w.booked).sum(),
        cancelled: out.iter().map(|w| w.cancelled).sum(),
        average_lead_time_hours: (lead_n > 0)
            .then(|| (lead_sum / f64::from(lead_n) * 10.0).round() / 10.0),
        weeks: out,
        lead_time,
        days,
        by_event_type,
        by_ref,
        cancellation_rate: rate(made_cancelled, made),
        no_show_rate: rate(no_shows, met),
    }
}

/// Monday 00:00 UTC of the ISO week `weeks - 1` weeks before the one holding `now`.
fn stats_since(now: DateTime<Utc>, weeks: i64) -> DateTime<Utc> {
    let today = now.date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    (monday - Duration::weeks(weeks - 1))
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
}

#[OpenApi(prefix_path = "/admin/api")]
impl AdminApi {
    /// Logs the owner in: the password from `[admin] password_hash` gives a token.
    #[oai(path = "/login", method = "post", tag = "Tag::Session")]
    async fn login(&self, req: &Request, body: Json<LoginBody>) -> LoginResponse {
        if let Some(ip) = self.client(req)
            && let Err(wait) = self.limiter.check(ip)
        {
            return LoginResponse::TooMany(
                error("rate_limited", "too many login attempts; wait a minute"),
                wait.seconds(),
            );
        }
        let Some(hash) = self.service().config().admin.password_hash.clone() else {
            return LoginResponse::NoPassword(error(
                "no_password",
                "no admin password configured (set [admin] password_hash; `openslot hash-password` makes one)",
            ));
        };
        let attempt = body.0.password.unwrap_or_default();
        let ok = tokio::task::spawn_blocking(move || {
            !attempt.is_empty() && password::verify(&attempt, hash.expose())
        })
        .await
        .unwrap_or(false);
        if !ok {
            tracing::warn!(client = ?self.client(req), "admin login refused");
            return LoginResponse::Wrong(error("wrong_password", "wrong password"));
        }
        match self.auth.sessions.issue(self.service().now()) {
            Ok(issued) => {
                tracing::info!(client = ?self.client(req), "admin login");
                LoginResponse::Ok(Json(SessionJson {
                    token: issued.token,
                    expires_at: utc(issued.expires_at),
                }))
            }
            Err(e) => LoginResponse::Internal(internal(&e)),
        }
    }

    /// Bookings starting in `[from, to)` (RFC 3339, or days in the owner's zone with `to`
    /// included; default: 30 days ago to the horizon), oldest first, at most 1000. `status`:
    /// `confirmed` or `cancelled`; `q`: part of the name or email, any case.
    #[oai(path = "/bookings", method = "get", tag = "Tag::Bookings")]
    async fn bookings(
        &self,
        _auth: OwnerToken,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
        status: Query<Option<String>>,
        q: Query<Option<String>>,
    ) -> BookingsResponse {
        let now = self.service().now();
        let horizon = i64::from(self.service().config().availability.horizon_days);
        let from = match self.bound("from", from.0.as_deref(), now - Duration::days(30), false) {
            Ok(t) => t,
            Err(e) => return BookingsResponse::Invalid(e),
        };
        let to = match self.bound(
            "to",
            to.0.as_deref(),
            now + Duration::days(horizon + 1),
            true,
        ) {
            Ok(t) => t,
            Err(e) => return BookingsResponse::Invalid(e),
        };
        let status = match status.0.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("confirmed") => Some(BookingStatus::Confirmed),
            Some("cancelled") => Some(BookingStatus::Cancelled),
            Some(_) => {
                return BookingsResponse::Invalid(invalid(
                    "status",
                    "is `confirmed` or `cancelled`",
                ));
            }
        };
        let filter = BookingFilter {
            status,
            text: q.0.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
        };
        let found = self
            .service()
            .search_bookings(from, to, filter, MAX_LIST)
            .await;
        match found {
            Ok(rows) => BookingsResponse::Ok(Json(
                rows.iter().map(|(b, w)| self.booking_json(b, w)).collect(),
            )),
            Err(e) => BookingsResponse::Internal(internal(&e)),
        }
    }

    /// Cancels a booking as the owner (no manage token needed); its events are removed from
    /// the calendars like after the visitor's cancel. Cancelling twice is fine.
    #[oai(path = "/bookings/:id/cancel", method = "post", tag = "Tag::Bookings")]
    async fn cancel(
        &self,
        _auth: OwnerToken,
        id: Path<String>,
        /// Why (kept in the log only; not shown to the visitor).
        note: Query<Option<String>>,
    ) -> CancelResponse {
        let note = note.0.unwrap_or_default();
        match self.service().cancel_as_owner(&id.0).await {
            Ok(b) => {
                tracing::info!(booking = %b.id, note = %note, "cancelled by the owner");
                CancelResponse::Ok(Json(Box::new(self.booking_with_writes(&b).await)))
            }
            Err(BookError::NotFound) => {
                CancelResponse::NotFound(error("not_found", "no such booking"))
            }
            Err(e) => CancelResponse::Internal(internal(&e)),
        }
    }

    /// Marks a booking whose meeting has begun as a no-show (or takes the mark back); the
    /// statistics count it.
    #[oai(path = "/bookings/:id/no-show", method = "post", tag = "Tag::Bookings")]
    async fn no_show(
        &self,
        _auth: OwnerToken,
        id: Path<String>,
        body: Json<NoShowBody>,
    ) -> NoShowResponse {
        match self.service().set_no_show(&id.0, body.0.no_show).await {
            Ok(b) => NoShowResponse::Ok(Json(Box::new(self.booking_with_writes(&b).await))),
            Err(BookError::NotFound) => {
                NoShowResponse::NotFound(error("not_found", "no such booking"))
            }
            Err(BookError::NotYet) => NoShowResponse::NotYet(error(
                "not_yet",
                "the meeting has not started yet; a no-show can be marked once it has",
            )),
            Err(e) => NoShowResponse::Internal(internal(&e)),
        }
    }

    /// Manual blocks overlapping `[from, to)` (RFC 3339 or days; default: 30 days ago to a
    /// year ahead).
    #[oai(path = "/blocks", method = "get", tag = "Tag::Bookings")]
    async fn blocks(
        &self,
        _auth: OwnerToken,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
    ) -> BlocksResponse {
        let now = self.service().now();
        let from = match self.bound("from", from.0.as_deref(), now - Duration::days(30), false) {
            Ok(t) => t,
            Err(e) => return BlocksResponse::Invalid(e),
        };
        let to = match self.bound("to", to.0.as_deref(), now + Duration::days(400), true) {
            Ok(t) => t,
            Err(e) => return BlocksResponse::Invalid(e),
        };
        match self.service().blocks(from, to).await {
            Ok(rows) => BlocksResponse::Ok(Json(rows.iter().map(block_json).collect())),
            Err(e) => BlocksResponse::Internal(internal(&e)),
        }
    }

    /// Blocks `[start, end)`: no slot overlaps it (bookings already made stay).
    #[oai(path = "/blocks", method = "post", tag = "Tag::Bookings")]
    async fn add_block(&self, _auth: OwnerToken, body: Json<BlockBody>) -> AddBlockResponse {
        let body = body.0;
        let start = match parse_instant("start", body.start.as_deref().unwrap_or_default()) {
            Ok(t) => t,
            Err(e) => return AddBlockResponse::Invalid(e),
        };
        let end = match parse_instant("end", body.end.as_deref().unwrap_or_default()) {
            Ok(t) => t,
            Err(e) => return AddBlockResponse::Invalid(e),
        };
        let Some(span) =
            Interval::new(start, end).filter(|s| s.end - s.start <= Duration::days(366))
        else {
            return AddBlockResponse::Invalid(invalid(
                "end",
                "must be after `start` and at most 366 days later",
            ));
        };
        let label = body.label.unwrap_or_default().trim().to_owned();
        if label.chars().count() > 100 || label.contains(['\n', '\r']) {
            return AddBlockResponse::Invalid(invalid("label", "at most 100 characters, one line"));
        }
        let now = self.service().now();
        let row = BlockRow {
            id: random_id(),
            span,
            label,
            created_at: now,
        };
        match self.service().add_block(&row).await {
            Ok(()) => {
                tracing::info!(block = %row.id, start = %row.span.start, end = %row.span.end, "block added");
                AddBlockResponse::Created(Json(block_json(&row)))
            }
            Err(e) => AddBlockResponse::Internal(internal(&e)),
        }
    }

    /// Removes a manual block.
    #[oai(path = "/blocks/:id", method = "delete", tag = "Tag::Bookings")]
    async fn delete_block(&self, _auth: OwnerToken, id: Path<String>) -> DeleteBlockResponse {
        match self.service().delete_block(&id.0).await {
            Ok(true) => {
                tracing::info!(block = %id.0, "block removed");
                DeleteBlockResponse::Deleted
            }
            Ok(false) => DeleteBlockResponse::NotFound(error("not_found", "no such block")),
            Err(e) => DeleteBlockResponse::Internal(internal(&e)),
        }
    }

    /// Every calendar source and its status (last sync, error in words, freshness).
    #[oai(path = "/sources", method = "get", tag = "Tag::Availability")]
    async fn sources(&self, _auth: OwnerToken) -> JsonResponse {
        JsonResponse::Ok(Json(self.sources_json(self.service().now())))
    }

    /// Syncs every source now (waiting at most `server.refresh_budget_ms`), then the statuses.
    #[oai(path = "/sources/sync", method = "post", tag = "Tag::Availability")]
    async fn sync(&self, _auth: OwnerToken) -> JsonResponse {
        let service = self.service();
        service.refresh_sources().await;
        JsonResponse::Ok(Json(self.sources_json(service.now())))
    }

    /// Adds a calendar source: the body is a `[[sources]]` entry as JSON (`id`, `kind` "ics" or
    /// "caldav", `url`, `username`, `calendar`, `write`, …) plus the secrets `password` and
    /// `token`, which are stored encrypted and never answered (`has_secret`). The source is
    /// synced once before it is saved; its time blocks slots from the answer on.
    #[oai(path = "/sources", method = "post", tag = "Tag::Availability")]
    async fn add_source(
        &self,
        _auth: OwnerToken,
        body: Json<serde_json::Value>,
    ) -> SourceChangeResponse {
        let (settings, secrets) = match split_secrets(body.0) {
            Ok(parts) => parts,
            Err(e) => return SourceChangeResponse::Invalid(e),
        };
        if let Some(kind @ ("google" | "microsoft")) = settings.get("kind").and_then(|k| k.as_str())
        {
            return SourceChangeResponse::Invalid(invalid(
                "kind",
                format!(
                    "a \"{kind}\" account is connected with POST /admin/api/oauth/{kind}/start (\"Connect\" in the dashboard)"
                ),
            ));
        }
        let id = settings
            .get("id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        let service = self.service();
        match self
            .auth
            .sources
            .create(settings, secrets, service.now())
            .await
        {
            Ok(()) => SourceChangeResponse::Created(Json(self.source_json(&id))),
            Err(e) => change_error(e),
        }
    }

    /// Edits a source added in the dashboard (the whole entry; `password` or `token` left out
    /// keep the stored ones, `""` removes one). File sources are read-only (409).
    #[oai(path = "/sources/:id", method = "put", tag = "Tag::Availability")]
    async fn edit_source(
        &self,
        _auth: OwnerToken,
        id: Path<String>,
        body: Json<serde_json::Value>,
    ) -> SourceChangeResponse {
        let (settings, secrets) = match split_secrets(body.0) {
            Ok(parts) => parts,
            Err(e) => return SourceChangeResponse::Invalid(e),
        };
        let service = self.service();
        match self
            .auth
            .sources
            .update(&id.0, settings, secrets, service.now())
            .await
        {
            Ok(()) => SourceChangeResponse::Ok(Json(self.source_json(&id.0))),
            Err(e) => change_error(e),
        }
    }

    /// Removes a source added in the dashboard; its busy time is free from the next answer.
    /// Pending calendar writes to it fail with a reason. File sources are read-only (409).
    #[oai(path = "/sources/:id", method = "delete", tag = "Tag::Availability")]
    async fn delete_source(&self, _auth: OwnerToken, id: Path<String>) -> SourceChangeResponse {
        match self.auth.sources.delete(&id.0).await {
            Ok(()) => {
                // Writes queued for it fail now rather than at their next attempt.
                self.service().outbox_wake().notify_one();
                SourceChangeResponse::Deleted
            }
            Err(e) => change_error(e),
        }
    }

    /// The calendars at a CalDAV URL (discovery), to pick the `calendar` of a new source.
    /// Only calendars that can hold events are listed. Errors say what went wrong in words:
    /// `auth_failed` (wrong username or password), `unreachable`, `not_caldav`, `url_refused`.
    #[oai(path = "/caldav/calendars", method = "post", tag = "Tag::Availability")]
    async fn caldav_calendars(
        &self,
        _auth: OwnerToken,
        body: Json<CalendarsBody>,
    ) -> CalendarsResponse {
        let b = body.0;
        match self
            .auth
            .sources
            .calendars(&b.url, b.username.as_deref(), b.password.as_deref())
            .await
        {
            Ok(list) => CalendarsResponse::Ok(Json(
                list.into_iter()
                    .map(|c| CalendarJson {
                        href: c.url,
                        name: c.name,
                        color: c.color,
                        supports_events: true,
                    })
                    .collect(),
            )),
            Err(e) => match change_error(e) {
                SourceChangeResponse::Invalid(j) => CalendarsResponse::Invalid(j),
                SourceChangeResponse::Internal(j) => CalendarsResponse::Internal(j),
                _ => CalendarsResponse::Internal(error("internal", "unexpected answer")),
            },
        }
    }

    /// The availability rules and event types that apply: from the configuration file, or as
    /// edited in the dashboard (`source`), with `document` to edit.
    #[oai(path = "/rules", method = "get", tag = "Tag::Availability")]
    async fn rules(&self, _auth: OwnerToken) -> JsonResponse {
        JsonResponse::Ok(Json(self.rules_json()))
    }

    /// Replaces the rules and event types with `{"availability": {…}, "event_types": […]}`
    /// (the configuration file's shape and checks). Applied at once, kept across restarts,
    /// until `DELETE /rules`.
    #[oai(path = "/rules", method = "put", tag = "Tag::Availability")]
    async fn edit_rules(
        &self,
        _auth: OwnerToken,
        body: Json<serde_json::Value>,
    ) -> RulesEditResponse {
        match self.service().save_rules(&body.0).await {
            Ok(_) => {
                tracing::info!("rules edited in the dashboard");
                RulesEditResponse::Ok(Json(self.rules_json()))
            }
            Err(RulesError::Invalid(problems)) => {
                let mut body = error("invalid", problems.to_string());
                body.0.fields = problems
                    .0
                    .iter()
                    .map(|p| super::public::FieldError {
                        field: p.key.clone(),
                        reason: p.message.clone(),
                    })
                    .collect();
                RulesEditResponse::Invalid(body)
            }
            Err(RulesError::Store(e)) => RulesEditResponse::Internal(internal(&e)),
        }
    }

    /// Forgets the dashboard's edits: the configuration file's rules apply again.
    #[oai(path = "/rules", method = "delete", tag = "Tag::Availability")]
    async fn reset_rules(&self, _auth: OwnerToken) -> RulesEditResponse {
        match self.service().reset_rules().await {
            Ok(()) => {
                tracing::info!("rules reset to the configuration file");
                RulesEditResponse::Ok(Json(self.rules_json()))
            }
            Err(e) => RulesEditResponse::Internal(internal(&e)),
        }
    }

    /// Busy time per calendar and merged, bookings, manual blocks and free slots of every
    /// event type for `days` days (default 7, at most 31) from `from` (a day in the owner's
    /// zone, default today).
    #[oai(path = "/week", method = "get", tag = "Tag::Availability")]
    async fn week(
        &self,
        _auth: OwnerToken,
        from: Query<Option<String>>,
        days: Query<Option<u32>>,
    ) -> WeekResponse {
        let zone = self.service().config().owner.timezone;
        let today = self.service().now().with_timezone(&zone).date_naive();
        let first = match from.0.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => today,
            Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(d) => d,
                Err(_) => {
                    return WeekResponse::Invalid(invalid("from", "is not a date (YYYY-MM-DD)"));
                }
            },
        };
        let days = days.0.unwrap_or(7);
        if !(1..=super::admin_week::MAX_DAYS).contains(&days) {
            return WeekResponse::Invalid(invalid("days", "must be between 1 and 31"));
        }
        match super::admin_week::week_view(self.service(), first, days).await {
            Ok(Some(view)) => WeekResponse::Ok(Json(view)),
            Ok(None) => WeekResponse::Invalid(invalid("from", "is out of range")),
            Err(e) => WeekResponse::Internal(internal(&e)),
        }
    }

    /// Why an instant (`at`, RFC 3339) is or is not bookable, for an event type or as a bare
    /// instant: working hours, overrides, blocks, busy calendars, bookings, buffers, notice,
    /// horizon, daily limits.
    #[oai(path = "/explain", method = "get", tag = "Tag::Availability")]
    async fn explain(
        &self,
        _auth: OwnerToken,
        at: Query<Option<String>>,
        event_type: Query<Option<String>>,
    ) -> ExplainResponse {
        let Some(text) = at.0 else {
            return ExplainResponse::Invalid(invalid("at", "is required (RFC 3339)"));
        };
        let at = match parse_instant("at", &text) {
            Ok(t) => t,
            Err(e) => return ExplainResponse::Invalid(e),
        };
        let et = match event_type.0.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(slug) => match self.service().event_type(slug) {
                Some(et) => Some(et),
                None => {
                    return ExplainResponse::Invalid(invalid(
                        "event_type",
                        format!("there is no event type `{slug}`"),
                    ));
                }
            },
        };
        let now = self.service().now();
        let window = Interval {
            start: at - Duration::days(2),
            end: at + Duration::days(2),
        };
        let held = match self.service().window_facts(window, now).await {
            Ok(x) => x,
            Err(e) => return ExplainResponse::Internal(internal(&e)),
        };
        let facts = held.facts(now);
        let Explanation {
            bookable,
            reasons,
            opened_by,
        } = explain(&self.service().config().rules(), et.as_ref(), &facts, at);
        ExplainResponse::Ok(Json(ExplainJson {
            at: utc(at),
            event_type: et.map(|e| e.slug),
            bookable,
            reasons: reasons.iter().map(ToString::to_string).collect(),
            opened_by: opened_by.iter().map(ToString::to_string).collect(),
        }))
    }

    /// Bookings made and cancelled per ISO week (UTC) over the last 12 weeks, by event type,
    /// and the average time from booking to meeting.
    #[oai(path = "/stats", method = "get", tag = "Tag::Stats")]
    async fn stats(&self, _auth: OwnerToken) -> StatsResponse {
        const WEEKS: i64 = 12;
        let since = stats_since(self.service().now(), WEEKS);
        match self.service().bookings_touched_since(since).await {
            Ok(rows) => StatsResponse::Ok(Json(stats(
                &rows,
                since,
                WEEKS as usize,
                self.service().now(),
            ))),
            Err(e) => StatsResponse::Internal(internal(&e)),
        }
    }

    /// The delivery log: the latest mails and webhook requests, newest first (at most
    /// `limit`, default 200, up to 1000).
    #[oai(path = "/deliveries", method = "get", tag = "Tag::Deliveries")]
    async fn deliveries(&self, _auth: OwnerToken, limit: Query<Option<u32>>) -> DeliveriesResponse {
        let limit = limit.0.unwrap_or(200).clamp(1, MAX_LIST);
        match self.service().deliveries(limit).await {
            Ok(rows) => DeliveriesResponse::Ok(Json(rows.iter().map(DeliveryJson::of).collect())),
            Err(e) => DeliveriesResponse::Internal(internal(&e)),
        }
    }

    /// Tries a failed delivery once more, now (its attempts so far are kept: if it fails
    /// again it is failed again, with the new reason).
    #[oai(
        path = "/deliveries/:id/retry",
        method = "post",
        tag = "Tag::Deliveries"
    )]
    async fn retry_delivery(&self, _auth: OwnerToken, id: Path<i64>) -> RetryResponse {
        let id = id.0;
        match self.service().retry_delivery(id).await {
            Ok(Retried::Queued(row)) => {
                tracing::info!(delivery = id, "delivery retried by the owner");
                RetryResponse::Ok(Json(DeliveryJson::of(&row)))
            }
            Ok(Retried::NotFailed) => RetryResponse::NotFailed(error(
                "not_failed",
                "only a failed delivery can be retried",
            )),
            Ok(Retried::NotFound) => {
                RetryResponse::NotFound(error("not_found", "no such delivery"))
            }
            Err(e) => RetryResponse::Internal(internal(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn row(
        id: &str,
        slug: &str,
        created: &str,
        start: &str,
        cancelled: Option<&str>,
    ) -> BookingRow {
        BookingRow {
            id: id.into(),
            event_type: slug.into(),
            start: at(start),
            end: at(start) + Duration::minutes(30),
            name: "n".into(),
            email: "e@x".into(),
            notes: String::new(),
            timezone: "UTC".into(),
            status: if cancelled.is_some() {
                BookingStatus::Cancelled
            } else {
                BookingStatus::Confirmed
            },
            sequence: 0,
            created_at: at(created),
            updated_at: at(created),
            cancelled_at: cancelled.map(at),
            series: None,
            answers: Vec::new(),
            visit_ref: None,
            no_show: false,
        }
    }

    #[test]
    fn weeks_count_bookings_cancellations_and_lead_time() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap(); // a Monday, W49
        let since = stats_since(now, 12);
        assert_eq!(since, at("2026-09-14T00:00:00Z"));
        let rows = [
            row(
                "a",
                "intro",
                "2026-11-30T06:00:00Z",
                "2026-12-01T06:00:00Z",
                None,
            ),
            row(
                "b",
                "consult",
                "2026-11-29T23:00:00Z",
                "2026-11-30T11:00:00Z",
                Some("2026-11-30T06:00:00Z"),
            ),
            row(
                "c",
                "intro",
                "2026-01-01T00:00:00Z",
                "2026-12-01T06:00:00Z",
                Some("2026-11-24T00:00:00Z"),
            ),
        ];
        let s = stats(&rows, since, 12, now);
        assert_eq!(s.weeks.len(), 12);
        assert_eq!(s.weeks[11].week, "2026-W49");
        assert_eq!(s.weeks[11].starts, "2026-11-30");
        assert_eq!((s.weeks[11].booked, s.weeks[11].cancelled), (1, 1));
        assert_eq!((s.weeks[10].booked, s.weeks[10].cancelled), (1, 1));
        assert_eq!(s.weeks[10].by_event_type.get("consult"), Some(&1));
        assert_eq!((s.booked, s.cancelled), (2, 2));
        assert_eq!(s.average_lead_time_hours, Some(18.0));
        let counts: Vec<u32> = s.lead_time.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 1, 0, 0, 0], "12 hours and exactly a day");
        let empty = stats(&[], since, 12, now);
        assert_eq!(empty.average_lead_time_hours, None);
        assert_eq!((empty.cancellation_rate, empty.no_show_rate), (None, None));
        assert_eq!(empty.days.len(), 84);
    }

    #[test]
    fn days_sources_and_rates() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        let since = stats_since(now, 12);
        let made = "2026-11-29T10:00:00Z";
        let mut rows = vec![
            row("a", "intro", made, "2026-11-30T09:00:00Z", None),
            row("b", "intro", made, "2026-11-30T10:00:00Z", None),
            row(
                "c",
                "consult",
                made,
                "2026-12-02T10:00:00Z",
                Some("2026-11-30T08:00:00Z"),
            ),
            row("d", "consult", made, "2026-12-03T10:00:00Z", None),
        ];
        rows[0].no_show = true;
        rows[0].visit_ref = Some("newsletter".into());
        rows[2].visit_ref = Some("newsletter".into());
        let s = stats(&rows, since, 12, now);
        let day = |d: &str| {
            s.days
                .iter()
                .find(|x| x.date == d)
                .map(|x| (x.booked, x.cancelled))
        };
        assert_eq!(day("2026-11-29"), Some((4, 0)));
        assert_eq!(day("2026-11-30"), Some((0, 1)));
        assert_eq!(s.days.last().map(|d| d.date.as_str()), Some("2026-12-06"));
        assert_eq!(s.by_event_type.get("consult"), Some(&2));
        assert_eq!(s.by_ref.get("newsletter"), Some(&2));
        assert_eq!(s.by_ref.get("direct"), Some(&2));
        assert_eq!(s.cancellation_rate, Some(0.25));
        // a and b have begun and were not cancelled; a is a no-show.
        assert_eq!(s.no_show_rate, Some(0.5));
    }
}
