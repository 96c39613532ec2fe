//! The outbox worker: writes the events of bookings into every writable calendar, updates them
//! in place on reschedule and deletes them on cancel, until each calendar has what it should.
//!
//! Invariants: a booking never waits for a calendar (its writes are queued rows, committed
//! with it); the event's UID is the booking's for its whole life (`calendar::booking_uid`; the
//! same in mails and the feed), and writers are idempotent on it, so a retry after a crash or a
//! lost answer never makes a second copy; a reschedule updates the same event (same UID, same
//! resource, SEQUENCE one up) with the booking as it is when the row runs, and an update of a
//! booking cancelled meanwhile writes nothing; a write that keeps failing is marked failed with
//! its reason and shown to the owner, never dropped silently; a delete or an update waits for
//! its create. Rows keep the UID they were queued with: events written before one UID per
//! booking (`{id}-{sequence}@openslot`) are updated and deleted under that UID. Each calendar
//! is written by a lane of its own, so a calendar server that hangs delays only its own events.
//! Writers are looked up in the hub per row, so sources added in the dashboard get their
//! writes, and the writes of a removed source fail at once with a reason instead of waiting for
//! a writer that will not come.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use tokio::task::{Id, JoinSet};

use crate::calendar::{BookingEvent, Person};
use crate::sources::{CalendarWriter, SourceError, WrittenEvent};
use crate::store::outbox::{self as rows, OutboxAction, OutboxRow, OutboxState, WrittenRow};
use crate::store::{BookingRow, BookingStatus, StoreError, bookings};

use super::service::BookingService;
use crate::queue::{MAX_ATTEMPTS, backoff};

/// Calendars written at the same time. Each calendar has one lane: its rows go one after
/// another (a delete after its create, an update after both), and a calendar that hangs until
/// its `timeout_seconds` holds back only its own lane, never the writes to the others.
const PARALLEL_CALENDARS: usize = 8;
/// Rows taken per look at the queue.
const BATCH: u32 = 50;
/// With nothing due, the worker still looks every so often (rows due later, clock jumps).
const IDLE_POLL: Duration = Duration::from_secs(5);

/// Drains the outbox until `shutdown` turns true: one lane (task) per calendar with due rows,
/// up to [`PARALLEL_CALENDARS`] at once. On shutdown the lanes in flight are dropped: their
/// rows stay pending and are written after the restart (writers are idempotent on the UID).
pub async fn run(service: BookingService, mut shutdown: watch::Receiver<bool>) {
    let wake = service.outbox_wake();
    let mut lanes = Lanes::default();
    loop {
        lanes.reap();
        let started = match lanes.start_due(&service).await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(worker = "outbox", error = %e, "the database failed");
                0
            }
        };
        if started > 0 {
            continue;
        }
        tokio::select! {
            _ = wake.notified() => {}
            Some(done) = lanes.tasks.join_next_with_id(), if !lanes.tasks.is_empty() => {
                lanes.finished(done);
            }
            _ = tokio::time::sleep(IDLE_POLL) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            lanes.tasks.shutdown().await;
            return;
        }
    }
}

/// The calendars being written now: one task per calendar.
#[derive(Default)]
struct Lanes {
    tasks: JoinSet<()>,
    /// Task -> the calendar (source id) it writes.
    busy: HashMap<Id, String>,
}

impl Lanes {
    /// Forgets the lanes that ended (also by a panic: the calendar is free again and its rows,
    /// still pending, are taken up by the next lane).
    fn reap(&mut self) {
        while let Some(done) = self.tasks.try_join_next_with_id() {
            self.finished(done);
        }
    }

    fn finished(&mut self, done: Result<(Id, ()), tokio::task::JoinError>) {
        let id = match done {
            Ok((id, ())) => id,
            Err(e) => {
                if e.is_panic() {
                    tracing::error!(worker = "outbox", "a calendar write panicked");
                }
                e.id()
            }
        };
        self.busy.remove(&id);
    }

    /// Starts a lane for each calendar that has due rows and no lane yet; how many started.
    async fn start_due(&mut self, service: &BookingService) -> Result<usize, StoreError> {
        let free = PARALLEL_CALENDARS.saturating_sub(self.tasks.len());
        if free == 0 {
            return Ok(0);
        }
        let busy: Vec<String> = self.busy.values().cloned().collect();
        let now = service.now();
        let due = service
            .store()
            .call(move |c| rows::due_except(c, now, BATCH, &busy))
            .await?;
        let mut started = 0;
        for (source, rows) in by_calendar(due).into_iter().take(free) {
            let service = service.clone();
            let wake = service.outbox_wake();
            let handle = self.tasks.spawn(async move {
                let _ = drain_lane(&service, &rows).await;
                // The calendar is free: its next rows (or others') may be due.
                wake.notify_one();
            });
            self.busy.insert(handle.id(), source);
            started += 1;
        }
        Ok(started)
    }
}

/// The rows grouped by calendar, calendars in the order of their first row, rows in queue
/// order within each.
fn by_calendar(due: Vec<OutboxRow>) -> Vec<(String, Vec<OutboxRow>)> {
    let mut groups: Vec<(String, Vec<OutboxRow>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in due {
        match index.get(&row.source_id) {
            Some(&i) => groups[i].1.push(row),
            None => {
                index.insert(row.source_id.clone(), groups.len());
                groups.push((row.source_id.clone(), vec![row]));
            }
        }
    }
    groups
}

/// One calendar's rows, one after another.
async fn drain_lane(service: &BookingService, rows: &[OutboxRow]) -> Result<(), StoreError> {
    for row in rows {
        if let Err(e) = process(service, row).await {
            tracing::error!(worker = "outbox", source = %row.source_id, error = %e,
                "the database failed");
            return Err(e);
        }
    }
    Ok(())
}

/// Processes the rows due now, every calendar's lane to its end; returns how many rows were
/// attempted (tests and tools that drain without the background worker).
pub async fn drain_once(service: &BookingService) -> Result<usize, StoreError> {
    let now = service.now();
    let due = service
        .store()
        .call(move |c| rows::due_except(c, now, BATCH, &[]))
        .await?;
    let n = due.len();
    let mut lanes = JoinSet::new();
    for (_, rows) in by_calendar(due) {
        let service = service.clone();
        lanes.spawn(async move { drain_lane(&service, &rows).await });
    }
    let mut first_error = None;
    while let Some(done) = lanes.join_next().await {
        if let Ok(Err(e)) = done {
            first_error.get_or_insert(e);
        }
    }
    first_error.map_or(Ok(n), Err)
}

async fn process(service: &BookingService, row: &OutboxRow) -> Result<(), StoreError> {
    let store = service.store();
    let now = service.now();
    let Some(writer) = service.hub().writer(&row.source_id) else {
        let id = row.id;
        let msg = format!(
            "source `{}` was removed or is no longer writable (configuration file or dashboard)",
            row.source_id
        );
        return store
            .call(move |c| rows::finish(c, id, OutboxState::Failed, Some(&msg), now))
            .await;
    };
    let result = match row.action {
        OutboxAction::Create => create(service, writer.as_ref(), row).await,
        OutboxAction::Update => update(service, writer.as_ref(), row).await,
        OutboxAction::Delete => delete(service, writer.as_ref(), row).await,
    };
    let (id, attempts) = (row.id, row.attempts + 1);
    match result {
        Ok(Step::Done) => Ok(()),
        Ok(Step::Later) => {
            // A delete or an update waiting for its create: not an attempt.
            let next = now + chrono::Duration::seconds(2);
            store.call(move |c| rows::postpone(c, id, next)).await
        }
        Err(e) => {
            let msg = e.to_string();
            tracing::warn!(source = %row.source_id, booking = %row.booking_id, attempt = attempts,
                error = %msg, "outbox: calendar write failed");
            if attempts >= MAX_ATTEMPTS {
                store
                    .call(move |c| {
                        rows::retry_at(c, id, &msg, now, now)?;
                        rows::finish(c, id, OutboxState::Failed, None, now)
                    })
                    .await
            } else {
                let next = now + backoff(attempts - 1);
                store
                    .call(move |c| rows::retry_at(c, id, &msg, next, now))
                    .await
            }
        }
    }
}

enum Step {
    Done,
    Later,
}

async fn create(
    service: &BookingService,
    writer: &dyn CalendarWriter,
    row: &OutboxRow,
) -> Result<Step, WriteError> {
    let store = service.store();
    let booking_id = row.booking_id.clone();
    let Some(booking) = store.call(move |c| bookings::get(c, &booking_id)).await? else {
        return Err(WriteError::Gone);
    };
    let event = booking_event(service, &booking, &row.uid, service.now());
    let written = writer.create(&event).await?;
    let done = WrittenRow {
        booking_id: row.booking_id.clone(),
        source_id: row.source_id.clone(),
        uid: written.uid,
        remote_id: written.remote_id,
        etag: written.etag,
    };
    let (row, now) = (row.clone(), service.now());
    store
        .call(move |c| rows::create_done(c, &row, &done, now))
        .await?;
    Ok(Step::Done)
}

/// The booking moved: its event is replaced in place with the booking as it is now. With no
/// event written (its create failed, or the calendar was added since), the event is created.
async fn update(
    service: &BookingService,
    writer: &dyn CalendarWriter,
    row: &OutboxRow,
) -> Result<Step, WriteError> {
    let store = service.store();
    let (source, uid, booking_id) = (
        row.source_id.clone(),
        row.uid.clone(),
        row.booking_id.clone(),
    );
    let (pending, written, booking) = store
        .call(move |c| {
            Ok((
                rows::create_pending(c, &source, &uid)?,
                rows::written(c, &source, &uid)?,
                bookings::get(c, &booking_id)?,
            ))
        })
        .await?;
    if pending {
        return Ok(Step::Later);
    }
    let Some(booking) = booking else {
        return Err(WriteError::Gone);
    };
    let now = service.now();
    if booking.status != BookingStatus::Confirmed {
        // Cancelled since: its delete takes the event away; writing it again would revive it.
        let row = row.clone();
        store
            .call(move |c| rows::finish(c, row.id, OutboxState::Skipped, None, now))
            .await?;
        return Ok(Step::Done);
    }
    let event = booking_event(service, &booking, &row.uid, now);
    let result = match written {
        Some(w) => {
            let before = WrittenEvent {
                uid: w.uid,
                remote_id: w.remote_id,
                etag: w.etag,
            };
            writer.update(&before, &event).await?
        }
        None => writer.create(&event).await?,
    };
    let done = WrittenRow {
        booking_id: row.booking_id.clone(),
        source_id: row.source_id.clone(),
        uid: result.uid,
        remote_id: result.remote_id,
        etag: result.etag,
    };
    let row = row.clone();
    store
        .call(move |c| rows::update_done(c, &row, &done, now))
        .await?;
    Ok(Step::Done)
}

async fn delete(
    service: &BookingService,
    writer: &dyn CalendarWriter,
    row: &OutboxRow,
) -> Result<Step, WriteError> {
    let store = service.store();
    let (source, uid) = (row.source_id.clone(), row.uid.clone());
    let (pending, written) = store
        .call(move |c| {
            Ok((
                rows::create_pending(c, &source, &uid)?,
                rows::written(c, &source, &uid)?,
            ))
        })
        .await?;
    if pending {
        return Ok(Step::Later);
    }
    if let Some(w) = written {
        writer
            .delete(&WrittenEvent {
                uid: w.uid,
                remote_id: w.remote_id,
                etag: w.etag,
            })
            .await?;
    }
    let (row, now) = (row.clone(), service.now());
    store.call(move |c| rows::delete_done(c, &row, now)).await?;
    Ok(Step::Done)
}

/// Why one write failed.
#[derive(Debug, thiserror::Error)]
enum WriteError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the booking is gone from the database")]
    Gone,
}

impl From<WriteError> for StoreError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Store(s) => s,
            other => StoreError::Worker(other.to_string()),
        }
    }
}

/// The event in the owner's calendar: who booked, how to reach them, their notes. All of it is
/// visitor text, escaped by `booking_ics` (RFC 5545 TEXT). Never the visitor's manage link: its
/// token lets anyone who reads the owner's calendar (shared calendars, delegates, the feed)
/// cancel or move the booking; the owner has the dashboard, and only the visitor's own mail
/// carries the link (`notify::worker`).
pub fn booking_event(
    service: &BookingService,
    b: &BookingRow,
    uid: &str,
    now: DateTime<Utc>,
) -> BookingEvent {
    let config = service.config();
    let event_type = config.event_type_config(&b.event_type);
    let title = event_type.map_or_else(|| b.event_type.clone(), |e| e.title.clone());
    let location = event_type
        .and_then(|e| e.location.as_ref())
        .map(|l| l.for_booking(&b.id));
    let mut description = format!(
        "Booked through OpenSlot by {} <{}> (time zone {}).\n",
        b.name, b.email, b.timezone
    );
    if let Some(place) = &location {
        description.push_str(&format!("\nWhere: {place}\n"));
    }
    if !b.answers.is_empty() {
        description.push('\n');
        for a in &b.answers {
            description.push_str(&format!("{}: {}\n", a.label, a.value));
        }
    }
    if !b.notes.is_empty() {
        description.push_str(&format!("\nNotes:\n{}\n", b.notes));
    }
    BookingEvent {
        uid: uid.to_owned(),
        sequence: b.sequence,
        stamp: now,
        start: b.start,
        end: b.end,
        summary: format!("{title}: {}", b.name),
        description,
        location,
        organizer: Some(Person {
            name: config.owner.shown_name().to_owned(),
            email: config.owner.email.clone(),
        }),
        attendees: vec![Person {
            name: b.name.clone(),
            email: b.email.clone(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, source: &str) -> OutboxRow {
        OutboxRow {
            id,
            booking_id: format!("b{id}"),
            source_id: source.to_owned(),
            action: OutboxAction::Create,
            uid: format!("b{id}@openslot"),
            state: OutboxState::Pending,
            attempts: 0,
            last_error: None,
            next_attempt_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn rows_are_grouped_by_calendar_in_queue_order() {
        let groups = by_calendar(vec![row(1, "b"), row(2, "a"), row(3, "b"), row(4, "c")]);
        let shape: Vec<(&str, Vec<i64>)> = groups
            .iter()
            .map(|(s, rows)| (s.as_str(), rows.iter().map(|r| r.id).collect()))
            .collect();
        assert_eq!(shape, [("b", vec![1, 3]), ("a", vec![2]), ("c", vec![4])]);
    }
}
