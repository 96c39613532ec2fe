//! A scheduling CalDAV server (RFC 6638: Cyrus IMAP, the server behind Fastmail) must not send
//! invitations of its own for the events OpenSlot writes: OpenSlot mails the visitor itself.
//! Cyrus's user address is the owner's e-mail, so an event with the owner as ORGANIZER and the
//! visitor as ATTENDEE is one it would schedule; its stand-in `sendmail` records every message.
//! The control test shows that the stand-in works: the same event without
//! `SCHEDULE-AGENT=CLIENT` makes Cyrus mail the visitor an invitation, and its delete a
//! cancellation.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use openslot::calendar::{BookingEvent, Interval, Person, booking_ics};
use openslot::sources::{CalendarSource, CalendarWriter};

use super::servers::{Kind, OWNER_EMAIL, Server, cyrus_missing};
use super::{busy_of, count_uid, full, texts};

const VISITOR: &str = "eve@visitor.example";

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 14, hour, minute, 0).unwrap()
}

fn december() -> Interval {
    Interval {
        start: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
    }
}

/// A booking's event as the outbox writes it: the owner organizes, the visitor attends.
fn booking(uid: &str) -> BookingEvent {
    BookingEvent {
        uid: uid.to_owned(),
        sequence: 0,
        stamp: at(8, 0),
        start: at(13, 0),
        end: at(13, 30),
        summary: "Intro call: Eve Visitor".to_owned(),
        description: "Booked via OpenSlot".to_owned(),
        location: None,
        organizer: Some(Person {
            name: "Ada Owner".to_owned(),
            email: OWNER_EMAIL.to_owned(),
        }),
        attendees: vec![Person {
            name: "Eve Visitor".to_owned(),
            email: VISITOR.to_owned(),
        }],
    }
}

/// Cyrus with a calendar `Work`, or `None` (SKIPPED, or failed under `make test`).
async fn cyrus(test: &str) -> Option<(Server, String)> {
    if let Some(what) = cyrus_missing() {
        super::required::missing(test, &what);
        return None;
    }
    let server = Server::start(Kind::Cyrus).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    Some((server, cal))
}

/// The recorded messages once there are `n` (Cyrus mails before it answers; the wait only
/// covers a slow machine), or what there is after five seconds.
async fn messages(server: &Server, n: usize) -> Vec<String> {
    for _ in 0..50 {
        let m = server.scheduling_messages();
        if m.len() >= n {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.scheduling_messages()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_in_a_scheduling_server_sends_no_message_of_its_own() {
    let Some((server, cal)) = cyrus("a_booking_in_a_scheduling_server_sends_no_message").await
    else {
        return;
    };
    let caldav = server.caldav(&cal, None);
    let event = booking("b-1-0@openslot");
    let written = caldav.create(&event).await.unwrap();
    let again = caldav.create(&event).await.unwrap();
    assert_eq!(again.remote_id, written.remote_id);

    // Read back (our engine on the server's text): the booked half hour, in UTC.
    let (items, _) = full(caldav.fetch(december(), None).await.unwrap());
    let texts = texts(&items);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(
        texts[0].contains(VISITOR),
        "the attendee stays: {}",
        texts[0]
    );
    assert_eq!(
        busy_of(texts.iter().copied(), december()),
        [Interval {
            start: at(13, 0),
            end: at(13, 30)
        }]
    );

    caldav.delete(&written).await.unwrap();
    assert_eq!(count_uid(caldav.as_ref(), &event.uid, december()).await, 0);
    // Give a late message time to show up: none may.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        server.scheduling_messages(),
        Vec::<String>::new(),
        "Cyrus mailed the visitor itself"
    );
}

/// The control: without `SCHEDULE-AGENT=CLIENT` Cyrus schedules, and the stand-in sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_schedule_agent_client_cyrus_mails_the_visitor() {
    let Some((server, cal)) = cyrus("without_schedule_agent_client_cyrus_mails_the_visitor").await
    else {
        return;
    };
    let event = booking("b-2-0@openslot");
    let ours = booking_ics(&event);
    assert!(ours.contains("SCHEDULE-AGENT=CLIENT"), "{ours}");
    let plain = ours.replace("SCHEDULE-AGENT=CLIENT;", "");
    server.put(&cal, "control.ics", &plain).await;
    let sent = messages(&server, 1).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let envelope = sent[0].lines().next().unwrap_or_default();
    assert!(
        envelope.contains(OWNER_EMAIL) && envelope.contains(VISITOR),
        "{envelope}"
    );
    assert!(sent[0].contains("METHOD:REQUEST"), "{}", sent[0]);

    server.remove(&cal, "control.ics").await;
    let sent = messages(&server, 2).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1].contains("METHOD:CANCEL"), "{}", sent[1]);
}
