//! Request guards of the public API: who is asking (`client_ip`), how often (`rate_limit`),
//! and whether they did the proof of work (`captcha`).

pub mod captcha;
pub mod client_ip;
pub mod rate_limit;
