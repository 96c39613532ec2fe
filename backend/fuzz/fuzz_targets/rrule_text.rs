//! Recurrence code, fast: the input becomes the value of RRULE in a VEVENT that already has a
//! zoned DTSTART/DTEND, EXDATEs and an override. A newline in the input lets the fuzzer add
//! further properties (EXDATE, RDATE, a second RRULE...) to the same event.
//! The first byte picks the owner zone and the DTSTART form (zoned, UTC, floating, all-day).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const DTSTARTS: [&str; 4] = [
    "DTSTART;TZID=Europe/Berlin:20250103T093000\r\nDTEND;TZID=Europe/Berlin:20250103T103000",
    "DTSTART:20250103T083000Z\r\nDURATION:PT45M",
    "DTSTART:20250103T023000\r\nDTEND;TZID=America/New_York:20250103T033000",
    "DTSTART;VALUE=DATE:20250103\r\nDTEND;VALUE=DATE:20250104",
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let owner = common::ZONES[usize::from(first) % common::ZONES.len()];
    let dtstart = DTSTARTS[usize::from(first >> 2) % DTSTARTS.len()];
    let rule = String::from_utf8_lossy(rest);
    let text = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fuzz//EN\r\n\
         BEGIN:VEVENT\r\nUID:fuzz-1\r\nDTSTAMP:20250101T000000Z\r\n{dtstart}\r\n\
         EXDATE;TZID=Europe/Berlin:20250310T093000,20250317T093000\r\n\
         EXDATE:20250324T083000Z\r\n\
         RRULE:{rule}\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:fuzz-1\r\nDTSTAMP:20250101T000000Z\r\n\
         RECURRENCE-ID;TZID=Europe/Berlin:20250303T093000\r\n\
         DTSTART;TZID=Europe/Berlin:20250303T140000\r\nDTEND;TZID=Europe/Berlin:20250303T150000\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    common::check(&text, owner);
});
