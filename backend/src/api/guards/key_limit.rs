//! How often an API key may call: `per_minute` requests in fixed one-minute windows per key,
//! reckoned on the service's clock, with what the `RateLimit-*` headers of every keyed
//! answer say (draft-ietf-httpapi-ratelimit-headers: limit, remaining, seconds to reset).
//!
//! Memory is bounded by the owner's keys: only valid keys reach the limiter.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

/// What one request of a key leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// Requests per window; 0: no limit (no headers are sent).
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window starts again (at least 1).
    pub reset: u64,
    /// Whether this request is within the limit.
    pub allowed: bool,
}

/// Per-key fixed windows.
#[derive(Debug)]
pub struct KeyLimiter {
    /// Read at each request: the dashboard may change it while the service runs.
    per_minute: Arc<AtomicU32>,
    /// Key id -> (window start, Unix seconds; requests in it).
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

const WINDOW_SECS: i64 = 60;

impl KeyLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self::following(Arc::new(AtomicU32::new(per_minute)))
    }

    /// A limiter whose limit is whatever `per_minute` holds at each request.
    pub fn following(per_minute: Arc<AtomicU32>) -> Self {
        Self {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `key_id` at `now`.
    pub fn check(&self, key_id: &str, now: DateTime<Utc>) -> Quota {
        let per_minute = self.per_minute.load(Ordering::Relaxed);
        if per_minute == 0 {
            return Quota {
                limit: 0,
                remaining: 0,
                reset: 0,
                allowed: true,
            };
        }
        let now = now.timestamp();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = windows.entry(key_id.to_owned()).or_insert((now, 0));
        if now - window.0 >= WINDOW_SECS || now < window.0 {
            *window = (now, 0);
        }
        let allowed = window.1 < per_minute;
        if allowed {
            window.1 += 1;
        }
        Quota {
            limit: per_minute,
            // Below what the window used when the limit was lowered in it.
            remaining: per_minute.saturating_sub(window.1),
            reset: u64::try_from(window.0 + WINDOW_SECS - now)
                .unwrap_or(1)
                .max(1),
            allowed,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn a_key_gets_its_limit_per_window_and_the_window_resets() {
        let l = KeyLimiter::new(2);
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let q = l.check("a", t);
        assert_eq!((q.limit, q.remaining, q.reset, q.allowed), (2, 1, 60, true));
        assert!(l.check("a", t + Duration::seconds(10)).allowed);
        let q = l.check("a", t + Duration::seconds(15));
        assert_eq!((q.remaining, q.reset, q.allowed), (0, 45, false));
        assert!(l.check("b", t).allowed, "another key has its own window");
        let q = l.check("a", t + Duration::seconds(60));
        assert_eq!((q.remaining, q.allowed), (1, true));
    }

    #[test]
    fn a_lowered_limit_applies_within_the_window() {
        let cell = Arc::new(AtomicU32::new(5));
        let l = KeyLimiter::following(Arc::clone(&cell));
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        for _ in 0..3 {
            assert!(l.check("a", t).allowed);
        }
        cell.store(2, Ordering::Relaxed);
        let q = l.check("a", t);
        assert_eq!((q.limit, q.remaining, q.allowed), (2, 0, false));
        cell.store(0, Ordering::Relaxed);
        assert!(l.check("a", t).allowed, "off");
    }

    #[test]
    fn zero_is_no_limit() {
        let l = KeyLimiter::new(0);
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        assert!((0..1000).all(|_| l.check("a", t).allowed));
    }
}
