//! `kind = "google"`: Google Calendar API v3, read and write, with OAuth (see [`super::oauth`]).
//!
//! Reading: `events.list` with `singleEvents=true` (Google expands recurrences; each instance is
//! an [`Occurrence`] keyed by its event id), paged with `pageToken`; the last page's
//! `nextSyncToken` goes into the cursor and the next fetch asks only for changes (`syncToken`,
//! deleted events come back as `status: "cancelled"` and are removed). A 410 (the token expired,
//! `fullSyncRequired`) means a full fetch again. Writing: `events.insert` with an event id
//! derived from the booking's uid, so a retry meets a 409 and reads the event it already made;
//! a reschedule is `events.patch` of that event (same id), a cancel `events.delete`.
//!
//! Built from the documented requests and answers ("Events: list", "Events: insert", "Events:
//! patch", "Events: delete", "Events: get", "CalendarList: list", the guide "Synchronize resources efficiently",
//! "Handle API errors"); tested against a local stand-in of those shapes
//! (tests/google_microsoft), since Google is not reachable from the test machines.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use reqwest::header::HeaderMap;
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

pub const DEFAULT_API: &str = "https://www.googleapis.com/calendar/v3";
/// The largest page `events.list` gives.
const PAGE_SIZE: &str = "2500";
/// A listing longer than this many pages is refused rather than followed forever.
const MAX_PAGES: usize = 1000;

#[derive(Debug)]
pub struct Google {
    base: Url,
    calendar: String,
    auth: OAuth,
}

#[derive(Deserialize)]
struct EventList {
    #[serde(default)]
    items: Vec<GEvent>,
    #[serde(default, rename = "nextPageToken")]
    next_page_token: Option<String>,
    #[serde(default, rename = "nextSyncToken")]
    next_sync_token: Option<String>,
}

#[derive(Deserialize)]
struct GEvent {
    id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    transparency: String,
    #[serde(default)]
    start: Option<GTime>,
    #[serde(default)]
    end: Option<GTime>,
    #[serde(default)]
    etag: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    attendees: Vec<GAttendee>,
    #[serde(default)]
    organizer: Option<GPerson>,
}

/// `attendees[]`: `self` marks the entry of the calendar's owner (the authorized user).
#[derive(Deserialize)]
struct GAttendee {
    #[serde(default, rename = "self")]
    is_self: bool,
    #[serde(default, rename = "responseStatus")]
    response_status: String,
}

#[derive(Deserialize)]
struct GPerson {
    #[serde(default, rename = "self")]
    is_self: bool,
}

#[derive(Deserialize)]
struct GTime {
    #[serde(default)]
    date: Option<String>,
    #[serde(default, rename = "dateTime")]
    date_time: Option<String>,
}

#[derive(Deserialize)]
struct CalendarList {
    #[serde(default)]
    items: Vec<CalendarEntry>,
    #[serde(default, rename = "nextPageToken")]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct CalendarEntry {
    id: String,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default, rename = "summaryOverride")]
    summary_override: Option<String>,
    #[serde(default, rename = "backgroundColor")]
    background_color: Option<String>,
    #[serde(default)]
    primary: bool,
}

/// What a listing gave: every item of every page, and the token of the last page.
struct Listing {
    items: Vec<GEvent>,
    sync_token: Option<String>,
}

impl Google {
    pub fn new(config: &SourceConfig, ctx: &SourceContext) -> Result<Self, SourceError> {
        let limits = Limits {
            timeout: config.timeout(),
            max_bytes: config.max_bytes(),
            ..Limits::default()
        };
        let client = http::client(limits)?;
        Ok(Google {
            base: api_base(&config.url, DEFAULT_API)?,
            calendar: config
                .calendar
                .clone()
                .unwrap_or_else(|| "primary".to_owned()),
            auth: OAuth::new(Service::Google, config, ctx, client, limits)?,
        })
    }

    /// `{base}/seg/seg…`, each segment percent-encoded (calendar ids hold `@` and `#`).
    fn url(&self, segments: &[&str]) -> Url {
        join(&self.base, segments)
    }

    fn events_url(&self) -> Url {
        self.url(&["calendars", &self.calendar, "events"])
    }

    fn event_url(&self, id: &str) -> Url {
        self.url(&["calendars", &self.calendar, "events", id])
    }

    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, SourceError> {
        let started = std::time::Instant::now();
        let reply = self
            .auth
            .request(method.clone(), url.clone(), HeaderMap::new(), body)
            .await;
        // The token refresh and a retry after a 401 count in; the token request is not logged.
        http::log_request(&method, &url, reply.as_ref().map(|r| r.status), started);
        reply
    }

    /// Every page of `events.list` with `query`; `None` when Google says the sync token is gone
    /// (410).
    async fn list(&self, query: &[(&str, String)]) -> Result<Option<Listing>, SourceError> {
        let mut items = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = self.events_url();
            {
                let mut pairs = url.query_pairs_mut();
                pairs.append_pair("singleEvents", "true");
                pairs.append_pair("maxResults", PAGE_SIZE);
                for (k, v) in query {
                    pairs.append_pair(k, v);
                }
                if let Some(t) = &page_token {
                    pairs.append_pair("pageToken", t);
                }
            }
            let reply = self.call(Method::GET, url, None).await?;
            if reply.status == StatusCode::GONE {
                return Ok(None);
            }
            if !reply.status.is_success() {
                return Err(reply.error());
            }
            let page: EventList = reply.json()?;
            items.extend(page.items);
            match page.next_page_token {
                Some(t) if !t.is_empty() => page_token = Some(t),
                _ => {
                    return Ok(Some(Listing {
                        items,
                        sync_token: page.next_sync_token,
                    }));
                }
            }
        }
        Err(SourceError::BadResponse(format!(
            "the event list goes on for more than {MAX_PAGES} pages"
        )))
    }

    async fn full(&self, window: Interval) -> Result<Fetched, SourceError> {
        let query = [
            ("timeMin", rfc3339(window.start)),
            ("timeMax", rfc3339(window.end)),
            ("showDeleted", "false".to_owned()),
        ];
        let listing = self
            .list(&query)
            .await?
            .ok_or_else(|| SourceError::BadResponse("410 Gone without a sync token".to_owned()))?;
        let mut items = BTreeMap::new();
        for e in listing.items {
            // A cancelled instance of a recurring event may still be listed: it is not busy.
            if e.status != "cancelled" {
                items.insert(e.id.clone(), Item::Occurrence(occurrence(&e)?));
            }
        }
        Ok(Fetched::Full {
            items,
            cursor: cursor(window, listing.sync_token),
        })
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn cursor(window: Interval, sync_token: Option<String>) -> Cursor {
    let c = oauth::window_cursor(window);
    match sync_token {
        Some(t) => c.with("sync_token", t),
        None => c,
    }
}

/// An event as an occurrence. `start.date` is all-day (end exclusive), `start.dateTime` a
/// timed RFC 3339 instant.
fn occurrence(e: &GEvent) -> Result<Occurrence, SourceError> {
    let bad = |what: &str| SourceError::BadResponse(format!("event {}: {what}", e.id));
    let (Some(start), Some(end)) = (&e.start, &e.end) else {
        return Err(bad("no start or end"));
    };
    let when = match (&start.date_time, &end.date_time, &start.date, &end.date) {
        (Some(s), Some(t), _, _) => {
            let at = |v: &str| {
                DateTime::parse_from_rfc3339(v)
                    .map(|d| d.with_timezone(&Utc))
                    .map_err(|_| bad("a time is not RFC 3339"))
            };
            When::Timed {
                start: at(s)?,
                end: at(t)?,
            }
        }
        (None, None, Some(s), Some(t)) => {
            let day = |v: &str| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| bad("a date is not a date"))
            };
            When::AllDay {
                start: day(s)?,
                end: day(t)?,
            }
        }
        _ => return Err(bad("start and end are not both dates or both times")),
    };
    Ok(Occurrence {
        when,
        status: match e.status.as_str() {
            "tentative" => Status::Tentative,
            "cancelled" => Status::Cancelled,
            _ => Status::Confirmed,
        },
        transparent: e.transparency == "transparent",
        declined: !e.organizer.as_ref().is_some_and(|o| o.is_self)
            && e.attendees
                .iter()
                .any(|a| a.is_self && a.response_status == "declined"),
        summary: e.summary.clone(),
    })
}

/// The Google event id of a booking: the lowercase hex of its uid, which only uses the allowed
/// characters (base32hex `a-v0-9`, length 5-1024); a uid too short or too long for that is
/// replaced by the hex of its SHA-256. The same uid always gives the same id.
pub fn event_id(uid: &str) -> String {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let id = hex(uid.as_bytes());
    if (5..=1024).contains(&id.len()) {
        id
    } else {
        hex(ring::digest::digest(&ring::digest::SHA256, uid.as_bytes()).as_ref())
    }
}

#[async_trait::async_trait]
impl CalendarSource for Google {
    async fn fetch(
        &self,
        window: Interval,
        cursor: Option<&Cursor>,
    ) -> Result<Fetched, SourceError> {
        let Some((c, token)) = cursor
            .filter(|c| oauth::covers(c, window))
            .and_then(|c| Some((c, c.get("sync_token")?)))
        else {
            return self.full(window).await;
        };
        // With a sync token Google allows no time bounds and always includes deleted events.
        let Some(listing) = self.list(&[("syncToken", token.to_owned())]).await? else {
            return self.full(window).await;
        };
        // The token keeps reporting the window of the full fetch that made it.
        let next = oauth::cursor_window(c).unwrap_or(window);
        let cursor = match listing.sync_token {
            Some(t) => self::cursor(next, Some(t)),
            // No new token: the next fetch starts over.
            None => Cursor::default(),
        };
        let mut changed = BTreeMap::new();
        let mut removed = Vec::new();
        for e in listing.items {
            if e.status == "cancelled" {
                removed.push(e.id);
            } else {
                changed.insert(e.id.clone(), Item::Occurrence(occurrence(&e)?));
            }
        }
        Ok(Fetched::changes(changed, removed, cursor))
    }

    async fn discover(&self) -> Result<Vec<DiscoveredCalendar>, SourceError> {
        let mut found = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = self.url(&["users", "me", "calendarList"]);
            if let Some(t) = &page_token {
                url.query_pairs_mut().append_pair("pageToken", t);
            }
            let reply = self.call(Method::GET, url, None).await?;
            if !reply.status.is_success() {
                return Err(reply.error());
            }
            let page: CalendarList = reply.json()?;
            for c in page.items {
                let selected = c.id == self.calendar || (self.calendar == "primary" && c.primary);
                found.push(DiscoveredCalendar {
                    name: c.summary_override.or(c.summary),
                    color: c.background_color,
                    selected,
                    url: c.id,
                });
            }
            match page.next_page_token {
                Some(t) if !t.is_empty() => page_token = Some(t),
                _ => return Ok(found),
            }
        }
        Err(SourceError::BadResponse(format!(
            "the calendar list goes on for more than {MAX_PAGES} pages"
        )))
    }
}

#[async_trait::async_trait]
impl CalendarWriter for Google {
    async fn create(&self, event: &BookingEvent) -> Result<WrittenEvent, SourceError> {
        self.insert(event, &event_id(&event.uid)).await
    }

    /// "Events: patch" of the event we made: its id stays, Google raises its sequence.
    async fn update(
        &self,
        written: &WrittenEvent,
        event: &BookingEvent,
    ) -> Result<WrittenEvent, SourceError> {
        let mut url = self.event_url(&written.remote_id);
        url.query_pairs_mut().append_pair("sendUpdates", "none");
        let reply = self
            .call(Method::PATCH, url, Some(&event_body(event)))
            .await?;
        if reply.status.is_success() {
            let e: GEvent = reply.json()?;
            return Ok(WrittenEvent {
                uid: written.uid.clone(),
                remote_id: e.id,
                etag: e.etag,
            });
        }
        if !matches!(reply.status, StatusCode::NOT_FOUND | StatusCode::GONE) {
            return Err(reply.error());
        }
        // Someone deleted it: the booking still stands. Google keeps deleted ids, so it is
        // made again under an id of this version (the same on a retry).
        let id = event_id(&format!("{}#{}", event.uid, event.sequence));
        self.insert(event, &id).await
    }

    async fn delete(&self, written: &WrittenEvent) -> Result<(), SourceError> {
        let mut url = self.event_url(&written.remote_id);
        url.query_pairs_mut().append_pair("sendUpdates", "none");
        let reply = self.call(Method::DELETE, url, None).await?;
        // 410 "Resource has been deleted", 404: already gone.
        if reply.status.is_success()
            || matches!(reply.status, StatusCode::NOT_FOUND | StatusCode::GONE)
        {
            return Ok(());
        }
        Err(reply.error())
    }
}

/// The fields of a booking's event that OpenSlot sets (insert and patch).
fn event_body(event: &BookingEvent) -> serde_json::Value {
    let mut body = json!({
        "summary": event.summary,
        "description": event.description,
        "start": { "dateTime": rfc3339(event.start), "timeZone": "UTC" },
        "end": { "dateTime": rfc3339(event.end), "timeZone": "UTC" },
        "status": "confirmed",
        "transparency": "opaque",
    });
    if let Some(location) = &event.location {
        body["location"] = json!(location);
    }
    body
}

impl Google {
    /// "Events: insert" under the event id `id`; a retry meets 409 and reads its own event.
    async fn insert(&self, event: &BookingEvent, id: &str) -> Result<WrittenEvent, SourceError> {
        // Only `id` is given, not `iCalUID`: "Events: insert" says to supply one of the two.
        let mut body = event_body(event);
        body["id"] = json!(id);
        let mut url = self.events_url();
        url.query_pairs_mut().append_pair("sendUpdates", "none");
        let reply = self.call(Method::POST, url, Some(&body)).await?;
        let written = |e: GEvent| WrittenEvent {
            uid: event.uid.clone(),
            remote_id: e.id,
            etag: e.etag,
        };
        if reply.status.is_success() {
            return Ok(written(reply.json()?));
        }
        if reply.status != StatusCode::CONFLICT {
            return Err(reply.error());
        }
        // 409 "The requested identifier already exists": an earlier attempt made it.
        let reply = self.call(Method::GET, self.event_url(id), None).await?;
        if !reply.status.is_success() {
            return Err(reply.error());
        }
        let existing: GEvent = reply.json()?;
        if existing.status == "cancelled" {
            return Err(SourceError::Refused(format!(
                "the event {id} of this booking was deleted, and Google keeps deleted ids"
            )));
        }
        Ok(written(existing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_valid_and_deterministic() {
        let valid = |id: &str| {
            (5..=1024).contains(&id.len())
                && id
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='v').contains(&c))
        };
        for uid in ["booking-42@openslot", "a", "ab", &"x".repeat(600), "é"] {
            let id = event_id(uid);
            assert!(valid(&id), "{uid} -> {id}");
            assert_eq!(id, event_id(uid));
        }
        assert_ne!(event_id("a@b"), event_id("a@c"));
    }

    #[test]
    fn event_shapes_map_to_occurrences() {
        let e = |json: &str| occurrence(&serde_json::from_str::<GEvent>(json).unwrap());
        let timed = e(r#"{"id":"a","status":"tentative","transparency":"transparent",
            "start":{"dateTime":"2026-03-01T10:00:00+01:00"},"end":{"dateTime":"2026-03-01T11:00:00+01:00"}}"#)
        .unwrap();
        assert_eq!(timed.status, Status::Tentative);
        assert!(timed.transparent);
        assert!(
            matches!(timed.when, When::Timed { start, .. } if rfc3339(start) == "2026-03-01T09:00:00Z")
        );
        let all_day =
            e(r#"{"id":"b","start":{"date":"2026-03-01"},"end":{"date":"2026-03-02"}}"#).unwrap();
        assert_eq!(all_day.status, Status::Confirmed);
        assert!(matches!(all_day.when, When::AllDay { .. }));
        assert!(e(r#"{"id":"c"}"#).is_err());
        assert!(e(r#"{"id":"d","start":{"date":"x"},"end":{"date":"2026-03-02"}}"#).is_err());
    }

    /// Only the `self` attendee's `declined` frees an event, and never one the owner organizes.
    #[test]
    fn declined_is_the_self_attendees_answer() {
        let declined = |extra: &str| {
            let json = format!(
                r#"{{"id":"a","summary":"Standup","start":{{"dateTime":"2026-03-01T10:00:00Z"}},
                "end":{{"dateTime":"2026-03-01T11:00:00Z"}}{extra}}}"#
            );
            occurrence(&serde_json::from_str::<GEvent>(&json).unwrap())
                .unwrap()
                .declined
        };
        let cases = [
            ("", false),
            (
                r#","attendees":[{"email":"ada@example.org","self":true,"responseStatus":"declined"}]"#,
                true,
            ),
            (
                r#","attendees":[{"email":"ada@example.org","self":true,"responseStatus":"accepted"}]"#,
                false,
            ),
            (
                r#","attendees":[{"email":"ada@example.org","self":true,"responseStatus":"tentative"}]"#,
                false,
            ),
            (
                r#","attendees":[{"email":"ada@example.org","self":true,"responseStatus":"needsAction"}]"#,
                false,
            ),
            (
                r#","attendees":[{"email":"bob@example.org","responseStatus":"declined"},
                {"email":"ada@example.org","self":true,"responseStatus":"accepted"}]"#,
                false,
            ),
            (
                r#","organizer":{"email":"ada@example.org","self":true},
                "attendees":[{"email":"ada@example.org","self":true,"responseStatus":"declined"}]"#,
                false,
            ),
        ];
        for (extra, expected) in cases {
            assert_eq!(declined(extra), expected, "{extra}");
        }
    }
}
