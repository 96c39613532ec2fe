//! The owner's actions in the dashboard: each action clears the banner of the last one, and
//! "Explain a time" answers in a neutral panel (frontend/e2e/owner_actions.mjs).

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
    let config = format!(
        "[owner]\nname = \"Ada Owner\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [admin]\npassword_hash = '{HUNTER2}'\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n"
    );
    let service = start_service(&config).await;
    let admin = service.admin.clone();
    let day = day.to_string();
    let env = service.scenario_env(&[("PASSWORD", "hunter2"), ("BLOCK_DAY", &day)]);
    let result = tokio::task::spawn_blocking(move || scenario("owner_actions.mjs", &admin, &env))
        .await
        .unwrap();
    assert_eq!(result["explained"], "Not bookable.", "{result}");
    drop(service);
}
