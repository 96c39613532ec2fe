//! The window a delta cursor was started for, kept in the cursor (sync tokens and delta links
//! are bound to the range of the query that started them).

use chrono::{DateTime, Utc};

use crate::calendar::Interval;
use crate::sources::Cursor;

// ---------------------------------------------------------------------------------------------
// The window of an incremental sync: a Google syncToken and a Graph deltaLink only report
// changes inside the window of the full fetch that made them, so the cursor records that window
// and a wider one asks for a full fetch again.

pub(in crate::sources) fn window_cursor(window: Interval) -> Cursor {
    Cursor::default()
        .with("window_start", window.start.to_rfc3339())
        .with("window_end", window.end.to_rfc3339())
}

/// The window recorded in a cursor.
pub(in crate::sources) fn cursor_window(c: &Cursor) -> Option<Interval> {
    let at = |key| {
        DateTime::parse_from_rfc3339(c.get(key)?)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    Some(Interval {
        start: at("window_start")?,
        end: at("window_end")?,
    })
}

/// Whether the cursor's window holds `window`.
pub(in crate::sources) fn covers(cursor: &Cursor, window: Interval) -> bool {
    cursor_window(cursor).is_some_and(|w| w.start <= window.start && window.end <= w.end)
}
