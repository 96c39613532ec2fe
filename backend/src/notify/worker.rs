//! Drains the `deliveries` rows: mails through `smtp`, webhooks through `webhook`, with the
//! outbox's backoff and a maximum number of attempts, woken by the service that hosts it (`Host`).
//!
//! Invariants: a row is marked done right after the server accepted it (see the module docs
//! of `notify` for the at-least-once window); a permanent refusal (bad address, 5xx, a 4xx
//! from a receiver) fails the row at once, with its reason, for the owner to see and retry; a
//! reminder whose booking was cancelled or moved since it was queued is skipped, not sent.
//! Logs name delivery and booking ids only, never addresses, names or secrets.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::sync::watch;

use crate::calendar::{Person, booking_uid};
use crate::config::{Config, MailConfig};
use crate::queue::{MAX_ATTEMPTS, backoff};
use crate::store::deliveries::{self, Channel, DeliveryRow};
use crate::store::{BookingStatus, OutboxState, StoreError, bookings};

use super::alerts::Alert;
use super::message::{Facts, Reader, compose};
use super::smtp::{MailError, Mailer, Outgoing};
use super::webhook::Sender;
use super::{Event, Host, OWNER, Snapshot, itip};

/// The clients: the webhook sender made once; the mailer made from the `[mail]` that applies
/// when a mail is sent, and made again when those settings change (the dashboard saves them
/// without a restart).
#[derive(Debug)]
pub struct Channels {
    mailer: std::sync::Mutex<Option<(MailConfig, Mailer)>>,
    webhooks: Option<Sender>,
}

impl Channels {
    pub fn new(_service: &impl Host) -> Channels {
        let webhooks = match Sender::new() {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!(error = %e, "notify: webhooks are off");
                None
            }
        };
        Channels {
            mailer: std::sync::Mutex::new(None),
            webhooks,
        }
    }

    /// The mailer for `config.mail`, kept while those settings stay the same; the reason in
    /// words when there is none.
    fn mailer(&self, config: &Config) -> Result<Mailer, String> {
        let Some(settings) = &config.mail else {
            return Err("mail is not configured (no [mail] section or dashboard settings)".into());
        };
        let mut cached = self
            .mailer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((made_for, mailer)) = cached.as_ref()
            && made_for == settings
        {
            return Ok(mailer.clone());
        }
        match Mailer::new(settings) {
            Ok(mailer) => {
                *cached = Some((settings.clone(), mailer.clone()));
                Ok(mailer)
            }
            Err(e) => {
                tracing::error!(error = %e, "notify: the SMTP settings do not work");
                *cached = None;
                Err(format!("the SMTP settings do not work: {e}"))
            }
        }
    }
}

/// Drains the deliveries until `shutdown` turns true.
pub async fn run(service: impl Host, shutdown: watch::Receiver<bool>) {
    let wake = service.notify_wake();
    let channels = Arc::new(Channels::new(&service));
    crate::queue::drain_until_shutdown("notify", wake, shutdown, || {
        drain_once(&service, &channels)
    })
    .await;
}

/// Processes the rows due now; returns how many were attempted.
pub async fn drain_once(service: &impl Host, channels: &Channels) -> Result<usize, StoreError> {
    let now = service.now();
    let due = service
        .store()
        .call(move |c| deliveries::due(c, now, 20))
        .await?;
    for row in &due {
        process(service, channels, row).await?;
    }
    Ok(due.len())
}

/// What one attempt came to.
enum Outcome {
    Sent(u16),
    Skipped(&'static str),
    Failed {
        error: String,
        status: Option<u16>,
        permanent: bool,
    },
}

async fn process(
    service: &impl Host,
    channels: &Channels,
    row: &DeliveryRow,
) -> Result<(), StoreError> {
    let outcome = match row.channel {
        Channel::Mail => mail(service, channels, row).await?,
        Channel::Webhook => webhook(service, channels, row).await,
    };
    let (id, now) = (row.id, service.now());
    let store = service.store();
    match outcome {
        Outcome::Sent(status) => {
            tracing::info!(delivery = id, booking = row.booking_id.as_deref(),
                source = row.source_id.as_deref(), channel = row.channel.as_str(),
                event = %row.event, "notify: delivered");
            store
                .call(move |c| {
                    deliveries::finish(c, id, OutboxState::Done, Some(status), None, now)
                })
                .await
        }
        Outcome::Skipped(why) => {
            tracing::info!(delivery = id, booking = row.booking_id.as_deref(),
                channel = row.channel.as_str(), event = %row.event, reason = why,
                "notify: skipped");
            store
                .call(move |c| {
                    deliveries::finish(c, id, OutboxState::Skipped, None, Some(why), now)
                })
                .await
        }
        Outcome::Failed {
            error,
            status,
            permanent,
        } => {
            let attempts = row.attempts + 1;
            tracing::warn!(delivery = id, booking = row.booking_id.as_deref(),
                source = row.source_id.as_deref(), channel = row.channel.as_str(),
                attempt = attempts, error = %error, "notify: delivery failed");
            let next = (!permanent && attempts < MAX_ATTEMPTS).then(|| now + backoff(attempts - 1));
            store
                .call(move |c| deliveries::failed_attempt(c, id, status, &error, next, now))
                .await
        }
    }
}

fn failed(error: impl Into<String>, status: Option<u16>, permanent: bool) -> Outcome {
    Outcome::Failed {
        error: error.into(),
        status,
        permanent,
    }
}

async fn mail(
    service: &impl Host,
    channels: &Channels,
    row: &DeliveryRow,
) -> Result<Outcome, StoreError> {
    let mailer = match channels.mailer(&service.config()) {
        Ok(mailer) => mailer,
        Err(why) => return Ok(failed(why, None, true)),
    };
    let mailer = &mailer;
    let Some(booking_id) = row.booking_id.clone() else {
        return Ok(alert_mail(service, mailer, row).await);
    };
    let Ok(snapshot) = serde_json::from_str::<Snapshot>(&row.payload) else {
        return Ok(failed("the stored payload does not read", None, true));
    };
    let Some(notice) = Event::parse(&row.event) else {
        return Ok(failed("unknown event", None, true));
    };
    let stored = service
        .store()
        .call(move |c| bookings::get(c, &booking_id))
        .await?;
    let Some(mut booking) = stored else {
        return Ok(failed("the booking is gone from the database", None, true));
    };
    if notice == Event::Reminder
        && !reminder_still_due(&snapshot, Some((booking.status, booking.sequence)))
    {
        return Ok(Outcome::Skipped("the booking was cancelled or moved"));
    }
    if matches!(notice, Event::ConfirmRequest | Event::Requested)
        && booking.status != BookingStatus::Pending
    {
        return Ok(Outcome::Skipped(
            "the booking no longer waits for a confirmation",
        ));
    }
    snapshot.apply_to(&mut booking);
    let config = service.config();
    let reader = if row.target == OWNER {
        Reader::Owner
    } else {
        Reader::Visitor
    };
    // Visitor mail goes to whatever address a form was given: at most so many a day.
    let counted = match (&config.mail, reader) {
        (Some(m), Reader::Visitor) => {
            let day = service.now().timestamp().div_euclid(86_400);
            let address = snapshot.email.to_lowercase();
            let key = address.clone();
            let (to_address, all) = service
                .store()
                .call(move |c| deliveries::mails_sent(c, day, &key))
                .await?;
            if to_address >= m.max_per_address_per_day {
                return Ok(Outcome::Skipped(
                    "not sent: the day's limit of mails to this address was reached \
                     ([mail] max_per_address_per_day)",
                ));
            }
            if all >= m.max_per_day {
                return Ok(Outcome::Skipped(
                    "not sent: the day's limit of mails to visitors was reached \
                     ([mail] max_per_day)",
                ));
            }
            Some((day, address))
        }
        _ => None,
    };
    let zone = match reader {
        Reader::Owner => config.owner.timezone,
        Reader::Visitor => snapshot
            .timezone
            .parse::<Tz>()
            .unwrap_or(config.owner.timezone),
    };
    let manage_url = if notice == Event::ConfirmRequest {
        service.confirm_url(&booking.id)
    } else {
        service.manage_url(&booking.id)
    };
    let title = config
        .event_type(&booking.event_type)
        .map_or_else(|| booking.event_type.clone(), |e| e.title);
    let mut event = service.booking_event(&booking, &booking_uid(&booking.id), service.now());
    if reader == Reader::Visitor {
        // The visitor's own copy of the event may carry their link; the owner's never does.
        event
            .description
            .push_str(&format!("\nManage: {manage_url}\n"));
    }
    let composed = compose(&Facts {
        notice,
        booking: &snapshot,
        title: &title,
        owner_name: config.owner.shown_name(),
        reader,
        zone,
        manage_url: (reader == Reader::Visitor).then_some(manage_url.as_str()),
        location: event.location.as_deref(),
    });
    let to = match reader {
        Reader::Owner => Person {
            name: config.owner.shown_name().to_owned(),
            email: config.owner.email.clone(),
        },
        Reader::Visitor => Person {
            name: snapshot.name.clone(),
            email: snapshot.email.clone(),
        },
    };
    let outgoing = Outgoing {
        to_name: to.name,
        to_email: to.email,
        composed,
        calendar: itip::invitation(event, notice),
    };
    // A server's refusal often quotes the address: it stays out of logs and the owner's log.
    let redact = |e: &MailError| e.to_string().replace(&outgoing.to_email, "[recipient]");
    Ok(match mailer.send(&outgoing).await {
        Ok(code) => {
            if let Some((day, address)) = counted {
                service
                    .store()
                    .call(move |c| deliveries::count_mail(c, day, &address))
                    .await?;
            }
            Outcome::Sent(code)
        }
        Err(e @ MailError::Permanent(..)) => failed(redact(&e), e.status(), true),
        Err(e @ MailError::Transient(..)) => failed(redact(&e), e.status(), false),
    })
}

/// An alert about a source, to the owner, in the owner's zone.
async fn alert_mail(service: &impl Host, mailer: &Mailer, row: &DeliveryRow) -> Outcome {
    let Ok(alert) = serde_json::from_str::<Alert>(&row.payload) else {
        return failed("the stored payload does not read", None, true);
    };
    let config = service.config();
    let outgoing = Outgoing {
        to_name: config.owner.shown_name().to_owned(),
        to_email: config.owner.email.clone(),
        composed: alert.compose(config.owner.timezone),
        calendar: None,
    };
    let redact = |e: &MailError| e.to_string().replace(&outgoing.to_email, "[recipient]");
    match mailer.send(&outgoing).await {
        Ok(code) => Outcome::Sent(code),
        Err(e @ MailError::Permanent(..)) => failed(redact(&e), e.status(), true),
        Err(e @ MailError::Transient(..)) => failed(redact(&e), e.status(), false),
    }
}

/// A reminder is sent only while its booking is confirmed at the time it was queued for
/// (a reschedule queues new reminders with the new sequence; a cancel leaves none due).
/// `now`: the stored booking's status and sequence, if it still exists.
pub fn reminder_still_due(queued: &Snapshot, now: Option<(BookingStatus, u32)>) -> bool {
    now == Some((BookingStatus::Confirmed, queued.sequence))
}

async fn webhook(service: &impl Host, channels: &Channels, row: &DeliveryRow) -> Outcome {
    let config = service.config();
    let (url, secret) = match config.webhooks.iter().find(|h| h.id == row.target) {
        Some(hook) => (hook.url.clone(), hook.secret.expose().as_bytes().to_vec()),
        None => match stored_webhook(service, &row.target, &config).await {
            Ok(found) => found,
            Err(why) => return failed(why, None, true),
        },
    };
    let Some(sender) = &channels.webhooks else {
        return failed("the HTTP client could not be built", None, true);
    };
    let now: DateTime<Utc> = service.now();
    let body = super::webhook::with_links(&row.payload, |id| service.manage_url(id));
    match sender
        .send(&url, &secret, &row.event, row.id, &body, now)
        .await
    {
        Ok(status) => Outcome::Sent(status),
        Err(e) => failed(e.to_string(), e.status(), e.is_permanent()),
    }
}

/// A subscription stored through the APIs: its URL, checked again (a name may resolve
/// elsewhere now), and its opened secret; or why it cannot be sent (permanent).
async fn stored_webhook(
    service: &impl Host,
    id: &str,
    config: &crate::config::Config,
) -> Result<(String, Vec<u8>), String> {
    let owned = id.to_owned();
    let stored = service
        .store()
        .call(move |c| crate::store::webhooks::get(c, &owned))
        .await
        .map_err(|e| e.to_string())?;
    let Some(hook) = stored else {
        return Err(format!(
            "webhook `{id}` was deleted (it is neither in the configuration nor subscribed)"
        ));
    };
    crate::sources::http::check_subscription_url(
        &hook.url,
        config.security.webhook_private_targets,
    )
    .await
    .map_err(|e| e.to_string())?;
    let secret = service.open_secret(&hook.id, &hook.secret)?;
    Ok((hook.url, secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn reminders_of_cancelled_or_moved_bookings_are_not_due() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let queued = Snapshot {
            id: "b".into(),
            event_type: "intro".into(),
            start: at,
            end: at,
            status: "confirmed".into(),
            sequence: 1,
            timezone: "UTC".into(),
            name: "Eve".into(),
            email: "eve@example.com".into(),
            notes: String::new(),
            answers: Vec::new(),
            series_id: None,
            session: None,
            visit_ref: None,
            decline_reason: None,
        };
        assert!(reminder_still_due(
            &queued,
            Some((BookingStatus::Confirmed, 1))
        ));
        assert!(!reminder_still_due(
            &queued,
            Some((BookingStatus::Confirmed, 2))
        ));
        assert!(!reminder_still_due(
            &queued,
            Some((BookingStatus::Cancelled, 1))
        ));
        assert!(!reminder_still_due(&queued, None));
    }
}
