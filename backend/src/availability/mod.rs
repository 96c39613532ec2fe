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
pub use model::*;
pub use slots::slots;

/// Architecture invariant, enforced: this module reads no clock and does no I/O, and it depends
/// only on std, chrono, chrono-tz and the rest of the pure core.
#[cfg(test)]
mod purity {
    const SOURCES: [(&str, &str); 6] = [
        ("mod.rs", include_str!("mod.rs")),
        ("model.rs", include_str!("model.rs")),
        ("slots.rs", include_str!("slots.rs")),
        ("explain.rs", include_str!("explain.rs")),
        ("local_time.rs", include_str!("local_time.rs")),
        ("test_support.rs", include_str!("test_support.rs")),
    ];

    #[test]
    fn no_clock_no_io() {
        // Split so that this file does not match itself.
        let forbidden = [
            ["Utc::", "now"].concat(),
            ["Local::", "now"].concat(),
            ["System", "Time"].concat(),
            ["Instant::", "now"].concat(),
            ["std::", "fs"].concat(),
            ["std::", "net"].concat(),
            ["std::", "io"].concat(),
            ["std::", "env"].concat(),
            ["std::", "thread"].concat(),
        ];
        let allowed_uses = [
            "use std::",
            "use chrono",
            "use super::",
            "use crate::calendar",
            "use crate::availability",
        ];
        for (name, text) in SOURCES {
            for word in &forbidden {
                assert!(!text.contains(word.as_str()), "{name} mentions {word}");
            }
            for line in text.lines().map(str::trim_start) {
                if line.starts_with("use ") {
                    assert!(
                        allowed_uses.iter().any(|a| line.starts_with(a)),
                        "{name}: {line}"
                    );
                }
            }
        }
    }
}
