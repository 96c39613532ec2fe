//! The one error body of both APIs, and its stable codes. A client decides on `error` (an
//! enum here, the same snake_case strings on the wire); `message` is for people.

use serde::{Deserialize, Serialize};

use crate::public::{SeriesConflictJson, SlotJson};

/// What went wrong, as a stable code. The HTTP status says how bad; this says what.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum ErrorCode {
    /// A field or parameter is wrong (`fields` says which), or the body is not of the shape.
    Invalid,
    /// The time is not free (`next_slots`).
    NotFree,
    /// A later session of a series is not free (`conflict`).
    SeriesConflict,
    /// The captcha answer is missing, wrong, expired or used.
    Captcha,
    RateLimited,
    /// A calendar is too out of date to know whether a time is free.
    CalendarsStale,
    NotFound,
    /// Our fault; the log has the cause.
    Internal,
    UnsupportedMediaType,
    /// The body is larger than the listener reads.
    TooLarge,
    /// The body did not arrive in time.
    Timeout,
    /// The request is answered by no endpoint in this way.
    MethodNotAllowed,
    /// The request, or a calendar server's answer to it, is refused.
    Refused,
    /// Admin: no valid session token. API: the API key is wrong, unknown or revoked.
    Unauthorized,
    /// API: the API key lacks the scope this needs.
    Forbidden,
    /// Admin: the password is wrong.
    WrongPassword,
    /// Admin: no password is configured, so nobody can sign in.
    NoPassword,
    /// Admin: too many password checks at once.
    Busy,
    /// Admin: something of that id exists already.
    Exists,
    /// Admin: a sign-in (OAuth) took too long.
    Expired,
    /// Admin: a calendar or setting from the configuration file, not editable here.
    FileSource,
    /// Admin: a service is not configured.
    NotConfigured,
    /// Admin: the meeting has not started yet.
    NotYet,
    /// Admin: a delivery that has not failed cannot be retried.
    NotFailed,
    /// Admin: the stored secrets cannot be read or written.
    Secret,
    /// Admin: the calendar server cannot be reached.
    Unreachable,
    /// Admin: the address is not allowed (private network, scheme).
    UrlRefused,
    /// Admin: the calendar server refused the credentials.
    AuthFailed,
    /// Admin: no CalDAV calendar found there.
    NotCaldav,
    /// Admin: the calendar could not be read.
    SyncFailed,
    /// Admin: the thing is not in a state that allows this.
    WrongState,
    /// Admin: the listener does not answer under that host name (`[admin] allowed_hosts`).
    WrongHost,
    /// The hold of a booking waiting for its confirmation ran out (or it was cancelled)
    /// first: book again.
    HoldEnded,
}

/// One invalid field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

/// Every error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ErrorJson {
    pub error: ErrorCode,
    /// For people.
    pub message: String,
    /// With `invalid`: each field and what is wrong with it (empty otherwise). The service
    /// always sends both lists; an error written by a proxy in front (nginx's 429) has neither,
    /// so they read as empty.
    #[serde(default)]
    pub fields: Vec<FieldError>,
    /// With `not_free`: the next free slots of that event type (empty otherwise).
    #[serde(default)]
    pub next_slots: Vec<SlotJson>,
    /// With `series_conflict`: the first session of the series that is not free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub conflict: Option<Box<SeriesConflictJson>>,
}

impl ErrorJson {
    /// A body with only a code and a message.
    pub fn new(error: ErrorCode, message: impl Into<String>) -> Self {
        ErrorJson {
            error,
            message: message.into(),
            fields: Vec::new(),
            next_slots: Vec::new(),
            conflict: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_snake_case_strings_clients_know() {
        for (code, text) in [
            (ErrorCode::Invalid, "invalid"),
            (ErrorCode::NotFree, "not_free"),
            (ErrorCode::SeriesConflict, "series_conflict"),
            (ErrorCode::RateLimited, "rate_limited"),
            (ErrorCode::UnsupportedMediaType, "unsupported_media_type"),
            (ErrorCode::NotCaldav, "not_caldav"),
        ] {
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{text}\""));
            let back: Result<ErrorCode, _> = serde_json::from_str(&json);
            assert_eq!(back.ok(), Some(code));
        }
    }

    #[test]
    fn a_renamed_or_missing_field_is_an_error_not_a_default() {
        let ok: Result<ErrorJson, _> =
            serde_json::from_str(r#"{"error":"not_found","message":"no"}"#);
        assert_eq!(
            ok.ok(),
            Some(ErrorJson::new(ErrorCode::NotFound, "no")),
            "absent lists (a proxy's error) and conflict read as empty"
        );
        let renamed: Result<ErrorJson, _> =
            serde_json::from_str(r#"{"code":"not_found","message":"no"}"#);
        assert!(renamed.is_err());
        let unknown: Result<ErrorJson, _> =
            serde_json::from_str(r#"{"error":"no_such_code","message":"no"}"#);
        assert!(unknown.is_err());
    }
}
