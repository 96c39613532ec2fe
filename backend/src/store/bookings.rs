//! Bookings, idempotency keys and manual blocks.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::availability::ExistingBooking;
use crate::calendar::Interval;
use crate::domain::details::Answer;

use super::{StoreError, secs, time};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookingStatus {
    /// Waiting for the visitor's confirmation; holds its time until `hold_until`.
    Pending,
    Confirmed,
    Cancelled,
    /// A pending booking nobody confirmed in time; its time is free again.
    Expired,
    /// A request the owner declined (`confirm = "owner"`); its time is free again.
    Declined,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Confirmed,
            Self::Cancelled,
            Self::Expired,
            Self::Declined,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A stored booking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingRow {
    pub id: String,
    pub event_type: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub name: String,
    pub email: String,
    pub notes: String,
    pub timezone: String,
    pub status: BookingStatus,
    /// Bumped by every reschedule; part of the calendar event's UID.
    pub sequence: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The series this booking is a session of, and which (0 = the first).
    pub series: Option<(String, u32)>,
    /// The answers to the event type's questions.
    pub answers: Vec<Answer>,
    /// Where the visit came from (the page's `ref` parameter).
    pub visit_ref: Option<String>,
    /// Marked by the owner: the visitor did not come.
    pub no_show: bool,
    /// While pending: when the hold ends.
    pub hold_until: Option<DateTime<Utc>>,
    /// Who a pending booking waits for (kept after the decision); `None`: it stood at once.
    pub confirm_by: Option<ConfirmBy>,
    /// The owner's reason when declining a request, if given.
    pub decline_reason: Option<String>,
}

/// Who confirms a pending booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfirmBy {
    /// Through the link mailed to the visitor (`confirm = "email"`).
    Visitor,
    /// In the dashboard (`confirm = "owner"`).
    Owner,
}

impl ConfirmBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Owner => "owner",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Visitor, Self::Owner]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// How a new booking waits: until when its time is held, and for whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hold {
    pub until: DateTime<Utc>,
    pub by: ConfirmBy,
}

/// What a new booking stores.
#[derive(Clone, Debug)]
pub struct NewBooking {
    pub id: String,
    pub event_type: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub name: String,
    pub email: String,
    pub notes: String,
    pub timezone: String,
    pub now: DateTime<Utc>,
    /// With a series: its id and this session's index.
    pub series: Option<(String, u32)>,
    pub answers: Vec<Answer>,
    pub visit_ref: Option<String>,
    /// `Some`: the booking is pending, holding its time until then for the one who confirms.
    pub hold: Option<Hold>,
}

/// A series of sessions (the sessions are bookings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesRow {
    pub id: String,
    /// `weekly` or `every_2_weeks`.
    pub frequency: String,
    pub sessions: u32,
}

/// An `Idempotency-Key` and the hash of the request it came with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotentRequest {
    /// Whose key it is: '' for visitors, `key:ID` for an API key; the same key of another
    /// caller is another key.
    pub caller: String,
    pub key: String,
    pub request_hash: String,
}

const COLUMNS: &str = "id, event_type, start_utc, end_utc, name, email, notes, timezone, status, \
                       sequence, created_at, updated_at, cancelled_at, series_id, series_index, \
                       answers, visit_ref, no_show, hold_until, confirm_by, \
                       decline_reason";

fn row(r: &Row) -> rusqlite::Result<BookingRow> {
    let status: String = r.get(8)?;
    Ok(BookingRow {
        id: r.get(0)?,
        event_type: r.get(1)?,
        start: time(r.get(2)?),
        end: time(r.get(3)?),
        name: r.get(4)?,
        email: r.get(5)?,
        notes: r.get(6)?,
        timezone: r.get(7)?,
        status: BookingStatus::parse(&status).unwrap_or(BookingStatus::Cancelled),
        sequence: r.get(9)?,
        created_at: time(r.get(10)?),
        updated_at: time(r.get(11)?),
        cancelled_at: r.get::<_, Option<i64>>(12)?.map(time),
        series: match (
            r.get::<_, Option<String>>(13)?,
            r.get::<_, Option<u32>>(14)?,
        ) {
            (Some(id), Some(index)) => Some((id, index)),
            _ => None,
        },
        // Written by `insert` only; a row that does not read (edited by hand) shows no answers.
        answers: serde_json::from_str(&r.get::<_, String>(15)?).unwrap_or_default(),
        visit_ref: r.get(16)?,
        no_show: r.get(17)?,
        hold_until: r.get::<_, Option<i64>>(18)?.map(time),
        confirm_by: r
            .get::<_, Option<String>>(19)?
            .and_then(|t| ConfirmBy::parse(&t)),
        decline_reason: r.get(20)?,
    })
}

pub fn insert(conn: &Connection, b: &NewBooking) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO bookings (id, event_type, start_utc, end_utc, name, email, notes, timezone, \
         status, sequence, created_at, updated_at, series_id, series_index, answers, visit_ref, \
         hold_until, confirm_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, iif(?14 IS NULL, 'confirmed', 'pending'), 0, \
         ?9, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            b.id,
            b.event_type,
            secs(b.start),
            secs(b.end),
            b.name,
            b.email,
            b.notes,
            b.timezone,
            secs(b.now),
            b.series.as_ref().map(|s| &s.0),
            b.series.as_ref().map(|s| s.1),
            serde_json::to_string(&b.answers).unwrap_or_else(|_| "[]".to_owned()),
            b.visit_ref,
            b.hold.map(|h| secs(h.until)),
            b.hold.map(|h| h.by.as_str()),
        ],
    )?;
    Ok(())
}

/// Records a series; its sessions are inserted with its id.
pub fn insert_series(
    conn: &Connection,
    series: &SeriesRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO series (id, frequency, sessions, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![series.id, series.frequency, series.sessions, secs(now)],
    )?;
    Ok(())
}

/// A series and its sessions in order (cancelled ones included).
pub fn series(
    conn: &Connection,
    id: &str,
) -> Result<Option<(SeriesRow, Vec<BookingRow>)>, StoreError> {
    let Some(found) = conn
        .query_row(
            "SELECT id, frequency, sessions FROM series WHERE id = ?1",
            [id],
            |r| {
                Ok(SeriesRow {
                    id: r.get(0)?,
                    frequency: r.get(1)?,
                    sessions: r.get(2)?,
                })
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM bookings WHERE series_id = ?1 ORDER BY series_index"
    ))?;
    let sessions = stmt.query_map([id], row)?.collect::<Result<_, _>>()?;
    Ok(Some((found, sessions)))
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<BookingRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM bookings WHERE id = ?1"),
            [id],
            row,
        )
        .optional()?)
}

/// Confirmed and pending bookings overlapping `[from, to)`, as the availability rules see them
/// (a pending one holds its time until `expire_holds` ends it).
pub fn confirmed_between(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ExistingBooking>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, event_type, start_utc, end_utc FROM bookings \
         WHERE status IN ('confirmed', 'pending') AND start_utc < ?2 AND end_utc > ?1 \
         ORDER BY start_utc",
    )?;
    let rows = stmt.query_map(params![secs(from), secs(to)], |r| {
        Ok(ExistingBooking {
            id: r.get(0)?,
            event_type: r.get(1)?,
            start: time(r.get(2)?),
            end: time(r.get(3)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Bookings (any status) starting in `[from, to)`, oldest first, at most `limit`.
pub fn list(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<BookingRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM bookings WHERE start_utc >= ?1 AND start_utc < ?2 \
         ORDER BY start_utc LIMIT ?3"
    ))?;
    let rows = stmt.query_map(params![secs(from), secs(to), limit], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What the owner's booking list asks for.
#[derive(Clone, Debug, Default)]
pub struct BookingFilter {
    pub status: Option<BookingStatus>,
    /// Part of the name or email, any case (SQLite's `lower`: ASCII letters only).
    pub text: Option<String>,
}

/// Bookings starting in `[from, to)` that pass `filter`, oldest first, at most `limit`.
pub fn search(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    filter: &BookingFilter,
    limit: u32,
) -> Result<Vec<BookingRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM bookings WHERE start_utc >= ?1 AND start_utc < ?2 \
         AND (?3 IS NULL OR status = ?3) \
         AND (?4 IS NULL OR instr(lower(name), lower(?4)) > 0 OR instr(lower(email), lower(?4)) > 0) \
         ORDER BY start_utc LIMIT ?5"
    ))?;
    let rows = stmt.query_map(
        params![
            secs(from),
            secs(to),
            filter.status.map(BookingStatus::as_str),
            filter.text,
            limit
        ],
        row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Bookings made or cancelled since `since` (for the owner's statistics).
pub fn touched_since(
    conn: &Connection,
    since: DateTime<Utc>,
) -> Result<Vec<BookingRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM bookings WHERE created_at >= ?1 OR cancelled_at >= ?1 \
         ORDER BY created_at"
    ))?;
    let rows = stmt.query_map([secs(since)], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many bookings there are of each status.
pub fn count_by_status(conn: &Connection) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT status, count(*) FROM bookings GROUP BY status ORDER BY status")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Marks a confirmed booking cancelled; false when it was not confirmed.
pub fn cancel(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE bookings SET status = 'cancelled', cancelled_at = ?2, updated_at = ?2 \
         WHERE id = ?1 AND status = 'confirmed'",
        params![id, secs(now)],
    )?;
    Ok(n == 1)
}

/// Moves a confirmed booking; returns its new sequence.
pub fn move_to(
    conn: &Connection,
    id: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u32, StoreError> {
    Ok(conn.query_row(
        "UPDATE bookings SET start_utc = ?2, end_utc = ?3, sequence = sequence + 1, updated_at = ?4 \
         WHERE id = ?1 AND status = 'confirmed' RETURNING sequence",
        params![id, secs(start), secs(end), secs(now)],
        |r| r.get(0),
    )?)
}

/// Manual blocks overlapping `[from, to)`.
pub fn blocks_between(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Interval>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT start_utc, end_utc FROM blocks WHERE start_utc < ?2 AND end_utc > ?1 \
         ORDER BY start_utc",
    )?;
    let rows = stmt.query_map(params![secs(from), secs(to)], |r| {
        Ok(Interval {
            start: time(r.get(0)?),
            end: time(r.get(1)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A manual block as the owner sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockRow {
    pub id: String,
    pub span: Interval,
    pub label: String,
    pub created_at: DateTime<Utc>,
}

/// Manual blocks overlapping `[from, to)`, with their ids and labels.
pub fn list_blocks(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<BlockRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, start_utc, end_utc, label, created_at FROM blocks \
         WHERE start_utc < ?2 AND end_utc > ?1 ORDER BY start_utc",
    )?;
    let rows = stmt.query_map(params![secs(from), secs(to)], |r| {
        Ok(BlockRow {
            id: r.get(0)?,
            span: Interval {
                start: time(r.get(1)?),
                end: time(r.get(2)?),
            },
            label: r.get(3)?,
            created_at: time(r.get(4)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Removes a manual block; false when there was none with that id.
pub fn delete_block(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM blocks WHERE id = ?1", [id])? == 1)
}

pub fn add_block(
    conn: &Connection,
    id: &str,
    span: Interval,
    label: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO blocks (id, start_utc, end_utc, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, secs(span.start), secs(span.end), label, secs(now)],
    )?;
    Ok(())
}

/// How long an idempotency key is remembered.
pub const IDEMPOTENCY_HOURS: i64 = 24;

/// The booking an idempotency key made at most [`IDEMPOTENCY_HOURS`] before `now`, and the
/// request hash it came with.
pub fn idempotent(
    conn: &Connection,
    req: &IdempotentRequest,
    now: DateTime<Utc>,
) -> Result<Option<(String, String)>, StoreError> {
    let since = secs(now - chrono::Duration::hours(IDEMPOTENCY_HOURS));
    Ok(conn
        .query_row(
            "SELECT request_hash, booking_id FROM idempotency_keys \
             WHERE caller = ?1 AND key = ?2 AND created_at >= ?3",
            params![req.caller, req.key, since],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub fn remember_key(
    conn: &Connection,
    req: &IdempotentRequest,
    booking_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    // Pruned here, by the writer that adds one: the table holds a day of keys at most.
    conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at < ?1",
        [secs(now - chrono::Duration::hours(IDEMPOTENCY_HOURS))],
    )?;
    conn.execute(
        "INSERT INTO idempotency_keys (caller, key, request_hash, booking_id, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![req.caller, req.key, req.request_hash, booking_id, secs(now)],
    )?;
    Ok(())
}

/// Whether the error is the overlap trigger firing (a race the checks above should have
/// caught; reported as "not free", never as a server error).
pub fn is_overlap(e: &StoreError) -> bool {
    matches!(e, StoreError::Sqlite(rusqlite::Error::SqliteFailure(_, Some(m))) if m.contains("overlapping booking"))
}

/// Marks (or unmarks) a past booking as a no-show; false when there is no such booking.
pub fn set_no_show(
    conn: &Connection,
    id: &str,
    no_show: bool,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE bookings SET no_show = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, no_show, secs(now)],
    )?;
    Ok(n == 1)
}

/// What a window holds that the rules count against a slot: the confirmed bookings and the
/// manual blocks overlapping `[from, to)` (the one place the pair is read together).
pub fn stored_between(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(Vec<ExistingBooking>, Vec<Interval>), StoreError> {
    Ok((
        confirmed_between(conn, from, to)?,
        blocks_between(conn, from, to)?,
    ))
}

/// Ends the holds that ran out by `now` (pending -> expired); how many.
pub fn expire_holds(conn: &Connection, now: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "UPDATE bookings SET status = 'expired', updated_at = ?1 \
         WHERE status = 'pending' AND hold_until <= ?1",
        [secs(now)],
    )?)
}

/// When the first hold still running ends, if any.
pub fn next_hold_end(conn: &Connection) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT min(hold_until) FROM bookings WHERE status = 'pending'",
            [],
            |r| r.get::<_, Option<i64>>(0),
        )?
        .map(time))
}

/// Turns a pending booking that waits for `by` and whose hold runs past `now` into a
/// confirmed one; false otherwise.
pub fn confirm(
    conn: &Connection,
    id: &str,
    by: ConfirmBy,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE bookings SET status = 'confirmed', hold_until = NULL, updated_at = ?2 \
         WHERE id = ?1 AND status = 'pending' AND hold_until > ?2 \
         AND coalesce(confirm_by, 'visitor') = ?3",
        params![id, secs(now), by.as_str()],
    )?;
    Ok(n == 1)
}

/// Turns a request waiting for the owner into a declined one (its time is free); false when
/// it was not waiting for the owner.
pub fn decline(
    conn: &Connection,
    id: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE bookings SET status = 'declined', hold_until = NULL, decline_reason = ?3, \
         updated_at = ?2 \
         WHERE id = ?1 AND status = 'pending' AND confirm_by = 'owner'",
        params![id, secs(now), reason],
    )?;
    Ok(n == 1)
}

/// The visitor withdraws a request still waiting for the owner (its time is free); false
/// when it was not waiting.
pub fn withdraw(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE bookings SET status = 'cancelled', hold_until = NULL, cancelled_at = ?2, \
         updated_at = ?2 WHERE id = ?1 AND status = 'pending' AND confirm_by = 'owner'",
        params![id, secs(now)],
    )?;
    Ok(n == 1)
}

/// The requests waiting for the owner whose hold ran out by `now` (before `expire_holds`
/// ends them: their visitors are told).
pub fn owner_holds_due(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id FROM bookings \
         WHERE status = 'pending' AND confirm_by = 'owner' AND hold_until <= ?1",
    )?;
    let ids = stmt
        .query_map([secs(now)], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(ids)
}
