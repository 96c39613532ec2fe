//! End-to-end tests of the SPA in real headless Chromium (Debian's), driven by playwright-core
//! scenarios in `frontend/e2e/*.mjs`, against the built binary serving `frontend/dist`, with a
//! real Radicale as the owner's calendar. `make test` builds the SPA and installs what these
//! need, and sets TESTS_REQUIRE_ALL=1 so a missing piece fails instead of skipping.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "../support/process.rs"]
mod process;
#[path = "../support/required.rs"]
mod required;
#[path = "../caldav/servers.rs"]
#[allow(dead_code)]
mod servers;

#[path = "../support/nginx_front.rs"]
mod nginx_front;

#[path = "../google_microsoft/google_standin.rs"]
#[allow(dead_code)]
mod google_standin;
#[path = "../google_microsoft/graph_standin.rs"]
#[allow(dead_code)]
mod graph_standin;
#[path = "../google_microsoft/standin.rs"]
#[allow(dead_code)]
mod standin;

mod availability;
mod booking;
mod connect;
mod dashboard;
mod dates;
mod harness;
mod outage;
mod through_nginx;
