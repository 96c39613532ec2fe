//! What the workers of `notify` need from the service that runs them (the booking service
//! implements it): a port, so that `notify` does not import `booking`, which queues its rows.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::calendar::BookingEvent;
use crate::config::Config;
use crate::store::{BookingRow, Store};
use crate::sync::SyncHub;

pub trait Host: Clone + Send + Sync + 'static {
    /// The configuration that applies now.
    fn config(&self) -> Arc<Config>;
    /// The service's clock.
    fn now(&self) -> DateTime<Utc>;
    /// The database the deliveries are queued in.
    fn store(&self) -> &Store;
    /// The sources (alerts read their statuses and wait for their syncs).
    fn hub(&self) -> &Arc<SyncHub>;
    /// Wakes the delivery worker.
    fn notify_wake(&self) -> Arc<tokio::sync::Notify>;
    /// The visitor's link to see, cancel or move a booking.
    fn manage_url(&self, id: &str) -> String;
    /// The visitor's link that confirms a pending booking.
    fn confirm_url(&self, id: &str) -> String;
    /// The booking's event as its calendar copy and its invitation carry it.
    fn booking_event(&self, b: &BookingRow, uid: &str, now: DateTime<Utc>) -> BookingEvent;
    /// Opens a secret sealed for the row `id` (a stored webhook's signing key); the error in
    /// plain words.
    fn open_secret(
        &self,
        id: &str,
        sealed: &crate::store::secret_box::Sealed,
    ) -> Result<Vec<u8>, String>;
}
