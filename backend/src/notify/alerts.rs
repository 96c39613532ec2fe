//! Alerts to the owner about a calendar that keeps failing: one `source.failing` per run of
//! failures once it has lasted `[alerts] calendar_failing_minutes`, and one `source.recovered`
//! when a source that was alerted about works again.
//!
//! Invariants: `decide` is pure (statuses, what was alerted and `now` in, decisions out); what
//! was alerted lives in SQLite (`store::alerts`) and changes in the same transaction that
//! queues the deliveries, so a restart neither repeats an alert nor loses a recovery. Alerts go
//! to the owner only (mail to `[owner] email`, webhooks that list the events): they may name
//! the calendar and its error, never a visitor.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::config::Config;
use crate::store::deliveries::{self, About, Channel, NewDelivery};
use crate::store::{StoreError, alerts};
use crate::sync::status::SourceStatus;

use super::OWNER;
use super::message::{Composed, escape_html, one_line};

pub const FAILING: &str = "source.failing";
pub const RECOVERED: &str = "source.recovered";

/// What `decide` needs of one source now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observed<'a> {
    pub id: &'a str,
    /// The first failure of the current run; `None` while it works.
    pub failing_since: Option<DateTime<Utc>>,
}

/// What to do about one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Tell the owner it has been failing since `failing_since` (and remember that run).
    Failing {
        source_id: String,
        failing_since: DateTime<Utc>,
    },
    /// It works again after the alerted run that began at `failing_since`.
    Recovered {
        source_id: String,
        failing_since: DateTime<Utc>,
    },
    /// An alerted source is gone from the configuration: forget it, say nothing.
    Forget { source_id: String },
}

/// The alerts due at `now`. `alerted`: (source id, the `failing_since` of the run the owner
/// was told about). A run is alerted once, when it has lasted `threshold`; a new run (another
/// `failing_since`) is a new alert; a source that works again after an alert gives one
/// `Recovered`; a run that ended before its alert was due gives nothing.
pub fn decide(
    sources: &[Observed<'_>],
    alerted: &[(String, DateTime<Utc>)],
    now: DateTime<Utc>,
    threshold: Duration,
) -> Vec<Decision> {
    let told = |id: &str| alerted.iter().find(|(a, _)| a == id).map(|&(_, t)| t);
    // The store keeps whole seconds; the hub's times have more.
    let same_run = |told: Option<DateTime<Utc>>, since: DateTime<Utc>| {
        told.is_some_and(|t| t.timestamp() == since.timestamp())
    };
    let mut out = Vec::new();
    for s in sources {
        match (s.failing_since, told(s.id)) {
            (Some(since), told) if now - since >= threshold && !same_run(told, since) => {
                out.push(Decision::Failing {
                    source_id: s.id.to_owned(),
                    failing_since: since,
                });
            }
            (None, Some(since)) => out.push(Decision::Recovered {
                source_id: s.id.to_owned(),
                failing_since: since,
            }),
            _ => {}
        }
    }
    for (id, _) in alerted {
        if !sources.iter().any(|s| s.id == id) {
            out.push(Decision::Forget {
                source_id: id.clone(),
            });
        }
    }
    out
}

impl Decision {
    /// The source it is about (`None` for a source no longer there).
    fn source_id(&self) -> Option<&str> {
        match self {
            Decision::Failing { source_id, .. } | Decision::Recovered { source_id, .. } => {
                Some(source_id)
            }
            Decision::Forget { .. } => None,
        }
    }
}

/// What visitors get from a failing source, as the alert says it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Visitors {
    /// Fail closed and out of date: no free times, bookings refused.
    Refused,
    /// Fail closed, but its last copy is still fresh enough until `until`.
    LastCopyUntil { until: DateTime<Utc> },
    /// `fail_open = true`: its last copy is used, however old.
    FailOpen,
}

/// One alert, frozen when queued (the payload of its mail row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// `source.failing` or `source.recovered`.
    pub event: String,
    pub occurred_at: DateTime<Utc>,
    pub source_id: String,
    pub source_name: Option<String>,
    pub source_kind: String,
    /// The last error (failing); `None` for a recovery.
    pub reason: Option<String>,
    /// The start of the run of failures.
    pub failing_since: DateTime<Utc>,
    pub reconnect_needed: bool,
    /// Failing: what visitors see now.
    pub visitors: Option<Visitors>,
    /// Recovered: the sync that worked.
    pub last_success: Option<DateTime<Utc>>,
}

impl Alert {
    /// The alert of `decision` about the source whose status is `status`. `max_age`: its
    /// `max_age_minutes`.
    pub fn of(
        decision: &Decision,
        status: &SourceStatus,
        max_age: Duration,
        now: DateTime<Utc>,
    ) -> Option<Alert> {
        let (event, failing_since) = match decision {
            Decision::Failing { failing_since, .. } => (FAILING, *failing_since),
            Decision::Recovered { failing_since, .. } => (RECOVERED, *failing_since),
            Decision::Forget { .. } => return None,
        };
        let failing = event == FAILING;
        let visitors = failing.then(|| {
            if status.fail_open {
                Visitors::FailOpen
            } else if status.blocks_booking() {
                Visitors::Refused
            } else {
                Visitors::LastCopyUntil {
                    until: status.last_success.unwrap_or(now) + max_age,
                }
            }
        });
        Some(Alert {
            event: event.to_owned(),
            occurred_at: now,
            source_id: status.id.clone(),
            source_name: status.name.clone(),
            source_kind: status.kind.to_owned(),
            reason: if failing {
                status.last_error.clone()
            } else {
                None
            },
            failing_since,
            reconnect_needed: failing && status.reconnect_needed,
            visitors,
            last_success: (!failing).then_some(status.last_success).flatten(),
        })
    }

    /// The webhook body: `{event, occurred_at, source: {id, name, kind}, reason,
    /// failing_since, reconnect_needed}`.
    pub fn webhook_body(&self) -> String {
        let t = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        json!({
            "event": self.event,
            "occurred_at": t(self.occurred_at),
            "source": {"id": self.source_id, "name": self.source_name, "kind": self.source_kind},
            "reason": self.reason,
            "failing_since": t(self.failing_since),
            "reconnect_needed": self.reconnect_needed,
        })
        .to_string()
    }

    /// The owner's mail, times in `zone`.
    pub fn compose(&self, zone: chrono_tz::Tz) -> Composed {
        let at = |t: DateTime<Utc>| {
            t.with_timezone(&zone)
                .format("%A, %-d %B %Y, %H:%M")
                .to_string()
                + &format!(" ({})", zone.name())
        };
        let shown = match &self.source_name {
            Some(name) => format!("\"{}\" ({})", one_line(name), self.source_id),
            None => self.source_id.clone(),
        };
        let (subject, paragraphs) = if self.event == FAILING {
            let mut p = vec![
                format!(
                    "OpenSlot cannot read your calendar {shown} (a {} source) since {}.",
                    self.source_kind,
                    at(self.failing_since)
                ),
                format!(
                    "Reason: {}",
                    self.reason.as_deref().unwrap_or("no error was recorded")
                ),
            ];
            p.push(match &self.visitors {
                Some(Visitors::Refused) | None => "What visitors see: no free times, and \
                    bookings are refused, until it can be read again (it fails closed)."
                    .to_owned(),
                Some(Visitors::LastCopyUntil { until }) => format!(
                    "What visitors see: free times from its last copy until {}; after that no \
                     free times, and bookings are refused, until it can be read again (it fails \
                     closed).",
                    at(*until)
                ),
                Some(Visitors::FailOpen) => "What visitors see: free times from its last copy \
                    (fail_open = true), which misses whatever changed in it since: they may \
                    book over new events."
                    .to_owned(),
            });
            p.push(if self.reconnect_needed {
                "What to do: the provider refused the stored sign-in. Connect again \
                 (`openslot auth` for a source in the file, or the dashboard's Calendars \
                 section), then check the calendar there."
                    .to_owned()
            } else {
                "What to do: check the calendar's address and credentials and whether its \
                 server is up; the dashboard's Calendars section shows its state. OpenSlot \
                 keeps trying and mails again when it works."
                    .to_owned()
            });
            (format!("Calendar {shown} is failing"), p)
        } else {
            let mut p = vec![format!(
                "Your calendar {shown} can be read again; it was failing since {}.",
                at(self.failing_since)
            )];
            if let Some(t) = self.last_success {
                p.push(format!("Last sync: {}.", at(t)));
            }
            p.push("Visitors see its free times as before.".to_owned());
            (format!("Calendar {shown} works again"), p)
        };
        let text = paragraphs.join("\n\n") + "\n";
        let mut html = "<!DOCTYPE html><html><body style=\"font-family:sans-serif\">".to_owned();
        for p in &paragraphs {
            html.push_str(&format!("<p>{}</p>", escape_html(p)));
        }
        html.push_str("</body></html>\n");
        Composed {
            subject: one_line(&subject),
            text,
            html,
        }
    }
}

/// Whether anything would be delivered: `[mail]`, or a webhook that lists a source event.
pub fn has_channel(config: &Config) -> bool {
    config.mail.is_some()
        || config
            .webhooks
            .iter()
            .any(|h| h.events.iter().any(|e| e == FAILING || e == RECOVERED))
}

/// One check: decides over the hub's statuses now and queues what is due. Reading what was
/// alerted, queueing and remembering happen in one `BEGIN IMMEDIATE` transaction, so two
/// checks (a process stopping while the next starts) cannot both alert one run. Returns how
/// many alerts were queued.
pub async fn check(service: &impl super::Host) -> Result<usize, StoreError> {
    let config = service.config();
    let Some(threshold) = config.alerts.threshold() else {
        return Ok(0);
    };
    if !has_channel(&config) {
        let stored = service
            .store()
            .call(|c| crate::store::webhooks::list(c))
            .await?;
        let listens = |e: &String| e == FAILING || e == RECOVERED;
        if !stored.iter().any(|w| w.events.iter().any(listens)) {
            return Ok(0);
        }
    }
    let now = service.now();
    let hub = service.hub();
    let sources: Vec<(SourceStatus, Duration)> = hub
        .statuses(now)
        .into_iter()
        .map(|s| {
            let max_age = hub
                .source_config(&s.id)
                .map_or(Duration::minutes(60), |c| c.max_age());
            (s, max_age)
        })
        .collect();
    let decisions = service
        .store()
        .call(move |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let observed: Vec<Observed<'_>> = sources
                .iter()
                .map(|(s, _)| Observed {
                    id: &s.id,
                    failing_since: s.failing_since,
                })
                .collect();
            let decisions = decide(&observed, &alerts::alerted(&tx)?, now, threshold);
            for decision in &decisions {
                let alert = sources
                    .iter()
                    .find(|(s, _)| Some(s.id.as_str()) == decision.source_id())
                    .and_then(|(s, max_age)| Alert::of(decision, s, *max_age, now));
                if let Some(alert) = &alert {
                    enqueue(&tx, &config, alert)?;
                }
                match decision {
                    Decision::Failing {
                        source_id,
                        failing_since,
                    } => alerts::remember(&tx, source_id, *failing_since, now)?,
                    Decision::Recovered { source_id, .. } | Decision::Forget { source_id } => {
                        alerts::forget(&tx, source_id)?;
                    }
                }
            }
            tx.commit()?;
            Ok(decisions)
        })
        .await?;
    let mut count = 0;
    for d in &decisions {
        match d {
            Decision::Failing { source_id, .. } => {
                count += 1;
                tracing::warn!(source = %source_id, "alerts: calendar failing, owner alerted");
            }
            Decision::Recovered { source_id, .. } => {
                count += 1;
                tracing::info!(source = %source_id, "alerts: calendar recovered, owner told");
            }
            Decision::Forget { .. } => {}
        }
    }
    if count > 0 {
        service.notify_wake().notify_one();
    }
    Ok(count)
}

/// How often the check runs besides after each sync.
pub const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(60);
/// At most one check per this much, however many syncs finish (the booking path refreshes).
const AT_MOST_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Runs `check` at start, every minute and after each sync, until `shutdown` turns true.
pub async fn run(service: impl super::Host, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    if service.config().alerts.threshold().is_none() {
        return;
    }
    loop {
        if let Err(e) = check(&service).await {
            tracing::error!(error = %e, "alerts: the check failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(CHECK_EVERY) => {}
            _ = service.hub().synced().notified() => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(AT_MOST_EVERY) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Queues the mail to the owner (with `[mail]`) and the webhooks that list the event.
fn enqueue(tx: &rusqlite::Connection, config: &Config, alert: &Alert) -> Result<(), StoreError> {
    let about = About::Source(&alert.source_id);
    if config.mail.is_some() {
        let payload = serde_json::to_string(alert)
            .map_err(|e| StoreError::Worker(format!("cannot encode an alert: {e}")))?;
        deliveries::enqueue(
            tx,
            &NewDelivery {
                about,
                channel: Channel::Mail,
                target: OWNER,
                event: &alert.event,
                payload: &payload,
                due: alert.occurred_at,
            },
            alert.occurred_at,
        )?;
    }
    let body = alert.webhook_body();
    for hook in super::webhook_targets(tx, config, &alert.event)? {
        deliveries::enqueue(
            tx,
            &NewDelivery {
                about,
                channel: Channel::Webhook,
                target: &hook,
                event: &alert.event,
                payload: &body,
                due: alert.occurred_at,
            },
            alert.occurred_at,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap() + Duration::minutes(minute)
    }

    /// `sources`: (id, failing since minute); `alerted`: (id, the alerted run's minute); at
    /// minute `now` with a 60-minute threshold: the decisions as short strings.
    fn check(
        sources: &[(&str, Option<i64>)],
        alerted: &[(&str, i64)],
        now: i64,
        expected: &[&str],
    ) {
        let observed: Vec<Observed<'_>> = sources
            .iter()
            .map(|&(id, since)| Observed {
                id,
                failing_since: since.map(t),
            })
            .collect();
        let alerted: Vec<(String, DateTime<Utc>)> = alerted
            .iter()
            .map(|&(id, m)| (id.to_owned(), t(m)))
            .collect();
        let got: Vec<String> = decide(&observed, &alerted, t(now), Duration::minutes(60))
            .into_iter()
            .map(|d| match d {
                Decision::Failing {
                    source_id,
                    failing_since,
                } => format!(
                    "failing {source_id} {}",
                    (failing_since - t(0)).num_minutes()
                ),
                Decision::Recovered {
                    source_id,
                    failing_since,
                } => format!(
                    "recovered {source_id} {}",
                    (failing_since - t(0)).num_minutes()
                ),
                Decision::Forget { source_id } => format!("forget {source_id}"),
            })
            .collect();
        assert_eq!(
            got, expected,
            "sources {sources:?}, alerted {alerted:?}, now {now}"
        );
    }

    #[test]
    fn nothing_while_everything_works() {
        check(&[("a", None), ("b", None)], &[], 500, &[]);
        check(&[], &[], 500, &[]);
    }

    #[test]
    fn a_failure_is_alerted_once_it_lasted_the_threshold() {
        check(&[("a", Some(0))], &[], 59, &[]);
        check(&[("a", Some(0))], &[], 60, &["failing a 0"]);
        check(
            &[("a", Some(0)), ("b", Some(30))],
            &[],
            61,
            &["failing a 0"],
        );
        check(
            &[("a", Some(0)), ("b", Some(30))],
            &[],
            90,
            &["failing a 0", "failing b 30"],
        );
    }

    #[test]
    fn once_per_run_not_every_check() {
        check(&[("a", Some(0))], &[("a", 0)], 61, &[]);
        check(&[("a", Some(0))], &[("a", 0)], 10_000, &[]);
    }

    #[test]
    fn the_stored_run_matches_to_the_second() {
        let since = t(0) + Duration::milliseconds(250);
        let observed = [Observed {
            id: "a",
            failing_since: Some(since),
        }];
        let stored = [("a".to_owned(), t(0))];
        assert_eq!(decide(&observed, &stored, t(90), Duration::minutes(60)), []);
    }

    #[test]
    fn a_recovery_after_an_alert_is_said_once() {
        check(&[("a", None)], &[("a", 0)], 200, &["recovered a 0"]);
        // Not alerted: a run that ended early says nothing.
        check(&[("a", None)], &[], 200, &[]);
    }

    #[test]
    fn a_new_run_is_a_new_alert_once_it_lasted_the_threshold() {
        check(&[("a", Some(300))], &[("a", 0)], 330, &[]);
        check(&[("a", Some(300))], &[("a", 0)], 360, &["failing a 300"]);
    }

    #[test]
    fn a_source_gone_from_the_configuration_is_forgotten_quietly() {
        check(&[("b", None)], &[("a", 0)], 200, &["forget a"]);
    }

    #[test]
    fn a_clock_before_the_failure_alerts_nothing() {
        check(&[("a", Some(100))], &[], 50, &[]);
    }

    fn status(fail_open: bool, last_success: Option<i64>, now: i64) -> SourceStatus {
        let last_success = last_success.map(t);
        SourceStatus {
            id: "work".into(),
            kind: "ics_url",
            name: Some("Work".into()),
            writable: false,
            fail_open,
            role: "busy",
            last_attempt: Some(t(now)),
            last_success,
            last_error: Some("cannot reach 127.0.0.1: connection refused".into()),
            consecutive_failures: 12,
            failing_since: Some(t(5)),
            reconnect_needed: false,
            event_count: 3,
            age_seconds: last_success.map(|s| (t(now) - s).num_seconds()),
            freshness: crate::sync::status::Freshness::of(
                last_success,
                t(now),
                Duration::minutes(60),
            ),
        }
    }

    #[test]
    fn the_alert_says_what_visitors_see() {
        let failing = Decision::Failing {
            source_id: "work".into(),
            failing_since: t(5),
        };
        let hour = Duration::minutes(60);
        let visitors =
            |s: &SourceStatus, now| Alert::of(&failing, s, hour, t(now)).unwrap().visitors;
        assert_eq!(
            visitors(&status(false, Some(0), 70), 70),
            Some(Visitors::Refused)
        );
        assert_eq!(
            visitors(&status(false, None, 70), 70),
            Some(Visitors::Refused)
        );
        assert_eq!(
            visitors(&status(false, Some(30), 70), 70),
            Some(Visitors::LastCopyUntil { until: t(90) })
        );
        assert_eq!(
            visitors(&status(true, Some(0), 70), 70),
            Some(Visitors::FailOpen)
        );
    }

    #[test]
    fn the_mail_and_the_body_name_the_calendar_the_reason_and_the_time() {
        let failing = Decision::Failing {
            source_id: "work".into(),
            failing_since: t(5),
        };
        let mut s = status(false, Some(0), 70);
        let alert = Alert::of(&failing, &s, Duration::minutes(60), t(70)).unwrap();
        let mail = alert.compose(chrono_tz::Europe::Berlin);
        assert_eq!(mail.subject, "Calendar \"Work\" (work) is failing");
        for part in [
            "since Monday, 30 November 2026, 07:05 (Europe/Berlin)",
            "Reason: cannot reach 127.0.0.1: connection refused",
            "no free times, and bookings are refused",
            "check the calendar's address",
        ] {
            assert!(mail.text.contains(part), "{part} in {}", mail.text);
        }
        let body: serde_json::Value = serde_json::from_str(&alert.webhook_body()).unwrap();
        assert_eq!(
            body,
            json!({"event": "source.failing", "occurred_at": "2026-11-30T07:10:00Z",
                   "source": {"id": "work", "name": "Work", "kind": "ics_url"},
                   "reason": "cannot reach 127.0.0.1: connection refused",
                   "failing_since": "2026-11-30T06:05:00Z", "reconnect_needed": false})
        );

        s.reconnect_needed = true;
        let alert = Alert::of(&failing, &s, Duration::minutes(60), t(70)).unwrap();
        assert!(alert.compose(chrono_tz::UTC).text.contains("Connect again"));

        s.failing_since = None;
        s.last_error = None;
        s.last_success = Some(t(80));
        let recovered = Decision::Recovered {
            source_id: "work".into(),
            failing_since: t(5),
        };
        let alert = Alert::of(&recovered, &s, Duration::minutes(60), t(81)).unwrap();
        let mail = alert.compose(chrono_tz::UTC);
        assert_eq!(mail.subject, "Calendar \"Work\" (work) works again");
        assert!(
            mail.text
                .contains("failing since Monday, 30 November 2026, 06:05 (UTC)")
        );
        let body: serde_json::Value = serde_json::from_str(&alert.webhook_body()).unwrap();
        assert_eq!(body["event"], "source.recovered");
        assert_eq!(body["reason"], serde_json::Value::Null);
        assert_eq!(body["reconnect_needed"], false);
    }
}
