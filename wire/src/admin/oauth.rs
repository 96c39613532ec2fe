//! Connecting a Google or Microsoft account (OAuth) from the dashboard.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An account service the dashboard can connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum Service {
    Google,
    Microsoft,
}

/// How the owner signs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum Flow {
    /// The consent page sends the browser back here.
    Redirect,
    /// A code entered on another device (Microsoft).
    Device,
}

/// Where a sign-in is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum ConnectionStatus {
    Waiting,
    Authorized,
    Failed,
    Expired,
}

/// A service the dashboard can connect (its `[google]`/`[microsoft]` section is set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ServiceJson {
    pub service: Service,
    /// Where the consent page sends the browser (register it with the OAuth client).
    pub redirect_uri: String,
    /// The flows offered: `redirect` (both), `device` (Microsoft).
    pub flows: Vec<Flow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct StartBody {
    /// `redirect` (default for Google) or `device` (default for Microsoft).
    pub flow: Option<String>,
    /// Reconnect this dashboard source: its token is replaced, its settings stay.
    pub source: Option<String>,
    /// Ask for the right to write bookings (`write = true`); read only otherwise.
    pub write: Option<bool>,
}

/// A sign-in in progress. Never holds a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ConnectionJson {
    pub id: String,
    pub service: Service,
    pub flow: Flow,
    pub status: ConnectionStatus,
    /// Why it failed.
    pub error: Option<String>,
    /// The source being reconnected.
    pub source: Option<String>,
    pub write: bool,
    pub expires_at: String,
    /// Redirect: open this page (until the answer came back).
    pub authorize_url: Option<String>,
    /// Redirect: where the consent page sends the browser; when it cannot load that address,
    /// paste the address (or the code) into `POST .../code`.
    pub redirect_uri: Option<String>,
    /// Device code: where to go and the code to enter there.
    pub verification_uri: Option<String>,
    pub user_code: Option<String>,
}

/// What the owner pasted. Its `Debug` never shows the code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct PasteBody {
    /// The code, or the whole address the browser was sent to.
    pub code: String,
}

impl fmt::Debug for PasteBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasteBody").finish_non_exhaustive()
    }
}

/// A calendar of the connected account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct AccountCalendarJson {
    /// The calendar id: put it into the source's `calendar`.
    pub id: String,
    pub name: Option<String>,
    pub color: Option<String>,
    /// The account's main calendar.
    pub primary: bool,
}
