//! A booking the owner makes in the dashboard (`POST /admin/api/bookings`, issue 18 item 13):
//! it stands at once even for an event type whose requests wait for the owner, takes its slot
//! like any booking, is refused on a taken time, and checks its fields with the form's rules.

use openslot_testkit::admin::{admin, login, password_section};
use serde_json::json;

use super::app::spawn_app;

const TUE_9: &str = "2026-12-01T09:00:00+01:00";

fn config() -> String {
    format!(
        "{}[[event_types]]\nslug = \"asked\"\ntitle = \"Asked call\"\nduration_minutes = 30\n\
         confirm = \"owner\"\n",
        password_section()
    )
}

#[tokio::test]
async fn the_owner_books_a_free_time_for_a_visitor() {
    let app = spawn_app(&config()).await;
    let owner = login(&app).await;
    let body = json!({
        "event_type": "asked", "start": TUE_9, "name": "Pia Phone",
        "email": "pia@example.org", "notes": "Called on Monday",
    });
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/bookings",
        None,
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 401, "owner only: {v}");
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/bookings",
        Some(&owner),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["status"], "confirmed", "no request to approve: {v}");
    assert_eq!(v["event_title"], "Asked call");
    assert_eq!(v["visit_ref"], "dashboard");
    assert_eq!(
        v["timezone"], "Europe/Berlin",
        "the owner's zone by default"
    );
    assert_eq!(v["notes"], "Called on Monday");
    assert!(v.get("hold_until").is_none(), "{v}");

    // Taken: not offered any more, and not twice.
    let (status, slots) = app
        .get("/api/v1/slots?event_type=asked&from=2026-12-01&to=2026-12-01&tz=Europe/Berlin")
        .await;
    assert_eq!(status, 200);
    assert!(!slots.to_string().contains("T09:00:00+01:00"), "{slots}");
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/bookings",
        Some(&owner),
        Some(body),
    )
    .await;
    assert_eq!((status, &v["error"]), (409, &json!("not_free")), "{v}");
}

#[tokio::test]
async fn every_wrong_field_is_named() {
    let app = spawn_app(&config()).await;
    let owner = login(&app).await;
    let body = json!({
        "event_type": "nope", "start": "tuesday at nine", "name": "\u{200b}",
        "email": "not an address", "timezone": "Mars/Olympus",
    });
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/bookings",
        Some(&owner),
        Some(body),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["event_type", "start", "name", "email", "timezone"],
        "{v}"
    );
    let (status, list) = admin(&app, "GET", "/admin/api/bookings", Some(&owner), None).await;
    assert_eq!(
        (status, list.as_array().map(Vec::len)),
        (200, Some(0)),
        "nothing stored"
    );
}
