//! The booking page embedded in the owner's own site (frontend/e2e/embed.mjs): the site of
//! `[page] embed_origins` shows it inline and as a pop-up and a visitor books inside the frame;
//! another site's frame is refused by the browser.

use openslot_testkit::free_port;

use super::harness::{ready, start_service};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_s_site_embeds_the_page_and_another_site_cannot() {
    if !ready("booking page embedded") {
        return;
    }
    let (allowed, other) = (
        format!("http://127.0.0.1:{}", free_port()),
        format!("http://127.0.0.1:{}", free_port()),
    );
    let day = "[\"08:00-20:00\"]";
    let config = format!(
        "[owner]\nname = \"Ada Example\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = false\nrate_limit_per_minute = 200\n\
         [page]\nembed_origins = [\"{allowed}\"]\n\
         [availability]\nmin_notice_minutes = 60\nhorizon_days = 40\n\
         working_hours = {{ mon = {day}, tue = {day}, wed = {day}, thu = {day}, fri = {day}, sat = {day}, sun = {day} }}\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n"
    );
    let service = start_service(&config).await;
    let out = service.scenario(
        "embed.mjs",
        &service.base,
        &[("ALLOWED_SITE", &allowed), ("OTHER_SITE", &other)],
    );
    assert!(out["booking_id"].is_string(), "{out}");
    assert!(out["frame_height"].as_f64().unwrap() > 100.0, "{out}");
    // The booking came from the embed (the statistics' "where from").
    let db = service.dir.path().join("data/openslot.db");
    let conn = rusqlite::Connection::open(db).unwrap();
    let visit_ref: Option<String> = conn
        .query_row(
            "SELECT visit_ref FROM bookings WHERE id = ?1",
            [out["booking_id"].as_str().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(visit_ref.as_deref(), Some("embed"));
}
