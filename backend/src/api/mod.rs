//! HTTP at the edge: the public API (`public`), the owner's feeds (`feeds`), health
//! (`health`), the owner's admin API (`admin`) and `/metrics` (`metrics`), request guards (rate limit,
//! captcha, client address, admin password and sessions), and the server that puts them
//! together (`server`); `spec` refines the OpenAPI documents for client generators; CORS for
//! `/api/v1` when `[security] cors_origins` lists origins (`cors`). The bodies are the wire
//! crate's (`openslot_wire`); `wire` maps the domain's values onto its enums.

/// An error answered outside an endpoint (a guard, a fallback, a middleware): the same
/// `{error, message}` JSON the endpoints send, the code one of the wire crate's.
pub fn error_response(
    status: poem::http::StatusCode,
    code: openslot_wire::errors::ErrorCode,
    message: &str,
) -> poem::Response {
    let body = serde_json::json!({ "error": code, "message": message });
    poem::Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

pub mod accent;
pub mod admin;
pub mod admin_feeds;
pub mod admin_oauth;
pub mod admin_week;
pub mod connections;
pub mod cors;
pub mod feeds;
pub mod framing;
pub mod guards;
pub mod health;
pub mod logo;
pub mod metrics;
pub mod paths;
pub mod public;
pub mod request_log;
pub mod server;
pub mod spec;
pub mod static_files;
mod wire;

pub use server::{Application, StartError, spec_yaml};
