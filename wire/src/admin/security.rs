//! `[security]` in the dashboard (`GET`/`PUT /admin/api/security`): the captcha and the two
//! rate limits are edited there where the configuration file leaves them unset; the rest is
//! the file's only and shown read-only.

use serde::{Deserialize, Serialize};

/// `[security]` (and `[page] embed_origins`) as they apply. `*_from_file`: the configuration
/// file (or an `OPENSLOT_*` variable) sets it, so it is read-only here; the origins and proxies
/// always are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SecurityJson {
    /// Whether a visitor's booking needs the proof of work.
    pub captcha: bool,
    /// Booking requests per visitor address and minute (0: no limit).
    pub rate_limit_per_minute: u32,
    /// Requests per API key and minute (0: no limit).
    pub api_key_rate_per_minute: u32,
    /// `captcha` comes from the configuration file.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub captcha_from_file: bool,
    /// `rate_limit_per_minute` comes from the configuration file.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub rate_limit_from_file: bool,
    /// `api_key_rate_per_minute` comes from the configuration file.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub api_key_rate_from_file: bool,
    /// Peers whose `X-Forwarded-For` is believed (the file's only).
    pub trusted_proxies: Vec<String>,
    /// Origins whose pages may read the API from a browser (the file's only).
    pub cors_origins: Vec<String>,
    /// Sites that may show the booking page in a frame (the file's only).
    pub embed_origins: Vec<String>,
}

/// What `PUT /admin/api/security` takes: each field absent or `null` is back to the default
/// (captcha on, 10 and 120 per minute); a field the configuration file sets must be left out
/// or sent as the file has it (else 409). Applies at once, without a restart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SecurityBody {
    /// Whether a visitor's booking needs the proof of work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub captcha: Option<bool>,
    /// Booking requests per visitor address and minute, 0..=100000 (0: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub rate_limit_per_minute: Option<u32>,
    /// Requests per API key and minute, 0..=100000 (0: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub api_key_rate_per_minute: Option<u32>,
}
