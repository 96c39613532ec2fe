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
                shown_color: shown_color(
                    &s.source_id,
                    source.as_ref().and_then(|c| c.color.as_deref()),
                ),
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
        now: utc(now),
        today: now.with_timezone(&zone).date_naive().to_string(),
    }))
}

/// The colour a calendar is drawn in: `configured` (`#rgb`/`#rrggbb`) or a hue from the id's
/// hash, darkened until white text reads on it (4.5:1), which also sets it apart from the
/// white grid.
pub fn shown_color(id: &str, configured: Option<&str>) -> String {
    use crate::api::accent::{parse, readable_on};
    let base = configured.and_then(parse).unwrap_or_else(|| {
        // FNV-1a: stable across runs and releases (unlike std's hasher).
        let hash = id.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        hue(f64::from(hash % 360))
    });
    let [r, g, b] = readable_on(base, [255, 255, 255], [0, 0, 0]);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// A saturated colour of `hue` degrees (HSL, saturation 0.65, lightness 0.4).
fn hue(h: f64) -> [u8; 3] {
    let (s, l) = (0.65, 0.4);
    let c = (1.0 - (2.0 * l - 1.0_f64).abs()) * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    [byte(r), byte(g), byte(b)]
}

#[cfg(test)]
mod tests {
    use super::shown_color;
    use crate::api::accent::{contrast, parse};

    #[test]
    fn calendar_colours_are_stable_distinct_and_readable() {
        let a = shown_color("work", None);
        assert_eq!(a, shown_color("work", None), "the same id, the same colour");
        assert_ne!(a, shown_color("home", None));
        // A configured colour is kept when it reads, darkened when it does not.
        assert_eq!(shown_color("x", Some("#1a4f8b")), "#1a4f8b");
        let yellow = shown_color("x", Some("#f5c400"));
        assert_ne!(yellow, "#f5c400");
        for id in ["work", "home", "team", "a", "zz", "holidays"] {
            let c = parse(&shown_color(id, None)).unwrap();
            assert!(contrast(c, [255, 255, 255]) >= 4.5, "{id}");
        }
        let c = parse(&yellow).unwrap();
        assert!(contrast(c, [255, 255, 255]) >= 4.5);
    }
}
