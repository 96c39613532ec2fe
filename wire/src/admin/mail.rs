//! Settings in the dashboard: `[mail]` with the answer of a test mail (edited there while the
//! configuration file has no `[mail]`), and the booking page's texts it edits (`[security]`:
//! `security.rs`).

use serde::{Deserialize, Serialize};

/// The mail settings in effect (never the password).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct MailJson {
    /// Whether mail is set up (the file's `[mail]` or the dashboard's); without it nothing is
    /// mailed and the other fields are absent.
    pub configured: bool,
    /// The configuration file sets `[mail]`: read-only here (`PUT` answers 409). Otherwise
    /// the dashboard may set, change and forget the settings.
    pub from_file: bool,
    /// A password is in effect (it is never shown).
    pub password_set: bool,
    /// When the dashboard's settings were saved (RFC 3339, UTC); absent for the file's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub updated_at: Option<String>,
    /// Where a test mail and the owner's copies go (`[owner] email`).
    pub owner_email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub smtp_host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub smtp_port: Option<u16>,
    /// `starttls`, `tls` or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub tls: Option<String>,
    /// The SMTP user name, when the server asks for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub username: Option<String>,
    /// The sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub from: Option<String>,
    /// The owner gets a copy of every booking mail.
    pub owner_copy: bool,
    /// Reminders to the visitor, hours before the start.
    pub reminder_hours: Vec<u32>,
    /// Mails to one visitor address per day at most.
    pub max_per_address_per_day: u32,
    /// Mails to visitors per day at most.
    pub max_per_day: u32,
}

/// The SMTP settings the dashboard saves (`PUT /admin/api/mail`) while the configuration file
/// has no `[mail]`: the keys of that section, checked by the same reader (an unknown key or a
/// wrong value is a 422 naming the field). Absent fields take the file's defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct MailBody {
    /// The SMTP server's host name or IP address.
    pub smtp_host: String,
    /// Default: 587 for `starttls`, 465 for `tls`, 25 for `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub smtp_port: Option<u16>,
    /// `starttls` (default), `tls`, or `none` (only for a server on a loopback address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub tls: Option<String>,
    /// The SMTP user name, when the server asks for one (then a password is required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub username: Option<String>,
    /// Write-only: absent keeps the saved password, `""` means none, any other text replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub password: Option<String>,
    /// The sender, `addr@example.org` or `Name <addr@example.org>`.
    pub from: String,
    /// The owner gets a copy of every booking mail (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub owner_copy: Option<bool>,
    /// Reminders to the visitor, hours before the start (1 to 720 each; default none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", oai(default, skip_serializing_if_is_empty))]
    pub reminder_hours: Vec<u32>,
    /// Mails to one visitor address per day at most (1 to 1000; default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub max_per_address_per_day: Option<u32>,
    /// Mails to visitors per day at most (1 to 100000; default 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub max_per_day: Option<u32>,
}

/// A test mail the SMTP server accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct TestMailJson {
    /// The owner's address it went to.
    pub sent_to: String,
    /// The server's reply code (250: accepted).
    pub reply_code: u16,
}

/// A logo uploaded in the dashboard (`PUT /admin/api/page/logo`): a PNG, JPEG, WebP or SVG
/// (without scripts) of at most 512 KB, base64-encoded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct LogoBody {
    /// `image/png`, `image/jpeg`, `image/webp` or `image/svg+xml`; the bytes must match it.
    pub media_type: String,
    /// The file, base64 (standard alphabet, padded).
    pub data_base64: String,
}

/// The booking page's texts the dashboard edits (`GET`/`PUT /admin/api/page`). A value the
/// configuration file sets is shown with `*_from_file` and cannot be changed here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct PageSettingsJson {
    /// A short plain text under the owner's name (at most 500 characters); absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub intro: Option<String>,
    /// The page's accent colour, `#rrggbb`; absent: the page's own blue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub accent_color: Option<String>,
    /// In answers: `intro` comes from the configuration file (read-only here).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub intro_from_file: bool,
    /// In answers: `accent_color` comes from the configuration file (read-only here).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub accent_from_file: bool,
    /// The name visitors see instead of `owner_name` (at most 100 characters, one line);
    /// absent: `owner_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub display_name: Option<String>,
    /// In answers: `display_name` comes from the configuration file (read-only here).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub display_name_from_file: bool,
    /// In answers: the page's logo as the dashboard loads it, on the admin listener (absent:
    /// none; visitors load it at `/api/v1/page/logo`). Changed with `PUT`/`DELETE
    /// /admin/api/page/logo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub logo_url: Option<String>,
    /// In answers: the logo is `[page] logo_file` of the configuration file (read-only here).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub logo_from_file: bool,
    /// In answers: `[owner] name` (the file's, read-only).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub owner_name: String,
    /// The owner's IANA zone, in which working hours, overrides and blocks are read
    /// (`[owner] timezone`; where the file leaves it out, set here: absent or empty is UTC).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub owner_timezone: String,
    /// In answers: `owner_timezone` comes from the configuration file (read-only here).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub timezone_from_file: bool,
}
