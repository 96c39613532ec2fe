//! Webhook subscriptions (`/admin/api/webhooks`): the file's `[[webhooks]]` (read-only) and the
//! ones made through the APIs, whose secret is shown once, when made.

use serde::{Deserialize, Serialize};

use super::Origin;

/// A subscription to make.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    /// Where the signed POSTs go: http:// or https://, a public address (private and local
    /// ones only with `[security] webhook_private_targets = true`).
    pub url: String,
    /// Any of the webhook events; default `booking.created`, `booking.rescheduled`,
    /// `booking.cancelled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
}

/// A webhook as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct WebhookJson {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    /// `file`: a `[[webhooks]]` entry, read-only here; `dashboard`: made through an API.
    pub origin: Origin,
    /// Who made it: `dashboard`, or `key:ID` for an API key; absent for the file's.
    pub created_by: Option<String>,
    pub created_at: Option<String>,
}

/// A subscription just made: the row and, this once, its signing secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct NewWebhookJson {
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", oai(flatten))]
    pub row: WebhookJson,
    /// The HMAC-SHA256 key of `OpenSlot-Signature`. Shown this once: only a sealed copy is kept.
    pub secret: String,
}

/// Never prints the secret.
impl std::fmt::Debug for NewWebhookJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewWebhookJson")
            .field("row", &self.row)
            .field("secret", &"…")
            .finish()
    }
}

/// A test ping's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct WebhookTestJson {
    /// The receiver's HTTP status (2xx).
    pub status: u16,
}
