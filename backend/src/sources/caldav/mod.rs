//! `kind = "caldav"`: one calendar collection on a CalDAV server (RFC 4791), read with
//! calendar-query and incremental sync (RFC 6578 sync-collection, else the getctag), written
//! with conditional PUT and DELETE. `url` may be the server root (discovery, RFC 6764) or the
//! calendar collection itself; `calendar` picks one by display name or href.
//!
//! Authentication: Basic (or Bearer) is sent with every request; a server that answers 401
//! offering only Digest (RFC 7616, [`super::digest`]) gets a Digest answer instead, and the
//! next requests answer its challenge at once (counting the nonce) until it asks again.
//!
//! Invariants: a request to another origin than the configured one (an absolute href or a
//! redirect's answer) goes only to a public https host name ([`http::check_foreign_url`]);
//! credentials go only to the configured origin (see [`CalDav::credentials_for`]);
//! the writer only ever touches `{collection}/{name derived from the uid}.ics`, and updates or
//! deletes an event only when its UID is still the booking's, with `If-Match` and a strong
//! etag; every body is read through
//! [`http::read_capped`]; no server answer makes this module panic.
//!
//! Server notes (for the README). Verified by the tests in `tests/caldav/` and by hand against
//! Radicale 3.9.0 and Xandikos 0.4.10:
//! - Radicale: discovery from `/` (current-user-principal `/{user}/`, which is also the
//!   calendar-home-set); `/.well-known/caldav` answers 301 to `/`, and a GET of `/` goes on to
//!   the web UI `/.web/` (hence the retry at the root). Sync tokens are URLs
//!   (`http://radicale.org/ns/sync/...`); an unknown token gets 403 with `valid-sync-token`.
//!   The ctag is a quoted hash. A PUT that changes the UID of an existing resource is refused
//!   409. With `owner_only` rights, another user's path answers 403. A calendar-query with a
//!   time-range returns the whole object of a recurring series (our engine expands it).
//! - Xandikos: no authentication of its own (run it behind a proxy); `--defaults` makes
//!   `/user/calendars/calendar/`, the principal is `--current-user-principal`; a request body
//!   without `Content-Type: application/xml` is refused 415. `/.well-known/caldav` answers 302
//!   to `/`. Sync tokens are git commit ids (equal to the ctag); an unknown token gets 412
//!   with `valid-sync-token`. Calendars without a colour answer 404 for calendar-color.
//! - Cyrus IMAP 3.6.1 (Debian; the server behind Fastmail): discovery from `/`, principal
//!   `/dav/principals/user/{user}/`, home `/dav/calendars/user/{user}/` (with `Default`, `Inbox`,
//!   `Outbox`); sync-collection; a scheduling server (RFC 6638): an event whose ORGANIZER is the
//!   user's address makes it mail the attendees (`sendmail -bs`), unless they carry
//!   `SCHEDULE-AGENT=CLIENT`, as OpenSlot's events do; their delete then mails nothing either.
//!   A PUT of such a scheduling object (ORGANIZER and ATTENDEE) answers 201/204 without an ETag
//!   (Cyrus rewrites the object), a GET answers a weak one (`W/"..."`), and PROPFIND `getetag`
//!   the strong one, which `If-Match` takes (`tests/caldav/conditional.rs` shows it on the wire).
//! - Radicale and Xandikos: PUT answers 201 with an ETag; `If-None-Match: *` on an existing resource 412; a
//!   DELETE with a stale `If-Match` 412, of a missing resource 404.
//!
//! Known from the vendors' documentation, NOT verified here (no account in the tests):
//! - iCloud: an app-specific password is required (a normal one gives 401); the principal's
//!   calendar-home-set points to a partition host `pNN-caldav.icloud.com`, so credentials are
//!   also sent to `*.icloud.com` hosts when the configured host is an icloud.com one.
//! - Google: OAuth Bearer tokens only (set `token`), collection URL
//!   `https://apidata.googleusercontent.com/caldav/v2/{calendar id}/events`; no MKCALENDAR.
//!   The `google` kind (the REST API) is the better choice.
//! - Nextcloud: `https://host/remote.php/dav` (the `/.well-known/caldav` redirect goes there),
//!   sync tokens are URLs; app passwords with two-factor authentication.
//! - Fastmail: `https://caldav.fastmail.com/dav/` with an app password.

mod discovery;
mod href;
mod sync;
mod write;
mod xml;

use std::sync::Mutex;

use reqwest::header::{
    AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, WWW_AUTHENTICATE,
};
use reqwest::{Method, Response, StatusCode, Url};
use tokio::sync::OnceCell;

use crate::calendar::{BookingEvent, Interval};
use crate::config::{Secret, SourceConfig};

use super::digest;
use super::http::{self, Limits};
use super::ics_feed::auth_header;
use super::{
    CalendarSource, CalendarWriter, Cursor, DiscoveredCalendar, Fetched, SourceContext,
    SourceError, WrittenEvent,
};

/// A CalDAV calendar: the reader and the writer.
#[derive(Debug)]
pub struct CalDav {
    /// As configured: the server root, a principal, a home or the collection.
    url: Url,
    client: reqwest::Client,
    limits: Limits,
    /// Basic or Bearer; only sent where [`CalDav::credentials_for`] allows.
    auth: Option<HeaderValue>,
    /// The user name and password, for a server that asks for Digest.
    login: Option<(String, Secret)>,
    /// The server's Digest challenge once it asked for one, and how often its nonce was used.
    digest: Mutex<Option<(digest::Challenge, u32)>>,
    /// `calendar` of the configuration.
    choice: Option<String>,
    /// The collection, found once: every fetch after the first skips discovery.
    collection: OnceCell<Url>,
}

impl CalDav {
    pub fn new(config: &SourceConfig, _ctx: &SourceContext) -> Result<Self, SourceError> {
        let limits = Limits {
            timeout: config.timeout(),
            max_bytes: config.max_bytes(),
            ..Limits::default()
        };
        let url = http::outbound_url(&config.url)?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(SourceError::Config(
                "a caldav URL starts with https:// (or http://) and names a host".to_owned(),
            ));
        }
        let auth = auth_header(config)?;
        let login = match (&config.username, &config.password, &config.token) {
            (Some(user), Some(password), None) => Some((user.clone(), password.clone())),
            _ => None,
        };
        Ok(CalDav {
            url,
            client: http::client(limits)?,
            limits,
            auth,
            login,
            digest: Mutex::new(None),
            choice: config.calendar.clone().filter(|c| !c.trim().is_empty()),
            collection: OnceCell::new(),
        })
    }

    /// The collection this source reads and writes, discovered on first use.
    async fn collection(&self) -> Result<&Url, SourceError> {
        self.collection
            .get_or_try_init(|| async { self.find_collection().await })
            .await
    }

    /// Whether the credentials may go to `url`: the configured origin only, plus iCloud's
    /// partition hosts (`pNN-caldav.icloud.com`) when the configured host is iCloud's.
    fn credentials_for(&self, url: &Url) -> bool {
        if url.origin() == self.url.origin() {
            return true;
        }
        let icloud = |u: &Url| {
            u.scheme() == "https"
                && u.host_str()
                    .is_some_and(|h| h == "icloud.com" || h.ends_with(".icloud.com"))
        };
        icloud(&self.url) && icloud(url)
    }

    /// Sends one request with the credentials where allowed; any status comes back. A 401
    /// that offers Digest (and not Basic, which stays the default), or a new Digest challenge
    /// after a Digest answer (an expired nonce), is answered once more with Digest.
    async fn send(
        &self,
        method: &str,
        url: &Url,
        headers: &[(HeaderName, &str)],
        body: Option<(String, &'static str)>,
    ) -> Result<Response, SourceError> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| SourceError::Config(format!("bad HTTP method {method}")))?;
        if url.origin() != self.url.origin() {
            http::check_foreign_url(url).await?;
        }
        let allowed = self.credentials_for(url);
        let digest_answer = allowed.then(|| self.digest_answer(&method, url)).flatten();
        let sent_digest = digest_answer.is_some();
        let authorization = if allowed {
            digest_answer.or_else(|| self.auth.clone())
        } else {
            None
        };
        let response = self
            .send_once(&method, url, headers, body.clone(), authorization)
            .await?;
        if response.status() != StatusCode::UNAUTHORIZED || !allowed || self.login.is_none() {
            return Ok(response);
        }
        let offer = digest::offer(
            response
                .headers()
                .get_all(WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok()),
        );
        match offer.digest {
            Ok(Some(challenge)) if sent_digest || !offer.basic => {
                *self.digest.lock().unwrap_or_else(|e| e.into_inner()) = Some((challenge, 0));
                let authorization = self.digest_answer(&method, url);
                self.send_once(&method, url, headers, body, authorization)
                    .await
            }
            Err(_) if !offer.basic => Err(SourceError::AuthFailed {
                status: 401,
                hint: " (the server asks for a kind of Digest authentication OpenSlot does not \
                       support: qop=auth-int or an unknown algorithm)",
            }),
            _ => Ok(response),
        }
    }

    /// The Digest `Authorization` for this request, once the server asked for Digest.
    fn digest_answer(&self, method: &Method, url: &Url) -> Option<HeaderValue> {
        let (user, password) = self.login.as_ref()?;
        let mut state = self.digest.lock().unwrap_or_else(|e| e.into_inner());
        let (challenge, count) = state.as_mut()?;
        *count += 1;
        let mut bytes = [0u8; 16];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).ok()?;
        let cnonce: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let uri = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let answer = digest::authorization(
            challenge,
            user,
            password.expose(),
            digest::Request {
                method: method.as_str(),
                uri: &uri,
                cnonce: &cnonce,
                nc: *count,
            },
        );
        let mut value = HeaderValue::from_str(&answer).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &Url,
        headers: &[(HeaderName, &str)],
        body: Option<(String, &'static str)>,
        authorization: Option<HeaderValue>,
    ) -> Result<Response, SourceError> {
        let mut map = HeaderMap::new();
        if let Some(auth) = authorization {
            map.insert(AUTHORIZATION, auth);
        }
        for (name, value) in headers {
            let value = HeaderValue::from_str(value).map_err(|_| {
                SourceError::BadResponse(format!("unusable header value {value:?}"))
            })?;
            map.insert(name.clone(), value);
        }
        let mut request = self.client.request(method.clone(), url.clone());
        if let Some((body, content_type)) = body {
            map.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
            request = request.body(body);
        }
        http::send(request.headers(map), self.limits).await
    }

    /// A PROPFIND or REPORT that must answer 207; its multistatus and the URL that answered
    /// (after redirects), against which relative hrefs resolve.
    async fn multistatus(
        &self,
        method: &str,
        url: &Url,
        depth: &str,
        body: String,
    ) -> Result<(Url, xml::Multistatus), SourceError> {
        let depth_header = HeaderName::from_static("depth");
        let response = self
            .send(
                method,
                url,
                &[(depth_header, depth)],
                Some((body, "application/xml; charset=utf-8")),
            )
            .await?;
        let status = response.status();
        if status != StatusCode::MULTI_STATUS {
            return Err(http::status_error(status, response.url()));
        }
        let answered = response.url().clone();
        let body = http::read_capped(response, self.limits).await?;
        Ok((answered, xml::parse_multistatus(&body)?))
    }
}

#[async_trait::async_trait]
impl CalendarSource for CalDav {
    async fn fetch(
        &self,
        window: Interval,
        cursor: Option<&Cursor>,
    ) -> Result<Fetched, SourceError> {
        let collection = self.collection().await?;
        self.fetch_from(collection, window, cursor).await
    }

    async fn discover(&self) -> Result<Vec<DiscoveredCalendar>, SourceError> {
        self.discover_all().await
    }
}

#[async_trait::async_trait]
impl CalendarWriter for CalDav {
    async fn create(&self, event: &BookingEvent) -> Result<WrittenEvent, SourceError> {
        let collection = self.collection().await?;
        self.put_event(collection, event).await
    }

    async fn update(
        &self,
        written: &WrittenEvent,
        event: &BookingEvent,
    ) -> Result<WrittenEvent, SourceError> {
        self.update_event(written, event).await
    }

    async fn delete(&self, written: &WrittenEvent) -> Result<(), SourceError> {
        self.delete_event(written).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caldav(url: &str) -> CalDav {
        let text = format!(
            "[owner]\nname = \"A\"\nemail = \"a@example.org\"\ntimezone = \"UTC\"\n\
             [[event_types]]\nslug = \"c\"\ntitle = \"C\"\nduration_minutes = 30\n\
             [[sources]]\nid = \"c\"\nkind = \"caldav\"\nurl = \"{url}\"\n\
             username = \"u\"\npassword = \"p\"\n"
        );
        let config = crate::config::from_toml_str(&text, &[], std::path::Path::new("."))
            .unwrap_or_else(|e| panic!("{e:?}"));
        let ctx = SourceContext::new(".");
        CalDav::new(&config.sources[0], &ctx).unwrap()
    }

    #[test]
    fn credentials_go_only_to_the_configured_origin() {
        let cases = [
            ("https://dav.example/", "https://dav.example/u/cal/", true),
            ("https://dav.example/", "https://dav.example:443/x", true),
            ("https://dav.example/", "http://dav.example/x", false),
            ("https://dav.example/", "https://dav.example:8443/x", false),
            ("https://dav.example/", "https://evil.example/x", false),
            ("https://dav.example/", "https://p1.dav.example/x", false),
            (
                "https://caldav.icloud.com/",
                "https://p42-caldav.icloud.com/1/",
                true,
            ),
            (
                "https://caldav.icloud.com/",
                "http://p42-caldav.icloud.com/1/",
                false,
            ),
            (
                "https://caldav.icloud.com/",
                "https://icloud.com.evil/",
                false,
            ),
        ];
        for (configured, target, expected) in cases {
            let c = caldav(configured);
            let target = Url::parse(target).unwrap();
            assert_eq!(
                c.credentials_for(&target),
                expected,
                "{configured} → {target}"
            );
        }
    }
}
