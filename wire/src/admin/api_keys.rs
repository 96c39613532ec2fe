//! Integrators' API keys (`/admin/api/api-keys`): made in the dashboard, the key shown once.

use serde::{Deserialize, Serialize};

/// A key to make.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ApiKeyBody {
    /// Who uses the key, 1-100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Any of `slots:read`, `bookings:write`, `webhooks:manage`; at least one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

/// A key as the list shows it (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ApiKeyJson {
    pub id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A key just made: the row and, this once, the key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct NewApiKeyJson {
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", oai(flatten))]
    pub row: ApiKeyJson,
    /// `osk_<id>_<secret>`, sent as `Authorization: Bearer KEY`. Shown this once: only a
    /// hash of it is kept.
    pub key: String,
}

/// Never prints the key.
impl std::fmt::Debug for NewApiKeyJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiKeyJson")
            .field("row", &self.row)
            .field("key", &"…")
            .finish()
    }
}
