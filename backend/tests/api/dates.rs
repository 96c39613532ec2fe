//! The API on many days, not only on the day the tests run: the service's clock pinned to month
//! ends, 31 December, 29 February and the days the clocks change in Europe and the US. On each:
//! the slots of the whole horizon keep the owner's hours (Mon-Fri 09:00-17:00 Berlin) with the
//! visitor's offset of that instant, start at the first free half hour after now and end with
//! the horizon; the first and the last slot can be booked once, then are gone.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde_json::Value;

use super::app::spawn_on;
use super::running_from;

/// A service clock (a fn pointer, as `Application::build` takes).
type Clock = fn() -> DateTime<Utc>;

/// A clock pinned to an instant, with the instant's text.
macro_rules! pinned {
    ($at:literal) => {
        ($at, (|| running_from($at.parse().unwrap())) as Clock)
    };
}

/// (the pinned instant, its clock).
const DAYS: &[(&str, Clock)] = &[
    pinned!("2026-12-31T22:30:00Z"), // 31 December: the horizon crosses the year
    pinned!("2027-01-29T16:45:00Z"), // a Friday evening at a month's end
    pinned!("2027-02-26T09:10:00Z"), // across the end of a February
    pinned!("2028-02-29T08:05:00Z"), // a leap day
    pinned!("2027-03-12T20:00:00Z"), // the US clock change (Sunday 14 March) inside the days
    pinned!("2027-03-26T07:00:00Z"), // the European spring change on Sunday 28 March
    pinned!("2027-10-29T15:59:00Z"), // the European autumn change on Sunday 31 October
    pinned!("2027-11-05T23:00:00Z"), // the US autumn change on Sunday 7 November
];

const HORIZON_DAYS: i64 = 30;
const VISITOR: Tz = chrono_tz::America::New_York;
const OWNER: Tz = chrono_tz::Europe::Berlin;

/// The half hours the owner offers from `now` to the horizon, worked out here from the
/// configuration (Mon-Fri 09:00-17:00 Berlin, no notice, 30 days), independently of the engine.
fn expected_slots(now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let today = now.with_timezone(&OWNER).date_naive();
    let mut out = Vec::new();
    for d in 0..HORIZON_DAYS {
        let day: NaiveDate = today + Duration::days(d);
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        for half_hour in 0..16 {
            let local = day.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap())
                + Duration::minutes(30 * half_hour);
            let start = OWNER
                .from_local_datetime(&local)
                .single()
                .unwrap()
                .with_timezone(&Utc);
            if start >= now {
                out.push(start);
            }
        }
    }
    out
}

fn starts(v: &Value) -> Vec<String> {
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn slots_and_bookings_hold_on_month_ends_leap_days_and_clock_changes() {
    for (pinned, clock) in DAYS {
        let app = spawn_on(
            *clock,
            tempfile::tempdir().unwrap(),
            "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n",
        )
        .await;
        let now = clock();
        let from = now.with_timezone(&VISITOR).date_naive() - Duration::days(1);
        let to = from + Duration::days(HORIZON_DAYS + 2);
        let path =
            format!("/api/v1/slots?event_type=intro&from={from}&to={to}&tz=America/New_York");
        let (status, v) = app.get(&path).await;
        assert_eq!(status, 200, "{pinned}: {v}");
        let shown = starts(&v);
        for start in &shown {
            let at = DateTime::parse_from_rfc3339(start).unwrap();
            let offset = VISITOR.offset_from_utc_datetime(&at.naive_utc());
            assert_eq!(
                at.offset().local_minus_utc(),
                chrono::Offset::fix(&offset).local_minus_utc(),
                "{pinned}: {start} has New York's offset at that instant"
            );
        }
        let got: Vec<DateTime<Utc>> = shown
            .iter()
            .map(|s| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
            .collect();
        let want = expected_slots(now);
        assert_eq!(
            got.first(),
            want.first(),
            "{pinned}: the first slot after {now}"
        );
        assert_eq!(got.last(), want.last(), "{pinned}: the horizon's last slot");
        assert_eq!(got, want, "{pinned}: every slot of the horizon");

        for start in [&shown[0], shown.last().unwrap()] {
            let (status, v) = app.book("intro", start).await;
            assert_eq!(status, 201, "{pinned}: booking {start}: {v}");
            let (status, _) = app.book("intro", start).await;
            assert_eq!(status, 409, "{pinned}: {start} is taken");
        }
        let (_, v) = app.get(&path).await;
        let left = starts(&v);
        assert_eq!(left.len(), shown.len() - 2, "{pinned}");
        assert!(!left.contains(&shown[0]) && !left.contains(shown.last().unwrap()));
    }
}
