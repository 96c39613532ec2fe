//! The visitor's experience (issue 18): a tapped day's times come into view on a phone (the
//! booking page and the manage page's reschedule picker), the time zone field finds cities,
//! countries and old names with offsets and clocks, and what was typed survives "just taken"
//! (frontend/e2e/visitor.mjs). One calendar without events: every working half hour is free; the
//! owner's accent is a yellow that white text cannot be read on; an intro and a description
//! long enough that on a phone the times start below the screen.

use super::harness::{ready, scenario, start_service};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_scrolling_zone_search_and_kept_details() {
    if !ready("visitor e2e") {
        return;
    }
    let files = tempfile::tempdir().unwrap();
    let empty = files.path().join("empty.ics");
    std::fs::write(
        &empty,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let day = "[\"08:00-20:00\"]";
    let config = format!(
        "[owner]\nname = \"Ada Owner\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [page]\naccent_color = \"#f5c400\"\n\
         intro = \"Pick a time that suits you. Calls are by video; the link comes with the \
         confirmation. If no time fits, write to me and we will find one.\"\n\
         [availability]\nmin_notice_minutes = 60\nhorizon_days = 40\n\
         working_hours = {{ mon = {day}, tue = {day}, wed = {day}, thu = {day}, fri = {day}, sat = {day}, sun = {day} }}\n\
         [[sources]]\nid = \"work\"\nkind = \"ics\"\nurl = \"file://{}\"\nname = \"Work\"\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n\
         description = \"A first call to get to know each other and to see whether and how I can \
         help with your project.\"\n",
        empty.display()
    );
    let service = start_service(&config).await;
    let env = service.scenario_env(&[]);
    let base = service.base.clone();
    let out = tokio::task::spawn_blocking(move || scenario("visitor.mjs", &base, &env))
        .await
        .unwrap();
    assert_eq!(out["ok"], true, "log:\n{}", service.log());
}
