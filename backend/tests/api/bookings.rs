//! Event types, slots, booking, manage links, idempotency, validation, captcha, rate limit,
//! freshness, reschedule and the owner's feeds.

use serde_json::{Value, json};

use super::app::{booking, spawn_app, spawn_with};

const TUE_9: &str = "2026-12-01T09:00:00+01:00";

fn starts(v: &Value) -> Vec<String> {
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn event_types_name_the_owner_and_the_zone() {
    let app = spawn_app("").await;
    let (status, v) = app.get("/api/v1/event-types").await;
    assert_eq!(status, 200);
    assert_eq!(
        v[0],
        json!({"slug": "intro", "title": "Intro call", "duration": 30,
               "description": "Thirty minutes", "owner_name": "Ada Owner",
               "timezone": "Europe/Berlin", "repeat": [], "questions": []})
    );
    assert_eq!(v[1]["slug"], "consult");
}

#[tokio::test]
async fn slots_are_in_the_visitors_zone_and_taken_ones_disappear() {
    let app = spawn_app("").await;
    let path = "/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01&tz=America/New_York";
    let (status, v) = app.get(path).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["timezone"], "America/New_York");
    let all = starts(&v);
    // 09:00-17:00 Berlin on Tuesday = 03:00-11:00 New York; 16 half-hour slots.
    assert_eq!(all.len(), 16, "{all:?}");
    assert_eq!(all[0], "2026-12-01T03:00:00-05:00");
    assert_eq!(v["slots"][0]["end"], "2026-12-01T03:30:00-05:00");
    let (status, _) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201);
    let (_, v) = app.get(path).await;
    assert!(!starts(&v).contains(&"2026-12-01T03:00:00-05:00".to_owned()));
    assert_eq!(starts(&v).len(), 15);
    // The answer never says why.
    assert!(!v.to_string().contains("Eve"), "{v}");
}

#[tokio::test]
async fn slots_refuse_bad_parameters_with_the_field() {
    let app = spawn_app("").await;
    let cases = [
        ("/api/v1/slots?from=2026-12-01&to=2026-12-01", "event_type"),
        (
            "/api/v1/slots?event_type=nope&from=2026-12-01&to=2026-12-01",
            "event_type",
        ),
        (
            "/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01&tz=Mars/Base",
            "tz",
        ),
        (
            "/api/v1/slots?event_type=intro&from=2026-12-05&to=2026-12-01",
            "to",
        ),
        (
            "/api/v1/slots?event_type=intro&from=01.12.2026&to=2026-12-01",
            "from",
        ),
        (
            "/api/v1/slots?event_type=intro&from=2026-01-01&to=2026-12-31",
            "to",
        ),
    ];
    for (path, field) in cases {
        let (status, v) = app.get(path).await;
        assert_eq!(status, 422, "{path}: {v}");
        assert_eq!(v["error"], "invalid");
        assert!(
            v["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == field),
            "{path}: {v}"
        );
    }
}

#[tokio::test]
async fn a_booking_is_made_once_and_managed_only_with_its_token() {
    let app = spawn_app("").await;
    let (status, b) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    assert_eq!(b["status"], "confirmed");
    assert_eq!(
        b["start"], "2026-12-01T03:00:00-05:00",
        "in the visitor's zone"
    );
    assert_eq!(b["end"], "2026-12-01T03:30:00-05:00");
    let id = b["id"].as_str().unwrap();
    let token = b["manage_token"].as_str().unwrap();
    assert_eq!(
        b["manage_url"],
        format!("https://book.example.org/manage/{id}?token={token}")
    );

    let (status, v) = app.book("intro", TUE_9).await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["error"], "not_free");
    assert_eq!(
        v["next_slots"][0]["start"], "2026-12-01T03:30:00-05:00",
        "{v}"
    );

    let (status, v) = app
        .get(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!((status, v["id"].as_str()), (200, Some(id)));
    // Wrong token, no token, unknown id: the same 404.
    let wrong = app
        .get(&format!("/api/v1/bookings/{id}?token=x{token}"))
        .await;
    let none = app.get(&format!("/api/v1/bookings/{id}")).await;
    let other = app
        .get(&format!(
            "/api/v1/bookings/{}?token={token}",
            "0".repeat(32)
        ))
        .await;
    assert_eq!(wrong.0, 404);
    assert_eq!(wrong, none);
    assert_eq!(wrong, other);
    let (status, _) = app
        .delete(&format!("/api/v1/bookings/{id}?token=nope"))
        .await;
    assert_eq!(status, 404);

    let (status, v) = app
        .delete(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!((status, &v["status"]), (200, &json!("cancelled")), "{v}");
    let (status, _) = app
        .delete(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!(status, 200, "cancelling twice is fine");
    let (status, _) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "the slot is free again");
}

#[tokio::test]
async fn times_that_are_not_offered_slots_are_refused() {
    let app = spawn_app("").await;
    for start in [
        "2026-12-01T09:10:00+01:00", // off the grid
        "2026-12-05T10:00:00+01:00", // Saturday
        "2026-11-30T05:00:00Z",      // in the past
        "2027-03-01T10:00:00+01:00", // beyond the horizon
        "2026-12-01T16:45:00+01:00", // would end after 17:00
    ] {
        let (status, v) = app.book("intro", start).await;
        assert_eq!(status, 409, "{start}: {v}");
    }
}

#[tokio::test]
async fn an_idempotency_key_makes_a_retry_safe() {
    let app = spawn_app("").await;
    let send = |body: Value, key: &'static str| {
        let req = app
            .client
            .post(app.url("/api/v1/bookings"))
            .header("Idempotency-Key", key)
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            let replayed = r.headers().get("idempotent-replayed").is_some();
            (
                r.status().as_u16(),
                replayed,
                r.json::<Value>().await.unwrap(),
            )
        }
    };
    let (s1, r1, first) = send(booking("intro", TUE_9), "k-1").await;
    let (s2, r2, again) = send(booking("intro", TUE_9), "k-1").await;
    assert_eq!((s1, r1), (201, false));
    assert_eq!((s2, r2), (201, true), "{again}");
    assert_eq!(first["id"], again["id"]);
    let mut other = booking("intro", "2026-12-01T10:00:00+01:00");
    other["name"] = json!("Mallory");
    let (s3, _, v) = send(other, "k-1").await;
    assert_eq!(s3, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "Idempotency-Key");
}

#[tokio::test]
async fn invalid_input_names_every_field_and_hostile_text_stays_data() {
    let app = spawn_app("").await;
    let (status, v) = app.post("/api/v1/bookings", &json!({})).await;
    assert_eq!(status, 422, "{v}");
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["event_type", "start", "name", "email", "timezone"] {
        assert!(fields.contains(&f), "{f} missing in {v}");
    }
    let mut crlf = booking("intro", TUE_9);
    crlf["name"] = json!("Eve\r\nBCC: x@y.z");
    crlf["email"] = json!("eve@example.com\r\nX: y");
    crlf["notes"] = json!("x".repeat(2001));
    let (status, v) = app.post("/api/v1/bookings", &crlf).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["fields"].as_array().unwrap().len(), 3, "{v}");

    let mut html = booking("intro", TUE_9);
    html["name"] = json!("<script>alert(1)</script>");
    html["notes"] = json!("<img src=x onerror=alert(1)>\nline two");
    let (status, v) = app.post("/api/v1/bookings", &html).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(
        v["name"], "<script>alert(1)</script>",
        "kept as data, JSON-encoded"
    );
}

#[tokio::test]
async fn the_captcha_is_required_single_use_and_solved_by_proof_of_work() {
    let app = spawn_with("[security]\ncaptcha = true\nrate_limit_per_minute = 0\n").await;
    let (status, v) = app.book("intro", TUE_9).await;
    assert_eq!((status, &v["error"]), (400, &json!("captcha")), "{v}");
    let (status, challenge) = app.get("/api/v1/captcha").await;
    assert_eq!(status, 200);
    let challenge: openslot::api::guards::captcha::Challenge =
        serde_json::from_value(challenge).unwrap();
    let payload = openslot::api::guards::captcha::solve(&challenge).unwrap();
    let mut body = booking("intro", TUE_9);
    body["captcha"] = json!(payload);
    let (status, v) = app.post("/api/v1/bookings", &body).await;
    assert_eq!(status, 201, "{v}");
    body["start"] = json!("2026-12-01T10:00:00+01:00");
    let (status, v) = app.post("/api/v1/bookings", &body).await;
    assert_eq!(
        (status, &v["error"]),
        (400, &json!("captcha")),
        "replayed: {v}"
    );
}

/// Row 12: a byte-identical retry with an `Idempotency-Key` is replayed (the captcha it
/// carries was spent by the first attempt), and a refused request (422, 409) leaves its
/// solved captcha usable.
#[tokio::test]
async fn a_retry_is_replayed_past_the_captcha_and_a_refusal_does_not_spend_it() {
    let app = spawn_with("[security]\ncaptcha = true\nrate_limit_per_minute = 0\n").await;
    let solved = || async {
        let (_, challenge) = app.get("/api/v1/captcha").await;
        let challenge: openslot::api::guards::captcha::Challenge =
            serde_json::from_value(challenge).unwrap();
        openslot::api::guards::captcha::solve(&challenge).unwrap()
    };
    let send = |body: Value, key: &'static str| {
        let r = app
            .client
            .post(app.url("/api/v1/bookings"))
            .header("Idempotency-Key", key)
            .json(&body)
            .send();
        async move {
            let r = r.await.unwrap();
            let status = r.status().as_u16();
            let replayed = r.headers().contains_key("idempotent-replayed");
            (status, replayed, r.json::<Value>().await.unwrap())
        }
    };
    let mut body = booking("intro", TUE_9);
    body["captcha"] = json!(solved().await);
    let (status, replayed, first) = send(body.clone(), "retry-1").await;
    assert_eq!((status, replayed), (201, false), "{first}");
    let (status, replayed, again) = send(body.clone(), "retry-1").await;
    assert_eq!((status, replayed), (201, true), "{again}");
    assert_eq!(again["id"], first["id"]);

    // A 422 and a 409 give the solved captcha back.
    let mut other = booking("intro", "2026-12-01T10:00:00+01:00");
    other["captcha"] = json!(solved().await);
    other["email"] = json!("not an address");
    let (status, _, v) = send(other.clone(), "retry-2").await;
    assert_eq!((status, &v["error"]), (422, &json!("invalid")), "{v}");
    other["email"] = json!("eve@example.com");
    other["start"] = json!(TUE_9);
    let (status, _, v) = send(other.clone(), "retry-3").await;
    assert_eq!((status, &v["error"]), (409, &json!("not_free")), "{v}");
    other["start"] = json!("2026-12-01T10:00:00+01:00");
    let (status, _, v) = send(other.clone(), "retry-4").await;
    assert_eq!(status, 201, "still usable after a 422 and a 409: {v}");
    // Booked once, it is spent for any other request.
    other["start"] = json!("2026-12-01T11:00:00+01:00");
    let (status, _, v) = send(other, "retry-5").await;
    assert_eq!((status, &v["error"]), (400, &json!("captcha")), "{v}");
}

#[tokio::test]
async fn too_many_requests_from_one_address_get_429_with_retry_after() {
    let app = spawn_with("[security]\ncaptcha = false\nrate_limit_per_minute = 2\n").await;
    for _ in 0..2 {
        let (status, _) = app.book("intro", "2026-12-05T10:00:00+01:00").await;
        assert_eq!(status, 409);
    }
    let r = app
        .client
        .post(app.url("/api/v1/bookings"))
        .json(&booking("intro", TUE_9))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
}

/// A stale calendar (fail closed): bookings get 503 and the slot list carries a notice; the
/// public answers name no calendar, path or error text; the admin listener's /readyz does.
#[tokio::test]
async fn a_stale_calendar_refuses_bookings_with_503_and_says_why_slots_are_missing() {
    // A source that cannot be read and was never synced: fail closed.
    let app = spawn_app(
        "[[sources]]\nid = \"work\"\nkind = \"ics\"\nurl = \"file://missing.ics\"\nname = \"Work\"\n",
    )
    .await;
    let secret = |v: &Value| {
        let text = v.to_string();
        ["Work", "work", "missing", "file:"]
            .iter()
            .find(|s| text.contains(**s))
            .map(|s| (*s).to_owned())
    };
    let (status, v) = app.book("intro", TUE_9).await;
    assert_eq!(status, 503, "{v}");
    assert_eq!(v["error"], "calendars_stale");
    assert_eq!(secret(&v), None, "{v}");
    let (_, v) = app
        .get("/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01")
        .await;
    assert_eq!(v["slots"], json!([]));
    assert_eq!(v["notice"]["code"], "calendars_unavailable", "{v}");
    assert_eq!(secret(&v), None, "{v}");
    let (status, v) = app.get("/readyz").await;
    assert_eq!(status, 503, "{v}");
    assert_eq!(v["database_writable"], true);
    assert_eq!(v["stale_calendars"], 1, "{v}");
    assert!(v.get("stale_sources").is_none(), "{v}");
    assert_eq!(secret(&v), None, "{v}");
    let admin: Value = app
        .client
        .get(format!("http://{}/readyz", app.admin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let named = admin["stale_sources"][0].as_str().unwrap_or_default();
    assert!(named.starts_with("work: NEVER SYNCED"), "{admin}");
}

#[tokio::test]
async fn a_healthy_calendar_gives_slots_without_a_notice() {
    let (_, v) = spawn_app("")
        .await
        .get("/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01")
        .await;
    assert!(v.get("notice").is_none(), "{v}");
}

#[tokio::test]
async fn busy_time_of_a_source_is_not_offered_and_not_bookable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("work.ics"),
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:w1\r\nDTSTART:20261201T080000Z\r\n\
         DTEND:20261201T090000Z\r\nSUMMARY:Secret board meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let app = super::app::spawn_in(
        dir,
        "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [[sources]]\nid = \"work\"\nkind = \"ics\"\nurl = \"file://work.ics\"\n",
    )
    .await;
    let (status, v) = app.book("intro", TUE_9).await;
    assert_eq!(status, 409, "09:00 Berlin is busy: {v}");
    let (_, v) = app
        .get("/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01&tz=Europe/Berlin")
        .await;
    assert_eq!(starts(&v)[0], "2026-12-01T10:00:00+01:00");
    assert!(!v.to_string().contains("Secret"));
}

#[tokio::test]
async fn reschedule_takes_the_new_time_and_frees_the_old() {
    let app = spawn_app("").await;
    let (_, b) = app.book("intro", TUE_9).await;
    let (_, other) = app.book("intro", "2026-12-01T11:00:00+01:00").await;
    let (id, token) = (
        b["id"].as_str().unwrap(),
        b["manage_token"].as_str().unwrap(),
    );
    let path = format!("/api/v1/bookings/{id}/reschedule?token={token}");
    let (status, v) = app.post(&path, &json!({"start": other["start"]})).await;
    assert_eq!(status, 409, "taken by the other booking: {v}");
    let (status, v) = app
        .post(&path, &json!({"start": "2026-12-01T09:30:00+01:00"}))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["start"], "2026-12-01T03:30:00-05:00");
    let (status, _) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "the old time is free");
    let (status, _) = app
        .post(
            &format!("/api/v1/bookings/{id}/reschedule?token=bad"),
            &json!({"start": "2026-12-01T12:00:00+01:00"}),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_owners_feeds_need_their_tokens_and_show_bookings_and_busy_time() {
    let app = spawn_app("").await;
    let (_, b) = app.book("intro", TUE_9).await;
    let urls = app.service.feed_urls().await.unwrap();
    let (bookings_url, freebusy_url) = (urls.bookings, urls.freebusy);
    let local = |u: &str| u.replace("https://book.example.org", "");
    let (status, text) = app.get(&local(&bookings_url)).await;
    assert_eq!(status, 200);
    let text = text.as_str().unwrap().to_owned();
    let cal = openslot::calendar::parse_calendar(&text, "feed");
    assert_eq!(cal.events.len(), 1, "{text}");
    assert!(text.contains("Eve Visitor"));
    assert!(text.contains(&format!("UID:{}@openslot", b["id"].as_str().unwrap())));

    let (status, text) = app.get(&local(&freebusy_url)).await;
    assert_eq!(status, 200);
    let text = text.as_str().unwrap().to_owned();
    assert!(
        text.contains("FREEBUSY;FBTYPE=BUSY:20261201T080000Z/20261201T083000Z"),
        "{text}"
    );
    assert!(!text.contains("Eve"), "no names in free/busy");

    for path in [
        "/api/v1/bookings.ics",
        "/api/v1/bookings.ics?token=nope",
        "/api/v1/freebusy.ics?token=nope",
    ] {
        assert_eq!(app.get(path).await.0, 404, "{path}");
    }
    // A feed token is not a manage token and the other way round.
    let feed_token = bookings_url.split("token=").nth(1).unwrap();
    let id = b["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/bookings/{id}?token={feed_token}"))
            .await
            .0,
        404
    );
}
