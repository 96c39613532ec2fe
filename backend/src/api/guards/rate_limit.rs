//! PLACEHOLDER (issue 4): agreed signatures; replaced by the guards branch.
use std::net::IpAddr;

#[derive(Debug)]
pub struct RetryAfter(pub std::time::Duration);

#[derive(Debug)]
pub struct RateLimiter;

impl RateLimiter {
    pub fn new(_per_minute: u32) -> Self {
        RateLimiter
    }
    pub fn check(&self, _ip: IpAddr) -> Result<(), RetryAfter> {
        Ok(())
    }
    pub fn retain_recent(&self) {}
}
