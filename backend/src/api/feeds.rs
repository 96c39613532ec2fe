//! The owner's secret feeds: every booking as events (for calendars OpenSlot cannot write to)
//! and the merged busy time as VFREEBUSY (for sharing availability without titles).

use chrono::{DateTime, Utc};

use crate::booking::BookingService;
use crate::booking::outbox::booking_event;
use crate::calendar::{
    Interval, booking_uid, events_ics, freebusy_ics as calendar_freebusy, merge_intervals,
};
use crate::store::{BookingRow, BookingStatus, StoreError, bookings};

/// Confirmed bookings as one calendar.
pub fn bookings_ics(service: &BookingService, rows: &[BookingRow], now: DateTime<Utc>) -> String {
    let events: Vec<_> = rows
        .iter()
        .filter(|b| b.status == BookingStatus::Confirmed)
        .map(|b| booking_event(service, b, &booking_uid(&b.id), now))
        .collect();
    events_ics(&events, Some("OpenSlot bookings"))
}

/// Everything that makes the owner busy in `window`: sources (under the freshness policy),
/// bookings and manual blocks, merged.
pub async fn merged_busy(
    service: &BookingService,
    window: Interval,
) -> Result<Vec<Interval>, StoreError> {
    let now = service.now();
    let (sources, _) = service.hub().busy(window, now);
    let (stored, blocks) = service
        .store()
        .call(move |c| {
            Ok((
                bookings::confirmed_between(c, window.start, window.end)?,
                bookings::blocks_between(c, window.start, window.end)?,
            ))
        })
        .await?;
    let mut all: Vec<Interval> = sources.into_iter().flat_map(|s| s.intervals).collect();
    all.extend(stored.iter().map(|b| Interval {
        start: b.start.max(window.start),
        end: b.end.min(window.end),
    }));
    all.extend(blocks);
    all.retain(|i| i.end > i.start);
    merge_intervals(&mut all);
    Ok(all)
}

/// The VFREEBUSY text.
pub fn freebusy_ics(busy: &[Interval], window: Interval, now: DateTime<Utc>) -> String {
    calendar_freebusy(busy, window, now, "freebusy@openslot")
}
