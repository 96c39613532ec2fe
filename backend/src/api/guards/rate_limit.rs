//! How often: booking requests per client address and minute, and what the `RateLimit-*`
//! headers of a visitor's answer say about it.
//!
//! Invariant: memory stays bounded. Buckets of quiet clients are dropped by
//! [`RateLimiter::retain_recent`], which the server calls periodically; and an IPv6 client is
//! keyed by its /64, because one host usually owns a whole /64 and could otherwise rotate
//! through 2^64 fresh buckets. Looking at a client's quota ([`RateLimiter::peek`]) never
//! remembers it.
//!
//! The buckets are a generic cell rate algorithm (GCRA): `per_minute` requests in a burst,
//! one more every `60 s / per_minute`. It is paced by the monotonic clock, which is not
//! business time, so it does not go through `clock.rs`.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Per-client limiter; `per_minute` requests in a burst, refilled evenly over a minute. The
/// limit may change while it runs (the dashboard's `[security]` edits): a bucket is at most a
/// minute ahead whatever the limit, so a lower one applies from the next request.
pub struct RateLimiter {
    per_minute: Arc<AtomicU32>,
    /// Bucket -> theoretical arrival time: when its burst is whole again.
    buckets: Mutex<HashMap<IpAddr, Instant>>,
}

/// How long a refused client should wait before the next request is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds for a `Retry-After` header: rounded up, at least 1.
    pub fn seconds(&self) -> u64 {
        let whole = self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0);
        whole.max(1)
    }
}

/// What a client has left, for the `RateLimit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub limit: u32,
    /// Requests it may make now.
    pub remaining: u32,
    /// Whole seconds until its burst is whole again (0: it is).
    pub reset: u64,
}

fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl RateLimiter {
    /// `per_minute` requests per client and minute; 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        Self::following(Arc::new(AtomicU32::new(per_minute)))
    }

    /// A limiter whose limit is whatever `per_minute` holds at each request.
    pub fn following(per_minute: Arc<AtomicU32>) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The limit now (0: off).
    pub fn limit(&self) -> u32 {
        self.per_minute.load(Ordering::Relaxed)
    }

    /// Time between two requests once the burst is spent.
    fn interval(per_minute: u32) -> Duration {
        Duration::from_secs(60) / per_minute.max(1)
    }

    /// Counts one request from `ip`; refused when its bucket is empty.
    pub fn check(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        self.check_at(ip, Instant::now())
    }

    fn check_at(&self, ip: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        let per_minute = self.limit();
        if per_minute == 0 {
            return Ok(());
        }
        let interval = Self::interval(per_minute);
        let window = interval * per_minute;
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let tat = buckets.get(&bucket(ip)).copied().unwrap_or(now).max(now);
        let next = tat + interval;
        let ahead = next - now;
        if ahead > window {
            return Err(RetryAfter(ahead - window));
        }
        buckets.insert(bucket(ip), next);
        Ok(())
    }

    /// What `ip` has left, without counting a request; `None` when the limit is off.
    pub fn peek(&self, ip: IpAddr) -> Option<Standing> {
        self.peek_at(ip, Instant::now())
    }

    fn peek_at(&self, ip: IpAddr, now: Instant) -> Option<Standing> {
        let per_minute = self.limit();
        if per_minute == 0 {
            return None;
        }
        let interval = Self::interval(per_minute);
        let buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let behind = buckets
            .get(&bucket(ip))
            .map_or(Duration::ZERO, |tat| tat.saturating_duration_since(now));
        let used = u32::try_from(behind.as_nanos().div_ceil(interval.as_nanos().max(1)))
            .unwrap_or(u32::MAX);
        Some(Standing {
            limit: per_minute,
            remaining: per_minute.saturating_sub(used),
            reset: whole_seconds(behind),
        })
    }

    /// Forgets clients whose buckets have refilled (they would start full anyway) and returns
    /// the memory. Call it every few minutes.
    pub fn retain_recent(&self) {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        buckets.retain(|_, tat| *tat > now);
        buckets.shrink_to_fit();
    }

    /// How many clients are remembered.
    pub fn tracked(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("per_minute", &self.limit())
            .field("tracked", &self.tracked())
            .finish()
    }
}

/// The bucket of `ip`: IPv4 as is (also when written IPv4-mapped), IPv6 by its /64.
fn bucket(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & (u128::MAX << 64))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn quota_then_refused_with_a_wait() {
        let limiter = RateLimiter::new(3);
        for _ in 0..3 {
            assert_eq!(limiter.check(ip("203.0.113.7")), Ok(()));
        }
        let refused = limiter.check(ip("203.0.113.7")).unwrap_err();
        assert!(refused.0 > Duration::ZERO, "{refused:?}");
        assert!(refused.seconds() >= 1);
    }

    #[test]
    fn clients_are_independent() {
        let limiter = RateLimiter::new(1);
        assert_eq!(limiter.check(ip("203.0.113.7")), Ok(()));
        assert!(limiter.check(ip("203.0.113.7")).is_err());
        assert_eq!(limiter.check(ip("203.0.113.8")), Ok(()));
        assert_eq!(limiter.check(ip("2001:db8:0:1::1")), Ok(()));
        assert_eq!(limiter.check(ip("2001:db8:0:2::1")), Ok(()));
        assert_eq!(limiter.tracked(), 4);
    }

    #[test]
    fn one_ipv6_slash_64_is_one_client() {
        let limiter = RateLimiter::new(2);
        assert_eq!(limiter.check(ip("2001:db8:0:1::1")), Ok(()));
        assert_eq!(
            limiter.check(ip("2001:db8:0:1:ffff:ffff:ffff:ffff")),
            Ok(())
        );
        assert!(limiter.check(ip("2001:db8:0:1::abcd")).is_err());
    }

    #[test]
    fn ipv4_mapped_is_the_ipv4_client() {
        let limiter = RateLimiter::new(1);
        assert_eq!(limiter.check(ip("203.0.113.7")), Ok(()));
        assert!(limiter.check(ip("::ffff:203.0.113.7")).is_err());
    }

    #[test]
    fn zero_is_off() {
        let limiter = RateLimiter::new(0);
        for _ in 0..1000 {
            assert_eq!(limiter.check(ip("203.0.113.7")), Ok(()));
        }
        assert_eq!(limiter.tracked(), 0);
        limiter.retain_recent();
    }

    #[test]
    fn retain_recent_keeps_clients_that_still_wait() {
        let limiter = RateLimiter::new(1);
        assert_eq!(limiter.check(ip("203.0.113.7")), Ok(()));
        limiter.retain_recent();
        // Its bucket refills only in a minute: still remembered, still refused.
        assert!(limiter.check(ip("203.0.113.7")).is_err());
    }

    #[test]
    fn retry_after_seconds_round_up() {
        assert_eq!(RetryAfter(Duration::ZERO).seconds(), 1);
        assert_eq!(RetryAfter(Duration::from_millis(1)).seconds(), 1);
        assert_eq!(RetryAfter(Duration::from_secs(6)).seconds(), 6);
        assert_eq!(RetryAfter(Duration::from_millis(6001)).seconds(), 7);
    }
}

#[cfg(test)]
mod standing_tests {
    use super::*;

    #[test]
    fn peek_tells_what_is_left_and_refills_evenly() {
        let limiter = RateLimiter::new(3);
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let t = Instant::now();
        let full = Standing {
            limit: 3,
            remaining: 3,
            reset: 0,
        };
        assert_eq!(limiter.peek_at(ip, t), Some(full));
        assert_eq!(limiter.tracked(), 0, "looking does not remember the client");
        assert_eq!(limiter.check_at(ip, t), Ok(()));
        let s = limiter.peek_at(ip, t).unwrap();
        assert_eq!((s.remaining, s.reset), (2, 20));
        limiter.check_at(ip, t).unwrap();
        limiter.check_at(ip, t).unwrap();
        let s = limiter.peek_at(ip, t).unwrap();
        assert_eq!((s.remaining, s.reset), (0, 60));
        let wait = limiter.check_at(ip, t).unwrap_err();
        assert_eq!(wait.seconds(), 20);
        // One request comes back every 20 s.
        let later = t + Duration::from_secs(20);
        assert_eq!(limiter.peek_at(ip, later).unwrap().remaining, 1);
        assert_eq!(limiter.check_at(ip, later), Ok(()));
        assert!(limiter.check_at(ip, later).is_err());
        assert_eq!(
            limiter.peek_at(ip, t + Duration::from_secs(120)),
            Some(full)
        );
    }

    #[test]
    fn off_has_no_standing() {
        assert_eq!(
            RateLimiter::new(0).peek("203.0.113.7".parse().unwrap()),
            None
        );
    }
}

#[cfg(test)]
mod following_tests {
    use super::*;

    #[test]
    fn a_changed_limit_applies_from_the_next_request() {
        let cell = Arc::new(AtomicU32::new(0));
        let limiter = RateLimiter::following(Arc::clone(&cell));
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let t = Instant::now();
        for _ in 0..5 {
            assert_eq!(limiter.check_at(ip, t), Ok(()), "off");
        }
        cell.store(2, Ordering::Relaxed);
        assert_eq!(limiter.check_at(ip, t), Ok(()));
        assert_eq!(limiter.check_at(ip, t), Ok(()));
        assert!(limiter.check_at(ip, t).is_err(), "the third in a minute");
        assert_eq!(limiter.peek_at(ip, t).map(|s| s.limit), Some(2));
        // Raised to 10: one comes back every 6 s instead of every 30 s.
        cell.store(10, Ordering::Relaxed);
        let soon = t + Duration::from_secs(6);
        assert_eq!(
            limiter.check_at(ip, soon),
            Ok(()),
            "a higher limit lets more in"
        );
        assert!(limiter.check_at(ip, soon).is_err());
        // Lowered to 1: refused, for at most a minute.
        cell.store(1, Ordering::Relaxed);
        assert!(
            limiter
                .check_at(ip, soon + Duration::from_secs(30))
                .is_err()
        );
        assert_eq!(
            limiter.check_at(ip, soon + Duration::from_secs(60)),
            Ok(()),
            "at most a minute's wait"
        );
    }
}
