//! Write-back into a real CalDAV calendar (Radicale, started by the test): a booking appears
//! exactly once in every writable calendar, a cancel removes it, 200 visitors for one slot make
//! one event, and a calendar server that is down delays the event, never the booking. Into a
//! scheduling server (Cyrus IMAP, whose user is the owner's address): the same, and the server
//! mails the visitor nothing of its own.

use std::sync::Arc;
use std::time::Duration;

use openslot::calendar::Interval;
use openslot::sources::{CalendarSource, Fetched, Item};
use openslot::store::outbox::OutboxState;

use super::app::{TestApp, spawn_app};
use super::servers::{Kind, OWNER_EMAIL, PASSWORD, Server, USER};

/// The calendar source entries: `cal` (read + write).
pub fn source(url: &str) -> String {
    format!(
        "[[sources]]\nid = \"cal\"\nkind = \"caldav\"\nurl = \"{url}\"\nusername = \"{USER}\"\n\
         password = \"{PASSWORD}\"\nwrite = true\ntimeout_seconds = 5\n"
    )
}

/// The events of the calendar whose UID starts with `prefix`.
pub async fn events_with(server: &Server, cal: &str, prefix: &str) -> Vec<String> {
    let reader = server.caldav(cal, None);
    let window = Interval {
        start: super::fixed_now() - chrono::Duration::days(1),
        end: super::fixed_now() + chrono::Duration::days(30),
    };
    let Fetched::Full { items, .. } = reader.fetch(window, None).await.unwrap() else {
        panic!("a full fetch")
    };
    items
        .values()
        .filter_map(|i| match i {
            Item::Ics { text, .. } if text.contains(&format!("UID:{prefix}")) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Waits until every outbox row is done (or `limit` passes); the rows' states.
pub async fn drained(app: &TestApp, limit: Duration) -> Vec<(String, Option<String>)> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let rows: Vec<(String, Option<String>)> = openslot::notify::Host::store(&app.service)
            .call(|c| {
                let mut s = c.prepare("SELECT state, last_error FROM outbox ORDER BY id")?;
                let r = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(r.collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .unwrap();
        let pending = rows.iter().any(|(s, _)| s == OutboxState::Pending.as_str());
        if !pending || tokio::time::Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the source has synced once (the background job starts at once).
async fn synced(app: &TestApp) {
    for _ in 0..100 {
        if app.service.source_statuses(super::fixed_now())[0]
            .last_success
            .is_some()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "never synced: {:?}",
        app.service.source_statuses(super::fixed_now())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_is_written_once_and_a_cancel_removes_it() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let app = spawn_app(&source(&cal)).await;
    let mut body = super::app::booking("intro", "2026-12-01T09:00:00+01:00");
    body["name"] = serde_json::json!("Eve, \"Evil\"; <b>");
    body["notes"] = serde_json::json!("Line one\nEND:VEVENT\nBEGIN:VEVENT");
    let (status, b) = app.post("/api/v1/bookings", &body).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap();
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert_eq!(rows, vec![("done".to_owned(), None)]);
    let events = events_with(&server, &cal, id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let text = &events[0];
    assert!(text.contains("DTSTART:20261201T080000Z"), "{text}");
    assert!(
        text.contains("Eve\\, \"Evil\"\\; <b>"),
        "escaped per RFC 5545: {text}"
    );
    assert_eq!(
        text.matches("BEGIN:VEVENT").count(),
        1,
        "no injected event: {text}"
    );
    // The visitor's manage link (its token) stays out of the owner's calendar (issue 16).
    assert!(
        !text.contains("/manage/") && !text.contains("token="),
        "no manage link: {text}"
    );

    let token = b["manage_token"].as_str().unwrap();
    let (status, _) = app
        .delete(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!(status, 200);
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert!(rows.iter().all(|(s, _)| s == "done"), "{rows:?}");
    assert!(events_with(&server, &cal, id).await.is_empty());
}

/// The whole path of a booking into Cyrus: the outbox's own event (the owner as ORGANIZER,
/// the visitor as ATTENDEE) at the booked UTC time, no invitation or cancellation from Cyrus,
/// and the cancel removes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_in_a_scheduling_server_makes_it_mail_nothing() {
    if let Some(what) = super::servers::cyrus_missing() {
        return super::required::missing(
            "a_booking_in_a_scheduling_server_makes_it_mail_nothing",
            &what,
        );
    }
    let server = Server::start(Kind::Cyrus).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let entry = source(&cal).replace(
        &format!("username = \"{USER}\""),
        &format!("username = \"{OWNER_EMAIL}\""),
    );
    let app = spawn_app(&entry).await;
    let (status, b) = app
        .post(
            "/api/v1/bookings",
            &super::app::booking("intro", "2026-12-01T09:00:00+01:00"),
        )
        .await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap();
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert_eq!(rows, vec![("done".to_owned(), None)]);
    let events = events_with(&server, &cal, id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    // Unfolded: Cyrus folds and unquotes the text it serves.
    let text = events[0].replace("\r\n ", "").replace("\n ", "");
    assert!(text.contains("DTSTART:20261201T080000Z"), "{text}");
    assert!(
        text.contains("ORGANIZER;SCHEDULE-AGENT=CLIENT;CN=")
            && text.contains(&format!(":mailto:{OWNER_EMAIL}")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("ATTENDEE;SCHEDULE-AGENT=CLIENT;")
                && l.trim_end().ends_with("mailto:eve@example.com")),
        "{text}"
    );

    let token = b["manage_token"].as_str().unwrap();
    let (status, _) = app
        .delete(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!(status, 200);
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert!(rows.iter().all(|(s, _)| s == "done"), "{rows:?}");
    assert!(events_with(&server, &cal, id).await.is_empty());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        server.scheduling_messages(),
        Vec::<String>::new(),
        "Cyrus mailed the visitor itself"
    );
}

/// A booking written into DAViCal through a source configured with the server's root (where
/// discovery once failed with DAViCal's 500), then cancelled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_through_davical_from_its_root_is_written_and_cancelled() {
    if let Some(what) = super::servers::davical_missing() {
        return super::required::missing(
            "a_booking_through_davical_from_its_root_is_written_and_cancelled",
            &what,
        );
    }
    let server = Server::start(Kind::Davical).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let app = spawn_app(&source(&format!("{}/", server.base))).await;
    let (status, b) = app
        .post(
            "/api/v1/bookings",
            &super::app::booking("intro", "2026-12-01T09:00:00+01:00"),
        )
        .await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap();
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert_eq!(rows, vec![("done".to_owned(), None)]);
    let events = events_with(&server, &cal, id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        events[0].contains("DTSTART:20261201T080000Z"),
        "{}",
        events[0]
    );

    let token = b["manage_token"].as_str().unwrap();
    let (status, _) = app
        .delete(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!(status, 200);
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert!(rows.iter().all(|(s, _)| s == "done"), "{rows:?}");
    assert!(events_with(&server, &cal, id).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_visitors_make_one_event_in_the_calendar() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let app = Arc::new(spawn_app(&source(&cal)).await);
    synced(&app).await;
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let app = Arc::clone(&app);
            tokio::spawn(async move { app.book("intro", "2026-12-02T14:00:00+01:00").await.0 })
        })
        .collect();
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 1, "{codes:?}");
    assert_eq!(
        codes.iter().filter(|c| **c == 409).count(),
        199,
        "{codes:?}"
    );
    drained(&app, Duration::from_secs(20)).await;
    // Every OpenSlot event in the calendar: exactly one.
    assert_eq!(events_with(&server, &cal, "").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calendar_server_down_delays_the_event_never_the_booking() {
    let mut server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let app = spawn_app(&source(&cal)).await;
    synced(&app).await;
    server.kill();
    let (status, b) = app.book("intro", "2026-12-01T10:00:00+01:00").await;
    assert_eq!(
        status, 201,
        "the copy is fresh: the booking goes through: {b}"
    );
    // The write fails and waits for its retry.
    let mut failed_once = false;
    for _ in 0..100 {
        let rows = drained(&app, Duration::ZERO).await;
        if rows.iter().any(|(_, e)| e.is_some()) {
            failed_once = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(failed_once, "the first attempt failed");
    server.restart().await;
    let rows = drained(&app, Duration::from_secs(30)).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "done", "{rows:?}");
    let id = b["id"].as_str().unwrap();
    assert_eq!(events_with(&server, &cal, id).await.len(), 1);
}

/// Two writable calendars, the first on a server that hangs (accepts, never answers; its
/// `timeout_seconds` is 20): the booking's event reaches the other within 5 seconds, and the
/// hung one gets it once its server answers again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_calendar_server_does_not_hold_back_the_writes_to_another() {
    let slow = Server::start(Kind::Radicale).await;
    let slow_cal = slow.mkcalendar("work", "Work", "#112233FF").await;
    let fast = Server::start(Kind::Radicale).await;
    let fast_cal = fast.mkcalendar("home", "Home", "#445566FF").await;
    let sources = format!(
        "{}{}",
        source(&slow_cal)
            .replace("id = \"cal\"", "id = \"slow\"")
            .replace("timeout_seconds = 5", "timeout_seconds = 20"),
        source(&fast_cal)
    );
    let app = spawn_app(&sources).await;
    for _ in 0..100 {
        let statuses = app.service.source_statuses(super::fixed_now());
        if statuses.iter().all(|s| s.last_success.is_some()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    slow.hang();
    let (status, b) = app.book("intro", "2026-12-01T11:00:00+01:00").await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_owned();
    let booked = tokio::time::Instant::now();
    let mut reached = false;
    while booked.elapsed() < Duration::from_secs(5) {
        if events_with(&fast, &fast_cal, &id).await.len() == 1 {
            reached = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        reached,
        "the event reached the answering calendar within 5 s of the 201 (hung one first in the queue)"
    );
    slow.answer_again();
    let rows = drained(&app, Duration::from_secs(60)).await;
    assert!(rows.iter().all(|(s, _)| s == "done"), "{rows:?}");
    assert_eq!(events_with(&slow, &slow_cal, &id).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_series_makes_one_event_per_session_and_cancelling_one_removes_only_it() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let app = spawn_app(&format!("{}{}", source(&cal), super::series::COACHING)).await;
    let mut body = super::app::booking("coaching", "2026-12-02T11:00:00+01:00");
    body["repeat"] = serde_json::json!({"frequency": "weekly", "sessions": 3});
    let (status, b) = app.post("/api/v1/bookings", &body).await;
    assert_eq!(status, 201, "{b}");
    let sessions = b["series"]["sessions"].as_array().unwrap().clone();
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|(s, _)| s == "done"), "{rows:?}");
    let expected = [
        "DTSTART:20261202T100000Z",
        "DTSTART:20261209T100000Z",
        "DTSTART:20261216T100000Z",
    ];
    for (session, dtstart) in sessions.iter().zip(expected) {
        let events = events_with(&server, &cal, session["id"].as_str().unwrap()).await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert!(events[0].contains(dtstart), "{}", events[0]);
    }

    let second = &sessions[1];
    let (status, _) = app
        .delete(&format!(
            "/api/v1/bookings/{}?token={}",
            second["id"].as_str().unwrap(),
            second["manage_token"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    drained(&app, Duration::from_secs(20)).await;
    assert!(
        events_with(&server, &cal, second["id"].as_str().unwrap())
            .await
            .is_empty()
    );
    assert_eq!(
        events_with(&server, &cal, "").await.len(),
        2,
        "the other sessions stay"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_says_where_and_carries_the_answers_escaped() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let app = spawn_app(&format!("{}{}", source(&cal), super::details::DETAILS)).await;
    let mut body = super::app::booking("demo", "2026-12-01T09:00:00+01:00");
    body["answers"] = serde_json::json!({"company": "ACME; Inc, \\ Ltd", "topic": "Sales"});
    let (status, b) = app.post("/api/v1/bookings", &body).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap();
    drained(&app, Duration::from_secs(20)).await;
    let events = events_with(&server, &cal, id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    // Unfolded: a long DESCRIPTION is folded over several lines.
    let text = events[0].replace("\r\n ", "").replace("\n ", "");
    assert!(
        text.contains(&format!("LOCATION:https://meet.example.org/openslot-{id}")),
        "{text}"
    );
    assert!(text.contains("Company: ACME\\; Inc\\, \\\\ Ltd"), "{text}");
    assert!(text.contains("Topic: Sales"), "{text}");
}
