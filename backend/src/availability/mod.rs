//! PURE: availability rules + busy time -> bookable slots, and `explain` for any instant.
//!
//! Architecture invariant: no I/O and no clock here; `now` arrives in `Facts`.

mod model;

pub use model::*;
