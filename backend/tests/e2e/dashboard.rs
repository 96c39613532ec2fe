//! The owner's dashboard on the admin listener: two real bookings and a real iCalendar source,
//! then frontend/e2e/dashboard.mjs (login, bookings and search, calendars and sync now, week,
//! statistics, rules, axe, 320 px, screenshots).

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc, Weekday};

use super::harness::{SCENARIO_CLOCK, ready, scenario, start_service};

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

/// The next working day at least two days after the service's pinned clock.
pub(super) fn booking_day() -> chrono::NaiveDate {
    let now: DateTime<Utc> = SCENARIO_CLOCK.parse().unwrap();
    let mut day = now.date_naive() + Duration::days(2);
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    day
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_logs_in_and_sees_bookings_and_calendars() {
    if !ready("dashboard e2e") {
        return;
    }
    let files = tempfile::tempdir().unwrap();
    let day = booking_day();
    let busy = day.format("%Y%m%d");
    let ics = files.path().join("work.ics");
    std::fs::write(
        &ics,
        format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:w1\r\nDTSTART:{busy}T120000Z\r\n\
             DTEND:{busy}T130000Z\r\nSUMMARY:Team lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ),
    )
    .unwrap();
    let config = format!(
        "[owner]\nname = \"Ada Owner\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [admin]\npassword_hash = '{HUNTER2}'\n\
         [availability]\nmin_notice_minutes = 0\n\
         [[sources]]\nid = \"work\"\nkind = \"ics\"\nurl = \"file://{}\"\nname = \"Work calendar\"\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n\
         [[event_types]]\nslug = \"consult\"\ntitle = \"Consultation\"\nduration_minutes = 60\n\
         step_minutes = 30\n",
        ics.display()
    );
    let service = start_service(&config).await;
    let client = openslot::sources::http::client(Default::default()).unwrap();
    for (slug, time, name, email) in [
        ("intro", "10:00", "Eve Visitor", "eve@example.com"),
        ("consult", "15:00", "Bob Builder", "bob@example.net"),
    ] {
        // That wall-clock time in Berlin, whatever its offset on that day.
        let local = day.and_time(chrono::NaiveTime::parse_from_str(time, "%H:%M").unwrap());
        let start = chrono_tz::Europe::Berlin
            .from_local_datetime(&local)
            .single()
            .unwrap();
        let body = serde_json::json!({
            "event_type": slug,
            "start": start.to_rfc3339(),
            "name": name,
            "email": email,
            "timezone": "Asia/Tokyo",
        });
        let r = client
            .post(format!("{}/api/v1/bookings", service.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert_eq!(status, 201, "{}", r.text().await.unwrap());
    }
    let admin = service.admin.clone();
    let env = service.scenario_env(&[
        ("PASSWORD", "hunter2"),
        ("NAMES", "Eve Visitor,Bob Builder"),
        ("SOURCE", "Work calendar"),
        ("PUBLIC", &service.base),
    ]);
    let result = tokio::task::spawn_blocking(move || scenario("dashboard.mjs", &admin, &env))
        .await
        .unwrap();
    assert_eq!(result["bookings"], 2, "{result}");
    drop(service);
}
