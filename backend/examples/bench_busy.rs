//! The busy-interval benchmark contract of ../shared/bench (README there):
//!
//! `bench_busy WINDOW_START DAYS file1.ics [file2.ics ...]` prints one line
//! `impl=rust-openslot instances=N busy=M checksum=C parse_ms=P expand_ms=E`.
//! DATE and floating values count as UTC. `REPEAT=N` reports the fastest of N in-process runs
//! (the warm, long-running-server view).

use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use openslot::calendar::{BusyPolicy, Calendar, Interval, busy_intervals_counted, merge_intervals};

fn read_and_parse(path: &str) -> Calendar {
    openslot::sources::read_ics_file(std::path::Path::new(path)).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: bench_busy WINDOW_START(YYYY-MM-DD) DAYS file.ics [file.ics ...]");
        std::process::exit(2);
    }
    let Ok(day) = NaiveDate::parse_from_str(&args[0], "%Y-%m-%d") else {
        eprintln!("bad WINDOW_START {}", args[0]);
        std::process::exit(2);
    };
    let Ok(days) = args[1].parse::<i64>() else {
        eprintln!("bad DAYS {}", args[1]);
        std::process::exit(2);
    };
    let start: DateTime<Utc> = day.and_time(chrono::NaiveTime::MIN).and_utc();
    let Some(window) = Interval::new(start, start + chrono::Duration::days(days)) else {
        eprintln!("empty window");
        std::process::exit(2);
    };
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let sequential = std::env::var("THREADS").is_ok_and(|t| t == "1");
    let (mut best_parse, mut best_expand) = (f64::MAX, f64::MAX);
    let mut line = String::new();
    for _ in 0..repeat.max(1) {
        let t0 = Instant::now();
        // Sources are independent: parse them on all cores, as the server's sync does
        // (`THREADS=1` parses them one after another).
        let cals: Vec<Calendar> = if sequential {
            args[2..].iter().map(|p| read_and_parse(p)).collect()
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = args[2..]
                    .iter()
                    .map(|path| scope.spawn(move || read_and_parse(path)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| std::process::exit(1)))
                    .collect()
            })
        };
        let t1 = Instant::now();
        let policy = BusyPolicy::default();
        let mut instances = 0usize;
        let mut busy = Vec::new();
        let mut warnings = Vec::new();
        for cal in &cals {
            let (ivs, n) =
                busy_intervals_counted(cal, window, chrono_tz::UTC, &policy, &mut warnings);
            instances += n;
            busy.extend(ivs);
        }
        merge_intervals(&mut busy);
        let t2 = Instant::now();
        let checksum: i64 = busy
            .iter()
            .map(|i| i.start.timestamp() + 2 * i.end.timestamp())
            .sum();
        best_parse = best_parse.min((t1 - t0).as_secs_f64() * 1e3);
        best_expand = best_expand.min((t2 - t1).as_secs_f64() * 1e3);
        line = format!(
            "impl=rust-openslot instances={instances} busy={} checksum={checksum}",
            busy.len()
        );
    }
    println!("{line} parse_ms={best_parse:.2} expand_ms={best_expand:.2}");
}
