//! The proof-of-work challenge (ALTCHA) the booking page solves before it books.

use serde::{Deserialize, Serialize};

/// What the widget fetches before it starts working.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct Challenge {
    /// Always "SHA-256".
    pub algorithm: String,
    /// Hex SHA-256 of `salt` followed by the secret number in decimal.
    pub challenge: String,
    /// The secret number is between 0 and this, inclusive.
    #[serde(rename = "maxnumber")]
    #[cfg_attr(feature = "openapi", oai(rename = "maxnumber"))]
    pub max_number: u64,
    /// Random hex, then `?expires=`, the expiry in Unix seconds, and `&`.
    pub salt: String,
    /// Hex HMAC-SHA256 of `challenge` under the server's key.
    pub signature: String,
}
