//! Use cases of a booking: book, look up, cancel, reschedule (`service`); the calendar writes
//! they cause (`outbox`); visitor input parsed once into newtypes (`input`); the signed manage
//! and feed tokens (`token`) and the feeds' URLs and their rotation (`feeds`). Recurring series
//! and where a meeting is / the owner's questions are domain types (`crate::domain`).

pub mod api_keys;
pub mod approval;
mod busy_view;
pub mod confirmation;
pub mod feeds;
mod host;
pub mod input;
pub mod mail_settings;
pub mod open;
pub mod outbox;
pub mod page_logo;
pub mod page_settings;
pub mod queries;
mod rules;
pub mod security_settings;
pub mod service;
pub mod stats;
pub mod token;
pub mod webhooks;

// Moved to `domain` (shared with config, store and notify); the old paths keep working.
pub use crate::domain::{details, series, visitor_text};

pub use approval::DecideError;
pub use confirmation::ConfirmError;
pub use rules::RulesError;
pub use service::{BookError, BookRequest, Booked, BookingService, CancelScope};

pub use queries::{Counts, Retried, WindowFacts};

// The rows the use cases answer with (kept by the store); the API names them from here.
pub use crate::store::ConfirmBy;
pub use crate::store::bookings::{BlockRow, BookingFilter};
pub use crate::store::deliveries::{Channel, DeliveryRow};
pub use crate::store::{
    BookingRow, BookingStatus, IdempotentRequest, OutboxAction, OutboxRow, OutboxState, StoreError,
};

/// 128 random bits, hex.
pub(crate) fn new_id() -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 16];
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        // The system's random source failing is not recoverable in a meaningful way; fall back
        // to a non-repeating value (ids only need to be unique; access needs the token).
        bytes = fastrand::u128(..).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
