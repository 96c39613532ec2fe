//! `openslot sync`, `openslot sources`, `openslot auth`, and the busy time the other commands
//! read through the sync layer.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::availability::{CalendarTime, SourceBusy};
use crate::calendar::Interval;
use crate::clock;
use crate::config::{Config, SourceKind, SourceRole};
use crate::sources::{DiscoveredCalendar, SourceContext, oauth, open_source};
use crate::sync::{SourceStatus, SyncHub, SyncReport, status::age_text};

use super::{CliError, load_config, print_warnings};

/// How long `slots` and `explain` wait for a refresh of the sources before they use the copies.
const CLI_REFRESH_BUDGET: Duration = Duration::from_secs(10);

/// The services `openslot auth` knows.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Service {
    Google,
    Microsoft,
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the async runtime: {e}")))
}

/// A hub of every source the service reads: the configuration file's and those added in the
/// dashboard (stored in the database, their secrets opened with the key file), exactly as
/// `serve` puts them together. Without a database there are no dashboard sources, and none is
/// made (a command that only reads must not create one).
fn all_sources(config: &Config) -> Result<Arc<SyncHub>, CliError> {
    let hub = Arc::new(SyncHub::new(config));
    let data_dir = &config.server.data_dir;
    if !crate::store::Store::exists(data_dir) {
        return Ok(hub);
    }
    let store = crate::store::Store::open(data_dir).map_err(|e| CliError::Failed(e.to_string()))?;
    let stored = store
        .call_now(|c| crate::store::sources::list(c))
        .map_err(|e| CliError::Failed(e.to_string()))?;
    if stored.is_empty() {
        return Ok(hub);
    }
    let secrets =
        crate::store::secret_box::SecretBox::load_or_create(&config.server.secrets_key_file)
            .map_err(|e| CliError::Failed(e.to_string()))?;
    crate::sync::catalog::SourceCatalog::open(config, store, &hub, secrets)
        .map_err(|e| CliError::Failed(e.to_string()))?;
    Ok(hub)
}

/// What every source says about `window` (busy time, availability events): a quick refresh,
/// then the snapshots under the freshness policy. Warnings go to stderr.
pub(super) fn sources_busy(config: &Config, window: Interval, now: DateTime<Utc>) -> CalendarTime {
    let Ok(rt) = runtime() else {
        // No runtime: nothing can be read, so every source counts as unreadable.
        return fail_closed(config, window);
    };
    let Ok(hub) = all_sources(config) else {
        return fail_closed(config, window);
    };
    rt.block_on(async {
        hub.refresh_all(now, CLI_REFRESH_BUDGET).await;
        let (time, warnings) = hub.time(window, now);
        print_warnings(&warnings);
        time
    })
}

fn fail_closed(config: &Config, window: Interval) -> CalendarTime {
    let busy = config
        .sources
        .iter()
        .filter(|s| !s.fail_open)
        .map(|s| SourceBusy {
            source_id: s.id.clone(),
            intervals: vec![window],
        })
        .collect();
    // Nothing was read: no availability event opens anything.
    let open = config
        .sources
        .iter()
        .any(|s| s.role == SourceRole::Availability)
        .then(Vec::new);
    CalendarTime { busy, open }
}

#[derive(Serialize)]
struct SyncJson<'a> {
    results: Vec<SyncResultJson<'a>>,
    sources: Vec<SourceStatus>,
}

#[derive(Serialize)]
struct SyncResultJson<'a> {
    id: &'a str,
    ok: bool,
    changed: bool,
    error: Option<String>,
    seconds: f64,
}

/// `verbose` (or `OPENSLOT_LOG`) logs to stderr, each calendar request on a line of its own.
pub(super) fn sync_cmd(path: &Path, json: bool, verbose: bool) -> Result<ExitCode, CliError> {
    if verbose || std::env::var_os("OPENSLOT_LOG").is_some() {
        super::serve_cmd::init_logging("warn", verbose);
    }
    let config = load_config(path)?;
    let rt = runtime()?;
    let hub = all_sources(&config)?;
    let (reports, statuses) = rt.block_on(async {
        let width = hub
            .statuses(clock::now())
            .iter()
            .map(|s| s.id.len())
            .max()
            .unwrap_or(0);
        let reports = hub
            .sync_all_with(clock::now(), |r| {
                if !json {
                    progress_line(r, width);
                }
            })
            .await;
        (reports, hub.statuses(clock::now()))
    });
    let failed = reports.iter().any(|r| r.result.is_err());
    if json {
        let out = SyncJson {
            results: reports
                .iter()
                .map(|r| SyncResultJson {
                    id: &r.source_id,
                    ok: r.result.is_ok(),
                    changed: matches!(r.result, Ok(true)),
                    error: r.result.as_ref().err().map(ToString::to_string),
                    seconds: r.took.as_secs_f64(),
                })
                .collect(),
            sources: statuses,
        };
        outln!(
            "{}",
            serde_json::to_string(&out).map_err(|e| CliError::Failed(e.to_string()))?
        );
    } else {
        if statuses.is_empty() {
            outln!("no sources configured");
        }
        status_table(&statuses);
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn progress_line(r: &SyncReport, width: usize) {
    let took = format!("{:.2} s", r.took.as_secs_f64());
    match &r.result {
        Ok(true) => outln!("{:width$}  synced     ({took})", r.source_id),
        Ok(false) => outln!("{:width$}  unchanged  ({took})", r.source_id),
        Err(e) => outln!("{:width$}  FAILED     ({took}): {e}", r.source_id),
    }
}

fn status_table(statuses: &[SourceStatus]) {
    if statuses.is_empty() {
        return;
    }
    let width = statuses
        .iter()
        .map(|s| s.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    outln!();
    outln!(
        "{:width$}  {:9}  {:>6}  {:>8}  {:5}  STATE",
        "ID",
        "KIND",
        "EVENTS",
        "AGE",
        "WRITE"
    );
    for s in statuses {
        outln!(
            "{:width$}  {:9}  {:>6}  {:>8}  {:5}  {}",
            s.id,
            s.kind,
            s.event_count,
            s.age_seconds.map(age_text).unwrap_or_else(|| "-".into()),
            if s.writable { "yes" } else { "no" },
            s.summary()
        );
    }
}

#[derive(Serialize)]
struct SourceJson {
    #[serde(flatten)]
    status: SourceStatus,
    calendars: Vec<DiscoveredCalendar>,
    discovery_error: Option<String>,
    /// Busy time this source adds over the next 14 days.
    busy_intervals_14d: usize,
    busy_hours_14d: f64,
}

/// Days ahead `openslot sources` sums busy time over.
const CONTRIBUTION_DAYS: i64 = 14;

pub(super) fn sources_cmd(path: &Path, json: bool) -> Result<ExitCode, CliError> {
    let config = load_config(path)?;
    let rt = runtime()?;
    let now = clock::now();
    let ctx = SourceContext::new(config.server.data_dir.clone());
    let hub = all_sources(&config)?;
    let statuses = hub.statuses(now);
    let sources: Vec<_> = statuses
        .iter()
        .filter_map(|s| hub.source_config(&s.id))
        .collect();
    let window = Interval {
        start: now,
        end: now + chrono::Duration::days(CONTRIBUTION_DAYS),
    };
    let (busy, _) = hub.busy(window, now);
    let mut out = Vec::new();
    for ((src, status), busy) in sources.iter().zip(statuses).zip(busy) {
        let found = match open_source(src, &ctx) {
            Ok(reader) => rt.block_on(reader.discover()),
            Err(e) => Err(e),
        };
        let (calendars, discovery_error) = match found {
            Ok(c) => (c, None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        let seconds: i64 = busy
            .intervals
            .iter()
            .map(|i| (i.end - i.start).num_seconds())
            .sum();
        out.push(SourceJson {
            status,
            calendars,
            discovery_error,
            busy_intervals_14d: busy.intervals.len(),
            busy_hours_14d: (seconds as f64 / 360.0).round() / 10.0,
        });
    }
    if json {
        outln!(
            "{}",
            serde_json::to_string(&out).map_err(|e| CliError::Failed(e.to_string()))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if out.is_empty() {
        outln!("no sources configured");
    }
    for (s, src) in out.iter().zip(&sources) {
        let label = s.status.name.as_deref().unwrap_or("");
        outln!("{} ({}) {label}", s.status.id, s.status.kind);
        outln!("  status: {}", s.status.summary());
        outln!(
            "  contributes: {} events held; {} busy intervals, {} h in the next {CONTRIBUTION_DAYS} days",
            s.status.event_count,
            s.busy_intervals_14d,
            s.busy_hours_14d
        );
        if src.role == SourceRole::Availability {
            outln!(
                "  role: availability: its events{} open bookable time, none blocks it",
                src.match_title
                    .as_deref()
                    .map(|m| format!(" whose title contains {m:?}"))
                    .unwrap_or_default()
            );
        }
        outln!(
            "  policy: tentative {}, all-day {}, free-marked {}; when out of date: {}{}",
            busy_word(src.tentative_busy),
            busy_word(src.all_day_busy),
            busy_word(src.transparent_busy),
            if src.fail_open {
                "ignored (fail open)"
            } else {
                "all busy (fail closed)"
            },
            if src.write {
                "; bookings are written here"
            } else {
                ""
            }
        );
        if let Some(e) = &s.discovery_error {
            outln!("  calendars: cannot list them: {e}");
        }
        for c in &s.calendars {
            outln!(
                "  {} {}{}{}",
                if c.selected { "*" } else { " " },
                c.name.as_deref().unwrap_or("(no name)"),
                c.color
                    .as_deref()
                    .map(|c| format!(" {c}"))
                    .unwrap_or_default(),
                format_args!("  {}", c.url)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn busy_word(busy: bool) -> &'static str {
    if busy { "busy" } else { "free" }
}

pub(super) fn auth_cmd(
    service: Service,
    path: &Path,
    id: &str,
    paste: bool,
) -> Result<ExitCode, CliError> {
    let config = load_config(path)?;
    let source = config.source(id).ok_or_else(|| {
        CliError::Usage(format!("no source with id `{id}` in {}", path.display()))
    })?;
    let expected = match service {
        Service::Google => SourceKind::Google,
        Service::Microsoft => SourceKind::Microsoft,
    };
    if source.kind != expected {
        return Err(CliError::Usage(format!(
            "source `{id}` has kind \"{}\", not \"{}\"",
            source.kind.as_str(),
            expected.as_str()
        )));
    }
    let ctx = SourceContext::new(config.server.data_dir.clone());
    let rt = runtime()?;
    let mut out = std::io::stdout();
    let result = rt.block_on(async {
        let which = match service {
            Service::Google => oauth::Service::Google,
            Service::Microsoft => oauth::Service::Microsoft,
        };
        if paste {
            let mut input = std::io::BufReader::new(std::io::stdin());
            return oauth::authorize_pasted(which, source, &ctx, &mut input, &mut out).await;
        }
        match service {
            Service::Google => oauth::authorize_google(source, &ctx, &mut out).await,
            Service::Microsoft => oauth::authorize_microsoft(source, &ctx, &mut out).await,
        }
    });
    result.map_err(|e| CliError::Failed(e.to_string()))?;
    let _ = out.flush();
    outln!(
        "authorized: `{id}` can now be synced (openslot sync --config {})",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
