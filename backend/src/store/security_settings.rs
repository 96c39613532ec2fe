//! `[security]` captcha and rate limits edited in the dashboard: one row per key, the value as
//! text; absent means the configuration file's value (or its default) applies.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::StoreError;
use super::key_values::{self, Table};

const TABLE: Table = Table("security_settings");

/// Every saved value, by key.
pub fn all(conn: &Connection) -> Result<BTreeMap<String, String>, StoreError> {
    key_values::all(conn, TABLE)
}

/// Saves `value` under `key`, or forgets it (`None`).
pub fn set(
    conn: &Connection,
    key: &str,
    value: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    key_values::set(conn, TABLE, key, value, now)
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
