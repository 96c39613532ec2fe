//! `kind = "microsoft"`: Outlook / Microsoft 365 calendars through Microsoft Graph, read and
//! write, with OAuth (see [`super::oauth`]).
//!
//! Reading: the delta function of a calendarView (`/me/calendarView/delta`, or
//! `/me/calendars/{id}/calendarView/delta`) with `startDateTime`/`endDateTime` from the window
//! and `Prefer: outlook.timezone="UTC"`; Graph expands recurrences, each instance is an
//! [`Occurrence`] keyed by its id. Pages are followed through `@odata.nextLink`; the round's
//! `@odata.deltaLink` goes into the cursor and the next fetch GETs it for the changes only
//! (`@removed` entries are removed). A 410 (`syncStateNotFound`, `resyncRequired`) means a full
//! fetch again. Writing: `POST /me/events` with a `transactionId` derived from the booking's uid,
//! which Graph uses to drop a repeated POST, so a retry after a lost answer makes no second event;
//! a reschedule is `PATCH /me/events/{id}` of that event (same id), a cancel `DELETE`.
//!
//! Built from the documented requests and answers ("event: delta", "Get incremental changes to
//! events in a calendar view", "Create event" (transactionId), "Update event", "Delete event", "List calendars",
//! "Paging Microsoft Graph data", the `Prefer: outlook.timezone` header); tested against a local
//! stand-in of those shapes (tests/google_microsoft), since Graph is not reachable from the test
//! machines.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;
use serde_json::json;

use crate::calendar::{BookingEvent, Interval, Status};
use crate::config::SourceConfig;

use super::http::{self, Limits};
use super::oauth::{self, OAuth, Reply, Service, api_base, join};
use super::{
    CalendarSource, CalendarWriter, Cursor, DiscoveredCalendar, Fetched, Item, Occurrence,
    SourceContext, SourceError, When, WrittenEvent,
};

pub const DEFAULT_API: &str = "https://graph.microsoft.com/v1.0";
/// Times in UTC (else each event comes in its own Windows zone name); pages of 200.
const PREFER: &str = "outlook.timezone=\"UTC\", odata.maxpagesize=200";
/// A round longer than this many pages is refused rather than followed forever.
const MAX_PAGES: usize = 1000;

#[derive(Debug)]
pub struct Microsoft {
    base: Url,
    /// The Graph calendar id; `None`: the user's default calendar.
    calendar: Option<String>,
    auth: OAuth,
}

#[derive(Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    #[serde(default, rename = "@odata.nextLink")]
    next_link: Option<String>,
    #[serde(default, rename = "@odata.deltaLink")]
    delta_link: Option<String>,
}

#[derive(Deserialize)]
struct GraphEvent {
    id: String,
    #[serde(default, rename = "@removed")]
    removed: Option<serde_json::Value>,
    #[serde(default, rename = "isAllDay")]
    is_all_day: bool,
    #[serde(default, rename = "isCancelled")]
    is_cancelled: bool,
    #[serde(default, rename = "showAs")]
    show_as: String,
    #[serde(default)]
    start: Option<GraphTime>,
    #[serde(default)]
    end: Option<GraphTime>,
    #[serde(default)]
    subject: Option<String>,
    /// The signed-in user's answer: `none`, `organizer`, `tentativelyAccepted`, `accepted`,
    /// `declined`, `notResponded`.
    #[serde(default, rename = "responseStatus")]
    response_status: Option<GraphResponse>,
    #[serde(default, rename = "isOrganizer")]
    is_organizer: bool,
}

#[derive(Deserialize)]
struct GraphResponse {
    #[serde(default)]
    response: String,
}

#[derive(Deserialize)]
struct GraphTime {
    #[serde(rename = "dateTime")]
    date_time: String,
    #[serde(default, rename = "timeZone")]
    time_zone: String,
}

#[derive(Deserialize)]
struct GraphCalendar {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "hexColor")]
    hex_color: Option<String>,
    #[serde(default, rename = "isDefaultCalendar")]
    is_default: bool,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

/// A whole delta round: every entry of every page, and the link of the next round.
struct Round {
    entries: Vec<GraphEvent>,
    delta_link: Option<String>,
}

impl Microsoft {
    pub fn new(config: &SourceConfig, ctx: &SourceContext) -> Result<Self, SourceError> {
        let limits = Limits {
            timeout: config.timeout(),
            max_bytes: config.max_bytes(),
            ..Limits::default()
        };
        let client = http::client(limits)?;
        Ok(Microsoft {
            base: api_base(&config.url, DEFAULT_API)?,
            calendar: config.calendar.clone(),
            auth: OAuth::new(Service::Microsoft, config, ctx, client, limits)?,
        })
    }

    /// `/me/…` or `/me/calendars/{id}/…`.
    fn calendar_url(&self, rest: &[&str]) -> Url {
        let mut segments = vec!["me"];
        if let Some(id) = &self.calendar {
            segments.extend(["calendars", id.as_str()]);
        }
        segments.extend(rest);
        join(&self.base, &segments)
    }

    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, SourceError> {
        let mut headers = HeaderMap::new();
        headers.insert("Prefer", HeaderValue::from_static(PREFER));
        let started = std::time::Instant::now();
        let reply = self
            .auth
            .request(method.clone(), url.clone(), headers, body)
            .await;
        // The token refresh and a retry after a 401 count in; the token request is not logged.
        http::log_request(&method, &url, reply.as_ref().map(|r| r.status), started);
        reply
    }

    /// A link Graph gave (nextLink, deltaLink), followed only to Graph's own origin: the access
    /// token goes with it.
    fn link(&self, link: &str) -> Result<Url, SourceError> {
        let url = Url::parse(link)
            .map_err(|_| SourceError::BadResponse("a paging link is not a URL".to_owned()))?;
        if url.origin() != self.base.origin() {
            return Err(SourceError::BadResponse(format!(
                "a paging link leads to another host ({})",
                http::host_of(&url)
            )));
        }
        Ok(url)
    }

    /// Follows a round from `url` to its deltaLink; `None` when Graph says the sync state is
    /// gone (410, or a 4xx naming the sync state).
    async fn round(&self, mut url: Url) -> Result<Option<Round>, SourceError> {
        let mut entries = Vec::new();
        for _ in 0..MAX_PAGES {
            let reply = self.call(Method::GET, url, None).await?;
            if sync_state_lost(&reply) {
                return Ok(None);
            }
            if !reply.status.is_success() {
                return Err(reply.error());
            }
            let page: Page<GraphEvent> = reply.json()?;
            entries.extend(page.value);
            match (page.next_link, page.delta_link) {
                (Some(next), _) => url = self.link(&next)?,
                (None, delta_link) => {
                    return Ok(Some(Round {
                        entries,
                        delta_link,
                    }));
                }
            }
        }
        Err(SourceError::BadResponse(format!(
            "the delta round goes on for more than {MAX_PAGES} pages"
        )))
    }

    async fn full(&self, window: Interval) -> Result<Fetched, SourceError> {
        let mut url = self.calendar_url(&["calendarView", "delta"]);
        url.query_pairs_mut()
            .append_pair("startDateTime", &rfc3339(window.start))
            .append_pair("endDateTime", &rfc3339(window.end));
        let round = self.round(url).await?.ok_or_else(|| {
            SourceError::BadResponse("410 Gone on the first request of a round".to_owned())
        })?;
        let mut items = BTreeMap::new();
        for e in round.entries {
            if e.removed.is_some() {
                items.remove(&e.id);
            } else {
                items.insert(e.id.clone(), Item::Occurrence(occurrence(&e)?));
            }
        }
        Ok(Fetched::Full {
            items,
            cursor: cursor(window, round.delta_link),
        })
    }
}

fn sync_state_lost(reply: &Reply) -> bool {
    if reply.status == StatusCode::GONE {
        return true;
    }
    let text = String::from_utf8_lossy(&reply.body).to_ascii_lowercase();
    reply.status.is_client_error()
        && !matches!(reply.status.as_u16(), 401 | 403 | 429)
        && (text.contains("syncstatenotfound") || text.contains("resyncrequired"))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn cursor(window: Interval, delta_link: Option<String>) -> Cursor {
    let c = oauth::window_cursor(window);
    match delta_link {
        Some(link) => c.with("delta_link", link),
        None => c,
    }
}

/// A Graph `dateTimeTimeZone` as an instant. We ask for UTC; an IANA name is accepted too, a
/// Windows zone name (the header was ignored) is refused rather than guessed.
fn instant(t: &GraphTime) -> Result<DateTime<Utc>, SourceError> {
    let bad = || SourceError::BadResponse(format!("`{}` is not a Graph time", t.date_time));
    if let Ok(d) = DateTime::parse_from_rfc3339(&t.date_time) {
        return Ok(d.with_timezone(&Utc));
    }
    let local =
        NaiveDateTime::parse_from_str(&t.date_time, "%Y-%m-%dT%H:%M:%S%.f").map_err(|_| bad())?;
    match t.time_zone.as_str() {
        "" | "UTC" | "Etc/UTC" | "tzone://Microsoft/Utc" => Ok(local.and_utc()),
        zone => {
            let tz: chrono_tz::Tz = zone.parse().map_err(|_| {
                SourceError::BadResponse(format!(
                    "times came in the zone `{zone}`, not in UTC as asked"
                ))
            })?;
            tz.from_local_datetime(&local)
                .earliest()
                .map(|d| d.with_timezone(&Utc))
                .ok_or_else(bad)
        }
    }
}

/// `showAs: free` is transparent, `tentative` tentative; `isCancelled` cancelled; `isAllDay`
/// gives dates (the midnights Graph reports, end exclusive).
fn occurrence(e: &GraphEvent) -> Result<Occurrence, SourceError> {
    let (Some(start), Some(end)) = (&e.start, &e.end) else {
        return Err(SourceError::BadResponse(format!(
            "event {} has no start or end",
            e.id
        )));
    };
    let (start, end) = (instant(start)?, instant(end)?);
    let when = if e.is_all_day {
        When::AllDay {
            start: start.date_naive(),
            end: end.date_naive(),
        }
    } else {
        When::Timed { start, end }
    };
    let status = if e.is_cancelled {
        Status::Cancelled
    } else if e.show_as == "tentative" {
        Status::Tentative
    } else {
        Status::Confirmed
    };
    Ok(Occurrence {
        when,
        status,
        transparent: e.show_as == "free",
        declined: !e.is_organizer
            && e.response_status
                .as_ref()
                .is_some_and(|r| r.response == "declined"),
        summary: e.subject.clone(),
    })
}

/// The `transactionId` of a booking's event: the same uid always gives the same one.
pub fn transaction_id(uid: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, uid.as_bytes());
    let hex: String = digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("openslot-{hex}")
}

#[async_trait::async_trait]
impl CalendarSource for Microsoft {
    async fn fetch(
        &self,
        window: Interval,
        cursor: Option<&Cursor>,
    ) -> Result<Fetched, SourceError> {
        let Some((c, link)) = cursor
            .filter(|c| oauth::covers(c, window))
            .and_then(|c| Some((c, c.get("delta_link")?)))
        else {
            return self.full(window).await;
        };
        let Some(round) = self.round(self.link(link)?).await? else {
            return self.full(window).await;
        };
        // The deltaLink keeps the window of the round that started it.
        let next = oauth::cursor_window(c).unwrap_or(window);
        let cursor = match round.delta_link {
            Some(link) => self::cursor(next, Some(link)),
            None => Cursor::default(),
        };
        let mut changed = BTreeMap::new();
        let mut removed = Vec::new();
        for e in round.entries {
            if e.removed.is_some() {
                changed.remove(&e.id);
                removed.push(e.id);
            } else {
                removed.retain(|r| r != &e.id);
                changed.insert(e.id.clone(), Item::Occurrence(occurrence(&e)?));
            }
        }
        Ok(Fetched::changes(changed, removed, cursor))
    }

    async fn discover(&self) -> Result<Vec<DiscoveredCalendar>, SourceError> {
        let mut found = Vec::new();
        let mut url = join(&self.base, &["me", "calendars"]);
        for _ in 0..MAX_PAGES {
            let reply = self.call(Method::GET, url, None).await?;
            if !reply.status.is_success() {
                return Err(reply.error());
            }
            let page: Page<GraphCalendar> = reply.json()?;
            for c in page.value {
                let selected = match &self.calendar {
                    Some(id) => &c.id == id,
                    None => c.is_default,
                };
                found.push(DiscoveredCalendar {
                    name: c.name,
                    color: c.hex_color.filter(|h| !h.is_empty()),
                    selected,
                    url: c.id,
                });
            }
            match page.next_link {
                Some(next) => url = self.link(&next)?,
                None => return Ok(found),
            }
        }
        Err(SourceError::BadResponse(format!(
            "the calendar list goes on for more than {MAX_PAGES} pages"
        )))
    }
}

#[async_trait::async_trait]
impl CalendarWriter for Microsoft {
    async fn create(&self, event: &BookingEvent) -> Result<WrittenEvent, SourceError> {
        self.post(event, &transaction_id(&event.uid)).await
    }

    /// "Update event": `PATCH /me/events/{id}` with the fields OpenSlot sets; the id stays.
    async fn update(
        &self,
        written: &WrittenEvent,
        event: &BookingEvent,
    ) -> Result<WrittenEvent, SourceError> {
        let url = join(&self.base, &["me", "events", &written.remote_id]);
        let reply = self
            .call(Method::PATCH, url, Some(&event_body(event)))
            .await?;
        if reply.status.is_success() {
            return Ok(WrittenEvent {
                uid: written.uid.clone(),
                remote_id: written.remote_id.clone(),
                etag: None,
            });
        }
        if reply.status != StatusCode::NOT_FOUND {
            return Err(reply.error());
        }
        // Someone deleted it: the booking still stands, so it is made again, with a
        // transactionId of this version (a retry of this POST is still dropped).
        let tx = transaction_id(&format!("{}#{}", event.uid, event.sequence));
        self.post(event, &tx).await
    }

    async fn delete(&self, written: &WrittenEvent) -> Result<(), SourceError> {
        // An event id is unique in the mailbox: /me/events/{id} finds it in any calendar.
        let url = join(&self.base, &["me", "events", &written.remote_id]);
        let reply = self.call(Method::DELETE, url, None).await?;
        if reply.status.is_success()
            || matches!(reply.status, StatusCode::NOT_FOUND | StatusCode::GONE)
        {
            return Ok(());
        }
        Err(reply.error())
    }
}

/// The fields of a booking's event that OpenSlot sets (create and update). No attendees: Graph
/// would mail them invitations; OpenSlot sends its own mail.
fn event_body(event: &BookingEvent) -> serde_json::Value {
    let graph_time = |t: DateTime<Utc>| json!({ "dateTime": t.format("%Y-%m-%dT%H:%M:%S").to_string(), "timeZone": "UTC" });
    let mut body = json!({
        "subject": event.summary,
        "body": { "contentType": "text", "content": event.description },
        "start": graph_time(event.start),
        "end": graph_time(event.end),
        "showAs": "busy",
    });
    if let Some(location) = &event.location {
        body["location"] = json!({ "displayName": location });
    }
    body
}

impl Microsoft {
    /// "Create event" with `transactionId`, which Graph uses to drop a repeated POST.
    async fn post(&self, event: &BookingEvent, tx: &str) -> Result<WrittenEvent, SourceError> {
        let mut body = event_body(event);
        body["transactionId"] = json!(tx);
        let reply = self
            .call(Method::POST, self.calendar_url(&["events"]), Some(&body))
            .await?;
        if !reply.status.is_success() {
            return Err(reply.error());
        }
        let created: Created = reply.json()?;
        Ok(WrittenEvent {
            uid: event.uid.clone(),
            remote_id: created.id,
            etag: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> Result<Occurrence, SourceError> {
        occurrence(&serde_json::from_str::<GraphEvent>(json).unwrap())
    }

    #[test]
    fn graph_shapes_map_to_occurrences() {
        let timed = event(
            r#"{"id":"a","showAs":"free","start":{"dateTime":"2026-03-01T09:00:00.0000000","timeZone":"UTC"},
            "end":{"dateTime":"2026-03-01T10:00:00.0000000","timeZone":"UTC"}}"#,
        )
        .unwrap();
        assert!(timed.transparent);
        assert_eq!(timed.status, Status::Confirmed);
        assert!(
            matches!(timed.when, When::Timed { start, .. } if rfc3339(start) == "2026-03-01T09:00:00Z")
        );
        let all_day = event(
            r#"{"id":"b","isAllDay":true,"showAs":"tentative","start":{"dateTime":"2026-03-01T00:00:00.0000000","timeZone":"UTC"},
            "end":{"dateTime":"2026-03-02T00:00:00.0000000","timeZone":"UTC"}}"#,
        )
        .unwrap();
        assert_eq!(all_day.status, Status::Tentative);
        assert!(matches!(all_day.when, When::AllDay { start, end }
            if start.to_string() == "2026-03-01" && end.to_string() == "2026-03-02"));
        let windows_zone = event(
            r#"{"id":"c","start":{"dateTime":"2026-03-01T09:00:00","timeZone":"Pacific Standard Time"},
            "end":{"dateTime":"2026-03-01T10:00:00","timeZone":"Pacific Standard Time"}}"#,
        );
        assert!(matches!(windows_zone, Err(SourceError::BadResponse(_))));
        let berlin = event(
            r#"{"id":"d","isCancelled":true,"start":{"dateTime":"2026-03-01T10:00:00","timeZone":"Europe/Berlin"},
            "end":{"dateTime":"2026-03-01T11:00:00","timeZone":"Europe/Berlin"}}"#,
        )
        .unwrap();
        assert_eq!(berlin.status, Status::Cancelled);
        assert!(
            matches!(berlin.when, When::Timed { start, .. } if rfc3339(start) == "2026-03-01T09:00:00Z")
        );
    }

    /// `responseStatus` is the signed-in user's answer; only `declined` frees the event.
    #[test]
    fn declined_is_the_signed_in_users_response() {
        let declined = |extra: &str| {
            event(&format!(
                r#"{{"id":"a","subject":"Standup","start":{{"dateTime":"2026-03-01T09:00:00.0000000","timeZone":"UTC"}},
                "end":{{"dateTime":"2026-03-01T10:00:00.0000000","timeZone":"UTC"}}{extra}}}"#
            ))
            .unwrap()
            .declined
        };
        let cases = [
            ("", false),
            (
                r#","responseStatus":{"response":"declined","time":"2026-02-01T10:00:00Z"}"#,
                true,
            ),
            (r#","responseStatus":{"response":"accepted"}"#, false),
            (
                r#","responseStatus":{"response":"tentativelyAccepted"}"#,
                false,
            ),
            (r#","responseStatus":{"response":"notResponded"}"#, false),
            (
                r#","responseStatus":{"response":"organizer"},"isOrganizer":true"#,
                false,
            ),
            (
                r#","responseStatus":{"response":"declined"},"isOrganizer":true"#,
                false,
            ),
        ];
        for (extra, expected) in cases {
            assert_eq!(declined(extra), expected, "{extra}");
        }
    }

    #[test]
    fn transaction_ids_are_deterministic() {
        assert_eq!(transaction_id("u@x"), transaction_id("u@x"));
        assert_ne!(transaction_id("u@x"), transaction_id("u@y"));
        assert_eq!(transaction_id("u@x").len(), "openslot-".len() + 32);
    }
}
