//! Row 7: booking attempts do not fetch every source each: a slot already taken is refused on
//! the copies at hand (no fetch), and concurrent attempts on a free slot share one fetch per
//! source (one in flight, the others wait for it). Counted as GETs on an http ICS feed.

use std::time::Duration;

use crate::feed_server::{FeedServer, Mode};
use crate::live::{Live, Options, booking, client};

const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n\
UID:busy@test\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261203T120000Z\r\nDTEND:20261203T130000Z\r\n\
SUMMARY:Busy\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// Thirty booking requests for `start` at once; their statuses, counted.
async fn thirty_at_once(base: &str, start: &str) -> std::collections::BTreeMap<u16, usize> {
    let client = client();
    let attempts: Vec<_> = (0..30)
        .map(|i| {
            let request = client
                .post(format!("{base}/api/v1/bookings"))
                .json(&booking(start, &format!("Visitor {i}")))
                .send();
            tokio::spawn(request)
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::new();
    for attempt in attempts {
        let status = attempt.await.unwrap().unwrap().status().as_u16();
        *statuses.entry(status).or_default() += 1;
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_attempts_fetch_nothing_and_concurrent_ones_share_a_fetch() {
    let feed = FeedServer::start().await;
    feed.put("cal", CALENDAR);
    let live = Live::start(Options {
        extra_toml: format!(
            "[[sources]]\nid = \"work\"\nkind = \"ics\"\nurl = \"{}\"\nsync_interval_minutes = 600\n",
            feed.url("/feed.ics")
        ),
        ..Options::default()
    })
    .await;
    let gets = || feed.seen().len();
    // The first sync at start.
    for _ in 0..100 {
        if gets() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(gets() > 0, "the service never read the feed");

    let resp = client()
        .post(format!("{}/api/v1/bookings", live.base))
        .json(&booking("2026-12-01T09:00:00Z", "Ann"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);

    // Taken by a booking: thirty 409s, no fetch.
    let before = gets();
    let statuses = thirty_at_once(&live.base, "2026-12-01T09:00:00Z").await;
    assert_eq!(statuses.get(&409), Some(&30), "{statuses:?}");
    let taken = gets() - before;
    // Busy in the calendar's copy: the same.
    let before = gets();
    let statuses = thirty_at_once(&live.base, "2026-12-03T12:00:00Z").await;
    assert_eq!(statuses.get(&409), Some(&30), "{statuses:?}");
    let busy = gets() - before;

    // A free slot, the feed answering slowly: one booking wins, the fetches are shared.
    feed.set_mode(Mode::Slow(Duration::from_millis(500)));
    let before = gets();
    let statuses = thirty_at_once(&live.base, "2026-12-02T10:00:00Z").await;
    let free = gets() - before;
    eprintln!("GETs for 30 attempts: taken {taken}, busy {busy}, free {free} ({statuses:?})");
    assert_eq!(statuses.get(&201), Some(&1), "{statuses:?}");
    assert_eq!(statuses.get(&409), Some(&29), "{statuses:?}");
    assert_eq!(taken, 0, "attempts on a booked slot fetched the feed");
    assert_eq!(busy, 0, "attempts on a busy slot fetched the feed");
    assert!(free <= 3, "{free} fetches for 30 concurrent attempts");
}
