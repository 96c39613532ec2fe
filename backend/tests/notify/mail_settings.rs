//! The SMTP settings edited in the dashboard (`PUT`/`DELETE /admin/api/mail`) while the file
//! has no `[mail]`: checked by the file's reader (422 naming the field), refused when the file
//! sets `[mail]` (409), the password sealed and never shown, and in effect at once: the test
//! mail and a visitor's booking mail reach a real aiosmtpd without a restart; kept across one.

use openslot_testkit::admin::{admin, login, password_section};
use serde_json::{Value, json};

use super::app::spawn_app;
use super::free_port;
use super::smtp_server::SmtpServer;
use super::wait_for;

const SECRET: &str = "sm7p-s3cret-pa55";

fn settings(port: u16) -> Value {
    json!({
        "smtp_host": "127.0.0.1", "smtp_port": port, "tls": "none",
        "from": "OpenSlot <book@example.org>", "reminder_hours": [24],
    })
}

fn with(mut v: Value, extra: Value) -> Value {
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

/// The database's files (WAL included) hold `needle` somewhere.
fn database_holds(dir: &std::path::Path, needle: &str) -> bool {
    ["openslot.db", "openslot.db-wal"].iter().any(|f| {
        std::fs::read(dir.join("data").join(f))
            .unwrap_or_default()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    })
}

#[tokio::test]
async fn the_files_mail_section_wins_and_is_read_only() {
    let app = spawn_app(&format!(
        "{}[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = 2525\ntls = \"none\"\n\
         from = \"book@example.org\"\n",
        password_section()
    ))
    .await;
    let owner = login(&app).await;
    let (status, v) = admin(&app, "GET", "/admin/api/mail", Some(&owner), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (&v["from_file"], &v["configured"]),
        (&json!(true), &json!(true)),
        "{v}"
    );
    let body = settings(2626);
    let (status, v) = admin(&app, "PUT", "/admin/api/mail", Some(&owner), Some(body)).await;
    assert_eq!((status, &v["error"]), (409, &json!("file_source")), "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("configuration file"),
        "{v}"
    );
    let (status, v) = admin(&app, "DELETE", "/admin/api/mail", Some(&owner), None).await;
    assert_eq!(status, 409, "{v}");
    let (_, v) = admin(&app, "GET", "/admin/api/mail", Some(&owner), None).await;
    assert_eq!(v["smtp_port"], 2525, "unchanged: {v}");
    let (status, _) = admin(&app, "PUT", "/admin/api/mail", None, Some(settings(1))).await;
    assert_eq!(status, 401, "owner only");
}

#[tokio::test]
async fn bad_values_are_refused_naming_the_field() {
    let app = spawn_app(&password_section()).await;
    let owner = login(&app).await;
    let cases = [
        (
            json!({"smtp_port": 70000}),
            "smtp_port",
            "between 1 and 65535",
        ),
        (json!({"smtp_port": "25"}), "smtp_port", ""),
        (
            json!({"smtp_host": "smtp://mail.example.org"}),
            "smtp_host",
            "not a host name",
        ),
        (json!({"smtp_host": ""}), "smtp_host", "must not be empty"),
        (json!({"from": "nobody"}), "from", "not a sender"),
        (json!({"tls": "ssl"}), "tls", "not a mode"),
        (json!({"smtp_host": "smtp.example.org"}), "tls", "loopback"),
        (
            json!({"username": "ada"}),
            "password",
            "required with `username`",
        ),
        (
            json!({"reminder_hours": [0]}),
            "reminder_hours[0]",
            "between 1 and 720",
        ),
        (json!({"max_per_day": 0}), "max_per_day", ""),
        (
            json!({"tls_ca_file": "/etc/ssl/ca.pem"}),
            "tls_ca_file",
            "cannot be set from the dashboard",
        ),
        (
            json!({"password_file": "/etc/shadow"}),
            "password_file",
            "cannot be set",
        ),
    ];
    for (change, field, why) in cases {
        let body = with(settings(2525), change.clone());
        let (status, v) = admin(&app, "PUT", "/admin/api/mail", Some(&owner), Some(body)).await;
        assert_eq!(status, 422, "{change}: {v}");
        let named = v["fields"].as_array().unwrap();
        assert!(
            named
                .iter()
                .any(|f| f["field"] == field && f["reason"].as_str().unwrap().contains(why)),
            "{change}: expected {field} ({why}) in {v}"
        );
    }
    let (_, v) = admin(&app, "GET", "/admin/api/mail", Some(&owner), None).await;
    assert_eq!(v["configured"], false, "nothing saved: {v}");
}

#[tokio::test]
async fn saved_settings_mail_at_once_keep_the_password_sealed_and_survive_a_restart() {
    let smtp = SmtpServer::start(free_port()).await;
    let mut app = spawn_app(&password_section()).await;
    let owner = login(&app).await;
    assert_eq!(app.get("/api/v1/page").await.1["mails_visitors"], false);
    let (status, v) = admin(&app, "GET", "/admin/api/mail", Some(&owner), None).await;
    assert_eq!(
        (status, &v["configured"], &v["from_file"]),
        (200, &json!(false), &json!(false)),
        "{v}"
    );

    // A user and password: sealed, never shown, kept when the next save leaves it out.
    let body = with(
        settings(smtp.port),
        json!({"username": "mailer", "password": SECRET}),
    );
    let (status, v) = admin(&app, "PUT", "/admin/api/mail", Some(&owner), Some(body)).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (
            &v["configured"],
            &v["from_file"],
            &v["password_set"],
            &v["username"]
        ),
        (&json!(true), &json!(false), &json!(true), &json!("mailer")),
        "{v}"
    );
    assert!(!v.to_string().contains(SECRET), "{v}");
    let (_, v) = admin(&app, "GET", "/admin/api/mail", Some(&owner), None).await;
    assert!(!v.to_string().contains(SECRET), "{v}");
    assert!(
        v["updated_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-30T06:"),
        "the service's clock: {v}"
    );
    assert!(!database_holds(app.dir.path(), SECRET), "sealed at rest");
    assert!(
        database_holds(app.dir.path(), "book@example.org"),
        "the right files"
    );
    let body = with(settings(smtp.port), json!({"username": "mailer"}));
    let (status, v) = admin(&app, "PUT", "/admin/api/mail", Some(&owner), Some(body)).await;
    assert_eq!(
        (status, &v["password_set"]),
        (200, &json!(true)),
        "kept: {v}"
    );

    // aiosmtpd here takes no AUTH: the working settings have no user, and "" drops the password.
    let body = with(settings(smtp.port), json!({"password": ""}));
    let (status, v) = admin(&app, "PUT", "/admin/api/mail", Some(&owner), Some(body)).await;
    assert_eq!(
        (status, &v["password_set"], &v["username"]),
        (200, &json!(false), &Value::Null),
        "{v}"
    );
    assert_eq!(v["reminder_hours"], json!([24]), "{v}");
    assert_eq!(app.get("/api/v1/page").await.1["mails_visitors"], true);

    let (status, v) = admin(&app, "POST", "/admin/api/mail/test", Some(&owner), None).await;
    assert_eq!((status, &v["reply_code"]), (200, &json!(250)), "{v}");
    assert_eq!(smtp.mails().len(), 1, "sent before the answer");

    // A visitor's booking is mailed through the saved settings, no restart.
    let (status, b) = app.book("intro", "2026-12-01T09:00:00+01:00").await;
    assert_eq!(status, 201, "{b}");
    let mails = wait_for(30, "the booking's mails", || async {
        let m = smtp.mails();
        (m.len() >= 3).then_some(m)
    })
    .await;
    let to: Vec<String> = mails.iter().map(|m| m.rcpt_tos().join(",")).collect();
    assert!(to.contains(&"eve@example.com".to_owned()), "{to:?}");
    assert!(
        mails
            .iter()
            .all(|m| m.header("From").unwrap().contains("book@example.org")),
        "the saved sender"
    );

    // Kept across a restart.
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    let app = super::app::spawn_in(
        dir,
        &format!(
            "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n{}",
            password_section()
        ),
    )
    .await;
    let owner = login(&app).await;
    let (_, v) = admin(&app, "GET", "/admin/api/mail", Some(&owner), None).await;
    assert_eq!(
        (&v["configured"], &v["smtp_port"], &v["from_file"]),
        (&json!(true), &json!(smtp.port), &json!(false)),
        "{v}"
    );

    // Changed: the worker's mailer follows the new server at once.
    let other = SmtpServer::start(free_port()).await;
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/mail",
        Some(&owner),
        Some(settings(other.port)),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let (status, _) = app.book("intro", "2026-12-01T11:00:00+01:00").await;
    assert_eq!(status, 201);
    wait_for(30, "the new server's mails", || async {
        (other.mails().len() >= 2).then_some(())
    })
    .await;
    assert_eq!(
        smtp.mails().len(),
        mails.len(),
        "nothing more to the old server"
    );

    // Forgotten: nothing is mailed again.
    let (status, v) = admin(&app, "DELETE", "/admin/api/mail", Some(&owner), None).await;
    assert_eq!((status, &v["configured"]), (200, &json!(false)), "{v}");
    assert_eq!(app.get("/api/v1/page").await.1["mails_visitors"], false);
    let (status, v) = admin(&app, "POST", "/admin/api/mail/test", Some(&owner), None).await;
    assert_eq!(
        (status, &v["error"]),
        (409, &json!("not_configured")),
        "{v}"
    );
    let (status, _) = app.book("intro", "2026-12-01T10:00:00+01:00").await;
    assert_eq!(status, 201);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(other.mails().len(), 2, "no mail after forgetting");
}

/// `confirm = "email"` needs mail, wherever mail comes from: the rules editor refuses it
/// while none is set, accepts it once the dashboard's mail is saved, and Forget is then
/// refused while an event type still waits on it.
#[tokio::test]
async fn confirmation_by_mail_and_mail_settings_hold_each_other() {
    let smtp = SmtpServer::start(free_port()).await;
    let app = spawn_app(&password_section()).await;
    let owner = login(&app).await;
    let (_, rules) = admin(&app, "GET", "/admin/api/rules", Some(&owner), None).await;
    let mut doc = rules["document"].clone();
    doc["event_types"][0]["confirm"] = json!("email");
    let put_rules = |doc: Value| admin(&app, "PUT", "/admin/api/rules", Some(&owner), Some(doc));
    let (status, v) = put_rules(doc.clone()).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "event_types[0].confirm", "{v}");

    let body = settings(smtp.port);
    let (status, v) = admin(&app, "PUT", "/admin/api/mail", Some(&owner), Some(body)).await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = put_rules(doc).await;
    assert_eq!(status, 200, "mail is set now: {v}");

    let (status, v) = admin(&app, "DELETE", "/admin/api/mail", Some(&owner), None).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "event_types[0].confirm", "{v}");
    let (_, v) = admin(&app, "GET", "/admin/api/mail", Some(&owner), None).await;
    assert_eq!(v["configured"], true, "mail stays: {v}");
}
