//! Webhook requests: the JSON body (frozen when the delivery is queued) and the signed POST.
//!
//! Invariants: the stored body never holds the manage token; the links with it (`manage_url`,
//! `cancel_url`, `reschedule_url`: the receiver is the owner's own system) are added when it is
//! sent, the same on every retry (the token is a deterministic HMAC); the signature covers the
//! send time and the exact bytes sent; the request goes through the one HTTP client builder
//! (timeouts; no redirects followed). A 2xx answer is success; a redirect and a 4xx other than
//! 408/429 are permanent (retrying would not help), everything else is retried.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::json;

use crate::sources::http::{Limits, client, refused_literal_reason};

use super::{Event, Snapshot, signature};

/// Headers of every request.
pub const EVENT_HEADER: &str = "OpenSlot-Event";
pub const DELIVERY_HEADER: &str = "OpenSlot-Delivery";

/// The JSON body of an event (without the manage token). The booking's times are UTC
/// (`start`, `end`) and in the owner's zone `owner_zone` (`start_local`, `end_local`, with
/// `time_zone`), so a receiver needs no zone data to show them as the owner sees them.
pub fn body(
    event: Event,
    booking: &Snapshot,
    occurred_at: DateTime<Utc>,
    owner_zone: Tz,
) -> String {
    let mut booking_json = json!(booking);
    if let Some(fields) = booking_json.as_object_mut() {
        let local = |t: DateTime<Utc>| t.with_timezone(&owner_zone).to_rfc3339();
        fields.insert("start_local".into(), json!(local(booking.start)));
        fields.insert("end_local".into(), json!(local(booking.end)));
        fields.insert("time_zone".into(), json!(owner_zone.name()));
    }
    json!({
        "event": event.as_str(),
        "occurred_at": occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "booking": booking_json,
    })
    .to_string()
}

/// The stored `body` of a booking event with the booking page's links added to `booking`:
/// `manage_url` (`manage(id)`), and `cancel_url` / `reschedule_url`, the same page with
/// `action=cancel` / `action=reschedule`. Other bodies (alerts) are sent as stored.
pub fn with_links(body: &str, manage: impl Fn(&str) -> String) -> String {
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(body) else {
        return body.to_owned();
    };
    let Some(booking) = v.get_mut("booking").and_then(|b| b.as_object_mut()) else {
        return body.to_owned();
    };
    let Some(id) = booking
        .get("id")
        .and_then(|i| i.as_str())
        .map(str::to_owned)
    else {
        return body.to_owned();
    };
    let url = manage(&id);
    booking.insert("cancel_url".into(), json!(format!("{url}&action=cancel")));
    booking.insert(
        "reschedule_url".into(),
        json!(format!("{url}&action=reschedule")),
    );
    booking.insert("manage_url".into(), json!(url));
    v.to_string()
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("the receiver refused it with HTTP {0}")]
    Refused(u16),
    #[error("the receiver answered HTTP {0}")]
    Status(u16),
    #[error("the receiver answered with a redirect: set `url` to where it points")]
    Redirected,
    #[error("{0}")]
    Transport(String),
    /// The URL is an address OpenSlot never connects to (cloud metadata, unspecified...).
    #[error("{0}")]
    Blocked(String),
}

impl WebhookError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Refused(_) | Self::Redirected | Self::Blocked(_))
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Refused(s) | Self::Status(s) => Some(*s),
            Self::Redirected | Self::Transport(_) | Self::Blocked(_) => None,
        }
    }
}

/// The client webhooks are sent with: 10 s per request, small answers.
#[derive(Clone, Debug)]
pub struct Sender {
    client: reqwest::Client,
}

impl Sender {
    pub fn new() -> Result<Sender, WebhookError> {
        let limits = Limits {
            timeout: std::time::Duration::from_secs(10),
            max_bytes: 64 * 1024,
            max_redirects: 0,
        };
        client(limits)
            .map(|client| Sender { client })
            .map_err(|e| WebhookError::Transport(e.to_string()))
    }

    /// POSTs `body` signed at `now`; returns the answer's status.
    pub async fn send(
        &self,
        url: &str,
        secret: &[u8],
        event: &str,
        delivery_id: i64,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<u16, WebhookError> {
        // The resolver refuses names that lead to such addresses; a literal never reaches it.
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| WebhookError::Blocked(format!("the URL is not valid: {e}")))?;
        if let Some(why) = refused_literal_reason(&parsed) {
            return Err(WebhookError::Blocked(why));
        }
        let signature = signature::sign(secret, now.timestamp(), body.as_bytes());
        let response = self
            .client
            .post(parsed)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(signature::HEADER, signature)
            .header(EVENT_HEADER, event)
            .header(DELIVERY_HEADER, delivery_id.to_string())
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| {
                if e.is_redirect() {
                    WebhookError::Redirected
                } else {
                    WebhookError::Transport(transport_error(&e))
                }
            })?;
        let status = response.status().as_u16();
        match status {
            200..=299 => Ok(status),
            300..=399 => Err(WebhookError::Redirected),
            408 | 429 => Err(WebhookError::Status(status)),
            400..=499 => Err(WebhookError::Refused(status)),
            _ => Err(WebhookError::Status(status)),
        }
    }
}

/// The cause without the URL (it may hold a token in its query).
fn transport_error(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "the request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {cause}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[tokio::test]
    async fn the_sender_refuses_metadata_and_unspecified_literals_without_connecting() {
        let sender = Sender::new().unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        for url in [
            "http://169.254.169.254/latest/meta-data/",
            "http://0.0.0.0:9/hook",
            "http://[::ffff:169.254.169.254]/",
        ] {
            let e = sender
                .send(url, b"k", "ping", 0, "{}", at)
                .await
                .unwrap_err();
            assert!(matches!(e, WebhookError::Blocked(_)), "{url}: {e}");
            assert!(
                e.is_permanent() && e.to_string().contains("is not allowed"),
                "{e}"
            );
        }
    }

    #[test]
    fn the_body_names_the_event_and_holds_no_token() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        let b = Snapshot {
            id: "b1".into(),
            event_type: "intro".into(),
            start: at,
            end: at,
            status: "confirmed".into(),
            sequence: 0,
            timezone: "UTC".into(),
            name: "Eve".into(),
            email: "eve@example.com".into(),
            notes: String::new(),
            answers: Vec::new(),
            series_id: None,
            session: None,
            visit_ref: None,
            decline_reason: None,
        };
        let body = body(Event::Created, &b, at, chrono_tz::Europe::Berlin);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["event"], "booking.created");
        assert_eq!(v["occurred_at"], "2026-12-01T10:00:00Z");
        assert_eq!(v["booking"]["id"], "b1");
        assert_eq!(v["booking"]["start"], "2026-12-01T10:00:00Z");
        assert_eq!(v["booking"]["start_local"], "2026-12-01T11:00:00+01:00");
        assert_eq!(v["booking"]["end_local"], "2026-12-01T11:00:00+01:00");
        assert_eq!(v["booking"]["time_zone"], "Europe/Berlin");
        assert!(!body.contains("token") && !body.contains("manage"));
        let sent = with_links(&body, |id| {
            format!("https://book.example.org/manage/{id}?token=T")
        });
        let s: serde_json::Value = serde_json::from_str(&sent).unwrap();
        assert_eq!(
            s["booking"]["manage_url"],
            "https://book.example.org/manage/b1?token=T"
        );
        assert_eq!(
            s["booking"]["cancel_url"],
            "https://book.example.org/manage/b1?token=T&action=cancel"
        );
        assert_eq!(
            s["booking"]["reschedule_url"],
            "https://book.example.org/manage/b1?token=T&action=reschedule"
        );
        assert_eq!(s["booking"]["start_local"], v["booking"]["start_local"]);
        let alert = r#"{"event":"source.failing","source":{"id":"work"}}"#;
        assert_eq!(with_links(alert, |_| unreachable!()), alert);
    }
}
