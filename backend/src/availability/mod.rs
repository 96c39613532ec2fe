//! PURE: availability rules + busy time -> bookable slots, and `explain` for any instant.
//!
//! Architecture invariant: no I/O and no clock here; `now` arrives in `Facts`.
//!
//! Semantics in short: local ranges become UTC per day (a time in a DST gap moves forward, an
//! ambiguous one is the earlier instant); a slot belongs to the local day whose hours produced it,
//! and horizon and daily limits are counted on that day (bookings by the local date of their
//! start). A candidate needs `[start - before, end + after)` free of busy time, manual blocks and
//! bookings, each booking widened by its own buffers (the queried type's when the slug matches,
//! else the owner's defaults); recurring blocks, like working hours, get no buffer. Negative
//! buffers count as zero; no slot starts before `now`, whatever the notice.

mod explain;
mod local_time;
mod model;
mod slots;
#[cfg(test)]
mod test_support;

pub use explain::{Explanation, Reason, explain};
pub use local_time::start_of_day;
pub use model::*;
pub use slots::slots;
