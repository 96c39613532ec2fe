//! Warnings about input the engine skipped or repaired: they name the source, the line and the UID.

use std::fmt;

/// Something in a calendar that was skipped or read leniently. The rest still counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The source the text came from (a file name or a source id).
    pub source: String,
    /// 1-based line of the offending component or property; 0 when not tied to a line.
    pub line: u32,
    pub uid: Option<String>,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.source, self.line)?;
        if let Some(uid) = &self.uid {
            write!(f, "UID {uid}: ")?;
        }
        f.write_str(&self.message)
    }
}
