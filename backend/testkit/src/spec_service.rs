//! The service the spec-driven tests (schemathesis.rs, generated_client.rs) talk to: one
//! configuration, a fixed clock, and the Python venv of `make test-deps`.

use chrono::{DateTime, TimeZone, Utc};

/// The service's clock: Monday 30 November 2026, 06:00 UTC, standing still (the run's
/// answers do not depend on when it runs).
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap()
}

pub const CONFIG: &str = r#"
[owner]
name = "Ada Owner"
email = "ada@example.org"
timezone = "Europe/Berlin"

[server]
listen = "127.0.0.1:0"
admin_listen = "127.0.0.1:0"
data_dir = "data"
public_url = "https://book.example.org"

[availability]
working_hours = { mon = ["09:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-17:00"], thu = ["09:00-17:00"], fri = ["09:00-17:00"] }
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

[security]
captcha = false
rate_limit_per_minute = 0
"#;

/// `target/test-venv` (`make test-deps`), or `$TEST_VENV`.
pub use crate::test_venv;
