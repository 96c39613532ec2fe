//! PLACEHOLDER: OAuth token store and flows (issue 3), shared by google and microsoft.

use crate::config::SourceConfig;

use super::{SourceContext, SourceError};

/// PLACEHOLDER until the OAuth work lands.
pub async fn authorize_google(
    _config: &SourceConfig,
    _ctx: &SourceContext,
    _out: &mut (dyn std::io::Write + Send),
) -> Result<(), SourceError> {
    Err(SourceError::Config("not built yet".to_owned()))
}

/// PLACEHOLDER until the OAuth work lands.
pub async fn authorize_microsoft(
    _config: &SourceConfig,
    _ctx: &SourceContext,
    _out: &mut (dyn std::io::Write + Send),
) -> Result<(), SourceError> {
    Err(SourceError::Config("not built yet".to_owned()))
}
