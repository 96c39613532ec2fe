//! The booking page's texts edited in the dashboard (`intro`, `accent_color`), one row each;
//! absent means the configuration file's value (or none) applies.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::{StoreError, secs};

/// Every saved value, by key.
pub fn all(conn: &Connection) -> Result<BTreeMap<String, String>, StoreError> {
    let mut stmt = conn.prepare("SELECT key, value FROM page_settings")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Saves `value` under `key`, or forgets it (`None`).
pub fn set(
    conn: &Connection,
    key: &str,
    value: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match value {
        Some(v) => conn.execute(
            "INSERT INTO page_settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![key, v, secs(now)],
        )?,
        None => conn.execute("DELETE FROM page_settings WHERE key = ?1", [key])?,
    };
    Ok(())
}
