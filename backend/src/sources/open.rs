//! From a `[[sources]]` entry to the adapter that reads it and, when `write = true`, the one
//! that writes bookings into it.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::config::{SourceConfig, SourceKind};

use super::{CalendarSource, CalendarWriter, SourceError, caldav, google, ics_feed, microsoft};

/// What adapters need besides their own entry.
#[derive(Clone, Debug)]
pub struct SourceContext {
    /// `server.data_dir`: OAuth tokens live in `tokens/` below it.
    pub data_dir: PathBuf,
    /// For the dashboard's sources: rotated OAuth refresh tokens go here (sealed in the
    /// database), and `tokens/` is never read or written.
    pub tokens: Option<Arc<dyn super::oauth::TokenVault>>,
    /// The service's clock: when an access token expires is reckoned with it.
    pub clock: fn() -> DateTime<Utc>,
}

impl SourceContext {
    /// The context of the configuration file's sources: tokens in `data_dir/tokens/`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        SourceContext {
            data_dir: data_dir.into(),
            tokens: None,
            clock: crate::clock::now,
        }
    }
}

/// The reader of a source.
pub fn open_source(
    config: &SourceConfig,
    ctx: &SourceContext,
) -> Result<Arc<dyn CalendarSource>, SourceError> {
    Ok(match config.kind {
        SourceKind::Ics => Arc::new(ics_feed::IcsFeed::new(config)?),
        SourceKind::Caldav => Arc::new(caldav::CalDav::new(config, ctx)?),
        SourceKind::Google => Arc::new(google::Google::new(config, ctx)?),
        SourceKind::Microsoft => Arc::new(microsoft::Microsoft::new(config, ctx)?),
    })
}

/// The writer of a source with `write = true`; `None` for a read-only source.
pub fn open_writer(
    config: &SourceConfig,
    ctx: &SourceContext,
) -> Result<Option<Arc<dyn CalendarWriter>>, SourceError> {
    if !config.write {
        return Ok(None);
    }
    Ok(Some(match config.kind {
        SourceKind::Ics => {
            return Err(SourceError::Config(
                "an \"ics\" source is read-only".to_owned(),
            ));
        }
        SourceKind::Caldav => Arc::new(caldav::CalDav::new(config, ctx)?),
        SourceKind::Google => Arc::new(google::Google::new(config, ctx)?),
        SourceKind::Microsoft => Arc::new(microsoft::Microsoft::new(config, ctx)?),
    }))
}
