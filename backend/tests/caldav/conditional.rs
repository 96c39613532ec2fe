//! Updates and deletes on the wire: every write after the create carries `If-Match` with a
//! strong entity tag, checked in the log of an nginx proxy between OpenSlot and the real
//! server. A scheduling server (Cyrus) rewrites the event on PUT and answers without an ETag:
//! the version is read before the next write instead of writing unconditionally. A stale or
//! weak stored etag is read again (412, then one retry), and an event that keeps changing
//! stops after one retry instead of looping (a fake server: no real one changes on every read).

use chrono::{DateTime, TimeZone, Utc};
use openslot::calendar::{BookingEvent, Person};
use openslot::sources::{CalendarWriter, SourceError, WrittenEvent};

use super::nginx_front::tools_present;
use super::servers::{Kind, OWNER_EMAIL, Server, config_for};
use super::wire_log::{Wire, WireLog};
use super::{count_uid, march};

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
}

/// A booking as the outbox writes it: the owner organizes (Cyrus's user), the visitor attends.
fn booking(uid: &str, sequence: u32, day: u32) -> BookingEvent {
    BookingEvent {
        uid: uid.to_owned(),
        sequence,
        stamp: at(1, 8),
        start: at(day, 10),
        end: at(day, 11),
        summary: "Intro call: Eve".to_owned(),
        description: "Booked via OpenSlot".to_owned(),
        location: None,
        organizer: Some(Person {
            name: "Ada".to_owned(),
            email: OWNER_EMAIL.to_owned(),
        }),
        attendees: vec![Person {
            name: "Eve".to_owned(),
            email: "eve@visitor.example".to_owned(),
        }],
    }
}

/// The server, a calendar on it and the proxy in front; `None` without nginx (SKIPPED, or
/// failed under `make test`).
async fn through_proxy(kind: Kind) -> Option<(Server, String, WireLog)> {
    let nginx = tools_present()?;
    let server = Server::start(kind).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let wire = WireLog::start(&nginx, &server.base).await;
    let cal = wire.through(&cal);
    Some((server, cal, wire))
}

fn show(w: &[Wire]) -> String {
    w.iter()
        .map(|w| format!("{w:?}\n"))
        .collect::<Vec<_>>()
        .concat()
}

/// Book, move twice, cancel: the create is `If-None-Match: *`, every later PUT and the DELETE
/// carry a strong `If-Match`, all on one resource, and no write was refused.
pub async fn every_write_after_the_create_is_conditional(kind: Kind) {
    let Some((_server, cal, wire)) = through_proxy(kind).await else {
        return;
    };
    let caldav = _server.caldav(&cal, None);
    let uid = "b-cond@openslot";
    let written = caldav.create(&booking(uid, 0, 10)).await.unwrap();
    let moved = caldav.update(&written, &booking(uid, 1, 11)).await.unwrap();
    let again = caldav.update(&moved, &booking(uid, 2, 12)).await.unwrap();
    caldav.delete(&again).await.unwrap();
    assert_eq!(count_uid(caldav.as_ref(), uid, march()).await, 0);

    let writes = wire.writes();
    let log = show(&wire.requests());
    println!("{kind:?} on the wire:\n{log}");
    assert_eq!(writes.len(), 4, "{log}");
    assert_eq!(writes[0].if_none_match.as_deref(), Some("*"), "{log}");
    assert!(writes.iter().all(|w| w.path == writes[0].path), "{log}");
    for w in &writes[1..] {
        assert!(w.strong_if_match(), "no strong If-Match: {w:?}\n{log}");
        assert!((200..300).contains(&w.status), "{w:?}\n{log}");
    }
    assert_eq!(writes[3].method, "DELETE");
    // What the server answered tells whether a version was read first: after a PUT answered
    // without an ETag (Cyrus rewrites a scheduling object), a GET or PROPFIND comes before
    // the next write; with one (Radicale, Xandikos) none is needed.
    let all = wire.requests();
    for pair in writes.windows(2) {
        let (i, j) = (
            all.iter().position(|w| *w == pair[0]).unwrap(),
            all.iter().position(|w| *w == pair[1]).unwrap(),
        );
        let read_between = all[i + 1..j]
            .iter()
            .any(|w| matches!(w.method.as_str(), "GET" | "PROPFIND"));
        assert_eq!(read_between, pair[0].etag.is_none(), "{log}");
        if let Some(etag) = &pair[0].etag {
            assert_eq!(pair[1].if_match.as_ref(), Some(etag), "{log}");
        }
    }
}

/// The stored etag is stale (the owner edited the event): the PUT meets 412, the version is
/// read again and the PUT repeated once, with the new etag; the same for a delete.
pub async fn a_stale_etag_is_read_again_and_the_write_retried_once(kind: Kind) {
    let Some((server, cal, wire)) = through_proxy(kind).await else {
        return;
    };
    let caldav = server.caldav(&cal, None);
    let uid = "b-stale@openslot";
    let mut written = caldav.create(&booking(uid, 0, 10)).await.unwrap();
    // A stale etag of our own resource (the owner edited it in their app since).
    written.etag = Some("\"stale-version\"".to_owned());
    wire.clear();
    let moved = caldav.update(&written, &booking(uid, 1, 11)).await.unwrap();
    assert_eq!(moved.remote_id, written.remote_id);
    let writes = wire.writes();
    let log = show(&wire.requests());
    assert_eq!(writes.len(), 2, "{log}");
    assert_eq!(writes[0].if_match.as_deref(), Some("\"stale-version\""));
    assert_eq!(writes[0].status, 412, "{log}");
    assert!(
        writes[1].strong_if_match() && writes[1].status < 300,
        "{log}"
    );

    let mut stale = moved.clone();
    stale.etag = Some("\"stale-again\"".to_owned());
    wire.clear();
    caldav.delete(&stale).await.unwrap();
    let writes = wire.writes();
    let log = show(&wire.requests());
    assert_eq!(writes.len(), 2, "{log}");
    assert_eq!(writes[0].status, 412, "{log}");
    assert!(
        writes[1].strong_if_match() && writes[1].status < 300,
        "{log}"
    );
    assert_eq!(count_uid(caldav.as_ref(), uid, march()).await, 0);
}

/// A weak or missing stored etag is never sent: the current one is read first, and the
/// write carries that.
pub async fn a_weak_or_missing_etag_is_read_before_writing(kind: Kind) {
    let Some((server, cal, wire)) = through_proxy(kind).await else {
        return;
    };
    let caldav = server.caldav(&cal, None);
    let uid = "b-weak@openslot";
    let written = caldav.create(&booking(uid, 0, 10)).await.unwrap();
    for etag in [Some("W/\"weak\"".to_owned()), None] {
        let held = WrittenEvent {
            etag: etag.clone(),
            ..written.clone()
        };
        wire.clear();
        caldav.update(&held, &booking(uid, 1, 11)).await.unwrap();
        let all = wire.requests();
        let log = show(&all);
        let put = all.iter().position(|w| w.method == "PUT").unwrap();
        assert!(
            all[..put]
                .iter()
                .any(|w| matches!(w.method.as_str(), "GET" | "PROPFIND")),
            "{etag:?}: read first\n{log}"
        );
        assert!(
            all.iter()
                .all(|w| !w.if_match.as_deref().is_some_and(|v| v.starts_with("W/")))
        );
        assert!(all[put].strong_if_match() && all[put].status < 300, "{log}");
    }
    let held = WrittenEvent {
        etag: Some("W/\"weak\"".to_owned()),
        ..written
    };
    wire.clear();
    caldav.delete(&held).await.unwrap();
    let writes = wire.writes();
    let log = show(&wire.requests());
    assert_eq!(writes.len(), 1, "{log}");
    assert!(
        writes[0].strong_if_match() && writes[0].status < 300,
        "{log}"
    );
}

/// The owner deleted the event in their app, then the visitor moved the booking: the event is
/// made again at the same place (`If-None-Match: *`), never elsewhere.
pub async fn an_update_of_a_deleted_event_makes_it_again_in_place(kind: Kind) {
    let Some((server, cal, _wire)) = through_proxy(kind).await else {
        return;
    };
    let caldav = server.caldav(&cal, None);
    let uid = "b-gone@openslot";
    let written = caldav.create(&booking(uid, 0, 10)).await.unwrap();
    let r = server
        .request(
            "DELETE",
            &written.remote_id.replace(&_wire.base, &server.base),
            "text/plain",
            String::new(),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let moved = caldav.update(&written, &booking(uid, 1, 11)).await.unwrap();
    assert_eq!(moved.remote_id, written.remote_id);
    assert_eq!(count_uid(caldav.as_ref(), uid, march()).await, 1);
}

/// An update never overwrites someone else's event that took the resource meanwhile.
pub async fn an_update_never_overwrites_a_foreign_event(kind: Kind) {
    let Some((server, cal, _wire)) = through_proxy(kind).await else {
        return;
    };
    let caldav = server.caldav(&cal, None);
    let uid = "b-foreign@openslot";
    let written = caldav.create(&booking(uid, 0, 10)).await.unwrap();
    let direct = written.remote_id.replace(&_wire.base, &server.base);
    server
        .request("DELETE", &direct, "text/plain", String::new())
        .await;
    let foreign = super::event("not-ours", at(20, 9), at(20, 10), "Theirs");
    let r = server
        .request("PUT", &direct, "text/calendar", foreign)
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let e = caldav
        .update(&written, &booking(uid, 1, 11))
        .await
        .unwrap_err();
    assert!(matches!(e, SourceError::Refused(_)), "{e:?}");
    assert_eq!(count_uid(caldav.as_ref(), "not-ours", march()).await, 1);
}

/// A server where the event changes on every read: the update gives up after one retry with
/// a clear reason, in a bounded number of requests.
#[tokio::test]
async fn an_event_that_keeps_changing_stops_after_one_retry() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let len = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..len]).to_string();
                let body = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:b-busy@openslot\r\n\
                            DTSTART:20260310T100000Z\r\nDTEND:20260310T110000Z\r\n\
                            END:VEVENT\r\nEND:VCALENDAR\r\n";
                let answer = if request.starts_with("GET") {
                    format!(
                        "HTTP/1.1 200 OK\r\nETag: \"v{n}\"\r\nContent-Type: text/calendar\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                } else {
                    "HTTP/1.1 412 Precondition Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_owned()
                };
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    let config = config_for(&format!("http://{addr}/cal/"));
    let caldav = openslot::sources::caldav::CalDav::new(
        &config,
        &openslot::sources::SourceContext::new("."),
    )
    .unwrap();
    let written = WrittenEvent {
        uid: "b-busy@openslot".to_owned(),
        remote_id: format!("http://{addr}/cal/b-busy.ics"),
        etag: Some("\"v-old\"".to_owned()),
    };
    let e = caldav
        .update(&written, &booking("b-busy@openslot", 1, 11))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, SourceError::Refused(m) if m.contains("keeps changing")),
        "{e:?}"
    );
    let e = caldav.delete(&written).await.unwrap_err();
    assert!(
        matches!(&e, SourceError::Refused(m) if m.contains("keeps changing")),
        "{e:?}"
    );
    // PUT 412, GET, PUT 412 (then stop); DELETE 412, GET, DELETE 412 (then stop).
    assert_eq!(seen.load(Ordering::SeqCst), 6);
}
