//! What OpenSlot's integration tests (`backend/tests/`) share, one library instead of files
//! included by `#[path]` into every test binary:
//!
//! - `app`: the whole service on 127.0.0.1 with random ports, a temp data directory and the
//!   pinned clock of `fixed_clock`; `admin`: the owner's password and admin API requests;
//!   `ports`: a free port; `conformance`: the story every source adapter and writer passes.
//! - Real parts started and stopped by the tests: `caldav` (Radicale, Xandikos, Cyrus, DAViCal),
//!   `smtp_server` (aiosmtpd), `nginx_front` (Debian's nginx with the shipped template),
//!   `wire_log` (a logging nginx proxy), `feed_server` (an ICS feed), all under `process`
//!   (process groups killed on drop); `standin`: local stand-ins of Google Calendar and Microsoft
//!   Graph built from their documented requests and answers (those services cannot be reached here).
//! - `required`: a missing real part fails the test under `make test` (TESTS_REQUIRE_ALL=1).

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test
#![allow(missing_debug_implementations)] // handles of running servers, never printed

pub mod admin;
pub mod app;
pub mod caldav;
pub mod conformance;
pub mod feed_server;
pub mod fixed_clock;
pub mod nginx_front;
pub mod ports;
pub mod process;
pub mod required;
pub mod smtp_server;
pub mod standin;
pub mod wire_log;

pub use fixed_clock::{fixed_now, running_from};

/// The workspace root (this crate is `backend/testkit`).
pub fn repo() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
pub use ports::free_port;
