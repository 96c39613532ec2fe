//! Mail and webhooks over real servers: an aiosmtpd SMTP server from the test venv and a
//! webhook receiver in the test, both on 127.0.0.1, against the whole service (`spawn_app`).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod alerts;
#[path = "../api/app.rs"]
#[allow(dead_code, missing_debug_implementations)]
mod app;
mod confirm;
#[path = "../support/feed_server.rs"]
mod feed_server;
mod mail;
#[path = "../support/nginx_front.rs"]
mod nginx_front;
#[path = "../support/process.rs"]
mod process;
#[path = "../support/required.rs"]
mod required;
mod smtp_server;
mod webhooks;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

/// The clock of `backend/tests/api`: Monday 30 November 2026, 06:00 UTC when the test binary
/// started, running on (so retries come due).
pub fn fixed_now() -> DateTime<Utc> {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let elapsed = START.get_or_init(std::time::Instant::now).elapsed();
    Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap()
        + chrono::Duration::from_std(elapsed).unwrap_or_default()
}

/// Polls `check` every 200 ms until it gives a value, for at most `secs` seconds.
pub async fn wait_for<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited {secs} s for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every delivery row, oldest first, as the admin API shows them.
pub async fn deliveries(app: &app::TestApp) -> Vec<openslot::store::deliveries::DeliveryRow> {
    let mut rows = openslot::notify::Host::store(&app.service)
        .call(|c| openslot::store::deliveries::recent(c, 1000))
        .await
        .unwrap();
    rows.reverse();
    rows
}

pub use nginx_front::free_port;

/// The manage token of a booking answer.
pub fn manage_token(booked: &Value) -> String {
    booked["manage_token"].as_str().unwrap().to_owned()
}
