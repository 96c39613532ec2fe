//! Whole engine: arbitrary bytes -> parse_calendar -> busy_intervals over a fixed 60-day window.
//! The first byte picks the owner zone; the whole input (first byte included) is the calendar,
//! so real .ics seeds work as they are.
//!
//! The same bytes also go through the streaming `parse_reader`, fed by a reader that returns
//! pieces of 1..=17 bytes (sizes taken from the input): its Calendar must equal
//! `parse_calendar`'s (compared through `Debug`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use openslot::calendar::{parse_calendar, parse_reader};

#[path = "common.rs"]
mod common;

/// A reader over `data` returning short pieces: piece `k` has `1 + data[k % len] % 17` bytes.
struct Dribble<'a> {
    data: &'a [u8],
    pos: usize,
    k: usize,
}

impl std::io::Read for Dribble<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = &self.data[self.pos..];
        if rest.is_empty() || buf.is_empty() {
            return Ok(0);
        }
        let size = 1 + usize::from(self.data[self.k % self.data.len()] % 17);
        self.k += 1;
        let n = size.min(rest.len()).min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let owner =
        common::ZONES[usize::from(data.first().copied().unwrap_or(0)) % common::ZONES.len()];
    let text = String::from_utf8_lossy(data);
    let cal = parse_calendar(&text, "fuzz");
    let streamed = parse_reader(Dribble { data, pos: 0, k: 0 }, "fuzz")
        .expect("reading from a slice cannot fail");
    let (whole, pieces) = (format!("{cal:?}"), format!("{streamed:?}"));
    assert!(
        whole == pieces,
        "parse_reader differs from parse_calendar:\n whole:  {whole}\n pieces: {pieces}"
    );
    common::check_calendar(&cal, owner);
});
