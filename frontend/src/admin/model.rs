//! What the admin API answers, as the dashboard reads it: the wire crate's types (shared with
//! the backend, so a renamed field fails to compile), under the dashboard's short names. Only
//! `/sources` and `/rules`, which the backend answers as untyped JSON, are read here.

use serde::Deserialize;

pub use openslot_wire::admin::{
    AccountCalendarJson as AccountCalendar, AdminBookingJson as Booking, BlockJson as Block,
    CalendarJson as FoundCalendar, ConnectionJson as Connection, ConnectionStatus,
    DeliveryJson as Delivery, ExplainJson as Explanation, Flow, ServiceJson as OAuthService,
    SessionJson, SpanJson as Span, StatsJson as Stats, WeekViewJson as Week, WorkState,
};
pub use openslot_wire::public::BookingStatus;

/// `GET /sources`: one calendar source (the backend builds it as JSON, not a wire type yet).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Source {
    pub id: String,
    pub kind: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub writable: bool,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub event_count: u64,
    #[serde(default)]
    pub age_seconds: Option<i64>,
    /// The first failure of the current run of failures (RFC 3339); None while it works.
    #[serde(default)]
    pub failing_since: Option<String>,
    /// Google or Microsoft refused the stored sign-in: connect again.
    #[serde(default)]
    pub reconnect_needed: bool,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub healthy: bool,
    #[serde(default)]
    pub blocks_booking: bool,
    /// "file" (read-only here) or "dashboard".
    #[serde(default)]
    pub origin: String,
    /// A dashboard source the file's source of the same id replaces.
    #[serde(default)]
    pub shadowed: bool,
    #[serde(default)]
    pub has_secret: bool,
    /// A dashboard source's entry (without secrets), to edit.
    #[serde(default)]
    pub settings: Option<serde_json::Value>,
}

impl Source {
    pub fn is_dashboard(&self) -> bool {
        self.origin == "dashboard"
    }

    /// A text setting of a dashboard source.
    pub fn setting(&self, key: &str) -> String {
        self.settings
            .as_ref()
            .and_then(|s| s.get(key))
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// `GET /rules`: the shown rules are read from `document` (the editable form of the same).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Rules {
    pub timezone: String,
    pub source: String,
    pub document: serde_json::Value,
}
