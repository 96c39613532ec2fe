//! Why a source could not be read or written, in words the owner understands: the status
//! page and `openslot sync` show `to_string()` as it is, so no variant prints a stack trace, a
//! response body or a secret.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot reach {host}: {detail}")]
    Unreachable { host: String, detail: String },
    #[error("{host} did not answer within {seconds} s")]
    Timeout { host: String, seconds: u64 },
    #[error("authentication failed ({status}): check the username and password or token{hint}")]
    AuthFailed { status: u16, hint: &'static str },
    #[error("not authorized yet: run `openslot auth {service} --source {source_id}`")]
    NotAuthorized {
        service: &'static str,
        source_id: String,
    },
    /// The service refused the stored refresh token (`invalid_grant`): revoked, the password
    /// changed, or (Google) an OAuth client left in "Testing" whose tokens expire after 7 days.
    #[error(
        "reconnect needed: {service} no longer accepts the stored sign-in (invalid_grant: access revoked, password changed, or a Google OAuth client in \"Testing\" whose refresh tokens expire after 7 days); {}",
        if *.dashboard { "press \"Reconnect\" on its card in the dashboard's Calendars".to_owned() } else { format!("run `openslot auth {service} --source {source_id}`") }
    )]
    ReconnectNeeded {
        service: &'static str,
        source_id: String,
        /// Connected in the dashboard (its token sealed there), not with `openslot auth`.
        dashboard: bool,
    },
    #[error("{url} was not found (404): check the URL")]
    NotFound { url: String },
    #[error("the server answered {status}{}", reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    Http { status: u16, reason: Option<String> },
    /// A server error (5xx or an odd status) that remained during CalDAV discovery, also after
    /// asking for the fewest properties: the URL that was asked, and what to configure instead.
    #[error(
        "calendar discovery failed at {url}: {source}; set `url` to your principal URL (on DAViCal http(s)://HOST/caldav.php/USERNAME/) or to the calendar's own URL"
    )]
    Discovery {
        url: String,
        source: Box<SourceError>,
    },
    #[error("the answer is larger than the limit of {limit_mb} MB")]
    TooLarge { limit_mb: u64 },
    #[error("too many redirects (more than {0})")]
    TooManyRedirects(usize),
    #[error("the answer is not a calendar: {0}")]
    NotACalendar(String),
    #[error("the calendar ends early (no END:VCALENDAR): the download was cut off")]
    Truncated,
    #[error("the server's answer could not be understood: {0}")]
    BadResponse(String),
    #[error("the calendar refused the change: {0}")]
    Refused(String),
    #[error("{0}")]
    Config(String),
}

impl SourceError {
    /// Errors that a later attempt may not see (the network, the server's load); the others
    /// need the owner (credentials, URL, configuration).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. } | Self::Timeout { .. } => true,
            Self::Http { status, .. } => *status >= 500 || *status == 429,
            Self::Discovery { source, .. } => source.is_transient(),
            _ => false,
        }
    }

    /// The service refused the stored sign-in: only the owner can fix it, by connecting again.
    pub fn needs_reconnect(&self) -> bool {
        matches!(self, Self::ReconnectNeeded { .. })
    }
}
