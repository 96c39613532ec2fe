//! Calendar sources added in the dashboard: one row per source, its settings as JSON (the shape
//! of a `[[sources]]` entry, without `password` and `token`) and its secrets sealed by
//! [`super::secret_box`]. The configuration file's sources are never stored here.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::secret_box::Sealed;
use super::{StoreError, secs, time};

/// One stored source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRow {
    pub id: String,
    /// A JSON object: the entry without its secrets.
    pub settings: String,
    /// `{"password": …, "token": …}` sealed; `None` without secrets.
    pub secret: Option<Sealed>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SourceRow> {
    let ciphertext: Option<Vec<u8>> = r.get(2)?;
    let nonce: Option<Vec<u8>> = r.get(3)?;
    Ok(SourceRow {
        id: r.get(0)?,
        settings: r.get(1)?,
        secret: ciphertext
            .zip(nonce)
            .map(|(ciphertext, nonce)| Sealed { ciphertext, nonce }),
        created_at: time(r.get(4)?),
        updated_at: time(r.get(5)?),
    })
}

const COLUMNS: &str = "id, settings, secret_ciphertext, secret_nonce, created_at, updated_at";

/// Every stored source, by id.
pub fn list(conn: &Connection) -> Result<Vec<SourceRow>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM sources ORDER BY id"))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<SourceRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM sources WHERE id = ?1"),
            [id],
            row,
        )
        .optional()?)
}

/// Adds a source; `false` when the id is taken.
pub fn insert(conn: &Connection, r: &SourceRow) -> Result<bool, StoreError> {
    let (c, n) = sealed_parts(r);
    Ok(conn.execute(
        "INSERT INTO sources (id, settings, secret_ciphertext, secret_nonce, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
        params![r.id, r.settings, c, n, secs(r.created_at), secs(r.updated_at)],
    )? > 0)
}

/// Replaces the settings and secrets of a source; `false` when there is none.
pub fn update(conn: &Connection, r: &SourceRow) -> Result<bool, StoreError> {
    let (c, n) = sealed_parts(r);
    Ok(conn.execute(
        "UPDATE sources SET settings = ?2, secret_ciphertext = ?3, secret_nonce = ?4,
         updated_at = ?5 WHERE id = ?1",
        params![r.id, r.settings, c, n, secs(r.updated_at)],
    )? > 0)
}

/// Replaces only the sealed secrets of a source (a rotated OAuth token); `false` when there is
/// none.
pub fn set_secret(
    conn: &Connection,
    id: &str,
    secret: &Sealed,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE sources SET secret_ciphertext = ?2, secret_nonce = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, secret.ciphertext, secret.nonce, secs(at)],
    )? > 0)
}

/// Removes a source; whether there was one.
pub fn delete(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM sources WHERE id = ?1", [id])? > 0)
}

fn sealed_parts(r: &SourceRow) -> (Option<&[u8]>, Option<&[u8]>) {
    match &r.secret {
        Some(s) => (Some(s.ciphertext.as_slice()), Some(s.nonce.as_slice())),
        None => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn rows_round_trip_and_ids_are_unique() {
        let store = Store::open_in_memory().unwrap();
        let at = time(1_800_000_000);
        let mut r = SourceRow {
            id: "work".into(),
            settings: r#"{"kind":"ics"}"#.into(),
            secret: Some(Sealed {
                ciphertext: vec![1, 2, 3],
                nonce: vec![9; 12],
            }),
            created_at: at,
            updated_at: at,
        };
        store
            .call_now(|c| {
                assert!(insert(c, &r)?);
                assert!(!insert(c, &r)?);
                assert_eq!(get(c, "work")?.as_ref(), Some(&r));
                r.secret = None;
                assert!(update(c, &r)?);
                assert_eq!(list(c)?, vec![r.clone()]);
                assert!(delete(c, "work")?);
                assert!(!delete(c, "work")?);
                assert_eq!(get(c, "work")?, None);
                Ok(())
            })
            .unwrap();
    }
}
