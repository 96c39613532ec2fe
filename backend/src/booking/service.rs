//! The use cases: free slots, book, look up, cancel, reschedule.
//!
//! Invariant (no double booking): a booking is decided inside one `BEGIN IMMEDIATE`
//! transaction that re-reads the stored bookings and blocks, re-applies the rules to busy time
//! refreshed just before, inserts, and queues its calendar writes; SQLite's write lock makes
//! that check-and-insert atomic, and a trigger refuses any overlap the code would miss.
//! Reschedule is the same transaction: the new time is taken before the old one is freed.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rusqlite::TransactionBehavior;

use crate::availability::{CalendarTime, EventType, Reason, Slot, explain, slots};
use crate::calendar::{Interval, booking_uid};
use crate::config::Config;
use crate::notify::{self, Event};
use crate::store::bookings::SeriesRow;
use crate::store::outbox::{self as outbox_rows, OutboxAction};
use crate::store::secret_box::SecretBox;
use crate::store::{BookingRow, IdempotentRequest, NewBooking, Store, StoreError, bookings};
use crate::sync::SyncHub;

use super::busy_view::{BusyView, View, ViewKey, covers, view_window};
use super::confirmation::{announce_or_ask, end_holds};
use super::details::Answer;
use super::input::BookingInput;
use super::new_id;
use super::rules::{Current, saved_rules};
use super::series::{Conflict, MIN_SESSIONS, SeriesRequest, session_starts};
use super::token::{Purpose, TokenKey};

/// Why a booking (or a reschedule) was not made.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error("there is no event type `{0}`")]
    UnknownEventType(String),
    #[error("that time is not free")]
    NotFree,
    #[error("the calendars could not be checked: {0}")]
    Stale(String),
    #[error("this Idempotency-Key was used for another request")]
    KeyReused,
    #[error("no such booking")]
    NotFound,
    /// A no-show can only be marked once the meeting has begun.
    #[error("the meeting has not started yet")]
    NotYet,
    /// The event type does not offer this series (frequency or number of sessions).
    #[error("{0}")]
    SeriesNotOffered(String),
    /// A later session of a series is not free; nothing was booked. `session` counts from 1.
    #[error("session {session} of the series ({start}) cannot be booked: {}", conflict.explain())]
    SeriesConflict {
        session: u32,
        start: DateTime<Utc>,
        conflict: Conflict,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A booking as the API shows it to the visitor who made it.
#[derive(Clone, Debug)]
pub struct Booked {
    pub booking: BookingRow,
    /// Signed; only with it can the booking be seen, cancelled or moved.
    pub manage_token: String,
    /// The answer to an earlier request with the same Idempotency-Key.
    pub replayed: bool,
}

/// A request to book.
#[derive(Clone, Debug)]
pub struct BookRequest {
    pub event_type: String,
    pub start: DateTime<Utc>,
    pub input: BookingInput,
    pub idempotency: Option<IdempotentRequest>,
    /// More sessions after the first, every week or two (`None`: one meeting).
    pub series: Option<SeriesRequest>,
    /// The answers to the event type's questions, checked (`details::check_answers`).
    pub answers: Vec<Answer>,
    /// Where the visit came from (checked `visitor_text::visit_ref`).
    pub visit_ref: Option<String>,
    /// Made by the owner in the dashboard: it stands at once, whatever the event type's
    /// `confirm` (nobody needs to confirm what the owner booked).
    pub by_owner: bool,
}

/// Which sessions a cancel takes: this one, or this one and every later one of its series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelScope {
    This,
    Following,
}

/// The service the API calls; cheap to clone.
#[derive(Clone, Debug)]
pub struct BookingService {
    pub(super) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(super) struct Inner {
    /// The configuration file's, as loaded.
    file_config: Config,
    /// What applies: the file's, or with the owner's edited rules (swapped whole, never torn).
    pub(super) current: std::sync::RwLock<Current>,
    /// The page's texts edited in the dashboard (`page_settings.rs`), by key.
    pub(super) saved_page: std::sync::RwLock<std::collections::BTreeMap<String, String>>,
    /// The logo uploaded in the dashboard (`page_logo.rs`).
    pub(super) saved_logo: std::sync::RwLock<Option<Arc<crate::store::page_settings::StoredLogo>>>,
    /// The SMTP settings saved in the dashboard (`mail_settings.rs`), used without a file `[mail]`.
    pub(super) saved_mail: std::sync::RwLock<Option<super::mail_settings::SavedMail>>,
    /// The captcha and rate limits as they apply (`security_settings.rs`).
    pub(super) security: super::security_settings::Live,
    store: Store,
    hub: Arc<SyncHub>,
    tokens: TokenKey,
    clock: fn() -> DateTime<Utc>,
    /// Wakes the outbox worker after a commit that queued writes.
    wake: Arc<tokio::sync::Notify>,
    /// Wakes the notify worker (mail, webhooks) likewise.
    notify_wake: Arc<tokio::sync::Notify>,
    pub(super) busy_view: BusyView,
    /// Seals webhook subscriptions' secrets like the catalog's (`None`: describing the API).
    secrets: Option<SecretBox>,
}

/// Busy time is read a little beyond the asked window: buffers reach across its edges.
const MARGIN: Duration = Duration::days(2);

impl BookingService {
    pub fn new(
        config: Config,
        store: Store,
        hub: Arc<SyncHub>,
        tokens: TokenKey,
        clock: fn() -> DateTime<Utc>,
        secrets: Option<SecretBox>,
    ) -> Self {
        let current = saved_rules(&config, &store);
        let saved_page = super::page_settings::saved(&store);
        let security = super::security_settings::Live::load(&config.security, &store);
        let mail = super::mail_settings::saved(&config, &store, secrets.as_ref());
        let service = BookingService {
            inner: Arc::new(Inner {
                current: std::sync::RwLock::new(current),
                saved_page: std::sync::RwLock::new(saved_page),
                saved_logo: std::sync::RwLock::new(super::page_logo::saved(&store)),
                saved_mail: std::sync::RwLock::new(mail),
                security,
                file_config: config,
                store,
                hub,
                tokens,
                clock,
                wake: Arc::new(tokio::sync::Notify::new()),
                notify_wake: Arc::new(tokio::sync::Notify::new()),
                busy_view: BusyView::default(),
                secrets,
            }),
        };
        service.reapply();
        service
    }

    /// The configuration that applies now: the file's, with the owner's edited rules if any.
    pub fn config(&self) -> Arc<Config> {
        Arc::clone(&self.current().config)
    }

    /// The configuration file's, without the dashboard's edits.
    pub fn file_config(&self) -> &Config {
        &self.inner.file_config
    }

    pub(super) fn secrets(&self) -> Option<&SecretBox> {
        self.inner.secrets.as_ref()
    }

    /// The database: for the use cases in `booking` (and, through `notify::Host`, its workers).
    pub(super) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(super) fn holds(&self) -> &super::confirmation::HoldWatch {
        &self.inner.busy_view.holds
    }

    /// The sources: for the use cases in `booking` (and, through `notify::Host`, its workers).
    pub(super) fn hub(&self) -> &Arc<SyncHub> {
        &self.inner.hub
    }

    pub fn tokens(&self) -> &TokenKey {
        &self.inner.tokens
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.inner.clock)()
    }

    /// The clock the service reads (fixed in tests).
    pub fn clock(&self) -> fn() -> DateTime<Utc> {
        self.inner.clock
    }

    pub fn outbox_wake(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.inner.wake)
    }

    pub fn notify_wake(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.inner.notify_wake)
    }

    /// After a commit that queued work: both workers look at once.
    fn wake_workers(&self) {
        self.inner.wake.notify_one();
        self.inner.notify_wake.notify_one();
    }

    pub fn event_type(&self, slug: &str) -> Option<EventType> {
        self.config().event_type(slug)
    }

    /// The manage token of a booking.
    pub fn manage_token(&self, id: &str) -> String {
        self.inner.tokens.sign(Purpose::Manage, id)
    }

    /// The visitor's link to see, cancel or move the booking.
    pub fn manage_url(&self, id: &str) -> String {
        format!(
            "{}/manage/{id}?token={}",
            self.config().server.public_url,
            self.manage_token(id)
        )
    }

    /// Free slots of an event type in `[from, to)`, from the snapshots as they are (no refresh:
    /// listing must be fast; the booking re-checks). Stale sources count as the policy says.
    /// The facts come from the shared view of the whole fetch window (`busy_view`), made once
    /// per change of a snapshot, a stored row or a source's freshness, so a taken slot
    /// disappears at once and any window or zone costs only the slot rules over it.
    pub async fn free_slots(
        &self,
        event_type: &EventType,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Arc<Vec<Slot>>, StoreError> {
        let now = self.now();
        self.end_due_holds(now).await?;
        let needed = Interval {
            start: from - MARGIN,
            end: to + MARGIN,
        };
        let key = ViewKey {
            hub_version: self.inner.hub.version(),
            store_version: self.inner.store.version(),
            usable: self.inner.hub.usable(now),
        };
        let view = match self.inner.busy_view.get(&key, needed) {
            Some(view) => view,
            None => {
                let wide = view_window(self.inner.hub.fetch_window(now), MARGIN);
                let window = if covers(wide, needed) { wide } else { needed };
                let view = Arc::new(self.make_view(key, window, now).await?);
                if view.window == wide {
                    self.inner.busy_view.put(Arc::clone(&view));
                }
                view
            }
        };
        let facts = view.facts(now);
        Ok(Arc::new(slots(
            &self.config().rules(),
            event_type,
            &facts,
            from,
            to,
        )))
    }

    /// The facts of `window` as they are now.
    async fn make_view(
        &self,
        key: ViewKey,
        window: Interval,
        now: DateTime<Utc>,
    ) -> Result<View, StoreError> {
        let held = self.window_facts(window, now).await?;
        Ok(View {
            key,
            window,
            time: held.time,
            bookings: held.bookings,
            blocks: held.blocks,
        })
    }

    /// Whether a calendar is too stale to know and fails closed (its whole time counts as busy;
    /// bookings are refused until it syncs again).
    pub fn calendars_unavailable(&self) -> bool {
        !self.inner.hub.blocking_sources(self.now()).is_empty()
    }

    /// Busy time (and availability events) of every source around `[first, last]`, after an
    /// on-demand refresh; refuses when a source is too stale to know (freshness policy).
    async fn fresh_busy(
        &self,
        first: DateTime<Utc>,
        last: DateTime<Utc>,
    ) -> Result<CalendarTime, BookError> {
        let now = self.now();
        let budget = self.config().server.refresh_budget();
        self.inner.hub.refresh_all(now, budget).await;
        let blocking = self.inner.hub.blocking_sources(now);
        if !blocking.is_empty() {
            let names: Vec<String> = blocking
                .iter()
                .map(|s| format!("{} ({})", s.name.as_deref().unwrap_or(&s.id), s.summary()))
                .collect();
            return Err(BookError::Stale(names.join("; ")));
        }
        let window = Interval {
            start: first - MARGIN,
            end: last + MARGIN,
        };
        Ok(self.inner.hub.time(window, now).0)
    }

    /// Whether `start` is refused on the copies at hand (stored bookings and blocks, the last
    /// snapshots): then a refresh would not change the answer and is not worth its upstream
    /// requests (a refresh may free time the owner deleted, but such a slot was not offered
    /// either). Not while a source is too stale: its refusal may end with the refresh.
    async fn refused_already(
        &self,
        et: &EventType,
        start: DateTime<Utc>,
    ) -> Result<bool, BookError> {
        let now = self.now();
        if !self.inner.hub.blocking_sources(now).is_empty() {
            return Ok(false);
        }
        let window = Interval {
            start: start - MARGIN,
            end: start + et.duration + MARGIN,
        };
        let time = self.inner.hub.time(window, now).0;
        let rules = self.config().rules();
        let et = et.clone();
        let refused = self
            .inner
            .store
            .call(move |c| not_free(c, &rules, &et, &time, start, now, None))
            .await?;
        Ok(refused.is_some())
    }

    /// Books a slot (or a whole series of them): exactly one of any number of concurrent
    /// requests for overlapping times wins. With an Idempotency-Key, a retry of the same
    /// request gets the same booking. A series is checked and booked in one transaction: all
    /// of its sessions or none, naming the first session that is not free.
    pub async fn book(&self, req: BookRequest) -> Result<Booked, BookError> {
        let et = self
            .event_type(&req.event_type)
            .ok_or_else(|| BookError::UnknownEventType(req.event_type.clone()))?;
        if let Some(series) = req.series {
            self.check_series(&req.event_type, series)?;
        }
        if let Some(done) = self.replay(req.idempotency.as_ref()).await? {
            return Ok(done);
        }
        let rules = self.config().rules();
        let starts = match req.series {
            Some(series) => session_starts(req.start, series, rules.timezone),
            None => vec![req.start],
        };
        let last = *starts.last().unwrap_or(&req.start);
        if self.refused_already(&et, req.start).await? {
            return Err(BookError::NotFree);
        }
        let busy = self.fresh_busy(req.start, last + et.duration).await?;
        let now = self.now();
        let id = new_id();
        let writers: Vec<String> = self.writable_sources();
        let input = req.input.clone();
        let (answers, visit_ref) = (req.answers.clone(), req.visit_ref.clone());
        let idempotency = req.idempotency.clone();
        let series = req.series.map(|s| SeriesRow {
            id: new_id(),
            frequency: s.frequency.as_str().to_owned(),
            sessions: s.sessions,
        });
        let booking_id = id.clone();
        let notify_config = self.config();
        let hold = if req.by_owner {
            None
        } else {
            self.hold_until(&et.slug, req.start, now)
        };
        let outcome = self
            .inner
            .store
            .call(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                end_holds(&tx, &notify_config, now)?;
                // A retry that raced the first attempt: the first one's booking.
                if let Some(k) = &idempotency
                    && let Some((hash, existing)) = bookings::idempotent(&tx, k, now)?
                {
                    return Ok(Decision::Existing { hash, id: existing });
                }
                if let Some(series) = &series {
                    bookings::insert_series(&tx, series, now)?;
                }
                for (index, &start) in (0u32..).zip(&starts) {
                    if let Some(reasons) = not_free(&tx, &rules, &et, &busy, start, now, None)? {
                        // Dropping the transaction rolls back the sessions inserted so far.
                        return Ok(if index == 0 {
                            Decision::NotFree
                        } else {
                            Decision::SeriesConflict {
                                session: index + 1,
                                start,
                                conflict: Conflict::from_reasons(&reasons),
                            }
                        });
                    }
                    let session_id = if index == 0 {
                        booking_id.clone()
                    } else {
                        new_id()
                    };
                    bookings::insert(
                        &tx,
                        &NewBooking {
                            id: session_id.clone(),
                            event_type: et.slug.clone(),
                            start,
                            end: start + et.duration,
                            name: input.name.as_str().to_owned(),
                            email: input.email.as_str().to_owned(),
                            notes: input.notes.as_str().to_owned(),
                            timezone: input.timezone.tz().name().to_owned(),
                            now,
                            series: series.as_ref().map(|s| (s.id.clone(), index)),
                            answers: answers.clone(),
                            visit_ref: visit_ref.clone(),
                            hold,
                        },
                    )?;
                    let (config, id) = (&notify_config, &session_id);
                    announce_or_ask(&tx, config, &writers, id, index, hold, now)?;
                }
                if let Some(k) = &idempotency {
                    bookings::remember_key(&tx, k, &booking_id, now)?;
                }
                tx.commit()?;
                Ok(Decision::Booked)
            })
            .await;
        match outcome {
            Ok(Decision::Booked) => {
                hold.inspect(|&h| self.note_hold(h));
                self.wake_workers();
                let booking = self.find(&id).await?.ok_or(BookError::NotFound)?;
                Ok(Booked {
                    manage_token: self.manage_token(&booking.id),
                    booking,
                    replayed: false,
                })
            }
            Ok(Decision::NotFree) => Err(BookError::NotFree),
            Ok(Decision::SeriesConflict {
                session,
                start,
                conflict,
            }) => Err(BookError::SeriesConflict {
                session,
                start,
                conflict,
            }),
            Ok(Decision::Existing { hash, id }) => {
                self.replayed(req.idempotency.as_ref(), &hash, &id).await
            }
            Err(e) if bookings::is_overlap(&e) => Err(BookError::NotFree),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether the event type `slug` offers `series`.
    fn check_series(&self, slug: &str, series: SeriesRequest) -> Result<(), BookError> {
        let config = self.config();
        let Some(et) = config.event_type_config(slug) else {
            return Err(BookError::UnknownEventType(slug.to_owned()));
        };
        if !et.repeat.contains(&series.frequency) {
            return Err(BookError::SeriesNotOffered(if et.repeat.is_empty() {
                format!("`{slug}` cannot be booked as a series")
            } else {
                let offered: Vec<&str> = et.repeat.iter().map(|f| f.as_str()).collect();
                format!(
                    "`{slug}` repeats only {}, not `{}`",
                    offered.join(" or "),
                    series.frequency.as_str()
                )
            }));
        }
        if !(MIN_SESSIONS..=et.max_sessions).contains(&series.sessions) {
            return Err(BookError::SeriesNotOffered(format!(
                "a series of `{slug}` has {MIN_SESSIONS} to {} sessions",
                et.max_sessions
            )));
        }
        Ok(())
    }

    /// A series and its sessions, in order.
    pub async fn series(
        &self,
        series_id: &str,
    ) -> Result<Option<(SeriesRow, Vec<BookingRow>)>, StoreError> {
        let id = series_id.to_owned();
        self.inner
            .store
            .call(move |c| bookings::series(c, &id))
            .await
    }

    /// The earlier answer for an Idempotency-Key, checked before any work.
    pub async fn replay(
        &self,
        key: Option<&IdempotentRequest>,
    ) -> Result<Option<Booked>, BookError> {
        let Some(k) = key else { return Ok(None) };
        let (key, now) = (k.clone(), self.now());
        let found = self
            .inner
            .store
            .call(move |c| bookings::idempotent(c, &key, now))
            .await?;
        match found {
            Some((hash, id)) => Ok(Some(self.replayed(Some(k), &hash, &id).await?)),
            None => Ok(None),
        }
    }

    async fn replayed(
        &self,
        key: Option<&IdempotentRequest>,
        hash: &str,
        id: &str,
    ) -> Result<Booked, BookError> {
        if key.is_some_and(|k| k.request_hash != hash) {
            return Err(BookError::KeyReused);
        }
        let booking = self.find(id).await?.ok_or(BookError::NotFound)?;
        Ok(Booked {
            manage_token: self.manage_token(id),
            booking,
            replayed: true,
        })
    }

    async fn find(&self, id: &str) -> Result<Option<BookingRow>, StoreError> {
        let id = id.to_owned();
        self.inner.store.call(move |c| bookings::get(c, &id)).await
    }

    /// A booking, only with its manage token (a wrong token and an unknown id look the same).
    pub async fn get(&self, id: &str, token: &str) -> Result<BookingRow, BookError> {
        if !self.inner.tokens.verify(Purpose::Manage, id, token) {
            return Err(BookError::NotFound);
        }
        self.find(id).await?.ok_or(BookError::NotFound)
    }

    /// Cancels a booking (with `Following`, also every later session of its series) and
    /// queues the deletion of their events. Cancelling twice is fine.
    pub async fn cancel(
        &self,
        id: &str,
        token: &str,
        scope: CancelScope,
    ) -> Result<BookingRow, BookError> {
        let booking = self.get(id, token).await?;
        let mut targets = vec![booking.clone()];
        if let (CancelScope::Following, Some((series_id, index))) = (scope, &booking.series)
            && let Some((_, sessions)) = self.series(series_id).await?
        {
            targets.extend(
                sessions
                    .into_iter()
                    .filter(|s| s.series.as_ref().is_some_and(|(_, i)| i > index)),
            );
        }
        self.cancel_all(targets).await?;
        self.find(id).await?.ok_or(BookError::NotFound)
    }

    /// The owner's mark that the visitor of a past booking did not come (or did after all).
    pub async fn set_no_show(&self, id: &str, no_show: bool) -> Result<BookingRow, BookError> {
        let booking = self.find(id).await?.ok_or(BookError::NotFound)?;
        if booking.start > self.now() {
            return Err(BookError::NotYet);
        }
        let (id, now) = (id.to_owned(), self.now());
        let booking_id = id.clone();
        self.inner
            .store
            .call(move |c| bookings::set_no_show(c, &booking_id, no_show, now))
            .await?;
        self.find(&id).await?.ok_or(BookError::NotFound)
    }

    /// The owner's cancel (admin API; no manage token): the same transaction as the visitor's.
    pub async fn cancel_as_owner(&self, id: &str) -> Result<BookingRow, BookError> {
        let booking = self.find(id).await?.ok_or(BookError::NotFound)?;
        self.cancel_all(vec![booking]).await?;
        self.find(id).await?.ok_or(BookError::NotFound)
    }

    /// Cancels the confirmed ones of `targets` in one transaction.
    async fn cancel_all(&self, targets: Vec<BookingRow>) -> Result<(), BookError> {
        let now = self.now();
        let writers = self.writable_sources();
        let notify_config = self.config();
        self.inner
            .store
            .call(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                for booking in &targets {
                    if bookings::cancel(&tx, &booking.id, now)? {
                        for source in &writers {
                            let uid = written_uid(&tx, &booking.id, source)?;
                            unwrite(&tx, &booking.id, source, &uid, now)?;
                        }
                        notify::enqueue(&tx, &notify_config, Event::Cancelled, &booking.id, now)?;
                    }
                }
                tx.commit()?;
                Ok(())
            })
            .await?;
        self.wake_workers();
        Ok(())
    }

    /// Moves a booking to `start` in one transaction: the new time is checked (this booking's
    /// own time does not count against it) and taken before the old one is freed. Its calendar
    /// events keep their UID and place and are updated in place (SEQUENCE one up).
    pub async fn reschedule(
        &self,
        id: &str,
        token: &str,
        start: DateTime<Utc>,
    ) -> Result<Booked, BookError> {
        let booking = self.get(id, token).await?;
        if booking.status != crate::store::BookingStatus::Confirmed {
            return Err(BookError::NotFree);
        }
        let et = self
            .event_type(&booking.event_type)
            .ok_or_else(|| BookError::UnknownEventType(booking.event_type.clone()))?;
        let busy = self.fresh_busy(start, start + et.duration).await?;
        let now = self.now();
        let rules = self.config().rules();
        let writers = self.writable_sources();
        let booking_id = booking.id.clone();
        let notify_config = self.config();
        let outcome = self
            .inner
            .store
            .call(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                // The status as of this transaction: a cancel or another move may
                // have committed since the check above (a cancelled booking is not moved: 409).
                let Some(current) = bookings::get(&tx, &booking_id)? else {
                    return Ok(false);
                };
                if current.status != crate::store::BookingStatus::Confirmed {
                    return Ok(false);
                }
                if not_free(&tx, &rules, &et, &busy, start, now, Some(&booking_id))?.is_some() {
                    return Ok(false);
                }
                bookings::move_to(&tx, &booking_id, start, start + et.duration, now)?;
                // The same event, updated in place (the worker writes the booking as it is
                // then: the new time, the sequence one up).
                for source in &writers {
                    let uid = written_uid(&tx, &booking_id, source)?;
                    outbox_rows::enqueue(
                        &tx,
                        &booking_id,
                        source,
                        OutboxAction::Update,
                        &uid,
                        now,
                    )?;
                }
                notify::enqueue(&tx, &notify_config, Event::Rescheduled, &booking_id, now)?;
                tx.commit()?;
                Ok(true)
            })
            .await;
        match outcome {
            Ok(true) => {
                self.wake_workers();
                Ok(Booked {
                    booking: self.find(id).await?.ok_or(BookError::NotFound)?,
                    manage_token: token.to_owned(),
                    replayed: false,
                })
            }
            Ok(false) => Err(BookError::NotFree),
            Err(e) if bookings::is_overlap(&e) => Err(BookError::NotFree),
            Err(e) => Err(e.into()),
        }
    }

    /// The ids of the sources bookings are written into.
    /// The hub's, not the file's: sources added in the dashboard are written too.
    fn writable_sources(&self) -> Vec<String> {
        self.inner.hub.writable_ids()
    }
}

enum Decision {
    Booked,
    NotFree,
    SeriesConflict {
        session: u32,
        start: DateTime<Utc>,
        conflict: Conflict,
    },
    Existing {
        hash: String,
        id: String,
    },
}

/// `None` when `start` is an offered slot now, else why not: the rules over the refreshed busy
/// time and the stored bookings (except `except`, the one being moved) and blocks, read in the
/// transaction.
fn not_free(
    conn: &rusqlite::Connection,
    rules: &crate::availability::Rules,
    et: &EventType,
    time: &CalendarTime,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Option<Vec<Reason>>, StoreError> {
    let (lo, hi) = (start - MARGIN, start + MARGIN);
    let (mut stored, blocks) = bookings::stored_between(conn, lo, hi)?;
    if let Some(id) = except {
        stored.retain(|b| b.id != id);
    }
    let facts = time.facts(&stored, &blocks, now);
    let day = Duration::days(1);
    if slots(rules, et, &facts, start - day, start + day)
        .iter()
        .any(|s| s.start == start)
    {
        return Ok(None);
    }
    Ok(Some(explain(rules, Some(et), &facts, start).reasons))
}

/// Queues the removal of an event: a create not written yet is skipped, otherwise a delete.
fn unwrite(
    conn: &rusqlite::Connection,
    booking_id: &str,
    source: &str,
    uid: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if !outbox_rows::skip_pending_create(conn, source, uid, now)? {
        outbox_rows::enqueue(conn, booking_id, source, OutboxAction::Delete, uid, now)?;
    }
    Ok(())
}

/// The UID of the booking's event in calendar `source`: the one it was written (or queued)
/// under, which is the booking's UID except for events written before one UID per booking.
fn written_uid(
    conn: &rusqlite::Connection,
    booking_id: &str,
    source: &str,
) -> Result<String, StoreError> {
    Ok(outbox_rows::event_uid_of(conn, booking_id, source)?
        .unwrap_or_else(|| booking_uid(booking_id)))
}
