//! `confirm = "owner"` (issue 16) over a real SMTP server (aiosmtpd) and a webhook receiver:
//! a request sends the visitor one mail ("request sent") and the owner one ("approve or
//! decline"), even with `owner_copy = false`, and nothing else until the owner decides;
//! approve sends the usual confirmation with its invitation, decline tells the visitor the
//! reason, a request the visitor withdraws tells the owner (and only the owner), and a
//! request nobody decided expires, frees its time and tells the visitor.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use super::app::{TestApp, spawn_app, spawn_on};
use super::smtp_server::{Mail, SmtpServer};
use super::webhooks::{HUNTER2, Receiver, admin, login};
use super::{free_port, wait_for};

const TUE_9: &str = "2026-12-01T09:00:00+01:00";

fn config(smtp_port: u16, hook_url: &str, hours: u32) -> String {
    format!(
        "[admin]\npassword_hash = '{HUNTER2}'\n\
         [mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {smtp_port}\ntls = \"none\"\n\
         from = \"OpenSlot <book@example.org>\"\nowner_copy = false\n\
         [[webhooks]]\nid = \"crm\"\nurl = \"{hook_url}\"\nsecret = \"whsec-asked\"\n\
         events = [\"booking.requested\", \"booking.declined\", \"booking.created\", \"booking.withdrawn\"]\n\
         [[event_types]]\nslug = \"asked\"\ntitle = \"Asked call\"\nduration_minutes = 30\n\
         confirm = \"owner\"\nconfirm_owner_hours = {hours}\n"
    )
}

async fn mails(server: &SmtpServer, n: usize) -> Vec<Mail> {
    wait_for(30, &format!("{n} mails"), || async {
        let m = server.mails();
        (m.len() >= n).then_some(m)
    })
    .await
}

async fn hook_event(hook: &Receiver, event: &str) -> String {
    wait_for(30, event, || async {
        hook.got()
            .into_iter()
            .find(|r| r.event == event)
            .map(|r| r.body)
    })
    .await
}

fn subject(m: &Mail) -> String {
    m.header("Subject").unwrap_or_default()
}

async fn tuesday_has_9(app: &TestApp) -> bool {
    let (status, v) = app
        .get("/api/v1/slots?event_type=asked&from=2026-12-01&to=2026-12-01&tz=Europe/Berlin")
        .await;
    assert_eq!(status, 200, "{v}");
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["start"].as_str().unwrap().contains("T09:00"))
}

#[tokio::test]
async fn a_request_mails_each_side_once_and_approval_sends_the_confirmation() {
    let smtp = SmtpServer::start(free_port()).await;
    let hook = Receiver::start(&[]).await;
    let app = spawn_app(&config(smtp.port, &hook.url, 48)).await;
    let (status, b) = app.book("asked", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_owned();

    let sent = mails(&smtp, 2).await;
    let body = hook_event(&hook, "booking.requested").await;
    assert!(body.contains(&id), "{body}");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let sent_now = smtp.mails();
    assert_eq!(sent_now.len(), 2, "{sent:?}");
    let visitor: Vec<&Mail> = sent_now
        .iter()
        .filter(|m| m.rcpt_tos() == ["eve@example.com"])
        .collect();
    let owner: Vec<&Mail> = sent_now
        .iter()
        .filter(|m| m.rcpt_tos() == ["ada@example.org"])
        .collect();
    assert_eq!((visitor.len(), owner.len()), (1, 1), "{sent_now:?}");
    assert!(
        subject(visitor[0]).starts_with("Request sent"),
        "{}",
        subject(visitor[0])
    );
    assert!(
        subject(owner[0]).starts_with("Booking request"),
        "{}",
        subject(owner[0])
    );
    let owner_text = owner[0].part("text/plain").unwrap();
    assert!(owner_text.contains("Approve or decline"), "{owner_text}");
    assert!(
        !owner_text.contains("token="),
        "no visitor link: {owner_text}"
    );
    assert!(sent_now.iter().all(|m| m.part("text/calendar").is_none()));
    assert_eq!(hook.got().len(), 1, "only booking.requested");

    let owner_token = login(&app).await;
    let path = format!("/admin/api/bookings/{id}/approve");
    let (status, v) = admin(&app, "POST", &path, Some(&owner_token), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "confirmed", "{v}");
    let sent = mails(&smtp, 3).await;
    let confirmation = &sent[2];
    assert_eq!(confirmation.rcpt_tos(), ["eve@example.com"]);
    assert!(
        subject(confirmation).starts_with("Confirmed"),
        "{}",
        subject(confirmation)
    );
    assert!(confirmation.part("text/calendar").is_some());
    hook_event(&hook, "booking.created").await;
}

#[tokio::test]
async fn a_declined_request_tells_the_visitor_the_reason_and_nothing_more() {
    let smtp = SmtpServer::start(free_port()).await;
    let hook = Receiver::start(&[]).await;
    let app = spawn_app(&config(smtp.port, &hook.url, 48)).await;
    let (status, b) = app.book("asked", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_owned();
    mails(&smtp, 2).await;

    let owner = login(&app).await;
    let path = format!("/admin/api/bookings/{id}/decline");
    let reason = json!({ "reason": "Away that week, <b>sorry</b>." });
    let (status, v) = admin(&app, "POST", &path, Some(&owner), Some(reason)).await;
    assert_eq!(status, 200, "{v}");
    let sent = mails(&smtp, 3).await;
    let told = &sent[2];
    assert_eq!(told.rcpt_tos(), ["eve@example.com"]);
    assert!(subject(told).starts_with("Declined"), "{}", subject(told));
    assert!(told.part("text/calendar").is_none());
    let text = told.part("text/plain").unwrap();
    assert!(text.contains("Reason: Away that week"), "{text}");
    let html = told.part("text/html").unwrap();
    assert!(html.contains("&lt;b&gt;sorry"), "escaped: {html}");
    let body = hook_event(&hook, "booking.declined").await;
    assert!(body.contains("\"declined\""), "{body}");
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(smtp.mails().len(), 3);
    assert!(tuesday_has_9(&app).await);
}

#[tokio::test]
async fn a_withdrawn_request_tells_the_owner_only() {
    let smtp = SmtpServer::start(free_port()).await;
    let hook = Receiver::start(&[]).await;
    let app = spawn_app(&config(smtp.port, &hook.url, 48)).await;
    let (status, b) = app.book("asked", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_owned();
    let token = b["manage_token"].as_str().unwrap().to_owned();
    mails(&smtp, 2).await;

    let (status, v) = app
        .delete(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!((status, &v["status"]), (200, &json!("cancelled")), "{v}");
    let sent = mails(&smtp, 3).await;
    let told = &sent[2];
    assert_eq!(told.rcpt_tos(), ["ada@example.org"], "the owner");
    assert!(subject(told).starts_with("Withdrawn"), "{}", subject(told));
    let text = told.part("text/plain").unwrap();
    assert!(text.contains("withdrew the request"), "{text}");
    assert!(!text.contains("token="), "no visitor link: {text}");
    assert!(told.part("text/calendar").is_none());
    let body = hook_event(&hook, "booking.withdrawn").await;
    assert!(
        body.contains(&id) && body.contains("\"cancelled\""),
        "{body}"
    );
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(smtp.mails().len(), 3, "nothing to the visitor");
    assert!(tuesday_has_9(&app).await);
}

/// Minutes `moving_now` has been moved forward.
static MOVED_MINUTES: AtomicI64 = AtomicI64::new(0);

fn moving_now() -> DateTime<Utc> {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let elapsed = START.get_or_init(std::time::Instant::now).elapsed();
    Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap()
        + chrono::Duration::minutes(MOVED_MINUTES.load(Ordering::SeqCst))
        + chrono::Duration::from_std(elapsed).unwrap_or_default()
}

#[tokio::test]
async fn an_undecided_request_expires_frees_its_time_and_tells_the_visitor() {
    let smtp = SmtpServer::start(free_port()).await;
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let extra = format!(
        "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n{}",
        config(smtp.port, &hook.url, 2)
    );
    let app = spawn_on(moving_now, dir, &extra).await;
    let (status, b) = app.book("asked", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_owned();
    mails(&smtp, 2).await;

    MOVED_MINUTES.store(119, Ordering::SeqCst);
    assert!(!tuesday_has_9(&app).await, "held for 2 hours");
    MOVED_MINUTES.store(121, Ordering::SeqCst);
    assert!(tuesday_has_9(&app).await, "free after the deadline");
    let sent = mails(&smtp, 3).await;
    assert_eq!(sent[2].rcpt_tos(), ["eve@example.com"]);
    assert!(
        subject(&sent[2]).starts_with("Not confirmed"),
        "{}",
        subject(&sent[2])
    );
    let owner = login(&app).await;
    let path = format!("/admin/api/bookings/{id}/approve");
    let (status, v) = admin(&app, "POST", &path, Some(&owner), Some(Value::Null)).await;
    assert_eq!(status, 409, "too late to approve: {v}");
}
