//! One identity per booking, through the whole service: book, reschedule and cancel with a
//! real CalDAV server behind an nginx proxy that logs the requests, a real SMTP server
//! (aiosmtpd) and the owner's bookings feed. Every written event, every mail to the visitor and
//! the owner and the feed carry the same UID; the reschedule updates the same resource (same
//! href) with SEQUENCE 1 and the new time; the cancel's DELETE carries a strong If-Match. A
//! booking written before one UID per booking (`{id}-0@openslot`, an existing database) is
//! still updated and cancelled under the UID it was written with.

use std::time::Duration;

use openslot::calendar::BookingEvent;
use openslot::sources::CalendarWriter;
use serde_json::json;

use super::app::{TestApp, spawn_app};
use super::nginx_front::{free_port, tools_present};
use super::servers::{Kind, OWNER_EMAIL, Server, USER};
use super::smtp_server::{Mail, SmtpServer};
use super::wire_log::WireLog;
use super::writeback::{drained, events_with, source};

const TUE_9: &str = "2026-12-01T09:00:00+01:00";
const TUE_11: &str = "2026-12-01T11:00:00+01:00";

fn mail_config(port: u16) -> String {
    format!(
        "[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {port}\ntls = \"none\"\n\
         from = \"OpenSlot <book@example.org>\"\nowner_copy = true\n"
    )
}

/// The value of `name` (unfolded) in an iCalendar text.
fn prop(ics: &str, name: &str) -> Vec<String> {
    let unfolded = ics.replace("\r\n ", "").replace("\n ", "");
    unfolded
        .lines()
        .filter_map(|l| l.trim_end().strip_prefix(&format!("{name}:")))
        .map(str::to_owned)
        .collect()
}

async fn mails(smtp: &SmtpServer, n: usize) -> Vec<Mail> {
    for _ in 0..150 {
        let m = smtp.mails();
        if m.len() >= n {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    smtp.mails()
}

/// Where the booking's event lives, as the outbox stored it: (uid, href).
async fn written(app: &TestApp, id: &str) -> Vec<(String, String)> {
    let id = id.to_owned();
    openslot::notify::Host::store(&app.service)
        .call(move |c| {
            let mut s = c.prepare(
                "SELECT uid, remote_id FROM written_events WHERE booking_id = ?1 ORDER BY uid",
            )?;
            let r = s.query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(r.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap()
}

async fn bookings_feed(app: &TestApp) -> String {
    let urls = app.service.feed_urls().await.unwrap();
    let path = urls.bookings.replace("https://book.example.org", "");
    let (status, text) = app.get(&path).await;
    assert_eq!(status, 200);
    text.as_str().unwrap().to_owned()
}

/// The source entry for `kind` at `url` (Cyrus's user is the owner's address).
fn entry(kind: Kind, url: &str) -> String {
    let entry = source(url);
    if kind == Kind::Cyrus {
        entry.replace(
            &format!("username = \"{USER}\""),
            &format!("username = \"{OWNER_EMAIL}\""),
        )
    } else {
        entry
    }
}

async fn book_reschedule_cancel(kind: Kind) {
    let Some(nginx) = tools_present() else {
        return;
    };
    let server = Server::start(kind).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let wire = WireLog::start(&nginx, &server.base).await;
    let smtp = SmtpServer::start(free_port()).await;
    let app = spawn_app(&format!(
        "{}{}",
        entry(kind, &wire.through(&cal)),
        mail_config(smtp.port)
    ))
    .await;

    let (status, b) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_owned();
    let token = b["manage_token"].as_str().unwrap().to_owned();
    let uid = format!("{id}@openslot");
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert!(rows.iter().all(|(s, _)| s == "done"), "{rows:?}");
    let events = events_with(&server, &cal, &id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(prop(&events[0], "UID"), std::slice::from_ref(&uid));
    assert_eq!(prop(&events[0], "SEQUENCE"), ["0"]);
    let before = written(&app, &id).await;
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].0, uid);

    let (status, v) = app
        .post(
            &format!("/api/v1/bookings/{id}/reschedule?token={token}"),
            &json!({ "start": TUE_11 }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert!(rows.iter().all(|(s, _)| s == "done"), "{rows:?}");
    // One event in the whole calendar: the same, moved.
    let events = events_with(&server, &cal, "").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(prop(&events[0], "UID"), std::slice::from_ref(&uid));
    assert_eq!(prop(&events[0], "SEQUENCE"), ["1"]);
    assert_eq!(prop(&events[0], "DTSTART"), ["20261201T100000Z"]);
    assert_eq!(written(&app, &id).await, before, "the same resource");
    let feed = bookings_feed(&app).await;
    assert_eq!(prop(&feed, "UID"), std::slice::from_ref(&uid), "{feed}");
    assert_eq!(prop(&feed, "SEQUENCE"), ["1"], "{feed}");

    let (status, _) = app
        .delete(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!(status, 200);
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert!(rows.iter().all(|(s, _)| s == "done"), "{rows:?}");
    assert!(events_with(&server, &cal, "").await.is_empty());

    // On the wire: create, update, delete of one resource; the two last with a strong If-Match.
    let writes = wire.writes();
    let log: String = wire.requests().iter().map(|w| format!("{w:?}\n")).collect();
    let kinds: Vec<(&str, bool)> = writes
        .iter()
        .map(|w| (w.method.as_str(), w.strong_if_match()))
        .collect();
    assert_eq!(
        kinds,
        [("PUT", false), ("PUT", true), ("DELETE", true)],
        "{log}"
    );
    assert_eq!(writes[0].if_none_match.as_deref(), Some("*"));
    assert!(writes.iter().all(|w| w.path == writes[0].path), "{log}");
    assert!(writes.iter().all(|w| w.status < 300), "{log}");
    assert!(before[0].1.ends_with(&writes[0].path), "{before:?}\n{log}");

    // Six mails (invitation, update, cancellation; visitor and owner), all of the one UID.
    let mails = mails(&smtp, 6).await;
    assert_eq!(mails.len(), 6);
    let mut seen = Vec::new();
    for m in &mails {
        let ics = m.part("text/calendar").expect("a calendar part");
        assert_eq!(prop(&ics, "UID"), std::slice::from_ref(&uid), "{ics}");
        seen.push((
            m.rcpt_tos().join(","),
            prop(&ics, "METHOD").concat(),
            prop(&ics, "SEQUENCE").concat(),
        ));
    }
    seen.sort();
    let expected: Vec<(String, String, String)> = ["ada@example.org", "eve@example.com"]
        .iter()
        .flat_map(|to| {
            [("CANCEL", "2"), ("REQUEST", "0"), ("REQUEST", "1")]
                .map(|(m, s)| ((*to).to_owned(), m.to_owned(), s.to_owned()))
        })
        .collect();
    assert_eq!(seen, expected);
    if kind == Kind::Cyrus {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            server.scheduling_messages(),
            Vec::<String>::new(),
            "Cyrus mailed the visitor itself"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn radicale_one_uid_through_book_reschedule_and_cancel() {
    book_reschedule_cancel(Kind::Radicale).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xandikos_one_uid_through_book_reschedule_and_cancel() {
    book_reschedule_cancel(Kind::Xandikos).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cyrus_one_uid_through_book_reschedule_and_cancel() {
    if let Some(what) = super::servers::cyrus_missing() {
        return super::required::missing("cyrus_one_uid_through_book_reschedule_and_cancel", &what);
    }
    book_reschedule_cancel(Kind::Cyrus).await;
}

/// A database from before one UID per booking: the event was written as `{id}-0@openslot`.
/// The reschedule updates that event in place (SEQUENCE 1, the new time) and the cancel
/// deletes it; no event under the new UID ever appears.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_written_under_the_old_uid_is_updated_and_cancelled_under_it() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let app = spawn_app(&source(&cal)).await;
    let (status, b) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_owned();
    let token = b["manage_token"].as_str().unwrap().to_owned();
    drained(&app, Duration::from_secs(20)).await;

    // Make the state an earlier release left: its event under `{id}-0@openslot`, the
    // outbox's create row and written row naming it.
    let legacy = format!("{id}-0@openslot");
    let writer = server.caldav(&cal, None);
    let now = written(&app, &id).await;
    writer
        .delete(&openslot::sources::WrittenEvent {
            uid: now[0].0.clone(),
            remote_id: now[0].1.clone(),
            etag: None,
        })
        .await
        .unwrap();
    let old_event = BookingEvent {
        uid: legacy.clone(),
        sequence: 0,
        stamp: super::fixed_now(),
        start: "2026-12-01T08:00:00Z".parse().unwrap(),
        end: "2026-12-01T08:30:00Z".parse().unwrap(),
        summary: "Intro call: Eve Visitor".to_owned(),
        description: "Booked through OpenSlot".to_owned(),
        location: None,
        organizer: None,
        attendees: Vec::new(),
    };
    let old = writer.create(&old_event).await.unwrap();
    let (l, href, etag) = (legacy.clone(), old.remote_id.clone(), old.etag.clone());
    let booking = id.clone();
    openslot::notify::Host::store(&app.service)
        .call(move |c| {
            c.execute(
                "UPDATE outbox SET uid = ?2 WHERE booking_id = ?1",
                rusqlite::params![booking, l],
            )?;
            c.execute(
                "UPDATE written_events SET uid = ?2, remote_id = ?3, etag = ?4 \
                 WHERE booking_id = ?1",
                rusqlite::params![booking, l, href, etag],
            )?;
            Ok(())
        })
        .await
        .unwrap();

    let (status, v) = app
        .post(
            &format!("/api/v1/bookings/{id}/reschedule?token={token}"),
            &json!({ "start": TUE_11 }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert!(rows.iter().all(|(s, _)| s == "done"), "{rows:?}");
    let events = events_with(&server, &cal, "").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(prop(&events[0], "UID"), std::slice::from_ref(&legacy));
    assert_eq!(prop(&events[0], "SEQUENCE"), ["1"]);
    assert_eq!(prop(&events[0], "DTSTART"), ["20261201T100000Z"]);
    assert_eq!(written(&app, &id).await, [(legacy.clone(), old.remote_id)]);

    let (status, _) = app
        .delete(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!(status, 200);
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert!(rows.iter().all(|(s, _)| s == "done"), "{rows:?}");
    assert!(events_with(&server, &cal, "").await.is_empty());
    assert!(written(&app, &id).await.is_empty());
}

/// An update queued for a booking cancelled before it ran writes nothing: the delete takes the
/// event away and nothing brings it back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reschedule_then_cancel_leaves_no_event() {
    let mut server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let app = spawn_app(&source(&cal)).await;
    let (_, b) = app.book("intro", TUE_9).await;
    let id = b["id"].as_str().unwrap().to_owned();
    let token = b["manage_token"].as_str().unwrap().to_owned();
    drained(&app, Duration::from_secs(20)).await;
    // The server is down while the visitor moves and then cancels: both rows wait.
    server.kill();
    let (status, _) = app
        .post(
            &format!("/api/v1/bookings/{id}/reschedule?token={token}"),
            &json!({ "start": TUE_11 }),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .delete(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!(status, 200);
    server.restart().await;
    let rows = drained(&app, Duration::from_secs(60)).await;
    let states: Vec<&str> = rows.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(states, ["done", "skipped", "done"], "{rows:?}");
    assert!(events_with(&server, &cal, "").await.is_empty());
}
