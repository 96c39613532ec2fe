//! Configuration: one TOML file, then `OPENSLOT_*` environment overrides, secrets from files.
//!
//! Invariant: a [`Config`] exists only when the whole file checked out; every problem is
//! reported at once, each naming its key. Reading never panics, whatever the input.
//! The annotated reference is `examples/openslot.toml`; the environment scheme is in `env.rs`.
//!
//! Layers, later wins: the defaults in [`defaults`], the TOML file, the environment. Relative
//! paths (`server.data_dir`, `*_file`, `file://relative` source URLs) are resolved against the
//! configuration file's folder; `file:///abs` is absolute. URLs are kept as written.

mod edit;
mod env;
mod problem;
mod read;
mod schema;
mod secret;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

pub use edit::{
    DASHBOARD_MAIL_KEYS, DASHBOARD_SOURCE_KEYS, SourceSecrets, dashboard_mail, dashboard_source,
    rules_document, with_rules,
};
pub use env::{NON_CONFIG_VARS, PREFIX as ENV_PREFIX};
pub use problem::{ConfigError, ConfigErrors, Problem};
pub use secret::Secret;

pub(crate) use read::format_range;

use crate::availability::{EventType, RecurringBlock, Rules, TimeRange, WeeklyHours};

/// The values used when a key is absent.
pub mod defaults {
    use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

    use crate::availability::WeeklyHours;

    pub const LISTEN: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080));
    pub const ADMIN_LISTEN: SocketAddr =
        SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8081));
    /// Relative to the configuration file's folder.
    pub const DATA_DIR: &str = "./data";
    /// In the data directory.
    pub const SECRETS_KEY_FILE: &str = "secrets.key";
    pub const REFRESH_BUDGET_MS: u32 = 2000;
    pub const CAPTCHA: bool = true;
    pub const RATE_LIMIT_PER_MINUTE: u32 = 10;
    pub const API_KEY_RATE_PER_MINUTE: u32 = 120;
    pub const TENTATIVE_BUSY: bool = true;
    pub const ALL_DAY_BUSY: bool = true;
    pub const TRANSPARENT_BUSY: bool = false;
    pub const SYNC_INTERVAL_MINUTES: u32 = 5;
    pub const MAX_AGE_MINUTES: u32 = 60;
    pub const FAIL_OPEN: bool = false;
    pub const TIMEOUT_SECONDS: u32 = 30;
    pub const MAX_SIZE_MB: u32 = 20;
    /// Two hours: nobody books a meeting that starts in five minutes by surprise.
    pub const MIN_NOTICE_MINUTES: u32 = 120;
    pub const HORIZON_DAYS: u32 = 60;
    pub const SESSION_MINUTES: u32 = 60;
    /// A calendar failing for an hour is worth a mail (the default `max_age_minutes` too).
    pub const CALENDAR_FAILING_MINUTES: u32 = 60;

    /// Monday to Friday, 09:00-17:00, when `availability.working_hours` is absent.
    pub fn working_hours() -> WeeklyHours {
        let mut hours = WeeklyHours::default();
        let nine_to_five = super::read::parse_range("09:00-17:00").ok();
        for day in hours.days.iter_mut().take(5) {
            day.extend(nine_to_five);
        }
        hours
    }
}

/// The whole configuration, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub owner: OwnerConfig,
    pub server: ServerConfig,
    pub security: SecurityConfig,
    pub admin: AdminConfig,
    pub page: PageConfig,
    /// `[[sources]]`: the calendars whose busy time blocks slots; may be empty.
    pub sources: Vec<SourceConfig>,
    pub availability: AvailabilityConfig,
    /// `[[event_types]]`: at least one.
    pub event_types: Vec<EventTypeConfig>,
    /// `[mail]`: booking mail over SMTP; absent: no mail is queued.
    pub mail: Option<MailConfig>,
    /// `[[webhooks]]`: URLs told of bookings; may be empty.
    pub webhooks: Vec<WebhookConfig>,
    /// `[alerts]`: the owner is told when a calendar keeps failing.
    pub alerts: AlertsConfig,
    /// `[google]`: the OAuth client of Google accounts connected in the dashboard; absent: the
    /// dashboard offers no "Connect Google".
    pub google: Option<OAuthClientConfig>,
    /// `[microsoft]`: the same for Microsoft accounts.
    pub microsoft: Option<OAuthClientConfig>,
}

/// `[alerts]`: mail to `[owner] email` (with `[mail]`) and `source.failing` /
/// `source.recovered` to the webhooks subscribed to them, when a calendar has been failing
/// for longer than `calendar_failing_minutes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlertsConfig {
    /// Minutes a source must have been failing before the owner is alerted; 0 turns alerts
    /// off. Default 60.
    pub calendar_failing_minutes: u32,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            calendar_failing_minutes: defaults::CALENDAR_FAILING_MINUTES,
        }
    }
}

impl AlertsConfig {
    /// Longest threshold: 30 days.
    pub const MAX_MINUTES: u32 = 43_200;

    /// The threshold; `None` when alerts are off.
    pub fn threshold(&self) -> Option<chrono::Duration> {
        (self.calendar_failing_minutes > 0)
            .then(|| chrono::Duration::minutes(i64::from(self.calendar_failing_minutes)))
    }
}

/// `[google]` / `[microsoft]`: the owner's app registration, used by every account connected in
/// the dashboard (file sources keep their own `client_id` etc.). The secret never prints.
#[derive(Clone, Debug, PartialEq)]
pub struct OAuthClientConfig {
    pub client_id: String,
    /// From `client_secret` or `client_secret_file` (required for Google).
    pub client_secret: Option<Secret>,
    /// Microsoft tenant, default "common".
    pub tenant: Option<String>,
    /// The API base (default: the service's own); a local stand-in in tests.
    pub url: Option<String>,
    /// The OAuth base (default: the service's own); a local stand-in in tests.
    pub oauth_url: Option<String>,
}

/// How the SMTP connection is protected (`mail.tls`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailTls {
    /// Plain connection upgraded with STARTTLS, required (default; port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for an SMTP server on a loopback address (a local relay, tests).
    None,
}

impl MailTls {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "starttls" => Self::Starttls,
            "tls" => Self::Tls,
            "none" => Self::None,
            _ => return None,
        })
    }

    /// Its name in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starttls => "starttls",
            Self::Tls => "tls",
            Self::None => "none",
        }
    }

    /// The usual port of the mode.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Starttls => 587,
            Self::Tls => 465,
            Self::None => 25,
        }
    }
}

/// `[mail]`: invitations, updates, cancellations and reminders, sent through the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailConfig {
    /// Required.
    pub smtp_host: String,
    /// Default: 587 for starttls, 465 for tls, 25 for none.
    pub smtp_port: u16,
    /// Default starttls; `none` is refused unless `smtp_host` is a loopback address.
    pub tls: MailTls,
    pub username: Option<String>,
    /// From `password` or `password_file` (required with `username`).
    pub password: Option<Secret>,
    /// Required: the sender, `addr@example.org` or `Name <addr@example.org>`.
    pub from: String,
    /// The owner gets a copy of every booking mail. Default true.
    pub owner_copy: bool,
    /// Reminders to the visitor, hours before the start (1..=720 each). Default none.
    pub reminder_hours: Vec<u32>,
    /// A PEM file of certificate authorities trusted for the SMTP server besides the system's
    /// (a relay with a private CA). Default none.
    pub tls_ca_file: Option<std::path::PathBuf>,
    /// Mails to one visitor address per day (UTC) at most; more are skipped. Default 5.
    pub max_per_address_per_day: u32,
    /// Mails to visitors per day (UTC) at most, all addresses together. Default 200.
    pub max_per_day: u32,
}

/// One `[[webhooks]]` entry: booking events POSTed as signed JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookConfig {
    /// Required, unique, 1-64 of `a-z0-9-_`; names the webhook in the delivery log.
    pub id: String,
    /// Required, http(s)://.
    pub url: String,
    /// From `secret` or `secret_file` (required): the HMAC-SHA256 key of the signature.
    pub secret: Secret,
    /// Which events are sent: `booking.created`, `booking.rescheduled`, `booking.cancelled`,
    /// `source.failing`, `source.recovered`. Default the three booking events (a receiver
    /// written for bookings never gets an alert it does not expect).
    pub events: Vec<String>,
}

/// The events a webhook can subscribe to.
pub const WEBHOOK_EVENTS: &[&str] = &[
    "booking.created",
    "booking.rescheduled",
    "booking.cancelled",
    "source.failing",
    "source.recovered",
    "booking.requested",
    "booking.declined",
    "booking.withdrawn",
];

/// The events of a webhook without `events`.
pub const DEFAULT_WEBHOOK_EVENTS: &[&str] = &[
    "booking.created",
    "booking.rescheduled",
    "booking.cancelled",
];

/// `[owner]`: who is booked.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnerConfig {
    /// Required.
    pub name: String,
    /// Shown to visitors instead of `name` when set.
    pub display_name: Option<String>,
    /// Required; receives booking notices.
    pub email: String,
    /// More addresses of the owner (as invitations name them; `mailto:` allowed). Default none.
    pub other_emails: Vec<String>,
    /// An IANA zone; working hours, overrides and blocks are read in it. Left out of the file,
    /// the dashboard may set it (UTC until then).
    pub timezone: Tz,
    /// Whether the file (or `OPENSLOT_OWNER__TIMEZONE`) sets `timezone`: then the dashboard
    /// shows it read-only.
    pub timezone_from_file: bool,
}

impl OwnerConfig {
    /// `display_name`, else `name`.
    pub fn shown_name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.name)
    }

    /// `email` and `other_emails`: an invitation one of them declined is free time.
    pub fn addresses(&self) -> crate::calendar::OwnerAddresses {
        crate::calendar::OwnerAddresses::new(
            std::iter::once(self.email.as_str())
                .chain(self.other_emails.iter().map(String::as_str)),
        )
    }
}

/// `[server]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// Public: booking page and public API. Default 127.0.0.1:8080.
    pub listen: SocketAddr,
    /// Owner only: admin API and metrics. Default 127.0.0.1:8081; must differ from `listen`.
    pub admin_listen: SocketAddr,
    /// SQLite database and snapshots. Default `./data`, resolved against the config folder.
    pub data_dir: PathBuf,
    /// How long a booking waits for an incremental refresh of every source before it decides
    /// on the copies it has. Default 2000, 0..=60000.
    pub refresh_budget_ms: u32,
    /// Where visitors reach OpenSlot (manage links are made from it). Default `http://{listen}`.
    pub public_url: String,
    /// The built booking page (`frontend/dist`), served at `/` when set.
    pub static_dir: Option<PathBuf>,
    /// 32 random bytes that seal the passwords and tokens of sources added in the dashboard.
    /// Default `{data_dir}/secrets.key`, created (mode 0600) when absent; a file others may
    /// read is refused. Keep it out of database backups, and with them to restore.
    pub secrets_key_file: PathBuf,
    /// Where the owner's browser reaches the admin listener (the dashboard); Google and
    /// Microsoft send the browser back to `{admin_url}/admin/oauth/{service}/callback`.
    /// `None`: `http://` and the address the admin listener is bound to.
    pub admin_url: Option<String>,
}

impl ServerConfig {
    pub fn refresh_budget(&self) -> std::time::Duration {
        std::time::Duration::from_millis(u64::from(self.refresh_budget_ms))
    }
}

/// `[security]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityConfig {
    /// Proof-of-work on booking requests. Default true.
    pub captcha: bool,
    /// Booking requests per client IP and minute; 0 turns the limit off. Default 10.
    pub rate_limit_per_minute: u32,
    /// Requests per API key and minute on the public API (any endpoint); 0 turns the limit
    /// off. Default 120.
    pub api_key_rate_per_minute: u32,
    /// Peers whose X-Forwarded-For is believed (nginx). Default none.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Origins (`https://example.org`, no path) whose pages may call `/api/v1` from the
    /// browser: they get CORS headers. Default none: no CORS headers at all.
    pub cors_origins: Vec<String>,
    /// Webhook subscriptions made through the admin or public API may point at loopback and
    /// private networks (10/8, 172.16/12, 192.168/16, 127/8, fc00::/7). Default false: a key
    /// holder cannot make OpenSlot post into the owner's LAN. The file's `[[webhooks]]` are
    /// the owner's own and are not limited by this.
    pub webhook_private_targets: bool,
    /// Which of the keys the dashboard may edit the file (or an `OPENSLOT_*` variable) sets:
    /// those stay as the file says; the others apply the dashboard's saved value, if any.
    pub set_in_file: SecuritySetInFile,
}

impl SecurityConfig {
    /// The highest rate limit either key takes (0 turns a limit off).
    pub const MAX_PER_MINUTE: u32 = 100_000;
}

/// The `[security]` keys the dashboard edits where the file leaves them unset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SecuritySetInFile {
    pub captcha: bool,
    pub rate_limit_per_minute: bool,
    pub api_key_rate_per_minute: bool,
}

/// `[page]`: how the booking page looks (the owner's name comes from `[owner]`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PageConfig {
    /// A short text under the owner's name, at most 500 characters. Default none.
    pub intro: Option<String>,
    /// The page's accent colour, "#rrggbb". Default: the page's own blue.
    pub accent_color: Option<String>,
    /// A PNG, JPEG, SVG or WebP file of at most 512 KB, shown beside the name. Default none.
    pub logo_file: Option<PathBuf>,
    /// Sites that may show the booking page in a frame (`https://shop.example`, as origins:
    /// scheme, host, port). Default none: the page refuses every frame.
    pub embed_origins: Vec<String>,
}

impl PageConfig {
    /// The largest logo file served.
    pub const MAX_LOGO_BYTES: u64 = 512 * 1024;
    /// The longest intro text, in characters.
    pub const MAX_INTRO_CHARS: usize = 500;

    /// The logo's media type, from its file name (the reader accepts no other extension).
    pub fn logo_media_type(&self) -> Option<&'static str> {
        let ext = self
            .logo_file
            .as_ref()?
            .extension()?
            .to_str()?
            .to_ascii_lowercase();
        match ext.as_str() {
            "png" => Some("image/png"),
            "jpg" | "jpeg" => Some("image/jpeg"),
            "svg" => Some("image/svg+xml"),
            "webp" => Some("image/webp"),
            _ => None,
        }
    }
}

/// `[admin]`: the owner's login to the admin API (on `server.admin_listen` only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminConfig {
    /// From `password_hash` or `password_hash_file`: an argon2 PHC string (`openslot
    /// hash-password` makes one). Absent: nobody can log in (login answers 503).
    pub password_hash: Option<Secret>,
    /// How long a login lasts. Default 60, 5..=1440.
    pub session_minutes: u32,
    /// Host names (besides address literals and `localhost`) the admin listener answers
    /// under, e.g. the name of an SSH tunnel or a proxy in front of it. Default none; any
    /// other `Host` is refused (DNS rebinding).
    pub allowed_hosts: Vec<String>,
}

impl AdminConfig {
    pub fn session(&self) -> Duration {
        minutes(self.session_minutes)
    }
}

/// `kind` of a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// An iCalendar feed: http(s)://, webcal:// or file://. Read-only.
    Ics,
    /// A CalDAV collection: http(s)://.
    Caldav,
    /// Google Calendar API; `url` (optional) is the API base.
    Google,
    /// Microsoft Graph; `url` (optional) is the API base.
    Microsoft,
}

impl SourceKind {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "ics" => Self::Ics,
            "caldav" => Self::Caldav,
            "google" => Self::Google,
            "microsoft" => Self::Microsoft,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ics => "ics",
            Self::Caldav => "caldav",
            Self::Google => "google",
            Self::Microsoft => "microsoft",
        }
    }

    /// The URL schemes this kind accepts.
    pub fn schemes(self) -> &'static [&'static str] {
        match self {
            Self::Ics => &["http", "https", "webcal", "file"],
            Self::Caldav => &["http", "https"],
            // http only for a loopback host (a local stand-in), checked by the reader.
            Self::Google | Self::Microsoft => &["https", "http"],
        }
    }
}

/// `role` of a source: what its events do to bookable time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SourceRole {
    /// Its events block time (default).
    #[default]
    Busy,
    /// Its events (those whose title contains `match`) open bookable time; they never block.
    Availability,
}

impl SourceRole {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "busy" => Self::Busy,
            "availability" => Self::Availability,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Busy => "busy",
            Self::Availability => "availability",
        }
    }
}

/// One `[[sources]]` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceConfig {
    /// Required, unique, 1-64 of `a-z0-9-_`; names the source in the API, logs and env variables.
    pub id: String,
    pub kind: SourceKind,
    /// Required for ics and caldav; for google and microsoft the API base (default: the
    /// service's own). The scheme must fit the kind. Kept as written.
    pub url: String,
    /// Optional label and `#rrggbb` color for the admin views.
    pub name: Option<String>,
    pub color: Option<String>,
    pub username: Option<String>,
    /// From `password` or `password_file` (required for caldav with a `username`).
    pub password: Option<Secret>,
    /// From `token` or `token_file`: caldav Bearer token; for google and microsoft a refresh
    /// token (otherwise the one `openslot auth` stored in the data directory).
    pub token: Option<Secret>,
    /// Which calendar: caldav display name or collection URL/path, Google calendar id
    /// (default "primary"), Graph calendar id (default: the user's default calendar).
    pub calendar: Option<String>,
    /// OAuth client of the owner's app registration (google: required; microsoft: required).
    pub client_id: Option<String>,
    /// From `client_secret` or `client_secret_file` (google installed app).
    pub client_secret: Option<Secret>,
    /// Microsoft tenant, default "common".
    pub tenant: Option<String>,
    /// OAuth base URL override (a local stand-in in tests).
    pub oauth_url: Option<String>,
    /// Per request, default 30, 1..=300.
    pub timeout_seconds: u32,
    /// Largest answer read, default 20, 1..=1024.
    pub max_size_mb: u32,
    /// Bookings are written into this calendar (into every source that sets it). Default false; not ics.
    pub write: bool,
    /// Tentative events count as busy. Default true.
    pub tentative_busy: bool,
    /// All-day events count as busy. Default true.
    pub all_day_busy: bool,
    /// Events marked free (TRANSP:TRANSPARENT) count as busy. Default false.
    pub transparent_busy: bool,
    /// How often the source is fetched. Default 5, 1..=1440.
    pub sync_interval_minutes: u32,
    /// Freshness limit: older data is stale. Default 60.
    pub max_age_minutes: u32,
    /// When the data is stale: true offers slots anyway, false (default) offers none.
    pub fail_open: bool,
    /// `busy` (default) or `availability`: its events open bookable time instead of blocking.
    pub role: SourceRole,
    /// `match` (availability only): only events whose title contains it (any case) open time.
    pub match_title: Option<String>,
    file_path: Option<PathBuf>,
}

impl SourceConfig {
    /// For a `file://` URL, the file it names, resolved against the configuration folder.
    pub fn file_path(&self) -> Option<&Path> {
        self.file_path.as_deref()
    }

    pub fn sync_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.sync_interval_minutes) * 60)
    }

    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.timeout_seconds))
    }

    pub fn max_bytes(&self) -> u64 {
        u64::from(self.max_size_mb) * 1024 * 1024
    }

    pub fn max_age(&self) -> Duration {
        Duration::minutes(i64::from(self.max_age_minutes))
    }
}

/// `[availability]`: the owner's rules for all event types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvailabilityConfig {
    /// `{ mon = ["09:00-12:00", …], … }`; a missing day is a day off. Default Mon-Fri 09:00-17:00.
    pub working_hours: WeeklyHours,
    /// `{ "2026-12-24" = [], … }`: other hours on a date; `[]` is a day off.
    pub date_overrides: BTreeMap<NaiveDate, Vec<TimeRange>>,
    /// `[{ label = "Lunch", days = ["mon", …], time = "12:00-13:00" }]`.
    pub blocks: Vec<RecurringBlock>,
    /// Default 120.
    pub min_notice_minutes: u32,
    /// Default 60.
    pub horizon_days: u32,
    /// Default 0.
    pub buffer_before_minutes: u32,
    /// Default 0.
    pub buffer_after_minutes: u32,
    /// Default none.
    pub max_bookings_per_day: Option<u32>,
}

/// One `[[event_types]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventTypeConfig {
    /// Required, unique, url-safe (1-64 of `a-z0-9-_`).
    pub slug: String,
    /// Required.
    pub title: String,
    /// Default empty.
    pub description: String,
    /// Required, 1..=1440.
    pub duration_minutes: u32,
    /// Default: the duration.
    pub step_minutes: Option<u32>,
    /// Default: the owner's `availability.buffer_*_minutes`.
    pub buffer_before_minutes: Option<u32>,
    pub buffer_after_minutes: Option<u32>,
    /// Default none.
    pub max_per_day: Option<u32>,
    /// The series a visitor may book (`"weekly"`, `"every_2_weeks"`); default none.
    pub repeat: Vec<crate::domain::series::Frequency>,
    /// Sessions of a series at most, 2..=52; default 6. Only read with `repeat`.
    pub max_sessions: u32,
    /// Where the meeting is; default none.
    pub location: Option<crate::domain::details::Location>,
    /// The owner's questions on the booking form, in order; default none.
    pub questions: Vec<crate::domain::details::Question>,
    /// Who confirms a booking before it stands; default `None` (it stands at once).
    pub confirm: Confirm,
    /// How long a booking waiting for the visitor's mailed link holds its time, 5..=1440
    /// minutes; default 30. Only read with `confirm = "email"`.
    pub confirm_hold_minutes: u32,
    /// How long a request waits for the owner's approval, holding its time, 1..=720 hours;
    /// default 48 (never past the meeting's start). Only read with `confirm = "owner"`.
    pub confirm_owner_hours: u32,
}

/// `confirm` of an event type: who confirms a booking before it is written and announced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Confirm {
    /// The booking stands at once (before `confirm` existed, the only way).
    #[default]
    None,
    /// The visitor follows a link mailed to the address given; until then only that mail is sent.
    Email,
    /// The owner approves or declines the request in the dashboard; until then the visitor gets
    /// only the "request received" mail and nothing is written to the calendars.
    Owner,
}

impl Confirm {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Email => "email",
            Self::Owner => "owner",
        }
    }
}

fn minutes(n: u32) -> Duration {
    Duration::minutes(i64::from(n))
}

impl EventTypeConfig {
    pub fn to_domain(&self) -> EventType {
        EventType {
            slug: self.slug.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            duration: minutes(self.duration_minutes),
            step: minutes(self.step_minutes.unwrap_or(self.duration_minutes)),
            buffer_before: self.buffer_before_minutes.map(minutes),
            buffer_after: self.buffer_after_minutes.map(minutes),
            max_per_day: self.max_per_day,
        }
    }
}

impl Config {
    pub fn rules(&self) -> Rules {
        let a = &self.availability;
        Rules {
            timezone: self.owner.timezone,
            working_hours: a.working_hours.clone(),
            date_overrides: a.date_overrides.clone(),
            recurring_blocks: a.blocks.clone(),
            min_notice: minutes(a.min_notice_minutes),
            horizon_days: a.horizon_days,
            buffer_before: minutes(a.buffer_before_minutes),
            buffer_after: minutes(a.buffer_after_minutes),
            max_bookings_per_day: a.max_bookings_per_day,
        }
    }

    pub fn event_types(&self) -> Vec<EventType> {
        self.event_types
            .iter()
            .map(EventTypeConfig::to_domain)
            .collect()
    }

    pub fn event_type(&self, slug: &str) -> Option<EventType> {
        self.event_type_config(slug).map(EventTypeConfig::to_domain)
    }

    /// The `[[event_types]]` entry `slug`, with what the booking rules do not use (series,
    /// location, questions).
    pub fn event_type_config(&self, slug: &str) -> Option<&EventTypeConfig> {
        self.event_types.iter().find(|e| e.slug == slug)
    }

    pub fn source(&self, id: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// Reads the file at `path` with the process's `OPENSLOT_*` variables.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(from_toml_str(&text, &process_env(), &base_dir(path))?)
}

/// For `openslot check-config`: the config, or every problem (an unreadable file is one problem
/// with an empty key). `env` as from [`process_env`].
pub fn check_file(path: &Path, env: &[(String, String)]) -> Result<Config, Vec<Problem>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Problem::new(
            "",
            format!("cannot read the configuration file {}: {e}", path.display()),
        )]
    })?;
    from_toml_str(&text, env, &base_dir(path)).map_err(|e| e.0)
}

/// The configuration in `text`, overridden by the `OPENSLOT_*` pairs of `env` (other pairs are
/// ignored), with relative paths resolved against `base_dir` and secret files read from there.
/// Takes the environment as data so that tests never touch the process's.
pub fn from_toml_str(
    text: &str,
    env: &[(String, String)],
    base_dir: &Path,
) -> Result<Config, ConfigErrors> {
    let mut root: toml::Table =
        toml::from_str(text).map_err(|e| ConfigErrors(vec![syntax_problem(text, &e)]))?;
    let mut problems = Vec::new();
    let origins = env::apply(&mut root, env, &mut problems);
    let mut reader = read::Reader { problems, base_dir };
    let config = reader.config(&root);
    let mut problems = reader.problems;
    env::attribute(&mut problems, &origins);
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigErrors(problems))
    }
}

/// The process's `OPENSLOT_*` variables (values not valid UTF-8 are converted lossily).
pub fn process_env() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| {
            let k = k.into_string().ok()?;
            k.starts_with(ENV_PREFIX)
                .then(|| (k, v.to_string_lossy().into_owned()))
        })
        .collect()
}

/// The folder relative paths in the file at `path` are resolved against.
fn base_dir(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn syntax_problem(text: &str, e: &toml::de::Error) -> Problem {
    let message = match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!(
                "not valid TOML at line {line}, column {column}: {}",
                e.message()
            )
        }
        None => format!("not valid TOML: {}", e.message()),
    };
    Problem::new("", message)
}
