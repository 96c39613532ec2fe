//! Request guards: who is asking (`client_ip`), how often (`rate_limit`), whether they did the
//! proof of work (`captcha`); for the admin API the owner's password (`password`) and the
//! session tokens it buys (`session`); the admin listener's own names (`admin_host`, against
//! DNS rebinding).

pub mod admin_host;
pub mod body_limit;
pub mod captcha;
pub mod client_ip;
pub mod key_limit;
pub mod password;
pub mod rate_limit;
pub mod session;
