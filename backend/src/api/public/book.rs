//! `POST /api/v1/bookings` after the rate limit: a retry with a known `Idempotency-Key` is
//! answered from the store before anything else is checked, the captcha is reserved for the
//! attempt and given back when nothing was booked (a 422 or a 409 leaves it usable).

use std::sync::Arc;

use openslot_wire::errors::ErrorCode;
use poem_openapi::payload::Json;

use super::responses::BookResponse;
use super::validate::{booking_request, idempotent_request};
use super::{
    BookingBody, CALENDARS_STALE, PublicApi, SeriesConflictJson, error, internal, invalid, problem,
};
use crate::api::guards::captcha::Captcha;
use crate::booking::api_keys::ApiCaller;
use crate::booking::{BookError, Booked};

impl PublicApi {
    /// The captcha when visitors must solve it now (the dashboard switches it at once).
    pub(super) fn captcha_now(&self) -> Option<&Arc<Captcha>> {
        self.captcha.as_ref().filter(|_| self.service.captcha_on())
    }

    /// Books `body` for a caller that passed the rate limit.
    /// `caller`: an API key with `bookings:write` (no captcha; its own idempotency keys).
    pub(super) async fn book_once(
        &self,
        body: BookingBody,
        key: Option<&str>,
        caller: Option<&ApiCaller>,
    ) -> BookResponse {
        let scope = caller.map(ApiCaller::idempotency_scope).unwrap_or_default();
        // A retry of a request that booked gets its answer again, captcha or not: the answer
        // it carried was spent by the first attempt.
        if let Ok(Some(k)) = idempotent_request(&body, key, &scope) {
            match self.service.replay(Some(&k)).await {
                Ok(Some(done)) => return self.created(done).await,
                Ok(None) => {}
                Err(e) => return self.refused(e, &body).await,
            }
        }
        let spent = match self.captcha_now().filter(|_| caller.is_none()) {
            Some(c) => {
                let payload = body.captcha.as_deref().unwrap_or_default();
                match c.reserve(payload, self.service.now()) {
                    Ok(spent) => Some((c, spent)),
                    Err(e) => {
                        return BookResponse::BadRequest(error(ErrorCode::Captcha, e.to_string()));
                    }
                }
            }
            None => None,
        };
        let answer = match booking_request(&self.service, &body, key, &scope) {
            Ok(request) => match self.service.book(request).await {
                Ok(done) => self.created(done).await,
                Err(e) => self.refused(e, &body).await,
            },
            Err(problems) => BookResponse::Invalid(invalid(problems)),
        };
        if let (Some((c, spent)), false) = (spent, matches!(answer, BookResponse::Created(..))) {
            c.give_back(spent);
        }
        answer
    }

    async fn created(&self, done: Booked) -> BookResponse {
        let Booked {
            booking,
            manage_token,
            replayed,
        } = done;
        if !replayed {
            tracing::info!(booking = %booking.id, event_type = %booking.event_type,
                start = %booking.start, "booked");
        }
        match self.booking_json(&booking, &manage_token).await {
            Ok(json) => {
                BookResponse::Created(Json(Box::new(json)), replayed.then(|| "true".to_owned()))
            }
            Err(e) => BookResponse::Internal(internal(&e)),
        }
    }

    /// The answer to a booking the service refused.
    async fn refused(&self, e: BookError, body: &BookingBody) -> BookResponse {
        let zone = body
            .timezone
            .as_deref()
            .and_then(|t| crate::booking::input::Zone::parse(t).ok())
            .map_or(chrono_tz::UTC, |z| z.tz());
        match e {
            BookError::SeriesConflict {
                session,
                start,
                conflict,
            } => {
                let when = start.with_timezone(&zone);
                let mut body = error(
                    ErrorCode::SeriesConflict,
                    format!(
                        "nothing was booked: session {session} of the series ({}) cannot be booked: {}",
                        when.format("%Y-%m-%d %H:%M"),
                        conflict.explain()
                    ),
                );
                body.0.conflict = Some(Box::new(SeriesConflictJson {
                    session,
                    start: when.to_rfc3339(),
                    reason: super::super::wire::conflict(conflict),
                }));
                BookResponse::NotFree(body)
            }
            BookError::SeriesNotOffered(why) => {
                BookResponse::Invalid(invalid(vec![problem("repeat", why)]))
            }
            BookError::NotFree => {
                let mut e = error(
                    ErrorCode::NotFree,
                    "that time was just taken or is not free",
                );
                if let (Some(slug), Ok(start)) = (
                    body.event_type.as_deref(),
                    super::parse_start("start", body.start.as_deref()),
                ) {
                    e.0.next_slots = self.next_slots(slug, start, zone).await;
                }
                BookResponse::NotFree(e)
            }
            BookError::Stale(why) => {
                tracing::warn!(calendars = %why, "booking refused: calendars out of date");
                BookResponse::Stale(error(ErrorCode::CalendarsStale, CALENDARS_STALE))
            }
            BookError::KeyReused => BookResponse::Invalid(invalid(vec![problem(
                "Idempotency-Key",
                "was used before for a different request",
            )])),
            BookError::UnknownEventType(s) => BookResponse::Invalid(invalid(vec![problem(
                "event_type",
                format!("there is no event type `{s}`"),
            )])),
            e => BookResponse::Internal(internal(&e)),
        }
    }
}
