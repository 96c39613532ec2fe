//! Black-box tests of the `openslot` command line: the built binary, run in a fresh temp dir
//! with configuration and ICS files written by each test. Flags and output formats are a
//! contract (see `src/cli.rs`); the expected values below are worked out from the inputs.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use tempfile::TempDir;

/// What one run printed and how it ended.
#[derive(Debug)]
struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

/// Runs `openslot ARGS` in `dir`, with no `OPENSLOT_*` variable of the test's environment.
fn openslot(dir: &Path, args: &[&str]) -> Run {
    openslot_env(dir, args, &[])
}

/// Runs `openslot ARGS` in `dir` with exactly the `OPENSLOT_*` variables `env`.
fn openslot_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_openslot"));
    cmd.args(args).current_dir(dir);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OPENSLOT_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("the openslot binary runs");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

impl Run {
    fn ok(&self) -> &Self {
        assert_eq!(self.code, Some(0), "expected success: {self:#?}");
        self
    }

    /// A clean failure: a non-zero code, no panic, and a message on stderr.
    fn fails(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "expected exit {code}: {self:#?}");
        assert!(!self.stderr.contains("panicked"), "panic: {self:#?}");
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path
}

/// An iCalendar text (CRLF lines) around `body` lines.
fn ics(body: &[&str]) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//openslot tests//EN",
    ];
    lines.extend_from_slice(body);
    lines.push("END:VCALENDAR");
    lines.join("\r\n") + "\r\n"
}

/// One VEVENT with UTC times `YYYYMMDDTHHMMSSZ`.
fn event(uid: &str, start: &str, end: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\n\
         DTEND:{end}\r\nEND:VEVENT"
    )
}

/// An ICS file of UTC events `(uid, start, end)`.
fn ics_events(events: &[(&str, &str, &str)]) -> String {
    let events: Vec<String> = events.iter().map(|(u, s, e)| event(u, s, e)).collect();
    let refs: Vec<&str> = events.iter().map(String::as_str).collect();
    ics(&refs)
}

/// `[{"start":..,"end":..}, ...]`, exactly as `busy --json` must print it (key order included).
fn intervals(pairs: &[(&str, &str)]) -> String {
    let items: Vec<String> = pairs
        .iter()
        .map(|(s, e)| format!(r#"{{"start":"{s}","end":"{e}"}}"#))
        .collect();
    format!("[{}]", items.join(","))
}

// ---------------------------------------------------------------------------------------------
// busy

const DAY_WINDOW: [&str; 4] = [
    "--from",
    "2026-01-05T00:00:00Z",
    "--to",
    "2026-01-05T18:00:00Z",
];

#[test]
fn busy_merges_sorts_and_clips_across_files() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "a.ics",
        &ics_events(&[
            ("a2", "20260105T130000Z", "20260105T140000Z"),
            ("a1", "20260105T090000Z", "20260105T100000Z"),
        ]),
    );
    write(
        dir.path(),
        "b.ics",
        &ics_events(&[
            // Touches a1: one interval 09:00-11:00.
            ("b1", "20260105T100000Z", "20260105T110000Z"),
            // Crosses the window's end: clipped to 18:00.
            ("b3", "20260105T170000Z", "20260105T190000Z"),
            // Before everything else.
            ("b2", "20260105T070000Z", "20260105T080000Z"),
            // Wholly after the window.
            ("b4", "20260106T090000Z", "20260106T100000Z"),
        ]),
    );
    let mut args = vec!["busy", "--ics", "a.ics", "--ics", "b.ics", "--json"];
    args.extend(DAY_WINDOW);
    let run = openslot(dir.path(), &args);
    run.ok();
    assert_eq!(
        run.stdout.trim(),
        intervals(&[
            ("2026-01-05T07:00:00Z", "2026-01-05T08:00:00Z"),
            ("2026-01-05T09:00:00Z", "2026-01-05T11:00:00Z"),
            ("2026-01-05T13:00:00Z", "2026-01-05T14:00:00Z"),
            ("2026-01-05T17:00:00Z", "2026-01-05T18:00:00Z"),
        ])
    );
    assert_eq!(run.stderr, "", "no warnings expected");
}

#[test]
fn busy_clips_at_the_window_start() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "a.ics",
        &ics_events(&[("night", "20260104T220000Z", "20260105T020000Z")]),
    );
    let mut args = vec!["busy", "--ics", "a.ics", "--json"];
    args.extend(DAY_WINDOW);
    let run = openslot(dir.path(), &args);
    run.ok();
    assert_eq!(
        run.stdout.trim(),
        intervals(&[("2026-01-05T00:00:00Z", "2026-01-05T02:00:00Z")])
    );
}

#[test]
fn busy_converts_zoned_times_to_utc() {
    let dir = TempDir::new().expect("temp dir");
    // 10:00-11:00 in Berlin in January (+01:00) is 09:00-10:00 UTC.
    write(
        dir.path(),
        "a.ics",
        &ics(&[
            "BEGIN:VEVENT",
            "UID:berlin@test",
            "DTSTAMP:20260101T000000Z",
            "DTSTART;TZID=Europe/Berlin:20260105T100000",
            "DTEND;TZID=Europe/Berlin:20260105T110000",
            "END:VEVENT",
        ]),
    );
    let mut args = vec!["busy", "--ics", "a.ics", "--json"];
    args.extend(DAY_WINDOW);
    let run = openslot(dir.path(), &args);
    run.ok();
    assert_eq!(
        run.stdout.trim(),
        intervals(&[("2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z")])
    );
}

#[test]
fn busy_without_json_prints_one_interval_a_line() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "a.ics",
        &ics_events(&[
            ("a1", "20260105T090000Z", "20260105T100000Z"),
            ("a2", "20260105T130000Z", "20260105T140000Z"),
        ]),
    );
    let mut args = vec!["busy", "--ics", "a.ics"];
    args.extend(DAY_WINDOW);
    let run = openslot(dir.path(), &args);
    run.ok();
    assert_eq!(
        run.stdout,
        "2026-01-05T09:00:00Z .. 2026-01-05T10:00:00Z\n\
         2026-01-05T13:00:00Z .. 2026-01-05T14:00:00Z\n"
    );
}

#[test]
fn busy_empty_calendar_prints_an_empty_list() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "a.ics", &ics(&[]));
    let mut args = vec!["busy", "--ics", "a.ics", "--json"];
    args.extend(DAY_WINDOW);
    let run = openslot(dir.path(), &args);
    run.ok();
    assert_eq!(run.stdout.trim(), "[]");
}

fn all_day_file(dir: &Path) {
    write(
        dir,
        "day.ics",
        &ics(&[
            "BEGIN:VEVENT",
            "UID:allday@test",
            "DTSTAMP:20260101T000000Z",
            "DTSTART;VALUE=DATE:20260105",
            "DTEND;VALUE=DATE:20260106",
            "END:VEVENT",
        ]),
    );
}

const WEEK_WINDOW: [&str; 4] = [
    "--from",
    "2026-01-04T00:00:00Z",
    "--to",
    "2026-01-08T00:00:00Z",
];

#[test]
fn busy_all_day_event_defaults_to_utc_days() {
    let dir = TempDir::new().expect("temp dir");
    all_day_file(dir.path());
    let mut args = vec!["busy", "--ics", "day.ics", "--json"];
    args.extend(WEEK_WINDOW);
    let run = openslot(dir.path(), &args);
    run.ok();
    assert_eq!(
        run.stdout.trim(),
        intervals(&[("2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z")])
    );
}

#[test]
fn busy_tz_moves_an_all_day_event() {
    let dir = TempDir::new().expect("temp dir");
    all_day_file(dir.path());
    // New York is at -05:00 in January: its 5 January is 05:00Z to 05:00Z.
    let mut args = vec![
        "busy",
        "--ics",
        "day.ics",
        "--json",
        "--tz",
        "America/New_York",
    ];
    args.extend(WEEK_WINDOW);
    let run = openslot(dir.path(), &args);
    run.ok();
    assert_eq!(
        run.stdout.trim(),
        intervals(&[("2026-01-05T05:00:00Z", "2026-01-06T05:00:00Z")])
    );

    // Tokyo is at +09:00: its 5 January is 4 January 15:00Z to 5 January 15:00Z.
    let mut args = vec!["busy", "--ics", "day.ics", "--json", "--tz", "Asia/Tokyo"];
    args.extend(WEEK_WINDOW);
    let run = openslot(dir.path(), &args);
    run.ok();
    assert_eq!(
        run.stdout.trim(),
        intervals(&[("2026-01-04T15:00:00Z", "2026-01-05T15:00:00Z")])
    );
}

#[test]
fn busy_malformed_event_warns_and_keeps_the_rest() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "bad.ics",
        &ics(&[
            "BEGIN:VEVENT",                   // line 4
            "UID:good@test",                  // 5
            "DTSTART:20260105T090000Z",       // 6
            "DTEND:20260105T100000Z",         // 7
            "END:VEVENT",                     // 8
            "BEGIN:VEVENT",                   // 9
            "UID:broken@test",                // 10
            "DTSTART:2026-01-05 after lunch", // 11
            "DTEND:20260105T130000Z",         // 12
            "END:VEVENT",                     // 13
        ]),
    );
    write(
        dir.path(),
        "other.ics",
        &ics_events(&[("other", "20260105T150000Z", "20260105T160000Z")]),
    );
    let mut args = vec!["busy", "--ics", "bad.ics", "--ics", "other.ics", "--json"];
    args.extend(DAY_WINDOW);
    let run = openslot(dir.path(), &args);
    run.ok();
    assert_eq!(
        run.stdout.trim(),
        intervals(&[
            ("2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"),
            ("2026-01-05T15:00:00Z", "2026-01-05T16:00:00Z"),
        ])
    );
    let warning = run
        .stderr
        .lines()
        .find(|l| l.contains("broken@test"))
        .unwrap_or_else(|| panic!("no warning names the UID: {run:#?}"));
    assert!(warning.starts_with("warning:"), "{warning}");
    assert!(warning.contains("bad.ics:11:"), "file and line: {warning}");
    assert!(warning.contains("DTSTART"), "{warning}");
    assert!(!run.stderr.contains("good@test"), "{run:#?}");
}

#[test]
fn busy_unreadable_file_fails_naming_it() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "a.ics",
        &ics_events(&[("a1", "20260105T090000Z", "20260105T100000Z")]),
    );
    let mut args = vec!["busy", "--ics", "a.ics", "--ics", "nowhere.ics", "--json"];
    args.extend(DAY_WINDOW);
    let run = openslot(dir.path(), &args);
    run.fails(1);
    assert!(run.stderr.starts_with("error: "), "{run:#?}");
    assert!(run.stderr.contains("cannot read nowhere.ics"), "{run:#?}");
    assert_eq!(run.stdout, "", "no partial output");
}

#[test]
fn busy_directory_instead_of_file_fails_cleanly() {
    let dir = TempDir::new().expect("temp dir");
    std::fs::create_dir(dir.path().join("cal.ics")).expect("mkdir");
    let mut args = vec!["busy", "--ics", "cal.ics", "--json"];
    args.extend(DAY_WINDOW);
    let run = openslot(dir.path(), &args);
    run.fails(1);
    assert!(run.stderr.contains("cal.ics"), "{run:#?}");
}

#[test]
fn busy_bad_from_names_the_flag() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "a.ics", &ics(&[]));
    let run = openslot(
        dir.path(),
        &[
            "busy",
            "--ics",
            "a.ics",
            "--from",
            "yesterday",
            "--to",
            "2026-01-05T18:00:00Z",
        ],
    );
    run.fails(2);
    assert!(run.stderr.contains("--from"), "{run:#?}");
    assert!(run.stderr.contains("yesterday"), "{run:#?}");
    assert!(run.stderr.contains("RFC 3339"), "{run:#?}");
}

#[test]
fn busy_bad_to_names_the_flag() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "a.ics", &ics(&[]));
    let run = openslot(
        dir.path(),
        &[
            "busy",
            "--ics",
            "a.ics",
            "--from",
            "2026-01-05T00:00:00Z",
            "--to",
            "2026-01-05",
        ],
    );
    run.fails(2);
    assert!(run.stderr.contains("--to"), "{run:#?}");
}

#[test]
fn busy_window_ending_before_it_starts_is_refused() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "a.ics", &ics(&[]));
    let run = openslot(
        dir.path(),
        &[
            "busy",
            "--ics",
            "a.ics",
            "--from",
            "2026-01-05T18:00:00Z",
            "--to",
            "2026-01-05T00:00:00Z",
        ],
    );
    run.fails(2);
    assert!(run.stderr.contains("--to"), "{run:#?}");
}

#[test]
fn busy_bad_tz_names_the_flag() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "a.ics", &ics(&[]));
    let mut args = vec!["busy", "--ics", "a.ics", "--tz", "Mars/Olympus_Mons"];
    args.extend(DAY_WINDOW);
    let run = openslot(dir.path(), &args);
    run.fails(2);
    assert!(run.stderr.contains("--tz"), "{run:#?}");
    assert!(run.stderr.contains("Mars/Olympus_Mons"), "{run:#?}");
}

#[test]
fn busy_requires_an_ics_file() {
    let dir = TempDir::new().expect("temp dir");
    let mut args = vec!["busy"];
    args.extend(DAY_WINDOW);
    let run = openslot(dir.path(), &args);
    run.fails(2);
    assert!(run.stderr.contains("--ics"), "{run:#?}");
}

// ---------------------------------------------------------------------------------------------
// slots and explain: a configuration with Monday 09:00-12:00 hours only

/// A configuration in zone `tz` with Monday 09:00-12:00 hours, event types `chat` (60 min,
/// the default) and `long-talk` (120 min), no buffers, and `sources` appended verbatim.
fn config(tz: &str, sources: &str) -> String {
    format!(
        r#"
[owner]
name = "Test Owner"
email = "owner@example.org"
timezone = "{tz}"

[availability]
working_hours = {{ mon = ["09:00-12:00"] }}

[[event_types]]
slug = "chat"
title = "Chat"
duration_minutes = 60

[[event_types]]
slug = "long-talk"
title = "Long talk"
duration_minutes = 120
{sources}
"#
    )
}

/// A source `cal` reading `cal.ics` next to the configuration.
const CAL_SOURCE: &str = r#"
[[sources]]
id = "cal"
kind = "ics"
url = "file://cal.ics"
"#;

/// Well before the test week: inside the horizon, outside the notice.
const NOW: &str = "2026-01-01T00:00:00Z";

fn slots_json(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "slots",
        "--config",
        "openslot.toml",
        "--from",
        "2026-01-05",
        "--to",
        "2026-01-05",
        "--json",
        "--now",
        NOW,
    ];
    args.extend_from_slice(extra);
    openslot(dir, &args)
}

fn slot_list(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(s, e)| json!({"start": s, "end": e}))
            .collect(),
    )
}

#[test]
fn slots_in_the_owners_zone_carry_its_offset() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    let run = slots_json(dir.path(), &[]);
    run.ok();
    assert_eq!(
        run.json(),
        json!({
            "timezone": "Europe/Berlin",
            "slots": slot_list(&[
                ("2026-01-05T09:00:00+01:00", "2026-01-05T10:00:00+01:00"),
                ("2026-01-05T10:00:00+01:00", "2026-01-05T11:00:00+01:00"),
                ("2026-01-05T11:00:00+01:00", "2026-01-05T12:00:00+01:00"),
            ]),
        })
    );
}

#[test]
fn slots_of_a_western_owner_carry_a_negative_offset() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("America/New_York", ""));
    let run = slots_json(dir.path(), &[]);
    run.ok();
    assert_eq!(
        run.json(),
        json!({
            "timezone": "America/New_York",
            "slots": slot_list(&[
                ("2026-01-05T09:00:00-05:00", "2026-01-05T10:00:00-05:00"),
                ("2026-01-05T10:00:00-05:00", "2026-01-05T11:00:00-05:00"),
                ("2026-01-05T11:00:00-05:00", "2026-01-05T12:00:00-05:00"),
            ]),
        })
    );
}

#[test]
fn slots_tz_flag_shows_the_same_slots_in_another_zone() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    // Berlin 09:00-12:00 (+01:00) is 03:00-06:00 in New York (-05:00), inside its 5 January.
    let run = slots_json(dir.path(), &["--tz", "America/New_York"]);
    run.ok();
    assert_eq!(
        run.json(),
        json!({
            "timezone": "America/New_York",
            "slots": slot_list(&[
                ("2026-01-05T03:00:00-05:00", "2026-01-05T04:00:00-05:00"),
                ("2026-01-05T04:00:00-05:00", "2026-01-05T05:00:00-05:00"),
                ("2026-01-05T05:00:00-05:00", "2026-01-05T06:00:00-05:00"),
            ]),
        })
    );
}

#[test]
fn slots_tz_flag_days_are_the_display_zones_days() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    // Auckland is at +13:00 in January: its 5 January is 4 January 11:00Z to 5 January 11:00Z,
    // which holds the Berlin Monday hours (08:00Z-11:00Z), shown as 21:00 to midnight.
    let run = slots_json(dir.path(), &["--tz", "Pacific/Auckland"]);
    run.ok();
    assert_eq!(
        run.json(),
        json!({
            "timezone": "Pacific/Auckland",
            "slots": slot_list(&[
                ("2026-01-05T21:00:00+13:00", "2026-01-05T22:00:00+13:00"),
                ("2026-01-05T22:00:00+13:00", "2026-01-05T23:00:00+13:00"),
                ("2026-01-05T23:00:00+13:00", "2026-01-06T00:00:00+13:00"),
            ]),
        })
    );
    // Its 6 January (5 January 11:00Z to 6 January 11:00Z) holds no hours: Tuesday is off.
    let run = openslot(
        dir.path(),
        &[
            "slots",
            "--config",
            "openslot.toml",
            "--from",
            "2026-01-06",
            "--to",
            "2026-01-06",
            "--json",
            "--now",
            NOW,
            "--tz",
            "Pacific/Auckland",
        ],
    );
    run.ok();
    assert_eq!(run.json()["slots"], json!([]));
}

#[test]
fn slots_offset_follows_daylight_saving_time() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    // Berlin moves to +02:00 on Sunday 29 March 2026: the Monday before is at +01:00, the
    // Monday after at +02:00, both at 09:00 local.
    let run = openslot(
        dir.path(),
        &[
            "slots",
            "--config",
            "openslot.toml",
            "--from",
            "2026-03-23",
            "--to",
            "2026-03-30",
            "--json",
            "--event-type",
            "long-talk",
            "--now",
            "2026-03-01T00:00:00Z",
        ],
    );
    run.ok();
    assert_eq!(
        run.json()["slots"],
        slot_list(&[
            ("2026-03-23T09:00:00+01:00", "2026-03-23T11:00:00+01:00"),
            ("2026-03-30T09:00:00+02:00", "2026-03-30T11:00:00+02:00"),
        ])
    );
}

#[test]
fn slots_display_day_starting_in_a_dst_gap() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    // In Santiago, 6 September 2026 starts at 01:00 (-03:00): midnight is skipped. The Berlin
    // Monday 7 September 09:00-12:00 (+02:00) is 07:00Z-10:00Z, 04:00-07:00 in Santiago.
    let run = openslot(
        dir.path(),
        &[
            "slots",
            "--config",
            "openslot.toml",
            "--from",
            "2026-09-06",
            "--to",
            "2026-09-07",
            "--json",
            "--tz",
            "America/Santiago",
            "--now",
            "2026-08-01T00:00:00Z",
        ],
    );
    run.ok();
    assert_eq!(
        run.json(),
        json!({
            "timezone": "America/Santiago",
            "slots": slot_list(&[
                ("2026-09-07T04:00:00-03:00", "2026-09-07T05:00:00-03:00"),
                ("2026-09-07T05:00:00-03:00", "2026-09-07T06:00:00-03:00"),
                ("2026-09-07T06:00:00-03:00", "2026-09-07T07:00:00-03:00"),
            ]),
        })
    );
}

#[test]
fn slots_environment_overrides_the_owners_zone() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    let run = openslot_env(
        dir.path(),
        &[
            "slots",
            "--config",
            "openslot.toml",
            "--from",
            "2026-01-05",
            "--to",
            "2026-01-05",
            "--json",
            "--now",
            NOW,
        ],
        &[("OPENSLOT_OWNER__TIMEZONE", "America/New_York")],
    );
    run.ok();
    let out = run.json();
    assert_eq!(out["timezone"], "America/New_York");
    assert_eq!(
        out["slots"][0],
        json!({"start": "2026-01-05T09:00:00-05:00", "end": "2026-01-05T10:00:00-05:00"})
    );
}

#[test]
fn slots_event_type_flag_picks_the_duration() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    // 120 minutes, step = duration: only 09:00-11:00 fits in 09:00-12:00.
    let run = slots_json(dir.path(), &["--event-type", "long-talk"]);
    run.ok();
    assert_eq!(
        run.json()["slots"],
        slot_list(&[("2026-01-05T09:00:00+01:00", "2026-01-05T11:00:00+01:00")])
    );
}

#[test]
fn slots_busy_event_removes_the_overlapping_slots() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", CAL_SOURCE),
    );
    // 09:30-10:00Z = 10:30-11:00 in Berlin: only the 10:00-11:00 slot overlaps.
    write(
        dir.path(),
        "cal.ics",
        &ics_events(&[("busy", "20260105T093000Z", "20260105T100000Z")]),
    );
    let run = slots_json(dir.path(), &[]);
    run.ok();
    assert_eq!(
        run.json(),
        json!({
            "timezone": "Europe/Berlin",
            "slots": slot_list(&[
                ("2026-01-05T09:00:00+01:00", "2026-01-05T10:00:00+01:00"),
                ("2026-01-05T11:00:00+01:00", "2026-01-05T12:00:00+01:00"),
            ]),
        })
    );
    assert_eq!(run.stderr, "", "no warnings expected");
}

#[test]
fn slots_touching_busy_event_removes_nothing() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", CAL_SOURCE),
    );
    // 07:00-08:00Z = 08:00-09:00 in Berlin: ends where the first slot starts.
    write(
        dir.path(),
        "cal.ics",
        &ics_events(&[("early", "20260105T070000Z", "20260105T080000Z")]),
    );
    let run = slots_json(dir.path(), &[]);
    run.ok();
    assert_eq!(run.json()["slots"].as_array().map(Vec::len), Some(3));
}

#[test]
fn slots_respect_the_minimum_notice() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    // Now 08:30 Berlin, notice 120 min: the earliest start is 10:30, so only 11:00-12:00.
    let run = openslot(
        dir.path(),
        &[
            "slots",
            "--config",
            "openslot.toml",
            "--from",
            "2026-01-05",
            "--to",
            "2026-01-05",
            "--json",
            "--now",
            "2026-01-05T07:30:00Z",
        ],
    );
    run.ok();
    assert_eq!(
        run.json()["slots"],
        slot_list(&[("2026-01-05T11:00:00+01:00", "2026-01-05T12:00:00+01:00")])
    );
}

#[test]
fn slots_unknown_event_type_lists_the_known_slugs() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    let run = slots_json(dir.path(), &["--event-type", "brunch"]);
    run.fails(2);
    assert!(run.stderr.contains("brunch"), "{run:#?}");
    assert!(run.stderr.contains("chat"), "{run:#?}");
    assert!(run.stderr.contains("long-talk"), "{run:#?}");
    assert_eq!(run.stdout, "");
}

#[test]
fn slots_missing_source_file_fails_closed() {
    let dir = TempDir::new().expect("temp dir");
    // CAL_SOURCE reads cal.ics, which is not written.
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", CAL_SOURCE),
    );
    let run = slots_json(dir.path(), &[]);
    run.ok();
    assert_eq!(
        run.json(),
        json!({"timezone": "Europe/Berlin", "slots": []})
    );
    let warning = run
        .stderr
        .lines()
        .find(|l| l.starts_with("warning:") && l.contains("cal.ics"))
        .unwrap_or_else(|| panic!("no warning about the missing file: {run:#?}"));
    assert!(warning.contains("cal"), "names the source: {warning}");
    assert!(warning.contains("busy"), "says what happens: {warning}");
}

#[test]
fn slots_missing_source_file_with_fail_open_offers_slots() {
    let dir = TempDir::new().expect("temp dir");
    let source = format!("{CAL_SOURCE}fail_open = true\n");
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", &source),
    );
    let run = slots_json(dir.path(), &[]);
    run.ok();
    assert_eq!(run.json()["slots"].as_array().map(Vec::len), Some(3));
    assert!(run.stderr.contains("cal.ics"), "still warns: {run:#?}");
}

#[test]
fn slots_one_missing_source_blocks_even_when_another_is_fine() {
    let dir = TempDir::new().expect("temp dir");
    let sources = format!(
        "{CAL_SOURCE}\n[[sources]]\nid = \"gone\"\nkind = \"ics\"\nurl = \"file://gone.ics\"\n"
    );
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", &sources),
    );
    write(dir.path(), "cal.ics", &ics(&[]));
    let run = slots_json(dir.path(), &[]);
    run.ok();
    assert_eq!(run.json()["slots"], json!([]));
    assert!(run.stderr.contains("gone"), "{run:#?}");
}

#[test]
fn slots_without_json_prints_days_and_times() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    let run = openslot(
        dir.path(),
        &[
            "slots",
            "--config",
            "openslot.toml",
            "--from",
            "2026-01-05",
            "--to",
            "2026-01-06",
            "--now",
            NOW,
        ],
    );
    run.ok();
    assert_eq!(
        run.stdout,
        "Chat (60 min) in Europe/Berlin:\nMon 2026-01-05\n  09:00 - 10:00\n  10:00 - 11:00\n  \
         11:00 - 12:00\n"
    );
}

#[test]
fn slots_bad_from_date_names_the_flag() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    let run = openslot(
        dir.path(),
        &[
            "slots",
            "--config",
            "openslot.toml",
            "--from",
            "05/01/2026",
            "--to",
            "2026-01-05",
            "--now",
            NOW,
        ],
    );
    run.fails(2);
    assert!(run.stderr.contains("--from"), "{run:#?}");
}

#[test]
fn slots_dates_at_the_end_of_the_calendar_are_refused_not_a_panic() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    // The last date chrono knows: the day after it (the window's end) does not exist.
    for (from, to) in [
        ("--from=+262142-12-31", "--to=+262142-12-31"),
        ("--from=-262143-01-01", "--to=-262143-01-01"),
    ] {
        let run = openslot(
            dir.path(),
            &[
                "slots",
                "--config",
                "openslot.toml",
                from,
                to,
                "--json",
                "--now",
                NOW,
            ],
        );
        run.fails(2);
        assert!(run.stderr.contains("out of range"), "{run:#?}");
    }
}

#[test]
fn slots_far_apart_dates_are_answered() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    // The horizon bounds the answer: 60 days from 1 January, today included, end on 1 March;
    // that holds 8 Mondays (5 January to 23 February), 3 slots each.
    let run = openslot(
        dir.path(),
        &[
            "slots",
            "--config",
            "openslot.toml",
            "--from",
            "0001-01-01",
            "--to",
            "9999-12-31",
            "--json",
            "--now",
            NOW,
        ],
    );
    run.ok();
    assert_eq!(run.json()["slots"].as_array().map(Vec::len), Some(8 * 3));
}

#[test]
fn slots_bad_now_names_the_flag() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    let run = openslot(
        dir.path(),
        &[
            "slots",
            "--config",
            "openslot.toml",
            "--from",
            "2026-01-05",
            "--to",
            "2026-01-05",
            "--now",
            "noon",
        ],
    );
    run.fails(2);
    assert!(run.stderr.contains("--now"), "{run:#?}");
}

#[test]
fn slots_missing_config_fails_naming_it() {
    let dir = TempDir::new().expect("temp dir");
    let run = slots_json(dir.path(), &[]);
    run.fails(1);
    assert!(run.stderr.contains("openslot.toml"), "{run:#?}");
}

#[test]
fn slots_invalid_config_lists_its_problems() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "openslot.toml",
        &config("Mars/Olympus_Mons", ""),
    );
    let run = slots_json(dir.path(), &[]);
    run.fails(1);
    assert!(run.stderr.contains("owner.timezone"), "{run:#?}");
}

fn explain(dir: &Path, at: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "explain",
        "--config",
        "openslot.toml",
        "--at",
        at,
        "--now",
        NOW,
    ];
    args.extend_from_slice(extra);
    openslot(dir, &args)
}

/// Berlin config with source `cal` busy 09:30-10:00Z (10:30-11:00 Berlin) on Monday 5 January.
fn explain_dir() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", CAL_SOURCE),
    );
    write(
        dir.path(),
        "cal.ics",
        &ics_events(&[("busy", "20260105T093000Z", "20260105T100000Z")]),
    );
    dir
}

#[test]
fn explain_busy_names_the_source() {
    let dir = explain_dir();
    let run = explain(dir.path(), "2026-01-05T09:45:00Z", &[]);
    run.ok();
    assert_eq!(
        run.stdout,
        "Mon 2026-01-05 10:45 CET (2026-01-05T09:45:00Z): not bookable\n  \
         - busy in source \"cal\" from 2026-01-05 09:30 to 10:00 UTC\n"
    );
}

#[test]
fn explain_busy_json() {
    let dir = explain_dir();
    let run = explain(dir.path(), "2026-01-05T09:45:00Z", &["--json"]);
    run.ok();
    let out = run.json();
    assert_eq!(out["at"], "2026-01-05T09:45:00Z");
    assert_eq!(out["bookable"], false);
    let reasons = out["reasons"].as_array().expect("reasons");
    assert_eq!(reasons.len(), 1, "{out}");
    assert!(
        reasons[0].as_str().is_some_and(|r| r.contains("\"cal\"")),
        "{out}"
    );
}

#[test]
fn explain_free_instant_in_hours_is_bookable() {
    let dir = explain_dir();
    // 09:15 Berlin: in the hours, nothing busy.
    let run = explain(dir.path(), "2026-01-05T08:15:00Z", &["--json"]);
    run.ok();
    assert_eq!(
        run.json(),
        json!({"at": "2026-01-05T08:15:00Z", "bookable": true, "reasons": []})
    );
    let run = explain(dir.path(), "2026-01-05T08:15:00Z", &[]);
    run.ok();
    assert_eq!(
        run.stdout,
        "Mon 2026-01-05 09:15 CET (2026-01-05T08:15:00Z): bookable\n"
    );
}

#[test]
fn explain_with_event_type_names_the_slot() {
    let dir = explain_dir();
    // 09:15 Berlin with `chat` (60 min from 09:00): the slot 09:00-10:00 Berlin = 08:00-09:00Z.
    let run = explain(
        dir.path(),
        "2026-01-05T08:15:00Z",
        &["--json", "--event-type", "chat"],
    );
    run.ok();
    assert_eq!(
        run.json(),
        json!({
            "at": "2026-01-05T08:15:00Z",
            "bookable": true,
            "reasons": ["bookable: within the slot from 2026-01-05 08:00 to 09:00 UTC"],
        })
    );
}

#[test]
fn explain_with_event_type_sees_busy_time_later_in_the_slot() {
    let dir = explain_dir();
    // 10:15 Berlin: the `chat` slot 10:00-11:00 meets the busy 10:30-11:00.
    let run = explain(
        dir.path(),
        "2026-01-05T09:15:00Z",
        &["--json", "--event-type", "chat"],
    );
    run.ok();
    let out = run.json();
    assert_eq!(out["bookable"], false, "{out}");
    assert!(out["reasons"].to_string().contains("\\\"cal\\\""), "{out}");
}

#[test]
fn explain_outside_hours_says_so() {
    let dir = explain_dir();
    // 14:00 Berlin on Monday: after the 09:00-12:00 hours.
    let run = explain(dir.path(), "2026-01-05T13:00:00Z", &["--json"]);
    run.ok();
    assert_eq!(
        run.json(),
        json!({
            "at": "2026-01-05T13:00:00Z",
            "bookable": false,
            "reasons": ["outside working hours on Monday 2026-01-05"],
        })
    );
    // Tuesday has no hours at all.
    let run = explain(dir.path(), "2026-01-06T09:00:00Z", &[]);
    run.ok();
    assert!(run.stdout.contains("not bookable"), "{run:#?}");
    assert!(
        run.stdout
            .contains("outside working hours on Tuesday 2026-01-06"),
        "{run:#?}"
    );
}

#[test]
fn explain_uses_the_owners_local_day() {
    let dir = explain_dir();
    // Sunday 23:30Z is Monday 00:30 in Berlin: outside Monday's hours, not Sunday's.
    let run = explain(dir.path(), "2026-01-04T23:30:00Z", &["--json"]);
    run.ok();
    assert_eq!(
        run.json()["reasons"],
        json!(["outside working hours on Monday 2026-01-05"])
    );
}

#[test]
fn explain_missing_source_counts_as_busy() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", CAL_SOURCE),
    );
    let run = explain(dir.path(), "2026-01-05T08:15:00Z", &["--json"]);
    run.ok();
    let out = run.json();
    assert_eq!(out["bookable"], false, "{out}");
    assert!(out["reasons"].to_string().contains("cal"), "{out}");
    assert!(run.stderr.contains("cal.ics"), "{run:#?}");
}

#[test]
fn explain_in_the_past() {
    let dir = explain_dir();
    let run = explain(dir.path(), "2025-12-29T08:15:00Z", &["--json"]);
    run.ok();
    assert_eq!(run.json()["reasons"], json!(["in the past"]));
}

#[test]
fn explain_bad_at_names_the_flag() {
    let dir = explain_dir();
    let run = explain(dir.path(), "Monday 9am", &[]);
    run.fails(2);
    assert!(run.stderr.contains("--at"), "{run:#?}");
}

#[test]
fn explain_unknown_event_type_lists_the_known_slugs() {
    let dir = explain_dir();
    let run = explain(
        dir.path(),
        "2026-01-05T08:15:00Z",
        &["--event-type", "brunch"],
    );
    run.fails(2);
    assert!(run.stderr.contains("chat"), "{run:#?}");
    assert!(run.stderr.contains("long-talk"), "{run:#?}");
}

// ---------------------------------------------------------------------------------------------
// declined invitations: the owner's PARTSTAT=DECLINED frees the time

/// One VEVENT with UTC times and extra property lines (CRLF-joined).
fn event_with(uid: &str, start: &str, end: &str, lines: &[&str]) -> String {
    let mut text = format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"
    );
    for line in lines {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text + "END:VEVENT"
}

/// The Berlin configuration with `other_emails` and the source `cal`.
fn declined_dir(events: &[String]) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    let cfg = config("Europe/Berlin", CAL_SOURCE).replace(
        "email = \"owner@example.org\"",
        "email = \"owner@example.org\"\nother_emails = [\"mailto:Owner.Work@Uni.Example\"]",
    );
    write(dir.path(), "openslot.toml", &cfg);
    let refs: Vec<&str> = events.iter().map(String::as_str).collect();
    write(dir.path(), "cal.ics", &ics(&refs));
    dir
}

#[test]
fn slots_offer_the_time_of_a_meeting_the_owner_declined() {
    // Monday 09:00-12:00 Berlin = 08:00-11:00Z, three one-hour meetings.
    let dir = declined_dir(&[
        // Declined by `email`, written in capitals with MAILTO.
        event_with(
            "declined-email",
            "20260105T080000Z",
            "20260105T090000Z",
            &[
                "ORGANIZER;CN=Boss:mailto:boss@example.org",
                "ATTENDEE;CN=Owner;PARTSTAT=DECLINED:MAILTO:OWNER@EXAMPLE.ORG",
                "ATTENDEE;PARTSTAT=ACCEPTED:mailto:boss@example.org",
            ],
        ),
        // Declined by an address of `other_emails`, without mailto: and in another case.
        event_with(
            "declined-other",
            "20260105T090000Z",
            "20260105T100000Z",
            &["ATTENDEE;PARTSTAT=DECLINED:owner.work@uni.example"],
        ),
        // Accepted: busy.
        event_with(
            "accepted",
            "20260105T100000Z",
            "20260105T110000Z",
            &["ATTENDEE;PARTSTAT=ACCEPTED:mailto:owner@example.org"],
        ),
    ]);
    let run = slots_json(dir.path(), &[]);
    run.ok();
    assert_eq!(
        run.json()["slots"],
        slot_list(&[
            ("2026-01-05T09:00:00+01:00", "2026-01-05T10:00:00+01:00"),
            ("2026-01-05T10:00:00+01:00", "2026-01-05T11:00:00+01:00"),
        ])
    );
}

#[test]
fn slots_keep_meetings_someone_else_declined_or_the_owner_organizes() {
    let dir = declined_dir(&[
        // Someone else declined; the owner accepted.
        event_with(
            "other-declined",
            "20260105T080000Z",
            "20260105T090000Z",
            &[
                "ATTENDEE;PARTSTAT=DECLINED:mailto:guest@example.org",
                "ATTENDEE;PARTSTAT=ACCEPTED:mailto:owner@example.org",
            ],
        ),
        // The owner organizes it (an entry of their own as attendee says DECLINED).
        event_with(
            "organized",
            "20260105T090000Z",
            "20260105T100000Z",
            &[
                "ORGANIZER:mailto:owner.work@uni.example",
                "ATTENDEE;PARTSTAT=DECLINED:mailto:owner@example.org",
            ],
        ),
        // Declined, on a folded line with a quoted parameter: free.
        event_with(
            "folded",
            "20260105T100000Z",
            "20260105T110000Z",
            &["ATTENDEE;CN=\"Owner, Test\";PARTSTAT=Declined:mailto:owner@\r\n example.org"],
        ),
    ]);
    let run = slots_json(dir.path(), &[]);
    run.ok();
    assert_eq!(
        run.json()["slots"],
        slot_list(&[("2026-01-05T11:00:00+01:00", "2026-01-05T12:00:00+01:00")])
    );
}

#[test]
fn check_config_names_a_bad_other_emails_entry() {
    let dir = TempDir::new().expect("temp dir");
    let cfg = config("Europe/Berlin", "").replace(
        "email = \"owner@example.org\"",
        "email = \"owner@example.org\"\nother_emails = [\"ok@example.org\", \"not an address\", 7]",
    );
    write(dir.path(), "openslot.toml", &cfg);
    let run = check_config(dir.path());
    run.fails(1);
    assert!(
        run.stdout
            .contains("`owner.other_emails[1]`: `not an address` is not an email address"),
        "{run:#?}"
    );
    assert!(
        run.stdout
            .contains("`owner.other_emails[2]`: expected a string"),
        "{run:#?}"
    );
    assert_eq!(run.stdout.lines().count(), 2, "{run:#?}");
}

// ---------------------------------------------------------------------------------------------
// availability sources: events that open bookable time

/// Monday 08:00-18:00 in Berlin, 30-minute chats; source `uni` (role availability, events
/// whose title contains "office hours") and the busy source `work`.
fn availability_dir(uni_extra: &str) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    let sources = format!(
        r#"
[[sources]]
id = "uni"
kind = "ics"
url = "file://uni.ics"
role = "availability"
match = "office hours"
{uni_extra}

[[sources]]
id = "work"
kind = "ics"
url = "file://work.ics"
"#
    );
    // Longer hours and a 30-minute `chat` than the shared configuration's.
    let cfg = config("Europe/Berlin", &sources)
        .replace(r#"mon = ["09:00-12:00"]"#, r#"mon = ["08:00-18:00"]"#)
        .replacen("duration_minutes = 60", "duration_minutes = 30", 1);
    write(dir.path(), "openslot.toml", &cfg);
    let titled = |uid: &str, start: &str, end: &str, title: &str| {
        event_with(uid, start, end, &[&format!("SUMMARY:{title}")])
    };
    let uni = [
        // 09:00-11:00 and 14:00-15:00 Berlin (CET, +01:00).
        titled(
            "oh-1",
            "20260105T080000Z",
            "20260105T100000Z",
            "Office hours (room 3.14)",
        ),
        titled(
            "oh-2",
            "20260105T130000Z",
            "20260105T140000Z",
            "OFFICE HOURS",
        ),
        // Does not match: opens nothing (and, like every availability event, blocks nothing).
        titled(
            "faculty",
            "20260105T110000Z",
            "20260105T120000Z",
            "Faculty meeting",
        ),
    ];
    let refs: Vec<&str> = uni.iter().map(String::as_str).collect();
    write(dir.path(), "uni.ics", &ics(&refs));
    // 10:00-10:30 Berlin: inside the first office hours.
    write(
        dir.path(),
        "work.ics",
        &ics_events(&[("busy", "20260105T090000Z", "20260105T093000Z")]),
    );
    dir
}

#[test]
fn slots_are_the_office_hours_minus_busy_time() {
    let dir = availability_dir("");
    let run = slots_json(dir.path(), &[]);
    run.ok();
    assert_eq!(
        run.json(),
        json!({
            "timezone": "Europe/Berlin",
            "slots": slot_list(&[
                ("2026-01-05T09:00:00+01:00", "2026-01-05T09:30:00+01:00"),
                ("2026-01-05T09:30:00+01:00", "2026-01-05T10:00:00+01:00"),
                ("2026-01-05T10:30:00+01:00", "2026-01-05T11:00:00+01:00"),
                ("2026-01-05T14:00:00+01:00", "2026-01-05T14:30:00+01:00"),
                ("2026-01-05T14:30:00+01:00", "2026-01-05T15:00:00+01:00"),
            ]),
        })
    );
    assert_eq!(run.stderr, "", "no warnings expected");
}

#[test]
fn explain_names_the_opening_event() {
    let dir = availability_dir("");
    // 09:15 Berlin: in the first office hours.
    let run = explain(
        dir.path(),
        "2026-01-05T08:15:00Z",
        &["--event-type", "chat"],
    );
    run.ok();
    assert_eq!(
        run.stdout,
        "Mon 2026-01-05 09:15 CET (2026-01-05T08:15:00Z): bookable\n  \
         - bookable: within the slot from 2026-01-05 08:00 to 08:30 UTC\n  \
         - opened by \"Office hours (room 3.14)\" (source \"uni\") from 2026-01-05 08:00 to 10:00 UTC\n"
    );
    let run = explain(dir.path(), "2026-01-05T13:40:00Z", &["--json"]);
    run.ok();
    assert_eq!(
        run.json(),
        json!({
            "at": "2026-01-05T13:40:00Z",
            "bookable": true,
            "reasons": [],
            "opened_by": ["opened by \"OFFICE HOURS\" (source \"uni\") from 2026-01-05 13:00 to 14:00 UTC"],
        })
    );
    // 12:15 Berlin: in the hours, in the non-matching "Faculty meeting", in no office hours.
    let run = explain(dir.path(), "2026-01-05T11:15:00Z", &["--json"]);
    run.ok();
    assert_eq!(
        run.json(),
        json!({
            "at": "2026-01-05T11:15:00Z",
            "bookable": false,
            "reasons": ["no availability event covers this time"],
        })
    );
}

#[test]
fn a_stale_availability_source_fails_closed_unless_fail_open() {
    // The feed cannot be read: nothing is bookable (fail closed) ...
    let dir = availability_dir("");
    std::fs::remove_file(dir.path().join("uni.ics")).expect("remove the feed");
    let run = slots_json(dir.path(), &[]);
    run.ok();
    assert_eq!(run.json()["slots"], json!([]));
    // ... and with fail_open (no copy yet) it opens nothing either.
    let dir = availability_dir("fail_open = true");
    std::fs::remove_file(dir.path().join("uni.ics")).expect("remove the feed");
    let run = slots_json(dir.path(), &[]);
    run.ok();
    assert_eq!(run.json()["slots"], json!([]));
}

#[test]
fn check_config_names_bad_role_and_match() {
    let dir = TempDir::new().expect("temp dir");
    let sources = r#"
[[sources]]
id = "a"
kind = "ics"
url = "file://a.ics"
role = "open"

[[sources]]
id = "b"
kind = "ics"
url = "file://b.ics"
match = "Office hours"

[[sources]]
id = "c"
kind = "ics"
url = "file://c.ics"
role = "availability"
match = " "
"#;
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", sources),
    );
    let run = check_config(dir.path());
    run.fails(1);
    let expected = [
        "`sources[0].role`: `open` is not a role: use \"busy\" (the default) or \"availability\"",
        "`sources[1].match`: only applies with `role = \"availability\"`",
        "`sources[2].match`: is empty: leave it out to take every event of the source",
    ];
    for line in expected {
        assert!(run.stdout.contains(line), "{line}\n{run:#?}");
    }
    assert_eq!(run.stdout.lines().count(), 3, "{run:#?}");
}

// ---------------------------------------------------------------------------------------------
// check-config

fn check_config(dir: &Path) -> Run {
    openslot(dir, &["check-config", "--config", "openslot.toml"])
}

#[test]
fn check_config_good_file_prints_ok() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", CAL_SOURCE),
    );
    let run = check_config(dir.path());
    run.ok();
    assert_eq!(run.stdout, "ok\n");
}

#[test]
fn check_config_lists_every_problem_on_its_own_line() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "openslot.toml",
        r#"
[owner]
name = "Test Owner"
timezone = "Mars/Olympus_Mons"

[[sources]]
id = "cal"
kind = "ics"
url = "ftp://example.org/cal.ics"

[[event_types]]
slug = "chat"
title = "Chat"
duration_minutes = 60
"#,
    );
    let run = check_config(dir.path());
    run.fails(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    for key in ["owner.email", "owner.timezone", "sources[0].url"] {
        let hits = lines
            .iter()
            .filter(|l| l.contains(&format!("`{key}`")))
            .count();
        assert_eq!(hits, 1, "one line for `{key}`: {run:#?}");
    }
    assert_eq!(lines.len(), 3, "one line a problem, nothing else: {run:#?}");
    assert!(!run.stdout.contains("ok\n"), "{run:#?}");
}

#[test]
fn check_config_names_keys_of_later_entries() {
    let dir = TempDir::new().expect("temp dir");
    let sources = "\n[[sources]]\nid = \"a\"\nkind = \"ics\"\nurl = \"file://a.ics\"\n\n\
                   [[sources]]\nid = \"b\"\nkind = \"fax\"\nurl = \"file://b.ics\"\n";
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", sources),
    );
    let run = check_config(dir.path());
    run.fails(1);
    assert!(run.stdout.contains("`sources[1].kind`"), "{run:#?}");
    assert_eq!(run.stdout.lines().count(), 1, "{run:#?}");
}

#[test]
fn check_config_bad_environment_value_is_a_problem() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    let run = openslot_env(
        dir.path(),
        &["check-config", "--config", "openslot.toml"],
        &[("OPENSLOT_OWNER__TIMEZONE", "Mars/Olympus_Mons")],
    );
    run.fails(1);
    assert_eq!(run.stdout.lines().count(), 1, "{run:#?}");
    assert!(run.stdout.contains("OPENSLOT_OWNER__TIMEZONE"), "{run:#?}");
}

#[test]
fn check_config_not_toml_reports_the_line() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "openslot.toml",
        "[owner]\nname = \"x\"\nemail = \n",
    );
    let run = check_config(dir.path());
    run.fails(1);
    assert!(run.stdout.contains("line 3"), "{run:#?}");
}

#[test]
fn check_config_binary_garbage_is_a_problem_not_a_panic() {
    let dir = TempDir::new().expect("temp dir");
    let garbage: Vec<u8> = (0..=255u8).rev().chain(0..=255u8).collect();
    std::fs::write(dir.path().join("openslot.toml"), garbage).expect("write");
    let run = check_config(dir.path());
    run.fails(1);
    assert!(!run.stdout.trim().is_empty(), "a message: {run:#?}");
    assert_ne!(run.stdout.trim(), "ok");
}

#[test]
fn check_config_control_characters_are_a_problem_not_a_panic() {
    let dir = TempDir::new().expect("temp dir");
    for text in [
        "\u{0}\u{1}\u{7f}[[[\n",
        "[owner\n",
        "= = =",
        "[[sources]]\n[[sources]]\nid = 3\n",
        "owner = 5\nsources = \"x\"\nevent_types = [1, 2]\n",
        "",
    ] {
        write(dir.path(), "openslot.toml", text);
        let run = check_config(dir.path());
        run.fails(1);
        assert!(!run.stdout.trim().is_empty(), "{text:?}: {run:#?}");
    }
}

#[test]
fn check_config_missing_file_fails_naming_it() {
    let dir = TempDir::new().expect("temp dir");
    let run = check_config(dir.path());
    run.fails(1);
    assert!(run.stdout.contains("openslot.toml"), "{run:#?}");
}

// ---------------------------------------------------------------------------------------------
// the demo configuration in examples/

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

#[test]
fn demo_config_checks_out() {
    let dir = examples_dir();
    let run = openslot(&dir, &["check-config", "--config", "openslot.toml"]);
    run.ok();
    assert_eq!(run.stdout, "ok\n");
}

#[test]
fn demo_config_checks_out_from_another_folder() {
    let dir = TempDir::new().expect("temp dir");
    let config = examples_dir().join("openslot.toml");
    let config = config.to_str().expect("UTF-8 path");
    let run = openslot(dir.path(), &["check-config", "--config", config]);
    run.ok();
    assert_eq!(run.stdout, "ok\n");
}

/// The demo's slots (default type `intro`, 30 min) grouped by local date, as "HH:MM" starts.
fn demo_slots() -> (Value, Vec<(String, String)>) {
    // From a temp dir: relative file:// URLs resolve against the config's folder.
    let dir = TempDir::new().expect("temp dir");
    let config = examples_dir().join("openslot.toml");
    let config = config.to_str().expect("UTF-8 path");
    let run = openslot(
        dir.path(),
        &[
            "slots",
            "--config",
            config,
            "--from",
            "2026-11-30",
            "--to",
            "2026-12-04",
            "--json",
            "--now",
            "2026-11-25T12:00:00Z",
        ],
    );
    run.ok();
    assert!(
        !run.stderr.contains("warning"),
        "demo reads cleanly: {run:#?}"
    );
    let out = run.json();
    let slots = out["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .map(|s| {
            let text = |k: &str| s[k].as_str().expect("a time").to_owned();
            (text("start"), text("end"))
        })
        .collect();
    (out, slots)
}

/// The "HH:MM" starts of the slots on `date`.
fn starts_on(slots: &[(String, String)], date: &str) -> Vec<String> {
    slots
        .iter()
        .filter(|(s, _)| s.starts_with(date))
        .map(|(s, _)| s[11..16].to_owned())
        .collect()
}

#[test]
fn demo_slots_avoid_the_monday_team_meeting() {
    let (out, slots) = demo_slots();
    assert_eq!(out["timezone"], "Europe/Berlin");
    assert!(!slots.is_empty(), "{out}");
    // Team meeting: Monday 30 November 10:00-11:00 Berlin (+01:00).
    let meeting = ("2026-11-30T10:00:00+01:00", "2026-11-30T11:00:00+01:00");
    for (start, end) in &slots {
        assert!(
            start.ends_with("+01:00") && end.ends_with("+01:00"),
            "{start}"
        );
        // Same date and offset: the text compares like the time.
        let overlaps = start.as_str() < meeting.1 && meeting.0 < end.as_str();
        assert!(!overlaps, "{start}..{end} overlaps the team meeting");
    }
}

#[test]
fn demo_monday_slots() {
    let (_, slots) = demo_slots();
    // Monday 09:00-17:00, 30-min slots with a 10-min buffer after: stand-up 09:15-09:30 takes
    // 09:00; 09:30 would end where the team meeting (10:00-11:00) starts, inside the buffer;
    // lunch 12:00-13:00 is a block (blocks get no buffer).
    assert_eq!(
        starts_on(&slots, "2026-11-30"),
        [
            "11:00", "11:30", "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00",
            "16:30"
        ]
    );
}

#[test]
fn demo_moved_lecture_frees_wednesday_and_blocks_thursday() {
    let (_, slots) = demo_slots();
    // Wednesday 2 December, hours 09:00-12:00: the lecture was moved away (RECURRENCE-ID), so
    // only the stand-up blocks (09:00 slot).
    assert_eq!(
        starts_on(&slots, "2026-12-02"),
        ["09:30", "10:00", "10:30", "11:00", "11:30"]
    );
    // Thursday 3 December: seminar 09:00-10:30, the moved lecture 10:00-12:00, lunch, and the
    // tentative 1:1 16:00-16:30 (15:30 ends inside its buffer); no project review this week.
    assert_eq!(
        starts_on(&slots, "2026-12-03"),
        ["13:00", "13:30", "14:00", "14:30", "15:00", "16:30"]
    );
}

// ---------------------------------------------------------------------------------------------
// sync, sources

/// One good file source and one feed on a port nothing listens on.
fn sync_setup() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let sources = format!(
        "{CAL_SOURCE}\n[[sources]]\nid = \"deadfeed\"\nkind = \"ics\"\n\
         url = \"http://127.0.0.1:{port}/x.ics?token=s3cret\"\ntimeout_seconds = 5\n"
    );
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", &sources),
    );
    write(
        dir.path(),
        "cal.ics",
        &ics_events(&[
            ("e1", "20260105T090000Z", "20260105T100000Z"),
            ("e2", "20260106T090000Z", "20260106T100000Z"),
        ]),
    );
    dir
}

#[test]
fn sync_prints_a_line_per_source_and_a_status_table_and_fails_when_one_fails() {
    let dir = sync_setup();
    let run = openslot(dir.path(), &["sync", "--config", "openslot.toml"]);
    run.fails(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let line = |id: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(id) && l.contains('('))
            .unwrap_or_else(|| panic!("no progress line for {id}: {run:#?}"))
    };
    assert!(line("cal ").contains("synced"), "{run:#?}");
    assert!(line("deadfeed").contains("FAILED"), "{run:#?}");
    assert!(
        line("deadfeed").contains("cannot reach 127.0.0.1"),
        "{run:#?}"
    );
    let header = lines
        .iter()
        .position(|l| l.starts_with("ID "))
        .unwrap_or_else(|| panic!("no status table: {run:#?}"));
    let table = &lines[header + 1..];
    assert!(
        table[0].starts_with("cal ") && table[0].contains("ok, synced"),
        "{table:?}"
    );
    assert!(
        table[0].split_whitespace().nth(2) == Some("2"),
        "2 events: {table:?}"
    );
    assert!(table[1].contains("NEVER SYNCED"), "{table:?}");
    assert!(
        !run.stdout.contains("s3cret"),
        "no secret in the output: {run:#?}"
    );
    // The snapshot of the good source was kept.
    assert!(dir.path().join("data/snapshots/cal.json").exists());
}

#[test]
fn sync_verbose_logs_each_feed_request_without_its_token() {
    let dir = sync_setup();
    let run = openslot(
        dir.path(),
        &["sync", "--config", "openslot.toml", "--verbose"],
    );
    run.fails(1);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("openslot::http") && l.contains("/x.ics"))
        .unwrap_or_else(|| panic!("no request line: {run:#?}"));
    assert!(
        line.contains("DEBUG") && line.contains("request failed method=GET url=http://127.0.0.1:"),
        "{line}"
    );
    assert!(
        line.contains("/x.ics?… error=cannot reach 127.0.0.1"),
        "{line}"
    );
    assert!(line.contains(" ms="), "{line}");
    assert!(!run.stderr.contains("s3cret"), "{run:#?}");
    // Without --verbose (nor OPENSLOT_LOG) no log at all.
    let quiet = openslot(dir.path(), &["sync", "--config", "openslot.toml"]);
    assert!(!quiet.stderr.contains("openslot::http"), "{quiet:#?}");
}

#[test]
fn sync_json_reports_each_result_and_status() {
    let dir = sync_setup();
    let run = openslot(dir.path(), &["sync", "--config", "openslot.toml", "--json"]);
    run.fails(1);
    let v = run.json();
    assert_eq!(v["results"][0]["id"], "cal");
    assert_eq!(v["results"][0]["ok"], true);
    assert_eq!(v["results"][1]["ok"], false);
    assert_eq!(v["sources"][0]["event_count"], 2);
    assert_eq!(v["sources"][0]["freshness"], "fresh");
    assert_eq!(v["sources"][1]["freshness"], "never");
}

#[test]
fn sync_of_good_sources_succeeds() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", CAL_SOURCE),
    );
    write(dir.path(), "cal.ics", &ics(&[]));
    let run = openslot(dir.path(), &["sync", "--config", "openslot.toml"]);
    run.ok();
    // A second sync finds the file unchanged.
    let again = openslot(dir.path(), &["sync", "--config", "openslot.toml"]);
    again.ok();
    assert!(again.stdout.contains("unchanged"), "{again:#?}");
}

#[test]
fn sources_lists_calendars_status_and_contribution() {
    let dir = sync_setup();
    openslot(dir.path(), &["sync", "--config", "openslot.toml"]);
    let run = openslot(
        dir.path(),
        &["sources", "--config", "openslot.toml", "--json"],
    );
    run.ok();
    let v = run.json();
    assert_eq!(v[0]["id"], "cal");
    assert_eq!(v[0]["calendars"][0]["selected"], true);
    assert_eq!(v[0]["event_count"], 2);
    assert_eq!(v[1]["id"], "deadfeed");
    assert!(
        v[1]["discovery_error"]
            .as_str()
            .is_some_and(|e| e.contains("cannot reach")),
        "{v}"
    );
    let text = openslot(dir.path(), &["sources", "--config", "openslot.toml"]);
    text.ok();
    assert!(text.stdout.contains("cal (ics)"), "{text:#?}");
    assert!(
        text.stdout.contains("contributes: 2 events held"),
        "{text:#?}"
    );
    assert!(text.stdout.contains("NEVER SYNCED"), "{text:#?}");
    assert!(!text.stdout.contains("s3cret"), "{text:#?}");
}

#[test]
fn auth_refuses_a_source_of_another_kind() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        "openslot.toml",
        &config("Europe/Berlin", CAL_SOURCE),
    );
    let run = openslot(
        dir.path(),
        &[
            "auth",
            "google",
            "--config",
            "openslot.toml",
            "--source",
            "cal",
        ],
    );
    run.fails(2);
    assert!(run.stderr.contains("kind \"ics\""), "{run:#?}");
    let unknown = openslot(
        dir.path(),
        &[
            "auth",
            "microsoft",
            "--config",
            "openslot.toml",
            "--source",
            "nope",
        ],
    );
    unknown.fails(2);
    assert!(
        unknown.stderr.contains("no source with id `nope`"),
        "{unknown:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// backup

#[test]
fn backup_copies_the_database_and_refuses_to_overwrite() {
    let dir = TempDir::new().expect("temp dir");
    write(dir.path(), "openslot.toml", &config("Europe/Berlin", ""));
    let run = openslot(
        dir.path(),
        &["backup", "--config", "openslot.toml", "--to", "copy.db"],
    );
    run.ok();
    let copy = rusqlite::Connection::open(dir.path().join("copy.db")).expect("opens");
    let version: i64 = copy
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("a version");
    assert!(version >= 1);
    let check: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("checked");
    assert_eq!(check, "ok");
    let again = openslot(
        dir.path(),
        &["backup", "--config", "openslot.toml", "--to", "copy.db"],
    );
    again.fails(2);
    assert!(again.stderr.contains("exists already"), "{again:#?}");
}

// ---------------------------------------------------------------------------------------------
// hash-password

/// Runs `openslot hash-password` with `input` on stdin.
fn hash_password(input: &str) -> Run {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_openslot"))
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the openslot binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("written");
    let out = child.wait_with_output().expect("finished");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

#[test]
fn hash_password_prints_an_argon2id_hash_of_the_line() {
    let run = hash_password("correct horse battery\n");
    run.ok();
    let phc = run.stdout.trim();
    assert!(phc.starts_with("$argon2id$v=19$"), "{run:#?}");
    assert!(!run.stdout.contains("correct horse"), "{run:#?}");
    assert!(openslot::api::guards::password::verify(
        "correct horse battery",
        phc
    ));
    assert!(!openslot::api::guards::password::verify(
        "correct horse battery\n",
        phc
    ));
    assert!(!openslot::api::guards::password::verify("wrong", phc));
    // The config accepts it.
    let config = format!(
        "[owner]\nname = 'A'\nemail = 'a@example.org'\ntimezone = 'UTC'\n\
         [admin]\npassword_hash = '{phc}'\n\
         [[event_types]]\nslug = 'x'\ntitle = 'X'\nduration_minutes = 30\n"
    );
    openslot::config::from_toml_str(&config, &[], Path::new(".")).expect("a valid hash");

    let empty = hash_password("\n");
    empty.fails(2);
    assert!(empty.stderr.contains("no password"), "{empty:#?}");
    hash_password("").fails(2);
}
