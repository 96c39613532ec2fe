//! API keys of integrators: only the SHA-256 of each key's secret is stored (the key is
//! shown once, when it is made); a revoked key stays listed with its revocation time.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{StoreError, secs, time};

/// One API key as stored, without its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyRow {
    pub id: String,
    pub name: String,
    /// Scope names, e.g. `bookings:write`.
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, name, scopes, created_at, last_used_at, revoked_at";

fn row(r: &Row<'_>) -> rusqlite::Result<ApiKeyRow> {
    let scopes: String = r.get(2)?;
    Ok(ApiKeyRow {
        id: r.get(0)?,
        name: r.get(1)?,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        created_at: time(r.get(3)?),
        last_used_at: r.get::<_, Option<i64>>(4)?.map(time),
        revoked_at: r.get::<_, Option<i64>>(5)?.map(time),
    })
}

pub fn insert(conn: &Connection, key: &ApiKeyRow, hash: &[u8]) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO api_keys (id, name, scopes, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            key.id,
            key.name,
            key.scopes.join(" "),
            hash,
            secs(key.created_at)
        ],
    )?;
    Ok(())
}

/// Every key, newest first.
pub fn list(conn: &Connection) -> Result<Vec<ApiKeyRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM api_keys ORDER BY created_at DESC, id"
    ))?;
    let rows = stmt.query_map([], row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// A key that is not revoked, with its hash.
pub fn active(conn: &Connection, id: &str) -> Result<Option<(ApiKeyRow, Vec<u8>)>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS}, hash FROM api_keys WHERE id = ?1 AND revoked_at IS NULL"),
            [id],
            |r| Ok((row(r)?, r.get(6)?)),
        )
        .optional()?)
}

/// Revokes a key; false when there is no such key or it was revoked before.
pub fn revoke(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, secs(now)],
    )?;
    Ok(n == 1)
}

pub fn touch(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1",
        params![id, secs(now)],
    )?;
    Ok(())
}
