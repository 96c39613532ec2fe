//! One `ApiResponse` per public endpoint, every status documented, and what each answers when
//! poem cannot even read the request.

use poem_openapi::ApiResponse;
use poem_openapi::payload::{Json, PlainText};

use crate::api::guards::captcha::Challenge;

use super::{
    BookingJson, ErrorCode, ErrorJson, EventTypeJson, PageJson, SlotsJson, Unparsable, error,
    not_found, unparsable,
};

#[derive(ApiResponse)]
pub(super) enum PageResponse {
    #[oai(status = 200)]
    Ok(Json<PageJson>),
}

#[derive(ApiResponse)]
pub(super) enum EventTypesResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<EventTypeJson>>),
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "slots_bad_request")]
pub(super) enum SlotsResponse {
    #[oai(status = 200)]
    Ok(Json<SlotsJson>),
    /// A parameter is missing or wrong (`fields` says which).
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
pub(super) enum CaptchaResponse {
    /// A new challenge (ALTCHA): find `number` so that SHA-256(salt + number) = challenge.
    #[oai(status = 200)]
    Ok(Json<Challenge>),
    /// The captcha is off on this OpenSlot.
    #[oai(status = 404)]
    Off(Json<ErrorJson>),
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "book_bad_request")]
pub(super) enum BookResponse {
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
    /// The body is larger than 64 KB (`too_large`); it is not read.
    #[oai(status = 413)]
    TooLarge(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

fn book_bad_request(err: poem::Error) -> BookResponse {
    match unparsable(&err) {
        Unparsable::UnsupportedMediaType(e) => BookResponse::UnsupportedMediaType(e),
        Unparsable::BadRequest(e) => BookResponse::BadRequest(e),
        Unparsable::Path => BookResponse::BadRequest(error(ErrorCode::Invalid, err.to_string())),
        Unparsable::TooLarge(e) => BookResponse::TooLarge(e),
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "manage_bad_request")]
pub(super) enum ManageResponse {
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
#[oai(bad_request_handler = "confirm_bad_request")]
pub(super) enum ConfirmResponse {
    /// Confirmed (or confirmed before).
    #[oai(status = 200)]
    Ok(Json<Box<BookingJson>>),
    /// Unknown id, or a missing or wrong token (the two are not told apart).
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// The hold ran out (or the booking was cancelled) first: `hold_ended`; book again.
    #[oai(status = 410)]
    Gone(Json<ErrorJson>),
    #[oai(status = 429)]
    TooMany(Json<ErrorJson>, #[oai(header = "Retry-After")] u64),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

fn confirm_bad_request(_: poem::Error) -> ConfirmResponse {
    ConfirmResponse::NotFound(not_found())
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "reschedule_bad_request")]
pub(super) enum RescheduleResponse {
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
    /// The body is larger than 64 KB (`too_large`); it is not read.
    #[oai(status = 413)]
    TooLarge(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

fn reschedule_bad_request(err: poem::Error) -> RescheduleResponse {
    match unparsable(&err) {
        Unparsable::UnsupportedMediaType(e) => RescheduleResponse::UnsupportedMediaType(e),
        Unparsable::BadRequest(e) => RescheduleResponse::BadRequest(e),
        Unparsable::Path => RescheduleResponse::NotFound(not_found()),
        Unparsable::TooLarge(e) => RescheduleResponse::TooLarge(e),
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "feed_bad_request")]
pub(super) enum FeedResponse {
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
    SlotsResponse::Invalid(error(ErrorCode::Invalid, err.to_string()))
}

/// A feed's token that cannot be read is a wrong token.
fn feed_bad_request(_: poem::Error) -> FeedResponse {
    FeedResponse::NotFound(error(ErrorCode::NotFound, "not found"))
}
