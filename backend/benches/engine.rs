//! Engine benchmarks on the heavy data set of ../shared/bench (3 calendars, 1.37 MB, 5,753
//! VEVENTs): parsing (MB/s), cold busy time for 60 days (parse + expand + merge), and the warm
//! path of a running server (calendars already parsed): busy + slots for 60 days, and a restart
//! of the service (three saved snapshots read from disk, parsed, busy time for 60 days).
//!
//! The data is generated with ../shared/bench/gen/gen_calendars.py (seed 42) into
//! target/bench-data on first use. Skips with a message when ../shared is absent.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use openslot::availability::{EventType, Facts, Rules, SourceBusy, TimeRange, WeeklyHours, slots};
use openslot::calendar::{BusyPolicy, Calendar, Interval, busy_intervals, parse_calendar};

fn heavy_data() -> Option<Vec<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let generator = root.join("../shared/bench/gen/gen_calendars.py");
    if !generator.exists() {
        eprintln!("SKIPPED: ../shared/bench not found; the engine benchmarks need its generator");
        return None;
    }
    let dir: PathBuf = root.join("target/bench-data/heavy");
    if !dir.join("cal3.ics").exists() {
        let status = Command::new("python3")
            .arg(&generator)
            .arg(&dir)
            .args(["--profile", "heavy", "--seed", "42"])
            .status()
            .ok()?;
        if !status.success() {
            eprintln!("SKIPPED: the data generator failed");
            return None;
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ics"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

fn window(days: i64) -> Interval {
    let start = NaiveDate::from_ymd_opt(2025, 6, 2)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or_default();
    Interval::new(start, start + Duration::days(days)).unwrap_or(Interval { start, end: start })
}

fn busy_of(cals: &[Calendar], w: Interval) -> Vec<SourceBusy> {
    cals.iter()
        .enumerate()
        .map(|(i, c)| {
            let mut warnings = Vec::new();
            SourceBusy {
                source_id: format!("cal{i}"),
                intervals: busy_intervals(
                    c,
                    w,
                    chrono_tz::UTC,
                    &BusyPolicy::default(),
                    &mut warnings,
                ),
            }
        })
        .collect()
}

fn rules() -> Rules {
    let range = |a: u32, b: u32| TimeRange {
        start: chrono::NaiveTime::from_hms_opt(a, 0, 0).unwrap_or_default(),
        end: chrono::NaiveTime::from_hms_opt(b, 0, 0).unwrap_or_default(),
        end_of_day: false,
    };
    let day = vec![range(9, 12), range(13, 17)];
    Rules {
        timezone: chrono_tz::Europe::Berlin,
        working_hours: WeeklyHours {
            days: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                vec![],
                vec![],
            ],
        },
        date_overrides: Default::default(),
        recurring_blocks: vec![],
        min_notice: Duration::hours(2),
        horizon_days: 90,
        buffer_before: Duration::zero(),
        buffer_after: Duration::minutes(10),
        max_bookings_per_day: None,
    }
}

fn bench_engine(c: &mut Criterion) {
    let Some(texts) = heavy_data() else { return };
    let bytes: usize = texts.iter().map(String::len).sum();

    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("heavy_3_files", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| parse_calendar(black_box(t), "bench"))
                .collect::<Vec<_>>()
        })
    });
    g.finish();

    let w60 = window(60);
    c.bench_function("cold_busy_60d (parse + expand + merge)", |b| {
        b.iter(|| {
            let cals: Vec<Calendar> = texts.iter().map(|t| parse_calendar(t, "bench")).collect();
            busy_of(&cals, black_box(w60))
        })
    });

    let cals: Vec<Calendar> = texts.iter().map(|t| parse_calendar(t, "bench")).collect();
    c.bench_function("warm_busy_60d (expand + merge)", |b| {
        b.iter(|| busy_of(&cals, black_box(w60)))
    });

    let busy = busy_of(&cals, w60);
    let rules = rules();
    let event_type = EventType {
        slug: "intro".into(),
        title: "Intro".into(),
        description: String::new(),
        duration: Duration::minutes(30),
        step: Duration::minutes(30),
        buffer_before: None,
        buffer_after: None,
        max_per_day: None,
    };
    let now: DateTime<Utc> = w60.start;
    let facts = Facts {
        busy: &busy,
        open: None,
        bookings: &[],
        blocks: &[],
        now,
    };
    c.bench_function("warm_slots_60d (from merged busy)", |b| {
        b.iter(|| slots(&rules, &event_type, black_box(&facts), w60.start, w60.end))
    });
    c.bench_function("warm_busy_and_slots_60d", |b| {
        b.iter(|| {
            let busy = busy_of(&cals, w60);
            let facts = Facts {
                busy: &busy,
                open: None,
                bookings: &[],
                blocks: &[],
                now,
            };
            slots(&rules, &event_type, &facts, w60.start, w60.end).len()
        })
    });
}

/// A restart: the snapshots a running service saved are read back, parsed, and give busy time.
fn bench_restart(c: &mut Criterion) {
    use openslot::sources::{Cursor, Fetched, Item};
    use openslot::sync::{Loaded, snapshot};
    let Some(texts) = heavy_data() else { return };
    let Ok(dir) = tempfile::tempdir() else { return };
    let w60 = window(60);
    for (i, text) in texts.iter().enumerate() {
        let mut loaded = Loaded::default();
        loaded.snapshot.source_id = format!("cal{i}");
        let items = [(
            "feed".to_owned(),
            Item::Ics {
                etag: None,
                text: text.clone(),
            },
        )]
        .into();
        loaded.apply(
            Fetched::Full {
                items,
                cursor: Cursor::default(),
            },
            w60,
            w60.start,
        );
        if snapshot::save(dir.path(), &loaded.snapshot).is_err() {
            return;
        }
    }
    c.bench_function(
        "restart_from_snapshots_busy_60d (read + parse + expand + merge)",
        |b| {
            b.iter(|| {
                (0..texts.len())
                    .filter_map(|i| {
                        snapshot::load(dir.path(), &format!("cal{i}"))
                            .ok()
                            .flatten()
                    })
                    .map(|s| {
                        Loaded::new(s)
                            .busy(w60, chrono_tz::UTC, &BusyPolicy::default(), &mut Vec::new())
                            .len()
                    })
                    .sum::<usize>()
            })
        },
    );
}

criterion_group! {
    name = engine;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench_engine, bench_restart
}
criterion_main!(engine);
