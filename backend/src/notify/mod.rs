//! Mail and webhooks about bookings, driven by the outbox.
//!
//! Invariant: what a booking causes here is queued as `deliveries` rows in the booking's own
//! transaction (`enqueue`), with the payload frozen then; nothing here ever runs inside a
//! booking request, so an SMTP server or a receiver that is down delays a notice but never
//! blocks or loses a booking. `worker` drains the rows with retries.
//!
//! Layout: pure parts (`itip`: the invitation's VCALENDAR; `message`: subject, text and HTML;
//! `signature`: the webhook HMAC) are tested without servers; `smtp` (lettre) and `webhook`
//! (the shared reqwest client) are the I/O edges; `worker` ties them to the store.
//!
//! Delivery is at-least-once with a small window: a row is marked done right after the SMTP
//! server accepted the mail (or the receiver answered 2xx); only when the database write after
//! that fails (or the process dies in between) is the same notice sent again. Webhook
//! receivers can deduplicate on `OpenSlot-Delivery`; mail clients on the iTIP UID + SEQUENCE.

pub mod alerts;
mod host;
pub mod itip;
pub mod message;
pub mod signature;
pub mod smtp;
pub mod test_mail;
pub mod webhook;
pub mod worker;

pub use host::Host;

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::store::deliveries::{self, About, Channel, NewDelivery};
use crate::store::{BookingRow, BookingStatus, StoreError, bookings};

/// What happened to a booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Created,
    Rescheduled,
    Cancelled,
    /// A reminder before the start (mail only).
    Reminder,
    /// The link that confirms a pending booking (mail to the visitor only, nothing else).
    ConfirmRequest,
    /// A request waiting for the owner's approval (`confirm = "owner"`): "received" to the
    /// visitor, "approve or decline" to the owner (whatever `owner_copy`), webhooks.
    Requested,
    /// The owner declined a request, or it waited past its deadline (visitor and webhooks).
    Declined,
    /// The visitor withdrew a request still waiting for the owner (owner and webhooks).
    Withdrawn,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "booking.created",
            Self::Rescheduled => "booking.rescheduled",
            Self::Cancelled => "booking.cancelled",
            Self::Reminder => "booking.reminder",
            Self::ConfirmRequest => "booking.confirm_request",
            Self::Requested => "booking.requested",
            Self::Declined => "booking.declined",
            Self::Withdrawn => "booking.withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Created,
            Self::Rescheduled,
            Self::Cancelled,
            Self::Reminder,
            Self::ConfirmRequest,
            Self::Requested,
            Self::Declined,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|e| e.as_str() == text)
    }
}

/// The booking as it was when a notice was queued (the payload of a mail row; the `booking`
/// of a webhook body).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub id: String,
    pub event_type: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `confirmed` or `cancelled`.
    pub status: String,
    /// Bumped by every reschedule.
    pub sequence: u32,
    /// The visitor's IANA zone.
    pub timezone: String,
    pub name: String,
    pub email: String,
    pub notes: String,
    /// The answers to the event type's questions.
    #[serde(default)]
    pub answers: Vec<crate::domain::details::Answer>,
    /// With a series: its id and this session (1 = the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<u32>,
    /// Where the visit came from (`ref` of the booking page).
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub visit_ref: Option<String>,
    /// The owner's reason for declining a request (`booking.declined`), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
}

impl Snapshot {
    pub fn of(b: &BookingRow) -> Self {
        Snapshot {
            id: b.id.clone(),
            event_type: b.event_type.clone(),
            start: b.start,
            end: b.end,
            status: b.status.as_str().to_owned(),
            sequence: b.sequence,
            timezone: b.timezone.clone(),
            name: b.name.clone(),
            email: b.email.clone(),
            notes: b.notes.clone(),
            answers: b.answers.clone(),
            series_id: b.series.as_ref().map(|s| s.0.clone()),
            session: b.series.as_ref().map(|s| s.1 + 1),
            visit_ref: b.visit_ref.clone(),
            decline_reason: b.decline_reason.clone(),
        }
    }

    /// The stored booking as this notice is about it: its time, status and sequence as they
    /// were when the notice was queued; everything else (contact, answers, location, added by
    /// later versions) as stored, so new event details flow into mail without a change here.
    pub fn apply_to(&self, row: &mut BookingRow) {
        row.start = self.start;
        row.end = self.end;
        row.sequence = self.sequence;
        row.status = BookingStatus::parse(&self.status).unwrap_or(BookingStatus::Confirmed);
    }
}

/// Who a mail row is for.
pub const VISITOR: &str = "visitor";
pub const OWNER: &str = "owner";

/// Queues the notices of `event` for booking `booking_id`, inside the caller's transaction
/// (call it after the booking row was written). No `[mail]`: no mail rows; webhooks only for
/// the events each subscribed to. Created and rescheduled bookings also queue the reminders
/// that are still ahead.
pub fn enqueue(
    tx: &Connection,
    config: &Config,
    event: Event,
    booking_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(booking) = bookings::get(tx, booking_id)? else {
        return Ok(());
    };
    let snapshot = Snapshot::of(&booking);
    if let Some(mail) = &config.mail {
        let payload = serde_json::to_string(&snapshot)
            .map_err(|e| StoreError::Worker(format!("cannot encode a delivery: {e}")))?;
        // The visitor withdrew it: only the owner, who was asked to decide, is told.
        let mut targets = if event == Event::Withdrawn {
            vec![]
        } else {
            vec![VISITOR]
        };
        let to_owner = match event {
            Event::ConfirmRequest | Event::Declined => false,
            Event::Requested | Event::Withdrawn => true,
            _ => mail.owner_copy,
        };
        if to_owner {
            targets.push(OWNER);
        }
        for target in targets {
            deliveries::enqueue(
                tx,
                &NewDelivery {
                    about: About::Booking(booking_id),
                    channel: Channel::Mail,
                    target,
                    event: event.as_str(),
                    payload: &payload,
                    due: now,
                },
                now,
            )?;
        }
        if matches!(event, Event::Created | Event::Rescheduled) {
            for &hours in &mail.reminder_hours {
                let due = booking.start - Duration::hours(i64::from(hours));
                if due > now {
                    deliveries::enqueue(
                        tx,
                        &NewDelivery {
                            about: About::Booking(booking_id),
                            channel: Channel::Mail,
                            target: VISITOR,
                            event: Event::Reminder.as_str(),
                            payload: &payload,
                            due,
                        },
                        now,
                    )?;
                }
            }
        }
    }
    let subscribed = if event == Event::ConfirmRequest {
        Vec::new()
    } else {
        webhook_targets(tx, config, event.as_str())?
    };
    for hook in &subscribed {
        let body = webhook::body(event, &snapshot, now, config.owner.timezone);
        deliveries::enqueue(
            tx,
            &NewDelivery {
                about: About::Booking(booking_id),
                channel: Channel::Webhook,
                target: hook,
                event: event.as_str(),
                payload: &body,
                due: now,
            },
            now,
        )?;
    }
    Ok(())
}

/// The ids of the webhooks that listen to `event`: the file's `[[webhooks]]` and the
/// subscriptions stored through the APIs (`store::webhooks`), read in the caller's
/// transaction, so both are queued alike.
pub fn webhook_targets(
    tx: &Connection,
    config: &Config,
    event: &str,
) -> Result<Vec<String>, StoreError> {
    let mut ids: Vec<String> = config
        .webhooks
        .iter()
        .filter(|h| h.events.iter().any(|e| e == event))
        .map(|h| h.id.clone())
        .collect();
    for row in crate::store::webhooks::list(tx)? {
        if row.events.iter().any(|e| e == event) && !ids.contains(&row.id) {
            ids.push(row.id);
        }
    }
    Ok(ids)
}
