//! `spawn_app`: the service on 127.0.0.1 with random ports, a temp data directory and the
//! fixed clock; stopped when the handle is dropped.

use std::net::SocketAddr;

use openslot::api::Application;
use serde_json::{Value, json};
use tokio::sync::watch;

/// A running service.
pub struct TestApp {
    pub public: SocketAddr,
    pub admin: SocketAddr,
    pub dir: tempfile::TempDir,
    pub client: reqwest::Client,
    pub service: openslot::booking::BookingService,
    stop: watch::Sender<bool>,
    handle: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(h) = self.handle.take() {
            h.abort();
        }
    }
}

/// The owner's configuration: Berlin, Mon-Fri 09:00-17:00, no notice, a 30-minute "intro"
/// and a 60-minute "consult"; `extra` is appended (sources, security).
pub fn config_text(extra: &str) -> String {
    format!(
        r#"
[owner]
name = "Ada Owner"
email = "ada@example.org"
timezone = "Europe/Berlin"

[server]
listen = "127.0.0.1:0"
admin_listen = "127.0.0.1:0"
data_dir = "data"
public_url = "https://book.example.org"
refresh_budget_ms = 2000

[availability]
working_hours = {{ mon = ["09:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-17:00"], thu = ["09:00-17:00"], fri = ["09:00-17:00"] }}
min_notice_minutes = 0
horizon_days = 30

[[event_types]]
slug = "intro"
title = "Intro call"
description = "Thirty minutes"
duration_minutes = 30

[[event_types]]
slug = "consult"
title = "Consultation"
duration_minutes = 60
step_minutes = 30

{extra}
"#
    )
}

/// Without captcha and rate limit unless `extra` sets `[security]`.
pub async fn spawn_app(extra: &str) -> TestApp {
    let security = if extra.contains("[security]") {
        String::new()
    } else {
        "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n".to_owned()
    };
    spawn_with(&format!("{security}{extra}")).await
}

pub async fn spawn_with(extra: &str) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    spawn_in(dir, extra).await
}

/// The service over an existing data directory (a restart).
pub async fn spawn_in(dir: tempfile::TempDir, extra: &str) -> TestApp {
    spawn_on(crate::fixed_now, dir, extra).await
}

/// The service on the clock `clock`, over `dir`.
pub async fn spawn_on(
    clock: fn() -> chrono::DateTime<chrono::Utc>,
    dir: tempfile::TempDir,
    extra: &str,
) -> TestApp {
    spawn_env(clock, dir, extra, &[]).await
}

/// [`spawn_on`] with `OPENSLOT_*` variables (`env`) over the file.
pub async fn spawn_env(
    clock: fn() -> chrono::DateTime<chrono::Utc>,
    dir: tempfile::TempDir,
    extra: &str,
    env: &[(&str, &str)],
) -> TestApp {
    spawn_text(clock, dir, &config_text(extra), env).await
}

/// The service over the whole configuration `text` (for a test that must leave out a key the
/// usual one sets), with `OPENSLOT_*` variables `env`.
pub async fn spawn_text(
    clock: fn() -> chrono::DateTime<chrono::Utc>,
    dir: tempfile::TempDir,
    text: &str,
    env: &[(&str, &str)],
) -> TestApp {
    let text = text.to_owned();
    std::fs::write(dir.path().join("openslot.toml"), &text).unwrap();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let config =
        openslot::config::from_toml_str(&text, &env, dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let app = Application::build(config, clock).await.unwrap();
    let (public, admin) = (app.public_addr(), app.admin_addr());
    let service = app.service().clone();
    let stop = app.stopper();
    let handle = tokio::spawn(app.run_until_stopped());
    TestApp {
        public,
        admin,
        dir,
        client: openslot::sources::http::client(Default::default()).unwrap(),
        service,
        stop,
        handle: Some(handle),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.public)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.client.get(self.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        let r = self.client.delete(self.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Books `slug` at `start` (RFC 3339) as "Eve".
    pub async fn book(&self, slug: &str, start: &str) -> (u16, Value) {
        self.post("/api/v1/bookings", &booking(slug, start)).await
    }
}

pub fn booking(slug: &str, start: &str) -> Value {
    json!({
        "event_type": slug,
        "start": start,
        "name": "Eve Visitor",
        "email": "eve@example.com",
        "notes": "Hello",
        "timezone": "America/New_York",
    })
}
