//! The owner's bookings: the list (filters, search), a booking made by the owner, cancel,
//! move, the no-show mark, and the decision on requests (`confirm = "owner"`): approve, decline.

use std::sync::Arc;

use chrono::Duration;
use openslot_wire::admin::{
    AdminAnswerJson, AdminBookingJson, DeclineBody, ManualBookingBody, NoShowBody, WriteJson,
};
use openslot_wire::public::RescheduleBody;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorCode, ErrorJson, error, internal};
use crate::api::wire;
use crate::booking::input::parse_booking;
use crate::booking::{BookError, BookRequest, DecideError};
use crate::booking::{BookingFilter, BookingRow, BookingStatus, OutboxRow};

use super::{AdminAuth, MAX_LIST, OwnerToken, Part, Tag, invalid, utc};

/// The owner's bookings.
#[derive(Debug)]
pub struct BookingsApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for BookingsApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
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
enum DecideResponse {
    /// The booking as decided: `confirmed` (approved) or `declined`.
    #[oai(status = 200)]
    Ok(Json<Box<AdminBookingJson>>),
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// Not a request waiting for the owner (decided before, expired, cancelled, or a booking
    /// that stood at once): `wrong_state`.
    #[oai(status = 409)]
    NotPending(Json<ErrorJson>),
    /// The reason is not one paragraph of at most 500 characters (`fields`).
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum CreateResponse {
    /// Booked: it stands at once; the visitor is told as if they had booked.
    #[oai(status = 201)]
    Created(Json<Box<AdminBookingJson>>),
    /// The time is not free for the event type (`not_free`).
    #[oai(status = 409)]
    NotFree(Json<ErrorJson>),
    /// A field is wrong (`fields` says which, with the booking form's rules).
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    /// A calendar is too out of date to know whether the time is free.
    #[oai(status = 503)]
    Stale(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

/// The 422 of a manual booking: every wrong field at once.
fn invalid_fields(problems: Vec<(String, String)>) -> Json<ErrorJson> {
    let message = problems
        .iter()
        .map(|(f, r)| format!("{f}: {r}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut body = error(ErrorCode::Invalid, message);
    body.0.fields = problems
        .into_iter()
        .map(|(field, reason)| crate::api::public::FieldError { field, reason })
        .collect();
    body
}

#[derive(ApiResponse)]
enum OwnerRescheduleResponse {
    /// The booking at its new time.
    #[oai(status = 200)]
    Ok(Json<Box<AdminBookingJson>>),
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// The new time is not free for its event type (or the booking does not stand).
    #[oai(status = 409)]
    NotFree(Json<ErrorJson>),
    /// `start` is not an RFC 3339 time (`fields`).
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    /// A calendar is too out of date to know whether the time is free.
    #[oai(status = 503)]
    Stale(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

impl BookingsApi {
    async fn decided(&self, outcome: Result<BookingRow, DecideError>) -> DecideResponse {
        match outcome {
            Ok(b) => DecideResponse::Ok(Json(Box::new(self.booking_with_writes(&b).await))),
            Err(DecideError::NotFound) => {
                DecideResponse::NotFound(error(ErrorCode::NotFound, "no such booking"))
            }
            Err(e @ DecideError::NotPending { .. }) => {
                DecideResponse::NotPending(error(ErrorCode::WrongState, e.to_string()))
            }
            Err(DecideError::Reason(why)) => DecideResponse::Invalid(invalid("reason", &why)),
            Err(e) => DecideResponse::Internal(internal(&e)),
        }
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
            status: wire::status(b.status),
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
                    action: wire::write_action(w.action),
                    state: wire::work_state(w.state),
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
            confirm_by: b.confirm_by.map(wire::confirm_by),
            hold_until: b
                .hold_until
                .filter(|_| b.status == BookingStatus::Pending)
                .map(utc),
            decline_reason: b.decline_reason.clone(),
            event_title: self
                .service()
                .event_type(&b.event_type)
                .map_or_else(|| b.event_type.clone(), |e| e.title),
        }
    }
}

#[OpenApi(prefix_path = "/admin/api")]
impl BookingsApi {
    /// Bookings starting in `[from, to)` (RFC 3339, or days in the owner's zone with `to`
    /// included; default: 30 days ago to the horizon), oldest first, at most 1000. `status`:
    /// `confirmed` or `cancelled`; `q`: part of the name or email, any case.
    #[oai(
        path = "/bookings",
        method = "get",
        operation_id = "listBookings",
        tag = "Tag::Bookings"
    )]
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
            Some(s) => match BookingStatus::parse(s) {
                Some(s) => Some(s),
                None => {
                    return BookingsResponse::Invalid(invalid(
                        "status",
                        "is `confirmed`, `cancelled`, `pending`, `expired` or `declined`",
                    ));
                }
            },
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
    #[oai(
        path = "/bookings/:id/cancel",
        method = "post",
        operation_id = "adminCancelBooking",
        tag = "Tag::Bookings"
    )]
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
                CancelResponse::NotFound(error(ErrorCode::NotFound, "no such booking"))
            }
            Err(e) => CancelResponse::Internal(internal(&e)),
        }
    }

    /// Approves a request waiting for the owner (`confirm = "owner"`; with a series, every
    /// session still waiting): it is written into the calendars and the visitor gets the
    /// confirmation, like any booking. 409 when it is not waiting (any more).
    #[oai(
        path = "/bookings/:id/approve",
        method = "post",
        operation_id = "approveBooking",
        tag = "Tag::Bookings"
    )]
    async fn approve(&self, _auth: OwnerToken, id: Path<String>) -> DecideResponse {
        let outcome = self.service().approve(&id.0).await;
        if let Ok(b) = &outcome {
            tracing::info!(booking = %b.id, "request approved by the owner");
        }
        self.decided(outcome).await
    }

    /// Declines a request waiting for the owner: its time is free again and the visitor is
    /// told, with the reason if one is given. 409 when it is not waiting (any more).
    #[oai(
        path = "/bookings/:id/decline",
        method = "post",
        operation_id = "declineBooking",
        tag = "Tag::Bookings"
    )]
    async fn decline(
        &self,
        _auth: OwnerToken,
        id: Path<String>,
        body: Json<DeclineBody>,
    ) -> DecideResponse {
        let outcome = self
            .service()
            .decline(&id.0, body.0.reason.as_deref())
            .await;
        if let Ok(b) = &outcome {
            tracing::info!(booking = %b.id, "request declined by the owner");
        }
        self.decided(outcome).await
    }

    /// A booking the owner makes (someone phoned): a free slot of the event type, the visitor's
    /// name and address checked as on the booking form; it stands at once whatever `confirm`
    /// says, is written to the calendars and announced (mail, webhooks) like any booking, and
    /// counts as `ref = dashboard` in the statistics.
    #[oai(
        path = "/bookings",
        method = "post",
        operation_id = "createBookingAsOwner",
        tag = "Tag::Bookings"
    )]
    async fn create(&self, _auth: OwnerToken, body: Json<ManualBookingBody>) -> CreateResponse {
        let body = body.0;
        let service = self.service();
        let mut problems = Vec::new();
        if service.event_type(&body.event_type).is_none() {
            problems.push(("event_type".to_owned(), "is not an event type".to_owned()));
        }
        let start = chrono::DateTime::parse_from_rfc3339(body.start.trim())
            .map(|t| t.with_timezone(&chrono::Utc));
        if start.is_err() {
            problems.push((
                "start".to_owned(),
                "is an RFC 3339 time, e.g. 2026-12-01T10:00:00+01:00".to_owned(),
            ));
        }
        let zone = body
            .timezone
            .clone()
            .unwrap_or_else(|| service.config().owner.timezone.name().to_owned());
        let input = parse_booking(&body.name, &body.email, body.notes.as_deref(), &zone).map_err(
            |errors| {
                problems.extend(errors.into_iter().map(|e| (e.field.into_owned(), e.reason)));
            },
        );
        let (Ok(start), Ok(input), true) = (start, input, problems.is_empty()) else {
            return CreateResponse::Invalid(invalid_fields(problems));
        };
        let request = BookRequest {
            event_type: body.event_type,
            start,
            input,
            idempotency: None,
            series: None,
            answers: Vec::new(),
            visit_ref: Some("dashboard".to_owned()),
            by_owner: true,
        };
        match service.book(request).await {
            Ok(booked) => {
                tracing::info!(booking = %booked.booking.id, start = %booked.booking.start, "booked by the owner");
                let b = self.booking_with_writes(&booked.booking).await;
                CreateResponse::Created(Json(Box::new(b)))
            }
            Err(BookError::NotFree) => CreateResponse::NotFree(error(
                ErrorCode::NotFree,
                "that time is not free for this event type",
            )),
            Err(BookError::Stale(why)) => CreateResponse::Stale(error(
                ErrorCode::CalendarsStale,
                format!("a calendar is out of date: {why}"),
            )),
            Err(e) => CreateResponse::Internal(internal(&e)),
        }
    }

    /// Moves a booking as the owner (no manage token needed) to another free slot of its event
    /// type: the visitor's reschedule, with its checks, its calendar updates and its notices.
    #[oai(
        path = "/bookings/:id/reschedule",
        method = "post",
        operation_id = "adminRescheduleBooking",
        tag = "Tag::Bookings"
    )]
    async fn reschedule(
        &self,
        _auth: OwnerToken,
        id: Path<String>,
        body: Json<RescheduleBody>,
    ) -> OwnerRescheduleResponse {
        let start = match body
            .0
            .start
            .as_deref()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s.trim()).ok())
        {
            Some(t) => t.with_timezone(&chrono::Utc),
            None => {
                return OwnerRescheduleResponse::Invalid(invalid(
                    "start",
                    "is an RFC 3339 time, e.g. 2026-12-01T10:00:00+01:00",
                ));
            }
        };
        match self.service().reschedule_as_owner(&id.0, start).await {
            Ok(b) => {
                tracing::info!(booking = %b.id, start = %b.start, "moved by the owner");
                OwnerRescheduleResponse::Ok(Json(Box::new(self.booking_with_writes(&b).await)))
            }
            Err(BookError::NotFound) => {
                OwnerRescheduleResponse::NotFound(error(ErrorCode::NotFound, "no such booking"))
            }
            Err(BookError::NotFree) => OwnerRescheduleResponse::NotFree(error(
                ErrorCode::NotFree,
                "that time is not free for this event type (or the booking does not stand)",
            )),
            Err(BookError::Stale(why)) => OwnerRescheduleResponse::Stale(error(
                ErrorCode::CalendarsStale,
                format!("a calendar is out of date: {why}"),
            )),
            Err(e) => OwnerRescheduleResponse::Internal(internal(&e)),
        }
    }

    /// Marks a booking whose meeting has begun as a no-show (or takes the mark back); the
    /// statistics count it.
    #[oai(
        path = "/bookings/:id/no-show",
        method = "post",
        operation_id = "markNoShow",
        tag = "Tag::Bookings"
    )]
    async fn no_show(
        &self,
        _auth: OwnerToken,
        id: Path<String>,
        body: Json<NoShowBody>,
    ) -> NoShowResponse {
        match self.service().set_no_show(&id.0, body.0.no_show).await {
            Ok(b) => NoShowResponse::Ok(Json(Box::new(self.booking_with_writes(&b).await))),
            Err(BookError::NotFound) => {
                NoShowResponse::NotFound(error(ErrorCode::NotFound, "no such booking"))
            }
            Err(BookError::NotYet) => NoShowResponse::NotYet(error(
                ErrorCode::NotYet,
                "the meeting has not started yet; a no-show can be marked once it has",
            )),
            Err(e) => NoShowResponse::Internal(internal(&e)),
        }
    }
}
