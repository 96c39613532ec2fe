//! Reading the collection: a full calendar-query over the window, or the changes since the
//! cursor.
//!
//! The cursor holds the collection URL, the time range the last full fetch asked for, and the
//! collection's `sync-token` (RFC 6578) and/or `getctag`. A delta is only valid while the new
//! window lies inside the range of the last full fetch: sync-collection reports changes, not
//! events that merely came into view, so a window that moved past that range needs a full
//! fetch. The full fetch asks for [`LOOKAHEAD`] more than the window so that a window moving
//! forward day by day does not turn every fetch into a full one.
//!
//! Without a sync-token the ctag decides: the same ctag is `Unchanged`, another one a full
//! calendar-query (simpler than an ETag listing and correct; such servers are rare today).
//! A token the server no longer knows (403/409 `valid-sync-token`, or 400/404/412 on some
//! servers), or a server without sync-collection, falls back to the full fetch.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use reqwest::{StatusCode, Url};

use crate::calendar::Interval;

use super::href::{resolve, same_collection};
use super::xml::{self, Multistatus};
use super::{CalDav, Cursor, Fetched, SourceError, http};
use crate::sources::Item;

/// How much further than the window a full fetch reads.
pub const LOOKAHEAD: Duration = Duration::days(7);
/// Hrefs per calendar-multiget request.
const MULTIGET_BATCH: usize = 100;
/// Rounds of a truncated sync-collection answer (507 on the collection) before giving up.
const MAX_SYNC_ROUNDS: usize = 20;

const COLLECTION: &str = "collection";
const FROM: &str = "from";
const TO: &str = "to";
const SYNC_TOKEN: &str = "sync_token";
const CTAG: &str = "ctag";

/// A member's state in a sync answer; the last mention of an href wins.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Change {
    Changed,
    Removed,
}

impl CalDav {
    pub(super) async fn fetch_from(
        &self,
        collection: &Url,
        window: Interval,
        cursor: Option<&Cursor>,
    ) -> Result<Fetched, SourceError> {
        let usable = cursor.filter(|c| {
            c.get(COLLECTION)
                .and_then(|u| Url::parse(u).ok())
                .is_some_and(|u| same_collection(&u, collection))
                && covers(c, window)
        });
        if let Some(cursor) = usable {
            if let Some(token) = cursor.get(SYNC_TOKEN) {
                if let Some(fetched) = self.delta(collection, token, cursor).await? {
                    return Ok(fetched);
                }
            } else if let Some(ctag) = cursor.get(CTAG) {
                let (_, now) = self.state(collection).await?;
                if now.as_deref() == Some(ctag) {
                    return Ok(Fetched::Unchanged {
                        cursor: cursor.clone(),
                    });
                }
            }
        }
        self.full(collection, window).await
    }

    /// The collection's sync-token and ctag.
    async fn state(
        &self,
        collection: &Url,
    ) -> Result<(Option<String>, Option<String>), SourceError> {
        let (answered, ms) = self
            .multistatus("PROPFIND", collection, "0", xml::propfind_state())
            .await?;
        let own = ms
            .responses
            .into_iter()
            .find(|r| resolve(&answered, &r.href).is_some_and(|u| same_collection(&u, collection)));
        Ok(own.map_or((None, None), |r| (r.props.sync_token, r.props.ctag)))
    }

    /// calendar-query over the window (plus [`LOOKAHEAD`]).
    async fn full(&self, collection: &Url, window: Interval) -> Result<Fetched, SourceError> {
        // The markers first: a change between the two requests shows up again next time.
        let (token, ctag) = self.state(collection).await?;
        let to = window.end + LOOKAHEAD;
        let (answered, ms) = self
            .multistatus(
                "REPORT",
                collection,
                "1",
                xml::calendar_query(&utc(window.start), &utc(to)),
            )
            .await?;
        let items = items(&answered, collection, ms).0;
        let mut cursor = Cursor::default()
            .with(COLLECTION, collection.as_str())
            .with(FROM, window.start.to_rfc3339())
            .with(TO, to.to_rfc3339());
        if let Some(t) = token {
            cursor = cursor.with(SYNC_TOKEN, t);
        }
        if let Some(c) = ctag {
            cursor = cursor.with(CTAG, c);
        }
        Ok(Fetched::Full { items, cursor })
    }

    /// sync-collection since `token`; `None` when the server cannot answer it (fall back to a
    /// full fetch).
    async fn delta(
        &self,
        collection: &Url,
        token: &str,
        cursor: &Cursor,
    ) -> Result<Option<Fetched>, SourceError> {
        let mut token = token.to_owned();
        let mut changes: BTreeMap<String, Change> = BTreeMap::new();
        for _ in 0..MAX_SYNC_ROUNDS {
            let Some((answered, ms)) = self.sync_round(collection, &token).await? else {
                return Ok(None);
            };
            let Some(next) = ms.sync_token.clone() else {
                return Ok(None);
            };
            let mut truncated = false;
            for r in ms.responses {
                let Some(url) = resolve(&answered, &r.href) else {
                    continue;
                };
                if same_collection(&url, collection) {
                    truncated |= r.status == Some(507);
                    continue;
                }
                let change = if r.status == Some(404) {
                    Change::Removed
                } else {
                    Change::Changed
                };
                changes.insert(url.to_string(), change);
            }
            let moved = next != token;
            token = next;
            if !(truncated && moved) {
                let (changed, removed) = self.resolve_changes(collection, changes).await?;
                let cursor = Cursor(
                    cursor
                        .0
                        .iter()
                        .filter(|(k, _)| k.as_str() != CTAG)
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
                .with(SYNC_TOKEN, token);
                return Ok(Some(Fetched::changes(changed, removed, cursor)));
            }
        }
        // An answer that never ends: read everything instead.
        Ok(None)
    }

    /// One sync-collection request; `None` when the token is refused or the report unknown.
    async fn sync_round(
        &self,
        collection: &Url,
        token: &str,
    ) -> Result<Option<(Url, Multistatus)>, SourceError> {
        let response = self
            .send(
                "REPORT",
                collection,
                &[(reqwest::header::HeaderName::from_static("depth"), "0")],
                Some((
                    xml::sync_collection(token),
                    "application/xml; charset=utf-8",
                )),
            )
            .await?;
        let status = response.status();
        if status == StatusCode::MULTI_STATUS {
            let answered = response.url().clone();
            let body = http::read_capped(response, self.limits).await?;
            return Ok(Some((answered, xml::parse_multistatus(&body)?)));
        }
        // 403/409 with valid-sync-token is the RFC's answer; 400/404/412 are seen in the wild,
        // 405/501 mean no sync-collection. 401 is a real failure and is reported.
        if matches!(
            status.as_u16(),
            400 | 403 | 404 | 405 | 409 | 412 | 415 | 501
        ) {
            return Ok(None);
        }
        Err(http::status_error(status, response.url()))
    }

    /// The data of the changed hrefs (calendar-multiget); an href that is gone by then counts
    /// as removed.
    async fn resolve_changes(
        &self,
        collection: &Url,
        mut changes: BTreeMap<String, Change>,
    ) -> Result<(BTreeMap<String, Item>, Vec<String>), SourceError> {
        let wanted: Vec<Url> = changes
            .iter()
            .filter(|(_, c)| **c == Change::Changed)
            .filter_map(|(k, _)| Url::parse(k).ok())
            .collect();
        let mut changed = BTreeMap::new();
        for batch in wanted.chunks(MULTIGET_BATCH) {
            let (answered, ms) = self
                .multistatus(
                    "REPORT",
                    collection,
                    "1",
                    xml::calendar_multiget(batch.iter().map(Url::path)),
                )
                .await?;
            let (items, gone) = items(&answered, collection, ms);
            for key in gone {
                changes.insert(key, Change::Removed);
            }
            changed.extend(items);
        }
        // A changed href without data (not a calendar object, or refused) is left alone.
        let removed = changes
            .into_iter()
            .filter(|(k, c)| *c == Change::Removed && !changed.contains_key(k))
            .map(|(k, _)| k)
            .collect();
        Ok((changed, removed))
    }
}

/// The calendar objects of a multistatus keyed by canonical URL, and the hrefs answered 404.
fn items(
    answered: &Url,
    collection: &Url,
    ms: Multistatus,
) -> (BTreeMap<String, Item>, Vec<String>) {
    let mut items = BTreeMap::new();
    let mut gone = Vec::new();
    for r in ms.responses {
        let Some(url) = resolve(answered, &r.href) else {
            continue;
        };
        if same_collection(&url, collection) {
            continue;
        }
        if r.status == Some(404) {
            gone.push(url.to_string());
            continue;
        }
        if let Some(text) = r.props.calendar_data {
            items.insert(
                url.to_string(),
                Item::Ics {
                    etag: r.props.etag,
                    text,
                },
            );
        }
    }
    (items, gone)
}

/// Whether the range of the cursor's full fetch contains the window.
fn covers(cursor: &Cursor, window: Interval) -> bool {
    let at = |k| {
        cursor
            .get(k)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    matches!((at(FROM), at(TO)), (Some(from), Some(to)) if from <= window.start && window.end <= to)
}

/// `YYYYMMDDTHHMMSSZ`, the form of CalDAV's time-range.
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_cursor_covers_only_windows_inside_its_range() {
        let d = |day| Utc.with_ymd_and_hms(2026, 3, day, 0, 0, 0).unwrap();
        let cursor = Cursor::default()
            .with(FROM, d(1).to_rfc3339())
            .with(TO, d(20).to_rfc3339());
        let w = |a, b| Interval {
            start: d(a),
            end: d(b),
        };
        let cases = [
            (w(1, 20), true),
            (w(2, 19), true),
            (w(5, 21), false),
            (w(1, 1), true),
        ];
        for (window, expected) in cases {
            assert_eq!(covers(&cursor, window), expected, "{window:?}");
        }
        assert!(!covers(&Cursor::default(), w(2, 3)));
        assert!(!covers(
            &Cursor::default().with(FROM, "garbage").with(TO, "x"),
            w(2, 3)
        ));
        assert_eq!(utc(d(7)), "20260307T000000Z");
    }

    #[test]
    fn items_skip_the_collection_and_collect_404s() {
        let base = Url::parse("http://h/u/cal/").unwrap();
        let ms = xml::parse_multistatus(
            br#"<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
<d:response><d:href>/u/cal</d:href><d:propstat><d:prop><d:getetag>"c"</d:getetag></d:prop></d:propstat></d:response>
<d:response><d:href>a%40b.ics</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag><c:calendar-data>BEGIN:VCALENDAR</c:calendar-data></d:prop></d:propstat></d:response>
<d:response><d:href>http://h/u/cal/x.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>
<d:response><d:href>/u/cal/nodata.ics</d:href><d:propstat><d:prop><d:getetag>"2"</d:getetag></d:prop></d:propstat></d:response>
</d:multistatus>"#,
        )
        .unwrap();
        let (items, gone) = items(&base, &base, ms);
        assert_eq!(items.keys().collect::<Vec<_>>(), ["http://h/u/cal/a@b.ics"]);
        assert_eq!(gone, ["http://h/u/cal/x.ics"]);
    }
}
