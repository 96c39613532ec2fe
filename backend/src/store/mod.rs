//! SQLite: the only place that knows SQL, and the only source of truth for bookings.
//!
//! Invariants: the database runs in WAL mode with `synchronous=FULL`, so a commit that
//! returned survives kill -9 and power loss; every write that decides (a booking, a cancel, a
//! reschedule) runs in one `BEGIN IMMEDIATE` transaction, so two writers never both see a slot
//! free; migrations are embedded and versioned by `PRAGMA user_version`.
//!
//! rusqlite is synchronous: calls run on tokio's blocking threads behind one mutex (SQLite
//! allows one writer at a time anyway; reads are short).

pub mod alerts;
pub mod api_keys;
pub mod bookings;
pub mod deliveries;
pub mod feeds;
mod key_values;
pub mod mail_settings;
mod migrations;
pub mod outbox;
pub mod page_settings;
pub mod rules;
pub mod secret_box;
pub mod security_settings;
pub mod sources;
pub mod webhooks;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

pub use bookings::{BookingRow, BookingStatus, ConfirmBy, IdempotentRequest, NewBooking};
pub use outbox::{OutboxAction, OutboxRow, OutboxState, WrittenRow};

/// Why the store failed. Shown to the owner (logs, status), never to visitors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot open the database {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    #[error(
        "the database is newer than this program (schema version {found}, known up to {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error("the database worker stopped: {0}")]
    Worker(String),
}

/// The database of one OpenSlot.
#[derive(Clone, Debug)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
    /// The connection's count of changed rows after the last call: moves with every write,
    /// read without the lock (caches of derived data compare it).
    changes: Arc<std::sync::atomic::AtomicU64>,
}

impl Store {
    /// Whether `data_dir` holds a database (commands that only read do not make one).
    pub fn exists(data_dir: &Path) -> bool {
        data_dir.join("openslot.db").is_file()
    }

    /// Opens (or creates) `data_dir/openslot.db` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        let open_err = |detail: String| StoreError::Open {
            path: data_dir.join("openslot.db"),
            detail,
        };
        std::fs::create_dir_all(data_dir).map_err(|e| open_err(e.to_string()))?;
        let path = data_dir.join("openslot.db");
        let mut conn = Connection::open(&path).map_err(|e| open_err(e.to_string()))?;
        configure(&conn)?;
        migrations::migrate(&mut conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            path,
            changes: Arc::default(),
        })
    }

    /// A database in memory (the OpenAPI document is printed from a service built on one).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        migrations::migrate(&mut conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            path: PathBuf::from(":memory:"),
            changes: Arc::default(),
        })
    }

    /// A number that changes whenever a call changed the database.
    pub fn version(&self) -> u64 {
        self.changes.load(std::sync::atomic::Ordering::Acquire)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with the connection on a blocking thread.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let changes = Arc::clone(&self.changes);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock leaves SQLite consistent (the transaction rolls
            // back when it is dropped), so the connection is used as it is.
            let mut guard = conn
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let result = f(&mut guard);
            changes.store(guard.total_changes(), std::sync::atomic::Ordering::Release);
            result
        })
        .await
        .map_err(|e| StoreError::Worker(e.to_string()))?
    }

    /// Runs `f` with the connection on this thread (start-up only, before serving).
    pub fn call_now<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut guard = self
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let result = f(&mut guard);
        self.changes
            .store(guard.total_changes(), std::sync::atomic::Ordering::Release);
        result
    }

    /// Whether the database takes a write now (for `/readyz`).
    pub async fn writable(&self) -> bool {
        self.call(|c| {
            c.execute_batch("BEGIN IMMEDIATE; ROLLBACK;")?;
            Ok(())
        })
        .await
        .is_ok()
    }

    /// A consistent copy of the database while it runs (SQLite's `VACUUM INTO`).
    pub async fn backup(&self, to: PathBuf) -> Result<(), StoreError> {
        self.call(move |c| {
            c.execute("VACUUM INTO ?1", [to.to_string_lossy()])?;
            Ok(())
        })
        .await
    }
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;",
    )?;
    Ok(())
}

/// Seconds since the Unix epoch, as stored.
fn secs(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp()
}

fn time(s: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(s, 0).unwrap_or_default()
}
