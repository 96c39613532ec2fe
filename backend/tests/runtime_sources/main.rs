//! Sources added, edited and removed at runtime through the admin API, against a real Radicale
//! (started per test, see `../caldav/servers.rs`) and the whole service (`../api/app.rs`):
//! busy time appears and frees without a restart, CalDAV calendars are listed to pick from,
//! file sources win and are read-only, secrets are encrypted at rest, calendar writes reach a
//! runtime source, and owner-typed URLs cannot reach link-local addresses.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use openslot_testkit::app;
mod calendars;
mod command_line;
use openslot_testkit::fixed_clock;
mod lifecycle;
use openslot_testkit::caldav as servers;
mod outbound_guard;
mod userinfo;
mod writes;

use serde_json::{Value, json};

use app::TestApp;
use servers::{PASSWORD, Server, USER};

pub use fixed_clock::fixed_now;

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

/// The `[admin]` section with the password "hunter2" (and no captcha or rate limit).
pub fn owner_login() -> String {
    format!(
        "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n[admin]\npassword_hash = '{HUNTER2}'\n"
    )
}

pub use openslot_testkit::admin::{admin, login};

/// The intro slots offered on Tuesday 1 December, as Berlin times ("10:00").
pub async fn tuesday(app: &TestApp) -> Vec<String> {
    let (status, v) = app
        .get("/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01&tz=Europe/Berlin")
        .await;
    assert_eq!(status, 200, "{v}");
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap()[11..16].to_owned())
        .collect()
}

/// An event that makes Tuesday 1 December 10:00-11:00 Berlin busy.
pub fn busy_event(uid: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:20261120T000000Z\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\n\
         SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// The body of `POST /admin/api/sources` for a CalDAV calendar of `server`.
pub fn caldav_source(id: &str, server: &Server, calendar: &str, write: bool) -> Value {
    json!({
        "id": id,
        "kind": "caldav",
        "url": format!("{}/", server.base),
        "username": USER,
        "password": PASSWORD,
        "calendar": calendar,
        "write": write,
        "timeout_seconds": 5,
    })
}

/// The entry of `id` in `GET /admin/api/sources`, and every entry.
pub async fn source_entry(app: &TestApp, token: &str, id: &str) -> (Option<Value>, Vec<Value>) {
    let (status, v) = admin(app, "GET", "/admin/api/sources", Some(token), None).await;
    assert_eq!(status, 200, "{v}");
    let all = v.as_array().unwrap().clone();
    let one = all
        .iter()
        .find(|s| s["id"] == id && s["shadowed"] != true)
        .cloned();
    (one, all)
}
