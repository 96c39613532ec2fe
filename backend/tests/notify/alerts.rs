//! Alerts about a calendar that keeps failing, over the whole service: an ICS source whose
//! server is down (a port nothing listens on), a clock the test moves past the threshold, the
//! owner's mail through aiosmtpd and a signed `source.failing` to the webhook that lists it;
//! once per run (not on the next checks, not after a restart), then one `source.recovered`
//! when the feed answers again.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::app::{TestApp, spawn_on};
use super::feed_server::FeedServer;
use super::smtp_server::{Mail, SmtpServer};
use super::webhooks::{HUNTER2, Received, Receiver, admin, login, verify};
use super::{deliveries, free_port, wait_for};

const SECRET: &str = "whsec-ops";

/// Minutes the test has moved its clock forward.
static MOVED_MINUTES: AtomicI64 = AtomicI64::new(0);

/// The tests' clock (`fixed_now`) plus `MOVED_MINUTES`.
fn movable_now() -> DateTime<Utc> {
    super::fixed_now() + chrono::Duration::minutes(MOVED_MINUTES.load(Ordering::SeqCst))
}

fn config(smtp_port: u16, hook_url: &str, feed_port: u16) -> String {
    format!(
        "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [admin]\npassword_hash = '{HUNTER2}'\n\
         [mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {smtp_port}\ntls = \"none\"\n\
         from = \"OpenSlot <book@example.org>\"\n\
         [alerts]\ncalendar_failing_minutes = 60\n\
         [[webhooks]]\nid = \"ops\"\nurl = \"{hook_url}\"\nsecret = \"{SECRET}\"\n\
         events = [\"source.failing\", \"source.recovered\"]\n\
         [[webhooks]]\nid = \"crm\"\nurl = \"{hook_url}\"\nsecret = \"other\"\n\
         [[sources]]\nid = \"work\"\nname = \"Work\"\nkind = \"ics\"\n\
         url = \"http://127.0.0.1:{feed_port}/feed.ics\"\n"
    )
}

/// The owner presses "sync now" (the alert check runs after each sync).
async fn sync_now(app: &TestApp) {
    let token = login(app).await;
    let (status, v) = admin(app, "POST", "/admin/api/sources/sync", Some(&token), None).await;
    assert_eq!(status, 200, "{v}");
}

async fn counts_reach(smtp: &SmtpServer, hook: &Receiver, mails: usize, hooks: usize) {
    wait_for(
        30,
        &format!("{mails} mails and {hooks} webhooks"),
        || async { (smtp.mails().len() >= mails && hook.got().len() >= hooks).then_some(()) },
    )
    .await;
}

/// Nothing more arrives or is queued over a few checks.
async fn stays(app: &TestApp, smtp: &SmtpServer, hook: &Receiver, mails: usize, hooks: usize) {
    for _ in 0..2 {
        sync_now(app).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    assert_eq!(smtp.mails().len(), mails, "mails");
    assert_eq!(hook.got().len(), hooks, "webhooks");
    assert_eq!(deliveries(app).await.len(), mails + hooks, "delivery rows");
}

fn signed_body(r: &Received, event: &str) -> Value {
    assert_eq!(r.event, event);
    assert_eq!(r.status, 200);
    assert_eq!(
        verify(SECRET, &r.signature, &r.body, movable_now().timestamp()),
        Ok(())
    );
    serde_json::from_str(&r.body).unwrap()
}

fn text(mail: &Mail) -> String {
    assert_eq!(mail.rcpt_tos(), ["ada@example.org"]);
    mail.part("text/plain").unwrap()
}

#[tokio::test]
async fn a_calendar_failing_past_the_threshold_alerts_once_and_its_recovery_once() {
    let smtp = SmtpServer::start(free_port()).await;
    let hook = Receiver::start(&[]).await;
    let feed_port = free_port();
    let extra = config(smtp.port, &hook.url, feed_port);
    let app = spawn_on(movable_now, tempfile::tempdir().unwrap(), &extra).await;

    // It fails at once (nothing listens); under the threshold nothing is sent.
    let since = wait_for(30, "the first failure", || async {
        app.service.source_statuses(movable_now())[0].failing_since
    })
    .await;
    sync_now(&app).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(deliveries(&app).await.is_empty());

    // An hour and a minute later: one mail to the owner, one signed webhook to `ops`.
    MOVED_MINUTES.store(61, Ordering::SeqCst);
    sync_now(&app).await;
    counts_reach(&smtp, &hook, 1, 1).await;
    let mail = &smtp.mails()[0];
    assert_eq!(
        mail.header("Subject").unwrap(),
        "Calendar \"Work\" (work) is failing"
    );
    let body = text(mail);
    for part in [
        "since Monday, 30 November 2026, 07:00 (Europe/Berlin)",
        "Reason: ",
        "no free times, and bookings are refused",
        "What to do",
    ] {
        assert!(body.contains(part), "{part} in {body}");
    }
    let failing = signed_body(&hook.got()[0], "source.failing");
    assert_eq!(
        failing["source"],
        serde_json::json!({"id": "work", "name": "Work", "kind": "ics"})
    );
    assert_eq!(
        failing["failing_since"],
        since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    assert_eq!(failing["reconnect_needed"], false);
    let reason = failing["reason"].as_str().unwrap();
    assert!(
        body.contains(reason),
        "the mail gives the same reason: {reason}"
    );
    let rows = deliveries(&app).await;
    assert!(rows.iter().all(|r| r.booking_id.is_none()
        && r.source_id.as_deref() == Some("work")
        && r.event == "source.failing"));

    // The next checks, later still: nothing more.
    MOVED_MINUTES.store(90, Ordering::SeqCst);
    stays(&app, &smtp, &hook, 1, 1).await;

    // A restart over the same data: the run was alerted, nothing is repeated.
    let mut app = app;
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let app = spawn_on(movable_now, dir, &extra).await;
    stays(&app, &smtp, &hook, 1, 1).await;

    // The feed answers again: one `source.recovered` each, then quiet.
    let _feed = FeedServer::start_on(feed_port).await;
    sync_now(&app).await;
    counts_reach(&smtp, &hook, 2, 2).await;
    let mail = &smtp.mails()[1];
    assert_eq!(
        mail.header("Subject").unwrap(),
        "Calendar \"Work\" (work) works again"
    );
    assert!(text(mail).contains("failing since Monday, 30 November 2026, 07:00"));
    let recovered = signed_body(&hook.got()[1], "source.recovered");
    assert_eq!(recovered["failing_since"], failing["failing_since"]);
    assert_eq!(recovered["reason"], Value::Null);
    stays(&app, &smtp, &hook, 2, 2).await;
}
