//! `openslot feeds --config FILE` prints the owner's two secret feed URLs, and they answer
//! 200 from the running service with the owner's bookings and free/busy time; after a rotation
//! in the dashboard the command prints the new ones.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use openslot_testkit::process;

use std::process::{Command, Stdio};
use std::time::Duration;

use process::ProcessGroup;

/// The service's clock (OPENSLOT_CLOCK_START): a Monday, so Tuesday 10:00 is bookable.
const PINNED: &str = "2027-03-01T07:00:00Z";
use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

use openslot_testkit::free_port;

/// `openslot feeds` in `dir`: its two lines.
fn feeds(dir: &std::path::Path) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_openslot"))
        .args(["feeds", "--config", "openslot.toml"])
        .current_dir(dir)
        .env(openslot::clock::CLOCK_START_VAR, PINNED)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_prints_urls_that_open_the_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let (port, admin) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{port}");
    std::fs::write(
        dir.path().join("openslot.toml"),
        format!(
            "[owner]\nname = \"Ada\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
             [server]\nlisten = \"127.0.0.1:{port}\"\nadmin_listen = \"127.0.0.1:{admin}\"\n\
             data_dir = \"data\"\npublic_url = \"{base}/\"\n\
             [security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
             [admin]\npassword_hash = '{HUNTER2}'\n\
             [availability]\nmin_notice_minutes = 0\n\
             [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n"
        ),
    )
    .unwrap();
    // Before the service ever ran: the command makes the key the service then uses.
    let lines = feeds(dir.path());
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("{base}/api/v1/bookings.ics?token=")),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with(&format!("{base}/api/v1/freebusy.ics?token=")),
        "{lines:?}"
    );

    let _service = ProcessGroup::spawn(
        Command::new(env!("CARGO_BIN_EXE_openslot"))
            .args(["serve", "--config", "openslot.toml"])
            .current_dir(dir.path())
            .env("OPENSLOT_LOG", "warn")
            .env(openslot::clock::CLOCK_START_VAR, PINNED)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .unwrap();
    let client = openslot::sources::http::client(Default::default()).unwrap();
    let mut up = false;
    for _ in 0..300 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the service did not start");
    let booked = client
        .post(format!("{base}/api/v1/bookings"))
        .json(&serde_json::json!({
            "event_type": "intro", "start": "2027-03-02T10:00:00+01:00", "name": "Fay Feed",
            "email": "fay@example.org", "timezone": "Europe/Berlin"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status().as_u16(), 201);

    let get = |url: String| {
        let client = client.clone();
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, bookings) = get(lines[0].clone()).await;
    assert_eq!(status, 200, "{bookings}");
    assert!(
        bookings.contains("Fay Feed") && bookings.contains("DTSTART:20270302T090000Z"),
        "{bookings}"
    );
    let (status, freebusy) = get(lines[1].clone()).await;
    assert_eq!(status, 200, "{freebusy}");
    assert!(
        freebusy.contains("FREEBUSY;FBTYPE=BUSY:20270302T090000Z/20270302T093000Z"),
        "{freebusy}"
    );
    assert!(!freebusy.contains("Fay"), "no names in free/busy");

    // Rotated on the admin API: the command prints the new URLs, the old ones are gone.
    let admin_base = format!("http://127.0.0.1:{admin}/admin/api");
    let login: serde_json::Value = client
        .post(format!("{admin_base}/login"))
        .json(&serde_json::json!({"password": "hunter2"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rotated = client
        .post(format!("{admin_base}/feeds/rotate"))
        .bearer_auth(login["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status().as_u16(), 200);
    let after = feeds(dir.path());
    assert_ne!(after, lines);
    assert_eq!(get(lines[0].clone()).await.0, 404);
    assert_eq!(get(after[0].clone()).await.0, 200);
    assert_eq!(get(after[1].clone()).await.0, 200);
}
