//! "New since your last visit": the newest booking the owner has seen, kept in this browser
//! (localStorage, so it outlives the session). It is read once per page load (what was new
//! stays marked while the dashboard is open) and moved on as bookings are shown.

use std::cell::Cell;

use super::clock;
use openslot_wire::admin::AdminBookingJson;

const KEY: &str = "openslot.bookings_seen";

thread_local! {
    /// When the newest booking seen before this page load was made (ms since the epoch); none
    /// on the first visit, when nothing is called new.
    static BEFORE: Cell<Option<Option<f64>>> = const { Cell::new(None) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn stored() -> Option<f64> {
    storage()?.get_item(KEY).ok()??.parse().ok()
}

fn before() -> Option<f64> {
    BEFORE.with(|b| {
        if b.get().is_none() {
            b.set(Some(stored()));
        }
        b.get().flatten()
    })
}

/// Whether `b` was made after the newest booking seen before this page load.
pub fn is_new(b: &AdminBookingJson) -> bool {
    newer(before(), clock::ms(&b.created_at))
}

fn newer(before: Option<f64>, made: f64) -> bool {
    before.is_some_and(|seen| made > seen)
}

/// Notes the bookings now on screen as seen (for the next page load).
pub fn saw(rows: &[AdminBookingJson]) {
    before();
    let newest = rows
        .iter()
        .map(|b| clock::ms(&b.created_at))
        .filter(|ms| ms.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if newest > stored().unwrap_or(f64::NEG_INFINITY)
        && let Some(s) = storage()
    {
        let _ = s.set_item(KEY, &newest.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::newer;

    #[test]
    fn nothing_is_new_on_the_first_visit_and_later_only_what_came_after() {
        assert!(!newer(None, 5.0));
        assert!(newer(Some(4.0), 5.0));
        assert!(!newer(Some(5.0), 5.0));
        assert!(!newer(Some(5.0), f64::NAN));
    }
}
