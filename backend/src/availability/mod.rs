//! PURE: availability rules + busy time -> bookable slots, and `explain` for any instant.
//!
//! Architecture invariant: no I/O and no clock here; `now` arrives in `Facts`.

mod explain;
mod local_time;
mod model;
mod slots;
#[cfg(test)]
mod test_support;

pub use explain::{Explanation, Reason, explain};
pub use model::*;
pub use slots::slots;
