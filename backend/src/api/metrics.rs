//! `GET /metrics` on the admin listener: Prometheus text format (0.0.4), written by hand.
//!
//! No token (like most scrape targets): the admin listener is the boundary. Request counts
//! and latency come from a middleware on the public routes ([`RequestStats::track`]); the rest
//! is read when scraped. Latency is wall time of the process (`Instant`), not business time.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use poem::{Endpoint, IntoResponse, Request, Response};

use crate::booking::{BookingService, Counts, StoreError};

/// Status classes counted: 1xx..5xx.
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// Upper bounds (`le`) of the latency histogram's buckets, in microseconds: 5 ms to 10 s.
const BUCKETS_MICROS: [u64; 11] = [
    5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000,
    10_000_000,
];

/// Requests to the public listener: counts per status class, total seconds, and how many took
/// at most each bucket's bound (not cumulative here; `render` sums them up).
#[derive(Debug, Default)]
pub struct RequestStats {
    counts: [AtomicU64; 5],
    micros: AtomicU64,
    buckets: [AtomicU64; BUCKETS_MICROS.len()],
}

impl RequestStats {
    fn record(&self, status: u16, micros: u64) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.counts[class].fetch_add(1, Ordering::Relaxed);
        self.micros.fetch_add(micros, Ordering::Relaxed);
        // Slower than the last bound: only in `+Inf` (the count).
        if let Some(i) = BUCKETS_MICROS.iter().position(|&le| micros <= le) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Runs `ep` for `req` and counts the answer.
    pub async fn track<E: Endpoint>(&self, ep: &E, req: Request) -> poem::Result<Response> {
        let started = Instant::now();
        let result = ep.call(req).await.map(IntoResponse::into_response);
        let status = match &result {
            Ok(r) => r.status().as_u16(),
            Err(e) => e.status().as_u16(),
        };
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.record(status, micros);
        result
    }
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A Prometheus label value, escaped.
fn label(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The metrics text.
pub async fn render(
    service: &BookingService,
    requests: &RequestStats,
) -> Result<String, StoreError> {
    let mut out = String::new();
    head(
        &mut out,
        "openslot_build_info",
        "gauge",
        "The running version (always 1).",
    );
    let version = env!("CARGO_PKG_VERSION");
    let _ = writeln!(out, "openslot_build_info{{version=\"{version}\"}} 1");
    let Counts {
        bookings_by_status: by_status,
        outbox_backlog: backlog,
        deliveries_pending: pending,
        deliveries_failed: failed,
    } = service.counts().await?;
    head(
        &mut out,
        "openslot_bookings_total",
        "gauge",
        "Bookings stored, by status.",
    );
    for status in ["confirmed", "cancelled"] {
        let n = by_status
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "openslot_bookings_total{{status=\"{status}\"}} {n}");
    }
    head(
        &mut out,
        "openslot_outbox_backlog",
        "gauge",
        "Calendar writes waiting in the outbox.",
    );
    let _ = writeln!(out, "openslot_outbox_backlog {backlog}");
    head(
        &mut out,
        "openslot_deliveries",
        "gauge",
        "Mail and webhook deliveries by state: pending (reminders not due yet included) or failed.",
    );
    let _ = writeln!(out, "openslot_deliveries{{state=\"pending\"}} {pending}");
    let _ = writeln!(out, "openslot_deliveries{{state=\"failed\"}} {failed}");
    let statuses = service.source_statuses(service.now());
    head(
        &mut out,
        "openslot_source_sync_age_seconds",
        "gauge",
        "Seconds since the last successful sync of a source (absent: never synced).",
    );
    for s in &statuses {
        if let Some(age) = s.age_seconds {
            let id = label(&s.id);
            let _ = writeln!(
                out,
                "openslot_source_sync_age_seconds{{source=\"{id}\"}} {age}"
            );
        }
    }
    head(
        &mut out,
        "openslot_source_failures",
        "gauge",
        "Failed syncs of a source in a row.",
    );
    for s in &statuses {
        let (id, n) = (label(&s.id), s.consecutive_failures);
        let _ = writeln!(out, "openslot_source_failures{{source=\"{id}\"}} {n}");
    }
    head(
        &mut out,
        "openslot_source_reconnect_needed",
        "gauge",
        "1 when Google or Microsoft refused a source's stored sign-in (invalid_grant): the owner must connect it again.",
    );
    for s in &statuses {
        let id = label(&s.id);
        let n = u8::from(s.reconnect_needed);
        let _ = writeln!(
            out,
            "openslot_source_reconnect_needed{{source=\"{id}\"}} {n}"
        );
    }
    head(
        &mut out,
        "openslot_source_fresh",
        "gauge",
        "1 when a source's data is fresh enough to trust, else 0.",
    );
    for s in &statuses {
        let fresh = u8::from(s.freshness == crate::sync::Freshness::Fresh);
        let id = label(&s.id);
        let _ = writeln!(out, "openslot_source_fresh{{source=\"{id}\"}} {fresh}");
    }
    head(
        &mut out,
        "openslot_http_requests_total",
        "counter",
        "Requests answered on the public listener, by status class.",
    );
    let mut total = 0;
    for (class, count) in CLASSES.iter().zip(&requests.counts) {
        let n = count.load(Ordering::Relaxed);
        total += n;
        let _ = writeln!(out, "openslot_http_requests_total{{code=\"{class}\"}} {n}");
    }
    head(
        &mut out,
        "openslot_http_request_duration_seconds",
        "histogram",
        "Time to answer requests on the public listener.",
    );
    let mut cumulative = 0;
    for (le, n) in BUCKETS_MICROS.iter().zip(&requests.buckets) {
        cumulative += n.load(Ordering::Relaxed);
        let le = *le as f64 / 1e6;
        let _ = writeln!(
            out,
            "openslot_http_request_duration_seconds_bucket{{le=\"{le}\"}} {cumulative}"
        );
    }
    let _ = writeln!(
        out,
        "openslot_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {total}"
    );
    let seconds = requests.micros.load(Ordering::Relaxed) as f64 / 1e6;
    let _ = writeln!(out, "openslot_http_request_duration_seconds_sum {seconds}");
    let _ = writeln!(out, "openslot_http_request_duration_seconds_count {total}");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn requests_are_counted_by_class() {
        let stats = RequestStats::default();
        stats.record(200, 1_500_000);
        stats.record(404, 500_000);
        stats.record(999, 0);
        let counts: Vec<u64> = stats
            .counts
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect();
        assert_eq!(counts, [0, 1, 0, 1, 1]);
        assert_eq!(stats.micros.load(Ordering::Relaxed), 2_000_000);
        let buckets: Vec<u64> = stats
            .buckets
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect();
        // 0 s and 0.5 s fall in their buckets; 1.5 s in the one of 2.5 s.
        assert_eq!(buckets, [1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
    }
}
