//! The dashboard's "send a test mail" (`POST /admin/api/mail/test`) over a real SMTP server
//! (aiosmtpd): one mail to the owner, at once; a dead server and no `[mail]` are explained;
//! `GET /admin/api/mail` shows the settings without the password; `GET /admin/api/security`
//! the file's `[security]`.

use openslot_testkit::admin::{admin, login, password_section};

use super::app::spawn_app;
use super::free_port;
use super::smtp_server::SmtpServer;

fn config(port: u16) -> String {
    format!(
        "{}[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {port}\ntls = \"none\"\n\
         username = \"mailer\"\npassword = \"sm7p-s3cret\"\n\
         from = \"OpenSlot <book@example.org>\"\nreminder_hours = [24]\n",
        password_section()
    )
}

#[tokio::test]
async fn a_test_mail_reaches_the_owner_at_once() {
    let smtp = SmtpServer::start(free_port()).await;
    // aiosmtpd here takes no AUTH: a configured user would be refused, so none for this one.
    let app = spawn_app(
        &config(smtp.port).replace("username = \"mailer\"\npassword = \"sm7p-s3cret\"\n", ""),
    )
    .await;
    let owner = login(&app).await;
    let (status, v) = admin(&app, "POST", "/admin/api/mail/test", Some(&owner), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["sent_to"], "ada@example.org", "{v}");
    assert_eq!(v["reply_code"], 250, "{v}");
    // Sent before the answer, not queued.
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].rcpt_tos(), ["ada@example.org"]);
    assert_eq!(
        mails[0].header("Subject").as_deref(),
        Some("OpenSlot test mail")
    );
    assert!(mails[0].part("text/plain").unwrap().contains("Mail works"));
    let (status, _) = admin(&app, "POST", "/admin/api/mail/test", None, None).await;
    assert_eq!(status, 401, "owner only");
}

#[tokio::test]
async fn settings_are_shown_without_the_password_and_failures_are_explained() {
    let dead = free_port();
    let app = spawn_app(&config(dead)).await;
    let owner = login(&app).await;
    let (status, v) = admin(&app, "GET", "/admin/api/mail", Some(&owner), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (&v["configured"], &v["smtp_port"], &v["tls"], &v["username"]),
        (&true.into(), &dead.into(), &"none".into(), &"mailer".into()),
        "{v}"
    );
    assert_eq!(v["reminder_hours"], serde_json::json!([24]));
    assert!(!v.to_string().contains("sm7p-s3cret"), "no password: {v}");

    let (status, v) = admin(&app, "POST", "/admin/api/mail/test", Some(&owner), None).await;
    assert_eq!(status, 502, "{v}");
    assert_eq!(v["error"], "unreachable", "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("could not take it now"),
        "{v}"
    );

    let none = spawn_app(&password_section()).await;
    let owner = login(&none).await;
    let (status, v) = admin(&none, "GET", "/admin/api/mail", Some(&owner), None).await;
    assert_eq!((status, &v["configured"]), (200, &false.into()), "{v}");
    let (status, v) = admin(&none, "POST", "/admin/api/mail/test", Some(&owner), None).await;
    assert_eq!(
        (status, &v["error"]),
        (409, &"not_configured".into()),
        "{v}"
    );
}

#[tokio::test]
async fn security_settings_are_the_files() {
    let app = spawn_app(&format!(
        "{}[security]\ncaptcha = false\nrate_limit_per_minute = 7\n\
         cors_origins = [\"https://shop.example.org\"]\ntrusted_proxies = [\"127.0.0.1\"]\n\
         [page]\nembed_origins = [\"https://blog.example.org\"]\n",
        password_section()
    ))
    .await;
    let owner = login(&app).await;
    let (status, v) = admin(&app, "GET", "/admin/api/security", None, None).await;
    assert_eq!(status, 401, "{v}");
    let (status, v) = admin(&app, "GET", "/admin/api/security", Some(&owner), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v,
        serde_json::json!({
            "captcha": false, "rate_limit_per_minute": 7, "api_key_rate_per_minute": 120,
            "captcha_from_file": true, "rate_limit_from_file": true,
            "api_key_rate_from_file": false,
            "trusted_proxies": ["127.0.0.1"], "cors_origins": ["https://shop.example.org"],
            "embed_origins": ["https://blog.example.org"],
        })
    );
}
