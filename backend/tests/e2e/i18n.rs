//! The booking page in the visitor's language (issue 18 item 4; frontend/e2e/i18n.mjs): a de-DE
//! browser reads German only (`<html lang="de">`, none of the page's English sentences) from the
//! first step to the confirmation, weeks start on Monday there and on Sunday for ja-JP and en-US,
//! the language and the 12/24-hour clock switch the page and are remembered. The clocks are
//! pinned to Thursday 3 December 2026, 10:00 in Berlin; the owner's texts are German (they stay
//! as the owner wrote them).

use super::harness::{ready, scenario, start_service_at};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_read_their_language_with_their_week_and_clock() {
    if !ready("i18n e2e") {
        return;
    }
    let day = "[\"08:00-20:00\"]";
    let config = format!(
        "[owner]\nname = \"Ada Beispiel\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [availability]\nmin_notice_minutes = 60\nhorizon_days = 40\n\
         working_hours = {{ mon = {day}, tue = {day}, wed = {day}, thu = {day}, fri = {day}, sat = {day}, sun = {day} }}\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Erstgespräch\"\nduration_minutes = 30\n\
         description = \"Wir lernen uns kennen.\"\n\
         [[event_types]]\nslug = \"workshop\"\ntitle = \"Werkstatt\"\nduration_minutes = 120\n"
    );
    let service = start_service_at(&config, Some("2026-12-03T09:00:00Z")).await;
    let env = service.scenario_env(&[]);
    let base = service.base.clone();
    let out = tokio::task::spawn_blocking(move || scenario("i18n.mjs", &base, &env))
        .await
        .unwrap();
    assert_eq!(out["ok"], true, "log:\n{}", service.log());
}
