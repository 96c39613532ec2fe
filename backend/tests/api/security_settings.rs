//! `[security]` captcha and rate limits edited in the dashboard (`GET`/`PUT
//! /admin/api/security`, issue 18 item 10): where the file leaves them unset a save applies at
//! once, without a restart (the booking form's proof of work, the visitors' and the keys'
//! limits), and again after one; what the file (or an `OPENSLOT_*` variable) sets answers 409;
//! a wrong value 422 naming the field.

use openslot_testkit::admin::{admin, login, password_section};
use serde_json::{Value, json};

use super::app::{TestApp, spawn_in, spawn_with};

const TUE_9: &str = "2026-12-01T09:00:00+01:00";
/// A Saturday: refused with 409 without booking anything (each still counts for the limit).
const SAT_10: &str = "2026-12-05T10:00:00+01:00";

async fn put(app: &TestApp, owner: &str, body: Value) -> (u16, Value) {
    admin(app, "PUT", "/admin/api/security", Some(owner), Some(body)).await
}

#[tokio::test]
async fn the_captcha_is_switched_in_the_dashboard_at_once_and_after_a_restart() {
    let mut app = spawn_with(&password_section()).await;
    let owner = login(&app).await;
    let (status, v) = admin(&app, "GET", "/admin/api/security", Some(&owner), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (
            &v["captcha"],
            &v["rate_limit_per_minute"],
            &v["api_key_rate_per_minute"]
        ),
        (&json!(true), &json!(10), &json!(120)),
        "the defaults: {v}"
    );
    for flag in [
        "captcha_from_file",
        "rate_limit_from_file",
        "api_key_rate_from_file",
    ] {
        assert_eq!(v[flag], false, "{v}");
    }
    let (status, v) = app.book("intro", TUE_9).await;
    assert_eq!((status, &v["error"]), (400, &json!("captcha")), "{v}");

    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/security",
        None,
        Some(json!({"captcha": false})),
    )
    .await;
    assert_eq!(status, 401, "{v}");
    let (status, _) = openslot_testkit::admin::request(
        &app.client,
        app.public,
        "PUT",
        "/admin/api/security",
        Some(&owner),
        Some(json!({"captcha": false})),
    )
    .await;
    assert_eq!(status, 404, "not on the public listener");
    let (status, v) = put(&app, &owner, json!({"captcha": false})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["captcha"], false);
    assert!(
        !app.service.config().security.captcha,
        "the configuration that applies says so too"
    );
    assert_eq!(app.get("/api/v1/page").await.1["captcha"], false);
    assert_eq!(
        app.get("/api/v1/captcha").await.0,
        404,
        "no challenge while off"
    );
    let (status, v) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "an unsolved booking passes while off: {v}");

    let (status, v) = put(&app, &owner, json!({"captcha": true})).await;
    assert_eq!((status, &v["captcha"]), (200, &json!(true)), "{v}");
    assert_eq!(app.get("/api/v1/page").await.1["captcha"], true);
    assert_eq!(app.get("/api/v1/captcha").await.0, 200);
    let (status, v) = app.book("intro", "2026-12-01T10:00:00+01:00").await;
    assert_eq!(
        (status, &v["error"]),
        (400, &json!("captcha")),
        "refused at once: {v}"
    );

    // Saved: still off after a restart; `null` is the default (on) again.
    let (status, _) = put(&app, &owner, json!({"captcha": false})).await;
    assert_eq!(status, 200);
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    let app = spawn_in(dir, &password_section()).await;
    assert_eq!(app.get("/api/v1/page").await.1["captcha"], false);
    let (status, v) = app.book("intro", "2026-12-01T10:00:00+01:00").await;
    assert_eq!(status, 201, "kept over a restart: {v}");
    let owner = login(&app).await;
    let (status, v) = put(&app, &owner, json!({"captcha": null})).await;
    assert_eq!((status, &v["captcha"]), (200, &json!(true)), "{v}");
    let (status, _) = app.book("intro", "2026-12-01T11:00:00+01:00").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_lowered_limit_refuses_from_the_next_request_without_a_restart() {
    let app = spawn_with(&password_section()).await;
    let owner = login(&app).await;
    let (status, v) = put(
        &app,
        &owner,
        json!({"captcha": false, "rate_limit_per_minute": 2}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["rate_limit_per_minute"], 2);
    // Rules saved afterwards keep it (the configuration is rebuilt from the file's).
    let (status, rules) = admin(&app, "GET", "/admin/api/rules", Some(&owner), None).await;
    assert_eq!(status, 200, "{rules}");
    let doc = rules["document"].clone();
    let (status, v) = admin(&app, "PUT", "/admin/api/rules", Some(&owner), Some(doc)).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(app.service.config().security.rate_limit_per_minute, 2);
    for _ in 0..2 {
        assert_eq!(app.book("intro", SAT_10).await.0, 409);
    }
    let (status, v) = app.book("intro", TUE_9).await;
    assert_eq!((status, &v["error"]), (429, &json!("rate_limited")), "{v}");
    // Off (0): the same address books at once.
    let (status, _) = put(
        &app,
        &owner,
        json!({"captcha": false, "rate_limit_per_minute": 0}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(app.book("intro", TUE_9).await.0, 201);

    // An API key's limit likewise.
    let body = json!({"name": "CRM", "scopes": ["slots:read"]});
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/api-keys",
        Some(&owner),
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let key = v["key"].as_str().unwrap().to_owned();
    let keyed = || async {
        app.client
            .get(app.url("/api/v1/event-types"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
    };
    let r = keyed().await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["ratelimit-limit"], "120");
    let (status, v) = put(
        &app,
        &owner,
        json!({"captcha": false, "rate_limit_per_minute": 0, "api_key_rate_per_minute": 1}),
    )
    .await;
    assert_eq!(
        (status, &v["api_key_rate_per_minute"]),
        (200, &json!(1)),
        "{v}"
    );
    let r = keyed().await;
    assert_eq!(r.status().as_u16(), 429, "one already spent in this minute");
    assert_eq!(r.headers()["ratelimit-limit"], "1");
}

#[tokio::test]
async fn what_the_file_or_the_environment_sets_answers_409_and_wrong_values_422() {
    let dir = tempfile::tempdir().unwrap();
    let app = super::app::spawn_env(
        super::fixed_now,
        dir,
        &format!("[security]\ncaptcha = true\n{}", password_section()),
        &[("OPENSLOT_SECURITY__API_KEY_RATE_PER_MINUTE", "7")],
    )
    .await;
    let owner = login(&app).await;
    let (status, v) = admin(&app, "GET", "/admin/api/security", Some(&owner), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (
            &v["captcha_from_file"],
            &v["rate_limit_from_file"],
            &v["api_key_rate_from_file"],
            &v["api_key_rate_per_minute"]
        ),
        (&json!(true), &json!(false), &json!(true), &json!(7)),
        "{v}"
    );
    for (body, key) in [
        (json!({"captcha": false}), "captcha"),
        (
            json!({"api_key_rate_per_minute": 8}),
            "api_key_rate_per_minute",
        ),
    ] {
        let (status, v) = put(&app, &owner, body).await;
        assert_eq!((status, &v["error"]), (409, &json!("file_source")), "{v}");
        let message = v["message"].as_str().unwrap();
        assert!(
            message.contains(key) && message.contains("configuration file"),
            "{v}"
        );
    }
    assert_eq!(
        app.get("/api/v1/page").await.1["captcha"],
        true,
        "unchanged"
    );
    // What the dashboard shows may be sent back as it is; the rest is saved.
    let (status, v) = put(
        &app,
        &owner,
        json!({"captcha": true, "api_key_rate_per_minute": 7, "rate_limit_per_minute": 5}),
    )
    .await;
    assert_eq!(
        (status, &v["rate_limit_per_minute"]),
        (200, &json!(5)),
        "{v}"
    );

    for (body, field) in [
        (
            json!({"rate_limit_per_minute": 100_001}),
            "rate_limit_per_minute",
        ),
        (
            json!({"rate_limit_per_minute": -1}),
            "rate_limit_per_minute",
        ),
        (
            json!({"rate_limit_per_minute": "5"}),
            "rate_limit_per_minute",
        ),
        (
            json!({"api_key_rate_per_minute": 2.5}),
            "api_key_rate_per_minute",
        ),
        (
            json!({"cors_origins": ["https://a.example"]}),
            "cors_origins",
        ),
    ] {
        let (status, v) = put(&app, &owner, body.clone()).await;
        assert_eq!(
            (status, &v["fields"][0]["field"]),
            (422, &json!(field)),
            "{body}: {v}"
        );
    }
    let (_, v) = admin(&app, "GET", "/admin/api/security", Some(&owner), None).await;
    assert_eq!(v["rate_limit_per_minute"], 5, "nothing changed: {v}");
}
