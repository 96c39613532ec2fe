//! A calendar that cannot be read (its server is down; fail closed): the booking page tells the
//! visitor that times cannot be shown right now, and the owner's dashboard names the calendar,
//! the reason and since when (frontend/e2e/outage.mjs).

use super::harness::{ready, start_service_unready};
use super::nginx_front::free_port;

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calendar_down_is_said_to_the_visitor_and_named_to_the_owner() {
    if !ready("outage e2e") {
        return;
    }
    // Nothing listens on this port: every fetch is refused.
    let dead = free_port();
    let config = format!(
        "[owner]\nname = \"Ada Owner\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [admin]\npassword_hash = '{HUNTER2}'\n\
         [[sources]]\nid = \"uni\"\nkind = \"ics\"\nurl = \"http://127.0.0.1:{dead}/uni.ics\"\n\
         name = \"University calendar\"\ntimeout_seconds = 2\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n"
    );
    let service = start_service_unready(&config).await;
    let admin = service.admin.clone();
    let env = service.scenario_env(&[
        ("ADMIN_URL", &admin),
        ("PASSWORD", "hunter2"),
        ("SOURCE", "University calendar"),
    ]);
    let base = service.base.clone();
    tokio::task::spawn_blocking(move || super::harness::scenario("outage.mjs", &base, &env))
        .await
        .unwrap();
}
