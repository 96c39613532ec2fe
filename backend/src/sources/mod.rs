//! I/O: reading the owner's calendars. For now only local ICS files (`kind = "ics"` with a
//! `file://` URL); HTTP feeds, CalDAV, Google and Microsoft come with the sources issue.
//!
//! A source that cannot be read is never treated as free: callers apply the freshness policy
//! (fail closed by default: the whole window counts as busy).

use std::path::{Path, PathBuf};

use crate::calendar::{Calendar, parse_calendar};
use crate::config::{SourceConfig, SourceKind};

/// Why a source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("source kind \"{0}\" is not supported yet by this build (only file:// ICS sources)")]
    Unsupported(&'static str),
}

/// Reads and parses an ICS file. Invalid UTF-8 is replaced, not rejected: the rest still counts.
pub fn read_ics_file(path: &Path) -> Result<Calendar, SourceError> {
    let bytes = std::fs::read(path).map_err(|source| SourceError::Read {
        path: path.to_owned(),
        source,
    })?;
    let name = path.display().to_string();
    Ok(match std::str::from_utf8(&bytes) {
        Ok(text) => parse_calendar(text, &name),
        Err(_) => parse_calendar(&String::from_utf8_lossy(&bytes), &name),
    })
}

/// Reads one configured source.
pub fn read_source(source: &SourceConfig) -> Result<Calendar, SourceError> {
    match (source.kind, source.file_path()) {
        (SourceKind::Ics, Some(path)) => {
            let mut cal = read_ics_file(path)?;
            cal.source = source.id.clone();
            for w in &mut cal.warnings {
                w.source = source.id.clone();
            }
            Ok(cal)
        }
        (kind, _) => Err(SourceError::Unsupported(kind.as_str())),
    }
}
