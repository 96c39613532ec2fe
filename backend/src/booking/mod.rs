//! Use cases of a booking: book, look up, cancel, reschedule; visitor input parsed once into
//! newtypes (`input`); the signed manage and feed tokens (`token`).

pub mod input;
pub mod token;
