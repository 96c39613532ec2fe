//! What an attack on the live service found (issue 16), checked against the built binary with
//! no proxy in front: each module is one finding, started on free loopback ports with a pinned
//! clock, its own data directory and a booking-page folder that also holds a dashboard.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod admin_host;
mod body_limit;
mod connections;
mod cors;
use openslot_testkit::feed_server;
mod live;
mod login;
mod names;
mod paths;
use openslot_testkit::process;
mod race;
mod refresh;
mod static_cache;
