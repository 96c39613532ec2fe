//! The outbox: calendar writes a booking causes, committed in the booking's transaction and
//! drained by the worker (`booking::outbox`), and where each written event lives.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{StoreError, secs, time};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxAction {
    Create,
    /// The booking moved: its event is replaced in place (same UID, same resource).
    Update,
    Delete,
}

impl OutboxAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "delete" => Self::Delete,
            "update" => Self::Update,
            _ => Self::Create,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxState {
    Pending,
    Done,
    /// Given up after the retry limit, or refused for good: shown to the owner, kept.
    Failed,
    /// A create whose booking was cancelled (or moved) before it was written: nothing to do.
    Skipped,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "done" => Self::Done,
            "failed" => Self::Failed,
            "skipped" => Self::Skipped,
            _ => Self::Pending,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub booking_id: String,
    pub source_id: String,
    pub action: OutboxAction,
    pub uid: String,
    pub state: OutboxState,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// An event written into a calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenRow {
    pub booking_id: String,
    pub source_id: String,
    pub uid: String,
    pub remote_id: String,
    pub etag: Option<String>,
}

fn outbox_row(r: &Row) -> rusqlite::Result<OutboxRow> {
    let action: String = r.get(3)?;
    let state: String = r.get(5)?;
    Ok(OutboxRow {
        id: r.get(0)?,
        booking_id: r.get(1)?,
        source_id: r.get(2)?,
        action: OutboxAction::parse(&action),
        uid: r.get(4)?,
        state: OutboxState::parse(&state),
        attempts: r.get(6)?,
        next_attempt_at: time(r.get(7)?),
        last_error: r.get(8)?,
    })
}

const COLUMNS: &str =
    "id, booking_id, source_id, action, uid, state, attempts, next_attempt_at, last_error";

/// Queues a write (inside the booking's transaction).
pub fn enqueue(
    conn: &Connection,
    booking_id: &str,
    source_id: &str,
    action: OutboxAction,
    uid: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO outbox (booking_id, source_id, action, uid, state, attempts, next_attempt_at, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5, ?5)",
        params![booking_id, source_id, action.as_str(), uid, secs(now)],
    )?;
    Ok(())
}

/// Before a delete is queued: a create of the same event not written yet is skipped instead
/// (nothing to delete then). Returns whether such a create was found.
pub fn skip_pending_create(
    conn: &Connection,
    source_id: &str,
    uid: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE outbox SET state = 'skipped', updated_at = ?3 \
         WHERE source_id = ?1 AND uid = ?2 AND action = 'create' AND state = 'pending'",
        params![source_id, uid, secs(now)],
    )?;
    Ok(n > 0)
}

/// The pending rows due at `now`, in queue order, leaving out the rows of the calendars in `busy` (a worker lane is writing to
/// each of them now), so a calendar with a long queue cannot fill the batch and starve others.
pub fn due_except(
    conn: &Connection,
    now: DateTime<Utc>,
    limit: u32,
    busy: &[String],
) -> Result<Vec<OutboxRow>, StoreError> {
    let skip = vec!["?"; busy.len()].join(", ");
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? \
         AND source_id NOT IN ({skip}) ORDER BY id LIMIT ?"
    ))?;
    let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(busy.len() + 2);
    values.push(secs(now).into());
    values.extend(busy.iter().map(|s| s.clone().into()));
    values.push(i64::from(limit).into());
    let rows = stmt.query_map(rusqlite::params_from_iter(values), outbox_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The rows of one booking (the owner's per-calendar write status).
pub fn of_booking(conn: &Connection, booking_id: &str) -> Result<Vec<OutboxRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE booking_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([booking_id], outbox_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Pending rows in all (the backlog, for metrics).
pub fn backlog(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM outbox WHERE state = 'pending'",
        [],
        |r| r.get(0),
    )?)
}

/// A create succeeded: the row is done and the event's place is kept (one transaction). When
/// the booking was cancelled or moved while the event was being written (the row was marked
/// skipped meanwhile), a delete is queued at once: no event outlives its booking.
pub fn create_done(
    conn: &mut Connection,
    row: &OutboxRow,
    written: &WrittenRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let state: String = tx.query_row("SELECT state FROM outbox WHERE id = ?1", [row.id], |r| {
        r.get(0)
    })?;
    if OutboxState::parse(&state) == OutboxState::Skipped {
        enqueue(
            &tx,
            &row.booking_id,
            &row.source_id,
            OutboxAction::Delete,
            &row.uid,
            now,
        )?;
    }
    keep_written(&tx, written)?;
    finish(&tx, row.id, OutboxState::Done, None, now)?;
    tx.commit()?;
    Ok(())
}

/// An update succeeded (or, with no event to update, a create): the row is done and where the
/// event lives now is kept (a new etag; a new id where the event had to be made again).
pub fn update_done(
    conn: &mut Connection,
    row: &OutboxRow,
    written: &WrittenRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    keep_written(&tx, written)?;
    finish(&tx, row.id, OutboxState::Done, None, now)?;
    tx.commit()?;
    Ok(())
}

fn keep_written(conn: &Connection, written: &WrittenRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR REPLACE INTO written_events (booking_id, source_id, uid, remote_id, etag) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            written.booking_id,
            written.source_id,
            written.uid,
            written.remote_id,
            written.etag
        ],
    )?;
    Ok(())
}

/// The UID of a booking's event in one calendar: the one its latest create used, else the
/// one written there; `None` when it was never meant for that calendar. Bookings written before
/// one UID per booking keep their `{id}-{sequence}@openslot` event: updates and deletes go to
/// the event that exists, never to a name it does not have.
pub fn event_uid_of(
    conn: &Connection,
    booking_id: &str,
    source_id: &str,
) -> Result<Option<String>, StoreError> {
    let created: Option<String> = conn
        .query_row(
            "SELECT uid FROM outbox WHERE booking_id = ?1 AND source_id = ?2 \
             AND action = 'create' ORDER BY id DESC LIMIT 1",
            params![booking_id, source_id],
            |r| r.get(0),
        )
        .optional()?;
    if created.is_some() {
        return Ok(created);
    }
    Ok(conn
        .query_row(
            "SELECT uid FROM written_events WHERE booking_id = ?1 AND source_id = ?2 \
             ORDER BY rowid DESC LIMIT 1",
            params![booking_id, source_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// A delete succeeded: the row is done and the event forgotten.
pub fn delete_done(
    conn: &mut Connection,
    row: &OutboxRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    tx.execute(
        "DELETE FROM written_events WHERE source_id = ?1 AND uid = ?2",
        params![row.source_id, row.uid],
    )?;
    finish(&tx, row.id, OutboxState::Done, None, now)?;
    tx.commit()?;
    Ok(())
}

pub fn finish(
    conn: &Connection,
    id: i64,
    state: OutboxState,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE outbox SET state = ?2, last_error = coalesce(?3, last_error), updated_at = ?4 \
         WHERE id = ?1",
        params![id, state.as_str(), error, secs(now)],
    )?;
    Ok(())
}

/// A failed attempt: try again at `next`.
pub fn retry_at(
    conn: &Connection,
    id: i64,
    error: &str,
    next: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3, \
         updated_at = ?4 WHERE id = ?1",
        params![id, error, secs(next), secs(now)],
    )?;
    Ok(())
}

/// Not an attempt, only later (a delete waiting for its create): due again at `next`.
pub fn postpone(conn: &Connection, id: i64, next: DateTime<Utc>) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE outbox SET next_attempt_at = ?2 WHERE id = ?1",
        params![id, secs(next)],
    )?;
    Ok(())
}

/// Where an event was written, if it was.
pub fn written(
    conn: &Connection,
    source_id: &str,
    uid: &str,
) -> Result<Option<WrittenRow>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT booking_id, source_id, uid, remote_id, etag FROM written_events \
             WHERE source_id = ?1 AND uid = ?2",
            params![source_id, uid],
            |r| {
                Ok(WrittenRow {
                    booking_id: r.get(0)?,
                    source_id: r.get(1)?,
                    uid: r.get(2)?,
                    remote_id: r.get(3)?,
                    etag: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// Whether a create of this event is still waiting (a delete or an update then waits for it).
pub fn create_pending(conn: &Connection, source_id: &str, uid: &str) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM outbox WHERE source_id = ?1 AND uid = ?2 AND action = 'create' \
             AND state = 'pending'",
            params![source_id, uid],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
