//! The calendar sources (`/admin/api/sources`): their statuses, and the entries added in the
//! dashboard (settings to edit; secrets go in, never come out: only `has_secret`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a source is read with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum SourceKind {
    /// An iCalendar feed (http, https, webcal, or a file of the server).
    #[default]
    Ics,
    Caldav,
    Google,
    Microsoft,
}

/// Where a source or the rules are set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum Origin {
    /// The configuration file: read-only in the dashboard.
    File,
    /// Added in the dashboard.
    Dashboard,
}

/// What a source's events do to bookable time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum SourceRole {
    /// Its events block time.
    Busy,
    /// Its events open bookable time.
    Availability,
}

/// Whether a source's data may be trusted now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum Freshness {
    /// Synced within its `max_age_minutes`.
    Fresh,
    /// Synced once, but longer ago than its limit.
    Stale,
    /// Never synced.
    Never,
}

/// A dashboard source's entry without its secrets: the keys of a `[[sources]]` entry the
/// dashboard may set (absent: the file's default).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SourceSettings {
    pub id: String,
    pub kind: SourceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub username: Option<String>,
    /// CalDAV: the calendar's collection URL; Google and Microsoft: the calendar's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub calendar: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub timeout_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub max_size_mb: Option<u32>,
    /// Bookings are written into it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub write: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub tentative_busy: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub all_day_busy: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub transparent_busy: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub sync_interval_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub max_age_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub fail_open: Option<bool>,
}

/// `POST /sources` and `PUT /sources/{id}`: the settings and the secrets (`password`, `token`;
/// left out keeps a stored one on an edit, `""` removes it). Checked like the file's entry: an
/// unknown key is refused by name (422). Its `Debug` never shows the secrets.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SourceBody {
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", oai(flatten))]
    pub settings: SourceSettings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub token: Option<String>,
}

impl fmt::Debug for SourceBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceBody")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// One calendar source and its status, as `GET /sources` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SourceJson {
    pub id: String,
    pub kind: SourceKind,
    pub name: Option<String>,
    /// Where it comes from; a file source is read-only here.
    pub origin: Origin,
    /// A dashboard source the file's source of the same id replaces: not used. Such an entry
    /// carries no status (the fields below up to `freshness` are absent).
    pub shadowed: bool,
    /// A short description of the state in words.
    pub summary: String,
    /// The last attempt worked and the data is fresh.
    pub healthy: bool,
    /// Stale and failing closed: bookings are refused until it syncs again.
    pub blocks_booking: bool,
    /// Dashboard sources: the entry to edit (without secrets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub settings: Option<SourceSettings>,
    /// Dashboard sources: a password or token is stored (never answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub has_secret: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub writable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub fail_open: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub role: Option<SourceRole>,
    /// RFC 3339.
    #[serde(default)]
    pub last_attempt: Option<String>,
    /// RFC 3339.
    #[serde(default)]
    pub last_success: Option<String>,
    /// The last attempt's error in words.
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub consecutive_failures: Option<u32>,
    /// The first failure of the current run of failures (RFC 3339).
    #[serde(default)]
    pub failing_since: Option<String>,
    /// Google or Microsoft refused the stored sign-in: connect again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub reconnect_needed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub event_count: Option<u64>,
    /// Seconds since the last success.
    #[serde(default)]
    pub age_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub freshness: Option<Freshness>,
}

impl SourceJson {
    /// Added in the dashboard (editable here).
    pub fn is_dashboard(&self) -> bool {
        self.origin == Origin::Dashboard
    }

    /// Its name, or its id without one.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}
