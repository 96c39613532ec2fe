//! Creating, updating and deleting booking events. The resource name derives from the uid
//! ([`super::href::file_name`]), so a retry names the same resource: `If-None-Match: *` makes
//! the server refuse a second copy (412) and the existing one is returned when its UID is ours.
//! An update is a PUT to the same resource and a delete a DELETE, both with `If-Match` and the
//! strong etag of the version we wrote. When we hold none (the server rewrote the event on PUT
//! and sent no ETag, as a scheduling server does, or only a weak one) it is read first (GET,
//! else PROPFIND getetag); when someone changed the event meanwhile (412) it is read again and
//! the write repeated once, and only while its UID is still the booking's.

use reqwest::header::{ETAG, HeaderName, IF_MATCH, IF_NONE_MATCH};
use reqwest::{StatusCode, Url};

use crate::calendar::{BookingEvent, booking_ics, parse_calendar};

use super::href::{file_name, resolve};
use super::{CalDav, SourceError, WrittenEvent, http, xml};
use crate::sources::strong_etag;

/// What a GET of our resource found.
enum Current {
    Gone,
    Found {
        uid: Option<String>,
        etag: Option<String>,
    },
}

/// Our event's version before a conditional write.
enum Version {
    Gone,
    /// Ours (its UID is the booking's), with its strong etag when the server gives one.
    Ours(Option<String>),
}

/// How many times a write is tried when the event keeps changing under it (412).
const ROUNDS: usize = 2;

impl CalDav {
    pub(super) async fn put_event(
        &self,
        collection: &Url,
        event: &BookingEvent,
    ) -> Result<WrittenEvent, SourceError> {
        let url = resolve(collection, &file_name(&event.uid)).ok_or_else(|| {
            SourceError::Config(format!("cannot name a resource for uid {:?}", event.uid))
        })?;
        self.put_new(&url, event).await
    }

    /// PUT with `If-None-Match: *`: a new resource, or ours already (an earlier attempt).
    async fn put_new(&self, url: &Url, event: &BookingEvent) -> Result<WrittenEvent, SourceError> {
        let response = self
            .send(
                "PUT",
                url,
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
            return Err(refused_or_status(status, url));
        }
        // Already there: our earlier attempt, or someone else's event under that name.
        match self.current(url).await? {
            Current::Found { uid, etag } if uid.as_deref() == Some(event.uid.as_str()) => {
                Ok(written(etag))
            }
            Current::Found { uid, .. } => Err(SourceError::Refused(format!(
                "{} already holds another event (UID {})",
                http::redacted(url),
                uid.as_deref().unwrap_or("missing")
            ))),
            // Deleted between the two requests: a later retry creates it.
            Current::Gone => Err(SourceError::Refused(format!(
                "{} changed while it was written; try again",
                http::redacted(url)
            ))),
        }
    }

    pub(super) async fn update_event(
        &self,
        written: &WrittenEvent,
        event: &BookingEvent,
    ) -> Result<WrittenEvent, SourceError> {
        let url = self.own_url(written)?;
        if event.uid != written.uid {
            return Err(SourceError::Config(format!(
                "an update keeps the UID ({} is not {})",
                event.uid, written.uid
            )));
        }
        let mut etag = written.etag.as_deref().and_then(strong_etag);
        for _ in 0..ROUNDS {
            if etag.is_none() {
                match self.version(&url, &written.uid).await? {
                    // Someone deleted it: the booking still stands, so it is made again there.
                    Version::Gone => return self.put_new(&url, event).await,
                    Version::Ours(now) => etag = now,
                }
            }
            let if_match: Vec<(HeaderName, &str)> =
                etag.iter().map(|e| (IF_MATCH, e.as_str())).collect();
            let response = self
                .send(
                    "PUT",
                    &url,
                    &if_match,
                    Some((booking_ics(event), "text/calendar; charset=utf-8")),
                )
                .await?;
            let status = response.status();
            if status.is_success() {
                return Ok(WrittenEvent {
                    uid: written.uid.clone(),
                    remote_id: url.to_string(),
                    etag: etag_of(&response),
                });
            }
            match status.as_u16() {
                404 | 410 => return self.put_new(&url, event).await,
                412 => etag = None,
                _ => return Err(refused_or_status(status, &url)),
            }
        }
        Err(SourceError::Refused(format!(
            "{} keeps changing; it was not updated",
            http::redacted(&url)
        )))
    }

    pub(super) async fn delete_event(&self, written: &WrittenEvent) -> Result<(), SourceError> {
        let url = self.own_url(written)?;
        let mut etag = written.etag.as_deref().and_then(strong_etag);
        for _ in 0..ROUNDS {
            if etag.is_none() {
                match self.version(&url, &written.uid).await? {
                    Version::Gone => return Ok(()),
                    Version::Ours(now) => etag = now,
                }
            }
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
            etag = None;
        }
        Err(SourceError::Refused(format!(
            "{} keeps changing; it was not deleted",
            http::redacted(&url)
        )))
    }

    /// The stored resource URL, only on this source's server (the credentials go with it).
    fn own_url(&self, written: &WrittenEvent) -> Result<Url, SourceError> {
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
        Ok(url)
    }

    /// The current version of our event at `url`: gone, or ours with its strong etag (from
    /// the GET, else a PROPFIND of getetag). Someone else's event there is refused: it is
    /// never changed or deleted. `None` only from a server that gives no strong etag at all;
    /// the write then goes without `If-Match`, right after the UID was checked.
    async fn version(&self, url: &Url, uid: &str) -> Result<Version, SourceError> {
        match self.current(url).await? {
            Current::Gone => Ok(Version::Gone),
            Current::Found { uid: found, etag } if found.as_deref() == Some(uid) => {
                if etag.is_some() {
                    return Ok(Version::Ours(etag));
                }
                let etag = self.propfind_etag(url).await?;
                if etag.is_none() {
                    tracing::debug!(url = %http::redacted(url),
                        "the server gives no strong etag; writing without If-Match");
                }
                Ok(Version::Ours(etag))
            }
            Current::Found { .. } => Err(SourceError::Refused(format!(
                "{} now holds another event; it was left alone",
                http::redacted(url)
            ))),
        }
    }

    /// GET the resource: its UID and strong etag, or gone.
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

    /// PROPFIND getetag of one resource (Depth 0): its strong etag, if the server has one.
    async fn propfind_etag(&self, url: &Url) -> Result<Option<String>, SourceError> {
        let (_, multistatus) = self
            .multistatus("PROPFIND", url, "0", xml::propfind_etag())
            .await?;
        Ok(multistatus
            .responses
            .iter()
            .find_map(|r| r.props.etag.as_deref().and_then(strong_etag)))
    }
}

/// The response's ETag when it is a strong one (a weak one is useless in If-Match).
fn etag_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .and_then(strong_etag)
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
