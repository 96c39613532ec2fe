//! An API key never reaches a log line: made on the admin listener, used on the public API
//! (a booking, a wrong key), with every level of every module captured. A binary of its own,
//! because the capture must be the process's only (global) subscriber.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;
use openslot_testkit::app;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_key_is_never_logged() {
    let logs = Captured::default();
    let sink = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .init();
    let app = app::spawn_with(&format!(
        "[security]\ncaptcha = true\n[admin]\npassword_hash = '{}'\n",
        HUNTER2
    ))
    .await;
    let admin = |path: &str| format!("http://{}{path}", app.admin);
    let login: serde_json::Value = app
        .client
        .post(admin("/admin/api/login"))
        .json(&json!({"password": "hunter2"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let made: serde_json::Value = app
        .client
        .post(admin("/admin/api/api-keys"))
        .bearer_auth(token)
        .json(&json!({"name": "CRM", "scopes": ["bookings:write"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = made["key"].as_str().unwrap().to_owned();
    let r = app
        .client
        .post(app.url("/api/v1/bookings"))
        .bearer_auth(&key)
        .json(&app::booking("intro", "2026-12-01T09:00:00+01:00"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    // The last character changed (to 1 if it is 0: a key may well end in 0).
    let other = if key.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{other}", &key[..key.len() - 1]);
    let r = app
        .client
        .get(app.url("/api/v1/event-types"))
        .bearer_auth(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);

    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        logged.contains("API key made"),
        "the capture works: {logged}"
    );
    let secret = key.rsplit('_').next().unwrap();
    let wrong_secret = wrong.rsplit('_').next().unwrap();
    assert!(!logged.contains(secret), "the key was logged: {logged}");
    assert!(!logged.contains(wrong_secret), "a wrong key was logged");
}
