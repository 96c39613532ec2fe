//! The admin API over real HTTP on the admin listener: login, tokens refused in every way a
//! token can be wrong, the public listener's 404 for all of it, bookings, blocks, explain,
//! stats and metrics; editing the rules (applied at once, kept over a restart, reset) and the
//! week view.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::app::{TestApp, spawn_app};

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;
const TUE_9: &str = "2026-12-01T09:00:00+01:00";

pub(super) fn with_password() -> String {
    format!("[admin]\npassword_hash = '{HUNTER2}'\n")
}

/// Every endpoint that needs a token: (method, path).
const GUARDED: &[(&str, &str)] = &[
    ("GET", "/admin/api/bookings"),
    ("POST", "/admin/api/bookings/x/cancel"),
    ("GET", "/admin/api/blocks"),
    ("POST", "/admin/api/blocks"),
    ("DELETE", "/admin/api/blocks/x"),
    ("GET", "/admin/api/sources"),
    ("POST", "/admin/api/sources/sync"),
    ("POST", "/admin/api/sources"),
    ("PUT", "/admin/api/sources/x"),
    ("DELETE", "/admin/api/sources/x"),
    ("POST", "/admin/api/caldav/calendars"),
    ("GET", "/admin/api/rules"),
    ("PUT", "/admin/api/rules"),
    ("DELETE", "/admin/api/rules"),
    ("GET", "/admin/api/week"),
    ("GET", "/admin/api/explain?at=2026-12-01T09:00:00Z"),
    ("GET", "/admin/api/stats"),
    ("POST", "/admin/api/bookings/x/no-show"),
    ("GET", "/admin/api/feeds"),
    ("POST", "/admin/api/feeds/rotate"),
    ("GET", "/admin/api/oauth/services"),
    ("POST", "/admin/api/oauth/google/start"),
    ("GET", "/admin/api/oauth/connections/x"),
    ("DELETE", "/admin/api/oauth/connections/x"),
    ("POST", "/admin/api/oauth/connections/x/code"),
    ("GET", "/admin/api/oauth/connections/x/calendars"),
    ("POST", "/admin/api/oauth/connections/x/source"),
    ("GET", "/admin/api/api-keys"),
    ("POST", "/admin/api/api-keys"),
    ("DELETE", "/admin/api/api-keys/x"),
];

pub(super) use openslot_testkit::admin::{admin, login as token};

/// A request to either listener of `app`.
async fn send(
    app: &TestApp,
    base: std::net::SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    openslot_testkit::admin::request(&app.client, base, method, path, token, body).await
}

async fn login(app: &TestApp, password: &str) -> (u16, Value) {
    admin(
        app,
        "POST",
        "/admin/api/login",
        None,
        Some(json!({ "password": password })),
    )
    .await
}

/// Every guarded endpoint answers 401 (JSON) with this token.
async fn all_refuse(app: &TestApp, token: Option<&str>, what: &str) {
    for (method, path) in GUARDED {
        let body = (*method == "POST").then(|| json!({}));
        let (status, v) = admin(app, method, path, token, body).await;
        assert_eq!(status, 401, "{what}: {method} {path}: {v}");
        assert_eq!(v["error"], "unauthorized", "{what}: {method} {path}: {v}");
    }
}

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn login_gives_a_token_that_opens_the_api() {
    let app = spawn_app(&with_password()).await;
    let (status, v) = login(&app, "hunter2").await;
    assert_eq!(status, 200, "{v}");
    assert!(
        v["expires_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-30T07:0"),
        "{v}"
    );
    let token = v["token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3);
    let (status, v) = admin(&app, "GET", "/admin/api/rules", Some(token), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["timezone"], "Europe/Berlin");
    assert_eq!(v["working_hours"]["mon"], json!(["09:00-17:00"]));
    assert_eq!(v["event_types"][1]["slug"], "consult");
    assert_eq!(v["event_types"][1]["step_minutes"], 30);

    let (status, v) = login(&app, "hunter3").await;
    assert_eq!(
        (status, &v["error"]),
        (401, &json!("wrong_password")),
        "{v}"
    );
    let (status, _) = login(&app, "").await;
    assert_eq!(status, 401);
    let (status, _) = admin(&app, "POST", "/admin/api/login", None, Some(json!({}))).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn without_a_configured_password_login_is_503_and_everything_else_401() {
    let app = spawn_app("").await;
    let (status, v) = login(&app, "hunter2").await;
    assert_eq!(status, 503, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("no admin password configured")
    );
    all_refuse(&app, None, "no password configured").await;
    // A token signed with this data directory's admin key is worthless without a password.
    let key: [u8; 32] = std::fs::read(app.dir.path().join("data/admin.key"))
        .unwrap()
        .try_into()
        .unwrap();
    let sessions =
        openslot::api::guards::session::Sessions::from_bytes(key, chrono::Duration::minutes(60));
    let forged = sessions.issue(app.service.now()).unwrap().token;
    all_refuse(
        &app,
        Some(&forged),
        "no password configured, valid signature",
    )
    .await;
}

#[tokio::test]
async fn login_attempts_are_limited_per_address() {
    let app = spawn_app(&with_password()).await;
    for _ in 0..openslot::api::admin::LOGIN_ATTEMPTS_PER_MINUTE {
        let (status, _) = login(&app, "wrong").await;
        assert_eq!(status, 401);
    }
    let r = app
        .client
        .post(format!("http://{}/admin/api/login", app.admin))
        .json(&json!({"password": "hunter2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn bad_tokens_are_refused_everywhere() {
    let app = spawn_app(&with_password()).await;
    all_refuse(&app, None, "no token").await;
    all_refuse(&app, Some("not-a-jwt"), "garbage").await;
    let good = token(&app).await;
    let (head, rest) = good.split_once('.').unwrap();
    let (body, sig) = rest.split_once('.').unwrap();

    // alg: none, with and without the old signature.
    let none = b64(r#"{"alg":"none","typ":"JWT"}"#);
    all_refuse(&app, Some(&format!("{none}.{body}.")), "alg none").await;
    all_refuse(
        &app,
        Some(&format!("{none}.{body}.{sig}")),
        "alg none + sig",
    )
    .await;
    let hs512 = b64(r#"{"alg":"HS512","typ":"JWT"}"#);
    all_refuse(&app, Some(&format!("{hs512}.{body}.{sig}")), "alg HS512").await;

    // Tampered: a later expiry with the old signature; a flipped signature byte.
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).unwrap()).unwrap();
    claims["exp"] = json!(claims["exp"].as_i64().unwrap() + 86_400);
    let longer = b64(&claims.to_string());
    all_refuse(
        &app,
        Some(&format!("{head}.{longer}.{sig}")),
        "tampered claims",
    )
    .await;
    let mut flipped = sig.as_bytes().to_vec();
    flipped[5] = if flipped[5] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    all_refuse(
        &app,
        Some(&format!("{head}.{body}.{flipped}")),
        "tampered signature",
    )
    .await;

    // Signed with another key, otherwise perfect.
    let other = openslot::api::guards::session::Sessions::from_bytes(
        [9; 32],
        chrono::Duration::minutes(60),
    );
    let foreign = other.issue(app.service.now()).unwrap().token;
    all_refuse(&app, Some(&foreign), "another key").await;

    // Expired: the right key, `exp` before the service's clock.
    let key: [u8; 32] = std::fs::read(app.dir.path().join("data/admin.key"))
        .unwrap()
        .try_into()
        .unwrap();
    let now = app.service.now().timestamp();
    let expired = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"sub": "owner", "iat": now - 7200, "exp": now - 3600, "jti": "old"}),
        &jsonwebtoken::EncodingKey::from_secret(&key),
    )
    .unwrap();
    all_refuse(&app, Some(&expired), "expired").await;
    // The same, still valid: the key and the claims are right, only the time was wrong.
    let fresh = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"sub": "owner", "iat": now, "exp": now + 3600, "jti": "new"}),
        &jsonwebtoken::EncodingKey::from_secret(&key),
    )
    .unwrap();
    let (status, _) = admin(&app, "GET", "/admin/api/stats", Some(&fresh), None).await;
    assert_eq!(status, 200);

    // The real token still works.
    let (status, _) = admin(&app, "GET", "/admin/api/stats", Some(&good), None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_public_listener_has_no_admin_paths() {
    let app = spawn_app(&with_password()).await;
    let good = token(&app).await;
    let mut paths: Vec<(&str, &str)> = GUARDED.to_vec();
    paths.extend([
        ("POST", "/admin/api/login"),
        ("GET", "/admin/api/openapi.yaml"),
        ("GET", "/metrics"),
        ("GET", "/admin/oauth/google/callback?code=c&state=s"),
        ("GET", "/admin/oauth/microsoft/callback?code=c&state=s"),
    ]);
    for (method, path) in paths {
        let body = (method == "POST").then(|| json!({"password": "hunter2"}));
        let (status, v) = send(&app, app.public, method, path, Some(&good), body).await;
        assert_eq!(status, 404, "{method} {path} on the public listener: {v}");
    }
    // And the admin listener has no public API.
    let (status, _) = admin(&app, "GET", "/api/v1/event-types", None, None).await;
    assert_eq!(status, 404);
    let (status, v) = admin(&app, "GET", "/admin/api/openapi.yaml", None, None).await;
    assert_eq!(status, 200);
    let spec = v.as_str().unwrap();
    assert!(spec.contains("/admin/api/bookings"));
    assert!(spec.contains("scheme: bearer"), "{spec}");
    assert!(
        spec.contains("'401'"),
        "every guarded endpoint documents its 401: {spec}"
    );
}

#[tokio::test]
async fn bookings_list_filters_and_the_owner_cancels() {
    let app = spawn_app(&with_password()).await;
    let t = token(&app).await;
    let (status, eve) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{eve}");
    let mut other = super::app::booking("consult", "2026-12-02T10:00:00+01:00");
    other["name"] = json!("Bob Builder");
    other["email"] = json!("BOB@example.net");
    let (status, bob) = app.post("/api/v1/bookings", &other).await;
    assert_eq!(status, 201, "{bob}");

    let (status, v) = admin(&app, "GET", "/admin/api/bookings", Some(&t), None).await;
    assert_eq!(status, 200, "{v}");
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], eve["id"]);
    assert_eq!(list[0]["start"], "2026-12-01T08:00:00Z");
    assert_eq!(list[0]["status"], "confirmed");
    assert_eq!(list[0]["email"], "eve@example.com");
    assert_eq!(list[0]["writes"], json!([]), "no writable calendar");

    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = |path: &'static str| {
        let t = t.clone();
        let app = &app;
        async move { admin(app, "GET", path, Some(&t), None).await }
    };
    let (_, v) = get("/admin/api/bookings?q=bob%40EXAMPLE").await;
    assert_eq!(ids(&v), [bob["id"].as_str().unwrap()]);
    let (_, v) = get("/admin/api/bookings?q=eve%20vis").await;
    assert_eq!(ids(&v), [eve["id"].as_str().unwrap()]);
    let (_, v) = get("/admin/api/bookings?from=2026-12-02&to=2026-12-02").await;
    assert_eq!(ids(&v), [bob["id"].as_str().unwrap()]);
    let (_, v) = get("/admin/api/bookings?to=2026-12-01T09:00:00%2B01:00").await;
    assert_eq!(
        ids(&v),
        Vec::<String>::new(),
        "`to` is exclusive for instants"
    );
    let (status, v) = get("/admin/api/bookings?status=maybe").await;
    assert_eq!(
        (status, &v["fields"][0]["field"]),
        (422, &json!("status")),
        "{v}"
    );
    let (status, v) = get("/admin/api/bookings?from=yesterday").await;
    assert_eq!(
        (status, &v["fields"][0]["field"]),
        (422, &json!("from")),
        "{v}"
    );

    // The owner cancels Eve's booking: no manage token needed; the slot is free again.
    let path = format!("/admin/api/bookings/{}/cancel", eve["id"].as_str().unwrap());
    let noted = format!("{path}?note=ill");
    let (status, v) = admin(&app, "POST", &noted, Some(&t), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "cancelled");
    assert!(v["cancelled_at"].is_string());
    let (status, v) = admin(&app, "POST", &path, Some(&t), None).await;
    assert_eq!(
        (status, &v["status"]),
        (200, &json!("cancelled")),
        "twice is fine"
    );
    let (status, _) = admin(
        &app,
        "POST",
        "/admin/api/bookings/nope/cancel",
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, v) = get("/admin/api/bookings?status=cancelled").await;
    assert_eq!(ids(&v), [eve["id"].as_str().unwrap()]);
    let (_, v) = get("/admin/api/bookings?status=confirmed").await;
    assert_eq!(ids(&v), [bob["id"].as_str().unwrap()]);
    let (status, v) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "the slot is free again: {v}");
}

#[tokio::test]
async fn a_manual_block_removes_its_slots_until_it_is_deleted() {
    let app = spawn_app(&with_password()).await;
    let t = token(&app).await;
    let slots = "/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01";
    let count = |v: &Value| v["slots"].as_array().unwrap().len();
    let (_, v) = app.get(slots).await;
    assert_eq!(count(&v), 16);

    let block = json!({"start": "2026-12-01T09:00:00+01:00", "end": "2026-12-01T11:00:00+01:00", "label": "Dentist"});
    let (status, b) = admin(&app, "POST", "/admin/api/blocks", Some(&t), Some(block)).await;
    assert_eq!(status, 201, "{b}");
    assert_eq!(b["start"], "2026-12-01T08:00:00Z");
    assert_eq!(b["label"], "Dentist");
    let (_, v) = app.get(slots).await;
    assert_eq!(count(&v), 12, "{v}");
    assert_eq!(v["slots"][0]["start"], "2026-12-01T11:00:00+01:00");
    let (status, _) = app.book("intro", TUE_9).await;
    assert_eq!(status, 409);

    let (status, v) = admin(&app, "GET", "/admin/api/blocks", Some(&t), None).await;
    assert_eq!(status, 200);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["id"], b["id"]);

    // explain names the block.
    let (status, v) = admin(
        &app,
        "GET",
        "/admin/api/explain?at=2026-12-01T09:30:00%2B01:00&event_type=intro",
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["bookable"], false);
    assert!(
        v["reasons"].to_string().to_lowercase().contains("block"),
        "{v}"
    );

    let bad = [
        (
            json!({"start": "x", "end": "2026-12-01T11:00:00Z"}),
            "start",
        ),
        (
            json!({"start": "2026-12-01T11:00:00Z", "end": "2026-12-01T10:00:00Z"}),
            "end",
        ),
        (
            json!({"start": "2026-12-01T10:00:00Z", "end": "2026-12-01T11:00:00Z", "label": "a\nb"}),
            "label",
        ),
    ];
    for (body, field) in bad {
        let (status, v) = admin(&app, "POST", "/admin/api/blocks", Some(&t), Some(body)).await;
        assert_eq!(
            (status, &v["fields"][0]["field"]),
            (422, &json!(field)),
            "{v}"
        );
    }

    let path = format!("/admin/api/blocks/{}", b["id"].as_str().unwrap());
    let (status, _) = admin(&app, "DELETE", &path, Some(&t), None).await;
    assert_eq!(status, 204);
    let (status, _) = admin(&app, "DELETE", &path, Some(&t), None).await;
    assert_eq!(status, 404);
    let (_, v) = app.get(slots).await;
    assert_eq!(count(&v), 16);
}

#[tokio::test]
async fn explain_gives_reasons_and_checks_its_parameters() {
    let app = spawn_app(&with_password()).await;
    let t = token(&app).await;
    let (status, v) = admin(
        &app,
        "GET",
        "/admin/api/explain?at=2026-12-05T10:00:00%2B01:00&event_type=intro",
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["bookable"], false);
    assert!(
        !v["reasons"].as_array().unwrap().is_empty(),
        "a Saturday: {v}"
    );
    let (_, v) = admin(
        &app,
        "GET",
        "/admin/api/explain?at=2026-12-01T10:00:00%2B01:00&event_type=intro",
        Some(&t),
        None,
    )
    .await;
    assert_eq!(v["bookable"], true, "{v}");
    assert_eq!(v["at"], "2026-12-01T09:00:00Z");
    for (path, field) in [
        ("/admin/api/explain", "at"),
        ("/admin/api/explain?at=soon", "at"),
        (
            "/admin/api/explain?at=2026-12-01T09:00:00Z&event_type=nope",
            "event_type",
        ),
    ] {
        let (status, v) = admin(&app, "GET", path, Some(&t), None).await;
        assert_eq!(
            (status, &v["fields"][0]["field"]),
            (422, &json!(field)),
            "{v}"
        );
    }
}

#[tokio::test]
async fn sources_stats_and_metrics() {
    let app = spawn_app(&format!(
        "{}\n[[sources]]\nid = \"cal\"\nkind = \"ics\"\nurl = \"file://missing.ics\"\nfail_open = true\n",
        with_password()
    ))
    .await;
    let t = token(&app).await;
    let (status, v) = admin(&app, "GET", "/admin/api/sources", Some(&t), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v[0]["id"], "cal");
    let (status, v) = admin(&app, "POST", "/admin/api/sources/sync", Some(&t), None).await;
    assert_eq!(status, 200, "{v}");
    assert!(v[0]["last_error"].is_string(), "the file is missing: {v}");
    assert!(v[0]["summary"].is_string());

    let (status, a) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{a}");
    let (status, _) = app.book("consult", "2026-12-02T10:00:00+01:00").await;
    assert_eq!(status, 201);
    let path = format!("/admin/api/bookings/{}/cancel", a["id"].as_str().unwrap());
    let (status, _) = admin(&app, "POST", &path, Some(&t), None).await;
    assert_eq!(status, 200);

    let (status, v) = admin(&app, "GET", "/admin/api/stats", Some(&t), None).await;
    assert_eq!(status, 200, "{v}");
    let weeks = v["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    let this = &weeks[11];
    assert_eq!(this["week"], "2026-W49", "{v}");
    assert_eq!(
        (this["booked"].as_u64(), this["cancelled"].as_u64()),
        (Some(2), Some(1)),
        "{v}"
    );
    assert_eq!(this["by_event_type"], json!({"consult": 1, "intro": 1}));
    assert_eq!(
        (v["booked"].as_u64(), v["cancelled"].as_u64()),
        (Some(2), Some(1))
    );
    // Booked at about 06:00 UTC Monday for 08:00 UTC Tuesday and 09:00 UTC Wednesday.
    let buckets: Vec<(Value, u64)> = v["lead_time"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["below_hours"].clone(), b["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        buckets,
        [
            (json!(24), 0),
            (json!(72), 2),
            (json!(168), 0),
            (json!(336), 0),
            (Value::Null, 0)
        ],
        "{v}"
    );
    let lead = v["average_lead_time_hours"].as_f64().unwrap();
    assert!((38.0..=39.0).contains(&lead), "{lead}");

    let r = app
        .client
        .get(format!("http://{}/metrics", app.admin))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        200,
        "no token needed on the admin listener"
    );
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = r.text().await.unwrap();
    for line in [
        "openslot_bookings_total{status=\"confirmed\"} 1",
        "openslot_bookings_total{status=\"cancelled\"} 1",
        "openslot_outbox_backlog 0",
        "openslot_source_failures{source=\"cal\"} ",
        "openslot_source_fresh{source=\"cal\"} 0",
        "# TYPE openslot_source_sync_age_seconds gauge",
        "openslot_http_requests_total{code=\"2xx\"} 2",
        "openslot_http_requests_total{code=\"5xx\"} 0",
        "openslot_http_request_duration_seconds_count 2",
    ] {
        assert!(text.contains(line), "{line} missing in\n{text}");
    }
}

fn intro_slots(v: &Value) -> usize {
    v["slots"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn edited_rules_apply_at_once_survive_a_restart_and_reset_to_the_file() {
    let slots = "/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01";
    let mut app = spawn_app(&with_password()).await;
    let t = token(&app).await;
    let (status, rules) = admin(&app, "GET", "/admin/api/rules", Some(&t), None).await;
    assert_eq!(status, 200, "{rules}");
    assert_eq!(rules["source"], "file");
    assert_eq!(rules["edited_at"], Value::Null);
    let mut doc = rules["document"].clone();
    assert_eq!(
        doc["availability"]["working_hours"]["tue"],
        json!(["09:00-17:00"])
    );
    assert_eq!(doc["event_types"][1]["step_minutes"], 30);
    let (_, v) = app.get(slots).await;
    assert_eq!(intro_slots(&v), 16, "the list is cached now: {v}");

    // The unchanged document reads back to the same rules.
    let (status, same) = admin(&app, "PUT", "/admin/api/rules", Some(&t), Some(doc.clone())).await;
    assert_eq!(status, 200, "{same}");
    assert_eq!(same["document"], doc);
    assert_eq!(same["source"], "dashboard");

    doc["availability"]["working_hours"]["tue"] = json!(["09:00-10:00"]);
    doc["event_types"]
        .as_array_mut()
        .unwrap()
        .push(json!({"slug": "walk", "title": "A walk", "duration_minutes": 45}));
    let (status, v) = admin(&app, "PUT", "/admin/api/rules", Some(&t), Some(doc.clone())).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["working_hours"]["tue"], json!(["09:00-10:00"]));
    assert!(v["edited_at"].is_string(), "{v}");
    let (_, v) = app.get(slots).await;
    assert_eq!(intro_slots(&v), 2, "applied without a restart: {v}");
    let (_, v) = app.get("/api/v1/event-types").await;
    assert!(v.to_string().contains("\"walk\""), "{v}");
    let (status, v) = app.book("intro", "2026-12-01T11:00:00+01:00").await;
    assert_eq!(status, 409, "outside the edited hours: {v}");

    // Checked like the file: every problem, keyed like the file's keys; nothing changes.
    let mut bad = doc.clone();
    bad["availability"]["horizon_days"] = json!(0);
    bad["availability"]["working_hours"]["mon"] = json!(["10:00-09:00"]);
    bad["availability"]["colour"] = json!("red");
    bad["event_types"][0]["slug"] = json!("Not Safe");
    bad["owner"] = json!({"name": "Mallory"});
    let (status, v) = admin(&app, "PUT", "/admin/api/rules", Some(&t), Some(bad)).await;
    assert_eq!(status, 422, "{v}");
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for key in [
        "availability.horizon_days",
        "availability.working_hours.mon[0]",
        "availability.colour",
        "event_types[0].slug",
        "owner",
    ] {
        assert!(fields.contains(&key), "{key} in {fields:?}");
    }
    for wrong in [
        json!([1, 2]),
        json!({"event_types": []}),
        json!({"availability": {"horizon_days": null}, "event_types": doc["event_types"]}),
    ] {
        let (status, v) = admin(&app, "PUT", "/admin/api/rules", Some(&t), Some(wrong)).await;
        assert_eq!(status, 422, "{v}");
    }
    let (_, v) = app.get(slots).await;
    assert_eq!(intro_slots(&v), 2, "a refused edit changes nothing");

    // A restart keeps the edit.
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    let app = super::app::spawn_in(
        dir,
        &format!(
            "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n{}",
            with_password()
        ),
    )
    .await;
    let (_, v) = app.get(slots).await;
    assert_eq!(intro_slots(&v), 2, "{v}");
    let t = token(&app).await;
    let (status, v) = admin(&app, "DELETE", "/admin/api/rules", Some(&t), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["source"], "file");
    assert_eq!(v["working_hours"]["tue"], json!(["09:00-17:00"]));
    let (_, v) = app.get(slots).await;
    assert_eq!(intro_slots(&v), 16, "the file's rules again: {v}");
    let (_, v) = app.get("/api/v1/event-types").await;
    assert!(!v.to_string().contains("\"walk\""), "{v}");
}

#[tokio::test]
async fn the_week_view_shows_busy_bookings_blocks_and_free_slots_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("work.ics"),
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:w1\r\nDTSTART:20261201T080000Z\r\n\
         DTEND:20261201T090000Z\r\nSUMMARY:Secret board meeting\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:w2\r\nDTSTART:20261201T083000Z\r\nDTEND:20261201T093000Z\r\n\
         SUMMARY:Overlap\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("home.ics"),
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:h1\r\nDTSTART:20261201T090000Z\r\n\
         DTEND:20261201T100000Z\r\nSUMMARY:Home\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let app = super::app::spawn_in(
        dir,
        &format!(
            "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n{}\n\
             [[sources]]\nid = \"work\"\nkind = \"ics\"\nurl = \"file://work.ics\"\nname = \"Work\"\ncolor = \"#336699\"\n\
             [[sources]]\nid = \"home\"\nkind = \"ics\"\nurl = \"file://home.ics\"\n",
            with_password()
        ),
    )
    .await;
    let t = token(&app).await;
    let (status, booked) = app.book("intro", "2026-12-02T09:00:00+01:00").await;
    assert_eq!(status, 201, "{booked}");
    let block = json!({"start": "2026-12-03T09:00:00+01:00", "end": "2026-12-03T12:00:00+01:00", "label": "Dentist"});
    let (status, _) = admin(&app, "POST", "/admin/api/blocks", Some(&t), Some(block)).await;
    assert_eq!(status, 201);

    let (status, v) = admin(
        &app,
        "GET",
        "/admin/api/week?from=2026-11-30",
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["timezone"], "Europe/Berlin");
    assert_eq!(v["from"], "2026-11-29T23:00:00Z");
    assert_eq!(v["to"], "2026-12-06T23:00:00Z");
    assert_eq!(v["days"].as_array().unwrap().len(), 7);
    assert_eq!(v["days"][6], "2026-12-06");
    assert_eq!(v["sources"][0]["id"], "work");
    assert_eq!(v["sources"][0]["color"], "#336699");
    assert_eq!(
        v["sources"][0]["busy"],
        json!([{"start": "2026-12-01T08:00:00Z", "end": "2026-12-01T09:30:00Z"}]),
        "one calendar's overlapping events as one span"
    );
    assert_eq!(v["sources"][1]["id"], "home");
    assert_eq!(
        v["merged_busy"],
        json!([{"start": "2026-12-01T08:00:00Z", "end": "2026-12-01T10:00:00Z"}]),
        "both calendars merged"
    );
    assert_eq!(v["bookings"][0]["id"], booked["id"]);
    assert_eq!(v["bookings"][0]["name"], "Eve Visitor");
    assert_eq!(v["blocks"][0]["label"], "Dentist");
    let intro = v["free"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["event_type"] == "intro")
        .unwrap();
    let starts: Vec<&str> = intro["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    assert!(!starts.contains(&"2026-12-01T08:00:00Z"), "busy");
    assert!(!starts.contains(&"2026-12-02T08:00:00Z"), "booked");
    assert!(!starts.contains(&"2026-12-03T08:00:00Z"), "blocked");
    assert!(!starts.contains(&"2026-12-01T09:30:00Z"), "busy at home");
    assert!(starts.contains(&"2026-12-01T10:00:00Z"), "{starts:?}");
    assert!(
        !v.to_string().contains("Secret") && !v.to_string().contains("Home"),
        "never an event title"
    );

    for (path, field) in [
        ("/admin/api/week?from=monday", "from"),
        ("/admin/api/week?days=0", "days"),
        ("/admin/api/week?days=32", "days"),
    ] {
        let (status, v) = admin(&app, "GET", path, Some(&t), None).await;
        assert_eq!(
            (status, &v["fields"][0]["field"]),
            (422, &json!(field)),
            "{v}"
        );
    }
    let (status, v) = admin(&app, "GET", "/admin/api/week?days=1", Some(&t), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["days"],
        json!(["2026-11-30"]),
        "today in Berlin by default"
    );
    // The calendar's shown colour: the configured one (it reads on white), or one from the
    // id; the service's today and now for the now-line; `week=true` starts on the Monday.
    assert_eq!(v["today"], "2026-11-30");
    assert!(
        v["now"]
            .as_str()
            .is_some_and(|n| n.starts_with("2026-11-30T")),
        "{v}"
    );
    let (status, v) = admin(
        &app,
        "GET",
        "/admin/api/week?from=2026-12-03&week=true",
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (&v["days"][0], &v["days"][6]),
        (&json!("2026-11-30"), &json!("2026-12-06"))
    );
    assert_eq!(v["sources"][0]["shown_color"], "#336699");
    let home = v["sources"][1]["shown_color"].as_str().unwrap();
    assert!(home.len() == 7 && home.starts_with('#'), "{home}");
}

/// The dashboard's feed URLs open the feeds; rotating gives new ones and turns the old ones off
/// (404), and survives a restart.
#[tokio::test]
async fn feed_urls_are_shown_and_rotated() {
    let app = spawn_app(&with_password()).await;
    let (status, _) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201);
    let token = token(&app).await;
    let (status, first) = admin(&app, "GET", "/admin/api/feeds", Some(&token), None).await;
    assert_eq!(status, 200, "{first}");
    assert!(
        first.get("rotated_at").is_none_or(Value::is_null),
        "{first}"
    );
    let local = |v: &Value, key: &str| {
        v[key]
            .as_str()
            .unwrap()
            .replace("https://book.example.org", "")
    };
    for key in ["bookings_url", "freebusy_url"] {
        let (status, text) = app.get(&local(&first, key)).await;
        assert_eq!(status, 200, "{key}: {text}");
        assert!(
            text.as_str().unwrap().starts_with("BEGIN:VCALENDAR"),
            "{key}"
        );
    }
    let (status, second) = admin(&app, "POST", "/admin/api/feeds/rotate", Some(&token), None).await;
    assert_eq!(status, 200, "{second}");
    assert!(second["rotated_at"].is_string(), "{second}");
    for key in ["bookings_url", "freebusy_url"] {
        assert_ne!(first[key], second[key]);
        assert_eq!(app.get(&local(&first, key)).await.0, 404, "the old {key}");
        assert_eq!(app.get(&local(&second, key)).await.0, 200, "the new {key}");
    }
    let (_, again) = admin(&app, "GET", "/admin/api/feeds", Some(&token), None).await;
    assert_eq!(again["bookings_url"], second["bookings_url"]);

    let mut app = app;
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    let app = super::app::spawn_in(dir, &with_password()).await;
    assert_eq!(
        app.get(&local(&second, "bookings_url")).await.0,
        200,
        "after a restart"
    );
    assert_eq!(
        app.get(&local(&first, "bookings_url")).await.0,
        404,
        "after a restart"
    );
}

/// `/rules` and `/sources` answer the wire crate's types (what the dashboard reads), the rules
/// document goes back unchanged, and a body checked like the file names a wrong value's key
/// (422), not a parse error.
#[tokio::test]
async fn rules_and_sources_are_the_wire_types_and_checked_like_the_file() {
    use openslot_wire::admin::{Origin, RulesJson, SourceJson};
    let app = spawn_app(&with_password()).await;
    let (_, v) = login(&app, "hunter2").await;
    let token = v["token"].as_str().unwrap();
    let (status, v) = admin(&app, "GET", "/admin/api/rules", Some(token), None).await;
    assert_eq!(status, 200, "{v}");
    let rules: RulesJson = serde_json::from_value(v.clone()).expect("a RulesJson");
    assert_eq!(rules.source, Origin::File);
    assert_eq!(
        rules.document.availability.working_hours.mon,
        ["09:00-17:00"]
    );
    let doc = serde_json::to_value(&rules.document).unwrap();
    assert_eq!(doc, v["document"], "the typed document is the one answered");
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/rules",
        Some(token),
        Some(doc.clone()),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let saved: RulesJson = serde_json::from_value(v).expect("a RulesJson");
    assert_eq!(
        (saved.source, saved.document),
        (Origin::Dashboard, rules.document)
    );

    let mut bad = doc;
    bad["availability"]["horizon_days"] = json!("soon");
    let (status, v) = admin(&app, "PUT", "/admin/api/rules", Some(token), Some(bad)).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "availability.horizon_days", "{v}");

    let (status, v) = admin(&app, "GET", "/admin/api/sources", Some(token), None).await;
    assert_eq!(status, 200, "{v}");
    let _: Vec<SourceJson> = serde_json::from_value(v).expect("SourceJson entries");
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/sources",
        Some(token),
        Some(json!({"id": "x", "kind": "ics", "url": 5})),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "url", "{v}");
}
