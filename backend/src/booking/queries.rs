//! The owner's and the feeds' reads (and the owner's small writes) as named use cases: the
//! bookings with their calendar writes, manual blocks, the facts of a window, the delivery log
//! and its retry, counts, the merged busy time, the sources' statuses.
//!
//! Invariant: this is the one path from HTTP to storage and to the sync hub; `api/` never sees
//! a connection, the store or the hub (`tests/architecture.rs` checks its text).

use chrono::{DateTime, Utc};

use crate::availability::{CalendarTime, ExistingBooking, Facts, SourceBusy};
use crate::calendar::{Interval, merge_intervals};
use crate::config::SourceConfig;
use crate::store::bookings::{self, BlockRow, BookingFilter};
use crate::store::deliveries::{self, DeliveryRow};
use crate::store::{BookingRow, BookingStatus, OutboxRow, StoreError, outbox};
use crate::sync::SourceStatus;

use super::BookingService;

/// Everything the rules weigh in a window: the calendars' time, the confirmed bookings and the
/// manual blocks.
#[derive(Debug)]
pub struct WindowFacts {
    pub time: CalendarTime,
    pub bookings: Vec<ExistingBooking>,
    pub blocks: Vec<Interval>,
}

impl WindowFacts {
    /// The facts as the engine takes them, at `now`.
    pub fn facts(&self, now: DateTime<Utc>) -> Facts<'_> {
        self.time.facts(&self.bookings, &self.blocks, now)
    }
}

/// What `/metrics` counts in the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counts {
    /// Bookings by status (`confirmed`, `cancelled`).
    pub bookings_by_status: Vec<(String, i64)>,
    /// Calendar writes waiting in the outbox.
    pub outbox_backlog: i64,
    /// Mail and webhook deliveries pending (reminders not due yet included) and failed.
    pub deliveries_pending: i64,
    pub deliveries_failed: i64,
}

/// How a retry of a delivery went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Retried {
    /// Queued again (the worker was woken).
    Queued(DeliveryRow),
    /// Only a failed delivery can be retried.
    NotFailed,
    NotFound,
}

impl BookingService {
    /// The facts of `window` as the snapshots hold them now (no refresh).
    pub async fn window_facts(
        &self,
        window: Interval,
        now: DateTime<Utc>,
    ) -> Result<WindowFacts, StoreError> {
        let (time, _) = self.hub().time(window, now);
        let (bookings, blocks) = self.stored_between(window).await?;
        Ok(WindowFacts {
            time,
            bookings,
            blocks,
        })
    }

    /// The confirmed bookings and manual blocks overlapping `window`.
    async fn stored_between(
        &self,
        window: Interval,
    ) -> Result<(Vec<ExistingBooking>, Vec<Interval>), StoreError> {
        self.store()
            .call(move |c| bookings::stored_between(c, window.start, window.end))
            .await
    }

    /// Everything that makes the owner busy in `window`: sources (under the freshness policy),
    /// bookings and manual blocks, merged.
    pub async fn merged_busy(&self, window: Interval) -> Result<Vec<Interval>, StoreError> {
        let now = self.now();
        let (sources, _) = self.hub().busy(window, now);
        let (stored, blocks) = self.stored_between(window).await?;
        let mut all: Vec<Interval> = sources.into_iter().flat_map(|s| s.intervals).collect();
        all.extend(stored.iter().map(|b| Interval {
            start: b.start.max(window.start),
            end: b.end.min(window.end),
        }));
        all.extend(blocks);
        all.retain(|i| i.end > i.start);
        merge_intervals(&mut all);
        Ok(all)
    }

    /// Bookings (any status) starting in `[from, to)`, oldest first, at most `limit`.
    pub async fn bookings_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<BookingRow>, StoreError> {
        self.store()
            .call(move |c| bookings::list(c, from, to, limit))
            .await
    }

    /// The calendar writes of one booking.
    pub async fn booking_writes(&self, id: &str) -> Result<Vec<OutboxRow>, StoreError> {
        let id = id.to_owned();
        self.store().call(move |c| outbox::of_booking(c, &id)).await
    }

    /// The owner's search: bookings starting in `[from, to)` that match `filter`, at most
    /// `limit`, each with its calendar writes.
    pub async fn search_bookings(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        filter: BookingFilter,
        limit: u32,
    ) -> Result<Vec<(BookingRow, Vec<OutboxRow>)>, StoreError> {
        self.store()
            .call(move |c| {
                let rows = bookings::search(c, from, to, &filter, limit)?;
                rows.into_iter()
                    .map(|b| {
                        let writes = outbox::of_booking(c, &b.id)?;
                        Ok((b, writes))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .await
    }

    /// The confirmed bookings (at most `limit`) and the manual blocks of `[from, to)`, read
    /// together (the week view).
    pub async fn confirmed_and_blocks(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<(Vec<BookingRow>, Vec<BlockRow>), StoreError> {
        self.store()
            .call(move |c| {
                let filter = BookingFilter {
                    status: Some(BookingStatus::Confirmed),
                    text: None,
                };
                Ok((
                    bookings::search(c, from, to, &filter, limit)?,
                    bookings::list_blocks(c, from, to)?,
                ))
            })
            .await
    }

    /// Bookings made or cancelled since `since` (the owner's statistics).
    pub async fn bookings_touched_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<BookingRow>, StoreError> {
        self.store()
            .call(move |c| bookings::touched_since(c, since))
            .await
    }

    /// Manual blocks overlapping `[from, to)`.
    pub async fn blocks(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BlockRow>, StoreError> {
        self.store()
            .call(move |c| bookings::list_blocks(c, from, to))
            .await
    }

    /// Stores a manual block (made at `block.created_at`).
    pub async fn add_block(&self, block: &BlockRow) -> Result<(), StoreError> {
        let stored = block.clone();
        self.store()
            .call(move |c| {
                bookings::add_block(c, &stored.id, stored.span, &stored.label, stored.created_at)
            })
            .await
    }

    /// Removes a manual block; `false` when there is none with this id.
    pub async fn delete_block(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.store()
            .call(move |c| bookings::delete_block(c, &id))
            .await
    }

    /// The delivery log: the latest `limit` mails and webhook requests, newest first.
    pub async fn deliveries(&self, limit: u32) -> Result<Vec<DeliveryRow>, StoreError> {
        self.store()
            .call(move |c| deliveries::recent(c, limit))
            .await
    }

    /// Queues a failed delivery again, now, and wakes the worker.
    pub async fn retry_delivery(&self, id: i64) -> Result<Retried, StoreError> {
        let now = self.now();
        let found = self
            .store()
            .call(move |c| {
                let retried = deliveries::retry(c, id, now)?;
                Ok((retried, deliveries::get(c, id)?))
            })
            .await?;
        Ok(match found {
            (true, Some(row)) => {
                self.notify_wake().notify_one();
                Retried::Queued(row)
            }
            (false, Some(_)) => Retried::NotFailed,
            (_, None) => Retried::NotFound,
        })
    }

    /// The database's counts for `/metrics`.
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        let (bookings_by_status, outbox_backlog, (deliveries_pending, deliveries_failed)) = self
            .store()
            .call(|c| {
                Ok((
                    bookings::count_by_status(c)?,
                    outbox::backlog(c)?,
                    deliveries::counts(c)?,
                ))
            })
            .await?;
        Ok(Counts {
            bookings_by_status,
            outbox_backlog,
            deliveries_pending,
            deliveries_failed,
        })
    }

    /// Whether the database takes writes (readiness).
    pub async fn database_writable(&self) -> bool {
        self.store().writable().await
    }

    /// Every source's status at `now`.
    pub fn source_statuses(&self, now: DateTime<Utc>) -> Vec<SourceStatus> {
        self.hub().statuses(now)
    }

    /// The sources too stale to know at `now` (they fail closed).
    pub fn blocking_sources(&self, now: DateTime<Utc>) -> Vec<SourceStatus> {
        self.hub().blocking_sources(now)
    }

    /// Busy time of every source in `window` under the freshness policy (no refresh).
    pub fn source_busy(&self, window: Interval, now: DateTime<Utc>) -> Vec<SourceBusy> {
        self.hub().busy(window, now).0
    }

    /// The running configuration of a source (the file's or the dashboard's).
    pub fn source_config(&self, id: &str) -> Option<SourceConfig> {
        self.hub().source_config(id)
    }

    /// Syncs every source now, waiting at most `server.refresh_budget_ms`.
    pub async fn refresh_sources(&self) {
        let budget = self.config().server.refresh_budget();
        self.hub().refresh_all(self.now(), budget).await;
    }

    /// Starts a background sync job per source until `shutdown` turns true.
    pub fn spawn_syncs(
        &self,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        self.hub().spawn_background(self.clock(), shutdown)
    }

    /// The owner's move of a booking (admin API; no manage token): the visitor's reschedule,
    /// one transaction, the same checks, events updated in place, the visitor told.
    pub async fn reschedule_as_owner(
        &self,
        id: &str,
        start: DateTime<Utc>,
    ) -> Result<BookingRow, super::BookError> {
        let token = self.manage_token(id);
        Ok(self.reschedule(id, &token, start).await?.booking)
    }
}
