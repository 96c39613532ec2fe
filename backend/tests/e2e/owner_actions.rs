//! The owner's actions in the dashboard: each action clears the banner of the last one, and
//! "Explain a time" answers in a neutral panel, in the owner's zone and by calendar name
//! (frontend/e2e/owner_actions.mjs).

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};

use super::harness::{SCENARIO_CLOCK, ready, scenario, start_service};

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_action_clears_the_last_banner_and_explain_is_not_a_success() {
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
    let admin = service.admin.clone();
    let day = day.to_string();
    let env = service.scenario_env(&[
        ("PASSWORD", "hunter2"),
        ("BLOCK_DAY", &day),
        ("SOURCE", "Work calendar"),
    ]);
    let result = tokio::task::spawn_blocking(move || scenario("owner_actions.mjs", &admin, &env))
        .await
        .unwrap();
    assert_eq!(result["explained"], "Not bookable.", "{result}");
    assert!(
        result["busy"].as_str().unwrap().contains("Work calendar"),
        "{result}"
    );
    drop(service);
}
