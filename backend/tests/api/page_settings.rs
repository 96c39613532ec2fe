//! The booking page's texts edited in the dashboard (`GET`/`PUT /admin/api/page`, issue 18
//! item 10): what the file leaves unset is saved and shown on the page at once (the page's
//! description and the accent's stylesheet); what the file sets stays and is read-only.

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
               "owner_name": "Ada Owner", "owner_timezone": "Europe/Berlin"})
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
