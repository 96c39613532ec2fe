//! What every queue worker shares (the calendar-write outbox in `booking::outbox`, the mail and
//! webhook deliveries in `notify::worker`): the drain loop and the retry schedule. Neutral, so
//! neither worker imports the other's internals.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

use crate::store::StoreError;

/// After this many failed attempts an item is marked failed (about a day with the backoff
/// below); the owner sees it and can retry it.
pub const MAX_ATTEMPTS: u32 = 20;
/// The longest wait between two attempts.
const BACKOFF_CAP_SECS: i64 = 2 * 3600;
/// With nothing due, a worker still looks every so often (rows due later, clock jumps).
const IDLE_POLL: Duration = Duration::from_secs(5);

/// The wait before attempt `attempts + 1`: 5 s, 10 s, 20 s, ... up to two hours.
pub fn backoff(attempts: u32) -> chrono::Duration {
    let secs = 5i64.saturating_mul(1i64 << attempts.min(20));
    chrono::Duration::seconds(secs.min(BACKOFF_CAP_SECS))
}

/// The loop of a queue worker: drain what is due; when nothing was, wait for `wake`, a short
/// poll (rows due later, clock jumps) or `shutdown`.
pub async fn drain_until_shutdown<F, Fut>(
    name: &'static str,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
    mut drain: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<usize, StoreError>>,
{
    loop {
        let worked = match drain().await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::error!(worker = name, error = %e, "the database failed");
                false
            }
        };
        if worked {
            continue;
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(IDLE_POLL) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_five_seconds_to_two_hours() {
        let secs: Vec<i64> = (0..12).map(|a| backoff(a).num_seconds()).collect();
        assert_eq!(
            secs,
            [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 7200]
        );
        assert_eq!(backoff(u32::MAX).num_seconds(), 7200);
    }
}
