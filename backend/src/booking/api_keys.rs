//! Integrators' API keys as use cases: made (the key is returned once, only its SHA-256 is
//! kept), listed, revoked, and a presented key checked.
//!
//! A key reads `osk_<id>_<secret>`: `id` (16 hex) finds the row, `secret` (32 random bytes as
//! 64 hex) is what is hashed. A key that high in entropy needs no slow hash; the secret is
//! never logged (only the id is).

use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};

use crate::store::StoreError;
use crate::store::api_keys;
pub use crate::store::api_keys::ApiKeyRow;

use super::BookingService;

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The page, event types and free slots.
    SlotsRead,
    /// Book (without the captcha and the visitors' limit), cancel and reschedule.
    BookingsWrite,
    /// Webhook subscriptions.
    WebhooksManage,
}

impl Scope {
    pub const ALL: [Scope; 3] = [
        Scope::SlotsRead,
        Scope::BookingsWrite,
        Scope::WebhooksManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::SlotsRead => "slots:read",
            Scope::BookingsWrite => "bookings:write",
            Scope::WebhooksManage => "webhooks:manage",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Who sent a request with a valid key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiCaller {
    pub key_id: String,
    pub scopes: Vec<Scope>,
}

impl ApiCaller {
    pub fn may(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// The owner of its idempotency keys (visitors' are '').
    pub fn idempotency_scope(&self) -> String {
        format!("key:{}", self.key_id)
    }
}

/// A key just made: the row and the key itself, shown this once.
#[derive(Debug)]
pub struct NewApiKey {
    pub row: ApiKeyRow,
    pub key: String,
}

const PREFIX: &str = "osk_";

fn random_hex(bytes: &mut [u8]) -> String {
    if SystemRandom::new().fill(bytes).is_err() {
        // Not recoverable in a meaningful way; refuse to hand out a guessable key.
        bytes.fill(0);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hash(secret: &str) -> Vec<u8> {
    digest::digest(&digest::SHA256, secret.as_bytes())
        .as_ref()
        .to_vec()
}

/// Equal without an early exit.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `(id, secret)` of a key's text.
fn split(key: &str) -> Option<(&str, &str)> {
    let (id, secret) = key.strip_prefix(PREFIX)?.split_once('_')?;
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(id, 16) && hex(secret, 64)).then_some((id, secret))
}

impl BookingService {
    /// Makes a key named `name` with `scopes`.
    pub async fn create_api_key(
        &self,
        name: &str,
        scopes: &[Scope],
    ) -> Result<NewApiKey, StoreError> {
        let id = random_hex(&mut [0u8; 8]);
        let secret = random_hex(&mut [0u8; 32]);
        if secret.bytes().all(|b| b == b'0') {
            return Err(StoreError::Worker(
                "the system's random source failed".to_owned(),
            ));
        }
        let row = ApiKeyRow {
            id: id.clone(),
            name: name.to_owned(),
            scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            created_at: self.now(),
            last_used_at: None,
            revoked_at: None,
        };
        let (stored, digest) = (row.clone(), hash(&secret));
        self.store()
            .call(move |c| api_keys::insert(c, &stored, &digest))
            .await?;
        Ok(NewApiKey {
            row,
            key: format!("{PREFIX}{id}_{secret}"),
        })
    }

    /// Every key (revoked ones too), newest first.
    pub async fn api_keys(&self) -> Result<Vec<ApiKeyRow>, StoreError> {
        self.store().call(|c| api_keys::list(c)).await
    }

    /// Revokes a key at once; false when there is no such active key.
    pub async fn revoke_api_key(&self, id: &str) -> Result<bool, StoreError> {
        let (id, now) = (id.to_owned(), self.now());
        self.store()
            .call(move |c| api_keys::revoke(c, &id, now))
            .await
    }

    /// The caller a presented key stands for; `None` for a key that is malformed, unknown or
    /// revoked.
    pub async fn api_caller(&self, key: &str) -> Result<Option<ApiCaller>, StoreError> {
        let Some((id, secret)) = split(key.trim()) else {
            return Ok(None);
        };
        let owned = id.to_owned();
        let Some((row, stored)) = self
            .store()
            .call(move |c| api_keys::active(c, &owned))
            .await?
        else {
            return Ok(None);
        };
        if !same(&stored, &hash(secret)) {
            return Ok(None);
        }
        let now = self.now();
        // One write a minute at most, not one per request.
        if row
            .last_used_at
            .is_none_or(|t| now - t >= chrono::Duration::minutes(1))
        {
            let id = row.id.clone();
            self.store()
                .call(move |c| api_keys::touch(c, &id, now))
                .await?;
        }
        Ok(Some(ApiCaller {
            key_id: row.id,
            scopes: row.scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_into_id_and_secret_only_when_well_formed() {
        let secret = "ab".repeat(32);
        let key = format!("osk_0123456789abcdef_{secret}");
        assert_eq!(split(&key), Some(("0123456789abcdef", secret.as_str())));
        for bad in [
            "",
            "osk_",
            "0123456789abcdef_x",
            &format!("osk_0123456789abcde_{secret}"),
            &format!("osk_0123456789abcdef_{secret}0"),
            &format!("osk_0123456789abcdeg_{secret}"),
            &format!("sk_0123456789abcdef_{secret}"),
        ] {
            assert_eq!(split(bad), None, "{bad}");
        }
    }

    #[test]
    fn scopes_round_trip() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
        }
        assert_eq!(Scope::parse("admin"), None);
    }

    #[test]
    fn comparison_needs_equal_bytes() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
