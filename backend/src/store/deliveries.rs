//! Deliveries: the mails and webhook requests a booking causes, queued in the booking's
//! transaction with their payload frozen then, and the alerts about a calendar that keeps
//! failing (`notify::alerts`); drained by `notify::worker`.
//!
//! Invariant: a row is only sent after every earlier non-reminder row of the same subject (the
//! booking, or the source), channel and target left `pending` (an update never overtakes its
//! invitation, a cancel never overtakes its update, a `source.recovered` never overtakes its
//! `source.failing`, even when retries reorder their due times).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::outbox::OutboxState as State;
use super::{StoreError, secs, time};

/// `mail` or `webhook`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Mail,
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mail => "mail",
            Self::Webhook => "webhook",
        }
    }
}

/// One stored delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRow {
    pub id: i64,
    /// The booking it is about; `None` for an alert about a source.
    pub booking_id: Option<String>,
    /// The source an alert is about; `None` for a booking's notice.
    pub source_id: Option<String>,
    pub channel: Channel,
    /// `visitor` or `owner` for mail; the webhook's id.
    pub target: String,
    /// `booking.created`, `booking.rescheduled`, `booking.cancelled`, `booking.reminder`,
    /// `source.failing` or `source.recovered`.
    pub event: String,
    /// JSON, frozen when queued.
    pub payload: String,
    pub state: State,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    /// The last HTTP status (webhooks) or SMTP reply code (mail), when there was one.
    pub last_status: Option<u16>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a delivery is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum About<'a> {
    /// A booking (its id).
    Booking(&'a str),
    /// A calendar source (its id): the alerts.
    Source(&'a str),
}

/// A delivery to queue.
#[derive(Clone, Debug)]
pub struct NewDelivery<'a> {
    pub about: About<'a>,
    pub channel: Channel,
    pub target: &'a str,
    pub event: &'a str,
    pub payload: &'a str,
    /// When it is due (now; a reminder's time).
    pub due: DateTime<Utc>,
}

const COLUMNS: &str = "id, booking_id, channel, target, event, payload, state, attempts, \
     next_attempt_at, last_error, last_status, created_at, updated_at, source_id";

fn delivery_row(r: &Row) -> rusqlite::Result<DeliveryRow> {
    let channel: String = r.get(2)?;
    let state: String = r.get(6)?;
    Ok(DeliveryRow {
        id: r.get(0)?,
        booking_id: r.get(1)?,
        source_id: r.get(13)?,
        channel: if channel == "webhook" {
            Channel::Webhook
        } else {
            Channel::Mail
        },
        target: r.get(3)?,
        event: r.get(4)?,
        payload: r.get(5)?,
        state: match state.as_str() {
            "done" => State::Done,
            "failed" => State::Failed,
            "skipped" => State::Skipped,
            _ => State::Pending,
        },
        attempts: r.get(7)?,
        next_attempt_at: time(r.get(8)?),
        last_error: r.get(9)?,
        last_status: r.get(10)?,
        created_at: time(r.get(11)?),
        updated_at: time(r.get(12)?),
    })
}

/// Queues a delivery (inside the booking's transaction, or the alert check's).
pub fn enqueue(
    conn: &Connection,
    d: &NewDelivery<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let (booking_id, source_id) = match d.about {
        About::Booking(id) => (Some(id), None),
        About::Source(id) => (None, Some(id)),
    };
    conn.execute(
        "INSERT INTO deliveries (booking_id, source_id, channel, target, event, payload, state, \
         attempts, next_attempt_at, created_at, updated_at) \
         VALUES (?1, ?8, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?7, ?7)",
        params![
            booking_id,
            d.channel.as_str(),
            d.target,
            d.event,
            d.payload,
            secs(d.due),
            secs(now),
            source_id
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Pending rows due at `now` whose earlier rows (same booking or source, channel, target;
/// reminders aside) are settled, oldest first.
pub fn due(
    conn: &Connection,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<DeliveryRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM deliveries d WHERE state = 'pending' AND next_attempt_at <= ?1 \
         AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.booking_id IS d.booking_id \
           AND e.source_id IS d.source_id AND e.channel = d.channel AND e.target = d.target AND e.id < d.id \
           AND e.state = 'pending' AND e.event <> 'booking.reminder') \
         ORDER BY id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![secs(now), limit], delivery_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<DeliveryRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM deliveries WHERE id = ?1"),
            [id],
            delivery_row,
        )
        .optional()?)
}

/// The most recent rows, newest first (the owner's delivery log).
pub fn recent(conn: &Connection, limit: u32) -> Result<Vec<DeliveryRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM deliveries ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = stmt.query_map([limit], delivery_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Sent (or skipped, or given up): the row is settled.
pub fn finish(
    conn: &Connection,
    id: i64,
    state: State,
    status: Option<u16>,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE deliveries SET state = ?2, last_status = coalesce(?3, last_status), \
         last_error = coalesce(?4, last_error), updated_at = ?5 WHERE id = ?1",
        params![id, state.as_str(), status, error, secs(now)],
    )?;
    Ok(())
}

/// A failed attempt: counted, and due again at `next` (`None`: given up, failed).
pub fn failed_attempt(
    conn: &Connection,
    id: i64,
    status: Option<u16>,
    error: &str,
    next: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE deliveries SET attempts = attempts + 1, last_status = ?2, last_error = ?3, \
         next_attempt_at = coalesce(?4, next_attempt_at), \
         state = CASE WHEN ?4 IS NULL THEN 'failed' ELSE state END, updated_at = ?5 \
         WHERE id = ?1",
        params![id, status, error, next.map(secs), secs(now)],
    )?;
    Ok(())
}

/// The owner's retry of a failed row: pending again and due now. Returns false when the row
/// is unknown or not failed.
pub fn retry(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = ?2, updated_at = ?2 \
         WHERE id = ?1 AND state = 'failed'",
        params![id, secs(now)],
    )?;
    Ok(n == 1)
}

/// (pending, failed) rows in all; pending includes reminders not due yet.
pub fn counts(conn: &Connection) -> Result<(i64, i64), StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'failed') \
         FROM deliveries",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Mails sent to visitors on UTC day `day` (days since 1970): to `address`, and to anyone.
pub fn mails_sent(conn: &Connection, day: i64, address: &str) -> Result<(u32, u32), StoreError> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(sent) FILTER (WHERE address = ?2), 0), coalesce(sum(sent), 0) \
         FROM mail_counts WHERE day = ?1",
        params![day, address],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Counts one more mail to `address` on `day`; forgets days before yesterday.
pub fn count_mail(conn: &Connection, day: i64, address: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO mail_counts (day, address, sent) VALUES (?1, ?2, 1) \
         ON CONFLICT (day, address) DO UPDATE SET sent = sent + 1",
        params![day, address],
    )?;
    conn.execute("DELETE FROM mail_counts WHERE day < ?1 - 1", [day])?;
    Ok(())
}
