//! `openslot hash-password`: the argon2id PHC string for `[admin] password_hash`.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use crate::api::guards::password;

use super::CliError;

/// Reads one line (the password) from stdin, prints its hash. The password never prints.
pub(super) fn hash_password() -> Result<ExitCode, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Failed(format!("cannot read the password from stdin: {e}")))?;
    let pw = line.strip_suffix('\n').unwrap_or(&line);
    let pw = pw.strip_suffix('\r').unwrap_or(pw);
    if pw.is_empty() {
        return Err(CliError::Usage(
            "no password on stdin (type it and press Enter, or pipe it in)".into(),
        ));
    }
    let phc = password::hash(pw).map_err(|e| CliError::Failed(e.to_string()))?;
    outln!("{phc}");
    Ok(ExitCode::SUCCESS)
}
