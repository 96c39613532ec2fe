//! Event details over HTTP: where the meeting is and the owner's questions are shown on the
//! public event types (a video link or phone number only with a booking), answers are checked
//! and stored with the booking; `ref` is kept for the owner's statistics; no-shows are marked
//! by the owner and counted.

use chrono::Duration;
use openslot::booking::details::Answer;
use openslot::store::{NewBooking, bookings};
use serde_json::{Value, json};

use super::admin::{admin, token, with_password};
use super::app::{TestApp, booking, spawn_app};

/// A video call with two questions, and a visit at an address.
pub const DETAILS: &str = "[[event_types]]\nslug = \"demo\"\ntitle = \"Demo\"\nduration_minutes = 30\n\
    location = { kind = \"video\", value = \"https://meet.example.org/openslot-{booking_id}\" }\n\
    [[event_types.questions]]\nid = \"company\"\nlabel = \"Company\"\n\
    [[event_types.questions]]\nid = \"topic\"\nlabel = \"Topic\"\nkind = \"choice\"\n\
    required = true\nchoices = [\"Sales\", \"Support\"]\n\
    [[event_types]]\nslug = \"visit\"\ntitle = \"Visit\"\nduration_minutes = 60\n\
    location = { kind = \"address\", value = \"Main St 1, Berlin\" }\n";

fn demo(answers: Value) -> Value {
    let mut b = booking("demo", "2026-12-01T09:00:00+01:00");
    b["answers"] = answers;
    b
}

async fn event_type(app: &TestApp, slug: &str) -> Value {
    let (_, types) = app.get("/api/v1/event-types").await;
    types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == slug)
        .unwrap()
        .clone()
}

#[tokio::test]
async fn the_page_shows_where_and_what_is_asked_but_no_link_before_booking() {
    let app = spawn_app(DETAILS).await;
    let demo = event_type(&app, "demo").await;
    assert_eq!(
        demo["location"],
        json!({"kind": "video"}),
        "no link before booking"
    );
    assert_eq!(
        demo["questions"],
        json!([
            {"id": "company", "label": "Company", "kind": "text", "required": false,
             "choices": []},
            {"id": "topic", "label": "Topic", "kind": "choice", "required": true,
             "choices": ["Sales", "Support"]}
        ])
    );
    let visit = event_type(&app, "visit").await;
    assert_eq!(
        visit["location"],
        json!({"kind": "address", "value": "Main St 1, Berlin"})
    );
    let intro = event_type(&app, "intro").await;
    assert!(intro.get("location").is_none(), "{intro}");
    assert_eq!(intro["questions"], json!([]), "arrays are always there");
}

#[tokio::test]
async fn answers_are_stored_with_the_booking_and_the_link_is_the_bookings_own() {
    let app = spawn_app(DETAILS).await;
    let (status, b) = app
        .post(
            "/api/v1/bookings",
            &demo(json!({"company": "  ACME <b>Ltd</b> ", "topic": "Support"})),
        )
        .await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap();
    assert_eq!(
        b["location"],
        json!({"kind": "video", "value": format!("https://meet.example.org/openslot-{id}")})
    );
    assert_eq!(
        b["answers"],
        json!([
            {"id": "company", "label": "Company", "value": "ACME <b>Ltd</b>"},
            {"id": "topic", "label": "Topic", "value": "Support"}
        ])
    );
    let (_, again) = app
        .get(&format!(
            "/api/v1/bookings/{id}?token={}",
            b["manage_token"].as_str().unwrap()
        ))
        .await;
    assert_eq!(again["answers"], b["answers"]);
}

#[tokio::test]
async fn wrong_answers_are_refused_each_by_name_and_nothing_is_booked() {
    let app = spawn_app(DETAILS).await;
    let cases = [
        (json!({}), "answers.topic", "is required"),
        (
            json!({"topic": "Other"}),
            "answers.topic",
            "must be one of: Sales, Support",
        ),
        (
            json!({"topic": "Sales", "company": "A\r\nBcc: evil@example.com"}),
            "answers.company",
            "single line",
        ),
        (
            json!({"topic": "Sales", "compnay": "typo"}),
            "answers.compnay",
            "not a question",
        ),
        (
            json!({"topic": "Sales", "company": "x".repeat(501)}),
            "answers.company",
            "500 characters",
        ),
    ];
    for (answers, field, reason) in cases {
        let (status, e) = app.post("/api/v1/bookings", &demo(answers.clone())).await;
        assert_eq!(status, 422, "{answers}: {e}");
        assert!(
            e["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == field && f["reason"].as_str().unwrap().contains(reason)),
            "{answers}: {e}"
        );
    }
    let mut other = booking("intro", "2026-12-01T09:00:00+01:00");
    other["answers"] = json!({"topic": "Sales"});
    let (status, e) = app.post("/api/v1/bookings", &other).await;
    assert_eq!(status, 422, "intro asks nothing: {e}");
    let (status, _) = app
        .post("/api/v1/bookings", &demo(json!({"topic": "Sales"})))
        .await;
    assert_eq!(status, 201, "the slot stayed free");
}

#[tokio::test]
async fn the_ref_is_checked_kept_and_counted_in_the_statistics() {
    let app = spawn_app(&format!("{}{DETAILS}", with_password())).await;
    for (start, visit_ref) in [
        ("2026-12-01T09:00:00+01:00", Some("newsletter")),
        ("2026-12-01T10:00:00+01:00", Some("newsletter")),
        ("2026-12-01T11:00:00+01:00", None),
    ] {
        let mut b = booking("intro", start);
        if let Some(r) = visit_ref {
            b["ref"] = json!(r);
        }
        assert_eq!(app.post("/api/v1/bookings", &b).await.0, 201);
    }
    let mut bad = booking("intro", "2026-12-01T12:00:00+01:00");
    bad["ref"] = json!("<script>");
    let (status, e) = app.post("/api/v1/bookings", &bad).await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["fields"][0]["field"], "ref");

    let token = token(&app).await;
    let (status, stats) = admin(&app, "GET", "/admin/api/stats", Some(&token), None).await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["by_ref"], json!({"direct": 1, "newsletter": 2}));
    assert_eq!(stats["by_event_type"], json!({"intro": 3}));
    assert_eq!(stats["cancellation_rate"], json!(0.0));
    assert_eq!(stats["days"].as_array().unwrap().len(), 84);
    let (_, list) = admin(&app, "GET", "/admin/api/bookings", Some(&token), None).await;
    let refs: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["visit_ref"])
        .collect();
    assert!(refs.contains(&&json!("newsletter")), "{list}");
}

#[tokio::test]
async fn the_owner_marks_a_past_meeting_as_a_no_show_and_it_is_counted() {
    let app = spawn_app(&with_password()).await;
    let now = super::fixed_now();
    // A meeting that began an hour ago (made yesterday), stored as the service would.
    openslot::notify::Host::store(&app.service)
        .call(move |c| {
            bookings::insert(
                c,
                &NewBooking {
                    id: "past".into(),
                    event_type: "intro".into(),
                    start: now - Duration::hours(1),
                    end: now - Duration::minutes(30),
                    name: "Eve".into(),
                    email: "eve@example.com".into(),
                    notes: String::new(),
                    timezone: "UTC".into(),
                    now: now - Duration::days(1),
                    series: None,
                    answers: vec![Answer {
                        id: "q".into(),
                        label: "Q".into(),
                        value: "A".into(),
                    }],
                    visit_ref: None,
                    hold: None,
                },
            )
        })
        .await
        .unwrap();
    let (status, future) = app.book("intro", "2026-12-01T09:00:00+01:00").await;
    assert_eq!(status, 201);
    let token = token(&app).await;
    let mark = |id: String, no_show: bool| {
        let token = token.clone();
        let app = &app;
        async move {
            admin(
                app,
                "POST",
                &format!("/admin/api/bookings/{id}/no-show"),
                Some(&token),
                Some(json!({ "no_show": no_show })),
            )
            .await
        }
    };
    let (status, e) = mark(future["id"].as_str().unwrap().to_owned(), true).await;
    assert_eq!(status, 409, "not yet: {e}");
    let (status, _) = mark("nope".into(), true).await;
    assert_eq!(status, 404);
    let (status, b) = mark("past".into(), true).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["no_show"], true);
    assert_eq!(b["answers"][0]["value"], "A");
    let (_, stats) = admin(&app, "GET", "/admin/api/stats", Some(&token), None).await;
    assert_eq!(stats["no_show_rate"], json!(1.0), "{stats}");
    let (status, b) = mark("past".into(), false).await;
    assert_eq!((status, &b["no_show"]), (200, &json!(false)));
    let (_, stats) = admin(&app, "GET", "/admin/api/stats", Some(&token), None).await;
    assert_eq!(stats["no_show_rate"], json!(0.0));
}
