//! Every configured source with its snapshot and status: one sync at a time per source, the
//! background jobs, the on-demand refresh of the booking path, and the busy time of all sources
//! under the freshness policy.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::sync::{Mutex, watch};

use crate::availability::SourceBusy;
use crate::calendar::{BusyPolicy, Interval, Warning};
use crate::config::{Config, SourceConfig};
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
    owner: Tz,
    data_dir: PathBuf,
    horizon_days: i64,
    sources: Vec<Arc<Slot>>,
}

/// One source.
#[derive(Debug)]
struct Slot {
    config: SourceConfig,
    /// The adapter, or why it could not be made (a configuration problem, shown as the error).
    reader: Result<Arc<dyn CalendarSource>, String>,
    writer: Option<Arc<dyn CalendarWriter>>,
    state: RwLock<State>,
    /// Held for a whole fetch: a background sync and an on-demand refresh never overlap.
    syncing: Mutex<()>,
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
        let ctx = SourceContext {
            data_dir: data_dir.clone(),
        };
        let sources = config
            .sources
            .iter()
            .map(|src| {
                let reader = open_source(src, &ctx).map_err(|e| e.to_string());
                let writer = open_writer(src, &ctx).ok().flatten();
                let mut state = State {
                    attempts: snapshot::load_attempts(&data_dir, &src.id),
                    ..State::default()
                };
                match snapshot::load(&data_dir, &src.id) {
                    Ok(Some(mut s)) => {
                        // An "unchanged" answer after the snapshot was written counts too.
                        s.fetched_at = s.fetched_at.max(state.attempts.last_success);
                        state.loaded = Loaded::new(s);
                    }
                    Ok(None) => state.loaded.snapshot.source_id = src.id.clone(),
                    Err(e) => {
                        state.loaded.snapshot.source_id = src.id.clone();
                        state.attempts.last_error =
                            Some(format!("the saved copy was not usable: {e}"));
                    }
                }
                Arc::new(Slot {
                    config: src.clone(),
                    reader,
                    writer,
                    state: RwLock::new(state),
                    syncing: Mutex::new(()),
                })
            })
            .collect();
        SyncHub {
            version: std::sync::atomic::AtomicU64::new(0),
            owner: config.owner.timezone,
            data_dir,
            horizon_days: i64::from(config.availability.horizon_days),
            sources,
        }
    }

    /// A number that changes whenever a snapshot changed.
    pub fn version(&self) -> u64 {
        self.version.load(std::sync::atomic::Ordering::Acquire)
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
    async fn sync_slot(&self, slot: &Slot, now: DateTime<Utc>) -> SyncReport {
        let started = std::time::Instant::now();
        let _one_at_a_time = slot.syncing.lock().await;
        // Incremental syncs continue the window of the last full fetch (sync tokens and delta
        // links are bound to it); once it no longer reaches past the horizon, a full fetch
        // moves it.
        let (window, cursor) = {
            let state = read(&slot.state);
            let s = &state.loaded.snapshot;
            match (s.window, &s.cursor) {
                (Some((start, end)), Some(cursor)) if end >= self.needed_end(now) => {
                    (Interval { start, end }, Some(cursor.clone()))
                }
                _ => (self.fetch_window(now), None),
            }
        };
        let result = match &slot.reader {
            Err(e) => Err(SourceError::Config(e.clone())),
            Ok(reader) => {
                // The adapters bound each request; this bounds a whole multi-request sync.
                let limit = slot.config.timeout().saturating_mul(4);
                match tokio::time::timeout(limit, reader.fetch(window, cursor.as_ref())).await {
                    Ok(r) => r,
                    Err(_) => Err(SourceError::Timeout {
                        host: slot.config.id.clone(),
                        seconds: limit.as_secs(),
                    }),
                }
            }
        };
        let result = match result {
            Ok(fetched) => {
                let changed = !matches!(fetched, crate::sources::Fetched::Unchanged { .. });
                let saved = {
                    let mut state = write(&slot.state);
                    state.loaded.apply(fetched, window, now);
                    state.attempts = Attempts {
                        last_attempt: Some(now),
                        last_success: Some(now),
                        last_error: None,
                        failures: 0,
                    };
                    changed.then(|| state.loaded.snapshot.clone())
                };
                if changed {
                    self.version
                        .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                }
                self.persist(slot, saved).await;
                Ok(changed)
            }
            Err(e) => {
                {
                    let mut state = write(&slot.state);
                    let a = &mut state.attempts;
                    a.last_attempt = Some(now);
                    a.last_error = Some(e.to_string());
                    a.failures = a.failures.saturating_add(1);
                }
                self.persist(slot, None).await;
                Err(e)
            }
        };
        SyncReport {
            source_id: slot.config.id.clone(),
            result,
            took: started.elapsed(),
        }
    }

    /// Saves the snapshot (when it changed) and the attempts, off the async threads. A failure
    /// to save is shown in the status but keeps the new data in memory.
    async fn persist(&self, slot: &Slot, changed: Option<Snapshot>) {
        let dir = self.data_dir.clone();
        let id = slot.config.id.clone();
        let (attempts, saved) = {
            let state = read(&slot.state);
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
        write(&slot.state).saved_attempts = Some(attempts.clone());
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
                self.data_dir.display()
            ),
            Err(e) => format!("saving the copy failed: {e}"),
        };
        let mut state = write(&slot.state);
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
        for i in 0..self.sources.len() {
            let hub = Arc::clone(self);
            let tx = tx.clone();
            tokio::spawn(async move {
                let report = hub.sync_slot(&hub.sources[i], now).await;
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

    /// The on-demand refresh of the booking path: an incremental sync of every source, waiting
    /// at most `budget`. Syncs still running after the budget go on in the background.
    /// Returns the statuses after the wait.
    pub async fn refresh_all(
        self: &Arc<Self>,
        now: DateTime<Utc>,
        budget: Duration,
    ) -> Vec<SourceStatus> {
        let deadline = tokio::time::Instant::now() + budget;
        let handles: Vec<_> = (0..self.sources.len())
            .map(|i| {
                let hub = Arc::clone(self);
                tokio::spawn(async move { hub.sync_slot(&hub.sources[i], now).await })
            })
            .collect();
        for h in handles {
            let _ = tokio::time::timeout_at(deadline, h).await;
        }
        self.statuses(now)
    }

    /// The status of every source at `now`.
    pub fn statuses(&self, now: DateTime<Utc>) -> Vec<SourceStatus> {
        self.sources.iter().map(|s| status(s, now)).collect()
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
        self.sources
            .iter()
            .filter_map(|s| Some((s.config.id.clone(), Arc::clone(s.writer.as_ref()?))))
            .collect()
    }

    /// Busy time of every source in `window` under the freshness policy: a fresh source gives
    /// its snapshot's busy time; a stale one gives its whole window (fail closed, the default)
    /// or its last snapshot (fail open), with a warning either way.
    pub fn busy(&self, window: Interval, now: DateTime<Utc>) -> (Vec<SourceBusy>, Vec<Warning>) {
        let mut warnings = Vec::new();
        let busy = self
            .sources
            .iter()
            .map(|slot| {
                let st = status(slot, now);
                let cfg = &slot.config;
                let state = read(&slot.state);
                warnings.extend(state.loaded.warnings().cloned());
                let policy = BusyPolicy {
                    tentative: cfg.tentative_busy,
                    all_day: cfg.all_day_busy,
                    transparent: cfg.transparent_busy,
                };
                let intervals = if st.freshness == Freshness::Fresh || cfg.fail_open {
                    state
                        .loaded
                        .busy(window, self.owner, &policy, &mut warnings)
                } else {
                    vec![window]
                };
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
        (busy, warnings)
    }

    /// Runs a background job per source until `shutdown` turns true: a sync now when the
    /// snapshot is older than the interval, then every interval (with jitter), backing off
    /// exponentially after failures.
    pub fn spawn_background(
        self: &Arc<Self>,
        clock: fn() -> DateTime<Utc>,
        shutdown: watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        (0..self.sources.len())
            .map(|i| {
                let hub = Arc::clone(self);
                let mut shutdown = shutdown.clone();
                tokio::spawn(async move {
                    let slot = &hub.sources[i];
                    let interval = slot.config.sync_interval();
                    let mut wait = {
                        let last = read(&slot.state).loaded.snapshot.fetched_at;
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
                        }
                        if *shutdown.borrow() {
                            return;
                        }
                        hub.sync_slot(slot, clock()).await;
                        let failures = read(&slot.state).attempts.failures;
                        wait = next_delay(interval, failures, fastrand::f64());
                    }
                })
            })
            .collect()
    }
}

fn status(slot: &Slot, now: DateTime<Utc>) -> SourceStatus {
    let cfg = &slot.config;
    let state = read(&slot.state);
    let last_success = state.loaded.snapshot.fetched_at;
    let last_error = match (&slot.reader, &state.attempts.last_error) {
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
        last_attempt: state.attempts.last_attempt,
        last_success,
        last_error,
        consecutive_failures: state.attempts.failures,
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
