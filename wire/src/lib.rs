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

/// `as_str()` for a wire enum: its name on the wire, for CSS classes and wording tables.
macro_rules! wire_names {
    ($($ty:ty { $($variant:ident => $name:literal),+ $(,)? })+) => {
        $(impl $ty {
            /// Its name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }
        })+
    };
}

wire_names! {
    public::BookingStatus { Pending => "pending", Confirmed => "confirmed", Cancelled => "cancelled", Expired => "expired", Declined => "declined" }
    public::ConfirmBy { Visitor => "visitor", Owner => "owner" }
    admin::WorkState { Pending => "pending", Done => "done", Failed => "failed", Skipped => "skipped" }
    admin::WriteAction { Create => "create", Update => "update", Delete => "delete" }
    admin::Channel { Mail => "mail", Webhook => "webhook" }
    admin::Service { Google => "google", Microsoft => "microsoft" }
    admin::Flow { Redirect => "redirect", Device => "device" }
    admin::SourceKind { Ics => "ics", Caldav => "caldav", Google => "google", Microsoft => "microsoft" }
    admin::Origin { File => "file", Dashboard => "dashboard" }
    admin::SourceRole { Busy => "busy", Availability => "availability" }
    admin::Freshness { Fresh => "fresh", Stale => "stale", Never => "never" }
    admin::ConfirmMode { None => "none", Email => "email", Owner => "owner" }
    admin::ConnectionStatus {
        Waiting => "waiting",
        Authorized => "authorized",
        Failed => "failed",
        Expired => "expired",
    }
}

#[cfg(test)]
mod tests {
    use super::admin::{
        Channel, ConfirmMode, ConnectionStatus, Flow, Freshness, Origin, Service, SourceKind,
        SourceRole, WorkState, WriteAction,
    };
    use super::public::{BookingStatus, Frequency};

    fn same<T: serde::Serialize>(value: T, name: &str) {
        assert_eq!(
            serde_json::to_value(value).ok(),
            Some(serde_json::Value::String(name.to_owned()))
        );
    }

    /// `as_str()` and serde say the same name.
    #[test]
    fn names_are_the_wire_names() {
        for v in [BookingStatus::Confirmed, BookingStatus::Cancelled] {
            same(v, v.as_str());
        }
        for v in [
            BookingStatus::Pending,
            BookingStatus::Expired,
            BookingStatus::Declined,
        ] {
            same(v, v.as_str());
        }
        for v in [
            super::public::ConfirmBy::Visitor,
            super::public::ConfirmBy::Owner,
        ] {
            same(v, v.as_str());
        }
        for v in [Frequency::Weekly, Frequency::EveryTwoWeeks] {
            same(v, v.as_str());
        }
        for v in [
            WorkState::Pending,
            WorkState::Done,
            WorkState::Failed,
            WorkState::Skipped,
        ] {
            same(v, v.as_str());
        }
        for v in [
            WriteAction::Create,
            WriteAction::Update,
            WriteAction::Delete,
        ] {
            same(v, v.as_str());
        }
        for v in [Channel::Mail, Channel::Webhook] {
            same(v, v.as_str());
        }
        for v in [Service::Google, Service::Microsoft] {
            same(v, v.as_str());
        }
        for v in [SourceKind::Ics, SourceKind::Caldav, SourceKind::Google] {
            same(v, v.as_str());
        }
        for v in [Origin::File, Origin::Dashboard, Origin::Dashboard] {
            same(v, v.as_str());
        }
        for v in [Freshness::Fresh, Freshness::Stale, Freshness::Never] {
            same(v, v.as_str());
        }
        for v in [SourceRole::Busy, SourceRole::Availability] {
            same(v, v.as_str());
        }
        for v in [ConfirmMode::None, ConfirmMode::Email, ConfirmMode::Owner] {
            same(v, v.as_str());
        }
        for v in [Flow::Redirect, Flow::Device] {
            same(v, v.as_str());
        }
        for v in [
            ConnectionStatus::Waiting,
            ConnectionStatus::Authorized,
            ConnectionStatus::Failed,
            ConnectionStatus::Expired,
        ] {
            same(v, v.as_str());
        }
    }
}
