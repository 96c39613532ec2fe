//! `kind = "ics"` against a local HTTP feed server (tests/support/feed_server.rs): the
//! conformance story, conditional GET, gzip, redirects, refused answers, and the faults of a
//! feed host seen through the sync layer (last good snapshot kept, freshness policy, status).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use openslot_testkit::conformance;
use openslot_testkit::feed_server;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use conformance::{ReaderFixture, expected_busy, reader_story, seed, window};
use feed_server::{FeedServer, Mode};
use openslot::calendar::Interval;
use openslot::config::{Config, from_toml_str};
use openslot::sources::{CalendarSource, Fetched, Item, ics_feed::IcsFeed};
use openslot::sync::{Freshness, SyncHub};

fn config(dir: &std::path::Path, sources: &str) -> Config {
    let text = format!(
        "[owner]\nname = 'Ada'\nemail = 'ada@example.org'\ntimezone = 'Europe/Berlin'\n\
         [server]\ndata_dir = 'data'\n\
         [availability]\nhorizon_days = 120\n\
         [[event_types]]\nslug = 'call'\ntitle = 'Call'\nduration_minutes = 30\n{sources}"
    );
    from_toml_str(&text, &[], dir).expect("valid configuration")
}

/// Sources time out after 10 s (a loaded CI machine is slow) unless `extra` says otherwise.
fn feed_source(url: &str, extra: &str) -> String {
    let timeout = if extra.contains("timeout_seconds") {
        ""
    } else {
        "timeout_seconds = 10\n"
    };
    format!("[[sources]]\nid = 'feed'\nkind = 'ics'\nurl = '{url}'\n{timeout}{extra}\n")
}

fn reader(dir: &std::path::Path, url: &str, extra: &str) -> Arc<dyn CalendarSource> {
    let cfg = config(dir, &feed_source(url, extra));
    Arc::new(IcsFeed::new(&cfg.sources[0]).expect("adapter"))
}

struct FeedFixture {
    server: FeedServer,
    source: Arc<dyn CalendarSource>,
    _dir: tempfile::TempDir,
}

impl FeedFixture {
    async fn start() -> FeedFixture {
        let server = FeedServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        let source = reader(dir.path(), &server.url("/feed.ics"), "");
        FeedFixture {
            server,
            source,
            _dir: dir,
        }
    }
}

#[async_trait::async_trait]
impl ReaderFixture for FeedFixture {
    async fn put(&self, name: &str, ics: &str) {
        self.server.put(name, ics);
    }
    async fn remove(&self, name: &str) {
        self.server.remove(name);
    }
    fn source(&self) -> Arc<dyn CalendarSource> {
        Arc::clone(&self.source)
    }
}

#[tokio::test]
async fn the_feed_passes_the_conformance_story() {
    let fx = FeedFixture::start().await;
    reader_story(&fx).await;
}

#[tokio::test]
async fn a_file_feed_passes_the_conformance_story_too() {
    struct FileFixture {
        dir: tempfile::TempDir,
        objects: std::sync::Mutex<std::collections::BTreeMap<String, String>>,
        source: Arc<dyn CalendarSource>,
    }
    impl FileFixture {
        fn write(&self) {
            let objects = self.objects.lock().unwrap();
            std::fs::write(
                self.dir.path().join("cal.ics"),
                feed_server::merged(&objects),
            )
            .unwrap();
        }
    }
    #[async_trait::async_trait]
    impl ReaderFixture for FileFixture {
        async fn put(&self, name: &str, ics: &str) {
            self.objects.lock().unwrap().insert(name.into(), ics.into());
            self.write();
        }
        async fn remove(&self, name: &str) {
            self.objects.lock().unwrap().remove(name);
            self.write();
        }
        fn source(&self) -> Arc<dyn CalendarSource> {
            Arc::clone(&self.source)
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let source = reader(dir.path(), "file://cal.ics", "");
    let fx = FileFixture {
        dir,
        objects: Default::default(),
        source,
    };
    reader_story(&fx).await;
}

fn one_event(server: &FeedServer) {
    let (name, text) = seed().remove(0);
    server.put(name, &text);
}

#[tokio::test]
async fn conditional_get_uses_the_etag_and_a_304_is_unchanged() {
    let server = FeedServer::start().await;
    one_event(&server);
    let dir = tempfile::tempdir().unwrap();
    let source = reader(dir.path(), &server.url("/feed.ics"), "");
    let Fetched::Full { cursor, .. } = source.fetch(window(), None).await.unwrap() else {
        panic!("full first")
    };
    assert_eq!(cursor.get("etag"), Some("\"v2\""));
    let again = source.fetch(window(), Some(&cursor)).await.unwrap();
    assert!(matches!(again, Fetched::Unchanged { .. }), "{again:?}");
    assert_eq!(server.seen()[1].if_none_match.as_deref(), Some("\"v2\""));
    server.put("other", &conformance::vcalendar(""));
    let changed = source.fetch(window(), Some(&cursor)).await.unwrap();
    assert!(
        matches!(changed, Fetched::Full { .. }),
        "a new version is read whole"
    );
}

#[tokio::test]
async fn conditional_get_falls_back_to_last_modified() {
    let server = FeedServer::start().await;
    server.set_mode(Mode::LastModifiedOnly);
    one_event(&server);
    let dir = tempfile::tempdir().unwrap();
    let source = reader(dir.path(), &server.url("/feed.ics"), "");
    let Fetched::Full { cursor, .. } = source.fetch(window(), None).await.unwrap() else {
        panic!("full first")
    };
    assert!(cursor.get("etag").is_none());
    let again = source.fetch(window(), Some(&cursor)).await.unwrap();
    assert!(matches!(again, Fetched::Unchanged { .. }), "{again:?}");
    assert!(server.seen()[1].if_modified_since.is_some());
}

#[tokio::test]
async fn gzip_is_asked_for_and_decoded() {
    let server = FeedServer::start().await;
    one_event(&server);
    let dir = tempfile::tempdir().unwrap();
    let source = reader(dir.path(), &server.url("/feed.ics"), "");
    let Fetched::Full { items, .. } = source.fetch(window(), None).await.unwrap() else {
        panic!("full")
    };
    assert!(
        server.seen()[0]
            .accept_encoding
            .as_deref()
            .unwrap_or("")
            .contains("gzip")
    );
    let Some(Item::Ics { text, .. }) = items.get("feed") else {
        panic!("one feed item")
    };
    assert!(text.starts_with("BEGIN:VCALENDAR") && text.contains("UID:weekly"));
}

#[tokio::test]
async fn redirects_are_followed_up_to_the_limit() {
    let server = FeedServer::start().await;
    one_event(&server);
    let dir = tempfile::tempdir().unwrap();
    let source = reader(dir.path(), &server.url("/redirect"), "");
    assert!(matches!(
        source.fetch(window(), None).await.unwrap(),
        Fetched::Full { .. }
    ));
    let looping = reader(dir.path(), &server.url("/loop"), "");
    let e = looping.fetch(window(), None).await.unwrap_err().to_string();
    assert!(e.contains("too many redirects"), "{e}");
}

#[tokio::test]
async fn basic_auth_is_sent_and_a_wrong_password_reads_as_authentication_failed() {
    let server = FeedServer::start().await;
    one_event(&server);
    server.state.lock().unwrap().basic = Some(("ada".into(), "s3cret".into()));
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/feed.ics");
    let good = reader(dir.path(), &url, "username = 'ada'\npassword = 's3cret'");
    assert!(good.fetch(window(), None).await.is_ok());
    let bad = reader(dir.path(), &url, "username = 'ada'\npassword = 'nope'");
    let e = bad.fetch(window(), None).await.unwrap_err().to_string();
    assert!(e.starts_with("authentication failed (401)"), "{e}");
    assert!(!e.contains("nope"), "never shows the password: {e}");
}

/// What one refused answer must give: an error with these words.
async fn refused(mode: Mode, words: &str) {
    let server = FeedServer::start().await;
    one_event(&server);
    server.set_mode(mode.clone());
    let dir = tempfile::tempdir().unwrap();
    let extra = if matches!(mode, Mode::Slow(_)) {
        "timeout_seconds = 1"
    } else {
        ""
    };
    let source = reader(dir.path(), &server.url("/feed.ics"), extra);
    let e = source.fetch(window(), None).await.unwrap_err().to_string();
    assert!(e.contains(words), "{mode:?}: {e}");
}

#[tokio::test]
async fn answers_that_are_not_a_whole_calendar_are_refused() {
    refused(Mode::LoginPage, "web page").await;
    refused(Mode::Truncated, "cut off").await;
    refused(Mode::Status(500), "answered 500").await;
    refused(Mode::Status(404), "not found").await;
    refused(
        Mode::Huge(50 * 1024 * 1024),
        "larger than the limit of 20 MB",
    )
    .await;
    refused(
        feed_server::huge_gzip(50 * 1024 * 1024),
        "larger than the limit of 20 MB",
    )
    .await;
    refused(
        Mode::Slow(Duration::from_secs(3)),
        "did not answer within 1 s",
    )
    .await;
}

#[tokio::test]
async fn invalid_utf8_is_replaced_and_the_events_still_count() {
    let server = FeedServer::start().await;
    one_event(&server);
    server.set_mode(Mode::InvalidUtf8);
    let dir = tempfile::tempdir().unwrap();
    let source = reader(dir.path(), &server.url("/feed.ics"), "");
    let fetched = source.fetch(window(), None).await.unwrap();
    let mut loaded = openslot::sync::Loaded::default();
    loaded.apply(fetched, window(), now());
    let objects = seed()
        .into_iter()
        .take(1)
        .map(|(n, t)| (n.to_owned(), t))
        .collect();
    assert_eq!(conformance::busy_of(&loaded), expected_busy(&objects));
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap()
}

fn hub(dir: &std::path::Path, url: &str, extra: &str) -> Arc<SyncHub> {
    Arc::new(SyncHub::new(&config(dir, &feed_source(url, extra))))
}

/// A 50 MB answer, a login page, a 500, a slow server, a dead server: each time the last good
/// copy keeps being served while it is fresh, the status says what is wrong in plain words, and
/// once the copy is too old the source fails closed (or open, when the owner chose so).
#[tokio::test]
async fn faults_keep_the_last_good_snapshot_and_follow_the_freshness_policy() {
    let server = FeedServer::start().await;
    for (name, text) in seed() {
        server.put(name, &text);
    }
    let objects = seed().into_iter().map(|(n, t)| (n.to_owned(), t)).collect();
    let good = expected_busy(&objects);
    let dir = tempfile::tempdir().unwrap();
    let hub = hub(
        dir.path(),
        &server.url("/feed.ics"),
        "max_age_minutes = 60\ntimeout_seconds = 2",
    );
    let statuses = hub.refresh_all(now(), Duration::from_secs(5)).await;
    assert!(statuses[0].healthy(), "{:?}", statuses[0]);
    let busy_at = |t| hub.busy(window(), t).0.remove(0).intervals;
    assert_eq!(busy_at(now()), good);

    let faults = [
        (Mode::Huge(50 * 1024 * 1024), "larger than the limit"),
        (Mode::LoginPage, "web page"),
        (Mode::Status(500), "answered 500"),
        (Mode::Slow(Duration::from_secs(4)), "did not answer"),
    ];
    for (i, (mode, words)) in faults.into_iter().enumerate() {
        server.set_mode(mode.clone());
        let later = now() + chrono::Duration::minutes(10 + i as i64);
        let statuses = hub.refresh_all(later, Duration::from_secs(10)).await;
        let s = &statuses[0];
        assert!(!s.healthy(), "{mode:?}: {s:?}");
        assert!(
            s.last_error.as_deref().unwrap_or("").contains(words),
            "{mode:?}: {s:?}"
        );
        assert_eq!(s.freshness, Freshness::Fresh, "the copy is still young");
        assert!(s.event_count > 0, "the copy is kept: {s:?}");
        assert_eq!(
            busy_at(later),
            good,
            "{mode:?}: the last good copy is served"
        );
        assert!(hub.blocking_sources(later).is_empty());
    }

    // Past the limit: fail closed. The whole window is busy and bookings are refused.
    let late = now() + chrono::Duration::minutes(61);
    assert_eq!(busy_at(late), vec![window()]);
    let blocking = hub.blocking_sources(late);
    assert_eq!(blocking.len(), 1);
    assert!(
        blocking[0].summary().contains("OUT OF DATE"),
        "{blocking:?}"
    );

    // The same, failing open: the last copy is used.
    let open = self::hub(
        dir.path(),
        &server.url("/feed.ics"),
        "max_age_minutes = 60\nfail_open = true",
    );
    assert_eq!(open.busy(window(), late).0[0].intervals, good);
    assert!(open.blocking_sources(late).is_empty());
}

#[tokio::test]
async fn a_restart_serves_the_saved_snapshot_at_once_even_with_the_server_down() {
    let server = FeedServer::start().await;
    for (name, text) in seed() {
        server.put(name, &text);
    }
    let objects = seed().into_iter().map(|(n, t)| (n.to_owned(), t)).collect();
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/feed.ics");
    hub(dir.path(), &url, "")
        .refresh_all(now(), Duration::from_secs(5))
        .await;
    // "Restart" with the server gone: a fresh hub over the same data directory.
    let dead = format!("http://127.0.0.1:{}/feed.ics", free_port());
    let restarted = hub(dir.path(), &dead, "");
    let statuses = restarted.statuses(now() + chrono::Duration::minutes(1));
    assert_eq!(statuses[0].freshness, Freshness::Fresh, "{statuses:?}");
    assert_eq!(
        restarted.busy(window(), now()).0[0].intervals,
        expected_busy(&objects)
    );
    let after = restarted
        .refresh_all(now() + chrono::Duration::minutes(2), Duration::from_secs(5))
        .await;
    let e = after[0].last_error.clone().unwrap_or_default();
    assert!(e.starts_with("cannot reach 127.0.0.1"), "{e}");
    assert_eq!(
        restarted.busy(window(), now()).0[0].intervals,
        expected_busy(&objects),
        "still served"
    );
}

#[tokio::test]
async fn a_source_never_synced_fails_closed_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let dead = format!("http://127.0.0.1:{}/feed.ics", free_port());
    let hub = hub(dir.path(), &dead, "");
    let statuses = hub.refresh_all(now(), Duration::from_secs(5)).await;
    assert_eq!(statuses[0].freshness, Freshness::Never);
    assert!(
        statuses[0]
            .summary()
            .starts_with("NEVER SYNCED: cannot reach"),
        "{statuses:?}"
    );
    let (busy, warnings) = hub.busy(window(), now());
    assert_eq!(busy[0].intervals, vec![window()]);
    assert!(
        warnings.iter().any(|w| w.message.contains("fail closed")),
        "{warnings:?}"
    );
    assert_eq!(hub.blocking_sources(now()).len(), 1);
}

#[tokio::test]
async fn a_damaged_snapshot_file_is_reported_and_never_read_as_free() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data/snapshots")).unwrap();
    std::fs::write(dir.path().join("data/snapshots/feed.json"), "{ not json").unwrap();
    let dead = format!("http://127.0.0.1:{}/feed.ics", free_port());
    let hub = hub(dir.path(), &dead, "");
    let s = &hub.statuses(now())[0];
    assert!(
        s.last_error.as_deref().unwrap_or("").contains("damaged"),
        "{s:?}"
    );
    assert_eq!(hub.busy(window(), now()).0[0].intervals, vec![window()]);
}

use openslot_testkit::free_port;

#[tokio::test]
async fn syncs_stay_incremental_until_the_window_must_move() {
    let server = FeedServer::start().await;
    one_event(&server);
    let dir = tempfile::tempdir().unwrap();
    let hub = hub(dir.path(), &server.url("/feed.ics"), "");
    let budget = Duration::from_secs(5);
    hub.refresh_all(now(), budget).await;
    hub.refresh_all(now() + chrono::Duration::days(1), budget)
        .await;
    // Eight days on, the fetched window no longer reaches past the horizon: a full fetch.
    hub.refresh_all(now() + chrono::Duration::days(8), budget)
        .await;
    let conditional: Vec<bool> = server
        .seen()
        .iter()
        .map(|s| s.if_none_match.is_some())
        .collect();
    assert_eq!(conditional, [false, true, false]);
}

#[tokio::test]
async fn an_unchanged_answer_keeps_the_source_fresh_across_a_restart() {
    let server = FeedServer::start().await;
    one_event(&server);
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/feed.ics");
    let budget = Duration::from_secs(5);
    hub(dir.path(), &url, "max_age_minutes = 60")
        .refresh_all(now(), budget)
        .await;
    let later = now() + chrono::Duration::minutes(50);
    let s = hub(dir.path(), &url, "max_age_minutes = 60")
        .refresh_all(later, budget)
        .await;
    assert_eq!(s[0].last_success, Some(later), "a 304 is a success");
    let restarted = hub(dir.path(), &url, "max_age_minutes = 60");
    let at = now() + chrono::Duration::minutes(100);
    assert_eq!(restarted.statuses(at)[0].freshness, Freshness::Fresh);
}

#[tokio::test]
async fn the_background_job_syncs_an_old_snapshot_at_once_and_stops_on_shutdown() {
    let server = FeedServer::start().await;
    one_event(&server);
    let dir = tempfile::tempdir().unwrap();
    let hub = hub(dir.path(), &server.url("/feed.ics"), "");
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let jobs = hub.spawn_background(openslot::clock::now, shutdown);
    let mut synced = false;
    for _ in 0..100 {
        if hub.statuses(openslot::clock::now())[0]
            .last_success
            .is_some()
        {
            synced = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(synced, "the job ran: {:?}", hub.statuses(now()));
    stop.send(true).unwrap();
    for job in jobs {
        tokio::time::timeout(Duration::from_secs(5), job)
            .await
            .expect("the job ends on shutdown")
            .unwrap();
    }
    assert_eq!(
        server.seen().len(),
        1,
        "one sync, then waiting for the interval"
    );
}

#[tokio::test]
async fn the_on_demand_refresh_waits_only_its_budget_and_the_sync_goes_on() {
    let server = FeedServer::start().await;
    one_event(&server);
    server.set_mode(Mode::Slow(Duration::from_secs(2)));
    let dir = tempfile::tempdir().unwrap();
    let hub = hub(dir.path(), &server.url("/feed.ics"), "");
    let statuses = hub.refresh_all(now(), Duration::from_millis(100)).await;
    assert_eq!(
        statuses[0].freshness,
        Freshness::Never,
        "decided before the answer"
    );
    // The sync was not abandoned: it lands in the background.
    let mut landed = false;
    for _ in 0..100 {
        if hub.statuses(now())[0].last_success.is_some() {
            landed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(landed, "{:?}", hub.statuses(now()));
}

#[tokio::test]
async fn the_per_source_busy_policy_applies_to_synced_sources() {
    let server = FeedServer::start().await;
    for (name, text) in seed() {
        server.put(name, &text);
    }
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/feed.ics");
    let busy = |extra: &'static str| {
        let hub = hub(dir.path(), &url, extra);
        async move {
            hub.refresh_all(now(), Duration::from_secs(5)).await;
            hub.busy(window(), now()).0.remove(0).intervals
        }
    };
    let hour = |d, h| Interval {
        start: Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 12, d, h + 1, 0, 0).unwrap(),
    };
    let default = busy("").await;
    assert!(
        default.contains(&hour(9, 9)),
        "tentative is busy by default"
    );
    assert!(
        !default.contains(&hour(10, 9)),
        "free-marked is free by default"
    );
    let strict =
        busy("tentative_busy = false\ntransparent_busy = true\nall_day_busy = false").await;
    assert!(!strict.contains(&hour(9, 9)));
    assert!(strict.contains(&hour(10, 9)));
    assert!(
        !strict
            .iter()
            .any(|i| i.start.format("%m-%d").to_string() == "12-03"),
        "all-day is free: {strict:?}"
    );
}
