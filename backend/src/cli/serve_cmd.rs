//! `openslot serve` and `openslot openapi`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::api::{Application, spec_yaml};
use crate::clock;

use super::{CliError, load_config};

/// Logs to stderr: `OPENSLOT_LOG` filters (else `default`), `OPENSLOT_LOG_FORMAT=json` gives
/// one JSON object per line. `requests` adds the line of every outbound calendar request
/// (`openslot::http` at debug level) to whatever the filter is.
pub(super) fn init_logging(default: &str, requests: bool) {
    let mut filter = tracing_subscriber::EnvFilter::try_from_env("OPENSLOT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    if requests && let Ok(directive) = format!("{}=debug", crate::sources::http::LOG_TARGET).parse()
    {
        filter = filter.add_directive(directive);
    }
    let json = std::env::var("OPENSLOT_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colours only on a terminal: a log file or a pipe gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub(super) fn serve(path: &Path) -> Result<ExitCode, CliError> {
    init_logging("info", false);
    let config = load_config(path)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(async {
        let app = Application::build(config, clock::now)
            .await
            .map_err(|e| CliError::Failed(e.to_string()))?;
        tracing::info!(public = %app.public_addr(), admin = %app.admin_addr(), "OpenSlot is listening");
        outln!(
            "OpenSlot: booking API on http://{}, admin on http://{}",
            app.public_addr(),
            app.admin_addr()
        );
        app.run_until_stopped()
            .await
            .map_err(|e| CliError::Failed(format!("the server stopped: {e}")))
    })?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn openapi() -> Result<ExitCode, CliError> {
    let yaml = spec_yaml().map_err(|e| CliError::Failed(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(yaml.as_bytes());
    if !yaml.ends_with('\n') {
        let _ = writeln!(out);
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn backup(path: &Path, to: &Path) -> Result<ExitCode, CliError> {
    let config = load_config(path)?;
    if to.exists() {
        return Err(CliError::Usage(format!("{} exists already", to.display())));
    }
    let store = crate::store::Store::open(&config.server.data_dir)
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(store.backup(to.to_owned()))
        .map_err(|e| CliError::Failed(e.to_string()))?;
    outln!("backup written to {}", to.display());
    Ok(ExitCode::SUCCESS)
}

/// `openslot feeds`: the feed URLs of the current generation (rotated in the dashboard), signed
/// with the data directory's `secret.key` (made now if the service never ran: it then uses it).
pub(super) fn feeds(path: &Path) -> Result<ExitCode, CliError> {
    let config = load_config(path)?;
    let data_dir = &config.server.data_dir;
    let store = crate::store::Store::open(data_dir).map_err(|e| CliError::Failed(e.to_string()))?;
    let (generation, rotated_at) = store
        .call_now(|c| crate::store::feeds::generation(c))
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let key_path = data_dir.join(crate::booking::token::KEY_FILE_NAME);
    let tokens = crate::booking::token::TokenKey::load_or_create(&key_path)
        .map_err(|e| CliError::Failed(format!("{}: {e}", key_path.display())))?;
    let urls =
        crate::booking::feeds::urls(&config.server.public_url, &tokens, generation, rotated_at);
    outln!("{}", urls.bookings);
    outln!("{}", urls.freebusy);
    Ok(ExitCode::SUCCESS)
}
