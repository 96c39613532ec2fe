//! HTTP at the edge: the public API (`public`), the owner's feeds (`feeds`), health
//! (`health`), request guards (rate limit, captcha, client address), and the server that puts
//! them together (`server`).

pub mod feeds;
pub mod guards;
pub mod health;
pub mod public;
pub mod request_log;
pub mod server;

pub use server::{Application, StartError, spec_yaml};
