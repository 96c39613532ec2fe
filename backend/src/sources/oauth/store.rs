//! The token store of `openslot auth`: `{data_dir}/tokens/{source_id}.json`, written whole
//! (temp file + rename, mode 0600).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Secret;
use crate::sources::{SourceContext, SourceError};

use super::Service;

// ---------------------------------------------------------------------------------------------
// The token store.

/// Where the refresh token of a source is kept.
pub fn token_path(ctx: &SourceContext, source_id: &str) -> PathBuf {
    ctx.data_dir
        .join("tokens")
        .join(format!("{source_id}.json"))
}

#[derive(Serialize, Deserialize)]
pub(super) struct StoredToken {
    service: String,
    refresh_token: String,
}

/// The stored refresh token, `None` when there is no file yet.
pub fn load_refresh_token(path: &Path) -> Result<Option<Secret>, SourceError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SourceError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let stored: StoredToken = serde_json::from_slice(&bytes).map_err(|_| {
        SourceError::Config(format!(
            "{} is not a token file OpenSlot wrote: remove it and run `openslot auth` again",
            path.display()
        ))
    })?;
    Ok(Some(Secret::new(stored.refresh_token)))
}

/// Stores the refresh token: a temp file in the same folder (mode 0600), then a rename, so a
/// crash leaves the old token or the new one, never half of one.
pub fn store_refresh_token(
    path: &Path,
    service: Service,
    refresh_token: &str,
) -> Result<(), SourceError> {
    let err = |source| SourceError::Read {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let body = serde_json::to_vec_pretty(&StoredToken {
        service: service.as_str().to_owned(),
        refresh_token: refresh_token.to_owned(),
    })
    .map_err(|e| SourceError::Config(format!("cannot encode the token: {e}")))?;
    let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let write = || -> std::io::Result<()> {
        let mut file = options.open(&tmp)?;
        file.write_all(&body)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
}
