//! Settings edited in the dashboard, one row per key: the tables `page_settings` and
//! `security_settings` share this shape (`key` named by a CHECK, `value` as text,
//! `updated_at`). Absent means the configuration file's value (or its default) applies.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::{StoreError, secs};

/// A table of that shape; its name is one of ours, never input.
#[derive(Clone, Copy, Debug)]
pub(super) struct Table(pub &'static str);

/// Every saved value, by key.
pub(super) fn all(conn: &Connection, table: Table) -> Result<BTreeMap<String, String>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT key, value FROM {}", table.0))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Saves `value` under `key`, or forgets it (`None`).
pub(super) fn set(
    conn: &Connection,
    table: Table,
    key: &str,
    value: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match value {
        Some(v) => conn.execute(
            &format!(
                "INSERT INTO {} (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                     updated_at = excluded.updated_at",
                table.0
            ),
            params![key, v, secs(now)],
        )?,
        None => conn.execute(&format!("DELETE FROM {} WHERE key = ?1", table.0), [key])?,
    };
    Ok(())
}
