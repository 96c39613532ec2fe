//! Use cases of a booking: book, look up, cancel, reschedule (`service`); the calendar writes
//! they cause (`outbox`); visitor input parsed once into newtypes (`input`); the signed manage
//! and feed tokens (`token`) and the feeds' URLs and their rotation (`feeds`); recurring series (`series`); where a meeting is and the owner's
//! questions (`details`).

pub mod details;
pub mod feeds;
pub mod input;
pub mod outbox;
pub mod series;
pub mod service;
pub mod token;
pub mod visitor_text;

pub use service::{
    BookError, BookRequest, Booked, BookingService, CancelScope, RulesError, event_uid,
};
