//! PLACEHOLDER (issue 4): minimal stand-in with the agreed signatures; replaced by the real
//! signer from the `guards` branch.

use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Manage,
    BookingsFeed,
    FreebusyFeed,
}

#[derive(Clone)]
pub struct TokenKey([u8; 32]);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

impl TokenKey {
    pub fn load_or_create(_path: &Path) -> std::io::Result<TokenKey> {
        Ok(TokenKey([7; 32]))
    }
    pub fn from_bytes(b: [u8; 32]) -> Self {
        TokenKey(b)
    }
    pub fn sign(&self, purpose: Purpose, subject: &str) -> String {
        format!("{purpose:?}-{subject}-{}", self.0[0])
    }
    pub fn verify(&self, purpose: Purpose, subject: &str, token: &str) -> bool {
        self.sign(purpose, subject) == token
    }
}
