//! Bookings that wait for the visitor's confirmation (`confirm = "email"`): the hold a pending
//! booking keeps on its time, the link that confirms it, and the end of holds nobody confirmed.
//! The owner's requests (`confirm = "owner"`) hold the same way; `approval` decides them.
//!
//! Invariant: a pending booking causes exactly one notice, the mail with its confirmation link
//! (`Event::ConfirmRequest`); its calendar writes, invitation and webhooks are queued only by
//! `confirm`, in the transaction that confirms it. A hold ends at `hold_until` by the service's
//! clock: the booking transaction and every slot list end the holds that ran out first.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, TransactionBehavior};

use crate::calendar::booking_uid;
use crate::config::{Config, Confirm};
use crate::notify::{self, Event};
use crate::store::bookings::Hold;
use crate::store::outbox::{self as outbox_rows, OutboxAction};
use crate::store::{BookingRow, BookingStatus, ConfirmBy, StoreError, bookings};

use super::token::Purpose;
use super::{Booked, BookingService};

/// Why a booking was not confirmed.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    /// A wrong token and an unknown id look the same.
    #[error("no such booking")]
    NotFound,
    /// The hold ran out (or the booking was cancelled) before the link was followed.
    #[error("the booking was not confirmed in time; its time is free again")]
    Ended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// When the first running hold ends, as far as this process knows: `UNKNOWN` until the store
/// was asked, `NONE` when no booking is pending. Lets a slot list skip the database until a
/// hold is due.
#[derive(Debug)]
pub(super) struct HoldWatch(AtomicI64);

const UNKNOWN: i64 = i64::MIN;
const NONE: i64 = i64::MAX;

impl Default for HoldWatch {
    fn default() -> Self {
        HoldWatch(AtomicI64::new(UNKNOWN))
    }
}

impl HoldWatch {
    fn due(&self, now: DateTime<Utc>) -> bool {
        self.0.load(Ordering::Acquire) <= now.timestamp()
    }

    fn set(&self, next: Option<DateTime<Utc>>) {
        self.0
            .store(next.map_or(NONE, |t| t.timestamp()), Ordering::Release);
    }

    /// A new hold until `until`.
    fn note(&self, until: DateTime<Utc>) {
        self.0.fetch_min(until.timestamp(), Ordering::AcqRel);
    }
}

impl BookingService {
    /// How a new booking of event type `slug` for `start`, made at `now`, waits; `None`: it
    /// stands at once.
    pub(super) fn hold_until(
        &self,
        slug: &str,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<Hold> {
        let config = self.config();
        let et = config.event_type_config(slug)?;
        hold_for(
            et.confirm,
            et.confirm_hold_minutes,
            et.confirm_owner_hours,
            start,
            now,
        )
    }

    /// After a pending booking committed: the slot lists end its hold on time.
    pub(super) fn note_hold(&self, hold: Hold) {
        self.holds().note(hold.until);
    }

    /// Ends the holds that ran out by `now` (their time is free again), when one is due.
    pub(super) async fn end_due_holds(&self, now: DateTime<Utc>) -> Result<(), StoreError> {
        if !self.holds().due(now) {
            return Ok(());
        }
        let config = self.config();
        let (told, next) = self
            .store()
            .call(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let told = end_holds(&tx, &config, now)?;
                let next = bookings::next_hold_end(&tx)?;
                tx.commit()?;
                Ok((told, next))
            })
            .await?;
        self.holds().set(next);
        if told > 0 {
            self.notify_wake().notify_one();
        }
        Ok(())
    }

    /// The token of a pending booking's confirmation link.
    pub fn confirm_token(&self, id: &str) -> String {
        self.tokens().sign(Purpose::Confirm, id)
    }

    /// The visitor's link that confirms a pending booking (the booking page's `/confirm`).
    pub fn confirm_url(&self, id: &str) -> String {
        format!(
            "{}/confirm/{id}?token={}",
            self.config().server.public_url,
            self.confirm_token(id)
        )
    }

    /// Confirms a pending booking (and the other pending sessions of its series) while its
    /// hold runs: from then on it is an ordinary booking, written into the calendars and
    /// announced. Following the link twice is fine.
    pub async fn confirm(&self, id: &str, token: &str) -> Result<Booked, ConfirmError> {
        if !self.tokens().verify(Purpose::Confirm, id, token) {
            return Err(ConfirmError::NotFound);
        }
        let now = self.now();
        let writers = self.hub().writable_ids();
        let config = self.config();
        let booking_id = id.to_owned();
        let outcome = self
            .store()
            .call(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                end_holds(&tx, &config, now)?;
                let Some(booking) = bookings::get(&tx, &booking_id)? else {
                    return Ok(None);
                };
                // The owner's requests are not the visitor's to confirm.
                if booking.confirm_by == Some(ConfirmBy::Owner) {
                    return Ok(None);
                }
                if booking.status != BookingStatus::Pending {
                    return Ok(Some(booking.status));
                }
                let mut ids = vec![booking.id.clone()];
                if let Some((series, _)) = &booking.series
                    && let Some((_, sessions)) = bookings::series(&tx, series)?
                {
                    ids = sessions
                        .into_iter()
                        .filter(|s| s.status == BookingStatus::Pending)
                        .map(|s| s.id)
                        .collect();
                }
                for id in &ids {
                    if bookings::confirm(&tx, id, ConfirmBy::Visitor, now)? {
                        announce(&tx, &config, &writers, id, now)?;
                    }
                }
                tx.commit()?;
                Ok(Some(BookingStatus::Pending))
            })
            .await?;
        let replayed = match outcome {
            None => return Err(ConfirmError::NotFound),
            Some(BookingStatus::Pending) => {
                self.outbox_wake().notify_one();
                self.notify_wake().notify_one();
                false
            }
            Some(BookingStatus::Confirmed) => true,
            Some(BookingStatus::Cancelled | BookingStatus::Expired | BookingStatus::Declined) => {
                return Err(ConfirmError::Ended);
            }
        };
        let booking = self.booking_row(id).await?.ok_or(ConfirmError::NotFound)?;
        Ok(Booked {
            manage_token: self.manage_token(id),
            booking,
            replayed,
        })
    }

    pub(super) async fn booking_row(&self, id: &str) -> Result<Option<BookingRow>, StoreError> {
        let id = id.to_owned();
        self.store().call(move |c| bookings::get(c, &id)).await
    }
}

/// How a booking made at `now` for `start` waits under `confirm`: the visitor's link holds its
/// time `hold_minutes`; the owner's request `owner_hours`, but never past the meeting's start
/// (a request nobody decided before then is moot).
pub fn hold_for(
    confirm: Confirm,
    hold_minutes: u32,
    owner_hours: u32,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Hold> {
    match confirm {
        Confirm::None => None,
        Confirm::Email => Some(Hold {
            until: now + Duration::minutes(i64::from(hold_minutes)),
            by: ConfirmBy::Visitor,
        }),
        Confirm::Owner => Some(Hold {
            until: (now + Duration::hours(i64::from(owner_hours))).min(start),
            by: ConfirmBy::Owner,
        }),
    }
}

/// Ends the holds that ran out by `now` (their time is free again), inside the caller's
/// transaction; the visitors whose request to the owner went undecided are told
/// (`booking.declined` with status `expired`, once per series). How many were told.
pub(super) fn end_holds(
    tx: &Connection,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let requests = bookings::owner_holds_due(tx, now)?;
    bookings::expire_holds(tx, now)?;
    let mut told = 0;
    for id in &requests {
        let first = bookings::get(tx, id)?.is_some_and(|b| b.series.is_none_or(|(_, i)| i == 0));
        if first {
            notify::enqueue(tx, config, Event::Declined, id, now)?;
            told += 1;
        }
    }
    Ok(told)
}

/// What a new booking causes in its transaction: when it stands, its writes and notices
/// (`announce`); when it waits, one notice for the first session: the visitor's link
/// (`booking.confirm_request`) or the request to the owner (`booking.requested`).
pub(super) fn announce_or_ask(
    tx: &Connection,
    config: &Config,
    writers: &[String],
    id: &str,
    index: u32,
    hold: Option<Hold>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match hold {
        None => announce(tx, config, writers, id, now),
        Some(_) if index > 0 => Ok(()),
        Some(Hold {
            by: ConfirmBy::Visitor,
            ..
        }) => notify::enqueue(tx, config, Event::ConfirmRequest, id, now),
        Some(Hold {
            by: ConfirmBy::Owner,
            ..
        }) => notify::enqueue(tx, config, Event::Requested, id, now),
    }
}

/// What a booking that stands causes, inside its transaction: one calendar write per writable
/// calendar and the `booking.created` notices.
pub(super) fn announce(
    tx: &Connection,
    config: &Config,
    writers: &[String],
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let uid = booking_uid(id);
    for source in writers {
        outbox_rows::enqueue(tx, id, source, OutboxAction::Create, &uid, now)?;
    }
    notify::enqueue(tx, config, Event::Created, id, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn who_confirms_decides_how_long_the_time_is_held() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap();
        let far = now + Duration::days(7);
        assert_eq!(hold_for(Confirm::None, 30, 48, far, now), None);
        assert_eq!(
            hold_for(Confirm::Email, 30, 48, far, now),
            Some(Hold {
                until: now + Duration::minutes(30),
                by: ConfirmBy::Visitor
            })
        );
        assert_eq!(
            hold_for(Confirm::Owner, 30, 48, far, now),
            Some(Hold {
                until: now + Duration::hours(48),
                by: ConfirmBy::Owner
            })
        );
        // A request is never held past its meeting's start.
        let soon = now + Duration::hours(3);
        assert_eq!(
            hold_for(Confirm::Owner, 30, 48, soon, now).map(|h| h.until),
            Some(soon)
        );
    }
}
