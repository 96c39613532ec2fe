//! Architecture invariants, enforced by reading the sources:
//! the pure core (`calendar/`, `availability/`, and the shared domain types in `domain/`) reads no clock and does no I/O of its own
//! (`calendar::parse_reader` reads from a reader its caller opened), and its imports stay
//! within std, chrono, chrono-tz, rrule, memchr, rustc-hash, serde (derives) and the core itself.

use std::path::Path;

const PURE: [&str; 3] = ["src/calendar", "src/availability", "src/domain"];

const FORBIDDEN: [&str; 10] = [
    "Utc::now",
    "Local::now",
    "SystemTime",
    "Instant::now",
    "std::fs",
    "std::net",
    "std::env",
    "std::thread",
    "tokio",
    "reqwest",
];

const ALLOWED_USES: [&str; 11] = [
    "use std::",
    "use chrono",
    "use rrule",
    "use rustc_hash",
    "use memchr",
    "use super::",
    "use crate::calendar",
    "use crate::availability",
    "use crate::domain",
    "use serde",
    "use proptest",
];

#[test]
fn the_pure_core_reads_no_clock_and_does_no_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for dir in PURE {
        for entry in std::fs::read_dir(root.join(dir)).expect("source folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source file");
            let name = path.display();
            for word in FORBIDDEN {
                assert!(!text.contains(word), "{name} mentions {word}");
            }
            for line in text.lines().map(str::trim_start) {
                if line.starts_with("use ") {
                    assert!(
                        ALLOWED_USES.iter().any(|a| line.starts_with(a)),
                        "{name}: {line}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} files checked");
}
