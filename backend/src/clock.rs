//! The one place that reads the wall clock. Everything else receives `now` as an argument.
//!
//! Tests (and a demo of a given day) pin the clock of the binary with `OPENSLOT_CLOCK_START`, an
//! RFC 3339 instant: the clock starts there when the process starts and runs on at the real
//! pace, so timers, retries and expiries behave as they would on that day. Unset, it is the
//! wall clock. The end-to-end tests pin the browser's clock (Playwright) to the same instant.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};

/// The variable that pins the clock (not a configuration key: see `config::env`).
pub const CLOCK_START_VAR: &str = "OPENSLOT_CLOCK_START";

/// How far the pinned clock is from the wall clock; unset means not pinned.
static OFFSET: OnceLock<chrono::Duration> = OnceLock::new();

/// `OPENSLOT_CLOCK_START` holds something other than an RFC 3339 instant.
#[derive(Debug, thiserror::Error)]
#[error("{CLOCK_START_VAR} {0:?} is not an RFC 3339 instant such as 2026-12-31T22:30:00Z")]
pub struct ClockStartError(String);

/// Reads `OPENSLOT_CLOCK_START` once, at the start of the process; returns the instant the
/// clock now starts from, or None when the variable is unset (the wall clock).
pub fn pin_from_env() -> Result<Option<DateTime<Utc>>, ClockStartError> {
    let Ok(text) = std::env::var(CLOCK_START_VAR) else {
        return Ok(None);
    };
    let start = parse_start(&text)?;
    let _ = OFFSET.set(start - wall());
    Ok(Some(start))
}

fn parse_start(text: &str) -> Result<DateTime<Utc>, ClockStartError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ClockStartError(text.to_owned()))
}

#[allow(clippy::disallowed_methods)]
fn wall() -> DateTime<Utc> {
    Utc::now()
}

/// The current time (the pinned clock's when `OPENSLOT_CLOCK_START` was set).
pub fn now() -> DateTime<Utc> {
    wall() + OFFSET.get().copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_is_an_rfc3339_instant() {
        assert_eq!(
            parse_start(" 2028-02-29T09:00:00+01:00 ")
                .unwrap()
                .to_rfc3339(),
            "2028-02-29T08:00:00+00:00"
        );
        let err = parse_start("2028-02-30").unwrap_err().to_string();
        assert!(err.contains("OPENSLOT_CLOCK_START \"2028-02-30\""), "{err}");
    }
}
