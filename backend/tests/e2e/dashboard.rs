//! The owner's dashboard end to end: the real service serving the built SPA on its admin
//! listener, two real bookings and an iCalendar source, then `frontend/e2e/dashboard.mjs` in
//! headless Chromium (login, bookings, calendars, week, statistics, axe, screenshots).

use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, Weekday};
use openslot::api::Application;

/// `openslot hash-password` of "hunter2".
const HUNTER2: &str = "$argon2id$v=19$m=19456,t=2,p=1$zcCAYuC0R4cGEQbJoq4gpQ$AC8L/K/GfB72PjSGEOsNcG5TI6N5VCCs36Ympvsjz/8";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The next working day at least two days ahead (bookings are made with the real clock).
fn booking_day() -> chrono::NaiveDate {
    let mut day = openslot::clock::now().date_naive() + Duration::days(2);
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    day
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_logs_in_and_sees_bookings_and_calendars() {
    let dist = root().join("frontend/dist");
    assert!(
        dist.join("index.html").is_file(),
        "build the SPA first (`make spa`): {} is missing",
        dist.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let day = booking_day();
    let busy = day.format("%Y%m%d").to_string();
    std::fs::write(
        dir.path().join("work.ics"),
        format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:w1\r\nDTSTART:{busy}T120000Z\r\n\
             DTEND:{busy}T130000Z\r\nSUMMARY:Team lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ),
    )
    .unwrap();
    let text = format!(
        r#"
[owner]
name = "Ada Owner"
email = "ada@example.org"
timezone = "Europe/Berlin"

[server]
listen = "127.0.0.1:0"
admin_listen = "127.0.0.1:0"
data_dir = "data"
static_dir = "{dist}"

[security]
captcha = false
rate_limit_per_minute = 0

[admin]
password_hash = '{HUNTER2}'

[availability]
min_notice_minutes = 0

[[sources]]
id = "work"
kind = "ics"
url = "file://work.ics"
name = "Work calendar"
fail_open = true

[[event_types]]
slug = "intro"
title = "Intro call"
duration_minutes = 30

[[event_types]]
slug = "consult"
title = "Consultation"
duration_minutes = 60
step_minutes = 30
"#,
        dist = dist.display()
    );
    let config = openslot::config::from_toml_str(&text, &[], dir.path()).unwrap();
    let app = Application::build(config, openslot::clock::now)
        .await
        .unwrap();
    let (public, admin) = (app.public_addr(), app.admin_addr());
    let stop = app.stopper();
    let server = tokio::spawn(app.run_until_stopped());

    let client = openslot::sources::http::client(Default::default()).unwrap();
    for (slug, time, name, email) in [
        ("intro", "10:00", "Eve Visitor", "eve@example.com"),
        ("consult", "15:00", "Bob Builder", "bob@example.net"),
    ] {
        let body = serde_json::json!({
            "event_type": slug,
            "start": format!("{day}T{time}:00+01:00"),
            "name": name,
            "email": email,
            "notes": "",
            "timezone": "Asia/Tokyo",
        });
        let r = client
            .post(format!("http://{public}/api/v1/bookings"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        assert_eq!(status, 201, "{}", r.text().await.unwrap());
    }

    let (root, admin) = (root(), format!("http://{admin}"));
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg(root.join("frontend/e2e/dashboard.mjs"))
            .current_dir(root.join("frontend"))
            .env("ADMIN_URL", admin)
            .env("ADMIN_PASSWORD", "hunter2")
            .env("EXPECT_NAMES", "Eve Visitor,Bob Builder")
            .env("EXPECT_SOURCE", "Work calendar")
            .env("SCREENSHOT_DIR", root.join("target/screenshots"))
            .output()
    })
    .await
    .unwrap()
    .expect("node runs (npm install in frontend/ gives playwright-core and axe-core)");
    let _ = stop.send(true);
    server.abort();
    assert!(
        out.status.success(),
        "dashboard.mjs failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
