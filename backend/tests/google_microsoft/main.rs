//! The `google` and `microsoft` adapters against local stand-ins of Google Calendar API v3,
//! Microsoft Graph and their OAuth endpoints (poem servers on 127.0.0.1:0 built from the
//! documented request and answer shapes; neither service is reachable from the test machines).
//! Each test starts its own stand-in and data directory; clients use a 1 s timeout.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use openslot_testkit::app;
mod cli;
use openslot_testkit::conformance;
mod conformance_run;
mod dashboard;
mod declined;
use openslot_testkit::fixed_clock;
mod google;
use openslot_testkit::standin::google as google_standin;
use openslot_testkit::standin::graph as graph_standin;
mod microsoft;
use openslot_testkit::process;
use openslot_testkit::standin;

use std::io::Write;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use openslot::calendar::{BookingEvent, Interval};
use openslot::config::SourceConfig;
use openslot::sources::SourceContext;
use tempfile::TempDir;

pub use fixed_clock::fixed_now;

/// A data directory and the context adapters get.
#[derive(Debug)]
pub struct Dir {
    pub dir: TempDir,
    pub ctx: SourceContext,
}

pub fn data_dir() -> Dir {
    let dir = tempfile::tempdir().unwrap();
    let ctx = SourceContext::new(dir.path().to_owned());
    Dir { dir, ctx }
}

/// Source `work` of `kind` reading from the stand-in, with the refresh token `rt-0` in the
/// config (what a `token_file` gives), written into, 1 s timeout. `extra`: more TOML keys.
pub fn source(kind: &str, api: &str, oauth: &str, extra: &str) -> SourceConfig {
    let text = format!(
        r#"
[owner]
name = "Owner"
email = "owner@example.org"
timezone = "UTC"

[[event_types]]
slug = "call"
title = "Call"
duration_minutes = 30

[[sources]]
id = "work"
kind = "{kind}"
url = "{api}"
oauth_url = "{oauth}"
client_id = "client-1"
client_secret = "secret-1"
token = "rt-0"
write = true
timeout_seconds = 1
{extra}
"#
    );
    let config = openslot::config::from_toml_str(&text, &[], std::path::Path::new("."))
        .unwrap_or_else(|e| panic!("{e:?}"));
    config.sources.into_iter().next().unwrap()
}

pub fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
}

/// March 2026.
pub fn window() -> Interval {
    Interval {
        start: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap(),
    }
}

pub fn booking(uid: &str) -> BookingEvent {
    BookingEvent {
        uid: uid.to_owned(),
        sequence: 0,
        stamp: at(1, 8),
        start: at(10, 10),
        end: at(10, 11),
        summary: "Call with Eve".to_owned(),
        description: "Booked through OpenSlot".to_owned(),
        location: None,
        organizer: None,
        attendees: Vec::new(),
    }
}

/// The stored refresh token of source `work`.
pub fn stored_token(dir: &Dir) -> Option<String> {
    let path = openslot::sources::oauth::token_path(&dir.ctx, "work");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["refresh_token"].as_str().map(str::to_owned)
}

/// A `Write` the test can read while the flow runs (what a terminal shows).
#[derive(Clone, Debug, Default)]
pub struct Screen(pub Arc<Mutex<Vec<u8>>>);

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Screen {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Waits (up to 5 s) until the screen shows a line containing `needle`.
    pub async fn wait_for(&self, needle: &str) -> String {
        for _ in 0..500 {
            if let Some(line) = self.text().lines().find(|l| l.contains(needle)) {
                return line.to_owned();
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the screen never showed {needle:?}: {}", self.text());
    }
}
