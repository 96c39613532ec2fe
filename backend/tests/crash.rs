//! kill -9 under booking load, 50 rounds, against the built binary and a real Radicale: every
//! booking a client saw acknowledged is there after the restart, the database passes
//! `PRAGMA integrity_check`, no two bookings overlap, and after the outbox drains each booking
//! is in the calendar exactly once.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use openslot_testkit::caldav as servers;
use openslot_testkit::process;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, Duration as Span, Timelike, Utc};
use openslot::calendar::Interval;
use openslot::sources::{CalendarSource, Fetched, Item};
use process::ProcessGroup;
use servers::{Kind, PASSWORD, Server, USER};

const ROUNDS: usize = 50;

/// The service's clock (OPENSLOT_CLOCK_START): the last evening of a year, not today.
const PINNED: &str = "2026-12-31T22:30:00Z";

fn pinned() -> DateTime<Utc> {
    PINNED.parse().unwrap()
}

use openslot_testkit::free_port;

fn start(dir: &std::path::Path) -> ProcessGroup {
    ProcessGroup::spawn(
        Command::new(env!("CARGO_BIN_EXE_openslot"))
            .args(["serve", "--config", "openslot.toml"])
            .current_dir(dir)
            .env("OPENSLOT_LOG", "warn")
            .env(openslot::clock::CLOCK_START_VAR, PINNED)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .unwrap()
}

async fn wait_until_up(client: &reqwest::Client, base: &str) {
    for _ in 0..300 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the service did not come up");
}

/// Slot starts from tomorrow on: every 15 minutes, around the clock (the owner works 24/7 in
/// UTC in this test), one per request.
fn slot(i: usize) -> DateTime<Utc> {
    let now = pinned();
    let tomorrow = (now + Span::days(1))
        .with_hour(0)
        .and_then(|t| t.with_minute(0))
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap();
    tomorrow + Span::minutes(15 * i as i64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_loses_no_acknowledged_booking_and_writes_each_once() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let all_days = "[\"00:00-24:00\"]";
    std::fs::write(
        dir.path().join("openslot.toml"),
        format!(
            "[owner]\nname = \"Ada\"\nemail = \"ada@example.org\"\ntimezone = \"UTC\"\n\
             [server]\nlisten = \"127.0.0.1:{port}\"\nadmin_listen = \"127.0.0.1:{}\"\ndata_dir = \"data\"\n\
             [security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
             [availability]\nmin_notice_minutes = 0\nhorizon_days = 30\n\
             working_hours = {{ mon = {all_days}, tue = {all_days}, wed = {all_days}, thu = {all_days}, \
             fri = {all_days}, sat = {all_days}, sun = {all_days} }}\n\
             [[event_types]]\nslug = \"q\"\ntitle = \"Quick\"\nduration_minutes = 15\n\
             [[sources]]\nid = \"cal\"\nkind = \"caldav\"\nurl = \"{cal}\"\nusername = \"{USER}\"\n\
             password = \"{PASSWORD}\"\nwrite = true\ntimeout_seconds = 5\n",
            free_port()
        ),
    )
    .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = openslot::sources::http::client(Default::default()).unwrap();
    let mut rng = fastrand::Rng::with_seed(42);
    let mut acknowledged: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
    // The next slot to ask for, across tasks and rounds.
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));

    for _round in 0..ROUNDS {
        let mut child = start(dir.path());
        wait_until_up(&client, &base).await;
        // Book as fast as one client can, several requests in flight, until the kill.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let (client, base, tx) = (client.clone(), base.clone(), tx.clone());
            let next = std::sync::Arc::clone(&next);
            tasks.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let body = serde_json::json!({
                        "event_type": "q", "start": slot(i).to_rfc3339(), "name": "Load",
                        "email": "load@example.com", "timezone": "UTC"
                    });
                    let Ok(r) = client
                        .post(format!("{base}/api/v1/bookings"))
                        .json(&body)
                        .send()
                        .await
                    else {
                        return;
                    };
                    if r.status().as_u16() == 201
                        && let Ok(v) = r.json::<serde_json::Value>().await
                    {
                        let _ = tx.send((v["id"].as_str().unwrap_or("").to_owned(), slot(i)));
                    }
                }
            }));
        }
        drop(tx);
        tokio::time::sleep(Duration::from_millis(rng.u64(30..400))).await;
        child.kill_now(); // SIGKILL
        for t in tasks {
            let _ = t.await;
        }
        while let Some((id, start)) = rx.recv().await {
            acknowledged.insert(id, start);
        }
    }
    assert!(
        acknowledged.len() > ROUNDS,
        "the load made bookings: {}",
        acknowledged.len()
    );

    // A last start lets the outbox drain; then the database is checked from outside.
    let mut child = start(dir.path());
    wait_until_up(&client, &base).await;
    let db = dir.path().join("data/openslot.db");
    let open = || {
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap()
    };
    let mut pending = i64::MAX;
    for _ in 0..600 {
        pending = open()
            .query_row(
                "SELECT count(*) FROM outbox WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill_now();
    assert_eq!(pending, 0, "the outbox drained");

    let conn = open();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let mut stmt = conn
        .prepare("SELECT id, start_utc, end_utc FROM bookings WHERE status = 'confirmed' ORDER BY start_utc")
        .unwrap();
    let stored: Vec<(String, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (id, start) in &acknowledged {
        assert!(
            stored
                .iter()
                .any(|(s, t, _)| s == id && *t == start.timestamp()),
            "acknowledged booking {id} at {start} is lost"
        );
    }
    for w in stored.windows(2) {
        assert!(w[0].2 <= w[1].1, "overlap: {:?} {:?}", w[0], w[1]);
    }
    let failed: i64 = conn
        .query_row(
            "SELECT count(*) FROM outbox WHERE state = 'failed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failed, 0);

    // Each stored booking is in the calendar exactly once, and nothing else is.
    let reader = server.caldav(&cal, None);
    let window = Interval {
        start: pinned(),
        end: pinned() + Span::days(40),
    };
    let Fetched::Full { items, .. } = reader.fetch(window, None).await.unwrap() else {
        panic!("a full fetch")
    };
    let mut uids: Vec<String> = items
        .values()
        .filter_map(|i| match i {
            Item::Ics { text, .. } => text
                .lines()
                .find_map(|l| l.strip_prefix("UID:"))
                .map(|u| u.trim().to_owned()),
            Item::Occurrence(_) => None,
        })
        .collect();
    uids.sort();
    let mut expected: Vec<String> = stored
        .iter()
        .map(|(id, _, _)| format!("{id}@openslot"))
        .collect();
    expected.sort();
    assert_eq!(uids, expected, "one event per booking, no more");
    println!(
        "{ROUNDS} rounds: {} acknowledged, {} stored, {} events",
        acknowledged.len(),
        stored.len(),
        uids.len()
    );
}
