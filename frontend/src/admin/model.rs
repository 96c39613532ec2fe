//! What the admin API answers, as the dashboard reads it (see backend/src/api/admin.rs).

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct SessionJson {
    pub token: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Write {
    pub source: String,
    pub action: String,
    pub state: String,
    #[serde(default)]
    pub last_error: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Booking {
    pub id: String,
    pub event_type: String,
    pub start: String,
    pub end: String,
    pub status: String,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub notes: String,
    pub timezone: String,
    #[serde(default)]
    pub writes: Vec<Write>,
    /// With a series: which session (1 = the first).
    #[serde(default)]
    pub session: Option<u32>,
    #[serde(default)]
    pub answers: Vec<Answer>,
    #[serde(default)]
    pub visit_ref: Option<String>,
    #[serde(default)]
    pub no_show: bool,
}

/// An answer to one of the owner's questions, with the label asked.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Answer {
    pub label: String,
    pub value: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct StatsDay {
    pub date: String,
    pub booked: u32,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Block {
    pub id: String,
    pub start: String,
    pub end: String,
    #[serde(default)]
    pub label: String,
}

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

/// A service whose accounts the dashboard can connect.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct OAuthService {
    /// "google" or "microsoft".
    pub service: String,
    pub redirect_uri: String,
    #[serde(default)]
    pub flows: Vec<String>,
}

/// A sign-in in progress (never holds a token).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Connection {
    pub id: String,
    pub service: String,
    pub flow: String,
    /// "waiting", "authorized", "failed", "expired".
    pub status: String,
    #[serde(default)]
    pub error: Option<String>,
    /// The source being reconnected.
    #[serde(default)]
    pub source: Option<String>,
    /// Asks for the right to write bookings.
    #[serde(default)]
    pub write: bool,
    #[serde(default)]
    pub authorize_url: Option<String>,
    #[serde(default)]
    pub redirect_uri: Option<String>,
    #[serde(default)]
    pub verification_uri: Option<String>,
    #[serde(default)]
    pub user_code: Option<String>,
}

/// A calendar of a connected account.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct AccountCalendar {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub primary: bool,
}

/// A calendar found on a CalDAV server.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct FoundCalendar {
    pub href: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub color: Option<String>,
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

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Explanation {
    pub bookable: bool,
    pub reasons: Vec<String>,
    /// The availability events that open this time, in words (with availability sources).
    #[serde(default)]
    pub opened_by: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Span {
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct SourceBusy {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub color: Option<String>,
    pub busy: Vec<Span>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct WeekBooking {
    pub event_type: String,
    pub name: String,
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct WeekBlock {
    pub label: String,
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Free {
    pub event_type: String,
    pub title: String,
    pub slots: Vec<Span>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Week {
    pub timezone: String,
    pub days: Vec<String>,
    pub sources: Vec<SourceBusy>,
    pub merged_busy: Vec<Span>,
    pub bookings: Vec<WeekBooking>,
    pub blocks: Vec<WeekBlock>,
    pub free: Vec<Free>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct StatsWeek {
    pub week: String,
    pub starts: String,
    pub booked: u32,
    #[serde(default)]
    pub by_event_type: BTreeMap<String, u32>,
    pub cancelled: u32,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct LeadBucket {
    pub count: u32,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Stats {
    pub weeks: Vec<StatsWeek>,
    pub booked: u32,
    pub cancelled: u32,
    #[serde(default)]
    pub average_lead_time_hours: Option<f64>,
    #[serde(default)]
    pub lead_time: Vec<LeadBucket>,
    #[serde(default)]
    pub days: Vec<StatsDay>,
    #[serde(default)]
    pub by_ref: BTreeMap<String, u32>,
    #[serde(default)]
    pub cancellation_rate: Option<f64>,
    #[serde(default)]
    pub no_show_rate: Option<f64>,
}

/// `GET /rules`: the shown rules are read from `document` (the editable form of the same).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Rules {
    pub timezone: String,
    pub source: String,
    pub document: serde_json::Value,
}

/// One mail or webhook delivery (`GET /admin/api/deliveries`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Delivery {
    pub id: i64,
    /// `None` for an alert about a calendar (`source_id`).
    #[serde(default)]
    pub booking_id: Option<String>,
    #[serde(default)]
    pub source_id: Option<String>,
    pub channel: String,
    pub target: String,
    pub event: String,
    pub state: String,
    pub attempts: u32,
    #[serde(default)]
    pub last_status: Option<u16>,
    #[serde(default)]
    pub last_error: Option<String>,
    pub next_attempt_at: String,
    pub updated_at: String,
}
