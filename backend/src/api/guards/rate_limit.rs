//! How often: booking requests per client address and minute.
//!
//! Invariant: memory stays bounded. Buckets of quiet clients are dropped by
//! [`RateLimiter::retain_recent`], which the server calls periodically; and an IPv6 client is
//! keyed by its /64, because one host usually owns a whole /64 and could otherwise rotate
//! through 2^64 fresh buckets.
//!
//! Governor's own monotonic clock paces the buckets: it is not business time, so it does not
//! go through `clock.rs`.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};

/// Per-client limiter; `per_minute` requests in a burst, refilled evenly over a minute.
pub struct RateLimiter {
    per_minute: u32,
    /// `None` when the limit is off.
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
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

impl RateLimiter {
    /// `per_minute` requests per client and minute; 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        let limiter = NonZeroU32::new(per_minute)
            .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n).allow_burst(n)));
        Self {
            per_minute,
            limiter,
        }
    }

    /// Counts one request from `ip`; refused when its bucket is empty.
    pub fn check(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter
            .check_key(&bucket(ip))
            .map_err(|not_until| RetryAfter(not_until.wait_time_from(limiter.clock().now())))
    }

    /// Forgets clients whose buckets have refilled (they would start full anyway) and returns
    /// the memory. Call it every few minutes.
    pub fn retain_recent(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// How many clients are remembered.
    pub fn tracked(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| l.len())
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("per_minute", &self.per_minute)
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
