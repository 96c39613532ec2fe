//! Which run of failures of each source the owner was alerted about (`notify::alerts`), kept
//! so a restart neither repeats an alert nor forgets to say that the source recovered.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::{StoreError, secs, time};

/// Every alerted source: (source id, the `failing_since` of the run alerted).
pub fn alerted(conn: &Connection) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT source_id, failing_since FROM source_alerts ORDER BY source_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, time(r.get(1)?))))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The run of `source_id` that started at `failing_since` was alerted at `now`.
pub fn remember(
    conn: &Connection,
    source_id: &str,
    failing_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO source_alerts (source_id, failing_since, alerted_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (source_id) DO UPDATE SET failing_since = ?2, alerted_at = ?3",
        params![source_id, secs(failing_since), secs(now)],
    )?;
    Ok(())
}

/// Nothing is alerted about `source_id` any more (it recovered, or it is gone).
pub fn forget(conn: &Connection, source_id: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM source_alerts WHERE source_id = ?1",
        [source_id],
    )?;
    Ok(())
}
