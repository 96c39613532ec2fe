//! The booking service as the host of the mail and webhook workers (`notify::Host`).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::calendar::BookingEvent;
use crate::config::Config;
use crate::notify::Host;
use crate::store::{BookingRow, Store};
use crate::sync::SyncHub;

use super::BookingService;

impl Host for BookingService {
    fn config(&self) -> Arc<Config> {
        BookingService::config(self)
    }

    fn now(&self) -> DateTime<Utc> {
        BookingService::now(self)
    }

    fn store(&self) -> &Store {
        BookingService::store(self)
    }

    fn hub(&self) -> &Arc<SyncHub> {
        BookingService::hub(self)
    }

    fn notify_wake(&self) -> Arc<tokio::sync::Notify> {
        BookingService::notify_wake(self)
    }

    fn manage_url(&self, id: &str) -> String {
        BookingService::manage_url(self, id)
    }

    fn confirm_url(&self, id: &str) -> String {
        BookingService::confirm_url(self, id)
    }

    fn booking_event(&self, b: &BookingRow, uid: &str, now: DateTime<Utc>) -> BookingEvent {
        super::outbox::booking_event(self, b, uid, now)
    }

    fn open_secret(
        &self,
        id: &str,
        sealed: &crate::store::secret_box::Sealed,
    ) -> Result<Vec<u8>, String> {
        BookingService::open_secret(self, id, sealed)
    }
}
