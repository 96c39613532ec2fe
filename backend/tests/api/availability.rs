//! Availability sources over real HTTP: a Radicale calendar with `role = "availability"` opens
//! bookable time (its "Office hours" events only), another Radicale calendar's busy time still
//! blocks, a booking outside the office hours is refused, and the admin API's explain names the
//! opening event.

use std::time::Duration;

use serde_json::Value;

use super::admin::{admin, token, with_password};
use super::app::{TestApp, spawn_app};
use super::servers::{Kind, PASSWORD, Server, USER};

fn event(uid: &str, start: &str, end: &str, title: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//openslot tests//EN\r\nBEGIN:VEVENT\r\n\
         UID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\n\
         SUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn source(id: &str, url: &str, extra: &str) -> String {
    format!(
        "[[sources]]\nid = \"{id}\"\nkind = \"caldav\"\nurl = \"{url}\"\nusername = \"{USER}\"\n\
         password = \"{PASSWORD}\"\ntimeout_seconds = 5\n{extra}\n"
    )
}

/// Waits until every source has synced once.
async fn synced(app: &TestApp) {
    for _ in 0..100 {
        let st = app.service.source_statuses(super::fixed_now());
        if st.iter().all(|s| s.last_success.is_some()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "never synced: {:?}",
        app.service.source_statuses(super::fixed_now())
    );
}

fn starts(v: &Value) -> Vec<String> {
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap()[11..16].to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_hours_in_a_caldav_calendar_open_bookable_time() {
    let server = Server::start(Kind::Radicale).await;
    let uni = server.mkcalendar("uni", "University", "#112233FF").await;
    let work = server.mkcalendar("work", "Work", "#445566FF").await;
    // Tuesday 1 December, Berlin (+01:00): office hours 10:00-12:00 and 14:00-15:00, a lunch
    // that does not match; work is busy 11:00-11:30.
    let put = [
        (
            "oh1.ics",
            "oh-1",
            "20261201T090000Z",
            "20261201T110000Z",
            "Office hours",
        ),
        (
            "oh2.ics",
            "oh-2",
            "20261201T130000Z",
            "20261201T140000Z",
            "office hours (room 3.14)",
        ),
        (
            "lunch.ics",
            "lunch",
            "20261201T110000Z",
            "20261201T120000Z",
            "Department lunch",
        ),
    ];
    for (name, uid, s, e, title) in put {
        server.put(&uni, name, &event(uid, s, e, title)).await;
    }
    server
        .put(
            &work,
            "m.ics",
            &event("m", "20261201T100000Z", "20261201T103000Z", "Meeting"),
        )
        .await;
    let config = format!(
        "{}{}{}",
        with_password(),
        source(
            "uni",
            &uni,
            "role = \"availability\"\nmatch = \"Office Hours\""
        ),
        source("work", &work, "")
    );
    let app = spawn_app(&config).await;
    synced(&app).await;

    let (status, v) = app
        .get("/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01")
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        starts(&v),
        ["10:00", "10:30", "11:30", "14:00", "14:30"],
        "{v}"
    );
    // Other days have no office hours: nothing.
    let (_, v) = app
        .get("/api/v1/slots?event_type=intro&from=2026-12-02&to=2026-12-04")
        .await;
    assert!(starts(&v).is_empty(), "{v}");

    // The lunch is in the working hours but opens nothing; office hours can be booked.
    let (status, v) = app.book("intro", "2026-12-01T12:00:00+01:00").await;
    assert_eq!(status, 409, "{v}");
    let (status, v) = app.book("intro", "2026-12-01T14:00:00+01:00").await;
    assert_eq!(status, 201, "{v}");

    let t = token(&app).await;
    let (status, v) = admin(
        &app,
        "GET",
        "/admin/api/explain?at=2026-12-01T10:30:00%2B01:00&event_type=intro",
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["bookable"], true, "{v}");
    assert_eq!(
        v["opened_by"],
        serde_json::json!([
            "opened by \"Office hours\" (in source \"uni\") from 2026-12-01 10:00 to 12:00 (Europe/Berlin)"
        ]),
        "{v}"
    );
    let (_, v) = admin(
        &app,
        "GET",
        "/admin/api/explain?at=2026-12-01T12:15:00%2B01:00&event_type=intro",
        Some(&t),
        None,
    )
    .await;
    assert_eq!(v["bookable"], false, "{v}");
    assert_eq!(
        v["reasons"],
        serde_json::json!(["no availability event covers this time"]),
        "{v}"
    );
    assert_eq!(v["opened_by"], serde_json::json!([]), "{v}");

    // The dashboard's listing names each source's role.
    let (status, v) = admin(&app, "GET", "/admin/api/sources", Some(&t), None).await;
    assert_eq!(status, 200, "{v}");
    let roles: Vec<(&str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["role"].as_str().unwrap()))
        .collect();
    assert_eq!(roles, [("uni", "availability"), ("work", "busy")]);
}
