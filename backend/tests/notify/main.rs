//! Mail and webhooks over real servers: an aiosmtpd SMTP server from the test venv and a
//! webhook receiver in the test, both on 127.0.0.1, against the whole service (`spawn_app`).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod alerts;
mod approval;
use openslot_testkit::app;
mod confirm;
use openslot_testkit::feed_server;
mod mail;
mod mail_settings;
mod subscriptions;
use openslot_testkit::nginx_front;
use openslot_testkit::smtp_server;
mod test_mail;
mod webhooks;

use std::time::Duration;

use serde_json::Value;

/// The clock of every service test (`openslot_testkit::fixed_clock`): the apps this binary
/// spawns read the same one.
pub use openslot_testkit::fixed_now;

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
