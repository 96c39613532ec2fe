//! End-to-end tests of the SPA in real headless Chromium (Debian's), driven by playwright-core
//! scenarios in `frontend/e2e/*.mjs`, against the built binary serving `frontend/dist`, with a
//! real Radicale as the owner's calendar. `make test` builds the SPA and installs what these
//! need, and sets TESTS_REQUIRE_ALL=1 so a missing piece fails instead of skipping.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use openslot_testkit::caldav as servers;
use openslot_testkit::process;
use openslot_testkit::required;

use openslot_testkit::nginx_front;

use openslot_testkit::standin::{google as google_standin, graph as graph_standin};

mod availability;
mod booking;
mod connect;
mod dashboard;
mod dates;
mod embed;
mod harness;
mod i18n;
mod mail_settings;
mod outage;
mod owner_actions;
mod requests;
mod through_nginx;
mod visitor;
mod webhooks;
mod week;
