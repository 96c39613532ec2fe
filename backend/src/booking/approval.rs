//! The owner's decision on a request (`confirm = "owner"`): approve turns it (and the other
//! pending sessions of its series) into a booking that stands, written and announced like any
//! other; decline frees its time and tells the visitor, with the owner's reason if given.
//!
//! Invariant: a request causes nothing in the owner's calendars before it is approved; both
//! decisions are one `BEGIN IMMEDIATE` transaction that first ends the holds that ran out, so
//! a request past its deadline can no longer be approved (409, like any request not pending).

use rusqlite::{Connection, TransactionBehavior};

use crate::domain::visitor_text;
use crate::notify::{self, Event};
use crate::store::{BookingRow, BookingStatus, ConfirmBy, StoreError, bookings};

use super::confirmation::{announce, end_holds};
use super::{BookError, BookingService};

/// Why a request was not decided.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("no such booking")]
    NotFound,
    /// Only a request waiting for the owner can be approved or declined; `status` is what it
    /// is now (a booking that stood at once is `confirmed` but was never a request).
    #[error("the booking is not a request waiting for the owner (it is {})", .status.as_str())]
    NotPending { status: BookingStatus },
    /// The reason given is not one paragraph of at most `MAX_REASON` characters.
    #[error("{0}")]
    Reason(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The longest reason for a decline (characters).
pub const MAX_REASON: usize = 500;

/// The owner's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Decision {
    Approve,
    Decline(Option<String>),
}

/// A reason as the visitor will read it: trimmed, empty as none, one paragraph of visible text.
pub fn check_reason(reason: Option<&str>) -> Result<Option<String>, DecideError> {
    let Some(text) = reason.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_REASON {
        return Err(DecideError::Reason(format!(
            "the reason is longer than {MAX_REASON} characters"
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() || visitor_text::is_direction_control(c))
    {
        return Err(DecideError::Reason(
            "the reason must be one paragraph without control characters".to_owned(),
        ));
    }
    if !text.chars().any(visitor_text::is_visible) {
        return Err(DecideError::Reason(
            "the reason has no visible character".to_owned(),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// The sessions one decision takes: the request and its series' other requests still
/// waiting for the owner.
fn waiting_with_series(tx: &Connection, booking: &BookingRow) -> Result<Vec<String>, StoreError> {
    let Some((series, _)) = &booking.series else {
        return Ok(vec![booking.id.clone()]);
    };
    let Some((_, sessions)) = bookings::series(tx, series)? else {
        return Ok(vec![booking.id.clone()]);
    };
    Ok(sessions
        .into_iter()
        .filter(|s| s.status == BookingStatus::Pending && s.confirm_by == Some(ConfirmBy::Owner))
        .map(|s| s.id)
        .collect())
}

impl BookingService {
    /// Approves a request: from then on an ordinary booking (calendar writes, the visitor's
    /// invitation, `booking.created` webhooks, reminders), with every pending session of its series.
    pub async fn approve(&self, id: &str) -> Result<BookingRow, DecideError> {
        self.decide(id, Decision::Approve).await
    }

    /// Declines a request (and the pending sessions of its series): its time is free again
    /// and the visitor is told once, with `reason` if given.
    pub async fn decline(&self, id: &str, reason: Option<&str>) -> Result<BookingRow, DecideError> {
        let reason = check_reason(reason)?;
        self.decide(id, Decision::Decline(reason)).await
    }

    /// The visitor withdraws a request still waiting for the owner (with the manage token;
    /// with a series, every session still waiting): `cancelled`, its time free, nothing
    /// written (no invitation was ever sent); the owner is told (mail with `[mail]`, the
    /// `booking.withdrawn` webhooks). `None`: it was not such a request, so
    /// the ordinary cancel applies.
    pub async fn withdraw(&self, id: &str, token: &str) -> Result<Option<BookingRow>, BookError> {
        let booking = self.get(id, token).await?;
        if booking.status != BookingStatus::Pending || booking.confirm_by != Some(ConfirmBy::Owner)
        {
            return Ok(None);
        }
        let (now, config) = (self.now(), self.config());
        let withdrawn = self
            .store()
            .call(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                end_holds(&tx, &config, now)?;
                let mut any = false;
                for id in waiting_with_series(&tx, &booking)? {
                    any |= bookings::withdraw(&tx, &id, now)?;
                }
                if any {
                    // The owner was asked to decide: told it is off (one notice per request).
                    notify::enqueue(&tx, &config, Event::Withdrawn, &booking.id, now)?;
                }
                tx.commit()?;
                Ok(any)
            })
            .await?;
        if !withdrawn {
            // Decided or expired meanwhile: what it is now is the answer.
            return Ok(None);
        }
        Ok(self.booking_row(id).await?)
    }

    async fn decide(&self, id: &str, decision: Decision) -> Result<BookingRow, DecideError> {
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
                if booking.status != BookingStatus::Pending
                    || booking.confirm_by != Some(ConfirmBy::Owner)
                {
                    tx.commit()?;
                    return Ok(Some(Err(booking.status)));
                }
                let ids = waiting_with_series(&tx, &booking)?;
                let mut told = false;
                for id in &ids {
                    match &decision {
                        Decision::Approve => {
                            if bookings::confirm(&tx, id, ConfirmBy::Owner, now)? {
                                announce(&tx, &config, &writers, id, now)?;
                            }
                        }
                        Decision::Decline(reason) => {
                            // One mail and one webhook per request, not per session.
                            if bookings::decline(&tx, id, reason.as_deref(), now)? && !told {
                                notify::enqueue(&tx, &config, Event::Declined, id, now)?;
                                told = true;
                            }
                        }
                    }
                }
                tx.commit()?;
                Ok(Some(Ok(())))
            })
            .await?;
        match outcome {
            None => return Err(DecideError::NotFound),
            Some(Err(status)) => return Err(DecideError::NotPending { status }),
            Some(Ok(())) => {
                self.outbox_wake().notify_one();
                self.notify_wake().notify_one();
            }
        }
        self.booking_row(id).await?.ok_or(DecideError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_one_visible_paragraph_or_none() {
        assert_eq!(check_reason(None).unwrap(), None);
        assert_eq!(check_reason(Some("  ")).unwrap(), None);
        assert_eq!(
            check_reason(Some("  I am away that week. ")).unwrap(),
            Some("I am away that week.".to_owned())
        );
        assert!(check_reason(Some("line\nbreak")).is_err());
        assert!(check_reason(Some("\u{200B}\u{200B}")).is_err());
        assert!(check_reason(Some(&"x".repeat(MAX_REASON + 1))).is_err());
        assert!(check_reason(Some(&"x".repeat(MAX_REASON))).is_ok());
    }
}
