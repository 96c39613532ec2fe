//! The booking page on many days, not only on the day the tests run: the service's clock
//! (OPENSLOT_CLOCK_START) and the browsers' clocks (Playwright's clock API) pinned together to
//! month ends, 31 December, 29 February and the days the clocks change in Europe and the US,
//! and once on the wall clock (today). On each: the visitor's month, the notice, the owner's
//! hours and the offsets around a clock change, a booking, a second visitor in another
//! language who no longer sees it and who walks to the end of the horizon (frontend/e2e/booking.mjs,
//! PHASE=dates).

use chrono::{DateTime, Duration, Utc};

use super::harness::{ready, start_service_at};

/// (what the day is, the pinned instant or "" for the wall clock, the visitor's zone).
const DAYS: &[(&str, &str, &str)] = &[
    (
        "31 December, the last evening of a year (already 1 January in Tokyo)",
        "2026-12-31T22:30:00Z",
        "America/New_York",
    ),
    (
        "the last day of January",
        "2027-01-31T12:00:00Z",
        "Europe/London",
    ),
    ("29 February 2028", "2028-02-29T07:00:00Z", "Asia/Kolkata"),
    (
        "the US clock change in spring (Sunday 14 March 2027)",
        "2027-03-14T05:30:00Z",
        "America/New_York",
    ),
    (
        "the European clock change in spring (Sunday 28 March 2027)",
        "2027-03-28T00:30:00Z",
        "Europe/Berlin",
    ),
    (
        "the European clock change in autumn (Sunday 31 October 2027)",
        "2027-10-31T00:30:00Z",
        "Europe/London",
    ),
    (
        "the US clock change in autumn (Sunday 7 November 2027)",
        "2027-11-07T05:30:00Z",
        "America/Los_Angeles",
    ),
    ("today, on the wall clock", "", "Asia/Tokyo"),
];

const HORIZON_DAYS: i64 = 40;

/// The owner in Berlin, 08:00-20:00 every day, an hour of notice, the captcha on.
fn config() -> String {
    let day = "[\"08:00-20:00\"]";
    format!(
        "[owner]\nname = \"Ada Example\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = true\nrate_limit_per_minute = 200\n\
         [availability]\nmin_notice_minutes = 60\nhorizon_days = {HORIZON_DAYS}\n\
         working_hours = {{ mon = {day}, tue = {day}, wed = {day}, thu = {day}, fri = {day}, sat = {day}, sun = {day} }}\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_booking_page_works_on_month_ends_leap_days_and_clock_changes() {
    if !ready("booking page e2e (dates)") {
        return;
    }
    for (what, pinned, zone) in DAYS {
        let clock = (!pinned.is_empty()).then_some(*pinned);
        let service = start_service_at(&config(), clock).await;
        let horizon = HORIZON_DAYS.to_string();
        let out = tokio::task::block_in_place(|| {
            service.scenario(
                "booking.mjs",
                &service.base,
                &[
                    ("PHASE", "dates"),
                    ("VISITOR_ZONE", zone),
                    ("HORIZON_DAYS", &horizon),
                ],
            )
        });
        let now: DateTime<Utc> = out["now"].as_str().unwrap().parse().unwrap();
        if let Some(pinned) = clock {
            let pinned: DateTime<Utc> = pinned.parse().unwrap();
            assert!(
                now >= pinned && now - pinned < Duration::minutes(10),
                "{what}: the browser's clock {now} is the pinned {pinned}"
            );
        }
        let start: DateTime<Utc> = out["start"].as_str().unwrap().parse().unwrap();
        assert!(
            start >= now + Duration::minutes(59) && start < now + Duration::days(HORIZON_DAYS + 1),
            "{what}: booked {start} with the clock at {now}; log:\n{}",
            service.log()
        );
        println!(
            "{what}: booked {start}, last day {}",
            out["last_day"].as_str().unwrap_or("?")
        );
    }
}
