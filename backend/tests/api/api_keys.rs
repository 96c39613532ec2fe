//! Integrators' API keys: made and revoked on the admin listener, sent as
//! `Authorization: Bearer osk_…` on the public API: no captcha, their own limit with the
//! `RateLimit-*` headers, 401 for a wrong or revoked key, 403 without the scope; the key is
//! not stored in plain text (`tests/api_key_logs.rs`: nor logged). Idempotency keys belong to their caller.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::admin::{admin, token, with_password};
use super::app::{TestApp, booking, spawn_on, spawn_with};

const TUE_9: &str = "2026-12-01T09:00:00+01:00";
const CAPTCHA_ON: &str =
    "[security]\ncaptcha = true\nrate_limit_per_minute = 1\napi_key_rate_per_minute = 5\n";

/// Makes a key with `scopes` on the admin listener: (id, key).
async fn make_key(app: &TestApp, scopes: &[&str]) -> (String, String) {
    let t = token(app).await;
    let body = json!({"name": "CRM", "scopes": scopes});
    let (status, v) = admin(app, "POST", "/admin/api/api-keys", Some(&t), Some(body)).await;
    assert_eq!(status, 201, "{v}");
    let key = v["key"].as_str().unwrap().to_owned();
    assert!(
        key.starts_with(&format!("osk_{}_", v["id"].as_str().unwrap())),
        "{v}"
    );
    (v["id"].as_str().unwrap().to_owned(), key)
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: Option<&str>,
    body: Option<&Value>,
    idempotency: Option<&str>,
) -> Answer {
    let mut req = app.client.request(method, app.url(path));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    if let Some(i) = idempotency {
        req = req.header("Idempotency-Key", i);
    }
    let r = req.send().await.unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    let text = r.text().await.unwrap();
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

fn header(a: &Answer, name: &str) -> Option<u64> {
    a.headers
        .get(name)
        .map(|v| v.to_str().unwrap().parse().unwrap())
}

#[tokio::test]
async fn an_api_key_books_without_a_captcha_and_sees_its_rate_limit() {
    let app = spawn_with(&format!("{CAPTCHA_ON}{}", with_password())).await;
    let (_, key) = make_key(&app, &["slots:read", "bookings:write"]).await;

    // A visitor needs the captcha; the key does not.
    let (status, v) = app.book("intro", TUE_9).await;
    assert_eq!((status, &v["error"]), (400, &json!("captcha")), "{v}");
    let post = reqwest::Method::POST;
    let a = send(
        &app,
        post.clone(),
        "/api/v1/bookings",
        Some(&key),
        Some(&booking("intro", TUE_9)),
        None,
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(header(&a, "ratelimit-limit"), Some(5));
    assert_eq!(
        header(&a, "ratelimit-remaining"),
        Some(4),
        "{:?}",
        a.headers
    );
    let reset = header(&a, "ratelimit-reset").unwrap();
    assert!((1..=60).contains(&reset), "{reset}");
    // Not the visitors' per-address limit (1 a minute): a second booking goes through.
    let later_slot = booking("intro", "2026-12-01T10:00:00+01:00");
    let a = send(
        &app,
        post.clone(),
        "/api/v1/bookings",
        Some(&key),
        Some(&later_slot),
        None,
    )
    .await;
    assert_eq!(
        (a.status, header(&a, "ratelimit-remaining")),
        (201, Some(3)),
        "{}",
        a.body
    );
    // Every answer to a keyed request carries the headers, a 422 too.
    let a = send(
        &app,
        post,
        "/api/v1/bookings",
        Some(&key),
        Some(&json!({})),
        None,
    )
    .await;
    assert_eq!(
        (a.status, header(&a, "ratelimit-remaining")),
        (422, Some(2)),
        "{}",
        a.body
    );
    let get = reqwest::Method::GET;
    for left in [1, 0] {
        let a = send(
            &app,
            get.clone(),
            "/api/v1/event-types",
            Some(&key),
            None,
            None,
        )
        .await;
        assert_eq!(
            (a.status, header(&a, "ratelimit-remaining")),
            (200, Some(left))
        );
    }
    // Over the key's limit: 429 with Retry-After and the headers.
    let a = send(&app, get, "/api/v1/event-types", Some(&key), None, None).await;
    assert_eq!(
        (a.status, &a.body["error"]),
        (429, &json!("rate_limited")),
        "{}",
        a.body
    );
    assert_eq!(header(&a, "ratelimit-remaining"), Some(0));
    assert!(header(&a, "retry-after").unwrap() >= 1);

    // Only the hash is kept: the key's secret is nowhere in the database's files.
    let secret = key.rsplit('_').next().unwrap().to_owned();
    let data = app.dir.path().join("data");
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(&secret), "{} holds the key", path.display());
        }
    }
}

#[tokio::test]
async fn wrong_and_revoked_keys_get_401_and_a_missing_scope_403() {
    let app = spawn_with(&format!("{CAPTCHA_ON}{}", with_password())).await;
    let (id, key) = make_key(&app, &["slots:read"]).await;
    let get = reqwest::Method::GET;
    let slots = "/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01";
    let a = send(&app, get.clone(), slots, Some(&key), None, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    // No bookings:write: 403, never the visitors' treatment.
    let a = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/bookings",
        Some(&key),
        Some(&booking("intro", TUE_9)),
        None,
    )
    .await;
    assert_eq!(
        (a.status, &a.body["error"]),
        (403, &json!("forbidden")),
        "{}",
        a.body
    );
    assert!(a.headers.contains_key("ratelimit-limit"));
    // A wrong secret, garbage, another scheme: 401.
    // The last character changed (to 1 if it is 0: a key may well end in 0).
    let other = if key.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{other}", &key[..key.len() - 1]);
    for bad in [wrong.as_str(), "osk_nope", "hello"] {
        let a = send(&app, get.clone(), slots, Some(bad), None, None).await;
        assert_eq!(
            (a.status, &a.body["error"]),
            (401, &json!("unauthorized")),
            "{bad}: {}",
            a.body
        );
    }
    // Another scheme is not a key (a password-protected site in front): a visitor's request.
    let r = app
        .client
        .get(app.url(slots))
        .basic_auth("site", Some("pw"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // It is told the visitors' per-address limit (1), not the key's (5).
    assert_eq!(r.headers()["ratelimit-limit"], "1");
    // Listed, then revoked: 401 from then on.
    let t = token(&app).await;
    let (status, v) = admin(&app, "GET", "/admin/api/api-keys", Some(&t), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v[0]["id"], json!(id));
    assert_eq!(v[0]["scopes"], json!(["slots:read"]));
    assert!(v[0]["last_used_at"].is_string(), "{v}");
    assert!(v[0].get("key").is_none(), "never listed: {v}");
    let (status, _) = admin(
        &app,
        "DELETE",
        &format!("/admin/api/api-keys/{id}"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let a = send(&app, get.clone(), slots, Some(&key), None, None).await;
    assert_eq!(a.status, 401, "{}", a.body);
    let (status, _) = admin(
        &app,
        "DELETE",
        &format!("/admin/api/api-keys/{id}"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, v) = admin(&app, "GET", "/admin/api/api-keys", Some(&t), None).await;
    assert!(v[0]["revoked_at"].is_string(), "{v}");
    // Bad requests to make one.
    for body in [
        json!({"name": "", "scopes": ["slots:read"]}),
        json!({"name": "x", "scopes": []}),
        json!({"name": "x", "scopes": ["admin"]}),
    ] {
        let (status, v) = admin(&app, "POST", "/admin/api/api-keys", Some(&t), Some(body)).await;
        assert_eq!(status, 422, "{v}");
    }
    let (status, _) = admin(&app, "GET", "/admin/api/api-keys", None, None).await;
    assert_eq!(status, 401);
}

fn later() -> DateTime<Utc> {
    super::fixed_now() + Duration::hours(25)
}

/// Idempotency keys are the caller's: the same key from another caller is a new request,
/// and a key is forgotten after 24 hours.
#[tokio::test]
async fn idempotency_keys_belong_to_their_caller_and_last_a_day() {
    let mut app = spawn_with(&format!(
        "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n{}",
        with_password()
    ))
    .await;
    let (_, key) = make_key(&app, &["bookings:write"]).await;
    let post = reqwest::Method::POST;
    let body = booking("intro", TUE_9);
    let a = send(
        &app,
        post.clone(),
        "/api/v1/bookings",
        Some(&key),
        Some(&body),
        Some("k1"),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let again = send(
        &app,
        post.clone(),
        "/api/v1/bookings",
        Some(&key),
        Some(&body),
        Some("k1"),
    )
    .await;
    assert_eq!(
        (
            again.status,
            again.headers.contains_key("idempotent-replayed")
        ),
        (201, true)
    );
    assert_eq!(again.body["id"], a.body["id"]);
    // A visitor with the same key and body is not a replay of the key's booking.
    let visitor = send(
        &app,
        post.clone(),
        "/api/v1/bookings",
        None,
        Some(&body),
        Some("k1"),
    )
    .await;
    assert_eq!(
        (visitor.status, &visitor.body["error"]),
        (409, &json!("not_free")),
        "{}",
        visitor.body
    );

    // 25 hours later the key is forgotten: the same request is a new booking of a taken slot.
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    let app = spawn_on(
        later,
        dir,
        &format!(
            "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n{}",
            with_password()
        ),
    )
    .await;
    let late = send(
        &app,
        post.clone(),
        "/api/v1/bookings",
        Some(&key),
        Some(&body),
        Some("k1"),
    )
    .await;
    assert_eq!(
        (late.status, &late.body["error"]),
        (409, &json!("not_free")),
        "{}",
        late.body
    );
    // And a new booking with it is remembered again (the old row was pruned, not in the way).
    let other = booking("intro", "2026-12-01T10:00:00+01:00");
    let a = send(
        &app,
        post.clone(),
        "/api/v1/bookings",
        Some(&key),
        Some(&other),
        Some("k1"),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let again = send(
        &app,
        post,
        "/api/v1/bookings",
        Some(&key),
        Some(&other),
        Some("k1"),
    )
    .await;
    assert_eq!(
        (
            again.status,
            again.headers.contains_key("idempotent-replayed")
        ),
        (201, true)
    );
}
