//! The booking service over real HTTP: each test spawns the whole service (`spawn_app`) on
//! random ports with its own data directory (a real SQLite file) and a fixed clock, and talks
//! to it with an HTTP client like any third party would.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod admin;
mod api_keys;
mod app;
mod availability;
mod bookings;
mod concurrency;
mod contract;
mod dates;
mod details;
mod identity;
#[path = "../support/nginx_front.rs"]
mod nginx_front;
#[path = "../support/process.rs"]
mod process;
#[path = "../support/required.rs"]
mod required;
mod series;
#[path = "../caldav/servers.rs"]
#[allow(dead_code)]
mod servers;
#[path = "../notify/smtp_server.rs"]
#[allow(dead_code)]
mod smtp_server;
#[path = "../support/wire_log.rs"]
mod wire_log;
mod writeback;

#[path = "../support/fixed_clock.rs"]
mod fixed_clock;

pub use fixed_clock::{fixed_now, running_from};
