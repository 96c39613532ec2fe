//! HTTP at the edge: the public API, the health endpoints, request guards (rate limit,
//! captcha, client address).

pub mod guards;
