//! When a source is fetched next: its interval with jitter after a success (so many sources
//! and many OpenSlots do not hit one server in step), exponential backoff after failures.

use std::time::Duration;

/// The first retry after a failure.
pub const BACKOFF_BASE: Duration = Duration::from_secs(30);
/// Backoff never waits longer than this.
pub const BACKOFF_CAP: Duration = Duration::from_secs(30 * 60);

/// The wait before the next fetch. `failures` counts the failures in a row (0 after a
/// success); `jitter` is uniform in [0, 1) and spreads the wait over ±10 %.
pub fn next_delay(interval: Duration, failures: u32, jitter: f64) -> Duration {
    let base = if failures == 0 {
        interval
    } else {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(16));
        BACKOFF_BASE.saturating_mul(factor).min(BACKOFF_CAP)
    };
    base.mul_f64(0.9 + 0.2 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE_MIN: Duration = Duration::from_secs(300);

    #[test]
    fn success_waits_the_interval_within_ten_percent() {
        assert_eq!(next_delay(FIVE_MIN, 0, 0.5), FIVE_MIN);
        assert_eq!(next_delay(FIVE_MIN, 0, 0.0), Duration::from_secs(270));
        assert!(next_delay(FIVE_MIN, 0, 0.999) < Duration::from_secs(330));
    }

    #[test]
    fn failures_back_off_exponentially_up_to_the_cap() {
        let waits: Vec<u64> = (1..=9)
            .map(|n| next_delay(FIVE_MIN, n, 0.5).as_secs())
            .collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
        assert_eq!(next_delay(FIVE_MIN, u32::MAX, 0.5), BACKOFF_CAP);
    }
}
