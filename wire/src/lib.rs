//! OpenSlot's JSON contract: every body the public API (`/api/v1`) and the admin API
//! (`/admin/api`) send and answer, and the rules of the visitor's text fields. The backend
//! (with the `openapi` feature: poem-openapi derives, so openapi.yaml is generated from these
//! types) and the browser app (serde only) both use this crate, so a renamed field or a new
//! status fails to compile instead of silently reading as a default.
//!
//! Invariants: only data and pure checks (serde, std; poem-openapi behind `openapi`); the names
//! of fields and enum values are the wire's (snake_case), and a change here is a change of the
//! public contract (openapi.yaml shows it). `#[serde(default)]` only on fields the server leaves
//! out when empty.

pub mod admin;
pub mod errors;
pub mod public;
pub mod visitor_text;

pub use errors::{ErrorCode, ErrorJson, FieldError};
