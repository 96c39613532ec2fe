//! Keeping a local copy of every source: background jobs (interval + jitter, backoff on
//! failure), snapshots on disk so a restart serves slots at once, per-source status, the
//! freshness policy (stale sources fail closed unless `fail_open`), and the on-demand refresh
//! the booking path runs before it confirms.

pub mod catalog;
pub mod connections;
mod hub;
pub mod schedule;
pub mod snapshot;
pub mod status;

pub use hub::{Prepared, SyncHub, SyncReport};
pub use snapshot::{Loaded, Snapshot};
pub use status::{Freshness, SourceStatus};
