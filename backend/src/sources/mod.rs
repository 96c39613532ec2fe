//! I/O: the owner's calendars. Two ports, one adapter per protocol behind them:
//! [`CalendarSource`] reads (a full fetch, or the changes since a cursor where the protocol has
//! incremental sync) and [`CalendarWriter`] creates, updates and deletes the events of bookings.
//!
//! Invariants: OpenSlot never changes or deletes an event it did not create (writers only touch
//! the deterministic ids they made); a source that cannot be read is never treated as free (the
//! sync layer keeps the last good snapshot and applies the freshness policy); every outbound
//! request goes through [`http`] (timeouts, size cap, redirect limit).
//!
//! Adapters: `ics_feed` (http(s)/webcal/file), `caldav`, `google`, `microsoft` (the last two
//! tested against local stand-ins of their documented APIs, see tests/).

pub mod caldav;
pub mod digest;
mod error;
pub mod google;
pub mod http;
pub mod ics_feed;
pub mod microsoft;
pub mod oauth;
mod open;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{BookingEvent, Calendar, Interval, Status, parse_reader};

pub use error::SourceError;
pub use open::{SourceContext, open_source, open_writer};

/// Reads one calendar. Implementations are cheap to call repeatedly; they keep no cache of
/// their own (the caller keeps the snapshot and passes the cursor back).
#[async_trait::async_trait]
pub trait CalendarSource: Send + Sync + std::fmt::Debug {
    /// Fetches what changed since `cursor` (`None`: everything). `window` bounds the time range
    /// where the protocol asks for one (CalDAV time-range, Google timeMin/timeMax, Graph
    /// calendarView); feeds return everything they hold.
    async fn fetch(
        &self,
        window: Interval,
        cursor: Option<&Cursor>,
    ) -> Result<Fetched, SourceError>;

    /// The calendars found at the source's URL, for `openslot sources` (one for a feed).
    async fn discover(&self) -> Result<Vec<DiscoveredCalendar>, SourceError>;
}

/// Writes the events of bookings into one calendar.
#[async_trait::async_trait]
pub trait CalendarWriter: Send + Sync + std::fmt::Debug {
    /// Creates the event. Idempotent on `event.uid`: a retry after a lost answer, or after a
    /// crash, finds the event it made and returns it instead of making a second copy.
    async fn create(&self, event: &BookingEvent) -> Result<WrittenEvent, SourceError>;

    /// Replaces an event this writer created with `event` (the same UID, a higher SEQUENCE,
    /// a new time) in place: the same resource or event id, so calendars and scheduling servers
    /// see an update, not a cancellation and a new invitation. An event someone else changed
    /// meanwhile is still updated when its UID is the booking's; one that is gone is made
    /// again. Returns where it lives now.
    async fn update(
        &self,
        written: &WrittenEvent,
        event: &BookingEvent,
    ) -> Result<WrittenEvent, SourceError>;

    /// Deletes an event this writer created. An event that is already gone is not an error.
    async fn delete(&self, written: &WrittenEvent) -> Result<(), SourceError>;
}

/// Where a created event lives, as the calendar named it; kept with the booking to update and
/// delete it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenEvent {
    pub uid: String,
    /// CalDAV: the resource URL; Google and Graph: the event id.
    pub remote_id: String,
    /// The strong entity tag of the version we wrote, when the server gave one (CalDAV
    /// `If-Match` on update and delete). Never a weak one (`W/"..."`): If-Match compares
    /// strongly (RFC 9110 13.1.1), so a strict server would refuse it forever.
    pub etag: Option<String>,
}

/// `value` when it is a strong entity tag, else `None` (weak `W/"..."`, or empty). An unquoted
/// tag, which some servers send, is kept as it came: that server compares it the same way.
pub fn strong_etag(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty() && !v.starts_with("W/") && !v.starts_with("w/")).then(|| v.to_owned())
}

/// The position of an incremental sync, opaque outside the adapter that made it (an ETag, a
/// CalDAV sync-token or ctag, a Google syncToken, a Graph deltaLink).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor(pub BTreeMap<String, String>);

impl Cursor {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.0.insert(key.to_owned(), value.into());
        self
    }
}

/// The answer to a fetch.
#[derive(Clone, Debug, PartialEq)]
pub enum Fetched {
    /// Nothing changed since the cursor (HTTP 304, same ctag, an empty delta).
    Unchanged { cursor: Cursor },
    /// Everything the source holds now; replaces the snapshot.
    Full {
        items: BTreeMap<String, Item>,
        cursor: Cursor,
    },
    /// Changes since the cursor: items added or changed (by key) and keys removed.
    Delta {
        changed: BTreeMap<String, Item>,
        removed: Vec<String>,
        cursor: Cursor,
    },
}

impl Fetched {
    /// The changes since a cursor: `Unchanged` when there are none.
    pub fn changes(changed: BTreeMap<String, Item>, removed: Vec<String>, cursor: Cursor) -> Self {
        if changed.is_empty() && removed.is_empty() {
            Fetched::Unchanged { cursor }
        } else {
            Fetched::Delta {
                changed,
                removed,
                cursor,
            }
        }
    }
}

/// One unit of a source's content, keyed by where it came from (a CalDAV href, a Google or
/// Graph event id, the feed URL).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Item {
    /// iCalendar text (a feed body, a CalDAV resource), expanded by our engine.
    Ics { etag: Option<String>, text: String },
    /// One occurrence the service expanded itself (Google singleEvents, Graph calendarView).
    Occurrence(Occurrence),
}

/// An occurrence expanded by the calendar service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    pub when: When,
    #[serde(with = "status_serde")]
    pub status: Status,
    /// Marked "free" / "show as available".
    pub transparent: bool,
    /// The owner declined it (Google: the `self` attendee's `responseStatus`; Graph: the
    /// signed-in user's `responseStatus.response`), and does not organize it: free.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub declined: bool,
    /// The title (Google `summary`, Graph `subject`): read only by availability sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// Timed (instants) or all-day (dates in the owner's zone, end exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum When {
    Timed {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    AllDay {
        start: NaiveDate,
        end: NaiveDate,
    },
}

/// A calendar found by discovery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredCalendar {
    pub url: String,
    pub name: Option<String>,
    pub color: Option<String>,
    /// Whether OpenSlot reads this one (the source's `calendar`, or the only one).
    pub selected: bool,
}

mod status_serde {
    use super::Status;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: &Status, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(match s {
            Status::Confirmed => "confirmed",
            Status::Tentative => "tentative",
            Status::Cancelled => "cancelled",
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Status, D::Error> {
        Ok(match String::deserialize(de)?.as_str() {
            "tentative" => Status::Tentative,
            "cancelled" => Status::Cancelled,
            _ => Status::Confirmed,
        })
    }
}

/// Reads and parses an ICS file, a chunk at a time (memory does not grow with the file).
/// Invalid UTF-8 is replaced, not rejected: the rest still counts.
pub fn read_ics_file(path: &Path) -> Result<Calendar, SourceError> {
    let err = |source| SourceError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(err)?;
    parse_reader(file, &path.display().to_string()).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::strong_etag;

    #[test]
    fn only_strong_etags_are_kept() {
        let cases = [
            ("\"abc\"", Some("\"abc\"")),
            (" \"abc\" ", Some("\"abc\"")),
            ("abc", Some("abc")),
            ("W/\"abc\"", None),
            ("w/\"abc\"", None),
            ("", None),
            ("  ", None),
        ];
        for (value, expected) in cases {
            assert_eq!(strong_etag(value).as_deref(), expected, "{value:?}");
        }
    }
}
