//! The CalDAV adapter against real servers (Radicale, Xandikos, Cyrus IMAP and DAViCal, started per test
//! by [`servers::Server`]): discovery, time-range reads with recurrence, incremental sync, and
//! the writer's create / retry / update / delete, and (`conditional`) the If-Match of every
//! update and delete as seen on the wire. Each scenario is one async function run against every
//! server by [`both!`]; `scheduling` checks that a scheduling server (Cyrus) sends no mail of its
//! own for a booking.

// Test code: a failed setup step should stop the test where it happened.
#![allow(clippy::unwrap_used)]

mod conditional;
use openslot_testkit::conformance;
mod digest_auth;
mod discovery_faults;
mod hostile_hrefs;
use openslot_testkit::nginx_front;
use openslot_testkit::process;
mod request_log;
use openslot_testkit::required;
mod scheduling;
use openslot_testkit::caldav as servers;
use openslot_testkit::wire_log;

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use openslot::calendar::{BookingEvent, Interval, busy_intervals, parse_calendar};
use openslot::sources::{CalendarSource, CalendarWriter, Cursor, Fetched, Item, SourceError};

use conditional::{
    a_stale_etag_is_read_again_and_the_write_retried_once,
    a_weak_or_missing_etag_is_read_before_writing, an_update_never_overwrites_a_foreign_event,
    an_update_of_a_deleted_event_makes_it_again_in_place,
    every_write_after_the_create_is_conditional,
};
use servers::{Kind, Server};

/// One `#[tokio::test]` per server for a scenario `async fn(Kind)` (Cyrus and DAViCal where
/// they are installed, see [`servers::cyrus_missing`] and [`servers::davical_missing`]).
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod radicale {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Kind::Radicale).await })*
        }
        mod xandikos {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Kind::Xandikos).await })*
        }
        mod cyrus {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(what) = super::servers::cyrus_missing() {
                    return super::required::missing(stringify!($name), &what);
                }
                super::$name(super::Kind::Cyrus).await
            })*
        }
        mod davical {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(what) = super::servers::davical_missing() {
                    return super::required::missing(stringify!($name), &what);
                }
                super::$name(super::Kind::Davical).await
            })*
        }
    };
}

both!(
    discovery_from_root_and_calendar_url,
    time_range_and_recurrence_match_the_engine,
    incremental_sync_after_add_change_delete,
    ctag_decides_without_a_sync_token,
    create_retry_and_delete,
    delete_after_someone_changed_the_event,
    create_never_overwrites_a_foreign_event,
    every_write_after_the_create_is_conditional,
    a_stale_etag_is_read_again_and_the_write_retried_once,
    a_weak_or_missing_etag_is_read_before_writing,
    an_update_of_a_deleted_event_makes_it_again_in_place,
    an_update_never_overwrites_a_foreign_event,
);

fn at(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, 0, 0).unwrap()
}

/// March 2026.
fn march() -> Interval {
    Interval {
        start: at(3, 1, 0),
        end: at(4, 1, 0),
    }
}

fn event(uid: &str, start: DateTime<Utc>, end: DateTime<Utc>, summary: &str) -> String {
    let f = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:20260101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:{summary}\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n",
        f(start),
        f(end)
    )
}

/// Weekly on Mondays 09:00-10:00 UTC from 2 March, 6 times; 9 March moved to Tuesday
/// 13:00-14:00, 16 March excluded.
const WEEKLY: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20260101T000000Z\r\n\
DTSTART:20260302T090000Z\r\nDTEND:20260302T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=6\r\n\
EXDATE:20260316T090000Z\r\nSUMMARY:Standup\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20260309T090000Z\r\n\
DTSTART:20260310T130000Z\r\nDTEND:20260310T140000Z\r\nSUMMARY:Standup (moved)\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

/// The busy time of iCalendar texts, by our engine, sorted.
fn busy_of<'a>(texts: impl IntoIterator<Item = &'a str>, window: Interval) -> Vec<Interval> {
    let mut all = Vec::new();
    for text in texts {
        let cal = parse_calendar(text, "t");
        all.extend(busy_intervals(
            &cal,
            window,
            chrono_tz::UTC,
            &Default::default(),
            &mut Vec::new(),
        ));
    }
    all.sort();
    all
}

fn texts(items: &BTreeMap<String, Item>) -> Vec<&str> {
    items
        .values()
        .map(|i| match i {
            Item::Ics { text, .. } => text.as_str(),
            Item::Occurrence(_) => panic!("CalDAV gives iCalendar text"),
        })
        .collect()
}

/// The items and cursor of a fetch that must be full.
fn full(f: Fetched) -> (BTreeMap<String, Item>, Cursor) {
    match f {
        Fetched::Full { items, cursor } => (items, cursor),
        other => panic!("expected a full fetch, got {other:?}"),
    }
}

/// How many events with this UID the calendar holds in the window.
async fn count_uid(source: &dyn CalendarSource, uid: &str, window: Interval) -> usize {
    let (items, _) = full(source.fetch(window, None).await.unwrap());
    texts(&items)
        .iter()
        .map(|t| {
            parse_calendar(t, "t")
                .events
                .iter()
                .filter(|e| e.uid.as_deref() == Some(uid))
                .count()
        })
        .sum()
}

async fn discovery_from_root_and_calendar_url(kind: Kind) {
    let server = Server::start(kind).await;
    let work = server.mkcalendar("work", "Work", "#FF0000FF").await;
    let family = server.mkcalendar("family", "Family", "#00FF00FF").await;
    server
        .put(&work, "w.ics", &event("w", at(3, 5, 9), at(3, 5, 10), "W"))
        .await;
    server
        .put(
            &family,
            "f.ics",
            &event("f", at(3, 6, 9), at(3, 6, 10), "F"),
        )
        .await;

    // From the server root, no choice: both listed, none chosen, the error names them.
    let root = server.caldav(&server.base, None);
    let found = root.discover().await.unwrap();
    let named = |n: &str| {
        found
            .iter()
            .find(|c| c.name.as_deref() == Some(n))
            .unwrap_or_else(|| panic!("{n} not in {found:?}"))
            .clone()
    };
    assert_eq!(named("Work").url, work);
    assert_eq!(named("Work").color.as_deref(), Some("#FF0000FF"));
    assert_eq!(named("Family").url, family);
    assert_eq!(named("Family").color.as_deref(), Some("#00FF00FF"));
    assert!(found.iter().all(|c| !c.selected), "{found:?}");
    if kind == Kind::Radicale {
        assert_eq!(found.len(), 2, "{found:?}");
    }
    let e = root.fetch(march(), None).await.unwrap_err().to_string();
    assert!(
        e.starts_with("several calendars were found: set `calendar` to one of:")
            && e.contains("\"Work\"")
            && e.contains("\"Family\""),
        "{e}"
    );

    // `calendar` chooses, by name, path or last segment.
    for choice in ["Family", "family", &family] {
        let chosen = server.caldav(&server.base, Some(choice));
        let found = chosen.discover().await.unwrap();
        let selected: Vec<_> = found.iter().filter(|c| c.selected).collect();
        assert_eq!(selected.len(), 1, "{choice}: {found:?}");
        assert_eq!(selected[0].url, family, "{choice}");
        let (items, _) = full(chosen.fetch(march(), None).await.unwrap());
        assert_eq!(
            items.keys().collect::<Vec<_>>(),
            [&format!("{family}f.ics")]
        );
    }

    // From the calendar's own URL: that one, without a choice.
    let direct = server.caldav(&work, None);
    let found = direct.discover().await.unwrap();
    let selected: Vec<_> = found.iter().filter(|c| c.selected).collect();
    assert_eq!(selected.len(), 1, "{found:?}");
    assert_eq!(selected[0].url, work);
    assert_eq!(selected[0].name.as_deref(), Some("Work"));
    let (items, _) = full(direct.fetch(march(), None).await.unwrap());
    assert_eq!(items.keys().collect::<Vec<_>>(), [&format!("{work}w.ics")]);

    // A URL that is nothing (404): RFC 6764 bootstrapping via /.well-known/caldav.
    let lost = server.caldav(
        &format!("{}{}nothing/", server.base, server.home),
        Some("Work"),
    );
    let (items, _) = full(lost.fetch(march(), None).await.unwrap());
    assert_eq!(items.keys().collect::<Vec<_>>(), [&format!("{work}w.ics")]);

    let wrong = server.caldav(&server.base, Some("Holidays"));
    let e = wrong.fetch(march(), None).await.unwrap_err();
    assert!(matches!(e, SourceError::Config(_)), "{e:?}");
    assert!(e.to_string().contains("\"Work\""), "{e}");
}

async fn time_range_and_recurrence_match_the_engine(kind: Kind) {
    let server = Server::start(kind).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let inside = event("inside", at(3, 5, 12), at(3, 5, 13), "Inside");
    let outside = event("outside", at(6, 1, 12), at(6, 1, 13), "Outside");
    server.put(&cal, "inside.ics", &inside).await;
    server.put(&cal, "outside.ics", &outside).await;
    server.put(&cal, "weekly.ics", WEEKLY).await;

    let source = server.caldav(&cal, None);
    let (items, cursor) = full(source.fetch(march(), None).await.unwrap());
    assert_eq!(
        items.keys().cloned().collect::<Vec<_>>(),
        [format!("{cal}inside.ics"), format!("{cal}weekly.ics")]
    );
    assert!(
        items
            .values()
            .all(|i| matches!(i, Item::Ics { etag: Some(_), .. })),
        "{items:?}"
    );
    assert!(cursor.get("sync_token").is_some(), "{cursor:?}");

    let got = busy_of(texts(&items), march());
    assert_eq!(got, busy_of([inside.as_str(), WEEKLY], march()));
    let hour = |m, d, h| Interval {
        start: at(m, d, h),
        end: at(m, d, h + 1),
    };
    assert_eq!(
        got,
        [
            hour(3, 2, 9),
            hour(3, 5, 12),
            hour(3, 10, 13),
            hour(3, 23, 9),
            hour(3, 30, 9)
        ]
    );
}

async fn incremental_sync_after_add_change_delete(kind: Kind) {
    let server = Server::start(kind).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    server
        .put(&cal, "a.ics", &event("a", at(3, 2, 9), at(3, 2, 10), "A"))
        .await;
    let source = server.caldav(&cal, None);
    let (items, c0) = full(source.fetch(march(), None).await.unwrap());
    assert_eq!(items.len(), 1);
    let key = |n: &str| format!("{cal}{n}");

    // Nothing happened.
    match source.fetch(march(), Some(&c0)).await.unwrap() {
        Fetched::Unchanged { cursor } => assert_eq!(cursor.get("sync_token"), c0.get("sync_token")),
        other => panic!("expected unchanged, got {other:?}"),
    }

    // Added.
    let b = event("b", at(3, 3, 9), at(3, 3, 10), "B");
    server.put(&cal, "b.ics", &b).await;
    let c1 = match source.fetch(march(), Some(&c0)).await.unwrap() {
        Fetched::Delta {
            changed,
            removed,
            cursor,
        } => {
            assert_changed(kind, &changed, &key("b.ics"), "UID:b", &[key("a.ics")]);
            assert!(removed.is_empty(), "{removed:?}");
            cursor
        }
        other => panic!("expected a delta, got {other:?}"),
    };

    // Changed: moved to another hour.
    server
        .put(&cal, "a.ics", &event("a", at(3, 4, 15), at(3, 4, 16), "A2"))
        .await;
    let c2 = match source.fetch(march(), Some(&c1)).await.unwrap() {
        Fetched::Delta {
            changed,
            removed,
            cursor,
        } => {
            assert_changed(kind, &changed, &key("a.ics"), "SUMMARY:A2", &[key("b.ics")]);
            assert!(removed.is_empty(), "{removed:?}");
            cursor
        }
        other => panic!("expected a delta, got {other:?}"),
    };

    // Deleted.
    server.remove(&cal, "b.ics").await;
    let c3 = match source.fetch(march(), Some(&c2)).await.unwrap() {
        Fetched::Delta {
            changed,
            removed,
            cursor,
        } => {
            assert!(
                changed.is_empty() || kind == Kind::Davical && changed.keys().eq([&key("a.ics")]),
                "{changed:?}"
            );
            assert_eq!(removed, [key("b.ics")]);
            cursor
        }
        other => panic!("expected a delta, got {other:?}"),
    };

    // Deleted and created again under the same name between two fetches: it is changed, not
    // removed (the snapshot must keep it).
    server.remove(&cal, "a.ics").await;
    server
        .put(&cal, "a.ics", &event("a", at(3, 6, 8), at(3, 6, 9), "A3"))
        .await;
    match source.fetch(march(), Some(&c3)).await.unwrap() {
        Fetched::Delta {
            changed, removed, ..
        } => {
            assert_changed(kind, &changed, &key("a.ics"), "SUMMARY:A3", &[]);
            assert!(removed.is_empty(), "{removed:?}");
        }
        other => panic!("expected a delta, got {other:?}"),
    }

    // A token the server does not know: a full fetch instead.
    let bogus = c3
        .clone()
        .with("sync_token", "http://example.invalid/sync/bogus-token");
    match source.fetch(march(), Some(&bogus)).await.unwrap() {
        // DAViCal answers a token it does not know with every member as new (its "full sync",
        // sent as a delta instead of RFC 6578's valid-sync-token error).
        Fetched::Delta {
            changed, removed, ..
        } if kind == Kind::Davical => {
            assert_eq!(changed.keys().cloned().collect::<Vec<_>>(), [key("a.ics")]);
            assert!(removed.is_empty(), "{removed:?}");
        }
        other => {
            let (items, _) = full(other);
            assert_eq!(items.keys().cloned().collect::<Vec<_>>(), [key("a.ics")]);
        }
    }

    // A window past the range of the last full fetch: full again (events that merely came
    // into view are not changes).
    let april = Interval {
        start: at(4, 1, 0),
        end: at(5, 1, 0),
    };
    full(source.fetch(april, Some(&c3)).await.unwrap());
}

/// A delta's changed members: `expected` with `text` in it. DAViCal may also repeat one of
/// `repeatable`, members that did not change since the token (its sync-collection compares
/// change times with `>=`); a repeated member is stored again as it is, so that is harmless.
fn assert_changed(
    kind: Kind,
    changed: &BTreeMap<String, Item>,
    expected: &str,
    text: &str,
    repeatable: &[String],
) {
    let Some(Item::Ics { text: got, .. }) = changed.get(expected) else {
        panic!("{expected} is not among the changed: {changed:?}");
    };
    assert!(got.contains(text), "{got}");
    let extra: Vec<_> = changed.keys().filter(|k| *k != expected).collect();
    let allowed = kind == Kind::Davical && extra.iter().all(|k| repeatable.contains(k));
    assert!(extra.is_empty() || allowed, "also changed: {extra:?}");
}

/// A server without sync-collection is simulated by a cursor without the token: the ctag
/// decides between unchanged and a full fetch.
async fn ctag_decides_without_a_sync_token(kind: Kind) {
    let server = Server::start(kind).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    server
        .put(&cal, "a.ics", &event("a", at(3, 2, 9), at(3, 2, 10), "A"))
        .await;
    let source = server.caldav(&cal, None);
    let (_, cursor) = full(source.fetch(march(), None).await.unwrap());
    assert!(cursor.get("ctag").is_some(), "{cursor:?}");
    let mut ctag_only = cursor.clone();
    ctag_only.0.remove("sync_token");
    match source.fetch(march(), Some(&ctag_only)).await.unwrap() {
        Fetched::Unchanged { cursor } => assert_eq!(cursor, ctag_only),
        other => panic!("expected unchanged, got {other:?}"),
    }
    server
        .put(&cal, "b.ics", &event("b", at(3, 3, 9), at(3, 3, 10), "B"))
        .await;
    let (items, next) = full(source.fetch(march(), Some(&ctag_only)).await.unwrap());
    assert_eq!(items.len(), 2);
    assert_ne!(next.get("ctag"), ctag_only.get("ctag"));
}

fn booking(uid: &str) -> BookingEvent {
    BookingEvent {
        uid: uid.to_owned(),
        sequence: 0,
        stamp: at(2, 1, 8),
        start: at(3, 12, 10),
        end: at(3, 12, 11),
        summary: "Call with Eve".to_owned(),
        description: "Booked via OpenSlot".to_owned(),
        location: None,
        organizer: None,
        attendees: Vec::new(),
    }
}

async fn create_retry_and_delete(kind: Kind) {
    let server = Server::start(kind).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let caldav = server.caldav(&server.base, Some("Work"));
    let uid = "booking-7@openslot/ü";
    let first = caldav.create(&booking(uid)).await.unwrap();
    assert_eq!(first.uid, uid);
    assert!(first.remote_id.starts_with(&cal), "{first:?}");
    // A retry after a lost answer: the same event, no second copy.
    let again = caldav.create(&booking(uid)).await.unwrap();
    assert_eq!(again.remote_id, first.remote_id);
    assert_eq!(count_uid(caldav.as_ref(), uid, march()).await, 1);
    let (items, _) = full(caldav.fetch(march(), None).await.unwrap());
    assert_eq!(
        busy_of(texts(&items), march()),
        [Interval {
            start: at(3, 12, 10),
            end: at(3, 12, 11)
        }]
    );

    caldav.delete(&first).await.unwrap();
    assert_eq!(count_uid(caldav.as_ref(), uid, march()).await, 0);
    // Deleting what is gone is fine.
    caldav.delete(&first).await.unwrap();
    caldav.delete(&again).await.unwrap();
}

async fn delete_after_someone_changed_the_event(kind: Kind) {
    let server = Server::start(kind).await;
    server.mkcalendar("work", "Work", "#112233FF").await;
    let caldav = server.caldav(&server.base, Some("Work"));
    let written = caldav.create(&booking("booking-8")).await.unwrap();
    // The owner moves it in their calendar app: the etag we hold is stale.
    let moved = event("booking-8", at(3, 13, 10), at(3, 13, 11), "Moved");
    assert!(written.etag.is_some(), "{written:?}");
    let r = server
        .request("PUT", &written.remote_id, "text/calendar", moved)
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    caldav.delete(&written).await.unwrap();
    assert_eq!(count_uid(caldav.as_ref(), "booking-8", march()).await, 0);
}

async fn create_never_overwrites_a_foreign_event(kind: Kind) {
    let server = Server::start(kind).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    // Someone else's event already sits under the name the booking would use (a uid made of
    // safe characters names `{uid}.ics`).
    let foreign = event("not-ours", at(3, 14, 10), at(3, 14, 11), "Theirs");
    server.put(&cal, "booking-9.ics", &foreign).await;
    let caldav = server.caldav(&server.base, Some("Work"));
    let e = caldav.create(&booking("booking-9")).await.unwrap_err();
    assert!(matches!(e, SourceError::Refused(_)), "{e:?}");
    // A stored id pointing at it (a corrupted store, a reused name) deletes nothing.
    let pretend = openslot::sources::WrittenEvent {
        uid: "booking-9".to_owned(),
        remote_id: format!("{cal}booking-9.ics"),
        etag: Some("\"whatever\"".to_owned()),
    };
    let e = caldav.delete(&pretend).await.unwrap_err();
    assert!(matches!(e, SourceError::Refused(_)), "{e:?}");
    assert_eq!(count_uid(caldav.as_ref(), "not-ours", march()).await, 1);
    assert_eq!(count_uid(caldav.as_ref(), "booking-9", march()).await, 0);
}

#[tokio::test]
async fn wrong_password_reads_as_authentication_failed() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    for url in [server.base.as_str(), cal.as_str()] {
        let caldav = server.caldav_with_password(url, None, "wrong");
        let e = caldav.fetch(march(), None).await.unwrap_err().to_string();
        assert!(e.starts_with("authentication failed"), "{url}: {e}");
        let e = caldav.discover().await.unwrap_err().to_string();
        assert!(e.starts_with("authentication failed"), "{url}: {e}");
    }
}

/// The shared story of every adapter (tests/support/conformance.rs) against a real server.
mod story {
    use std::sync::Arc;

    use openslot::sources::CalendarSource;
    use openslot::sources::caldav::CalDav;

    use super::conformance;
    use super::servers::{Kind, Server};

    struct Fixture {
        server: Server,
        calendar: String,
        source: Arc<CalDav>,
    }

    #[async_trait::async_trait]
    impl conformance::ReaderFixture for Fixture {
        async fn put(&self, name: &str, ics: &str) {
            self.server
                .put(&self.calendar, &format!("{name}.ics"), ics)
                .await;
        }

        async fn remove(&self, name: &str) {
            self.server
                .remove(&self.calendar, &format!("{name}.ics"))
                .await;
        }

        fn source(&self) -> Arc<dyn CalendarSource> {
            self.source.clone()
        }
    }

    async fn fixture(kind: Kind) -> Fixture {
        let server = Server::start(kind).await;
        let calendar = server.mkcalendar("story", "Story", "#445566FF").await;
        let source = server.caldav(&server.base, Some("Story"));
        Fixture {
            server,
            calendar,
            source,
        }
    }

    async fn reader(kind: Kind) {
        conformance::reader_story(&fixture(kind).await).await;
    }

    async fn writer(kind: Kind) {
        let fx = fixture(kind).await;
        conformance::writer_story(fx.source.clone(), fx.source.clone()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn radicale_reader_story() {
        reader(Kind::Radicale).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn xandikos_reader_story() {
        reader(Kind::Xandikos).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn radicale_writer_story() {
        writer(Kind::Radicale).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn xandikos_writer_story() {
        writer(Kind::Xandikos).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cyrus_reader_story() {
        if let Some(what) = super::servers::cyrus_missing() {
            return super::required::missing("cyrus_reader_story", &what);
        }
        reader(Kind::Cyrus).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cyrus_writer_story() {
        if let Some(what) = super::servers::cyrus_missing() {
            return super::required::missing("cyrus_writer_story", &what);
        }
        writer(Kind::Cyrus).await;
    }
}

/// A server that answers every request 207 with this body (read up to the blank line).
async fn canned_server(body: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = socket.read(&mut buf).await;
                let answer = format!(
                    "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/cal/")
}

#[tokio::test]
async fn garbage_answers_are_bad_responses() {
    let bodies = [
        "<html><body>Sign in</body></html>",
        "<d:multistatus xmlns:d=\"DAV:\"><d:response>",
        "not xml at all",
        "<d:multistatus xmlns:d=\"DAV:\"><d:response><d:propstat/></d:response></d:multistatus>",
    ];
    for body in bodies {
        let url = canned_server(body).await;
        let config = servers::config_for(&url);
        let ctx = openslot::sources::SourceContext::new(".");
        let caldav = openslot::sources::caldav::CalDav::new(&config, &ctx).unwrap();
        let e = caldav.fetch(march(), None).await.unwrap_err();
        assert!(matches!(e, SourceError::BadResponse(_)), "{body}: {e:?}");
        assert!(
            e.to_string()
                .starts_with("the server's answer could not be understood"),
            "{e}"
        );
    }
}

/// Through the sync layer: after a good sync the server dies; the last copy keeps being
/// served while it is fresh, the status says why the source is unhealthy, a restart serves the
/// saved copy at once, and once the copy is too old the source fails closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_server_is_served_from_the_snapshot_then_fails_closed() {
    use openslot::sync::{Freshness, SyncHub};
    use std::sync::Arc;
    use std::time::Duration;

    let mut server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let inside = event("inside", at(3, 5, 12), at(3, 5, 13), "Inside");
    server.put(&cal, "inside.ics", &inside).await;
    server.put(&cal, "weekly.ics", WEEKLY).await;
    let expected = busy_of([inside.as_str(), WEEKLY], march());

    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[owner]\nname = \"A\"\nemail = \"a@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\ndata_dir = \"data\"\n\
         [[event_types]]\nslug = \"call\"\ntitle = \"Call\"\nduration_minutes = 30\n\
         [[sources]]\nid = \"work\"\nkind = \"caldav\"\nurl = \"{cal}\"\nusername = \"{}\"\n\
         password = \"{}\"\ntimeout_seconds = 5\nmax_age_minutes = 60\n",
        servers::USER,
        servers::PASSWORD
    );
    let config = openslot::config::from_toml_str(&text, &[], dir.path()).unwrap();
    let now = at(3, 1, 0);
    let minutes = |m| now + chrono::Duration::minutes(m);
    let hub = Arc::new(SyncHub::new(&config));
    let s = hub.refresh_all(now, Duration::from_secs(20)).await;
    assert!(s[0].healthy(), "{s:?}");
    assert_eq!(hub.busy(march(), now).0[0].intervals, expected);

    server.kill();
    let s = hub.refresh_all(minutes(10), Duration::from_secs(20)).await;
    assert!(!s[0].healthy());
    let e = s[0].last_error.clone().unwrap_or_default();
    assert!(e.starts_with("cannot reach 127.0.0.1"), "{e}");
    assert_eq!(s[0].freshness, Freshness::Fresh);
    assert_eq!(hub.busy(march(), minutes(10)).0[0].intervals, expected);

    let restarted = SyncHub::new(&config);
    assert_eq!(
        restarted.busy(march(), minutes(11)).0[0].intervals,
        expected
    );
    assert_eq!(
        restarted.statuses(minutes(11))[0].last_error.as_deref(),
        Some(e.as_str()),
        "the last error survives the restart"
    );

    assert_eq!(hub.busy(march(), minutes(61)).0[0].intervals, vec![march()]);
    assert_eq!(hub.blocking_sources(minutes(61)).len(), 1);
}

/// DAViCal from its root and from `/caldav.php/` (the URLs an owner copies from its setup):
/// the calendar is found and read, the sync state asked of the calendar alone (DAViCal answers
/// 500 when asked for a sync-token of its root).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn davical_from_its_root_and_caldav_php() {
    if let Some(what) = servers::davical_missing() {
        return required::missing("davical_from_its_root_and_caldav_php", &what);
    }
    let server = Server::start(Kind::Davical).await;
    let work = server.mkcalendar("work", "Work", "#FF0000FF").await;
    server
        .put(&work, "w.ics", &event("w", at(3, 5, 9), at(3, 5, 10), "W"))
        .await;
    for url in [
        format!("{}/", server.base),
        format!("{}/caldav.php/", server.base),
    ] {
        let source = server.caldav(&url, None);
        let found = source.discover().await.unwrap();
        let selected: Vec<_> = found.iter().filter(|c| c.selected).collect();
        assert_eq!(selected.len(), 1, "{url}: {found:?}");
        assert_eq!(selected[0].url, work, "{url}");
        let (items, cursor) = full(source.fetch(march(), None).await.unwrap());
        assert_eq!(items.keys().collect::<Vec<_>>(), [&format!("{work}w.ics")]);
        assert!(cursor.get("sync_token").is_some(), "{cursor:?}");
        match source.fetch(march(), Some(&cursor)).await.unwrap() {
            Fetched::Unchanged { .. } => {}
            other => panic!("{url}: expected unchanged, got {other:?}"),
        }
    }
}
