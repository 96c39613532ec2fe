//! The booking service over real HTTP: each test spawns the whole service (`spawn_app`) on
//! random ports with its own data directory (a real SQLite file) and a fixed clock, and talks
//! to it with an HTTP client like any third party would.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod admin;
mod api_keys;
mod approval;
use openslot_testkit::app;
mod availability;
mod bookings;
mod concurrency;
mod contract;
mod dates;
mod details;
mod identity;
mod manual_booking;
mod page_settings;
mod security_settings;
use openslot_testkit::nginx_front;
use openslot_testkit::required;
mod series;
mod visitor_limit;
use openslot_testkit::caldav as servers;
use openslot_testkit::smtp_server;
use openslot_testkit::wire_log;
mod writeback;

use openslot_testkit::fixed_clock;

pub use fixed_clock::{fixed_now, running_from};
