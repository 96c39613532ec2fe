//! A booking request checked field by field, every problem at once, before the use case sees
//! it: the start, the visitor's text (`booking::input`), the event type's questions, `ref`,
//! `repeat` and the Idempotency-Key.

use chrono::{DateTime, Utc};

use crate::booking::IdempotentRequest;
use crate::booking::details::check_answers;
use crate::booking::input::{InputError, parse_booking};
use crate::booking::series::{Frequency, SeriesRequest};
use crate::booking::visitor_text;
use crate::booking::{BookRequest, BookingService};

use super::{BookingBody, RepeatBody, problem};

pub(super) fn parse_start(
    field: &'static str,
    text: Option<&str>,
) -> Result<DateTime<Utc>, InputError> {
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

/// The `Idempotency-Key` header with the hash of `body`, if it was sent.
pub(super) fn idempotent_request(
    body: &BookingBody,
    idempotency_key: Option<&str>,
    caller: &str,
) -> Result<Option<IdempotentRequest>, InputError> {
    match idempotency_key.map(str::trim) {
        Some(k) if k.is_empty() || k.len() > 200 => {
            Err(problem("Idempotency-Key", "must be 1-200 characters"))
        }
        Some(k) => Ok(Some(IdempotentRequest {
            caller: caller.to_owned(),
            key: k.to_owned(),
            request_hash: request_hash(body),
        })),
        None => Ok(None),
    }
}

/// The booking `body` asks for (with the `Idempotency-Key` header), or every problem of it,
/// each naming its field.
pub(super) fn booking_request(
    service: &BookingService,
    body: &BookingBody,
    idempotency_key: Option<&str>,
    caller: &str,
) -> Result<BookRequest, Vec<InputError>> {
    let mut problems = Vec::new();
    let slug = body.event_type.clone().unwrap_or_default();
    if body.event_type.is_none() {
        problems.push(problem("event_type", "is required"));
    } else if service.event_type(&slug).is_none() {
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
    let questions = service
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
    let key = match idempotent_request(body, idempotency_key, caller) {
        Ok(k) => k,
        Err(e) => {
            problems.push(e);
            None
        }
    };
    let input = match input {
        Ok(i) => Some(i),
        Err(errors) => {
            problems.extend(errors);
            None
        }
    };
    let (Ok(start), Some(input), true) = (start, input, problems.is_empty()) else {
        return Err(problems);
    };
    Ok(BookRequest {
        event_type: slug,
        start,
        input,
        idempotency: key,
        series,
        answers,
        visit_ref,
        by_owner: false,
    })
}
