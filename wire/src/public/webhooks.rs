//! Webhook subscriptions of an API key (`/api/v1/webhooks`, scope `webhooks:manage`): a key
//! sees and deletes only the ones it made.

use serde::{Deserialize, Serialize};

/// A subscription to make.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SubscriptionBody {
    /// Where the signed POSTs go: http:// or https:// to a public address.
    pub url: String,
    /// Any of the webhook events; default `booking.created`, `booking.rescheduled`,
    /// `booking.cancelled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
}

/// A subscription as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SubscriptionJson {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: String,
}

/// A subscription just made, with its signing secret (shown this once).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct NewSubscriptionJson {
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", oai(flatten))]
    pub row: SubscriptionJson,
    /// The HMAC-SHA256 key of `OpenSlot-Signature`. Shown this once.
    pub secret: String,
}

/// Never prints the secret.
impl std::fmt::Debug for NewSubscriptionJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSubscriptionJson")
            .field("row", &self.row)
            .field("secret", &"…")
            .finish()
    }
}
