//! The booking page's settings edited in the dashboard: its texts (`intro`, `accent_color`,
//! `display_name`), one row each, and the uploaded logo (one row); absent means the
//! configuration file's value (or none) applies.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::key_values::{self, Table};
use super::{StoreError, secs, time};

const TABLE: Table = Table("page_settings");

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

/// The uploaded logo: its media type, bytes and when it was uploaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLogo {
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub updated_at: DateTime<Utc>,
}

/// The uploaded logo, if any.
pub fn logo(conn: &Connection) -> Result<Option<StoredLogo>, StoreError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT media_type, bytes, updated_at FROM page_logo WHERE id = 1",
            [],
            |r| {
                Ok(StoredLogo {
                    media_type: r.get(0)?,
                    bytes: r.get(1)?,
                    updated_at: time(r.get(2)?),
                })
            },
        )
        .optional()?)
}

/// Replaces the logo, or forgets it (`None`).
pub fn set_logo(conn: &Connection, logo: Option<&StoredLogo>) -> Result<(), StoreError> {
    match logo {
        Some(l) => conn.execute(
            "INSERT INTO page_logo (id, media_type, bytes, updated_at) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET media_type = excluded.media_type,
                 bytes = excluded.bytes, updated_at = excluded.updated_at",
            params![l.media_type, l.bytes, secs(l.updated_at)],
        )?,
        None => conn.execute("DELETE FROM page_logo", [])?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::store::migrations::migrate(&mut c).unwrap();
        c
    }

    #[test]
    fn texts_and_the_logo_round_trip_and_are_forgotten() {
        let c = db();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        set(&c, "display_name", Some("Dr. Ada"), now).unwrap();
        assert_eq!(all(&c).unwrap()["display_name"], "Dr. Ada");
        assert!(
            set(&c, "password", Some("x"), now).is_err(),
            "the table names its keys"
        );
        let logo = StoredLogo {
            media_type: "image/png".into(),
            bytes: vec![0x89, b'P', b'N', b'G'],
            updated_at: now,
        };
        set_logo(&c, Some(&logo)).unwrap();
        assert_eq!(super::logo(&c).unwrap(), Some(logo.clone()));
        let other = StoredLogo {
            media_type: "image/gif".into(),
            ..logo
        };
        assert!(
            set_logo(&c, Some(&other)).is_err(),
            "only the four image types"
        );
        set_logo(&c, None).unwrap();
        set(&c, "display_name", None, now).unwrap();
        assert_eq!(super::logo(&c).unwrap(), None);
        assert!(all(&c).unwrap().is_empty());
    }
}
