//! The booking page: a visitor in Tokyo books an owner in Berlin; the event lands in Radicale
//! at the right instant; the second visitor no longer sees the slot; cancel through the manage
//! link frees it; "just taken"; keyboard only; axe; screenshots (frontend/e2e/booking.mjs).

use std::time::Duration;

use chrono::{DateTime, Utc};
use openslot::calendar::{BusyPolicy, Interval, busy_intervals, parse_calendar};
use openslot::sources::{CalendarSource, Fetched, Item};

use super::harness::{SCENARIO_CLOCK, ready, start_service};
use super::servers::{Kind, PASSWORD, Server, USER};

/// The owner in Berlin, working every day 08:00-20:00, two event types, the captcha on (the
/// page solves it in a web worker), Radicale as the calendar written to.
pub fn config(calendar_url: &str) -> String {
    let day = "[\"08:00-20:00\"]";
    format!(
        "[owner]\nname = \"Ada Example\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = true\nrate_limit_per_minute = 200\n\
         [page]\nintro = \"Pick a time that suits you.\"\naccent_color = \"#0b6e4f\"\n\
         [availability]\nmin_notice_minutes = 60\nhorizon_days = 40\n\
         working_hours = {{ mon = {day}, tue = {day}, wed = {day}, thu = {day}, fri = {day}, sat = {day}, sun = {day} }}\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n\
         description = \"A first call.\"\n\
         [[event_types]]\nslug = \"consult\"\ntitle = \"Consultation\"\nduration_minutes = 60\n\
         repeat = [\"weekly\", \"every_2_weeks\"]\nmax_sessions = 4\n\
         location = {{ kind = \"video\", value = \"https://meet.example.org/openslot-{{booking_id}}\" }}\n\
         [[event_types.questions]]\nid = \"company\"\nlabel = \"Company\"\n\
         [[event_types.questions]]\nid = \"topic\"\nlabel = \"Topic\"\nkind = \"choice\"\nrequired = true\n\
         choices = [\"Coaching\", \"Review\"]\n\
         [[sources]]\nid = \"cal\"\nkind = \"caldav\"\nurl = \"{calendar_url}\"\nusername = \"{USER}\"\n\
         password = \"{PASSWORD}\"\nwrite = true\ntimeout_seconds = 5\n"
    )
}

/// The busy intervals of the events whose UID starts with `uid` in the calendar.
async fn busy_of(server: &Server, calendar: &str, uid: &str) -> Vec<Interval> {
    let reader = server.caldav(calendar, None);
    // The service's pinned clock (a few minutes on at most).
    let now: DateTime<Utc> = SCENARIO_CLOCK.parse().unwrap();
    let window = Interval {
        start: now - chrono::Duration::days(1),
        end: now + chrono::Duration::days(60),
    };
    let Fetched::Full { items, .. } = reader.fetch(window, None).await.unwrap() else {
        panic!("a full fetch")
    };
    let mut out = Vec::new();
    for item in items.values() {
        if let Item::Ics { text, .. } = item
            && text.contains(&format!("UID:{uid}"))
        {
            let cal = parse_calendar(text, "radicale");
            let mut warnings = Vec::new();
            out.extend(busy_intervals(
                &cal,
                window,
                chrono_tz::Europe::Berlin,
                &BusyPolicy::default(),
                &mut warnings,
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokyo_visitor_books_berlin_owner_then_cancels_and_the_just_taken_path() {
    if !ready("booking page e2e") {
        return;
    }
    let radicale = Server::start(Kind::Radicale).await;
    let calendar = radicale.mkcalendar("work", "Work", "#112233FF").await;
    let service = start_service(&config(&calendar)).await;

    let booked = service.scenario("booking.mjs", &service.base, &[("PHASE", "book")]);
    let id = booked["id"].as_str().unwrap().to_owned();
    let start: DateTime<Utc> = booked["start"].as_str().unwrap().parse().unwrap();
    let end: DateTime<Utc> = booked["end"].as_str().unwrap().parse().unwrap();
    assert_eq!(end - start, chrono::Duration::minutes(30));

    // The outbox writes the event into Radicale at that instant (in UTC, whatever the zones).
    let uid = format!("{id}@openslot");
    let mut busy = Vec::new();
    for _ in 0..100 {
        busy = busy_of(&radicale, &calendar, &uid).await;
        if !busy.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        busy,
        vec![Interval { start, end }],
        "the event in Radicale; log:\n{}",
        service.log()
    );

    service.scenario(
        "booking.mjs",
        &service.base,
        &[
            ("PHASE", "after"),
            ("MANAGE_PATH", booked["manage_path"].as_str().unwrap()),
            ("START", booked["start"].as_str().unwrap()),
        ],
    );
    // The cancel removed the event from Radicale too.
    let mut left = busy;
    for _ in 0..100 {
        left = busy_of(&radicale, &calendar, &uid).await;
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(left.is_empty(), "the cancelled event left Radicale");
}

/// The owner in Berlin, working every day 08:00-20:00, one event type "intro", with `extra`
/// (`[security]`, `[admin]`).
fn every_day(extra: &str) -> String {
    let day = "[\"08:00-20:00\"]";
    format!(
        "[owner]\nname = \"Ada Example\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         {extra}\
         [availability]\nmin_notice_minutes = 60\nhorizon_days = 20\n\
         working_hours = {{ mon = {day}, tue = {day}, wed = {day}, thu = {day}, fri = {day}, sat = {day}, sun = {day} }}\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n"
    )
}

/// One booking request a minute: the second attempt says how long to wait (a real 429 with
/// Retry-After from the service).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_visitor_is_told_how_long_to_wait() {
    if !ready("booking page e2e (rate limit)") {
        return;
    }
    let config = every_day("[security]\ncaptcha = false\nrate_limit_per_minute = 1\n");
    let service = start_service(&config).await;
    service.scenario("booking.mjs", &service.base, &[("PHASE", "limits")]);
}

/// The owner switches the captcha in the dashboard while a visitor's form is open (the file
/// leaves it unset): off, the open form books without the proof of work; on, a form loaded
/// while it was off is refused once, solves it and books.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_booking_form_follows_the_captcha_switched_in_the_dashboard() {
    if !ready("booking page e2e (captcha switched)") {
        return;
    }
    let config = every_day(&format!(
        "[security]\nrate_limit_per_minute = 0\n[admin]\npassword_hash = '{}'\n",
        openslot_testkit::admin::PASSWORD_HASH
    ));
    let service = start_service(&config).await;
    service.scenario(
        "booking.mjs",
        &service.base,
        &[
            ("PHASE", "switched"),
            ("ADMIN", &service.admin),
            ("PASSWORD", openslot_testkit::admin::PASSWORD),
        ],
    );
}

/// A series from the page: refused whole when a later session is taken (the page names it),
/// booked every two weeks, listed on the confirmation, cancelled from the manage page with the
/// later sessions; their events leave Radicale.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_books_a_series_and_cancels_the_rest_of_it() {
    if !ready("booking page e2e (series)") {
        return;
    }
    let radicale = Server::start(Kind::Radicale).await;
    let calendar = radicale.mkcalendar("work", "Work", "#112233FF").await;
    let service = start_service(&config(&calendar)).await;
    let out = service.scenario("booking.mjs", &service.base, &[("PHASE", "series")]);
    let ids: Vec<String> = out["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    for id in &ids {
        let uid = format!("{id}@openslot");
        let mut left = Vec::new();
        for _ in 0..100 {
            left = busy_of(&radicale, &calendar, &uid).await;
            if left.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            left.is_empty(),
            "session {id} left Radicale; log:\n{}",
            service.log()
        );
    }
}
