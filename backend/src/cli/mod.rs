//! The `openslot` command line. Its subcommands, flags and output formats are a contract:
//! scripts and acceptance checks depend on them.
//!
//! - `openslot busy --ics FILE [--ics FILE ...] --from RFC3339 --to RFC3339 [--tz ZONE] [--json]`
//! - `openslot slots --config FILE --from DATE --to DATE [--event-type SLUG] [--tz ZONE] [--json]`
//! - `openslot explain --config FILE --at RFC3339 [--event-type SLUG] [--json]`
//! - `openslot check-config --config FILE`
//! - `openslot sync --config FILE [--json]`: one sync of every source, a progress line per source
//!   and a final status table; exit 1 when a source failed
//! - `openslot sources --config FILE [--json]`: discovered calendars, status, what each contributes
//! - `openslot auth google|microsoft --config FILE --source ID`: authorize OpenSlot once
//! - `openslot serve --config FILE`: the booking service (public and admin listeners)
//! - `openslot openapi`: the OpenAPI document of the public API (`openapi.yaml` is its output)
//! - `openslot backup --config FILE --to PATH`: a consistent copy of the database, also while
//!   the service runs
//! - `openslot hash-password`: reads a password from stdin, prints its argon2id hash for
//!   `[admin] password_hash`
//! - `openslot healthcheck [--url URL]`: exit 0 when URL (default the public `/healthz` on
//!   127.0.0.1:8080) answers 200; the container's HEALTHCHECK (the image has no curl)
//!
//! `--now RFC3339` (slots, explain) replaces the clock, for reproducible output. `slots` and
//! `explain` read the sources through the sync layer: a quick refresh, then the snapshots in
//! `data_dir` under the freshness policy (a source that cannot be read and has no fresh copy
//! counts as busy unless `fail_open`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::availability::{Explanation, explain, slots};
use crate::calendar::{BusyPolicy, Interval, Warning, busy_intervals, merge_intervals};
use crate::config::{self, Config};
use crate::{clock, sources};

use sources_cmd::sources_busy;

/// Like `println!`, but a closed pipe (`openslot slots ... | head`) ends output quietly.
macro_rules! outln {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod admin_cmd;
mod health_cmd;
mod serve_cmd;
mod sources_cmd;

#[derive(Debug, Parser)]
#[command(
    name = "openslot",
    version,
    about = "Self-hosted calendar aggregator and booking service"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The merged busy intervals of ICS files in a window (UTC, sorted, merged, clipped).
    Busy {
        /// An iCalendar file; repeat for several.
        #[arg(long = "ics", required = true)]
        ics: Vec<PathBuf>,
        /// Window start, RFC 3339 (e.g. 2026-01-05T00:00:00Z).
        #[arg(long)]
        from: String,
        /// Window end, RFC 3339 (exclusive).
        #[arg(long)]
        to: String,
        /// The owner's zone for floating and all-day values.
        #[arg(long, default_value = "UTC")]
        tz: String,
        #[arg(long)]
        json: bool,
    },
    /// The free slots of an event type between two dates (inclusive), in a zone.
    Slots {
        #[arg(long)]
        config: PathBuf,
        /// First day, YYYY-MM-DD, in the display zone.
        #[arg(long)]
        from: String,
        /// Last day (inclusive), YYYY-MM-DD, in the display zone.
        #[arg(long)]
        to: String,
        /// Event type slug; default: the first one in the configuration.
        #[arg(long = "event-type")]
        event_type: Option<String>,
        /// Display zone; default: the owner's.
        #[arg(long)]
        tz: Option<String>,
        #[arg(long)]
        json: bool,
        /// Use this instant as "now" (RFC 3339) instead of the clock.
        #[arg(long)]
        now: Option<String>,
    },
    /// Why an instant is or is not bookable.
    Explain {
        #[arg(long)]
        config: PathBuf,
        /// The instant, RFC 3339.
        #[arg(long)]
        at: String,
        #[arg(long = "event-type")]
        event_type: Option<String>,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        now: Option<String>,
    },
    /// Checks a configuration file: prints every problem with its key, or "ok".
    CheckConfig {
        #[arg(long)]
        config: PathBuf,
    },
    /// One sync of every source: a line per source as it finishes, then a status table.
    Sync {
        #[arg(long)]
        config: PathBuf,
        #[arg(long)]
        json: bool,
        /// Also print each calendar request to stderr: method, URL (without user info or
        /// query), status and milliseconds.
        #[arg(long)]
        verbose: bool,
    },
    /// Every source: its calendars (discovered), its status and what it contributes.
    Sources {
        #[arg(long)]
        config: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Runs the booking service until SIGTERM/SIGINT.
    Serve {
        #[arg(long)]
        config: PathBuf,
    },
    /// Prints the OpenAPI document (YAML) of the public API.
    Openapi,
    /// Copies the database consistently (also while `serve` runs).
    Backup {
        #[arg(long)]
        config: PathBuf,
        /// The new file (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Prints the owner's secret feed URLs (bookings.ics, then freebusy.ics), one per line.
    Feeds {
        #[arg(long)]
        config: PathBuf,
    },
    /// Reads a password (one line) from stdin and prints its argon2id hash for `[admin]`.
    HashPassword,
    /// Exit 0 when the URL answers 200 (plain HTTP): the container's health check.
    Healthcheck {
        #[arg(long, default_value = "http://127.0.0.1:8080/healthz")]
        url: String,
    },
    /// Authorizes OpenSlot to read and write a Google or Microsoft calendar (once per source).
    Auth {
        #[arg(value_enum)]
        service: sources_cmd::Service,
        #[arg(long)]
        config: PathBuf,
        /// The id of the source in the configuration.
        #[arg(long)]
        source: String,
        /// For a server the browser cannot reach: print the consent URL, then read the code
        /// (or the whole address the browser was sent to) pasted on stdin.
        #[arg(long)]
        paste: bool,
    },
}

/// A problem the user must fix, explained in words; the exit code is 1 (2 for usage errors).
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failed(String),
}

/// Runs the command line; returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match crate::clock::pin_from_env() {
        Ok(None) => {}
        Ok(Some(start)) => eprintln!(
            "note: the clock is pinned: it started at {} ({}; for tests and demos)",
            start.to_rfc3339(),
            crate::clock::CLOCK_START_VAR
        ),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let result = match cli.command {
        Command::Busy {
            ics,
            from,
            to,
            tz,
            json,
        } => busy_cmd(&ics, &from, &to, &tz, json),
        Command::Slots {
            config,
            from,
            to,
            event_type,
            tz,
            json,
            now,
        } => slots_cmd(
            &config,
            &from,
            &to,
            event_type.as_deref(),
            tz.as_deref(),
            json,
            now.as_deref(),
        ),
        Command::Explain {
            config,
            at,
            event_type,
            json,
            now,
        } => explain_cmd(&config, &at, event_type.as_deref(), json, now.as_deref()),
        Command::CheckConfig { config } => check_config_cmd(&config),
        Command::Sync {
            config,
            json,
            verbose,
        } => sources_cmd::sync_cmd(&config, json, verbose),
        Command::Serve { config } => serve_cmd::serve(&config),
        Command::Openapi => serve_cmd::openapi(),
        Command::Backup { config, to } => serve_cmd::backup(&config, &to),
        Command::Feeds { config } => serve_cmd::feeds(&config),
        Command::HashPassword => admin_cmd::hash_password(),
        Command::Healthcheck { url } => health_cmd::healthcheck(&url),
        Command::Sources { config, json } => sources_cmd::sources_cmd(&config, json),
        Command::Auth {
            service,
            config,
            source,
            paste,
        } => sources_cmd::auth_cmd(service, &config, &source, paste),
    };
    match result {
        Ok(code) => code,
        Err(CliError::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(CliError::Failed(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

fn parse_instant(flag: &str, text: &str) -> Result<DateTime<Utc>, CliError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| CliError::Usage(format!("{flag} {text:?} is not an RFC 3339 time: {e}")))
}

fn parse_zone(flag: &str, text: &str) -> Result<Tz, CliError> {
    Tz::from_str(text)
        .map_err(|_| CliError::Usage(format!("{flag} {text:?} is not an IANA time zone")))
}

fn parse_day(flag: &str, text: &str) -> Result<NaiveDate, CliError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| CliError::Usage(format!("{flag} {text:?} is not a date (YYYY-MM-DD)")))
}

fn print_warnings(warnings: &[Warning]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

#[derive(Serialize)]
struct JsonInterval {
    start: String,
    end: String,
}

/// RFC 3339 in UTC with a `Z`; fractions of a second only when there are some.
fn utc_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn busy_cmd(
    files: &[PathBuf],
    from: &str,
    to: &str,
    tz: &str,
    json: bool,
) -> Result<ExitCode, CliError> {
    let (from, to) = (parse_instant("--from", from)?, parse_instant("--to", to)?);
    let owner = parse_zone("--tz", tz)?;
    let window = Interval::new(from, to)
        .ok_or_else(|| CliError::Usage("--to must be after --from".into()))?;
    let mut all = Vec::new();
    let mut warnings = Vec::new();
    for file in files {
        let cal = sources::read_ics_file(file).map_err(|e| CliError::Failed(e.to_string()))?;
        warnings.extend(cal.warnings.iter().cloned());
        all.extend(busy_intervals(
            &cal,
            window,
            owner,
            &BusyPolicy::default(),
            &mut warnings,
        ));
    }
    merge_intervals(&mut all);
    print_warnings(&warnings);
    if json {
        let out: Vec<JsonInterval> = all
            .iter()
            .map(|i| JsonInterval {
                start: utc_text(i.start),
                end: utc_text(i.end),
            })
            .collect();
        outln!(
            "{}",
            serde_json::to_string(&out).map_err(|e| CliError::Failed(e.to_string()))?
        );
    } else {
        for i in &all {
            outln!("{} .. {}", utc_text(i.start), utc_text(i.end));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn load_config(path: &Path) -> Result<Config, CliError> {
    config::check_file(path, &config::process_env()).map_err(|problems| {
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        CliError::Failed(format!(
            "the configuration {} has problems:\n{}",
            path.display(),
            list.join("\n")
        ))
    })
}

fn pick_event_type(
    config: &Config,
    slug: Option<&str>,
) -> Result<crate::availability::EventType, CliError> {
    let types = config.event_types();
    match slug {
        Some(s) => config.event_type(s).ok_or_else(|| {
            let known: Vec<&str> = types.iter().map(|t| t.slug.as_str()).collect();
            CliError::Usage(format!("no event type {s:?}; known: {}", known.join(", ")))
        }),
        None => types
            .into_iter()
            .next()
            .ok_or_else(|| CliError::Failed("the configuration has no event type".into())),
    }
}

fn now_or_clock(now: Option<&str>) -> Result<DateTime<Utc>, CliError> {
    match now {
        Some(t) => parse_instant("--now", t),
        None => Ok(clock::now()),
    }
}

#[derive(Serialize)]
struct SlotsJson {
    timezone: String,
    slots: Vec<JsonInterval>,
}

/// The first instant of a day in `tz` (also when a DST gap skips midnight).
fn local_midnight(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    crate::availability::start_of_day(tz, day)
        .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc())
}

#[allow(clippy::too_many_arguments)]
fn slots_cmd(
    path: &Path,
    from: &str,
    to: &str,
    slug: Option<&str>,
    tz: Option<&str>,
    json: bool,
    now: Option<&str>,
) -> Result<ExitCode, CliError> {
    let config = load_config(path)?;
    let display = match tz {
        Some(t) => parse_zone("--tz", t)?,
        None => config.owner.timezone,
    };
    let (first, last) = (parse_day("--from", from)?, parse_day("--to", to)?);
    if last < first {
        return Err(CliError::Usage("--to must not be before --from".into()));
    }
    let out_of_range = || CliError::Usage("--from/--to: dates out of range".into());
    let start = local_midnight(display, first);
    let end = local_midnight(display, last.succ_opt().ok_or_else(out_of_range)?);
    let event_type = pick_event_type(&config, slug)?;
    let now = now_or_clock(now)?;
    // Busy time a little beyond the window: buffers reach across its edges.
    let margin = Duration::days(2);
    let (Some(busy_start), Some(busy_end)) = (
        start.checked_sub_signed(margin),
        end.checked_add_signed(margin),
    ) else {
        return Err(out_of_range());
    };
    let busy_window = Interval::new(busy_start, busy_end)
        .ok_or_else(|| CliError::Usage("empty window".into()))?;
    let time = sources_busy(&config, busy_window, now);
    let facts = time.facts(&[], &[], now);
    let found = slots(&config.rules(), &event_type, &facts, start, end);
    let shown = |t: DateTime<Utc>| t.with_timezone(&display).to_rfc3339();
    if json {
        let out = SlotsJson {
            timezone: display.name().to_owned(),
            slots: found
                .iter()
                .map(|s| JsonInterval {
                    start: shown(s.start),
                    end: shown(s.end),
                })
                .collect(),
        };
        outln!(
            "{}",
            serde_json::to_string(&out).map_err(|e| CliError::Failed(e.to_string()))?
        );
    } else {
        outln!(
            "{} ({} min) in {}:",
            event_type.title,
            event_type.duration.num_minutes(),
            display.name()
        );
        let mut day = None;
        for s in &found {
            let local = s.start.with_timezone(&display);
            if day != Some(local.date_naive()) {
                day = Some(local.date_naive());
                outln!("{}", local.format("%a %Y-%m-%d"));
            }
            outln!(
                "  {} - {}",
                local.format("%H:%M"),
                s.end.with_timezone(&display).format("%H:%M")
            );
        }
        if found.is_empty() {
            outln!("  no free slots");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct ExplainJson {
    at: String,
    bookable: bool,
    reasons: Vec<String>,
    /// Only with availability sources.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    opened_by: Vec<String>,
}

fn explain_cmd(
    path: &Path,
    at: &str,
    slug: Option<&str>,
    json: bool,
    now: Option<&str>,
) -> Result<ExitCode, CliError> {
    let config = load_config(path)?;
    let at = parse_instant("--at", at)?;
    let event_type = match slug {
        Some(s) => Some(pick_event_type(&config, Some(s))?),
        None => None,
    };
    let now = now_or_clock(now)?;
    let window = Interval::new(at - Duration::days(2), at + Duration::days(2))
        .ok_or_else(|| CliError::Usage("--at out of range".into()))?;
    let time = sources_busy(&config, window, now);
    let facts = time.facts(&[], &[], now);
    let Explanation {
        bookable,
        reasons,
        opened_by,
    } = explain(&config.rules(), event_type.as_ref(), &facts, at);
    let reasons: Vec<String> = reasons.iter().map(ToString::to_string).collect();
    let opened_by: Vec<String> = opened_by.iter().map(ToString::to_string).collect();
    if json {
        let out = ExplainJson {
            at: utc_text(at),
            bookable,
            reasons,
            opened_by,
        };
        outln!(
            "{}",
            serde_json::to_string(&out).map_err(|e| CliError::Failed(e.to_string()))?
        );
    } else {
        let local = at.with_timezone(&config.owner.timezone);
        outln!(
            "{} ({}): {}",
            local.format("%a %Y-%m-%d %H:%M %Z"),
            utc_text(at),
            if bookable { "bookable" } else { "not bookable" }
        );
        for r in reasons.iter().chain(&opened_by) {
            outln!("  - {r}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check_config_cmd(path: &Path) -> Result<ExitCode, CliError> {
    match config::check_file(path, &config::process_env()) {
        Ok(_) => {
            outln!("ok");
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            for p in &problems {
                outln!("{p}");
            }
            Ok(ExitCode::from(1))
        }
    }
}
