//! The command line sees the sources added in the dashboard, as `serve` does: `openslot
//! sources` lists them, `openslot sync` reads them (their sealed password opens), and `openslot
//! slots` does not offer their busy time.

use std::process::Command;

use serde_json::Value;

use super::app::spawn_app;
use super::servers::{Kind, PASSWORD, Server};
use super::{admin, busy_event, caldav_source, login, owner_login};

/// `openslot ARGS --config DIR/openslot.toml`: its JSON output.
fn openslot_json(dir: &std::path::Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_openslot"))
        .args(args)
        .arg("--config")
        .arg(dir.join("openslot.toml"))
        .arg("--json")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains(PASSWORD), "{args:?} printed the password");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_sync_and_slots_see_the_dashboards_sources() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    server
        .put(&cal, "dentist.ics", &busy_event("dentist-1"))
        .await;
    let app = spawn_app(&owner_login()).await;
    let token = login(&app).await;
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/sources",
        Some(&token),
        Some(caldav_source("lan", &server, &cal, false)),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let dir = app.dir.path().to_owned();

    let listed = openslot_json(&dir, &["sources"]);
    let lan = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "lan")
        .unwrap_or_else(|| panic!("`sources` lists the dashboard's source: {listed}"));
    assert_eq!(lan["kind"], "caldav", "{lan}");

    let synced = openslot_json(&dir, &["sync"]);
    let result = synced["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "lan")
        .unwrap_or_else(|| panic!("`sync` reads the dashboard's source: {synced}"));
    assert_eq!(result["ok"], true, "the sealed password opens: {synced}");

    let slots = openslot_json(
        &dir,
        &[
            "slots",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-01",
            "--now",
            "2026-11-30T06:00:00Z",
        ],
    );
    let starts: Vec<&str> = slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    assert!(!starts.is_empty(), "{slots}");
    // The dentist (09:00-10:00 UTC, 10:00-11:00 in Berlin) is busy.
    for busy in ["2026-12-01T10:00:00+01:00", "2026-12-01T10:30:00+01:00"] {
        assert!(!starts.contains(&busy), "{busy} is offered: {starts:?}");
    }
    assert!(starts.contains(&"2026-12-01T11:00:00+01:00"), "{starts:?}");
}
