//! Calendar writes of bookings reach a source added at runtime; a removed source's pending
//! writes fail with a reason instead of retrying for a day.

use std::time::Duration;

use openslot::calendar::Interval;
use openslot::sources::{CalendarSource, Fetched, Item};

use super::app::{TestApp, spawn_app};
use super::servers::{Kind, Server};
use super::{admin, caldav_source, login, owner_login};

/// The outbox rows (state, last error) once none is pending, or after `limit`.
async fn drained(app: &TestApp, limit: Duration) -> Vec<(String, Option<String>)> {
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
        if !rows.iter().any(|(s, _)| s == "pending") || tokio::time::Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The events in `cal` whose text contains `needle`.
async fn events_with(server: &Server, cal: &str, needle: &str) -> usize {
    let window = Interval {
        start: super::fixed_now() - chrono::Duration::days(1),
        end: super::fixed_now() + chrono::Duration::days(30),
    };
    let Fetched::Full { items, .. } = server.caldav(cal, None).fetch(window, None).await.unwrap()
    else {
        panic!("a full fetch")
    };
    items
        .values()
        .filter(|i| matches!(i, Item::Ics { text, .. } if text.contains(needle)))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runtime_writable_source_receives_bookings() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let app = spawn_app(&owner_login()).await;
    let token = login(&app).await;
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/sources",
        Some(&token),
        Some(caldav_source("lan", &server, &cal, true)),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["writable"], true);
    let (status, b) = app.book("intro", "2026-12-01T09:00:00+01:00").await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap();
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert_eq!(rows, vec![("done".to_owned(), None)]);
    assert_eq!(events_with(&server, &cal, id).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_source_fails_its_pending_writes_with_a_reason() {
    let mut server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let app = spawn_app(&owner_login()).await;
    let token = login(&app).await;
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/sources",
        Some(&token),
        Some(caldav_source("lan", &server, &cal, true)),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    // The calendar is down: the write waits for a retry.
    server.kill();
    let (status, b) = app.book("intro", "2026-12-01T09:00:00+01:00").await;
    assert_eq!(status, 201, "{b}");
    let rows = drained(&app, Duration::from_secs(1)).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "pending", "{rows:?}");
    let (status, _) = admin(&app, "DELETE", "/admin/api/sources/lan", Some(&token), None).await;
    assert_eq!(status, 204);
    let rows = drained(&app, Duration::from_secs(30)).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "failed", "{rows:?}");
    let reason = rows[0].1.as_deref().unwrap_or_default();
    assert!(reason.contains("`lan` was removed"), "{reason}");
}
