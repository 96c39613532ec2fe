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

/// `as_str()` for a wire enum: its name on the wire, for CSS classes and wording tables; and
/// `ALL`, every value (complete: the match in `as_str` names each variant).
macro_rules! wire_names {
    ($($ty:ty { $($variant:ident => $name:literal),+ $(,)? })+) => {
        $(impl $ty {
            /// Its name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }

            /// Every value, in the order declared.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
        })+
    };
}

/// Reading a wire enum by its name (`#[serde(try_from = "String")]` on the type): a plain
/// string comparison over `ALL`. The booking page reads these; serde's derived visitor for an
/// enum costs it about 1.5 KB of gzip per type (the page has a size budget).
macro_rules! read_by_name {
    ($($ty:ty),+ $(,)?) => {
        $(impl TryFrom<String> for $ty {
            type Error = String;

            fn try_from(name: String) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == name)
                    .ok_or_else(|| format!("unknown variant `{name}`"))
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
    public::Frequency { Weekly => "weekly", EveryTwoWeeks => "every_2_weeks" }
    ErrorCode {
        Invalid => "invalid",
        NotFree => "not_free",
        SeriesConflict => "series_conflict",
        Captcha => "captcha",
        RateLimited => "rate_limited",
        CalendarsStale => "calendars_stale",
        NotFound => "not_found",
        Internal => "internal",
        UnsupportedMediaType => "unsupported_media_type",
        TooLarge => "too_large",
        Timeout => "timeout",
        MethodNotAllowed => "method_not_allowed",
        Refused => "refused",
        Unauthorized => "unauthorized",
        Forbidden => "forbidden",
        WrongPassword => "wrong_password",
        NoPassword => "no_password",
        Busy => "busy",
        Exists => "exists",
        Expired => "expired",
        FileSource => "file_source",
        NotConfigured => "not_configured",
        NotYet => "not_yet",
        NotFailed => "not_failed",
        Secret => "secret",
        Unreachable => "unreachable",
        UrlRefused => "url_refused",
        AuthFailed => "auth_failed",
        NotCaldav => "not_caldav",
        SyncFailed => "sync_failed",
        WrongState => "wrong_state",
        WrongHost => "wrong_host",
        HoldEnded => "hold_ended",
    }
    public::ConflictReason {
        Busy => "busy",
        Unavailable => "unavailable",
        BeyondHorizon => "beyond_horizon",
        DayFull => "day_full",
    }
    public::LocationKind {
        Video => "video",
        Address => "address",
        Phone => "phone",
    }
    public::QuestionKind {
        Text => "text",
        Choice => "choice",
    }
    public::NoticeCode {
        CalendarsUnavailable => "calendars_unavailable",
    }
}

read_by_name!(
    ErrorCode,
    public::BookingStatus,
    public::ConfirmBy,
    public::ConflictReason,
    public::Frequency,
    public::LocationKind,
    public::QuestionKind,
    public::NoticeCode,
);

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

    /// Every value of the enums read by name goes to its name and back; an unknown name is
    /// refused.
    #[test]
    fn enums_read_by_name_round_trip() {
        fn each<T>(all: &[T])
        where
            T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug + Copy,
        {
            for &v in all {
                let text = serde_json::to_string(&v).unwrap();
                assert_eq!(serde_json::from_str::<T>(&text).unwrap(), v, "{text}");
            }
            let err = serde_json::from_str::<T>("\"no_such_value\"").unwrap_err();
            assert!(
                err.to_string().contains("unknown variant `no_such_value`"),
                "{err}"
            );
            assert!(serde_json::from_str::<T>("3").is_err());
        }
        use super::public::{ConflictReason, LocationKind, NoticeCode, QuestionKind};
        each(super::ErrorCode::ALL);
        each(BookingStatus::ALL);
        each(super::public::ConfirmBy::ALL);
        each(ConflictReason::ALL);
        each(Frequency::ALL);
        each(LocationKind::ALL);
        each(QuestionKind::ALL);
        each(NoticeCode::ALL);
        assert_eq!(super::ErrorCode::ALL.len(), 33);
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
