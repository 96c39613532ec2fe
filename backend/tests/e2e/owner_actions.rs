//! The owner's actions in the dashboard: each action clears the banner of the last one, and
//! "Explain a time" answers in a neutral panel, in the owner's zone and by calendar name
//! (frontend/e2e/owner_actions.mjs).

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};

use super::harness::{SCENARIO_CLOCK, ready, scenario, start_service};

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn banners_clear_explain_speaks_the_owners_zone_and_hours_use_time_pickers() {
    if !ready("owner actions e2e") {
        return;
    }
    let now: DateTime<Utc> = SCENARIO_CLOCK.parse().unwrap();
    let mut day = now.date_naive() + Duration::days(3);
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    // Busy 14:00-15:00 in Berlin (summer time from 28 March 2027: UTC+2).
    let files = tempfile::tempdir().unwrap();
    let ics = files.path().join("work.ics");
    let busy = day.format("%Y%m%d");
    std::fs::write(
        &ics,
        format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:w1\r\nDTSTART:{busy}T120000Z\r\n\
             DTEND:{busy}T130000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ),
    )
    .unwrap();
    let config = format!(
        "[owner]\nname = \"Ada Owner\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [admin]\npassword_hash = '{HUNTER2}'\n\
         [[sources]]\nid = \"work\"\nkind = \"ics\"\nurl = \"file://{}\"\nname = \"Work calendar\"\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n",
        ics.display()
    );
    let service = start_service(&config).await;
    let slots = |base: String, day: String| async move {
        let url = format!("{base}/api/v1/slots?event_type=intro&from={day}&to={day}");
        let v: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        v["slots"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|s| s["start"].as_str().unwrap_or_default().to_owned())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let before = slots(service.base.clone(), day.to_string()).await;
    let admin = service.admin.clone();
    let day = day.to_string();
    let env = service.scenario_env(&[
        ("PASSWORD", "hunter2"),
        ("BLOCK_DAY", &day),
        ("SOURCE", "Work calendar"),
        ("PUBLIC", &service.base),
    ]);
    let result = tokio::task::spawn_blocking(move || scenario("owner_actions.mjs", &admin, &env))
        .await
        .unwrap();
    assert_eq!(result["explained"], "Not bookable.", "{result}");
    assert!(
        result["busy"].as_str().unwrap().contains("Work calendar"),
        "{result}"
    );
    // The hours saved with the time pickers (13:00-15:00 Berlin, busy 14:00-15:00) reach the
    // public page at once: only 13:00 and 13:30 Berlin are left.
    let after = slots(service.base.clone(), day.clone()).await;
    assert!(before.len() > 2, "{before:?}");
    assert_eq!(
        after,
        [
            format!("{day}T13:00:00+02:00"),
            format!("{day}T13:30:00+02:00")
        ],
        "{after:?}"
    );
    drop(service);
}
