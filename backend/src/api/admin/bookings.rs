//! The owner's bookings: the list (filters, search), cancel, the no-show mark.

use std::sync::Arc;

use chrono::Duration;
use openslot_wire::admin::{AdminAnswerJson, AdminBookingJson, NoShowBody, WriteJson};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorCode, ErrorJson, error, internal};
use crate::api::wire;
use crate::booking::BookError;
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
