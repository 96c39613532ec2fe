//! The dashboard's week calendar (frontend/e2e/week.mjs) on the scenarios' pinned clock
//! (Friday 2027-03-26 08:00 in Berlin; summer time begins on Sunday): it opens on that week
//! with the now-line at 08:00, a calendar's busy hour in its colour, a booking's details on
//! click, a block made by dragging from 10:00 to 11:30 that the public slots lose at once, and
//! a usable grid at 360×740.

use chrono::{DateTime, NaiveTime, TimeZone};

use super::harness::{ready, scenario, start_service};

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

const DAY: &str = "2027-03-26";

fn berlin(day: &str, time: &str) -> DateTime<chrono_tz::Tz> {
    let local = day
        .parse::<chrono::NaiveDate>()
        .unwrap()
        .and_time(NaiveTime::parse_from_str(time, "%H:%M").unwrap());
    chrono_tz::Europe::Berlin
        .from_local_datetime(&local)
        .single()
        .unwrap()
}

/// The intro slots of [`DAY`] starting in [10:00, 11:30) Berlin time.
async fn slots_in_the_dragged_range(client: &reqwest::Client, base: &str) -> Vec<String> {
    let r = client
        .get(format!(
            "{base}/api/v1/slots?event_type=intro&from={DAY}&to={DAY}&tz=Europe/Berlin"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    let (from, to) = (berlin(DAY, "10:00"), berlin(DAY, "11:30"));
    body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| {
            let start = DateTime::parse_from_rfc3339(s["start"].as_str()?).ok()?;
            let end = DateTime::parse_from_rfc3339(s["end"].as_str()?).ok()?;
            (start < to && end > from).then(|| start.to_rfc3339())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_week_calendar_shows_the_week_and_makes_blocks_by_dragging() {
    if !ready("week calendar e2e") {
        return;
    }
    let files = tempfile::tempdir().unwrap();
    let ics = files.path().join("work.ics");
    // Thursday 13:00-14:00 and Tuesday 06:00-07:00 in Berlin (UTC+1 that week).
    std::fs::write(
        &ics,
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:w1\r\nDTSTART:20270325T120000Z\r\n\
         DTEND:20270325T130000Z\r\nSUMMARY:Team lunch\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:w2\r\nDTSTART:20270323T050000Z\r\nDTEND:20270323T060000Z\r\n\
         SUMMARY:Early\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
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
         color = \"#1a4f8b\"\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n",
        ics.display()
    );
    let service = start_service(&config).await;
    let client = openslot::sources::http::client(Default::default()).unwrap();
    let body = serde_json::json!({
        "event_type": "intro",
        "start": berlin(DAY, "14:00").to_rfc3339(),
        "name": "Eve Visitor",
        "email": "eve@example.com",
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
    assert!(
        !slots_in_the_dragged_range(&client, &service.base)
            .await
            .is_empty(),
        "10:00-11:30 is free before the drag"
    );
    let admin = service.admin.clone();
    let env = service.scenario_env(&[
        ("PASSWORD", "hunter2"),
        ("MONDAY", "2027-03-22"),
        ("TODAY", DAY),
        ("NOW", "08:00"),
        ("BUSY_DAY", "2027-03-25"),
        ("BUSY_AT", "13:00"),
        ("BUSY_COLOR", "rgb(26, 79, 139)"),
        ("NAME", "Eve Visitor"),
        ("EMAIL", "eve@example.com"),
    ]);
    let result = tokio::task::spawn_blocking(move || scenario("week.mjs", &admin, &env))
        .await
        .unwrap();
    assert_eq!(result["blocks"], 1, "{result}");
    let left = slots_in_the_dragged_range(&client, &service.base).await;
    assert!(left.is_empty(), "slots left in the block: {left:?}");
    drop(service);
}
