//! The service's parts put together at start-up: the database, the manage-token key, the
//! sealed secrets of the dashboard's sources, the sync hub with every source, and the booking
//! service over them. The HTTP server (`api::server`) takes what this returns and never opens
//! storage itself.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::store::secret_box::{KeyError, SecretBox};
use crate::store::{Store, StoreError};
use crate::sync::SyncHub;
use crate::sync::catalog::SourceCatalog;

use super::BookingService;
use super::token::{KEY_FILE_NAME, TokenKey};

/// Why the service's parts could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read or create the key file {path}: {source}")]
    Key {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Secrets(#[from] KeyError),
}

/// The booking service and the dashboard's source catalog, over one store and one hub.
#[derive(Debug)]
pub struct Opened {
    pub service: BookingService,
    pub sources: Arc<SourceCatalog>,
}

/// Opens the database in `server.data_dir`, the keys and the sources of `config`.
pub fn open(config: Config, clock: fn() -> DateTime<Utc>) -> Result<Opened, OpenError> {
    let data_dir = config.server.data_dir.clone();
    let store = Store::open(&data_dir)?;
    let key_path = data_dir.join(KEY_FILE_NAME);
    let tokens = TokenKey::load_or_create(&key_path).map_err(|source| OpenError::Key {
        path: key_path,
        source,
    })?;
    let secrets = SecretBox::load_or_create(&config.server.secrets_key_file)?;
    let hub = Arc::new(SyncHub::new(&config));
    let sources = Arc::new(SourceCatalog::open(&config, store.clone(), &hub, secrets)?);
    // The same key file, loaded again: the catalog owns its copy, the service seals webhooks'.
    let webhook_secrets = SecretBox::load_or_create(&config.server.secrets_key_file)?;
    let service = BookingService::new(config, store, hub, tokens, clock, Some(webhook_secrets));
    Ok(Opened { service, sources })
}

/// A service over an empty in-memory database and no sources, with a fixed key: enough to
/// describe the API (`openslot openapi`), never to serve it.
pub fn for_spec(config: Config) -> Result<BookingService, StoreError> {
    let hub = Arc::new(SyncHub::new(&config));
    Ok(BookingService::new(
        config,
        Store::open_in_memory()?,
        hub,
        TokenKey::from_bytes([0; 32]),
        crate::clock::now,
        None,
    ))
}
