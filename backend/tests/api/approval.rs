//! `confirm = "owner"` (issue 16): a request holds its time as `pending` and writes nothing
//! into the owner's calendar (a real Radicale) until the owner approves it in the admin API;
//! approve writes it once, decline frees the time; a request not waiting answers 409.

use std::time::Duration;

use openslot_testkit::admin::{admin, login, password_section};
use serde_json::{Value, json};

use super::app::{TestApp, spawn_app};
use super::servers::{Kind, Server};
use super::writeback::{drained, events_with, source};

const TUE_9: &str = "2026-12-01T09:00:00+01:00";
const TUE_10: &str = "2026-12-01T10:00:00+01:00";

fn requests() -> String {
    format!(
        "{}[[event_types]]\nslug = \"asked\"\ntitle = \"Asked call\"\nduration_minutes = 30\n\
         confirm = \"owner\"\nconfirm_owner_hours = 24\n",
        password_section()
    )
}

async fn tuesday(app: &TestApp) -> Vec<String> {
    let (status, v) = app
        .get("/api/v1/slots?event_type=asked&from=2026-12-01&to=2026-12-01&tz=Europe/Berlin")
        .await;
    assert_eq!(status, 200, "{v}");
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap()[11..16].to_owned())
        .collect()
}

async fn decide(app: &TestApp, owner: &str, id: &str, what: &str, body: Value) -> (u16, Value) {
    let path = format!("/admin/api/bookings/{id}/{what}");
    admin(app, "POST", &path, Some(owner), Some(body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_written_only_once_the_owner_approves() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let app = spawn_app(&format!("{}{}", source(&cal), requests())).await;
    let owner = login(&app).await;

    let (status, b) = app.book("asked", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    assert_eq!(b["status"], "pending", "{b}");
    assert_eq!(b["confirm_by"], "owner", "{b}");
    assert!(b["message"].as_str().unwrap().contains("owner"), "{b}");
    // Held: not offered, a second booking of the time is refused.
    assert!(!tuesday(&app).await.contains(&"09:00".to_owned()));
    let (status, v) = app.book("intro", TUE_9).await;
    assert_eq!(status, 409, "{v}");
    // The visitor cannot confirm it themself with the manage token.
    let id = b["id"].as_str().unwrap().to_owned();
    let token = b["manage_token"].as_str().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/bookings/{id}/confirm?token={token}"),
            &Value::Null,
        )
        .await;
    assert_eq!(status, 404);
    // Nor with a valid confirmation token (that link is never mailed for a request).
    let signed = app.service.confirm_token(&id);
    let (status, _) = app
        .post(
            &format!("/api/v1/bookings/{id}/confirm?token={signed}"),
            &Value::Null,
        )
        .await;
    assert_eq!(status, 404, "the owner decides, not the visitor");

    // Nothing in the calendar, no write queued.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(drained(&app, Duration::from_secs(1)).await.is_empty());
    assert!(events_with(&server, &cal, &id).await.is_empty());
    let (status, list) = admin(
        &app,
        "GET",
        "/admin/api/bookings?status=pending",
        Some(&owner),
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list[0]["confirm_by"], "owner", "{list}");
    assert_eq!(list[0]["event_title"], "Asked call", "{list}");
    assert!(list[0]["hold_until"].as_str().is_some(), "{list}");

    let (status, v) = decide(&app, &owner, &id, "approve", Value::Null).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "confirmed", "{v}");
    let rows = drained(&app, Duration::from_secs(20)).await;
    assert_eq!(rows, vec![("done".to_owned(), None)]);
    assert_eq!(events_with(&server, &cal, &id).await.len(), 1);

    // Decided once: both decisions now answer 409 `wrong_state`.
    for what in ["approve", "decline"] {
        let (status, v) = decide(&app, &owner, &id, what, json!({})).await;
        assert_eq!(status, 409, "{what}: {v}");
        assert_eq!(v["error"], "wrong_state", "{v}");
    }
    let (status, _) = decide(&app, &owner, "nope", "approve", Value::Null).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_declined_request_frees_its_time_and_keeps_the_reason() {
    let app = spawn_app(&requests()).await;
    let owner = login(&app).await;
    let (status, b) = app.book("asked", TUE_10).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_owned();
    assert!(!tuesday(&app).await.contains(&"10:00".to_owned()));

    let (status, v) = decide(&app, &owner, &id, "decline", json!({"reason": "a\nb"})).await;
    assert_eq!(status, 422, "{v}");
    let reason = "I am away that day, sorry.";
    let (status, v) = decide(&app, &owner, &id, "decline", json!({ "reason": reason })).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "declined", "{v}");
    assert_eq!(v["decline_reason"], reason, "{v}");
    assert!(tuesday(&app).await.contains(&"10:00".to_owned()));
    let token = b["manage_token"].as_str().unwrap();
    let (status, v) = app
        .get(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!((status, &v["status"]), (200, &json!("declined")), "{v}");
    assert_eq!(v["decline_reason"], reason, "{v}");

    // A booking that stood at once is no request: 409.
    let (status, b) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let plain = b["id"].as_str().unwrap();
    let (status, v) = decide(&app, &owner, plain, "approve", Value::Null).await;
    assert_eq!(status, 409, "{v}");
}

/// The owner's move from the dashboard: the visitor's reschedule without the manage token.
#[tokio::test]
async fn the_owner_moves_a_booking_to_a_free_time_only() {
    let app = spawn_app(&requests()).await;
    let owner = login(&app).await;
    let (status, b) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_owned();
    let (status, other) = app.book("intro", "2026-12-01T11:00:00+01:00").await;
    assert_eq!(status, 201, "{other}");
    let path = format!("/admin/api/bookings/{id}/reschedule");
    let moved = |start: &str| json!({ "start": start });

    let (status, v) = admin(&app, "POST", &path, Some(&owner), Some(moved("soon"))).await;
    assert_eq!(status, 422, "{v}");
    let taken = moved("2026-12-01T11:00:00+01:00");
    let (status, v) = admin(&app, "POST", &path, Some(&owner), Some(taken)).await;
    assert_eq!((status, &v["error"]), (409, &json!("not_free")), "{v}");
    let (status, v) = admin(&app, "POST", &path, Some(&owner), Some(moved(TUE_10))).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["start"], "2026-12-01T09:00:00Z", "{v}");
    let token = b["manage_token"].as_str().unwrap();
    let (_, v) = app
        .get(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!(v["start"], "2026-12-01T04:00:00-05:00", "the new time: {v}");
    let nobody = "/admin/api/bookings/nobody/reschedule";
    let (status, _) = admin(&app, "POST", nobody, Some(&owner), Some(moved(TUE_10))).await;
    assert_eq!(status, 404);
}

/// The visitor withdraws a request through the manage link's cancel: cancelled, time free,
/// nothing queued; the owner can no longer approve it.
#[tokio::test]
async fn the_visitor_withdraws_a_waiting_request() {
    let app = spawn_app(&requests()).await;
    let owner = login(&app).await;
    let (status, b) = app.book("asked", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_owned();
    let token = b["manage_token"].as_str().unwrap();
    let (status, v) = app
        .delete(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!((status, &v["status"]), (200, &json!("cancelled")), "{v}");
    assert!(v.get("hold_until").is_none(), "{v}");
    assert!(tuesday(&app).await.contains(&"09:00".to_owned()));
    let (status, v) = decide(&app, &owner, &id, "approve", Value::Null).await;
    assert_eq!(status, 409, "{v}");
    assert!(drained(&app, Duration::from_secs(1)).await.is_empty());
    // A wrong token withdraws nothing.
    let (status, b) = app.book("asked", TUE_10).await;
    assert_eq!(status, 201, "{b}");
    let other = b["id"].as_str().unwrap();
    let (status, _) = app
        .delete(&format!("/api/v1/bookings/{other}?token={token}"))
        .await;
    assert_eq!(status, 404);
}
