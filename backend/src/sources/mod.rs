//! I/O: reading the owner's calendars. For now only local ICS files (`kind = "ics"` with a
//! `file://` URL); HTTP feeds, CalDAV, Google and Microsoft come with the sources issue.
//!
//! A source that cannot be read is never treated as free: callers apply the freshness policy
//! (fail closed by default: the whole window counts as busy).

use std::path::{Path, PathBuf};

use crate::calendar::{Calendar, parse_reader};
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

/// Reads and parses an ICS file, a chunk at a time (memory does not grow with the file).
/// Invalid UTF-8 is replaced, not rejected: the rest still counts.
pub fn read_ics_file(path: &Path) -> Result<Calendar, SourceError> {
    let err = |source| SourceError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(err)?;
    parse_reader(file, &path.display().to_string()).map_err(err)
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
