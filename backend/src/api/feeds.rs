//! The owner's secret feeds: every booking as events (for calendars OpenSlot cannot write to)
//! and the merged busy time as VFREEBUSY (for sharing availability without titles).

use chrono::{DateTime, Utc};

use crate::booking::BookingService;
use crate::booking::outbox::booking_event;
use crate::booking::{BookingRow, BookingStatus};
use crate::calendar::{Interval, booking_uid, events_ics, freebusy_ics as calendar_freebusy};

/// Confirmed bookings as one calendar.
pub fn bookings_ics(service: &BookingService, rows: &[BookingRow], now: DateTime<Utc>) -> String {
    let events: Vec<_> = rows
        .iter()
        .filter(|b| b.status == BookingStatus::Confirmed)
        .map(|b| booking_event(service, b, &booking_uid(&b.id), now))
        .collect();
    events_ics(&events, Some("OpenSlot bookings"))
}

/// The VFREEBUSY text.
pub fn freebusy_ics(busy: &[Interval], window: Interval, now: DateTime<Utc>) -> String {
    calendar_freebusy(busy, window, now, "freebusy@openslot")
}
