//! The owner's edited rules (one JSON document, see `config::with_rules`); absent means the
//! configuration file's rules apply.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{StoreError, secs, time};

/// The saved document and when it was saved.
pub fn get(conn: &Connection) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT document, saved_at FROM rules_override WHERE id = 1",
            [],
            |r| Ok((r.get::<_, String>(0)?, time(r.get(1)?))),
        )
        .optional()?)
}

/// Saves (replaces) the document.
pub fn save(conn: &Connection, document: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO rules_override (id, document, saved_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET document = excluded.document, saved_at = excluded.saved_at",
        params![document, secs(now)],
    )?;
    Ok(())
}

/// Forgets the document: the file's rules apply again. Whether there was one.
pub fn clear(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM rules_override", [])? > 0)
}
