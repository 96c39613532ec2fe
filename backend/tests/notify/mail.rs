//! Booking mail through a real SMTP server (aiosmtpd): invitations our own engine reads back
//! at the booked time, updates and cancellations of the same UID, hostile visitor text kept
//! as data, and an SMTP server that is down delaying mail without losing or repeating any.

use chrono::{DateTime, Duration, Utc};
use openslot::calendar::{Interval, for_each_instance, parse_calendar};
use serde_json::{Value, json};

use super::app::{TestApp, booking, spawn_app};
use super::smtp_server::{Mail, SmtpServer};
use super::{deliveries, free_port, manage_token, wait_for};

const TUE_9: &str = "2026-12-01T09:00:00+01:00";

fn mail_config(port: u16, extra: &str) -> String {
    format!(
        "[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {port}\ntls = \"none\"\n\
         from = \"OpenSlot <book@example.org>\"\n{extra}\n"
    )
}

/// (UID, SEQUENCE, METHOD, start, end) of the single event of a mail's text/calendar part,
/// read with OpenSlot's own engine.
fn invitation(mail: &Mail) -> (String, u32, String, DateTime<Utc>, DateTime<Utc>) {
    let ics = mail.part("text/calendar").expect("a text/calendar part");
    let cal = parse_calendar(&ics, "mail");
    assert_eq!(cal.events.len(), 1, "{ics}");
    let window = Interval {
        start: "2026-11-01T00:00:00Z".parse().unwrap(),
        end: "2027-01-01T00:00:00Z".parse().unwrap(),
    };
    let mut times = Vec::new();
    let mut warnings = Vec::new();
    for_each_instance(&cal, window, chrono_tz::UTC, &mut warnings, |i| {
        times.push((i.start(), i.end()));
    });
    assert_eq!(times.len(), 1, "{ics}");
    let line = |name: &str| {
        ics.split("\r\n")
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {ics}"))
            .to_owned()
    };
    (
        cal.events[0].uid.as_deref().unwrap().to_owned(),
        line("SEQUENCE:").parse().unwrap(),
        line("METHOD:"),
        times[0].0,
        times[0].1,
    )
}

fn to(mail: &Mail) -> String {
    mail.rcpt_tos().join(",")
}

async fn mails_for(server: &SmtpServer, n: usize) -> Vec<Mail> {
    wait_for(30, &format!("{n} mails"), || async {
        let m = server.mails();
        (m.len() >= n).then_some(m)
    })
    .await
}

/// The mails of one event, visitor's first.
fn pair(mails: &[Mail]) -> (Mail, Mail) {
    let visitor = mails
        .iter()
        .find(|m| to(m) == "eve@example.com")
        .unwrap()
        .clone();
    let owner = mails
        .iter()
        .find(|m| to(m) == "ada@example.org")
        .unwrap()
        .clone();
    (visitor, owner)
}

#[tokio::test]
async fn invitation_update_and_cancel_arrive_and_read_back_at_the_booked_time() {
    let smtp = SmtpServer::start(free_port()).await;
    let app = spawn_app(&mail_config(smtp.port, "")).await;
    let (status, b) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let (id, token) = (b["id"].as_str().unwrap().to_owned(), manage_token(&b));

    let mails = mails_for(&smtp, 2).await;
    assert_eq!(mails.len(), 2);
    let (visitor, owner) = pair(&mails);
    let start: DateTime<Utc> = "2026-12-01T08:00:00Z".parse().unwrap();
    for m in [&visitor, &owner] {
        let (uid, seq, method, s, e) = invitation(m);
        assert_eq!(uid, format!("{id}@openslot"));
        assert_eq!((seq, method.as_str()), (0, "REQUEST"));
        assert_eq!((s, e), (start, start + Duration::minutes(30)));
        let ct = m.content_type("text/calendar").unwrap();
        assert!(
            ct.to_ascii_lowercase()
                .replace('"', "")
                .contains("method=request"),
            "{ct}"
        );
        assert_eq!(m.header("From").unwrap(), "OpenSlot <book@example.org>");
        assert!(m.part("text/html").is_some());
    }
    // Each reader's zone; the manage link for the visitor only.
    let vtext = visitor.part("text/plain").unwrap();
    assert!(vtext.contains("03:00–03:30 (America/New_York)"), "{vtext}");
    assert!(
        vtext.contains(&format!("/manage/{id}?token={token}")),
        "{vtext}"
    );
    let otext = owner.part("text/plain").unwrap();
    assert!(otext.contains("09:00–09:30 (Europe/Berlin)"), "{otext}");
    assert!(!otext.contains("token="), "{otext}");
    // Nor in the invitation's event: the owner's copy has no manage link, the visitor's has.
    let unfolded = |m: &Mail| {
        m.part("text/calendar")
            .unwrap()
            .replace("\r\n ", "")
            .replace("\n ", "")
    };
    let ocal = unfolded(&owner);
    assert!(
        !ocal.contains("token=") && !ocal.contains("/manage/"),
        "{ocal}"
    );
    let vcal = unfolded(&visitor);
    assert!(
        vcal.contains(&format!("/manage/{id}?token={token}")),
        "{vcal}"
    );

    // Reschedule: an update of the same UID, one sequence up, at the new time.
    let path = format!("/api/v1/bookings/{id}/reschedule?token={token}");
    let (status, v) = app
        .post(&path, &json!({"start": "2026-12-01T11:00:00+01:00"}))
        .await;
    assert_eq!(status, 200, "{v}");
    let mails = mails_for(&smtp, 4).await;
    let (visitor, owner) = pair(&mails[2..]);
    for m in [&visitor, &owner] {
        let (uid, seq, method, s, _) = invitation(m);
        assert_eq!(uid, format!("{id}@openslot"));
        assert_eq!((seq, method.as_str()), (1, "REQUEST"));
        assert_eq!(s, "2026-12-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap());
    }

    // Cancel: METHOD:CANCEL of the same UID, above every REQUEST.
    let (status, _) = app
        .delete(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!(status, 200);
    let mails = mails_for(&smtp, 6).await;
    let (visitor, owner) = pair(&mails[4..]);
    for m in [&visitor, &owner] {
        let (uid, seq, method, _, _) = invitation(m);
        assert_eq!(uid, format!("{id}@openslot"));
        assert_eq!((seq, method.as_str()), (2, "CANCEL"));
        assert!(
            m.part("text/calendar")
                .unwrap()
                .contains("STATUS:CANCELLED")
        );
    }
    let rows = deliveries(&app).await;
    assert_eq!(rows.len(), 6);
    assert!(
        rows.iter()
            .all(|r| r.state == openslot::store::OutboxState::Done && r.last_status == Some(250)),
        "{rows:?}"
    );
}

#[tokio::test]
async fn hostile_visitor_text_stays_data_in_headers_html_and_ics() {
    let smtp = SmtpServer::start(free_port()).await;
    let app = spawn_app(&mail_config(smtp.port, "owner_copy = false")).await;
    let mut body = booking("intro", TUE_9);
    body["name"] = json!("Eve\" <mallory@evil.example>, Bcc: victim@evil.example <b>x</b>");
    body["notes"] = json!(
        "Hi\r\nBcc: victim@evil.example\r\n\r\n<script>alert(1)</script>\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nDTSTART:20261201T000000Z\r\nDTEND:20261202T000000Z\r\nEND:VEVENT"
    );
    let (status, b) = app.post("/api/v1/bookings", &body).await;
    assert_eq!(status, 201, "{b}");
    // A line break in the name or address is refused at the edge (no header can be added).
    let mut crlf = booking("intro", "2026-12-01T10:00:00+01:00");
    crlf["name"] = json!("Eve\r\nBcc: victim@evil.example");
    let (status, _) = app.post("/api/v1/bookings", &crlf).await;
    assert_eq!(status, 422);
    crlf["name"] = json!("Eve");
    crlf["email"] = json!("eve@example.com\r\nBcc: victim@evil.example");
    let (status, _) = app.post("/api/v1/bookings", &crlf).await;
    assert_eq!(status, 422);

    let mails = mails_for(&smtp, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        smtp.mails().len(),
        1,
        "owner_copy = false: the visitor's only"
    );
    let m = &mails[0];
    assert_eq!(m.rcpt_tos(), ["eve@example.com"], "no recipient was added");
    let names = m.header_names();
    assert!(!names.contains(&"bcc".to_owned()), "{names:?}");
    assert_eq!(names.iter().filter(|n| *n == "to").count(), 1);
    assert!(!m.raw_headers().to_ascii_lowercase().contains("\nbcc:"));
    let to_header = m.header("To").unwrap();
    assert!(to_header.ends_with("<eve@example.com>"), "{to_header}");
    let html = m.part("text/html").unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("<b>x</b>"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    // The ICS holds one event, at the booked time, whatever the notes say.
    let (uid, _, _, s, e) = invitation(m);
    assert_eq!(uid, format!("{}@openslot", b["id"].as_str().unwrap()));
    assert_eq!(s, "2026-12-01T08:00:00Z".parse::<DateTime<Utc>>().unwrap());
    assert_eq!(e - s, Duration::minutes(30));
    let ics = m.part("text/calendar").unwrap();
    let begins = ics.split("\r\n").filter(|l| *l == "BEGIN:VEVENT").count();
    assert_eq!(begins, 1, "{ics}");
}

/// RFC 2047 encoded words (issue 16 row 8): refused in a visitor's name, and a subject that
/// holds one anyway (here the owner's own title) reaches the reader as the text it is, not
/// decoded into a direction override.
#[tokio::test]
async fn encoded_words_never_reach_a_subject_decoded() {
    let smtp = SmtpServer::start(free_port()).await;
    let title = "Call =?utf-8?q?=E2=80=AE?=exe.pdf";
    let app = spawn_app(&format!(
        "{}\n[[event_types]]\nslug = \"odd\"\ntitle = \"{title}\"\nduration_minutes = 30\n",
        mail_config(smtp.port, "owner_copy = false")
    ))
    .await;
    let mut body = booking("odd", TUE_9);
    body["name"] = json!("Ann =?utf-8?q?=E2=80=AEfdp.exe?=");
    let (status, v) = app.post("/api/v1/bookings", &body).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "name", "{v}");
    assert!(smtp.mails().is_empty());

    body["name"] = json!("Ann");
    let (status, v) = app.post("/api/v1/bookings", &body).await;
    assert_eq!(status, 201, "{v}");
    let mails = mails_for(&smtp, 1).await;
    // Python's `email` decodes the header as a mail program does.
    let subject = mails[0].header("Subject").unwrap();
    assert_eq!(subject, format!("Confirmed: {title} with Ada Owner"));
    assert!(!subject.contains('\u{202E}'), "{subject:?}");
    let raw = mails[0].raw_headers();
    assert!(!raw.contains("=?utf-8?q?=E2=80=AE?="), "sent as is: {raw}");
}

#[tokio::test]
async fn smtp_down_delays_mail_then_every_mail_arrives_exactly_once() {
    let port = free_port();
    let app = spawn_app(&mail_config(port, "")).await;
    // Nothing listens: the bookings are made all the same.
    let (s1, b1) = app.book("intro", TUE_9).await;
    let (s2, b2) = app.book("consult", "2026-12-02T14:00:00+01:00").await;
    assert_eq!((s1, s2), (201, 201), "{b1} {b2}");
    // The worker tried and failed, and keeps every row pending.
    wait_for(30, "failed attempts", || {
        let app: &TestApp = &app;
        async move {
            let rows = deliveries(app).await;
            (rows.len() == 4
                && rows
                    .iter()
                    .all(|r| r.attempts >= 1 && r.state == openslot::store::OutboxState::Pending))
            .then_some(())
        }
    })
    .await;
    let rows = deliveries(&app).await;
    assert!(rows.iter().all(|r| r.last_error.is_some()), "{rows:?}");

    let smtp = SmtpServer::start(port).await;
    let mails = wait_for(60, "4 mails after the server came up", || async {
        let m = smtp.mails();
        (m.len() >= 4).then_some(m)
    })
    .await;
    // Give a duplicate the time to show up, then count.
    wait_for(30, "every row done", || {
        let app: &TestApp = &app;
        async move {
            let rows = deliveries(app).await;
            rows.iter()
                .all(|r| r.state == openslot::store::OutboxState::Done)
                .then_some(())
        }
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let mails_now = smtp.mails();
    assert_eq!(mails_now.len(), 4, "exactly once each");
    let mut seen: Vec<(String, String)> = mails.iter().map(|m| (to(m), invitation(m).0)).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 4, "{seen:?}");
    for b in [&b1, &b2] {
        let uid = format!("{}@openslot", b["id"].as_str().unwrap());
        for who in ["eve@example.com", "ada@example.org"] {
            assert!(seen.contains(&(who.to_owned(), uid.clone())), "{who} {uid}");
        }
    }
}

#[tokio::test]
async fn reminders_are_queued_before_the_start_and_follow_a_reschedule() {
    let smtp = SmtpServer::start(free_port()).await;
    let app = spawn_app(&mail_config(
        smtp.port,
        "reminder_hours = [24, 1]\nowner_copy = false",
    ))
    .await;
    let (status, b) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let reminders =
        |rows: &[openslot::store::deliveries::DeliveryRow]| -> Vec<(DateTime<Utc>, String)> {
            rows.iter()
                .filter(|r| r.event == "booking.reminder")
                .map(|r| (r.next_attempt_at, r.state.as_str().to_owned()))
                .collect()
        };
    let rows = deliveries(&app).await;
    let start: DateTime<Utc> = "2026-12-01T08:00:00Z".parse().unwrap();
    assert_eq!(
        reminders(&rows),
        [
            (start - Duration::hours(1), "pending".to_owned()),
            (start - Duration::hours(24), "pending".to_owned()),
        ]
    );
    let reminder: Value = serde_json::from_str(&rows[1].payload).unwrap();
    assert_eq!(reminder["sequence"], 0);
    // The invitation went out; the reminders wait for their time.
    mails_for(&smtp, 1).await;
    let (id, token) = (b["id"].as_str().unwrap(), manage_token(&b));
    let (status, _) = app
        .post(
            &format!("/api/v1/bookings/{id}/reschedule?token={token}"),
            &json!({"start": "2026-12-02T09:00:00+01:00"}),
        )
        .await;
    assert_eq!(status, 200);
    let rows = deliveries(&app).await;
    let new_start = start + Duration::days(1);
    let pending = reminders(&rows);
    assert_eq!(pending.len(), 4, "{pending:?}");
    assert!(pending.contains(&(new_start - Duration::hours(24), "pending".to_owned())));
    // The old ones carry the old sequence: the worker skips them when they come due.
    let old: Vec<u64> = rows
        .iter()
        .filter(|r| r.event == "booking.reminder")
        .map(|r| {
            serde_json::from_str::<Value>(&r.payload).unwrap()["sequence"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(old, [0, 0, 1, 1]);
}

/// STARTTLS and implicit TLS against aiosmtpd with a certificate from a private CA, trusted
/// through `mail.tls_ca_file`; without that CA the server is not trusted and nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_over_starttls_and_implicit_tls_trusting_the_owners_ca() {
    let certs = tempfile::tempdir().unwrap();
    super::nginx_front::make_certificates(certs.path());
    let (chain, key, ca) = (
        certs.path().join("fullchain.pem"),
        certs.path().join("privkey.pem"),
        certs.path().join("ca.pem"),
    );
    let config = |port: u16, mode: &str, ca_line: &str| {
        format!(
            "[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {port}\ntls = \"{mode}\"\n\
             from = \"OpenSlot <book@example.org>\"\n{ca_line}\n"
        )
    };
    // The check below tells TLS from plain: a plain session says so.
    let plain = SmtpServer::start(free_port()).await;
    let app = spawn_app(&mail_config(plain.port, "")).await;
    assert_eq!(app.book("intro", TUE_9).await.0, 201);
    assert!(!mails_for(&plain, 2).await.iter().any(Mail::over_tls));

    for mode in ["starttls", "tls"] {
        let port = free_port();
        let smtp = SmtpServer::start_tls(port, mode, &chain, &key).await;
        let ca_line = format!("tls_ca_file = \"{}\"", ca.display());
        let app = spawn_app(&config(port, mode, &ca_line)).await;
        let (status, b) = app.book("intro", TUE_9).await;
        assert_eq!(status, 201, "{b}");
        let mails = mails_for(&smtp, 2).await;
        assert!(
            mails.iter().all(Mail::over_tls),
            "{mode}: every mail over TLS"
        );
        let (visitor, _) = pair(&mails);
        assert_eq!(invitation(&visitor).2, "REQUEST");
    }

    // The same server without its CA: refused by certificate, retried, never sent in clear.
    let port = free_port();
    let smtp = SmtpServer::start_tls(port, "starttls", &chain, &key).await;
    let app = spawn_app(&config(port, "starttls", "")).await;
    assert_eq!(app.book("intro", TUE_9).await.0, 201);
    let failed = wait_for(30, "a failed attempt", || async {
        deliveries(&app)
            .await
            .into_iter()
            .find_map(|d| d.last_error.filter(|_| d.attempts > 0))
    })
    .await;
    assert!(failed.to_lowercase().contains("certificate"), "{failed}");
    assert!(smtp.mails().is_empty());
}

/// The name shown to visitors, edited in the dashboard (issue 18 item 10), names the owner in
/// the next mail and its invitation at once, without a restart.
#[tokio::test]
async fn the_display_name_edited_in_the_dashboard_names_the_owner_in_mail() {
    use openslot_testkit::admin::{admin, login, password_section};
    let smtp = SmtpServer::start(free_port()).await;
    let app = spawn_app(&format!(
        "{}{}",
        mail_config(smtp.port, "owner_copy = false"),
        password_section()
    ))
    .await;
    let owner = login(&app).await;
    let body = json!({"display_name": "Dr. Ada Owner"});
    let (status, v) = admin(&app, "PUT", "/admin/api/page", Some(&owner), Some(body)).await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{v}");
    let mails = mails_for(&smtp, 1).await;
    let subject = mails[0].header("Subject").unwrap();
    assert_eq!(subject, "Confirmed: Intro call with Dr. Ada Owner");
    let ics = mails[0].part("text/calendar").unwrap();
    assert!(
        ics.replace("\r\n ", "")
            .contains("ORGANIZER;CN=\"Dr. Ada Owner\""),
        "{ics}"
    );
}
