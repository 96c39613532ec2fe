//! Differential test: our busy time against the reference output for every file of
//! ../shared/corpus (real-world calendars from many producers).
//!
//! Every file with an expected output must agree, or be listed in `corpus_known_differences.txt`
//! with the reason and the RFC clause behind our answer. Files the reference cannot read must
//! not make the engine panic. Without ../shared it fails under `make test`, and skips by hand.

use openslot_testkit::required;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use openslot::calendar::{BusyPolicy, Interval, busy_intervals, parse_calendar};
use serde_json::Value;

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    dir.join("manifest.json").exists().then_some(dir)
}

/// Every file under the corpus' `real/` folder, also those without a manifest entry.
fn all_corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut stack = vec![dir.join("real")];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).expect("corpus folder readable") {
            let p = e.expect("corpus entry readable").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("time string"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

fn known_differences() -> BTreeMap<String, String> {
    let text = include_str!("corpus_known_differences.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (file, why) = l.split_once(' ').unwrap_or((l, ""));
            (file.trim().to_owned(), why.trim().to_owned())
        })
        .collect()
}

fn fmt(ivs: &[Interval]) -> Vec<String> {
    ivs.iter()
        .map(|i| format!("{}..{}", i.start.format("%FT%TZ"), i.end.format("%FT%TZ")))
        .collect()
}

#[test]
fn corpus_agrees_with_reference() {
    let Some(dir) = corpus_dir() else {
        required::missing("corpus differential", "../shared/corpus");
        return;
    };
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let known = known_differences();
    let mut checked = 0;
    let mut crash_only = 0;
    let mut failures = Vec::new();
    let mut known_seen = Vec::new();
    for entry in manifest["files"].as_array().unwrap() {
        let file = entry["file"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let tz = chrono_tz::Tz::from_str(entry["tz"].as_str().unwrap()).unwrap();
        // Files without a window (no events at all) get a wide one: they must just not crash.
        let window = match entry["window"].is_null() {
            false => Interval::new(
                time(&entry["window"]["start"]),
                time(&entry["window"]["end"]),
            ),
            true => Interval::new(
                time(&"1970-01-01T00:00:00Z".into()),
                time(&"2100-01-01T00:00:00Z".into()),
            ),
        }
        .unwrap();
        let cal = parse_calendar(&text, file);
        let mut warnings = Vec::new();
        let got = busy_intervals(&cal, window, tz, &BusyPolicy::default(), &mut warnings);
        if !entry["error"].is_null() {
            crash_only += 1;
            continue;
        }
        let expected_doc: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(entry["expected"].as_str().unwrap())).unwrap(),
        )
        .unwrap();
        let want: Vec<Interval> = expected_doc["busy"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| Interval::new(time(&b["start"]), time(&b["end"])).unwrap())
            .collect();
        checked += 1;
        let agrees = got == want;
        match (agrees, known.get(file)) {
            (true, None) => {}
            (true, Some(_)) => failures.push(format!(
                "{file}: listed as a known difference but now agrees; remove it from the list"
            )),
            (false, Some(_)) => known_seen.push(file.to_owned()),
            (false, None) => {
                let (g, w) = (fmt(&got), fmt(&want));
                let missing: Vec<_> = w.iter().filter(|x| !g.contains(x)).take(4).collect();
                let extra: Vec<_> = g.iter().filter(|x| !w.contains(x)).take(4).collect();
                failures.push(format!(
                    "{file}: got {} intervals, want {}; missing {missing:?}; extra {extra:?}; warnings {:?}",
                    g.len(),
                    w.len(),
                    warnings.iter().chain(&cal.warnings).take(3).map(|w| w.to_string()).collect::<Vec<_>>()
                ));
            }
        }
    }
    for file in known.keys() {
        if !manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["file"] == file.as_str())
        {
            failures.push(format!(
                "{file}: in the known-differences list but not in the corpus"
            ));
        }
    }
    eprintln!(
        "corpus: {checked} files compared, {} known differences, {crash_only} without a reference (must not crash)",
        known_seen.len()
    );
    assert!(checked > 50, "too few corpus files compared: {checked}");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every file in the corpus folder, also those without a manifest entry (the libical vector
/// files), parses without a panic.
#[test]
fn every_corpus_file_parses_without_panic() {
    let Some(dir) = corpus_dir() else {
        required::missing("corpus", "../shared/corpus");
        return;
    };
    let mut n = 0;
    for p in all_corpus_files(&dir) {
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        let cal = parse_calendar(&text, &p.display().to_string());
        let window = Interval::new(
            DateTime::parse_from_rfc3339("1990-01-01T00:00:00Z")
                .unwrap()
                .into(),
            DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
                .unwrap()
                .into(),
        )
        .unwrap();
        let mut warnings = Vec::new();
        let _ = busy_intervals(
            &cal,
            window,
            chrono_tz::UTC,
            &BusyPolicy::default(),
            &mut warnings,
        );
        n += 1;
    }
    assert!(n > 100, "only {n} files found");
}

/// Hands out a text a few bytes at a time, so chunk boundaries fall everywhere: inside lines,
/// between CR and LF, before a folded continuation, inside UTF-8 sequences.
struct Dribble<'a> {
    data: &'a [u8],
    step: usize,
}

impl std::io::Read for Dribble<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.step = self.step % 13 + 1;
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Reading a calendar in pieces gives exactly what parsing the whole text gives, warnings and
/// their line numbers included, for every corpus file.
#[test]
fn reading_in_chunks_equals_parsing_the_whole_text() {
    let Some(dir) = corpus_dir() else {
        required::missing("corpus", "../shared/corpus");
        return;
    };
    let mut n = 0;
    for p in all_corpus_files(&dir) {
        let bytes = std::fs::read(&p).unwrap();
        let whole = parse_calendar(&String::from_utf8_lossy(&bytes), "f");
        let read = openslot::calendar::parse_reader(
            Dribble {
                data: &bytes,
                step: 0,
            },
            "f",
        )
        .unwrap();
        assert_eq!(format!("{whole:?}"), format!("{read:?}"), "{}", p.display());
        n += 1;
    }
    assert!(n > 100);
}
