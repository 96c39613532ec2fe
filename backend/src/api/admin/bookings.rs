//! The owner's bookings: the list (filters, search), cancel, the no-show mark.

use std::sync::Arc;

use chrono::Duration;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::api::public::{ErrorJson, error, internal};
use crate::booking::BookError;
use crate::booking::{BookingFilter, BookingRow, BookingStatus, OutboxAction, OutboxRow};

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

/// One calendar write of a booking (the outbox).
#[derive(Debug, Object)]
struct WriteJson {
    source: String,
    /// `create`, `update` or `delete`.
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
    /// `confirmed`, `cancelled`, `pending` (waiting for the visitor's mail confirmation) or
    /// `expired` (not confirmed in time).
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

impl BookingsApi {
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
                        OutboxAction::Update => "update",
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
}

#[OpenApi(prefix_path = "/admin/api")]
impl BookingsApi {
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
            Some(s) => match BookingStatus::parse(s) {
                Some(s) => Some(s),
                None => {
                    return BookingsResponse::Invalid(invalid(
                        "status",
                        "is `confirmed`, `cancelled`, `pending` or `expired`",
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
}
