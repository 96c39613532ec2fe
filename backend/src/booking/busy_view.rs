//! The facts every slot list is made from (the calendars' merged busy time and openings, the
//! stored bookings and blocks) over the whole fetch window, computed once per change and shared
//! by every `GET /slots` until the next one. A request then only runs the slot rules over its
//! own window, whatever window, zone or event type it asks for.
//!
//! Invariant: a view is used only while nothing it was made from changed: the hub's snapshot
//! version, the store's version, and which sources are usable now (a source that turns stale
//! changes what counts as busy without a new snapshot). A request outside the view's window
//! gets facts of its own, computed as before.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

use crate::availability::{CalendarTime, ExistingBooking, Facts};
use crate::calendar::Interval;

/// What a view was made from; equal keys mean equal facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ViewKey {
    pub hub_version: u64,
    pub store_version: u64,
    /// Per source, whether its snapshot counts (fresh, or stale with `fail_open`).
    pub usable: Vec<bool>,
}

/// The facts of one window, owned.
#[derive(Debug)]
pub(super) struct View {
    pub key: ViewKey,
    pub window: Interval,
    pub time: CalendarTime,
    pub bookings: Vec<ExistingBooking>,
    pub blocks: Vec<Interval>,
}

impl View {
    /// Whether `[from - margin, to + margin)` lies inside the window the view was made for.
    pub fn covers(&self, needed: Interval) -> bool {
        covers(self.window, needed)
    }

    pub fn facts(&self, now: DateTime<Utc>) -> Facts<'_> {
        self.time.facts(&self.bookings, &self.blocks, now)
    }
}

/// The current view, replaced when its key no longer matches.
#[derive(Debug, Default)]
pub(super) struct BusyView {
    current: Mutex<Option<Arc<View>>>,
    /// When the first hold of a pending booking ends (`confirmation`).
    pub holds: super::confirmation::HoldWatch,
}

impl BusyView {
    /// The current view when it was made from `key` and covers `needed`.
    pub fn get(&self, key: &ViewKey, needed: Interval) -> Option<Arc<View>> {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|v| &v.key == key && v.covers(needed))
            .map(Arc::clone)
    }

    /// Keeps `view` as the current one (a newer key replaces an older one).
    pub fn put(&self, view: Arc<View>) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(view);
    }

    /// Drops the view (the rules or the configuration changed).
    pub fn clear(&self) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// Whether `needed` lies inside `window`.
pub(super) fn covers(window: Interval, needed: Interval) -> bool {
    window.start <= needed.start && needed.end <= window.end
}

/// The window a view is made for at `now`: the hub's fetch window (all the calendars' data
/// there is) plus `margin` on both sides for buffers reaching over its edges.
pub(super) fn view_window(fetch_window: Interval, margin: Duration) -> Interval {
    Interval {
        start: fetch_window.start - margin,
        end: fetch_window.end + margin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::hours(h)
    }

    fn view(key: ViewKey, start: i64, end: i64) -> Arc<View> {
        Arc::new(View {
            key,
            window: Interval {
                start: at(start),
                end: at(end),
            },
            time: CalendarTime {
                busy: Vec::new(),
                open: None,
            },
            bookings: Vec::new(),
            blocks: Vec::new(),
        })
    }

    fn key(hub: u64, store: u64, usable: &[bool]) -> ViewKey {
        ViewKey {
            hub_version: hub,
            store_version: store,
            usable: usable.to_vec(),
        }
    }

    #[test]
    fn a_view_serves_only_its_own_key_and_window() {
        let cache = BusyView::default();
        let inside = Interval {
            start: at(10),
            end: at(20),
        };
        assert!(cache.get(&key(1, 1, &[true]), inside).is_none(), "empty");
        cache.put(view(key(1, 1, &[true]), 0, 100));
        assert!(cache.get(&key(1, 1, &[true]), inside).is_some());
        assert!(
            cache.get(&key(2, 1, &[true]), inside).is_none(),
            "new snapshot"
        );
        assert!(
            cache.get(&key(1, 2, &[true]), inside).is_none(),
            "new booking"
        );
        assert!(
            cache.get(&key(1, 1, &[false]), inside).is_none(),
            "turned stale"
        );
        let beyond = Interval {
            start: at(90),
            end: at(101),
        };
        assert!(cache.get(&key(1, 1, &[true]), beyond).is_none(), "outside");
        cache.clear();
        assert!(cache.get(&key(1, 1, &[true]), inside).is_none(), "cleared");
    }
}
