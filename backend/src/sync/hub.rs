//! Every configured source with its snapshot and status: one sync at a time per source, the
//! background jobs, the on-demand refresh of the booking path, and the busy time of all sources
//! under the freshness policy.
//!
//! Sources come and go at runtime (the dashboard's, see `catalog`): [`SyncHub::add`]
//! and [`SyncHub::install`] put one in (replacing one of the same id) and start its background
//! job when the jobs run; [`SyncHub::remove`] stops its job and drops its snapshot, so its busy
//! time is gone from the next slot answer (the hub's version moves).

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::sync::{Mutex, watch};

use crate::availability::{CalendarTime, Opening, SourceBusy};
use crate::calendar::{BusyPolicy, Interval, OwnerAddresses, Warning};
use crate::config::{Config, SourceConfig, SourceRole};
use crate::sources::{
    CalendarSource, CalendarWriter, SourceContext, SourceError, open_source, open_writer,
};

use super::schedule::next_delay;
use super::snapshot::{self, Attempts, Loaded, Snapshot};
use super::status::{Freshness, SourceStatus};

/// Days before `now` kept in the fetch window (events that started yesterday still block).
const WINDOW_BEFORE_DAYS: i64 = 1;
/// Days after the booking horizon that must be in the fetched window (buffers, time zones).
const WINDOW_AFTER_DAYS: i64 = 2;
/// Days fetched beyond that, so incremental syncs can go on for a week before the window has
/// to move (a full fetch).
const WINDOW_SLACK_DAYS: i64 = 7;

/// All sources.
#[derive(Debug)]
pub struct SyncHub {
    /// Moves whenever a snapshot changed (caches of busy time compare it).
    version: std::sync::atomic::AtomicU64,
    /// The owner's zone (floating times are read in it); the dashboard may change it.
    owner: RwLock<Tz>,
    /// The owner's addresses: invitations they declined are free.
    addresses: OwnerAddresses,
    data_dir: PathBuf,
    horizon_days: i64,
    sources: RwLock<Vec<Arc<SourceEntry>>>,
    /// Set once the background jobs run: a source added later gets its job at once.
    background: std::sync::Mutex<Option<Background>>,
    /// Told after every saved sync attempt (the alert check looks then).
    synced: tokio::sync::Notify,
    /// Where the dashboard's sources keep rotated OAuth tokens (set by the catalog).
    vault: std::sync::OnceLock<Arc<dyn crate::sources::oauth::TokenVault>>,
}

#[derive(Debug, Clone)]
struct Background {
    clock: fn() -> DateTime<Utc>,
    shutdown: watch::Receiver<bool>,
}

/// A source that synced once and waits to be put in ([`SyncHub::trial`]).
#[derive(Debug)]
pub struct Prepared(Arc<SourceEntry>);

/// One source.
#[derive(Debug)]
struct SourceEntry {
    config: SourceConfig,
    /// Where its snapshot and attempts are saved: `data_dir` for the file's sources,
    /// `data_dir/dashboard` for the dashboard's (a file source of the same id never reads the
    /// dashboard one's copy).
    disk: PathBuf,
    /// The adapter, or why it could not be made (a configuration problem, shown as the error).
    reader: Result<Arc<dyn CalendarSource>, String>,
    writer: Option<Arc<dyn CalendarWriter>>,
    state: RwLock<State>,
    /// Held for a whole fetch: a background sync and an on-demand refresh never overlap.
    syncing: Mutex<()>,
    /// Fetches finished (successful or not): an on-demand refresh that waited for one in
    /// flight uses its copy instead of fetching again (`refresh_entry`).
    finished: std::sync::atomic::AtomicU64,
    /// Turns true when the source is removed or replaced: its job stops, nothing more is saved.
    removed: watch::Sender<bool>,
}

#[derive(Debug, Default)]
struct State {
    loaded: Loaded,
    attempts: Attempts,
    /// The attempts as last written to disk.
    saved_attempts: Option<Attempts>,
}

/// The outcome of one sync of one source.
#[derive(Debug)]
pub struct SyncReport {
    pub source_id: String,
    /// `Ok(true)`: new data; `Ok(false)`: unchanged.
    pub result: Result<bool, SourceError>,
    pub took: Duration,
}

impl SyncHub {
    /// Opens every source and loads its last snapshot from `data_dir`. Never fails: a source
    /// that cannot be opened, or whose snapshot is damaged, is reported in its status.
    pub fn new(config: &Config) -> Self {
        let data_dir = config.server.data_dir.clone();
        let sources = config
            .sources
            .iter()
            .map(|src| {
                open_entry(
                    &SourceContext::new(data_dir.clone()),
                    data_dir.clone(),
                    src,
                    None,
                    true,
                )
            })
            .collect();
        SyncHub {
            version: std::sync::atomic::AtomicU64::new(0),
            owner: RwLock::new(config.owner.timezone),
            addresses: config.owner.addresses(),
            data_dir,
            horizon_days: i64::from(config.availability.horizon_days),
            sources: RwLock::new(sources),
            background: std::sync::Mutex::new(None),
            synced: tokio::sync::Notify::new(),
            vault: std::sync::OnceLock::new(),
        }
    }

    /// Reads floating times in `zone` from now on (the owner's zone changed in the dashboard);
    /// caches of busy time are told through the version.
    pub fn set_owner_zone(&self, zone: Tz) {
        let mut owner = self
            .owner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *owner != zone {
            *owner = zone;
            self.version
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
    }

    /// The sources now, in order (the file's, then the dashboard's).
    fn entries(&self) -> Vec<Arc<SourceEntry>> {
        self.sources
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The entry of the source `id` in use now (the file's or the dashboard's).
    pub fn source_config(&self, id: &str) -> Option<SourceConfig> {
        self.entries()
            .iter()
            .find(|s| s.config.id == id)
            .map(|s| s.config.clone())
    }

    /// Puts a source in with its last snapshot from disk (at start-up), replacing one of the
    /// same id. `broken`: why it cannot be read (shown as its error; it never syncs).
    pub fn add(self: &Arc<Self>, config: &SourceConfig, broken: Option<String>) {
        let entry = open_entry(
            &self.dashboard_ctx(),
            self.dashboard_dir(),
            config,
            broken,
            true,
        );
        self.put(entry);
    }

    /// Opens `config` apart from the running sources and syncs it once (a full fetch, nothing
    /// saved): the source to [`install`](Self::install), or why it cannot be read.
    pub async fn trial(
        &self,
        config: &SourceConfig,
        now: DateTime<Utc>,
    ) -> Result<Prepared, SourceError> {
        let entry = open_entry(
            &self.dashboard_ctx(),
            self.dashboard_dir(),
            config,
            None,
            false,
        );
        if let Err(e) = &entry.reader {
            return Err(SourceError::Config(e.clone()));
        }
        let report = self.sync_entry_with(&entry, now, false).await;
        report.result.map(|_| Prepared(entry))
    }

    /// Puts a source that synced in [`trial`](Self::trial) in, replacing one of the same id
    /// (whose job stops), saves its snapshot and starts its job.
    pub async fn install(self: &Arc<Self>, prepared: Prepared) {
        let entry = prepared.0;
        let snapshot = read(&entry.state).loaded.snapshot.clone();
        self.put(Arc::clone(&entry));
        self.persist(&entry, Some(snapshot)).await;
    }

    /// Sets where the dashboard's sources keep rotated OAuth tokens (once, before any is added).
    pub fn set_token_vault(&self, vault: Arc<dyn crate::sources::oauth::TokenVault>) {
        let _ = self.vault.set(vault);
    }

    /// What the dashboard's adapters get: no token files, the vault.
    fn dashboard_ctx(&self) -> SourceContext {
        SourceContext {
            data_dir: self.data_dir.clone(),
            tokens: self.vault.get().cloned(),
            clock: crate::clock::now,
        }
    }

    /// Where the dashboard's sources keep their snapshots.
    fn dashboard_dir(&self) -> PathBuf {
        self.data_dir.join("dashboard")
    }

    fn put(self: &Arc<Self>, entry: Arc<SourceEntry>) {
        {
            let mut sources = self
                .sources
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match sources.iter_mut().find(|s| s.config.id == entry.config.id) {
                Some(old) => {
                    old.removed.send_replace(true);
                    *old = Arc::clone(&entry);
                }
                None => sources.push(Arc::clone(&entry)),
            }
        }
        self.version
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        let background = self
            .background
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if let Some(b) = background {
            // Detached: it ends with the shutdown signal or the source's removal.
            drop(self.spawn_job(entry, b.clock, b.shutdown));
        }
    }

    /// Takes a source out: its job stops, its busy time is gone from the next answer, its saved
    /// copy is deleted. Whether there was one.
    pub fn remove(&self, id: &str) -> bool {
        let removed = {
            let mut sources = self
                .sources
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let gone = sources.iter().position(|s| s.config.id == id);
            gone.map(|i| sources.remove(i))
        };
        if let Some(entry) = &removed {
            entry.removed.send_replace(true);
            self.version
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            for path in [
                snapshot::path(&entry.disk, id),
                snapshot::attempts_path(&entry.disk, id),
            ] {
                if let Err(e) = std::fs::remove_file(&path)
                    && e.kind() != std::io::ErrorKind::NotFound
                {
                    tracing::warn!(source = %id, error = %e, "cannot delete the saved copy");
                }
            }
        }
        removed.is_some()
    }

    /// Wakes one waiter after each sync attempt of a running source (success or failure); an
    /// attempt while nobody waits is kept for the next wait.
    pub fn synced(&self) -> &tokio::sync::Notify {
        &self.synced
    }

    /// A number that changes whenever a snapshot changed.
    pub fn version(&self) -> u64 {
        self.version.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Per source, whether its snapshot counts at `now` (fresh, or stale with `fail_open`):
    /// with [`Self::version`], what decides the answer of [`Self::time`].
    pub fn usable(&self, now: DateTime<Utc>) -> Vec<bool> {
        self.entries()
            .iter()
            .map(|entry| {
                let fetched_at = read(&entry.state).loaded.snapshot.fetched_at;
                entry.config.fail_open
                    || Freshness::of(fetched_at, now, entry.config.max_age()) == Freshness::Fresh
            })
            .collect()
    }

    /// The window fetched at `now`: from yesterday to a week past the booking horizon.
    pub fn fetch_window(&self, now: DateTime<Utc>) -> Interval {
        Interval {
            start: now - chrono::Duration::days(WINDOW_BEFORE_DAYS),
            end: self.needed_end(now) + chrono::Duration::days(WINDOW_SLACK_DAYS),
        }
    }

    /// The end a snapshot's window must reach at `now` to be continued incrementally.
    fn needed_end(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + chrono::Duration::days(self.horizon_days + WINDOW_AFTER_DAYS)
    }

    /// One sync of one source (by index). Incremental when the snapshot has a cursor and still
    /// covers the window, full otherwise. A failure leaves the snapshot as it was.
    async fn sync_entry(&self, entry: &SourceEntry, now: DateTime<Utc>) -> SyncReport {
        self.sync_entry_with(entry, now, true).await
    }

    /// `sync_entry`; `save`: write the snapshot and attempts to disk (not for a trial).
    async fn sync_entry_with(
        &self,
        entry: &SourceEntry,
        now: DateTime<Utc>,
        save: bool,
    ) -> SyncReport {
        let _one_at_a_time = entry.syncing.lock().await;
        self.sync_locked(entry, now, save).await
    }

    /// The on-demand refresh of one source: a fetch, unless one was in flight when asked;
    /// then its copy is the fresh one (any number of concurrent bookings cause one fetch per
    /// source, not one each).
    async fn refresh_entry(&self, entry: &SourceEntry, now: DateTime<Utc>) {
        use std::sync::atomic::Ordering;
        let seen = entry.finished.load(Ordering::Acquire);
        let _one_at_a_time = entry.syncing.lock().await;
        if entry.finished.load(Ordering::Acquire) == seen {
            self.sync_locked(entry, now, true).await;
        }
    }

    /// `sync_entry_with`, its lock held by the caller.
    async fn sync_locked(&self, entry: &SourceEntry, now: DateTime<Utc>, save: bool) -> SyncReport {
        let started = std::time::Instant::now();
        // Incremental syncs continue the window of the last full fetch (sync tokens and delta
        // links are bound to it); once it no longer reaches past the horizon, a full fetch
        // moves it.
        let (window, cursor) = {
            let state = read(&entry.state);
            let s = &state.loaded.snapshot;
            match (s.window, &s.cursor) {
                (Some((start, end)), Some(cursor)) if end >= self.needed_end(now) => {
                    (Interval { start, end }, Some(cursor.clone()))
                }
                _ => (self.fetch_window(now), None),
            }
        };
        let result = match &entry.reader {
            Err(e) => Err(SourceError::Config(e.clone())),
            Ok(reader) => {
                // The adapters bound each request; this bounds a whole multi-request sync.
                let limit = entry.config.timeout().saturating_mul(4);
                match tokio::time::timeout(limit, reader.fetch(window, cursor.as_ref())).await {
                    Ok(r) => r,
                    Err(_) => Err(SourceError::Timeout {
                        host: entry.config.id.clone(),
                        seconds: limit.as_secs(),
                    }),
                }
            }
        };
        let result = match result {
            Ok(fetched) => {
                let changed = !matches!(fetched, crate::sources::Fetched::Unchanged { .. });
                let saved = {
                    let mut state = write(&entry.state);
                    state.loaded.apply(fetched, window, now);
                    state.attempts = Attempts {
                        last_attempt: Some(now),
                        last_success: Some(now),
                        last_error: None,
                        failures: 0,
                        failing_since: None,
                        reconnect_needed: false,
                    };
                    changed.then(|| state.loaded.snapshot.clone())
                };
                if changed {
                    self.version
                        .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                }
                if save {
                    self.persist(entry, saved).await;
                }
                Ok(changed)
            }
            Err(e) => {
                {
                    let mut state = write(&entry.state);
                    let a = &mut state.attempts;
                    a.last_attempt = Some(now);
                    a.last_error = Some(e.to_string());
                    a.failures = a.failures.saturating_add(1);
                    a.failing_since = a.failing_since.or(Some(now));
                    a.reconnect_needed = e.needs_reconnect();
                }
                if save {
                    self.persist(entry, None).await;
                }
                Err(e)
            }
        };
        entry
            .finished
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        if save {
            self.synced.notify_one();
        }
        SyncReport {
            source_id: entry.config.id.clone(),
            result,
            took: started.elapsed(),
        }
    }

    /// Saves the snapshot (when it changed) and the attempts, off the async threads. A failure
    /// to save is shown in the status but keeps the new data in memory.
    async fn persist(&self, entry: &SourceEntry, changed: Option<Snapshot>) {
        if *entry.removed.borrow() {
            // Removed (or replaced) while it synced: its files are gone or belong to another.
            return;
        }
        let dir = entry.disk.clone();
        let id = entry.config.id.clone();
        let (attempts, saved) = {
            let state = read(&entry.state);
            (state.attempts.clone(), state.saved_attempts.clone())
        };
        // An unchanged success shortly after the last saved one is not written again: the
        // booking path refreshes before every booking, and a restart only needs the success
        // time to within a minute (freshness limits are minutes or more).
        let recent = |a: &Attempts, s: &Attempts| {
            a.last_error.is_none()
                && s.last_error.is_none()
                && match (a.last_success, s.last_success) {
                    (Some(now), Some(then)) => now - then < chrono::Duration::seconds(60),
                    _ => false,
                }
        };
        if changed.is_none() && saved.as_ref().is_some_and(|s| recent(&attempts, s)) {
            return;
        }
        write(&entry.state).saved_attempts = Some(attempts.clone());
        let outcome = tokio::task::spawn_blocking(move || {
            if let Some(s) = changed {
                snapshot::save(&dir, &s)?;
            }
            snapshot::save_attempts(&dir, &id, &attempts)
        })
        .await;
        let problem = match outcome {
            Ok(Ok(())) => return,
            Ok(Err(e)) => format!(
                "the copy could not be saved in {}: {e}",
                entry.disk.display()
            ),
            Err(e) => format!("saving the copy failed: {e}"),
        };
        let mut state = write(&entry.state);
        let a = &mut state.attempts;
        a.last_error = Some(match a.last_error.take() {
            Some(e) => format!("{e}; {problem}"),
            None => problem,
        });
    }

    /// One sync of every source, all at once, each reported through `progress` as it
    /// finishes; the reports come back in configuration order.
    pub async fn sync_all_with(
        self: &Arc<Self>,
        now: DateTime<Utc>,
        mut progress: impl FnMut(&SyncReport),
    ) -> Vec<SyncReport> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for (i, entry) in self.entries().into_iter().enumerate() {
            let hub = Arc::clone(self);
            let tx = tx.clone();
            tokio::spawn(async move {
                let report = hub.sync_entry(&entry, now).await;
                let _ = tx.send((i, report));
            });
        }
        drop(tx);
        let mut reports: Vec<(usize, SyncReport)> = Vec::new();
        while let Some((i, report)) = rx.recv().await {
            progress(&report);
            reports.push((i, report));
        }
        reports.sort_by_key(|(i, _)| *i);
        reports.into_iter().map(|(_, r)| r).collect()
    }

    /// The on-demand refresh of the booking path: an incremental sync of every source (or the
    /// one already in flight, see `refresh_entry`), waiting at most `budget`. Syncs still running
    /// after the budget go on in the background.
    /// Returns the statuses after the wait.
    pub async fn refresh_all(
        self: &Arc<Self>,
        now: DateTime<Utc>,
        budget: Duration,
    ) -> Vec<SourceStatus> {
        let deadline = tokio::time::Instant::now() + budget;
        let handles: Vec<_> = self
            .entries()
            .into_iter()
            .map(|entry| {
                let hub = Arc::clone(self);
                tokio::spawn(async move { hub.refresh_entry(&entry, now).await })
            })
            .collect();
        for h in handles {
            let _ = tokio::time::timeout_at(deadline, h).await;
        }
        self.statuses(now)
    }

    /// The status of every source at `now`.
    pub fn statuses(&self, now: DateTime<Utc>) -> Vec<SourceStatus> {
        self.entries().iter().map(|s| status(s, now)).collect()
    }

    /// Sources whose staleness refuses bookings now (stale or never synced, failing closed).
    pub fn blocking_sources(&self, now: DateTime<Utc>) -> Vec<SourceStatus> {
        self.statuses(now)
            .into_iter()
            .filter(SourceStatus::blocks_booking)
            .collect()
    }

    /// The writers of the sources with `write = true`.
    pub fn writers(&self) -> Vec<(String, Arc<dyn CalendarWriter>)> {
        self.entries()
            .iter()
            .filter_map(|s| Some((s.config.id.clone(), Arc::clone(s.writer.as_ref()?))))
            .collect()
    }

    /// The writer of one source now; `None` when it is gone or not writable.
    pub fn writer(&self, id: &str) -> Option<Arc<dyn CalendarWriter>> {
        self.entries()
            .iter()
            .find(|s| s.config.id == id)
            .and_then(|s| s.writer.clone())
    }

    /// The ids of the sources with `write = true` now (a booking queues a write for each).
    pub fn writable_ids(&self) -> Vec<String> {
        self.entries()
            .iter()
            .filter(|s| s.config.write)
            .map(|s| s.config.id.clone())
            .collect()
    }

    /// Busy time of every source in `window` under the freshness policy (see [`Self::time`]).
    pub fn busy(&self, window: Interval, now: DateTime<Utc>) -> (Vec<SourceBusy>, Vec<Warning>) {
        let (time, warnings) = self.time(window, now);
        (time.busy, warnings)
    }

    /// What every source says about `window` under the freshness policy. A fresh source gives
    /// its snapshot's busy time, or, with `role = "availability"`, its (matching) events as
    /// openings and no busy time; a stale one gives its whole window as busy (fail closed, the
    /// default; an availability source too) or its last snapshot (fail open), with a warning
    /// either way. `open` is `Some` as soon as one source has the availability role.
    pub fn time(&self, window: Interval, now: DateTime<Utc>) -> (CalendarTime, Vec<Warning>) {
        let mut warnings = Vec::new();
        let mut open: Option<Vec<Opening>> = None;
        let owner = *self
            .owner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let busy = self
            .entries()
            .iter()
            .map(|entry| {
                let st = status(entry, now);
                let cfg = &entry.config;
                let state = read(&entry.state);
                warnings.extend(state.loaded.warnings().cloned());
                let policy = BusyPolicy {
                    tentative: cfg.tentative_busy,
                    all_day: cfg.all_day_busy,
                    transparent: cfg.transparent_busy,
                    owner: self.addresses.clone(),
                };
                let usable = st.freshness == Freshness::Fresh || cfg.fail_open;
                let intervals = match (usable, cfg.role) {
                    (false, _) => vec![window],
                    (true, SourceRole::Busy) => {
                        state.loaded.busy(window, owner, &policy, &mut warnings)
                    }
                    (true, SourceRole::Availability) => Vec::new(),
                };
                if cfg.role == SourceRole::Availability {
                    let opened = open.get_or_insert_with(Vec::new);
                    if usable {
                        opened.extend(state.loaded.openings(
                            window,
                            owner,
                            cfg.match_title.as_deref(),
                            &self.addresses,
                            &mut warnings,
                        ));
                    }
                }
                if st.freshness != Freshness::Fresh {
                    let verdict = if cfg.fail_open {
                        "its last copy is used (fail_open = true)"
                    } else {
                        "its whole window counts as busy (fail closed)"
                    };
                    warnings.push(Warning {
                        source: cfg.id.clone(),
                        line: 0,
                        uid: None,
                        message: format!("{}; {verdict}", st.summary()),
                    });
                }
                SourceBusy {
                    source_id: cfg.id.clone(),
                    intervals,
                }
            })
            .collect();
        (CalendarTime { busy, open }, warnings)
    }

    /// Runs a background job per source until `shutdown` turns true: a sync now when the
    /// snapshot is older than the interval, then every interval (with jitter), backing off
    /// exponentially after failures.
    pub fn spawn_background(
        self: &Arc<Self>,
        clock: fn() -> DateTime<Utc>,
        shutdown: watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        *self
            .background
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Background {
            clock,
            shutdown: shutdown.clone(),
        });
        self.entries()
            .into_iter()
            .map(|entry| self.spawn_job(entry, clock, shutdown.clone()))
            .collect()
    }

    /// The background job of one source; it ends at shutdown or when the source is removed.
    fn spawn_job(
        self: &Arc<Self>,
        entry: Arc<SourceEntry>,
        clock: fn() -> DateTime<Utc>,
        mut shutdown: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let hub = Arc::clone(self);
        let mut removed = entry.removed.subscribe();
        tokio::spawn(async move {
            let interval = entry.config.sync_interval();
            let mut wait = {
                let last = read(&entry.state).loaded.snapshot.fetched_at;
                let age = last.map(|t| (clock() - t).to_std().unwrap_or_default());
                match age {
                    Some(a) if a < interval => interval - a,
                    _ => Duration::ZERO,
                }
            };
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => return,
                    _ = removed.changed() => return,
                }
                if *shutdown.borrow() || *removed.borrow() {
                    return;
                }
                hub.sync_entry(&entry, clock()).await;
                let failures = read(&entry.state).attempts.failures;
                wait = next_delay(interval, failures, fastrand::f64());
            }
        })
    }
}

/// The entry for `src` (adapters get `ctx`, snapshots live in `disk`); `load`: with its last
/// snapshot and attempts from `disk`.
fn open_entry(
    ctx: &SourceContext,
    disk: PathBuf,
    src: &SourceConfig,
    broken: Option<String>,
    load: bool,
) -> Arc<SourceEntry> {
    let (reader, writer) = match broken {
        Some(e) => (Err(e), None),
        None => (
            open_source(src, ctx).map_err(|e| e.to_string()),
            open_writer(src, ctx).ok().flatten(),
        ),
    };
    let mut state = State::default();
    state.loaded.snapshot.source_id = src.id.clone();
    if load {
        state.attempts = snapshot::load_attempts(&disk, &src.id);
        match snapshot::load(&disk, &src.id) {
            Ok(Some(mut s)) => {
                // An "unchanged" answer after the snapshot was written counts too.
                s.fetched_at = s.fetched_at.max(state.attempts.last_success);
                state.loaded = Loaded::new(s);
            }
            Ok(None) => {}
            Err(e) => {
                state.attempts.last_error = Some(format!("the saved copy was not usable: {e}"));
            }
        }
    }
    Arc::new(SourceEntry {
        config: src.clone(),
        disk,
        reader,
        writer,
        state: RwLock::new(state),
        syncing: Mutex::new(()),
        finished: std::sync::atomic::AtomicU64::new(0),
        removed: watch::Sender::new(false),
    })
}

fn status(entry: &SourceEntry, now: DateTime<Utc>) -> SourceStatus {
    let cfg = &entry.config;
    let state = read(&entry.state);
    let last_success = state.loaded.snapshot.fetched_at;
    let last_error = match (&entry.reader, &state.attempts.last_error) {
        (_, Some(e)) => Some(e.clone()),
        (Err(e), None) => Some(e.clone()),
        (Ok(_), None) => None,
    };
    SourceStatus {
        id: cfg.id.clone(),
        kind: cfg.kind.as_str(),
        name: cfg.name.clone(),
        writable: cfg.write,
        fail_open: cfg.fail_open,
        role: cfg.role.as_str(),
        last_attempt: state.attempts.last_attempt,
        last_success,
        last_error,
        consecutive_failures: state.attempts.failures,
        failing_since: state.attempts.failing_since,
        reconnect_needed: state.attempts.reconnect_needed,
        event_count: state.loaded.event_count(),
        age_seconds: last_success.map(|t| (now - t).num_seconds().max(0)),
        freshness: Freshness::of(last_success, now, cfg.max_age()),
    }
}

/// A poisoned lock means a panic while holding it; the data is still a whole snapshot
/// (`apply` replaces fields, it never leaves half a change), so it is used as it is.
fn read(lock: &RwLock<State>) -> std::sync::RwLockReadGuard<'_, State> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write(lock: &RwLock<State>) -> std::sync::RwLockWriteGuard<'_, State> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
