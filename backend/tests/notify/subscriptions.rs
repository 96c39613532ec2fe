//! Webhook subscriptions made through the admin API and by API keys (`webhooks:manage`): the
//! secret shown once and never again, a key sees and deletes only its own, the outbound guard
//! refuses metadata, unspecified, private and userinfo-tricked URLs at creation, a booking is
//! delivered signed to a stored subscription on a local receiver (allowed by
//! `[security] webhook_private_targets`), and a deleted one gets nothing more.

use serde_json::{Value, json};

use super::app::{TestApp, spawn_app};
use super::webhooks::{HUNTER2, Receiver, admin, login, verify};
use super::{deliveries, fixed_now, wait_for};
use openslot_testkit::admin::request;

const TUE_9: &str = "2026-12-01T09:00:00+01:00";
const TUE_11: &str = "2026-12-01T11:00:00+01:00";

/// Captcha off, the owner's password, local receivers allowed; `extra` appended.
fn config(extra: &str) -> String {
    format!(
        "[security]\ncaptcha = false\nrate_limit_per_minute = 0\nwebhook_private_targets = true\n\
         [admin]\npassword_hash = '{HUNTER2}'\n{extra}"
    )
}

/// Makes a key with `scopes`: (id, key).
async fn make_key(app: &TestApp, token: &str, scopes: &[&str]) -> (String, String) {
    let body = json!({"name": "CRM", "scopes": scopes});
    let (status, v) = admin(app, "POST", "/admin/api/api-keys", Some(token), Some(body)).await;
    assert_eq!(status, 201, "{v}");
    (
        v["id"].as_str().unwrap().to_owned(),
        v["key"].as_str().unwrap().to_owned(),
    )
}

/// A request to the public listener with an API key.
async fn public(
    app: &TestApp,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    request(&app.client, app.public, method, path, key, body).await
}

#[tokio::test]
async fn a_stored_subscription_gets_signed_bookings_until_it_is_deleted() {
    let r = Receiver::start(&[]).await;
    let app = spawn_app(&config("")).await;
    let token = login(&app).await;
    let body = json!({"url": r.url, "events": ["booking.created", "booking.cancelled"]});
    let (status, made) = admin(
        &app,
        "POST",
        "/admin/api/webhooks",
        Some(&token),
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert!(id.starts_with("wh_"), "{made}");
    assert!(secret.len() >= 64, "{made}");
    assert_eq!(made["origin"], "dashboard");
    assert_eq!(made["created_by"], "dashboard");
    // Listed, never with its secret; not stored in plain text either.
    let (status, list) = admin(&app, "GET", "/admin/api/webhooks", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert!(list[0].get("secret").is_none(), "{list}");
    assert!(!list.to_string().contains(&secret));
    for file in ["openslot.db", "openslot.db-wal"] {
        let db = std::fs::read(app.dir.path().join("data").join(file)).unwrap_or_default();
        assert!(
            !db.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{file}"
        );
    }

    let (status, b) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let got = wait_for(30, "the stored subscription's POST", || async {
        let got = r.got();
        (!got.is_empty()).then_some(got)
    })
    .await;
    assert_eq!(got[0].event, "booking.created");
    assert_eq!(
        verify(
            &secret,
            &got[0].signature,
            &got[0].body,
            fixed_now().timestamp()
        ),
        Ok(())
    );
    let sent: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(sent["booking"]["id"], b["id"]);
    assert_eq!(sent["booking"]["time_zone"], "Europe/Berlin");
    let rows = deliveries(&app).await;
    assert!(rows.iter().any(|d| d.target == id), "in the delivery log");

    // A test ping, signed the same way.
    let path = format!("/admin/api/webhooks/{id}/test");
    let (status, v) = admin(&app, "POST", &path, Some(&token), None).await;
    assert_eq!(status, 200, "{v}");
    let got = r.got();
    let ping = got.last().unwrap();
    assert_eq!(ping.event, "ping");
    assert_eq!(
        verify(
            &secret,
            &ping.signature,
            &ping.body,
            fixed_now().timestamp()
        ),
        Ok(())
    );

    let path = format!("/admin/api/webhooks/{id}");
    let (status, _) = admin(&app, "DELETE", &path, Some(&token), None).await;
    assert_eq!(status, 204);
    let (status, _) = admin(&app, "DELETE", &path, Some(&token), None).await;
    assert_eq!(status, 404);
    let before = r.got().len();
    let (status, b2) = app.book("intro", TUE_11).await;
    assert_eq!(status, 201, "{b2}");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(r.got().len(), before, "nothing after the delete");
    assert!(
        !deliveries(&app)
            .await
            .iter()
            .any(|d| d.booking_id.as_deref() == b2["id"].as_str() && d.target == id)
    );
}

#[tokio::test]
async fn file_webhooks_are_listed_read_only_without_their_secret() {
    let app = spawn_app(&config(
        "[[webhooks]]\nid = \"crm\"\nurl = \"https://crm.example.org/hook\"\nsecret = \"file-secret-1\"\n",
    ))
    .await;
    let token = login(&app).await;
    let (status, list) = admin(&app, "GET", "/admin/api/webhooks", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["id"], "crm");
    assert_eq!(list[0]["origin"], "file");
    assert!(!list.to_string().contains("file-secret-1"));
    let (status, v) = admin(
        &app,
        "DELETE",
        "/admin/api/webhooks/crm",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 409, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("configuration file"),
        "{v}"
    );
    let (status, _) = admin(&app, "GET", "/admin/api/webhooks", None, None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_key_manages_only_its_own_subscriptions() {
    let r = Receiver::start(&[]).await;
    let app = spawn_app(&config("")).await;
    let token = login(&app).await;
    let (a_id, a) = make_key(&app, &token, &["webhooks:manage"]).await;
    let (_, b) = make_key(&app, &token, &["webhooks:manage", "slots:read"]).await;
    let (_, reader) = make_key(&app, &token, &["slots:read", "bookings:write"]).await;

    let body = json!({"url": r.url});
    let (status, made) = public(&app, "POST", "/api/v1/webhooks", Some(&a), Some(body)).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    assert!(made["secret"].as_str().is_some());
    assert_eq!(
        made["events"],
        json!([
            "booking.created",
            "booking.rescheduled",
            "booking.cancelled"
        ])
    );
    let (status, list) = public(&app, "GET", "/api/v1/webhooks", Some(&a), None).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("secret").is_none());
    // Another key sees nothing and cannot delete it.
    let (status, list) = public(&app, "GET", "/api/v1/webhooks", Some(&b), None).await;
    assert_eq!((status, list), (200, json!([])));
    let path = format!("/api/v1/webhooks/{id}");
    let (status, _) = public(&app, "DELETE", &path, Some(&b), None).await;
    assert_eq!(status, 404);
    // Without the scope: 403; without a key: 401.
    let (status, v) = public(&app, "GET", "/api/v1/webhooks", Some(&reader), None).await;
    assert_eq!(status, 403, "{v}");
    let body = json!({"url": r.url});
    let (status, _) = public(&app, "POST", "/api/v1/webhooks", Some(&reader), Some(body)).await;
    assert_eq!(status, 403);
    let (status, _) = public(&app, "GET", "/api/v1/webhooks", None, None).await;
    assert_eq!(status, 401);
    // The owner sees who made it.
    let (_, all) = admin(&app, "GET", "/admin/api/webhooks", Some(&token), None).await;
    assert_eq!(all[0]["created_by"], format!("key:{a_id}"));
    let (status, _) = public(&app, "DELETE", &path, Some(&a), None).await;
    assert_eq!(status, 204);
    let (_, all) = admin(&app, "GET", "/admin/api/webhooks", Some(&token), None).await;
    assert_eq!(all, json!([]));
}

#[tokio::test]
async fn the_outbound_guard_refuses_metadata_unspecified_private_and_tricked_urls() {
    // Without `webhook_private_targets`: loopback and private networks are refused too.
    let app = spawn_app(&format!(
        "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n[admin]\npassword_hash = '{HUNTER2}'\n"
    ))
    .await;
    let token = login(&app).await;
    let (_, key) = make_key(&app, &token, &["webhooks:manage"]).await;
    for (url, why) in [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://0.0.0.0:8080/hook", "unspecified"),
        ("http://[::ffff:169.254.169.254]/", "link-local"),
        ("http://127.0.0.1:9/hook", "private or local"),
        ("http://10.0.0.5/hook", "private or local"),
        ("http://192.168.1.10/hook", "private or local"),
        ("http://hooks.example.org@169.254.169.254/", "user name"),
        ("http://a@b@169.254.169.254/", "more than one @"),
        ("http://127.0.0.1\\@169.254.169.254/", "backslash"),
        ("ftp://hooks.example.org/", "http"),
    ] {
        let body = json!({"url": url});
        let (status, v) = admin(
            &app,
            "POST",
            "/admin/api/webhooks",
            Some(&token),
            Some(body),
        )
        .await;
        assert_eq!(status, 422, "{url}: {v}");
        assert!(v["message"].as_str().unwrap().contains(why), "{url}: {v}");
        let body = json!({"url": url});
        let (status, v) = public(&app, "POST", "/api/v1/webhooks", Some(&key), Some(body)).await;
        assert_eq!(status, 422, "{url}: {v}");
        assert!(v["message"].as_str().unwrap().contains(why), "{url}: {v}");
    }
    let body = json!({"url": "https://hooks.example.org/x", "events": ["booking.reminder"]});
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/webhooks",
        Some(&token),
        Some(body),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "events");
    let body = json!({"url": "https://hooks.example.org/x", "secret": "mine"});
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/webhooks",
        Some(&token),
        Some(body),
    )
    .await;
    assert_eq!(status, 422, "an unknown key: {v}");
    let (_, all) = admin(&app, "GET", "/admin/api/webhooks", Some(&token), None).await;
    assert_eq!(all, json!([]));
}

#[tokio::test]
async fn a_deleted_subscriptions_queued_delivery_ends_failed_not_retried() {
    // 503: retried later; the delete comes first.
    let r = Receiver::start(&[503]).await;
    let app = spawn_app(&config("")).await;
    let token = login(&app).await;
    let body = json!({"url": r.url});
    let (status, made) = admin(
        &app,
        "POST",
        "/admin/api/webhooks",
        Some(&token),
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let (status, b) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    wait_for(30, "the first, refused attempt", || async {
        let rows = deliveries(&app).await;
        rows.iter()
            .any(|d| d.target == id && d.attempts == 1)
            .then_some(())
    })
    .await;
    let path = format!("/admin/api/webhooks/{id}");
    let (status, _) = admin(&app, "DELETE", &path, Some(&token), None).await;
    assert_eq!(status, 204);
    let rows = deliveries(&app).await;
    let row = rows.iter().find(|d| d.target == id).unwrap();
    assert_eq!(row.state, openslot::store::OutboxState::Failed, "{row:?}");
    assert!(
        row.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("deleted"),
        "{row:?}"
    );
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    assert_eq!(r.got().len(), 1, "not retried after the delete");
}
