//! The dashboard's week view: for a few days, everything that decides availability side by
//! side: busy time per calendar and merged, the bookings, manual blocks and the free slots of
//! every event type.
//!
//! Invariant: this only reads (snapshots as they are, no refresh), like the slot listing, and
//! never shows an event title: busy time is intervals only.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::booking::{BookingService, StoreError};
use crate::calendar::{Interval, merge_intervals};
pub use openslot_wire::admin::{
    FreeJson, SourceBusyJson, SpanJson, WeekBlockJson, WeekBookingJson, WeekViewJson,
};

/// The most days one answer covers.
pub const MAX_DAYS: u32 = 31;

fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn span(i: &Interval) -> SpanJson {
    SpanJson {
        start: utc(i.start),
        end: utc(i.end),
    }
}

/// The view of `days` days from `first` (a day in the owner's zone); `None` when the dates
/// are out of range.
pub async fn week_view(
    service: &BookingService,
    first: NaiveDate,
    days: u32,
) -> Result<Option<WeekViewJson>, StoreError> {
    let config = service.config();
    let zone = config.owner.timezone;
    let dates: Vec<NaiveDate> = (0..days)
        .filter_map(|i| first.checked_add_signed(Duration::days(i64::from(i))))
        .collect();
    let (Some(from), Some(to)) = (
        crate::availability::start_of_day(zone, first),
        dates
            .last()
            .and_then(|d| d.succ_opt())
            .and_then(|d| crate::availability::start_of_day(zone, d)),
    ) else {
        return Ok(None);
    };
    let window = Interval {
        start: from,
        end: to,
    };
    let now = service.now();
    let busy = service.source_busy(window, now);
    let mut merged = Vec::new();
    let sources = busy
        .iter()
        .map(|s| {
            let clipped: Vec<Interval> =
                s.intervals.iter().filter_map(|i| i.clip(&window)).collect();
            merged.extend(clipped.iter().copied());
            // The hub's entry: the dashboard's sources have their name and colour too.
            let source = service.source_config(&s.source_id);
            SourceBusyJson {
                id: s.source_id.clone(),
                name: source.as_ref().and_then(|c| c.name.clone()),
                color: source.as_ref().and_then(|c| c.color.clone()),
                busy: clipped.iter().map(span).collect(),
            }
        })
        .collect();
    merge_intervals(&mut merged);
    let (rows, blocks) = service
        .confirmed_and_blocks(from, to, super::admin::MAX_LIST)
        .await?;
    let mut free = Vec::new();
    for et in config.event_types() {
        let slots = service.free_slots(&et, from, to).await?;
        free.push(FreeJson {
            event_type: et.slug.clone(),
            title: et.title.clone(),
            slots: slots
                .iter()
                .map(|s| SpanJson {
                    start: utc(s.start),
                    end: utc(s.end),
                })
                .collect(),
        });
    }
    Ok(Some(WeekViewJson {
        from: utc(from),
        to: utc(to),
        timezone: zone.name().to_owned(),
        days: dates.iter().map(ToString::to_string).collect(),
        sources,
        merged_busy: merged.iter().map(span).collect(),
        bookings: rows
            .iter()
            .map(|b| WeekBookingJson {
                id: b.id.clone(),
                event_type: b.event_type.clone(),
                name: b.name.clone(),
                start: utc(b.start),
                end: utc(b.end),
            })
            .collect(),
        blocks: blocks
            .iter()
            .map(|b| WeekBlockJson {
                id: b.id.clone(),
                label: b.label.clone(),
                start: utc(b.span.start),
                end: utc(b.span.end),
            })
            .collect(),
        free,
    }))
}
