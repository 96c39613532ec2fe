//! Recurring bookings over HTTP: a series is booked whole or not at all (naming the first
//! session that is not free), each session is a booking with its own link, and cancelling one
//! session (or the rest of the series) frees exactly those times.

use serde_json::{Value, json};

use super::app::{TestApp, booking, spawn_app};

/// A 60-minute coaching that repeats weekly or every two weeks, at most 4 sessions.
pub const COACHING: &str = "[[event_types]]\nslug = \"coaching\"\ntitle = \"Coaching\"\n\
    duration_minutes = 60\nrepeat = [\"weekly\", \"every_2_weeks\"]\nmax_sessions = 4\n";

fn series(start: &str, frequency: &str, sessions: u32) -> Value {
    let mut body = booking("coaching", start);
    body["repeat"] = json!({"frequency": frequency, "sessions": sessions});
    body
}

/// The starts (Berlin, "HH:MM") offered on `date` for coaching.
async fn offered(app: &TestApp, date: &str) -> Vec<String> {
    let (status, body) = app
        .get(&format!(
            "/api/v1/slots?event_type=coaching&from={date}&to={date}&tz=Europe/Berlin"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap()[11..16].to_owned())
        .collect()
}

async fn confirmed_count(app: &TestApp) -> i64 {
    openslot::notify::Host::store(&app.service)
        .call(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM bookings WHERE status = 'confirmed'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn event_types_say_which_series_they_offer() {
    let app = spawn_app(COACHING).await;
    let (_, types) = app.get("/api/v1/event-types").await;
    let coaching = types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "coaching")
        .unwrap();
    assert_eq!(coaching["repeat"], json!(["weekly", "every_2_weeks"]));
    assert_eq!(coaching["max_sessions"], 4);
    let intro = types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "intro")
        .unwrap();
    assert!(
        intro["repeat"] == json!([]) && intro.get("max_sessions").is_none(),
        "{intro}"
    );
}

#[tokio::test]
async fn a_weekly_series_books_every_session_at_the_owners_time() {
    let app = spawn_app(COACHING).await;
    let (status, b) = app
        .post(
            "/api/v1/bookings",
            &series("2026-12-01T10:00:00+01:00", "weekly", 4),
        )
        .await;
    assert_eq!(status, 201, "{b}");
    let sessions = b["series"]["sessions"].as_array().unwrap();
    assert_eq!(b["series"]["frequency"], "weekly");
    // In the visitor's zone (New York): 04:00 each Tuesday.
    let starts: Vec<&str> = sessions
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-12-01T04:00:00-05:00",
            "2026-12-08T04:00:00-05:00",
            "2026-12-15T04:00:00-05:00",
            "2026-12-22T04:00:00-05:00"
        ]
    );
    assert_eq!(
        sessions[0]["id"], b["id"],
        "the first session is the booking answered"
    );
    for date in ["2026-12-01", "2026-12-08", "2026-12-15", "2026-12-22"] {
        assert!(
            !offered(&app, date).await.contains(&"10:00".to_owned()),
            "{date}"
        );
    }
    assert!(
        offered(&app, "2026-12-29")
            .await
            .contains(&"10:00".to_owned())
    );

    // Any session's own link shows it with the whole series.
    let third = &sessions[2];
    let (status, got) = app
        .get(&format!(
            "/api/v1/bookings/{}?token={}",
            third["id"].as_str().unwrap(),
            third["manage_token"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["start"], "2026-12-15T04:00:00-05:00");
    assert_eq!(got["series"]["sessions"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn every_two_weeks_skips_a_week() {
    let app = spawn_app(COACHING).await;
    let (status, b) = app
        .post(
            "/api/v1/bookings",
            &series("2026-12-02T14:00:00+01:00", "every_2_weeks", 2),
        )
        .await;
    assert_eq!(status, 201, "{b}");
    assert!(
        offered(&app, "2026-12-09")
            .await
            .contains(&"14:00".to_owned())
    );
    assert!(
        !offered(&app, "2026-12-16")
            .await
            .contains(&"14:00".to_owned())
    );
}

#[tokio::test]
async fn a_series_with_one_taken_date_is_refused_whole_and_names_that_date() {
    let app = spawn_app(COACHING).await;
    let (status, _) = app.book("intro", "2026-12-15T10:30:00+01:00").await;
    assert_eq!(status, 201);
    let before = confirmed_count(&app).await;
    let (status, e) = app
        .post(
            "/api/v1/bookings",
            &series("2026-12-01T10:00:00+01:00", "weekly", 4),
        )
        .await;
    assert_eq!(status, 409, "{e}");
    assert_eq!(e["error"], "series_conflict");
    assert_eq!(e["conflict"]["session"], 3);
    assert_eq!(e["conflict"]["start"], "2026-12-15T04:00:00-05:00");
    assert_eq!(e["conflict"]["reason"], "busy");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("session 3") && message.contains("2026-12-15 04:00"),
        "{message}"
    );
    assert!(
        !message.contains("intro"),
        "never says what makes it busy: {message}"
    );
    // Nothing of the series was kept.
    assert_eq!(confirmed_count(&app).await, before);
    assert!(
        offered(&app, "2026-12-01")
            .await
            .contains(&"10:00".to_owned())
    );
    assert!(
        offered(&app, "2026-12-08")
            .await
            .contains(&"10:00".to_owned())
    );
}

#[tokio::test]
async fn a_series_past_the_horizon_is_refused_and_says_so() {
    // The horizon is 30 days from Monday 30 November: the last day is 29 December.
    let app = spawn_app(COACHING).await;
    let (status, e) = app
        .post(
            "/api/v1/bookings",
            &series("2026-12-15T10:00:00+01:00", "weekly", 4),
        )
        .await;
    assert_eq!(status, 409, "{e}");
    assert_eq!(e["conflict"]["session"], 4);
    assert_eq!(e["conflict"]["reason"], "beyond_horizon");
    assert_eq!(confirmed_count(&app).await, 0);
}

#[tokio::test]
async fn a_first_session_that_is_taken_is_a_plain_not_free() {
    let app = spawn_app(COACHING).await;
    assert_eq!(
        app.book("coaching", "2026-12-01T10:00:00+01:00").await.0,
        201
    );
    let (status, e) = app
        .post(
            "/api/v1/bookings",
            &series("2026-12-01T10:00:00+01:00", "weekly", 2),
        )
        .await;
    assert_eq!(status, 409, "{e}");
    assert_eq!(e["error"], "not_free");
    assert!(!e["next_slots"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn series_the_event_type_does_not_offer_are_invalid() {
    let app = spawn_app(COACHING).await;
    let cases = [
        (
            series("2026-12-01T10:00:00+01:00", "weekly", 5),
            "repeat",
            "2 to 4 sessions",
        ),
        (
            series("2026-12-01T10:00:00+01:00", "weekly", 1),
            "repeat",
            "2 to 4 sessions",
        ),
        (
            series("2026-12-01T10:00:00+01:00", "monthly", 2),
            "repeat.frequency",
            "`weekly` or `every_2_weeks`",
        ),
        (
            {
                let mut b = booking("intro", "2026-12-01T10:00:00+01:00");
                b["repeat"] = json!({"frequency": "weekly", "sessions": 2});
                b
            },
            "repeat",
            "cannot be booked as a series",
        ),
        (
            {
                let mut b = booking("coaching", "2026-12-01T10:00:00+01:00");
                b["repeat"] = json!({});
                b
            },
            "repeat.frequency",
            "is required",
        ),
    ];
    for (body, field, reason) in cases {
        let (status, e) = app.post("/api/v1/bookings", &body).await;
        assert_eq!(status, 422, "{body}: {e}");
        let fields = e["fields"].as_array().unwrap();
        assert!(
            fields
                .iter()
                .any(|f| f["field"] == field && f["reason"].as_str().unwrap().contains(reason)),
            "{body}: {e}"
        );
    }
    assert_eq!(confirmed_count(&app).await, 0);
}

#[tokio::test]
async fn cancelling_one_session_frees_exactly_that_slot_and_following_frees_the_rest() {
    let app = spawn_app(COACHING).await;
    let (status, b) = app
        .post(
            "/api/v1/bookings",
            &series("2026-12-01T10:00:00+01:00", "weekly", 4),
        )
        .await;
    assert_eq!(status, 201, "{b}");
    let sessions = b["series"]["sessions"].as_array().unwrap().clone();
    let link = |i: usize| {
        format!(
            "/api/v1/bookings/{}?token={}",
            sessions[i]["id"].as_str().unwrap(),
            sessions[i]["manage_token"].as_str().unwrap()
        )
    };
    let ten = "10:00".to_owned();

    let (status, got) = app.delete(&link(1)).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["status"], "cancelled");
    assert!(offered(&app, "2026-12-08").await.contains(&ten));
    for date in ["2026-12-01", "2026-12-15", "2026-12-22"] {
        assert!(
            !offered(&app, date).await.contains(&ten),
            "{date} stays booked"
        );
    }

    let (status, e) = app.delete(&format!("{}&scope=all", link(2))).await;
    assert_eq!(status, 422, "{e}");
    let (status, got) = app.delete(&format!("{}&scope=following", link(2))).await;
    assert_eq!(status, 200, "{got}");
    let states: Vec<&str> = got["series"]["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["confirmed", "cancelled", "cancelled", "cancelled"]);
    assert!(offered(&app, "2026-12-15").await.contains(&ten));
    assert!(offered(&app, "2026-12-22").await.contains(&ten));
    assert!(!offered(&app, "2026-12-01").await.contains(&ten));
}
