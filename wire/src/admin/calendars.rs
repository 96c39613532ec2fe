//! Finding calendars on a CalDAV server, and the owner's secret feed URLs.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where to look for calendars. Its `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct CalendarsBody {
    pub url: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl fmt::Debug for CalendarsBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CalendarsBody")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// A calendar found on a CalDAV server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct CalendarJson {
    /// The collection URL: put it in the source's `calendar`.
    pub href: String,
    /// The display name.
    pub name: Option<String>,
    /// `#rrggbb` (as the server gave it).
    pub color: Option<String>,
    /// Whether it holds events (VEVENT); only such calendars are listed.
    pub supports_events: bool,
}

/// The feed URLs: add them to a calendar that OpenSlot cannot write to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct FeedUrlsJson {
    /// Every booking as events (`.../api/v1/bookings.ics?token=...`).
    pub bookings_url: String,
    /// The merged busy time without titles (`.../api/v1/freebusy.ics?token=...`).
    pub freebusy_url: String,
    /// When the URLs were last rotated (RFC 3339), absent if never.
    pub rotated_at: Option<String>,
}
