//! The booking page's settings edited in the dashboard (`GET`/`PUT /admin/api/page`,
//! `PUT`/`DELETE /admin/api/page/logo`, issue 18 item 10): what the file leaves unset is saved
//! and shown on the page at once (the page's description, the accent's stylesheet, the name
//! visitors see, the logo); what the file sets stays and is read-only.

use openslot_testkit::admin::{admin, login, password_section};
use serde_json::json;

use super::app::spawn_app;

async fn accent_css(app: &super::app::TestApp) -> String {
    app.client
        .get(app.url("/api/v1/page/accent.css"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn edits_reach_the_page_at_once() {
    let app = spawn_app(&password_section()).await;
    let owner = login(&app).await;
    let (status, v) = admin(&app, "GET", "/admin/api/page", Some(&owner), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v,
        json!({"intro_from_file": false, "accent_from_file": false,
               "display_name_from_file": false, "logo_from_file": false,
               "owner_name": "Ada Owner", "owner_timezone": "Europe/Berlin",
               "timezone_from_file": true})
    );
    assert_eq!(accent_css(&app).await, "", "the page's own blue");

    let body =
        json!({"intro": "  Calls by video.\r\nWrite if no time fits. ", "accent_color": "#F5C400"});
    let (status, v) = admin(&app, "PUT", "/admin/api/page", None, Some(body.clone())).await;
    assert_eq!(status, 401, "{v}");
    let (status, v) = admin(&app, "PUT", "/admin/api/page", Some(&owner), Some(body)).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["intro"], "Calls by video.\nWrite if no time fits.");
    assert_eq!(v["accent_color"], "#f5c400");
    let (_, page) = app.get("/api/v1/page").await;
    assert_eq!(
        page["intro"], "Calls by video.\nWrite if no time fits.",
        "{page}"
    );
    assert_eq!(page["accent_color"], "#f5c400");
    let css = accent_css(&app).await;
    assert!(
        css.contains("--accent: #f5c400; --on-accent: #000000"),
        "{css}"
    );

    // Wrong values are named; nothing changes.
    for (body, field) in [
        (json!({"accent_color": "red"}), "accent_color"),
        (json!({"intro": "x".repeat(501)}), "intro"),
    ] {
        let (status, v) = admin(&app, "PUT", "/admin/api/page", Some(&owner), Some(body)).await;
        assert_eq!(
            (status, &v["fields"][0]["field"]),
            (422, &json!(field)),
            "{v}"
        );
    }
    assert_eq!(app.get("/api/v1/page").await.1["accent_color"], "#f5c400");

    // Empty: back to none.
    let (status, _) = admin(
        &app,
        "PUT",
        "/admin/api/page",
        Some(&owner),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, page) = app.get("/api/v1/page").await;
    assert!(
        page.get("intro").is_none() && page.get("accent_color").is_none(),
        "{page}"
    );
}

#[tokio::test]
async fn what_the_file_sets_stays() {
    let app = spawn_app(&format!(
        "{}[page]\naccent_color = \"#0b6e4f\"\n",
        password_section()
    ))
    .await;
    let owner = login(&app).await;
    let (_, v) = admin(&app, "GET", "/admin/api/page", Some(&owner), None).await;
    assert_eq!(
        (&v["accent_color"], &v["accent_from_file"]),
        (&json!("#0b6e4f"), &json!(true)),
        "{v}"
    );
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/page",
        Some(&owner),
        Some(json!({"accent_color": "#000000"})),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("configuration file"),
        "{v}"
    );
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/page",
        Some(&owner),
        Some(json!({"intro": "Hello"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let (_, page) = app.get("/api/v1/page").await;
    assert_eq!(
        (&page["intro"], &page["accent_color"]),
        (&json!("Hello"), &json!("#0b6e4f")),
        "{page}"
    );
}

#[tokio::test]
async fn the_display_name_reaches_page_and_bookings_and_survives_a_restart() {
    let mut app = spawn_app(&password_section()).await;
    let owner = login(&app).await;
    let put = |name: serde_json::Value| json!({ "display_name": name });
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/page",
        Some(&owner),
        Some(put(json!("  Dr. Ada Owner "))),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["display_name"], "Dr. Ada Owner");
    assert_eq!(
        v["owner_name"], "Ada Owner",
        "the file's name stays beside it"
    );
    assert_eq!(
        app.get("/api/v1/page").await.1["owner_name"],
        "Dr. Ada Owner"
    );
    let (_, types) = app.get("/api/v1/event-types").await;
    assert_eq!(types[0]["owner_name"], "Dr. Ada Owner", "{types}");

    for (name, why) in [
        ("a\nb", "one line"),
        (&"x".repeat(101) as &str, "100 characters"),
    ] {
        let (status, v) = admin(
            &app,
            "PUT",
            "/admin/api/page",
            Some(&owner),
            Some(put(json!(name))),
        )
        .await;
        assert_eq!(
            (status, &v["fields"][0]["field"]),
            (422, &json!("display_name")),
            "{v}"
        );
        assert!(v["message"].as_str().unwrap().contains(why), "{v}");
    }

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
    assert_eq!(
        app.get("/api/v1/page").await.1["owner_name"],
        "Dr. Ada Owner",
        "kept over a restart"
    );
    let owner = login(&app).await;
    let (status, _) = admin(
        &app,
        "PUT",
        "/admin/api/page",
        Some(&owner),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.get("/api/v1/page").await.1["owner_name"],
        "Ada Owner",
        "forgotten: the file's name"
    );
}

#[tokio::test]
async fn the_file_display_name_is_read_only() {
    let app = super::app::spawn_env(
        openslot_testkit::fixed_now,
        tempfile::tempdir().unwrap(),
        &format!(
            "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n{}",
            password_section()
        ),
        &[("OPENSLOT_OWNER__DISPLAY_NAME", "Prof. Owner")],
    )
    .await;
    let owner = login(&app).await;
    let (_, v) = admin(&app, "GET", "/admin/api/page", Some(&owner), None).await;
    assert_eq!(
        (&v["display_name"], &v["display_name_from_file"]),
        (&json!("Prof. Owner"), &json!(true)),
        "{v}"
    );
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/page",
        Some(&owner),
        Some(json!({"display_name": "Other"})),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("configuration file"),
        "{v}"
    );
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

fn logo_body(media_type: &str, bytes: &[u8]) -> serde_json::Value {
    use base64::Engine as _;
    json!({"media_type": media_type, "data_base64": base64::engine::general_purpose::STANDARD.encode(bytes)})
}

async fn fetch(app: &super::app::TestApp, path: &str) -> (u16, String, Vec<u8>) {
    let r = app.client.get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn an_uploaded_logo_is_served_checked_replaced_and_removed() {
    let app = spawn_app(&password_section()).await;
    let owner = login(&app).await;
    let (status, _, _) = fetch(&app, "/api/v1/page/logo").await;
    assert_eq!(status, 404, "no logo yet");

    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/page/logo",
        None,
        Some(logo_body("image/png", PNG)),
    )
    .await;
    assert_eq!(status, 401, "{v}");
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/page/logo",
        Some(&owner),
        Some(logo_body("image/png", PNG)),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let preview = v["logo_url"].as_str().unwrap().to_owned();
    assert!(
        preview.starts_with("/admin/api/page/logo-image?v="),
        "{preview}"
    );
    let url = app.get("/api/v1/page").await.1["logo_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        url.starts_with("/api/v1/page/logo?v="),
        "a new logo is a new address: {url}"
    );
    let (status, kind, bytes) = fetch(&app, &url).await;
    assert_eq!(
        (status, kind.as_str(), bytes.as_slice()),
        (200, "image/png", PNG)
    );
    let r = app
        .client
        .get(format!("http://{}{preview}", app.admin))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the dashboard's preview, without a token");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);

    // Hostile or mislabelled files are refused, naming the field; the logo stays.
    let script = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    for (body, field, why) in [
        (logo_body("image/svg+xml", script), "logo", "scripts"),
        (
            logo_body("image/gif", b"GIF89a"),
            "logo",
            "not a PNG, JPEG, WebP or SVG",
        ),
        (logo_body("image/jpeg", PNG), "logo", "not a JPEG"),
        (
            logo_body("image/png", &[PNG, &vec![0u8; 512 * 1024][..]].concat()),
            "logo",
            "512 KB",
        ),
        (
            json!({"media_type": "image/png", "data_base64": "%%%"}),
            "data_base64",
            "base64",
        ),
    ] {
        let (status, v) = admin(
            &app,
            "PUT",
            "/admin/api/page/logo",
            Some(&owner),
            Some(body),
        )
        .await;
        assert_eq!(
            (status, &v["fields"][0]["field"]),
            (422, &json!(field)),
            "{v}"
        );
        assert!(v["message"].as_str().unwrap().contains(why), "{v}");
    }
    assert_eq!(fetch(&app, &url).await.2, PNG, "the logo is unchanged");

    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="#0b6e4f"/></svg>"##;
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/page/logo",
        Some(&owner),
        Some(logo_body("image/svg+xml", svg)),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let r = app
        .client
        .get(app.url("/api/v1/page/logo"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), svg);

    let (status, v) = admin(&app, "DELETE", "/admin/api/page/logo", Some(&owner), None).await;
    assert_eq!(status, 200, "{v}");
    assert!(v.get("logo_url").is_none(), "{v}");
    assert!(app.get("/api/v1/page").await.1.get("logo_url").is_none());
    assert_eq!(fetch(&app, "/api/v1/page/logo").await.0, 404);
}

#[tokio::test]
async fn a_logo_file_in_the_configuration_cannot_be_replaced_here() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("logo.png"), PNG).unwrap();
    let app = super::app::spawn_in(
        dir,
        &format!(
            "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n[page]\nlogo_file = \"logo.png\"\n{}",
            password_section()
        ),
    )
    .await;
    let owner = login(&app).await;
    let (_, v) = admin(&app, "GET", "/admin/api/page", Some(&owner), None).await;
    assert_eq!(
        (&v["logo_url"], &v["logo_from_file"]),
        (&json!("/admin/api/page/logo-image"), &json!(true)),
        "{v}"
    );
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/page/logo",
        Some(&owner),
        Some(logo_body("image/png", PNG)),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert!(v["message"].as_str().unwrap().contains("logo_file"), "{v}");
    let (status, v) = admin(&app, "DELETE", "/admin/api/page/logo", Some(&owner), None).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(fetch(&app, "/api/v1/page/logo").await.2, PNG);
}

/// `[owner] timezone` left out of the file: UTC until the owner picks a zone in the
/// dashboard; then the working hours are read in it at once (and after a restart).
#[tokio::test]
async fn the_owners_zone_left_out_of_the_file_is_chosen_in_the_dashboard() {
    let text = super::app::config_text(&format!(
        "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n{}",
        password_section()
    ))
    .replace("timezone = \"Europe/Berlin\"\n", "");
    let spawn = |dir| super::app::spawn_text(openslot_testkit::fixed_now, dir, &text, &[]);
    let mut app = spawn(tempfile::tempdir().unwrap()).await;
    let owner = login(&app).await;
    let (_, v) = admin(&app, "GET", "/admin/api/page", Some(&owner), None).await;
    assert_eq!(
        (&v["owner_timezone"], &v["timezone_from_file"]),
        (&json!("UTC"), &json!(false)),
        "{v}"
    );
    let first = "/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01&tz=UTC";
    let first_start = |v: serde_json::Value| v["slots"][0]["start"].as_str().unwrap().to_owned();
    assert_eq!(
        first_start(app.get(first).await.1),
        "2026-12-01T09:00:00+00:00",
        "09:00 UTC"
    );

    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/page",
        Some(&owner),
        Some(json!({"owner_timezone": "Mars/Olympus"})),
    )
    .await;
    assert_eq!(
        (status, &v["fields"][0]["field"]),
        (422, &json!("timezone")),
        "{v}"
    );
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/page",
        Some(&owner),
        Some(json!({"owner_timezone": "Asia/Tokyo"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["owner_timezone"], "Asia/Tokyo");
    assert_eq!(app.get("/api/v1/page").await.1["timezone"], "Asia/Tokyo");
    // 09:00 in Tokyo is 00:00 UTC: the same working hours, read in the new zone.
    assert_eq!(
        first_start(app.get(first).await.1),
        "2026-12-01T00:00:00+00:00"
    );

    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    let app = spawn(dir).await;
    assert_eq!(
        first_start(app.get(first).await.1),
        "2026-12-01T00:00:00+00:00",
        "kept over a restart"
    );
}

#[tokio::test]
async fn the_files_zone_is_read_only() {
    let app = spawn_app(&password_section()).await;
    let owner = login(&app).await;
    let (_, v) = admin(&app, "GET", "/admin/api/page", Some(&owner), None).await;
    assert_eq!(v["timezone_from_file"], true, "{v}");
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/page",
        Some(&owner),
        Some(json!({"owner_timezone": "Asia/Tokyo"})),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("configuration file"),
        "{v}"
    );
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/page",
        Some(&owner),
        Some(json!({"owner_timezone": "Europe/Berlin", "intro": "Hi"})),
    )
    .await;
    assert_eq!(status, 200, "sent unchanged: {v}");
    assert_eq!(app.get("/api/v1/page").await.1["timezone"], "Europe/Berlin");
}
