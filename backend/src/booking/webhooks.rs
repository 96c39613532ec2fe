//! Webhook subscriptions as use cases: listed (the file's `[[webhooks]]` too, read-only),
//! made through the admin API (by the owner) or the public API (by a key with
//! `webhooks:manage`), deleted, and a `ping` sent at once.
//!
//! Invariants: the URL is parsed once and checked by `sources::http::check_subscription_url`
//! before anything is stored (no metadata, unspecified, multicast address; no private or
//! local one unless `[security] webhook_private_targets`); the secret is made here, returned
//! once, and stored only sealed by `store::secret_box` under the row's id; a key sees and
//! deletes only the subscriptions it made; deleting one ends its queued deliveries as failed.

use chrono::{DateTime, Utc};
use ring::rand::{SecureRandom, SystemRandom};

use crate::config::{DEFAULT_WEBHOOK_EVENTS, WEBHOOK_EVENTS};
use crate::notify::webhook::{Sender, WebhookError};
use crate::sources::http::check_subscription_url;
use crate::store::StoreError;
use crate::store::webhooks::{self, WebhookRow};

use super::BookingService;

/// Who made a subscription, or asks about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Creator {
    /// The owner, in the dashboard or through the admin API.
    Dashboard,
    /// An integrator's API key, by its id.
    Key(String),
}

impl Creator {
    fn stored(&self) -> String {
        match self {
            Creator::Dashboard => "dashboard".to_owned(),
            Creator::Key(id) => format!("key:{id}"),
        }
    }

    fn parse(text: &str) -> Creator {
        match text.strip_prefix("key:") {
            Some(id) => Creator::Key(id.to_owned()),
            None => Creator::Dashboard,
        }
    }
}

/// A webhook as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    /// `None`: a `[[webhooks]]` entry of the configuration file (read-only).
    pub made: Option<(Creator, DateTime<Utc>)>,
}

/// A subscription just made, with its secret (shown this once).
#[derive(Debug)]
pub struct NewSubscription {
    pub subscription: Subscription,
    pub secret: String,
}

/// Why a subscription was not made.
#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    /// A field is wrong: its name and why.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("the secrets key cannot seal the secret: {0}")]
    Sealing(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a delete came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Deleted {
    Done,
    /// A `[[webhooks]]` entry of the configuration file: only the file changes it.
    FromFile,
    /// No such subscription (or another caller's).
    NotFound,
}

/// Why a test ping was not answered with 2xx.
#[derive(Debug, thiserror::Error)]
pub enum PingError {
    #[error("no such webhook")]
    NotFound,
    #[error("{0}")]
    Failed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The reason a deleted subscription's queued deliveries end with.
const DELETED: &str = "the webhook subscription was deleted; nothing more is sent to it";

fn random_hex(bytes: &mut [u8]) -> Option<String> {
    SystemRandom::new().fill(bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The events asked for, each one of `WEBHOOK_EVENTS`, once; the booking events by default.
fn events_of(asked: Option<Vec<String>>) -> Result<Vec<String>, SubscribeError> {
    let Some(asked) = asked else {
        return Ok(DEFAULT_WEBHOOK_EVENTS
            .iter()
            .map(|e| (*e).to_owned())
            .collect());
    };
    let mut events = Vec::new();
    for e in asked {
        let e = e.trim().to_owned();
        if !WEBHOOK_EVENTS.contains(&e.as_str()) {
            return Err(SubscribeError::Invalid {
                field: "events",
                message: format!("`{e}` is not an event: use {}", WEBHOOK_EVENTS.join(", ")),
            });
        }
        if !events.contains(&e) {
            events.push(e);
        }
    }
    if events.is_empty() {
        return Err(SubscribeError::Invalid {
            field: "events",
            message: "name at least one event".to_owned(),
        });
    }
    Ok(events)
}

fn subscription(row: &WebhookRow) -> Subscription {
    Subscription {
        id: row.id.clone(),
        url: row.url.clone(),
        events: row.events.clone(),
        made: Some((Creator::parse(&row.created_by), row.created_at)),
    }
}

impl BookingService {
    /// The webhooks `who` may see: for the owner (`Dashboard`) the file's first, then every
    /// stored one; for a key only the ones it made.
    pub async fn webhooks(&self, who: &Creator) -> Result<Vec<Subscription>, StoreError> {
        let mut list: Vec<Subscription> = if *who == Creator::Dashboard {
            self.config()
                .webhooks
                .iter()
                .map(|h| Subscription {
                    id: h.id.clone(),
                    url: h.url.clone(),
                    events: h.events.clone(),
                    made: None,
                })
                .collect()
        } else {
            Vec::new()
        };
        let stored = self.store().call(|c| webhooks::list(c)).await?;
        let mine = who.stored();
        list.extend(
            stored
                .iter()
                .filter(|r| *who == Creator::Dashboard || r.created_by == mine)
                .map(subscription),
        );
        Ok(list)
    }

    /// Makes a subscription to `url` for `events` (the booking events when `None`).
    pub async fn create_webhook(
        &self,
        url: &str,
        events: Option<Vec<String>>,
        who: &Creator,
    ) -> Result<NewSubscription, SubscribeError> {
        let url = url.trim();
        if url.is_empty() || url.len() > 2000 {
            return Err(SubscribeError::Invalid {
                field: "url",
                message: "give an http:// or https:// URL of at most 2000 characters".to_owned(),
            });
        }
        let events = events_of(events)?;
        let allow_private = self.config().security.webhook_private_targets;
        let parsed = check_subscription_url(url, allow_private)
            .await
            .map_err(|e| SubscribeError::Invalid {
                field: "url",
                message: e.to_string(),
            })?;
        let Some(suffix) = random_hex(&mut [0u8; 8]) else {
            return Err(SubscribeError::Sealing("no random numbers".to_owned()));
        };
        // `wh_` + 16 hex: a file id may use the same letters, so the file's are skipped.
        let id = format!("wh_{suffix}");
        if self.config().webhooks.iter().any(|h| h.id == id) {
            return Err(SubscribeError::Sealing("an id clash, try again".to_owned()));
        }
        let Some(secret) = random_hex(&mut [0u8; 32]).map(|s| format!("whsec_{s}")) else {
            return Err(SubscribeError::Sealing("no random numbers".to_owned()));
        };
        let Some(secrets) = self.secrets() else {
            return Err(SubscribeError::Sealing("no secrets key".to_owned()));
        };
        let sealed = secrets
            .seal(&id, secret.as_bytes())
            .map_err(|e| SubscribeError::Sealing(e.to_string()))?;
        let row = WebhookRow {
            id,
            url: parsed.to_string(),
            events,
            secret: sealed,
            created_by: who.stored(),
            created_at: self.now(),
        };
        let stored = row.clone();
        self.store()
            .call(move |c| webhooks::insert(c, &stored))
            .await?;
        Ok(NewSubscription {
            subscription: subscription(&row),
            secret,
        })
    }

    /// Deletes a subscription `who` may delete (the owner any stored one, a key its own); its
    /// queued deliveries end as failed.
    pub async fn delete_webhook(&self, id: &str, who: &Creator) -> Result<Deleted, StoreError> {
        if self.config().webhooks.iter().any(|h| h.id == id) {
            return Ok(if *who == Creator::Dashboard {
                Deleted::FromFile
            } else {
                Deleted::NotFound
            });
        }
        let creator = (*who != Creator::Dashboard).then(|| who.stored());
        let (id, now) = (id.to_owned(), self.now());
        let done = self
            .store()
            .call(move |c| webhooks::delete(c, &id, creator.as_deref(), DELETED, now))
            .await?;
        Ok(if done {
            Deleted::Done
        } else {
            Deleted::NotFound
        })
    }

    /// Sends a signed `ping` to a webhook now (not queued, not in the delivery log); the
    /// receiver's status when it answered 2xx.
    pub async fn ping_webhook(&self, id: &str) -> Result<u16, PingError> {
        let config = self.config();
        let (url, secret) = match config.webhooks.iter().find(|h| h.id == id) {
            Some(h) => (h.url.clone(), h.secret.expose().as_bytes().to_vec()),
            None => {
                let owned = id.to_owned();
                let row = self
                    .store()
                    .call(move |c| webhooks::get(c, &owned))
                    .await?
                    .ok_or(PingError::NotFound)?;
                check_subscription_url(&row.url, config.security.webhook_private_targets)
                    .await
                    .map_err(|e| PingError::Failed(e.to_string()))?;
                let secret = self.open_secret(&row.id, &row.secret)?;
                (row.url, secret)
            }
        };
        let now = self.now();
        let body = serde_json::json!({
            "event": "ping",
            "occurred_at": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "webhook": { "id": id },
        })
        .to_string();
        let sender = Sender::new().map_err(|e| PingError::Failed(e.to_string()))?;
        sender
            .send(&url, &secret, "ping", 0, &body, now)
            .await
            .map_err(|e: WebhookError| PingError::Failed(e.to_string()))
    }

    /// Opens a secret sealed for the row `id`.
    pub(crate) fn open_secret(
        &self,
        id: &str,
        sealed: &crate::store::secret_box::Sealed,
    ) -> Result<Vec<u8>, String> {
        let Some(secrets) = self.secrets() else {
            return Err("no secrets key".to_owned());
        };
        secrets.open(id, sealed).map_err(|e| e.to_string())
    }
}

impl From<String> for PingError {
    fn from(s: String) -> Self {
        PingError::Failed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_default_to_the_booking_events_and_must_be_known() {
        assert_eq!(events_of(None).unwrap(), DEFAULT_WEBHOOK_EVENTS);
        assert_eq!(
            events_of(Some(vec![
                "booking.created".into(),
                "booking.created".into()
            ]))
            .unwrap(),
            ["booking.created"]
        );
        assert!(events_of(Some(vec![])).is_err());
        assert!(events_of(Some(vec!["booking.reminder".into()])).is_err());
    }

    #[test]
    fn creators_round_trip() {
        for c in [Creator::Dashboard, Creator::Key("ab12".into())] {
            assert_eq!(Creator::parse(&c.stored()), c);
        }
    }
}
