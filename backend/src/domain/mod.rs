//! Domain types that the configuration, the store, mail and the booking use cases share, kept
//! here so that none of those has to import another for them (no module cycles): where a
//! meeting is and the owner's questions with their answers (`details`), recurring series
//! (`series`), and the checks of visitor text (`visitor_text`).
//!
//! Invariant: pure like the engine: data in, data out; no I/O, no clock.

pub mod details;
pub mod series;
/// In the wire crate: the booking page checks with the same rules.
pub use openslot_wire::visitor_text;
