//! OpenSlot: a self-hosted calendar aggregator and booking service.
//!
//! The pure core (`calendar`, `availability`) takes data and `now` as arguments and returns data:
//! no I/O, no clock. Everything that touches files, the network or the clock lives at the edges:
//! `config`, `cli`, `sources`, `sync`, `store`, `api`, `notify`, `clock`; `booking` holds the use
//! cases between them.

pub mod api;
pub mod availability;
pub mod booking;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod notify;
pub mod queue;
pub mod sources;
pub mod store;
pub mod sync;
