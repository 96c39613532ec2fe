//! Creating and deleting booking events. The resource name derives from the uid
//! ([`super::href::file_name`]), so a retry names the same resource: `If-None-Match: *` makes
//! the server refuse a second copy (412) and the existing one is returned when its UID is ours.
//! A delete carries `If-Match` with the etag we were given; when someone changed the event
//! meanwhile (412) it is deleted anyway if its UID is still the booking's.

use reqwest::header::{ETAG, HeaderName, IF_MATCH, IF_NONE_MATCH};
use reqwest::{StatusCode, Url};

use crate::calendar::{BookingEvent, booking_ics, parse_calendar};

use super::href::{file_name, resolve};
use super::{CalDav, SourceError, WrittenEvent, http};

/// What a GET of our resource found.
enum Current {
    Gone,
    Found {
        uid: Option<String>,
        etag: Option<String>,
    },
}

impl CalDav {
    pub(super) async fn put_event(
        &self,
        collection: &Url,
        event: &BookingEvent,
    ) -> Result<WrittenEvent, SourceError> {
        let url = resolve(collection, &file_name(&event.uid)).ok_or_else(|| {
            SourceError::Config(format!("cannot name a resource for uid {:?}", event.uid))
        })?;
        let response = self
            .send(
                "PUT",
                &url,
                &[(IF_NONE_MATCH, "*")],
                Some((booking_ics(event), "text/calendar; charset=utf-8")),
            )
            .await?;
        let status = response.status();
        let written = |etag| WrittenEvent {
            uid: event.uid.clone(),
            remote_id: url.to_string(),
            etag,
        };
        if status.is_success() {
            return Ok(written(etag_of(&response)));
        }
        if status != StatusCode::PRECONDITION_FAILED {
            return Err(refused_or_status(status, &url));
        }
        // Already there: our earlier attempt, or someone else's event under that name.
        match self.current(&url).await? {
            Current::Found { uid, etag } if uid.as_deref() == Some(event.uid.as_str()) => {
                Ok(written(etag))
            }
            Current::Found { uid, .. } => Err(SourceError::Refused(format!(
                "{} already holds another event (UID {})",
                http::redacted(&url),
                uid.as_deref().unwrap_or("missing")
            ))),
            // Deleted between the two requests: a later retry creates it.
            Current::Gone => Err(SourceError::Refused(format!(
                "{} changed while it was written; try again",
                http::redacted(&url)
            ))),
        }
    }

    pub(super) async fn delete_event(&self, written: &WrittenEvent) -> Result<(), SourceError> {
        let url = Url::parse(&written.remote_id).map_err(|_| {
            SourceError::Config(format!("{:?} is not a CalDAV URL", written.remote_id))
        })?;
        // Never send the credentials elsewhere because a stored id says so.
        if !self.credentials_for(&url) {
            return Err(SourceError::Refused(format!(
                "{} is not on this source's server",
                http::redacted(&url)
            )));
        }
        let mut etag = written.etag.clone();
        // The second round deletes the event someone else changed, once its UID checked out.
        for _ in 0..2 {
            let if_match: Vec<(HeaderName, &str)> =
                etag.iter().map(|e| (IF_MATCH, e.as_str())).collect();
            let response = self.send("DELETE", &url, &if_match, None).await?;
            let status = response.status();
            if status.is_success() || matches!(status.as_u16(), 404 | 410) {
                return Ok(());
            }
            if status != StatusCode::PRECONDITION_FAILED {
                return Err(refused_or_status(status, &url));
            }
            match self.current(&url).await? {
                Current::Gone => return Ok(()),
                Current::Found { uid, etag: now } if uid.as_deref() == Some(&written.uid) => {
                    etag = now;
                }
                Current::Found { .. } => {
                    return Err(SourceError::Refused(format!(
                        "{} now holds another event; it was left alone",
                        http::redacted(&url)
                    )));
                }
            }
        }
        Err(SourceError::Refused(format!(
            "{} keeps changing; it was not deleted",
            http::redacted(&url)
        )))
    }

    /// GET the resource: its UID and etag, or gone.
    async fn current(&self, url: &Url) -> Result<Current, SourceError> {
        let response = self.send("GET", url, &[], None).await?;
        let status = response.status();
        if matches!(status.as_u16(), 404 | 410) {
            return Ok(Current::Gone);
        }
        if !status.is_success() {
            return Err(http::status_error(status, response.url()));
        }
        let etag = etag_of(&response);
        let body = http::read_capped(response, self.limits).await?;
        let cal = parse_calendar(&String::from_utf8_lossy(&body), "caldav");
        let uid = cal
            .events
            .iter()
            .find_map(|e| e.uid.as_deref().map(str::to_owned));
        Ok(Current::Found { uid, etag })
    }
}

fn etag_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// 403 on a write is the server saying no (read-only calendar, quota), not bad credentials.
fn refused_or_status(status: StatusCode, url: &Url) -> SourceError {
    match status.as_u16() {
        403 => SourceError::Refused(format!(
            "writing to {} is not allowed (403): is the calendar read-only?",
            http::redacted(url)
        )),
        409 | 415 | 507 => SourceError::Refused(format!(
            "{} refused the event ({status})",
            http::redacted(url)
        )),
        _ => http::status_error(status, url),
    }
}
