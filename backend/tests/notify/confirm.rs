//! `confirm = "email"` (issue 16, mail abuse): a booking sends exactly one mail, the link that
//! confirms it, and nothing else (no invitation, no webhook) until the visitor follows it; the
//! slot is held meanwhile and free again when the hold runs out (a clock the test moves).

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use super::app::{TestApp, spawn_app, spawn_on};
use super::smtp_server::{Mail, SmtpServer};
use super::webhooks::{HUNTER2, Receiver, admin, login};
use super::{deliveries, free_port, wait_for};

const TUE_9: &str = "2026-12-01T09:00:00+01:00";

/// An event type whose bookings wait for the visitor's mail confirmation, 30 minutes held.
fn config(smtp_port: u16, hook_url: &str) -> String {
    format!(
        "[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {smtp_port}\ntls = \"none\"\n\
         from = \"OpenSlot <book@example.org>\"\n\
         [[webhooks]]\nid = \"crm\"\nurl = \"{hook_url}\"\nsecret = \"whsec-confirm\"\n\
         [[event_types]]\nslug = \"checked\"\ntitle = \"Checked call\"\nduration_minutes = 30\n\
         confirm = \"email\"\nconfirm_hold_minutes = 30\n"
    )
}

async fn mails(server: &SmtpServer, n: usize) -> Vec<Mail> {
    wait_for(30, &format!("{n} mails"), || async {
        let m = server.mails();
        (m.len() >= n).then_some(m)
    })
    .await
}

/// The confirmation link's path and query, from the one mail.
fn link(mail: &Mail) -> String {
    let text = mail.part("text/plain").expect("a text part");
    let url = text
        .lines()
        .find_map(|l| l.strip_prefix("To confirm the booking: "))
        .unwrap_or_else(|| panic!("no confirmation link in {text}"));
    url.strip_prefix("https://book.example.org")
        .unwrap()
        .to_owned()
}

fn slot_starts(v: &Value) -> Vec<String> {
    v["slots"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|s| s["start"].as_str().unwrap()[11..16].to_owned())
        .collect()
}

async fn tuesday(app: &TestApp) -> Vec<String> {
    let (status, v) = app
        .get("/api/v1/slots?event_type=checked&from=2026-12-01&to=2026-12-01&tz=Europe/Berlin")
        .await;
    assert_eq!(status, 200, "{v}");
    slot_starts(&v)
}

#[tokio::test]
async fn one_mail_until_the_visitor_confirms_then_the_usual_notices() {
    let smtp = SmtpServer::start(free_port()).await;
    let hook = Receiver::start(&[]).await;
    let app = spawn_app(&config(smtp.port, &hook.url)).await;

    let (status, b) = app.book("checked", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    assert_eq!(b["status"], "pending", "{b}");
    assert!(b["hold_until"].as_str().is_some(), "{b}");
    assert!(b["message"].as_str().unwrap().contains("mail"), "{b}");
    let id = b["id"].as_str().unwrap().to_owned();

    // The held slot is taken: not offered, and a second booking of it is refused.
    assert!(!tuesday(&app).await.contains(&"09:00".to_owned()));
    let (status, v) = app.book("checked", TUE_9).await;
    assert_eq!(status, 409, "{v}");
    let (status, v) = app.book("intro", TUE_9).await;
    assert_eq!(status, 409, "{v}");

    // Exactly one mail, to the visitor, with the link and no invitation; no webhook.
    let sent = mails(&smtp, 1).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let sent_now = smtp.mails();
    assert_eq!(sent_now.len(), 1, "{sent:?}");
    let mail = &sent_now[0];
    assert_eq!(mail.rcpt_tos(), ["eve@example.com"]);
    assert!(mail.part("text/calendar").is_none());
    assert!(
        mail.header("Subject")
            .unwrap()
            .starts_with("Please confirm")
    );
    assert!(hook.got().is_empty(), "{:?}", hook.got());
    let rows = deliveries(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].event, "booking.confirm_request");

    // The manage token does not confirm; a wrong token is an unknown booking.
    let manage = b["manage_token"].as_str().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/bookings/{id}/confirm?token={manage}"),
            &Value::Null,
        )
        .await;
    assert_eq!(status, 404);

    // The link confirms: then the invitation (visitor and owner) and the webhook follow.
    let path = link(mail);
    assert!(path.starts_with(&format!("/confirm/{id}?token=")), "{path}");
    let token = path.split("token=").nth(1).unwrap();
    let confirm = format!("/api/v1/bookings/{id}/confirm?token={token}");
    let (status, v) = app.post(&confirm, &Value::Null).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "confirmed", "{v}");
    assert!(v.get("hold_until").is_none(), "{v}");
    let (status, v) = app.post(&confirm, &Value::Null).await;
    assert_eq!((status, &v["status"]), (200, &"confirmed".into()), "{v}");

    let sent = mails(&smtp, 3).await;
    assert!(sent[1..].iter().all(|m| m.part("text/calendar").is_some()));
    wait_for(30, "the booking.created webhook", || async {
        hook.got()
            .iter()
            .any(|r| r.event == "booking.created")
            .then_some(())
    })
    .await;
    assert!(!tuesday(&app).await.contains(&"09:00".to_owned()));
}

/// Minutes `expiring_now` has been moved forward.
static MOVED_MINUTES: AtomicI64 = AtomicI64::new(0);

fn expiring_now() -> DateTime<Utc> {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let elapsed = START.get_or_init(std::time::Instant::now).elapsed();
    Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap()
        + chrono::Duration::minutes(MOVED_MINUTES.load(Ordering::SeqCst))
        + chrono::Duration::from_std(elapsed).unwrap_or_default()
}

#[tokio::test]
async fn an_unconfirmed_hold_expires_and_frees_the_slot() {
    let smtp = SmtpServer::start(free_port()).await;
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let security = format!(
        "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [admin]\npassword_hash = '{HUNTER2}'\n"
    );
    let extra = format!("{security}{}", config(smtp.port, &hook.url));
    let app = spawn_on(expiring_now, dir, &extra).await;

    let (status, b) = app.book("checked", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_owned();
    let sent = mails(&smtp, 1).await;
    assert!(!tuesday(&app).await.contains(&"09:00".to_owned()));

    // 29 minutes on: still held.
    MOVED_MINUTES.store(29, Ordering::SeqCst);
    assert!(!tuesday(&app).await.contains(&"09:00".to_owned()));
    let (status, _) = app.book("checked", TUE_9).await;
    assert_eq!(status, 409);

    // Past the hold: offered again, the link no longer confirms, and the time can be booked.
    MOVED_MINUTES.store(31, Ordering::SeqCst);
    assert!(tuesday(&app).await.contains(&"09:00".to_owned()));
    let confirm = format!("/api/v1/bookings/{id}/confirm?{}", {
        let path = link(&sent[0]);
        path.split_once('?').unwrap().1.to_owned()
    });
    let (status, v) = app.post(&confirm, &Value::Null).await;
    assert_eq!(status, 410, "{v}");
    assert_eq!(v["error"], "hold_ended", "{v}");
    let (status, v) = app
        .get(&format!(
            "/api/v1/bookings/{id}?token={}",
            b["manage_token"].as_str().unwrap()
        ))
        .await;
    assert_eq!((status, &v["status"]), (200, &"expired".into()), "{v}");
    // The owner sees it as expired (the dashboard's list can pick each state).
    let owner = login(&app).await;
    for (status, n) in [("expired", 1), ("pending", 0), ("confirmed", 0)] {
        let path = format!("/admin/api/bookings?status={status}");
        let (code, v) = admin(&app, "GET", &path, Some(&owner), None).await;
        assert_eq!(code, 200, "{v}");
        let list = v.as_array().unwrap_or_else(|| panic!("{v}"));
        assert_eq!(list.len(), n, "{status}: {v}");
    }
    let (status, v) = app.book("checked", TUE_9).await;
    assert_eq!(status, 201, "{v}");
    // Nothing but the two confirmation mails was ever sent; no webhook.
    mails(&smtp, 2).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(smtp.mails().len(), 2);
    assert!(hook.got().is_empty());
}

/// The `[mail]` limits: the 6th mail to one address in a day is not sent (the booking stands,
/// the delivery log says why), and no more than `max_per_day` mails go to visitors at all.
#[tokio::test]
async fn mails_to_visitors_stop_at_the_daily_limits() {
    let smtp = SmtpServer::start(free_port()).await;
    let extra = format!(
        "[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\ntls = \"none\"\n\
         from = \"OpenSlot <book@example.org>\"\nowner_copy = false\nmax_per_day = 7\n",
        smtp.port
    );
    let app = spawn_app(&extra).await;
    let book = |hour: u32, email: &str| {
        let (day, hour) = (1 + hour / 24, hour % 24);
        let start = format!("2026-12-{day:02}T{hour:02}:00:00+01:00");
        let mut body = super::app::booking("intro", &start);
        body["email"] = email.into();
        body
    };
    for hour in 9..15 {
        let (status, v) = app
            .post("/api/v1/bookings", &book(hour, "Eve@Example.com"))
            .await;
        assert_eq!(status, 201, "{v}");
    }
    let settled = |n: usize| {
        let app = &app;
        async move {
            wait_for(30, &format!("{n} settled deliveries"), || async {
                let rows = deliveries(app).await;
                let done = rows
                    .iter()
                    .filter(|r| r.state != openslot::store::OutboxState::Pending)
                    .count();
                (done >= n).then_some(rows)
            })
            .await
        }
    };
    let rows = settled(6).await;
    assert_eq!(smtp.mails().len(), 5);
    let skipped: Vec<_> = rows
        .iter()
        .filter(|r| r.state == openslot::store::OutboxState::Skipped)
        .collect();
    assert_eq!(skipped.len(), 1, "{rows:?}");
    let why = skipped[0].last_error.as_deref().unwrap();
    assert!(why.contains("max_per_address_per_day"), "{why}");
    assert!(!why.contains("example.com"), "no address in the log: {why}");

    for hour in 15..17 {
        let (status, v) = app
            .post("/api/v1/bookings", &book(hour, "bob@example.net"))
            .await;
        assert_eq!(status, 201, "{v}");
    }
    let (status, v) = app
        .post("/api/v1/bookings", &book(24 + 9, "bob@example.net"))
        .await;
    assert_eq!(status, 201, "{v}");
    let rows = settled(9).await;
    assert_eq!(smtp.mails().len(), 7);
    let last = rows.last().unwrap();
    assert_eq!(
        last.state,
        openslot::store::OutboxState::Skipped,
        "{rows:?}"
    );
    assert!(
        last.last_error.as_deref().unwrap().contains("max_per_day"),
        "{last:?}"
    );
}
