//! No double booking: many visitors at once for one slot, and overlapping bookings of
//! different lengths; exactly one wins.

use std::sync::Arc;

use super::app::spawn_app;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_visitors_for_one_slot_make_one_booking() {
    let app = Arc::new(spawn_app("").await);
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let app = Arc::clone(&app);
            tokio::spawn(async move {
                let mut body = super::app::booking("intro", "2026-12-02T14:00:00+01:00");
                body["name"] = serde_json::json!(format!("Visitor {i}"));
                app.post("/api/v1/bookings", &body).await.0
            })
        })
        .collect();
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    let created = codes.iter().filter(|c| **c == 201).count();
    let conflicts = codes.iter().filter(|c| **c == 409).count();
    assert_eq!((created, conflicts), (1, 199), "{codes:?}");
    let rows = openslot::notify::Host::store(&app.service)
        .call(|c| Ok(c.query_row("SELECT count(*) FROM bookings", [], |r| r.get::<_, i64>(0))?))
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_bookings_of_different_lengths_at_once_at_most_one_wins() {
    let app = Arc::new(spawn_app("").await);
    // consult 60 min at 10:00 and 10:30, intro 30 min at 10:30 and 11:00: 10:00 consult
    // overlaps the 10:30 ones; pairs that do not overlap may both win.
    let requests = [
        ("consult", "2026-12-03T10:00:00+01:00"),
        ("consult", "2026-12-03T10:30:00+01:00"),
        ("intro", "2026-12-03T10:30:00+01:00"),
        ("intro", "2026-12-03T10:00:00+01:00"),
    ];
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let app = Arc::clone(&app);
            let (slug, start) = requests[i % requests.len()];
            tokio::spawn(async move { app.book(slug, start).await.0 })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let rows: Vec<(i64, i64)> = openslot::notify::Host::store(&app.service)
        .call(|c| {
            let mut s = c.prepare(
                "SELECT start_utc, end_utc FROM bookings WHERE status = 'confirmed' ORDER BY start_utc",
            )?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap();
    assert!(!rows.is_empty());
    for w in rows.windows(2) {
        assert!(w[0].1 <= w[1].0, "overlap: {rows:?}");
    }
}
