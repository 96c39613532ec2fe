//! `[security]` captcha and rate limits edited in the dashboard: one row per key, the value as
//! text; absent means the configuration file's value (or its default) applies.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::{StoreError, secs};

/// Every saved value, by key.
pub fn all(conn: &Connection) -> Result<BTreeMap<String, String>, StoreError> {
    let mut stmt = conn.prepare("SELECT key, value FROM security_settings")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Saves `value` under `key`, or forgets it (`None`: back to the default).
pub fn set(
    conn: &Connection,
    key: &str,
    value: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match value {
        Some(v) => conn.execute(
            "INSERT INTO security_settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![key, v, secs(now)],
        )?,
        None => conn.execute("DELETE FROM security_settings WHERE key = ?1", [key])?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_are_forgotten() {
        let mut c = Connection::open_in_memory().unwrap();
        crate::store::migrations::migrate(&mut c).unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert!(all(&c).unwrap().is_empty());
        set(&c, "captcha", Some("false"), now).unwrap();
        set(&c, "rate_limit_per_minute", Some("3"), now).unwrap();
        set(&c, "rate_limit_per_minute", Some("4"), now).unwrap();
        let saved = all(&c).unwrap();
        assert_eq!(saved.len(), 2);
        assert_eq!(
            (
                saved["captcha"].as_str(),
                saved["rate_limit_per_minute"].as_str()
            ),
            ("false", "4")
        );
        assert!(
            set(&c, "trusted_proxies", Some("10.0.0.1"), now).is_err(),
            "the table names its keys: the file's own stay out"
        );
        set(&c, "captcha", None, now).unwrap();
        assert_eq!(
            all(&c).unwrap().keys().collect::<Vec<_>>(),
            ["rate_limit_per_minute"]
        );
    }
}
